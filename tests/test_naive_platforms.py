"""The platform kernels against the slow references of ``tests/naive_platforms.py``."""

from __future__ import annotations

import naive_entry_exit
import naive_platforms
import numpy as np
import pytest
from conftest import make_counties, make_firms, make_platforms
from hypothesis import given, settings
from hypothesis import strategies as st
from test_naive_entry_exit import N_COUNTIES, STEP, grid, random_firms, random_platforms

from model.kernels import rng
from model.kernels.platforms import (
    choose_platforms,
    consolidate_platforms,
    count_tenants,
    run_platforms,
    specialise_platforms,
)
from model.params.table import Parameters
from model.sim.ledger import N_FLOWS
from model.sim.sectors import N_SECTORS
from model.sim.state import PLATFORM_SERVICE

seeds = st.integers(min_value=0, max_value=2**40)


def platforms_with_money(gen, n: int = 12):
    platforms = random_platforms(gen, n)
    a = platforms.arrays
    rows = len(a["alive"])
    a["cash_mcny"][:] = gen.uniform(-1.0, 6.0, rows)
    a["equipment_mcny"][:] = gen.uniform(0.0, 4.0, rows)
    a["level"][:] = gen.integers(0, 3, rows)
    a["budget_mcny"][:] = 99.0
    # some platforms in merger transition until this quarter, some until later
    a["transition_until_step"][: n // 2] = gen.integers(STEP - 2, STEP + 3, n // 2)
    return platforms


@settings(max_examples=10, deadline=None)
@given(seed=seeds)
def test_run_platforms_matches_naive(seed):
    platforms = platforms_with_money(np.random.default_rng(seed % 2**32))
    p = Parameters()
    want, want_flows = naive_platforms.run_platforms(platforms.arrays, p, STEP)
    flows = np.zeros(N_FLOWS)
    run_platforms(platforms.view(), p.for_kernels(), STEP, flows)
    for name, values in want.items():
        np.testing.assert_allclose(platforms.arrays[name], values, rtol=1e-12, err_msg=name)
    np.testing.assert_allclose(flows, want_flows, rtol=1e-12)


@settings(max_examples=10, deadline=None)
@given(seed=seeds)
def test_count_tenants_matches_naive(seed):
    gen = np.random.default_rng(seed % 2**32)
    platforms = random_platforms(gen)
    firms = random_firms(gen, 30, platforms=platforms.arrays)
    want_anchor, want_tenants, want_platform = naive_platforms.count_tenants(
        firms.arrays, platforms.arrays
    )
    count_tenants(firms.view(), platforms.view())
    np.testing.assert_array_equal(platforms.arrays["anchor_firm"], want_anchor)
    np.testing.assert_array_equal(platforms.arrays["tenants"], want_tenants)
    np.testing.assert_array_equal(firms.arrays["platform"], want_platform)


def _choose(seed, regionwide, force_all, candidates):
    gen = np.random.default_rng(seed % 2**32)
    platforms = random_platforms(gen, 12)
    firms = random_firms(gen, 40, platforms=platforms.arrays)
    naive_platforms_tenants = naive_platforms.count_tenants(firms.arrays, platforms.arrays)
    platforms.arrays["anchor_firm"][:] = naive_platforms_tenants[0]
    platforms.arrays["tenants"][:] = naive_platforms_tenants[1]
    firms.arrays["platform"][:] = naive_platforms_tenants[2]
    x, y, *_ = grid()
    p = Parameters({"platform_switch_per_q": 0.4, "platform_candidates": candidates})
    args = (N_COUNTIES, x, y, regionwide)
    want_platform, want_tenants = naive_platforms.choose_platforms(
        firms.arrays, platforms.arrays, *args, p, seed, STEP, force_all
    )
    before = firms.arrays["platform"].copy()
    choose_platforms(firms.view(), platforms.view(), *args, p.for_kernels(), seed, STEP, force_all)
    np.testing.assert_array_equal(firms.arrays["platform"], want_platform)
    np.testing.assert_array_equal(platforms.arrays["tenants"], want_tenants)
    return (before != want_platform).sum()


@pytest.mark.parametrize("force_all", [False, True])
@pytest.mark.parametrize("regionwide", [False, True])
@settings(max_examples=12, deadline=None)
@given(seed=seeds)
def test_choose_platforms_with_one_candidate_matches_naive(seed, regionwide, force_all):
    _choose(seed, regionwide, force_all, candidates=1)


@pytest.mark.xfail(
    strict=True,
    reason=(
        "choose_platforms does not move a firm to the best of its sampled candidates (docstring:"
        " 'pick the best of a few candidates'; ODD 7.8: 'moves to the candidate with the highest"
        " service level if it beats the current one by more than 5%'): the kernel keeps a"
        " running best that starts at the current service, and a later candidate replaces an"
        " accepted one only if it beats it by 5 % (and 1e-6) too, so here the firm takes"
        " candidate A although the sampled candidate B serves it 3 % better"
    ),
)
def test_firm_takes_the_best_of_several_sampled_platforms():
    """Firm 0 (no platform) samples A (service s) and then B (service 1.03 s)."""
    x, y, *_ = grid()
    platforms = make_platforms(
        [
            {"kind": PLATFORM_SERVICE, "quality": 20.0, "capacity": 5},  # A
            {"kind": PLATFORM_SERVICE, "quality": 20.6 * 20.0 / 19.4, "capacity": 5},  # B
        ]
    )
    firms = make_firms([{"cell": 0, "county": 0}])
    p = Parameters({"platform_candidates": 2})
    kp = p.for_kernels()
    a, b = (naive_entry_exit.service_at(0, 0, 0, k, platforms.arrays, x, y, kp) for k in (0, 1))
    assert 1.0 < b / a < 1.05
    # a seed at which the firm samples A first, then B
    seed = next(
        s
        for s in range(1000)
        if [int(rng.uniform(s, STEP, 8, 0, 2 + d) * 2) for d in range(2)] == [0, 1]
    )
    want_platform, _ = naive_platforms.choose_platforms(
        firms.arrays, platforms.arrays, N_COUNTIES, x, y, False, p, seed, STEP, True
    )
    assert want_platform[0] == 1  # the reference takes B
    choose_platforms(firms.view(), platforms.view(), N_COUNTIES, x, y, False, kp, seed, STEP, True)
    assert firms.arrays["platform"][0] == 1


def test_choice_test_states_move_firms():
    assert sum(_choose(seed, True, True, 1) for seed in range(3)) > 5


@pytest.mark.parametrize("radius_km", [8.0, 15.0])
@settings(max_examples=10, deadline=None)
@given(seed=seeds)
def test_consolidate_platforms_matches_naive(seed, radius_km):
    gen = np.random.default_rng(seed % 2**32)
    platforms = platforms_with_money(gen)
    firms = random_firms(gen, 30, platforms=platforms.arrays)
    counties = make_counties(N_COUNTIES)
    x, y, *_ = grid()
    p = Parameters({"consolidation_radius_km": radius_km, "merger_cost_mcny": 0.7})
    want, want_counties, want_platform, want_merged = naive_platforms.consolidate_platforms(
        firms.arrays, platforms.arrays, counties.arrays, N_COUNTIES, x, y, p, STEP
    )
    merged = consolidate_platforms(
        firms.view(),
        platforms.view(),
        counties.view(),
        N_COUNTIES,
        x,
        y,
        p.for_kernels(),
        STEP,
    )
    assert merged == want_merged
    for name, values in want.items():
        np.testing.assert_allclose(platforms.arrays[name], values, rtol=1e-12, err_msg=name)
    for name, values in want_counties.items():
        np.testing.assert_allclose(counties.arrays[name], values, rtol=1e-12, err_msg=name)
    np.testing.assert_array_equal(firms.arrays["platform"], want_platform)


@settings(max_examples=15, deadline=None)
@given(seed=seeds)
def test_specialise_platforms_matches_naive(seed):
    gen = np.random.default_rng(seed % 2**32)
    platforms = platforms_with_money(gen)
    firms = random_firms(gen, 25)
    want = naive_platforms.specialise_platforms(
        firms.arrays, platforms.arrays, N_COUNTIES, N_SECTORS
    )
    specialise_platforms(firms.view(), platforms.view(), N_COUNTIES, N_SECTORS)
    for name, values in want.items():
        np.testing.assert_array_equal(platforms.arrays[name], values, err_msg=name)
