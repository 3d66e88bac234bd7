"""The Mesa reference model: the baseline rules of the simulator written as idiomatic Mesa.

:class:`ReferenceModel` is a ``mesa.Model`` whose populations are ``mesa.Agent`` objects
(:mod:`benchmarks.mesa_reference.agents`) driven by AgentSet operations (``do``,
``shuffle_do``, ``select``, ``groupby``, ``agg``) in the same order of phases as the numba
engine (``model.sim.engine.Simulation._quarter``):

1. talent market, 2. R&D decisions, 3. knowledge, spill-overs and patents, 4. production and
taxes, 5. finance, 6. exit, graduation and entry, 7. platforms, 8. government, 9. yearly
certification, 10. indicators (the ``DataCollector``).

It starts from the same initial populations as the engine (``model.sim.initialise.initial_state``,
turned into agents) and lives through the same burn-in (``model.sim.engine.BURN_IN_Q`` quarters)
before quarter 0. Only the baseline is implemented: policy levers must keep their defaults.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import mesa
import numpy as np
from scipy.ndimage import correlate1d

from benchmarks.mesa_reference.agents import (
    EXPERT,
    GUIDANCE_FUND,
    INCUBATOR,
    MARKET_VC_FUND,
    MOTHER_FUND,
    RD_STAFF,
    SENIOR_ENGINEER,
    CountyGovernment,
    FirmAgent,
    FundAgent,
    PlatformAgent,
    TalentAgent,
    TechBankAgent,
)
from model.params.table import SPEC_BY_NAME, Parameters
from model.sim.engine import BURN_IN_Q
from model.sim.indicators import INDICATOR_NAMES
from model.sim.initialise import HIGH_TECH_SHARE_MEAN, initial_state
from model.sim.region import Region, load_region
from model.sim.sectors import N_SECTORS, SECTORS

#: Parameters that switch on or size a policy of report §3; the reference runs the baseline.
POLICY_PARAMETERS = (
    "consolidation_enabled",
    "specialisation_enabled",
    "tax_rebate_share",
    "voucher_budget_mcny_per_q",
    "equipment_sharing_regionwide",
    "enclaves_enabled",
    "capital_chain_enabled",
    "town_mayor_experts_per_county",
    "cto_firms_per_county",
    "talent_subsidy_mcny_per_q",
    "integration_enabled",
    "relocation_per_q",
    "rd_grant_exante_rate",
    "rd_grant_expost_per_patent_mcny",
    "hte_certification_bonus_mcny",
    "kpi_st_share_increase",
)
_HIGH_TECH_SECTOR = tuple(s.high_tech for s in SECTORS)
_FUND_FIELDS = ("pool_mcny", "threshold", "leverage")


class ReferenceModel(mesa.Model):
    """The baseline innovation ecosystem as Mesa agents (a slow, readable reference).

    Parameters
    ----------
    region : str or Region
        Region key (``"jiaxing-huzhou"``), file path, or a loaded region.
    parameters : Mapping, optional
        Parameter overrides (validated by :class:`model.params.table.Parameters`); policy
        levers must keep their defaults.
    seed, rng :
        As for ``mesa.Model``. Every draw of the reference uses ``self.random`` and
        ``self.rng``.
    initial_state_seed : int, optional
        Seed of ``model.sim.initialise.initial_state`` (default: drawn from ``rng``). Passing an
        engine run's seed starts both from the same populations (paired comparisons).
    **parameter_values :
        Any parameter by name, e.g. ``firm_scale=0.1``.

    Attributes
    ----------
    quarter : int
        Quarter just simulated (0 after construction; burn-in quarters are negative).
    datacollector : mesa.DataCollector
        Region-wide indicators (``model.sim.indicators.INDICATOR_NAMES``), collected once at
        construction (quarter 0) and after every step.
    """

    def __init__(
        self,
        region: str | Region = "jiaxing-huzhou",
        parameters: Mapping[str, Any] | None = None,
        seed: Any = None,
        rng: Any = None,
        initial_state_seed: int | None = None,
        **parameter_values: Any,
    ):
        super().__init__(seed=seed, rng=rng)
        self.params = Parameters(
            {**(parameters or {}), **parameter_values}, origin="ReferenceModel"
        )
        policies = [n for n in POLICY_PARAMETERS if self.params[n] != SPEC_BY_NAME[n].default]
        if policies:
            raise ValueError(
                "the Mesa reference implements the baseline only; leave these policy "
                f"parameters at their defaults: {', '.join(policies)}"
            )
        self.p = self.params.for_kernels()  # a namedtuple: fast attribute access
        self.table_p = self.p  # the table's prices; self.p holds them at the quarter's level
        self.price_level = 1.0
        # the reference restates the baseline's own mechanisms, not the status-quo practices
        # of the region file (enclaves, county pools, equity board, officers: ODD §7.12)
        region = region if isinstance(region, Region) else load_region(region)
        self.region = region.without_status_quo()
        x, y = self.region.cell_xy_km()
        self._cell_x_km, self._cell_y_km = x.tolist(), y.tolist()
        p = self.p
        sigma_km = p.spillover_half_distance_km / math.sqrt(2.0 * math.log(2.0))
        self._spillover_weights = spillover_weights(sigma_km / self.region.cell_km)
        self.province_budget_mcny = 0.0
        self.closed_firms = 0
        self.quarter = -BURN_IN_Q
        if initial_state_seed is None:
            initial_state_seed = int(self.rng.integers(0, 2**62))
        self._populate(initial_state_seed)
        for quarter in range(-BURN_IN_Q, 0):
            self.quarter = quarter
            self._quarter()
        self.quarter = 0
        self.datacollector = mesa.DataCollector(model_reporters=_indicator_reporters())
        self.datacollector.collect(self)

    # --- populations ----------------------------------------------------------------------
    @property
    def firms(self) -> mesa.agent.AgentSet:
        """Live firms."""
        return self.agents_by_type[FirmAgent]

    @property
    def platforms(self) -> mesa.agent.AgentSet:
        """Live platforms."""
        return self.agents_by_type[PlatformAgent]

    @property
    def talent(self) -> mesa.agent.AgentSet:
        """S&T workers in the counties and the hubs."""
        return self.agents_by_type[TalentAgent]

    @property
    def funds(self) -> mesa.agent.AgentSet:
        """Guidance, market venture and mother funds, in the order they invest."""
        return self.agents_by_type[FundAgent]

    @property
    def county_governments(self) -> mesa.agent.AgentSet:
        """The counties as an AgentSet (``self.counties`` is the list indexed by county id)."""
        return self.agents_by_type[CountyGovernment]

    def distance_km(self, cell_a: int, cell_b: int) -> float:
        """Distance between the centres of two grid cells (km)."""
        return math.hypot(
            self._cell_x_km[cell_a] - self._cell_x_km[cell_b],
            self._cell_y_km[cell_a] - self._cell_y_km[cell_b],
        )

    def _populate(self, init_seed: int) -> None:
        """Turn the engine's initial tables into agents."""
        region = self.region
        s = initial_state(region, self.params, init_seed)
        self.hub_sector_cdf = s.hub_sector_cdf
        self.hub_expert_share = s.hub_expert_share.tolist()
        self.hub_initial = s.hub_initial.tolist()
        co = s.counties.arrays
        self.counties = [
            CountyGovernment(
                self,
                c,
                region.county_cells(c),
                s.county_sector_cdf[c],
                float(co["rd_staff_initial"][c]),
                int(co["enclave_hub"][c]),
            )
            for c in range(region.n_counties)
        ]
        # capital: per county a guidance fund and a market fund (in that order, as they
        # invest) and a tech bank; then the regional mother fund
        ca = s.capital.arrays
        for county in self.counties:
            c = county.index
            g, m, b = 3 * c, 3 * c + 1, 3 * c + 2  # rows of model.sim.initialise's capital table
            FundAgent(self, GUIDANCE_FUND, c, *(float(ca[k][g]) for k in _FUND_FIELDS))
            county.market_fund = FundAgent(
                self, MARKET_VC_FUND, c, *(float(ca[k][m]) for k in _FUND_FIELDS)
            )
            county.tech_bank = TechBankAgent(self, c, float(ca["pool_mcny"][b]))
        mother = 3 * region.n_counties
        FundAgent(self, MOTHER_FUND, -1, *(float(ca[k][mother]) for k in _FUND_FIELDS))
        # firms
        fa = s.firms.arrays
        firm_of_row: dict[int, FirmAgent] = {}
        for i in np.flatnonzero(fa["alive"]).tolist():
            firm_of_row[i] = FirmAgent(
                self,
                sector=int(fa["sector"][i]),
                cell=int(fa["cell"][i]),
                county=int(fa["county"][i]),
                born_quarter=int(fa["born_step"][i]),
                employees=float(fa["employees"][i]),
                base_productivity=float(fa["base_productivity"][i]),
                high_tech_share=float(fa["high_tech_share"][i]),
                rd_taste=float(fa["rd_taste"][i]),
                revenue_mcny=float(fa["revenue_mcny"][i]),
                cash_mcny=float(fa["cash_mcny"][i]),
                knowledge=float(fa["knowledge"][i]),
                patents_granted=int(fa["patents_granted"][i]),
            )
            # already on the capital market at the start (report §1.4)
            firm_of_row[i].quoted = bool(fa["quoted"][i])
            firm_of_row[i].listed = bool(fa["listed"][i])
        # platforms (single-firm platforms keep their anchor firm as a tenant)
        pa = s.platforms.arrays
        platform_of_row: dict[int, PlatformAgent] = {}
        for k in np.flatnonzero(pa["alive"]).tolist():
            anchor = int(pa["anchor_firm"][k])
            platform_of_row[k] = PlatformAgent(
                self,
                kind=int(pa["kind"][k]),
                level=int(pa["level"][k]),
                sector_focus=int(pa["sector_focus"][k]),
                cell=int(pa["cell"][k]),
                county=int(pa["county"][k]),
                capacity=int(pa["capacity"][k]),
                quality=float(pa["quality"][k]),
                anchor=firm_of_row[anchor] if anchor >= 0 else None,
            )
        for i, firm in firm_of_row.items():
            if fa["platform"][i] >= 0:
                firm.join(platform_of_row[int(fa["platform"][i])])
        # talent (everyone starts unemployed; the burn-in fills the jobs)
        ta = s.talent.arrays
        for i in np.flatnonzero(ta["alive"]).tolist():
            TalentAgent(
                self,
                tier=int(ta["tier"][i]),
                sector=int(ta["sector"][i]),
                county=int(ta["county"][i]),
                hub=int(ta["hub"][i]),
            )

    # --- one quarter -------------------------------------------------------------------------
    def step(self) -> None:
        """Simulate one quarter and collect the indicators."""
        self.quarter += 1
        self._quarter()
        self.datacollector.collect(self)

    def _quarter(self) -> None:
        self._set_prices()
        self.county_governments.do("start_quarter")
        self._talent_market()
        self.firms.do("decide_rd")
        self._knowledge_and_patents()
        self.firms.do("produce")
        self._finance()
        self._exit_and_entry()
        self._platforms()
        self._government()
        if self.quarter % 4 == 3:  # the last quarter of a year
            self.firms.do("certify")

    def _set_prices(self) -> None:
        """Aggregate nominal growth (ODD §7.14): the quarter's price level and prices.

        After quarter 0 the price level rises by ``market_growth_per_year`` a year; wages, the
        fixed cost of research and start-up equity are the table's at that level. Revenue per
        worker follows it in ``Firm.produce``; ``Firm.create_knowledge`` deflates R&D by it.
        """
        t = self.table_p
        g = t.market_growth_per_year
        self.price_level = (1.0 + g) ** (self.quarter / 4.0) if self.quarter > 0 else 1.0
        level = self.price_level
        self.p = t._replace(
            worker_wage_mcny_per_q=t.worker_wage_mcny_per_q * level,
            wage_rd_staff_mcny_per_q=t.wage_rd_staff_mcny_per_q * level,
            wage_senior_mcny_per_q=t.wage_senior_mcny_per_q * level,
            wage_expert_mcny_per_q=t.wage_expert_mcny_per_q * level,
            rd_fixed_cost_mcny_per_q=t.rd_fixed_cost_mcny_per_q * level,
            startup_cash_mcny=t.startup_cash_mcny * level,
        )

    # 1. talent market ---------------------------------------------------------------------
    def _talent_market(self) -> None:
        """Departures, drain, layoffs; arrivals; then job seekers visit employers.

        Seekers are served experts first, then senior engineers, then R&D staff, in random
        order within a tier (report §2.3: firms compete for scarce high-level talent).
        """
        p = self.p
        recruits = _share_recruits(
            [county.packages_affordable() for county in self.counties],
            math.floor(p.expert_recruit_supply_per_q * p.firm_scale + 0.5),
        )
        county_arrivals = [
            county.arrivals(n) for county, n in zip(self.counties, recruits, strict=True)
        ]
        hub_arrivals = [
            int(self.rng.poisson(p.talent_attrition_per_q * n)) for n in self.hub_initial
        ]
        # in the order workers joined (as the engine visits its table); order matters little
        self.talent.do("review_position")
        for county, (staff, experts), n_recruits in zip(
            self.counties, county_arrivals, recruits, strict=True
        ):
            for _ in range(staff):
                senior = self.random.random() < p.senior_share_of_staff
                tier = SENIOR_ENGINEER if senior else RD_STAFF
                TalentAgent(self, tier, county.draw_sector(), county=county.index)
            for _ in range(experts):
                TalentAgent(self, EXPERT, county.draw_sector(), county=county.index)
            for _ in range(n_recruits):
                TalentAgent(self, EXPERT, county.draw_sector(), county=county.index, recruited=True)
        for hub, n in enumerate(hub_arrivals):
            for _ in range(n):
                if self.random.random() < self.hub_expert_share[hub]:
                    tier = EXPERT
                elif self.random.random() < p.senior_share_of_staff:
                    tier = SENIOR_ENGINEER
                else:
                    tier = RD_STAFF
                sector = _draw(self.hub_sector_cdf[hub], self.random.random())
                TalentAgent(self, tier, sector, hub=hub)

        def has_vacancy(firm) -> bool:
            cheapest = min(self.going_wage_mcny(firm.county, tier, False) for tier in range(3))
            return firm.staff_budget_mcny - firm.wage_bill_mcny() >= cheapest

        vacancies = self.firms.select(has_vacancy)
        by_county = vacancies.groupby("county", result_type="list").groups
        by_hub: dict[int, list] = {}  # enclave employers also hire in the hubs (a policy)

        def seeker_tier(worker: TalentAgent) -> int | None:
            """Tier of an unemployed worker with employers to visit (None: not seeking)."""
            if worker.employer is not None:
                return None
            where = by_county if worker.county >= 0 else by_hub
            return (
                worker.tier
                if (worker.county if worker.county >= 0 else worker.hub) in where
                else None
            )

        seekers = self.talent.groupby(seeker_tier, result_type="list").groups
        for tier in (EXPERT, SENIOR_ENGINEER, RD_STAFF):
            group = seekers.get(tier, [])
            self.random.shuffle(group)
            for worker in group:
                worker.seek_job(by_county, by_hub, p.matching_draws)
        self._update_wages()
        self.firms.do("recount_staff")

    def _update_wages(self) -> None:
        """Each county's wage of each tier moves a share ``wage_adjustment_per_q`` of the way
        to the wage curve ``(vacancies / unemployed of the tier / reference) ** elasticity``
        (ratio bounded to [1 / bound, bound]; ``bound`` with vacancies and no one of the tier
        looking, 1 with neither). A firm's vacancies: whole persons its staff budget left
        after its going wage bill pays at the county's going staff wage."""
        p = self.p
        vacancies = [0] * len(self.counties)
        for firm in self.firms:
            left = firm.staff_budget_mcny - firm.wage_bill_mcny()
            if left > 0:
                vacancies[firm.county] += math.floor(left / self.staff_wage_mcny(firm.county))
        seekers = [[0, 0, 0] for _ in self.counties]
        for worker in self.talent:
            if worker.employer is None and worker.county >= 0:
                seekers[worker.county][worker.tier] += 1
        bound = p.wage_tightness_bound
        for county in self.counties:
            for tier in range(3):
                n = seekers[county.index][tier]
                if n:
                    ratio = vacancies[county.index] / n / p.wage_reference_tightness
                else:
                    ratio = bound if vacancies[county.index] else 1.0
                target = min(max(ratio, 1.0 / bound), bound) ** p.wage_tightness_elasticity
                county.wage_index[tier] += p.wage_adjustment_per_q * (
                    target - county.wage_index[tier]
                )

    def going_wage_mcny(self, county: int, tier: int, in_hub: bool) -> float:
        """Quarterly going wage of a worker of ``tier`` employed in ``county`` (a hub worker
        earns ``hub_wage_premium`` times it)."""
        p = self.p
        table = (p.wage_rd_staff_mcny_per_q, p.wage_senior_mcny_per_q, p.wage_expert_mcny_per_q)
        wage = table[tier] * self.counties[county].wage_index[tier]
        return wage * p.hub_wage_premium if in_hub else wage

    def staff_wage_mcny(self, county: int) -> float:
        """Mean quarterly wage of new S&T staff at the going wages of ``county``."""
        p, index = self.p, self.counties[county].wage_index
        senior = p.senior_share_of_staff
        return (1.0 - senior) * p.wage_rd_staff_mcny_per_q * index[0] + (
            senior * p.wage_senior_mcny_per_q * index[1]
        )

    # 3. knowledge ------------------------------------------------------------------------
    def _knowledge_and_patents(self) -> None:
        """Knowledge per sector and cell, its distance-decayed reach, then each firm's output."""
        ny, nx = self.region.shape
        field = np.zeros((N_SECTORS, ny * nx))
        sector, cell, knowledge = (
            np.asarray(v)
            for v in zip(*self.firms.get(["sector", "cell", "knowledge"]), strict=True)
        )
        np.add.at(field, (sector, cell), knowledge)
        reach = spillover_reach(field.reshape(N_SECTORS, ny, nx), self._spillover_weights)
        self.firms.do("create_knowledge", reach.reshape(N_SECTORS, ny * nx))

    # 5. finance ----------------------------------------------------------------------------
    def _finance(self) -> None:
        self.firms.shuffle_do("use_tech_bank")
        self.funds.do("receive_commitments")
        p = self.p
        # the venture stage: young firms that pay for R&D of their own (Gompers & Lerner 2001)
        candidates = self.firms.select(
            lambda f: (
                f.lead_fund is None
                and not f.listed
                and f.age() < p.vc_max_firm_age_q
                and f.rd_real_mcny - f.rd_grant_funded_mcny > 1e-12
            )
        )
        by_county = candidates.groupby("county", result_type="list").groups
        taken: set[FirmAgent] = set()
        self.funds.do("invest", by_county, taken)
        self.firms.shuffle_do("use_equity_markets")

    # 6. exit and entry ------------------------------------------------------------------------
    def _exit_and_entry(self) -> None:
        """Failures, incubator graduation, then start-ups (background, spin-offs, incubators)."""
        p = self.p
        self.firms.shuffle_do("face_exit")
        self.firms.do("graduate")
        seniors = (
            self.talent.select(lambda w: w.employer is not None and w.tier != RD_STAFF)
            .groupby("county", result_type="list")
            .count()
        )
        background = p.background_startups_per_county_per_q * p.firm_scale
        county_startups = [
            int(
                self.rng.poisson(
                    background + p.spinoff_startups_per_senior_per_q * seniors.get(c.index, 0)
                )
            )
            for c in self.counties
        ]
        incubators = self.platforms.select(lambda k: k.kind == INCUBATOR)
        incubator_startups = [(k, int(self.rng.poisson(k.expected_startups()))) for k in incubators]
        for county, n in zip(self.counties, county_startups, strict=True):
            for _ in range(n):
                self._found_startup(county, self.random.choice(county.cells), county.draw_sector())
        for incubator, n in incubator_startups:
            county = self.counties[incubator.county]
            for _ in range(n):
                sector = incubator.sector_focus
                firm = self._found_startup(
                    county, incubator.cell, sector if sector >= 0 else county.draw_sector()
                )
                firm.incubated = True
                firm.join(incubator)

    def _found_startup(self, county: CountyGovernment, cell: int, sector: int) -> FirmAgent:
        p = self.p
        productivity = p.revenue_per_employee_mcny_per_q * math.exp(
            p.productivity_sigma * self.random.gauss(0.0, 1.0) - 0.5 * p.productivity_sigma**2
        )
        share = HIGH_TECH_SHARE_MEAN[sector] + 0.15 * self.random.gauss(0.0, 1.0)
        county.startups_q += 1
        return FirmAgent(
            self,
            sector=sector,
            cell=int(cell),
            county=county.index,
            born_quarter=self.quarter,
            employees=p.startup_employees,
            base_productivity=productivity,
            high_tech_share=min(max(share, 0.0), 1.0),
            rd_taste=self.random.random(),
            cash_mcny=p.startup_cash_mcny,
        )

    # 7. platforms -----------------------------------------------------------------------------
    def _platforms(self) -> None:
        self.platforms.do("run")
        choosable = self.platforms.select(lambda k: k.takes_tenants)
        by_county = choosable.groupby("county", result_type="list").groups
        self.firms.select(lambda f: not f.incubated).shuffle_do("choose_platform", by_county)

    # 8. government ------------------------------------------------------------------------------
    def _government(self) -> None:
        """County S&T envelopes, R&D grants, and the province's platform money."""
        p = self.p
        self.province_budget_mcny -= self.county_governments.agg("province_tax_mcny", sum)
        rd_by_county = (
            self.firms.select(lambda f: f.rd_real_mcny > 0.0)
            .groupby("county", result_type="list")
            .agg("rd_real_mcny", sum)
        )
        platforms_by_county = self.platforms.groupby("county", result_type="list").groups
        grant_rate = {
            c.index: c.spend_st_envelope(
                platforms_by_county.get(c.index, []), rd_by_county.get(c.index, 0.0)
            )
            for c in self.counties
        }
        self.firms.do(lambda f: f.receive_county_grant(grant_rate[f.county]))
        eligible = self.platforms.select(lambda k: k.level >= 1)
        if len(eligible):
            each = p.province_platform_budget_mcny_per_q * p.firm_scale / len(eligible)
            for platform in eligible:
                platform.cash_mcny += each
                self.counties[platform.county].st_spending_mcny += each

    # --- results -----------------------------------------------------------------------------
    def indicators(self) -> dict[str, float]:
        """Region-wide indicators of the latest quarter (names of ``model.sim.indicators``)."""
        return {name: reporter(self) for name, reporter in _indicator_reporters().items()}


# -------------------------------------------------------------------------------------------------
def spillover_weights(sigma_cells: float) -> np.ndarray:
    """Weights exp(-k^2 / 2 sigma^2) for k = -r..r, r = max(1, ceil(3 sigma)); 1 at k = 0."""
    radius = max(1, math.ceil(3.0 * sigma_cells))
    k = np.arange(-radius, radius + 1)
    return np.exp(-0.5 * (k / sigma_cells) ** 2)


def spillover_reach(field: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Distance-weighted knowledge reachable from each cell, per sector.

    Parameters
    ----------
    field : (n_sectors, ny, nx) float64
        Knowledge per sector and cell.
    weights : (2 r + 1,) float64
        One axis of the Gaussian decay; the 2-D weight of a cell ``(dr, dc)`` away is
        ``weights[dr] * weights[dc]``, i.e. exp(-d^2 / 2 sigma^2) truncated to a square.
        Cells off the grid contribute nothing.
    """
    along_columns = correlate1d(field, weights, axis=2, mode="constant", cval=0.0)
    return correlate1d(along_columns, weights, axis=1, mode="constant", cval=0.0)


def _draw(cdf, u: float) -> int:
    for i, c in enumerate(cdf):
        if u < c:
            return i
    return len(cdf) - 1


def _high_tech_value_added(model: ReferenceModel) -> float:
    return sum(
        f.value_added_mcny * max(f.high_tech_share, 0.0)
        for f in model.firms
        if f.certified() or _HIGH_TECH_SECTOR[f.sector]
    )


def _public_fund_assets(model: ReferenceModel) -> float:
    """Guidance funds' pools and live stakes, tech banks' pools and loans (county money),
    valued: a stake impaired by the fall of its firm's revenue since the deal (never above
    book), the loss given default off loans to firms whose cash is negative."""
    total = 0.0
    for fund in model.funds:
        if fund.kind == GUIDANCE_FUND and fund.county >= 0:
            total += fund.pool_mcny
    for bank in model.agents_by_type[TechBankAgent]:
        if bank.county >= 0:
            total += bank.pool_mcny + bank.loans_mcny
    p = model.p
    for firm in model.firms:
        if firm.lead_fund is not None and firm.lead_fund.kind == GUIDANCE_FUND:
            at_deal = firm.revenue_at_investment_mcny
            worth = 1.0 if at_deal <= 0 else min(max(firm.revenue_mcny, 0.0) / at_deal, 1.0)
            total += firm.fund_stake_mcny * worth
        if firm.debt_mcny > 0 and firm.cash_mcny < 0:
            total -= p.loan_loss_given_default * firm.debt_mcny
    return total


def _share_recruits(demand: list[int], supply: int) -> list[int]:
    """Talent packages each county fills from the region's ``supply`` of recruits.

    Every county gets what it can pay for when the region's demand fits the supply; otherwise
    the supply is split in proportion to demand, the places lost to rounding down going to
    the largest remainders (ties: lower county first).
    """
    total = sum(demand)
    if total <= supply:
        return list(demand)
    exact = [supply * d / total for d in demand]
    shares = [math.floor(x) for x in exact]
    leftover = supply - sum(shares)
    for c in sorted(range(len(demand)), key=lambda c: (shares[c] - exact[c], c))[:leftover]:
        shares[c] += 1
    return shares


def _ratio(num: float, den: float) -> float:
    return num / den if den > 0 else 0.0


def _indicator_reporters() -> dict[str, Any]:
    """DataCollector reporters, one per indicator of ``model.sim.indicators`` (region-wide)."""
    reporters = {
        "rd_spending_mcny": lambda m: m.firms.agg("rd_reported_mcny", sum),
        "revenue_mcny": lambda m: m.firms.agg("revenue_mcny", sum),
        "rd_intensity": lambda m: _ratio(
            m.firms.agg("rd_reported_mcny", sum), m.firms.agg("revenue_mcny", sum)
        ),
        "high_tech_enterprises": lambda m: len(m.firms.select(lambda f: f.certified())),
        "st_smes": lambda m: len(m.firms.select(lambda f: f.st_sme)),
        "high_tech_value_added_mcny": _high_tech_value_added,
        "invention_patent_applications": lambda m: m.firms.agg("applications_q", sum),
        "invention_patent_grants": lambda m: m.firms.agg("grants_q", sum),
        "startups": lambda m: m.county_governments.agg("startups_q", sum),
        "incubator_graduates": lambda m: m.county_governments.agg("graduates_q", sum),
        "quoted_firms": lambda m: len(m.firms.select(lambda f: f.quoted)),
        "listed_firms": lambda m: len(m.firms.select(lambda f: f.listed)),
        "venture_investment_mcny": lambda m: m.county_governments.agg("venture_mcny", sum),
        "tech_loans_outstanding_mcny": lambda m: m.firms.agg("debt_mcny", sum),
        "high_level_talent": lambda m: (
            m.firms.agg("experts", sum) - m.firms.agg("hub_experts", sum)
        ),
        "rd_staff": lambda m: m.firms.agg("rd_staff", sum) - m.firms.agg("hub_staff", sum),
        "gov_st_spending_mcny": lambda m: m.county_governments.agg("st_spending_mcny", sum),
        "firms": lambda m: len(m.firms),
        "firms_doing_rd": lambda m: len(m.firms.select(lambda f: f.rd_real_mcny > 0.0)),
        "platforms": lambda m: len(m.platforms),
        "platform_tenants": lambda m: len(m.firms.select(lambda f: f.platform is not None)),
        "county_tax_revenue_mcny": lambda m: m.county_governments.agg("tax_revenue_mcny", sum),
        "province_tax_revenue_mcny": lambda m: m.county_governments.agg("province_tax_mcny", sum),
        "county_policy_cost_mcny": lambda m: m.county_governments.agg("policy_cost_mcny", sum),
        "province_policy_cost_mcny": lambda m: m.county_governments.agg(
            "province_policy_cost_mcny", sum
        ),
        "rd_performed_mcny": lambda m: m.firms.agg("rd_real_mcny", sum),
        "public_fund_assets_mcny": _public_fund_assets,
        "rd_grant_funded_mcny": lambda m: m.firms.agg("rd_grant_funded_mcny", sum),
        "rd_performed_net_mcny": lambda m: (
            m.firms.agg("rd_real_mcny", sum) - m.firms.agg("rd_grant_funded_mcny", sum)
        ),
        "venture_public_mcny": lambda m: m.county_governments.agg("venture_public_mcny", sum),
        "venture_private_mcny": lambda m: (
            m.county_governments.agg("venture_mcny", sum)
            - m.county_governments.agg("venture_public_mcny", sum)
        ),
        "recruited_experts": lambda m: m.firms.agg("recruited_experts", sum),
        "high_level_talent_net": lambda m: (
            m.firms.agg("experts", sum)
            - m.firms.agg("hub_experts", sum)
            - m.firms.agg("recruited_experts", sum)
        ),
        # the reference restates the baseline, whose S&T lines spend only what the account
        # holds: nothing is ever cut there (tests/test_budgets.py checks it for the engine)
        "st_cut_mcny": lambda m: 0.0,
        "hub_talent_employed": lambda m: m.firms.agg("hub_staff", sum),
    }
    assert tuple(reporters) == INDICATOR_NAMES, "reporters must follow model.sim.indicators"
    return reporters
