"""Phase 7 — innovation platforms (report §1.1, §1.3, §2.1, §2.2, §3.2, §3.3).

A platform spends its cash each quarter: first its fixed overhead (buildings, management —
the waste of many small scattered platforms, report §2.1), then the rest builds quality and
shareable equipment. Quality depreciates, so output lags investment (report §2.2). Firms pick
a platform among a few candidates by the service they would get (quality and equipment per
tenant, sector match, distance, crowding; ``knowledge.service_level``); platforms built
around one firm serve others poorly (report §2.2).

Policy rules: :func:`consolidate_platforms` merges nearby platforms of one kind in a county
into the largest (report §2.1, §3.3) at a cost and with a transition;
:func:`specialise_platforms` gives platforms distinct sector foci by a cross-county plan
and makes the best platform of each emerging sector its innovation centre (report §3.2,
Shenzhen's one centre per sector).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from model.kernels.index import group_index
from model.kernels.knowledge import service_level, service_map
from model.kernels.rng import uniform
from model.kernels.sort import sort_by_key
from model.kernels.streams import STREAM_PLATFORMS
from model.sim.ledger import SINK_PLATFORM_RUNNING
from model.sim.sectors import TRADITIONAL
from model.sim.state import PLATFORM_INCUBATOR


def run_platforms(platforms, p, step, flows):
    """Spend platform cash on overhead and quality; depreciate quality.

    Writes ``quality``, ``equipment_mcny``, ``cash_mcny``, ``budget_mcny`` (what was spent).
    """
    return _run_platforms_body(
        platforms.alive,
        platforms.cash_mcny,
        platforms.budget_mcny,
        platforms.quality,
        platforms.transition_until_step,
        platforms.equipment_mcny,
        p.platform_overhead_mcny_per_q,
        p.platform_quality_depreciation_per_q,
        p.platform_quality_per_mcny,
        p.platform_equipment_share_of_investment,
        step,
        flows,
    )


@njit(cache=True)
def _run_platforms_body(
    platform_alive,
    platform_cash_mcny,
    platform_budget_mcny,
    platform_quality,
    platform_transition_until_step,
    platform_equipment_mcny,
    prm_platform_overhead_mcny_per_q,
    prm_platform_quality_depreciation_per_q,
    prm_platform_quality_per_mcny,
    prm_platform_equipment_share_of_investment,
    step,
    flows,
):
    """Compiled body of :func:`run_platforms`."""
    for k in range(len(platform_alive)):
        if not platform_alive[k]:
            continue
        spend = max(platform_cash_mcny[k], 0.0)
        overhead = min(spend, prm_platform_overhead_mcny_per_q)
        invest = spend - overhead
        platform_cash_mcny[k] -= spend
        flows[SINK_PLATFORM_RUNNING] += spend
        platform_budget_mcny[k] = spend
        q = (1.0 - prm_platform_quality_depreciation_per_q) * platform_quality[k]
        if platform_transition_until_step[k] <= step:
            # investment beyond overheads is split between services (quality) and equipment
            q += (
                prm_platform_quality_per_mcny
                * invest
                * (1.0 - prm_platform_equipment_share_of_investment)
            )
            platform_equipment_mcny[k] = (
                0.98 * platform_equipment_mcny[k]
                + prm_platform_equipment_share_of_investment * invest
            )
        platform_quality[k] = q


def count_tenants(firms, platforms):
    """Recount ``platforms.tenants`` from ``firms.platform``; drop links to dead platforms.

    Also frees single-firm platforms whose anchor firm has closed (called after exits and
    before entries, so the anchor's row is not yet reused).
    """
    return _count_tenants_body(
        platforms.alive,
        platforms.anchor_firm,
        firms.alive,
        platforms.tenants,
        firms.platform,
    )


@njit(cache=True)
def _count_tenants_body(
    platform_alive,
    platform_anchor_firm,
    firm_alive,
    platform_tenants,
    firm_platform,
):
    """Compiled body of :func:`count_tenants`."""
    for k in range(len(platform_alive)):
        a = platform_anchor_firm[k]
        if a >= 0 and not firm_alive[a]:
            platform_anchor_firm[k] = -1
    platform_tenants[:] = 0
    for f in range(len(firm_alive)):
        k = firm_platform[f]
        if not firm_alive[f] or k < 0:
            continue
        if not platform_alive[k]:
            firm_platform[f] = -1
            continue
        platform_tenants[k] += 1


def choose_platforms(
    firms, platforms, n_counties, cell_x_km, cell_y_km, regionwide, p, seed, step, force_all
):
    """Let firms without a platform (and some with one) pick the best of a few candidates.

    Firms are served in a hash-key order; a platform at capacity takes no one more.
    ``regionwide`` lets firms choose platforms of any county (report §3.4); ``force_all``
    makes every firm reconsider (used when a policy reshapes the platforms).

    A Python function: it takes the namedtuples and hands their columns to the compiled
    :func:`_choose_platforms`. Compiling an entry point that takes the ``Firms`` and
    ``KernelParams`` tuples cost about 3 s and unboxing them about 50 µs per call.
    """
    if len(platforms.alive) == 0:
        return
    _choose_platforms(
        firms.alive,
        firms.incubated,
        firms.platform,
        firms.county,
        firms.cell,
        firms.sector,
        service_map(platforms, cell_x_km, cell_y_km, p),
        platforms.kind,
        platforms.county,
        n_counties,
        regionwide,
        np.int64(p.platform_candidates),
        p.platform_switch_per_q,
        np.int64(seed),
        np.int64(step),
        force_all,
    )


@njit(cache=True)
def _choose_platforms(
    alive,
    incubated,
    platform,
    county,
    cell,
    sector,
    sm,
    p_kind,
    p_county,
    n_counties,
    regionwide,
    n_candidates,
    switch_per_q,
    seed,
    step,
    force_all,
):
    """:func:`choose_platforms` on plain arrays (firm columns, then ``p_*`` platform columns).

    Firms that cannot act are dropped before the sort: anchor firms, firms with a platform
    that do not draw a switch (both depend only on the firm's own state, which no other
    firm's choice changes), and firms whose candidate pool has no free place that any mover
    could free. Firms whose pool has no free place left are skipped in the loop (every
    candidate would be refused). None of this changes any result.
    """
    p_alive = sm.p_alive
    p_anchor_firm = sm.p_anchor_firm
    p_tenants = sm.p_tenants
    p_capacity = sm.p_capacity
    # incubator places are for start-ups (phase 6); single-firm platforms stay choosable but
    # serve other firms poorly (anchor_platform_radiation, report §2.2)
    open_ = p_alive & (p_kind != PLATFORM_INCUBATOR)
    by_county, off = group_index(p_county, open_, n_counties)
    all_open = np.flatnonzero(open_)
    # open platforms with a free place, per county and region-wide
    free_in_county = np.zeros(n_counties, dtype=np.int64)
    free_all = 0
    for k in all_open:
        if p_tenants[k] < p_capacity[k]:
            free_all += 1
            c = p_county[k]
            if 0 <= c < n_counties:
                free_in_county[c] += 1
    n_firms = len(alive)
    movers = np.empty(n_firms, dtype=np.int64)
    n_movers = 0
    for f in range(n_firms):
        if not alive[f] or incubated[f]:
            continue
        current = platform[f]
        if current >= 0 and p_anchor_firm[current] == f:
            continue  # an anchor firm stays with its own platform
        if current >= 0 and not force_all:
            if uniform(seed, step, STREAM_PLATFORMS, f, 1) >= switch_per_q:
                continue
        movers[n_movers] = f
        n_movers += 1
    # A place on a full platform frees up only when one of its tenants among the movers
    # leaves it. Where no open platform has a free place and no mover holds a place, none
    # will during the loop, so every mover there would be refused: drop them before the sort.
    holds_place = np.zeros(n_counties, dtype=np.bool_)
    holds_any = False
    for j in range(n_movers):
        current = platform[movers[j]]
        if current >= 0:
            holds_any = True
            c = p_county[current]
            if 0 <= c < n_counties:
                holds_place[c] = True
    kept = 0
    for j in range(n_movers):
        f = movers[j]
        if regionwide:
            if free_all == 0 and not holds_any:
                continue
        else:
            c = county[f]
            if free_in_county[c] == 0 and not holds_place[c]:
                continue
        movers[kept] = f
        kept += 1
    n_movers = kept
    movers = movers[:n_movers]
    keys = np.empty(n_movers, dtype=np.float64)
    for j in range(n_movers):
        keys[j] = uniform(seed, step, STREAM_PLATFORMS, movers[j], 0)
    movers = sort_by_key(keys, movers)
    for j in range(n_movers):
        f = movers[j]
        c = county[f]
        if regionwide:
            if free_all == 0:
                continue
        elif free_in_county[c] == 0:
            continue
        current = platform[f]
        best = current
        best_value = 0.0
        if current >= 0:
            best_value = service_level(f, cell[f], sector[f], current, sm)
        for d in range(n_candidates):
            u = uniform(seed, step, STREAM_PLATFORMS, f, 2 + d)
            if regionwide:
                if len(all_open) == 0:
                    break
                k = all_open[int(u * len(all_open))]
            else:
                n_c = off[c + 1] - off[c]
                if n_c == 0:
                    break
                k = by_county[off[c] + int(u * n_c)]
            if k == current or p_tenants[k] >= p_capacity[k]:
                continue
            value = service_level(f, cell[f], sector[f], k, sm)
            if value > best_value * 1.05 + 1e-6:
                best = k
                best_value = value
        if best != current:
            if current >= 0:
                free_all += _add_tenants(
                    current, -1, open_, p_county, p_tenants, p_capacity, free_in_county
                )
            platform[f] = best
            if best >= 0:
                free_all += _add_tenants(
                    best, 1, open_, p_county, p_tenants, p_capacity, free_in_county
                )


@njit(cache=True, inline="always")
def _add_tenants(k, delta, open_, p_county, p_tenants, p_capacity, free_in_county):
    """Add ``delta`` tenants to platform ``k``, keeping the free-place counters current.

    Returns the change in the region-wide count of open platforms with a free place.
    """
    was_free = p_tenants[k] < p_capacity[k]
    p_tenants[k] += delta
    change = np.int64(p_tenants[k] < p_capacity[k]) - np.int64(was_free)
    if change == 0 or not open_[k]:
        return np.int64(0)
    c = p_county[k]
    if 0 <= c < len(free_in_county):
        free_in_county[c] += change
    return change


def consolidate_platforms(
    firms,
    platforms,
    counties,
    n_counties,
    cell_x_km,
    cell_y_km,
    p,
    step,
):
    """Merge platforms within ``consolidation_radius_km`` of a larger one of their county and kind.

    Only platforms of one kind merge (incubators with incubators, R&D institutes with R&D
    institutes...): an incubator's tenants stay on an incubator. Larger platforms (by
    capacity, then quality, then id) absorb smaller ones: capacity, cash,
    equipment and tenants pool, the absorber keeps its quality plus half of each absorbed
    platform's (reorganisation loses some), single-firm platforms become open to the sector.
    The absorber builds no quality for ``merger_transition_q`` quarters; each merger costs the
    county ``merger_cost_mcny``, added to what it owes (``st_payable_mcny``, paid in phase 8).

    Returns
    -------
    int
        Number of platforms merged away.
    """
    return _consolidate_platforms_body(
        platforms.alive,
        platforms.kind,
        platforms.county,
        platforms.capacity,
        platforms.quality,
        platforms.cell,
        platforms.cash_mcny,
        platforms.equipment_mcny,
        platforms.level,
        platforms.anchor_firm,
        platforms.transition_until_step,
        counties.st_payable_mcny,
        firms.alive,
        firms.platform,
        p.consolidation_radius_km,
        p.merger_transition_q,
        p.merger_cost_mcny,
        n_counties,
        cell_x_km,
        cell_y_km,
        step,
    )


@njit(cache=True)
def _consolidate_platforms_body(
    platform_alive,
    platform_kind,
    platform_county,
    platform_capacity,
    platform_quality,
    platform_cell,
    platform_cash_mcny,
    platform_equipment_mcny,
    platform_level,
    platform_anchor_firm,
    platform_transition_until_step,
    county_st_payable_mcny,
    firm_alive,
    firm_platform,
    prm_consolidation_radius_km,
    prm_merger_transition_q,
    prm_merger_cost_mcny,
    n_counties,
    cell_x_km,
    cell_y_km,
    step,
):
    """Compiled body of :func:`consolidate_platforms`."""
    n = len(platform_alive)
    merged_into = np.full(n, -1, dtype=np.int64)
    by_county, off = group_index(platform_county, platform_alive, n_counties)
    merged = 0
    for c in range(n_counties):
        members = by_county[off[c] : off[c + 1]]
        if len(members) < 2:
            continue
        rank = np.empty(len(members), dtype=np.float64)
        for j in range(len(members)):
            k = members[j]
            rank[j] = -(platform_capacity[k] * 1e6 + platform_quality[k] * 1e-3) + k * 1e-9
        members = members[np.argsort(rank, kind="mergesort")]
        for a in range(len(members)):
            big = members[a]
            if merged_into[big] >= 0:
                continue
            for b in range(a + 1, len(members)):
                small = members[b]
                if merged_into[small] >= 0 or platform_kind[small] != platform_kind[big]:
                    continue
                dx = cell_x_km[platform_cell[big]] - cell_x_km[platform_cell[small]]
                dy = cell_y_km[platform_cell[big]] - cell_y_km[platform_cell[small]]
                if np.sqrt(dx * dx + dy * dy) > prm_consolidation_radius_km:
                    continue
                merged_into[small] = big
                platform_capacity[big] += platform_capacity[small]
                platform_cash_mcny[big] += platform_cash_mcny[small]
                platform_equipment_mcny[big] += platform_equipment_mcny[small]
                platform_quality[big] += 0.5 * platform_quality[small]
                platform_level[big] = max(platform_level[big], platform_level[small])
                platform_anchor_firm[big] = -1
                platform_transition_until_step[big] = step + prm_merger_transition_q
                platform_alive[small] = False
                platform_cash_mcny[small] = 0.0
                # owed, and paid from the county's S&T account as a contracted programme
                # cost (phase 8) as far as its floor allows
                county_st_payable_mcny[c] += prm_merger_cost_mcny
                merged += 1
    for f in range(len(firm_alive)):
        k = firm_platform[f]
        if firm_alive[f] and k >= 0 and merged_into[k] >= 0:
            firm_platform[f] = merged_into[k]
    return merged


def specialise_platforms(firms, platforms, n_counties, n_sectors):
    """Give each platform a distinct sector focus by a cross-county plan (report §3.2).

    In each county, platforms (best quality first) take the sectors present in the county in
    order of their firm counts — traditional manufacturing included, as specialised S&T parks
    inside industrial parks (report §3.2) — so no two share a focus until every present sector
    has one; single-firm platforms become open. Region-wide, the best platform of each
    emerging sector becomes its innovation centre (level 2; Shenzhen's one centre per sector),
    which is where the province's platform money then goes.
    """
    return _specialise_platforms_body(
        firms.alive,
        firms.county,
        firms.sector,
        platforms.county,
        platforms.alive,
        platforms.quality,
        platforms.sector_focus,
        platforms.anchor_firm,
        platforms.level,
        n_counties,
        n_sectors,
    )


@njit(cache=True)
def _specialise_platforms_body(
    firm_alive,
    firm_county,
    firm_sector,
    platform_county,
    platform_alive,
    platform_quality,
    platform_sector_focus,
    platform_anchor_firm,
    platform_level,
    n_counties,
    n_sectors,
):
    """Compiled body of :func:`specialise_platforms`."""
    counts = np.zeros((n_counties, n_sectors), dtype=np.int64)
    for f in range(len(firm_alive)):
        if firm_alive[f]:
            counts[firm_county[f], firm_sector[f]] += 1
    by_county, off = group_index(platform_county, platform_alive, n_counties)
    for c in range(n_counties):
        members = by_county[off[c] : off[c + 1]]
        n_present = 0
        for s in range(n_sectors):
            if counts[c, s] > 0:
                n_present += 1
        if len(members) == 0 or n_present == 0:
            continue
        rank = np.empty(len(members), dtype=np.float64)
        for j in range(len(members)):
            rank[j] = -platform_quality[members[j]] + members[j] * 1e-9
        members = members[np.argsort(rank, kind="mergesort")]
        sector_rank = np.empty(n_sectors, dtype=np.float64)
        for s in range(n_sectors):
            sector_rank[s] = -counts[c, s] + s * 1e-6
        sectors = np.argsort(sector_rank, kind="mergesort")[:n_present]
        for j in range(len(members)):
            k = members[j]
            platform_sector_focus[k] = sectors[j % n_present]
            platform_anchor_firm[k] = -1
    for pl in range(len(platform_level)):  # not a slice assignment: see talent_market
        platform_level[pl] = min(platform_level[pl], 1)
    for s in range(n_sectors):
        if s == TRADITIONAL:
            continue
        best = -1
        best_q = -1.0
        for k in range(len(platform_alive)):
            if platform_alive[k] and platform_sector_focus[k] == s and platform_quality[k] > best_q:
                best = k
                best_q = platform_quality[k]
        if best >= 0:
            platform_level[best] = 2
