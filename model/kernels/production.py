"""Phase 4 — production, profit and taxes (report digest §4; report §3.3).

Revenue is productivity x employees x a demand shock; productivity rises with the knowledge
stock with elasticity ~0.12 (Chen et al. 2021). Shocks are smaller for bigger firms: their
standard deviation falls with employees as ``(employees / firm_employees_median) **
-shock_size_exponent`` (Stanley et al. 1996; Amaral et al. 1997: growth-rate dispersion scales
with size to about the -0.2 power, a big firm being many partly independent businesses).
Costs are purchased inputs, workers' wages, R&D (S&T staff wages, at least, since they are
employed) and interest on tech loans; tenants pay their platform a fee. Corporate income tax
is 25%, or 15% for certified high-tech enterprises, on profit after the R&D super-deduction
(which relabelled R&D also enjoys). The central government takes 60%; of the local 40% the
province keeps a share and the rest goes to the county where the firm sits — or, for a firm
that moved under tax sharing (report §3.4), partly to its county of origin. Other local taxes
are a share of value added.

Employment then changes by a log growth rate (ODD §7.5)::

    g = employment_adjustment_per_q * (margin - reference_margin)          # hire when it pays
        + young_firm_growth_per_q * exp(-age / young_firm_growth_age_q)    # start-ups scale up
        - growth_size_reversion_per_q * log(employees / firm_employees_median)
        + growth_shock_sigma * size_factor * z                             # lasting demand shock

clipped to +-``employment_change_max_per_q``. The margin (before R&D) carries productivity, and
so knowledge: a firm that knows more is more productive, earns more per worker and hires.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np
from numba import njit, prange

from model.kernels.bundles import params_bundle
from model.kernels.rng import normal
from model.kernels.streams import STREAM_PRODUCTION
from model.sim.ledger import (
    SINK_CENTRAL_TAX,
    SINK_MATERIALS,
    SINK_RD_PURCHASES,
    SINK_TALENT_WAGES,
    SINK_WORKER_WAGES,
    SRC_SALES,
)

#: The parameters :func:`_produce_body` reads (``KernelParams`` fields of the same names).
ProductionParams = namedtuple(
    "ProductionParams",
    """
    cit_rate cit_rate_high_tech county_tax_rate_on_value_added demand_sigma
    employment_adjustment_per_q employment_change_max_per_q firm_employees_median
    growth_shock_sigma growth_size_reversion_per_q knowledge_productivity_elasticity
    knowledge_reference loan_rate_per_q local_share_of_cit materials_share_of_revenue
    platform_tenant_fee_mcny_per_q province_share_of_local_cit rd_super_deduction
    reference_margin shock_size_exponent tax_sharing_origin_share worker_wage_mcny_per_q
    young_firm_growth_age_q young_firm_growth_per_q
    """.split(),
)


def production_params(p):
    """The :data:`ProductionParams` of ``KernelParams`` ``p`` (same values and types)."""
    return params_bundle(ProductionParams, p)


def produce(
    firms,
    platforms,
    counties,
    capital,
    bank_of_county,
    province,
    p,
    seed,
    step,
    flows,
    price_level=1.0,
):
    """Produce, pay costs and taxes, adjust employment.

    Parameters
    ----------
    firms : Firms
        Writes revenue, value added, profit, cash, employees and the yearly accumulators.
    platforms : Platforms
        Tenant fees are added to ``cash_mcny``.
    counties : Counties
        Adds to ``budget_mcny``, ``tax_revenue_mcny``, ``province_tax_mcny`` and
        ``province_hte_cit_mcny`` (province part of high-tech enterprises' CIT).
    capital : Capital
        Interest is added to the county tech bank's ``pool_mcny``.
    bank_of_county : (n_counties,) int64
        Row of each county's tech bank in ``capital`` (-1 none).
    province : (1,) float64
        Province budget; receives its share of CIT.
    flows : (N_FLOWS,) float64
        External flows are added.
    price_level : float
        Price level of the quarter (``model/sim/prices.py``): revenue per worker is the base
        quarter's times this level; wages in ``p`` are already at it.
    """
    return _produce_body(
        firms.alive,
        firms.born_step,
        firms.incubated,
        firms.base_productivity,
        firms.knowledge,
        firms.employees,
        firms.talent_wage_mcny,
        firms.rd_real_mcny,
        firms.county,
        firms.debt_mcny,
        firms.platform,
        platforms.alive,
        platforms.cash_mcny,
        firms.hte_until_step,
        firms.rd_reported_mcny,
        firms.origin_county,
        counties.budget_mcny,
        counties.tax_revenue_mcny,
        counties.province_tax_mcny,
        counties.province_hte_cit_mcny,
        capital.pool_mcny,
        firms.cash_mcny,
        firms.revenue_mcny,
        firms.value_added_mcny,
        firms.profit_mcny,
        firms.revenue_year_mcny,
        firms.rd_reported_year_mcny,
        production_params(p),
        bank_of_county,
        province,
        seed,
        step,
        flows,
        float(price_level),
    )


@njit(cache=True)
def _produce_body(
    firm_alive,
    firm_born_step,
    firm_incubated,
    firm_base_productivity,
    firm_knowledge,
    firm_employees,
    firm_talent_wage_mcny,
    firm_rd_real_mcny,
    firm_county,
    firm_debt_mcny,
    firm_platform,
    platform_alive,
    platform_cash_mcny,
    firm_hte_until_step,
    firm_rd_reported_mcny,
    firm_origin_county,
    county_budget_mcny,
    county_tax_revenue_mcny,
    county_province_tax_mcny,
    county_province_hte_cit_mcny,
    capital_pool_mcny,
    firm_cash_mcny,
    firm_revenue_mcny,
    firm_value_added_mcny,
    firm_profit_mcny,
    firm_revenue_year_mcny,
    firm_rd_reported_year_mcny,
    prm,
    bank_of_county,
    province,
    seed,
    step,
    flows,
    price_level,
):
    """Compiled body of :func:`produce`."""
    # the transcendental part of each firm's revenue is a per-firm map (parallel); money is
    # then summed firm by firm in ascending order, as before
    productivity_of = np.empty(len(firm_alive), dtype=np.float64)
    shock_of = np.empty(len(firm_alive), dtype=np.float64)
    growth_shock_of = np.empty(len(firm_alive), dtype=np.float64)
    _productivity_and_shock(
        firm_alive,
        firm_base_productivity,
        firm_knowledge,
        firm_employees,
        prm.knowledge_reference,
        prm.knowledge_productivity_elasticity,
        prm.demand_sigma,
        prm.growth_shock_sigma,
        prm.firm_employees_median,
        prm.shock_size_exponent,
        np.int64(seed),
        np.int64(step),
        productivity_of,
        shock_of,
        growth_shock_of,
    )
    for f in range(len(firm_alive)):
        if not firm_alive[f]:
            continue
        age = step - firm_born_step[f]
        ramp = min(1.0, 0.25 + age / 8.0) if firm_incubated[f] else 1.0
        productivity = productivity_of[f]
        shock = shock_of[f]
        revenue = productivity * firm_employees[f] * shock * ramp * price_level
        materials = prm.materials_share_of_revenue * revenue
        worker_wages = prm.worker_wage_mcny_per_q * firm_employees[f]
        talent_wages = firm_talent_wage_mcny[f]
        rd_cash = max(firm_rd_real_mcny[f], talent_wages)
        rd_purchases = rd_cash - talent_wages
        bank = bank_of_county[firm_county[f]]
        # no bank, no tech loan: interest only flows where a bank can receive it
        interest = prm.loan_rate_per_q * firm_debt_mcny[f] if bank >= 0 else 0.0
        fee = 0.0
        pl = firm_platform[f]
        if pl >= 0 and platform_alive[pl]:
            fee = prm.platform_tenant_fee_mcny_per_q
            platform_cash_mcny[pl] += fee
        profit = revenue - materials - worker_wages - rd_cash - interest - fee
        certified = firm_hte_until_step[f] > step
        rate = prm.cit_rate_high_tech if certified else prm.cit_rate
        taxable = profit - prm.rd_super_deduction * firm_rd_reported_mcny[f]
        cit = rate * max(taxable, 0.0)
        value_added = revenue - materials
        other_tax = prm.county_tax_rate_on_value_added * max(value_added, 0.0)
        # tax split (report digest §4)
        local = prm.local_share_of_cit * cit
        to_province = prm.province_share_of_local_cit * local
        to_counties = local - to_province + other_tax
        c = firm_county[f]
        origin = firm_origin_county[f]
        if origin >= 0 and origin != c:
            kept = prm.tax_sharing_origin_share * to_counties
            county_budget_mcny[origin] += kept
            county_tax_revenue_mcny[origin] += kept
            county_budget_mcny[c] += to_counties - kept
            county_tax_revenue_mcny[c] += to_counties - kept
        else:
            county_budget_mcny[c] += to_counties
            county_tax_revenue_mcny[c] += to_counties
        province[0] += to_province
        county_province_tax_mcny[c] += to_province
        if certified:
            county_province_hte_cit_mcny[c] += to_province
        if bank >= 0:
            capital_pool_mcny[bank] += interest
        flows[SRC_SALES] += revenue
        flows[SINK_MATERIALS] += materials
        flows[SINK_WORKER_WAGES] += worker_wages
        flows[SINK_TALENT_WAGES] += talent_wages
        flows[SINK_RD_PURCHASES] += rd_purchases
        flows[SINK_CENTRAL_TAX] += cit - local
        firm_cash_mcny[f] += (
            revenue - materials - worker_wages - rd_cash - interest - fee - cit - other_tax
        )
        firm_revenue_mcny[f] = revenue
        firm_value_added_mcny[f] = value_added
        firm_profit_mcny[f] = profit - cit
        firm_rd_real_mcny[f] = rd_cash
        firm_revenue_year_mcny[f] += revenue
        firm_rd_reported_year_mcny[f] += max(firm_rd_reported_mcny[f], rd_cash)
        firm_rd_reported_mcny[f] = max(firm_rd_reported_mcny[f], rd_cash)
        # firms grow on their operating margin before R&D: R&D is an investment, not a sign
        # that the business is failing
        margin = (profit + rd_cash) / revenue if revenue > 0.0 else 0.0
        if ramp >= 1.0:  # firms still ramping up in an incubator keep their team
            growth = employment_growth(margin, age, firm_employees[f], growth_shock_of[f], prm)
            firm_employees[f] = max(1.0, firm_employees[f] * np.exp(growth))


@njit(cache=True)
def employment_growth(margin, age_q, employees, growth_shock, prm):
    """Log change of a firm's employment this quarter (ODD §7.5).

    Parameters
    ----------
    margin : float
        Operating margin before R&D (share of revenue).
    age_q : int
        Quarters since the firm was born.
    employees : float
        Employees before the change (persons).
    growth_shock : float
        The firm's lasting demand shock this quarter (log units, already scaled by size).
    prm : ProductionParams

    Returns
    -------
    float
        Log growth, within +-``employment_change_max_per_q``.
    """
    growth = (
        prm.employment_adjustment_per_q * (margin - prm.reference_margin)
        # young firms scale up towards their market (Haltiwanger, Jarmin & Miranda 2013:
        # surviving young firms grow fastest; report §1.3: incubator graduates scale up)
        + prm.young_firm_growth_per_q * np.exp(-age_q / prm.young_firm_growth_age_q)
        # small firms grow faster than big ones of the same age (Evans 1987; Hall 1987)
        - prm.growth_size_reversion_per_q * np.log(employees / prm.firm_employees_median)
        + growth_shock
    )
    cap = prm.employment_change_max_per_q
    return min(max(growth, -cap), cap)


@njit(cache=True, parallel=True)
def _productivity_and_shock(
    alive,
    base_productivity,
    knowledge,
    employees,
    knowledge_reference,
    elasticity,
    demand_sigma,
    growth_shock_sigma,
    employees_median,
    size_exponent,
    seed,
    step,
    productivity_out,
    shock_out,
    growth_shock_out,
):
    """Each live firm's productivity and its two demand shocks (writes the ``*_out`` arrays).

    The passing shock is a factor of this quarter's revenue; the lasting one (log units) moves
    employment. Both shocks have standard deviations that fall with size as ``(employees /
    employees_median) ** -size_exponent``.
    """
    for f in prange(len(alive)):
        if not alive[f]:
            continue
        productivity_out[f] = (
            base_productivity[f] * (1.0 + knowledge[f] / knowledge_reference) ** elasticity
        )
        size_factor = (employees[f] / employees_median) ** -size_exponent
        sigma = demand_sigma * size_factor
        shock_out[f] = np.exp(sigma * normal(seed, step, STREAM_PRODUCTION, f, 0) - 0.5 * sigma**2)
        growth_shock_out[f] = (
            growth_shock_sigma * size_factor * normal(seed, step, STREAM_PRODUCTION, f, 1)
        )
