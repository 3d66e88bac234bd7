"""Phase 1 — the talent market (report §1.5, §2.3).

S&T workers (R&D staff, senior engineers, high-level experts) arrive, leave, drift to the big
cities, are laid off when a firm cuts its R&D, and look for jobs. A worker samples a few
employers with vacancies in their county (more when shared databases improve matching, report
§3.4); enclave firms also hire in their county's hub (report §1.5: "R&D in Shanghai,
production in Jiashan"). Job seekers are served in an order drawn from the counter-based
generator, so the outcome does not depend on agent storage order or threads.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from model.kernels.index import group_index
from model.kernels.rng import poisson, uniform
from model.ledger import TALENT_ARRIVALS, TALENT_DEPARTURES

PHASE_TALENT = 1


@njit(cache=True)
def tier_wage(tier, p):
    """Quarterly wage (m CNY) of a worker of ``tier``."""
    if tier == 2:
        return p.wage_expert_mcny_per_q
    if tier == 1:
        return p.wage_senior_mcny_per_q
    return p.wage_rd_staff_mcny_per_q


@njit(cache=True)
def tier_weight(tier, p):
    """Research output of a worker of ``tier`` in R&D-staff equivalents."""
    if tier == 2:
        return p.talent_weight_expert
    if tier == 1:
        return p.talent_weight_senior
    return 1.0


@njit(cache=True)
def aggregate_talent(talent, firms, p):
    """Recount each firm's S&T staff from the talent table.

    Writes ``firms.rd_staff``, ``firms.experts``, ``firms.talent_units`` (tier-weighted staff)
    and ``firms.talent_wage_mcny`` (quarterly wage bill, m CNY).
    """
    firms.rd_staff[:] = 0
    firms.experts[:] = 0
    firms.talent_units[:] = 0.0
    firms.talent_wage_mcny[:] = 0.0
    for i in range(len(talent.alive)):
        f = talent.employer_firm[i]
        if talent.alive[i] and f >= 0:
            tier = talent.tier[i]
            firms.rd_staff[f] += 1
            if tier == 2:
                firms.experts[f] += 1
            firms.talent_units[f] += tier_weight(tier, p)
            firms.talent_wage_mcny[f] += tier_wage(tier, p)


@njit(cache=True)
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
        New experts per county (base inflow plus those the subsidy pays for).
    hub : (n_hubs,) int64
        New workers in each hub.
    """
    n = len(counties.rd_staff_initial)
    staff = np.zeros(n, dtype=np.int64)
    experts = np.zeros(n, dtype=np.int64)
    for c in range(n):
        staff[c] = poisson(
            p.talent_inflow_per_q * counties.rd_staff_initial[c], seed, step, PHASE_TALENT, c, 0
        )
        paid = int(np.floor(counties.talent_pool_mcny[c] / p.expert_recruitment_cost_mcny))
        base = p.expert_inflow_per_q * p.firm_scale
        experts[c] = poisson(base, seed, step, PHASE_TALENT, c, 1) + paid
    hub = np.zeros(len(hub_initial), dtype=np.int64)
    for h in range(len(hub_initial)):
        hub[h] = poisson(
            p.talent_attrition_per_q * hub_initial[h], seed, step, PHASE_TALENT, 1_000_000 + h, 0
        )
    return staff, experts, hub


@njit(cache=True)
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
        Written: ``alive``, ``tier``, ``sector``, ``employer_firm``, ``county``, ``hub``.
    firms : Firms
        Reads ``alive``, ``county``, ``sector``, ``staff_demand``, ``rd_staff``,
        ``in_enclave``; writes ``rd_staff`` (kept current while hiring).
    counties : Counties
        Reads ``enclave_hub``; spends ``talent_pool_mcny`` on recruited experts.
    county_sector_cdf : (n_counties, n_sectors) float64
        Cumulative sector shares of each county (for new workers' expertise).
    hub_sector_cdf : (n_hubs, n_sectors) float64
        Cumulative sector shares of hub talent.
    hub_share_expert : (n_hubs,) float64
        Share of experts among hub talent.
    free_slots : (m,) int64
        Free rows of the talent table, ascending; at least the number of arrivals.
    arrivals_staff, arrivals_experts, arrivals_hub : int64 arrays
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
    n_counties = len(counties.enclave_hub)
    n_talent = len(talent.alive)
    # 1. departures, drain of experts to the hubs, layoffs
    for i in range(n_talent):
        if not talent.alive[i]:
            continue
        if uniform(seed, step, PHASE_TALENT, i, 10) < p.talent_attrition_per_q:
            f = talent.employer_firm[i]
            if f >= 0:
                firms.rd_staff[f] -= 1
            talent.alive[i] = False
            talent.employer_firm[i] = -1
            talent_flows[TALENT_DEPARTURES] += 1
            continue
        c = talent.county[i]
        if talent.tier[i] == 2 and c >= 0:
            if uniform(seed, step, PHASE_TALENT, i, 11) < p.expert_drain_to_hub_per_q:
                f = talent.employer_firm[i]
                if f >= 0:
                    firms.rd_staff[f] -= 1
                talent.employer_firm[i] = -1
                talent.hub[i] = counties.enclave_hub[c]
                talent.county[i] = -1
                continue
        f = talent.employer_firm[i]
        if f >= 0:
            excess = firms.rd_staff[f] - firms.staff_demand[f]
            if excess > 0:
                if uniform(seed, step, PHASE_TALENT, i, 12) < excess / max(firms.rd_staff[f], 1):
                    firms.rd_staff[f] -= 1
                    talent.employer_firm[i] = -1
    # 2. arrivals fill free slots in ascending order: county staff, county experts, hubs
    used = 0
    for c in range(n_counties):
        total = arrivals_staff[c] + arrivals_experts[c]
        paid = int(np.floor(counties.talent_pool_mcny[c] / p.expert_recruitment_cost_mcny))
        paid = min(paid, arrivals_experts[c])
        cost = paid * p.expert_recruitment_cost_mcny
        counties.talent_pool_mcny[c] -= cost
        money_flows[15] += cost  # SINK_PROGRAMME_COSTS: talent packages paid to recruits
        for k in range(total):
            i = free_slots[used]
            used += 1
            talent.alive[i] = True
            talent.employer_firm[i] = -1
            talent.county[i] = c
            talent.hub[i] = -1
            if k < arrivals_staff[c]:
                senior = uniform(seed, step, PHASE_TALENT, i, 20) < p.senior_share_of_staff
                talent.tier[i] = 1 if senior else 0
            else:
                talent.tier[i] = 2
            talent.sector[i] = _draw_sector(
                county_sector_cdf[c], uniform(seed, step, PHASE_TALENT, i, 21)
            )
            talent_flows[TALENT_ARRIVALS] += 1
    for h in range(len(arrivals_hub)):
        for _ in range(arrivals_hub[h]):
            i = free_slots[used]
            used += 1
            talent.alive[i] = True
            talent.employer_firm[i] = -1
            talent.county[i] = -1
            talent.hub[i] = h
            expert = uniform(seed, step, PHASE_TALENT, i, 22) < hub_share_expert[h]
            senior = uniform(seed, step, PHASE_TALENT, i, 23) < p.senior_share_of_staff
            talent.tier[i] = 2 if expert else (1 if senior else 0)
            talent.sector[i] = _draw_sector(
                hub_sector_cdf[h], uniform(seed, step, PHASE_TALENT, i, 24)
            )
            talent_flows[TALENT_ARRIVALS] += 1
    # 3. matching: employers with vacancies grouped by county, enclave employers by hub
    n_firms = len(firms.alive)
    vacant = np.zeros(n_firms, dtype=np.bool_)
    enclave_hub_of_firm = np.full(n_firms, -1, dtype=np.int64)
    for f in range(n_firms):
        if firms.alive[f] and firms.staff_demand[f] > firms.rd_staff[f]:
            vacant[f] = True
            if firms.in_enclave[f]:
                enclave_hub_of_firm[f] = counties.enclave_hub[firms.county[f]]
    by_county, county_off = group_index(firms.county, vacant, n_counties)
    n_hubs = len(arrivals_hub)
    by_hub, hub_off = group_index(enclave_hub_of_firm, vacant, n_hubs)
    draws = p.integration_matching_draws if integration_on else p.matching_draws
    # seekers in the order of a hash key, experts first (firms compete for scarce high-level
    # talent, report §2.3): independent of storage order and threads
    seekers = np.flatnonzero(talent.alive & (talent.employer_firm < 0))
    keys = np.empty(len(seekers), dtype=np.float64)
    for j in range(len(seekers)):
        keys[j] = (2 - talent.tier[seekers[j]]) + uniform(seed, step, PHASE_TALENT, seekers[j], 30)
    seekers = seekers[np.argsort(keys, kind="mergesort")]
    for j in range(len(seekers)):
        i = seekers[j]
        c = talent.county[i]
        if c >= 0:
            lo, hi = county_off[c], county_off[c + 1]
            pool = by_county
        else:
            h = talent.hub[i]
            if h < 0 or h >= n_hubs:
                continue
            lo, hi = hub_off[h], hub_off[h + 1]
            pool = by_hub
        if hi <= lo:
            continue
        for d in range(draws):
            u = uniform(seed, step, PHASE_TALENT, i, 40 + 2 * d)
            f = pool[lo + int(u * (hi - lo))]
            if firms.rd_staff[f] >= firms.staff_demand[f]:
                continue
            if firms.sector[f] != talent.sector[i]:
                if uniform(seed, step, PHASE_TALENT, i, 41 + 2 * d) >= p.cross_sector_acceptance:
                    continue
            talent.employer_firm[i] = f
            firms.rd_staff[f] += 1
            break
    return used


@njit(cache=True)
def _draw_sector(cdf, u):
    for s in range(len(cdf)):
        if u < cdf[s]:
            return s
    return len(cdf) - 1


@njit(cache=True)
def release_talent_of_dead_firms(talent, firms):
    """Make workers of firms that closed this quarter job seekers again."""
    for i in range(len(talent.alive)):
        f = talent.employer_firm[i]
        if talent.alive[i] and f >= 0 and not firms.alive[f]:
            talent.employer_firm[i] = -1
