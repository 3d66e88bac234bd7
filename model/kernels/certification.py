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


@njit(cache=True)
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
    n = len(firms.alive)
    new = np.zeros(n, dtype=np.bool_)
    for f in range(n):
        if firms.alive[f]:
            held = firms.hte_until_step[f] > step  # a certificate covering this quarter
            certified, firms.st_sme[f] = _check_firm(firms, f, step)
            if certified:
                # valid for the next HTE_VALID_Q quarters (t + 1 .. t + 12)
                firms.hte_until_step[f] = step + HTE_VALID_Q + 1
                new[f] = not held
            firms.revenue_year_mcny[f] = 0.0
            firms.rd_reported_year_mcny[f] = 0.0
    return new


@njit(cache=True)
def pay_certification_bonus(firms, counties, new_hte, bonus_mcny):
    """Counties pay ``bonus_mcny`` to each newly certified firm (a KPI-driven reward)."""
    for f in range(len(firms.alive)):
        if new_hte[f]:
            c = firms.county[f]
            counties.new_hte_q[c] += 1
            if bonus_mcny > 0.0:
                firms.cash_mcny[f] += bonus_mcny
                counties.budget_mcny[c] -= bonus_mcny
                counties.st_spending_mcny[c] += bonus_mcny
                counties.policy_cost_mcny[c] += bonus_mcny


@njit(cache=True)
def _check_firm(firms, f, step):
    """(certified or renewed high-tech this year, S&T SME) for firm ``f``.

    A certificate that still covers the next quarter stands; one that expires is checked
    again (renewal).
    """
    revenue = firms.revenue_year_mcny[f]
    rd = firms.rd_reported_year_mcny[f]
    standing = firms.hte_until_step[f] > step + 1
    new = False
    if not standing and hte_eligible(
        revenue,
        rd,
        firms.rd_staff[f],
        firms.employees[f],
        firms.patents_granted[f],
        firms.high_tech_share[f],
    ):
        new = True
    st_sme = st_sme_eligible(
        revenue,
        rd,
        firms.rd_staff[f],
        firms.employees[f],
        firms.patents_granted[f],
        standing or new,
    )
    return new, st_sme
