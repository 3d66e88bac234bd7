"""The Mesa model: :class:`InnovationModel`, a ``mesa.Model`` around the numba engine.

It feels like any Mesa model — keyword parameters, ``seed``/``rng``, ``step()``, ``running``,
a ``DataCollector`` that collects once at construction and once per step — so
``mesa.batch_run`` can drive it and reads the right step's data. Agents are not
``mesa.Agent`` objects: populations are arrays (design.md, "Mesa where Mesa serves"); the
county map is a Mesa grid with property layers (:attr:`InnovationModel.grid`).
"""

from __future__ import annotations

from typing import Any

import mesa
import numpy as np
import pandas as pd

from model.params.table import PARAMETER_NAMES, Parameters, check_value
from model.sim.engine import Simulation, region_totals
from model.sim.indicators import INDICATOR_NAMES
from model.sim.region import Region, build_grid, load_region


class InnovationModel(mesa.Model):
    """A regional innovation ecosystem of firms, platforms, talent and capital on counties.

    Parameters
    ----------
    region : str or Region
        A built-in region key (``"jiaxing-huzhou"``, ``"province"``), a region file path, or a
        loaded :class:`model.sim.region.Region`.
    parameters : Mapping or Parameters, optional
        Parameter overrides (validated; see ``model/params/table.py``).
    scenario : str, optional
        Name recorded with the results (scenario files are applied by ``model.params.scenarios``,
        which passes their parameters here).
    max_steps : int, optional
        ``running`` turns False after this many steps (None: never).
    check_accounting : bool
        Verify money and talent conservation every step.
    build_mesa_grid : bool
        Build the Mesa grid with property layers (``county_id``, ``hub_id``).
    seed, rng :
        As for ``mesa.Model``; the kernels' counter-based generator is seeded from ``rng``.
    **kwargs :
        Any parameter by name (so ``mesa.batch_run`` and ``SolaraViz`` can vary it), e.g.
        ``tax_rebate_share=1.0``. Named ``**kwargs`` because Mesa's SolaraViz exempts exactly
        that name from its check for required parameters.

    Examples
    --------
    >>> m = InnovationModel(seed=1, tax_rebate_share=1.0)
    >>> m.step()
    >>> m.datacollector.get_model_vars_dataframe().shape[0]
    2
    """

    def __init__(
        self,
        region: str | Region = "jiaxing-huzhou",
        parameters=None,
        scenario: str = "custom",
        max_steps: int | None = None,
        check_accounting: bool = False,
        build_mesa_grid: bool = True,
        seed: Any = None,
        rng: Any = None,
        **kwargs: Any,
    ):
        if seed is None and rng is None:
            # draw the seed here, so that it can be recorded with the results (the ``seed``
            # reporter) and the run repeated with ``InnovationModel(seed=...)``
            seed = int(np.random.SeedSequence().generate_state(1, np.uint64)[0] >> np.uint64(1))
        super().__init__(seed=seed, rng=rng)
        for name in kwargs:
            if name not in PARAMETER_NAMES:
                check_value(name, None, origin="InnovationModel")  # raises, with a suggestion
        merged = dict(
            parameters.changed() if isinstance(parameters, Parameters) else (parameters or {})
        )
        merged.update(kwargs)
        self.parameters = Parameters(merged, origin="InnovationModel")
        self.region = region if isinstance(region, Region) else load_region(region)
        self.scenario = scenario
        self.max_steps = max_steps
        self.kernel_seed = int(self.rng.integers(0, 2**62))
        self.grid = build_grid(self.region, random=self.random) if build_mesa_grid else None
        self.sim = Simulation(
            self.region, self.parameters, self.kernel_seed, check_accounting=check_accounting
        )
        self.county_history: list[np.ndarray] = [self.sim.indicators.copy()]
        self.datacollector = mesa.DataCollector(
            model_reporters={
                **{name: _reporter(i) for i, name in enumerate(INDICATOR_NAMES)},
                # in every mesa.batch_run row: the seed that repeats the run
                "seed": InnovationModel.kernel_seed_label,
            }
        )
        self.running = True
        self.datacollector.collect(self)

    @property
    def region_indicators(self) -> np.ndarray:
        """Region-wide indicators of the latest quarter, shape (N_INDICATORS,)."""
        return region_totals(self.sim.indicators)

    def step(self) -> None:
        """Advance one quarter and collect the indicators."""
        self.sim.step()
        self.county_history.append(self.sim.indicators.copy())
        self.datacollector.collect(self)
        if self.max_steps is not None and self.sim.step_index >= self.max_steps:
            self.running = False

    def results(self) -> pd.DataFrame:
        """Tidy indicators of every collected quarter, per county and for the region.

        Returns
        -------
        DataFrame
            Columns ``scenario, seed, step, county_id, county, indicator, value``;
            ``county_id == -1`` is the whole region.
        """
        from model.runs.results import tidy_indicators

        return tidy_indicators(
            np.stack(self.county_history), self.region, self.scenario, self.kernel_seed_label()
        )

    def kernel_seed_label(self) -> int:
        """Return the seed recorded with results (the Mesa seed if an int, else the kernels')."""
        seed = getattr(self, "_seed", None)
        return int(seed) if isinstance(seed, int | np.integer) else self.kernel_seed


def _reporter(index: int):
    def report(model: InnovationModel) -> float:
        return float(model.region_indicators[index])

    report.__name__ = INDICATOR_NAMES[index]
    return report
