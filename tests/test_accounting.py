"""Money and talent conservation over whole runs; entry and exit of firms; table growth.

The engine checks, every quarter, that the change of all modelled money stocks equals the
named sources minus sinks, and that the S&T workforce changes only by arrivals and departures
(``check_accounting=True``). These tests run it for ten simulated years, with and without
every policy lever, and show the check can fail.
"""

from __future__ import annotations

import naive
import numpy as np
import pytest

import model.sim.engine as engine
from model.params.table import Parameters
from model.sim.engine import HIGH_TECH_SECTOR, Simulation
from model.sim.indicators import INDICATOR_INDEX, INDICATOR_NAMES
from model.sim.ledger import N_FLOWS, check_money

SCALE = 0.15
QUARTERS = 40


def _count_money_checks(monkeypatch) -> list[float]:
    """Record every residual the engine's money check computes."""
    residuals: list[float] = []

    def spy(before, after, flows, rtol=1e-9):
        residual = check_money(before, after, flows, rtol)
        residuals.append(residual)
        return residual

    monkeypatch.setattr(engine, "check_money", spy)
    return residuals


def test_baseline_conserves_money_and_talent_for_ten_years(region, monkeypatch):
    residuals = _count_money_checks(monkeypatch)
    sim = Simulation(region, Parameters({"firm_scale": SCALE}), seed=11, check_accounting=True)
    for _ in range(QUARTERS):
        sim.step()
    assert sim.step_index == QUARTERS
    assert len(residuals) == engine.BURN_IN_Q + QUARTERS  # every quarter was checked
    assert np.all(np.isfinite(sim.money_flows)) and sim.money_flows[0] > 0
    assert sim.events["closed"] > 0


@pytest.fixture(scope="module")
def policy_run(region, all_policies):
    """Ten years with every policy lever on, accounting checked every quarter."""
    residuals: list[float] = []
    original = engine.check_money

    def spy(before, after, flows, rtol=1e-9):
        residuals.append(original(before, after, flows, rtol))
        return residuals[-1]

    engine.check_money = spy
    try:
        sim = Simulation(
            region, Parameters({"firm_scale": SCALE, **all_policies}), 5, check_accounting=True
        )
        history = [sim.indicators.copy()]
        for _ in range(QUARTERS):
            history.append(sim.step().copy())
    finally:
        engine.check_money = original
    return sim, np.array(history), residuals


def test_every_policy_at_once_conserves_money_and_talent(policy_run):
    sim, history, residuals = policy_run
    assert sim.step_index == QUARTERS
    assert len(residuals) == engine.BURN_IN_Q + QUARTERS
    # the levers were really pulled
    assert sim.events["merged_platforms"] > 0
    assert sim.firms.in_enclave[sim.firms.alive].any()
    assert sim.firms.expert_link[sim.firms.alive].any()
    county_cost = history[:, :, INDICATOR_INDEX["county_policy_cost_mcny"]]
    province_cost = history[:, :, INDICATOR_INDEX["province_policy_cost_mcny"]]
    assert county_cost[3:].sum() > 0 and province_cost[3:].sum() > 0
    assert np.all(np.isfinite(history))


def test_money_check_fails_when_money_appears(region):
    sim = Simulation(region, Parameters({"firm_scale": 0.1}), seed=2)
    before = sim.money_stock()
    live = np.flatnonzero(sim.firms.alive)[0]
    sim.firms.cash_mcny[live] += 1.0  # a yuan from nowhere (well, a million)
    with pytest.raises(AssertionError, match="money is not conserved"):
        check_money(before, sim.money_stock(), np.zeros(N_FLOWS))
    # within rounding it passes
    assert abs(check_money(before, before + 1e-12, np.zeros(N_FLOWS))) < 1e-9


def test_engine_catches_a_kernel_that_creates_money(region, monkeypatch):
    sim = Simulation(region, Parameters({"firm_scale": 0.1}), seed=3, check_accounting=True)
    real_produce = engine.produce

    def leaky_produce(firms, *args, **kwargs):
        real_produce(firms, *args, **kwargs)
        firms.cash_mcny[np.flatnonzero(firms.alive)[0]] += 0.5

    monkeypatch.setattr(engine, "produce", leaky_produce)
    with pytest.raises(AssertionError, match="money is not conserved"):
        sim.step()


def test_engine_catches_talent_that_vanishes(region, monkeypatch):
    sim = Simulation(region, Parameters({"firm_scale": 0.1}), seed=3, check_accounting=True)
    real_release = engine.release_talent_of_dead_firms

    def losing_release(talent, firms):
        real_release(talent, firms)
        talent.alive[np.flatnonzero(talent.alive)[0]] = False  # gone, no departure recorded

    monkeypatch.setattr(engine, "release_talent_of_dead_firms", losing_release)
    with pytest.raises(AssertionError, match="talent is not conserved"):
        sim.step()


# =============================================================================================
# Entry and exit


def _assert_indicators_match_tables(sim: Simulation) -> None:
    expected = naive.county_indicators(
        sim.firms.arrays,
        sim.platforms.arrays,
        sim.talent.arrays,
        sim.capital.arrays,
        sim.counties.arrays,
        HIGH_TECH_SECTOR,
        sim.step_index,
        sim.n_counties,
        sim.params.loan_loss_given_default,
    )
    for name, values in expected.items():
        np.testing.assert_allclose(
            sim.indicators[:, INDICATOR_INDEX[name]], values, rtol=1e-9, err_msg=name
        )


def test_firms_enter_and_exit_and_counts_follow_the_table(region):
    sim = Simulation(region, Parameters({"firm_scale": 0.1}), seed=21)
    _assert_indicators_match_tables(sim)
    total_new = total_closed = 0
    for _ in range(10):
        alive_before = sim.firms.alive.copy()
        events_before = sim.events["closed"] + sim.events["left_for_hub"]
        sim.step()
        t = sim.step_index
        f = sim.firms
        n = len(alive_before)
        born_now = f.alive & (f.born_step == t)
        # new firms are live rows born this quarter, one per start-up counted by the counties
        assert born_now.sum() == sim.counties.startups_q.sum()
        assert born_now.sum() == sim.indicators[:, INDICATOR_INDEX["startups"]].sum()
        np.testing.assert_array_equal(
            np.bincount(f.county[born_now], minlength=sim.n_counties), sim.counties.startups_q
        )
        # no live row has a birth date in the future; old rows keep theirs
        assert np.all(f.born_step[f.alive] <= t)
        # a row that was alive is closed if it is dead now or was reused by a start-up
        closed = alive_before & (~f.alive[:n] | (f.born_step[:n] == t))
        assert closed.sum() == sim.events["closed"] + sim.events["left_for_hub"] - events_before
        dead = ~f.alive
        assert np.all(f.cash_mcny[dead & (np.arange(f.n_rows) < n) & alive_before] == 0.0)
        assert np.all(f.platform[dead & (np.arange(f.n_rows) < n) & alive_before] == -1)
        # talent is employed only by live firms; start-ups have not hired yet
        employer = sim.talent.employer_firm[sim.talent.alive]
        employer = employer[employer >= 0]
        assert np.all(f.alive[employer]) and not np.any(born_now[employer])
        _assert_indicators_match_tables(sim)
        total_new += int(born_now.sum())
        total_closed += int(closed.sum())
    assert total_new > 0 and total_closed > 0


def test_stage_counts_follow_the_table_with_every_policy(policy_run):
    sim, _, _ = policy_run
    _assert_indicators_match_tables(sim)
    hte = sim.indicators[:, INDICATOR_INDEX["high_tech_enterprises"]]
    assert hte.sum() > 0
    f = sim.firms
    live = f.alive
    assert hte.sum() == np.count_nonzero(live & (f.hte_until_step > sim.step_index))
    st_sme = sim.indicators[:, INDICATOR_INDEX["st_smes"]]
    assert st_sme.sum() == np.count_nonzero(live & f.st_sme)
    # firms relabel some R&D to reach certification thresholds: reported >= performed
    reported = sim.indicators[:, INDICATOR_INDEX["rd_spending_mcny"]]
    performed = sim.indicators[:, INDICATOR_INDEX["rd_performed_mcny"]]
    assert (performed <= reported + 1e-9).all() and performed.sum() < reported.sum()
    assert (sim.indicators[:, INDICATOR_INDEX["public_fund_assets_mcny"]] > 0).all()


def _grown_initial_state(factor: int, capacities: dict):
    real = engine.initial_state

    def initial_state(region, params, seed):
        state = real(region, params, seed)
        capacities["firms"] = state.firms.n_rows
        capacities["talent"] = state.talent.n_rows
        if factor > 1:
            state.firms.grow(factor * state.firms.n_rows)
            state.talent.grow(factor * state.talent.n_rows)
        return state

    return initial_state


def test_tables_grow_when_needed_without_changing_results(region, monkeypatch):
    # many start-ups, so the firm table must grow during the run
    params = Parameters({"firm_scale": 0.1, "background_startups_per_county_per_q": 250.0})
    runs = {}
    for factor in (1, 4):
        capacities: dict = {}
        monkeypatch.setattr(engine, "initial_state", _grown_initial_state(factor, capacities))
        sim = Simulation(region, params, seed=8)
        history = [sim.indicators.copy()]
        for _ in range(3):
            history.append(sim.step().copy())
        runs[factor] = (sim, np.array(history), capacities)
    small, big = runs[1][0], runs[4][0]
    initial_capacity = runs[1][2]["firms"]
    assert small.firms.n_rows > initial_capacity  # it had to grow
    assert big.firms.n_rows == 4 * initial_capacity  # it never had to
    np.testing.assert_array_equal(runs[1][1], runs[4][1])
    # identical live rows; the extra rows of the big table are all free
    n = small.firms.n_rows
    assert not big.firms.alive[n:].any()
    for name, values in small.firms.arrays.items():
        np.testing.assert_array_equal(values, big.firms.arrays[name][:n], err_msg=name)


def test_table_grow_keeps_rows_and_fills_new_ones():
    from model.sim.state import new_firms

    firms = new_firms(3)
    firms.alive[:2] = True
    firms.cash_mcny[:3] = [1.0, 2.0, 3.0]
    firms.patent_pipeline[1, 5] = 4
    firms.grow(7)
    assert firms.n_rows == 7
    np.testing.assert_array_equal(firms.cash_mcny, [1, 2, 3, 0, 0, 0, 0])
    assert firms.patent_pipeline.shape == (7, 24) and firms.patent_pipeline[1, 5] == 4
    assert firms.lead_fund[3:].tolist() == [-1] * 4 and not firms.alive[3:].any()
    firms.ensure_free(10)
    assert firms.free_slots() >= 10 and firms.n_rows == 14
    view = firms.view()
    assert view.cash_mcny is firms.cash_mcny  # kernels see the grown arrays, no copy


def test_indicator_names_are_unique():
    assert len(set(INDICATOR_NAMES)) == len(INDICATOR_NAMES)
