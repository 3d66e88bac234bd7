"""Agents of the Mesa reference: firms, platforms, S&T talent, funds, tech banks, counties.

Each agent is an ordinary ``mesa.Agent`` whose methods state one rule of the baseline model
(policies off) in plain Python, one formula per line, as a Mesa user would write it. The rules
are re-stated from the documentation of the numba kernels in ``model/kernels`` (module and
function docstrings) and from the ODD sketch in ``design.md``; no kernel is called. Quantities
keep the engine's names and units (million CNY ``_mcny``, quarters ``_q``), so the two
implementations can be read side by side.

Random draws use the model's own generators, seeded by Mesa from the model's seed:
``model.random`` (Python's ``random.Random``: one scalar uniform costs about 0.07 µs here,
against 1-2 µs for numpy's) for Bernoulli trials, choices and normal draws, and ``model.rng``
(numpy's ``Generator``) for Poisson and binomial counts. The reference is not meant to
reproduce the engine draw for draw, only in distribution.
"""

from __future__ import annotations

import math
from collections import deque
from typing import TYPE_CHECKING

import mesa

if TYPE_CHECKING:  # pragma: no cover
    from benchmarks.mesa_reference.model import ReferenceModel

#: Sector index of traditional manufacturing (the only sector that is not emerging).
TRADITIONAL = 6
#: Talent tiers.
RD_STAFF, SENIOR_ENGINEER, EXPERT = 0, 1, 2
#: Platform kinds.
INCUBATOR, RD_INSTITUTE, SERVICE_PLATFORM, INNOVATION_COMPLEX = 0, 1, 2, 3
#: Fund kinds.
GUIDANCE_FUND, MOTHER_FUND, MARKET_VC_FUND = 0, 1, 2


# ---------------------------------------------------------------------------------------------
# Certification criteria (report digest §4; national high-tech enterprise rules of 2016 and
# S&T SME evaluation rules of 2017), re-stated here so the docking test checks them too.

HTE_VALID_Q = 12  # a high-tech certificate covers the next three years


def hte_rd_threshold(annual_revenue_mcny: float) -> float:
    """Minimum R&D intensity: 5% up to 50 m CNY a year, 4% up to 200 m, 3% above."""
    if annual_revenue_mcny <= 50.0:
        return 0.05
    if annual_revenue_mcny <= 200.0:
        return 0.04
    return 0.03


def meets_high_tech_criteria(
    annual_revenue_mcny: float,
    annual_rd_mcny: float,
    st_staff: int,
    employees: float,
    granted_patents: int,
    high_tech_share: float,
) -> bool:
    """R&D intensity threshold, S&T staff >= 10%, own IP, high-tech products >= 60%."""
    if annual_revenue_mcny <= 0.0 or employees <= 0.0:
        return False
    return (
        annual_rd_mcny >= hte_rd_threshold(annual_revenue_mcny) * annual_revenue_mcny
        and st_staff >= 0.10 * employees
        and granted_patents >= 1
        and high_tech_share >= 0.6
    )


def st_sme_score(
    annual_revenue_mcny: float,
    annual_rd_mcny: float,
    st_staff: int,
    employees: float,
    granted_patents: int,
) -> int:
    """S&T SME evaluation: S&T staff share (up to 20), R&D intensity (up to 50), IP (30)."""
    share = st_staff / employees if employees > 0 else 0.0
    staff_points = next(
        (pts for low, pts in ((0.30, 20), (0.25, 16), (0.20, 12), (0.15, 8), (0.10, 4))
         if share >= low),
        0,
    )  # fmt: skip
    if annual_revenue_mcny > 0.0:
        intensity = annual_rd_mcny / annual_revenue_mcny
    else:
        intensity = 1.0 if annual_rd_mcny > 0.0 else 0.0
    rd_points = next(
        (pts for low, pts in ((0.06, 50), (0.05, 40), (0.04, 30), (0.03, 20), (0.02, 10))
         if intensity >= low),
        0,
    )  # fmt: skip
    ip_points = 30 if granted_patents >= 1 else 0
    return staff_points + rd_points + ip_points


def meets_st_sme_criteria(
    annual_revenue_mcny: float,
    annual_rd_mcny: float,
    st_staff: int,
    employees: float,
    granted_patents: int,
    is_high_tech: bool,
) -> bool:
    """At most 500 employees and 200 m CNY; certified high-tech, or at least 10% S&T staff
    (a non-zero staff score) and at least 60 points."""
    if employees > 500.0 or annual_revenue_mcny > 200.0:
        return False
    if is_high_tech:
        return True
    if employees <= 0.0 or st_staff < 0.10 * employees:
        return False
    return (
        st_sme_score(annual_revenue_mcny, annual_rd_mcny, st_staff, employees, granted_patents)
        >= 60
    )


# ---------------------------------------------------------------------------------------------
class CountyGovernment(mesa.Agent):
    """A county: its budget, its S&T envelope, its funds and bank, its quarterly tallies.

    Attributes
    ----------
    index : int
        County id (row of the region's county table).
    cells : numpy.ndarray
        Flat indices of the county's grid cells.
    sector_cdf : numpy.ndarray
        Cumulative sector shares of the county's firms (for new firms and workers).
    rd_staff_initial : float
        S&T workers at the start; the base of the yearly talent inflow.
    enclave_hub : int
        Hub its drained experts move to (-1: none).
    """

    model: ReferenceModel

    def __init__(self, model, index, cells, sector_cdf, rd_staff_initial, enclave_hub):
        super().__init__(model)
        self.index = index
        self.cells = cells
        self.sector_cdf = sector_cdf
        self.rd_staff_initial = rd_staff_initial
        self.enclave_hub = enclave_hub
        self.budget_mcny = 0.0
        self.wage_index = [1.0, 1.0, 1.0]  # going wage / table wage by tier (scarcity)
        self.talent_pool_mcny = 0.0  # S&T envelope money set aside for talent packages
        self.tech_bank: TechBankAgent | None = None
        self.market_fund: FundAgent | None = None
        self.start_quarter()

    def start_quarter(self) -> None:
        """Reset the tallies that count one quarter's flows."""
        self.tax_revenue_mcny = 0.0
        self.province_tax_mcny = 0.0
        self.st_spending_mcny = 0.0
        self.policy_cost_mcny = 0.0
        self.province_policy_cost_mcny = 0.0
        self.startups_q = 0
        self.graduates_q = 0
        self.venture_mcny = 0.0
        self.venture_public_mcny = 0.0
        self.new_high_tech_q = 0

    def draw_sector(self) -> int:
        """Sector of a new firm or worker, drawn from the county's sector mix."""
        u = self.random.random()
        for sector, cum in enumerate(self.sector_cdf):
            if u < cum:
                return sector
        return len(self.sector_cdf) - 1

    def receive_tax(self, to_county_mcny: float, to_province_mcny: float) -> None:
        """Book a firm's local taxes: the county's part and what the province keeps."""
        self.budget_mcny += to_county_mcny
        self.tax_revenue_mcny += to_county_mcny
        self.province_tax_mcny += to_province_mcny

    def packages_affordable(self) -> int:
        """Talent packages the county's talent money pays for."""
        return math.floor(
            max(self.talent_pool_mcny, 0.0) / self.model.p.expert_recruitment_cost_mcny
        )

    def arrivals(self, recruits: int) -> tuple[int, int]:
        """New R&D staff/senior engineers, and new experts: the base inflow plus ``recruits``
        the county won on the region's market for talent packages (it pays for them)."""
        p = self.model.p
        staff = int(self.rng.poisson(p.talent_inflow_per_q * self.rd_staff_initial))
        experts = int(self.rng.poisson(p.expert_inflow_per_q * p.firm_scale))
        self.talent_pool_mcny -= recruits * p.expert_recruitment_cost_mcny
        return staff, experts

    def spend_st_envelope(self, platforms: list, rd_of_county_mcny: float) -> float:
        """Spend the S&T share of this quarter's taxes; return the R&D grant rate.

        Report §3.1/§2.1: equal parts to every platform of the county, grants in proportion
        to R&D (at most 30% of it), talent packages; the rest of the revenue is general
        spending.
        """
        p = self.model.p
        revenue = self.tax_revenue_mcny
        envelope = p.county_st_share_of_revenue * revenue
        self.budget_mcny -= revenue - envelope  # general spending
        spent = 0.0
        if platforms:
            each = p.st_share_platforms * envelope / len(platforms)
            for platform in platforms:
                platform.cash_mcny += each
            spent += each * len(platforms)
        talent = p.st_share_talent * envelope
        self.talent_pool_mcny += talent
        spent += talent
        self.budget_mcny -= spent
        self.st_spending_mcny += spent
        grants = p.st_share_rd_grants * envelope
        if rd_of_county_mcny <= 0.0:
            return 0.0
        return min(grants / rd_of_county_mcny, p.rd_grant_rate_max)


# ---------------------------------------------------------------------------------------------
class TalentAgent(mesa.Agent):
    """An S&T worker: R&D staff, senior engineer or high-level expert.

    Attributes
    ----------
    tier : int
        0 R&D staff, 1 senior engineer, 2 expert.
    sector : int
        Sector of expertise.
    county, hub : int
        Where the worker lives (a county, or a hub outside the region; the other is -1).
    employer : FirmAgent or None
    """

    model: ReferenceModel

    def __init__(self, model, tier, sector, county=-1, hub=-1, recruited=False):
        super().__init__(model)
        self.tier = tier
        self.sector = sector
        self.county = county
        self.hub = hub
        self.recruited = recruited  # came with a county talent package
        self.employer: FirmAgent | None = None

    def quit_job(self) -> None:
        """Leave the current employer (if any)."""
        if self.employer is not None:
            self.employer.staff.discard(self)
            self.employer = None

    def review_position(self) -> None:
        """Retire or leave the region; experts may drain to a hub; surplus staff are laid off.

        Report §2.3: experts drift to the big cities. A firm whose going wage bill exceeds its
        staff budget lays off each worker with probability excess / bill.
        """
        p = self.model.p
        if self.random.random() < p.talent_attrition_per_q:
            self.quit_job()
            self.remove()
            return
        if self.tier == EXPERT and self.county >= 0:
            if self.random.random() < p.expert_drain_to_hub_per_q:
                self.quit_job()
                self.hub = self.model.counties[self.county].enclave_hub
                self.county = -1
                return
        firm = self.employer
        if firm is not None:
            bill = firm.wage_bill_mcny()
            excess = bill - firm.staff_budget_mcny
            if excess > 0 and self.random.random() < excess / bill:
                self.quit_job()

    def seek_job(self, vacancies_by_county: dict, vacancies_by_hub: dict, draws: int) -> None:
        """Visit up to ``draws`` random employers with vacancies where the worker lives.

        A firm whose staff budget left does not pay the worker's going wage refuses; a firm of
        another sector is accepted with probability ``cross_sector_acceptance``.
        """
        if self.county >= 0:
            employers = vacancies_by_county.get(self.county)
        else:
            employers = vacancies_by_hub.get(self.hub)
        if not employers:
            return
        for _ in range(draws):
            firm = self.random.choice(employers)
            wage = self.model.going_wage_mcny(firm.county, self.tier, self.hub >= 0)
            if firm.staff_budget_mcny - firm.wage_bill_mcny() < wage:
                continue
            if (
                firm.sector != self.sector
                and self.random.random() >= self.model.p.cross_sector_acceptance
            ):
                continue
            self.employer = firm
            firm.staff.add(self)
            return


# ---------------------------------------------------------------------------------------------
class PlatformAgent(mesa.Agent):
    """An innovation platform: incubator, R&D institute, service platform or complex.

    Attributes
    ----------
    kind, level : int
        Kind (0 incubator .. 3 complex) and level (0 county, 1 provincial, 2 national).
    sector_focus : int
        Sector served best (-1: general).
    cell, county : int
    capacity : int
        Tenants it can serve well.
    quality : float
        Built by investment, depreciates.
    cash_mcny, equipment_mcny : float
    anchor : FirmAgent or None
        The firm a single-firm platform is built around (report §2.2).
    tenants : set of FirmAgent
    """

    model: ReferenceModel

    def __init__(
        self, model, kind, level, sector_focus, cell, county, capacity, quality, anchor=None
    ):
        super().__init__(model)
        self.kind = kind
        self.level = level
        self.sector_focus = sector_focus
        self.cell = cell
        self.county = county
        self.capacity = capacity
        self.quality = quality
        self.cash_mcny = 0.0
        self.equipment_mcny = 0.0
        self.spent_mcny = 0.0
        self.anchor: FirmAgent | None = anchor
        self.tenants: set[FirmAgent] = set()

    @property
    def takes_tenants(self) -> bool:
        """Whether established firms may choose it (incubator places are for start-ups)."""
        return self.kind != INCUBATOR

    def service_to(self, firm: FirmAgent) -> float:
        """Service level in [0, 1] the platform gives ``firm`` (report §2.4, §2.2, §3.2, §3.4).

        Staff (quality) and shared equipment are divided among the tenants (at least one),
        counted half again for a firm of the platform's focus sector; each saturates, and
        equipment makes up a share of the service. A platform focused on another sector
        serves worse; a single-firm platform radiates little to others; service halves every
        ``platform_service_half_distance_km``; an over-full platform is shared out.
        """
        p = self.model.p
        n_tenants = len(self.tenants)
        per_tenant = 1.0 / max(n_tenants, 1)
        if self.sector_focus == firm.sector:
            per_tenant *= 1.0 + p.platform_sector_match_gain
        quality = self.quality * per_tenant
        equipment = self.equipment_mcny * per_tenant
        from_staff = quality / (quality + p.platform_quality_half_per_tenant)
        from_equipment = equipment / (equipment + p.platform_equipment_half_mcny_per_tenant)
        needs_equipment = p.platform_equipment_service_share
        level = from_staff * (1.0 - needs_equipment + needs_equipment * from_equipment)
        if self.sector_focus >= 0 and self.sector_focus != firm.sector:
            level *= p.platform_sector_mismatch
        if self.anchor is not None and self.anchor is not firm:
            level *= p.anchor_platform_radiation
        distance_km = self.model.distance_km(firm.cell, self.cell)
        level *= 0.5 ** (distance_km / p.platform_service_half_distance_km)
        if n_tenants > self.capacity > 0:
            level *= self.capacity / n_tenants
        return level

    def run(self) -> None:
        """Spend all cash: overhead first, the rest builds quality and equipment."""
        p = self.model.p
        spend = max(self.cash_mcny, 0.0)
        overhead = min(spend, p.platform_overhead_mcny_per_q)
        invest = spend - overhead
        self.cash_mcny -= spend
        self.spent_mcny = spend
        self.quality *= 1.0 - p.platform_quality_depreciation_per_q
        equipment = p.platform_equipment_share_of_investment * invest
        self.quality += p.platform_quality_per_mcny * (invest - equipment)
        self.equipment_mcny = 0.98 * self.equipment_mcny + equipment

    def expected_startups(self) -> float:
        """Start-ups an incubator takes in: rises with free capacity and quality (§1.3)."""
        p = self.model.p
        free = max(self.capacity - len(self.tenants), 0)
        return (
            p.incubation_startups_per_q
            * free
            * self.quality
            / (self.quality + p.platform_quality_half)
        )


# ---------------------------------------------------------------------------------------------
class TechBankAgent(mesa.Agent):
    """A county tech bank lending against granted invention patents (report §1.4)."""

    model: ReferenceModel

    def __init__(self, model, county, pool_mcny):
        super().__init__(model)
        self.county = county
        self.pool_mcny = pool_mcny
        self.loans_mcny = 0.0
        self.losses_mcny = 0.0


class FundAgent(mesa.Agent):
    """A guidance fund, the regional mother fund or a market venture fund (report §1.4).

    Attributes
    ----------
    kind : int
        0 guidance, 1 mother, 2 market venture fund.
    county : int
        County it invests in (-1 for the mother fund, which invests region-wide).
    pool_mcny : float
    threshold : float
        Minimum screening score to invest (guidance funds accept weaker firms).
    leverage : float
        Co-investment drawn per yuan invested (guidance: from the county market fund;
        mother fund: from outside investors).
    """

    model: ReferenceModel

    def __init__(self, model, kind, county, pool_mcny, threshold, leverage):
        super().__init__(model)
        self.kind = kind
        self.county = county
        self.pool_mcny = pool_mcny
        self.threshold = threshold
        self.leverage = leverage
        self.invested_mcny = 0.0
        self.returns_mcny = 0.0
        self.losses_mcny = 0.0

    def receive_commitments(self) -> None:
        """Market funds receive new money from outside investors every quarter."""
        if self.kind == MARKET_VC_FUND:
            self.pool_mcny += self.model.p.market_vc_inflow_mcny_per_q * self.model.p.firm_scale

    def screen(self, firm: FirmAgent) -> float:
        """Score of a firm: knowledge, granted patents, high-tech share, plus noise."""
        k = math.log1p(firm.knowledge) / math.log1p(50.0)
        patents = min(firm.patents_granted / 5.0, 1.0)
        noise = 0.15 * self.random.gauss(0.0, 1.0)
        return 0.5 * min(k, 1.5) + 0.3 * patents + 0.2 * firm.high_tech_share + noise

    def invest(self, candidates_by_county: dict, taken: set) -> None:
        """Screen ``vc_candidates`` random firms per deal and back the best above threshold.

        The fund spreads its pool over its investment period: pool / (ticket x period) deals a
        quarter, at least ``vc_deals_per_fund_per_q`` and at most 100 (baseline: no capital
        chain).
        """
        p = self.model.p
        n_counties = len(self.model.counties)
        planned = math.floor(self.pool_mcny / (p.vc_ticket_mcny * p.vc_investment_period_q))
        for _ in range(min(max(p.vc_deals_per_fund_per_q, planned), 100)):
            if self.pool_mcny < p.vc_ticket_mcny:
                break
            best, best_score = None, -math.inf
            for _ in range(p.vc_candidates):
                county = (
                    self.random.randrange(n_counties) if self.kind == MOTHER_FUND else self.county
                )
                firms = candidates_by_county.get(county)
                if not firms:
                    continue
                firm = self.random.choice(firms)
                if firm in taken:
                    continue
                score = self.screen(firm)
                if score > best_score:
                    best, best_score = firm, score
            if best is None or best_score < self.threshold:
                continue
            ticket = p.vc_ticket_mcny
            self.pool_mcny -= ticket
            self.invested_mcny += ticket
            total = ticket
            if self.kind == GUIDANCE_FUND:  # crowds in the county's market fund
                market = self.model.counties[self.county].market_fund
                co = min(self.leverage * ticket, market.pool_mcny)
                if co > 0.0:
                    market.pool_mcny -= co
                    market.invested_mcny += co
                    best.co_fund = market
                    best.co_stake_mcny = co
                    total += co
            elif self.kind == MOTHER_FUND:
                total += self.leverage * ticket  # sub-fund money from outside the region
            best.cash_mcny += total
            best.fund_stake_mcny += ticket
            best.equity_raised_mcny += total
            best.lead_fund = self
            best.revenue_at_investment_mcny = best.revenue_mcny
            taken.add(best)
            self.model.counties[best.county].venture_mcny += total
            if self.kind in (GUIDANCE_FUND, MOTHER_FUND):
                self.model.counties[best.county].venture_public_mcny += ticket


# ---------------------------------------------------------------------------------------------
class FirmAgent(mesa.Agent):
    """A firm: production, R&D, knowledge and patents, finance, certification.

    Attributes
    ----------
    sector, cell, county : int
    born_quarter : int
    employees : float
    base_productivity : float
        Revenue per employee per quarter before knowledge effects (m CNY).
    high_tech_share : float
        Share of high-tech products in revenue.
    rd_taste : float
        Fixed propensity: the firm does R&D when it is below the sector's participation rate.
    knowledge : float
        Knowledge stock.
    patent_pipeline : deque of int
        Applications of the last ``patent_grant_lag_q`` quarters, oldest first.
    staff : set of TalentAgent
        Employed S&T workers.
    platform : PlatformAgent or None
    high_tech_until : int or None
        Quarter until which the high-tech certificate is valid (exclusive); None if the firm
        was never certified.
    """

    model: ReferenceModel

    def __init__(
        self,
        model,
        sector,
        cell,
        county,
        born_quarter,
        employees,
        base_productivity,
        high_tech_share,
        rd_taste,
        revenue_mcny=0.0,
        cash_mcny=0.0,
        knowledge=0.0,
        patents_granted=0,
    ):
        super().__init__(model)
        self.sector = sector
        self.cell = cell
        self.county = county
        self.born_quarter = born_quarter
        self.employees = employees
        self.base_productivity = base_productivity
        self.high_tech_share = high_tech_share
        self.rd_taste = rd_taste
        self.revenue_mcny = revenue_mcny
        self.value_added_mcny = 0.0
        self.profit_mcny = 0.0
        self.cash_mcny = cash_mcny
        self.debt_mcny = 0.0
        self.equity_raised_mcny = 0.0
        self.fund_stake_mcny = 0.0  # the lead fund's own money in the firm
        self.lead_fund: FundAgent | None = None
        self.co_stake_mcny = 0.0  # a market fund's co-investment next to a guidance fund
        self.revenue_at_investment_mcny = 0.0  # quarterly revenue when a fund last invested
        self.co_fund: FundAgent | None = None
        self.rd_real_mcny = 0.0
        self.rd_reported_mcny = 0.0
        self.revenue_year_mcny = 0.0
        self.rd_reported_year_mcny = 0.0
        self.knowledge = knowledge
        self.new_knowledge = 0.0
        self.patent_pipeline = deque([0] * model.p.patent_grant_lag_q)
        self.applications_q = 0
        self.grants_q = 0
        self.patents_granted = patents_granted
        self.staff: set[TalentAgent] = set()
        self.staff_budget_mcny = 0.0  # the staff share of the R&D budget (m CNY per quarter)
        self.talent_units = 0.0
        self.talent_wage_mcny = 0.0
        self.experts = 0
        self.hub_staff = 0  # of the staff: living and working in a hub enclave
        self.hub_experts = 0
        self.recruited_experts = 0  # county experts who came with a talent package
        self.rd_grant_funded_mcny = 0.0  # the grant spent in this quarter's R&D
        self.platform: PlatformAgent | None = None
        self.incubated = False
        self.high_tech_until: int | None = None
        self.st_sme = False
        self.quoted = False
        self.listed = False
        self.grant_mcny = 0.0

    # --- state helpers -----------------------------------------------------------------
    @property
    def rd_staff(self) -> int:
        """S&T workers employed."""
        return len(self.staff)

    @property
    def emerging(self) -> bool:
        """Whether the firm is in one of the six emerging sectors."""
        return self.sector != TRADITIONAL

    def age(self) -> int:
        """Quarters since founding."""
        return self.model.quarter - self.born_quarter

    def certified(self, quarter: int | None = None) -> bool:
        """Whether the firm holds a valid high-tech certificate in ``quarter`` (default: now)."""
        quarter = self.model.quarter if quarter is None else quarter
        return self.high_tech_until is not None and self.high_tech_until > quarter

    def join(self, platform: PlatformAgent | None) -> None:
        """Become a tenant of ``platform`` (None: of no platform)."""
        if self.platform is not None:
            self.platform.tenants.discard(self)
        self.platform = platform
        if platform is not None:
            platform.tenants.add(self)

    # --- phase 1: recount staff after the talent market -----------------------------------
    def wage_bill_mcny(self) -> float:
        """What the firm's staff cost this quarter at the going wages of its county."""
        going = self.model.going_wage_mcny
        return sum(going(self.county, w.tier, w.hub >= 0) for w in self.staff)

    def recount_staff(self) -> None:
        """Tier-weighted S&T staff, experts and the quarterly S&T wage bill (the going wage of
        each tier in the firm's county; hub workers earn ``hub_wage_premium`` times it); hub
        staff and recruits counted apart."""
        p = self.model.p
        index = self.model.counties[self.county].wage_index
        wage = (p.wage_rd_staff_mcny_per_q, p.wage_senior_mcny_per_q, p.wage_expert_mcny_per_q)
        wage = tuple(w * i for w, i in zip(wage, index, strict=True))
        by_tier = [0, 0, 0]
        self.talent_wage_mcny = 0.0
        self.hub_staff = self.hub_experts = self.recruited_experts = 0
        for worker in self.staff:
            by_tier[worker.tier] += 1
            in_hub = worker.hub >= 0
            self.talent_wage_mcny += wage[worker.tier] * (p.hub_wage_premium if in_hub else 1.0)
            self.hub_staff += in_hub
            self.hub_experts += in_hub and worker.tier == EXPERT
            self.recruited_experts += (not in_hub) and worker.recruited and worker.tier == EXPERT
        self.experts = by_tier[EXPERT]
        self.talent_units = (
            by_tier[RD_STAFF]
            + p.talent_weight_senior * by_tier[SENIOR_ENGINEER]
            + p.talent_weight_expert * by_tier[EXPERT]
        )

    # --- phase 2: R&D decision ------------------------------------------------------------
    def decide_rd(self) -> None:
        """Choose real and reported R&D and the S&T staff it needs (report §2.2).

        The firm's user cost of R&D is the B-index of its own tax rate (15% when certified)
        and the super-deduction, relative to a 25%-taxed firm under the 2018 rules; desired
        R&D scales with it (elasticity ``rd_user_cost_elasticity``; the reference runs the
        baseline, where no ex-post patent subsidy is paid). The firm does R&D if incubated,
        or if its taste is below the sector's participation rate scaled by that cost factor
        and by what its knowledge adds, and its desired R&D covers the fixed cost; a firm
        that did no R&D of its own last quarter needs ``rd_start_hurdle`` more of both.
        Young firms plan ``rd_intensity_young_multiple`` times the intensity. A firm near
        the high-tech R&D threshold bunches at it when the tax saving pays, relabelling
        part of what it reports. Own R&D is limited by last quarter's cash flow before R&D
        and a share of cash; grants are spent on top.
        """
        p = self.model.p
        grant = self.grant_mcny
        did_rd = self.rd_real_mcny > self.rd_grant_funded_mcny + 1e-12
        participation = (
            p.rd_participation_emerging if self.emerging else p.rd_participation_traditional
        )
        intensity = p.rd_intensity_emerging if self.emerging else p.rd_intensity_traditional
        if self.age() < 12:
            intensity *= p.rd_intensity_young_multiple
        depth = max(0.5 + (participation - self.rd_taste) / max(participation, 1e-9), 0.5)
        tax = p.cit_rate_high_tech if self.certified() else p.cit_rate
        b_index = max((1.0 - tax * (1.0 + p.rd_super_deduction)) / (1.0 - tax), 0.05)
        cost_factor = (b_index / 0.75) ** p.rd_user_cost_elasticity
        desired = intensity * depth * (1.0 - p.short_termism) * cost_factor * self.revenue_mcny
        knowledge_factor = (
            1.0 + self.knowledge / p.knowledge_reference
        ) ** p.knowledge_productivity_elasticity
        need = 1.0 if did_rd else 1.0 - p.rd_start_hurdle
        worth_it = (
            self.rd_taste < participation * cost_factor * knowledge_factor * need
            and desired * need >= p.rd_fixed_cost_mcny_per_q
        )
        if worth_it or self.incubated:
            if self.incubated and self.revenue_mcny < 1.0:
                desired = max(desired, 0.08 * max(self.cash_mcny, 0.0))
            desired, relabelled = self._bunch_at_high_tech_threshold(desired)
            own = desired - p.rd_grant_crowding_out * grant
            cash_flow = max(self.profit_mcny + self.rd_real_mcny, 0.0)
            own = min(max(own, 0.0), cash_flow + p.rd_cash_share_max * max(self.cash_mcny, 0.0))
        else:
            own = relabelled = 0.0
        self.rd_real_mcny = own + grant
        self.rd_reported_mcny = own + grant + relabelled
        self.rd_grant_funded_mcny = grant
        self.staff_budget_mcny = self.rd_real_mcny * p.rd_staff_share_of_rd

    def _bunch_at_high_tech_threshold(self, desired: float) -> tuple[float, float]:
        """Raise R&D to the certification threshold if the tax saving pays (Chen et al. 2021).

        Only firms that could otherwise qualify (high-tech products, nearly enough S&T staff,
        some IP) and whose certificate does not run for another year consider it. A share
        ``relabel_share`` of what it reports is relabelled, not real (or only the gap, if its
        own R&D is closer to the threshold than that).
        """
        p = self.model.p
        revenue = self.revenue_mcny
        annual_revenue = 4.0 * revenue
        if (
            self.certified(self.model.quarter + 4)  # the certificate runs for another year
            or annual_revenue <= 0.0
            or self.high_tech_share < 0.6
            or self.rd_staff < 0.8 * 0.10 * self.employees
            or self.patents_granted + self.applications_q < 1
        ):
            return desired, 0.0
        threshold = hte_rd_threshold(annual_revenue) * 1.02  # a safety margin
        intensity = desired / revenue
        if not threshold * (1.0 - p.notch_window) <= intensity < threshold:
            return desired, 0.0
        # the firm reports the threshold; relabel_share of it is relabelled unless its own
        # R&D already covers more than the rest
        reported = threshold * revenue
        real = max(desired, (1.0 - p.relabel_share) * reported)
        saving = (p.cit_rate - p.cit_rate_high_tech) * max(self.profit_mcny, 0.0)
        # counted notch_saving_weight times against one quarter of the extra R&D
        if p.notch_saving_weight * saving <= (real - desired) * (1.0 - p.cit_rate):
            return desired, 0.0
        return real, reported - real

    # --- phase 3: knowledge and patents -----------------------------------------------------
    def create_knowledge(self, spillover_reach) -> None:
        """Knowledge production, depreciation, invention patent applications and grants.

        new = A * E**beta * sqrt(average talent weight) * (1 + s_P * platform service)
        * (1 + s_X * reach / (reach + half)); E is real R&D limited by what the S&T staff can
        spend. Applications are Poisson in new knowledge; each application is granted with
        ``patent_grant_probability`` after ``patent_grant_lag_q`` quarters.
        """
        p = self.model.p
        staff_capacity = (
            self.talent_units * self.model.staff_wage_mcny(self.county) / p.rd_staff_share_of_rd
        )
        # in the base quarter's prices: effort, not its nominal cost, makes knowledge
        effective = min(self.rd_real_mcny, staff_capacity) / self.model.price_level
        new = 0.0
        if effective > 0.0 and self.rd_staff > 0:
            weight = self.talent_units / self.rd_staff
            service = self.platform.service_to(self) if self.platform is not None else 0.0
            reach = spillover_reach[self.sector, self.cell]
            spill = reach / (reach + p.spillover_half_knowledge)
            new = (
                p.knowledge_productivity
                * effective**p.rd_output_elasticity
                * math.sqrt(weight)
                * (1.0 + p.platform_service_strength * service)
                * (1.0 + p.spillover_strength * spill)
            )
        self.new_knowledge = new
        self.knowledge = (1.0 - p.knowledge_depreciation_per_q) * self.knowledge + new
        applications = int(self.rng.poisson(p.patents_per_knowledge * new)) if new > 0 else 0
        pending = self.patent_pipeline.popleft()
        self.patent_pipeline.append(applications)
        grants = int(self.rng.binomial(pending, p.patent_grant_probability)) if pending else 0
        self.applications_q = applications
        self.grants_q = grants
        self.patents_granted += grants

    # --- phase 4: production, profit, taxes ---------------------------------------------------
    def produce(self) -> None:
        """Sell, pay inputs, wages, R&D, interest and platform fee, pay taxes, resize.

        CIT is 25% (15% if certified) of profit after the R&D super-deduction on reported
        R&D; 40% of CIT is local, of which the province keeps 30%; counties also get a
        tax on value added (report digest §4). Employment follows the operating margin
        before R&D.
        """
        p = self.model.p
        county = self.model.counties[self.county]
        age = self.age()
        ramp = min(1.0, 0.25 + age / 8.0) if self.incubated else 1.0
        productivity = (
            self.base_productivity
            * (1.0 + self.knowledge / p.knowledge_reference) ** p.knowledge_productivity_elasticity
        )
        # a firm of many customers and products averages their shocks: both demand shocks
        # shrink with size (Stanley et al. 1996)
        shock_scale = (self.employees / p.firm_employees_median) ** -p.shock_size_exponent
        passing_sd = p.demand_sigma * shock_scale
        shock = math.exp(passing_sd * self.random.gauss(0.0, 1.0) - 0.5 * passing_sd**2)
        revenue = productivity * self.employees * shock * ramp * self.model.price_level
        materials = p.materials_share_of_revenue * revenue
        worker_wages = p.worker_wage_mcny_per_q * self.employees
        rd_cash = max(self.rd_real_mcny, self.talent_wage_mcny)  # S&T staff are paid anyway
        interest = p.loan_rate_per_q * self.debt_mcny
        fee = 0.0
        if self.platform is not None:
            fee = p.platform_tenant_fee_mcny_per_q
            self.platform.cash_mcny += fee
        profit = revenue - materials - worker_wages - rd_cash - interest - fee
        rate = p.cit_rate_high_tech if self.certified() else p.cit_rate
        cit = rate * max(profit - p.rd_super_deduction * self.rd_reported_mcny, 0.0)
        value_added = revenue - materials
        other_tax = p.county_tax_rate_on_value_added * max(value_added, 0.0)
        local = p.local_share_of_cit * cit
        to_province = p.province_share_of_local_cit * local
        county.receive_tax(local - to_province + other_tax, to_province)
        self.model.province_budget_mcny += to_province
        county.tech_bank.pool_mcny += interest
        self.cash_mcny += profit - cit - other_tax
        self.revenue_mcny = revenue
        self.value_added_mcny = value_added
        self.profit_mcny = profit - cit
        self.rd_real_mcny = rd_cash
        self.rd_reported_mcny = max(self.rd_reported_mcny, rd_cash)
        self.revenue_year_mcny += revenue
        self.rd_reported_year_mcny += self.rd_reported_mcny
        if ramp >= 1.0:  # incubated firms still ramping up keep their team
            self.resize(profit + rd_cash, revenue, shock_scale)

    def resize(self, operating_profit_mcny: float, revenue_mcny: float, shock_scale: float):
        """Hire or shed workers (ODD §7.5): more when the operating margin before R&D beats
        the reference, while young (a premium that fades with age), when small (growth falls
        with size), and by a lasting demand shock whose spread falls with size; a quarter's
        log change is bounded by ``employment_change_max_per_q`` either way."""
        p = self.model.p
        margin = operating_profit_mcny / revenue_mcny if revenue_mcny > 0.0 else 0.0
        log_change = (
            p.employment_adjustment_per_q * (margin - p.reference_margin)
            + p.young_firm_growth_per_q * math.exp(-self.age() / p.young_firm_growth_age_q)
            + p.growth_size_reversion_per_q * math.log(p.firm_employees_median / self.employees)
            + p.growth_shock_sigma * shock_scale * self.random.gauss(0.0, 1.0)
        )
        bound = p.employment_change_max_per_q
        log_change = max(-bound, min(bound, log_change))
        self.employees = max(1.0, self.employees * math.exp(log_change))

    # --- phase 5: finance ---------------------------------------------------------------------
    def use_tech_bank(self) -> None:
        """Repay part of the tech loan; borrow against granted patents when short of cash."""
        p = self.model.p
        bank = self.model.counties[self.county].tech_bank
        if self.debt_mcny > 0.0:
            principal = min(p.loan_amortisation_per_q * self.debt_mcny, max(self.cash_mcny, 0.0))
            self.cash_mcny -= principal
            self.debt_mcny -= principal
            bank.pool_mcny += principal
            bank.loans_mcny -= principal
        target = 0.5 * self.revenue_mcny + 0.2
        if self.cash_mcny < target and self.patents_granted > 0:
            limit = p.patent_pledge_value_mcny * self.patents_granted - self.debt_mcny
            loan = min(target - self.cash_mcny, limit, bank.pool_mcny)
            if loan > 0.01:
                self.cash_mcny += loan
                self.debt_mcny += loan
                bank.pool_mcny -= loan
                bank.loans_mcny += loan

    def use_equity_markets(self) -> None:
        """Quote on an equity board (S&T firms), raise equity when quoted, list (§1.4)."""
        p = self.model.p
        if self.listed:
            return
        certified = self.certified()
        if not self.quoted:
            if (
                (self.st_sme or certified)
                and self.revenue_mcny >= p.quotation_min_revenue_mcny_per_q
                and self.random.random() < p.quotation_probability_per_q
            ):
                self.quoted = True
            return
        if self.random.random() < p.quoted_raise_probability_per_q:
            raised = p.quoted_raise_share_of_revenue * self.revenue_mcny
            self.cash_mcny += raised
            self.equity_raised_mcny += raised
        if (
            certified
            and self.revenue_mcny >= p.listing_min_revenue_mcny_per_q
            and self.random.random() < p.listing_probability_per_q
        ):
            self.listed = True
            raised = 2.0 * self.revenue_mcny
            self.cash_mcny += raised
            self.equity_raised_mcny += raised
            # the funds exit at a multiple (outside co-investors exit outside the model)
            for fund, stake in (
                (self.lead_fund, self.fund_stake_mcny),
                (self.co_fund, self.co_stake_mcny),
            ):
                if fund is not None:
                    fund.pool_mcny += p.vc_exit_multiple * stake
                    fund.returns_mcny += p.vc_exit_multiple * stake
            self.lead_fund, self.fund_stake_mcny = None, 0.0
            self.co_fund, self.co_stake_mcny = None, 0.0

    # --- phase 6: exit and graduation -----------------------------------------------------
    def face_exit(self) -> None:
        """Close when insolvent or by the background hazard (falls with age and size, lower
        when listed).

        A closing firm's tech loan and fund stake are lost; its S&T staff look for work.
        """
        p = self.model.p
        # the hazard falls smoothly with age and size (Evans 1987; Dunne, Roberts & Samuelson
        # 1989); listed firms rarely close
        newness = 1.0 + (p.young_firm_hazard_multiplier - 1.0) * math.exp(
            -max(self.age(), 0) / p.exit_hazard_age_decay_q
        )
        smallness = (p.firm_employees_median / max(self.employees, 1.0)) ** (
            p.exit_hazard_size_elasticity
        )
        hazard = min(1.0, p.exit_hazard_per_q * newness * smallness * (0.25 if self.listed else 1))
        insolvent = self.cash_mcny < -p.insolvency_cash_quarters * self.revenue_mcny - 0.5
        if insolvent or self.random.random() < hazard:
            self.close()

    def close(self) -> None:
        """Write off loan and stakes, release staff, leave the platform, leave the model."""
        bank = self.model.counties[self.county].tech_bank
        bank.loans_mcny -= self.debt_mcny
        bank.losses_mcny += self.debt_mcny
        if self.lead_fund is not None:
            self.lead_fund.losses_mcny += self.fund_stake_mcny
        if self.co_fund is not None:
            self.co_fund.losses_mcny += self.co_stake_mcny
        for worker in self.staff:
            worker.employer = None
        self.staff.clear()
        if self.platform is not None and self.platform.anchor is self:
            self.platform.anchor = None  # a single-firm platform outlives its firm, open to all
        self.join(None)
        self.model.closed_firms += 1
        self.remove()

    def graduate(self) -> None:
        """Leave the incubator at the age or revenue limit (report §1.3)."""
        p = self.model.p
        if self.incubated and (
            self.age() >= p.incubation_max_q or self.revenue_mcny >= p.graduation_revenue_mcny_per_q
        ):
            self.incubated = False
            self.join(None)
            self.model.counties[self.county].graduates_q += 1

    # --- phase 7: choose a platform -----------------------------------------------------------
    def choose_platform(self, platforms_by_county: dict) -> None:
        """Compare a few platforms of the county with the current one; move if clearly better.

        Firms with a platform reconsider with probability ``platform_switch_per_q``; a
        single-firm platform keeps its firm (and serves others poorly); full platforms take
        no one; a candidate must beat the current service by 5%.
        """
        p = self.model.p
        current = self.platform
        if current is not None:
            if current.anchor is self:
                return
            if self.random.random() >= p.platform_switch_per_q:
                return
        best, best_value = current, (current.service_to(self) if current is not None else 0.0)
        candidates = platforms_by_county.get(self.county)
        if not candidates:
            return
        for _ in range(p.platform_candidates):
            platform = self.random.choice(candidates)
            if platform is current or len(platform.tenants) >= platform.capacity:
                continue
            value = platform.service_to(self)
            if value > best_value * 1.05 + 1e-6:
                best, best_value = platform, value
        if best is not current:
            self.join(best)

    # --- phase 8: grants -------------------------------------------------------------------
    def receive_county_grant(self, grant_rate: float) -> None:
        """County R&D grant in proportion to this quarter's R&D, paid in cash."""
        self.grant_mcny = grant_rate * self.rd_real_mcny
        if self.grant_mcny > 0.0:
            self.cash_mcny += self.grant_mcny
            county = self.model.counties[self.county]
            county.budget_mcny -= self.grant_mcny
            county.st_spending_mcny += self.grant_mcny

    # --- phase 9: certification, yearly -------------------------------------------------------
    def certify(self) -> None:
        """Yearly check on the year's revenue and reported R&D (last quarter of a year).

        A certificate that still covers the next quarter stands; otherwise (never certified,
        or expiring) the firm is checked, and if it qualifies it holds a certificate for the
        next ``HTE_VALID_Q`` quarters. S&T SME status is re-evaluated every year.
        """
        quarter = self.model.quarter
        held = self.certified()
        standing = self.certified(quarter + 1)
        certified = not standing and meets_high_tech_criteria(
            self.revenue_year_mcny,
            self.rd_reported_year_mcny,
            self.rd_staff,
            self.employees,
            self.patents_granted,
            self.high_tech_share,
        )
        if certified:
            self.high_tech_until = quarter + HTE_VALID_Q + 1
            if not held:
                self.model.counties[self.county].new_high_tech_q += 1
        self.st_sme = meets_st_sme_criteria(
            self.revenue_year_mcny,
            self.rd_reported_year_mcny,
            self.rd_staff,
            self.employees,
            self.patents_granted,
            standing or certified,
        )
        self.revenue_year_mcny = 0.0
        self.rd_reported_year_mcny = 0.0
