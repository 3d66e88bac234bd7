"""Phase 3 — knowledge production, spill-overs on the grid, invention patents.

New knowledge of a firm (a knowledge production function with diminishing returns; Griliches
1979, Jaffe 1986)::

    new = A * E**beta * avg_talent_weight**0.5 * (1 + s_P * services) * (1 + s_X * spill)
          * (1 + link_boost * expert_link)

``E`` is effective R&D input (m CNY): real R&D plus the services vouchers buy, limited
by the staff who can spend it (report §2.3: no research without people). ``services`` is the
platform's service level (report §2.4), ``spill`` the saturating share of nearby same-sector
knowledge, computed on the grid with a Gaussian distance decay (Jaffe, Trajtenberg & Henderson
1993; Keller 2002) — aggregate per cell, then a separable blur, never all pairs of firms.
Knowledge depreciates (Hall, Mairesse & Mohnen 2010). Applications are Poisson in new
knowledge; a share is granted after a fixed lag (priors: two to three years).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from model.kernels.rng import binomial, poisson

PHASE_KNOWLEDGE = 3
LN2 = np.log(2.0)


@njit(cache=True)
def knowledge_by_cell(firms, n_sectors, n_cells):
    """Sum firms' knowledge per sector and cell.

    Returns
    -------
    (n_sectors, n_cells) float64
    """
    out = np.zeros((n_sectors, n_cells), dtype=np.float64)
    for f in range(len(firms.alive)):
        if firms.alive[f]:
            out[firms.sector[f], firms.cell[f]] += firms.knowledge[f]
    return out


@njit(cache=True, parallel=True)
def gaussian_blur(field, ny, nx, sigma_cells):
    """Blur each sector's knowledge field with a truncated Gaussian (separable).

    Parameters
    ----------
    field : (n_sectors, ny * nx) float64
    sigma_cells : float
        Standard deviation of the decay in cells.

    Returns
    -------
    (n_sectors, ny * nx) float64
        Distance-weighted knowledge reachable from each cell (weight 1 at distance 0).
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
                v = tmp[s, r * nx + c]
                if v == 0.0:
                    continue
                for k in range(max(-radius, -r), min(radius, ny - 1 - r) + 1):
                    out[s, (r + k) * nx + c] += v * weights[k + radius]
    return out


@njit(cache=True)
def platform_service(f, firms, platforms, cell_x_km, cell_y_km, p):
    """Service level in [0, 1] that firm ``f`` gets from its platform."""
    return service_level(
        f,
        firms,
        platforms,
        cell_x_km,
        cell_y_km,
        p.platform_quality_half,
        p.platform_sector_mismatch,
        p.anchor_platform_radiation,
        p.platform_service_half_distance_km,
    )


@njit(cache=True)
def service_level(
    f,
    firms,
    platforms,
    cell_x_km,
    cell_y_km,
    quality_half,
    mismatch,
    anchor_radiation,
    half_distance_km,
):
    """Service level in [0, 1] that firm ``f`` gets from its platform (scalar parameters)."""
    pl = firms.platform[f]
    if pl < 0 or not platforms.alive[pl]:
        return 0.0
    q = platforms.quality[pl]
    level = q / (q + quality_half)
    focus = platforms.sector_focus[pl]
    if focus >= 0 and focus != firms.sector[f]:
        level *= mismatch
    anchor = platforms.anchor_firm[pl]
    if anchor >= 0 and anchor != f:
        level *= anchor_radiation
    dx = cell_x_km[firms.cell[f]] - cell_x_km[platforms.cell[pl]]
    dy = cell_y_km[firms.cell[f]] - cell_y_km[platforms.cell[pl]]
    dist = np.sqrt(dx * dx + dy * dy)
    level *= np.exp(-LN2 * dist / half_distance_km)
    tenants = platforms.tenants[pl]
    if tenants > platforms.capacity[pl] > 0:
        level *= platforms.capacity[pl] / tenants
    return level


@njit(cache=True)
def produce_knowledge(firms, platforms, spill_field, cell_x_km, cell_y_km, p, seed, step):
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
    """
    slot = step % p.patent_grant_lag_q
    avg_wage = (
        1.0 - p.senior_share_of_staff
    ) * p.wage_rd_staff_mcny_per_q + p.senior_share_of_staff * p.wage_senior_mcny_per_q
    # parallel regions take scalars, not the long parameter tuple
    voucher_additional = 1.0  # crowding-out is taken off the firm's own R&D (rd_decisions)
    staff_share = p.rd_staff_share_of_rd
    quality_half = p.platform_quality_half
    mismatch = p.platform_sector_mismatch
    anchor_radiation = p.anchor_platform_radiation
    service_half_km = p.platform_service_half_distance_km
    hub_knowledge = p.enclave_hub_knowledge
    spill_half = p.spillover_half_knowledge
    scale = p.knowledge_productivity
    beta = p.rd_output_elasticity
    service_strength = p.platform_service_strength
    spill_strength = p.spillover_strength
    link_boost = p.expert_link_boost
    keep = 1.0 - p.knowledge_depreciation_per_q
    patents_per_knowledge = p.patents_per_knowledge
    grant_probability = p.patent_grant_probability
    for f in range(len(firms.alive)):
        if not firms.alive[f]:
            continue
        new = _new_knowledge(
            firms,
            f,
            platforms,
            spill_field,
            cell_x_km,
            cell_y_km,
            avg_wage,
            voucher_additional,
            staff_share,
            quality_half,
            mismatch,
            anchor_radiation,
            service_half_km,
            hub_knowledge,
            spill_half,
            scale,
            beta,
            service_strength,
            spill_strength,
            link_boost,
        )
        firms.new_knowledge[f] = new
        firms.knowledge[f] = keep * firms.knowledge[f] + new
        applications = poisson(patents_per_knowledge * new, seed, step, PHASE_KNOWLEDGE, f, 0)
        pending = firms.patent_pipeline[f, slot]
        grants = binomial(pending, grant_probability, seed, step, PHASE_KNOWLEDGE, f, 10)
        firms.patent_pipeline[f, slot] = applications
        firms.applications_q[f] = applications
        firms.grants_q[f] = grants
        firms.patents_granted[f] += grants


@njit(cache=True)
def _new_knowledge(
    firms,
    f,
    platforms,
    spill_field,
    cell_x_km,
    cell_y_km,
    avg_wage,
    voucher_additional,
    staff_share,
    quality_half,
    mismatch,
    anchor_radiation,
    service_half_km,
    hub_knowledge,
    spill_half,
    scale,
    beta,
    service_strength,
    spill_strength,
    link_boost,
):
    """New knowledge of firm ``f`` this quarter ."""
    effective = firms.rd_real_mcny[f] + voucher_additional * firms.voucher_mcny[f]
    staff_capacity = firms.talent_units[f] * avg_wage / staff_share
    effective = min(effective, staff_capacity)
    if effective <= 0.0 or firms.rd_staff[f] <= 0:
        return 0.0
    weight = firms.talent_units[f] / firms.rd_staff[f]
    services = service_level(
        f,
        firms,
        platforms,
        cell_x_km,
        cell_y_km,
        quality_half,
        mismatch,
        anchor_radiation,
        service_half_km,
    )
    reach = spill_field[firms.sector[f], firms.cell[f]]
    if firms.in_enclave[f]:
        reach += hub_knowledge
    spill = reach / (reach + spill_half)
    new = (
        scale
        * effective**beta
        * np.sqrt(weight)
        * (1.0 + service_strength * services)
        * (1.0 + spill_strength * spill)
    )
    if firms.expert_link[f]:
        new *= 1.0 + link_boost
    return new
