"""The finance kernel against the slow reference of ``tests/naive_finance.py``."""

from __future__ import annotations

import naive_finance
import numpy as np
import pytest
from conftest import make_counties, make_firms
from hypothesis import given, settings
from hypothesis import strategies as st

from model.kernels.finance import finance
from model.params.table import Parameters
from model.sim.ledger import N_FLOWS
from model.sim.state import (
    CAPITAL_GUIDANCE,
    CAPITAL_MARKET_VC,
    CAPITAL_MOTHER,
    CAPITAL_TECH_BANK,
    NEVER_CERTIFIED,
    new_capital,
)

N_COUNTIES = 3
STEP = 11
#: quotation, raising and listing much likelier than by default, so a few dozen firms do all
BUSY_MARKETS = {
    "vc_deals_per_fund_per_q": 2,
    "vc_candidates": 6,
    "vc_ticket_mcny": 2.0,
    "quotation_probability_per_q": 0.3,
    "quoted_raise_probability_per_q": 0.4,
    "listing_probability_per_q": 0.6,
    "quotation_min_revenue_mcny_per_q": 2.0,
    "listing_min_revenue_mcny_per_q": 4.0,
    "capital_chain_deployment_q": 4,
}
seeds = st.integers(min_value=0, max_value=2**40)


def random_finance_state(seed: int):
    """Firms with random knowledge, patents, money and status; per county a tech bank (none
    in county 1), a guidance fund and a market fund; one mother fund."""
    gen = np.random.default_rng(seed)
    n_counties = N_COUNTIES
    capital = new_capital(3 * n_counties + 1)
    c = capital.arrays
    c["alive"][:] = True
    c["kind"][:] = (
        [CAPITAL_TECH_BANK] * 3
        + [CAPITAL_GUIDANCE] * 3
        + [CAPITAL_MARKET_VC] * 3
        + [CAPITAL_MOTHER]
    )
    c["county"][:] = [0, 1, 2] * 3 + [-1]
    c["alive"][1] = False  # county 1 has no tech bank
    c["pool_mcny"][:] = gen.uniform(0.0, 60.0, len(c["alive"]))
    c["pool_mcny"][6] = 1.0  # a market fund that can co-invest only part
    c["threshold"][:] = gen.uniform(0.1, 0.6, len(c["alive"]))
    c["leverage"][:] = gen.uniform(0.5, 2.0, len(c["alive"]))
    c["loans_mcny"][:] = 10.0
    bank_of_county = np.array([0, -1, 2], dtype=np.int64)
    market_vc_of_county = np.array([6, 7, 8], dtype=np.int64)
    rows = []
    for _ in range(40):
        row = {
            "alive": bool(gen.random() < 0.9),
            "county": int(gen.integers(n_counties)),
            "knowledge": float(gen.choice([0.0, gen.uniform(0.0, 200.0)])),
            "patents_granted": int(gen.choice([0, gen.integers(1, 9)])),
            "high_tech_share": float(gen.uniform()),
            "revenue_mcny": float(gen.uniform(0.0, 12.0)),
            "cash_mcny": float(gen.uniform(-1.0, 4.0)),
            "debt_mcny": float(gen.choice([0.0, gen.uniform(0.0, 2.0)])),
            "listed": bool(gen.random() < 0.1),
            "quoted": bool(gen.random() < 0.3),
            "st_sme": bool(gen.random() < 0.4),
            "hte_until_step": int(gen.choice([NEVER_CERTIFIED, STEP - 1, STEP + 5])),
            # the venture stage: some firms too old, some without R&D of their own
            "born_step": int(gen.integers(STEP - 60, STEP)),
            "rd_real_mcny": float(gen.choice([0.0, gen.uniform(0.1, 1.0)])),
        }
        row["rd_grant_funded_mcny"] = float(gen.choice([0.0, row["rd_real_mcny"]]))
        if gen.random() < 0.3:
            row["lead_fund"], row["fund_stake_mcny"] = int(gen.integers(3, 7)), 2.0
            if gen.random() < 0.5:
                row["co_fund"] = int(market_vc_of_county[row["county"]])
                row["co_stake_mcny"] = float(gen.uniform(0.5, 3.0))
        rows.append(row)
    firms = make_firms(rows)
    counties = make_counties(n_counties)
    counties.arrays["venture_mcny"][:] = gen.uniform(0.0, 5.0, n_counties)
    counties.arrays["equity_board"][:] = gen.random(n_counties) < 0.5  # status-quo boards
    return firms, capital, counties, bank_of_county, market_vc_of_county


@pytest.mark.parametrize("capital_chain", [False, True])
@settings(max_examples=20, deadline=None)
@given(seed=seeds)
def test_finance_matches_naive(seed, capital_chain):
    firms, capital, counties, banks, market_funds = random_finance_state(seed % 2**32)
    p = Parameters(BUSY_MARKETS)
    args = (banks, market_funds)
    want_firms, want_capital, want_venture, want_public, want_flows = naive_finance.finance(
        firms.arrays, capital.arrays, counties.arrays, *args, p, seed, STEP, capital_chain
    )
    flows = np.zeros(N_FLOWS)
    finance(
        firms.view(),
        capital.view(),
        counties.view(),
        *args,
        p.for_kernels(),
        seed,
        STEP,
        capital_chain,
        flows,
    )
    for name, values in want_firms.items():
        np.testing.assert_allclose(firms.arrays[name], values, rtol=1e-12, err_msg=name)
    for name, values in want_capital.items():
        np.testing.assert_allclose(capital.arrays[name], values, rtol=1e-12, err_msg=name)
    np.testing.assert_allclose(counties.arrays["venture_mcny"], want_venture, rtol=1e-12)
    np.testing.assert_allclose(counties.arrays["venture_public_mcny"], want_public, rtol=1e-12)
    np.testing.assert_allclose(flows, want_flows, rtol=1e-12)


def test_finance_test_states_lend_invest_quote_and_list():
    seen = {"loans": 0, "deals": 0, "co_investments": 0, "quoted": 0, "listed": 0}
    seen["outside_stage"] = 0  # candidates the stage rule turned away
    for seed in range(4):
        firms, capital, counties, banks, market_funds = random_finance_state(seed)
        f = firms.arrays
        out, *_ = naive_finance.finance(
            f,
            capital.arrays,
            counties.arrays,
            banks,
            market_funds,
            Parameters(BUSY_MARKETS),
            seed,
            STEP,
            True,
        )
        seen["loans"] += (out["debt_mcny"] > f["debt_mcny"]).sum()
        seen["deals"] += (out["lead_fund"] != f["lead_fund"]).sum()
        deals = (out["lead_fund"] >= 0) & (f["lead_fund"] < 0)  # new deals (not exits)
        # only firms at the venture stage get a deal: young, paying for R&D of their own
        own_rd = f["rd_real_mcny"] - f["rd_grant_funded_mcny"]
        stage = (STEP - f["born_step"] < Parameters(BUSY_MARKETS).vc_max_firm_age_q) & (
            own_rd > 1e-12
        )
        assert not (deals & ~stage).any()
        seen["outside_stage"] += (f["alive"] & ~stage & (f["lead_fund"] < 0)).sum()
        seen["co_investments"] += (out["co_fund"] != f["co_fund"]).sum()
        seen["quoted"] += (out["quoted"] & ~f["quoted"]).sum()
        seen["listed"] += (out["listed"] & ~f["listed"]).sum()
    assert min(seen.values()) > 0, seen
