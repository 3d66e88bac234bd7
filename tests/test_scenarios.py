"""Tests for the scenario files (scenarios/*.toml) and the scenario loader.

Three groups:

* the files: every scenario loads, validates, extends the baseline, names its benefit and cost
  channels and a setting where it fails, and uses the report's figures;
* the loader: malformed files are refused before anything runs, naming the file and the key;
* the mechanisms: each scenario, run against the baseline with the same seed (common random
  numbers), changes what its lever should change, is paid for by the payer it names, and changes
  nothing before the policy starts.

Runs use a quarter of the firms and start the policy at quarter 1 so the whole module takes
seconds; a run is built once and shared by the tests that read it (they must not step it).
"""

from __future__ import annotations

import math
import tomllib
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from model.params.scenarios import SCENARIO_DIR, ScenarioError, list_scenarios, load_scenario
from model.params.table import PARAMETER_NAMES, SPEC_BY_NAME, Parameters
from model.sim.engine import Simulation
from model.sim.indicators import INDICATOR_INDEX, INDICATORS
from model.sim.region import load_region
from model.sim.sectors import N_SECTORS, TRADITIONAL
from model.sim.state import CAPITAL_GUIDANCE, CAPITAL_TECH_BANK, PLATFORM_INCUBATOR

LEVERS = (
    "platform_consolidation",
    "platform_specialisation",
    "tax_rebate",
    "innovation_vouchers",
    "talent_enclaves",
    "capital_chain",
    "talent_programs",
    "regional_integration",
    "rd_grants",
    "kpi_assessment",
)
POLICY_SCENARIOS = (*LEVERS, "combined")
ALL_SCENARIOS = ("baseline", *POLICY_SCENARIOS)
FAST = {"firm_scale": 0.25, "policy_start_step": 1}
SEED = 1
DAYS_PER_QUARTER = 91.25


# --------------------------------------------------------------------------------------------
# Shared runs


@cache
def region(status_quo: bool = False):
    """The built-in region; by default without its status quo (ODD §7.12), so each lever's
    mechanics and costs are seen alone: the status quo's own programmes (Jiashan's and
    Changxing's enclave rent, Changxing's officers) would add their costs to those counties'
    accounts in every scenario. tests/test_status_quo.py tests the status quo itself."""
    full = load_region("jiaxing-huzhou")
    return full if status_quo else full.without_status_quo()


@cache
def run(
    name: str, steps: int, seed: int = SEED, extra: tuple = (), status_quo: bool = False
) -> Simulation:
    """Scenario ``name`` after ``steps`` quarters (read only: the object is shared)."""
    params = load_scenario(name).parameters({**FAST, **dict(extra)})
    sim = Simulation(region(status_quo), params, seed, check_accounting=True)
    for _ in range(steps):
        sim.step()
    return sim


def indicator(sim: Simulation, name: str) -> np.ndarray:
    """County values (n_counties,) of one indicator at the simulation's current quarter."""
    return sim.indicators[:, INDICATOR_INDEX[name]]


def raw_toml(name: str) -> dict:
    return tomllib.loads((SCENARIO_DIR / f"{name}.toml").read_text(encoding="utf-8"))


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


MINIMAL = 'name = "x"\ndescription = "d"\nreport = "§3"\n'


# --------------------------------------------------------------------------------------------
# The scenario files


def test_list_scenarios_lists_the_baseline_and_eleven_policy_scenarios():
    assert list_scenarios() == sorted(ALL_SCENARIOS)


@pytest.mark.parametrize("name", ALL_SCENARIOS)
def test_scenario_file_loads_and_validates(name):
    s = load_scenario(name)
    assert s.name == name
    assert s.report.startswith("§")
    assert Path(s.source) == SCENARIO_DIR / f"{name}.toml"
    assert s.name_zh != s.name and any("\u4e00" <= ch <= "\u9fff" for ch in s.name_zh)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in s.description_zh)
    params = s.parameters(FAST)
    for key, value in s.overrides.items():
        assert params[key] == value


@pytest.mark.parametrize("name", POLICY_SCENARIOS)
def test_policy_scenario_extends_baseline_and_changes_parameters_only(name):
    data = raw_toml(name)
    assert data["extends"] == "baseline"
    overrides = load_scenario(name).overrides
    assert overrides, "a policy scenario must change something"
    assert set(overrides) <= set(PARAMETER_NAMES)
    assert not set(overrides) & {ind.name for ind in INDICATORS}
    # the scale and the schedule belong to the experiment, not to a policy
    assert not set(overrides) & {"firm_scale", "policy_start_step"}


@pytest.mark.parametrize("name", POLICY_SCENARIOS)
def test_description_names_benefit_and_cost_channels(name):
    s = load_scenario(name)
    assert "Benefit channel" in s.description
    assert "Cost and risk channel" in s.description
    assert "收益渠道" in s.description_zh
    assert "成本与风险渠道" in s.description_zh


@pytest.mark.parametrize("name", POLICY_SCENARIOS)
def test_fails_when_documents_a_valid_setting_that_changes_the_lever(name):
    s = load_scenario(name)
    assert set(s.fails_when) == {"note", "note_zh", "parameters", "indicator"}
    assert len(s.fails_when["note"]) > 40
    # the Chinese note is Chinese and about as complete as the English one
    cjk = sum("\u4e00" <= ch <= "\u9fff" for ch in s.fails_when["note_zh"])
    assert cjk > len(s.fails_when["note"]) / 6
    changes = s.fails_when["parameters"]
    assert changes
    Parameters({**s.overrides, **changes})  # valid together with the scenario's own values
    assert any(s.overrides.get(k, SPEC_BY_NAME[k].default) != v for k, v in changes.items())


def test_scenarios_use_the_report_figures():
    chain = load_scenario("capital_chain").overrides
    assert chain["capital_chain_guidance_mcny"] == 458.5  # Changxing's six funds
    assert chain["guidance_leverage"] == pytest.approx(915 / 458.5 - 1, abs=0.01)
    assert chain["mother_fund_leverage"] == pytest.approx(10.2 / 7.5, abs=0.005)
    talent = load_scenario("talent_programs").overrides
    assert talent["cto_firms_per_county"] == round(180 / 12)
    assert talent["town_mayor_experts_per_county"] == round(85 / 12)
    m2_per_firm = load_scenario("talent_enclaves").parameters()["enclave_m2_per_firm"]
    assert m2_per_firm == pytest.approx(40_000 / 24, abs=1)
    assert 40_000 // m2_per_firm == 24  # Changxing's 24 firms
    floors = {c.key: c.enclave_floor_m2 for c in region(status_quo=True).counties}
    assert floors["jiashan"] == 17_000 and floors["changxing"] == 40_000
    assert load_scenario("tax_rebate").overrides["tax_rebate_share"] == 1.0
    vouchers = load_scenario("innovation_vouchers").overrides
    assert vouchers["voucher_nonuse"] == 0.1 and vouchers["voucher_crowding_out"] == 0.1
    assert vouchers["equipment_sharing_regionwide"] is True


def test_combined_includes_every_lever_and_contains_their_overrides():
    assert sorted(raw_toml("combined")["includes"]) == sorted(LEVERS)
    combined = load_scenario("combined").overrides
    for name in LEVERS:
        part = load_scenario(name).overrides
        assert part.items() <= combined.items(), name
    assert set(combined) == set().union(*(load_scenario(n).overrides for n in LEVERS))


def test_scenarios_compose_with_plus():
    s = load_scenario("tax_rebate+innovation_vouchers")
    expected = {
        **load_scenario("tax_rebate").overrides,
        **load_scenario("innovation_vouchers").overrides,
    }
    assert s.overrides == expected
    assert s.name == "tax_rebate+innovation_vouchers"


# --------------------------------------------------------------------------------------------
# Malformed files are refused, naming the file and the key


def _refused(path: Path, *fragments: str) -> str:
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    message = str(err.value)
    assert str(path) in message
    for fragment in fragments:
        assert fragment in message, message
    return message


def test_unknown_top_level_key_is_refused(tmp_path):
    path = write(tmp_path / "typo.toml", MINIMAL + "[paramters]\ntax_rebate_share = 1.0\n")
    _refused(path, "'paramters'", "allowed keys", "parameters")


def test_unknown_parameter_is_refused_with_a_suggestion(tmp_path):
    path = write(tmp_path / "typo.toml", MINIMAL + "[parameters]\ntax_rebate_shar = 1.0\n")
    _refused(path, "'tax_rebate_shar'", "Did you mean", "tax_rebate_share")


@pytest.mark.parametrize(
    ("body", "key", "what"),
    [
        ("[parameters]\nconsolidation_enabled = 1\n", "'consolidation_enabled'", "true or false"),
        ('[parameters]\ntax_rebate_share = "full"\n', "'tax_rebate_share'", "a number"),
        ("[parameters]\ncto_firms_per_county = 2.5\n", "'cto_firms_per_county'", "an integer"),
        ('includes = "tax_rebate"\n', "'includes'", "must be a list"),
        ("description_zh = 3\n", "'description_zh'", "must be a str"),
    ],
)
def test_wrong_type_is_refused(tmp_path, body, key, what):
    path = write(tmp_path / "wrong_type.toml", MINIMAL + body)
    _refused(path, key, what)


@pytest.mark.parametrize(
    ("body", "key"),
    [
        ("tax_rebate_share = 1.5", "'tax_rebate_share'"),
        ("enclave_relocation_per_q = -0.1", "'enclave_relocation_per_q'"),
        ("integration_matching_draws = 0", "'integration_matching_draws'"),
    ],
)
def test_out_of_range_value_is_refused(tmp_path, body, key):
    path = write(tmp_path / "range.toml", MINIMAL + "[parameters]\n" + body + "\n")
    _refused(path, key, "out of range", "allowed")


def test_inconsistent_parameters_are_refused(tmp_path):
    path = write(tmp_path / "shares.toml", MINIMAL + "[parameters]\nst_share_platforms = 0.9\n")
    _refused(path, "st_share_platforms", "exceeds 1")


def test_bad_toml_is_refused(tmp_path):
    path = write(tmp_path / "bad.toml", MINIMAL + "[parameters\ntax_rebate_share = 1.0\n")
    _refused(path, "not valid TOML")


@pytest.mark.parametrize("missing", ["name", "description", "report"])
def test_missing_required_key_is_refused(tmp_path, missing):
    lines = [line for line in MINIMAL.splitlines() if not line.startswith(missing + " ")]
    path = write(tmp_path / "missing.toml", "\n".join(lines) + "\n")
    _refused(path, f"key {missing!r}: required key is missing")


def test_cycle_in_extends_is_refused(tmp_path):
    write(tmp_path / "a.toml", MINIMAL + 'extends = "b"\n')
    write(tmp_path / "b.toml", MINIMAL + 'extends = "a"\n')
    message = _refused(tmp_path / "a.toml", "'extends'/'includes' form a cycle")
    assert "b.toml" in message


def test_self_include_is_refused(tmp_path):
    path = write(tmp_path / "me.toml", MINIMAL + 'includes = ["me"]\n')
    _refused(path, "cycle")


def test_conflicting_includes_are_refused(tmp_path):
    write(tmp_path / "full.toml", MINIMAL + "[parameters]\ntax_rebate_share = 1.0\n")
    write(tmp_path / "half.toml", MINIMAL + "[parameters]\ntax_rebate_share = 0.5\n")
    path = write(tmp_path / "both.toml", MINIMAL + 'includes = ["full", "half"]\n')
    _refused(path, "'tax_rebate_share'", "includes 'half'", "must agree")
    with pytest.raises(ScenarioError, match="tax_rebate_share.*must agree"):
        load_scenario("full+half", directory=tmp_path)


def test_bad_fails_when_is_refused(tmp_path):
    path = write(tmp_path / "fw.toml", MINIMAL + "[fails_when]\nnote = 'n'\nwhy = 'w'\n")
    _refused(path, "'why'", "[fails_when]")
    path = write(
        tmp_path / "fw2.toml", MINIMAL + "[fails_when]\nparameters = { voucher_nonuse = 2.0 }\n"
    )
    _refused(path, "fails_when.", "'voucher_nonuse'", "out of range")


def test_unknown_scenario_name_lists_the_known_ones():
    with pytest.raises(ScenarioError, match="unknown scenario 'tax_rebates'.*tax_rebate"):
        load_scenario("tax_rebates")


def test_user_file_given_by_path_works_and_may_extend_a_built_in(tmp_path):
    path = write(
        tmp_path / "my_rebate.toml",
        'name = "my_rebate"\ndescription = "half the rebate"\nreport = "§3.3"\n'
        'extends = "tax_rebate"\n[parameters]\nrebate_reinvest_share = 0.5\n',
    )
    s = load_scenario(path)
    assert s.name == "my_rebate" and s.source == str(path)
    assert s.overrides == {"tax_rebate_share": 1.0, "rebate_reinvest_share": 0.5}
    assert load_scenario(str(path)).overrides == s.overrides
    assert s.parameters(FAST).rebate_reinvest_share == 0.5


def test_cli_refuses_a_bad_file_before_anything_runs(tmp_path, monkeypatch, capsys):
    import model.cli
    import model.experiments.run

    def must_not_run(*args, **kwargs):
        raise AssertionError("a run started although the scenario file is invalid")

    monkeypatch.setattr(model.experiments.run, "run_experiment", must_not_run)
    path = write(tmp_path / "bad.toml", MINIMAL + "[parameters]\nvoucher_face_value_mcny = 0\n")
    out = tmp_path / "out"
    code = model.cli.main(["run", str(path), "--out", str(out), "--quiet", "--seeds", "1"])
    assert code == 2
    err = capsys.readouterr().err
    assert str(path) in err and "'voucher_face_value_mcny'" in err
    assert not out.exists()


# --------------------------------------------------------------------------------------------
# No scenario touches the world before its policy starts


@pytest.mark.parametrize(
    "name",
    [n for n in POLICY_SCENARIOS],
)
def test_indicators_equal_the_baseline_before_the_policy_starts(name):
    base, scenario = run("baseline", 0, status_quo=True), run(name, 0, status_quo=True)
    assert scenario.step_index == 0 < scenario.params.policy_start_step
    differ = [
        ind.name
        for i, ind in enumerate(INDICATORS)
        if not np.array_equal(scenario.indicators[:, i], base.indicators[:, i])
    ]
    assert differ == []


def test_the_same_seed_gives_the_same_baseline():
    again = Simulation(region(), load_scenario("baseline").parameters(FAST), SEED)
    assert np.array_equal(again.indicators, run("baseline", 0).indicators)


# --------------------------------------------------------------------------------------------
# Mechanisms, each against the baseline with the same seed


def test_consolidation_merges_nearby_platforms_into_fewer_larger_ones_at_a_county_cost():
    base, cons = run("baseline", 1), run("platform_consolidation", 1)
    bp, cp = base.platforms, cons.platforms
    merged = cons.events["merged_platforms"]
    assert merged > 0
    assert cp.alive.sum() == bp.alive.sum() - merged
    # a third of the platforms merge (1.50 times the mean capacity, seed 1, data-based region)
    assert cp.capacity[cp.alive].mean() > 1.4 * bp.capacity[bp.alive].mean()
    # capacity is pooled, not lost
    assert cp.capacity[cp.alive].sum() == bp.capacity[bp.alive].sum()
    # single-firm platforms were opened to the sector
    assert (cp.anchor_firm[cp.alive] >= 0).sum() < (bp.anchor_firm[bp.alive] >= 0).sum()
    # the survivors of one kind in a county lie further apart than the radius (kinds do
    # not merge: every kind survives in a county that had it)
    radius = cons.params.consolidation_radius_km
    x, y = cons._cell_x_km[cp.cell], cons._cell_y_km[cp.cell]
    for c in range(cons.n_counties):
        for kind in np.unique(bp.kind[bp.alive & (bp.county == c)]):
            k = np.flatnonzero(cp.alive & (cp.county == c) & (cp.kind == kind))
            assert len(k) > 0
            d = np.hypot(x[k, None] - x[None, k], y[k, None] - y[None, k])
            assert (d[~np.eye(len(k), dtype=bool)] > radius).all()
    # incubated firms stay on incubators
    incubated = cons.firms.alive & cons.firms.incubated & (cons.firms.platform >= 0)
    assert incubated.any()
    assert (cp.kind[cons.firms.platform[incubated]] == PLATFORM_INCUBATOR).all()
    # absorbers reorganise; the county pays each merger (its only policy cost)
    absorbers = cp.alive & (cp.transition_until_step == 1 + cons.params.merger_transition_q)
    assert 0 < absorbers.sum() <= merged
    # (paid out of its S&T account as far as the floor allows; the rest is owed)
    cost = indicator(cons, "county_policy_cost_mcny")
    owed = cons.counties.st_payable_mcny.sum()
    assert cost.sum() + owed == pytest.approx(merged * cons.params.merger_cost_mcny)
    assert indicator(cons, "province_policy_cost_mcny").sum() == 0
    assert indicator(cons, "platforms").sum() == cp.alive.sum()


def test_specialisation_gives_distinct_foci_and_one_centre_per_emerging_sector():
    base, spec = run("baseline", 1), run("platform_specialisation", 1)
    emerging = [s for s in range(N_SECTORS) if s != TRADITIONAL]
    firms = spec.firms

    def focus_counts(sim, c):
        p = sim.platforms
        f = p.sector_focus[p.alive & (p.county == c)]
        return np.bincount(f[f >= 0], minlength=N_SECTORS), len(f)

    homogeneous = 0
    for c in range(spec.n_counties):
        counts, n = focus_counts(spec, c)
        assert counts.sum() == n  # every platform has a focus
        # foci are the sectors present in the county (traditional manufacturing included, as
        # specialised parks inside industrial parks, report §3.2), and no two platforms share
        # a focus until every present sector has one
        present = (
            np.bincount(firms.sector[firms.alive & (firms.county == c)], minlength=N_SECTORS) > 0
        )
        assert (counts[~present] == 0).all()
        assert counts[present].max() - counts[present].min() <= 1
        assert (counts[present] > 0).sum() == min(n, present.sum())
        base_counts, base_n = focus_counts(base, c)
        homogeneous += (base_counts[emerging] > 1).any() and (base_counts[emerging] == 0).any()
    assert homogeneous > 0  # the baseline has overlapping positioning (report §2.1)
    p = spec.platforms
    centres = p.alive & (p.level == 2)
    assert sorted(p.sector_focus[centres]) == emerging
    assert (p.anchor_firm[p.alive] < 0).all()


def test_tax_rebate_returns_the_yearly_netted_increment_of_high_tech_cit():
    """Report §3.3: the base is the quarterly mean of the year before the rule (quarters 0-3,
    after the burn-in); from quarter 4 the province part of high-tech CIT is summed over each
    calendar year, and at its last quarter (7, 11, ...) the county receives the year's
    increment over four times the base, netted against earlier shortfalls; never in between."""
    start = {"policy_start_step": 4}
    base = Simulation(region(), load_scenario("baseline").parameters({**FAST, **start}), SEED)
    rebate = Simulation(
        region(), load_scenario("tax_rebate").parameters({**FAST, **start}), SEED, True
    )
    general = Simulation(
        region(),
        load_scenario("tax_rebate").parameters({**FAST, **start, "rebate_reinvest_share": 0.0}),
        SEED,
    )
    paid = 0.0
    year_sum = np.zeros(region().n_counties)
    carry = np.zeros(region().n_counties)
    n_shortfalls = 0
    for _ in range(12):
        for sim in (base, rebate, general):
            sim.step()
        c, t = rebate.counties, rebate.step_index
        expected = np.zeros(region().n_counties)
        if t >= 4:
            year_sum += c.province_hte_cit_mcny
        if t >= 4 and t % 4 == 3:
            net = carry + year_sum - 4 * c.province_hte_cit_base_mcny
            expected = rebate.params.tax_rebate_share * np.maximum(net, 0.0)
            n_shortfalls += (net < 0).sum()
            carry = np.minimum(net, 0.0)
            year_sum[:] = 0.0
        np.testing.assert_allclose(c.rebate_mcny, expected, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(indicator(rebate, "province_policy_cost_mcny"), c.rebate_mcny)
        paid += c.rebate_mcny.sum()
        if t == 7:
            # the first settlement: until now the run equals the baseline, so the county's S&T
            # spending rises by the share of the rebate it reinvests ...
            assert (c.rebate_mcny > 0).any()
            extra = c.st_spending_mcny - base.counties.st_spending_mcny
            reinvested = rebate.params.rebate_reinvest_share * c.rebate_mcny
            np.testing.assert_allclose(extra, reinvested, rtol=1e-9, atol=1e-9)
            # ... and not at all when it treats the rebate as general revenue
            # (equal up to the rounding of adding and spending the rebate in the same account)
            np.testing.assert_allclose(
                general.counties.st_spending_mcny,
                base.counties.st_spending_mcny,
                rtol=1e-12,
                atol=1e-12,
            )
            assert general.counties.province_policy_cost_mcny.sum() > 0
    assert paid > 0
    assert n_shortfalls > 0  # some county's tax fell short of its base: netted, not paid
    assert indicator(base, "province_policy_cost_mcny").sum() == 0


def test_tax_rebate_pays_an_increment_when_the_policy_starts_right_after_burn_in():
    sim = Simulation(region(), load_scenario("tax_rebate").parameters(FAST), SEED)
    paid = 0.0
    for _ in range(12):
        sim.step()
        paid += sim.counties.rebate_mcny.sum()
    assert paid > 0


def test_vouchers_are_issued_redeemed_at_platforms_and_paid_half_by_counties_half_by_province():
    base, vou = run("baseline", 1), run("innovation_vouchers", 1)
    f = vou.firms
    holders = f.alive & (f.voucher_mcny > 0)
    face = vou.params.voucher_face_value_mcny
    n_max = vou.params.voucher_budget_mcny_per_q / face
    assert 0 < holders.sum() <= n_max
    assert (f.voucher_mcny[holders] == face).all()
    # only SMEs that are not certified high-tech and not listed
    assert (f.employees[holders] <= 300).all()
    assert (f.hte_until_step[holders] <= vou.step_index).all()
    assert not f.listed[holders].any()
    by_county = np.bincount(f.county[holders], weights=f.voucher_mcny[holders], minlength=12)
    np.testing.assert_allclose(indicator(vou, "county_policy_cost_mcny"), 0.5 * by_county)
    np.testing.assert_allclose(indicator(vou, "province_policy_cost_mcny"), 0.5 * by_county)
    # the platforms receive the vouchers, less the platform share of the county's half: the
    # county pays its half before the baseline S&T lines, which have that much less (the
    # first policy quarter: budgets otherwise equal)
    received = vou.platforms.cash_mcny - base.platforms.cash_mcny
    displaced = vou.params.st_share_platforms * 0.5 * by_county.sum()
    assert received.sum() == pytest.approx(by_county.sum() - displaced)
    # equipment sharing is region-wide: money crosses county borders
    by_platform_county = np.bincount(
        vou.platforms.county, weights=np.maximum(received, 0), minlength=12
    )
    assert not np.allclose(by_platform_county, by_county)
    assert indicator(base, "county_policy_cost_mcny").sum() == 0


def test_vouchers_add_research_beyond_the_crowded_out_part():
    base, vou = run("baseline", 2), run("innovation_vouchers", 2)
    # firms that held a voucher in quarter 1 and did research in quarter 2
    held = run("innovation_vouchers", 1).firms.voucher_mcny > 0
    n = min(len(held), len(base.firms.alive))
    k = np.flatnonzero(held[:n] & vou.firms.alive[:n] & (vou.firms.rd_staff[:n] > 0))
    assert len(k) > 0
    assert vou.firms.new_knowledge[k].sum() > base.firms.new_knowledge[k].sum()


def test_enclaves_host_firms_that_hire_hub_talent_and_the_county_pays_rent():
    # the scenario on the full region (Jiashan's and Changxing's enclaves are the status quo,
    # the others the scenario's), against a baseline with no enclave at all
    base, enc = run("baseline", 2), run("talent_enclaves", 2, status_quo=True)
    p = enc.params
    full = region(status_quo=True)
    floors = np.array([c.enclave_floor_m2 or p.enclave_default_floor_m2 for c in full.counties])
    slots = np.floor(floors * p.firm_scale / p.enclave_m2_per_firm).astype(int)
    # every county rents the places its floor gives, except Changxing: its status-quo contracts
    # exceed its S&T envelope at the firm count its 2014 GDP gives it, so its account sits at
    # the floor and pays the rent of fewer places (ODD §7.12)
    cx = full.county_id("changxing")
    paid = enc.counties.enclave_slots[: full.n_counties].copy()
    others = np.arange(full.n_counties) != cx
    np.testing.assert_array_equal(paid[others], slots[others])
    assert 0 < paid[cx] < slots[cx]
    assert slots[cx] > slots[full.county_id("jiashan")] > 0
    f = enc.firms
    in_enclave = f.alive & f.in_enclave
    # no county hosts more firms than the places it pays for: the firms beyond Changxing's
    # paid places went home in the quarter its rent was cut, not at the next yearly draw
    occupied = np.bincount(f.county[in_enclave], minlength=full.n_counties)[: full.n_counties]
    assert (occupied <= paid).all() and occupied.sum() > 0
    assert occupied[cx] == paid[cx]
    slots = paid
    assert (f.sector[in_enclave] != TRADITIONAL).all()
    # R&D in the hub: enclave firms employ hub talent, and only they do
    t = enc.talent
    hub_hired = t.alive & (t.hub >= 0) & (t.employer_firm >= 0)
    assert hub_hired.sum() > 0
    assert f.in_enclave[t.employer_firm[hub_hired]].all()
    bt = base.talent
    assert not (bt.alive & (bt.hub >= 0) & (bt.employer_firm >= 0)).any()
    assert not (base.firms.alive & base.firms.in_enclave).any()
    # enclave firms reach the hub's knowledge and staff: they produce more knowledge
    k = np.flatnonzero(in_enclave[: len(base.firms.alive)])
    assert enc.firms.new_knowledge[k].sum() > base.firms.new_knowledge[k].sum()
    # rent on the whole floor, the county's only policy cost besides Changxing's status-quo
    # chief technology officers and the interest on an S&T deficit they run up (Changxing's
    # rent and officers exceed its S&T envelope)
    rent = slots * p.enclave_m2_per_firm * p.enclave_rent_cny_per_m2_day * DAYS_PER_QUARTER / 1e6
    links = np.bincount(f.county[f.alive & f.expert_link], minlength=full.n_counties)
    assert links[full.county_id("changxing")] > 0 and links.sum() == links.max()
    interest = enc.counties.st_interest_mcny[: full.n_counties]
    assert interest[full.county_id("changxing")] > 0 and interest.sum() == interest.max()
    expected = rent + links * p.expert_link_cost_mcny_per_q + interest
    np.testing.assert_allclose(indicator(enc, "county_policy_cost_mcny"), expected)


def test_enclave_firms_that_relocate_are_lost_to_their_county():
    base = run("baseline", 1)
    leaving = run("talent_enclaves", 1, extra=(("enclave_relocation_per_q", 1.0),))
    slots = leaving.counties.enclave_slots.sum()
    assert leaving.events["left_for_hub"] == slots > 0
    assert not (leaving.firms.alive & leaving.firms.in_enclave).any()
    assert indicator(leaving, "firms").sum() < indicator(base, "firms").sum()


def test_capital_chain_equity_board_raises_quotation():
    base1, chain1 = run("baseline", 1), run("capital_chain", 1)
    n = len(base1.firms.alive)
    # same seed, three times the chance: every firm quoted in the baseline is quoted too
    assert chain1.firms.quoted[:n][base1.firms.quoted].all()
    base, chain = run("baseline", 8), run("capital_chain", 8)
    assert indicator(chain, "quoted_firms").sum() > indicator(base, "quoted_firms").sum()


def test_capital_chain_refills_guidance_funds_by_tranches_and_raises_venture_investment():
    """Report §1.4: the counties pay their funds in from their S&T accounts, a tranche a
    quarter as far as the account's floor allows; what they pay reaches the funds."""
    base, chain = run("baseline", 4), run("capital_chain", 4)
    g = chain.capital.kind == CAPITAL_GUIDANCE
    p = chain.params
    c = chain.counties
    committed = c.chain_tranche_mcny * p.capital_chain_deployment_q
    paid_in = committed - c.chain_commitment_mcny
    assert (paid_in > 0).all()
    assert (paid_in <= 4 * c.chain_tranche_mcny + 1e-9).all()

    def fund_money(sim):
        cap = sim.capital
        held = cap.pool_mcny + cap.invested_mcny + cap.loans_mcny
        return held[g | (cap.kind == CAPITAL_TECH_BANK)].sum()

    assert fund_money(chain) > fund_money(base) + 0.9 * paid_in.sum()

    def venture(name):
        return sum(indicator(run(name, k), "venture_investment_mcny").sum() for k in range(1, 5))

    assert venture("capital_chain") > venture("baseline")


def test_talent_programmes_link_firms_to_experts_and_cost_the_counties():
    base, prog = run("baseline", 1), run("talent_programs", 1)
    p = prog.params
    f = prog.firms
    linked = f.alive & f.expert_link
    per_county = np.bincount(f.county[linked], minlength=12)
    wanted = round(p.cto_firms_per_county * p.firm_scale) + round(
        p.town_mayor_experts_per_county * p.firm_scale
    )
    assert per_county.max() == wanted and per_county.min() > 0
    assert not (base.firms.alive & base.firms.expert_link).any()
    # quarter 1: everything before knowledge production equals the baseline, so a linked firm
    # produces exactly (1 + expert_link_boost) times the baseline's knowledge
    n = len(base.firms.alive)
    k = np.flatnonzero(linked[:n] & (base.firms.new_knowledge > 0))
    assert len(k) > 0
    np.testing.assert_allclose(
        f.new_knowledge[k], (1 + p.expert_link_boost) * base.firms.new_knowledge[k]
    )
    others = np.flatnonzero(f.alive[:n] & ~linked[:n])
    np.testing.assert_array_equal(f.new_knowledge[others], base.firms.new_knowledge[others])
    # the counties pay the stipends and the talent packages
    cost = indicator(prog, "county_policy_cost_mcny")
    assert (
        cost
        >= p.talent_subsidy_mcny_per_q * p.firm_scale + per_county * p.expert_link_cost_mcny_per_q
    ).all()
    # the packages recruit experts (arrivals are drawn: by quarter 4 the programme has 49
    # against the baseline's 41, measured 2026-12-06; at quarter 2 both had 41)
    assert (
        indicator(run("talent_programs", 4), "high_level_talent").sum()
        > indicator(run("baseline", 4), "high_level_talent").sum()
    )


def test_talent_programme_stipends_are_paid_per_link_made():
    prog = run("talent_programs", 1)
    p, f = prog.params, prog.firms
    links = np.bincount(f.county[f.alive & f.expert_link], minlength=12)
    np.testing.assert_allclose(
        indicator(prog, "county_policy_cost_mcny"),
        p.talent_subsidy_mcny_per_q * p.firm_scale + links * p.expert_link_cost_mcny_per_q,
    )


def test_integration_lets_firms_use_platforms_in_other_counties_at_an_admin_cost():
    def cross_county_tenants(sim):
        f = sim.firms
        m = f.alive & (f.platform >= 0)
        return int((sim.platforms.county[f.platform[m]] != f.county[m]).sum())

    base, integ = run("baseline", 2), run("regional_integration", 2)
    assert cross_county_tenants(base) == 0
    assert cross_county_tenants(integ) > 0
    np.testing.assert_allclose(
        indicator(integ, "county_policy_cost_mcny"),
        integ.params.integration_admin_cost_mcny_per_q * integ.params.firm_scale,
    )
    assert indicator(integ, "province_policy_cost_mcny").sum() == 0


def test_rd_grants_pay_joint_ex_ante_and_ex_post_grants_with_a_province_share():
    base, grants = run("baseline", 2), run("rd_grants", 2)
    p, f = grants.params, grants.firms
    a = f.alive
    joint = (
        p.rd_grant_exante_rate * f.rd_real_mcny[a].sum()
        + p.rd_grant_expost_per_patent_mcny * f.grants_q[a].sum()
    )
    assert joint > 0 and f.grants_q[a].sum() > 0  # both parts are paid
    province = indicator(grants, "province_policy_cost_mcny")
    county = indicator(grants, "county_policy_cost_mcny")
    # the county's cost: what it can pay of its part, and interest on the deficit it runs to
    # pay it; the province matches what the county pays, so both are the full shares only when
    # no county's envelope binds (report §3.3)
    interest = grants.counties.st_interest_mcny.sum()
    county_part = county.sum() - interest
    share = p.rd_grant_province_share
    assert province.sum() == pytest.approx(share / (1 - share) * county_part)
    assert 0.5 * share * joint < province.sum() <= share * joint * (1 + 1e-9)
    assert (province > 0).all() and (county > 0).all()
    assert f.grant_mcny[a].sum() > base.firms.grant_mcny[base.firms.alive].sum() + 0.5 * joint
    assert indicator(grants, "rd_spending_mcny").sum() > indicator(base, "rd_spending_mcny").sum()


def test_kpi_assessment_raises_county_st_spending_and_pays_certification_bonuses():
    base, kpi = run("baseline", 1), run("kpi_assessment", 1)
    p = kpi.params
    revenue = kpi.counties.tax_revenue_mcny
    # quarter 1: the extra share of the county's own tax revenue goes to S&T (the revenue itself
    # already moves a little: the bonus adds to the pull of the certification notch)
    np.testing.assert_allclose(revenue, base.counties.tax_revenue_mcny, rtol=0.01)
    np.testing.assert_allclose(
        indicator(kpi, "county_policy_cost_mcny"), p.kpi_st_share_increase * revenue
    )
    assert (indicator(kpi, "gov_st_spending_mcny") > indicator(base, "gov_st_spending_mcny")).all()
    # quarter 3 is the yearly certification: each new high-tech enterprise gets the bonus
    kpi3 = run("kpi_assessment", 3)
    new = kpi3.counties.new_hte_q
    assert new.sum() > 0
    np.testing.assert_allclose(
        indicator(kpi3, "county_policy_cost_mcny"),
        p.kpi_st_share_increase * kpi3.counties.tax_revenue_mcny
        + p.hte_certification_bonus_mcny * new,
    )


def test_combined_switches_every_lever_on_and_keeps_the_books():
    combined = run("combined", 4)  # check_accounting verifies money and talent every quarter
    base = run("baseline", 4)
    f, p = combined.firms, combined.platforms
    assert combined.events["merged_platforms"] > 0
    assert p.alive.sum() < base.platforms.alive.sum()
    assert (p.level[p.alive] == 2).sum() == N_SECTORS - 1
    assert (f.alive & f.in_enclave).any() and (f.alive & f.expert_link).any()
    assert (f.alive & (f.grant_mcny > 0)).any()
    # every lever at once is more than the counties' S&T money: the programmes paid last
    # (vouchers) are cut, while innovation_vouchers alone pays them (test above)
    assert (combined.counties.st_cut_mcny > 0).all()
    assert not (f.alive & (f.voucher_mcny > 0)).any()
    assert (indicator(combined, "county_policy_cost_mcny") > 0).all()
    assert (indicator(combined, "province_policy_cost_mcny") > 0).all()
    assert not any(math.isnan(v) for v in combined.indicators.ravel())


def test_capital_chain_invests_the_paid_in_pool_over_the_deployment_period():
    # a four-quarter investment period: once paid in, the chain's fund makes several deals a
    # quarter, where a baseline fund makes vc_deals_per_fund_per_q (one). Counties that spend
    # half their revenue on S&T can pay the tranches in full.
    fast = (("capital_chain_deployment_q", 4), ("county_st_share_of_revenue", 0.5))
    base, chain = run("baseline", 5, extra=fast), run("capital_chain", 5, extra=fast)
    g = chain.capital.kind == CAPITAL_GUIDANCE
    p = chain.params
    assert (chain.counties.chain_commitment_mcny < 1e-9).all()  # paid in by quarter 4
    one_quarter = p.vc_ticket_mcny * p.vc_deals_per_fund_per_q
    base_rate = (
        base.capital.invested_mcny[g] - run("baseline", 4, extra=fast).capital.invested_mcny[g]
    )
    chain_rate = (
        chain.capital.invested_mcny[g]
        - run("capital_chain", 4, extra=fast).capital.invested_mcny[g]
    )
    assert (base_rate <= one_quarter).all()
    assert chain_rate.max() > 2 * one_quarter
    # the comparison counts what the funds still hold back: the public assets rise by the
    # top-up less what the funds have lost so far
    assets = indicator(chain, "public_fund_assets_mcny").sum()
    top_up = indicator(run("capital_chain", 1, extra=fast), "county_policy_cost_mcny").sum()
    assert assets > indicator(base, "public_fund_assets_mcny").sum() + 0.5 * top_up
