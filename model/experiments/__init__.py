"""Experiments: parameter sweeps declared once, run anywhere, stored so that nothing is lost.

This module is the public face of experiments: it gathers their API from the modules that do
the work, and ``python -m model.experiments FILE ...`` is ``innovsim sweep FILE ...``.

- :mod:`model.experiments.declaration` — what a sweep runs: :class:`Experiment` (scenarios, levers,
  uncertainties, design, replications, outputs), its validation, TOML files
  (:func:`load_experiment`) and seeds (:func:`replication_seed`);
- :mod:`model.experiments.run` — running it: :func:`run_experiment` on any executor
  (:mod:`model.runs.executors`), and :func:`run_model`, the model as a plain function for EMA
  Workbench and similar drivers;
- :mod:`model.runs.store` — the result folder: :class:`ExperimentResults`,
  :func:`open_results`, :func:`load_results`;
- :mod:`model.cli` — the ``innovsim sweep`` command (``add_sweep_parser``,
  :func:`cmd_sweep`);
- :mod:`model.experiments.sensitivity` — Sobol and Morris indices of a finished sweep.

::

    from model.experiments import Experiment, Outputs, Range, Values, run_experiment

    exp = Experiment(
        name="rebate_x_vouchers",
        levers={
            "tax_rebate_share": Values([0.0, 0.5, 1.0]),
            "voucher_budget_mcny_per_q": Range(0.0, 12.5, levels=6),
        },
        replications=30,
        steps=40,
        outputs=Outputs(indicators=["high_tech_enterprises"], steps="all"),
    )
    if __name__ == "__main__":          # local processes use "spawn"
        results = run_experiment(exp, "results/sweeps/rebate_x_vouchers")
        df = results.load()             # tidy: run, scenario, point, seed, parameters, ...
        final = results.outcomes()      # one value per run at the horizon

The same declaration can be a TOML file in ``experiments/`` run with ``innovsim sweep FILE``
(the format is in ``experiments/README.md``).
"""

from __future__ import annotations

from model.experiments.declaration import (
    DESIGNS,
    DISTRIBUTIONS,
    Analysis,
    Experiment,
    ExperimentError,
    Outputs,
    Range,
    Values,
    load_experiment,
    replication_seed,
)
from model.experiments.declaration import EXPERIMENT_DIR as EXPERIMENT_DIR
from model.experiments.declaration import ParameterAxis as ParameterAxis
from model.experiments.run import FAIL_RUNS_ENV as FAIL_RUNS_ENV
from model.experiments.run import RunSpec as RunSpec
from model.experiments.run import execute_run as execute_run
from model.experiments.run import run_experiment, run_model
from model.runs.store import ExperimentResults, load_results, open_results

# The ``NAME as NAME`` imports above stay importable from here, as before the split, without
# being part of __all__.
__all__ = [
    "DESIGNS",
    "DISTRIBUTIONS",
    "Analysis",
    "Experiment",
    "ExperimentError",
    "ExperimentResults",
    "Outputs",
    "Range",
    "Values",
    "load_experiment",
    "load_results",
    "open_results",
    "replication_seed",
    "run_experiment",
    "run_model",
]
