"""The default baseline against the calibration targets.

The posterior's target tables (docs/calibration.md) say how the *accepted parameter sets* fit
the data; a comparison without ``--posterior`` runs the parameter table's *defaults*. This
module runs the calibration's scenario at the defaults on several seeds through the same
sweep pipeline and reads the same targets, so the documentation can say how the baseline a
user gets by default fits them.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import pandas as pd

from model.calibration.declaration import Calibration
from model.calibration.run import points_on_seeds, target_summary
from model.calibration.targets import calibration_targets
from model.params.table import SPEC_BY_NAME


def check_defaults(
    calibration: Calibration,
    out: str | os.PathLike,
    *,
    seeds: int = 10,
    executor: Any = None,
    workers: int | None = None,
    progress: bool = True,
) -> pd.DataFrame:
    """Run the calibration's scenario at the table's defaults on ``seeds`` seeds.

    Parameters
    ----------
    calibration : Calibration
        Its scenario, region, constants, years and base seed; every free parameter at its
        default (``model/params/table.py``).
    out : path
        Run store of the check (resumed if it holds the same experiment).
    seeds : int
        Replications.
    executor, workers
        Where the runs go (default: local processes, ``workers`` of them; 1 runs here).

    Returns
    -------
    DataFrame
        :func:`model.calibration.run.target_summary` over the seeds (equal weights): one row
        per target, in-sample and held out, with a column ``held_out``.
    """
    c = calibration
    targets = calibration_targets(c.base_year, c.last_year)
    defaults = {name: float(SPEC_BY_NAME[name].default) for name in c.names}
    stats = points_on_seeds(
        c,
        targets,
        [defaults],
        seeds,
        out,
        label="defaults",
        description="the defaults",
        command="model.calibration.check_defaults",
        executor=executor,
        workers=workers,
        progress=progress,
    )
    summary = target_summary(targets, stats, np.ones(len(stats)))
    summary["held_out"] = [t.dataset in c.holdout for t in targets]
    return summary
