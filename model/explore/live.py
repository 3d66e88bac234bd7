"""A live run for the explorer: a scenario and the baseline, quarter by quarter, same seed.

:class:`LiveRun` holds two :class:`~model.sim.mesa_model.InnovationModel` s — the scenario
with the page's levers, and the baseline — built with one seed, so their difference is the
levers' effect under common random numbers (as in ``innovsim compare``). Each call of
:meth:`LiveRun.step` advances both by a quarter; the page calls it from a worker thread and
reads the numbers between quarters, so a lock guards the histories. The numbers are exactly
those of :func:`model.runs.run.simulate` with the same overrides and seed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from model.sim.engine import region_totals
from model.sim.indicators import INDICATOR_INDEX

#: Scenario names in the tidy rows of a live run.
LIVE, BASELINE = "live", "baseline"
_COST = ("county_policy_cost_mcny", "province_policy_cost_mcny")
_TAX = ("county_tax_revenue_mcny", "province_tax_revenue_mcny")


@dataclass(frozen=True)
class FiscalSoFar:
    """Money of a live run from quarter 1 to the latest quarter, million CNY.

    Attributes
    ----------
    policy_cost_mcny : float
        Policy cost of the scenario run, borne by counties and the province.
    extra_cost_mcny : float
        Its policy cost minus the baseline's (the levers' own cost).
    net_cost_mcny : float
        ``extra_cost_mcny`` minus the extra tax revenue (county and province) the scenario
        raised over the baseline: what the public purse is out of pocket so far.
    """

    policy_cost_mcny: float
    extra_cost_mcny: float
    net_cost_mcny: float


class LiveRun:
    """A scenario run and its baseline, advanced together one quarter at a time.

    Parameters
    ----------
    overrides : Mapping
        Parameter overrides of the scenario run (validated by the model).
    seed : int
        Seed of both runs.
    region : str
        Region key or file.
    baseline_overrides : Mapping, optional
        Overrides of the baseline run (the baseline scenario's, normally none).
    """

    def __init__(
        self,
        overrides: Mapping[str, Any],
        seed: int,
        region: str = "jiaxing-huzhou",
        baseline_overrides: Mapping[str, Any] | None = None,
    ):
        from model.sim.mesa_model import InnovationModel
        from model.sim.region import load_region

        self.region = load_region(region)
        self.seed = int(seed)
        self.overrides = dict(overrides)
        self._lock = threading.Lock()
        self._models = {
            LIVE: InnovationModel(
                self.region, dict(overrides), scenario=LIVE, seed=self.seed, build_mesa_grid=False
            ),
            BASELINE: InnovationModel(
                self.region,
                dict(baseline_overrides or {}),
                scenario=BASELINE,
                seed=self.seed,
                build_mesa_grid=False,
            ),
        }

    @property
    def quarter(self) -> int:
        """Quarters simulated so far (0 before the first step)."""
        with self._lock:
            return len(self._models[LIVE].county_history) - 1

    def step(self) -> None:
        """Advance both runs by one quarter."""
        # the page reads between quarters from another thread: a quarter of both runs is
        # one step under the lock, so a read never sees one run a quarter ahead (~0.1 s)
        with self._lock:
            for model in self._models.values():
                model.step()

    def history(self, which: str = LIVE) -> np.ndarray:
        """County indicators per quarter, shape (quarter + 1, n_counties, N_INDICATORS) float64."""
        with self._lock:
            return np.stack(self._models[which].county_history)

    def county_values(self, indicator: str, quarter: int | None = None) -> np.ndarray:
        """One indicator per county at ``quarter`` (default the latest), shape (n_counties,)."""
        hist = self.history()
        return hist[-1 if quarter is None else quarter, :, INDICATOR_INDEX[indicator]].copy()

    def region_series(self, which: str = LIVE) -> np.ndarray:
        """Region-wide indicators per quarter, shape (quarter + 1, N_INDICATORS) float64."""
        return np.stack([region_totals(q) for q in self.history(which)])

    def region_value(self, indicator: str, quarter: int | None = None) -> float:
        """Region-wide value of ``indicator`` at ``quarter`` (default the latest)."""
        series = self.region_series()
        return float(series[-1 if quarter is None else quarter, INDICATOR_INDEX[indicator]])

    def tidy(self, indicators: list[str]) -> pd.DataFrame:
        """Region-level rows of both runs, in the columns :func:`plot_trajectories` reads.

        Returns
        -------
        DataFrame
            ``scenario, seed, step, county_id, indicator, value`` (``county_id == -1``).
        """
        frames = []
        for which in (LIVE, BASELINE):
            series = self.region_series(which)
            steps = np.arange(series.shape[0])
            for name in indicators:
                frames.append(
                    pd.DataFrame(
                        {
                            "scenario": which,
                            "seed": self.seed,
                            "step": steps,
                            "county_id": -1,
                            "indicator": name,
                            "value": series[:, INDICATOR_INDEX[name]],
                        }
                    )
                )
        return pd.concat(frames, ignore_index=True)

    def fiscal(self) -> FiscalSoFar:
        """Policy cost, extra cost and net cost from quarter 1 to now (see :class:`FiscalSoFar`)."""
        live, base = self.region_series(LIVE)[1:], self.region_series(BASELINE)[1:]

        def total(series: np.ndarray, names: tuple[str, ...]) -> float:
            return float(sum(series[:, INDICATOR_INDEX[n]].sum() for n in names))

        cost = total(live, _COST)
        extra = cost - total(base, _COST)
        extra_tax = total(live, _TAX) - total(base, _TAX)
        return FiscalSoFar(cost, extra, extra - extra_tax)


def run_quarters(
    live: LiveRun,
    quarters: int,
    on_quarter: Callable[[int], None] | None = None,
    stop: Callable[[], bool] | None = None,
) -> int:
    """Advance ``live`` by up to ``quarters`` quarters; return how many were run.

    Parameters
    ----------
    live : LiveRun
    quarters : int
        Quarters to run (>= 0).
    on_quarter : callable, optional
        Called with the number of quarters run so far after each one (progress).
    stop : callable, optional
        Checked before each quarter; the run ends early when it returns True (the stop
        button).
    """
    done = 0
    for _ in range(int(quarters)):
        if stop is not None and stop():
            break
        live.step()
        done += 1
        if on_quarter is not None:
            on_quarter(done)
    return done
