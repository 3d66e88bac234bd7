"""Phase 10 — the report's indicators per county (report §3.1; ``model/sim/indicators.py``).

One sequential pass over each population (talent counts come from the firms' staff counts)
fills a ``(n_counties, N_INDICATORS)`` table in the order of
:data:`model.sim.indicators.INDICATORS`. Region-wide values are formed from it in Python
(sums, and the ratio for R&D intensity).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from model.sim.indicators import INDICATOR_INDEX
from model.sim.state import CAPITAL_GUIDANCE, CAPITAL_TECH_BANK

I_RD = INDICATOR_INDEX["rd_spending_mcny"]
I_REVENUE = INDICATOR_INDEX["revenue_mcny"]
I_INTENSITY = INDICATOR_INDEX["rd_intensity"]
I_HTE = INDICATOR_INDEX["high_tech_enterprises"]
I_STSME = INDICATOR_INDEX["st_smes"]
I_HTVA = INDICATOR_INDEX["high_tech_value_added_mcny"]
I_APPS = INDICATOR_INDEX["invention_patent_applications"]
I_GRANTS = INDICATOR_INDEX["invention_patent_grants"]
I_STARTUPS = INDICATOR_INDEX["startups"]
I_GRADUATES = INDICATOR_INDEX["incubator_graduates"]
I_QUOTED = INDICATOR_INDEX["quoted_firms"]
I_LISTED = INDICATOR_INDEX["listed_firms"]
I_VENTURE = INDICATOR_INDEX["venture_investment_mcny"]
I_LOANS = INDICATOR_INDEX["tech_loans_outstanding_mcny"]
I_EXPERTS = INDICATOR_INDEX["high_level_talent"]
I_STAFF = INDICATOR_INDEX["rd_staff"]
I_GOV_ST = INDICATOR_INDEX["gov_st_spending_mcny"]
I_FIRMS = INDICATOR_INDEX["firms"]
I_FIRMS_RD = INDICATOR_INDEX["firms_doing_rd"]
I_PLATFORMS = INDICATOR_INDEX["platforms"]
I_TENANTS = INDICATOR_INDEX["platform_tenants"]
I_COUNTY_TAX = INDICATOR_INDEX["county_tax_revenue_mcny"]
I_PROVINCE_TAX = INDICATOR_INDEX["province_tax_revenue_mcny"]
I_COUNTY_COST = INDICATOR_INDEX["county_policy_cost_mcny"]
I_PROVINCE_COST = INDICATOR_INDEX["province_policy_cost_mcny"]
I_RD_PERFORMED = INDICATOR_INDEX["rd_performed_mcny"]
I_PUBLIC_FUNDS = INDICATOR_INDEX["public_fund_assets_mcny"]
I_RD_GRANT_FUNDED = INDICATOR_INDEX["rd_grant_funded_mcny"]
I_RD_NET = INDICATOR_INDEX["rd_performed_net_mcny"]
I_VENTURE_PUBLIC = INDICATOR_INDEX["venture_public_mcny"]
I_VENTURE_PRIVATE = INDICATOR_INDEX["venture_private_mcny"]
I_RECRUITED = INDICATOR_INDEX["recruited_experts"]
I_EXPERTS_NET = INDICATOR_INDEX["high_level_talent_net"]
I_HUB_TALENT = INDICATOR_INDEX["hub_talent_employed"]
I_ST_CUT = INDICATOR_INDEX["st_cut_mcny"]


def county_indicators(
    firms,
    platforms,
    talent,
    capital,
    counties,
    high_tech_sector,
    step,
    n_indicators,
    loan_loss_given_default,
):
    """Compute every indicator for every county.

    Parameters
    ----------
    high_tech_sector : (n_sectors,) bool
        Sectors counted as high-tech industry.
    loan_loss_given_default : float
        Write-down of a tech-bank loan to a firm whose cash is negative (public fund assets
        are valued, not booked: a guidance fund's stake is impaired by the fall of the firm's
        revenue since the investment, never written up).

    Returns
    -------
    (n_counties, n_indicators) float64
    """
    return _county_indicators_body(
        counties.budget_mcny,
        firms.alive,
        firms.county,
        firms.rd_reported_mcny,
        firms.rd_real_mcny,
        firms.revenue_mcny,
        firms.hte_until_step,
        firms.st_sme,
        firms.sector,
        firms.value_added_mcny,
        firms.high_tech_share,
        firms.applications_q,
        firms.grants_q,
        firms.quoted,
        firms.listed,
        firms.debt_mcny,
        firms.platform,
        firms.lead_fund,
        capital.kind,
        capital.county,
        firms.fund_stake_mcny,
        firms.revenue_at_investment_mcny,
        firms.cash_mcny,
        firms.rd_staff,
        firms.experts,
        firms.hub_staff,
        firms.hub_experts,
        firms.recruited_experts,
        firms.rd_grant_funded_mcny,
        platforms.alive,
        platforms.county,
        capital.alive,
        capital.pool_mcny,
        capital.loans_mcny,
        counties.startups_q,
        counties.graduates_q,
        counties.venture_mcny,
        counties.venture_public_mcny,
        counties.st_spending_mcny,
        counties.tax_revenue_mcny,
        counties.province_tax_mcny,
        counties.policy_cost_mcny,
        counties.province_policy_cost_mcny,
        counties.st_cut_mcny,
        high_tech_sector,
        step,
        n_indicators,
        loan_loss_given_default,
    )


@njit(cache=True)
def _county_indicators_body(
    county_budget_mcny,
    firm_alive,
    firm_county,
    firm_rd_reported_mcny,
    firm_rd_real_mcny,
    firm_revenue_mcny,
    firm_hte_until_step,
    firm_st_sme,
    firm_sector,
    firm_value_added_mcny,
    firm_high_tech_share,
    firm_applications_q,
    firm_grants_q,
    firm_quoted,
    firm_listed,
    firm_debt_mcny,
    firm_platform,
    firm_lead_fund,
    capital_kind,
    capital_county,
    firm_fund_stake_mcny,
    firm_revenue_at_investment_mcny,
    firm_cash_mcny,
    firm_rd_staff,
    firm_experts,
    firm_hub_staff,
    firm_hub_experts,
    firm_recruited_experts,
    firm_rd_grant_funded_mcny,
    platform_alive,
    platform_county,
    capital_alive,
    capital_pool_mcny,
    capital_loans_mcny,
    county_startups_q,
    county_graduates_q,
    county_venture_mcny,
    county_venture_public_mcny,
    county_st_spending_mcny,
    county_tax_revenue_mcny,
    county_province_tax_mcny,
    county_policy_cost_mcny,
    county_province_policy_cost_mcny,
    county_st_cut_mcny,
    high_tech_sector,
    step,
    n_indicators,
    loan_loss_given_default,
):
    """Compiled body of :func:`county_indicators`."""
    n_counties = len(county_budget_mcny)
    out = np.zeros((n_counties, n_indicators), dtype=np.float64)
    for f in range(len(firm_alive)):
        if not firm_alive[f]:
            continue
        c = firm_county[f]
        out[c, I_FIRMS] += 1.0
        out[c, I_RD] += firm_rd_reported_mcny[f]
        out[c, I_RD_PERFORMED] += firm_rd_real_mcny[f]
        out[c, I_RD_GRANT_FUNDED] += firm_rd_grant_funded_mcny[f]
        out[c, I_REVENUE] += firm_revenue_mcny[f]
        if firm_rd_real_mcny[f] > 0.0:
            out[c, I_FIRMS_RD] += 1.0
        certified = firm_hte_until_step[f] > step
        if certified:
            out[c, I_HTE] += 1.0
        if firm_st_sme[f]:
            out[c, I_STSME] += 1.0
        if certified or high_tech_sector[firm_sector[f]]:
            out[c, I_HTVA] += firm_value_added_mcny[f] * max(firm_high_tech_share[f], 0.0)
        out[c, I_APPS] += firm_applications_q[f]
        out[c, I_GRANTS] += firm_grants_q[f]
        if firm_quoted[f]:
            out[c, I_QUOTED] += 1.0
        if firm_listed[f]:
            out[c, I_LISTED] += 1.0
        out[c, I_LOANS] += firm_debt_mcny[f]
        if firm_platform[f] >= 0:
            out[c, I_TENANTS] += 1.0
        # S&T staff and experts by employer: counts, exact in any order. ``aggregate_talent``
        # sets them from the talent table after the talent market, and nothing moves a worker
        # between firms after it (workers of closed firms are released, entrants start with
        # none), so this equals counting the talent table, without a pass over 6M rows.
        # County talent is who lives and works in the county; hub workers are counted apart.
        out[c, I_STAFF] += firm_rd_staff[f] - firm_hub_staff[f]
        out[c, I_EXPERTS] += firm_experts[f] - firm_hub_experts[f]
        out[c, I_HUB_TALENT] += firm_hub_staff[f]
        out[c, I_RECRUITED] += firm_recruited_experts[f]
        lead = firm_lead_fund[f]
        if lead >= 0 and capital_kind[lead] == CAPITAL_GUIDANCE:
            out[capital_county[lead], I_PUBLIC_FUNDS] += firm_fund_stake_mcny[f] * stake_value(
                firm_revenue_mcny[f], firm_revenue_at_investment_mcny[f]
            )
        if firm_debt_mcny[f] > 0.0 and firm_cash_mcny[f] < 0.0:
            # a distressed borrower: its tech-bank loan is worth less than its book value
            out[c, I_PUBLIC_FUNDS] -= loan_loss_given_default * firm_debt_mcny[f]
    for k in range(len(platform_alive)):
        if platform_alive[k]:
            out[platform_county[k], I_PLATFORMS] += 1.0
    for k in range(len(capital_alive)):
        if not capital_alive[k] or capital_county[k] < 0:
            continue
        if capital_kind[k] == CAPITAL_GUIDANCE:
            out[capital_county[k], I_PUBLIC_FUNDS] += capital_pool_mcny[k]
        elif capital_kind[k] == CAPITAL_TECH_BANK:
            out[capital_county[k], I_PUBLIC_FUNDS] += capital_pool_mcny[k] + capital_loans_mcny[k]
    for c in range(n_counties):
        out[c, I_STARTUPS] = county_startups_q[c]
        out[c, I_GRADUATES] = county_graduates_q[c]
        out[c, I_VENTURE] = county_venture_mcny[c]
        out[c, I_VENTURE_PUBLIC] = county_venture_public_mcny[c]
        out[c, I_VENTURE_PRIVATE] = county_venture_mcny[c] - county_venture_public_mcny[c]
        out[c, I_RD_NET] = out[c, I_RD_PERFORMED] - out[c, I_RD_GRANT_FUNDED]
        out[c, I_EXPERTS_NET] = out[c, I_EXPERTS] - out[c, I_RECRUITED]
        out[c, I_GOV_ST] = county_st_spending_mcny[c]
        out[c, I_COUNTY_TAX] = county_tax_revenue_mcny[c]
        out[c, I_PROVINCE_TAX] = county_province_tax_mcny[c]
        out[c, I_COUNTY_COST] = county_policy_cost_mcny[c]
        out[c, I_PROVINCE_COST] = county_province_policy_cost_mcny[c]
        out[c, I_ST_CUT] = county_st_cut_mcny[c]
        if out[c, I_REVENUE] > 0.0:
            out[c, I_INTENSITY] = out[c, I_RD] / out[c, I_REVENUE]
    return out


@njit(cache=True, inline="always")
def stake_value(revenue_mcny, revenue_at_investment_mcny):
    """Value of one CNY of a guidance fund's stake (book value 1).

    Impaired in proportion to the fall of the firm's quarterly revenue since the investment;
    never above book (no write-up before an exit realises it); book value where the firm had
    no revenue when the fund invested (a start-up, valued at cost while alive).
    """
    if revenue_at_investment_mcny <= 0.0:
        return 1.0
    return min(max(revenue_mcny, 0.0) / revenue_at_investment_mcny, 1.0)
