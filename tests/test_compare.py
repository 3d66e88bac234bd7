"""The comparison's statistics on small tidy tables whose answers are known by construction.

Effects are paired by seed (scenario minus baseline, same seed), stocks are read at the last
quarter and flows summed over the last four, intervals are 90% t intervals, and the net cost
counts back what the public funds still hold.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from model.experiments.compare import (
    cost_effectiveness,
    cumulative,
    fiscal_summary,
    horizon_values,
    paired_effects,
)
from model.experiments.declaration import replication_seed
from model.params.scenarios import load_scenario
from model.report.markdown import markdown_report
from model.report.text import t
from model.sim.indicators import INDICATOR_NAMES

SEEDS = (1, 2, 3, 4, 5)
STEPS = range(0, 9)  # step 0 is the initial state; 8 simulated quarters


def frame(values: dict[str, callable]) -> pd.DataFrame:
    """A tidy region-level table: ``values[scenario](indicator, seed, step) -> value``."""
    rows = []
    for scenario, fn in values.items():
        for seed in SEEDS:
            for step in STEPS:
                for name in INDICATOR_NAMES:
                    v = fn(name, seed, step)
                    rows.append((scenario, seed, step, -1, "region", name, float(v)))
    return pd.DataFrame(
        rows, columns=["scenario", "seed", "step", "county_id", "county", "indicator", "value"]
    )


MONEY_OF_POLICY = (
    "county_policy_cost_mcny",
    "province_policy_cost_mcny",
    "public_fund_assets_mcny",
)


def base_values(name, seed, step):
    """A baseline: no policy spending; every other indicator grows with seed and quarter."""
    if name in MONEY_OF_POLICY:
        return 0.0
    return 10.0 * seed + step + (5.0 if name == "revenue_mcny" else 0.0)


def test_horizon_values_reads_stocks_at_the_end_and_sums_flows_over_a_year():
    hv = horizon_values(frame({"baseline": base_values}))
    row = hv.loc[("baseline", 2)]
    assert row["high_tech_enterprises"] == 20 + 8  # stock: last quarter
    assert row["invention_patent_applications"] == sum(20 + s for s in (5, 6, 7, 8))  # flow
    assert row["rd_intensity"] == pytest.approx(row["rd_spending_mcny"] / row["revenue_mcny"])
    cum = cumulative(frame({"baseline": base_values}), ["startups"])
    assert cum.loc[("baseline", 2), "startups"] == sum(20 + s for s in range(1, 9))  # not step 0


def test_paired_effects_are_mean_paired_differences_with_t_intervals():
    shift = {1: 3.0, 2: 5.0, 3: 4.0, 4: 6.0, 5: 2.0}  # per-seed effect on the HTE stock

    def scen(name, seed, step):
        return base_values(name, seed, step) + (
            shift[seed] if name == "high_tech_enterprises" else 0
        )

    effects = paired_effects(horizon_values(frame({"baseline": base_values, "x": scen})))
    e = effects[effects["indicator"] == "high_tech_enterprises"].iloc[0]
    d = np.array(list(shift.values()))
    half = stats.t.ppf(0.95, len(d) - 1) * d.std(ddof=1) / math.sqrt(len(d))
    assert e["diff"] == pytest.approx(d.mean())
    assert (e["lo"], e["hi"]) == pytest.approx((d.mean() - half, d.mean() + half))
    base_mean = np.mean([10.0 * s + 8 for s in SEEDS])
    assert e["rel_mean"] == pytest.approx(100 * d.mean() / base_mean)
    # an indicator the scenario leaves alone has a zero effect and a zero-width interval
    f = effects[effects["indicator"] == "firms"].iloc[0]
    assert (f["diff"], f["lo"], f["hi"]) == (0.0, 0.0, 0.0)


def test_paired_effects_needs_the_baseline():
    with pytest.raises(ValueError, match="baseline"):
        paired_effects(horizon_values(frame({"x": base_values})))


def test_net_cost_counts_back_what_the_public_funds_still_hold():
    # the scenario pays 100 into a fund in quarter 1 and holds 90 of it at the horizon: it
    # spent 100, lost 10
    def fund(name, seed, step):
        if name == "county_policy_cost_mcny":
            return 100.0 if step == 1 else 0.0
        if name == "public_fund_assets_mcny":
            return 90.0 if step >= 1 else 0.0
        if name == "county_tax_revenue_mcny":
            return 50.0 - seed  # 8 quarters of -seed against the baseline's 0
        return 0.0

    def zero(name, seed, step):
        return 50.0 if name == "county_tax_revenue_mcny" else 0.0

    fiscal = fiscal_summary(frame({"baseline": zero, "fund": fund})).loc["fund"]
    assert fiscal["total_cost"] == 100.0
    assert fiscal["public_assets_change"] == 90.0
    assert fiscal["net_cost"] == pytest.approx(10.0)
    assert fiscal["county_tax_change"] == pytest.approx(-8 * np.mean(SEEDS))


@pytest.mark.parametrize("noisy", [False, True])
def test_cost_per_extra_hte_only_when_the_gain_is_significant(noisy):
    gain = {1: 4.0, 2: 6.0, 3: 5.0, 4: 5.0, 5: 5.0}
    if noisy:  # same mean gain, but the interval includes zero
        gain = {1: 30.0, 2: -20.0, 3: 25.0, 4: -15.0, 5: 5.0}

    def scen(name, seed, step):
        if name == "high_tech_enterprises":
            return base_values(name, seed, step) + gain[seed]
        if name == "county_policy_cost_mcny":
            return 10.0 if step >= 1 else 0.0  # 80 over the run
        return base_values(name, seed, step)

    results = frame({"baseline": base_values, "x": scen})
    effects = paired_effects(horizon_values(results))
    ce = cost_effectiveness(effects, fiscal_summary(results), results).loc["x"]
    assert ce["extra_hte"] == pytest.approx(5.0)
    if noisy:
        assert math.isnan(ce["cost_per_extra_hte"])
    else:
        assert ce["cost_per_extra_hte"] == pytest.approx(80.0 / 5.0)
    assert math.isnan(ce["cost_per_extra_grant"])  # no patent gain at all


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_markdown_report_shows_every_scenario_with_its_numbers(lang):
    def scen(name, seed, step):
        extra = 5.0 if name == "high_tech_enterprises" else 0.0
        cost = 10.0 if name == "county_policy_cost_mcny" and step >= 1 else 0.0
        return base_values(name, seed, step) + extra + cost

    results = frame({"baseline": base_values, "rd_grants": scen})
    effects = paired_effects(horizon_values(results))
    fiscal = fiscal_summary(results)
    ce = cost_effectiveness(effects, fiscal, results)
    scenarios = {name: load_scenario(name) for name in ("baseline", "rd_grants")}
    text = markdown_report(
        effects, fiscal, ce, scenarios, "region", len(SEEDS), 8, "innovsim compare", [], lang
    )
    label = scenarios["rd_grants"].label(lang)
    row = next(line for line in text.splitlines() if line.startswith(f"| {label} |"))
    hte_rel = effects.query("indicator == 'high_tech_enterprises'")["rel_mean"].iloc[0]
    assert f"{hte_rel:,.1f}" in row
    fiscal_part = text[text.index(t("fiscal", lang)) :]
    fiscal_row = next(line for line in fiscal_part.splitlines() if line.startswith(f"| {label} |"))
    assert "80.0" in fiscal_row and "16.00" in fiscal_row  # cost 80, 80 / 5 per extra HTE


def test_markdown_report_splits_gross_effects_into_the_policys_part_and_the_net_change():
    """A scenario whose whole R&D gain is grant money shows it as the policy's part, net 0."""

    def scen(name, seed, step):
        extra = 7.0 if name in ("rd_performed_mcny", "rd_grant_funded_mcny") else 0.0
        return base_values(name, seed, step) + extra

    results = frame({"baseline": base_values, "rd_grants": scen})
    effects = paired_effects(horizon_values(results))
    fiscal = fiscal_summary(results)
    scenarios = {name: load_scenario(name) for name in ("baseline", "rd_grants")}
    text = markdown_report(
        effects,
        fiscal,
        cost_effectiveness(effects, fiscal, results),
        scenarios,
        "region",
        len(SEEDS),
        8,
        "innovsim compare",
        [],
        "en",
    )
    part = text[text.index(t("pass_through", "en")) :]
    row = next(line for line in part.splitlines() if "R&D actually performed" in line)
    cells = [c.strip() for c in row.strip("|").split("|")]
    # a flow is summed over the last four quarters: 4 x 7 = 28 gross, all of it grants
    assert cells[2:5] == ["28.0", "28.0", "0.0 [0.0, 0.0]"]


def test_innovsim_compare_writes_every_report_and_figure_and_reuses_finished_runs(tmp_path, capsys):
    """The main job end to end, with two worker processes for the runs and the languages."""
    import re

    from model.cli import main

    out = tmp_path / "cmp"
    args = ["compare", "tax_rebate", "--seeds", "2", "--steps", "4", "--out", str(out)]
    assert main([*args, "--workers", "2", "--quiet"]) == 0
    assert "4 runs done, 0 reused, 0 failed" in capsys.readouterr().out
    results = pd.read_parquet(out / "results.parquet")
    # both scenarios ran on the same replication seeds, derived from the base seed as in sweeps
    seeds = [replication_seed(0, None, r) for r in range(2)]
    pairs = results[["scenario", "seed"]].drop_duplicates().sort_values(["scenario", "seed"])
    assert list(map(tuple, pairs.to_numpy())) == [
        (name, seed) for name in ("baseline", "tax_rebate") for seed in sorted(seeds)
    ]
    for lang in ("en", "zh"):
        text = (out / f"report_{lang}.md").read_text(encoding="utf-8")
        assert load_scenario("tax_rebate").label(lang) in text
        figures = re.findall(r"\]\((figures/[^)]+\.png)\)", text)
        assert len(figures) == 4  # trajectories, effects, fiscal cost, one county map
        for rel in figures:
            assert (out / rel).stat().st_size > 10_000, rel
            assert (out / rel).with_suffix(".svg").stat().st_size > 10_000, rel
        for table in ("headline", "fiscal", "ranking"):
            csv = pd.read_csv(out / "tables" / f"{table}_{lang}.csv", encoding="utf-8-sig")
            assert "tax_rebate" in set(csv["key"]) or table == "ranking"
        sheets = pd.read_excel(out / "tables" / f"tables_{lang}.xlsx", sheet_name=None)
        assert set(sheets) == {"headline", "fiscal", "ranking"}
    # a second call reuses the finished runs and rewrites the same report (one process)
    before = (out / "report_en.md").read_bytes()
    assert main([*args, "--workers", "1", "--quiet"]) == 0
    assert "0 runs done, 4 reused" in capsys.readouterr().out
    assert (out / "report_en.md").read_bytes() == before


def test_a_comparison_and_its_result_folder_report_the_same_outcomes(tmp_path):
    """One definition of an outcome: compare's horizon values, the store's outcomes and
    run_model's final values agree for the same run (a flow summed over the last year)."""
    from model import compare, open_results, run_model

    out = tmp_path / "cmp"
    cmp = compare(
        ["tax_rebate"],
        seeds=2,
        steps=5,
        out=out,
        workers=1,
        progress=False,
        overrides={"firm_scale": 0.1},
    )
    wide = horizon_values(cmp.results)
    stored = open_results(out).outcomes(parameters=False)
    for name in ("rd_spending_mcny", "high_tech_enterprises", "rd_intensity", "startups"):
        rows = stored[stored["indicator"] == name]
        for scenario, seed, value in rows[["scenario", "seed", "value"]].itertuples(index=False):
            assert value == pytest.approx(wide.loc[(scenario, seed), name], rel=1e-12), name
    scenario, seed = "tax_rebate", int(cmp.seeds[0])
    direct = run_model(seed=seed, steps=5, base_scenario="tax_rebate", firm_scale=0.1)
    for name in ("rd_spending_mcny", "high_tech_enterprises", "rd_intensity"):
        assert direct[name] == pytest.approx(wide.loc[(scenario, seed), name], rel=1e-12)
    # and it is a yearly sum, not the last quarter's flow
    last_q = direct["rd_spending_mcny_trajectory"][-1]
    assert direct["rd_spending_mcny"] == pytest.approx(
        direct["rd_spending_mcny_trajectory"][-4:].sum(), rel=1e-12
    )
    assert direct["rd_spending_mcny"] > 3 * last_q


ENGLISH_RUN = re.compile(r"[A-Za-z][A-Za-z'&-]*(?:[ \t,;:/()-]+[A-Za-z][A-Za-z'&-]*){3,}")


def english_prose(markdown: str) -> list[str]:
    """Runs of four or more ASCII words outside code blocks, code spans and link targets."""
    text = re.sub(r"```.*?```", " ", markdown, flags=re.S)
    text = re.sub(r"`[^`]*`", " ", text)
    text = re.sub(r"\]\([^)]*\)", "]", text)
    text = re.sub(r"!\[[^\]]*\]", " ", text)
    return ENGLISH_RUN.findall(text)


def test_english_prose_is_found_where_there_is_some():
    assert english_prose("前言 The county treats the rebate 后记") == [
        "The county treats the rebate"
    ]
    assert english_prose("见 `the county treats it` 与 ![a b c d](figures/a_b.png)") == []


def test_chinese_report_of_every_built_in_scenario_is_chinese_throughout():
    from model.params.scenarios import list_scenarios

    names = ["baseline"] + [n for n in list_scenarios() if n != "baseline"]

    def scen(i):
        def values(name, seed, step):
            cost = 10.0 * (i + 1) if name.endswith("policy_cost_mcny") and step >= 1 else 0.0
            return base_values(name, seed, step) + (i % 3) * (seed % 2 + 1) + cost

        return values

    results = frame({n: base_values if n == "baseline" else scen(i) for i, n in enumerate(names)})
    effects = paired_effects(horizon_values(results))
    fiscal = fiscal_summary(results)
    ce = cost_effectiveness(effects, fiscal, results)
    scenarios = {n: load_scenario(n) for n in names}
    assert all(s.fails_when.get("note_zh") for n, s in scenarios.items() if s.fails_when)
    text = markdown_report(
        effects,
        fiscal,
        ce,
        scenarios,
        "嘉兴市、湖州市",
        len(SEEDS),
        8,
        "innovsim compare",
        ["figures/effects_zh.png"],
        "zh",
        captions={"figures/effects_zh.png": "效应"},
    )
    assert english_prose(text) == []
    # and the English report, rendered the same way, is caught by the same check
    english = markdown_report(
        effects, fiscal, ce, scenarios, "region", len(SEEDS), 8, "innovsim compare", [], "en"
    )
    assert len(english_prose(english)) > 20


def test_executive_summary_names_the_leader_per_cost_and_whether_it_is_robust():
    from model.experiments.compare import cost_ranking

    def cheap_and_strong(name, seed, step):
        gain = 6.0 + 0.1 * seed if name == "high_tech_enterprises" else 0.0
        cost = 10.0 if name == "county_policy_cost_mcny" and step >= 1 else 0.0
        return base_values(name, seed, step) + gain + cost

    def dear_and_weak(name, seed, step):
        gain = 5.0 + 0.1 * seed if name == "high_tech_enterprises" else 0.0
        cost = 100.0 if name == "county_policy_cost_mcny" and step >= 1 else 0.0
        return base_values(name, seed, step) + gain + cost

    results = frame(
        {"baseline": base_values, "rd_grants": cheap_and_strong, "tax_rebate": dear_and_weak}
    )
    effects = paired_effects(horizon_values(results))
    fiscal = fiscal_summary(results)
    ranking = cost_ranking(effects, fiscal, ("high_tech_enterprises",))
    # 6.3 firms for 80 m CNY beats 5.3 firms for 800 m CNY
    assert list(ranking["scenario"]) == ["rd_grants", "tax_rebate"]
    assert ranking["per_100m"].iloc[0] == pytest.approx(6.3 / 80 * 100)
    scenarios = {n: load_scenario(n) for n in ("baseline", "rd_grants", "tax_rebate")}
    ce = cost_effectiveness(effects, fiscal, results)
    text = markdown_report(
        effects, fiscal, ce, scenarios, "r", len(SEEDS), 8, "c", [], "en", ranking=ranking
    )
    summary = text.split("## Executive summary")[1].split("## ")[0]
    line = next(ln for ln in summary.splitlines() if "high-tech" in ln)
    assert scenarios["rd_grants"].label("en") in line.split("ranks first")[0]
    assert "do not overlap" in line
