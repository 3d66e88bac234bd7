"""Phase 1b — wages respond to scarcity (report §2.3: counties compete for scarce talent).

Each county pays each talent tier (R&D staff, senior engineers, experts) its table wage times a
wage index. After the quarter's matching, the index moves by partial adjustment toward the
wage curve (Blanchflower & Oswald 1994): ``(tightness / reference) ** elasticity``, where the
tightness of a tier is the county's open vacancies per unemployed worker of that tier, bounded
to ``[1 / bound, bound]`` times the reference. Programmes that add demand for the same people
(talent packages, enclaves, expert links) raise the going wage; firms then demand fewer staff
for the same R&D budget (``rd_decisions``) and pay more for those they keep
(``aggregate_talent``). Deterministic: no random draws.
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
        Reads ``alive``, ``employer_firm``, ``county``, ``tier``: unemployed workers of a
        county (hub talent has no county and does not count).
    firms : Firms
        Reads ``alive``, ``county``, ``staff_demand``, ``rd_staff``: open vacancies.
    p : KernelParams
        Reads ``wage_tightness_elasticity``, ``wage_reference_tightness``,
        ``wage_adjustment_per_q``, ``wage_tightness_bound``.
    """
    _update_wages_body(
        counties.wage_index,
        talent.alive,
        talent.employer_firm,
        talent.county,
        talent.tier,
        firms.alive,
        firms.county,
        firms.staff_demand,
        firms.rd_staff,
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
    firm_alive,
    firm_county,
    firm_staff_demand,
    firm_rd_staff,
    elasticity,
    reference,
    adjustment,
    bound,
):
    """Compiled body of :func:`update_wages`."""
    n_counties, n_tiers = county_wage_index.shape
    vacancies = np.zeros(n_counties)
    seekers = np.zeros((n_counties, n_tiers))
    for f in range(len(firm_alive)):
        if firm_alive[f] and firm_staff_demand[f] > firm_rd_staff[f]:
            vacancies[firm_county[f]] += firm_staff_demand[f] - firm_rd_staff[f]
    for i in range(len(talent_alive)):
        c = talent_county[i]
        if talent_alive[i] and c >= 0 and talent_employer_firm[i] < 0:
            seekers[c, talent_tier[i]] += 1.0
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
