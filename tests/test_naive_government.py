"""The government kernel against the slow reference of ``tests/naive_government.py``."""

from __future__ import annotations

import naive_government
import numpy as np
import pytest
from conftest import ALL_POLICIES, make_counties, make_firms
from hypothesis import given, settings
from hypothesis import strategies as st
from test_naive_entry_exit import N_COUNTIES, N_SECTORS, random_platforms

from model.kernels.government import govern
from model.params.table import Parameters
from model.sim.ledger import N_FLOWS
from model.sim.state import NEVER_CERTIFIED

seeds = st.integers(min_value=0, max_value=2**40)
#: every lever on, with a start late enough that quarter 1 lies before the rebate's base year
LEVERS_ON = {**ALL_POLICIES, "policy_start_step": 6, "voucher_budget_mcny_per_q": 3.0}
#: every lever off but the instruments that also run without a policy
LEVERS_OFF = {"policy_start_step": 6, "province_platform_budget_mcny_per_q": 2.0}


def random_government_state(seed: int):
    gen = np.random.default_rng(seed)
    platforms = random_platforms(gen, 12)
    n_platforms = len(platforms.arrays["alive"])
    platforms.arrays["level"][:] = gen.integers(0, 3, n_platforms)
    platforms.arrays["cash_mcny"][:] = gen.uniform(0.0, 3.0, n_platforms)
    rows = [
        {
            "alive": bool(gen.random() < 0.9),
            "county": int(gen.integers(N_COUNTIES)),
            "sector": int(gen.integers(N_SECTORS)),
            "employees": float(gen.choice([40.0, 350.0])),
            "rd_real_mcny": float(gen.choice([0.0, gen.uniform(0.0, 2.0)])),
            "rd_staff": int(gen.choice([0, 0, 3])),
            "grants_q": int(gen.integers(0, 3)),
            "hte_until_step": int(gen.choice([NEVER_CERTIFIED, 0, 30])),
            "listed": bool(gen.random() < 0.1),
            "platform": int(gen.integers(-1, n_platforms - 1)),
            "expert_link": bool(gen.random() < 0.2),
            "grant_mcny": 9.0,
            "voucher_mcny": 9.0,
            "voucher_platform": 1,
        }
        for _ in range(50)
    ]
    firms = make_firms(rows)
    counties = make_counties(N_COUNTIES)
    c = counties.arrays
    c["tax_revenue_mcny"][:] = gen.uniform(5.0, 50.0, N_COUNTIES)
    c["province_tax_mcny"][:] = gen.uniform(1.0, 10.0, N_COUNTIES)
    c["province_hte_cit_mcny"][:] = gen.uniform(0.0, 4.0, N_COUNTIES)
    c["province_hte_cit_base_mcny"][:] = gen.uniform(0.0, 2.5, N_COUNTIES)
    c["talent_pool_mcny"][:] = gen.uniform(0.0, 3.0, N_COUNTIES)
    c["enclave_slots"][:] = [0, 12, 30]
    # S&T accounts from well in funds to below zero (floor: -0.06 x revenue; revenue arrived
    # in phase 4 is in them), a capital-chain
    # commitment in two counties, a year of the rebate's tax half summed, earlier shortfalls
    c["budget_mcny"][:] = gen.choice([100.0, 2.0, -1.0, -2.5], N_COUNTIES) + c["tax_revenue_mcny"]
    c["chain_commitment_mcny"][:] = [0.0, 30.0, 4.0]
    c["chain_tranche_mcny"][:] = [0.0, 6.0, 6.0]
    c["province_hte_cit_year_mcny"][:] = gen.uniform(0.0, 9.0, N_COUNTIES)
    c["province_hte_cit_year_q"][:] = 3
    c["rebate_carry_mcny"][:] = gen.choice([0.0, -2.0], N_COUNTIES)
    return firms, platforms, counties


@pytest.mark.parametrize(
    ("levers", "step", "policy_on"),
    [
        (LEVERS_OFF, 1, False),  # before the rebate's base year
        (LEVERS_OFF, 4, False),  # in the base year: running mean
        (LEVERS_ON, 4, False),
        (LEVERS_ON, 8, True),
        (LEVERS_ON, 11, True),  # the rebate's yearly settlement
        (LEVERS_OFF, 8, True),  # policy quarter, levers at their defaults
        ({**LEVERS_ON, "equipment_sharing_regionwide": False}, 8, True),
        ({**LEVERS_ON, "voucher_by_application": False}, 8, True),
        (
            {**LEVERS_ON, "voucher_by_application": False, "equipment_sharing_regionwide": False},
            8,
            True,
        ),
        ({**LEVERS_ON, "specialisation_enabled": False}, 8, True),
    ],
)
@settings(max_examples=10, deadline=None)
@given(seed=seeds)
def test_govern_matches_naive(seed, levers, step, policy_on):
    firms, platforms, counties = random_government_state(seed % 2**32)
    p = Parameters(levers)
    province = np.array([7.0])
    want_firms, want_platform_cash, want_counties, want_province, want_flows = (
        naive_government.govern(
            firms.arrays,
            platforms.arrays,
            counties.arrays,
            province,
            p,
            seed,
            step,
            policy_on,
        )
    )
    flows = np.zeros(N_FLOWS)
    govern(
        firms.view(),
        platforms.view(),
        counties.view(),
        province,
        p.for_kernels(),
        seed,
        step,
        policy_on,
        flows,
    )
    for name, values in want_firms.items():
        np.testing.assert_allclose(firms.arrays[name], values, rtol=1e-12, err_msg=name)
    np.testing.assert_allclose(platforms.arrays["cash_mcny"], want_platform_cash, rtol=1e-12)
    for name, values in want_counties.items():
        np.testing.assert_allclose(counties.arrays[name], values, rtol=1e-12, err_msg=name)
    np.testing.assert_allclose(province, want_province, rtol=1e-12)
    np.testing.assert_allclose(flows, want_flows, rtol=1e-12)


def test_government_test_states_pay_grants_vouchers_and_rebates_and_hit_the_floor():
    """Over a few random states: grants, vouchers, rebates, tranches and interest are paid,
    some payment is cut at the floor, and no account ends below its floor."""
    seen = {"vouchers": 0, "grants": 0, "rebates": 0, "tranches": 0, "interest": 0, "cuts": 0}
    for seed in range(6):
        firms, platforms, counties = random_government_state(seed)
        out, _, cty, _, _ = naive_government.govern(
            firms.arrays,
            platforms.arrays,
            counties.arrays,
            np.zeros(1),
            Parameters(LEVERS_ON),
            seed,
            11,
            True,
        )
        seen["vouchers"] += (out["voucher_mcny"] > 0).sum()
        seen["grants"] += (out["grant_mcny"] > 0).sum()
        seen["rebates"] += (cty["rebate_mcny"] > 0).sum()
        seen["tranches"] += (cty["chain_paid_mcny"] > 0).sum()
        seen["interest"] += (cty["st_interest_mcny"] > 0).sum()
        seen["cuts"] += (cty["st_cut_mcny"] > 1e-9).sum()
        floor = -0.25 * 4 * 0.06 * counties.arrays["tax_revenue_mcny"]  # default parameters
        assert (cty["budget_mcny"] >= floor - 1e-9).all()
    assert min(seen.values()) > 0, seen
