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

from collections import namedtuple

import numpy as np
from numba import njit

from model.kernels.bundles import params_bundle
from model.kernels.index import group_index
from model.kernels.rng import normal, uniform
from model.kernels.streams import STREAM_FINANCE
from model.sim.ledger import SRC_EQUITY_MARKETS, SRC_OUTSIDE_INVESTORS
from model.sim.state import CAPITAL_GUIDANCE, CAPITAL_MARKET_VC, CAPITAL_MOTHER, CAPITAL_TECH_BANK


@njit(cache=True, inline="always")
def screening_score(knowledge, patents_granted, high_tech_share, noise):
    """Score a fund gives a firm: knowledge, patents, high-tech share, plus noise."""
    k = np.log1p(knowledge) / np.log1p(50.0)
    pats = min(patents_granted / 5.0, 1.0)
    return 0.5 * min(k, 1.5) + 0.3 * pats + 0.2 * high_tech_share + noise


#: The parameters :func:`_finance_body` reads (``KernelParams`` fields of the same names).
FinanceParams = namedtuple(
    "FinanceParams",
    """
    capital_chain_deployment_q capital_chain_quotation_boost firm_scale vc_investment_period_q
    listing_min_revenue_mcny_per_q listing_probability_per_q loan_amortisation_per_q
    market_vc_inflow_mcny_per_q patent_pledge_value_mcny
    quotation_min_revenue_mcny_per_q quotation_probability_per_q
    quoted_raise_probability_per_q quoted_raise_share_of_revenue vc_candidates
    vc_deals_per_fund_per_q vc_exit_multiple vc_ticket_mcny
    """.split(),
)


def finance_params(p):
    """The :data:`FinanceParams` of ``KernelParams`` ``p`` (same values and types)."""
    return params_bundle(FinanceParams, p)


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
        Writes cash, debt, equity raised, fund stake, lead fund, quoted, listed. Reads
        ``born_step``, ``rd_real_mcny`` and ``rd_grant_funded_mcny``: funds screen only firms
        younger than ``vc_max_firm_age_q`` that pay for R&D of their own this quarter.
    capital : Capital
        Writes pools, loans, invested, returns.
    counties : Counties
        Adds venture investment to ``venture_mcny``, and its public part (the tickets of
        guidance and mother funds) to ``venture_public_mcny``.
    bank_of_county, market_vc_of_county : (n_counties,) int64
        Rows of each county's tech bank and market venture fund in ``capital``.
    capital_chain : bool
        Whether the capital chain policy is on (report §1.4): county guidance funds invest
        their pool over ``capital_chain_deployment_q`` quarters, and every county runs an
        equity board (Changxing's "S&T board"). Without it only the counties whose
        ``equity_board`` is set (the status quo, region file) run one.
    flows : (N_FLOWS,) float64
    """
    # the venture stage (Gompers & Lerner 2001): young firms that pay for R&D of their own
    own_rd_mcny = firms.rd_real_mcny - firms.rd_grant_funded_mcny
    venture_stage = (step - firms.born_step < p.vc_max_firm_age_q) & (own_rd_mcny > 1e-12)
    equity_board = counties.equity_board | capital_chain  # (n_counties,) bool
    return _finance_body(
        venture_stage,
        equity_board,
        firms.alive,
        firms.knowledge,
        firms.high_tech_share,
        firms.county,
        firms.debt_mcny,
        firms.cash_mcny,
        capital.pool_mcny,
        capital.loans_mcny,
        firms.revenue_mcny,
        firms.patents_granted,
        capital.alive,
        capital.kind,
        firms.lead_fund,
        firms.listed,
        capital.county,
        capital.threshold,
        capital.invested_mcny,
        capital.leverage,
        firms.co_fund,
        firms.co_stake_mcny,
        firms.fund_stake_mcny,
        firms.revenue_at_investment_mcny,
        firms.equity_raised_mcny,
        counties.venture_mcny,
        counties.venture_public_mcny,
        firms.hte_until_step,
        firms.quoted,
        firms.st_sme,
        capital.returns_mcny,
        finance_params(p),
        bank_of_county,
        market_vc_of_county,
        seed,
        step,
        capital_chain,
        flows,
    )


@njit(cache=True)
def _finance_body(
    venture_stage,
    county_equity_board,
    firm_alive,
    firm_knowledge,
    firm_high_tech_share,
    firm_county,
    firm_debt_mcny,
    firm_cash_mcny,
    capital_pool_mcny,
    capital_loans_mcny,
    firm_revenue_mcny,
    firm_patents_granted,
    capital_alive,
    capital_kind,
    firm_lead_fund,
    firm_listed,
    capital_county,
    capital_threshold,
    capital_invested_mcny,
    capital_leverage,
    firm_co_fund,
    firm_co_stake_mcny,
    firm_fund_stake_mcny,
    firm_revenue_at_investment_mcny,
    firm_equity_raised_mcny,
    county_venture_mcny,
    county_venture_public_mcny,
    firm_hte_until_step,
    firm_quoted,
    firm_st_sme,
    capital_returns_mcny,
    prm,
    bank_of_county,
    market_vc_of_county,
    seed,
    step,
    capital_chain,
    flows,
):
    """Compiled body of :func:`finance`."""
    n_counties = len(bank_of_county)
    n_firms = len(firm_alive)
    # 1. repayments and new tech loans
    for f in range(n_firms):
        if not firm_alive[f]:
            continue
        bank = bank_of_county[firm_county[f]]
        if bank < 0:
            continue  # no tech bank in this county
        if firm_debt_mcny[f] > 0.0:
            principal = min(
                prm.loan_amortisation_per_q * firm_debt_mcny[f], max(firm_cash_mcny[f], 0.0)
            )
            firm_cash_mcny[f] -= principal
            firm_debt_mcny[f] -= principal
            capital_pool_mcny[bank] += principal
            capital_loans_mcny[bank] -= principal
        target = 0.5 * firm_revenue_mcny[f] + 0.2
        if firm_cash_mcny[f] < target and firm_patents_granted[f] > 0:
            limit = prm.patent_pledge_value_mcny * firm_patents_granted[f] - firm_debt_mcny[f]
            loan = min(target - firm_cash_mcny[f], limit, capital_pool_mcny[bank])
            if loan > 0.01:
                firm_cash_mcny[f] += loan
                firm_debt_mcny[f] += loan
                capital_pool_mcny[bank] -= loan
                capital_loans_mcny[bank] += loan
    # 2. market funds receive new commitments from outside investors
    for k in range(len(capital_alive)):
        if capital_alive[k] and capital_kind[k] == CAPITAL_MARKET_VC:
            inflow = prm.market_vc_inflow_mcny_per_q * prm.firm_scale
            capital_pool_mcny[k] += inflow
            flows[SRC_OUTSIDE_INVESTORS] += inflow
    # 3. venture investments
    candidates = firm_alive & venture_stage & (firm_lead_fund < 0) & ~firm_listed
    by_county, off = group_index(firm_county, candidates, n_counties)
    taken = np.zeros(n_firms, dtype=np.bool_)
    for k in range(len(capital_alive)):
        kind = capital_kind[k]
        if not capital_alive[k] or kind == CAPITAL_TECH_BANK:
            continue
        # every fund invests its pool over an investment period (so a larger pool makes more
        # deals); a guidance fund of the capital chain over the chain's period (report §1.4:
        # Changxing's 458.5 m of funds had invested 915 m with co-investors)
        period_q = prm.vc_investment_period_q
        if capital_chain and kind == CAPITAL_GUIDANCE:
            period_q = prm.capital_chain_deployment_q
        per_q = capital_pool_mcny[k] / (prm.vc_ticket_mcny * period_q)
        n_deals = min(max(prm.vc_deals_per_fund_per_q, int(per_q)), 100)
        for deal in range(n_deals):
            if capital_pool_mcny[k] < prm.vc_ticket_mcny:
                break
            best = -1
            best_score = -1e9
            for j in range(prm.vc_candidates):
                draw = 1000 * deal + 3 * j
                if kind == CAPITAL_MOTHER:
                    c = int(uniform(seed, step, STREAM_FINANCE, k, draw) * n_counties)
                else:
                    c = capital_county[k]
                n_c = off[c + 1] - off[c]
                if n_c == 0:
                    continue
                f = by_county[off[c] + int(uniform(seed, step, STREAM_FINANCE, k, draw + 1) * n_c)]
                if taken[f]:
                    continue
                score = screening_score(
                    firm_knowledge[f],
                    firm_patents_granted[f],
                    firm_high_tech_share[f],
                    0.15 * normal(seed, step, STREAM_FINANCE, k, 1_000_000 + draw),
                )
                if score > best_score:
                    best_score = score
                    best = f
            if best < 0 or best_score < capital_threshold[k]:
                continue
            ticket = prm.vc_ticket_mcny
            capital_pool_mcny[k] -= ticket
            capital_invested_mcny[k] += ticket
            total = ticket
            if kind == CAPITAL_GUIDANCE:
                market = market_vc_of_county[capital_county[k]]
                co = min(capital_leverage[k] * ticket, capital_pool_mcny[market])
                if co > 0.0:
                    capital_pool_mcny[market] -= co
                    capital_invested_mcny[market] += co
                    firm_co_fund[best] = market
                    firm_co_stake_mcny[best] = co
                    total += co
            elif kind == CAPITAL_MOTHER:
                attracted = capital_leverage[k] * ticket
                flows[SRC_OUTSIDE_INVESTORS] += attracted
                total += attracted
            firm_cash_mcny[best] += total
            firm_fund_stake_mcny[best] += ticket  # the lead fund's own money
            firm_equity_raised_mcny[best] += total
            firm_lead_fund[best] = k
            firm_revenue_at_investment_mcny[best] = firm_revenue_mcny[best]
            taken[best] = True
            county_venture_mcny[firm_county[best]] += total
            if kind == CAPITAL_GUIDANCE or kind == CAPITAL_MOTHER:
                county_venture_public_mcny[firm_county[best]] += ticket  # public money
    # 4. quotation on equity boards, raising equity, listing
    for f in range(n_firms):
        if not firm_alive[f] or firm_listed[f]:
            continue
        boost = prm.capital_chain_quotation_boost if county_equity_board[firm_county[f]] else 1.0
        certified = firm_hte_until_step[f] > step
        if not firm_quoted[f]:
            if (
                (firm_st_sme[f] or certified)
                and firm_revenue_mcny[f] >= prm.quotation_min_revenue_mcny_per_q
                and uniform(seed, step, STREAM_FINANCE, 10_000_000 + f, 0)
                < prm.quotation_probability_per_q * boost
            ):
                firm_quoted[f] = True
            continue
        if (
            uniform(seed, step, STREAM_FINANCE, 10_000_000 + f, 1)
            < prm.quoted_raise_probability_per_q
        ):
            raised = prm.quoted_raise_share_of_revenue * firm_revenue_mcny[f]
            firm_cash_mcny[f] += raised
            firm_equity_raised_mcny[f] += raised
            flows[SRC_EQUITY_MARKETS] += raised
        if (
            firm_revenue_mcny[f] >= prm.listing_min_revenue_mcny_per_q
            and certified
            and uniform(seed, step, STREAM_FINANCE, 10_000_000 + f, 2)
            < prm.listing_probability_per_q
        ):
            firm_listed[f] = True
            raised = 2.0 * firm_revenue_mcny[f]
            firm_cash_mcny[f] += raised
            firm_equity_raised_mcny[f] += raised
            flows[SRC_EQUITY_MARKETS] += raised
            # each modelled fund exits its own stake; outside co-investors (the mother fund's
            # sub-funds) exit outside the model
            for k, stake in (
                (firm_lead_fund[f], firm_fund_stake_mcny[f]),
                (firm_co_fund[f], firm_co_stake_mcny[f]),
            ):
                if k >= 0:
                    proceeds = prm.vc_exit_multiple * stake
                    capital_pool_mcny[k] += proceeds
                    capital_returns_mcny[k] += proceeds
                    flows[SRC_EQUITY_MARKETS] += proceeds
            firm_fund_stake_mcny[f] = 0.0
            firm_lead_fund[f] = -1
            firm_co_stake_mcny[f] = 0.0
            firm_co_fund[f] = -1
