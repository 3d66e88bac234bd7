"""Phase 5 — finance: tech loans, venture funds, equity boards, listing (report §1.4).

Tech banks lend against granted invention patents (Jiashan: 250 m CNY to 36 tech SMEs,
IP-pledge loans) and are repaid with interest; a closing firm's loan is a loss. Funds screen a
few firms a quarter and invest in the best one above their threshold: government guidance
funds accept weaker firms than market funds (Brander, Du & Hellmann 2015), and each guidance
investment draws market co-investment (Changxing: 458.5 m of funds, 915 m invested); the mother
fund attracts sub-fund money from outside (7.5 bn -> 10.2 bn). Firms with S&T status quote on an
equity board and raise equity; quoted firms may list, and funds exit at a multiple.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from model.kernels.index import group_index
from model.kernels.rng import normal, uniform
from model.ledger import SRC_EQUITY_MARKETS, SRC_OUTSIDE_INVESTORS
from model.state import CAPITAL_GUIDANCE, CAPITAL_MARKET_VC, CAPITAL_MOTHER, CAPITAL_TECH_BANK

PHASE_FINANCE = 5


@njit(cache=True)
def screening_score(f, firms, noise):
    """Score a fund gives firm ``f``: knowledge, patents, high-tech share, plus noise."""
    k = np.log1p(firms.knowledge[f]) / np.log1p(50.0)
    pats = min(firms.patents_granted[f] / 5.0, 1.0)
    return 0.5 * min(k, 1.5) + 0.3 * pats + 0.2 * firms.high_tech_share[f] + noise


@njit(cache=True)
def finance(
    firms,
    capital,
    counties,
    bank_of_county,
    market_vc_of_county,
    p,
    seed,
    step,
    capital_chain,
    flows,
):
    """Run one quarter of lending, venture investment, quotation and listing.

    Parameters
    ----------
    firms : Firms
        Writes cash, debt, equity raised, fund stake, lead fund, quoted, listed.
    capital : Capital
        Writes pools, loans, invested, returns.
    counties : Counties
        Adds venture investment to ``venture_mcny``.
    bank_of_county, market_vc_of_county : (n_counties,) int64
        Rows of each county's tech bank and market venture fund in ``capital``.
    capital_chain : bool
        Whether the capital chain policy is on (report §1.4): county guidance funds invest
        their pool over ``capital_chain_deployment_q`` quarters, and counties run an equity
        board (Changxing's "S&T board").
    flows : (N_FLOWS,) float64
    """
    n_counties = len(bank_of_county)
    n_firms = len(firms.alive)
    # 1. repayments and new tech loans
    for f in range(n_firms):
        if not firms.alive[f]:
            continue
        bank = bank_of_county[firms.county[f]]
        if bank < 0:
            continue  # no tech bank in this county
        if firms.debt_mcny[f] > 0.0:
            principal = min(
                p.loan_amortisation_per_q * firms.debt_mcny[f], max(firms.cash_mcny[f], 0.0)
            )
            firms.cash_mcny[f] -= principal
            firms.debt_mcny[f] -= principal
            capital.pool_mcny[bank] += principal
            capital.loans_mcny[bank] -= principal
        target = 0.5 * firms.revenue_mcny[f] + 0.2
        if firms.cash_mcny[f] < target and firms.patents_granted[f] > 0:
            limit = p.patent_pledge_value_mcny * firms.patents_granted[f] - firms.debt_mcny[f]
            loan = min(target - firms.cash_mcny[f], limit, capital.pool_mcny[bank])
            if loan > 0.01:
                firms.cash_mcny[f] += loan
                firms.debt_mcny[f] += loan
                capital.pool_mcny[bank] -= loan
                capital.loans_mcny[bank] += loan
    # 2. market funds receive new commitments from outside investors
    for k in range(len(capital.alive)):
        if capital.alive[k] and capital.kind[k] == CAPITAL_MARKET_VC:
            inflow = p.market_vc_inflow_mcny_per_q * p.firm_scale
            capital.pool_mcny[k] += inflow
            flows[SRC_OUTSIDE_INVESTORS] += inflow
    # 3. venture investments
    candidates = firms.alive & (firms.lead_fund < 0) & ~firms.listed
    by_county, off = group_index(firms.county, candidates, n_counties)
    taken = np.zeros(n_firms, dtype=np.bool_)
    for k in range(len(capital.alive)):
        kind = capital.kind[k]
        if not capital.alive[k] or kind == CAPITAL_TECH_BANK:
            continue
        n_deals = p.vc_deals_per_fund_per_q
        if capital_chain and kind == CAPITAL_GUIDANCE:
            # a topped-up fund is run to invest its pool over its investment period (report
            # §1.4: Changxing's 458.5 m of funds had invested 915 m with co-investors)
            per_q = capital.pool_mcny[k] / (p.vc_ticket_mcny * p.capital_chain_deployment_q)
            n_deals = min(max(n_deals, int(per_q)), 100)
        for deal in range(n_deals):
            if capital.pool_mcny[k] < p.vc_ticket_mcny:
                break
            best = -1
            best_score = -1e9
            for j in range(p.vc_candidates):
                draw = 1000 * deal + 3 * j
                if kind == CAPITAL_MOTHER:
                    c = int(uniform(seed, step, PHASE_FINANCE, k, draw) * n_counties)
                else:
                    c = capital.county[k]
                n_c = off[c + 1] - off[c]
                if n_c == 0:
                    continue
                f = by_county[off[c] + int(uniform(seed, step, PHASE_FINANCE, k, draw + 1) * n_c)]
                if taken[f]:
                    continue
                score = screening_score(
                    f, firms, 0.15 * normal(seed, step, PHASE_FINANCE, k, 1_000_000 + draw)
                )
                if score > best_score:
                    best_score = score
                    best = f
            if best < 0 or best_score < capital.threshold[k]:
                continue
            ticket = p.vc_ticket_mcny
            capital.pool_mcny[k] -= ticket
            capital.invested_mcny[k] += ticket
            total = ticket
            if kind == CAPITAL_GUIDANCE:
                market = market_vc_of_county[capital.county[k]]
                co = min(capital.leverage[k] * ticket, capital.pool_mcny[market])
                if co > 0.0:
                    capital.pool_mcny[market] -= co
                    capital.invested_mcny[market] += co
                    firms.co_fund[best] = market
                    firms.co_stake_mcny[best] = co
                    total += co
            elif kind == CAPITAL_MOTHER:
                attracted = capital.leverage[k] * ticket
                flows[SRC_OUTSIDE_INVESTORS] += attracted
                total += attracted
            firms.cash_mcny[best] += total
            firms.fund_stake_mcny[best] += ticket  # the lead fund's own money
            firms.equity_raised_mcny[best] += total
            firms.lead_fund[best] = k
            taken[best] = True
            counties.venture_mcny[firms.county[best]] += total
    # 4. quotation on equity boards, raising equity, listing
    boost = p.capital_chain_quotation_boost if capital_chain else 1.0
    for f in range(n_firms):
        if not firms.alive[f] or firms.listed[f]:
            continue
        certified = firms.hte_until_step[f] > step
        if not firms.quoted[f]:
            if (
                (firms.st_sme[f] or certified)
                and firms.revenue_mcny[f] >= p.quotation_min_revenue_mcny_per_q
                and uniform(seed, step, PHASE_FINANCE, 10_000_000 + f, 0)
                < p.quotation_probability_per_q * boost
            ):
                firms.quoted[f] = True
            continue
        if uniform(seed, step, PHASE_FINANCE, 10_000_000 + f, 1) < p.quoted_raise_probability_per_q:
            raised = p.quoted_raise_share_of_revenue * firms.revenue_mcny[f]
            firms.cash_mcny[f] += raised
            firms.equity_raised_mcny[f] += raised
            flows[SRC_EQUITY_MARKETS] += raised
        if (
            firms.revenue_mcny[f] >= p.listing_min_revenue_mcny_per_q
            and certified
            and uniform(seed, step, PHASE_FINANCE, 10_000_000 + f, 2) < p.listing_probability_per_q
        ):
            firms.listed[f] = True
            raised = 2.0 * firms.revenue_mcny[f]
            firms.cash_mcny[f] += raised
            firms.equity_raised_mcny[f] += raised
            flows[SRC_EQUITY_MARKETS] += raised
            # each modelled fund exits its own stake; outside co-investors (the mother fund's
            # sub-funds) exit outside the model
            for k, stake in (
                (firms.lead_fund[f], firms.fund_stake_mcny[f]),
                (firms.co_fund[f], firms.co_stake_mcny[f]),
            ):
                if k >= 0:
                    proceeds = p.vc_exit_multiple * stake
                    capital.pool_mcny[k] += proceeds
                    capital.returns_mcny[k] += proceeds
                    flows[SRC_EQUITY_MARKETS] += proceeds
            firms.fund_stake_mcny[f] = 0.0
            firms.lead_fund[f] = -1
            firms.co_stake_mcny[f] = 0.0
            firms.co_fund[f] = -1
