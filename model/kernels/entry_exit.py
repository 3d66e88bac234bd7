"""Phase 6 — entry and exit: start-ups, incubation, graduation, failure, moves to the hubs.

Start-ups come from three places: a background rate per county, spin-offs of employed senior
engineers and experts, and incubators (report §1.3: the Jiashan incubator holds 120+ firms),
whose output rises with their quality and free capacity. Incubated firms graduate when they
reach a revenue or an age limit. Firms close when they cannot fund their losses (cash below
minus ``insolvency_cash_quarters`` quarters of revenue, less 0.5 m CNY) or by a background
hazard that falls smoothly with age and size (ODD §7.7; Evans 1987; Dunne, Roberts & Samuelson
1988, 1989)::

    hazard = exit_hazard_per_q
             * (1 + (young_firm_hazard_multiplier - 1) * exp(-age / exit_hazard_age_decay_q))
             * (employees / firm_employees_median) ** -exit_hazard_size_elasticity
             * (0.25 if listed)

(at most 1). A closing firm's tech loan and fund stake are lost
(report §1.4 risk). Enclave firms may move their whole business to the hub (report §3.5
risk), which the county loses.

Entry runs in two passes so results never depend on spare capacity: :func:`count_entries`
draws how many firms enter where, the Python layer makes room, :func:`enter_firms` fills
free rows in ascending order.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np
from numba import njit

from model.kernels.bundles import params_bundle
from model.kernels.knowledge import service_level, service_map
from model.kernels.rng import normal, poisson, uniform
from model.kernels.sort import sort_by_key
from model.kernels.streams import STREAM_ENTRY, STREAM_EXIT, STREAM_RELOCATION
from model.sim.ledger import SINK_EXIT_CASH, SINK_FIRMS_LEAVING, SRC_FOUNDER_EQUITY
from model.sim.state import FIRM_FIELDS, PLATFORM_INCUBATOR, TIER_RD_STAFF, fill_rows

#: The parameters :func:`_exit_firms_body` reads (``KernelParams`` fields of the same names).
ExitParams = namedtuple(
    "ExitParams",
    """
    enclave_relocation_per_q exit_hazard_age_decay_q exit_hazard_per_q
    exit_hazard_size_elasticity firm_employees_median insolvency_cash_quarters
    young_firm_hazard_multiplier
    """.split(),
)

#: Listed firms close by the background hazard at this fraction of the rate (assumption: a
#: listed company is rarely wound up; it is taken over or delisted instead).
LISTED_HAZARD_FACTOR = 0.25


def exit_params(p):
    """The :data:`ExitParams` of ``KernelParams`` ``p`` (same values and types)."""
    return params_bundle(ExitParams, p)


@njit(cache=True)
def exit_hazard(age_q, employees, listed, prm):
    """Background chance (per quarter) that a firm closes, besides insolvency.

    Parameters
    ----------
    age_q : int
        Quarters since birth.
    employees : float
        Employees (persons).
    listed : bool
    prm : ExitParams

    Returns
    -------
    float
        In [0, 1]. Falls smoothly with age (the young-firm excess decays exponentially) and
        with size (a power of employees relative to the median firm).
    """
    age_factor = 1.0 + (prm.young_firm_hazard_multiplier - 1.0) * np.exp(
        -max(age_q, 0) / prm.exit_hazard_age_decay_q
    )
    size_factor = (max(employees, 1.0) / prm.firm_employees_median) ** (
        -prm.exit_hazard_size_elasticity
    )
    hazard = prm.exit_hazard_per_q * age_factor * size_factor
    if listed:
        hazard *= LISTED_HAZARD_FACTOR
    return min(hazard, 1.0)


def exit_firms(firms, capital, bank_of_county, p, seed, step, flows):
    """Close insolvent and unlucky firms, and let enclave firms leave for the hub.

    Returns
    -------
    closed : int
        Firms that closed.
    left : int
        Enclave firms that moved to the hub.
    """
    return _exit_firms_body(
        firms.alive,
        firms.born_step,
        firms.listed,
        firms.employees,
        firms.cash_mcny,
        firms.revenue_mcny,
        firms.in_enclave,
        firms.county,
        capital.pool_mcny,
        firms.debt_mcny,
        capital.loans_mcny,
        capital.losses_mcny,
        capital.returns_mcny,
        firms.lead_fund,
        firms.fund_stake_mcny,
        firms.co_fund,
        firms.co_stake_mcny,
        firms.platform,
        exit_params(p),
        bank_of_county,
        seed,
        step,
        flows,
    )


@njit(cache=True)
def _exit_firms_body(
    firm_alive,
    firm_born_step,
    firm_listed,
    firm_employees,
    firm_cash_mcny,
    firm_revenue_mcny,
    firm_in_enclave,
    firm_county,
    capital_pool_mcny,
    firm_debt_mcny,
    capital_loans_mcny,
    capital_losses_mcny,
    capital_returns_mcny,
    firm_lead_fund,
    firm_fund_stake_mcny,
    firm_co_fund,
    firm_co_stake_mcny,
    firm_platform,
    prm,
    bank_of_county,
    seed,
    step,
    flows,
):
    """Compiled body of :func:`exit_firms`."""
    closed = 0
    left = 0
    for f in range(len(firm_alive)):
        if not firm_alive[f]:
            continue
        hazard = exit_hazard(step - firm_born_step[f], firm_employees[f], firm_listed[f], prm)
        insolvent = firm_cash_mcny[f] < -prm.insolvency_cash_quarters * firm_revenue_mcny[f] - 0.5
        unlucky = uniform(seed, step, STREAM_EXIT, f, 0) < hazard
        moves = firm_in_enclave[f] and (
            uniform(seed, step, STREAM_EXIT, f, 1) < prm.enclave_relocation_per_q
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
            # and, as it repays the loan, it buys its funds out at book value: the funds are
            # not left holding stakes in a firm the region no longer has (the money comes from
            # outside the region, like the loan repayment)
            for k, stake in (
                (firm_lead_fund[f], firm_fund_stake_mcny[f]),
                (firm_co_fund[f], firm_co_stake_mcny[f]),
            ):
                if k >= 0:
                    capital_pool_mcny[k] += stake
                    capital_returns_mcny[k] += stake
                    flows[SINK_FIRMS_LEAVING] -= stake
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


def graduate_firms(firms, counties, p, step):
    """Incubated firms that reached the age or revenue limit leave the incubator."""
    return _graduate_firms_body(
        firms.alive,
        firms.incubated,
        firms.born_step,
        firms.revenue_mcny,
        firms.platform,
        counties.graduates_q,
        firms.county,
        p.incubation_max_q,
        p.graduation_revenue_mcny_per_q,
        step,
    )


@njit(cache=True)
def _graduate_firms_body(
    firm_alive,
    firm_incubated,
    firm_born_step,
    firm_revenue_mcny,
    firm_platform,
    county_graduates_q,
    firm_county,
    prm_incubation_max_q,
    prm_graduation_revenue_mcny_per_q,
    step,
):
    """Compiled body of :func:`graduate_firms`."""
    for f in range(len(firm_alive)):
        if not (firm_alive[f] and firm_incubated[f]):
            continue
        age = step - firm_born_step[f]
        if age >= prm_incubation_max_q or firm_revenue_mcny[f] >= prm_graduation_revenue_mcny_per_q:
            firm_incubated[f] = False
            firm_platform[f] = -1
            county_graduates_q[firm_county[f]] += 1


def count_entries(firms, platforms, talent, n_counties, p, seed, step):
    """Draw the number of start-ups of each county and each incubator.

    Returns
    -------
    county_startups : (n_counties,) int64
        Background and spin-off start-ups.
    incubator_startups : (n_platforms,) int64
        Start-ups each incubator takes in.
    """
    return _count_entries_body(
        talent.alive,
        talent.tier,
        talent.employer_firm,
        talent.county,
        platforms.alive,
        platforms.kind,
        platforms.capacity,
        platforms.tenants,
        platforms.quality,
        p.background_startups_per_county_per_q,
        p.firm_scale,
        p.spinoff_startups_per_senior_per_q,
        p.incubation_startups_per_q,
        p.platform_quality_half,
        n_counties,
        seed,
        step,
    )


@njit(cache=True)
def _count_entries_body(
    talent_alive,
    talent_tier,
    talent_employer_firm,
    talent_county,
    platform_alive,
    platform_kind,
    platform_capacity,
    platform_tenants,
    platform_quality,
    prm_background_startups_per_county_per_q,
    prm_firm_scale,
    prm_spinoff_startups_per_senior_per_q,
    prm_incubation_startups_per_q,
    prm_platform_quality_half,
    n_counties,
    seed,
    step,
):
    """Compiled body of :func:`count_entries`."""
    seniors = np.zeros(n_counties, dtype=np.float64)
    for i in range(len(talent_alive)):
        if talent_alive[i] and talent_tier[i] != TIER_RD_STAFF and talent_employer_firm[i] >= 0:
            c = talent_county[i]
            if c >= 0:
                seniors[c] += 1.0
    county_startups = np.zeros(n_counties, dtype=np.int64)
    for c in range(n_counties):
        lam = (
            prm_background_startups_per_county_per_q * prm_firm_scale
            + prm_spinoff_startups_per_senior_per_q * seniors[c]
        )
        county_startups[c] = poisson(lam, seed, step, STREAM_ENTRY, c, 0)
    incubator_startups = np.zeros(len(platform_alive), dtype=np.int64)
    for k in range(len(platform_alive)):
        if platform_alive[k] and platform_kind[k] == PLATFORM_INCUBATOR:
            free = max(platform_capacity[k] - platform_tenants[k], 0)
            q = platform_quality[k]
            lam = prm_incubation_startups_per_q * free * q / (q + prm_platform_quality_half)
            incubator_startups[k] = poisson(lam, seed, step, STREAM_ENTRY, 1_000_000 + k, 0)
    return county_startups, incubator_startups


#: The parameters :func:`_enter_firms_body` reads (``KernelParams`` fields of the same names).
EntryParams = namedtuple(
    "EntryParams",
    """
    productivity_sigma revenue_per_employee_mcny_per_q startup_cash_mcny
    startup_employees
    """.split(),
)


def entry_params(p):
    """The :data:`EntryParams` of ``KernelParams`` ``p`` (same values and types)."""
    return params_bundle(EntryParams, p)


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

    Every row the start-ups take is first set to the fills declared in ``FIRM_FIELDS``, so a
    start-up keeps nothing of the dead firm that held the row; the kernel then writes only
    what a start-up does not share with an empty row.

    Returns
    -------
    int
        Free slots used.
    """
    n_new = int(county_startups.sum() + incubator_startups.sum())
    fill_rows(firms, FIRM_FIELDS, free_slots[:n_new])
    return _enter_firms_body(
        platforms.county,
        platforms.cell,
        platforms.sector_focus,
        firms.alive,
        firms.sector,
        firms.cell,
        firms.county,
        firms.origin_county,
        firms.born_step,
        firms.employees,
        firms.base_productivity,
        firms.high_tech_share,
        firms.rd_taste,
        firms.cash_mcny,
        firms.platform,
        firms.incubated,
        platforms.tenants,
        counties.startups_q,
        entry_params(p),
        county_startups,
        incubator_startups,
        free_slots,
        county_cells,
        county_cell_offsets,
        county_sector_cdf,
        high_tech_share_mean,
        seed,
        step,
        flows,
    )


@njit(cache=True)
def _enter_firms_body(
    platform_county,
    platform_cell,
    platform_sector_focus,
    firm_alive,
    firm_sector,
    firm_cell,
    firm_county,
    firm_origin_county,
    firm_born_step,
    firm_employees,
    firm_base_productivity,
    firm_high_tech_share,
    firm_rd_taste,
    firm_cash_mcny,
    firm_platform,
    firm_incubated,
    platform_tenants,
    county_startups_q,
    prm,
    county_startups,
    incubator_startups,
    free_slots,
    county_cells,
    county_cell_offsets,
    county_sector_cdf,
    high_tech_share_mean,
    seed,
    step,
    flows,
):
    """Compiled body of :func:`enter_firms`."""
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
            u = uniform(seed, step, STREAM_ENTRY, f, 1)
            lo, hi = county_cell_offsets[c], county_cell_offsets[c + 1]
            new_county[used] = c
            new_cell[used] = county_cells[lo + int(u * (hi - lo))]
            new_sector[used] = -1
            new_incubator[used] = -1
            used += 1
    for k in range(len(incubator_startups)):
        for _ in range(incubator_startups[k]):
            new_county[used] = platform_county[k]
            new_cell[used] = platform_cell[k]
            new_sector[used] = platform_sector_focus[k]
            new_incubator[used] = k
            used += 1
    # write the new firms' own values; every other column already holds its fill
    # (``enter_firms`` reset the rows)
    productivity_sigma = prm.productivity_sigma
    revenue_per_employee = prm.revenue_per_employee_mcny_per_q
    startup_cash = prm.startup_cash_mcny
    for j in range(used):
        f = free_slots[j]
        c = new_county[j]
        sector = new_sector[j]
        sector_cdf = county_sector_cdf[c]
        if sector < 0:
            u = uniform(seed, step, STREAM_ENTRY, f, 2)
            sector = len(sector_cdf) - 1
            for s in range(len(sector_cdf)):
                if u < sector_cdf[s]:
                    sector = s
                    break
        firm_alive[f] = True
        firm_sector[f] = sector
        firm_cell[f] = new_cell[j]
        firm_county[f] = c
        firm_origin_county[f] = c
        firm_born_step[f] = step
        firm_employees[f] = prm.startup_employees
        firm_base_productivity[f] = revenue_per_employee * np.exp(
            productivity_sigma * normal(seed, step, STREAM_ENTRY, f, 3)
            - 0.5 * productivity_sigma**2
        )
        hts = high_tech_share_mean[sector] + 0.15 * normal(seed, step, STREAM_ENTRY, f, 4)
        firm_high_tech_share[f] = min(max(hts, 0.0), 1.0)
        firm_rd_taste[f] = uniform(seed, step, STREAM_ENTRY, f, 5)
        firm_cash_mcny[f] = startup_cash
        flows[SRC_FOUNDER_EQUITY] += startup_cash
        k = new_incubator[j]
        if k >= 0:
            firm_incubated[f] = True
            firm_platform[f] = k
            platform_tenants[k] += 1
        county_startups_q[c] += 1
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
        service_map(platforms, cell_x_km, cell_y_km, p),
        platforms.county,
        open_,
        p.relocation_per_q,
        np.int64(p.platform_candidates),
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
    sm,
    p_county,
    open_,
    relocation_per_q,
    n_candidates,
    seed,
    step,
):
    """:func:`relocate_firms` on plain arrays (firm columns, then ``p_*`` platform columns).

    Firms that cannot move (anchor firms, and those that do not draw a move; both depend
    only on the firm's own state) are dropped before the sort, which keeps the order of the
    others.
    """
    p_anchor_firm = sm.p_anchor_firm
    p_cell = sm.p_cell
    p_tenants = sm.p_tenants
    p_capacity = sm.p_capacity
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
        if uniform(seed, step, STREAM_RELOCATION, f, 0) >= relocation_per_q:
            continue
        movers[n_movers] = f
        n_movers += 1
    movers = movers[:n_movers]
    # firms weigh moves in a hash-key order, like other competing choices
    keys = np.empty(n_movers, dtype=np.float64)
    for j in range(n_movers):
        keys[j] = uniform(seed, step, STREAM_RELOCATION, movers[j], 99)
    movers = sort_by_key(keys, movers)
    for j in range(n_movers):
        f = movers[j]
        current = service_level(f, cell[f], sector[f], platform[f], sm)
        old_platform = platform[f]
        # a move must pay: 1.5 times the current service and at least 0.1 more
        best, best_value = -1, max(1.5 * current, current + 0.1)
        for d in range(n_candidates):
            k = open_[int(uniform(seed, step, STREAM_RELOCATION, f, 1 + d) * len(open_))]
            if p_county[k] == county[f]:
                continue
            if p_tenants[k] >= p_capacity[k]:
                continue
            # the service the firm would get next to platform k
            value = service_level(f, p_cell[k], sector[f], k, sm)
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
