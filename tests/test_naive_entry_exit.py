"""The entry and exit kernels against the slow references of ``tests/naive_entry_exit.py``."""

from __future__ import annotations

import naive_entry_exit
import numpy as np
import pytest
from conftest import make_capital, make_counties, make_firms, make_platforms, make_talent
from hypothesis import given, settings
from hypothesis import strategies as st

from model.kernels.entry_exit import (
    count_entries,
    enter_firms,
    exit_firms,
    graduate_firms,
    relocate_firms,
)
from model.params.table import Parameters
from model.sim.ledger import N_FLOWS
from model.sim.state import (
    CAPITAL_GUIDANCE,
    CAPITAL_MARKET_VC,
    CAPITAL_MOTHER,
    PLATFORM_INCUBATOR,
    PLATFORM_SERVICE,
)

N_COUNTIES, N_SECTORS = 3, 7
NX = NY = 4
CELL_KM = 6.0
STEP = 14
seeds = st.integers(min_value=0, max_value=2**40)


def grid():
    """Cell centres (km) of a 4 x 4 raster; county c holds the cells of columns c (and 3)."""
    x = np.tile((np.arange(NX) + 0.5) * CELL_KM, NY)
    y = np.repeat((np.arange(NY) + 0.5) * CELL_KM, NX)
    county_of_cell = np.minimum(np.arange(NX * NY) % NX, N_COUNTIES - 1)
    cells = np.argsort(county_of_cell, kind="stable").astype(np.int64)
    offsets = np.concatenate([[0], np.cumsum(np.bincount(county_of_cell))]).astype(np.int64)
    return x, y, cells, offsets, county_of_cell


def random_firms(gen, n: int, platforms=None):
    """Live and dead firms with random money, age, status, funds and platforms."""
    _, _, _, _, county_of_cell = grid()
    rows = []
    for _ in range(n):
        cell = int(gen.integers(NX * NY))
        row = {
            "alive": bool(gen.random() < 0.9),
            "cell": cell,
            "county": int(county_of_cell[cell]),
            "sector": int(gen.integers(N_SECTORS)),
            "born_step": int(gen.integers(-20, STEP)),
            "revenue_mcny": float(gen.choice([0.0, gen.uniform(0.0, 20.0)])),
            "cash_mcny": float(gen.uniform(-12.0, 8.0)),
            "debt_mcny": float(gen.choice([0.0, gen.uniform(0.0, 3.0)])),
            "listed": bool(gen.random() < 0.15),
            "in_enclave": bool(gen.random() < 0.3),
            "incubated": bool(gen.random() < 0.2),
            # small and big firms: the background hazard depends on size
            "employees": float(gen.choice([0.5, gen.uniform(1.0, 2000.0)])),
        }
        if gen.random() < 0.4:
            row["lead_fund"], row["fund_stake_mcny"] = int(gen.integers(3, 6)), 2.0
            if gen.random() < 0.5:
                row["co_fund"], row["co_stake_mcny"] = 4, float(gen.uniform(0.5, 3.0))
        if platforms is not None and gen.random() < 0.6:
            row["platform"] = int(gen.integers(len(platforms["alive"])))
        rows.append(row)
    return make_firms(rows, capacity=n + 12)


def funds_and_banks():
    """Tech banks of counties 0 and 2 (county 1 has none), a guidance fund, a market fund
    and the mother fund."""
    capital = make_capital(6)
    a = capital.arrays
    a["kind"][3:] = (CAPITAL_GUIDANCE, CAPITAL_MARKET_VC, CAPITAL_MOTHER)
    a["county"][3:] = (0, 0, -1)
    a["loans_mcny"][:] = 20.0
    return capital, np.array([0, -1, 2], dtype=np.int64)


@settings(max_examples=20, deadline=None)
@given(seed=seeds)
def test_exit_firms_matches_naive(seed):
    gen = np.random.default_rng(seed % 2**32)
    firms = random_firms(gen, 40)
    capital, bank_of_county = funds_and_banks()
    p = Parameters({"exit_hazard_per_q": 0.08, "enclave_relocation_per_q": 0.3})
    want, want_capital, want_flows, want_closed, want_left = naive_entry_exit.exit_firms(
        firms.arrays, capital.arrays, bank_of_county, p, seed, STEP
    )
    flows = np.zeros(N_FLOWS)
    closed, left = exit_firms(
        firms.view(), capital.view(), bank_of_county, p.for_kernels(), seed, STEP, flows
    )
    assert (closed, left) == (want_closed, want_left)
    for name, values in want.items():
        np.testing.assert_array_equal(firms.arrays[name], values, err_msg=name)
    for name, values in want_capital.items():
        np.testing.assert_allclose(capital.arrays[name], values, rtol=1e-12, err_msg=name)
    np.testing.assert_allclose(flows, want_flows, rtol=1e-12, atol=1e-12)


def test_exit_test_states_close_firms_and_let_some_leave():
    closed = left = 0
    for seed in range(5):
        firms = random_firms(np.random.default_rng(seed), 40)
        capital, bank_of_county = funds_and_banks()
        p = Parameters({"exit_hazard_per_q": 0.08, "enclave_relocation_per_q": 0.3})
        *_, c, x = naive_entry_exit.exit_firms(
            firms.arrays, capital.arrays, bank_of_county, p, seed, STEP
        )
        closed, left = closed + c, left + x
    assert closed > 5 and left > 2


@settings(max_examples=10, deadline=None)
@given(seed=seeds)
def test_graduate_firms_matches_naive(seed):
    firms = random_firms(np.random.default_rng(seed % 2**32), 40)
    # ages and revenues at and around the limits
    gen = np.random.default_rng(seed % 2**32 + 1)
    n = len(firms.arrays["alive"])
    firms.arrays["born_step"][:] = STEP - gen.integers(6, 11, n)
    firms.arrays["revenue_mcny"][:] = gen.choice([9.0, 10.0, 11.0], n)
    counties = make_counties(N_COUNTIES)
    p = Parameters({"incubation_max_q": 8, "graduation_revenue_mcny_per_q": 10.0})
    want, want_graduates = naive_entry_exit.graduate_firms(firms.arrays, N_COUNTIES, p, STEP)
    graduate_firms(firms.view(), counties.view(), p.for_kernels(), STEP)
    for name, values in want.items():
        np.testing.assert_array_equal(firms.arrays[name], values, err_msg=name)
    np.testing.assert_array_equal(counties.arrays["graduates_q"], want_graduates)


def random_platforms(gen, n: int = 10):
    """Platforms of every kind in the three counties; some anchored, some full, one closed."""
    _, _, _, _, county_of_cell = grid()
    rows = []
    for k in range(n):
        cell = int(gen.integers(NX * NY))
        capacity = int(gen.integers(1, 12))
        rows.append(
            {
                "alive": k != 1,
                "kind": int(gen.integers(4)),
                "cell": cell,
                "county": int(county_of_cell[cell]),
                "quality": float(gen.uniform(1.0, 60.0)),
                "capacity": capacity,
                "tenants": int(gen.integers(0, capacity + 2)),
                "sector_focus": int(gen.choice([-1, gen.integers(N_SECTORS)])),
                "anchor_firm": int(gen.integers(0, 30)) if gen.random() < 0.2 else -1,
            }
        )
    rows[0]["kind"] = PLATFORM_INCUBATOR
    return make_platforms(rows)


@settings(max_examples=15, deadline=None)
@given(seed=seeds)
def test_count_entries_matches_naive(seed):
    gen = np.random.default_rng(seed % 2**32)
    platforms = random_platforms(gen)
    talent_rows = [
        {
            "alive": bool(gen.random() < 0.9),
            "tier": int(gen.integers(3)),
            "county": int(gen.integers(-1, N_COUNTIES)),
            "employer_firm": int(gen.integers(-1, 5)),
        }
        for _ in range(60)
    ]
    talent = make_talent(talent_rows)
    p = Parameters({"spinoff_startups_per_senior_per_q": 0.05, "incubation_startups_per_q": 0.3})
    want = naive_entry_exit.count_entries(
        platforms.arrays, talent.arrays, N_COUNTIES, p, seed, STEP
    )
    firms = random_firms(gen, 5).view()  # (not read)
    got = count_entries(
        firms, platforms.view(), talent.view(), N_COUNTIES, p.for_kernels(), seed, STEP
    )
    for name, w, g in zip(("county", "incubator"), want, got, strict=True):
        np.testing.assert_array_equal(g, w, err_msg=name)


@settings(max_examples=15, deadline=None)
@given(seed=seeds)
def test_enter_firms_matches_naive(seed):
    gen = np.random.default_rng(seed % 2**32)
    platforms = random_platforms(gen)
    firms = random_firms(gen, 20, platforms=platforms.arrays)
    counties = make_counties(N_COUNTIES)
    x, y, cells, offsets, _ = grid()
    county_startups = gen.integers(0, 4, N_COUNTIES)
    incubator_startups = np.zeros(len(platforms.arrays["alive"]), dtype=np.int64)
    incubator_startups[[0, 4]] = gen.integers(0, 3, 2)  # a general and a random platform
    free_slots = np.flatnonzero(~firms.arrays["alive"]).astype(np.int64)
    cdf = np.cumsum(gen.dirichlet(np.ones(N_SECTORS), size=N_COUNTIES), axis=1)
    high_tech_mean = gen.uniform(0.1, 0.9, N_SECTORS)
    p = Parameters({"productivity_sigma": 0.3})
    want, want_tenants, want_startups, want_flows, want_used = naive_entry_exit.enter_firms(
        firms.arrays,
        platforms.arrays,
        N_COUNTIES,
        county_startups,
        incubator_startups,
        free_slots,
        cells,
        offsets,
        cdf,
        high_tech_mean,
        p,
        seed,
        STEP,
    )
    flows = np.zeros(N_FLOWS)
    used = enter_firms(
        firms.view(),
        platforms.view(),
        counties.view(),
        county_startups,
        incubator_startups,
        free_slots,
        cells,
        offsets,
        cdf,
        high_tech_mean,
        p.for_kernels(),
        seed,
        STEP,
        flows,
    )
    assert used == want_used
    for name, values in want.items():
        np.testing.assert_allclose(firms.arrays[name], values, rtol=1e-12, err_msg=name)
    np.testing.assert_array_equal(platforms.arrays["tenants"], want_tenants)
    np.testing.assert_array_equal(counties.arrays["startups_q"], want_startups)
    np.testing.assert_allclose(flows, want_flows, rtol=1e-12)


@settings(max_examples=15, deadline=None)
@given(seed=seeds)
def test_relocate_firms_matches_naive(seed):
    gen = np.random.default_rng(seed % 2**32)
    platforms = random_platforms(gen)
    firms = random_firms(gen, 30, platforms=platforms.arrays)
    x, y, *_ = grid()
    p = Parameters({"relocation_per_q": 0.5, "platform_candidates": 4})
    want, want_tenants, want_moved = naive_entry_exit.relocate_firms(
        firms.arrays, platforms.arrays, x, y, p, seed, STEP
    )
    moved = relocate_firms(firms.view(), platforms.view(), x, y, p.for_kernels(), seed, STEP)
    assert moved == want_moved
    for name, values in want.items():
        np.testing.assert_array_equal(firms.arrays[name], values, err_msg=name)
    np.testing.assert_array_equal(platforms.arrays["tenants"], want_tenants)


def test_relocation_test_states_move_firms():
    moved = 0
    for seed in range(5):
        gen = np.random.default_rng(seed)
        platforms = random_platforms(gen)
        firms = random_firms(gen, 30, platforms=platforms.arrays)
        x, y, *_ = grid()
        p = Parameters({"relocation_per_q": 0.5, "platform_candidates": 4})
        moved += naive_entry_exit.relocate_firms(
            firms.arrays, platforms.arrays, x, y, p, seed, STEP
        )[2]
    assert moved > 3


@pytest.mark.parametrize(("quality", "moves"), [(0.5, False), (5.0, True)])
def test_a_firm_without_a_platform_moves_only_for_a_service_above_0_1(quality, moves):
    """Next to a general platform of quality q without tenants and whose services need no
    equipment, a firm gets q / (q + 10): 0.048 or 0.33."""
    x, y, *_ = grid()
    platforms = make_platforms(
        [{"kind": PLATFORM_SERVICE, "cell": 2, "county": 2, "quality": quality}]
    )
    firms = make_firms([{"cell": 0, "county": 0}])
    p = Parameters(
        {
            "relocation_per_q": 1.0,
            "platform_candidates": 1,
            "platform_quality_half_per_tenant": 10.0,
            "platform_equipment_service_share": 0.0,
        }
    )
    want, _, want_moved = naive_entry_exit.relocate_firms(
        firms.arrays, platforms.arrays, x, y, p, 3, STEP
    )
    moved = relocate_firms(firms.view(), platforms.view(), x, y, p.for_kernels(), 3, STEP)
    assert moved == want_moved == int(moves)
    np.testing.assert_array_equal(firms.arrays["platform"], want["platform"])
