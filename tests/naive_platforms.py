"""Slow reference of phase 7, innovation platforms (docs/ODD.md §7.8, §7.12), in plain loops.

Written from the docstrings of ``model/kernels/platforms.py`` and the ODD for
``tests/test_naive_platforms.py``. Platform choice draws from the counter-based generator at
phase 8: firm ``f``'s place in the queue is draw 0, whether a firm with a platform reconsiders
is draw 1, its ``d``-th candidate is draw ``2 + d``.

Tables are ``dict[str, numpy.ndarray]`` (``Table.arrays``); references never write to their
inputs and return what the kernel should have written.
"""

from __future__ import annotations

import math

import numpy as np
from naive_entry_exit import service_at
from naive_talent import copies

from model.kernels import rng
from model.sim.ledger import N_FLOWS, SINK_PLATFORM_RUNNING
from model.sim.sectors import TRADITIONAL
from model.sim.state import PLATFORM_INCUBATOR

PHASE_PLATFORMS = 8
EQUIPMENT_KEPT_PER_Q = 0.98
#: a move must beat the current service by more than 5 % (ODD §7.8)
SWITCH_MARGIN = 1.05
LEVEL_PROVINCIAL, LEVEL_CENTRE = 1, 2


def run_platforms(platforms, p, step: int):
    """Each live platform spends all its (non-negative) cash: overhead first, the rest builds
    quality and equipment unless it is in merger transition; quality depreciates.

    Returns ``(platform columns, flows)``.
    """
    out = copies(platforms, ("quality", "equipment_mcny", "cash_mcny", "budget_mcny"))
    flows = np.zeros(N_FLOWS)
    for k in range(len(platforms["alive"])):
        if not platforms["alive"][k]:
            continue
        spend = max(platforms["cash_mcny"][k], 0.0)
        overhead = min(spend, p.platform_overhead_mcny_per_q)
        invest = spend - overhead
        out["cash_mcny"][k] -= spend
        out["budget_mcny"][k] = spend
        flows[SINK_PLATFORM_RUNNING] += spend
        quality = (1 - p.platform_quality_depreciation_per_q) * platforms["quality"][k]
        in_transition = step < platforms["transition_until_step"][k]
        if not in_transition:
            # what equipment does not take builds quality
            to_equipment = p.platform_equipment_share_of_investment * invest
            quality += p.platform_quality_per_mcny * (invest - to_equipment)
            out["equipment_mcny"][k] = (
                EQUIPMENT_KEPT_PER_Q * platforms["equipment_mcny"][k] + to_equipment
            )
        out["quality"][k] = quality
    return out, flows


def count_tenants(firms, platforms):
    """Anchors of closed firms dropped, links to closed platforms dropped, tenants recounted.

    Returns ``(anchor_firm, tenants, firm platform)``.
    """
    anchor = np.array(platforms["anchor_firm"], copy=True)
    for k in range(len(anchor)):
        if anchor[k] >= 0 and not firms["alive"][anchor[k]]:
            anchor[k] = -1
    tenants = np.zeros_like(platforms["tenants"])
    platform = np.array(firms["platform"], copy=True)
    for f in range(len(platform)):
        k = platform[f]
        if not firms["alive"][f] or k < 0:
            continue
        if platforms["alive"][k]:
            tenants[k] += 1
        else:
            platform[f] = -1
    return anchor, tenants, platform


def choose_platforms(
    firms, platforms, n_counties, cell_x_km, cell_y_km, regionwide, p, seed, step, force_all
):
    """Platform choice (ODD §7.8): firms in hash order sample a few open platforms of their
    county (of the region if ``regionwide``), skip full ones and their own, and move to the
    best candidate if it serves them more than 5 % better than their current platform.

    Returns ``(firm platform, tenants)``.
    """
    plat = {name: np.array(values, copy=True) for name, values in platforms.items()}
    platform = np.array(firms["platform"], copy=True)
    n_platforms = len(plat["alive"])
    # incubator places are for start-ups
    open_ = [
        k for k in range(n_platforms) if plat["alive"][k] and plat["kind"][k] != PLATFORM_INCUBATOR
    ]
    open_in_county = [[k for k in open_ if plat["county"][k] == c] for c in range(n_counties)]

    def draw(f: int, d: int) -> float:
        return rng.uniform(seed, step, PHASE_PLATFORMS, f, d)

    movers = []
    for f in range(len(firms["alive"])):
        if not firms["alive"][f] or firms["incubated"][f]:
            continue
        k = platform[f]
        if k >= 0 and plat["anchor_firm"][k] == f:
            continue  # an anchor firm stays with its own platform
        if k >= 0 and not force_all and draw(f, 1) >= p.platform_switch_per_q:
            continue
        movers.append(f)
    movers.sort(key=lambda f: draw(f, 0))
    for f in movers:
        cell, sector, current = firms["cell"][f], firms["sector"][f], platform[f]
        pool = open_ if regionwide else open_in_county[firms["county"][f]]
        if not pool:
            continue
        best, best_value = -1, -1.0
        for d in range(p.platform_candidates):
            k = pool[int(draw(f, 2 + d) * len(pool))]
            if k == current or plat["tenants"][k] >= plat["capacity"][k]:
                continue
            value = service_at(f, cell, sector, k, plat, cell_x_km, cell_y_km, p)
            if value > best_value:
                best, best_value = k, value
        here = service_at(f, cell, sector, current, plat, cell_x_km, cell_y_km, p)
        if best < 0 or best_value <= SWITCH_MARGIN * here:
            continue
        if current >= 0:
            plat["tenants"][current] -= 1
        platform[f] = best
        plat["tenants"][best] += 1
    return platform, plat["tenants"]


def consolidate_platforms(firms, platforms, counties, n_counties, cell_x_km, cell_y_km, p, step):
    """Mergers (ODD §7.12): in each county, larger platforms (capacity, then quality, then
    lower id) absorb the not yet merged smaller ones of the same kind within the
    consolidation radius.

    Returns ``(platform columns, county columns (what each owes), firm platform, merged)``.
    """
    names = ("alive", "capacity", "quality", "cash_mcny", "equipment_mcny", "level")
    out = copies(platforms, (*names, "anchor_firm", "transition_until_step"))
    cty = copies(counties, ("st_payable_mcny",))
    absorbed_by: dict[int, int] = {}
    for c in range(n_counties):
        members = [
            k
            for k in range(len(platforms["alive"]))
            if platforms["alive"][k] and platforms["county"][k] == c
        ]
        members.sort(key=lambda k: (-platforms["capacity"][k], -platforms["quality"][k], k))
        for a, big in enumerate(members):
            if big in absorbed_by:
                continue
            for small in members[a + 1 :]:
                if small in absorbed_by:
                    continue
                if platforms["kind"][small] != platforms["kind"][big]:
                    continue  # incubators merge only with incubators, and so on
                big_cell, small_cell = platforms["cell"][big], platforms["cell"][small]
                distance = math.hypot(
                    cell_x_km[big_cell] - cell_x_km[small_cell],
                    cell_y_km[big_cell] - cell_y_km[small_cell],
                )
                if distance > p.consolidation_radius_km:
                    continue
                absorbed_by[small] = big
                for name in ("capacity", "cash_mcny", "equipment_mcny"):
                    out[name][big] += out[name][small]
                out["quality"][big] += 0.5 * out["quality"][small]  # reorganisation loses half
                out["level"][big] = max(out["level"][big], out["level"][small])
                out["anchor_firm"][big] = -1
                out["transition_until_step"][big] = step + p.merger_transition_q
                out["alive"][small] = False
                out["cash_mcny"][small] = 0.0
                cty["st_payable_mcny"][c] += p.merger_cost_mcny  # owed; paid in phase 8
    platform = np.array(firms["platform"], copy=True)
    for f in range(len(platform)):
        if firms["alive"][f] and platform[f] in absorbed_by:
            platform[f] = absorbed_by[platform[f]]
    return out, cty, platform, len(absorbed_by)


def specialise_platforms(firms, platforms, n_counties: int, n_sectors: int):
    """Sector foci by a cross-county plan and one innovation centre per emerging sector.

    Returns the ``sector_focus``, ``anchor_firm`` and ``level`` columns.
    """
    out = copies(platforms, ("sector_focus", "anchor_firm", "level"))
    for c in range(n_counties):
        firm_count = [0] * n_sectors
        for f in range(len(firms["alive"])):
            if firms["alive"][f] and firms["county"][f] == c:
                firm_count[firms["sector"][f]] += 1
        # present sectors, most firms first (ties: lower sector)
        present = sorted(
            (s for s in range(n_sectors) if firm_count[s] > 0), key=lambda s: (-firm_count[s], s)
        )
        members = [
            k
            for k in range(len(platforms["alive"]))
            if platforms["alive"][k] and platforms["county"][k] == c
        ]
        if not present or not members:
            continue
        # best quality first (ties: lower id) takes the next sector, round and round
        members.sort(key=lambda k: (-platforms["quality"][k], k))
        for j, k in enumerate(members):
            out["sector_focus"][k] = present[j % len(present)]
            out["anchor_firm"][k] = -1
    for k in range(len(out["level"])):
        out["level"][k] = min(out["level"][k], LEVEL_PROVINCIAL)
    for s in range(n_sectors):
        if s == TRADITIONAL:
            continue
        focused = [
            k
            for k in range(len(platforms["alive"]))
            if platforms["alive"][k] and out["sector_focus"][k] == s
        ]
        if focused:
            best = max(focused, key=lambda k: (platforms["quality"][k], -k))
            out["level"][best] = LEVEL_CENTRE
    return out
