"""One run as a function: :func:`simulate`, behind every command, sweep and comparison.

Parameters, seed and steps in, a tidy DataFrame out. Where runs execute (this process, local
processes, a Dask cluster) is decided by :mod:`model.runs.executors`, what is run by
:mod:`model.experiments`; a run's numbers depend only on its parameters and seed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd


def simulate(
    overrides: Mapping[str, Any] | None = None,
    seed: int = 0,
    steps: int = 40,
    region: str = "jiaxing-huzhou",
    scenario: str = "custom",
    check_accounting: bool = False,
) -> pd.DataFrame:
    """Run the model once and return its tidy indicators (steps 0..``steps``).

    Parameters
    ----------
    overrides : Mapping, optional
        Parameter values (validated).
    seed : int
        Seed; the same seed gives the same numbers on any machine and executor.
    steps : int
        Quarters to simulate.
    region : str
        Region key or file.
    scenario : str
        Name recorded in the ``scenario`` column.
    check_accounting : bool
        Verify money and talent conservation every quarter.
    """
    from model.sim.mesa_model import InnovationModel

    model = InnovationModel(
        region=region,
        parameters=dict(overrides or {}),
        scenario=scenario,
        seed=int(seed),
        build_mesa_grid=False,
        check_accounting=check_accounting,
    )
    for _ in range(steps):
        model.step()
    return model.results()
