"""A live run for the explorer: a scenario and the baseline, quarter by quarter, over seeds.

:class:`LiveRun` holds, for each of its seeds, two
:class:`~model.sim.mesa_model.InnovationModel` s — the scenario with the page's levers and the
baseline — built with that seed, so their difference is the levers' effect under common
random numbers (as in ``innovsim compare``). With one seed it is the seed typed on the page;
with ``n`` seeds they are the replication seeds of ``innovsim compare --seeds n --base-seed
SEED`` (:func:`live_seeds`, derived by :func:`model.experiments.declaration.replication_seed`).
Each call of :meth:`LiveRun.step` advances every model by a quarter. The page calls it from a
worker thread and reads between quarters: readers see only quarters that every model has
finished (:attr:`LiveRun.quarter` is published after the last model of a quarter), so a read
never takes a lock and never waits for a step. The numbers of seed ``s`` are exactly those of
:func:`model.runs.run.simulate` with the same overrides and seed ``s``.
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
#: Most seeds a live run takes (each seed is two runs stepped in the page's process).
MAX_LIVE_SEEDS = 20
#: Quantiles of the band drawn across seeds (a 90% band).
BAND = (0.05, 0.95)
_COST = ("county_policy_cost_mcny", "province_policy_cost_mcny")
_TAX = ("county_tax_revenue_mcny", "province_tax_revenue_mcny")


def live_seeds(seed: int, n_seeds: int = 1) -> list[int]:
    """Seeds of a live run: ``[seed]`` alone, else the replication seeds of a comparison.

    Parameters
    ----------
    seed : int
        The page's seed (>= 0): the run's seed with one seed, the base seed with several.
    n_seeds : int
        Number of seeds, 1..:data:`MAX_LIVE_SEEDS`.

    Returns
    -------
    list of int
        With ``n_seeds > 1``, ``replication_seed(seed, None, r)`` for ``r < n_seeds`` — the
        seeds ``innovsim compare --seeds n_seeds --base-seed seed`` gives every scenario, so a
        live run over several seeds repeats that comparison's runs.
    """
    from model.experiments.declaration import replication_seed

    if not 1 <= int(n_seeds) <= MAX_LIVE_SEEDS:
        raise ValueError(f"n_seeds must be in [1, {MAX_LIVE_SEEDS}], got {n_seeds}")
    if int(n_seeds) == 1:
        return [int(seed)]
    return [replication_seed(int(seed), None, r) for r in range(int(n_seeds))]


@dataclass(frozen=True)
class FiscalSoFar:
    """Money of one seed's runs from quarter 1 to the latest quarter, million CNY.

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
    """A scenario run and its baseline per seed, advanced together one quarter at a time.

    Parameters
    ----------
    overrides : Mapping
        Parameter overrides of the scenario runs (validated by the model).
    seed : int
        The run's seed (one seed) or the base seed of the seeds (see :func:`live_seeds`).
    region : str
        Region key or file.
    baseline_overrides : Mapping, optional
        Overrides of the baseline runs (the baseline scenario's, normally none).
    n_seeds : int
        Number of seeds, 1..:data:`MAX_LIVE_SEEDS`.
    """

    def __init__(
        self,
        overrides: Mapping[str, Any],
        seed: int,
        region: str = "jiaxing-huzhou",
        baseline_overrides: Mapping[str, Any] | None = None,
        n_seeds: int = 1,
    ):
        from model.sim.mesa_model import InnovationModel
        from model.sim.region import load_region

        self.region = load_region(region)
        self.seed = int(seed)
        self.seeds = live_seeds(self.seed, n_seeds)
        self.overrides = dict(overrides)
        self._step_lock = threading.Lock()  # one stepper at a time; readers never take it
        runs = {LIVE: dict(overrides), BASELINE: dict(baseline_overrides or {})}
        self._models = {
            which: [
                InnovationModel(
                    self.region, dict(params), scenario=which, seed=s, build_mesa_grid=False
                )
                for s in self.seeds
            ]
            for which, params in runs.items()
        }
        self._quarter = 0

    @property
    def n_seeds(self) -> int:
        """Number of seeds."""
        return len(self.seeds)

    @property
    def quarter(self) -> int:
        """Quarters every model has finished (0 before the first step)."""
        return self._quarter

    def step(self) -> None:
        """Advance every run (both scenarios, every seed) by one quarter."""
        with self._step_lock:
            for models in self._models.values():
                for model in models:
                    model.step()
            # published last: a reader that sees quarter q finds q in every history
            self._quarter += 1

    def history(self, which: str = LIVE, seed_index: int = 0) -> np.ndarray:
        """County indicators per quarter of one seed's run.

        Returns
        -------
        ndarray
            Shape (quarter + 1, n_counties, N_INDICATORS), float64.
        """
        q = self._quarter  # read once: the models may be a quarter further on
        return np.stack(self._models[which][seed_index].county_history[: q + 1])

    def histories(self, which: str = LIVE) -> np.ndarray:
        """County indicators per quarter of every seed.

        Returns
        -------
        ndarray
            Shape (n_seeds, quarter + 1, n_counties, N_INDICATORS), float64; row ``i`` is
            seed ``self.seeds[i]``.
        """
        q = self._quarter
        return np.stack([np.stack(m.county_history[: q + 1]) for m in self._models[which]])

    def county_values(
        self, indicator: str, quarter: int | None = None, which: str = LIVE
    ) -> np.ndarray:
        """One indicator per county at ``quarter`` (default the latest), median over seeds.

        Returns
        -------
        ndarray
            Shape (n_counties,), float64 (a seed's value itself with one seed).
        """
        hist = self.histories(which)
        values = hist[:, -1 if quarter is None else quarter, :, INDICATOR_INDEX[indicator]]
        return np.median(values, axis=0)

    def region_series(self, which: str = LIVE, seed_index: int = 0) -> np.ndarray:
        """Region-wide indicators per quarter of one seed, shape (quarter + 1, N_INDICATORS)."""
        return np.stack([region_totals(q) for q in self.history(which, seed_index)])

    def region_values(self, which: str = LIVE, quarter: int | None = None) -> np.ndarray:
        """Region-wide indicators of every seed at ``quarter`` (default the latest).

        Returns
        -------
        ndarray
            Shape (n_seeds, N_INDICATORS), float64; row ``i`` is seed ``self.seeds[i]``.
        """
        hist = self.histories(which)
        return np.stack([region_totals(h[-1 if quarter is None else quarter]) for h in hist])

    def region_value(self, indicator: str, quarter: int | None = None) -> float:
        """Region-wide value of ``indicator`` at ``quarter``, median over the seeds."""
        values = self.region_values(LIVE, quarter)[:, INDICATOR_INDEX[indicator]]
        return float(np.median(values))

    def tidy(self, indicators: list[str]) -> pd.DataFrame:
        """Region-level rows of every run, in the columns :func:`plot_trajectories` reads.

        Returns
        -------
        DataFrame
            ``scenario, seed, step, county_id, indicator, value`` (``county_id == -1``), one
            row per scenario, seed, quarter and indicator.
        """
        frames = []
        for which in (LIVE, BASELINE):
            for i, seed in enumerate(self.seeds):
                series = self.region_series(which, i)
                steps = np.arange(series.shape[0])
                for name in indicators:
                    frames.append(
                        pd.DataFrame(
                            {
                                "scenario": which,
                                "seed": seed,
                                "step": steps,
                                "county_id": -1,
                                "indicator": name,
                                "value": series[:, INDICATOR_INDEX[name]],
                            }
                        )
                    )
        return pd.concat(frames, ignore_index=True)

    def fiscal(self, seed_index: int = 0) -> FiscalSoFar:
        """Policy, extra and net cost of one seed from quarter 1 to now (:class:`FiscalSoFar`)."""
        live = self.region_series(LIVE, seed_index)[1:]
        base = self.region_series(BASELINE, seed_index)[1:]

        def total(series: np.ndarray, names: tuple[str, ...]) -> float:
            return float(sum(series[:, INDICATOR_INDEX[n]].sum() for n in names))

        cost = total(live, _COST)
        extra = cost - total(base, _COST)
        extra_tax = total(live, _TAX) - total(base, _TAX)
        return FiscalSoFar(cost, extra, extra - extra_tax)

    def fiscal_all(self) -> list[FiscalSoFar]:
        """:meth:`fiscal` of every seed, in the order of :attr:`seeds`."""
        return [self.fiscal(i) for i in range(self.n_seeds)]


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
