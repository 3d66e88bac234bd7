"""The policy comparison: scenarios vs baseline over common seeds, effects, costs, a report.

Every scenario runs over the same seeds as the baseline. Because random draws are a function
of (seed, quarter, phase, agent, draw), a scenario and the baseline share their random numbers
wherever the same agents exist (common random numbers), so differences are paired by seed.
At the horizon, the effect on an indicator is the paired difference scenario - baseline of
its outcome (:mod:`model.experiments.outcomes`: for stocks the value at the last quarter, for
flows the sum over the last four quarters, one year). The 90% interval is the t interval of
the mean paired difference across seeds. Fiscal cost is the policy spending recorded by payer
(counties, province) over the whole run; the net cost subtracts what the public guidance funds
and tech-bank pools still hold at the horizon.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from model.experiments.outcomes import horizon_values
from model.sim.indicators import HEADLINE  # noqa: F401  (re-exported as model.HEADLINE)


def _t_quantile_95(df: int) -> float:
    from scipy import stats  # scipy comes with SALib

    return float(stats.t.ppf(0.95, df)) if df > 0 else math.inf


def cumulative(results: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """Sum of flow indicators over all simulated quarters (step >= 1), per scenario and seed."""
    r = results[
        (results["county_id"] == -1) & (results["step"] >= 1) & results["indicator"].isin(names)
    ]
    return r.pivot_table(
        index=["scenario", "seed"], columns="indicator", values="value", aggfunc="sum"
    )


def paired_effects(values: pd.DataFrame, baseline: str = "baseline") -> pd.DataFrame:
    """Paired effects of every scenario against ``baseline``.

    Parameters
    ----------
    values : DataFrame
        Index (scenario, seed), one column per indicator (e.g. :func:`horizon_values`).

    Returns
    -------
    DataFrame
        Columns ``scenario, indicator, baseline, value, diff, lo, hi, rel_mean, rel_lo,
        rel_hi, n_seeds``: absolute mean paired difference with its 90% interval, and the
        same relative to the baseline mean (in %).
    """
    if baseline not in values.index.get_level_values("scenario"):
        raise ValueError(f"the comparison needs the {baseline!r} scenario")
    base = values.xs(baseline, level="scenario")
    rows = []
    for scenario in values.index.get_level_values("scenario").unique():
        if scenario == baseline:
            continue
        scen = values.xs(scenario, level="scenario")
        diffs = paired_differences(values, scenario, baseline)
        seeds, n = diffs.index, len(diffs.index)
        for name in values.columns:
            b = float(base.loc[seeds, name].mean())
            mean, lo, hi = mean_interval(diffs[name].to_numpy(dtype=float))
            scale = 100.0 / b if b not in (0.0,) and np.isfinite(b) else math.nan
            rows.append(
                {
                    "scenario": scenario,
                    "indicator": name,
                    "baseline": b,
                    "value": float(scen.loc[seeds, name].mean()),
                    "diff": mean,
                    "lo": lo,
                    "hi": hi,
                    "rel_mean": mean * scale,
                    "rel_lo": lo * scale,
                    "rel_hi": hi * scale,
                    "n_seeds": n,
                }
            )
    return pd.DataFrame(rows)


def mean_interval(values: np.ndarray) -> tuple[float, float, float]:
    """Mean of per-seed values and its 90% t-interval: ``(mean, lo, hi)``.

    Parameters
    ----------
    values : (n_seeds,) float64
        One value per seed (e.g. paired differences); NaN if fewer than two.
    """
    x = np.asarray(values, dtype=np.float64)
    n = len(x)
    mean = float(x.mean()) if n else math.nan
    half = _t_quantile_95(n - 1) * float(x.std(ddof=1)) / math.sqrt(n) if n > 1 else math.nan
    return mean, mean - half, mean + half


def paired_differences(
    values: pd.DataFrame, scenario: str, baseline: str = "baseline"
) -> pd.DataFrame:
    """Per-seed differences ``scenario - baseline`` (common random numbers).

    Parameters
    ----------
    values : DataFrame
        Index (scenario, seed), one column per indicator (e.g. :func:`horizon_values`).

    Returns
    -------
    DataFrame
        Index seed (the seeds both have), the same columns.
    """
    scen = values.xs(scenario, level="scenario")
    base = values.xs(baseline, level="scenario")
    seeds = scen.index.intersection(base.index)
    return scen.loc[seeds] - base.loc[seeds]


def net_cost_by_seed(results: pd.DataFrame, scenario: str, baseline: str = "baseline") -> pd.Series:
    """Net policy cost of ``scenario`` per seed over the whole run (m CNY).

    County plus province policy spending summed over the run, less the change against the
    baseline (same seed) of what the public funds hold at the horizon — the per-seed form of
    ``net_cost`` in :func:`fiscal_summary`.

    Returns
    -------
    Series
        Index seed.
    """
    names = ["county_policy_cost_mcny", "province_policy_cost_mcny"]
    cum = cumulative(results, names).reindex(columns=names).fillna(0.0)
    assets = horizon_values(results)[["public_fund_assets_mcny"]]
    spent = cum.xs(scenario, level="scenario").sum(axis=1)
    held = paired_differences(assets, scenario, baseline)["public_fund_assets_mcny"]
    seeds = spent.index.intersection(held.index)
    return (spent.loc[seeds] - held.loc[seeds]).rename("net_cost_mcny")


def fiscal_summary(results: pd.DataFrame, baseline: str = "baseline") -> pd.DataFrame:
    """Policy cost by payer and the change in tax revenue, cumulative over the run (m CNY).

    Policy spending includes money the counties put into their guidance funds and tech-bank
    pools (capital chain, report §1.4). That money is not gone: what the funds still hold at
    the horizon (cash plus live stakes and loans, valued: stakes impaired, loans to firms in
    the red written down; ``public_fund_assets_mcny``) is counted back, so the net cost of a
    fund is what it lost or still has to recover, not its size.

    Returns
    -------
    DataFrame
        One row per scenario: ``county_cost, province_cost, total_cost`` (gross spending, means
        over seeds), ``public_assets_change`` (paired mean change of the public funds' holdings
        at the horizon), ``net_cost`` (``total_cost - public_assets_change``),
        ``county_tax_change, province_tax_change`` (paired mean change vs baseline),
        ``st_cut`` (county S&T payments refused at the budget floor, mean over seeds: how much
        of the counties' programmes and baseline S&T lines the binding budget cut).
    """
    names = [
        "county_policy_cost_mcny",
        "province_policy_cost_mcny",
        "county_tax_revenue_mcny",
        "province_tax_revenue_mcny",
        "st_cut_mcny",
    ]
    cum = cumulative(results, names).reindex(columns=names)
    assets = horizon_values(results)["public_fund_assets_mcny"]
    base = cum.xs(baseline, level="scenario")
    base_assets = assets.xs(baseline, level="scenario")
    rows = []
    for scenario in cum.index.get_level_values("scenario").unique():
        scen = cum.xs(scenario, level="scenario")
        seeds = scen.index.intersection(base.index)
        d = scen.loc[seeds] - base.loc[seeds]
        county = float(scen.loc[seeds, "county_policy_cost_mcny"].mean())
        province = float(scen.loc[seeds, "province_policy_cost_mcny"].mean())
        assets_change = float(
            (assets.xs(scenario, level="scenario").loc[seeds] - base_assets.loc[seeds]).mean()
        )
        rows.append(
            {
                "scenario": scenario,
                "county_cost": county,
                "province_cost": province,
                "total_cost": county + province,
                "public_assets_change": assets_change,
                "net_cost": county + province - assets_change,
                "county_tax_change": float(d["county_tax_revenue_mcny"].mean()),
                "province_tax_change": float(d["province_tax_revenue_mcny"].mean()),
                "st_cut": float(scen.loc[seeds, "st_cut_mcny"].mean()),
            }
        )
    return pd.DataFrame(rows).set_index("scenario")


def cost_effectiveness(
    effects: pd.DataFrame, fiscal: pd.DataFrame, results: pd.DataFrame, baseline: str = "baseline"
) -> pd.DataFrame:
    """Policy cost per extra high-tech enterprise and per extra invention patent.

    The cost is the whole run's net policy cost (counties + province, less what the public
    funds still hold; see :func:`fiscal_summary`). The gain is the paired
    mean change of high-tech enterprises at the horizon and of invention patents (grants and
    applications) cumulated over the run. Where the 90% interval of the gain includes zero or
    is negative, the ratio is not reported (NaN): there is no gain to price.
    """
    cum = cumulative(results, ["invention_patent_applications", "invention_patent_grants"])
    base = cum.xs(baseline, level="scenario")
    rows = []
    for scenario in fiscal.index:
        if scenario == baseline:
            continue
        cost = fiscal.loc[scenario, "net_cost"]
        row = {"scenario": scenario, "net_cost": cost}
        e = effects[
            (effects["scenario"] == scenario) & (effects["indicator"] == "high_tech_enterprises")
        ].iloc[0]
        row["extra_hte"] = e["diff"]
        row["cost_per_extra_hte"] = cost / e["diff"] if e["lo"] > 0 else math.nan
        scen = cum.xs(scenario, level="scenario")
        seeds = scen.index.intersection(base.index)
        for name, key in (
            ("invention_patent_grants", "grant"),
            ("invention_patent_applications", "application"),
        ):
            d = (scen.loc[seeds, name] - base.loc[seeds, name]).to_numpy(dtype=float)
            n = len(d)
            mean = float(d.mean())
            half = _t_quantile_95(n - 1) * float(d.std(ddof=1)) / math.sqrt(n) if n > 1 else 0
            row[f"extra_{key}s"] = mean
            row[f"cost_per_extra_{key}"] = cost / mean if mean - half > 0 else math.nan
        rows.append(row)
    return pd.DataFrame(rows).set_index("scenario")


def county_effects(
    results: pd.DataFrame, name: str, baseline: str = "baseline"
) -> dict[str, pd.DataFrame]:
    """Paired change of indicator ``name`` at the horizon per county, per scenario.

    Each county's change is the mean over seeds of scenario minus baseline (same seed), with
    the 90% t interval across seeds, exactly as :func:`paired_effects` does for the region.

    Returns
    -------
    dict of str to DataFrame
        ``{scenario: frame}`` for every scenario but ``baseline``; each frame has index
        ``county_id`` (int) and float columns ``mean, lo, hi`` in the indicator's unit and
        ``n_seeds`` (int). With one seed ``lo`` and ``hi`` are NaN (no interval).
    """
    hv = horizon_values(results, county_level=True)[name]
    base = hv.xs(baseline, level="scenario")
    out = {}
    for scenario in hv.index.get_level_values("scenario").unique():
        if scenario == baseline:
            continue
        scen = hv.xs(scenario, level="scenario")
        common = scen.index.intersection(base.index)
        diff = (scen.loc[common] - base.loc[common]).groupby(level="county_id")
        mean, sd, n = diff.mean(), diff.std(ddof=1), diff.count()
        t = n.map(lambda k: _t_quantile_95(int(k) - 1))
        half = (t * sd / np.sqrt(n)).where(n > 1)
        out[scenario] = pd.DataFrame(
            {"mean": mean, "lo": mean - half, "hi": mean + half, "n_seeds": n}
        )
    return out


#: Outcomes the executive summary ranks per m CNY of net cost: the report's §3.1 counts of
#: high-tech enterprises and invention patent grants, and R&D actually performed (not the
#: reported R&D, which a policy can raise by relabelling alone).
SUMMARY_OUTCOMES = ("high_tech_enterprises", "rd_performed_net_mcny", "invention_patent_grants")


def cost_ranking(
    effects: pd.DataFrame,
    fiscal: pd.DataFrame,
    indicators: tuple[str, ...] = SUMMARY_OUTCOMES,
    min_net_cost_mcny: float = 1.0,
) -> pd.DataFrame:
    """Rank scenarios by their effect per 100 m CNY of net cost, per indicator.

    The effect and its 90% interval are the paired change at the horizon from
    :func:`paired_effects` (column ``diff, lo, hi``); the cost is the whole run's mean net cost
    from :func:`fiscal_summary`, taken as known (its spread across seeds is small next to the
    spread of the effects, and it is not part of the interval). Scenarios whose net or gross
    cost is below ``min_net_cost_mcny`` (nothing to divide by, money returned, or a net cost
    that is only the noise of the public funds' holdings) are left out.

    Returns
    -------
    DataFrame
        Columns ``indicator, rank, scenario, net_cost, diff, lo, hi, per_100m, per_100m_lo,
        per_100m_hi``, one row per costed scenario and indicator. Only scenarios whose gain
        is distinguishable from zero (``lo > 0``, as in :func:`cost_effectiveness`) are
        ranked: rank 1 is the largest ``per_100m`` (effect per 100 m CNY, in the indicator's
        unit); the others follow with rank ``<NA>``.
    """
    costed = fiscal.index[
        (fiscal["net_cost"] >= min_net_cost_mcny) & (fiscal["total_cost"] >= min_net_cost_mcny)
    ]
    rows = []
    for name in indicators:
        sub = effects[(effects["indicator"] == name) & effects["scenario"].isin(costed)]
        for _, e in sub.iterrows():
            per = 100.0 / float(fiscal.loc[e["scenario"], "net_cost"])
            rows.append(
                {
                    "indicator": name,
                    "scenario": e["scenario"],
                    "net_cost": float(fiscal.loc[e["scenario"], "net_cost"]),
                    "diff": float(e["diff"]),
                    "lo": float(e["lo"]),
                    "hi": float(e["hi"]),
                    "per_100m": float(e["diff"]) * per,
                    "per_100m_lo": float(e["lo"]) * per,
                    "per_100m_hi": float(e["hi"]) * per,
                }
            )
    columns = ["indicator", "rank", "scenario", "net_cost", "diff", "lo", "hi"]
    columns += ["per_100m", "per_100m_lo", "per_100m_hi"]
    if not rows:
        return pd.DataFrame(columns=columns)
    out = pd.DataFrame(rows)
    out["order"] = out["indicator"].map({n: i for i, n in enumerate(indicators)})
    out["gain"] = out["lo"] > 0
    out = out.sort_values(
        ["order", "gain", "per_100m"], ascending=[True, False, False], kind="stable"
    )
    rank = out.groupby("indicator").cumcount() + 1
    out["rank"] = rank.where(out["gain"]).astype("Int64")
    return out[columns].reset_index(drop=True)


def split_one_off_costs(costs: pd.DataFrame, tol_mcny: float = 1e-9) -> pd.DataFrame:
    """Split a policy-cost series into a one-off part and a recurring part.

    The structural rules (consolidation, specialisation, the capital chain's top-up of funds,
    enclave floor space) switch on once, in the first policy quarter (docs/ODD.md §3.1), so
    their cost falls in that quarter only. For each scenario and payer, the first quarter with
    a cost above ``tol_mcny`` is taken as that quarter, and what it costs above the next
    quarter is the one-off cost; the rest, in every quarter, is recurring.

    Parameters
    ----------
    costs : DataFrame
        Columns ``scenario, step, payer, cost_mcny`` (m CNY per quarter), one row per
        (scenario, step, payer), e.g. from
        :func:`model.report.compare_report.policy_cost_series`.

    Returns
    -------
    DataFrame
        ``costs`` sorted by scenario, payer and step, with float columns ``one_off_mcny`` and
        ``recurring_mcny`` (m CNY per quarter) that add up to ``cost_mcny``.
    """
    out = costs.sort_values(["scenario", "payer", "step"], kind="stable").reset_index(drop=True)
    cost = out["cost_mcny"].to_numpy(dtype=float)
    one_off = np.zeros_like(cost)
    for _, idx in out.groupby(["scenario", "payer"], sort=False).indices.items():
        paid = np.nonzero(cost[idx] > tol_mcny)[0]
        if len(paid) and paid[0] + 1 < len(idx):
            first = idx[paid[0]]
            one_off[first] = max(0.0, cost[first] - cost[idx[paid[0] + 1]])
    out["one_off_mcny"] = one_off
    out["recurring_mcny"] = cost - one_off
    return out
