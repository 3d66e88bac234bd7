"""The 2017-2018 status quo in the baseline (ODD §7.12; issue 13 item 2).

Jiashan's and Changxing's enclaves, Changxing's guidance funds, equity board and chief
technology officers, and Jiashan's tech banks are read from the region file and act in every
scenario from the first burn-in quarter. Each is checked by running the model with and without
the status quo (``Region.without_status_quo``) on the same seed.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pytest

from model.params.scenarios import load_scenario
from model.sim.engine import Simulation
from model.sim.initialise import initial_state
from model.sim.region import RegionError, load_region

SCALE = 0.25
FAST = {"firm_scale": SCALE}
SEED = 3


@cache
def full_region():
    return load_region("jiaxing-huzhou")


@cache
def run(status_quo: bool, steps: int, extra: tuple = (), seed: int = SEED) -> Simulation:
    region = full_region() if status_quo else full_region().without_status_quo()
    params = load_scenario("baseline").parameters({**FAST, **dict(extra)})
    sim = Simulation(region, params, seed, check_accounting=True)
    for _ in range(steps):
        sim.step()
    return sim


def county(key: str) -> int:
    return full_region().county_id(key)


def test_the_region_file_holds_the_report_figures_with_their_source():
    by_key = {c.key: c for c in full_region().counties}
    cx, js = by_key["changxing"], by_key["jiashan"]
    assert (cx.guidance_fund_mcny, cx.equity_board, cx.cto_firms) == (458.5, True, 180)
    assert js.tech_bank_pool_mcny == 94.62
    assert "report §1.4" in cx.source and "report §1.4" in js.source
    others = [c for c in full_region().counties if c.key not in ("changxing", "jiashan")]
    assert all(
        c.guidance_fund_mcny is None and not c.equity_board and c.cto_firms == 0 for c in others
    )


def test_changxing_and_jiashan_start_with_their_own_pools():
    p = load_scenario("baseline").parameters(FAST)
    s = initial_state(full_region(), p, SEED)
    g, b = s.guidance_of_county, s.bank_of_county
    assert s.capital.pool_mcny[g[county("changxing")]] == pytest.approx(458.5 * SCALE)
    assert s.capital.pool_mcny[b[county("jiashan")]] == pytest.approx(94.62 * SCALE)
    default = p["guidance_fund_mcny"] * SCALE
    assert s.capital.pool_mcny[g[county("jiashan")]] == pytest.approx(default)
    # the larger pool is invested: Changxing's guidance fund puts more into firms
    with_sq, without = run(True, 8), run(False, 8)
    invested = with_sq.capital.invested_mcny[g[county("changxing")]]
    assert invested > without.capital.invested_mcny[g[county("changxing")]]


def test_the_status_quo_enclaves_are_open_and_paid_for_during_the_burn_in():
    sim = run(True, 0)  # quarter 0: only the burn-in has run, no scenario was ever on
    assert not sim.policy_on(-1)
    f = sim.firms
    in_enclave = np.bincount(f.county[f.alive & f.in_enclave], minlength=12)
    assert in_enclave[county("jiashan")] > 0 and in_enclave[county("changxing")] > 0
    assert in_enclave.sum() == in_enclave[county("jiashan")] + in_enclave[county("changxing")]
    t = sim.talent
    assert (t.alive & (t.hub >= 0) & (t.employer_firm >= 0)).any()  # they hire in the hub
    none = run(False, 0)
    assert not (none.firms.alive & none.firms.in_enclave).any()


def test_changxings_officers_link_its_best_certified_firms_and_cost_the_county():
    with_sq, without = run(True, 4), run(False, 4)
    f = with_sq.firms
    links = np.bincount(f.county[f.alive & f.expert_link], minlength=12)
    assert links[county("changxing")] > 0
    assert links.sum() == links[county("changxing")]  # nowhere else
    assert links[county("changxing")] <= round(180 * SCALE)
    assert not (without.firms.alive & without.firms.expert_link).any()
    cost = with_sq.counties.policy_cost_mcny[county("changxing")]
    assert cost > without.counties.policy_cost_mcny[county("changxing")]


def test_changxings_equity_board_raises_its_quoted_firms_and_only_through_the_board():
    quoted = county("changxing")

    def quoted_firms(status_quo: bool, extra: tuple = ()) -> int:
        sims = [run(status_quo, 16, extra, seed) for seed in (1, 2, 3)]
        return sum(
            int((s.firms.alive & s.firms.quoted & (s.firms.county == quoted)).sum()) for s in sims
        )

    assert quoted_firms(True) > quoted_firms(False)
    # a board that does not raise the quotation chance leaves Changxing's quotations where the
    # other status-quo practices put them: the board, not the rest, is what raised them
    no_boost = (("capital_chain_quotation_boost", 1.0),)
    assert quoted_firms(True, no_boost) < quoted_firms(True)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[counties.status_quo]\nguidance_fnd_mcny = 458.5\n", "guidance_fnd_mcny"),
        ("[counties.status_quo]\nequity_board = 1\n", "must be true or false"),
        ("[counties.status_quo]\ncto_firms = -3\n", "cto_firms"),
        ("[counties.status_quo]\n", "is empty"),
    ],
)
def test_a_bad_status_quo_table_is_refused_with_file_and_key(tmp_path: Path, text, message):
    source = Path(full_region().source_file).read_text(encoding="utf-8")
    anchor = (
        "enclave_floor_m2 = 40000\n\n[counties.status_quo]\n"
        "guidance_fund_mcny = 458.5\nequity_board = true\ncto_firms = 180\n"
    )
    assert anchor in source
    bad = tmp_path / "bad.toml"
    bad.write_text(source.replace(anchor, "enclave_floor_m2 = 40000\n\n" + text), encoding="utf-8")
    with pytest.raises(RegionError, match=message) as info:
        load_region(bad)
    assert "bad.toml" in str(info.value)


def test_a_status_quo_without_a_source_is_refused(tmp_path: Path):
    source = Path(full_region().source_file).read_text(encoding="utf-8")
    start = source.index('status_quo = "report §1.4: Jiashan')
    end = source.index("\n", start) + 1
    bad = tmp_path / "nosource.toml"
    bad.write_text(source[:start] + source[end:], encoding="utf-8")
    with pytest.raises(RegionError, match="no source for status_quo"):
        load_region(bad)
