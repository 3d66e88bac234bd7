"""Phase 6 — entry and exit: start-ups, incubation, graduation, failure, moves to the hubs.

Start-ups come from three places: a background rate per county, spin-offs of employed senior
engineers and experts, and incubators (report §1.3: the Jiashan incubator holds 120+ firms),
whose output rises with their quality and free capacity. Incubated firms graduate when they
reach a revenue or an age limit. Firms close when they cannot fund their losses (cash below
minus ``insolvency_cash_quarters`` quarters of revenue, less 0.5 m CNY) or by a background
hazard that is higher for young firms. A closing firm's tech loan and fund stake are lost
(report §1.4 risk). Enclave firms may move their whole business to the hub (report §3.5
risk), which the county loses.

Entry runs in two passes so results never depend on spare capacity: :func:`count_entries`
draws how many firms enter where, the Python layer makes room, :func:`enter_firms` fills
free rows in ascending order.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from model.kernels.knowledge import platform_service
from model.kernels.rng import normal, poisson, uniform
from model.ledger import SINK_EXIT_CASH, SINK_FIRMS_LEAVING, SRC_FOUNDER_EQUITY
from model.state import NEVER_CERTIFIED, PLATFORM_INCUBATOR, TIER_RD_STAFF

PHASE_EXIT = 6
PHASE_ENTRY = 7
PHASE_RELOCATION = 10


@njit(cache=True)
def exit_firms(firms, capital, bank_of_county, p, seed, step, flows):
    """Close insolvent and unlucky firms, and let enclave firms leave for the hub.

    Returns
    -------
    closed : int
        Firms that closed.
    left : int
        Enclave firms that moved to the hub.
    """
    closed = 0
    left = 0
    for f in range(len(firms.alive)):
        if not firms.alive[f]:
            continue
        age = step - firms.born_step[f]
        hazard = p.exit_hazard_per_q
        if age < 12:
            hazard *= p.young_firm_hazard_multiplier
        if firms.listed[f]:
            hazard *= 0.25
        insolvent = firms.cash_mcny[f] < -p.insolvency_cash_quarters * firms.revenue_mcny[f] - 0.5
        unlucky = uniform(seed, step, PHASE_EXIT, f, 0) < hazard
        moves = firms.in_enclave[f] and (
            uniform(seed, step, PHASE_EXIT, f, 1) < p.enclave_relocation_per_q
        )
        if not (insolvent or unlucky or moves):
            continue
        if moves and not insolvent:
            flows[SINK_FIRMS_LEAVING] += firms.cash_mcny[f]
            left += 1
            # the firm takes its loan with it and repays it
            bank = bank_of_county[firms.county[f]]
            if bank >= 0:
                capital.pool_mcny[bank] += firms.debt_mcny[f]
                capital.loans_mcny[bank] -= firms.debt_mcny[f]
                flows[SINK_FIRMS_LEAVING] -= firms.debt_mcny[f]
        else:
            flows[SINK_EXIT_CASH] += firms.cash_mcny[f]
            closed += 1
            bank = bank_of_county[firms.county[f]]
            if bank >= 0:
                capital.loans_mcny[bank] -= firms.debt_mcny[f]
                capital.losses_mcny[bank] += firms.debt_mcny[f]
            k = firms.lead_fund[f]
            if k >= 0:
                capital.losses_mcny[k] += firms.fund_stake_mcny[f]
            k = firms.co_fund[f]
            if k >= 0:
                capital.losses_mcny[k] += firms.co_stake_mcny[f]
        firms.alive[f] = False
        firms.cash_mcny[f] = 0.0
        firms.debt_mcny[f] = 0.0
        firms.fund_stake_mcny[f] = 0.0
        firms.lead_fund[f] = -1
        firms.co_stake_mcny[f] = 0.0
        firms.co_fund[f] = -1
        firms.platform[f] = -1
    return closed, left


@njit(cache=True)
def graduate_firms(firms, counties, p, step):
    """Incubated firms that reached the age or revenue limit leave the incubator."""
    for f in range(len(firms.alive)):
        if not (firms.alive[f] and firms.incubated[f]):
            continue
        age = step - firms.born_step[f]
        if age >= p.incubation_max_q or firms.revenue_mcny[f] >= p.graduation_revenue_mcny_per_q:
            firms.incubated[f] = False
            firms.platform[f] = -1
            counties.graduates_q[firms.county[f]] += 1


@njit(cache=True)
def count_entries(firms, platforms, talent, n_counties, p, seed, step):
    """Draw the number of start-ups of each county and each incubator.

    Returns
    -------
    county_startups : (n_counties,) int64
        Background and spin-off start-ups.
    incubator_startups : (n_platforms,) int64
        Start-ups each incubator takes in.
    """
    seniors = np.zeros(n_counties, dtype=np.float64)
    for i in range(len(talent.alive)):
        if talent.alive[i] and talent.tier[i] != TIER_RD_STAFF and talent.employer_firm[i] >= 0:
            c = talent.county[i]
            if c >= 0:
                seniors[c] += 1.0
    county_startups = np.zeros(n_counties, dtype=np.int64)
    for c in range(n_counties):
        lam = (
            p.background_startups_per_county_per_q * p.firm_scale
            + p.spinoff_startups_per_senior_per_q * seniors[c]
        )
        county_startups[c] = poisson(lam, seed, step, PHASE_ENTRY, c, 0)
    incubator_startups = np.zeros(len(platforms.alive), dtype=np.int64)
    for k in range(len(platforms.alive)):
        if platforms.alive[k] and platforms.kind[k] == PLATFORM_INCUBATOR:
            free = max(platforms.capacity[k] - platforms.tenants[k], 0)
            q = platforms.quality[k]
            lam = p.incubation_startups_per_q * free * q / (q + p.platform_quality_half)
            incubator_startups[k] = poisson(lam, seed, step, PHASE_ENTRY, 1_000_000 + k, 0)
    return county_startups, incubator_startups


@njit(cache=True)
def enter_firms(
    firms,
    platforms,
    counties,
    county_startups,
    incubator_startups,
    free_slots,
    county_cells,
    county_cell_offsets,
    county_sector_cdf,
    high_tech_share_mean,
    p,
    seed,
    step,
    flows,
):
    """Create the start-ups drawn by :func:`count_entries` in ``free_slots`` (ascending).

    Parameters
    ----------
    county_cells, county_cell_offsets : int64 arrays
        Cells of county ``c`` are ``county_cells[county_cell_offsets[c]:...[c + 1]]``.
    county_sector_cdf : (n_counties, n_sectors) float64
    high_tech_share_mean : (n_sectors,) float64
        Mean share of high-tech products in revenue by sector.

    Returns
    -------
    int
        Free slots used.
    """
    used = 0
    n_counties = len(county_startups)
    for c in range(n_counties):
        for _ in range(county_startups[c]):
            f = free_slots[used]
            used += 1
            u = uniform(seed, step, PHASE_ENTRY, f, 1)
            lo, hi = county_cell_offsets[c], county_cell_offsets[c + 1]
            cell = county_cells[lo + int(u * (hi - lo))]
            _init_startup(
                firms,
                f,
                c,
                cell,
                -1,
                county_sector_cdf[c],
                high_tech_share_mean,
                p,
                seed,
                step,
                flows,
            )
            counties.startups_q[c] += 1
    for k in range(len(incubator_startups)):
        for _ in range(incubator_startups[k]):
            f = free_slots[used]
            used += 1
            c = platforms.county[k]
            _init_startup(
                firms,
                f,
                c,
                platforms.cell[k],
                platforms.sector_focus[k],
                county_sector_cdf[c],
                high_tech_share_mean,
                p,
                seed,
                step,
                flows,
            )
            firms.incubated[f] = True
            firms.platform[f] = k
            platforms.tenants[k] += 1
            counties.startups_q[c] += 1
    return used


@njit(cache=True)
def _init_startup(
    firms, f, county, cell, sector, sector_cdf, high_tech_share_mean, p, seed, step, flows
):
    if sector < 0:
        u = uniform(seed, step, PHASE_ENTRY, f, 2)
        sector = len(sector_cdf) - 1
        for s in range(len(sector_cdf)):
            if u < sector_cdf[s]:
                sector = s
                break
    firms.alive[f] = True
    firms.sector[f] = sector
    firms.cell[f] = cell
    firms.county[f] = county
    firms.origin_county[f] = county
    firms.born_step[f] = step
    firms.employees[f] = p.startup_employees
    firms.base_productivity[f] = p.revenue_per_employee_mcny_per_q * np.exp(
        p.productivity_sigma * normal(seed, step, PHASE_ENTRY, f, 3) - 0.5 * p.productivity_sigma**2
    )
    hts = high_tech_share_mean[sector] + 0.15 * normal(seed, step, PHASE_ENTRY, f, 4)
    firms.high_tech_share[f] = min(max(hts, 0.0), 1.0)
    firms.rd_taste[f] = uniform(seed, step, PHASE_ENTRY, f, 5)
    firms.revenue_mcny[f] = 0.0
    firms.value_added_mcny[f] = 0.0
    firms.profit_mcny[f] = 0.0
    firms.cash_mcny[f] = p.startup_cash_mcny
    flows[SRC_FOUNDER_EQUITY] += p.startup_cash_mcny
    firms.debt_mcny[f] = 0.0
    firms.equity_raised_mcny[f] = 0.0
    firms.fund_stake_mcny[f] = 0.0
    firms.lead_fund[f] = -1
    firms.co_stake_mcny[f] = 0.0
    firms.co_fund[f] = -1
    firms.rd_real_mcny[f] = 0.0
    firms.rd_reported_mcny[f] = 0.0
    firms.rd_reported_year_mcny[f] = 0.0
    firms.revenue_year_mcny[f] = 0.0
    firms.knowledge[f] = 0.0
    firms.new_knowledge[f] = 0.0
    firms.patent_pipeline[f, :] = 0
    firms.applications_q[f] = 0
    firms.grants_q[f] = 0
    firms.patents_granted[f] = 0
    firms.staff_demand[f] = 0
    firms.rd_staff[f] = 0
    firms.talent_units[f] = 0.0
    firms.experts[f] = 0
    firms.talent_wage_mcny[f] = 0.0
    firms.platform[f] = -1
    firms.incubated[f] = False
    firms.hte_until_step[f] = NEVER_CERTIFIED
    firms.st_sme[f] = False
    firms.quoted[f] = False
    firms.listed[f] = False
    firms.in_enclave[f] = False
    firms.expert_link[f] = False
    firms.voucher_mcny[f] = 0.0
    firms.grant_mcny[f] = 0.0


@njit(cache=True)
def relocate_firms(firms, platforms, cell_x_km, cell_y_km, p, seed, step):
    """Let firms move to a better-served county (report §3.4).

    "Apply once, recognised region-wide": firms move to the platform that suits them.
    A firm considering a move (chance ``relocation_per_q``) samples ``platform_candidates``
    open platforms of the region; if one in another county would serve it at least 1.5 times
    better than its current platform (moving next to it), the firm moves its business to that
    platform's cell and county and joins it. Its county of origin keeps
    ``tax_sharing_origin_share`` of its county taxes (phase 4). Its S&T staff keep their jobs.

    Returns
    -------
    int
        Firms that moved.
    """
    # the same platforms firms may choose at home (phase 7): no incubator places, no
    # single-firm platforms (they would serve the mover poorly)
    open_ = np.flatnonzero(
        platforms.alive & (platforms.anchor_firm < 0) & (platforms.kind != PLATFORM_INCUBATOR)
    )
    if len(open_) == 0 or p.relocation_per_q <= 0.0:
        return 0
    moved = 0
    # firms weigh moves in a hash-key order, like other competing choices
    movers = np.flatnonzero(firms.alive & ~firms.incubated & ~firms.in_enclave)
    keys = np.empty(len(movers), dtype=np.float64)
    for j in range(len(movers)):
        keys[j] = uniform(seed, step, PHASE_RELOCATION, movers[j], 99)
    movers = movers[np.argsort(keys, kind="mergesort")]
    for j in range(len(movers)):
        f = movers[j]
        pl = firms.platform[f]
        if pl >= 0 and platforms.anchor_firm[pl] == f:
            continue  # an anchor firm stays with its own platform
        if uniform(seed, step, PHASE_RELOCATION, f, 0) >= p.relocation_per_q:
            continue
        current = platform_service(f, firms, platforms, cell_x_km, cell_y_km, p)
        old_cell, old_platform = firms.cell[f], firms.platform[f]
        # a move must pay: 1.5 times the current service and at least 0.1 more
        best, best_value = -1, max(1.5 * current, current + 0.1)
        for d in range(p.platform_candidates):
            k = open_[int(uniform(seed, step, PHASE_RELOCATION, f, 1 + d) * len(open_))]
            if platforms.county[k] == firms.county[f]:
                continue
            if platforms.tenants[k] >= platforms.capacity[k]:
                continue
            firms.cell[f] = platforms.cell[k]
            firms.platform[f] = k
            value = platform_service(f, firms, platforms, cell_x_km, cell_y_km, p)
            if value > best_value:
                best, best_value = k, value
        firms.cell[f], firms.platform[f] = old_cell, old_platform
        if best < 0:
            continue
        if old_platform >= 0:
            platforms.tenants[old_platform] -= 1
        firms.cell[f] = platforms.cell[best]
        firms.county[f] = platforms.county[best]
        firms.platform[f] = best
        platforms.tenants[best] += 1
        moved += 1
    return moved
