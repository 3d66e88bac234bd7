"""What vouchers, shared equipment, congestion, sector focus and consolidation change.

Each test changes one thing and checks the outcome moves the way ODD §7.4, §7.8, §7.9 and
§7.12 say, in both directions where the rule has two: whole-model runs for R&D, knowledge
and equipment; a few tiny platform tables for the service a firm gets.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import make_counties, make_firms, make_platforms

from model.kernels.knowledge import service_level, service_map
from model.kernels.platforms import consolidate_platforms, count_tenants
from model.params.scenarios import load_scenario
from model.params.table import Parameters
from model.sim.indicators import INDICATOR_INDEX
from model.sim.mesa_model import InnovationModel
from model.sim.state import PLATFORM_INCUBATOR, PLATFORM_RD_INSTITUTE, PLATFORM_SERVICE

QUARTERS = 16
SEED = 1
#: Seeds of the paired comparisons of vouchers, lottery and baseline: one seed's difference
#: is mostly chance at the calibrated defaults (lottery minus baseline, net R&D over the last
#: four quarters: -12.6, +57.7, +18.7, +21.0, +34.8 m CNY at seeds 1-5, measured 2026-12-06).
PAIRED_SEEDS = (1, 2, 3, 4, 5)


def _run(scenario: str, seed: int = SEED, **overrides):
    """Net R&D and new knowledge summed over the last four of ``QUARTERS``, and the model."""
    parameters = {**load_scenario(scenario).overrides, **overrides}
    model = InnovationModel(
        region="jiaxing-huzhou", parameters=parameters, seed=seed, build_mesa_grid=False
    )
    net_rd_mcny = 0.0
    new_knowledge = 0.0
    for quarter in range(QUARTERS):
        model.step()
        if quarter >= QUARTERS - 4:
            region = model.sim.indicators.sum(axis=0)
            net_rd_mcny += region[INDICATOR_INDEX["rd_performed_net_mcny"]]
            firms = model.sim.firms
            new_knowledge += firms.new_knowledge[firms.alive].sum()
    return net_rd_mcny, new_knowledge, model


def _paired(scenario: str, **overrides):
    """Mean net R&D and new knowledge over :data:`PAIRED_SEEDS`, and the model of the first."""
    results = [_run(scenario, seed, **overrides) for seed in PAIRED_SEEDS]
    net_rd_mcny = float(np.mean([r[0] for r in results]))
    new_knowledge = float(np.mean([r[1] for r in results]))
    return net_rd_mcny, new_knowledge, results[0][2]


@pytest.fixture(scope="module")
def runs():
    """The runs several tests compare (each run once, on the same seeds)."""
    return {
        "baseline": _paired("baseline"),
        "vouchers": _paired("innovation_vouchers"),
        "lottery": _paired("innovation_vouchers", voucher_by_application=False),
        "crowded": _paired("innovation_vouchers", voucher_crowding_out=0.8),
    }


def test_vouchers_go_to_firms_with_an_rd_project(runs):
    firms = runs["vouchers"][2].sim.firms
    holders = firms.alive & (firms.voucher_mcny > 0)
    assert holders.sum() > 100
    assert np.all((firms.rd_staff[holders] > 0) | (firms.rd_real_mcny[holders] > 0))
    assert np.all(firms.voucher_platform[holders] >= 0)


def test_applications_raise_net_rd_over_the_lottery_when_crowding_out_is_low(runs):
    """Applicants pay their share of the project; lottery winners without a project do not
    redeem: with crowding-out below the co-payment, applications add own R&D (mean over seeds
    1-5, 2026-12-06: baseline 41,958, lottery 41,982, applications 42,010 m CNY)."""
    assert runs["vouchers"][0] > runs["lottery"][0] + 10.0
    assert runs["lottery"][0] > runs["baseline"][0]


def test_crowding_out_moves_net_rd_visibly(runs):
    low, high = runs["vouchers"][0], runs["crowded"][0]
    # 0.1 -> 0.8 moves net R&D by more than 0.03 % (measured 0.082 % over seeds 1-5,
    # 2026-12-06: the voucher budget is fixed in m CNY, a small share of the R&D of an
    # economy that grows; ODD §7.14)
    assert (low - high) / low > 0.0003


def test_voucher_projects_add_knowledge_and_applications_add_more(runs):
    assert runs["vouchers"][1] > runs["lottery"][1] > runs["baseline"][1]


def test_redeemed_vouchers_build_platform_equipment(runs):
    def equipment(model):
        return model.sim.platforms.equipment_mcny[model.sim.platforms.alive].sum()

    assert equipment(runs["vouchers"][2]) > 1.05 * equipment(runs["baseline"][2])


def test_a_voucher_lets_a_firm_without_rd_start_it():
    """Over the same quarters, firms that would do no R&D of their own (their taste above
    every participation rate) do R&D with vouchers and none without."""
    not_inclined = {"rd_participation_emerging": 0.0, "rd_participation_traditional": 0.0}
    _, knowledge_without, without = _run(
        "innovation_vouchers", voucher_budget_mcny_per_q=0.0, **not_inclined
    )
    _, knowledge_with, with_vouchers = _run("innovation_vouchers", **not_inclined)
    doers = [
        int(
            (
                m.sim.firms.alive & (m.sim.firms.rd_real_mcny > m.sim.firms.rd_grant_funded_mcny)
            ).sum()
        )
        for m in (without, with_vouchers)
    ]
    assert doers[1] > doers[0]
    assert knowledge_with > knowledge_without


def test_sector_focus_helps_with_a_gain_and_hurts_with_a_harsh_mismatch(runs):
    """Specialisation can go either way: a strong gain for a match and no mismatch penalty
    raise new knowledge above the baseline; no gain, a harsh mismatch and one candidate
    lower it."""
    baseline = runs["baseline"][1]
    _, helped, _ = _run(
        "platform_specialisation", platform_sector_match_gain=2.0, platform_sector_mismatch=1.0
    )
    _, hurt, _ = _run(
        "platform_specialisation",
        platform_sector_match_gain=0.0,
        platform_sector_mismatch=0.1,
        platform_candidates=1,
    )
    assert helped > baseline > hurt


# --- the service one platform gives one firm ------------------------------------------------


def _service(platform_rows, sector=0, **overrides):
    """Service each platform of ``platform_rows`` gives firm 0 of ``sector`` at cell 0."""
    platforms = make_platforms(platform_rows)
    x = np.zeros(4)
    y = np.zeros(4)
    sm = service_map(platforms.view(), x, y, Parameters(overrides).for_kernels())
    return [service_level(0, 0, sector, k, sm) for k in range(len(platform_rows))]


def test_a_platform_focused_on_the_firms_sector_serves_it_better_than_a_general_one():
    match, general, other = _service(
        [{"sector_focus": 2, "tenants": 5}, {"tenants": 5}, {"sector_focus": 3, "tenants": 5}],
        sector=2,
    )
    assert match > general > other
    same, _, _ = _service(
        [{"sector_focus": 2, "tenants": 5}, {"tenants": 5}, {"sector_focus": 3, "tenants": 5}],
        sector=2,
        platform_sector_match_gain=0.0,
    )
    assert same == pytest.approx(general)


def test_more_tenants_on_the_same_platform_lower_the_service():
    levels = _service(
        [{"tenants": n, "capacity": 20, "equipment_mcny": 1.0} for n in (2, 8, 20, 40)]
    )
    assert levels[0] > levels[1] > levels[2] > levels[3]


def test_equipment_raises_what_a_platform_offers():
    levels = _service([{"tenants": 5, "equipment_mcny": e} for e in (0.0, 0.5, 5.0)])
    assert levels[0] < levels[1] < levels[2]
    no_need = _service(
        [{"tenants": 5, "equipment_mcny": e} for e in (0.0, 5.0)],
        platform_equipment_service_share=0.0,
    )
    assert no_need[0] == pytest.approx(no_need[1])


# --- consolidation --------------------------------------------------------------------------


def _consolidate(kinds, quality=10.0, tenants=5):
    """Two platforms side by side in county 0, each with ``tenants`` firms; merge them."""
    platforms = make_platforms(
        [
            {"kind": kind, "quality": quality, "tenants": tenants, "equipment_mcny": 1.0}
            for kind in kinds
        ]
    )
    firms = make_firms([{"platform": k} for k in range(2) for _ in range(tenants)])
    counties = make_counties(1)
    x = np.zeros(1)
    y = np.zeros(1)
    kp = Parameters({"consolidation_radius_km": 5.0}).for_kernels()
    before = service_level(0, 0, 0, 0, service_map(platforms.view(), x, y, kp))
    merged = consolidate_platforms(firms.view(), platforms.view(), counties.view(), 1, x, y, kp, 4)
    count_tenants(firms.view(), platforms.view())
    after = service_level(0, 0, 0, firms.platform[0], service_map(platforms.view(), x, y, kp))
    return merged, before, after, firms, platforms


def test_platforms_of_different_kinds_do_not_merge():
    merged, _, _, firms, platforms = _consolidate((PLATFORM_INCUBATOR, PLATFORM_SERVICE))
    assert merged == 0
    assert platforms.alive[:2].all()
    merged, _, _, firms, platforms = _consolidate((PLATFORM_RD_INSTITUTE, PLATFORM_RD_INSTITUTE))
    assert merged == 1
    assert (firms.platform[:10] == firms.platform[0]).all()


def test_merging_two_equal_platforms_does_not_by_itself_raise_their_service():
    """The merged platform keeps one and a half qualities for twice the tenants: each tenant
    is served worse until the saved overheads have built quality back."""
    merged, before, after, _, _ = _consolidate((PLATFORM_SERVICE, PLATFORM_SERVICE))
    assert merged == 1
    assert after < before
