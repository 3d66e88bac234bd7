"""Slow reference of phase 8, county and province budgets (docs/ODD.md §7.9), in plain loops.

Written from the docstring of ``model/kernels/government.py`` and ODD §7.9 for
``tests/test_naive_government.py``. Vouchers draw from the counter-based generator at phase 9:
whether firm ``f`` is chosen is draw 0, whether its voucher goes unused draw 1.

Tables are ``dict[str, numpy.ndarray]`` (``Table.arrays``); the reference works on copies and
returns them.
"""

from __future__ import annotations

import numpy as np
from naive_talent import copies

from model.kernels import rng
from model.sim.ledger import (
    N_FLOWS,
    SINK_COUNTY_GENERAL,
    SINK_DEBT_INTEREST,
    SINK_PROGRAMME_COSTS,
    SINK_PROVINCE_GENERAL,
    SRC_PROVINCE_WIDE_BUDGET,
)

PHASE_GOVERNMENT = 9
DAYS_PER_QUARTER = 91.25
VOUCHER_MAX_EMPLOYEES = 300.0

COUNTY_COLUMNS = (
    "budget_mcny",
    "province_hte_cit_base_mcny",
    "province_hte_cit_year_mcny",
    "province_hte_cit_year_q",
    "rebate_carry_mcny",
    "rebate_mcny",
    "policy_cost_mcny",
    "province_policy_cost_mcny",
    "talent_pool_mcny",
    "st_spending_mcny",
    "st_cut_mcny",
    "st_interest_mcny",
    "chain_commitment_mcny",
    "chain_paid_mcny",
    "enclave_slots",
)


def govern(firms, platforms, counties, province, p, seed, step, policy_on):
    """One quarter of county and province money (ODD §7.9).

    Returns ``(firm columns, platform cash, county columns, province, flows)``.
    """
    fm = copies(
        firms, ("grant_mcny", "voucher_mcny", "voucher_platform", "cash_mcny", "expert_link")
    )
    platform_cash = np.array(platforms["cash_mcny"], copy=True)
    cty = copies(counties, COUNTY_COLUMNS)
    province = np.array(province, copy=True)
    flows = np.zeros(N_FLOWS)
    n_counties = len(counties["budget_mcny"])
    n_firms, n_platforms = len(firms["alive"]), len(platforms["alive"])
    live_firms = [f for f in range(n_firms) if firms["alive"][f]]

    def province_pays(c: int, amount: float) -> None:
        """Province money from outside the region, recorded as county c's province cost."""
        if amount > 0.0:
            cty["province_policy_cost_mcny"][c] += amount
            flows[SRC_PROVINCE_WIDE_BUDGET] += amount

    # 1. the province's revenue from the region goes to general spending
    province_revenue = sum(counties["province_tax_mcny"])
    province[0] -= province_revenue
    flows[SINK_PROVINCE_GENERAL] += province_revenue

    # 2. the base of the rebate is a running mean of the year before the rule; from policy
    # start the tax is summed over the calendar year, and at its last quarter the province
    # returns a share of the year's increment over the base, netted against earlier shortfalls
    for c in range(n_counties):
        hte_cit = counties["province_hte_cit_mcny"][c]
        if not policy_on:
            j = step - (p.policy_start_step - 4)
            if j <= 0:
                cty["province_hte_cit_base_mcny"][c] = hte_cit
            else:
                base = cty["province_hte_cit_base_mcny"][c]
                cty["province_hte_cit_base_mcny"][c] = base + (hte_cit - base) / (j + 1)
        rebate = 0.0
        if policy_on and p.tax_rebate_share > 0.0:
            cty["province_hte_cit_year_mcny"][c] += hte_cit
            cty["province_hte_cit_year_q"][c] += 1
            if step % 4 == 3:
                quarters = cty["province_hte_cit_year_q"][c]
                increment = (
                    cty["province_hte_cit_year_mcny"][c]
                    - quarters * cty["province_hte_cit_base_mcny"][c]
                )
                balance = cty["rebate_carry_mcny"][c] + increment
                if balance > 0.0:
                    rebate = p.tax_rebate_share * balance
                    balance = 0.0
                cty["rebate_carry_mcny"][c] = balance
                cty["province_hte_cit_year_mcny"][c] = 0.0
                cty["province_hte_cit_year_q"][c] = 0
        cty["rebate_mcny"][c] = rebate
        cty["budget_mcny"][c] += rebate
        province_pays(c, rebate)

    # 3. the S&T account: the envelope stays, the rest is general spending; the floor;
    # interest on a deficit
    envelope = [0.0] * n_counties
    floor = [0.0] * n_counties
    for c in range(n_counties):
        revenue = counties["tax_revenue_mcny"][c]
        kpi_extra = p.kpi_st_share_increase if policy_on else 0.0
        envelope[c] = (p.county_st_share_of_revenue + kpi_extra) * revenue
        envelope[c] += p.rebate_reinvest_share * cty["rebate_mcny"][c]
        if kpi_extra > 0.0:
            cty["policy_cost_mcny"][c] += kpi_extra * revenue
        general = revenue + cty["rebate_mcny"][c] - envelope[c]
        cty["budget_mcny"][c] -= general
        flows[SINK_COUNTY_GENERAL] += general
        floor[c] = -p.county_st_deficit_limit_years * 4 * p.county_st_share_of_revenue * revenue
        carried = cty["budget_mcny"][c] - envelope[c]  # the balance before this quarter's money
        if carried < -1e-9:  # not rounding noise of an account spent down to zero
            interest = p.county_borrowing_rate_per_q * -carried
            cty["budget_mcny"][c] -= interest
            cty["st_interest_mcny"][c] += interest
            cty["policy_cost_mcny"][c] += interest
            flows[SINK_DEBT_INTEREST] += interest

    def pay(c: int, request: float) -> float:
        """What county c can pay of ``request`` without going below its floor (rest: cut)."""
        if request <= 0.0:
            return 0.0
        paid = min(request, max(cty["budget_mcny"][c] - floor[c], 0.0))
        cty["budget_mcny"][c] -= paid
        cty["st_cut_mcny"][c] += request - paid
        return paid

    # 4. contracted programmes first: expert links, integration administration, enclave rent
    # (status-quo links and enclaves of the region file are paid whether a scenario is on or not)
    for c in range(n_counties):
        linked = [f for f in live_firms if firms["county"][f] == c and firms["expert_link"][f]]
        paid_links = pay(c, len(linked) * p.expert_link_cost_mcny_per_q)
        if p.expert_link_cost_mcny_per_q > 0.0:
            # the links it can pay for, lowest firm ids first
            n_kept = int(paid_links / p.expert_link_cost_mcny_per_q * (1 + 1e-9))
            for f in linked[n_kept:]:
                fm["expert_link"][f] = False
        cost = paid_links
        if policy_on and p.integration_enabled:
            cost += pay(c, p.integration_admin_cost_mcny_per_q * p.firm_scale)
        slots = counties["enclave_slots"][c]
        if slots > 0:
            per_place = p.enclave_m2_per_firm * p.enclave_rent_cny_per_m2_day
            per_place = per_place * DAYS_PER_QUARTER / 1e6
            # rent is paid for whole places: the county keeps the places it can afford and
            # the rest of the floor is given up (counted as cut)
            affordable = max(cty["budget_mcny"][c] - floor[c], 0.0)
            kept = slots
            if slots * per_place > affordable:
                kept = int(np.floor(affordable / per_place + 1e-9))
                cty["enclave_slots"][c] = kept
                cty["st_cut_mcny"][c] += (slots - kept) * per_place
            cost += pay(c, kept * per_place)
        cty["policy_cost_mcny"][c] += cost
        flows[SINK_PROGRAMME_COSTS] += cost

    # 5. the scenario's programmes: joint grants (the county part; the province matches what
    # the county pays), talent subsidy, capital-chain tranche, vouchers
    fm["grant_mcny"][:] = 0.0
    fm["voucher_mcny"][:] = 0.0
    fm["voucher_platform"][:] = -1

    def joint_grant(f: int) -> float:
        rd, patents = firms["rd_real_mcny"][f], firms["grants_q"][f]
        return p.rd_grant_exante_rate * rd + p.rd_grant_expost_per_patent_mcny * patents

    joint_scale = [0.0] * n_counties
    if policy_on:
        for c in range(n_counties):
            asked = sum(
                (1.0 - p.rd_grant_province_share) * joint_grant(f)
                for f in live_firms
                if firms["county"][f] == c
            )
            if asked > 0.0:
                joint_scale[c] = pay(c, asked) / asked
        if p.talent_subsidy_mcny_per_q > 0.0:
            for c in range(n_counties):
                subsidy = pay(c, p.talent_subsidy_mcny_per_q * p.firm_scale)
                cty["talent_pool_mcny"][c] += subsidy
                cty["st_spending_mcny"][c] += subsidy
                cty["policy_cost_mcny"][c] += subsidy
    for c in range(n_counties):
        tranche = min(counties["chain_tranche_mcny"][c], cty["chain_commitment_mcny"][c])
        if tranche > 0.0:
            paid = pay(c, tranche)
            cty["chain_commitment_mcny"][c] -= paid
            cty["chain_paid_mcny"][c] += paid
            cty["st_spending_mcny"][c] += paid
            cty["policy_cost_mcny"][c] += paid
    if policy_on:
        vouchers(firms, platforms, fm, platform_cash, cty, floor, province_pays, p, seed, step)

    # 6. the baseline lines spend what is left above zero: platforms equally, the grant rate,
    # the talent pool
    grant_rate = [0.0] * n_counties
    for c in range(n_counties):
        available = max(cty["budget_mcny"][c], 0.0)
        cty["st_cut_mcny"][c] += max(envelope[c] - available, 0.0)
        own_platforms = [
            k for k in range(n_platforms) if platforms["alive"][k] and platforms["county"][k] == c
        ]
        spent = 0.0
        if own_platforms:
            each = p.st_share_platforms * available / len(own_platforms)
            for k in own_platforms:
                platform_cash[k] += each
            spent += each * len(own_platforms)
        rd_spending = sum(
            firms["rd_real_mcny"][f]
            for f in live_firms
            if firms["county"][f] == c and firms["rd_real_mcny"][f] > 0.0
        )
        if rd_spending > 0.0:
            grant_rate[c] = min(p.st_share_rd_grants * available / rd_spending, p.rd_grant_rate_max)
        talent = p.st_share_talent * available
        cty["talent_pool_mcny"][c] += talent
        spent += talent
        cty["budget_mcny"][c] -= spent
        cty["st_spending_mcny"][c] += spent

    # 7. grants to firms: the county's rate on real R&D, plus the joint grant paid above
    for f in live_firms:
        c = firms["county"][f]
        base = grant_rate[c] * firms["rd_real_mcny"][f]
        joint = joint_scale[c] * joint_grant(f) if policy_on else 0.0
        if base + joint <= 0.0:
            continue
        fm["grant_mcny"][f] = base + joint
        fm["cash_mcny"][f] += base + joint
        county_joint = (1.0 - p.rd_grant_province_share) * joint
        cty["budget_mcny"][c] -= base
        cty["st_spending_mcny"][c] += base + county_joint
        cty["policy_cost_mcny"][c] += county_joint
        province_pays(c, p.rd_grant_province_share * joint)

    # 8. province platform money: provincial/national platforms, or only the sector centres
    level_needed = 2 if (policy_on and p.specialisation_enabled) else 1
    eligible = [
        k
        for k in range(n_platforms)
        if platforms["alive"][k] and platforms["level"][k] >= level_needed
    ]
    for k in eligible:
        each = p.province_platform_budget_mcny_per_q * p.firm_scale / len(eligible)
        platform_cash[k] += each
        flows[SRC_PROVINCE_WIDE_BUDGET] += each
        cty["st_spending_mcny"][platforms["county"][k]] += each
    return fm, platform_cash, cty, province, flows


def vouchers(firms, platforms, fm, platform_cash, cty, floor, province_pays, p, seed, step):
    """Innovation vouchers (ODD §7.9 step 4).

    Who is in the draw: with ``voucher_by_application``, the small non-certified unlisted
    firms that apply, i.e. have R&D staff or R&D spending this quarter and somewhere to
    redeem; without it, every such small firm. Each is drawn with chance vouchers /
    firms in the draw (at most 1). A drawn voucher goes unused with chance
    ``voucher_nonuse``, and also when its firm has no R&D project or nowhere to redeem it.
    The county pays half while above its floor, the province the other half.
    """
    n_firms = len(firms["alive"])

    def may_get_voucher(f: int) -> bool:
        certified = firms["hte_until_step"][f] > step
        small = firms["employees"][f] <= VOUCHER_MAX_EMPLOYEES
        return bool(firms["alive"][f] and small and not certified and not firms["listed"][f])

    def where_to_redeem(f: int) -> int:
        where = firms["platform"][f]
        if p.equipment_sharing_regionwide:
            # the best of: its own platform, the best platform of its sector, the best
            # general platform (platforms built around one firm excluded)
            options = [] if where < 0 else [where]
            for focus in (firms["sector"][f], -1):
                best = best_platform_with_focus(platforms, focus)
                if best >= 0:
                    options.append(best)
            if options:
                where = max(options, key=lambda k: platforms["quality"][k])
        return where

    def has_project(f: int) -> bool:
        return bool(firms["rd_staff"][f] > 0 or firms["rd_real_mcny"][f] > 0.0)

    small_firms = [f for f in range(n_firms) if may_get_voucher(f)]
    if p.voucher_by_application:
        in_draw = [f for f in small_firms if has_project(f) and where_to_redeem(f) >= 0]
    else:
        in_draw = small_firms
    if p.voucher_budget_mcny_per_q <= 0.0 or not in_draw:
        return
    n_vouchers = p.voucher_budget_mcny_per_q * p.firm_scale / p.voucher_face_value_mcny
    chance = min(1.0, n_vouchers / len(in_draw))
    for f in in_draw:
        if rng.uniform(seed, step, PHASE_GOVERNMENT, f, 0) >= chance:
            continue
        if rng.uniform(seed, step, PHASE_GOVERNMENT, f, 1) < p.voucher_nonuse:
            continue  # issued but never redeemed
        if not has_project(f):
            continue  # a winner with no R&D project does not use it
        where = where_to_redeem(f)
        if where < 0:
            continue  # nowhere to redeem it
        value = p.voucher_face_value_mcny
        c = firms["county"][f]
        if cty["budget_mcny"][c] - 0.5 * value < floor[c]:
            cty["st_cut_mcny"][c] += 0.5 * value  # the county cannot pay its half
            continue
        fm["voucher_mcny"][f] = value
        fm["voucher_platform"][f] = where
        platform_cash[where] += value
        cty["budget_mcny"][c] -= 0.5 * value
        cty["st_spending_mcny"][c] += value
        cty["policy_cost_mcny"][c] += 0.5 * value
        province_pays(c, 0.5 * value)


def best_platform_with_focus(platforms, focus: int) -> int:
    """The highest-quality live platform with this sector focus (-1: general) that is not
    built around one firm (lowest id on ties); -1 if there is none."""
    best, best_quality = -1, -np.inf
    for k in range(len(platforms["alive"])):
        if not platforms["alive"][k] or platforms["anchor_firm"][k] >= 0:
            continue
        if platforms["sector_focus"][k] == focus and platforms["quality"][k] > best_quality:
            best, best_quality = k, platforms["quality"][k]
    return best
