"""Phase 2 — R&D decisions (report §2.2 short-termism; priors: user cost, notches, finance).

Each firm decides whether to do R&D and how much. Its **user cost** of R&D (Bloom, Griffith &
Van Reenen 2002) uses its own tax rate (15% if certified, else 25%), the super-deduction and
the ex-post patent subsidy it expects per m CNY of R&D; desired R&D scales with the user cost
(elasticity about -1). It **does R&D** when the expected return beats its idiosyncratic cost
(``rd_taste``): the sector's participation rate, moved by the user cost and by the knowledge
it already has, must exceed its taste, its desired R&D must cover the fixed cost of running
research, and a firm that is not yet doing R&D needs a margin ``rd_start_hurdle`` more (sunk
costs of starting; Máñez et al. 2009). Grants and vouchers arrive as money and services, and
a share of them crowds out the firm's own money. Firms just below a high-tech certification
threshold raise *reported* R&D to reach it when the tax saving pays for it, relabelling a
share of what they report (Chen et al. 2021) — the cost channel of the tax notch. Own R&D is
**financed** from last quarter's cash flow and a share of cash (Hall & Lerner 2010), so
venture money and tech loans relax it where it binds: in young firms, which plan R&D larger
than their revenue. A redeemed voucher's project also takes the firm's own share
(``voucher_copay_share`` of its face value), which lets a firm without R&D of its own start.
"""

from __future__ import annotations

from collections import namedtuple

from numba import njit

from model.kernels.certification_rules import (
    HIGH_TECH_REVENUE_SHARE_MIN,
    ST_STAFF_SHARE_MIN,
    hte_rd_threshold,
)
from model.sim.sectors import TRADITIONAL

#: User cost of R&D under the 2018 rules for a firm taxed at 25% with a 75% extra deduction
#: and no subsidy: the B-index (1 - t (1 + s)) / (1 - t) = 0.5625 / 0.75 (Bloom, Griffith &
#: Van Reenen 2002). Desired R&D is scaled relative to it.
REFERENCE_USER_COST = (1.0 - 0.25 * 1.75) / (1.0 - 0.25)

#: Lowest user cost (B-index) the model allows: subsidies above the cost of R&D are not
#: modelled as making R&D free money.
MIN_USER_COST = 0.05

#: Age (quarters) below which a firm is young: the same cut-off as the young-firm hazard of
#: entry and exit (§7.7).
YOUNG_FIRM_AGE_Q = 12


#: The parameters this phase reads. Passing these instead of the whole ``KernelParams``
#: makes the phase compile faster.
RdParams = namedtuple(
    "RdParams",
    [
        "cit_rate",
        "cit_rate_high_tech",
        "hte_certification_bonus_mcny",
        "knowledge_productivity",
        "knowledge_productivity_elasticity",
        "knowledge_reference",
        "notch_saving_weight",
        "notch_window",
        "patent_grant_probability",
        "patents_per_knowledge",
        "rd_cash_share_max",
        "rd_fixed_cost_mcny_per_q",
        "rd_grant_crowding_out",
        "rd_grant_expost_per_patent_mcny",
        "rd_intensity_emerging",
        "rd_intensity_traditional",
        "rd_intensity_young_multiple",
        "rd_output_elasticity",
        "rd_participation_emerging",
        "rd_participation_traditional",
        "rd_staff_share_of_rd",
        "rd_start_hurdle",
        "rd_super_deduction",
        "rd_user_cost_elasticity",
        "relabel_share",
        "short_termism",
        "voucher_copay_share",
        "voucher_crowding_out",
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
        Reads revenue, cash, profit, sector, taste, age, knowledge, grants, vouchers,
        certification state and last quarter's ``rd_real_mcny`` and ``rd_grant_funded_mcny``
        (whether the firm was doing R&D, and its cash flow before R&D); writes
        ``rd_real_mcny``, ``rd_reported_mcny``, ``rd_grant_funded_mcny`` (the public grant
        spent in ``rd_real_mcny``; m CNY this quarter) and ``staff_budget_mcny`` (the staff
        share ``rd_staff_share_of_rd`` of real R&D, m CNY this quarter: what the firm will pay
        its S&T staff; the talent market hires and lays off within it at going wages).
    p : KernelParams
    step : int
        Current quarter.
    policy_on : bool
        Whether scenario rules (the certification bonus, the ex-post patent subsidy) are
        active.
    """
    return _rd_decisions_body(
        firms.alive,
        firms.sector,
        firms.rd_taste,
        firms.incubated,
        firms.born_step,
        firms.knowledge,
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
        firms.staff_budget_mcny,
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
    firm_born_step,
    firm_knowledge,
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
    firm_staff_budget_mcny,
    p,
    step,
    policy_on,
):
    """Compiled body of :func:`rd_decisions`."""
    bonus = p.hte_certification_bonus_mcny if policy_on else 0.0
    expost_per_patent = p.rd_grant_expost_per_patent_mcny if policy_on else 0.0
    for f in range(len(firm_alive)):
        if not firm_alive[f]:
            continue
        # last quarter's R&D (production wrote what was paid): the firm's own part says
        # whether it was doing R&D, and with its profit gives its cash flow before R&D
        prev_real = firm_rd_real_mcny[f]
        was_doing = prev_real - firm_rd_grant_funded_mcny[f] > 1e-12
        real, reported = firm_rd(
            firm_sector[f],
            firm_rd_taste[f],
            firm_incubated[f],
            step - firm_born_step[f],
            firm_knowledge[f],
            firm_grant_mcny[f],
            firm_revenue_mcny[f],
            firm_cash_mcny[f],
            firm_hte_until_step[f],
            firm_high_tech_share[f],
            firm_rd_staff[f],
            firm_employees[f],
            firm_patents_granted[f],
            firm_applications_q[f],
            firm_profit_mcny[f],
            firm_voucher_mcny[f],
            prev_real,
            was_doing,
            step,
            p,
            expost_per_patent,
            bonus,
        )
        firm_rd_real_mcny[f] = real
        firm_rd_reported_mcny[f] = reported
        # the grant is spent on R&D in full (firm_rd: own money + grant); what the
        # ecosystem added is the rest (the headline's net R&D)
        firm_rd_grant_funded_mcny[f] = firm_grant_mcny[f]
        firm_staff_budget_mcny[f] = real * p.rd_staff_share_of_rd


@njit(cache=True, inline="always")
def user_cost(certified, planned_rd_mcny, expost_per_patent_mcny, p):
    """The firm's user cost of R&D (B-index; Bloom, Griffith & Van Reenen 2002).

    ``(1 - t (1 + s) - e) / (1 - t)``: one m CNY of R&D is deducted ``1 + s`` times from
    profit taxed at ``t`` (the firm's own rate: ``cit_rate_high_tech`` if certified), the
    ex-post patent subsidy returns ``e`` per m CNY, and the return on R&D is taxed at ``t``.
    ``e`` = subsidy per granted patent x granted patents per m CNY of R&D, read off the
    knowledge production function (§7.4) at the firm's planned R&D (without platform
    services, spill-overs or talent quality, which the firm does not count on; not
    discounted over the grant lag). Floored at :data:`MIN_USER_COST`.
    """
    t = p.cit_rate_high_tech if certified else p.cit_rate
    e = 0.0
    if expost_per_patent_mcny > 0.0:
        scale = max(planned_rd_mcny, p.rd_fixed_cost_mcny_per_q, 1e-6)
        patents_per_mcny = (
            p.patents_per_knowledge
            * p.patent_grant_probability
            * p.knowledge_productivity
            * scale ** (p.rd_output_elasticity - 1.0)
        )
        e = expost_per_patent_mcny * patents_per_mcny
    return max((1.0 - t * (1.0 + p.rd_super_deduction) - e) / (1.0 - t), MIN_USER_COST)


@njit(cache=True, inline="always")
def firm_rd(
    sector,
    rd_taste,
    incubated,
    age_q,
    knowledge,
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
    prev_real_mcny,
    was_doing,
    step,
    p,
    expost_per_patent_mcny,
    bonus_mcny,
):
    """Real and reported R&D (m CNY this quarter) of a firm with these values.

    Parameters
    ----------
    p : RdParams
    sector ... voucher_mcny : scalars
        The firm's columns of the same names (not the Firms tuple: see
        ``knowledge.service_level``); ``age_q`` = step - born_step.
    prev_real_mcny : float
        Last quarter's real R&D paid (m CNY).
    was_doing : bool
        Whether the firm spent own money on R&D last quarter.
    expost_per_patent_mcny : float
        Ex-post subsidy per granted patent the firm expects (0 when the policy is off).
    bonus_mcny : float
        County bonus for a new high-tech certificate (KPI assessment, report §3.1); it adds
        to the pull of the certification notch.
    """
    emerging = sector != TRADITIONAL
    participation = p.rd_participation_emerging if emerging else p.rd_participation_traditional
    base_intensity = p.rd_intensity_emerging if emerging else p.rd_intensity_traditional
    if age_q < YOUNG_FIRM_AGE_Q:
        # young firms plan R&D for the firm they mean to become (Hall & Lerner 2010)
        base_intensity *= p.rd_intensity_young_multiple
    # finance (Hall & Lerner 2010): own R&D is paid from last quarter's cash flow before R&D
    # and a share of the cash reserve; venture money, equity and tech loans add to the cash
    cash_flow = profit_mcny + prev_real_mcny
    cash_limit = max(cash_flow, 0.0) + p.rd_cash_share_max * max(cash_mcny, 0.0)
    # a redeemed voucher's project takes the firm's own share (report §3.4): a firm that
    # does no R&D of its own starts with it
    copay = p.voucher_copay_share * voucher_mcny
    # taste also sets how much: firms far below the participation cut-off do more
    depth = max(0.5 + (participation - rd_taste) / max(participation, 1e-9), 0.5)
    planned = base_intensity * depth * (1.0 - p.short_termism) * revenue
    certified = hte_until_step > step
    u = user_cost(certified, planned, expost_per_patent_mcny, p)
    cost_scale = (u / REFERENCE_USER_COST) ** p.rd_user_cost_elasticity
    desired = planned * cost_scale
    # to do R&D or not: the return (the sector's rate, moved by the user cost and by the
    # knowledge the firm can build on) must beat the firm's own cost (its taste), and
    # desired R&D must pay the fixed cost of running research; starting needs a margin more
    # (sunk costs). Incubated firms do R&D (incubators admit R&D start-ups).
    pull = (
        participation
        * cost_scale
        * (1.0 + knowledge / p.knowledge_reference) ** p.knowledge_productivity_elasticity
    )
    margin = 1.0 if was_doing else 1.0 - p.rd_start_hurdle
    doing = incubated or (
        rd_taste < pull * margin and desired * margin >= p.rd_fixed_cost_mcny_per_q
    )
    if not doing:
        own = min(copay, cash_limit)
        return own + grant, own + grant
    if incubated and revenue < 1.0:
        desired = max(desired, 0.08 * max(cash_mcny, 0.0))
    relabelled = 0.0
    # the certification notch: bunch at the threshold if the tax saving (and any county
    # bonus, spread over a year) pays for the extra real R&D; a bunching firm reports the
    # threshold, relabelling relabel_share of what it reports (Chen et al. 2021) where its
    # own R&D leaves room for that, else the whole gap
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
            target = threshold * revenue
            real_target = max(desired, (1.0 - p.relabel_share) * target)
            saving = (p.cit_rate - p.cit_rate_high_tech) * max(profit_mcny, 0.0)
            saving += bonus_mcny / 4.0
            # quarters of saving weighed against a quarter of extra cost (1: myopic)
            saving *= p.notch_saving_weight
            if saving > (real_target - desired) * (1.0 - p.cit_rate):
                relabelled = target - real_target
                desired = real_target
    own = desired - p.rd_grant_crowding_out * grant - p.voucher_crowding_out * voucher_mcny
    own = min(max(own, 0.0) + copay, cash_limit)
    return own + grant, own + grant + relabelled
