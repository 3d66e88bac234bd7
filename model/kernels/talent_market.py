"""Phase 1 — the talent market (report §1.5, §2.3).

S&T workers (R&D staff, senior engineers, high-level experts) arrive, leave, drift to the big
cities, are laid off when a firm cuts its R&D, and look for jobs. A worker samples a few
employers with vacancies in their county (more when shared databases improve matching, report
§3.4); enclave firms also hire in their county's hub (report §1.5: "R&D in Shanghai,
production in Jiashan"). Job seekers are served in an order drawn from the counter-based
generator, so the outcome does not depend on agent storage order or threads. A firm hires and
keeps staff within its staff budget (``staff_budget_mcny``, set in phase 2) at the going wages
of its county (``counties.wage_index``, ``model/kernels/wages.py``): a seeker joins only a firm
whose budget left pays its wage, so an expert, served first, is hired only where the budget
covers an expert's pay.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np
from numba import njit, prange

from model.kernels.bundles import params_bundle
from model.kernels.index import group_index
from model.kernels.rng import poisson, uniform
from model.kernels.sort import sort_by_key
from model.kernels.streams import STREAM_TALENT_MARKET
from model.kernels.wages import going_wage, table_wages
from model.sim.ledger import TALENT_ARRIVALS, TALENT_DEPARTURES


def aggregate_talent(talent, firms, counties, p):
    """Recount each firm's S&T staff from the talent table.

    Writes ``firms.rd_staff``, ``firms.experts``, ``firms.talent_units`` (tier-weighted staff:
    an R&D staff member counts 1, a senior engineer ``talent_weight_senior``, an expert
    ``talent_weight_expert``), ``firms.talent_wage_mcny`` (quarterly wage bill, m CNY: the
    going wage of the tier in the firm's county, table wage times ``counties.wage_index``; a
    worker employed in a hub earns ``hub_wage_premium`` times it), and the
    parts counted apart: ``firms.hub_staff`` and ``firms.hub_experts`` (working in a hub
    enclave, report §1.5) and ``firms.recruited_experts`` (county experts who came with a
    county talent package).
    """
    return _aggregate_talent_body(
        firms.rd_staff,
        firms.experts,
        firms.talent_units,
        firms.talent_wage_mcny,
        firms.hub_staff,
        firms.hub_experts,
        firms.recruited_experts,
        talent.alive,
        talent.employer_firm,
        talent.tier,
        talent.hub,
        talent.recruited,
        firms.county,
        counties.wage_index,
        p.talent_weight_senior,
        p.talent_weight_expert,
        p.wage_rd_staff_mcny_per_q,
        p.wage_senior_mcny_per_q,
        p.wage_expert_mcny_per_q,
        p.hub_wage_premium,
    )


@njit(cache=True)
def _aggregate_talent_body(
    firm_rd_staff,
    firm_experts,
    firm_talent_units,
    firm_talent_wage_mcny,
    firm_hub_staff,
    firm_hub_experts,
    firm_recruited_experts,
    talent_alive,
    talent_employer_firm,
    talent_tier,
    talent_hub,
    talent_recruited,
    firm_county,
    county_wage_index,
    weight_senior,
    weight_expert,
    wage_rd_staff_mcny_per_q,
    wage_senior_mcny_per_q,
    wage_expert_mcny_per_q,
    hub_wage_premium,
):
    """Compiled body of :func:`aggregate_talent`.

    Takes the parameters as scalars, not ``KernelParams``: 1.6-1.9 s -> 0.5 s to compile
    from an empty numba cache.
    """
    firm_rd_staff[:] = 0
    firm_experts[:] = 0
    firm_talent_units[:] = 0.0
    firm_talent_wage_mcny[:] = 0.0
    firm_hub_staff[:] = 0
    firm_hub_experts[:] = 0
    firm_recruited_experts[:] = 0
    for i in range(len(talent_alive)):
        f = talent_employer_firm[i]
        if talent_alive[i] and f >= 0:
            tier = talent_tier[i]
            in_hub = talent_hub[i] >= 0
            wage_factor = county_wage_index[firm_county[f], tier]
            if in_hub:
                wage_factor *= hub_wage_premium
            firm_rd_staff[f] += 1
            if in_hub:
                firm_hub_staff[f] += 1
            if tier == 2:
                firm_experts[f] += 1
                if in_hub:
                    firm_hub_experts[f] += 1
                elif talent_recruited[i]:
                    firm_recruited_experts[f] += 1
                firm_talent_units[f] += weight_expert
                firm_talent_wage_mcny[f] += wage_expert_mcny_per_q * wage_factor
            elif tier == 1:
                firm_talent_units[f] += weight_senior
                firm_talent_wage_mcny[f] += wage_senior_mcny_per_q * wage_factor
            else:
                firm_talent_units[f] += 1.0
                firm_talent_wage_mcny[f] += wage_rd_staff_mcny_per_q * wage_factor


def count_arrivals(counties, hub_initial, p, seed, step):
    """Number of S&T workers arriving this quarter.

    Parameters
    ----------
    counties : Counties
        Reads ``rd_staff_initial`` and ``talent_pool_mcny`` (talent-subsidy money).
    hub_initial : (n_hubs,) float64
        Initial talent pool of each hub; hubs are replenished at the attrition rate.

    Returns
    -------
    staff : (n_counties,) int64
        New R&D staff and senior engineers per county.
    experts : (n_counties,) int64
        New experts per county (base inflow plus those the talent packages pay for).
    hub : (n_hubs,) int64
        New workers in each hub.
    paid : (n_counties,) int64
        Of ``experts``, those recruited with a county talent package: the region's finite
        supply ``expert_recruit_supply_per_q`` x ``firm_scale`` (rounded) is shared among the
        counties in proportion to the packages each can pay (largest remainders, then county
        order, get the places left by rounding down).
    """
    return _count_arrivals_body(
        counties.rd_staff_initial,
        counties.talent_pool_mcny,
        p.talent_inflow_per_q,
        p.expert_recruitment_cost_mcny,
        p.expert_inflow_per_q,
        p.expert_recruit_supply_per_q,
        p.firm_scale,
        p.talent_attrition_per_q,
        hub_initial,
        seed,
        step,
    )


@njit(cache=True)
def _count_arrivals_body(
    county_rd_staff_initial,
    county_talent_pool_mcny,
    prm_talent_inflow_per_q,
    prm_expert_recruitment_cost_mcny,
    prm_expert_inflow_per_q,
    prm_expert_recruit_supply_per_q,
    prm_firm_scale,
    prm_talent_attrition_per_q,
    hub_initial,
    seed,
    step,
):
    """Compiled body of :func:`count_arrivals`."""
    n = len(county_rd_staff_initial)
    staff = np.zeros(n, dtype=np.int64)
    experts = np.zeros(n, dtype=np.int64)
    paid = recruited_experts(
        county_talent_pool_mcny,
        prm_expert_recruitment_cost_mcny,
        int(np.floor(prm_expert_recruit_supply_per_q * prm_firm_scale + 0.5)),
    )
    for c in range(n):
        staff[c] = poisson(
            prm_talent_inflow_per_q * county_rd_staff_initial[c],
            seed,
            step,
            STREAM_TALENT_MARKET,
            c,
            0,
        )
        base = prm_expert_inflow_per_q * prm_firm_scale
        experts[c] = poisson(base, seed, step, STREAM_TALENT_MARKET, c, 1) + paid[c]
    hub = np.zeros(len(hub_initial), dtype=np.int64)
    for h in range(len(hub_initial)):
        hub[h] = poisson(
            prm_talent_attrition_per_q * hub_initial[h],
            seed,
            step,
            STREAM_TALENT_MARKET,
            1_000_000 + h,
            0,
        )
    return staff, experts, hub, paid


@njit(cache=True)
def recruited_experts(county_talent_pool_mcny, cost_mcny, supply):
    """Experts each county recruits with its talent money from a finite supply.

    Parameters
    ----------
    county_talent_pool_mcny : (n_counties,) float64
        Talent-package money each county holds.
    cost_mcny : float
        Package of one recruit.
    supply : int
        Recruits available to the region this quarter.

    Returns
    -------
    (n_counties,) int64
        Each county's demand ``floor(pool / cost)`` when the region's demand fits the supply;
        otherwise the supply shared in proportion to demand (largest remainders first, then
        county order), never more than a county's demand.
    """
    n = len(county_talent_pool_mcny)
    demand = np.zeros(n, dtype=np.int64)
    total = 0
    for c in range(n):
        demand[c] = int(np.floor(max(county_talent_pool_mcny[c], 0.0) / cost_mcny))
        total += demand[c]
    if total <= supply:
        return demand
    paid = np.zeros(n, dtype=np.int64)
    remainder = np.zeros(n, dtype=np.float64)
    given = 0
    for c in range(n):
        share = supply * demand[c] / total
        paid[c] = int(np.floor(share))
        remainder[c] = share - paid[c]
        given += paid[c]
    order = np.argsort(-remainder, kind="mergesort")  # stable: ties in county order
    for j in range(supply - given):
        paid[order[j]] += 1
    return paid


#: The parameters :func:`_talent_market_body` reads (``KernelParams`` fields of the same names).
TalentMarketParams = namedtuple(
    "TalentMarketParams",
    """
    talent_attrition_per_q expert_drain_to_hub_per_q expert_recruitment_cost_mcny
    senior_share_of_staff integration_matching_draws matching_draws cross_sector_acceptance
    enclave_m2_per_firm enclave_m2_per_worker hub_wage_premium
    """.split(),
)


def talent_market_params(p):
    """The :data:`TalentMarketParams` of ``KernelParams`` ``p`` (same values and types)."""
    return params_bundle(TalentMarketParams, p)


def talent_market(
    talent,
    firms,
    counties,
    county_sector_cdf,
    hub_sector_cdf,
    hub_share_expert,
    free_slots,
    arrivals_staff,
    arrivals_experts,
    arrivals_hub,
    arrivals_paid,
    p,
    seed,
    step,
    integration_on,
    talent_flows,
    money_flows,
):
    """Run one quarter of the talent market.

    Parameters
    ----------
    talent : Talent
        Written: ``alive``, ``tier``, ``sector``, ``employer_firm``, ``county``, ``hub``,
        ``recruited``.
    firms : Firms
        Reads ``alive``, ``county``, ``sector``, ``staff_budget_mcny``, ``rd_staff``,
        ``in_enclave``, ``hub_staff``; writes ``rd_staff`` (kept current while hiring). A
        firm's wage bill is the going wages of its staff (tier wage x its county's index,
        x ``hub_wage_premium`` in a hub); staff are laid off while it exceeds the budget
        (each with probability excess / bill) and hired while the budget left pays the
        seeker's going wage. An enclave firm employs at most ``enclave_m2_per_firm /
        enclave_m2_per_worker`` workers in the hub (its floor space, report §1.5);
        ``hub_staff`` is last quarter's count, an upper bound of the current one (hub workers
        only leave during the quarter).
    counties : Counties
        Reads ``enclave_hub`` and ``wage_index``; spends ``talent_pool_mcny`` on recruited
        experts.
    county_sector_cdf : (n_counties, n_sectors) float64
        Cumulative sector shares of each county (for new workers' expertise).
    hub_sector_cdf : (n_hubs, n_sectors) float64
        Cumulative sector shares of hub talent.
    hub_share_expert : (n_hubs,) float64
        Share of experts among hub talent.
    free_slots : (m,) int64
        Free rows of the talent table, ascending; at least the number of arrivals.
    arrivals_staff, arrivals_experts, arrivals_hub, arrivals_paid : int64 arrays
        From :func:`count_arrivals`.
    integration_on : bool
        Whether region-wide integration (shared talent databases, report §3.4) is active.
    talent_flows : (2,) int64
        Arrivals and departures are added.
    money_flows : (N_FLOWS,) float64
        Talent-package spending is added to the programme-cost sink.

    Returns
    -------
    int
        Number of free slots used.
    """
    return _talent_market_body(
        counties.enclave_hub,
        talent.alive,
        talent.employer_firm,
        firms.rd_staff,
        talent.county,
        talent.tier,
        talent.hub,
        talent.recruited,
        firms.staff_budget_mcny,
        counties.wage_index,
        table_wages(p),
        counties.talent_pool_mcny,
        talent.sector,
        firms.alive,
        firms.in_enclave,
        firms.hub_staff,
        firms.county,
        firms.sector,
        county_sector_cdf,
        hub_sector_cdf,
        hub_share_expert,
        free_slots,
        arrivals_staff,
        arrivals_experts,
        arrivals_hub,
        arrivals_paid,
        talent_market_params(p),
        seed,
        step,
        integration_on,
        talent_flows,
        money_flows,
    )


@njit(cache=True)
def _talent_market_body(
    county_enclave_hub,
    talent_alive,
    talent_employer_firm,
    firm_rd_staff,
    talent_county,
    talent_tier,
    talent_hub,
    talent_recruited,
    firm_staff_budget_mcny,
    county_wage_index,
    table_wage_mcny,
    county_talent_pool_mcny,
    talent_sector,
    firm_alive,
    firm_in_enclave,
    firm_hub_staff,
    firm_county,
    firm_sector,
    county_sector_cdf,
    hub_sector_cdf,
    hub_share_expert,
    free_slots,
    arrivals_staff,
    arrivals_experts,
    arrivals_hub,
    arrivals_paid,
    prm,
    seed,
    step,
    integration_on,
    talent_flows,
    money_flows,
):
    """Compiled body of :func:`talent_market`."""
    n_counties = len(county_enclave_hub)
    n_talent = len(talent_alive)
    # 0. each firm's wage bill at going wages, in talent row order
    n_firms = len(firm_alive)
    premium = prm.hub_wage_premium
    bill = np.zeros(n_firms)
    for i in range(n_talent):
        f = talent_employer_firm[i]
        if talent_alive[i] and f >= 0:
            bill[f] += going_wage(
                table_wage_mcny,
                county_wage_index[firm_county[f]],
                talent_tier[i],
                talent_hub[i] >= 0,
                premium,
            )
    # 1. departures, drain of experts to the hubs, layoffs
    # Staff only leave in this loop, so a firm can lay off only if its wage bill exceeded its
    # staff budget at the start; a bitset of those firms (small enough to stay in cache)
    # spares the random reads of the bill and budget for the other firms' workers.
    overstaffed = np.zeros((n_firms + 63) // 64, dtype=np.uint64)
    for f in range(n_firms):
        if bill[f] > firm_staff_budget_mcny[f]:
            overstaffed[f >> 6] |= np.uint64(1) << np.uint64(f & 63)
    for i in range(n_talent):
        if not talent_alive[i]:
            continue
        f = talent_employer_firm[i]
        c = talent_county[i]
        dies = uniform(seed, step, STREAM_TALENT_MARKET, i, 10) < prm.talent_attrition_per_q
        drains = (
            not dies
            and talent_tier[i] == 2
            and c >= 0
            and uniform(seed, step, STREAM_TALENT_MARKET, i, 11) < prm.expert_drain_to_hub_per_q
        )
        laid_off = False
        overstaffed_f = f >= 0 and (overstaffed[f >> 6] >> np.uint64(f & 63)) & np.uint64(1)
        if overstaffed_f and not (dies or drains):
            excess = bill[f] - firm_staff_budget_mcny[f]
            laid_off = excess > 0.0 and (
                uniform(seed, step, STREAM_TALENT_MARKET, i, 12) < excess / bill[f]
            )
        if f >= 0 and (dies or drains or laid_off):
            # a leaver's going wage leaves the bill (looked up for leavers only: the hot loop
            # visits every worker)
            firm_rd_staff[f] -= 1
            bill[f] -= going_wage(
                table_wage_mcny,
                county_wage_index[firm_county[f]],
                talent_tier[i],
                talent_hub[i] >= 0,
                premium,
            )
            talent_employer_firm[i] = -1
        if dies:
            talent_alive[i] = False
            talent_flows[TALENT_DEPARTURES] += 1
        elif drains:
            talent_hub[i] = county_enclave_hub[c]
            talent_county[i] = -1
    # 2. arrivals fill free slots in ascending order: county staff, county experts, hubs
    used = 0
    for c in range(n_counties):
        total = arrivals_staff[c] + arrivals_experts[c]
        paid = arrivals_paid[c]  # the last ``paid`` experts came with a talent package
        cost = paid * prm.expert_recruitment_cost_mcny
        county_talent_pool_mcny[c] -= cost
        money_flows[15] += cost  # SINK_PROGRAMME_COSTS: talent packages paid to recruits
        for k in range(total):
            i = free_slots[used]
            used += 1
            talent_alive[i] = True
            talent_employer_firm[i] = -1
            talent_county[i] = c
            talent_hub[i] = -1
            talent_recruited[i] = k >= total - paid
            if k < arrivals_staff[c]:
                senior = (
                    uniform(seed, step, STREAM_TALENT_MARKET, i, 20) < prm.senior_share_of_staff
                )
                talent_tier[i] = 1 if senior else 0
            else:
                talent_tier[i] = 2
            talent_sector[i] = _draw_sector(
                county_sector_cdf[c], uniform(seed, step, STREAM_TALENT_MARKET, i, 21)
            )
            talent_flows[TALENT_ARRIVALS] += 1
    for h in range(len(arrivals_hub)):
        for _ in range(arrivals_hub[h]):
            i = free_slots[used]
            used += 1
            talent_alive[i] = True
            talent_employer_firm[i] = -1
            talent_county[i] = -1
            talent_hub[i] = h
            talent_recruited[i] = False
            expert = uniform(seed, step, STREAM_TALENT_MARKET, i, 22) < hub_share_expert[h]
            senior = uniform(seed, step, STREAM_TALENT_MARKET, i, 23) < prm.senior_share_of_staff
            talent_tier[i] = 2 if expert else (1 if senior else 0)
            talent_sector[i] = _draw_sector(
                hub_sector_cdf[h], uniform(seed, step, STREAM_TALENT_MARKET, i, 24)
            )
            talent_flows[TALENT_ARRIVALS] += 1
    # 3. matching: employers with vacancies (a staff budget left that pays at least the
    # cheapest going wage of the county) grouped by county, enclave employers by hub
    vacant = np.zeros(n_firms, dtype=np.bool_)
    enclave_hub_of_firm = np.full(n_firms, -1, dtype=np.int16)  # int16 like firm_county
    hub_places_per_firm = int(prm.enclave_m2_per_firm // prm.enclave_m2_per_worker)
    cheapest = np.empty(n_counties)
    for c in range(n_counties):
        cheapest[c] = table_wage_mcny[0] * county_wage_index[c, 0]
        for tier in range(1, 3):
            cheapest[c] = min(cheapest[c], table_wage_mcny[tier] * county_wage_index[c, tier])
    for f in range(n_firms):
        if firm_alive[f] and firm_staff_budget_mcny[f] - bill[f] >= cheapest[firm_county[f]]:
            vacant[f] = True
            if firm_in_enclave[f] and firm_hub_staff[f] < hub_places_per_firm:
                enclave_hub_of_firm[f] = county_enclave_hub[firm_county[f]]
    by_county, county_off = group_index(firm_county, vacant, n_counties)
    n_hubs = len(arrivals_hub)
    by_hub, hub_off = group_index(enclave_hub_of_firm, vacant, n_hubs)
    draws = prm.integration_matching_draws if integration_on else prm.matching_draws
    # The vacant firms' budget left, sector and county are kept in compact arrays indexed by
    # position in ``by_county`` (a few % of the firms, so the random reads of the matching
    # stay in cache); a firm is full when its budget left is below the cheapest going wage
    # of its county. Hires are counted in ``v_hired`` and added to rd_staff at the end.
    # Pools are groups: county c is group c (positions ``group_off[c]:group_off[c + 1]`` of
    # ``by_county``), hub h is group n_counties + h, whose positions are listed in
    # ``hub_pos``.
    n_vacant = len(by_county)
    v_money = np.empty(n_vacant, dtype=np.float64)
    v_sector = np.empty(n_vacant, dtype=np.int64)
    v_hired = np.zeros(n_vacant, dtype=np.int64)
    v_county = np.empty(n_vacant, dtype=np.int64)
    v_hub = np.full(n_vacant, -1, dtype=np.int64)
    v_hub_free = np.zeros(n_vacant, dtype=np.int64)  # places left in the hub enclave
    pos_of_firm = np.empty(n_firms, dtype=np.int64)  # read only for vacant firms
    for q in range(n_vacant):
        f = by_county[q]
        v_money[q] = firm_staff_budget_mcny[f] - bill[f]
        v_sector[q] = firm_sector[f]
        v_county[q] = firm_county[f]
        pos_of_firm[f] = q
    n_groups = n_counties + n_hubs
    group_off = np.empty(n_groups + 1, dtype=np.int64)
    # element by element: an array-to-slice assignment would compile numba's shape-mismatch
    # error message (string formatting, about 3 s of a cold compile)
    for g in range(n_counties + 1):
        group_off[g] = county_off[g]
    for h in range(1, n_hubs + 1):
        group_off[n_counties + h] = n_vacant + hub_off[h]
    hub_pos = np.empty(len(by_hub), dtype=np.int64)
    for q in range(len(by_hub)):
        pos = pos_of_firm[by_hub[q]]
        hub_pos[q] = pos
        v_hub[pos] = enclave_hub_of_firm[by_hub[q]]
        v_hub_free[pos] = hub_places_per_firm - firm_hub_staff[by_hub[q]]
    # employers of each group that still have a vacancy: a seeker whose group has none left
    # would be refused by every employer it samples, so it is skipped (same result)
    open_in_group = np.empty(n_groups, dtype=np.int64)
    for g in range(n_groups):
        open_in_group[g] = group_off[g + 1] - group_off[g]
    # seekers in the order of a hash key, experts first (firms compete for scarce high-level
    # talent, report §2.3): independent of storage order and threads. Seekers with an empty
    # pool (hub talent without enclave vacancies) cannot be hired and are left out before the
    # sort, which keeps the order of the others.
    # a seeker travels through the sort packed in one int64: talent row (bits 0-39), sector
    # (bits 40-47), group (bits 48-63)
    seekers = np.empty(n_talent, dtype=np.int64)
    keys = np.empty(n_talent, dtype=np.float64)
    n_seekers = 0
    for i in range(n_talent):
        if not talent_alive[i] or talent_employer_firm[i] >= 0:
            continue
        c = talent_county[i]
        if c >= 0:
            g = np.int64(c)
        else:
            h = talent_hub[i]
            if h < 0 or h >= n_hubs:
                continue
            g = np.int64(n_counties) + np.int64(h)  # int64: the group is shifted by 48
        if open_in_group[g] == 0:
            continue
        keys[n_seekers] = (2 - talent_tier[i]) + uniform(seed, step, STREAM_TALENT_MARKET, i, 30)
        seekers[n_seekers] = i | (np.int64(talent_sector[i]) << 40) | (g << 48)
        n_seekers += 1
    keys = keys[:n_seekers]
    seekers = seekers[:n_seekers]
    acceptance = prm.cross_sector_acceptance
    if len(by_hub) > 0:
        # enclave firms sit in a county pool and a hub pool: everyone is served in one order,
        # as one pool
        grouped_keys, grouped = keys, seekers
        seeker_off = np.array([0, n_seekers], dtype=np.int64)
    else:
        # pools share no employer: each pool's seekers only compete among themselves, so
        # serving pool by pool, each in key order, gives the same hires (and pools can be
        # served in parallel)
        count = np.zeros(n_groups + 1, dtype=np.int64)
        for j in range(n_seekers):
            count[(seekers[j] >> 48) + 1] += 1
        seeker_off = np.cumsum(count)
        fill = seeker_off[:-1].copy()
        grouped_keys = np.empty(n_seekers, dtype=np.float64)
        grouped = np.empty(n_seekers, dtype=np.int64)
        for j in range(n_seekers):
            g = seekers[j] >> 48
            grouped_keys[fill[g]] = keys[j]
            grouped[fill[g]] = seekers[j]
            fill[g] += 1
    pools = Pools(
        grouped_keys, grouped, seeker_off, group_off, hub_pos, by_county, v_sector, v_county, v_hub
    )
    wages = SeekerWages(talent_tier, county_wage_index, table_wage_mcny, cheapest, premium)
    # what the matching writes goes as plain arrays: numba (0.68) loses writes made through a
    # namedtuple's arrays inside prange (see knowledge._produce_knowledge_loop)
    _serve_pools(
        pools,
        wages,
        v_money,
        v_hired,
        v_hub_free,
        open_in_group,
        talent_employer_firm,
        n_counties,
        n_vacant,
        np.int64(draws),
        acceptance,
        np.int64(seed),
        np.int64(step),
    )
    for q in range(n_vacant):
        firm_rd_staff[by_county[q]] += v_hired[q]
    return used


#: The read-only layout of the matching's pools (see :func:`talent_market`): seekers packed
#: ``row | sector << 40 | group << 48`` and their keys, grouped by pool (``seeker_off``); each
#: group's vacant employers (positions ``group_off``; a hub's through ``hub_pos``) and, per
#: position, the firm (``by_county``), its sector, county and enclave hub.
Pools = namedtuple(
    "Pools",
    "grouped_keys grouped seeker_off group_off hub_pos by_county v_sector v_county v_hub",
)

#: What a seeker's going wage reads: her tier, each county's wage index, the table wages, each
#: county's cheapest going wage (an employer whose budget left is below it is full) and the hub
#: premium.
SeekerWages = namedtuple(
    "SeekerWages", "talent_tier county_wage_index table_wage_mcny cheapest premium"
)


@njit(cache=True, parallel=True)
def _serve_pools(
    pools,
    wages,
    v_money,
    v_hired,
    v_hub_free,
    open_in_group,
    employer_firm,
    n_counties,
    n_vacant,
    draws,
    acceptance,
    seed,
    step,
):
    """Let each pool's seekers take jobs in key order, pools in parallel (they share no state).

    A pool's seekers (packed: row | sector << 40 | group << 48), in ascending key, each sample
    ``draws`` employers of their group; one whose budget left ``v_money`` does not pay the
    seeker's going wage refuses (for a hub seeker: also one whose hub places ``v_hub_free``
    are taken), one of another sector accepts with probability ``acceptance``. A firm whose
    budget left falls below its county's ``cheapest`` going wage is full. See
    :func:`talent_market` for the arrays.
    """
    row_mask = (np.int64(1) << 40) - 1
    seeker_off, group_off, hub_pos = pools.seeker_off, pools.group_off, pools.hub_pos
    v_county, v_hub, cheapest = pools.v_county, pools.v_hub, wages.cheapest
    for pool in prange(len(seeker_off) - 1):
        first, last = seeker_off[pool], seeker_off[pool + 1]
        if last > first:
            served = sort_by_key(pools.grouped_keys[first:last], pools.grouped[first:last])
            for j in range(len(served)):
                packed = served[j]
                g = packed >> 48
                if open_in_group[g] == 0:
                    continue  # every employer would refuse
                i = packed & row_mask
                sector = (packed >> 40) & 255
                lo, hi = group_off[g], group_off[g + 1]
                in_hub = g >= n_counties
                for d in range(draws):
                    u = uniform(seed, step, STREAM_TALENT_MARKET, i, 40 + 2 * d)
                    q = lo + int(u * (hi - lo))
                    if in_hub:
                        q = hub_pos[q - n_vacant]
                        if v_hub_free[q] == 0:
                            continue  # the firm's enclave floor is full
                    c = v_county[q]
                    wage = going_wage(
                        wages.table_wage_mcny,
                        wages.county_wage_index[c],
                        wages.talent_tier[i],
                        in_hub,
                        wages.premium,
                    )
                    if v_money[q] < wage:
                        continue  # the budget left does not pay this seeker
                    if pools.v_sector[q] != sector:
                        if uniform(seed, step, STREAM_TALENT_MARKET, i, 41 + 2 * d) >= acceptance:
                            continue
                    employer_firm[i] = pools.by_county[q]
                    v_money[q] -= wage
                    v_hired[q] += 1
                    full = v_money[q] < cheapest[c]
                    if in_hub:
                        v_hub_free[q] -= 1
                        if v_hub_free[q] == 0 and not full:
                            open_in_group[g] -= 1  # hub places gone, county places left
                    if full:
                        open_in_group[v_county[q]] -= 1
                        if v_hub[q] >= 0 and (v_hub_free[q] > 0 or in_hub):
                            open_in_group[n_counties + v_hub[q]] -= 1
                    break


@njit(cache=True)
def _draw_sector(cdf, u):
    for s in range(len(cdf)):
        if u < cdf[s]:
            return s
    return len(cdf) - 1


def release_talent_of_dead_firms(talent, firms):
    """Make workers of firms that closed this quarter job seekers again."""
    return _release_talent_of_dead_firms_body(talent.alive, talent.employer_firm, firms.alive)


@njit(cache=True, parallel=True)
def _release_talent_of_dead_firms_body(talent_alive, talent_employer_firm, firm_alive):
    """Compiled body of :func:`release_talent_of_dead_firms` (a per-row map, in parallel)."""
    for i in prange(len(talent_alive)):
        f = talent_employer_firm[i]
        if talent_alive[i] and f >= 0 and not firm_alive[f]:
            talent_employer_firm[i] = -1
