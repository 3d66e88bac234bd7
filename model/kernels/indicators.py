"""Phase 10 — the report's indicators per county (report §3.1; ``model/indicators.py``).

One sequential pass over each population fills a ``(n_counties, N_INDICATORS)`` table in the
order of :data:`model.indicators.INDICATORS`. Region-wide values are formed from it in Python
(sums, and the ratio for R&D intensity).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from model.indicators import INDICATOR_INDEX
from model.state import CAPITAL_GUIDANCE, CAPITAL_TECH_BANK, TIER_EXPERT

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


@njit(cache=True)
def county_indicators(
    firms, platforms, talent, capital, counties, high_tech_sector, step, n_indicators
):
    """Compute every indicator for every county.

    Parameters
    ----------
    high_tech_sector : (n_sectors,) bool
        Sectors counted as high-tech industry.

    Returns
    -------
    (n_counties, n_indicators) float64
    """
    n_counties = len(counties.budget_mcny)
    out = np.zeros((n_counties, n_indicators), dtype=np.float64)
    for f in range(len(firms.alive)):
        if not firms.alive[f]:
            continue
        c = firms.county[f]
        out[c, I_FIRMS] += 1.0
        out[c, I_RD] += firms.rd_reported_mcny[f]
        out[c, I_RD_PERFORMED] += firms.rd_real_mcny[f]
        out[c, I_REVENUE] += firms.revenue_mcny[f]
        if firms.rd_real_mcny[f] > 0.0:
            out[c, I_FIRMS_RD] += 1.0
        certified = firms.hte_until_step[f] > step
        if certified:
            out[c, I_HTE] += 1.0
        if firms.st_sme[f]:
            out[c, I_STSME] += 1.0
        if certified or high_tech_sector[firms.sector[f]]:
            out[c, I_HTVA] += firms.value_added_mcny[f] * max(firms.high_tech_share[f], 0.0)
        out[c, I_APPS] += firms.applications_q[f]
        out[c, I_GRANTS] += firms.grants_q[f]
        if firms.quoted[f]:
            out[c, I_QUOTED] += 1.0
        if firms.listed[f]:
            out[c, I_LISTED] += 1.0
        out[c, I_LOANS] += firms.debt_mcny[f]
        if firms.platform[f] >= 0:
            out[c, I_TENANTS] += 1.0
        lead = firms.lead_fund[f]
        if lead >= 0 and capital.kind[lead] == CAPITAL_GUIDANCE:
            out[capital.county[lead], I_PUBLIC_FUNDS] += firms.fund_stake_mcny[f]
    for i in range(len(talent.alive)):
        f = talent.employer_firm[i]
        if talent.alive[i] and f >= 0:
            c = firms.county[f]
            out[c, I_STAFF] += 1.0
            if talent.tier[i] == TIER_EXPERT:
                out[c, I_EXPERTS] += 1.0
    for k in range(len(platforms.alive)):
        if platforms.alive[k]:
            out[platforms.county[k], I_PLATFORMS] += 1.0
    for k in range(len(capital.alive)):
        if not capital.alive[k] or capital.county[k] < 0:
            continue
        if capital.kind[k] == CAPITAL_GUIDANCE:
            out[capital.county[k], I_PUBLIC_FUNDS] += capital.pool_mcny[k]
        elif capital.kind[k] == CAPITAL_TECH_BANK:
            out[capital.county[k], I_PUBLIC_FUNDS] += capital.pool_mcny[k] + capital.loans_mcny[k]
    for c in range(n_counties):
        out[c, I_STARTUPS] = counties.startups_q[c]
        out[c, I_GRADUATES] = counties.graduates_q[c]
        out[c, I_VENTURE] = counties.venture_mcny[c]
        out[c, I_GOV_ST] = counties.st_spending_mcny[c]
        out[c, I_COUNTY_TAX] = counties.tax_revenue_mcny[c]
        out[c, I_PROVINCE_TAX] = counties.province_tax_mcny[c]
        out[c, I_COUNTY_COST] = counties.policy_cost_mcny[c]
        out[c, I_PROVINCE_COST] = counties.province_policy_cost_mcny[c]
        if out[c, I_REVENUE] > 0.0:
            out[c, I_INTENSITY] = out[c, I_RD] / out[c, I_REVENUE]
    return out
