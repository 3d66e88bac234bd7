"""Slow reference of phase 6, entry and exit (docs/ODD.md §7.7), in plain Python loops.

Written from the docstrings of ``model/kernels/entry_exit.py`` and ODD §7.7 for
``tests/test_naive_entry_exit.py``. Random numbers come from the same counter-based functions
at the same coordinates:

=====================================  =========  ====================  =====================
what                                   phase      agent                 draw
=====================================  =========  ====================  =====================
background hazard                      6 (exit)   firm f                0
enclave firm moves to the hub          6          firm f                1
start-ups of county c                  7 (entry)  county c              0 (Poisson)
start-ups of incubator k               7          1 000 000 + k         0 (Poisson)
cell of a county start-up              7          its new row f         1
sector from the county mix             7          f                     2
productivity, high-tech share          7          f                     3, 4 (normal)
R&D taste                              7          f                     5
considers a move / order of movers     10         firm f                0 / 99
d-th candidate platform                10         firm f                1 + d
=====================================  =========  ====================  =====================

Tables are ``dict[str, numpy.ndarray]`` (``Table.arrays``); references never write to their
inputs and return what the kernel should have written.
"""

from __future__ import annotations

import math

import numpy as np
from naive_talent import copies, draw_sector

from model.kernels import rng
from model.sim.ledger import N_FLOWS, SINK_EXIT_CASH, SINK_FIRMS_LEAVING, SRC_FOUNDER_EQUITY
from model.sim.state import NEVER_CERTIFIED, PLATFORM_INCUBATOR, TIER_RD_STAFF

PHASE_EXIT, PHASE_ENTRY, PHASE_RELOCATION = 6, 7, 10
LISTED_HAZARD_FACTOR = 0.25
#: the 0.5 m CNY of unpaid bills a firm may carry beyond its quarters of revenue
INSOLVENCY_SLACK_MCNY = 0.5

EXIT_FIRM_COLUMNS = (
    "alive",
    "cash_mcny",
    "debt_mcny",
    "fund_stake_mcny",
    "lead_fund",
    "co_stake_mcny",
    "co_fund",
    "platform",
)


def exit_firms(firms, capital, bank_of_county, p, seed: int, step: int):
    """Closures and moves to the hub (ODD §7.7, "Exit").

    Returns ``(firm_columns, capital_columns, flows, closed, left)``.
    """
    out = copies(firms, EXIT_FIRM_COLUMNS)
    cap = copies(capital, ("pool_mcny", "loans_mcny", "losses_mcny", "returns_mcny"))
    flows = np.zeros(N_FLOWS)
    closed = left = 0
    for f in range(len(firms["alive"])):
        if not firms["alive"][f]:
            continue
        # falls smoothly with age (excess of young firms fades exponentially) and with size
        age = step - firms["born_step"][f]
        young_excess = (p.young_firm_hazard_multiplier - 1) * math.exp(
            -max(age, 0) / p.exit_hazard_age_decay_q
        )
        relative_size = max(firms["employees"][f], 1.0) / p.firm_employees_median
        hazard = (
            p.exit_hazard_per_q
            * (1 + young_excess)
            * relative_size ** (-p.exit_hazard_size_elasticity)
        )
        if firms["listed"][f]:
            hazard *= LISTED_HAZARD_FACTOR
        hazard = min(hazard, 1.0)
        cash, debt = firms["cash_mcny"][f], firms["debt_mcny"][f]
        revenue = firms["revenue_mcny"][f]
        insolvent = cash < -p.insolvency_cash_quarters * revenue - INSOLVENCY_SLACK_MCNY
        unlucky = rng.uniform(seed, step, PHASE_EXIT, f, 0) < hazard
        moves = bool(firms["in_enclave"][f]) and (
            rng.uniform(seed, step, PHASE_EXIT, f, 1) < p.enclave_relocation_per_q
        )
        bank = bank_of_county[firms["county"][f]]
        stakes = [
            (firms["lead_fund"][f], firms["fund_stake_mcny"][f]),
            (firms["co_fund"][f], firms["co_stake_mcny"][f]),
        ]
        if moves and not insolvent:
            # leaves with its cash, repays its loan and buys its funds out at book value
            left += 1
            flows[SINK_FIRMS_LEAVING] += cash
            if bank >= 0:
                cap["pool_mcny"][bank] += debt
                cap["loans_mcny"][bank] -= debt
                flows[SINK_FIRMS_LEAVING] -= debt
            for fund, stake in stakes:
                if fund >= 0:
                    cap["pool_mcny"][fund] += stake
                    cap["returns_mcny"][fund] += stake
                    flows[SINK_FIRMS_LEAVING] -= stake
        elif insolvent or unlucky or moves:
            # closes: cash (negative: unpaid bills) to the exit sink, loan and stakes lost
            closed += 1
            flows[SINK_EXIT_CASH] += cash
            if bank >= 0:
                cap["loans_mcny"][bank] -= debt
                cap["losses_mcny"][bank] += debt
            for fund, stake in stakes:
                if fund >= 0:
                    cap["losses_mcny"][fund] += stake
        else:
            continue
        out["alive"][f] = False
        for name in ("cash_mcny", "debt_mcny", "fund_stake_mcny", "co_stake_mcny"):
            out[name][f] = 0.0
        for name in ("lead_fund", "co_fund", "platform"):
            out[name][f] = -1
    return out, cap, flows, closed, left


def graduate_firms(firms, n_counties: int, p, step: int):
    """Incubated firms at the age or revenue limit leave their incubator.

    Returns ``(firm_columns, graduates per county)``.
    """
    out = copies(firms, ("incubated", "platform"))
    graduates = np.zeros(n_counties, dtype=np.int64)
    for f in range(len(firms["alive"])):
        if not (firms["alive"][f] and firms["incubated"][f]):
            continue
        old_enough = step - firms["born_step"][f] >= p.incubation_max_q
        big_enough = firms["revenue_mcny"][f] >= p.graduation_revenue_mcny_per_q
        if old_enough or big_enough:
            out["incubated"][f] = False
            out["platform"][f] = -1
            graduates[firms["county"][f]] += 1
    return out, graduates


def count_entries(platforms, talent, n_counties: int, p, seed: int, step: int):
    """Start-ups per county (background + spin-offs of employed seniors and experts) and per
    incubator (more with free places and quality)."""
    seniors = np.zeros(n_counties)
    for i in range(len(talent["alive"])):
        employed = talent["employer_firm"][i] >= 0
        if talent["alive"][i] and employed and talent["tier"][i] != TIER_RD_STAFF:
            if talent["county"][i] >= 0:
                seniors[talent["county"][i]] += 1
    county_startups = np.zeros(n_counties, dtype=np.int64)
    for c in range(n_counties):
        lam = p.background_startups_per_county_per_q * p.firm_scale
        lam += p.spinoff_startups_per_senior_per_q * seniors[c]
        county_startups[c] = rng.poisson(lam, seed, step, PHASE_ENTRY, c, 0)
    incubator_startups = np.zeros(len(platforms["alive"]), dtype=np.int64)
    for k in range(len(platforms["alive"])):
        if not platforms["alive"][k] or platforms["kind"][k] != PLATFORM_INCUBATOR:
            continue
        free_places = max(platforms["capacity"][k] - platforms["tenants"][k], 0)
        quality = platforms["quality"][k]
        lam = p.incubation_startups_per_q * free_places * quality
        lam /= quality + p.platform_quality_half
        incubator_startups[k] = rng.poisson(lam, seed, step, PHASE_ENTRY, 1_000_000 + k, 0)
    return county_startups, incubator_startups


#: what a start-up's row holds besides the fields :func:`enter_firms` draws or places
FRESH_FIRM = {
    "revenue_mcny": 0.0,
    "value_added_mcny": 0.0,
    "profit_mcny": 0.0,
    "debt_mcny": 0.0,
    "equity_raised_mcny": 0.0,
    "fund_stake_mcny": 0.0,
    "lead_fund": -1,
    "co_stake_mcny": 0.0,
    "co_fund": -1,
    "rd_real_mcny": 0.0,
    "rd_reported_mcny": 0.0,
    "rd_reported_year_mcny": 0.0,
    "revenue_year_mcny": 0.0,
    "knowledge": 0.0,
    "new_knowledge": 0.0,
    "patent_pipeline": 0,
    "applications_q": 0,
    "grants_q": 0,
    "patents_granted": 0,
    "staff_budget_mcny": 0.0,
    "rd_staff": 0,
    "talent_units": 0.0,
    "experts": 0,
    "talent_wage_mcny": 0.0,
    "platform": -1,
    "incubated": False,
    "hte_until_step": NEVER_CERTIFIED,
    "st_sme": False,
    "quoted": False,
    "listed": False,
    "in_enclave": False,
    "expert_link": False,
    "voucher_mcny": 0.0,
    "grant_mcny": 0.0,
}


def enter_firms(
    firms,
    platforms,
    n_counties: int,
    county_startups,
    incubator_startups,
    free_slots,
    county_cells,
    county_cell_offsets,
    county_sector_cdf,
    high_tech_share_mean,
    p,
    seed: int,
    step: int,
):
    """Start-ups in ascending free rows: each county's, then each incubator's (ODD §7.7).

    Returns ``(firms, tenants, startups per county, founder equity, used)``; ``firms`` is a
    copy of every firm column.
    """
    out = copies(firms, firms.keys())
    tenants = np.array(platforms["tenants"], copy=True)
    startups = np.zeros(n_counties, dtype=np.int64)
    founder_equity = 0.0
    # (county, cell, sector or -1 for the county mix, incubator or -1) of each start-up
    plan = []
    rows = iter(free_slots)
    for c in range(n_counties):
        cells = county_cells[county_cell_offsets[c] : county_cell_offsets[c + 1]]
        for _ in range(county_startups[c]):
            f = next(rows)
            cell = cells[int(rng.uniform(seed, step, PHASE_ENTRY, f, 1) * len(cells))]
            plan.append((f, c, cell, -1, -1))
    for k in range(len(incubator_startups)):
        for _ in range(incubator_startups[k]):
            focus = platforms["sector_focus"][k]
            plan.append((next(rows), platforms["county"][k], platforms["cell"][k], focus, k))
    for f, c, cell, sector, incubator in plan:
        if sector < 0:
            u = rng.uniform(seed, step, PHASE_ENTRY, f, 2)
            sector = draw_sector(county_sector_cdf[c], u)
        for name, value in FRESH_FIRM.items():
            out[name][f] = value
        sigma = p.productivity_sigma
        z_productivity = rng.normal(seed, step, PHASE_ENTRY, f, 3)
        z_high_tech = rng.normal(seed, step, PHASE_ENTRY, f, 4)
        out["alive"][f] = True
        out["sector"][f] = sector
        out["cell"][f] = cell
        out["county"][f] = c
        out["origin_county"][f] = c
        out["born_step"][f] = step
        out["employees"][f] = p.startup_employees
        out["base_productivity"][f] = p.revenue_per_employee_mcny_per_q * math.exp(
            sigma * z_productivity - sigma**2 / 2
        )
        high_tech = high_tech_share_mean[sector] + 0.15 * z_high_tech
        out["high_tech_share"][f] = min(max(high_tech, 0.0), 1.0)
        out["rd_taste"][f] = rng.uniform(seed, step, PHASE_ENTRY, f, 5)
        out["cash_mcny"][f] = p.startup_cash_mcny
        founder_equity += p.startup_cash_mcny
        if incubator >= 0:
            out["incubated"][f] = True
            out["platform"][f] = incubator
            tenants[incubator] += 1
        startups[c] += 1
    flows = np.zeros(N_FLOWS)
    flows[SRC_FOUNDER_EQUITY] = founder_equity
    return out, tenants, startups, flows, len(plan)


def service_at(f, cell, sector, k, platforms, cell_x_km, cell_y_km, p) -> float:
    """Service level (0..1) firm ``f`` of ``sector`` sitting at ``cell`` gets from platform
    ``k`` (ODD §7.4): the saturating staff and equipment services of the platform's quality and
    equipment per tenant (both counted ``1 + platform_sector_match_gain`` times for a firm of
    its focus sector) x sector mismatch x anchor radiation x distance decay (halves every
    ``platform_service_half_distance_km``) x crowding beyond capacity."""
    if k < 0 or not platforms["alive"][k]:
        return 0.0
    n = max(platforms["tenants"][k], 1)
    focus = platforms["sector_focus"][k]
    gain = 1.0 + p.platform_sector_match_gain if focus == sector else 1.0
    q = gain * platforms["quality"][k] / n
    e = gain * platforms["equipment_mcny"][k] / n
    level = q / (q + p.platform_quality_half_per_tenant)
    w = p.platform_equipment_service_share
    level *= 1.0 - w + w * e / (e + p.platform_equipment_half_mcny_per_tenant)
    if focus >= 0 and focus != sector:
        level *= p.platform_sector_mismatch
    anchor = platforms["anchor_firm"][k]
    if anchor >= 0 and anchor != f:
        level *= p.anchor_platform_radiation
    k_cell = platforms["cell"][k]
    distance = math.hypot(cell_x_km[cell] - cell_x_km[k_cell], cell_y_km[cell] - cell_y_km[k_cell])
    level *= math.exp(-math.log(2.0) * distance / p.platform_service_half_distance_km)
    tenants, capacity = platforms["tenants"][k], platforms["capacity"][k]
    if capacity > 0 and tenants > capacity:
        level *= capacity / tenants
    return level


def relocate_firms(firms, platforms, cell_x_km, cell_y_km, p, seed: int, step: int):
    """Moves to a better-serving platform in another county (ODD §7.7, "Relocation").

    Returns ``(firm columns, tenants, moved)``.
    """
    out = copies(firms, ("cell", "county", "platform"))
    plat = {name: np.array(values, copy=True) for name, values in platforms.items()}
    open_platforms = [
        k
        for k in range(len(plat["alive"]))
        if plat["alive"][k] and plat["anchor_firm"][k] < 0 and plat["kind"][k] != PLATFORM_INCUBATOR
    ]
    if not open_platforms or p.relocation_per_q <= 0.0:
        return out, plat["tenants"], 0

    def draw(f: int, d: int) -> float:
        return rng.uniform(seed, step, PHASE_RELOCATION, f, d)

    movers = []
    for f in range(len(firms["alive"])):
        if not firms["alive"][f] or firms["incubated"][f] or firms["in_enclave"][f]:
            continue
        k = firms["platform"][f]
        if k >= 0 and plat["anchor_firm"][k] == f:
            continue  # an anchor firm stays with its own platform
        if draw(f, 0) < p.relocation_per_q:
            movers.append(f)
    movers.sort(key=lambda f: draw(f, 99))
    moved = 0
    for f in movers:
        sector = firms["sector"][f]
        here = service_at(
            f, out["cell"][f], sector, out["platform"][f], plat, cell_x_km, cell_y_km, p
        )
        best, best_value = -1, max(1.5 * here, here + 0.1)
        for d in range(p.platform_candidates):
            k = open_platforms[int(draw(f, 1 + d) * len(open_platforms))]
            if plat["county"][k] == out["county"][f] or plat["tenants"][k] >= plat["capacity"][k]:
                continue
            value = service_at(f, plat["cell"][k], sector, k, plat, cell_x_km, cell_y_km, p)
            if value > best_value:
                best, best_value = k, value
        if best < 0:
            continue
        if out["platform"][f] >= 0:
            plat["tenants"][out["platform"][f]] -= 1
        out["cell"][f] = plat["cell"][best]
        out["county"][f] = plat["county"][best]
        out["platform"][f] = best
        plat["tenants"][best] += 1
        moved += 1
    return out, plat["tenants"], moved
