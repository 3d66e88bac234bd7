"""The explorer's plain functions: lever controls and checks, the live run, a results folder."""

from __future__ import annotations

import math

import numpy as np
import pytest

from model.explore.folder import ResultsFolderError, load_compare_folder
from model.explore.levers import lever_control, lever_overrides, parse_lever, scenario_levers
from model.explore.live import BASELINE, LIVE, LiveRun, live_seeds, run_quarters
from model.params.scenarios import load_scenario
from model.params.table import SPEC_BY_NAME, ParameterError
from model.sim.indicators import INDICATOR_INDEX

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


def test_one_seed_is_the_pages_seed_and_several_are_those_of_a_comparison():
    from model.experiments.comparison import comparison_experiment

    assert live_seeds(11, 1) == [11]
    expected = comparison_experiment(["tax_rebate"], seeds=3, base_seed=11).seeds()[0]
    assert live_seeds(11, 3) == [int(s) for s in expected]
    assert len(set(live_seeds(11, 3))) == 3
    with pytest.raises(ValueError, match="n_seeds"):
        live_seeds(11, 0)


def test_every_seed_of_a_live_run_gives_the_numbers_of_simulate_with_that_seed():
    from model.runs.run import simulate

    overrides = {**load_scenario("tax_rebate").overrides, **SMALL}
    live = LiveRun(overrides, seed=4, baseline_overrides=SMALL, n_seeds=2)
    assert run_quarters(live, 3) == 3 and live.quarter == 3
    for which, params in ((LIVE, overrides), (BASELINE, SMALL)):
        for i, seed in enumerate(live.seeds):
            expected = simulate(params, seed=seed, steps=3)
            region = expected[expected["county_id"] == -1]
            for name in ("high_tech_enterprises", "rd_spending_mcny"):
                series = region[region["indicator"] == name].sort_values("step")["value"]
                np.testing.assert_array_equal(
                    live.region_series(which, i)[:, INDICATOR_INDEX[name]], series.to_numpy()
                )
    # the map shows each county's median over the seeds
    both = live.histories(LIVE)[:, -1, :, INDICATOR_INDEX["startups"]]
    np.testing.assert_array_equal(live.county_values("startups"), np.median(both, axis=0))
    tidy = live.tidy(["startups"])
    assert sorted(set(tidy["seed"])) == sorted(live.seeds)


def test_trajectories_of_several_seeds_draw_the_median_and_the_90_percent_band():
    from matplotlib.collections import PolyCollection

    from model.explore.figures import live_trajectories

    live = LiveRun({"tax_rebate_share": 1.0, **SMALL}, seed=2, baseline_overrides=SMALL, n_seeds=3)
    run_quarters(live, 2)
    fig = live_trajectories(live, ["rd_spending_mcny"])
    bands = [c for c in fig.axes[0].collections if isinstance(c, PolyCollection)]
    assert len(bands) == 2  # the run with the levers and the baseline
    values = live.region_values(BASELINE)[:, INDICATOR_INDEX["rd_spending_mcny"]]
    lo, hi = np.quantile(values, [0.05, 0.95])
    vertices = np.concatenate([p.vertices for b in bands for p in b.get_paths()])
    last_year = vertices[:, 0].max()
    ys = vertices[np.isclose(vertices[:, 0], last_year), 1]
    assert np.isclose(ys, lo).any() and np.isclose(ys, hi).any()
    one = LiveRun({"tax_rebate_share": 1.0, **SMALL}, seed=2, baseline_overrides=SMALL)
    run_quarters(one, 1)
    single = live_trajectories(one, ["rd_spending_mcny"])
    assert not any(isinstance(c, PolyCollection) for c in single.axes[0].collections)


def test_a_click_on_the_map_resolves_to_the_county_drawn_there():
    from model.explore.map_click import cell_centre_km, county_at, render_map
    from model.report.plots import plot_county_map
    from model.sim.region import load_region

    region = load_region("jiaxing-huzhou")
    fig = plot_county_map(region, np.arange(region.n_counties, dtype=float), title="map")
    picture = render_map(fig)
    ax = fig.axes[0]
    width, height = fig.canvas.get_width_height()
    for county in range(region.n_counties):
        rows, cols = np.nonzero(region.county_of_cell == county)
        x_km, y_km = cell_centre_km(region, rows[len(rows) // 2], cols[len(cols) // 2])
        # where matplotlib itself drew that point, as fractions of the picture from top-left
        px, py = ax.transData.transform((x_km, y_km))
        assert county_at(region, picture, px / width, 1 - py / height) == county
        assert picture.fraction_of(x_km, y_km) == pytest.approx(
            (px / width, 1 - py / height), abs=2e-3
        )
    assert county_at(region, picture, 0.999, 0.5) is None  # on the colour bar
    outside = np.argwhere(region.county_of_cell < 0)[0]
    x_km, y_km = cell_centre_km(region, *outside)
    assert county_at(region, picture, *picture.fraction_of(x_km, y_km)) is None


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


# ============================================================================================
# A sweep folder


@pytest.fixture(scope="module")
def sweep_folder(tmp_path_factory):
    """6 runs of the public API: a lever on 2 values x an uncertainty on 3, 4 quarters."""
    from model import Experiment, Outputs, SerialExecutor, Values, run_experiment

    out = tmp_path_factory.mktemp("sweep") / "grid"
    experiment = Experiment(
        name="explore_grid",
        levers={"voucher_budget_mcny_per_q": Values([0.0, 5.0])},
        uncertainties={"platform_service_strength": Values([0.3, 0.6, 0.9])},
        constants=SMALL,
        steps=4,
        base_seed=3,
        outputs=Outputs(indicators=("high_tech_enterprises", "rd_spending_mcny")),
    )
    run_experiment(experiment, out, executor=SerialExecutor(), progress=False)
    return out


def test_a_sweep_folder_lists_its_factors_and_outcomes(sweep_folder):
    from model.explore.sweep import load_sweep_folder

    loaded = load_sweep_folder(sweep_folder)
    assert loaded.factor_names == ["voucher_budget_mcny_per_q", "platform_service_strength"]
    lever, uncertain = loaded.factors
    assert (lever.kind, lever.low, lever.high, lever.n_values) == ("lever", 0.0, 5.0, 2)
    assert (uncertain.kind, uncertain.n_values) == ("uncertainty", 3)
    assert loaded.outcomes == ["high_tech_enterprises", "rd_spending_mcny"]
    assert loaded.status["done"] == 6 and loaded.steps == 4


def test_the_response_surface_is_the_runs_outcomes_against_the_factors(sweep_folder):
    from model import open_results
    from model.explore.figures import response_curve, response_grid, response_surface
    from model.explore.sweep import load_sweep_folder, response_table

    loaded = load_sweep_folder(sweep_folder)
    table = response_table(loaded, "rd_spending_mcny")
    expected = open_results(sweep_folder).outcomes(["rd_spending_mcny"])
    np.testing.assert_array_equal(table["value"], expected["value"])
    curve = response_curve(table, "platform_service_strength")
    assert list(curve["x"]) == [0.3, 0.6, 0.9] and list(curve["runs"]) == [2, 2, 2]
    medians = expected.groupby("platform_service_strength")["value"].median()
    np.testing.assert_allclose(curve["median"], medians.to_numpy())
    grid, x_labels, y_labels = response_grid(
        table, ("voucher_budget_mcny_per_q", "platform_service_strength")
    )
    assert grid.shape == (3, 2) and x_labels == ["0", "5"] and y_labels == ["0.3", "0.6", "0.9"]
    one = expected[
        (expected["voucher_budget_mcny_per_q"] == 5.0)
        & (expected["platform_service_strength"] == 0.9)
    ]
    assert grid[2, 1] == one["value"].iloc[0]
    fig = response_surface(table, "rd_spending_mcny", ["platform_service_strength"], "t")
    assert {a.get_gid() for a in fig.axes[0].get_children()} >= {"runs", "median"}
    fig2 = response_surface(
        table, "rd_spending_mcny", ["voucher_budget_mcny_per_q", "platform_service_strength"], "t"
    )
    assert fig2.axes[0].images[0].get_gid() == "surface"


def test_sampled_factors_are_cut_into_quantile_bins():
    from model.explore.figures import factor_bins

    values = np.linspace(0.0, 1.0, 40)
    codes, labels, centres = factor_bins(values, 10)
    assert len(labels) == 10 and np.bincount(codes).tolist() == [4] * 10
    assert np.all(np.diff(centres) > 0)


def test_a_broken_or_unfinished_sweep_folder_is_a_message(sweep_folder, compare_folder, tmp_path):
    import shutil

    from model.explore.sweep import SweepFolderError, load_sweep_folder, response_table

    with pytest.raises(SweepFolderError, match="not a folder"):
        load_sweep_folder(tmp_path / "nowhere")
    with pytest.raises(SweepFolderError, match="manifest.json: missing"):
        load_sweep_folder(tmp_path)
    with pytest.raises(SweepFolderError, match="varies no parameter"):
        load_sweep_folder(compare_folder)
    broken = tmp_path / "broken"
    shutil.copytree(sweep_folder, broken)
    (broken / "plan.parquet").unlink()
    with pytest.raises(SweepFolderError, match="plan.parquet: missing"):
        load_sweep_folder(broken)
    shutil.copy(sweep_folder / "plan.parquet", broken / "plan.parquet")
    run_file = sorted((broken / "runs").glob("*.parquet"))[0]
    run_file.write_bytes(b"PAR1 cut short")
    loaded = load_sweep_folder(broken)
    with pytest.raises(SweepFolderError, match=f"{run_file.name}: not a readable Parquet"):
        response_table(loaded, "high_tech_enterprises")
    for path in (broken / "runs").glob("*.parquet"):
        path.unlink()
    with pytest.raises(SweepFolderError, match="no finished run yet"):
        load_sweep_folder(broken)
    (broken / "manifest.json").write_text("{ half", encoding="utf-8")
    with pytest.raises(SweepFolderError, match="not a readable manifest"):
        load_sweep_folder(broken)
