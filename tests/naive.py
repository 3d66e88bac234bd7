"""Slow, obvious reference implementations of the numba kernels (no numba here).

Each function restates a kernel's documented behaviour (its docstring, the module docstring
and the ODD sketch in design.md) as plain Python loops over agents, one formula per line, so
a reader can check it against the text. Tests compare the kernels against these on small
inputs. Where a kernel draws random numbers, the reference calls the same counter-based
generator functions (they are callable from Python) at the documented coordinates.

Tables are passed as ``dict[str, numpy.ndarray]`` (``Table.arrays``); references never write
to their inputs and return what the kernel should have written.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from model.kernels import rng
from model.sim.state import CAPITAL_GUIDANCE, CAPITAL_TECH_BANK

TRADITIONAL_SECTOR = 6
TIER_WEIGHT_RD_STAFF = 1.0


# ---------------------------------------------------------------------------------------------
# grouping and the grid


def group_index(keys, mask, n_groups) -> list[list[int]]:
    """Agent ids of each group, ascending; keys outside [0, n_groups) are left out."""
    groups: list[list[int]] = [[] for _ in range(n_groups)]
    for i, key in enumerate(keys):
        if mask[i] and 0 <= key < n_groups:
            groups[int(key)].append(i)
    return groups


def knowledge_by_cell(firms: Mapping[str, np.ndarray], n_sectors: int, n_cells: int):
    """Sum of live firms' knowledge per (sector, cell)."""
    out = np.zeros((n_sectors, n_cells))
    for f in range(len(firms["alive"])):
        if firms["alive"][f]:
            out[firms["sector"][f], firms["cell"][f]] += firms["knowledge"][f]
    return out


def gaussian_blur(field, ny: int, nx: int, sigma_cells: float):
    """Brute force over all pairs of cells of each sector.

    Weight of a source cell ``dr`` rows and ``dc`` columns away is
    ``exp(-dr**2 / (2 sigma**2)) * exp(-dc**2 / (2 sigma**2))`` (1 at distance 0), zero
    when ``|dr|`` or ``|dc|`` exceeds the truncation radius ``max(1, ceil(3 sigma))``; cells
    outside the raster contribute nothing.
    """
    radius = max(1, math.ceil(3.0 * sigma_cells))
    n_sectors = field.shape[0]
    out = np.zeros_like(field, dtype=np.float64)
    for s in range(n_sectors):
        for r in range(ny):
            for c in range(nx):
                total = 0.0
                for r2 in range(ny):
                    for c2 in range(nx):
                        dr, dc = r2 - r, c2 - c
                        if abs(dr) > radius or abs(dc) > radius:
                            continue
                        w = math.exp(-0.5 * (dr / sigma_cells) ** 2) * math.exp(
                            -0.5 * (dc / sigma_cells) ** 2
                        )
                        total += w * field[s, r2 * nx + c2]
                out[s, r * nx + c] = total
    return out


# ---------------------------------------------------------------------------------------------
# certification rules (report digest §4; S&T SME evaluation rules as documented)


def hte_rd_threshold(annual_revenue: float) -> float:
    """5% up to and including 50 m CNY, 4% up to and including 200 m, 3% above 200 m."""
    if annual_revenue <= 50.0:
        return 0.05
    if annual_revenue <= 200.0:
        return 0.04
    return 0.03


def hte_eligible(revenue, rd, st_staff, employees, patents, high_tech_share) -> bool:
    """Every high-tech enterprise criterion at once."""
    if revenue <= 0 or employees <= 0:
        return False
    rd_ok = rd >= hte_rd_threshold(revenue) * revenue
    staff_ok = st_staff >= 0.10 * employees
    ip_ok = patents >= 1
    products_ok = high_tech_share >= 0.6
    return rd_ok and staff_ok and ip_ok and products_ok


def _band_points(value: float, bands: list[tuple[float, int]]) -> int:
    for lower, points in bands:
        if value >= lower:
            return points
    return 0


def st_sme_score(revenue, rd, st_staff, employees, patents) -> int:
    """Staff share (up to 20), R&D intensity (up to 50), IP (30)."""
    share = st_staff / employees if employees > 0 else 0.0
    staff_points = _band_points(share, [(0.30, 20), (0.25, 16), (0.20, 12), (0.15, 8), (0.10, 4)])
    if revenue > 0:
        intensity = rd / revenue
    else:
        intensity = 1.0 if rd > 0 else 0.0
    rd_points = _band_points(
        intensity, [(0.06, 50), (0.05, 40), (0.04, 30), (0.03, 20), (0.02, 10)]
    )
    ip_points = 30 if patents >= 1 else 0
    return staff_points + rd_points + ip_points


def st_sme_eligible(revenue, rd, st_staff, employees, patents, is_hte) -> bool:
    """Small enough (<= 500 employees, <= 200 m CNY), and certified high-tech, or >= 60 points
    with a non-zero S&T staff score (at least 10% S&T staff)."""
    if employees > 500 or revenue > 200:
        return False
    if is_hte:
        return True
    staff_ok = employees > 0 and st_staff >= 0.10 * employees
    return staff_ok and st_sme_score(revenue, rd, st_staff, employees, patents) >= 60


def certify(firms: Mapping[str, np.ndarray], step: int) -> dict[str, np.ndarray]:
    """Yearly check of every live firm on the year's revenue and reported R&D.

    A certificate covers the 12 quarters after the year-end check. A firm whose certificate
    does not cover the next quarter is (re)checked; if it meets the criteria it is certified
    for the next 12 quarters, and counted as new only if it held no certificate this quarter.
    S&T SME status is re-evaluated for everyone; yearly accumulators are reset.
    """
    out = {k: firms[k].copy() for k in ("hte_until_step", "st_sme", "revenue_year_mcny")}
    out["rd_reported_year_mcny"] = firms["rd_reported_year_mcny"].copy()
    out["new"] = np.zeros(len(firms["alive"]), dtype=bool)
    for f in range(len(firms["alive"])):
        if not firms["alive"][f]:
            continue
        revenue = firms["revenue_year_mcny"][f]
        rd = firms["rd_reported_year_mcny"][f]
        staff, employees = firms["rd_staff"][f], firms["employees"][f]
        patents, share = firms["patents_granted"][f], firms["high_tech_share"][f]
        holds_certificate = firms["hte_until_step"][f] > step
        covers_next_quarter = firms["hte_until_step"][f] > step + 1
        passes = (not covers_next_quarter) and hte_eligible(
            revenue, rd, staff, employees, patents, share
        )
        if passes:
            out["hte_until_step"][f] = step + 13  # valid in quarters step+1 .. step+12
        out["new"][f] = passes and not holds_certificate
        out["st_sme"][f] = st_sme_eligible(
            revenue, rd, staff, employees, patents, covers_next_quarter or passes
        )
        out["revenue_year_mcny"][f] = 0.0
        out["rd_reported_year_mcny"][f] = 0.0
    return out


# ---------------------------------------------------------------------------------------------
# phase 2: R&D decisions


def average_staff_wage(p, wage_index=(1.0, 1.0, 1.0)) -> float:
    """Mean quarterly wage of new S&T staff (R&D staff and senior engineers), at a county's
    going wages (``wage_index``: the county's index of each tier)."""
    senior = p.senior_share_of_staff
    return (1 - senior) * p.wage_rd_staff_mcny_per_q * wage_index[0] + (
        senior * p.wage_senior_mcny_per_q * wage_index[1]
    )


def rd_decisions(
    firms: Mapping[str, np.ndarray], p, step: int, policy_on: bool = False
) -> dict[str, np.ndarray]:
    """Real and reported R&D and staff budget of every live firm (see the module docstring).

    * Planned R&D is ``intensity x depth x (1 - short_termism) x revenue`` (intensity times
      ``rd_intensity_young_multiple`` for firms younger than 12 quarters), with
      ``depth = max(0.5 + (participation - taste) / participation, 0.5)``.
    * The firm's user cost is the B-index ``(1 - t(1 + s) - e) / (1 - t)``: t its own CIT
      rate (15% when certified), s the super-deduction, e the ex-post patent subsidy it
      expects per m CNY (policy on only): subsidy per patent x applications per knowledge x
      grant probability x knowledge per m CNY at its planned R&D (at least the fixed cost),
      i.e. ``A x R&D**(beta - 1)``; floored at 0.05. ``cost_scale`` = (user cost / 0.75) to
      the elasticity, 0.75 being the B-index of a 25%-taxed firm under the 2018 rules.
      Desired = planned x cost_scale.
    * It does R&D if incubated, or if taste < participation x cost_scale x (1 + K / K_ref)
      to the productivity elasticity and desired R&D reaches the fixed cost, both with a
      margin of (1 - rd_start_hurdle) when it did no own R&D last quarter (last quarter's
      real R&D not above its grant). Otherwise it does only what its grant pays for.
    * An incubated firm with revenue under 1 m CNY wants at least 8% of its cash.
    * The notch: a firm not certified for the next year, with 60% high-tech products, S&T staff
      at least 80% of the 10% criterion and at least one patent (granted or applied), whose
      desired intensity lies in ``[threshold x (1 - window), threshold)`` (threshold: the band
      of 4 x quarterly revenue, plus a 2% margin) reports the threshold when the CIT saving
      on its profit (plus a quarter of the county's certification bonus, when policy rules are
      on), counted ``notch_saving_weight`` times, beats the after-tax cost of the real rise;
      of the reported threshold,
      ``relabel_share`` is relabelled, or only the gap if its own R&D was closer.
    * Grants and vouchers crowd out part of the firm's own money; a voucher's project adds
      ``voucher_copay_share`` of the voucher to it; own money is capped by last quarter's cash
      flow before R&D (profit + last real R&D, if positive) plus ``rd_cash_share_max`` of
      cash. Real R&D = own + grant. A firm that does not do R&D spends what its grant pays for
      and a voucher's co-payment (capped the same way).
    """
    n = len(firms["alive"])
    real = firms["rd_real_mcny"].copy()
    reported = firms["rd_reported_mcny"].copy()
    budget = firms["staff_budget_mcny"].copy()
    yearly_bonus = p.hte_certification_bonus_mcny if policy_on else 0.0
    per_patent = p.rd_grant_expost_per_patent_mcny if policy_on else 0.0
    b_index_2018 = (1 - 0.25 - 0.25 * 0.75) / (1 - 0.25)
    for f in range(n):
        if not firms["alive"][f]:
            continue
        traditional = firms["sector"][f] == TRADITIONAL_SECTOR
        participation = (
            p.rd_participation_traditional if traditional else p.rd_participation_emerging
        )
        intensity = p.rd_intensity_traditional if traditional else p.rd_intensity_emerging
        if step - firms["born_step"][f] < 12:
            intensity = intensity * p.rd_intensity_young_multiple
        taste = firms["rd_taste"][f]
        incubated = bool(firms["incubated"][f])
        grant = firms["grant_mcny"][f]
        voucher = firms["voucher_mcny"][f]
        revenue = firms["revenue_mcny"][f]
        cash = firms["cash_mcny"][f]
        last_real = firms["rd_real_mcny"][f]
        own_last_quarter = last_real > firms["rd_grant_funded_mcny"][f] + 1e-12
        depth = max(0.5 + (participation - taste) / max(participation, 1e-9), 0.5)
        planned = intensity * depth * (1 - p.short_termism) * revenue
        rate = p.cit_rate_high_tech if firms["hte_until_step"][f] > step else p.cit_rate
        subsidy = 0.0
        if per_patent > 0:
            rd_for_patents = max(planned, p.rd_fixed_cost_mcny_per_q, 1e-6)
            knowledge_per_mcny = p.knowledge_productivity * rd_for_patents ** (
                p.rd_output_elasticity - 1
            )
            subsidy = (
                per_patent
                * p.patents_per_knowledge
                * p.patent_grant_probability
                * knowledge_per_mcny
            )
        b_index = max((1 - rate - rate * p.rd_super_deduction - subsidy) / (1 - rate), 0.05)
        cost_scale = (b_index / b_index_2018) ** p.rd_user_cost_elasticity
        want = planned * cost_scale
        knowledge_gain = (
            1 + firms["knowledge"][f] / p.knowledge_reference
        ) ** p.knowledge_productivity_elasticity
        hurdle = 1.0 if own_last_quarter else 1.0 - p.rd_start_hurdle
        pays = (
            taste < participation * cost_scale * knowledge_gain * hurdle
            and want * hurdle >= p.rd_fixed_cost_mcny_per_q
        )
        cap = max(firms["profit_mcny"][f] + last_real, 0.0) + p.rd_cash_share_max * max(cash, 0.0)
        copay = p.voucher_copay_share * voucher
        if not (pays or incubated):
            real[f] = grant + min(copay, cap)  # only a voucher's project takes own money
            reported[f] = real[f]
            budget[f] = real[f] * p.rd_staff_share_of_rd
            continue
        if incubated and revenue < 1.0:
            want = max(want, 0.08 * max(cash, 0.0))
        relabelled = 0.0
        could_certify = (
            firms["hte_until_step"][f] <= step + 4
            and revenue > 0
            and firms["high_tech_share"][f] >= 0.6
            and firms["rd_staff"][f] >= 0.08 * firms["employees"][f]
            and firms["patents_granted"][f] + firms["applications_q"][f] >= 1
        )
        if could_certify:
            target = hte_rd_threshold(4 * revenue) * 1.02
            if target * (1 - p.notch_window) <= want / revenue < target:
                reported_target = target * revenue
                real_needed = max(want, (1 - p.relabel_share) * reported_target)
                tax_saving = (p.cit_rate - p.cit_rate_high_tech) * max(firms["profit_mcny"][f], 0.0)
                tax_saving += yearly_bonus / 4
                # notch_saving_weight quarters of saving per quarter of extra cost
                if p.notch_saving_weight * tax_saving > (real_needed - want) * (1 - p.cit_rate):
                    relabelled = reported_target - real_needed
                    want = real_needed
        own = want - p.rd_grant_crowding_out * grant - p.voucher_crowding_out * voucher
        own = min(max(own, 0.0) + copay, cap)
        real[f] = own + grant
        reported[f] = own + grant + relabelled
        budget[f] = real[f] * p.rd_staff_share_of_rd  # the staff share of the R&D budget
    return {"rd_real_mcny": real, "rd_reported_mcny": reported, "staff_budget_mcny": budget}


# ---------------------------------------------------------------------------------------------
# phase 3: knowledge and patents


def service_level(f, firms, platforms, cell_x, cell_y, p) -> float:
    """Service (0..1) firm ``f`` gets from its platform (see :func:`service_at`)."""
    return service_at(
        f, firms["cell"][f], firms["sector"][f], firms["platform"][f], platforms, cell_x, cell_y, p
    )


def service_at(f, cell, sector, k, platforms, cell_x, cell_y, p) -> float:
    """Service (0..1) firm ``f`` of ``sector`` at ``cell`` gets from platform ``k`` (ODD §7.4).

    The platform's quality and its equipment are shared by its tenants (at least one);
    a platform focused on the firm's sector makes both count ``1 + platform_sector_match_gain``
    times. The staff part is ``q / (q + platform_quality_half_per_tenant)`` of the quality
    per tenant ``q``; the equipment part ``e / (e + platform_equipment_half_mcny_per_tenant)``
    of the equipment per tenant ``e`` makes up ``platform_equipment_service_share`` of the
    service. Then the sector mismatch factor (focused on another sector), the anchor factor
    for non-anchor firms, a distance decay with half distance, and capacity / tenants when over
    capacity.
    """
    if k < 0 or not platforms["alive"][k]:
        return 0.0
    tenants = platforms["tenants"][k]
    focus = platforms["sector_focus"][k]
    fits = 1 + p.platform_sector_match_gain if focus == sector else 1.0
    quality_each = fits * platforms["quality"][k] / max(tenants, 1)
    equipment_each = fits * platforms["equipment_mcny"][k] / max(tenants, 1)
    staff_part = quality_each / (quality_each + p.platform_quality_half_per_tenant)
    equipment_part = equipment_each / (equipment_each + p.platform_equipment_half_mcny_per_tenant)
    share = p.platform_equipment_service_share
    level = staff_part * ((1 - share) + share * equipment_part)
    if focus >= 0 and focus != sector:
        level = level * p.platform_sector_mismatch
    anchor = platforms["anchor_firm"][k]
    if anchor >= 0 and anchor != f:
        level = level * p.anchor_platform_radiation
    kc = platforms["cell"][k]
    distance = math.hypot(cell_x[cell] - cell_x[kc], cell_y[cell] - cell_y[kc])
    level = level * 0.5 ** (distance / p.platform_service_half_distance_km)
    capacity = platforms["capacity"][k]
    if capacity > 0 and tenants > capacity:
        level = level * capacity / tenants
    return level


def new_knowledge(f, firms, platforms, spill_field, cell_x, cell_y, p, wage_index=None) -> float:
    """The knowledge production function of the module docstring for one firm."""
    # the firm's own research: staff can spend at most what their wages (the going wages of
    # the firm's county) are a share of
    own_research = 0.0
    mean_weight = 1.0  # a voucher project without R&D staff: the platform's staff
    if firms["rd_staff"][f] > 0:
        index = (1.0, 1.0, 1.0) if wage_index is None else wage_index[firms["county"][f]]
        wage = average_staff_wage(p, index)
        spendable = firms["talent_units"][f] * wage / p.rd_staff_share_of_rd
        own_research = min(firms["rd_real_mcny"][f], spendable)
        mean_weight = firms["talent_units"][f] / firms["rd_staff"][f]
    # a voucher buys a project the platform does for the firm: no staff limit (its
    # crowding-out is taken off the firm's own money when it decides its R&D)
    voucher = firms["voucher_mcny"][f]
    effective = own_research + voucher
    if effective <= 0:
        return 0.0
    services = service_level(f, firms, platforms, cell_x, cell_y, p)
    k = firms["voucher_platform"][f]
    if voucher > 0 and k >= 0:
        # at the voucher's platform: its service without the distance decay
        at_platform = service_at(
            f, platforms["cell"][k], firms["sector"][f], k, platforms, cell_x, cell_y, p
        )
        services = max(services, at_platform)
    reach = spill_field[firms["sector"][f], firms["cell"][f]]
    if firms["in_enclave"][f]:
        reach += p.enclave_hub_knowledge
    spill = reach / (reach + p.spillover_half_knowledge)
    value = p.knowledge_productivity * effective**p.rd_output_elasticity
    value *= math.sqrt(mean_weight)
    value *= 1 + p.platform_service_strength * services
    value *= 1 + p.spillover_strength * spill
    if firms["expert_link"][f]:
        value *= 1 + p.expert_link_boost
    return value


def produce_knowledge(
    firms, platforms, spill_field, cell_x, cell_y, p, seed, step, wage_index=None
):
    """Knowledge update and patents of every live firm.

    Applications ~ Poisson(patents_per_knowledge x new knowledge) at draw 0 of phase 3; the
    applications filed ``patent_grant_lag_q`` quarters ago (ring-buffer slot
    ``step % lag``) are granted with probability ``patent_grant_probability`` each
    (binomial from draw 10); this quarter's applications take their slot.
    """
    phase = 3
    out = {
        k: firms[k].copy()
        for k in (
            "knowledge",
            "new_knowledge",
            "applications_q",
            "grants_q",
            "patents_granted",
            "patent_pipeline",
        )
    }
    slot = step % p.patent_grant_lag_q
    for f in range(len(firms["alive"])):
        if not firms["alive"][f]:
            continue
        new = new_knowledge(f, firms, platforms, spill_field, cell_x, cell_y, p, wage_index)
        out["new_knowledge"][f] = new
        out["knowledge"][f] = (1 - p.knowledge_depreciation_per_q) * firms["knowledge"][f] + new
        apps = rng.poisson(p.patents_per_knowledge * new, seed, step, phase, f, 0)
        pending = int(firms["patent_pipeline"][f, slot])
        grants = rng.binomial(pending, p.patent_grant_probability, seed, step, phase, f, 10)
        out["patent_pipeline"][f, slot] = apps
        out["applications_q"][f] = apps
        out["grants_q"][f] = grants
        out["patents_granted"][f] = firms["patents_granted"][f] + grants
    return out


# ---------------------------------------------------------------------------------------------
# phase 4: production, profit, taxes


def produce(firms, platforms, counties, capital, bank_of_county, province, p, seed, step):
    """Production, costs, CIT and its split, for every live firm.

    Returns the expected firm fields, platform cash, county fields, bank pools, the province
    budget and the external flows by name.
    """
    phase = 4
    fo = {k: v.copy() for k, v in firms.items()}
    platform_cash = platforms["cash_mcny"].copy()
    co = {k: v.copy() for k, v in counties.items()}
    pools = capital["pool_mcny"].copy()
    province_budget = float(province[0])
    flows = dict.fromkeys(
        ("sales", "materials", "worker_wages", "talent_wages", "rd_purchases", "central_tax"), 0.0
    )
    for f in range(len(firms["alive"])):
        if not firms["alive"][f]:
            continue
        age = step - firms["born_step"][f]
        ramp = min(1.0, 0.25 + age / 8) if firms["incubated"][f] else 1.0
        knowledge_gain = (1 + firms["knowledge"][f] / p.knowledge_reference) ** (
            p.knowledge_productivity_elasticity
        )
        employees = firms["employees"][f]
        # both demand shocks shrink with size as (employees / median) ** -exponent
        size_factor = (employees / p.firm_employees_median) ** (-p.shock_size_exponent)
        sigma = p.demand_sigma * size_factor
        z = rng.normal(seed, step, phase, f, 0)
        demand = math.exp(sigma * z - sigma**2 / 2)
        revenue = firms["base_productivity"][f] * knowledge_gain * employees * demand * ramp
        materials = p.materials_share_of_revenue * revenue
        worker_wages = p.worker_wage_mcny_per_q * employees
        talent_wages = firms["talent_wage_mcny"][f]
        # S&T staff are paid even if planned R&D is smaller
        rd_paid = max(firms["rd_real_mcny"][f], talent_wages)
        interest = p.loan_rate_per_q * firms["debt_mcny"][f]
        k = firms["platform"][f]
        fee = p.platform_tenant_fee_mcny_per_q if (k >= 0 and platforms["alive"][k]) else 0.0
        if fee:
            platform_cash[k] += fee
        profit = revenue - materials - worker_wages - rd_paid - interest - fee
        certified = firms["hte_until_step"][f] > step
        rate = p.cit_rate_high_tech if certified else p.cit_rate
        taxable = profit - p.rd_super_deduction * firms["rd_reported_mcny"][f]
        cit = rate * taxable if taxable > 0 else 0.0
        value_added = revenue - materials
        local_other = p.county_tax_rate_on_value_added * max(value_added, 0.0)
        central = (1 - p.local_share_of_cit) * cit
        province_part = p.local_share_of_cit * cit * p.province_share_of_local_cit
        county_part = p.local_share_of_cit * cit - province_part + local_other
        here, origin = firms["county"][f], firms["origin_county"][f]
        if 0 <= origin != here:
            shares = {origin: p.tax_sharing_origin_share, here: 1 - p.tax_sharing_origin_share}
        else:
            shares = {here: 1.0}
        for c, share in shares.items():
            co["budget_mcny"][c] += share * county_part
            co["tax_revenue_mcny"][c] += share * county_part
        province_budget += province_part
        co["province_tax_mcny"][here] += province_part
        if certified:
            co["province_hte_cit_mcny"][here] += province_part
        if bank_of_county[here] >= 0:
            pools[bank_of_county[here]] += interest
        flows["sales"] += revenue
        flows["materials"] += materials
        flows["worker_wages"] += worker_wages
        flows["talent_wages"] += talent_wages
        flows["rd_purchases"] += rd_paid - talent_wages
        flows["central_tax"] += central
        fo["cash_mcny"][f] = firms["cash_mcny"][f] + profit - cit - local_other
        fo["revenue_mcny"][f] = revenue
        fo["value_added_mcny"][f] = value_added
        fo["profit_mcny"][f] = profit - cit
        fo["rd_real_mcny"][f] = rd_paid
        fo["rd_reported_mcny"][f] = max(firms["rd_reported_mcny"][f], rd_paid)
        fo["revenue_year_mcny"][f] = firms["revenue_year_mcny"][f] + revenue
        fo["rd_reported_year_mcny"][f] = firms["rd_reported_year_mcny"][f] + max(
            firms["rd_reported_mcny"][f], rd_paid
        )
        # employment: log growth from the margin before R&D, a fading young-firm premium, a
        # pull towards the median size and a lasting demand shock (draw 1) that shrinks with
        # size, within +-employment_change_max_per_q; incubated firms still ramping up keep
        # their team
        if ramp >= 1.0:
            margin = (profit + rd_paid) / revenue if revenue > 0 else 0.0
            g = p.employment_adjustment_per_q * (margin - p.reference_margin)
            g += p.young_firm_growth_per_q * math.exp(-age / p.young_firm_growth_age_q)
            g -= p.growth_size_reversion_per_q * math.log(employees / p.firm_employees_median)
            g += p.growth_shock_sigma * size_factor * rng.normal(seed, step, phase, f, 1)
            g = min(max(g, -p.employment_change_max_per_q), p.employment_change_max_per_q)
            fo["employees"][f] = max(1.0, employees * math.exp(g))
    return {
        "firms": fo,
        "platform_cash": platform_cash,
        "counties": co,
        "pools": pools,
        "province": province_budget,
        "flows": flows,
    }


# ---------------------------------------------------------------------------------------------
# phase 10: indicators


def county_indicators(
    firms, platforms, talent, capital, counties, high_tech_sector, step, n_counties, lgd
):
    """Per-county counts and sums of the report's indicators, by name."""
    names = (
        "firms",
        "rd_spending_mcny",
        "rd_performed_mcny",
        "public_fund_assets_mcny",
        "revenue_mcny",
        "firms_doing_rd",
        "high_tech_enterprises",
        "st_smes",
        "high_tech_value_added_mcny",
        "invention_patent_applications",
        "invention_patent_grants",
        "quoted_firms",
        "listed_firms",
        "tech_loans_outstanding_mcny",
        "platform_tenants",
        "rd_staff",
        "high_level_talent",
        "hub_talent_employed",
        "recruited_experts",
        "high_level_talent_net",
        "rd_grant_funded_mcny",
        "rd_performed_net_mcny",
        "platforms",
    )
    out = {name: np.zeros(n_counties) for name in names}
    for f in range(len(firms["alive"])):
        if not firms["alive"][f]:
            continue
        c = firms["county"][f]
        certified = firms["hte_until_step"][f] > step
        out["firms"][c] += 1
        out["rd_spending_mcny"][c] += firms["rd_reported_mcny"][f]
        out["rd_performed_mcny"][c] += firms["rd_real_mcny"][f]
        out["rd_grant_funded_mcny"][c] += firms["rd_grant_funded_mcny"][f]
        own = firms["rd_real_mcny"][f] - firms["rd_grant_funded_mcny"][f]
        out["rd_performed_net_mcny"][c] += own
        out["revenue_mcny"][c] += firms["revenue_mcny"][f]
        out["firms_doing_rd"][c] += firms["rd_real_mcny"][f] > 0
        out["high_tech_enterprises"][c] += certified
        out["st_smes"][c] += bool(firms["st_sme"][f])
        if certified or high_tech_sector[firms["sector"][f]]:
            out["high_tech_value_added_mcny"][c] += firms["value_added_mcny"][f] * max(
                firms["high_tech_share"][f], 0.0
            )
        out["invention_patent_applications"][c] += firms["applications_q"][f]
        out["invention_patent_grants"][c] += firms["grants_q"][f]
        out["quoted_firms"][c] += bool(firms["quoted"][f])
        out["listed_firms"][c] += bool(firms["listed"][f])
        out["tech_loans_outstanding_mcny"][c] += firms["debt_mcny"][f]
        out["platform_tenants"][c] += firms["platform"][f] >= 0
    for i in range(len(talent["alive"])):
        employer = talent["employer_firm"][i]
        if talent["alive"][i] and employer >= 0:
            # the employer's county; people working in a hub are counted apart from its talent
            c = firms["county"][employer]
            expert = talent["tier"][i] == 2
            if talent["hub"][i] >= 0:
                out["hub_talent_employed"][c] += 1
                continue
            out["rd_staff"][c] += 1
            out["high_level_talent"][c] += expert
            recruited = expert and talent["recruited"][i]
            out["recruited_experts"][c] += recruited
            out["high_level_talent_net"][c] += expert and not recruited
    for k in range(len(platforms["alive"])):
        if platforms["alive"][k]:
            out["platforms"][platforms["county"][k]] += 1
    # public money, valued: county guidance funds (cash, and the stakes they hold in live
    # firms, impaired by the fall of the firm's revenue since the deal) and tech banks (cash
    # and loans outstanding, less the loss given default on loans to firms in the red)
    for k in range(len(capital["alive"])):
        if not capital["alive"][k]:
            continue
        c = capital["county"][k]
        if capital["kind"][k] == CAPITAL_GUIDANCE:
            stakes = 0.0
            for f in np.flatnonzero(firms["alive"] & (firms["lead_fund"] == k)):
                at_deal = firms["revenue_at_investment_mcny"][f]
                worth = 1.0
                if at_deal > 0.0:
                    worth = min(max(firms["revenue_mcny"][f], 0.0) / at_deal, 1.0)
                stakes += firms["fund_stake_mcny"][f] * worth
            out["public_fund_assets_mcny"][c] += capital["pool_mcny"][k] + stakes
        elif capital["kind"][k] == CAPITAL_TECH_BANK:
            out["public_fund_assets_mcny"][c] += capital["pool_mcny"][k] + capital["loans_mcny"][k]
    for f in np.flatnonzero(firms["alive"] & (firms["debt_mcny"] > 0) & (firms["cash_mcny"] < 0)):
        out["public_fund_assets_mcny"][firms["county"][f]] -= lgd * firms["debt_mcny"][f]
    out["startups"] = counties["startups_q"].astype(float)
    out["st_cut_mcny"] = counties["st_cut_mcny"].copy()
    out["venture_investment_mcny"] = counties["venture_mcny"].copy()
    out["venture_public_mcny"] = counties["venture_public_mcny"].copy()
    out["venture_private_mcny"] = counties["venture_mcny"] - counties["venture_public_mcny"]
    out["incubator_graduates"] = counties["graduates_q"].astype(float)
    out["county_tax_revenue_mcny"] = counties["tax_revenue_mcny"].copy()
    out["province_tax_revenue_mcny"] = counties["province_tax_mcny"].copy()
    return out
