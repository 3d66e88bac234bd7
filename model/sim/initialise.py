"""Initial state: populate firms, platforms, talent, capital and counties from a region.

Initial draws use a numpy ``Generator`` seeded from the run's seed (a stream is fine here:
initialisation runs once, serially). The engine then runs a burn-in of a few simulated years
before quarter 0, so that knowledge stocks, patent pipelines, certificates, staff and platform
quality start from a lived-in state rather than from zero.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.params.table import Parameters
from model.sim.region import Region
from model.sim.sectors import N_SECTORS, SECTORS, TRADITIONAL
from model.sim.state import (
    CAPITAL_GUIDANCE,
    CAPITAL_MARKET_VC,
    CAPITAL_MOTHER,
    CAPITAL_TECH_BANK,
    PLATFORM_COMPLEX,
    PLATFORM_INCUBATOR,
    TIER_EXPERT,
    TIER_RD_STAFF,
    TIER_SENIOR,
    Table,
    new_capital,
    new_counties,
    new_firms,
    new_platforms,
    new_talent,
)

#: Mean share of high-tech products in revenue, by sector (assumption: emerging sectors are
#: mostly high-tech products, traditional manufacturing mostly not).
HIGH_TECH_SHARE_MEAN = np.array([0.7 if s.high_tech else 0.2 for s in SECTORS])
#: Share of hub talent that are experts (assumption).
HUB_EXPERT_SHARE_DEFAULT = 0.05


@dataclass
class InitialState:
    """Everything :class:`model.sim.engine.Simulation` needs to start.

    Attributes
    ----------
    firms, platforms, talent, capital, counties : Table
    province : (1,) float64
    county_sector_cdf : (n_counties, n_sectors) float64
    hub_sector_cdf : (n_hubs, n_sectors) float64
    hub_expert_share : (n_hubs,) float64
    hub_initial : (n_hubs,) float64
    bank_of_county, market_vc_of_county, guidance_of_county : (n_counties,) int64
        Rows of each county's tech bank, market venture fund and guidance fund in ``capital``.
    """

    firms: Table
    platforms: Table
    talent: Table
    capital: Table
    counties: Table
    province: np.ndarray
    county_sector_cdf: np.ndarray
    hub_sector_cdf: np.ndarray
    hub_expert_share: np.ndarray
    hub_initial: np.ndarray
    bank_of_county: np.ndarray
    market_vc_of_county: np.ndarray
    guidance_of_county: np.ndarray


def _cells_near_seed(
    region: Region, county_id: int, n: int, rng: np.random.Generator, scale_km: float = 8.0
) -> np.ndarray:
    """Draw ``n`` cells of a county, denser near its seed point (towns cluster)."""
    cells = region.county_cells(county_id)
    x, y = region.cell_xy_km()
    seed_xy = region.seed_xy_km()[county_id]
    d = np.hypot(x[cells] - seed_xy[0], y[cells] - seed_xy[1])
    w = np.exp(-d / scale_km) + 0.05
    return rng.choice(cells, size=n, p=w / w.sum())


def _draw_sectors(u: np.ndarray, group: np.ndarray, cdf: np.ndarray) -> np.ndarray:
    """Sector of each agent: the number of ``cdf[group]`` entries below its uniform ``u``.

    Agents come in runs of one group (they are laid out county by county), so each run is
    compared with its group's row; materialising ``cdf[group]`` for millions of agents cost
    seconds of memory traffic at 1M firms.
    """
    out = np.empty(len(u), dtype=np.int64)
    bounds = np.concatenate([[0], np.flatnonzero(np.diff(group)) + 1, [len(u)]])
    for lo, hi in zip(bounds[:-1], bounds[1:], strict=True):
        if hi > lo:
            out[lo:hi] = (u[lo:hi, None] > cdf[group[lo]]).sum(axis=1)
    return out.clip(0, N_SECTORS - 1)


def initial_state(region: Region, params: Parameters, seed: int) -> InitialState:
    """Build the initial populations of ``region``.

    Parameters
    ----------
    region : Region
    params : Parameters
    seed : int
        Seed of the run (the same as the kernels' counter-based generator).
    """
    rng = np.random.default_rng([seed, 0x1A17])
    p = params
    scale = p.firm_scale
    n_counties = region.n_counties
    shares = np.array([c.sector_shares for c in region.counties])
    county_sector_cdf = np.cumsum(shares, axis=1)
    county_sector_cdf[:, -1] = 1.0

    # --- firms ---------------------------------------------------------------------------
    n_firms_by_county = np.array([max(1, round(c.firms * scale)) for c in region.counties])
    n_firms = int(n_firms_by_county.sum())
    firms = new_firms(max(64, int(n_firms * 1.5)))
    county = np.repeat(np.arange(n_counties), n_firms_by_county)
    u = rng.random(n_firms)
    sector = _draw_sectors(u, county, county_sector_cdf)
    cells = np.concatenate(
        [_cells_near_seed(region, c, n_firms_by_county[c], rng) for c in range(n_counties)]
    )
    employees = p.firm_employees_median * np.exp(
        p.firm_employees_sigma * rng.standard_normal(n_firms)
    )
    employees = np.maximum(employees, 5.0)
    productivity = p.revenue_per_employee_mcny_per_q * np.exp(
        p.productivity_sigma * rng.standard_normal(n_firms) - 0.5 * p.productivity_sigma**2
    )
    hts = np.clip(HIGH_TECH_SHARE_MEAN[sector] + 0.15 * rng.standard_normal(n_firms), 0, 1)
    a = firms.arrays
    a["alive"][:n_firms] = True
    a["sector"][:n_firms] = sector
    a["cell"][:n_firms] = cells
    a["county"][:n_firms] = county
    a["origin_county"][:n_firms] = county
    a["born_step"][:n_firms] = -(rng.integers(12, 120, n_firms)) - 12
    a["employees"][:n_firms] = employees
    a["base_productivity"][:n_firms] = productivity
    a["high_tech_share"][:n_firms] = hts
    a["rd_taste"][:n_firms] = rng.random(n_firms)
    revenue = productivity * employees
    a["revenue_mcny"][:n_firms] = revenue
    a["cash_mcny"][:n_firms] = 0.5 * revenue
    # a first guess of knowledge near its steady state, refined by the burn-in
    emerging = sector != TRADITIONAL
    participation = np.where(emerging, p.rd_participation_emerging, p.rd_participation_traditional)
    intensity = np.where(emerging, p.rd_intensity_emerging, p.rd_intensity_traditional)
    doing = a["rd_taste"][:n_firms] < participation
    rd_guess = np.where(doing, intensity * (1 - p.short_termism) * revenue, 0.0)
    a["knowledge"][:n_firms] = (
        p.knowledge_productivity * rd_guess**p.rd_output_elasticity / p.knowledge_depreciation_per_q
    )
    a["patents_granted"][:n_firms] = rng.poisson(0.1 * a["knowledge"][:n_firms])
    # firms already on the capital market (report §1.4): in each county the largest firms by
    # revenue are listed, the next largest quoted on an equity board (a listed firm also counts
    # as quoted, as one that lists in the run does); no random draw, so the other draws keep
    # their values
    start = 0
    for c in range(n_counties):
        n_c = int(n_firms_by_county[c])
        by_size = start + np.argsort(-revenue[start : start + n_c], kind="stable")
        n_listed = min(round(p.initial_listed_share * n_c), n_c)
        n_quoted = min(n_listed + round(p.initial_quoted_share * n_c), n_c)
        a["listed"][by_size[:n_listed]] = True
        a["quoted"][by_size[:n_quoted]] = True
        start += n_c

    # --- platforms -----------------------------------------------------------------------
    n_plat_by_county = np.array([max(1, round(c.platforms * scale)) for c in region.counties])
    n_plat = int(n_plat_by_county.sum())
    platforms = new_platforms(max(16, n_plat))
    pcounty = np.repeat(np.arange(n_counties), n_plat_by_county)
    pa = platforms.arrays
    pa["alive"][:n_plat] = True
    pa["county"][:n_plat] = pcounty
    kind_u = rng.random(n_plat)
    kind = np.where(
        kind_u < p.incubator_share,
        PLATFORM_INCUBATOR,
        1 + rng.integers(0, PLATFORM_COMPLEX, n_plat),
    )
    pa["kind"][:n_plat] = kind
    level_u = rng.random(n_plat)
    pa["level"][:n_plat] = np.where(level_u < 0.03, 2, np.where(level_u < 0.15, 1, 0))
    # homogeneous positioning (report §2.1): foci drawn from the county's own sector mix,
    # so platforms of one county overlap; about half are general
    focus_u = rng.random(n_plat)
    focus = _draw_sectors(focus_u, pcounty, county_sector_cdf)
    focus = np.where((focus == TRADITIONAL) | (rng.random(n_plat) < 0.5), -1, focus)
    pa["sector_focus"][:n_plat] = focus
    pa["cell"][:n_plat] = np.concatenate(
        [
            _cells_near_seed(region, c, n_plat_by_county[c], rng, scale_km=6.0)
            for c in range(n_counties)
        ]
    )
    pa["capacity"][:n_plat] = p.platform_min_capacity + rng.integers(
        0, 2 * p.platform_min_capacity, n_plat
    )
    pa["quality"][:n_plat] = 3.0 * rng.uniform(0.5, 1.5, n_plat) * (1 + pa["level"][:n_plat])
    # single-firm platforms (report §2.2): an R&D-doing firm of the county anchors them
    anchored = (rng.random(n_plat) < p.anchor_platform_share) & (kind != PLATFORM_INCUBATOR)
    doers = np.flatnonzero(doing)
    doers_by_county = np.split(doers, np.searchsorted(county[doers], np.arange(1, n_counties)))
    for k in np.flatnonzero(anchored):
        candidates = doers_by_county[pcounty[k]]
        if len(candidates) == 0:
            continue
        f = int(rng.choice(candidates))
        if a["platform"][f] >= 0:
            continue
        pa["anchor_firm"][k] = f
        pa["sector_focus"][k] = sector[f]
        pa["cell"][k] = cells[f]
        pa["capacity"][k] = max(2, p.platform_min_capacity // 4)
        a["platform"][f] = k

    # --- talent --------------------------------------------------------------------------
    staff = np.array([round(c.rd_staff * scale) for c in region.counties])
    experts = np.array([round(c.experts * scale) for c in region.counties])
    hub_staff = np.array([round(h.rd_staff * scale) for h in region.hubs])
    hub_experts = np.array([round(h.experts * scale) for h in region.hubs])
    n_talent = int(staff.sum() + experts.sum() + hub_staff.sum() + hub_experts.sum())
    talent = new_talent(max(64, int(n_talent * 1.3)))
    ta = talent.arrays
    tcounty = np.concatenate(
        [
            np.repeat(np.arange(n_counties), staff + experts),
            np.full(int(hub_staff.sum() + hub_experts.sum()), -1),
        ]
    )
    thub = np.concatenate(
        [
            np.full(int(staff.sum() + experts.sum()), -1),
            np.repeat(np.arange(region.n_hubs), hub_staff + hub_experts),
        ]
    )
    tier = []
    for c in range(n_counties):
        senior = rng.random(staff[c]) < p.senior_share_of_staff
        tier.append(np.where(senior, TIER_SENIOR, TIER_RD_STAFF))
        tier.append(np.full(experts[c], TIER_EXPERT))
    for h in range(region.n_hubs):
        senior = rng.random(hub_staff[h]) < p.senior_share_of_staff
        tier.append(np.where(senior, TIER_SENIOR, TIER_RD_STAFF))
        tier.append(np.full(hub_experts[h], TIER_EXPERT))
    tier = np.concatenate(tier) if tier else np.zeros(0, dtype=np.int8)
    hub_sector_cdf = np.tile(np.cumsum(shares.mean(axis=0)), (region.n_hubs, 1))
    hub_sector_cdf[:, -1] = 1.0
    tu = rng.random(n_talent)
    # county talent draws from its county's mix, hub talent from the hub's
    tgroup = np.where(tcounty >= 0, tcounty, n_counties + np.maximum(thub, 0))
    tsector = _draw_sectors(tu, tgroup, np.vstack([county_sector_cdf, hub_sector_cdf]))
    ta["alive"][:n_talent] = True
    ta["tier"][:n_talent] = tier
    ta["sector"][:n_talent] = tsector
    ta["county"][:n_talent] = tcounty
    ta["hub"][:n_talent] = thub
    hub_initial = (hub_staff + hub_experts).astype(np.float64)
    hub_expert_share = np.where(
        hub_initial > 0, hub_experts / np.maximum(hub_initial, 1), HUB_EXPERT_SHARE_DEFAULT
    )

    # --- capital: per county a guidance fund, a market venture fund and a tech bank; one
    # regional mother fund (report §1.4) --------------------------------------------------
    capital = new_capital(3 * n_counties + 1)
    ca = capital.arrays
    bank_of_county = np.zeros(n_counties, dtype=np.int64)
    guidance_of_county = np.zeros(n_counties, dtype=np.int64)
    market_vc_of_county = np.zeros(n_counties, dtype=np.int64)
    for c in range(n_counties):
        g, m, b = 3 * c, 3 * c + 1, 3 * c + 2
        ca["alive"][[g, m, b]] = True
        ca["county"][[g, m, b]] = c
        ca["kind"][g], ca["kind"][m], ca["kind"][b] = (
            CAPITAL_GUIDANCE,
            CAPITAL_MARKET_VC,
            CAPITAL_TECH_BANK,
        )
        # a county's own pools where the report gives them (status quo, region file)
        county = region.counties[c]
        guidance_mcny = p.guidance_fund_mcny
        if county.guidance_fund_mcny is not None:
            guidance_mcny = county.guidance_fund_mcny
        bank_mcny = p.tech_bank_pool_mcny
        if county.tech_bank_pool_mcny is not None:
            bank_mcny = county.tech_bank_pool_mcny
        ca["pool_mcny"][g] = guidance_mcny * scale
        ca["threshold"][g] = p.guidance_threshold
        ca["leverage"][g] = p.guidance_leverage
        ca["pool_mcny"][m] = p.market_vc_mcny * scale
        ca["threshold"][m] = p.market_vc_threshold
        ca["pool_mcny"][b] = bank_mcny * scale
        bank_of_county[c] = b
        guidance_of_county[c] = g
        market_vc_of_county[c] = m
    mother = 3 * n_counties
    ca["alive"][mother] = True
    ca["kind"][mother] = CAPITAL_MOTHER
    ca["pool_mcny"][mother] = p.mother_fund_mcny * scale
    ca["threshold"][mother] = p.market_vc_threshold
    ca["leverage"][mother] = p.mother_fund_leverage

    # --- counties ------------------------------------------------------------------------
    counties = new_counties(n_counties)
    co = counties.arrays
    co["rd_staff_initial"][:] = staff + experts
    co["enclave_hub"][:] = [c.enclave_hub for c in region.counties]
    co["equity_board"][:] = [c.equity_board for c in region.counties]
    co["cto_firms"][:] = [c.cto_firms for c in region.counties]
    seeds = region.seed_xy_km()
    co["seat_cell"][:] = region.cell_of_xy_km(seeds[:, 0], seeds[:, 1])
    province = np.zeros(1, dtype=np.float64)
    return InitialState(
        firms,
        platforms,
        talent,
        capital,
        counties,
        province,
        county_sector_cdf,
        hub_sector_cdf,
        hub_expert_share,
        hub_initial,
        bank_of_county,
        market_vc_of_county,
        guidance_of_county,
    )
