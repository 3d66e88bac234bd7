"""County S&T budgets that bind, and the tax rebate's money followed to an outcome (ODD §7.9).

Every county's S&T account stays above its floor in every scenario and quarter, while money
and talent (hub populations included) balance (``check_accounting``); the rebate of the
incremental high-tech CIT goes to the county whose certified firm grew, raises its S&T
spending and, through its platforms, what they can do for firms.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest

from model.params.scenarios import list_scenarios, load_scenario
from model.sim.engine import Simulation
from model.sim.region import load_region

FAST = {"firm_scale": 0.25, "policy_start_step": 1}


@cache
def region():
    return load_region("jiaxing-huzhou")


def floor_mcny(sim: Simulation) -> np.ndarray:
    """The floor of each county's S&T account this quarter (n_counties,), m CNY."""
    p = sim.params
    share = p.county_st_share_of_revenue
    return -p.county_st_deficit_limit_years * 4.0 * share * sim.counties.tax_revenue_mcny


@pytest.mark.parametrize("name", list_scenarios())
def test_every_county_stays_above_the_floor_of_its_s_and_t_account_every_quarter(name):
    """16 quarters of each built-in scenario, books checked every quarter."""
    sim = Simulation(region(), load_scenario(name).parameters(FAST), 2, check_accounting=True)
    deficit_quarters = np.zeros(region().n_counties, dtype=int)
    for _ in range(16):
        sim.step()
        c = sim.counties
        assert (c.budget_mcny >= floor_mcny(sim) - 1e-9).all(), (sim.step_index, c.budget_mcny)
        # interest is paid exactly when the account started the quarter's spending in deficit
        assert (c.st_interest_mcny >= 0).all()
        deficit_quarters += c.st_interest_mcny[: len(deficit_quarters)] > 0
    if name == "baseline":
        # the baseline lines spend only a positive balance: only Changxing borrows, because its
        # status-quo contracts (the Hangzhou enclave's rent and 180 officers, paid first; ODD
        # §7.12) exceed its S&T envelope at the firm count its 2014 GDP gives it; and only the
        # counties with status-quo programmes (Jiashan, Changxing) cut their baseline lines
        changxing = region().county_id("changxing")
        assert deficit_quarters[changxing] > 0
        assert deficit_quarters.sum() == deficit_quarters[changxing], deficit_quarters
        paying = {region().county_id("jiashan"), region().county_id("changxing")}
        others = [c for c in range(region().n_counties) if c not in paying]
        assert (sim.counties.st_cut_mcny[others] < 1e-9).all()
        assert (sim.counties.st_cut_mcny[sorted(paying)] > 0).all()


def test_programmes_beyond_the_counties_means_are_cut_and_the_counties_borrow():
    """Every lever at once asks more than the counties' S&T money: programmes are cut and
    most accounts sit at their floors, paying interest."""
    base = Simulation(region(), load_scenario("baseline").parameters(FAST), 2)
    combined = Simulation(region(), load_scenario("combined").parameters(FAST), 2)
    cut = interest = 0.0
    for _ in range(8):
        base.step()
        combined.step()
        cut += combined.counties.st_cut_mcny.sum()
        interest += combined.counties.st_interest_mcny.sum()
    assert cut > 0
    at_floor = np.isclose(combined.counties.budget_mcny, floor_mcny(combined), atol=1e-6)
    assert at_floor.sum() >= 6
    assert interest > 0


def _grow_one_certified_firm(sim: Simulation, county: int, factor: float) -> None:
    """Make the largest certified firm of ``county`` ``factor`` times as productive."""
    f = sim.firms
    certified = np.flatnonzero(f.alive & (f.county == county) & (f.hte_until_step > sim.step_index))
    biggest = certified[np.argmax(f.revenue_mcny[certified])]
    f.base_productivity[biggest] *= factor


def test_tax_rebate_follows_a_growing_certified_firm_to_county_s_and_t_spending_and_platforms():
    """Report §3.3, followed through the model. Under the rebate, one county's largest certified
    firm quadruples its productivity after the base year. Against the same run without that
    growth, the county's province part of high-tech CIT rises, at the year's settlement it
    receives a larger rebate, the reinvested part raises its S&T spending, and its platforms
    get more money and build more quality than with the same growth and no rebate."""
    start = {**FAST, "policy_start_step": 4}
    county = region().county_id("deqing")

    def runs(share: float, grow: bool) -> Simulation:
        params = load_scenario("tax_rebate").parameters({**start, "tax_rebate_share": share})
        sim = Simulation(region(), params, 3, check_accounting=True)
        for _ in range(4):
            sim.step()
        if grow:
            # the county's quarterly province CIT of certified firms swings tenfold (0.03 to
            # 0.34 m CNY in Deqing at a quarter of the firms, seed 3, calibrated defaults), so a
            # doubled firm still leaves the year below its base and no rebate is settled
            _grow_one_certified_firm(sim, county, 4.0)
        return sim

    grown, flat, grown_no_rebate = runs(1.0, True), runs(1.0, False), runs(0.0, True)
    cit = {id(s): 0.0 for s in (grown, flat)}
    for _ in range(4):  # quarters 5-8; the year ends at quarter 7
        for sim in (grown, flat, grown_no_rebate):
            sim.step()
            if sim is not grown_no_rebate:
                cit[id(sim)] += sim.counties.province_hte_cit_mcny[county]
            if sim.step_index == 7:
                sim.settled = (
                    sim.counties.rebate_mcny[county],
                    sim.counties.st_spending_mcny[county],
                    sim.counties.tax_revenue_mcny[county],
                )
    assert cit[id(grown)] > cit[id(flat)]
    rebate_grown, st_grown, tax_grown = grown.settled
    rebate_flat, _, _ = flat.settled
    assert rebate_grown > rebate_flat
    # the settlement quarter: S&T spending = the base share of tax revenue + reinvested rebate
    p = grown.params
    _, st_no_rebate, tax_no_rebate = grown_no_rebate.settled
    expected_extra = p.rebate_reinvest_share * rebate_grown
    extra = (st_grown - p.county_st_share_of_revenue * tax_grown) - (
        st_no_rebate - p.county_st_share_of_revenue * tax_no_rebate
    )
    assert extra == pytest.approx(expected_extra, rel=0.05)
    # on to the platforms: more money, more quality built in the county
    mine = grown.platforms.alive & (grown.platforms.county == county)
    other = grown_no_rebate.platforms
    theirs = other.alive & (other.county == county)
    assert grown.platforms.quality[mine].sum() > other.quality[theirs].sum()
