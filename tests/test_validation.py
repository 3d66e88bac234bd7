"""The estimators of the stylised facts give the known answer on samples that have one, and
the facts are measured on real runs of the model (docs/validation.md)."""

from __future__ import annotations

import numpy as np
import pytest

from model.params.table import Parameters
from model.sim.region import load_region
from model.validation import measures
from model.validation.panel import collect_panel
from model.validation.stylised_facts import STYLISED_FACTS, facts_table, measure_stylised_facts

RNG = np.random.default_rng(12345)


def test_pareto_exponent_of_a_pareto_sample():
    zeta = 1.1
    sizes = 20.0 * (1.0 - RNG.random(20_000)) ** (-1.0 / zeta)
    assert measures.pareto_exponent(sizes, 20.0) == pytest.approx(zeta, abs=0.05)
    # a thinner tail gives a larger exponent
    assert measures.pareto_exponent(20.0 * (1.0 - RNG.random(20_000)) ** -0.5, 20.0) > 1.8


def test_excess_kurtosis_separates_laplace_from_gaussian():
    assert measures.excess_kurtosis(RNG.laplace(size=200_000)) == pytest.approx(3.0, abs=0.2)
    assert measures.excess_kurtosis(RNG.normal(size=200_000)) == pytest.approx(0.0, abs=0.1)


def test_spread_size_slope_recovers_the_power():
    log_size = RNG.uniform(1.0, 8.0, 100_000)
    growth = RNG.normal(size=100_000) * np.exp(-0.2 * log_size)
    assert measures.spread_size_slope(log_size, growth) == pytest.approx(-0.2, abs=0.02)


def test_discrete_power_law_exponent_of_a_zeta_sample():
    counts = RNG.zipf(2.2, 50_000)
    assert measures.discrete_power_law_exponent(counts, 5) == pytest.approx(2.2, abs=0.08)
    with pytest.raises(ValueError, match="at least 10"):
        measures.discrete_power_law_exponent(np.array([1, 2, 3]), 1)


def test_gini_of_equal_and_of_concentrated_values():
    assert measures.gini(np.ones(10)) == pytest.approx(0.0, abs=1e-12)
    assert measures.gini(np.array([0.0] * 9 + [5.0])) == pytest.approx(0.9)


def test_transition_probabilities():
    before = np.array([True, True, True, False, False, False, False])
    after = np.array([True, True, False, True, False, False, False])
    stay, enter = measures.transition_probabilities(before, after)
    assert stay == pytest.approx(2 / 3) and enter == pytest.approx(1 / 4)
    with pytest.raises(ValueError, match="both states"):
        measures.transition_probabilities(np.ones(3, bool), np.ones(3, bool))


def test_panel_of_a_run_is_consistent():
    params = Parameters({"firm_scale": 0.1})
    panel = collect_panel(load_region("jiaxing-huzhou"), params, seed=3, quarters=24)
    assert np.isnan(panel.log_growth).sum() == (~panel.survived).sum()
    assert 0 < panel.cohort_alive_5y <= panel.cohort_size
    # the first year has no previous year; later years know it for firms alive through it
    assert (panel.applied_previous_year == -1).any() and (panel.applied_previous_year == 1).any()
    assert panel.county_value_added_last_year_mcny.sum() > 0
    assert len(panel.final_employees) == len(panel.final_patents)
    with pytest.raises(ValueError, match="multiple of 4"):
        collect_panel(load_region("jiaxing-huzhou"), params, seed=3, quarters=30)


def test_every_fact_is_measured_on_runs_of_the_model():
    results = measure_stylised_facts(seeds=(1, 2), quarters=28, firm_scale=0.2)
    assert [r.fact.name for r in results] == [f.name for f in STYLISED_FACTS]
    for r in results:
        assert r.values.shape == (2,) and np.isfinite(r.values).all(), r.fact.name
        assert r.reproduced == (r.fact.low <= r.values.mean() <= r.fact.high)
    table = facts_table(results)
    assert table.count("\n") == len(results) + 1  # header, rule, one row per fact
