"""Running the model: one run as a function, executors that place runs, a store that loses nothing.

- :mod:`model.runs.run` — :func:`~model.runs.run.simulate` (one run) and the run jobs;
- :mod:`model.runs.executors` — serial, local processes, Dask; never change a number;
- :mod:`model.runs.store` — a result folder: manifest, plan, one Parquet file per run;
- :mod:`model.runs.results` — tidy tables, atomic writes, manifests.
"""
