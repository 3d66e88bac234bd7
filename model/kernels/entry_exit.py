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

from model.kernels.knowledge import service_level
from model.kernels.rng import normal, poisson, uniform
from model.kernels.sort import sort_by_key
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
    firm_alive = firms.alive
    firm_born_step = firms.born_step
    firm_listed = firms.listed
    firm_cash_mcny = firms.cash_mcny
    firm_revenue_mcny = firms.revenue_mcny
    firm_in_enclave = firms.in_enclave
    firm_county = firms.county
    capital_pool_mcny = capital.pool_mcny
    firm_debt_mcny = firms.debt_mcny
    capital_loans_mcny = capital.loans_mcny
    capital_losses_mcny = capital.losses_mcny
    firm_lead_fund = firms.lead_fund
    firm_fund_stake_mcny = firms.fund_stake_mcny
    firm_co_fund = firms.co_fund
    firm_co_stake_mcny = firms.co_stake_mcny
    firm_platform = firms.platform
    closed = 0
    left = 0
    for f in range(len(firm_alive)):
        if not firm_alive[f]:
            continue
        age = step - firm_born_step[f]
        hazard = p.exit_hazard_per_q
        if age < 12:
            hazard *= p.young_firm_hazard_multiplier
        if firm_listed[f]:
            hazard *= 0.25
        insolvent = firm_cash_mcny[f] < -p.insolvency_cash_quarters * firm_revenue_mcny[f] - 0.5
        unlucky = uniform(seed, step, PHASE_EXIT, f, 0) < hazard
        moves = firm_in_enclave[f] and (
            uniform(seed, step, PHASE_EXIT, f, 1) < p.enclave_relocation_per_q
        )
        if not (insolvent or unlucky or moves):
            continue
        if moves and not insolvent:
            flows[SINK_FIRMS_LEAVING] += firm_cash_mcny[f]
            left += 1
            # the firm takes its loan with it and repays it
            bank = bank_of_county[firm_county[f]]
            if bank >= 0:
                capital_pool_mcny[bank] += firm_debt_mcny[f]
                capital_loans_mcny[bank] -= firm_debt_mcny[f]
                flows[SINK_FIRMS_LEAVING] -= firm_debt_mcny[f]
        else:
            flows[SINK_EXIT_CASH] += firm_cash_mcny[f]
            closed += 1
            bank = bank_of_county[firm_county[f]]
            if bank >= 0:
                capital_loans_mcny[bank] -= firm_debt_mcny[f]
                capital_losses_mcny[bank] += firm_debt_mcny[f]
            k = firm_lead_fund[f]
            if k >= 0:
                capital_losses_mcny[k] += firm_fund_stake_mcny[f]
            k = firm_co_fund[f]
            if k >= 0:
                capital_losses_mcny[k] += firm_co_stake_mcny[f]
        firm_alive[f] = False
        firm_cash_mcny[f] = 0.0
        firm_debt_mcny[f] = 0.0
        firm_fund_stake_mcny[f] = 0.0
        firm_lead_fund[f] = -1
        firm_co_stake_mcny[f] = 0.0
        firm_co_fund[f] = -1
        firm_platform[f] = -1
    return closed, left


@njit(cache=True)
def graduate_firms(firms, counties, p, step):
    """Incubated firms that reached the age or revenue limit leave the incubator."""
    firm_alive = firms.alive
    firm_incubated = firms.incubated
    firm_born_step = firms.born_step
    firm_revenue_mcny = firms.revenue_mcny
    firm_platform = firms.platform
    county_graduates_q = counties.graduates_q
    firm_county = firms.county
    for f in range(len(firm_alive)):
        if not (firm_alive[f] and firm_incubated[f]):
            continue
        age = step - firm_born_step[f]
        if age >= p.incubation_max_q or firm_revenue_mcny[f] >= p.graduation_revenue_mcny_per_q:
            firm_incubated[f] = False
            firm_platform[f] = -1
            county_graduates_q[firm_county[f]] += 1


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
    talent_alive = talent.alive
    talent_tier = talent.tier
    talent_employer_firm = talent.employer_firm
    talent_county = talent.county
    platform_alive = platforms.alive
    platform_kind = platforms.kind
    platform_capacity = platforms.capacity
    platform_tenants = platforms.tenants
    platform_quality = platforms.quality
    seniors = np.zeros(n_counties, dtype=np.float64)
    for i in range(len(talent_alive)):
        if talent_alive[i] and talent_tier[i] != TIER_RD_STAFF and talent_employer_firm[i] >= 0:
            c = talent_county[i]
            if c >= 0:
                seniors[c] += 1.0
    county_startups = np.zeros(n_counties, dtype=np.int64)
    for c in range(n_counties):
        lam = (
            p.background_startups_per_county_per_q * p.firm_scale
            + p.spinoff_startups_per_senior_per_q * seniors[c]
        )
        county_startups[c] = poisson(lam, seed, step, PHASE_ENTRY, c, 0)
    incubator_startups = np.zeros(len(platform_alive), dtype=np.int64)
    for k in range(len(platform_alive)):
        if platform_alive[k] and platform_kind[k] == PLATFORM_INCUBATOR:
            free = max(platform_capacity[k] - platform_tenants[k], 0)
            q = platform_quality[k]
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
    # where each start-up goes (ascending free rows: county start-ups, then incubators)
    n_new = county_startups.sum() + incubator_startups.sum()
    new_county = np.empty(n_new, dtype=np.int64)
    new_cell = np.empty(n_new, dtype=np.int64)
    new_sector = np.empty(n_new, dtype=np.int64)  # -1: drawn from the county's mix
    new_incubator = np.empty(n_new, dtype=np.int64)  # -1: not incubated
    used = 0
    n_counties = len(county_startups)
    for c in range(n_counties):
        for _ in range(county_startups[c]):
            f = free_slots[used]
            u = uniform(seed, step, PHASE_ENTRY, f, 1)
            lo, hi = county_cell_offsets[c], county_cell_offsets[c + 1]
            new_county[used] = c
            new_cell[used] = county_cells[lo + int(u * (hi - lo))]
            new_sector[used] = -1
            new_incubator[used] = -1
            used += 1
    for k in range(len(incubator_startups)):
        for _ in range(incubator_startups[k]):
            new_county[used] = platforms.county[k]
            new_cell[used] = platforms.cell[k]
            new_sector[used] = platforms.sector_focus[k]
            new_incubator[used] = k
            used += 1
    # initialise the rows (no helper taking the Firms tuple: see knowledge.service_level)
    productivity_sigma = p.productivity_sigma
    revenue_per_employee = p.revenue_per_employee_mcny_per_q
    startup_cash = p.startup_cash_mcny
    for j in range(used):
        f = free_slots[j]
        c = new_county[j]
        sector = new_sector[j]
        sector_cdf = county_sector_cdf[c]
        if sector < 0:
            u = uniform(seed, step, PHASE_ENTRY, f, 2)
            sector = len(sector_cdf) - 1
            for s in range(len(sector_cdf)):
                if u < sector_cdf[s]:
                    sector = s
                    break
        firms.alive[f] = True
        firms.sector[f] = sector
        firms.cell[f] = new_cell[j]
        firms.county[f] = c
        firms.origin_county[f] = c
        firms.born_step[f] = step
        firms.employees[f] = p.startup_employees
        firms.base_productivity[f] = revenue_per_employee * np.exp(
            productivity_sigma * normal(seed, step, PHASE_ENTRY, f, 3) - 0.5 * productivity_sigma**2
        )
        hts = high_tech_share_mean[sector] + 0.15 * normal(seed, step, PHASE_ENTRY, f, 4)
        firms.high_tech_share[f] = min(max(hts, 0.0), 1.0)
        firms.rd_taste[f] = uniform(seed, step, PHASE_ENTRY, f, 5)
        firms.revenue_mcny[f] = 0.0
        firms.value_added_mcny[f] = 0.0
        firms.profit_mcny[f] = 0.0
        firms.cash_mcny[f] = startup_cash
        flows[SRC_FOUNDER_EQUITY] += startup_cash
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
        k = new_incubator[j]
        if k >= 0:
            firms.incubated[f] = True
            firms.platform[f] = k
            platforms.tenants[k] += 1
        counties.startups_q[c] += 1
    return used


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
    # (a Python function handing columns to the compiled loop: see
    # platforms.choose_platforms)
    # the same platforms firms may choose at home (phase 7): no incubator places, no
    # single-firm platforms (they would serve the mover poorly)
    open_ = np.flatnonzero(
        platforms.alive & (platforms.anchor_firm < 0) & (platforms.kind != PLATFORM_INCUBATOR)
    )
    if len(open_) == 0 or p.relocation_per_q <= 0.0:
        return 0
    return _relocate_firms(
        firms.alive,
        firms.incubated,
        firms.in_enclave,
        firms.platform,
        firms.cell,
        firms.county,
        firms.sector,
        platforms.alive,
        platforms.quality,
        platforms.sector_focus,
        platforms.anchor_firm,
        platforms.cell,
        platforms.county,
        platforms.tenants,
        platforms.capacity,
        open_,
        cell_x_km,
        cell_y_km,
        p.relocation_per_q,
        np.int64(p.platform_candidates),
        p.platform_quality_half,
        p.platform_sector_mismatch,
        p.anchor_platform_radiation,
        p.platform_service_half_distance_km,
        np.int64(seed),
        np.int64(step),
    )


@njit(cache=True)
def _relocate_firms(
    alive,
    incubated,
    in_enclave,
    platform,
    cell,
    county,
    sector,
    p_alive,
    p_quality,
    p_sector_focus,
    p_anchor_firm,
    p_cell,
    p_county,
    p_tenants,
    p_capacity,
    open_,
    cell_x_km,
    cell_y_km,
    relocation_per_q,
    n_candidates,
    quality_half,
    mismatch,
    anchor_radiation,
    half_distance_km,
    seed,
    step,
):
    """:func:`relocate_firms` on plain arrays (firm columns, then ``p_*`` platform columns).

    Firms that cannot move (anchor firms, and those that do not draw a move; both depend
    only on the firm's own state) are dropped before the sort, which keeps the order of the
    others.
    """
    moved = 0
    n_firms = len(alive)
    movers = np.empty(n_firms, dtype=np.int64)
    n_movers = 0
    for f in range(n_firms):
        if not alive[f] or incubated[f] or in_enclave[f]:
            continue
        pl = platform[f]
        if pl >= 0 and p_anchor_firm[pl] == f:
            continue  # an anchor firm stays with its own platform
        if uniform(seed, step, PHASE_RELOCATION, f, 0) >= relocation_per_q:
            continue
        movers[n_movers] = f
        n_movers += 1
    movers = movers[:n_movers]
    # firms weigh moves in a hash-key order, like other competing choices
    keys = np.empty(n_movers, dtype=np.float64)
    for j in range(n_movers):
        keys[j] = uniform(seed, step, PHASE_RELOCATION, movers[j], 99)
    movers = sort_by_key(keys, movers)
    for j in range(n_movers):
        f = movers[j]
        current = service_level(
            f,
            cell[f],
            sector[f],
            platform[f],
            p_alive,
            p_quality,
            p_sector_focus,
            p_anchor_firm,
            p_cell,
            p_tenants,
            p_capacity,
            cell_x_km,
            cell_y_km,
            quality_half,
            mismatch,
            anchor_radiation,
            half_distance_km,
        )
        old_platform = platform[f]
        # a move must pay: 1.5 times the current service and at least 0.1 more
        best, best_value = -1, max(1.5 * current, current + 0.1)
        for d in range(n_candidates):
            k = open_[int(uniform(seed, step, PHASE_RELOCATION, f, 1 + d) * len(open_))]
            if p_county[k] == county[f]:
                continue
            if p_tenants[k] >= p_capacity[k]:
                continue
            # the service the firm would get next to platform k
            value = service_level(
                f,
                p_cell[k],
                sector[f],
                k,
                p_alive,
                p_quality,
                p_sector_focus,
                p_anchor_firm,
                p_cell,
                p_tenants,
                p_capacity,
                cell_x_km,
                cell_y_km,
                quality_half,
                mismatch,
                anchor_radiation,
                half_distance_km,
            )
            if value > best_value:
                best, best_value = k, value
        if best < 0:
            continue
        if old_platform >= 0:
            p_tenants[old_platform] -= 1
        cell[f] = p_cell[best]
        county[f] = p_county[best]
        platform[f] = best
        p_tenants[best] += 1
        moved += 1
    return moved
