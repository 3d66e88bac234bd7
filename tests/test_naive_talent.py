"""The talent-market kernels against the slow references of ``tests/naive_talent.py``."""

from __future__ import annotations

import naive_talent
import numpy as np
import pytest
from conftest import make_counties, make_firms, make_talent
from hypothesis import given, settings
from hypothesis import strategies as st

from model.kernels.talent_market import (
    aggregate_talent,
    count_arrivals,
    release_talent_of_dead_firms,
    talent_market,
)
from model.kernels.wages import update_wages
from model.params.table import Parameters
from model.sim.ledger import N_FLOWS, N_TALENT_FLOWS, SINK_PROGRAMME_COSTS

N_COUNTIES, N_HUBS, N_SECTORS = 3, 2, 4
STEP = 9
#: rates well above the defaults, so every branch fires in a few dozen workers
BUSY_MARKET = {
    "talent_attrition_per_q": 0.08,
    "expert_drain_to_hub_per_q": 0.25,
    "cross_sector_acceptance": 0.4,
    "senior_share_of_staff": 0.3,
    "matching_draws": 2,
    "integration_matching_draws": 5,
    # three hub places per enclave firm, so the floor-space cap binds
    "enclave_m2_per_firm": 90.0,
    "enclave_m2_per_worker": 25.0,
}
seeds = st.integers(min_value=0, max_value=2**40)


def random_market(seed: int, enclaves: bool):
    """Firms, talent and counties of a small random but consistent labour market.

    Employed workers work for live firms of their county; ``rd_staff`` is the head count;
    county wage indices differ by tier; each firm's staff budget scatters around its going
    wage bill (some firms over budget, many with budget left, some enough for an expert). Some
    workers are in a hub (county -1). With ``enclaves``, about a third of the firms are enclave
    firms, which also hire in their county's hub.
    """
    gen = np.random.default_rng(seed)
    n_firms = 24
    firm_rows = [
        {
            "alive": bool(gen.random() < 0.9),
            "county": int(gen.integers(N_COUNTIES)),
            "sector": int(gen.integers(N_SECTORS)),
            "in_enclave": enclaves and bool(gen.random() < 0.35),
        }
        for _ in range(n_firms)
    ]
    firms = make_firms(firm_rows, capacity=n_firms + 3)
    live_by_county = [
        [f for f in range(n_firms) if firm_rows[f]["alive"] and firm_rows[f]["county"] == c]
        for c in range(N_COUNTIES)
    ]
    talent_rows = []
    for _ in range(90):
        row = {
            "alive": bool(gen.random() < 0.85),
            "tier": int(gen.choice(3, p=[0.6, 0.25, 0.15])),
            "sector": int(gen.integers(N_SECTORS)),
        }
        if gen.random() < 0.15:
            row["county"], row["hub"] = -1, int(gen.integers(N_HUBS))
        else:
            row["county"] = c = int(gen.integers(N_COUNTIES))
            if live_by_county[c] and gen.random() < 0.7:
                row["employer_firm"] = int(gen.choice(live_by_county[c]))
        talent_rows.append(row)
    talent = make_talent(talent_rows, capacity=len(talent_rows) + 80)
    t = talent.arrays
    employed = t["alive"] & (t["employer_firm"] >= 0)
    head_count = np.bincount(t["employer_firm"][employed], minlength=n_firms + 3)
    firms.arrays["rd_staff"][:] = head_count
    # last quarter's hub workers of each firm (some enclave firms already at their floor cap)
    firms.arrays["hub_staff"][:] = gen.integers(0, 4, n_firms + 3)
    t["recruited"][:] = t["alive"] & (t["tier"] == 2) & (gen.random(len(t["alive"])) < 0.3)
    counties = make_counties(N_COUNTIES)
    counties.arrays["wage_index"][:] = gen.uniform(0.8, 1.25, (N_COUNTIES, 3))
    bill = naive_talent.aggregate_talent(
        t, firms.arrays["county"], counties.arrays["wage_index"], Parameters({})
    )["talent_wage_mcny"]
    budget = np.maximum(bill + gen.uniform(-0.15, 0.4, n_firms + 3), 0.0)
    firms.arrays["staff_budget_mcny"][:] = budget
    counties.arrays["enclave_hub"][:] = gen.integers(N_HUBS, size=N_COUNTIES)
    counties.arrays["talent_pool_mcny"][:] = gen.uniform(0.0, 9.0, N_COUNTIES)
    counties.arrays["rd_staff_initial"][:] = gen.uniform(20.0, 300.0, N_COUNTIES)
    return firms, talent, counties


def sector_cdfs(seed: int, n_rows: int):
    shares = np.random.default_rng(seed).dirichlet(np.ones(N_SECTORS), size=n_rows)
    return np.cumsum(shares, axis=1)


@pytest.mark.parametrize("supply", [100.0, 3.0, 0.0])
@settings(max_examples=15, deadline=None)
@given(seed=seeds)
def test_count_arrivals_matches_naive(seed, supply):
    """With an ample, a scarce and no supply of recruits (demand is 0-4 per county)."""
    _, _, counties = random_market(seed % 2**32, enclaves=False)
    p = Parameters(
        {
            "talent_inflow_per_q": 0.05,
            "expert_inflow_per_q": 2.0,
            "expert_recruit_supply_per_q": supply,
        }
    )
    hub_initial = np.array([400.0, 1500.0])  # the second hub is above the Poisson cut-over
    expected = naive_talent.count_arrivals(counties.arrays, hub_initial, p, seed, STEP)
    got = count_arrivals(counties.view(), hub_initial, p.for_kernels(), seed, STEP)
    names = ("staff", "experts", "hub", "paid")
    for name, want, have in zip(names, expected, got, strict=True):
        np.testing.assert_array_equal(have, want, err_msg=name)
    assert got[3].sum() <= round(supply)


def test_recruits_are_shared_in_proportion_to_the_money_when_scarce():
    """Counties bidding 10, 5 and 0 packages for 6 places get 4, 2 and 0."""
    _, _, counties = random_market(1, enclaves=False)
    counties.arrays["talent_pool_mcny"][:] = [20.0, 10.0, 1.0]  # packages of 2 m CNY
    p = Parameters({"expert_recruit_supply_per_q": 6.0}).for_kernels()
    _, _, _, paid = count_arrivals(counties.view(), np.zeros(0), p, 3, STEP)
    np.testing.assert_array_equal(paid, [4, 2, 0])


@pytest.mark.parametrize("integration_on", [False, True])
@pytest.mark.parametrize("enclaves", [False, True])
@settings(max_examples=12, deadline=None)
@given(seed=seeds)
def test_talent_market_matches_naive(seed, enclaves, integration_on):
    firms, talent, counties = random_market(seed % 2**32, enclaves)
    p = Parameters(BUSY_MARKET)
    gen = np.random.default_rng(seed % 2**32 + 1)
    staff = gen.integers(0, 8, N_COUNTIES)
    experts = gen.integers(0, 4, N_COUNTIES)
    hub = gen.integers(0, 6, N_HUBS)
    paid = gen.integers(0, experts + 1)
    free_slots = np.flatnonzero(~talent.arrays["alive"]).astype(np.int64)
    county_cdf, hub_cdf = sector_cdfs(seed % 2**32, N_COUNTIES), sector_cdfs(seed + 7, N_HUBS)
    hub_share_expert = np.array([0.2, 0.5])
    expected, expected_used = naive_talent.talent_market(
        talent.arrays,
        firms.arrays,
        counties.arrays,
        county_cdf,
        hub_cdf,
        hub_share_expert,
        free_slots,
        staff,
        experts,
        hub,
        paid,
        p,
        seed,
        STEP,
        integration_on,
    )
    talent_flows = np.zeros(N_TALENT_FLOWS, dtype=np.int64)
    money_flows = np.zeros(N_FLOWS)
    used = talent_market(
        talent.view(),
        firms.view(),
        counties.view(),
        county_cdf,
        hub_cdf,
        hub_share_expert,
        free_slots,
        staff,
        experts,
        hub,
        paid,
        p.for_kernels(),
        seed,
        STEP,
        integration_on,
        talent_flows,
        money_flows,
    )
    assert used == expected_used
    for name in ("alive", "tier", "sector", "employer_firm", "county", "hub", "recruited"):
        np.testing.assert_array_equal(talent.arrays[name], expected[name], err_msg=name)
    np.testing.assert_array_equal(firms.arrays["rd_staff"], expected["rd_staff"])
    np.testing.assert_allclose(
        counties.arrays["talent_pool_mcny"], expected["talent_pool_mcny"], rtol=1e-12
    )
    np.testing.assert_array_equal(talent_flows, expected["talent_flows"])
    np.testing.assert_allclose(
        money_flows[SINK_PROGRAMME_COSTS], expected["programme_costs"], rtol=1e-12
    )
    assert money_flows.sum() == money_flows[SINK_PROGRAMME_COSTS]


def test_talent_market_test_states_exercise_every_rule():
    """Over a few of the random markets above, workers are hired (also in hubs, by enclave
    firms), laid off or drained, drained to a hub, and arrive and leave."""
    seen = {"hired": 0, "hired_in_hub": 0, "lost_job": 0, "drained": 0, "flows": 0}
    seen["hub_floor_full"] = 0
    for seed in range(4):
        firms, talent, counties = random_market(seed, enclaves=True)
        t = talent.arrays
        out, _ = naive_talent.talent_market(
            t,
            firms.arrays,
            counties.arrays,
            sector_cdfs(3, N_COUNTIES),
            sector_cdfs(4, N_HUBS),
            np.array([0.2, 0.5]),
            np.flatnonzero(~t["alive"]).astype(np.int64),
            np.array([5, 5, 5]),
            np.array([2, 2, 2]),
            np.array([4, 4]),
            np.array([1, 0, 2]),
            Parameters(BUSY_MARKET),
            seed,
            STEP,
            True,
        )
        hired = (out["employer_firm"] >= 0) & (t["employer_firm"] != out["employer_firm"])
        seen["hired"] += hired.sum()
        seen["hired_in_hub"] += (out["hub"][hired] >= 0).sum()
        in_hub = np.bincount(out["employer_firm"][hired & (out["hub"] >= 0)], minlength=27)
        hub_now = firms.arrays["hub_staff"] + in_hub
        assert (in_hub[hub_now > 3] == 0).all()  # no hire beyond the floor's 3 places
        seen["hub_floor_full"] += ((in_hub > 0) & (hub_now == 3)).sum()
        seen["lost_job"] += ((t["employer_firm"] >= 0) & (out["employer_firm"] < 0)).sum()
        seen["drained"] += ((out["county"] < 0) & (t["county"] >= 0)).sum()
        seen["flows"] += out["talent_flows"].min()
    assert min(seen.values()) > 0, seen


def test_aggregate_talent_matches_naive():
    firms, talent, counties = random_market(5, enclaves=False)
    # wages that differ by county and tier (scarcity, ODD §7.2)
    counties.arrays["wage_index"][:] = np.random.default_rng(5).uniform(0.8, 1.25, (N_COUNTIES, 3))
    p = Parameters(
        {"talent_weight_senior": 1.7, "talent_weight_expert": 3.1, "hub_wage_premium": 1.4}
    )
    t = talent.arrays  # some hub workers employed, so the hub columns are exercised
    hub_workers = np.flatnonzero(t["alive"] & (t["hub"] >= 0))
    t["employer_firm"][hub_workers[::2]] = 0
    f = firms.arrays
    expected = naive_talent.aggregate_talent(
        talent.arrays, f["county"], counties.arrays["wage_index"], p
    )
    aggregate_talent(talent.view(), firms.view(), counties.view(), p.for_kernels())
    for name, values in expected.items():
        np.testing.assert_allclose(firms.arrays[name], values, rtol=1e-12, err_msg=name)
    assert firms.arrays["experts"].sum() > 0
    assert firms.arrays["hub_staff"].sum() > 0 and firms.arrays["recruited_experts"].sum() > 0


def test_release_talent_of_dead_firms_matches_naive():
    firms, talent, _ = random_market(6, enclaves=False)
    t = talent.arrays
    employers = np.unique(t["employer_firm"][t["alive"] & (t["employer_firm"] >= 0)])
    firms.arrays["alive"][employers[::2]] = False  # half the employers close
    before = t["employer_firm"].copy()
    expected = naive_talent.release_talent_of_dead_firms(t, firms.arrays["alive"])
    release_talent_of_dead_firms(talent.view(), firms.view())
    np.testing.assert_array_equal(t["employer_firm"], expected)
    assert ((before >= 0) & (expected < 0)).any()


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {
            "wage_tightness_elasticity": 0.4,
            "wage_adjustment_per_q": 1.0,
            "wage_tightness_bound": 2.0,
        },
    ],
)
def test_update_wages_matches_naive(overrides):
    firms, talent, counties = random_market(7, enclaves=False)
    p = Parameters(overrides)
    start = np.random.default_rng(7).uniform(0.8, 1.2, (N_COUNTIES, 3))
    counties.arrays["wage_index"][:] = start
    expected = naive_talent.update_wages(start, talent.arrays, firms.arrays, p)
    update_wages(counties.view(), talent.view(), firms.view(), p.for_kernels())
    np.testing.assert_allclose(counties.arrays["wage_index"], expected, rtol=1e-12)
    assert not np.allclose(expected, start)  # the market moved wages


def test_scarcity_raises_wages_and_slack_lowers_them():
    """A county with many vacancies per seeker pays more than the table wage, one with many
    seekers per vacancy less; both move by the adjustment share of the gap."""
    firms, talent, counties = random_market(8, enclaves=False)
    p = Parameters({"wage_adjustment_per_q": 1.0})
    f, t = firms.arrays, talent.arrays
    c = counties.arrays
    c["wage_index"][:] = 1.0
    f["staff_budget_mcny"][:] = naive_talent.aggregate_talent(t, f["county"], c["wage_index"], p)[
        "talent_wage_mcny"
    ]
    tight, slack = 0, 1
    f["staff_budget_mcny"][np.flatnonzero(f["alive"] & (f["county"] == tight))[:3]] += 5.0
    t["employer_firm"][t["alive"] & (t["county"] == slack)] = -1  # all of it unemployed
    f["staff_budget_mcny"][f["county"] == slack] = 0.0  # and no budget for staff
    update_wages(counties.view(), talent.view(), firms.view(), p.for_kernels())
    index = counties.arrays["wage_index"]
    assert (index[tight] > 1.0).all() and (index[slack] < 1.0).all()


def test_an_expert_is_hired_only_where_the_staff_budget_pays_her():
    """Experts are served first but are bid for within budgets: a firm whose staff budget left
    pays an R&D staff member's going wage but not an expert's takes the staff member, and an
    expert goes to a firm whose budget pays her (ODD §7.2)."""
    p = Parameters({"talent_attrition_per_q": 0.0, "expert_drain_to_hub_per_q": 0.0})
    firms = make_firms([{"alive": True, "county": 0, "sector": 0}] * 2, capacity=2)
    firms.arrays["staff_budget_mcny"][:] = [0.1, 0.3]  # expert's table wage is 0.2
    talent = make_talent(
        [{"alive": True, "tier": 2, "sector": 0, "county": 0}]
        + [{"alive": True, "tier": 0, "sector": 0, "county": 0}],
        capacity=2,
    )
    counties = make_counties(1)
    args = (np.ones((1, N_SECTORS)), np.ones((0, N_SECTORS)), np.zeros(0), np.zeros(0, np.int64))
    hired_by = {"expert": [], "staff": []}
    for seed in range(20):
        t, f = talent.copy(), firms.copy()
        talent_market(
            t.view(),
            f.view(),
            counties.view(),
            *args,
            np.zeros(1, np.int64),
            np.zeros(1, np.int64),
            np.zeros(0, np.int64),
            np.zeros(1, np.int64),
            p.for_kernels(),
            seed,
            STEP,
            False,
            np.zeros(N_TALENT_FLOWS, dtype=np.int64),
            np.zeros(N_FLOWS),
        )
        hired_by["expert"].append(int(t.arrays["employer_firm"][0]))
        hired_by["staff"].append(int(t.arrays["employer_firm"][1]))
    assert 0 not in hired_by["expert"]  # never the firm whose budget cannot pay her
    assert 1 in hired_by["expert"] and 0 in hired_by["staff"]
