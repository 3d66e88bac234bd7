"""Phase 2 — R&D decisions (report §2.2 short-termism; priors: user cost, notches).

A firm inclined to do R&D (its fixed ``rd_taste`` below its sector's participation rate) wants
R&D of ``intensity x revenue``, cut by short-termism and scaled by the user cost of R&D with
elasticity about -1 (Bloom, Griffith & Van Reenen 2002); tax rules set the user cost. Grants
and vouchers arrive as money and services, and a share of them crowds out the firm's own
money; a redeemed voucher's project also takes the firm's own share (``voucher_copay_share``
of its face value), which lets a firm without R&D of its own start. Firms just below a
high-tech certification threshold raise *reported* R&D to reach it when the tax saving pays
for it, and a share of that rise is relabelling, not research (Chen et al. 2021) — the cost
channel of the tax notch. Cash limits what a firm can spend.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np
from numba import njit

from model.kernels.certification_rules import (
    HIGH_TECH_REVENUE_SHARE_MIN,
    ST_STAFF_SHARE_MIN,
    hte_rd_threshold,
)
from model.sim.sectors import TRADITIONAL

#: User cost of R&D under the 2018 rules (25% CIT, 75% extra deduction): only the extra
#: deduction lowers its cost relative to ordinary expenses.
REFERENCE_USER_COST = 1.0 - 0.25 * 0.75


#: The parameters this phase reads. Passing these 20 instead of the whole ``KernelParams``
#: (141 fields) makes the phase compile faster: 1.7 -> 1.3 s from an empty numba cache.
RdParams = namedtuple(
    "RdParams",
    [
        "cit_rate",
        "cit_rate_high_tech",
        "hte_certification_bonus_mcny",
        "notch_window",
        "rd_cash_share_max",
        "rd_grant_crowding_out",
        "rd_intensity_emerging",
        "rd_intensity_traditional",
        "rd_participation_emerging",
        "rd_participation_traditional",
        "rd_staff_share_of_rd",
        "rd_super_deduction",
        "rd_user_cost_elasticity",
        "relabel_share",
        "senior_share_of_staff",
        "short_termism",
        "voucher_copay_share",
        "voucher_crowding_out",
        "wage_rd_staff_mcny_per_q",
        "wage_senior_mcny_per_q",
    ],
)


def rd_params(p):
    """The :data:`RdParams` of ``KernelParams`` ``p`` (the same float values)."""
    return RdParams(*(float(getattr(p, name)) for name in RdParams._fields))


def rd_decisions(firms, p, step, policy_on):
    """Set each live firm's real and reported R&D for this quarter and its staff demand.

    Parameters
    ----------
    firms : Firms
        Reads revenue, cash, profit, sector, taste, grants, vouchers, certification state;
        writes ``rd_real_mcny``, ``rd_reported_mcny``, ``rd_grant_funded_mcny`` (the public
        grant spent in ``rd_real_mcny``; m CNY this quarter) and ``staff_demand`` (persons).
    p : KernelParams
    step : int
        Current quarter.
    policy_on : bool
        Whether scenario rules (the certification bonus) are active.
    """
    return _rd_decisions_body(
        firms.alive,
        firms.sector,
        firms.rd_taste,
        firms.incubated,
        firms.grant_mcny,
        firms.revenue_mcny,
        firms.cash_mcny,
        firms.hte_until_step,
        firms.high_tech_share,
        firms.rd_staff,
        firms.employees,
        firms.patents_granted,
        firms.applications_q,
        firms.profit_mcny,
        firms.voucher_mcny,
        firms.rd_real_mcny,
        firms.rd_reported_mcny,
        firms.rd_grant_funded_mcny,
        firms.staff_demand,
        rd_params(p),
        step,
        policy_on,
    )


@njit(cache=True)
def _rd_decisions_body(
    firm_alive,
    firm_sector,
    firm_rd_taste,
    firm_incubated,
    firm_grant_mcny,
    firm_revenue_mcny,
    firm_cash_mcny,
    firm_hte_until_step,
    firm_high_tech_share,
    firm_rd_staff,
    firm_employees,
    firm_patents_granted,
    firm_applications_q,
    firm_profit_mcny,
    firm_voucher_mcny,
    firm_rd_real_mcny,
    firm_rd_reported_mcny,
    firm_rd_grant_funded_mcny,
    firm_staff_demand,
    p,
    step,
    policy_on,
):
    """Compiled body of :func:`rd_decisions`."""
    # The user cost of R&D moves with the tax rules (rate, super-deduction) relative to the
    # 2018 rules (25%, 75% extra deduction). Grants are not in it: they arrive as money and
    # crowd out part of the firm's own R&D (phase 8), so counting them here too would double
    # their effect.
    user_cost = max(1.0 - p.cit_rate * p.rd_super_deduction, 0.05)
    cost_scale = (user_cost / REFERENCE_USER_COST) ** p.rd_user_cost_elasticity
    bonus = p.hte_certification_bonus_mcny if policy_on else 0.0
    avg_wage = (
        1.0 - p.senior_share_of_staff
    ) * p.wage_rd_staff_mcny_per_q + p.senior_share_of_staff * p.wage_senior_mcny_per_q
    # columns unpacked once: a per-firm helper never takes the Firms tuple
    alive = firm_alive
    sector = firm_sector
    rd_taste = firm_rd_taste
    incubated = firm_incubated
    grant_mcny = firm_grant_mcny
    revenue_mcny = firm_revenue_mcny
    cash_mcny = firm_cash_mcny
    hte_until_step = firm_hte_until_step
    high_tech_share = firm_high_tech_share
    rd_staff = firm_rd_staff
    employees = firm_employees
    patents_granted = firm_patents_granted
    applications_q = firm_applications_q
    profit_mcny = firm_profit_mcny
    voucher_mcny = firm_voucher_mcny
    rd_real_mcny = firm_rd_real_mcny
    rd_reported_mcny = firm_rd_reported_mcny
    staff_demand = firm_staff_demand
    for f in range(len(alive)):
        if alive[f]:
            real, reported = firm_rd(
                sector[f],
                rd_taste[f],
                incubated[f],
                grant_mcny[f],
                revenue_mcny[f],
                cash_mcny[f],
                hte_until_step[f],
                high_tech_share[f],
                rd_staff[f],
                employees[f],
                patents_granted[f],
                applications_q[f],
                profit_mcny[f],
                voucher_mcny[f],
                step,
                p,
                cost_scale,
                bonus,
            )
            rd_real_mcny[f] = real
            rd_reported_mcny[f] = reported
            # the grant is spent on R&D in full (firm_rd: own money + grant); what the
            # ecosystem added is the rest (the headline's net R&D)
            firm_rd_grant_funded_mcny[f] = grant_mcny[f]
            staff_demand[f] = int(np.floor(real * p.rd_staff_share_of_rd / avg_wage))


@njit(cache=True, inline="always")
def firm_rd(
    sector,
    rd_taste,
    incubated,
    grant,
    revenue,
    cash_mcny,
    hte_until_step,
    high_tech_share,
    rd_staff,
    employees,
    patents_granted,
    applications_q,
    profit_mcny,
    voucher_mcny,
    step,
    p,
    cost_scale,
    bonus_mcny,
):
    """Real and reported R&D (m CNY this quarter) of a firm with these values.

    Parameters
    ----------
    p : RdParams
    sector ... voucher_mcny : scalars
        The firm's columns of the same names (not the Firms tuple: see
        ``knowledge.service_level``).
    cost_scale : float
        ``(user cost / baseline user cost) ** elasticity``.
    bonus_mcny : float
        County bonus for a new high-tech certificate (KPI assessment, report §3.1); it adds
        to the pull of the certification notch.
    """
    emerging = sector != TRADITIONAL
    participation = p.rd_participation_emerging if emerging else p.rd_participation_traditional
    base_intensity = p.rd_intensity_emerging if emerging else p.rd_intensity_traditional
    cash_limit = max(0.0, 0.3 * revenue + p.rd_cash_share_max * cash_mcny)
    # a redeemed voucher's project takes the firm's own share (report §3.4): a firm that
    # does no R&D of its own starts with it
    copay = p.voucher_copay_share * voucher_mcny
    if not (rd_taste < participation or incubated):
        own = min(copay, cash_limit)
        return own + grant, own + grant
    # taste also sets how much: firms far below the participation cut-off do more
    depth = max(0.5 + (participation - rd_taste) / max(participation, 1e-9), 0.5)
    desired = base_intensity * depth * (1.0 - p.short_termism) * cost_scale * revenue
    if incubated and revenue < 1.0:
        desired = max(desired, 0.08 * max(cash_mcny, 0.0))
    relabelled = 0.0
    # the certification notch: bunch at the threshold if the tax saving (and any county
    # bonus, spread over a year) pays for the extra R&D
    annual_revenue = 4.0 * revenue
    certified_long = hte_until_step > step + 4
    if (
        not certified_long
        and annual_revenue > 0.0
        and high_tech_share >= HIGH_TECH_REVENUE_SHARE_MIN
        and rd_staff >= 0.8 * ST_STAFF_SHARE_MIN * employees
        and patents_granted + applications_q >= 1
    ):
        threshold = hte_rd_threshold(annual_revenue) * 1.02
        intensity = desired / revenue
        if threshold * (1.0 - p.notch_window) <= intensity < threshold:
            gap = (threshold - intensity) * revenue
            saving = (p.cit_rate - p.cit_rate_high_tech) * max(profit_mcny, 0.0)
            saving += bonus_mcny / 4.0
            if saving > gap * (1.0 - p.relabel_share) * (1.0 - p.cit_rate):
                relabelled = gap * p.relabel_share
                desired += gap * (1.0 - p.relabel_share)
    own = desired - p.rd_grant_crowding_out * grant - p.voucher_crowding_out * voucher_mcny
    own = min(max(own, 0.0) + copay, cash_limit)
    return own + grant, own + grant + relabelled
