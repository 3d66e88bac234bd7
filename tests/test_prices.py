"""Aggregate nominal growth (``market_growth_per_year``; ``model/sim/prices.py``, ODD §7.14).

The trend is the one thing the calibration takes from the data's growth series, so it must do
what it says and nothing more: money outcomes grow by about the trend a year; research effort,
patents, firm counts and R&D intensity do not. Each check runs
the model twice on the same seed, with and without the trend.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest

from model.params.scenarios import load_scenario
from model.sim.engine import Simulation
from model.sim.indicators import INDICATOR_INDEX
from model.sim.prices import PRICED_PARAMETERS, at_price_level, price_level
from model.sim.region import load_region

SEED = 5
YEARS = 5
GROWTH = 0.10


@cache
def yearly_totals(growth: float) -> np.ndarray:
    """Region totals of each indicator per year: (YEARS, N_INDICATORS), flows and stocks summed."""
    region = load_region("jiaxing-huzhou")
    params = load_scenario("baseline").parameters(
        {"firm_scale": 0.25, "market_growth_per_year": growth}
    )
    sim = Simulation(region, params, SEED, check_accounting=True)
    quarters = np.array([sim.step().sum(axis=0) for _ in range(4 * YEARS)])
    return quarters.reshape(YEARS, 4, -1).sum(axis=1)


def annual_growth(series: np.ndarray) -> float:
    return float((series[-1] / series[0]) ** (1.0 / (len(series) - 1)) - 1.0)


def column(growth: float, name: str) -> np.ndarray:
    return yearly_totals(growth)[:, INDICATOR_INDEX[name]]


def test_the_price_level_is_one_until_quarter_zero_and_compounds_after():
    assert price_level(0.1, -12) == price_level(0.1, 0) == 1.0
    assert price_level(0.1, 8) == pytest.approx(1.21)
    assert price_level(0.0, 40) == 1.0


def test_a_stationary_run_reads_the_table_itself_and_a_growing_one_scales_only_prices():
    kp = load_scenario("baseline").parameters({}).for_kernels()
    assert at_price_level(kp, 1.0) is kp
    priced = at_price_level(kp, 1.5)
    for name in kp._fields:
        expected = getattr(kp, name) * 1.5 if name in PRICED_PARAMETERS else getattr(kp, name)
        assert getattr(priced, name) == expected, name


@pytest.mark.parametrize("name", ["revenue_mcny", "county_tax_revenue_mcny"])
def test_money_outcomes_grow_by_the_trend(name):
    stationary = annual_growth(column(0.0, name))
    growing = annual_growth(column(GROWTH, name))
    # the trend adds about its own rate to whatever the stationary run does, within 2 points
    assert abs((1 + growing) / (1 + stationary) - (1 + GROWTH)) < 0.02, (stationary, growing)


@pytest.mark.parametrize("name", ["invention_patent_applications", "firms", "rd_staff"])
def test_real_outcomes_do_not_grow_with_prices(name):
    stationary, growing = column(0.0, name), column(GROWTH, name)
    # prices rise 46% over the five years; research effort, patents and firms stay within 10%
    assert np.all(np.abs(growing / stationary - 1.0) < 0.10), (stationary, growing)


def test_firms_keep_their_r_and_d_share_of_revenue_as_prices_rise():
    stationary = column(0.0, "rd_spending_mcny") / column(0.0, "revenue_mcny")
    growing = column(GROWTH, "rd_spending_mcny") / column(GROWTH, "revenue_mcny")
    assert np.all(np.abs(growing - stationary) < 0.1 * stationary), (stationary, growing)
