"""Phase 1b — wages respond to scarcity (report §2.3: counties compete for scarce talent).

Each county pays each talent tier (R&D staff, senior engineers, experts) its table wage times a
wage index. After the quarter's matching, the index moves by partial adjustment toward the
wage curve (Blanchflower & Oswald 1994): ``(tightness / reference) ** elasticity``, where the
tightness of a tier is the county's open vacancies per unemployed worker of that tier, bounded
to ``[1 / bound, bound]`` times the reference. A firm's open vacancies are the part of its
staff budget its staff do not take (budget minus wage bill at going wages), in persons at the
county's going staff wage. Programmes that add demand for the same people (enclaves, expert
links) raise the going wage; firms then hire fewer people within the same staff budget
(``talent_market``) and pay more for those they keep (``aggregate_talent``). Deterministic: no
random draws.
"""

from __future__ import annotations

import numpy as np
from numba import njit


def update_wages(counties, talent, firms, p):
    """Move each county's wage index of each tier toward the wage curve.

    Parameters
    ----------
    counties : Counties
        Writes ``wage_index`` (n_counties, 3).
    talent : Talent
        Reads ``alive``, ``employer_firm``, ``county``, ``tier``, ``hub``: unemployed workers
        of a county (hub talent has no county and does not count) and each firm's wage bill.
    firms : Firms
        Reads ``alive``, ``county``, ``staff_budget_mcny``: open vacancies.
    p : KernelParams
        Reads the table wages, ``senior_share_of_staff``, ``hub_wage_premium``,
        ``wage_tightness_elasticity``, ``wage_reference_tightness``,
        ``wage_adjustment_per_q``, ``wage_tightness_bound``.
    """
    _update_wages_body(
        counties.wage_index,
        talent.alive,
        talent.employer_firm,
        talent.county,
        talent.tier,
        talent.hub,
        firms.alive,
        firms.county,
        firms.staff_budget_mcny,
        table_wages(p),
        p.senior_share_of_staff,
        p.hub_wage_premium,
        p.wage_tightness_elasticity,
        p.wage_reference_tightness,
        p.wage_adjustment_per_q,
        p.wage_tightness_bound,
    )


@njit(cache=True)
def _update_wages_body(
    county_wage_index,
    talent_alive,
    talent_employer_firm,
    talent_county,
    talent_tier,
    talent_hub,
    firm_alive,
    firm_county,
    firm_staff_budget_mcny,
    table_wage_mcny,
    senior_share,
    hub_premium,
    elasticity,
    reference,
    adjustment,
    bound,
):
    """Compiled body of :func:`update_wages`."""
    n_counties, n_tiers = county_wage_index.shape
    bill = np.zeros(len(firm_alive))
    seekers = np.zeros((n_counties, n_tiers))
    for i in range(len(talent_alive)):
        if not talent_alive[i]:
            continue
        f = talent_employer_firm[i]
        if f >= 0:
            bill[f] += going_wage(
                table_wage_mcny,
                county_wage_index[firm_county[f]],
                talent_tier[i],
                talent_hub[i] >= 0,
                hub_premium,
            )
        elif talent_county[i] >= 0:
            seekers[talent_county[i], talent_tier[i]] += 1.0
    # open vacancies: the staff budget left, in persons at the county's going staff wage
    vacancies = np.zeros(n_counties)
    for f in range(len(firm_alive)):
        c = firm_county[f]
        if firm_alive[f] and firm_staff_budget_mcny[f] > bill[f]:
            staff_wage = going_staff_wage(table_wage_mcny, county_wage_index[c], senior_share)
            vacancies[c] += np.floor((firm_staff_budget_mcny[f] - bill[f]) / staff_wage)
    for c in range(n_counties):
        for tier in range(n_tiers):
            if seekers[c, tier] > 0.0:
                ratio = vacancies[c] / seekers[c, tier] / reference
            elif vacancies[c] > 0.0:
                ratio = bound  # vacancies and no one of the tier looking: as tight as counted
            else:
                ratio = 1.0  # no market this quarter: the curve's reference point
            ratio = min(max(ratio, 1.0 / bound), bound)
            target = ratio**elasticity
            county_wage_index[c, tier] += adjustment * (target - county_wage_index[c, tier])


def table_wages(p):
    """(3,) float64: the table wage of each tier (m CNY per person per quarter)."""
    return np.array(
        [p.wage_rd_staff_mcny_per_q, p.wage_senior_mcny_per_q, p.wage_expert_mcny_per_q]
    )


@njit(cache=True, inline="always")
def going_wage(table_wage_mcny, county_index, tier, in_hub, hub_premium):
    """Quarterly going wage of one worker (m CNY).

    The table wage of its tier times its employer's county index of the tier, times
    ``hub_premium`` if it works in a hub.
    """
    wage = table_wage_mcny[tier] * county_index[tier]
    return wage * hub_premium if in_hub else wage


@njit(cache=True, inline="always")
def going_staff_wage(table_wage_mcny, county_index, senior_share):
    """Mean quarterly going wage of new county S&T staff (m CNY).

    R&D staff and senior engineers in their arrival shares.
    """
    return (1.0 - senior_share) * table_wage_mcny[0] * county_index[0] + (
        senior_share * table_wage_mcny[1] * county_index[1]
    )
