"""Phase 8 — county and province budgets and the policy instruments they pay for.

Counties receive their taxes (phase 4) and spend a share on S&T (report §3.1): equal parts to
their platforms (report §2.1: money spread over many platforms), R&D grants to R&D-doing
firms, and talent packages; the rest is general spending. The province receives its share of
corporate income tax and funds provincial and national platforms. Policy instruments, each
paid by a named payer: returning the increment of the province's high-tech CIT to counties
(report §3.3), joint ex-ante and ex-post R&D grants (report §3.3), innovation vouchers
(report §3.4), expert links (report §1.5), enclave rent (report §1.5), integration
administration (report §3.4), talent subsidies, and the extra S&T share of KPI assessment.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np
from numba import njit

from model.kernels.bundles import params_bundle
from model.kernels.index import group_index
from model.kernels.rng import uniform
from model.kernels.streams import STREAM_GOVERNMENT
from model.sim.ledger import (
    SINK_COUNTY_GENERAL,
    SINK_DEBT_INTEREST,
    SINK_PROGRAMME_COSTS,
    SINK_PROVINCE_GENERAL,
    SRC_PROVINCE_WIDE_BUDGET,
)

DAYS_PER_QUARTER = 91.25

#: The parameters :func:`_govern_body` reads (``KernelParams`` fields of the same names).
GovernmentParams = namedtuple(
    "GovernmentParams",
    """
    county_borrowing_rate_per_q county_st_deficit_limit_years
    county_st_share_of_revenue enclave_m2_per_firm enclave_rent_cny_per_m2_day
    equipment_sharing_regionwide expert_link_cost_mcny_per_q firm_scale
    integration_admin_cost_mcny_per_q integration_enabled kpi_st_share_increase
    policy_start_step province_platform_budget_mcny_per_q rd_grant_exante_rate rd_grant_rate_max
    rd_grant_expost_per_patent_mcny rd_grant_province_share rebate_reinvest_share
    specialisation_enabled st_share_platforms st_share_rd_grants st_share_talent
    talent_subsidy_mcny_per_q tax_rebate_share voucher_budget_mcny_per_q
    voucher_by_application voucher_face_value_mcny voucher_nonuse
    """.split(),
)

#: A county's S&T account and what is recorded of its spending, each (n_counties,) float64:
#: budget, floor, cut, S&T spending, county and province policy cost (m CNY).
CountyAccounts = namedtuple(
    "CountyAccounts",
    "budget_mcny floor st_cut_mcny st_spending_mcny policy_cost_mcny province_policy_cost_mcny",
)
#: The firm columns the voucher programme reads and writes, each (n_firms,).
VoucherFirms = namedtuple(
    "VoucherFirms",
    "alive employees hte_until_step listed county sector platform voucher_mcny "
    "voucher_platform rd_staff rd_real_mcny",
)
#: The platform columns the voucher programme reads and writes, each (n_platforms,).
VoucherPlatforms = namedtuple(
    "VoucherPlatforms", "alive anchor_firm sector_focus quality cash_mcny"
)


def government_params(p):
    """The :data:`GovernmentParams` of ``KernelParams`` ``p`` (same values and types)."""
    return params_bundle(GovernmentParams, p)


def govern(firms, platforms, counties, province, p, seed, step, policy_on, flows):
    """Collect, allocate and spend county and province money for one quarter.

    Parameters
    ----------
    firms : Firms
        Writes ``grant_mcny``, ``voucher_mcny`` and cash (grants are paid in cash).
    platforms : Platforms
        Budgets are paid into ``cash_mcny``.
    counties : Counties
        Reads this quarter's tax revenue; writes budgets, S&T spending, policy costs,
        rebates, talent pools.
    province : (1,) float64
        Province budget.
    policy_on : bool
        Whether scenario rules are active this quarter.
    flows : (N_FLOWS,) float64
    """
    return _govern_body(
        counties.budget_mcny,
        counties.province_tax_mcny,
        counties.province_hte_cit_base_mcny,
        counties.province_hte_cit_mcny,
        counties.province_hte_cit_year_mcny,
        counties.province_hte_cit_year_q,
        counties.rebate_carry_mcny,
        counties.rebate_mcny,
        counties.st_cut_mcny,
        counties.st_interest_mcny,
        counties.chain_commitment_mcny,
        counties.chain_tranche_mcny,
        counties.chain_paid_mcny,
        counties.st_payable_mcny,
        platforms.county,
        platforms.alive,
        firms.alive,
        firms.employees,
        firms.hte_until_step,
        firms.listed,
        counties.province_policy_cost_mcny,
        firms.grant_mcny,
        firms.voucher_mcny,
        firms.voucher_platform,
        firms.rd_staff,
        firms.rd_real_mcny,
        firms.county,
        counties.tax_revenue_mcny,
        counties.policy_cost_mcny,
        platforms.cash_mcny,
        counties.talent_pool_mcny,
        counties.st_spending_mcny,
        firms.grants_q,
        firms.cash_mcny,
        platforms.level,
        platforms.sector_focus,
        platforms.anchor_firm,
        platforms.quality,
        firms.platform,
        firms.sector,
        firms.expert_link,
        counties.enclave_slots,
        government_params(p),
        province,
        seed,
        step,
        policy_on,
        flows,
    )


@njit(cache=True)
def _govern_body(
    county_budget_mcny,
    county_province_tax_mcny,
    county_province_hte_cit_base_mcny,
    county_province_hte_cit_mcny,
    county_province_hte_cit_year_mcny,
    county_province_hte_cit_year_q,
    county_rebate_carry_mcny,
    county_rebate_mcny,
    county_st_cut_mcny,
    county_st_interest_mcny,
    county_chain_commitment_mcny,
    county_chain_tranche_mcny,
    county_chain_paid_mcny,
    county_st_payable_mcny,
    platform_county,
    platform_alive,
    firm_alive,
    firm_employees,
    firm_hte_until_step,
    firm_listed,
    county_province_policy_cost_mcny,
    firm_grant_mcny,
    firm_voucher_mcny,
    firm_voucher_platform,
    firm_rd_staff,
    firm_rd_real_mcny,
    firm_county,
    county_tax_revenue_mcny,
    county_policy_cost_mcny,
    platform_cash_mcny,
    county_talent_pool_mcny,
    county_st_spending_mcny,
    firm_grants_q,
    firm_cash_mcny,
    platform_level,
    platform_sector_focus,
    platform_anchor_firm,
    platform_quality,
    firm_platform,
    firm_sector,
    firm_expert_link,
    county_enclave_slots,
    prm,
    province,
    seed,
    step,
    policy_on,
    flows,
):
    """Compiled body of :func:`govern`."""
    n_counties = len(county_budget_mcny)
    province_revenue = 0.0
    for c in range(n_counties):
        province_revenue += county_province_tax_mcny[c]
    # The province spends its revenue from the region on general purposes; S&T money and
    # policy costs beyond that are financed province-wide (a named source).
    province[0] -= province_revenue
    flows[SINK_PROVINCE_GENERAL] += province_revenue

    # --- rebate of the incremental province part of high-tech CIT (report §3.3) ---------
    # The base is the tax's quarterly mean over the year before the rule starts. Once the
    # rule runs, the tax is added up over each calendar year and settled at its last quarter:
    # the county receives the share of the year's increment over the base, netted against
    # shortfalls of earlier years (a county whose certified firms shrink gets nothing until
    # they have grown back), never a one-sided top-up of a good quarter.
    for c in range(n_counties):
        k = step - (prm.policy_start_step - 4)
        if not policy_on:
            if k <= 0:
                county_province_hte_cit_base_mcny[c] = county_province_hte_cit_mcny[c]
            else:
                county_province_hte_cit_base_mcny[c] += (
                    county_province_hte_cit_mcny[c] - county_province_hte_cit_base_mcny[c]
                ) / (k + 1)
        rebate = 0.0
        if policy_on and prm.tax_rebate_share > 0.0:
            county_province_hte_cit_year_mcny[c] += county_province_hte_cit_mcny[c]
            county_province_hte_cit_year_q[c] += 1
            if step % 4 == 3:
                increment = (
                    county_province_hte_cit_year_mcny[c]
                    - county_province_hte_cit_year_q[c] * county_province_hte_cit_base_mcny[c]
                )
                net = county_rebate_carry_mcny[c] + increment
                if net > 0.0:
                    rebate = prm.tax_rebate_share * net
                    county_rebate_carry_mcny[c] = 0.0
                else:
                    county_rebate_carry_mcny[c] = net
                county_province_hte_cit_year_mcny[c] = 0.0
                county_province_hte_cit_year_q[c] = 0
        county_rebate_mcny[c] = rebate
        county_budget_mcny[c] += rebate
        _province_pays(county_province_policy_cost_mcny, c, rebate, flows)

    # --- county S&T accounts: envelope in, interest, the floor ---------------------------
    # budget_mcny is the county's S&T account (tax revenue arrived in phase 4; everything
    # but the S&T envelope goes to general spending). Programmes may take it below zero down
    # to the floor -county_st_deficit_limit_years x a year's base envelope, paying interest
    # on the deficit; no payment ever takes it lower (the Budget Law lets counties borrow
    # little). The baseline S&T lines spend only what is left above zero.
    floor = np.zeros(n_counties, dtype=np.float64)
    envelope = np.zeros(n_counties, dtype=np.float64)
    for c in range(n_counties):
        revenue = county_tax_revenue_mcny[c]
        extra_share = prm.kpi_st_share_increase if policy_on else 0.0
        envelope[c] = (prm.county_st_share_of_revenue + extra_share) * revenue
        if extra_share > 0.0:
            county_policy_cost_mcny[c] += extra_share * revenue
        envelope[c] += prm.rebate_reinvest_share * county_rebate_mcny[c]
        general = revenue + county_rebate_mcny[c] - envelope[c]
        county_budget_mcny[c] -= general
        flows[SINK_COUNTY_GENERAL] += general
        floor[c] = (
            -prm.county_st_deficit_limit_years * 4.0 * (prm.county_st_share_of_revenue * revenue)
        )
        # interest on the deficit carried from last quarter (before this quarter's money)
        carried = county_budget_mcny[c] - envelope[c]
        if carried < -1e-9:  # not rounding noise of an account spent down to zero
            interest = prm.county_borrowing_rate_per_q * -carried
            county_budget_mcny[c] -= interest
            county_st_interest_mcny[c] += interest
            county_policy_cost_mcny[c] += interest
            flows[SINK_DEBT_INTEREST] += interest

    # --- 1. contracted programmes: expert links, integration, enclave rent (report §1.5,
    # §3.4); a county that cannot pay for all its links keeps those it can (lowest firm
    # ids first) and rents floor for the enclave places it can pay
    for c in range(n_counties):
        # one-off costs owed (platform mergers): what the floor allows now, the rest later
        owed = county_st_payable_mcny[c]
        if owed > 0.0:
            paid = min(owed, max(county_budget_mcny[c] - floor[c], 0.0))
            county_budget_mcny[c] -= paid
            county_st_payable_mcny[c] -= paid
            county_policy_cost_mcny[c] += paid
            flows[SINK_PROGRAMME_COSTS] += paid
    # status-quo expert links and enclaves (region file) are paid whether or not a scenario
    # is on; links and places exist only where assigned
    link_budget = np.zeros(n_counties, dtype=np.float64)
    links = np.zeros(n_counties, dtype=np.int64)
    for f in range(len(firm_alive)):
        if firm_alive[f] and firm_expert_link[f]:
            links[firm_county[f]] += 1
    for c in range(n_counties):
        request = links[c] * prm.expert_link_cost_mcny_per_q
        link_budget[c] = _pay(county_budget_mcny, floor, county_st_cut_mcny, c, request)
        cost = link_budget[c]
        if policy_on and prm.integration_enabled:
            cost += _pay(
                county_budget_mcny,
                floor,
                county_st_cut_mcny,
                c,
                prm.integration_admin_cost_mcny_per_q * prm.firm_scale,
            )
        if county_enclave_slots[c] > 0:  # status-quo enclaves too, policy on or not
            per_place = prm.enclave_m2_per_firm * prm.enclave_rent_cny_per_m2_day
            per_place *= DAYS_PER_QUARTER / 1e6
            # rent is paid for whole places: the county keeps the places its account can
            # pay down to the floor, and the floor it cannot rent is given up (counted as cut)
            available = max(county_budget_mcny[c] - floor[c], 0.0)
            if county_enclave_slots[c] * per_place > available:
                kept = int(np.floor(available / per_place + 1e-9))
                county_st_cut_mcny[c] += (county_enclave_slots[c] - kept) * per_place
                county_enclave_slots[c] = kept
            cost += _pay(
                county_budget_mcny,
                floor,
                county_st_cut_mcny,
                c,
                county_enclave_slots[c] * per_place,
            )
        county_policy_cost_mcny[c] += cost
        flows[SINK_PROGRAMME_COSTS] += cost
    if prm.expert_link_cost_mcny_per_q > 0.0:
        for f in range(len(firm_alive)):
            if firm_alive[f] and firm_expert_link[f]:
                c = firm_county[f]
                if link_budget[c] >= prm.expert_link_cost_mcny_per_q * (1.0 - 1e-9):
                    link_budget[c] -= prm.expert_link_cost_mcny_per_q
                else:
                    firm_expert_link[f] = False

    # --- 2. the scenario's programmes, paid before the baseline lines --------------------
    rd_by_county = np.zeros(n_counties, dtype=np.float64)
    joint_request = np.zeros(n_counties, dtype=np.float64)
    for f in range(len(firm_alive)):
        firm_grant_mcny[f] = 0.0
        firm_voucher_mcny[f] = 0.0
        firm_voucher_platform[f] = -1
        if not firm_alive[f]:
            continue
        if firm_rd_real_mcny[f] > 0.0:
            rd_by_county[firm_county[f]] += firm_rd_real_mcny[f]
        if policy_on:
            joint_request[firm_county[f]] += (1.0 - prm.rd_grant_province_share) * (
                prm.rd_grant_exante_rate * firm_rd_real_mcny[f]
                + prm.rd_grant_expost_per_patent_mcny * firm_grants_q[f]
            )
    # joint ex-ante and ex-post R&D grants (report §3.3): the province matches what the
    # county can pay of its part
    joint_scale = np.zeros(n_counties, dtype=np.float64)
    for c in range(n_counties):
        if joint_request[c] > 0.0:
            paid = _pay(county_budget_mcny, floor, county_st_cut_mcny, c, joint_request[c])
            joint_scale[c] = paid / joint_request[c]
    if policy_on and prm.talent_subsidy_mcny_per_q > 0.0:
        for c in range(n_counties):
            subsidy = _pay(
                county_budget_mcny,
                floor,
                county_st_cut_mcny,
                c,
                prm.talent_subsidy_mcny_per_q * prm.firm_scale,
            )
            county_talent_pool_mcny[c] += subsidy
            county_st_spending_mcny[c] += subsidy
            county_policy_cost_mcny[c] += subsidy
    # the capital chain's funds, paid in by tranches (report §1.4); the engine moves what was
    # paid into the funds' pools
    for c in range(n_counties):
        request = min(county_chain_tranche_mcny[c], county_chain_commitment_mcny[c])
        if request > 0.0:
            paid = _pay(county_budget_mcny, floor, county_st_cut_mcny, c, request)
            county_chain_commitment_mcny[c] -= paid
            county_chain_paid_mcny[c] += paid
            county_st_spending_mcny[c] += paid
            county_policy_cost_mcny[c] += paid
    if policy_on and prm.voucher_budget_mcny_per_q > 0.0:
        accounts = CountyAccounts(
            county_budget_mcny,
            floor,
            county_st_cut_mcny,
            county_st_spending_mcny,
            county_policy_cost_mcny,
            county_province_policy_cost_mcny,
        )
        voucher_firms = VoucherFirms(
            firm_alive,
            firm_employees,
            firm_hte_until_step,
            firm_listed,
            firm_county,
            firm_sector,
            firm_platform,
            firm_voucher_mcny,
            firm_voucher_platform,
            firm_rd_staff,
            firm_rd_real_mcny,
        )
        voucher_platforms = VoucherPlatforms(
            platform_alive,
            platform_anchor_firm,
            platform_sector_focus,
            platform_quality,
            platform_cash_mcny,
        )
        _issue_vouchers(accounts, voucher_firms, voucher_platforms, prm, seed, step, flows)

    # --- 3. the baseline S&T lines, from what is left above zero -------------------------
    # Shares of the county's S&T money (report §3.1): equal parts to its platforms (report
    # §2.1: money spread over many platforms), R&D grants to R&D-doing firms, talent
    # packages. They are cut first when programmes take the money; the share the three do
    # not use stays in the account.
    by_county, off = group_index(platform_county, platform_alive, n_counties)
    grant_rate = np.zeros(n_counties, dtype=np.float64)
    for c in range(n_counties):
        available = max(county_budget_mcny[c], 0.0)
        county_st_cut_mcny[c] += max(envelope[c] - available, 0.0)
        spent = 0.0
        members = by_county[off[c] : off[c + 1]]
        if len(members) > 0:
            each = prm.st_share_platforms * available / len(members)
            for k in members:
                platform_cash_mcny[k] += each
            spent += each * len(members)
        grants = prm.st_share_rd_grants * available
        if rd_by_county[c] > 0.0:
            grant_rate[c] = min(grants / rd_by_county[c], prm.rd_grant_rate_max)
        talent = prm.st_share_talent * available
        county_talent_pool_mcny[c] += talent
        spent += talent
        county_budget_mcny[c] -= spent
        county_st_spending_mcny[c] += spent

    # --- grants to R&D-doing firms: the baseline rate, and the joint grants paid above ----
    for f in range(len(firm_alive)):
        if not firm_alive[f]:
            continue
        c = firm_county[f]
        base = grant_rate[c] * firm_rd_real_mcny[f]
        joint = 0.0
        if policy_on:
            joint = joint_scale[c] * (
                prm.rd_grant_exante_rate * firm_rd_real_mcny[f]
                + prm.rd_grant_expost_per_patent_mcny * firm_grants_q[f]
            )
        if base + joint <= 0.0:
            continue
        firm_grant_mcny[f] = base + joint
        firm_cash_mcny[f] += base + joint
        county_part = (1.0 - prm.rd_grant_province_share) * joint  # paid in section 2
        province_part = prm.rd_grant_province_share * joint
        county_budget_mcny[c] -= base
        county_st_spending_mcny[c] += base + county_part
        county_policy_cost_mcny[c] += county_part
        _province_pays(county_province_policy_cost_mcny, c, province_part, flows)

    # --- province platform money: provincial/national platforms, or the sector centres ---
    level_needed = 2 if (policy_on and prm.specialisation_enabled) else 1
    n_eligible = 0
    for k in range(len(platform_alive)):
        if platform_alive[k] and platform_level[k] >= level_needed:
            n_eligible += 1
    if n_eligible > 0:
        each = prm.province_platform_budget_mcny_per_q * prm.firm_scale / n_eligible
        for k in range(len(platform_alive)):
            if platform_alive[k] and platform_level[k] >= level_needed:
                platform_cash_mcny[k] += each
                flows[SRC_PROVINCE_WIDE_BUDGET] += each
                county_st_spending_mcny[platform_county[k]] += each


@njit(cache=True)
def _issue_vouchers(acc, vf, vp, prm, seed, step, flows):
    """Innovation vouchers (report §3.4), half county, half province.

    A firm applies when it has an R&D project it cannot do alone: it is an eligible SME
    (:func:`_voucher_eligible`) with R&D staff or an R&D budget this quarter, and there is a
    platform where it can redeem a voucher (its own; with region-wide equipment sharing, the
    best platform of its sector, or a general one, anywhere in the region if that is
    better). Vouchers go to applicants, by lottery when there are more applicants than
    vouchers (the Dutch voucher lottery drew among applicants; Cornet, Vroomen & van der
    Steeg). With ``voucher_by_application`` off, the lottery runs among all eligible SMEs and
    a winner without a project never redeems its voucher. A share ``voucher_nonuse`` of
    vouchers is never redeemed either. A redeemed voucher pays its platform (``cash_mcny``)
    for the project and records where (``vf.voucher_platform``); it is paid only while its
    county can pay its half (what it cannot is recorded as cut).

    ``acc``, ``vf`` and ``vp`` are the :data:`CountyAccounts`, :data:`VoucherFirms` and
    :data:`VoucherPlatforms` it reads and writes.
    """
    n_firms = len(vf.alive)
    # where each firm would redeem a voucher (-1: nowhere)
    n_sectors = 0
    for k in range(len(vp.alive)):
        n_sectors = max(n_sectors, vp.sector_focus[k] + 1)
    best_platform = np.full(max(n_sectors, 1) + 1, -1, dtype=np.int64)
    best_q = np.full(max(n_sectors, 1) + 1, -1.0)
    for k in range(len(vp.alive)):
        if not vp.alive[k] or vp.anchor_firm[k] >= 0:
            continue
        slot = vp.sector_focus[k] + 1  # 0: general platforms
        if vp.quality[k] > best_q[slot]:
            best_q[slot] = vp.quality[k]
            best_platform[slot] = k
    redeem_at = np.full(n_firms, -1, dtype=np.int64)
    in_draw = np.zeros(n_firms, dtype=np.bool_)
    n_in_draw = 0
    for f in range(n_firms):
        if not _voucher_eligible(vf.alive, vf.employees, vf.hte_until_step, vf.listed, f, step):
            continue
        k = vf.platform[f]
        if prm.equipment_sharing_regionwide:
            for slot in (vf.sector[f] + 1, 0):
                if slot >= len(best_platform) or best_platform[slot] < 0:
                    continue
                if k < 0 or vp.quality[k] < best_q[slot]:
                    k = best_platform[slot]
        has_project = vf.rd_staff[f] > 0 or vf.rd_real_mcny[f] > 0.0
        if has_project:
            redeem_at[f] = k
        if (k >= 0 and has_project) or not prm.voucher_by_application:
            in_draw[f] = True
            n_in_draw += 1
    if n_in_draw == 0:
        return
    n_vouchers = prm.voucher_budget_mcny_per_q * prm.firm_scale / prm.voucher_face_value_mcny
    chance = min(1.0, n_vouchers / n_in_draw)
    value = prm.voucher_face_value_mcny
    for f in range(n_firms):
        if not in_draw[f]:
            continue
        if uniform(seed, step, STREAM_GOVERNMENT, f, 0) >= chance:
            continue
        if uniform(seed, step, STREAM_GOVERNMENT, f, 1) < prm.voucher_nonuse:
            continue  # issued but never redeemed: no money moves
        k = redeem_at[f]
        if k < 0:
            continue  # no project, or nowhere to redeem it
        c = vf.county[f]
        if acc.budget_mcny[c] - 0.5 * value < acc.floor[c]:
            acc.st_cut_mcny[c] += 0.5 * value  # the county cannot pay its half
            continue
        vf.voucher_mcny[f] = value
        vf.voucher_platform[f] = k
        vp.cash_mcny[k] += value
        acc.budget_mcny[c] -= 0.5 * value
        acc.st_spending_mcny[c] += value
        acc.policy_cost_mcny[c] += 0.5 * value
        _province_pays(acc.province_policy_cost_mcny, c, 0.5 * value, flows)


@njit(cache=True, inline="always")
def _pay(county_budget_mcny, floor, county_st_cut_mcny, c, request):
    """Take ``request`` from county ``c``'s S&T account down to its floor; return what was paid.

    What cannot be paid is added to ``county_st_cut_mcny[c]``.
    """
    if request <= 0.0:
        return 0.0
    paid = min(request, max(county_budget_mcny[c] - floor[c], 0.0))
    county_budget_mcny[c] -= paid
    county_st_cut_mcny[c] += request - paid
    return paid


@njit(cache=True, inline="always")
def _voucher_eligible(alive, employees, hte_until_step, listed, f, step):
    """Whether firm ``f`` may receive a voucher (arguments: the firm columns)."""
    return alive[f] and employees[f] <= 300.0 and hte_until_step[f] <= step and not listed[f]


@njit(cache=True)
def _province_pays(province_policy_cost_mcny, c, amount, flows):
    """The province pays ``amount`` into county ``c``'s economy, financed province-wide.

    The province's account stays put: the money comes from its budget outside the region
    (a named source), and the payment is recorded as the province's policy cost.
    """
    if amount <= 0.0:
        return
    province_policy_cost_mcny[c] += amount
    flows[SRC_PROVINCE_WIDE_BUDGET] += amount
