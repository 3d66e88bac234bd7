"""The real high-tech enterprise and S&T SME criteria, as small pure functions.

High-tech enterprise (report digest §4; national rules of 2016): R&D spending of at least 5% of
revenue when annual revenue is at most 50 m CNY, 4% up to 200 m, 3% above 200 m; S&T staff
at least 10% of employees; own core IP; high-tech products at least 60% of revenue.
S&T SME (national evaluation rules of 2017): at most 500 employees, annual revenue and assets
at most 200 m CNY, and an evaluation score of at least 60 points from S&T staff share (up to
20), R&D intensity (up to 50) and IP (up to 30); a certified high-tech enterprise qualifies
directly.
"""

from __future__ import annotations

from numba import njit

HTE_VALID_Q = 12  # certification lasts three years
HIGH_TECH_REVENUE_SHARE_MIN = 0.6
ST_STAFF_SHARE_MIN = 0.10


@njit(cache=True)
def hte_rd_threshold(annual_revenue_mcny):
    """Minimum R&D intensity for high-tech certification at this annual revenue.

    5% up to and including 50 m CNY, 4% above that up to and including 200 m, 3% above.
    """
    if annual_revenue_mcny <= 50.0:
        return 0.05
    if annual_revenue_mcny <= 200.0:
        return 0.04
    return 0.03


@njit(cache=True)
def hte_eligible(
    annual_revenue_mcny, annual_rd_mcny, st_staff, employees, granted_patents, high_tech_share
):
    """Whether a firm meets every high-tech enterprise criterion."""
    if annual_revenue_mcny <= 0.0 or employees <= 0.0:
        return False
    if annual_rd_mcny < hte_rd_threshold(annual_revenue_mcny) * annual_revenue_mcny:
        return False
    if st_staff < ST_STAFF_SHARE_MIN * employees:
        return False
    if granted_patents < 1:
        return False
    return high_tech_share >= HIGH_TECH_REVENUE_SHARE_MIN


@njit(cache=True)
def st_sme_score(annual_revenue_mcny, annual_rd_mcny, st_staff, employees, granted_patents):
    """Evaluation score (0-100) of the S&T SME rules."""
    score = 0
    staff_share = st_staff / employees if employees > 0 else 0.0
    if staff_share >= 0.30:
        score += 20
    elif staff_share >= 0.25:
        score += 16
    elif staff_share >= 0.20:
        score += 12
    elif staff_share >= 0.15:
        score += 8
    elif staff_share >= 0.10:
        score += 4
    intensity = annual_rd_mcny / annual_revenue_mcny if annual_revenue_mcny > 0 else 0.0
    if annual_revenue_mcny <= 0.0 and annual_rd_mcny > 0.0:
        intensity = 1.0
    if intensity >= 0.06:
        score += 50
    elif intensity >= 0.05:
        score += 40
    elif intensity >= 0.04:
        score += 30
    elif intensity >= 0.03:
        score += 20
    elif intensity >= 0.02:
        score += 10
    if granted_patents >= 1:
        score += 30
    return score


@njit(cache=True)
def st_sme_eligible(
    annual_revenue_mcny, annual_rd_mcny, st_staff, employees, granted_patents, is_hte
):
    """Whether a firm qualifies as an S&T SME."""
    if employees > 500.0 or annual_revenue_mcny > 200.0:
        return False
    if is_hte:
        return True
    # the rules also require a non-zero S&T staff score (at least 10% S&T staff)
    if employees <= 0.0 or st_staff < ST_STAFF_SHARE_MIN * employees:
        return False
    return (
        st_sme_score(annual_revenue_mcny, annual_rd_mcny, st_staff, employees, granted_patents)
        >= 60
    )
