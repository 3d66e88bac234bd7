"""Tests of experiments: designs, seeds, validation, executors, the result store, sensitivity.

Runs are tiny (a tenth of the firms, two quarters, the Jiaxing-Huzhou region); one small
sweep is run serially once per module and shared: the process and Dask executors, resume,
failures and stray files are all compared against it. The sensitivity plumbing is tested
with a fake executor whose "model" is a known formula (so the indices have a right answer),
and once end to end through ``innovsim sweep`` on a real Morris experiment.
"""

from __future__ import annotations

import io
import json
import math
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal

from model.cli import main as innovsim
from model.experiments import (
    EXPERIMENT_DIR,
    FAIL_RUNS_ENV,
    Experiment,
    ExperimentError,
    Outputs,
    Range,
    Values,
    load_experiment,
    open_results,
    replication_seed,
    run_experiment,
    run_model,
)
from model.experiments.outcomes import window_steps
from model.params.table import SPEC_BY_NAME
from model.runs.executors import DaskExecutor, Executor, ProcessExecutor, SerialExecutor
from model.runs.run import simulate
from model.sim.indicators import INDICATOR_NAMES

FAST = {"firm_scale": 0.1}
STEPS = 2
KEPT = ("high_tech_enterprises", "invention_patent_grants", "rd_spending_mcny")


def small_experiment(**changes) -> Experiment:
    """4 points x 2 replications x 2 scenarios (tax_rebate vs baseline) = 16 runs."""
    spec = dict(
        name="small",
        scenarios=["tax_rebate"],
        reference="baseline",
        levers={"voucher_budget_mcny_per_q": Values([0.0, 5.0])},
        uncertainties={"platform_service_strength": Values([0.3, 0.9])},
        constants=FAST,
        replications=2,
        steps=STEPS,
        base_seed=7,
        outputs=Outputs(indicators=KEPT, steps="all", counties="final"),
    )
    spec.update(changes)
    return Experiment(**spec)


@pytest.fixture(scope="module")
def reference_sweep(tmp_path_factory) -> Path:
    """The small experiment, run serially: the numbers every other executor must match."""
    out = tmp_path_factory.mktemp("sweeps") / "serial"
    results = run_experiment(small_experiment(), out, executor=SerialExecutor(), progress=False)
    assert results.last_run["done"] == 16 and results.last_run["failed"] == 0
    return out


# ============================================================================================
# Designs


def test_grid_is_the_full_product_of_levers_and_uncertainty_values():
    exp = Experiment(
        name="g",
        levers={
            "tax_rebate_share": Range(0.0, 1.0, levels=3),
            "consolidation_enabled": [False, True],
        },
        uncertainties={"merger_transition_q": Range(0, 8, levels=3)},
        constants=FAST,
    )
    design = exp.design_table()
    assert len(design) == 3 * 2 * 3 == exp.n_points()
    combos = set(
        zip(
            design["tax_rebate_share"],
            design["consolidation_enabled"],
            design["merger_transition_q"],
            strict=True,
        )
    )
    assert combos == {(r, c, m) for r in (0.0, 0.5, 1.0) for c in (False, True) for m in (0, 4, 8)}
    assert design["merger_transition_q"].dtype == np.int64
    assert design["consolidation_enabled"].dtype == np.bool_
    assert exp.unit_sample() is None


FLOAT_PARAMS = (
    "platform_service_strength",
    "spillover_strength",
    "short_termism",
    "consolidation_radius_km",
    "tax_rebate_share",
)
INT_PARAMS = ("merger_transition_q", "matching_draws", "platform_candidates")


@st.composite
def uncertainty_tables(draw):
    names = draw(
        st.lists(st.sampled_from(FLOAT_PARAMS + INT_PARAMS), min_size=1, max_size=4, unique=True)
    )
    table = {}
    for name in names:
        spec = SPEC_BY_NAME[name]
        hi_cap = min(spec.high, spec.low + 50)
        if spec.kind is int:
            low = draw(st.integers(int(spec.low), int(hi_cap) - 1))
            high = draw(st.integers(low + 1, int(hi_cap)))
        else:
            low = draw(st.floats(spec.low, hi_cap * 0.9, allow_nan=False))
            high = draw(st.floats(low + 1e-3, hi_cap, allow_nan=False))
            if not low < high <= spec.high:
                high = min(spec.high, low + 1e-3)
        table[name] = Range(low, high)
    return table


@settings(max_examples=25, deadline=None)
@given(
    table=uncertainty_tables(),
    design=st.sampled_from(["lhs", "sobol", "morris"]),
    power=st.integers(1, 4),
    second_order=st.booleans(),
)
def test_sampling_designs_have_the_right_size_and_respect_bounds(
    table, design, power, second_order
):
    d = len(table)
    samples = 2**power
    exp = Experiment(
        name="s",
        design=design,
        samples=samples,
        uncertainties=table,
        sobol_second_order=second_order,
        constants=FAST,
    )
    expected = {
        "lhs": samples,
        "sobol": samples * (2 * d + 2 if second_order else d + 2),
        "morris": samples * (d + 1),
    }[design]
    design_table = exp.design_table()
    assert len(design_table) == expected == exp.n_points()
    unit = exp.unit_sample()
    assert unit.shape == (expected, d)
    assert np.all((unit >= 0) & (unit <= 1))
    for name, axis in table.items():
        values = design_table[name]
        assert values.min() >= axis.low and values.max() <= axis.high, name
        if SPEC_BY_NAME[name].kind is int:
            assert values.dtype == np.int64
        else:
            assert values.dtype == np.float64


def test_integer_parameters_from_a_continuous_design_are_rounded_with_equal_shares():
    exp = Experiment(
        name="i",
        design="lhs",
        samples=400,
        uncertainties={"merger_transition_q": Range(0, 3)},
        constants=FAST,
    )
    counts = exp.design_table()["merger_transition_q"].value_counts().sort_index()
    assert list(counts.index) == [0, 1, 2, 3]
    assert list(counts) == [100, 100, 100, 100]  # Latin hypercube strata: exact shares


def test_distributions_map_the_unit_sample_through_their_inverse_cdf():
    exp = Experiment(
        name="d",
        design="lhs",
        samples=1000,
        uncertainties={
            "short_termism": Range(0.0, 1.0, distribution="triangular", mode=0.0),
            "platform_overhead_mcny_per_q": Range(0.01, 1.0, distribution="loguniform"),
        },
        constants=FAST,
    )
    d = exp.design_table()
    assert d["short_termism"].mean() == pytest.approx(1 / 3, abs=0.02)  # triangle (0, 0, 1)
    assert np.median(np.log10(d["platform_overhead_mcny_per_q"])) == pytest.approx(-1, abs=0.05)


def test_levers_are_crossed_with_every_uncertainty_sample():
    exp = Experiment(
        name="x",
        design="lhs",
        samples=5,
        levers={"tax_rebate_share": [0.0, 1.0]},
        uncertainties={"spillover_strength": Range(0.2, 1.0)},
        constants=FAST,
    )
    d = exp.design_table()
    assert len(d) == 10
    first, second = d[d["lever_point"] == 0], d[d["lever_point"] == 1]
    assert list(first["spillover_strength"]) == list(second["spillover_strength"])
    assert set(first["tax_rebate_share"]) == {0.0} and set(second["tax_rebate_share"]) == {1.0}


def test_samples_follow_from_the_base_seed():
    def sample(seed):
        exp = Experiment(
            name="r",
            design="sobol",
            samples=8,
            base_seed=seed,
            uncertainties={"spillover_strength": Range(0.2, 1.0)},
            constants=FAST,
        )
        return exp.design_table()["spillover_strength"].to_numpy()

    assert np.array_equal(sample(1), sample(1))
    assert not np.array_equal(sample(1), sample(2))


# ============================================================================================
# Seeds


def test_every_point_and_replication_gets_its_own_seed_without_common_random_numbers():
    exp = small_experiment(common_random_numbers=False, replications=3)
    seeds = exp.seeds()
    assert seeds.shape == (4, 3)
    assert len(np.unique(seeds)) == seeds.size
    assert seeds[2, 1] == replication_seed(7, 2, 1)
    child = np.random.SeedSequence(7).spawn(3)[2].spawn(2)[1]  # spawn keyed by (point, rep)
    assert seeds[2, 1] == int(child.generate_state(1, np.uint64)[0] >> np.uint64(1))


def test_common_random_numbers_give_every_point_the_same_replication_seeds():
    exp = small_experiment(replications=3)
    assert exp.crn  # the default when levers are compared
    seeds = exp.seeds()
    assert (seeds == seeds[0]).all() and len(set(seeds[0])) == 3
    plan = exp.plan_table()
    # paired scenarios: the reference and the scenario of a point and replication share it
    assert (plan.groupby(["point", "replication"])["seed"].nunique() == 1).all()
    assert Experiment(name="u", uncertainties={"spillover_strength": [0.2, 0.4]}).crn is False


# ============================================================================================
# Validation: refused before anything runs


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "study.toml"
    path.write_text(text, encoding="utf-8")
    return path


GOOD = """
name = "study"
steps = 2
replications = 1
design = "{design}"
{samples}
[constants]
firm_scale = 0.1
[levers]
tax_rebate_share = {{ values = [0.0, 1.0] }}
[uncertainties]
{uncertainty}
"""


def good(
    design="lhs",
    samples="samples = 4",
    uncertainty="spillover_strength = { low = 0.2, high = 1.0 }",
) -> str:
    return GOOD.format(design=design, samples=samples, uncertainty=uncertainty)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("whatever = 1\n" + good(), "unknown key 'whatever'"),
        (good() + "whatever = 1\n", "unknown parameter 'whatever'"),
        (good().replace("steps = 2", "stpes = 2"), "unknown key 'stpes'"),
        (
            good(uncertainty="spillover_strenght = { low = 0.2, high = 1.0 }"),
            "unknown parameter 'spillover_strenght'. Did you mean: spillover_strength",
        ),
        (
            good(uncertainty="spillover_strength = { low = 0.2, high = 11.0 }"),
            "[uncertainties.spillover_strength]: parameter 'spillover_strength' = 11.0 is out "
            "of range; allowed: a number in [0, 10]",
        ),
        (
            good(uncertainty="spillover_strength = { low = 0.8, high = 0.2 }"),
            "'low' (0.8) must be below 'high' (0.2)",
        ),
        (
            good(uncertainty="merger_transition_q = { low = 0.5, high = 4 }"),
            "must be an integer in [0, 40]",
        ),
        (
            good(uncertainty="spillover_strength = { low = 0.2, hi = 1.0 }"),
            "unknown key 'hi'; allowed keys: values (a list), or low, high",
        ),
        (
            good(uncertainty="consolidation_enabled = { low = 0, high = 1 }"),
            "give values = [false, true]",
        ),
        (good(design="latin"), "unknown design 'latin'; allowed: grid, lhs, sobol, morris"),
        (good(design="sobol", samples="samples = 6"), "a power of 2 for the sobol design"),
        (good(design="grid", samples=""), "give 'values' or 'levels'"),
        (good(design="grid"), "'samples': only for the lhs, sobol and morris designs"),
        (good() + "[outputs]\nindicators = ['high_tech']\n", "unknown indicator 'high_tech'"),
        (good() + "[outputs]\nsteps = [1, 9]\n", "a list of quarters in [0, 2]"),
        (
            good().replace('name = "study"', 'name = "study"\nscenarios = ["no_such"]'),
            "unknown scenario 'no_such'",
        ),
        (
            good().replace(
                'name = "study"', 'name = "s"\nscenarios=["baseline"]\nreference="baseline"'
            ),
            "'reference': 'baseline' is also in 'scenarios'",
        ),
        (
            good().replace("firm_scale = 0.1", "firm_scale = 0.0"),
            "[constants]: parameter 'firm_scale' = 0.0 is out of range",
        ),
        (
            good().replace("steps = 2", "steps = 'ten'"),
            "key 'steps': must be an integer in [1, 400]",
        ),
        (
            good(
                uncertainty="st_share_platforms = { low = 0.5, high = 0.9 }\n"
                "st_share_rd_grants = { low = 0.3, high = 0.5 }"
            ),
            "is not a valid parameter set",
        ),
        ("name = [1]\n", "key 'name': must be a non-empty string"),
        ("name = 'x'\nsteps = \n", "not valid TOML"),
    ],
)
def test_malformed_experiment_file_is_refused_naming_file_and_key(tmp_path, text, expected):
    path = write(tmp_path, text)
    with pytest.raises(ExperimentError) as err:
        load_experiment(path)
    message = str(err.value)
    assert str(path) in message
    assert expected in message, message


def test_sweep_command_refuses_a_malformed_file_before_anything_runs(tmp_path, capsys):
    path = write(tmp_path, good(uncertainty="spillover_strength = { low = -1, high = 1.0 }"))
    out = tmp_path / "out"
    assert innovsim(["sweep", str(path), "--out", str(out), "--workers", "1", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "innovsim: error:" in err and str(path) in err and "spillover_strength" in err
    assert not out.exists()


@pytest.mark.parametrize(
    "name", ["rebate_voucher_grid", "consolidation_sobol", "province_sweep", "lever_morris"]
)
def test_committed_studies_validate_and_stay_a_choice_to_run(name):
    exp = load_experiment(EXPERIMENT_DIR / f"{name}.toml")
    assert exp.name == name and exp.n_runs() >= 32
    if name == "rebate_voucher_grid":
        assert exp.levers["voucher_budget_mcny_per_q"].high == 12.5  # 50 m CNY a year
        assert exp.replications == 30
    if name == "consolidation_sobol":
        assert exp.reference == "baseline" and exp.design == "sobol"
    if name == "province_sweep":
        assert exp.region == "province" and exp.constants["firm_scale"] <= 0.25
    if name == "lever_morris":
        from model.params.scenarios import list_scenarios

        assert exp.design == "morris" and exp.reference == "baseline" and exp.crn
        assert set(exp.scenarios) == set(list_scenarios()) - {"baseline"}
        assert 10 <= len(exp.uncertainties) <= 14


def test_lever_morris_pairs_every_lever_with_one_shared_baseline_run_per_point():
    """A small lever Morris: every point has one baseline run and one run per lever, all on
    the point's seed, which is the same at every point (common random numbers)."""
    exp = load_experiment(EXPERIMENT_DIR / "lever_morris.toml").with_changes(
        samples=2, replications=2, steps=STEPS, constants=FAST
    )
    exp.check()
    d = len(exp.uncertainties)
    assert exp.n_points() == 2 * (d + 1)
    assert exp.n_runs() == exp.n_points() * 2 * (len(exp.scenarios) + 1)
    plan = exp.plan_table()
    for (_, replication), runs in plan.groupby(["point", "replication"]):
        assert sorted(runs["scenario"]) == sorted(["baseline", *exp.scenarios])
        assert runs["seed"].nunique() == 1
        assert runs["seed"].iloc[0] == replication_seed(exp.base_seed, None, replication)


# ============================================================================================
# Running: executors, store, resume, failures


def test_runs_keep_only_the_declared_outputs(reference_sweep):
    results = open_results(reference_sweep)
    df = results.load(parameters=False)
    assert set(df["indicator"]) == set(KEPT)
    region = df[df["county_id"] == -1]
    counties = df[df["county_id"] >= 0]
    assert set(region["step"]) == {0, 1, 2}
    # counties = "final": the year ending at the horizon, which county outcomes there read
    assert set(counties["step"]) == set(window_steps(STEPS))
    assert list(df.columns[:5]) == ["run_id", "scenario", "point", "replication", "seed"]
    # each run is exactly the model run with its parameters and seed
    row = results.plan.iloc[5]
    point = results.design.iloc[int(row["point"])]
    direct = simulate(
        {
            "tax_rebate_share": 1.0,
            "rebate_reinvest_share": 1.0,
            **FAST,
            "voucher_budget_mcny_per_q": float(point["voucher_budget_mcny_per_q"]),
            "platform_service_strength": float(point["platform_service_strength"]),
        }
        if row["scenario"] == "tax_rebate"
        else {
            **FAST,
            "voucher_budget_mcny_per_q": float(point["voucher_budget_mcny_per_q"]),
            "platform_service_strength": float(point["platform_service_strength"]),
        },
        seed=int(row["seed"]),
        steps=STEPS,
        scenario=str(row["scenario"]),
    )
    mine = df[df["run_id"] == row["run_id"]]
    direct = small_experiment().outputs.select(direct, STEPS)
    assert np.array_equal(mine["value"].to_numpy(), direct["value"].to_numpy())


def test_manifest_records_experiment_sample_seeds_versions_and_commit(reference_sweep):
    results = open_results(reference_sweep)
    m = results.manifest
    assert m["experiment"]["name"] == "small" and m["fingerprint"]
    assert m["seeds"] == [int(s) for s in small_experiment().seeds()[0]]
    assert m["seed_derivation"]["common_random_numbers"] is True
    assert m["design"]["points"] == 4 and m["plan"]["runs"] == 16
    assert {"numpy", "pandas", "mesa", "salib", "dask"} <= set(m["versions_all"])
    assert "git_commit" in m and m["status"]["state"] == "complete"
    assert m["scenarios"]["tax_rebate"]["tax_rebate_share"] == 1.0


def test_serial_processes_and_dask_give_identical_numbers(reference_sweep, tmp_path):
    from distributed import Client, LocalCluster

    expected = open_results(reference_sweep).load()
    exp = small_experiment()
    with ProcessExecutor(workers=2) as pool:
        processes = run_experiment(exp, tmp_path / "processes", executor=pool, progress=False)
    assert_frame_equal(processes.load(), expected, check_exact=True)
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        dask = run_experiment(
            exp, tmp_path / "dask", executor=DaskExecutor(client=client), progress=False
        )
    assert dask.last_run["done"] == 16
    assert_frame_equal(dask.load(), expected, check_exact=True)
    # the stored files are byte-identical too
    for run_id in expected["run_id"].unique():
        serial_bytes = (reference_sweep / "runs" / f"{run_id}.parquet").read_bytes()
        assert (tmp_path / "dask" / "runs" / f"{run_id}.parquet").read_bytes() == serial_bytes


@pytest.mark.parametrize("kind", ["serial", "processes", "dask"])
def test_executors_draw_items_lazily_within_a_bounded_window(kind):
    # memory stays bounded however long the sweep: an executor never holds more than
    # max_in_flight items it has drawn and not yet handed back
    from distributed import Client, LocalCluster

    drawn = 0

    def items():
        nonlocal drawn
        for i in range(-30, 0):
            drawn += 1
            yield i

    def check(executor) -> None:
        handed, most = 0, 0
        for item, result, error in executor.imap_unordered(abs, items(), max_in_flight=3):
            most = max(most, drawn - handed)
            handed += 1
            assert error is None and result == -item
        assert handed == drawn == 30
        assert most <= (1 if kind == "serial" else 3)

    if kind == "serial":
        check(SerialExecutor())
    elif kind == "processes":
        with ProcessExecutor(workers=2) as pool:
            check(pool)
    else:
        with (
            LocalCluster(
                n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
            ) as cluster,
            Client(cluster) as client,
        ):
            check(DaskExecutor(client=client))


def test_a_failing_run_is_recorded_and_the_sweep_goes_on(reference_sweep, tmp_path, monkeypatch):
    victim = "p000002-r001-tax_rebate"
    monkeypatch.setenv(FAIL_RUNS_ENV, victim)
    out = tmp_path / "fail"
    results = run_experiment(small_experiment(), out, executor=SerialExecutor(), progress=False)
    assert results.last_run == {**results.last_run, "done": 15, "failed": 1}
    failures = results.failures()
    assert list(failures["run_id"]) == [victim]
    assert "failure injected" in failures["error"].iloc[0]
    assert failures["seed"].iloc[0] == results.plan.set_index("run_id").loc[victim, "seed"]
    assert results.status() == {"total": 16, "done": 15, "failed": 1, "pending": 0}
    assert results.manifest["status"]["failed_runs"] == [victim]
    # resuming retries the failed run; the record goes once it succeeds
    monkeypatch.delenv(FAIL_RUNS_ENV)
    again = run_experiment(
        small_experiment(), out, executor=SerialExecutor(), resume=True, progress=False
    )
    assert again.last_run["done"] == 1 and again.last_run["skipped"] == 15
    assert not (out / "failures" / f"{victim}.json").exists()
    assert_frame_equal(again.load(), open_results(reference_sweep).load(), check_exact=True)


def test_resume_skips_finished_runs_and_stray_files_are_never_read(reference_sweep, tmp_path):
    out = tmp_path / "copy"
    shutil.copytree(reference_sweep, out)
    expected = open_results(reference_sweep).load()
    # a half-written temporary file and a complete-looking stray Parquet file of another name
    bogus = expected.head(3).copy()
    bogus["value"] = 1e9
    buf = io.BytesIO()
    bogus.to_parquet(buf, index=False)
    lost = "p000001-r000-baseline"
    (out / "runs" / f"{lost}.parquet").unlink()  # as if killed while writing it
    (out / "runs" / f".{lost}.parquet.k3j2h1.tmp").write_bytes(buf.getvalue()[:100])
    (out / "runs" / f".{lost}.parquet.a8b7c6.tmp").write_bytes(buf.getvalue())
    (out / "runs" / "p999999-r000-baseline.parquet").write_bytes(buf.getvalue())
    seen = []
    results = run_experiment(
        small_experiment(),
        out,
        executor=SerialExecutor(),
        resume=True,
        progress=False,
        on_result=seen.append,
    )
    assert [r["run_id"] for r in seen] == [lost]  # only the missing run ran
    assert results.last_run["skipped"] == 15
    assert_frame_equal(results.load(), expected, check_exact=True)
    assert (results.load()["value"] < 1e9).all()


def test_a_resume_is_logged_and_warns_when_the_model_code_changed(
    reference_sweep, tmp_path, monkeypatch
):
    import warnings

    import model.runs.results

    out = tmp_path / "copy"
    shutil.copytree(reference_sweep, out)
    created = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # same code: no warning
        run_experiment(
            small_experiment(), out, executor=SerialExecutor(), resume=True, progress=False
        )
    monkeypatch.setattr(model.runs.results, "git_commit", lambda: "0123abcd")
    with pytest.warns(UserWarning, match="different git commit.*'0123abcd' now"):
        run_experiment(
            small_experiment(), out, executor=SerialExecutor(), resume=True, progress=False
        )
    man = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert man["git_commit"] == created["git_commit"]  # the creating session's
    assert [r["git_commit"] for r in man["resumed"]] == [created["git_commit"], "0123abcd"]
    assert man["status"]["state"] == "complete"  # the log survives the status updates


def test_a_folder_is_never_mixed_with_another_experiment(reference_sweep, tmp_path):
    out = tmp_path / "copy"
    shutil.copytree(reference_sweep, out)
    with pytest.raises(ExperimentError, match="pass --resume"):
        run_experiment(small_experiment(), out, executor=SerialExecutor(), progress=False)
    with pytest.raises(ExperimentError, match=r"different experiment \(changed: replications"):
        run_experiment(
            small_experiment(replications=3),
            out,
            executor=SerialExecutor(),
            resume=True,
            progress=False,
        )


def test_effects_are_paired_differences_on_the_same_seed(reference_sweep):
    results = open_results(reference_sweep)
    effects = results.effects(["high_tech_enterprises"])
    assert len(effects) == 4 * 2
    assert set(effects["scenario"]) == {"tax_rebate"}
    out = results.outcomes(["high_tech_enterprises"])
    for _, row in effects.iterrows():
        pair = out[(out["point"] == row["point"]) & (out["replication"] == row["replication"])]
        assert pair["seed"].nunique() == 1
        by = pair.set_index("scenario")["value"]
        assert row["effect"] == by["tax_rebate"] - by["baseline"]
    assert "voucher_budget_mcny_per_q" in effects.columns


def test_loading_filters_indicators_steps_scenarios_and_counties(reference_sweep):
    results = open_results(reference_sweep)
    df = results.load(
        indicators=["invention_patent_grants"],
        steps="final",
        scenarios=["baseline"],
        counties="region",
    )
    assert len(df) == 8
    assert set(df["indicator"]) == {"invention_patent_grants"}
    assert set(df["scenario"]) == {"baseline"} and set(df["county_id"]) == {-1}


# ============================================================================================
# Sensitivity analysis


def formula_run_result(spec, value: float) -> dict:
    """What a worker returns for one run whose region-wide high-tech enterprises are ``value``."""
    frame = pd.DataFrame(
        {
            "run_id": pd.Series([spec.run_id], dtype="string"),
            "scenario": pd.Series([spec.scenario], dtype="string"),
            "point": [spec.point],
            "replication": [spec.replication],
            "seed": [spec.seed],
            "step": [spec.steps],
            "county_id": [-1],
            "county": pd.Series(["region"], dtype="string"),
            "indicator": pd.Series(["high_tech_enterprises"], dtype="string"),
            "value": [value],
        }
    )
    buf = io.BytesIO()
    frame.to_parquet(buf, index=False)
    return {"parquet": buf.getvalue(), "error": None}


class FormulaExecutor(Executor):
    """A fake executor whose 'model' is y = 4 a + b^2 (a, b the uncertainties), no noise.

    Lets the Sobol and Morris plumbing (sample order, unit space, lever points) be checked
    against indices known in closed form.
    """

    name = "formula"

    def imap_unordered(self, fn, items, max_in_flight=None):
        for spec in items:
            a = spec.overrides["spillover_strength"]
            b = spec.overrides["platform_service_strength"]
            lever = spec.overrides.get("tax_rebate_share", 0.0)
            value = 4.0 * a + b**2 + 10.0 * lever
            yield spec, formula_run_result(spec, value), None


def formula_experiment(design: str, samples: int) -> Experiment:
    return Experiment(
        name=f"formula_{design}",
        design=design,
        samples=samples,
        levers={"tax_rebate_share": [0.0, 1.0]},
        uncertainties={
            "spillover_strength": Range(0.0, 1.0),
            "platform_service_strength": Range(0.0, 1.0),
        },
        constants=FAST,
        steps=STEPS,
        outputs=Outputs(indicators=["high_tech_enterprises"], steps="final"),
    )


def test_sobol_indices_recover_a_known_formula(tmp_path):
    from model.experiments.sensitivity import plot_sobol, sobol_indices

    results = run_experiment(
        formula_experiment("sobol", 64), tmp_path, executor=FormulaExecutor(), progress=False
    )
    indices = sobol_indices(results)
    assert len(indices) == 2 * 2  # two lever points x two parameters
    # y = 4a + b^2 with a, b ~ U(0, 1): V(4a) = 16/12, V(b^2) = 4/45
    va, vb = 16 / 12, 4 / 45
    for _, g in indices.groupby("lever_point"):
        s = g.set_index("parameter")
        assert s.loc["spillover_strength", "S1"] == pytest.approx(va / (va + vb), abs=0.04)
        assert s.loc["platform_service_strength", "ST"] == pytest.approx(vb / (va + vb), abs=0.04)
        assert (g["S1_conf"] > 0).all() and (g["ST_conf"] > 0).all()
    assert set(indices["tax_rebate_share"]) == {0.0, 1.0}
    fig = plot_sobol(indices, lang="zh")
    assert len(fig.axes) == 2


def test_morris_ranks_parameters_by_their_effect_over_the_range(tmp_path):
    from model.experiments.sensitivity import morris_indices, plot_morris

    results = run_experiment(
        formula_experiment("morris", 20), tmp_path, executor=FormulaExecutor(), progress=False
    )
    indices = morris_indices(results)
    s = indices[indices["lever_point"] == 0].set_index("parameter")
    assert s.loc["spillover_strength", "mu_star"] == pytest.approx(4.0)  # linear: exact
    assert s.loc["spillover_strength", "sigma"] == pytest.approx(0.0, abs=1e-9)
    assert 0.0 < s.loc["platform_service_strength", "mu_star"] < 2.0
    assert len(plot_morris(indices).axes) == 2


class LeverFormulaExecutor(Executor):
    """A fake executor for a reference and two levers, with seed noise that pairing removes.

    baseline: 4 a + b^2 + noise(seed); tax_rebate: baseline + 2 a - 1 (net effect positive
    iff a > 1/2); rd_grants: baseline + 3 (always positive); a, b the uncertainties.
    """

    name = "lever-formula"

    def imap_unordered(self, fn, items, max_in_flight=None):
        for spec in items:
            a = spec.overrides["spillover_strength"]
            b = spec.overrides["platform_service_strength"]
            value = 4.0 * a + b**2 + (spec.seed % 1000) / 10.0
            value += {"baseline": 0.0, "tax_rebate": 2.0 * a - 1.0, "rd_grants": 3.0}[spec.scenario]
            yield spec, formula_run_result(spec, value), None


def test_lever_morris_indices_and_signs_are_of_the_net_effect_against_the_shared_baseline(
    tmp_path,
):
    from model.experiments.sensitivity import effect_signs, effect_signs_by_half, morris_indices

    exp = Experiment(
        name="lever_formula",
        scenarios=["tax_rebate", "rd_grants"],
        reference="baseline",
        design="morris",
        samples=6,
        replications=2,
        uncertainties={
            "spillover_strength": Range(0.0, 1.0),
            "platform_service_strength": Range(0.0, 1.0),
        },
        constants=FAST,
        steps=STEPS,
        outputs=Outputs(indicators=["high_tech_enterprises"], steps="final"),
    )
    results = run_experiment(exp, tmp_path, executor=LeverFormulaExecutor(), progress=False)
    assert results.last_run["done"] == 6 * 3 * 2 * 3  # one baseline run per point shared

    effects = results.effects(["high_tech_enterprises"])
    a = effects["spillover_strength"].to_numpy()
    expected = np.where(effects["scenario"] == "tax_rebate", 2.0 * a - 1.0, 3.0)
    np.testing.assert_allclose(effects["effect"], expected, atol=1e-9)  # seed noise cancels

    idx = morris_indices(results).set_index(["scenario", "parameter"])
    assert idx.loc[("tax_rebate", "spillover_strength"), "mu_star"] == pytest.approx(2.0)
    assert idx.loc[("tax_rebate", "platform_service_strength"), "mu_star"] == pytest.approx(0.0)
    assert idx.loc[("rd_grants", "spillover_strength"), "mu_star"] == pytest.approx(0.0)

    signs = effect_signs(results).set_index("scenario")
    assert signs.loc["rd_grants", "positive_share"] == 1.0
    unit_a = results.design.set_index("point")["unit:spillover_strength"]
    assert signs.loc["tax_rebate", "positive_share"] == pytest.approx(np.mean(unit_a > 0.5))
    assert signs.loc["tax_rebate", "points"] == exp.n_points()

    halves = effect_signs_by_half(results).set_index(["scenario", "parameter"])
    split = halves.loc[("tax_rebate", "spillover_strength")]
    assert split["positive_share_low"] == 0.0 and split["positive_share_high"] == 1.0
    assert abs(halves.loc[("tax_rebate", "platform_service_strength"), "share_gap"]) < 1.0


def test_sweep_command_runs_a_morris_study_and_writes_indices_and_figures(tmp_path, capsys):
    path = write(
        tmp_path,
        """
name = "tiny_morris"
scenarios = ["platform_consolidation"]
reference = "baseline"
steps = 2
replications = 1
design = "morris"
samples = 2
morris_levels = 4
[constants]
firm_scale = 0.1
policy_start_step = 1
[uncertainties]
consolidation_radius_km = { low = 2.0, high = 30.0 }
merger_transition_q = { low = 0, high = 4 }
[outputs]
indicators = ["high_tech_enterprises", "platforms"]
steps = "final"
[analysis]
indicators = ["platforms"]
lang = ["en", "zh"]
""",
    )
    out = tmp_path / "out"
    assert innovsim(["sweep", str(path), "--out", str(out), "--workers", "1", "--quiet"]) == 0
    table = pd.read_csv(out / "sensitivity_morris.csv")
    assert list(table["parameter"]) == ["consolidation_radius_km", "merger_transition_q"]
    assert table["mu_star"].notna().all()
    assert (out / "figures" / "sensitivity_morris_en.png").stat().st_size > 0
    assert (out / "figures" / "sensitivity_morris_zh.png").stat().st_size > 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert "tiny_morris" in manifest["experiment_file_text"]
    assert manifest["command"].startswith(f"innovsim sweep {path} --out {out}")
    assert "12 runs done" in capsys.readouterr().err  # 2 x (2 + 1) points x 2 scenarios


# ============================================================================================
# Other drivers


def test_run_model_returns_final_values_and_trajectories():
    out = run_model(seed=3, steps=STEPS, firm_scale=0.1, tax_rebate_share=1.0)
    tidy = simulate({"firm_scale": 0.1, "tax_rebate_share": 1.0}, seed=3, steps=STEPS)
    region = tidy[tidy["county_id"] == -1]
    for name in ("high_tech_enterprises", "rd_spending_mcny"):
        expected = region[region["indicator"] == name]["value"].to_numpy()
        assert np.array_equal(out[f"{name}_trajectory"], expected)
    # the outcome at the horizon: a stock's last value, a flow summed over the last year
    hte = region[region["indicator"] == "high_tech_enterprises"]["value"].to_numpy()
    assert out["high_tech_enterprises"] == hte[-1]
    rd = region[region["indicator"] == "rd_spending_mcny"]["value"].to_numpy()
    assert out["rd_spending_mcny"] == pytest.approx(rd[-4:].sum(), rel=1e-12)
    assert out["rd_spending_mcny"] != rd[-1]
    assert set(INDICATOR_NAMES) <= set(out)
    assert list(out["step"]) == [0, 1, 2]
    assert all(math.isfinite(out[n]) for n in INDICATOR_NAMES)
