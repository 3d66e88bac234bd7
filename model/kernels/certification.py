"""Phase 9 — yearly certification of high-tech enterprises and S&T SMEs (report §3.1).

At the last quarter of each year, firms are checked against the real criteria
(:mod:`model.kernels.certification_rules`) on the year's revenue and reported R&D. A new
high-tech certificate lasts three years; at expiry the firm is checked again. Counties that
reward certification (KPI assessment, report §3.1) pay a bonus per new certificate.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from model.kernels.certification_rules import HTE_VALID_Q, hte_eligible, st_sme_eligible


def certify(firms, step):
    """Certify firms and reset the yearly accumulators.

    Parameters
    ----------
    firms : Firms
        Reads the yearly revenue and reported R&D, S&T staff, employees, granted patents and
        high-tech revenue share; writes ``hte_until_step``, ``st_sme`` and resets
        ``revenue_year_mcny``, ``rd_reported_year_mcny``.
    step : int
        Current quarter (the last of a year).

    Returns
    -------
    (n_firms,) bool
        Firms newly certified high-tech this year.
    """
    return _certify_body(
        firms.alive,
        firms.hte_until_step,
        firms.st_sme,
        firms.revenue_year_mcny,
        firms.rd_reported_year_mcny,
        firms.rd_staff,
        firms.employees,
        firms.patents_granted,
        firms.high_tech_share,
        step,
    )


@njit(cache=True)
def _certify_body(
    firm_alive,
    firm_hte_until_step,
    firm_st_sme,
    firm_revenue_year_mcny,
    firm_rd_reported_year_mcny,
    firm_rd_staff,
    firm_employees,
    firm_patents_granted,
    firm_high_tech_share,
    step,
):
    """Compiled body of :func:`certify`."""
    n = len(firm_alive)
    new = np.zeros(n, dtype=np.bool_)
    for f in range(n):
        if firm_alive[f]:
            held = firm_hte_until_step[f] > step  # a certificate covering this quarter
            certified, firm_st_sme[f] = _check_firm(
                firm_revenue_year_mcny[f],
                firm_rd_reported_year_mcny[f],
                firm_hte_until_step[f],
                firm_rd_staff[f],
                firm_employees[f],
                firm_patents_granted[f],
                firm_high_tech_share[f],
                step,
            )
            if certified:
                # valid for the next HTE_VALID_Q quarters (t + 1 .. t + 12)
                firm_hte_until_step[f] = step + HTE_VALID_Q + 1
                new[f] = not held
            firm_revenue_year_mcny[f] = 0.0
            firm_rd_reported_year_mcny[f] = 0.0
    return new


def pay_certification_bonus(firms, counties, new_hte, bonus_mcny, p):
    """Counties pay ``bonus_mcny`` to each newly certified firm (a KPI-driven reward).

    Paid out of the county's S&T account while it stays above its floor (phase 8: minus
    ``county_st_deficit_limit_years`` years of the base S&T envelope of this quarter's
    revenue); a bonus the county cannot pay is not paid, and recorded as cut.
    """
    return _pay_certification_bonus_body(
        firms.alive,
        firms.county,
        counties.new_hte_q,
        firms.cash_mcny,
        counties.budget_mcny,
        counties.st_spending_mcny,
        counties.policy_cost_mcny,
        counties.st_cut_mcny,
        counties.tax_revenue_mcny,
        new_hte,
        bonus_mcny,
        p.county_st_deficit_limit_years * 4.0 * p.county_st_share_of_revenue,
    )


@njit(cache=True)
def _pay_certification_bonus_body(
    firm_alive,
    firm_county,
    county_new_hte_q,
    firm_cash_mcny,
    county_budget_mcny,
    county_st_spending_mcny,
    county_policy_cost_mcny,
    county_st_cut_mcny,
    county_tax_revenue_mcny,
    new_hte,
    bonus_mcny,
    floor_per_revenue,
):
    """Compiled body of :func:`pay_certification_bonus`."""
    for f in range(len(firm_alive)):
        if new_hte[f]:
            c = firm_county[f]
            county_new_hte_q[c] += 1
            if bonus_mcny > 0.0:
                floor = -floor_per_revenue * county_tax_revenue_mcny[c]
                if county_budget_mcny[c] - bonus_mcny < floor:
                    county_st_cut_mcny[c] += bonus_mcny
                    continue
                firm_cash_mcny[f] += bonus_mcny
                county_budget_mcny[c] -= bonus_mcny
                county_st_spending_mcny[c] += bonus_mcny
                county_policy_cost_mcny[c] += bonus_mcny


@njit(cache=True, inline="always")
def _check_firm(
    revenue, rd, hte_until_step, rd_staff, employees, patents_granted, high_tech_share, step
):
    """(certified or renewed high-tech this year, S&T SME) for a firm with these values.

    A certificate that still covers the next quarter stands; one that expires is checked
    again (renewal). Takes the firm's values, not the Firms tuple (see
    ``knowledge.service_level``).
    """
    standing = hte_until_step > step + 1
    new = False
    if not standing and hte_eligible(
        revenue,
        rd,
        rd_staff,
        employees,
        patents_granted,
        high_tech_share,
    ):
        new = True
    st_sme = st_sme_eligible(
        revenue,
        rd,
        rd_staff,
        employees,
        patents_granted,
        standing or new,
    )
    return new, st_sme
