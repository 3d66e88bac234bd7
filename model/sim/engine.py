"""The simulation engine: state, the order of a quarter's phases, and accounting.

:class:`Simulation` owns the populations (structs of arrays) and calls the numba kernels of
``model/kernels`` in the order of design.md. Per-step Python work is O(number of phases):
array growth and a few vectorised numpy selections, never a loop over agents. It knows
nothing of Mesa; :mod:`model.sim.mesa_model` wraps it.
"""

from __future__ import annotations

import numpy as np

from model.kernels.certification import certify, pay_certification_bonus
from model.kernels.entry_exit import (
    count_entries,
    enter_firms,
    exit_firms,
    graduate_firms,
    relocate_firms,
)
from model.kernels.finance import finance
from model.kernels.government import govern
from model.kernels.indicators import county_indicators
from model.kernels.knowledge import gaussian_blur, knowledge_by_cell, produce_knowledge
from model.kernels.platforms import (
    choose_platforms,
    consolidate_platforms,
    count_tenants,
    run_platforms,
    specialise_platforms,
)
from model.kernels.policies import (
    assign_expert_links,
    commit_capital_chain,
    fill_enclaves,
    open_enclaves,
    pay_into_capital_chain,
    release_unpaid_enclave_places,
)
from model.kernels.production import produce
from model.kernels.rd_decisions import rd_decisions
from model.kernels.talent_market import (
    aggregate_talent,
    count_arrivals,
    release_talent_of_dead_firms,
    talent_market,
)
from model.kernels.wages import update_wages
from model.params.table import Parameters
from model.sim.indicators import INDICATOR_INDEX, INDICATORS, N_INDICATORS
from model.sim.initialise import HIGH_TECH_SHARE_MEAN, initial_state
from model.sim.ledger import (
    N_FLOWS,
    N_TALENT_FLOWS,
    check_money,
    money_stock,
)
from model.sim.prices import at_price_level, price_level
from model.sim.region import Region
from model.sim.sectors import N_SECTORS, SECTORS

#: Quarters simulated before quarter 0 so the initial state is lived-in.
BURN_IN_Q = 12
HIGH_TECH_SECTOR = np.array([s.high_tech for s in SECTORS])


class Simulation:
    """One run of the model on one region with one parameter set and one seed.

    Parameters
    ----------
    region : Region
        The county grid.
    params : Parameters
        Validated parameters.
    seed : int
        Seed of the counter-based generator (0 <= seed < 2**63).
    check_accounting : bool
        Verify money and talent conservation every step (raises on a violation).

    Attributes
    ----------
    step_index : int
        Quarter just simulated (0 after construction; burn-in quarters are negative).
    indicators : (n_counties, N_INDICATORS) float64
        The indicators of the latest quarter.
    money_flows : (N_FLOWS,) float64
        External money flows of the latest quarter (see ``model.sim.ledger``).
    """

    def __init__(
        self, region: Region, params: Parameters, seed: int, check_accounting: bool = False
    ):
        if not 0 <= int(seed) < 2**63:
            raise ValueError(f"seed must be an integer in [0, 2**63), got {seed!r}")
        self.region = region
        self.params = params
        self.kp = params.for_kernels()
        self.seed = int(seed)
        self.check_accounting = check_accounting
        s = initial_state(region, params, self.seed)
        self.firms, self.platforms, self.talent = s.firms, s.platforms, s.talent
        self.capital, self.counties, self.province = s.capital, s.counties, s.province
        self._county_sector_cdf = s.county_sector_cdf
        self._hub_sector_cdf = s.hub_sector_cdf
        self._hub_expert_share = s.hub_expert_share
        self._hub_initial = s.hub_initial
        self.bank_of_county = s.bank_of_county
        self.market_vc_of_county = s.market_vc_of_county
        self.guidance_of_county = s.guidance_of_county
        x, y = region.cell_xy_km()
        self._cell_x_km = np.ascontiguousarray(x, dtype=np.float64)
        self._cell_y_km = np.ascontiguousarray(y, dtype=np.float64)
        cells = [region.county_cells(c) for c in range(region.n_counties)]
        self._county_cells = np.concatenate(cells).astype(np.int64)
        self._county_cell_offsets = np.concatenate(
            [[0], np.cumsum([len(c) for c in cells])]
        ).astype(np.int64)
        self.money_flows = np.zeros(N_FLOWS)
        self.talent_flows = np.zeros(N_TALENT_FLOWS, dtype=np.int64)
        self.events = {"closed": 0, "left_for_hub": 0, "merged_platforms": 0, "relocated": 0}
        self._policy_first_step: int | None = None
        self._chain_guidance_share: np.ndarray | None = None  # set when the chain is built
        # the status-quo enclaves of the region file (report §1.5) are open from the start
        open_enclaves(
            self.counties, np.array([c.enclave_floor_m2 for c in self.region.counties]), self.kp
        )
        for quarter in range(-BURN_IN_Q, 0):
            self.step_index = quarter
            self._quarter()
        self.step_index = 0
        self.indicators = self._indicators()

    # ----------------------------------------------------------------------------------
    @property
    def n_counties(self) -> int:
        """Number of counties."""
        return self.region.n_counties

    def policy_on(self, step: int | None = None) -> bool:
        """Whether scenario rules are active at ``step`` (default: the current quarter)."""
        step = self.step_index if step is None else step
        return step >= self.params.policy_start_step

    def step(self) -> np.ndarray:
        """Simulate one quarter; return the county indicators (n_counties, N_INDICATORS)."""
        self.step_index += 1
        self._quarter()
        self.indicators = self._indicators()
        return self.indicators

    def money_stock(self) -> float:
        """Money in the modelled accounts (m CNY)."""
        return money_stock(self.firms, self.platforms, self.capital, self.counties, self.province)

    def talent_count(self) -> int:
        """Live S&T workers (counties and hubs)."""
        return self.talent.n_alive()

    # ----------------------------------------------------------------------------------
    def _quarter(self) -> None:
        seed, t = self.seed, self.step_index
        level = price_level(self.kp.market_growth_per_year, t)
        kp = at_price_level(self.kp, level)
        nc = self.n_counties
        stock_before = self.money_stock() if self.check_accounting else 0.0
        talent_before = self.talent_count() if self.check_accounting else 0
        self.money_flows[:] = 0.0
        self.talent_flows[:] = 0
        counties = self.counties.view()
        self.counties.reset_per_quarter()
        policy_on = self.policy_on(t)
        if policy_on and self._policy_first_step is None:
            # the first simulated quarter at or after policy_start_step (quarter 0 itself is
            # the initial state and is never simulated)
            self._policy_first_step = t
            self._switch_on_structural_policies(t)
        # expert links and enclave places are re-drawn yearly: from the first burn-in quarter
        # for the status quo, from the scenario's first quarter once it is on
        yearly = (t - self._policy_first_step) if policy_on else (t + BURN_IN_Q)
        if yearly % 4 == 0:
            assign_expert_links(self.firms, self.counties, kp, t, policy_on)
            fill_enclaves(self.firms, self.counties)

        # 1. talent market
        staff_in, experts_in, hub_in, paid_in = count_arrivals(
            counties, self._hub_initial, kp, seed, t
        )
        needed = int(staff_in.sum() + experts_in.sum() + hub_in.sum())
        self.talent.ensure_free(needed)
        free = np.flatnonzero(~self.talent.alive)
        firms, talent = self.firms.view(), self.talent.view()
        talent_market(
            talent,
            firms,
            counties,
            self._county_sector_cdf,
            self._hub_sector_cdf,
            self._hub_expert_share,
            free,
            staff_in,
            experts_in,
            hub_in,
            paid_in,
            kp,
            seed,
            t,
            bool(policy_on and kp.integration_enabled),
            self.talent_flows,
            self.money_flows,
        )
        update_wages(counties, talent, firms, kp)
        aggregate_talent(talent, firms, counties, kp)
        # 2. R&D decisions
        rd_decisions(firms, kp, t, policy_on)
        # 3. knowledge, spill-overs, patents
        platforms = self.platforms.view()
        ny, nx = self.region.shape
        field, occupied = knowledge_by_cell(firms, N_SECTORS, ny * nx)
        sigma_km = kp.spillover_half_distance_km / np.sqrt(2.0 * np.log(2.0))
        spill = gaussian_blur(field, ny, nx, sigma_km / self.region.cell_km, occupied)
        produce_knowledge(
            firms,
            platforms,
            spill,
            self._cell_x_km,
            self._cell_y_km,
            kp,
            seed,
            t,
            wage_index=counties.wage_index,
            price_level=level,
        )
        # 4. production, profit, taxes
        capital = self.capital.view()
        produce(
            firms,
            platforms,
            counties,
            capital,
            self.bank_of_county,
            self.province,
            kp,
            seed,
            t,
            self.money_flows,
            price_level=level,
        )
        # 5. finance
        capital_chain = bool(policy_on and kp.capital_chain_enabled)
        finance(
            firms,
            capital,
            counties,
            self.bank_of_county,
            self.market_vc_of_county,
            kp,
            seed,
            t,
            capital_chain,
            self.money_flows,
        )
        # 6. entry and exit
        closed, left = exit_firms(
            firms, capital, self.bank_of_county, kp, seed, t, self.money_flows
        )
        self.events["closed"] += closed
        self.events["left_for_hub"] += left
        release_talent_of_dead_firms(talent, firms)
        graduate_firms(firms, counties, kp, t)
        count_tenants(firms, platforms)
        county_new, incubator_new = count_entries(firms, platforms, talent, nc, kp, seed, t)
        self.firms.ensure_free(int(county_new.sum() + incubator_new.sum()))
        firms = self.firms.view()
        free = np.flatnonzero(~self.firms.alive)
        enter_firms(
            firms,
            platforms,
            counties,
            county_new,
            incubator_new,
            free,
            self._county_cells,
            self._county_cell_offsets,
            self._county_sector_cdf,
            HIGH_TECH_SHARE_MEAN,
            kp,
            seed,
            t,
            self.money_flows,
        )
        # 7. platforms
        count_tenants(firms, platforms)
        run_platforms(platforms, kp, t, self.money_flows)
        regionwide = bool(policy_on and kp.integration_enabled)
        if regionwide:
            self.events["relocated"] += relocate_firms(
                firms, platforms, self._cell_x_km, self._cell_y_km, kp, seed, t
            )
        choose_platforms(
            firms, platforms, nc, self._cell_x_km, self._cell_y_km, regionwide, kp, seed, t, False
        )
        # 8. government
        govern(
            firms,
            platforms,
            counties,
            self.province,
            kp,
            seed,
            t,
            policy_on,
            self.money_flows,
        )
        release_unpaid_enclave_places(firms, counties, self.talent.view())
        if self._chain_guidance_share is not None:
            pay_into_capital_chain(
                self.capital,
                self.counties,
                self.guidance_of_county,
                self.bank_of_county,
                self._chain_guidance_share,
            )
        # 9. certification, yearly
        if t % 4 == 3:
            new_hte = certify(firms, t)
            bonus = kp.hte_certification_bonus_mcny if policy_on else 0.0
            pay_certification_bonus(firms, counties, new_hte, bonus, kp)
        if self.check_accounting:
            check_money(stock_before, self.money_stock(), self.money_flows)
            arrivals, departures = self.talent_flows
            if self.talent_count() - talent_before != arrivals - departures:
                raise AssertionError(
                    f"talent is not conserved at quarter {t}: count changed by "
                    f"{self.talent_count() - talent_before}, arrivals - departures = "
                    f"{arrivals - departures}"
                )

    def _indicators(self) -> np.ndarray:
        return county_indicators(
            self.firms.view(),
            self.platforms.view(),
            self.talent.view(),
            self.capital.view(),
            self.counties.view(),
            HIGH_TECH_SECTOR,
            self.step_index,
            N_INDICATORS,
            self.kp.loan_loss_given_default,
        )

    def region_indicators(self, county_values: np.ndarray | None = None) -> np.ndarray:
        """Region-wide indicators (N_INDICATORS,) from county values (sums and ratios)."""
        v = self.indicators if county_values is None else county_values
        return region_totals(v)

    # --- structural policy rules --------------------------------------------------------
    def _switch_on_structural_policies(self, t: int) -> None:
        kp, nc = self.kp, self.n_counties
        firms, platforms = self.firms.view(), self.platforms.view()
        reshaped = False
        if kp.consolidation_enabled:
            self.events["merged_platforms"] += consolidate_platforms(
                firms,
                platforms,
                self.counties.view(),
                nc,
                self._cell_x_km,
                self._cell_y_km,
                kp,
                t,
            )
            reshaped = True
        if kp.specialisation_enabled:
            specialise_platforms(firms, platforms, nc, N_SECTORS)
            reshaped = True
        if reshaped:
            count_tenants(firms, platforms)
            choose_platforms(
                firms,
                platforms,
                nc,
                self._cell_x_km,
                self._cell_y_km,
                bool(kp.integration_enabled),
                kp,
                self.seed,
                t,
                True,
            )
        if kp.capital_chain_enabled:
            self._chain_guidance_share = commit_capital_chain(
                self.capital, self.counties, self.guidance_of_county, self.bank_of_county, kp
            )
        if kp.enclaves_enabled:
            floor_m2 = np.array(
                [c.enclave_floor_m2 or kp.enclave_default_floor_m2 for c in self.region.counties]
            )
            open_enclaves(self.counties, floor_m2, kp)


def region_totals(county_values: np.ndarray) -> np.ndarray:
    """Combine county indicators (n_counties, N_INDICATORS) into region values."""
    total = county_values.sum(axis=0)
    for i, ind in enumerate(INDICATORS):
        if ind.region_rule.startswith("ratio:"):
            num, den = ind.region_rule[len("ratio:") :].split("/")
            d = total[INDICATOR_INDEX[den]]
            total[i] = total[INDICATOR_INDEX[num]] / d if d > 0 else 0.0
    return total
