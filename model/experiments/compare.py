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

#: Indicators in the comparison's headline table (report §3.1; R&D actually performed, talent,
#: start-ups and venture money besides). The figures show the first six.
HEADLINE = (
    "rd_spending_mcny",
    "rd_intensity",
    "high_tech_enterprises",
    "st_smes",
    "high_tech_value_added_mcny",
    "invention_patent_applications",
    "invention_patent_grants",
    "rd_performed_mcny",
    "high_level_talent",
    "startups",
    "venture_investment_mcny",
)


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
        seeds = scen.index.intersection(base.index)
        n = len(seeds)
        t = _t_quantile_95(n - 1)
        for name in values.columns:
            d = (scen.loc[seeds, name] - base.loc[seeds, name]).to_numpy(dtype=float)
            b = float(base.loc[seeds, name].mean())
            mean = float(d.mean()) if n else math.nan
            half = t * float(d.std(ddof=1)) / math.sqrt(n) if n > 1 else math.nan
            scale = 100.0 / b if b not in (0.0,) and np.isfinite(b) else math.nan
            rows.append(
                {
                    "scenario": scenario,
                    "indicator": name,
                    "baseline": b,
                    "value": float(scen.loc[seeds, name].mean()),
                    "diff": mean,
                    "lo": mean - half,
                    "hi": mean + half,
                    "rel_mean": mean * scale,
                    "rel_lo": (mean - half) * scale,
                    "rel_hi": (mean + half) * scale,
                    "n_seeds": n,
                }
            )
    return pd.DataFrame(rows)


def fiscal_summary(results: pd.DataFrame, baseline: str = "baseline") -> pd.DataFrame:
    """Policy cost by payer and the change in tax revenue, cumulative over the run (m CNY).

    Policy spending includes money the counties put into their guidance funds and tech-bank
    pools (capital chain, report §1.4). That money is not gone: what the funds still hold at
    the horizon (cash plus live stakes and loans at book value) is counted back, so the net
    cost of a fund is what it lost or still has to recover, not its size.

    Returns
    -------
    DataFrame
        One row per scenario: ``county_cost, province_cost, total_cost`` (gross spending, means
        over seeds), ``public_assets_change`` (paired mean change of the public funds' holdings
        at the horizon), ``net_cost`` (``total_cost - public_assets_change``),
        ``county_tax_change, province_tax_change`` (paired mean change vs baseline).
    """
    names = [
        "county_policy_cost_mcny",
        "province_policy_cost_mcny",
        "county_tax_revenue_mcny",
        "province_tax_revenue_mcny",
    ]
    cum = cumulative(results, names)
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
) -> dict[str, pd.Series]:
    """Mean paired change of indicator ``name`` at the horizon per county, per scenario."""
    hv = horizon_values(results, county_level=True)[name]
    base = hv.xs(baseline, level="scenario")
    out = {}
    for scenario in hv.index.get_level_values("scenario").unique():
        if scenario == baseline:
            continue
        scen = hv.xs(scenario, level="scenario")
        common = scen.index.intersection(base.index)
        out[scenario] = (scen.loc[common] - base.loc[common]).groupby(level="county_id").mean()
    return out
