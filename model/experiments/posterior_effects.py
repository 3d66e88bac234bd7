"""Effects over posterior draws: how much of their uncertainty is parameters, how much chance.

A comparison with ``--posterior N`` runs every scenario and the baseline at each of ``N``
posterior parameter draws (:func:`model.calibration.posterior.posterior_draws`) on the same
``R`` seeds per draw (scenario and baseline share the draw and the seed: the effect of each
pair is a paired difference). For each scenario and indicator, with ``d[j, r]`` the paired
effect at draw ``j`` and seed ``r`` and ``m[j]`` its mean over the seeds of draw ``j``:

* ``between_draw_var`` = var_j(m[j]) (ddof 1): how much the per-draw mean effect moves;
* ``within_draw_var`` = mean_j var_r(d[j, r]) (ddof 1): the seed-to-seed (chance) variance;
* the between-draw variance still holds ``within_draw_var / R`` of chance, so the parameter
  variance is ``max(0, between_draw_var - within_draw_var / R)`` (one-way random-effects
  analysis of variance), and ``parameter_share`` = parameter / (parameter + chance) is the share
  of the variance of one run's effect that the parameters explain.

A ranking of two scenarios on an indicator is **not robust** when the order of their per-draw
mean effects differs from the order of their overall means in more than
:data:`FLIP_LIMIT` of the draws.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from model.experiments.outcomes import horizon_values

#: Share of draws in which a ranking may flip before it is called not robust.
FLIP_LIMIT = 0.10


def paired_draw_effects(results: pd.DataFrame, baseline: str) -> pd.DataFrame:
    """Paired effect of every scenario run: same draw (point) and seed as its baseline run.

    Parameters
    ----------
    results : DataFrame
        Tidy rows with ``point`` and ``seed`` columns (a comparison over posterior draws).

    Returns
    -------
    DataFrame
        Columns ``scenario, point, seed, indicator, effect``.
    """
    values = horizon_values(results)
    point_of = results.drop_duplicates("seed").set_index("seed")["point"]
    long = values.stack().rename("value").reset_index()
    long.columns = ["scenario", "seed", "indicator", "value"]
    long["point"] = point_of.reindex(long["seed"].to_numpy()).to_numpy()
    base = long[long["scenario"] == baseline][["seed", "indicator", "value"]]
    scen = long[long["scenario"] != baseline].merge(
        base, on=["seed", "indicator"], suffixes=("", "_baseline")
    )
    scen["effect"] = scen["value"] - scen["value_baseline"]
    return scen[["scenario", "point", "seed", "indicator", "effect"]].reset_index(drop=True)


def uncertainty_split(effects: pd.DataFrame) -> pd.DataFrame:
    """Split the variance of each effect into parameter and chance parts.

    Parameters
    ----------
    effects : DataFrame
        :func:`paired_draw_effects`.

    Returns
    -------
    DataFrame
        One row per scenario and indicator: ``mean`` (over draws and seeds), ``draws``,
        ``seeds`` (per draw), ``draw_p05``, ``draw_p95`` (5% and 95% quantiles of the per-draw
        mean effect), ``between_draw_var``, ``within_draw_var``, ``parameter_var``,
        ``chance_var``, ``parameter_share``.
    """
    rows = []
    for (scenario, indicator), g in effects.groupby(["scenario", "indicator"], sort=False):
        by_draw = g.groupby("point")["effect"]
        m = by_draw.mean().to_numpy(float)
        seeds = int(by_draw.size().min())
        within = float(by_draw.var(ddof=1).mean()) if seeds > 1 else float("nan")
        between = float(np.var(m, ddof=1)) if len(m) > 1 else float("nan")
        chance = within
        parameter = max(0.0, between - within / seeds) if np.isfinite(within) else between
        total = parameter + chance
        rows.append(
            {
                "scenario": scenario,
                "indicator": indicator,
                "mean": float(g["effect"].mean()),
                "draws": len(m),
                "seeds": seeds,
                "draw_p05": float(np.quantile(m, 0.05)),
                "draw_p95": float(np.quantile(m, 0.95)),
                "between_draw_var": between,
                "within_draw_var": within,
                "parameter_var": parameter,
                "chance_var": chance,
                "parameter_share": parameter / total if total > 0 else float("nan"),
            }
        )
    return pd.DataFrame(rows)


def ranking_robustness(effects: pd.DataFrame, limit: float = FLIP_LIMIT) -> pd.DataFrame:
    """For each pair of scenarios and each indicator: how often their ranking flips by draw.

    Returns
    -------
    DataFrame
        ``indicator, higher, lower`` (by overall mean effect), ``flip_share`` (share of draws
        whose per-draw means order them the other way), ``robust`` (``flip_share <= limit``).
    """
    means = effects.groupby(["indicator", "scenario", "point"])["effect"].mean()
    rows = []
    for indicator in effects["indicator"].unique():
        per = means.loc[indicator].unstack("point")  # scenario x draw
        overall = per.mean(axis=1)
        for a, b in itertools.combinations(per.index, 2):
            hi, lo = (a, b) if overall[a] >= overall[b] else (b, a)
            diff = (per.loc[hi] - per.loc[lo]).to_numpy(float)
            flips = float(np.mean(diff < 0))
            rows.append(
                {
                    "indicator": indicator,
                    "higher": hi,
                    "lower": lo,
                    "flip_share": flips,
                    "robust": flips <= limit,
                }
            )
    return pd.DataFrame(rows, columns=["indicator", "higher", "lower", "flip_share", "robust"])
