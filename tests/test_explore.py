"""The explorer's plain functions: lever controls and checks, the live run, a results folder."""

from __future__ import annotations

import math

import numpy as np
import pytest

from model.explore.folder import ResultsFolderError, load_compare_folder
from model.explore.levers import lever_control, lever_overrides, parse_lever, scenario_levers
from model.explore.live import BASELINE, LIVE, LiveRun, run_quarters
from model.params.scenarios import load_scenario
from model.params.table import SPEC_BY_NAME, ParameterError

SMALL = {"firm_scale": 0.1}


def test_a_scenarios_levers_are_its_parameters_with_range_unit_and_source():
    scenario = load_scenario("tax_rebate")
    levers = scenario_levers(scenario, extra=("voucher_budget_mcny_per_q",))
    assert [c.name for c in levers] == [*scenario.overrides, "voucher_budget_mcny_per_q"]
    share = levers[0]
    spec = SPEC_BY_NAME["tax_rebate_share"]
    assert share.value == 1.0 and share.default == spec.default
    assert (share.low, share.high, share.unit, share.source) == (
        spec.low,
        spec.high,
        spec.unit,
        spec.source,
    )
    assert share.range_text() == f"[{spec.low:g}, {spec.high:g}] {spec.unit}"
    assert levers[-1].value == SPEC_BY_NAME["voucher_budget_mcny_per_q"].default


def test_lever_values_are_parsed_and_refused_out_of_range():
    assert parse_lever("tax_rebate_share", " 0.25 ") == 0.25
    assert parse_lever("consolidation_enabled", "true") is True
    with pytest.raises(ParameterError, match="tax_rebate_share.*out of range"):
        parse_lever("tax_rebate_share", "5")
    with pytest.raises(ParameterError, match="not a value"):
        parse_lever("tax_rebate_share", "half")
    with pytest.raises(ParameterError, match="unknown parameter"):
        lever_control("tax_rebate_shares")
    merged = lever_overrides(load_scenario("tax_rebate"), {"rebate_reinvest_share": "0.5"})
    assert merged == {"tax_rebate_share": 1.0, "rebate_reinvest_share": 0.5}


def test_live_run_gives_the_numbers_of_simulate_and_stops_when_asked():
    from model.runs.run import simulate

    overrides = {**load_scenario("tax_rebate").overrides, **SMALL}
    live = LiveRun(overrides, seed=5, baseline_overrides=SMALL)
    seen = []
    assert run_quarters(live, 3, on_quarter=seen.append) == 3
    assert seen == [1, 2, 3] and live.quarter == 3
    assert run_quarters(live, 5, stop=lambda: live.quarter >= 4) == 1
    expected = simulate(overrides, seed=5, steps=4)
    region = expected[expected["county_id"] == -1].pivot(
        index="step", columns="indicator", values="value"
    )
    for name in ("high_tech_enterprises", "rd_spending_mcny", "rd_intensity"):
        assert live.region_value(name) == region.loc[4, name]
    tidy = live.tidy(["startups"])
    assert set(tidy["scenario"]) == {LIVE, BASELINE} and tidy["step"].max() == 4
    counties = expected[(expected["step"] == 4) & (expected["indicator"] == "startups")]
    np.testing.assert_array_equal(
        live.county_values("startups"),
        counties[counties["county_id"] >= 0].sort_values("county_id")["value"].to_numpy(),
    )


def test_fiscal_so_far_is_the_policy_cost_less_the_baselines_and_extra_tax():
    live = LiveRun({"tax_rebate_share": 1.0, **SMALL}, seed=2, baseline_overrides=SMALL)
    run_quarters(live, 4)
    s, b = (
        live.tidy(
            [
                "county_policy_cost_mcny",
                "province_policy_cost_mcny",
                "county_tax_revenue_mcny",
                "province_tax_revenue_mcny",
            ]
        )
        .query("step >= 1")
        .groupby(["scenario", "indicator"])["value"]
        .sum()
        .unstack()
        .loc[[LIVE, BASELINE]]
        .to_numpy()
    )
    # columns in sorted order: county cost, county tax, province cost, province tax
    cost, base_cost = s[0] + s[2], b[0] + b[2]
    fiscal = live.fiscal()
    assert fiscal.policy_cost_mcny == pytest.approx(cost)
    assert fiscal.extra_cost_mcny == pytest.approx(cost - base_cost)
    extra_tax = (s[1] + s[3]) - (b[1] + b[3])
    assert fiscal.net_cost_mcny == pytest.approx(cost - base_cost - extra_tax)
    assert math.isfinite(fiscal.net_cost_mcny)


@pytest.fixture(scope="module")
def compare_folder(tmp_path_factory):
    from model.experiments.comparison import compare

    out = tmp_path_factory.mktemp("cmp")
    compare(
        ["tax_rebate"], seeds=2, steps=4, out=out, workers=1, progress=False, overrides=SMALL
    ).write_tables()
    return out


def test_a_finished_compare_folder_loads_without_running(compare_folder):
    loaded = load_compare_folder(compare_folder)
    assert loaded.scenarios == ["baseline", "tax_rebate"]
    assert loaded.steps == 4 and loaded.region == "jiaxing-huzhou"
    assert "high_tech_enterprises" in set(loaded.effects["indicator"])


def test_a_broken_folder_is_refused_with_the_file_and_the_reason(compare_folder, tmp_path):
    with pytest.raises(ResultsFolderError, match="not a folder"):
        load_compare_folder(tmp_path / "nowhere")
    with pytest.raises(ResultsFolderError, match="no folder given"):
        load_compare_folder("  ")
    with pytest.raises(ResultsFolderError, match="results.parquet: missing"):
        load_compare_folder(tmp_path)
    import shutil

    broken = tmp_path / "broken"
    shutil.copytree(compare_folder, broken)
    (broken / "effects.parquet").write_bytes(b"PAR1 damaged")
    with pytest.raises(ResultsFolderError, match="effects.parquet: not a readable Parquet"):
        load_compare_folder(broken)
    (broken / "effects.parquet").unlink()
    shutil.copy(compare_folder / "fiscal.parquet", broken / "effects.parquet")
    with pytest.raises(ResultsFolderError, match="effects.parquet: lacks the columns"):
        load_compare_folder(broken)


def test_innovsim_explore_refuses_a_bad_port_or_region_before_serving(capsys):
    from model.cli import main

    assert main(["explore", "--port", "70000"]) == 2
    assert "--port" in capsys.readouterr().err
    assert main(["explore", "--region", "atlantis"]) == 2
    assert "--region" in capsys.readouterr().err
