"""Slow reference of phase 1, the talent market (docs/ODD.md §7.2), in plain Python loops.

Written from the docstrings of ``model/kernels/talent_market.py`` and ODD §7.2, one rule per
line, for ``tests/test_naive_talent.py`` to compare the kernels with. Random numbers come from
the same counter-based functions at the same coordinates (phase 1):

=============================  ==========================  ==============================
what                           agent                       draw
=============================  ==========================  ==============================
county staff arrivals          county c                    0 (Poisson)
county expert arrivals         county c                    1 (Poisson)
hub arrivals                   1 000 000 + hub h           0 (Poisson)
departure                      talent row i                10
expert drain to the hub        talent row i                11
layoff                         talent row i                12
new county worker is senior    talent row i                20
new worker's sector            talent row i                21 (county), 24 (hub)
new hub worker is an expert    talent row i                22
new hub worker is senior       talent row i                23
place in the queue             talent row i                30
d-th sampled employer          talent row i                40 + 2 d
accepts another sector         talent row i                41 + 2 d
=============================  ==========================  ==============================

Tables are ``dict[str, numpy.ndarray]`` (``Table.arrays``); references never write to their
inputs and return what the kernel should have written.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from model.kernels import rng

PHASE_TALENT = 1
TIER_RD_STAFF, TIER_SENIOR, TIER_EXPERT = 0, 1, 2
#: index of the programme-cost sink in the money flows (model/sim/ledger.py)
SINK_PROGRAMME_COSTS = 15
#: indices of the talent flows
TALENT_ARRIVALS, TALENT_DEPARTURES = 0, 1


def going_wage(p, wage_index, county: int, tier: int, in_hub: bool) -> float:
    """A worker's quarterly going wage: table wage of its tier x its employer's county index
    of the tier (x ``hub_wage_premium`` in a hub)."""
    table = (p.wage_rd_staff_mcny_per_q, p.wage_senior_mcny_per_q, p.wage_expert_mcny_per_q)
    wage = table[tier] * wage_index[county][tier]
    return wage * p.hub_wage_premium if in_hub else wage


def copies(table: Mapping[str, np.ndarray], names) -> dict[str, np.ndarray]:
    """Copies of the named columns (what a reference may write)."""
    return {name: np.array(table[name], copy=True) for name in names}


def aggregate_talent(talent, firm_county, wage_index, p) -> dict[str, np.ndarray]:
    """Each firm's S&T staff, experts, tier-weighted staff and quarterly wage bill (m CNY:
    the table wage of the tier times the wage index of the firm's county and the tier), and
    the parts counted apart: staff and experts working in a hub (paid the hub wage premium
    on top), county experts recruited with a talent package."""
    n_firms = len(firm_county)
    weight = {TIER_RD_STAFF: 1.0, TIER_SENIOR: p.talent_weight_senior}
    weight[TIER_EXPERT] = p.talent_weight_expert
    wage = {TIER_RD_STAFF: p.wage_rd_staff_mcny_per_q, TIER_SENIOR: p.wage_senior_mcny_per_q}
    wage[TIER_EXPERT] = p.wage_expert_mcny_per_q
    out = {
        "rd_staff": np.zeros(n_firms, dtype=np.int64),
        "experts": np.zeros(n_firms, dtype=np.int64),
        "talent_units": np.zeros(n_firms),
        "talent_wage_mcny": np.zeros(n_firms),
        "hub_staff": np.zeros(n_firms, dtype=np.int64),
        "hub_experts": np.zeros(n_firms, dtype=np.int64),
        "recruited_experts": np.zeros(n_firms, dtype=np.int64),
    }
    for i in range(len(talent["alive"])):
        f = talent["employer_firm"][i]
        if not talent["alive"][i] or f < 0:
            continue
        tier = int(talent["tier"][i])
        out["rd_staff"][f] += 1
        out["experts"][f] += tier == TIER_EXPERT
        in_hub = talent["hub"][i] >= 0
        out["talent_units"][f] += weight[tier]
        going = wage[tier] * wage_index[firm_county[f]][tier]
        out["talent_wage_mcny"][f] += going * (p.hub_wage_premium if in_hub else 1.0)
        out["hub_staff"][f] += in_hub
        out["hub_experts"][f] += in_hub and tier == TIER_EXPERT
        recruited = not in_hub and talent["recruited"][i]
        out["recruited_experts"][f] += recruited and tier == TIER_EXPERT
    return out


def count_arrivals(counties, hub_initial, p, seed: int, step: int):
    """New (staff, experts) per county, new workers per hub, and the experts recruited with
    talent packages from the region's finite supply (ODD §7.2, "Arrivals")."""
    n_counties = len(counties["rd_staff_initial"])
    staff = np.zeros(n_counties, dtype=np.int64)
    experts = np.zeros(n_counties, dtype=np.int64)
    demand = [
        math.floor(max(pool, 0.0) / p.expert_recruitment_cost_mcny)
        for pool in counties["talent_pool_mcny"]
    ]
    supply = math.floor(p.expert_recruit_supply_per_q * p.firm_scale + 0.5)
    if sum(demand) <= supply:
        paid = list(demand)
    else:  # the supply shared in proportion to demand, largest remainders first
        shares = [supply * d / sum(demand) for d in demand]
        paid = [math.floor(x) for x in shares]
        by_remainder = sorted(range(n_counties), key=lambda c: (-(shares[c] - paid[c]), c))
        for c in by_remainder[: supply - sum(paid)]:
            paid[c] += 1
    for c in range(n_counties):
        lam_staff = p.talent_inflow_per_q * counties["rd_staff_initial"][c]
        staff[c] = rng.poisson(lam_staff, seed, step, PHASE_TALENT, c, 0)
        base = rng.poisson(p.expert_inflow_per_q * p.firm_scale, seed, step, PHASE_TALENT, c, 1)
        experts[c] = base + paid[c]
    hub = np.zeros(len(hub_initial), dtype=np.int64)
    for h in range(len(hub_initial)):
        lam = p.talent_attrition_per_q * hub_initial[h]
        hub[h] = rng.poisson(lam, seed, step, PHASE_TALENT, 1_000_000 + h, 0)
    return staff, experts, hub, np.array(paid, dtype=np.int64)


def draw_sector(cdf, u: float) -> int:
    """The first sector whose cumulative share exceeds ``u`` (the last if none does)."""
    for s, cumulative in enumerate(cdf):
        if u < cumulative:
            return s
    return len(cdf) - 1


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
    seed: int,
    step: int,
    integration_on: bool,
):
    """One quarter of the talent market (ODD §7.2).

    Returns
    -------
    out : dict
        The written talent columns, ``rd_staff`` of the firms, ``talent_pool_mcny`` of the
        counties, and ``talent_flows`` (2,) / ``programme_costs`` (what was added).
    used : int
        Free slots used.
    """
    out = copies(talent, ("alive", "tier", "sector", "employer_firm", "county", "hub", "recruited"))
    rd_staff = np.array(firms["rd_staff"], dtype=np.int64)
    budget = firms["staff_budget_mcny"]
    wage_index = counties["wage_index"]

    def wage_of(i: int, f: int) -> float:
        tier, in_hub = int(out["tier"][i]), out["hub"][i] >= 0
        return going_wage(p, wage_index, firms["county"][f], tier, in_hub)

    # each firm's wage bill at going wages (talent rows in order)
    bill = np.zeros(len(firms["alive"]))
    for i in range(len(out["alive"])):
        if out["alive"][i] and out["employer_firm"][i] >= 0:
            bill[out["employer_firm"][i]] += wage_of(i, out["employer_firm"][i])
    pool = np.array(counties["talent_pool_mcny"], copy=True)
    flows = np.zeros(2, dtype=np.int64)
    programme_costs = 0.0

    def coin(i: int, draw: int) -> float:
        return rng.uniform(seed, step, PHASE_TALENT, i, draw)

    # 1. each live worker, in row order: departure, else drain to the hub, else layoff (while
    # the employer's wage bill exceeds its staff budget, with probability excess / bill)
    for i in range(len(out["alive"])):
        if not out["alive"][i]:
            continue
        f = out["employer_firm"][i]
        wage = wage_of(i, f) if f >= 0 else 0.0
        if coin(i, 10) < p.talent_attrition_per_q:
            if f >= 0:
                rd_staff[f] -= 1
                bill[f] -= wage
            out["alive"][i] = False
            out["employer_firm"][i] = -1
            flows[TALENT_DEPARTURES] += 1
            continue
        c = out["county"][i]
        if out["tier"][i] == TIER_EXPERT and c >= 0 and coin(i, 11) < p.expert_drain_to_hub_per_q:
            if f >= 0:
                rd_staff[f] -= 1
                bill[f] -= wage
            out["employer_firm"][i] = -1
            out["hub"][i] = counties["enclave_hub"][c]
            out["county"][i] = -1
            continue
        if f >= 0:
            excess = bill[f] - budget[f]
            if excess > 0 and coin(i, 12) < excess / bill[f]:
                rd_staff[f] -= 1
                bill[f] -= wage
                out["employer_firm"][i] = -1

    # 2. arrivals take the free rows in ascending order: per county its staff, then its
    # experts (the talent pool pays for the recruited ones), then each hub's newcomers
    slots = iter(free_slots)
    for c in range(len(arrivals_staff)):
        paid = arrivals_paid[c]  # the county's last ``paid`` experts came with a package
        pool[c] -= paid * p.expert_recruitment_cost_mcny
        programme_costs += paid * p.expert_recruitment_cost_mcny
        total = arrivals_staff[c] + arrivals_experts[c]
        for k in range(total):
            i = next(slots)
            if k < arrivals_staff[c]:
                tier = TIER_SENIOR if coin(i, 20) < p.senior_share_of_staff else TIER_RD_STAFF
            else:
                tier = TIER_EXPERT
            sector = draw_sector(county_sector_cdf[c], coin(i, 21))
            _arrive(out, i, tier, sector, county=c, hub=-1)
            out["recruited"][i] = k >= total - paid
            flows[TALENT_ARRIVALS] += 1
    for h in range(len(arrivals_hub)):
        for _ in range(arrivals_hub[h]):
            i = next(slots)
            expert = coin(i, 22) < hub_share_expert[h]
            senior = coin(i, 23) < p.senior_share_of_staff
            tier = TIER_EXPERT if expert else (TIER_SENIOR if senior else TIER_RD_STAFF)
            sector = draw_sector(hub_sector_cdf[h], coin(i, 24))
            _arrive(out, i, tier, sector, county=-1, hub=h)
            flows[TALENT_ARRIVALS] += 1
    used = int(flows[TALENT_ARRIVALS])

    # 3. matching. Pools of vacant employers (ascending firm id), fixed before anyone is
    # hired: the firms of each county whose staff budget left pays at least the county's
    # cheapest going wage, and each hub's such enclave firms that have hub places left (their
    # floor space holds enclave_m2_per_firm // enclave_m2_per_worker workers; last quarter's
    # hub_staff are in them).
    n_counties, n_hubs = len(arrivals_staff), len(arrivals_hub)
    places = int(p.enclave_m2_per_firm // p.enclave_m2_per_worker)
    cheapest = [
        min(going_wage(p, wage_index, c, k, False) for k in range(3)) for c in range(n_counties)
    ]
    money_left = budget - bill
    hub_places_left = {}
    county_pool: list[list[int]] = [[] for _ in range(n_counties)]
    hub_pool: list[list[int]] = [[] for _ in range(n_hubs)]
    for f in range(len(firms["alive"])):
        if firms["alive"][f] and money_left[f] >= cheapest[firms["county"][f]]:
            c = firms["county"][f]
            county_pool[c].append(f)
            hub = counties["enclave_hub"][c]
            left = places - int(firms["hub_staff"][f])
            if firms["in_enclave"][f] and 0 <= hub < n_hubs and left > 0:
                hub_pool[hub].append(f)
                hub_places_left[f] = left
    # seekers: live, unemployed, in a county or a hub; experts first, then seniors, then staff,
    # in random order within a tier
    seekers = []
    for i in range(len(out["alive"])):
        if not out["alive"][i] or out["employer_firm"][i] >= 0:
            continue
        if out["county"][i] >= 0:
            pool_of_seeker, from_hub = county_pool[out["county"][i]], False
        elif 0 <= out["hub"][i] < n_hubs:
            pool_of_seeker, from_hub = hub_pool[out["hub"][i]], True
        else:
            continue
        key = (2 - out["tier"][i]) + coin(i, 30)
        seekers.append((key, i, pool_of_seeker, from_hub))
    seekers.sort(key=lambda seeker: seeker[0])
    draws = p.integration_matching_draws if integration_on else p.matching_draws
    for _, i, employers, from_hub in seekers:
        if not employers:
            continue
        for d in range(draws):
            f = employers[int(coin(i, 40 + 2 * d) * len(employers))]
            if from_hub and hub_places_left[f] == 0:
                continue  # the enclave floor is full
            wage = going_wage(p, wage_index, firms["county"][f], int(out["tier"][i]), from_hub)
            if money_left[f] < wage:
                continue  # the budget left does not pay this seeker
            other_sector = firms["sector"][f] != out["sector"][i]
            if other_sector and coin(i, 41 + 2 * d) >= p.cross_sector_acceptance:
                continue
            out["employer_firm"][i] = f
            rd_staff[f] += 1
            money_left[f] -= wage
            if from_hub:
                hub_places_left[f] -= 1
            break
    out["rd_staff"] = rd_staff
    out["talent_pool_mcny"] = pool
    out["talent_flows"] = flows
    out["programme_costs"] = programme_costs
    return out, used


def _arrive(out, i: int, tier: int, sector: int, county: int, hub: int) -> None:
    """Row ``i`` becomes a live, unemployed worker of the given tier, sector and place."""
    out["alive"][i] = True
    out["employer_firm"][i] = -1
    out["tier"][i] = tier
    out["sector"][i] = sector
    out["county"][i] = county
    out["hub"][i] = hub


def release_talent_of_dead_firms(talent, firm_alive) -> np.ndarray:
    """``employer_firm`` after workers of closed firms became job seekers."""
    employer = np.array(talent["employer_firm"], copy=True)
    for i in range(len(employer)):
        if talent["alive"][i] and employer[i] >= 0 and not firm_alive[employer[i]]:
            employer[i] = -1
    return employer


def update_wages(wage_index, talent, firms, p) -> np.ndarray:
    """The county wage index of each tier after one quarter's partial adjustment toward the
    wage curve ``(vacancies / unemployed of the tier / reference) ** elasticity`` (vacancies:
    whole persons each firm's staff budget left after its going wage bill pays at the
    county's mean going staff wage), the ratio
    bounded to ``[1 / bound, bound]`` (``bound`` when a county has vacancies and no one of
    the tier looking, 1 when it has neither)."""
    out = np.array(wage_index, dtype=float, copy=True)
    n_counties = out.shape[0]
    bill = [0.0] * len(firms["alive"])
    seekers = [[0.0, 0.0, 0.0] for _ in range(n_counties)]
    for i in range(len(talent["alive"])):
        f, c = talent["employer_firm"][i], talent["county"][i]
        if not talent["alive"][i]:
            continue
        if f >= 0:
            in_hub = talent["hub"][i] >= 0
            bill[f] += going_wage(p, wage_index, firms["county"][f], talent["tier"][i], in_hub)
        elif c >= 0:
            seekers[c][talent["tier"][i]] += 1
    # open vacancies: whole persons the staff budget left pays at the going staff wage
    vacancies = [0.0] * n_counties
    for f in range(len(firms["alive"])):
        c = firms["county"][f]
        left = firms["staff_budget_mcny"][f] - bill[f]
        if firms["alive"][f] and left > 0:
            senior, index = p.senior_share_of_staff, wage_index[c]
            staff_wage = (1 - senior) * p.wage_rd_staff_mcny_per_q * index[0]
            staff_wage += senior * p.wage_senior_mcny_per_q * index[1]
            vacancies[c] += math.floor(left / staff_wage)
    bound = p.wage_tightness_bound
    for c in range(n_counties):
        for tier in range(3):
            if seekers[c][tier] > 0:
                ratio = vacancies[c] / seekers[c][tier] / p.wage_reference_tightness
            else:
                ratio = bound if vacancies[c] > 0 else 1.0
            ratio = min(max(ratio, 1 / bound), bound)
            target = ratio**p.wage_tightness_elasticity
            out[c, tier] += p.wage_adjustment_per_q * (target - out[c, tier])
    return out
