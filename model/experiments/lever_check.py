"""Each lever shown working as written and doing worse in its documented failure setting.

For every scenario with a ``[fails_when]`` table that names an ``indicator`` (a net outcome
of :data:`model.sim.indicators.HEADLINE`), two comparisons run over common seeds:

- the baseline and the scenario as written;
- the baseline and the scenario, both with the failure parameters (they describe the world
  or how the lever is run, so the baseline lives in the same world).

The lever *works* when its paired effect on the indicator at the horizon has a 90% interval
above zero. Its failure setting is *worse per CNY* when, seed by seed, the effect per 100 m
CNY of net policy cost (spending less what public funds still hold) is lower than as
written, with a 90% interval of the paired difference above zero. A lever whose net cost is
below :data:`MIN_COST_MCNY` in either setting has no cost to divide by; there the effects
themselves are compared.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from model.experiments.compare import (
    mean_interval,
    net_cost_by_seed,
    paired_differences,
)
from model.experiments.outcomes import horizon_values

#: Below this net cost over the run (m CNY) a lever counts as free: effects are compared
#: directly instead of per CNY (a ratio to a cost near zero is noise).
MIN_COST_MCNY = 1.0


@dataclass(frozen=True)
class LeverVerdict:
    """One lever in both settings (means over seeds; intervals are 90%).

    Attributes
    ----------
    scenario, indicator : str
    effect : (mean, lo, hi)
        Paired effect as written on the indicator at the horizon (indicator units).
    effect_failing : (mean, lo, hi)
        The same in the failure setting.
    cost_mcny, cost_failing_mcny : float
        Mean net policy cost over the run in each setting.
    per_100m : bool
        Whether the settings are compared per 100 m CNY (else by effect).
    efficiency, efficiency_failing : float
        Mean effect per 100 m CNY (or the effect, if not ``per_100m``) in each setting.
    gap : (mean, lo, hi)
        Per-seed ``efficiency - efficiency_failing``.
    """

    scenario: str
    indicator: str
    effect: tuple[float, float, float]
    effect_failing: tuple[float, float, float]
    cost_mcny: float
    cost_failing_mcny: float
    per_100m: bool
    efficiency: float
    efficiency_failing: float
    gap: tuple[float, float, float]

    @property
    def works(self) -> bool:
        """The effect as written is above zero (90% interval)."""
        return self.effect[1] > 0.0

    @property
    def fails_worse(self) -> bool:
        """The failure setting does worse per CNY (or by effect) (90% interval)."""
        return self.gap[1] > 0.0


def _efficiency(effect: np.ndarray, cost: np.ndarray, per_100m: bool) -> np.ndarray:
    return 100.0 * effect / cost if per_100m else effect


def lever_verdicts(
    scenarios: Sequence[str] | None = None,
    *,
    seeds: int = 6,
    steps: int = 40,
    workers: int | None = None,
    out: str | Path | None = None,
    progress: bool = False,
) -> list[LeverVerdict]:
    """Run every lever as written and in its failure setting; return a verdict per lever.

    Parameters
    ----------
    scenarios : list of str, optional
        Scenario names (default: every built-in scenario whose ``[fails_when]`` names an
        indicator).
    seeds, steps, workers :
        As :func:`model.experiments.comparison.compare`.
    out : path, optional
        Folder for the comparisons (``as_written/`` and ``fails_<name>/``); resumed when run
        again. Default: temporary folders.
    """
    from model.experiments.comparison import compare
    from model.params.scenarios import list_scenarios, load_scenario

    names = list(scenarios) if scenarios is not None else list_scenarios()
    levers = [load_scenario(n) for n in names if n != "baseline"]
    levers = [s for s in levers if s.fails_when.get("indicator")]
    if not levers:
        raise ValueError("no scenario with a [fails_when] indicator among " + ", ".join(names))
    common = {"seeds": seeds, "steps": steps, "workers": workers, "progress": progress}
    root = Path(out) if out is not None else None
    as_written = compare(
        [s.name for s in levers], out=root / "as_written" if root else None, **common
    )
    values = horizon_values(as_written.results)
    verdicts = []
    for s in levers:
        indicator = s.fails_when["indicator"]
        failing = compare(
            [s.name],
            overrides=dict(s.fails_when.get("parameters", {})),
            out=root / f"fails_{s.name}" if root else None,
            **common,
        )
        failing_values = horizon_values(failing.results)
        effect = paired_differences(values, s.name)[indicator]
        effect_failing = paired_differences(failing_values, s.name)[indicator]
        cost = net_cost_by_seed(as_written.results, s.name)
        cost_failing = net_cost_by_seed(failing.results, s.name)
        seeds_both = effect.index.intersection(effect_failing.index)
        e, ef = effect.loc[seeds_both].to_numpy(), effect_failing.loc[seeds_both].to_numpy()
        c, cf = cost.loc[seeds_both].to_numpy(), cost_failing.loc[seeds_both].to_numpy()
        per_100m = bool(min(c.min(), cf.min()) >= MIN_COST_MCNY)
        eff, eff_failing = _efficiency(e, c, per_100m), _efficiency(ef, cf, per_100m)
        verdicts.append(
            LeverVerdict(
                scenario=s.name,
                indicator=indicator,
                effect=mean_interval(e),
                effect_failing=mean_interval(ef),
                cost_mcny=float(c.mean()),
                cost_failing_mcny=float(cf.mean()),
                per_100m=per_100m,
                efficiency=float(eff.mean()),
                efficiency_failing=float(eff_failing.mean()),
                gap=mean_interval(eff - eff_failing),
            )
        )
    return verdicts
