"""Phase 3 — knowledge production, spill-overs on the grid, invention patents.

New knowledge of a firm (a knowledge production function with diminishing returns; Griliches
1979, Jaffe 1986)::

    new = A * E**beta * avg_talent_weight**0.5 * (1 + s_P * services) * (1 + s_X * spill)
          * (1 + link_boost * expert_link)

``E`` is effective R&D input (m CNY): the firm's real R&D, limited by the staff who can
spend it (report §2.3: no research without people), plus the project a voucher buys, which
the platform's staff do with its equipment (report §3.4), so it needs no R&D staff of the
firm (a firm without R&D staff gets the talent weight 1 of the platform's staff).
``services`` is the platform's service level (report §2.4); a firm holding a voucher gets
the better of its own platform's and the voucher platform's (at that platform, no distance
decay). ``spill`` is the saturating share of nearby same-sector
knowledge, computed on the grid with a Gaussian distance decay (Jaffe, Trajtenberg & Henderson
1993; Keller 2002) — aggregate per cell, then a separable blur, never all pairs of firms.
Knowledge depreciates (Hall, Mairesse & Mohnen 2010). Applications are Poisson in new
knowledge; a share is granted after a fixed lag (priors: two to three years).
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np
from numba import njit, prange

from model.kernels.rng import binomial, poisson
from model.kernels.streams import STREAM_KNOWLEDGE

LN2 = np.log(2.0)


def knowledge_by_cell(firms, n_sectors, n_cells):
    """Sum firms' knowledge per sector and cell.

    Returns
    -------
    field : (n_sectors, n_cells) float64
        Knowledge of the live firms of each sector in each cell.
    occupied : (n_sectors, n_cells) bool
        Whether a live firm of the sector sits in the cell: the only places where
        :func:`produce_knowledge` reads the blurred field.
    """
    return _knowledge_by_cell_body(
        firms.alive,
        firms.sector,
        firms.cell,
        firms.knowledge,
        n_sectors,
        n_cells,
    )


@njit(cache=True)
def _knowledge_by_cell_body(firm_alive, firm_sector, firm_cell, firm_knowledge, n_sectors, n_cells):
    """Compiled body of :func:`knowledge_by_cell`."""
    out = np.zeros((n_sectors, n_cells), dtype=np.float64)
    occupied = np.zeros((n_sectors, n_cells), dtype=np.bool_)
    for f in range(len(firm_alive)):
        if firm_alive[f]:
            out[firm_sector[f], firm_cell[f]] += firm_knowledge[f]
            occupied[firm_sector[f], firm_cell[f]] = True
    return out, occupied


def gaussian_blur(field, ny, nx, sigma_cells, wanted=None):
    """Blur each sector's knowledge field with a truncated Gaussian (separable).

    Parameters
    ----------
    field : (n_sectors, ny * nx) float64
    sigma_cells : float
        Standard deviation of the decay in cells.
    wanted : (n_sectors, ny * nx) bool, optional
        Where the result is needed (default: everywhere). Elsewhere the result is 0: the
        engine only reads cells where a firm of the sector sits (``occupied`` of
        :func:`knowledge_by_cell`): 12 % of them on jiaxing-huzhou at firm_scale 1.

    Returns
    -------
    (n_sectors, ny * nx) float64
        Distance-weighted knowledge reachable from each cell (weight 1 at distance 0).
    """
    if wanted is None:
        wanted = np.ones(field.shape, dtype=np.bool_)
    return _gaussian_blur_body(field, wanted, ny, nx, sigma_cells)


@njit(cache=True, parallel=True)
def _gaussian_blur_body(field, wanted, ny, nx, sigma_cells):
    """Compiled body of :func:`gaussian_blur`.

    Rows are blurred by scattering each non-zero cell; columns by gathering, only at wanted
    cells. Both add the terms of a cell in ascending source order, so the result is the same
    to the bit as scattering both passes over the whole grid.
    """
    radius = max(1, int(np.ceil(3.0 * sigma_cells)))
    weights = np.empty(2 * radius + 1, dtype=np.float64)
    for k in range(-radius, radius + 1):
        weights[k + radius] = np.exp(-0.5 * (k / sigma_cells) ** 2)
    n_sectors = field.shape[0]
    tmp = np.zeros_like(field)
    out = np.zeros_like(field)
    for s in prange(n_sectors):
        for r in range(ny):
            for c in range(nx):
                v = field[s, r * nx + c]
                if v == 0.0:
                    continue
                for k in range(max(-radius, -c), min(radius, nx - 1 - c) + 1):
                    tmp[s, r * nx + c + k] += v * weights[k + radius]
        for r in range(ny):
            for c in range(nx):
                if not wanted[s, r * nx + c]:
                    continue
                total = 0.0
                for source in range(max(0, r - radius), min(ny - 1, r + radius) + 1):
                    v = tmp[s, source * nx + c]
                    if v != 0.0:
                        total += v * weights[r - source + radius]
                out[s, r * nx + c] = total
    return out


#: What :func:`service_level` reads: the platform table's columns it needs (``p_*``), the
#: cell centres (km) and the service parameters. A kernel builds one before its loop (from
#: the arrays it already holds) and passes it to every call.
ServiceMap = namedtuple(
    "ServiceMap",
    [
        "p_alive",
        "p_quality",
        "p_equipment_mcny",
        "p_sector_focus",
        "p_anchor_firm",
        "p_cell",
        "p_tenants",
        "p_capacity",
        "cell_x_km",
        "cell_y_km",
        "quality_half_per_tenant",
        "equipment_share",
        "equipment_half_mcny_per_tenant",
        "match_gain",
        "mismatch",
        "anchor_radiation",
        "half_distance_km",
    ],
)


def service_map(platforms, cell_x_km, cell_y_km, p) -> ServiceMap:
    """What :func:`service_level` reads: platform columns, cell centres, service parameters.

    Parameters
    ----------
    platforms : Platforms
        Read only (alive, quality, equipment_mcny, sector_focus, anchor_firm, cell, tenants,
        capacity).
    cell_x_km, cell_y_km : (n_cells,) float64
        Cell centres.
    p : KernelParams
        Reads the platform service parameters.
    """
    return ServiceMap(
        platforms.alive,
        platforms.quality,
        platforms.equipment_mcny,
        platforms.sector_focus,
        platforms.anchor_firm,
        platforms.cell,
        platforms.tenants,
        platforms.capacity,
        cell_x_km,
        cell_y_km,
        p.platform_quality_half_per_tenant,
        p.platform_equipment_service_share,
        p.platform_equipment_half_mcny_per_tenant,
        p.platform_sector_match_gain,
        p.platform_sector_mismatch,
        p.anchor_platform_radiation,
        p.platform_service_half_distance_km,
    )


@njit(cache=True, inline="always")
def service_level(f, cell, sector, pl, sm):
    """Service level in [0, 1] that firm ``f`` at ``cell`` gets from platform ``pl`` (-1: none).

    A platform's staff (quality) and shared equipment are divided among its tenants
    (congestion, report §2.1): the staff part saturates in quality per tenant, the equipment
    part (share ``equipment_share``, report §3.4) in equipment per tenant. A platform focused
    on the firm's sector counts both ``1 + match_gain`` times (report §3.2); one focused on
    another sector serves at ``mismatch``; a single-firm platform radiates little to others
    (report §2.2); service halves every ``half_distance_km``; beyond its capacity a
    platform's places are shared out too (``capacity / tenants``).

    Parameters
    ----------
    f : int
        The firm's row (a platform's anchor firm is not cut by the anchor factor).
    cell, sector : int
        The firm's cell and sector.
    pl : int
        Platform row, -1 for none.
    sm : ServiceMap
        Platform columns, cell centres and service parameters.

    The tenant count is the platform's current one (at least 1): a firm weighing a platform
    it would join counts it without itself.

    ``sm`` holds only the few arrays this needs, never a whole table: numba
    reference-counts every array of a tuple a helper takes, which made the per-firm loops
    about 16 times slower with the ``Platforms`` tuple.
    """
    if pl < 0 or not sm.p_alive[pl]:
        return 0.0
    tenants = sm.p_tenants[pl]
    sharing = max(tenants, 1)
    fit = 1.0
    focus = sm.p_sector_focus[pl]
    if focus >= 0 and focus == sector:
        fit = 1.0 + sm.match_gain
    q = fit * sm.p_quality[pl] / sharing
    e = fit * sm.p_equipment_mcny[pl] / sharing
    staff = q / (q + sm.quality_half_per_tenant)
    equipment = e / (e + sm.equipment_half_mcny_per_tenant)
    level = staff * (1.0 - sm.equipment_share + sm.equipment_share * equipment)
    if focus >= 0 and focus != sector:
        level *= sm.mismatch
    anchor = sm.p_anchor_firm[pl]
    if anchor >= 0 and anchor != f:
        level *= sm.anchor_radiation
    dx = sm.cell_x_km[cell] - sm.cell_x_km[sm.p_cell[pl]]
    dy = sm.cell_y_km[cell] - sm.cell_y_km[sm.p_cell[pl]]
    dist = np.sqrt(dx * dx + dy * dy)
    level *= np.exp(-LN2 * dist / sm.half_distance_km)
    if tenants > sm.p_capacity[pl] > 0:
        level *= sm.p_capacity[pl] / tenants
    return level


def produce_knowledge(
    firms,
    platforms,
    spill_field,
    cell_x_km,
    cell_y_km,
    p,
    seed,
    step,
    wage_index=None,
    price_level=1.0,
):
    """Update knowledge stocks and draw patent applications and grants.

    Parameters
    ----------
    firms : Firms
        Writes ``knowledge``, ``new_knowledge``, ``applications_q``, ``grants_q``,
        ``patents_granted`` and ``patent_pipeline`` (ring buffer indexed by
        ``step % patent_grant_lag_q``).
    platforms : Platforms
        Read only.
    spill_field : (n_sectors, n_cells) float64
        Output of :func:`gaussian_blur`.
    cell_x_km, cell_y_km : (n_cells,) float64
        Cell centres.
    wage_index : (n_counties, 3) float64, optional
        Each county's going wage of each tier over the table wage (``counties.wage_index``;
        default: table wages). A firm's staff can spend on research at most what their wages
        are a share of, at the going wage of the firm's county.
    price_level : float
        Price level of the quarter (``model/sim/prices.py``): R&D money and vouchers are
        deflated by it before they make knowledge, so research effort does not grow with prices.

    A Python function that hands the columns to the compiled loop (see
    ``platforms.choose_platforms``).
    """
    senior = p.senior_share_of_staff
    index = np.ones((1, 3)) if wage_index is None else wage_index
    county_wage = (1.0 - senior) * p.wage_rd_staff_mcny_per_q * index[:, 0] + (
        senior * p.wage_senior_mcny_per_q * index[:, 1]
    )
    # each firm's going staff wage (rows of dead firms read some county's; never used)
    staff_wage = county_wage[np.clip(firms.county, 0, len(county_wage) - 1)]
    # The parallel loop takes plain arrays and scalars: numba (0.68) loses writes made
    # through a namedtuple's arrays inside prange, and parfors take at most 100 arguments.
    _produce_knowledge_loop(
        firms.alive,
        firms.rd_real_mcny,
        firms.voucher_mcny,
        firms.voucher_platform,
        firms.talent_units,
        firms.rd_staff,
        firms.platform,
        firms.sector,
        firms.cell,
        firms.in_enclave,
        firms.expert_link,
        firms.new_knowledge,
        firms.knowledge,
        firms.patent_pipeline,
        firms.applications_q,
        firms.grants_q,
        firms.patents_granted,
        service_map(platforms, cell_x_km, cell_y_km, p),
        spill_field,
        np.int64(step % p.patent_grant_lag_q),
        staff_wage,
        p.rd_staff_share_of_rd,
        p.enclave_hub_knowledge,
        p.spillover_half_knowledge,
        p.knowledge_productivity,
        p.rd_output_elasticity,
        p.platform_service_strength,
        p.spillover_strength,
        p.expert_link_boost,
        1.0 - p.knowledge_depreciation_per_q,
        p.patents_per_knowledge,
        p.patent_grant_probability,
        1.0 / float(price_level),
        np.int64(seed),
        np.int64(step),
    )


@njit(cache=True, parallel=True)
def _produce_knowledge_loop(
    alive,
    rd_real,
    voucher,
    voucher_platform,
    talent_units,
    rd_staff,
    platform,
    sector,
    cell,
    in_enclave,
    expert_link,
    new_knowledge,
    knowledge,
    patent_pipeline,
    applications_q,
    grants_q,
    patents_granted,
    sm,
    spill_field,
    slot,
    staff_wage,
    staff_share,
    hub_knowledge,
    spill_half,
    scale,
    beta,
    service_strength,
    spill_strength,
    link_boost,
    keep,
    patents_per_knowledge,
    grant_probability,
    deflator,
    seed,
    step,
):
    """Per-firm map of :func:`produce_knowledge` on plain arrays.

    Each firm writes only its own row and draws are counter-based, so the result does not
    depend on the number of threads.
    """
    for f in prange(len(alive)):
        if not alive[f]:
            continue
        # new knowledge of firm f this quarter: its own research, limited by its staff, and
        # the voucher's project, done by the platform (its crowding-out of the firm's own
        # money is taken off in rd_decisions)
        new = 0.0
        in_house = 0.0
        weight = 1.0
        if rd_staff[f] > 0:
            in_house = min(rd_real[f], talent_units[f] * staff_wage[f] / staff_share)
            weight = talent_units[f] / rd_staff[f]
        # in base-quarter prices: research effort, not its nominal cost, makes knowledge
        effective = (in_house + voucher[f]) * deflator
        if effective > 0.0:
            services = service_level(f, cell[f], sector[f], platform[f], sm)
            vk = voucher_platform[f]
            if voucher[f] > 0.0 and vk >= 0:
                services = max(services, service_level(f, sm.p_cell[vk], sector[f], vk, sm))
            reach = spill_field[sector[f], cell[f]]
            if in_enclave[f]:
                reach += hub_knowledge
            spill = reach / (reach + spill_half)
            new = (
                scale
                * effective**beta
                * np.sqrt(weight)
                * (1.0 + service_strength * services)
                * (1.0 + spill_strength * spill)
            )
            if expert_link[f]:
                new *= 1.0 + link_boost
        new_knowledge[f] = new
        knowledge[f] = keep * knowledge[f] + new
        applications = poisson(patents_per_knowledge * new, seed, step, STREAM_KNOWLEDGE, f, 0)
        pending = patent_pipeline[f, slot]
        grants = binomial(pending, grant_probability, seed, step, STREAM_KNOWLEDGE, f, 10)
        patent_pipeline[f, slot] = applications
        applications_q[f] = applications
        grants_q[f] = grants
        patents_granted[f] += grants
