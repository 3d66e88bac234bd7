"""Calibration: the free behavioural parameters fitted to the county data set by ABC-SMC.

``declaration`` (what is calibrated: priors, years, sizes; ``experiments/calibration.toml``),
``targets`` (the data set's figures the model simulates, with tolerances and sources), ``smc``
(the algorithm's arithmetic), ``run`` (:func:`calibrate`: populations as experiments on the
sweep pipeline, resumable, any executor), ``posterior`` (the posterior file, and draws from it
for ``innovsim compare --posterior``).
"""
