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
    SINK_PROGRAMME_COSTS,
    SINK_PROVINCE_GENERAL,
    SRC_PROVINCE_WIDE_BUDGET,
)

DAYS_PER_QUARTER = 91.25

#: The parameters :func:`_govern_body` reads (``KernelParams`` fields of the same names).
GovernmentParams = namedtuple(
    "GovernmentParams",
    """
    county_st_share_of_revenue enclave_m2_per_firm enclave_rent_cny_per_m2_day
    enclaves_enabled equipment_sharing_regionwide expert_link_cost_mcny_per_q firm_scale
    integration_admin_cost_mcny_per_q integration_enabled kpi_st_share_increase
    policy_start_step province_platform_budget_mcny_per_q rd_grant_exante_rate
    rd_grant_expost_per_patent_mcny rd_grant_province_share rebate_reinvest_share
    specialisation_enabled st_share_platforms st_share_rd_grants st_share_talent
    talent_subsidy_mcny_per_q tax_rebate_share voucher_budget_mcny_per_q
    voucher_face_value_mcny voucher_nonuse
    """.split(),
)


def government_params(p):
    """The :data:`GovernmentParams` of ``KernelParams`` ``p`` (same values and types)."""
    return params_bundle(GovernmentParams, p)


def govern(firms, platforms, counties, province, n_enclave_firms, p, seed, step, policy_on, flows):
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
    n_enclave_firms : (n_counties,) int64
        Firms in each county's enclave (rent is paid on the whole floor space).
    policy_on : bool
        Whether scenario rules are active this quarter.
    flows : (N_FLOWS,) float64
    """
    return _govern_body(
        counties.budget_mcny,
        counties.province_tax_mcny,
        counties.province_hte_cit_base_mcny,
        counties.province_hte_cit_mcny,
        counties.rebate_mcny,
        platforms.county,
        platforms.alive,
        firms.alive,
        firms.employees,
        firms.hte_until_step,
        firms.listed,
        counties.province_policy_cost_mcny,
        firms.grant_mcny,
        firms.voucher_mcny,
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
        n_enclave_firms,
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
    county_rebate_mcny,
    platform_county,
    platform_alive,
    firm_alive,
    firm_employees,
    firm_hte_until_step,
    firm_listed,
    county_province_policy_cost_mcny,
    firm_grant_mcny,
    firm_voucher_mcny,
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
    n_enclave_firms,
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
    for c in range(n_counties):
        # the base of the "incremental" tax: its mean over the year before the rule starts
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
            rebate = prm.tax_rebate_share * max(
                county_province_hte_cit_mcny[c] - county_province_hte_cit_base_mcny[c], 0.0
            )
        county_rebate_mcny[c] = rebate
        county_budget_mcny[c] += rebate
        _province_pays(county_province_policy_cost_mcny, c, rebate, flows)

    # --- county S&T envelopes -----------------------------------------------------------
    by_county, off = group_index(platform_county, platform_alive, n_counties)
    rd_by_county = np.zeros(n_counties, dtype=np.float64)
    for f in range(len(firm_alive)):
        firm_grant_mcny[f] = 0.0
        firm_voucher_mcny[f] = 0.0
        if firm_alive[f] and firm_rd_real_mcny[f] > 0.0:
            rd_by_county[firm_county[f]] += firm_rd_real_mcny[f]
    grant_rate = np.zeros(n_counties, dtype=np.float64)
    for c in range(n_counties):
        revenue = county_tax_revenue_mcny[c]
        share = prm.county_st_share_of_revenue
        extra_share = prm.kpi_st_share_increase if policy_on else 0.0
        envelope = (share + extra_share) * revenue
        if extra_share > 0.0:
            county_policy_cost_mcny[c] += extra_share * revenue
        envelope += prm.rebate_reinvest_share * county_rebate_mcny[c]
        general = revenue + county_rebate_mcny[c] - envelope
        county_budget_mcny[c] -= general
        flows[SINK_COUNTY_GENERAL] += general
        spent = 0.0
        members = by_county[off[c] : off[c + 1]]
        if len(members) > 0:
            each = prm.st_share_platforms * envelope / len(members)
            for k in members:
                platform_cash_mcny[k] += each
            spent += each * len(members)
        grants = prm.st_share_rd_grants * envelope
        if rd_by_county[c] > 0.0:
            grant_rate[c] = min(grants / rd_by_county[c], 0.3)
        talent = prm.st_share_talent * envelope
        county_talent_pool_mcny[c] += talent
        spent += talent
        county_budget_mcny[c] -= spent
        county_st_spending_mcny[c] += spent
        if policy_on and prm.talent_subsidy_mcny_per_q > 0.0:
            subsidy = prm.talent_subsidy_mcny_per_q * prm.firm_scale
            county_talent_pool_mcny[c] += subsidy
            county_budget_mcny[c] -= subsidy
            county_st_spending_mcny[c] += subsidy
            county_policy_cost_mcny[c] += subsidy

    # --- grants to R&D-doing firms: baseline county grants, joint ex-ante, ex-post ------
    for f in range(len(firm_alive)):
        if not firm_alive[f]:
            continue
        c = firm_county[f]
        base = grant_rate[c] * firm_rd_real_mcny[f]
        joint = 0.0
        if policy_on:
            joint = (
                prm.rd_grant_exante_rate * firm_rd_real_mcny[f]
                + prm.rd_grant_expost_per_patent_mcny * firm_grants_q[f]
            )
        if base + joint <= 0.0:
            continue
        firm_grant_mcny[f] = base + joint
        firm_cash_mcny[f] += base + joint
        county_part = base + (1.0 - prm.rd_grant_province_share) * joint
        province_part = prm.rd_grant_province_share * joint
        county_budget_mcny[c] -= county_part
        county_st_spending_mcny[c] += county_part
        county_policy_cost_mcny[c] += (1.0 - prm.rd_grant_province_share) * joint
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

    if not policy_on:
        return

    # --- innovation vouchers (report §3.4), half county, half province ------------------
    if prm.voucher_budget_mcny_per_q > 0.0:
        eligible = np.zeros(n_counties, dtype=np.int64)
        for f in range(len(firm_alive)):
            if _voucher_eligible(
                firm_alive, firm_employees, firm_hte_until_step, firm_listed, f, step
            ):
                eligible[firm_county[f]] += 1
        total_eligible = eligible.sum()
        if total_eligible > 0:
            n_vouchers = (
                prm.voucher_budget_mcny_per_q * prm.firm_scale / prm.voucher_face_value_mcny
            )
            chance = min(1.0, n_vouchers / total_eligible)
            # region-wide equipment sharing (report §3.4): a voucher buys time at the best
            # platform of the firm's sector (or a general one) anywhere in the region
            n_sectors = 0
            for k in range(len(platform_alive)):
                n_sectors = max(n_sectors, platform_sector_focus[k] + 1)
            best_platform = np.full(max(n_sectors, 1) + 1, -1, dtype=np.int64)
            best_q = np.full(max(n_sectors, 1) + 1, -1.0)
            for k in range(len(platform_alive)):
                if not platform_alive[k] or platform_anchor_firm[k] >= 0:
                    continue
                slot = platform_sector_focus[k] + 1  # 0: general platforms
                if platform_quality[k] > best_q[slot]:
                    best_q[slot] = platform_quality[k]
                    best_platform[slot] = k
            for f in range(len(firm_alive)):
                if not _voucher_eligible(
                    firm_alive, firm_employees, firm_hte_until_step, firm_listed, f, step
                ):
                    continue
                if uniform(seed, step, STREAM_GOVERNMENT, f, 0) >= chance:
                    continue
                if uniform(seed, step, STREAM_GOVERNMENT, f, 1) < prm.voucher_nonuse:
                    continue  # issued but never redeemed: no money moves
                k = firm_platform[f]
                if prm.equipment_sharing_regionwide:
                    for slot in (firm_sector[f] + 1, 0):
                        if slot >= len(best_platform) or best_platform[slot] < 0:
                            continue
                        if k < 0 or platform_quality[k] < best_q[slot]:
                            k = best_platform[slot]
                if k < 0:
                    continue  # nowhere nearby to redeem it
                value = prm.voucher_face_value_mcny
                firm_voucher_mcny[f] = value
                platform_cash_mcny[k] += value
                c = firm_county[f]
                county_budget_mcny[c] -= 0.5 * value
                county_st_spending_mcny[c] += value
                county_policy_cost_mcny[c] += 0.5 * value
                _province_pays(county_province_policy_cost_mcny, c, 0.5 * value, flows)

    # --- programme running costs paid by counties ---------------------------------------
    links = np.zeros(n_counties, dtype=np.int64)  # expert links actually made (report §1.5)
    for f in range(len(firm_alive)):
        if firm_alive[f] and firm_expert_link[f]:
            links[firm_county[f]] += 1
    for c in range(n_counties):
        cost = 0.0
        cost += links[c] * prm.expert_link_cost_mcny_per_q
        if prm.integration_enabled:
            cost += prm.integration_admin_cost_mcny_per_q * prm.firm_scale
        if prm.enclaves_enabled and county_enclave_slots[c] > 0:
            floor = county_enclave_slots[c] * prm.enclave_m2_per_firm
            cost += floor * prm.enclave_rent_cny_per_m2_day * DAYS_PER_QUARTER / 1e6
        county_budget_mcny[c] -= cost
        county_policy_cost_mcny[c] += cost
        flows[SINK_PROGRAMME_COSTS] += cost


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
