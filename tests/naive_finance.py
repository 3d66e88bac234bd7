"""Slow reference of phase 5, finance (docs/ODD.md §7.6), in plain Python loops.

Written from the docstring of ``model/kernels/finance.py`` and ODD §7.6 for
``tests/test_naive_finance.py``. Random numbers come from the same counter-based functions at
phase 5: for fund ``k``'s ``j``-th candidate of its ``deal``-th deal (``n = 1000 deal + 3 j``),
the mother fund's county is draw ``n``, the firm draw ``n + 1`` and the screening noise the
normal draw ``1 000 000 + n``; firm ``f``'s quotation, equity raise and listing are draws 0,
1, 2 of agent ``10 000 000 + f``.

Tables are ``dict[str, numpy.ndarray]`` (``Table.arrays``); the reference works on copies and
returns them.
"""

from __future__ import annotations

import math

import numpy as np
from naive_talent import copies

from model.kernels import rng
from model.sim.ledger import N_FLOWS, SRC_EQUITY_MARKETS, SRC_OUTSIDE_INVESTORS
from model.sim.state import CAPITAL_GUIDANCE, CAPITAL_MARKET_VC, CAPITAL_MOTHER, CAPITAL_TECH_BANK

PHASE_FINANCE = 5
MAX_DEALS_PER_Q = 100
LISTING_RAISE_PER_REVENUE = 2.0
MIN_LOAN_MCNY = 0.01

FIRM_COLUMNS = (
    "cash_mcny",
    "debt_mcny",
    "equity_raised_mcny",
    "fund_stake_mcny",
    "lead_fund",
    "co_fund",
    "co_stake_mcny",
    "revenue_at_investment_mcny",
    "quoted",
    "listed",
)
CAPITAL_COLUMNS = ("pool_mcny", "loans_mcny", "invested_mcny", "returns_mcny")


def screening_score(knowledge: float, patents: int, high_tech_share: float, z: float) -> float:
    """A fund's score of a firm (ODD §7.6, 3)."""
    knowledge_part = min(math.log1p(knowledge) / math.log1p(50.0), 1.5)
    patent_part = min(patents / 5.0, 1.0)
    return 0.5 * knowledge_part + 0.3 * patent_part + 0.2 * high_tech_share + 0.15 * z


def finance(
    firms, capital, counties, bank_of_county, market_vc_of_county, p, seed, step, capital_chain
):
    """Loans, fund inflows, venture deals, quotation and listing for one quarter.

    Returns ``(firm columns, capital columns, venture per county, its public part, flows)``.
    """
    fm = copies(firms, FIRM_COLUMNS)
    cap = copies(capital, CAPITAL_COLUMNS)
    venture = np.array(counties["venture_mcny"], copy=True)
    venture_public = np.array(counties["venture_public_mcny"], copy=True)
    flows = np.zeros(N_FLOWS)
    n_firms, n_counties = len(firms["alive"]), len(bank_of_county)

    # 1. tech loans: repay, then borrow against granted patents
    for f in range(n_firms):
        bank = bank_of_county[firms["county"][f]]
        if not firms["alive"][f] or bank < 0:
            continue
        if fm["debt_mcny"][f] > 0.0:
            due = p.loan_amortisation_per_q * fm["debt_mcny"][f]
            repaid = min(due, max(fm["cash_mcny"][f], 0.0))
            fm["cash_mcny"][f] -= repaid
            fm["debt_mcny"][f] -= repaid
            cap["pool_mcny"][bank] += repaid
            cap["loans_mcny"][bank] -= repaid
        target = 0.5 * firms["revenue_mcny"][f] + 0.2
        patents = firms["patents_granted"][f]
        if fm["cash_mcny"][f] < target and patents > 0:
            pledge_room = p.patent_pledge_value_mcny * patents - fm["debt_mcny"][f]
            loan = min(target - fm["cash_mcny"][f], pledge_room, cap["pool_mcny"][bank])
            if loan > MIN_LOAN_MCNY:
                fm["cash_mcny"][f] += loan
                fm["debt_mcny"][f] += loan
                cap["pool_mcny"][bank] -= loan
                cap["loans_mcny"][bank] += loan

    # 2. outside commitments to market funds
    for k in range(len(capital["alive"])):
        if capital["alive"][k] and capital["kind"][k] == CAPITAL_MARKET_VC:
            inflow = p.market_vc_inflow_mcny_per_q * p.firm_scale
            cap["pool_mcny"][k] += inflow
            flows[SRC_OUTSIDE_INVESTORS] += inflow

    # 3. venture deals; candidates: live, unlisted firms without a lead fund at the start,
    # younger than vc_max_firm_age_q and paying for R&D of their own
    candidates_in = [
        [
            f
            for f in range(n_firms)
            if firms["county"][f] == c
            and firms["alive"][f]
            and firms["lead_fund"][f] < 0
            and not firms["listed"][f]
            # the venture stage: young firms paying for R&D of their own
            and step - firms["born_step"][f] < p.vc_max_firm_age_q
            and firms["rd_real_mcny"][f] - firms["rd_grant_funded_mcny"][f] > 1e-12
        ]
        for c in range(n_counties)
    ]
    taken = set()
    for k in range(len(capital["alive"])):
        kind = capital["kind"][k]
        if not capital["alive"][k] or kind == CAPITAL_TECH_BANK:
            continue
        # a fund invests its pool over its investment period (the chain's guidance funds over
        # the chain's period), at least vc_deals_per_fund_per_q deals
        period = p.vc_investment_period_q
        if capital_chain and kind == CAPITAL_GUIDANCE:
            period = p.capital_chain_deployment_q
        per_q = cap["pool_mcny"][k] / (p.vc_ticket_mcny * period)
        n_deals = min(max(p.vc_deals_per_fund_per_q, math.floor(per_q)), MAX_DEALS_PER_Q)
        for deal in range(n_deals):
            if cap["pool_mcny"][k] < p.vc_ticket_mcny:
                break
            best, best_score = None, -math.inf
            for j in range(p.vc_candidates):
                n = 1000 * deal + 3 * j
                if kind == CAPITAL_MOTHER:
                    c = int(rng.uniform(seed, step, PHASE_FINANCE, k, n) * n_counties)
                else:
                    c = capital["county"][k]
                pool = candidates_in[c]
                if not pool:
                    continue
                f = pool[int(rng.uniform(seed, step, PHASE_FINANCE, k, n + 1) * len(pool))]
                if f in taken:
                    continue
                z = rng.normal(seed, step, PHASE_FINANCE, k, 1_000_000 + n)
                score = screening_score(
                    firms["knowledge"][f],
                    firms["patents_granted"][f],
                    firms["high_tech_share"][f],
                    z,
                )
                if score > best_score:
                    best, best_score = f, score
            if best is None or best_score < capital["threshold"][k]:
                continue
            ticket = p.vc_ticket_mcny
            cap["pool_mcny"][k] -= ticket
            cap["invested_mcny"][k] += ticket
            total = ticket
            if kind == CAPITAL_GUIDANCE:
                # the county's market fund co-invests
                market = market_vc_of_county[capital["county"][k]]
                co = min(capital["leverage"][k] * ticket, cap["pool_mcny"][market])
                if co > 0.0:
                    cap["pool_mcny"][market] -= co
                    cap["invested_mcny"][market] += co
                    fm["co_fund"][best] = market
                    fm["co_stake_mcny"][best] = co
                    total += co
            elif kind == CAPITAL_MOTHER:
                # sub-fund money from outside the region
                attracted = capital["leverage"][k] * ticket
                flows[SRC_OUTSIDE_INVESTORS] += attracted
                total += attracted
            fm["cash_mcny"][best] += total
            fm["fund_stake_mcny"][best] += ticket
            fm["equity_raised_mcny"][best] += total
            fm["lead_fund"][best] = k
            fm["revenue_at_investment_mcny"][best] = firms["revenue_mcny"][best]
            taken.add(best)
            venture[firms["county"][best]] += total
            if kind in (CAPITAL_GUIDANCE, CAPITAL_MOTHER):  # the public funds' own tickets
                venture_public[firms["county"][best]] += ticket

    # 4. equity boards and listing
    for f in range(n_firms):
        if not firms["alive"][f] or fm["listed"][f]:
            continue
        # an equity board in every county under the chain, else where the status quo has one
        board = capital_chain or bool(counties["equity_board"][firms["county"][f]])
        boost = p.capital_chain_quotation_boost if board else 1.0
        revenue = firms["revenue_mcny"][f]
        certified = firms["hte_until_step"][f] > step

        def coin(draw: int, f: int = f) -> float:
            return rng.uniform(seed, step, PHASE_FINANCE, 10_000_000 + f, draw)

        if not fm["quoted"][f]:
            may_quote = (firms["st_sme"][f] or certified) and (
                revenue >= p.quotation_min_revenue_mcny_per_q
            )
            if may_quote and coin(0) < p.quotation_probability_per_q * boost:
                fm["quoted"][f] = True
            continue  # a firm quoted this quarter raises money from the next
        if coin(1) < p.quoted_raise_probability_per_q:
            raised = p.quoted_raise_share_of_revenue * revenue
            fm["cash_mcny"][f] += raised
            fm["equity_raised_mcny"][f] += raised
            flows[SRC_EQUITY_MARKETS] += raised
        if (
            revenue >= p.listing_min_revenue_mcny_per_q
            and certified
            and coin(2) < (p.listing_probability_per_q)
        ):
            fm["listed"][f] = True
            raised = LISTING_RAISE_PER_REVENUE * revenue
            fm["cash_mcny"][f] += raised
            fm["equity_raised_mcny"][f] += raised
            flows[SRC_EQUITY_MARKETS] += raised
            # the lead fund and the co-investing market fund exit their own stakes
            for fund, stake in (
                (fm["lead_fund"][f], fm["fund_stake_mcny"][f]),
                (fm["co_fund"][f], fm["co_stake_mcny"][f]),
            ):
                if fund >= 0:
                    proceeds = p.vc_exit_multiple * stake
                    cap["pool_mcny"][fund] += proceeds
                    cap["returns_mcny"][fund] += proceeds
                    flows[SRC_EQUITY_MARKETS] += proceeds
            fm["fund_stake_mcny"][f] = fm["co_stake_mcny"][f] = 0.0
            fm["lead_fund"][f] = fm["co_fund"][f] = -1
    return fm, cap, venture, venture_public, flows
