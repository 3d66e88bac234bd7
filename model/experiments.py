"""Experiments: parameter sweeps declared once, run anywhere, stored so that nothing is lost.

This module is the public face of experiments: it gathers their API from the modules that do
the work, and ``python -m model.experiments FILE ...`` is ``innovsim sweep FILE ...``.

- :mod:`model.sweep_declaration` — what a sweep runs: :class:`Experiment` (scenarios, levers,
  uncertainties, design, replications, outputs), its validation, TOML files
  (:func:`load_experiment`) and seeds (:func:`replication_seed`);
- :mod:`model.sweep_runner` — running it: :func:`run_experiment` on any executor
  (:mod:`model.executors`), and :func:`run_model`, the model as a plain function for EMA
  Workbench and similar drivers;
- :mod:`model.sweep_store` — the result folder: :class:`ExperimentResults`,
  :func:`open_results`, :func:`load_results`;
- :mod:`model.cli` — the ``innovsim sweep`` command (:func:`add_sweep_parser`,
  :func:`cmd_sweep`);
- :mod:`model.sensitivity` — Sobol and Morris indices of a finished sweep.

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

import argparse
import sys

from model.cli import add_sweep_arguments, add_sweep_parser, cmd_sweep
from model.sweep_declaration import (
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
from model.sweep_declaration import EXPERIMENT_DIR as EXPERIMENT_DIR
from model.sweep_declaration import ParameterAxis as ParameterAxis
from model.sweep_runner import FAIL_RUNS_ENV as FAIL_RUNS_ENV
from model.sweep_runner import RunSpec as RunSpec
from model.sweep_runner import execute_run as execute_run
from model.sweep_runner import run_experiment, run_model
from model.sweep_store import ExperimentResults, load_results, open_results

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
    "add_sweep_parser",
    "cmd_sweep",
    "load_experiment",
    "load_results",
    "open_results",
    "replication_seed",
    "run_experiment",
    "run_model",
]


def main(argv: list[str] | None = None) -> int:
    """``python -m model.experiments FILE ...``: the same as ``innovsim sweep FILE ...``."""
    parser = argparse.ArgumentParser(prog="innovsim sweep", description=cmd_sweep.__doc__)
    add_sweep_arguments(parser)
    return cmd_sweep(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
