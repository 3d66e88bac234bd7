"""Each numba kernel against the slow references of ``tests/naive.py`` on small inputs."""

from __future__ import annotations

import math

import naive
import numpy as np
import pytest
from conftest import (
    make_capital,
    make_counties,
    make_firms,
    make_platforms,
)

from model.kernels import rng
from model.kernels.certification import certify, pay_certification_bonus
from model.kernels.certification_rules import (
    HTE_VALID_Q,
    hte_eligible,
    hte_rd_threshold,
    st_sme_eligible,
    st_sme_score,
)
from model.kernels.entry_exit import exit_firms
from model.kernels.index import group_index
from model.kernels.knowledge import gaussian_blur, knowledge_by_cell, produce_knowledge
from model.kernels.production import produce
from model.kernels.rd_decisions import rd_decisions
from model.kernels.sort import argsort_nonnegative, sort_by_key
from model.params.table import Parameters
from model.sim.ledger import (
    FLOW_NAMES,
    N_FLOWS,
    SINK_CENTRAL_TAX,
    SINK_EXIT_CASH,
    SINK_FIRMS_LEAVING,
    SINK_MATERIALS,
    SINK_RD_PURCHASES,
    SINK_TALENT_WAGES,
    SINK_WORKER_WAGES,
    SRC_SALES,
    money_stock,
    net_external_flow,
)
from model.sim.sectors import N_SECTORS, TRADITIONAL

SEED = 20240611


# =============================================================================================
# Counter-based random numbers


def _uniforms(n, seed=SEED, step=3, phase=5, draw=0):
    return np.array([rng.uniform(seed, step, phase, a, draw) for a in range(n)])


def test_uniform_lies_in_unit_interval_with_uniform_moments():
    u = _uniforms(100_000)
    assert u.min() >= 0.0 and u.max() < 1.0
    se_mean = math.sqrt(1 / 12 / len(u))
    assert abs(u.mean() - 0.5) < 5 * se_mean
    assert abs(u.var() - 1 / 12) < 0.002
    # the ten deciles each hold a tenth of the draws
    counts = np.bincount((u * 10).astype(int), minlength=10)
    assert np.all(np.abs(counts / len(u) - 0.1) < 0.005)
    # neighbouring agents are not correlated
    assert abs(np.corrcoef(u[:-1], u[1:])[0, 1]) < 0.02


def test_uniform_is_a_function_of_its_coordinates():
    coords = [(SEED, 0, 0, 0, 0), (SEED, 7, 3, 12345, 2), (1, 2**40, 9, 2**31 - 1, 1000)]
    for c in coords:
        assert rng.uniform(*c) == rng.uniform(*c)
        assert rng.hash5(*c) == rng.hash5(*c)


def test_each_coordinate_changes_the_draw():
    base = (SEED, 10, 3, 42, 1)
    draws = {rng.uniform(*base)}
    for position in range(5):
        for delta in (1, 2, 1000):
            c = list(base)
            c[position] += delta
            draws.add(rng.uniform(*c))
    assert len(draws) == 1 + 5 * 3
    grid = {
        rng.uniform(SEED, s, ph, a, d)
        for s in range(4)
        for ph in range(4)
        for a in range(25)
        for d in range(25)
    }
    assert len(grid) == 4 * 4 * 25 * 25


def test_normal_has_zero_mean_unit_variance():
    z = np.array([rng.normal(SEED, 1, 2, a, 0) for a in range(40_000)])
    assert abs(z.mean()) < 5 / math.sqrt(len(z))
    assert abs(z.var() - 1.0) < 0.03
    assert abs(np.mean(np.abs(z) < 1.0) - 0.6827) < 0.01


@pytest.mark.parametrize("lam", [0.5, 5.0, 50.0])
def test_poisson_mean_and_variance(lam):
    n = 20_000
    k = np.array([rng.poisson(lam, SEED, 4, 3, a, 0) for a in range(n)])
    assert k.min() >= 0
    assert np.issubdtype(k.dtype, np.integer)
    assert abs(k.mean() - lam) < 5 * math.sqrt(lam / n)
    var_se = math.sqrt((lam + 2 * lam**2) / n)
    assert abs(k.var() - lam) < 5 * var_se + 0.1
    if lam < 1:
        assert abs(np.mean(k == 0) - math.exp(-lam)) < 0.015


def test_poisson_of_non_positive_rate_is_zero():
    assert rng.poisson(0.0, SEED, 0, 0, 0, 0) == 0
    assert rng.poisson(-3.0, SEED, 0, 0, 0, 0) == 0


@pytest.mark.parametrize(("n", "prob"), [(20, 0.3), (5, 0.9), (10, 0.0), (7, 1.0)])
def test_binomial_mean(n, prob):
    k = np.array([rng.binomial(n, prob, SEED, 2, 3, a, 10) for a in range(5_000)])
    assert 0 <= k.min() and k.max() <= n
    assert abs(k.mean() - n * prob) < 5 * math.sqrt(n * prob * (1 - prob) / len(k)) + 1e-12


# =============================================================================================
# Grouping


@pytest.mark.parametrize("n_groups", [1, 4, 9])
def test_group_index_matches_naive_grouping(n_groups):
    gen = np.random.default_rng(n_groups)
    keys = gen.integers(-2, n_groups + 2, 300).astype(np.int16)
    mask = gen.random(300) < 0.7
    order, offsets = group_index(keys, mask, n_groups)
    expected = naive.group_index(keys, mask, n_groups)
    assert len(offsets) == n_groups + 1 and offsets[0] == 0
    for g in range(n_groups):
        assert order[offsets[g] : offsets[g + 1]].tolist() == expected[g]
    assert len(order) == sum(len(e) for e in expected)


def test_group_index_of_empty_input():
    order, offsets = group_index(np.zeros(0, np.int16), np.zeros(0, np.bool_), 3)
    assert len(order) == 0 and offsets.tolist() == [0, 0, 0, 0]


# =============================================================================================
# Serving order


def _hash_like_keys(gen, n):
    """Keys like the matching phases' (tier offset + uniform), with ties, zeros and lumps."""
    keys = gen.integers(0, 3, n) + gen.random(n)
    keys[: n // 4] = np.round(keys[: n // 4], 1)  # many ties
    keys[n // 4 : n // 3] = 0.0
    keys[n // 3 : n // 2] = 1.0 + gen.random(n // 2 - n // 3) * 1e-12  # a lump
    return gen.permutation(keys)


@pytest.mark.parametrize("n", [0, 1, 2, 7, 1_000, 50_000])
def test_sort_by_key_is_a_stable_argsort(n):
    gen = np.random.default_rng(n)
    keys = _hash_like_keys(gen, n)
    payload = gen.integers(0, 2**62, n)
    expected = np.argsort(keys, kind="mergesort")
    assert np.array_equal(argsort_nonnegative(keys), expected)
    assert np.array_equal(sort_by_key(keys, payload), payload[expected])


def test_sort_by_key_of_equal_and_tiny_keys():
    for keys in (np.zeros(100), np.full(100, 5e-324), np.array([5e-324, 0.0, 5e-324, 0.0])):
        expected = np.argsort(keys, kind="mergesort")
        assert np.array_equal(argsort_nonnegative(keys), expected)


# =============================================================================================
# Knowledge on the grid


@pytest.mark.parametrize("sigma_cells", [0.3, 1.0, 1.7])
def test_gaussian_blur_matches_brute_force(sigma_cells):
    ny, nx = 7, 9
    gen = np.random.default_rng(7)
    field = gen.random((2, ny * nx)) * (gen.random((2, ny * nx)) < 0.5)
    got = gaussian_blur(field, ny, nx, sigma_cells)
    expected = naive.gaussian_blur(field, ny, nx, sigma_cells)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-300)


def test_gaussian_blur_of_a_point_has_weight_one_at_its_cell_and_is_symmetric():
    ny, nx = 9, 9
    field = np.zeros((1, ny * nx))
    field[0, 4 * nx + 4] = 2.0
    out = gaussian_blur(field, ny, nx, 1.5).reshape(ny, nx)
    assert out[4, 4] == pytest.approx(2.0)
    np.testing.assert_allclose(out, out.T, rtol=1e-14)
    np.testing.assert_allclose(out, out[::-1, :], rtol=1e-14)
    assert out[4, 5] == pytest.approx(2.0 * math.exp(-0.5 / 1.5**2))


def test_knowledge_by_cell_matches_naive():
    gen = np.random.default_rng(3)
    rows = [
        {
            "alive": bool(gen.random() < 0.8),
            "sector": int(gen.integers(0, N_SECTORS)),
            "cell": int(gen.integers(0, 12)),
            "knowledge": float(gen.random() * 50),
        }
        for _ in range(40)
    ]
    firms = make_firms(rows)
    got, occupied = knowledge_by_cell(firms.view(), N_SECTORS, 12)
    np.testing.assert_allclose(got, naive.knowledge_by_cell(firms.arrays, N_SECTORS, 12))
    expected_occupied = np.zeros((N_SECTORS, 12), dtype=bool)
    for row in rows:
        if row["alive"]:
            expected_occupied[row["sector"], row["cell"]] = True
    np.testing.assert_array_equal(occupied, expected_occupied)


def test_gaussian_blur_at_wanted_cells_equals_the_full_blur_to_the_bit():
    gen = np.random.default_rng(11)
    ny, nx = 23, 31
    field = gen.random((N_SECTORS, ny * nx)) * (gen.random((N_SECTORS, ny * nx)) < 0.2)
    wanted = gen.random(field.shape) < 0.1
    full = gaussian_blur(field, ny, nx, 2.7)
    masked = gaussian_blur(field, ny, nx, 2.7, wanted)
    assert wanted.sum() > 0 and (full[wanted] > 0).all()
    assert full[wanted].tobytes() == masked[wanted].tobytes()
    assert (masked[~wanted] == 0.0).all()


# =============================================================================================
# Certification rules (report digest §4)

# (annual revenue m CNY, required R&D intensity)
BAND_CASES = [(49.9, 0.05), (50.0001, 0.04), (200.0, 0.04), (200.1, 0.03), (1.0, 0.05)]


@pytest.mark.parametrize(("revenue", "intensity"), BAND_CASES)
def test_hte_rd_threshold_bands(revenue, intensity):
    assert hte_rd_threshold(revenue) == intensity


def _eligible(revenue=40.0, intensity=0.06, staff=10, employees=50.0, patents=1, share=0.7):
    return hte_eligible(revenue, intensity * revenue, staff, employees, patents, share)


@pytest.mark.parametrize(("revenue", "intensity"), BAND_CASES)
def test_hte_rd_criterion_at_each_band_edge(revenue, intensity):
    assert _eligible(revenue=revenue, intensity=intensity * (1 + 1e-9))
    assert _eligible(revenue=revenue, intensity=intensity)
    assert not _eligible(revenue=revenue, intensity=intensity * (1 - 1e-6))


def test_hte_band_at_50m_changes_the_requirement():
    """Under 50 m CNY 5% is needed; from 50 m, 4% (as the report digest states it)."""
    assert not _eligible(revenue=49.9, intensity=0.045)
    assert _eligible(revenue=50.1, intensity=0.045)
    assert _eligible(revenue=200.0, intensity=0.04)
    assert _eligible(revenue=200.1, intensity=0.035)  # 3% suffices above 200 m
    assert not _eligible(revenue=200.1, intensity=0.029)


def test_hte_threshold_at_exactly_50m_is_five_percent():
    assert hte_rd_threshold(50.0) == 0.05


@pytest.mark.parametrize(
    ("staff", "employees", "ok"),
    [(10, 100.0, True), (9, 100.0, False), (11, 100.0, True), (5, 50.0, True), (4, 50.0, False)],
)
def test_hte_staff_share_of_ten_percent(staff, employees, ok):
    assert _eligible(staff=staff, employees=employees) is ok


def test_hte_needs_own_ip():
    assert not _eligible(patents=0)
    assert _eligible(patents=1)


@pytest.mark.parametrize(("share", "ok"), [(0.59, False), (0.5999999, False), (0.6, True)])
def test_hte_high_tech_product_share(share, ok):
    assert _eligible(share=share) is ok


def test_hte_needs_revenue_and_employees():
    assert not hte_eligible(0.0, 1.0, 10, 50.0, 3, 0.9)
    assert not hte_eligible(10.0, 1.0, 10, 0.0, 3, 0.9)


# (staff, employees, revenue, rd, patents) -> score
SME_SCORE_CASES = [
    ((30, 100.0, 10.0, 0.6, 1), 20 + 50 + 30),
    ((29, 100.0, 10.0, 0.59, 1), 16 + 40 + 30),
    ((25, 100.0, 10.0, 0.5, 0), 16 + 40),
    ((20, 100.0, 10.0, 0.4, 0), 12 + 30),
    ((15, 100.0, 10.0, 0.3, 0), 8 + 20),
    ((10, 100.0, 10.0, 0.2, 0), 4 + 10),
    ((9, 100.0, 10.0, 0.19, 0), 0),
    ((0, 0.0, 0.0, 0.0, 0), 0),
    ((0, 10.0, 0.0, 0.5, 0), 50),  # R&D without revenue counts as full intensity
]


@pytest.mark.parametrize(("args", "score"), SME_SCORE_CASES)
def test_st_sme_score_table(args, score):
    staff, employees, revenue, rd, patents = args
    assert st_sme_score(revenue, rd, staff, employees, patents) == score
    assert naive.st_sme_score(revenue, rd, staff, employees, patents) == score


def test_st_sme_size_limits_and_hte_shortcut():
    strong = (10.0, 1.0, 30, 100.0, 1)  # 100 points
    assert st_sme_eligible(*strong, False)
    assert not st_sme_eligible(10.0, 1.0, 300, 501.0, 1, False)  # > 500 employees
    assert st_sme_eligible(10.0, 1.0, 300, 500.0, 1, False)
    assert not st_sme_eligible(200.1, 20.0, 30, 100.0, 1, True)  # > 200 m CNY, even certified
    weak = (10.0, 0.0, 0, 100.0, 0)  # 0 points
    assert not st_sme_eligible(*weak, False)
    assert st_sme_eligible(*weak, True)
    # 60 points exactly: 20 (staff) + 10 (2% intensity) + 30 (IP)
    assert st_sme_eligible(10.0, 0.2, 30, 100.0, 1, False)
    assert not st_sme_eligible(10.0, 0.19, 30, 100.0, 1, False)


def test_st_sme_needs_some_st_staff_points():
    # 6% intensity (50) + IP (30) = 80 points but S&T staff only 5% of employees (0 points)
    assert not st_sme_eligible(10.0, 0.6, 5, 100.0, 1, False)


def test_certification_rules_match_naive_on_random_firms():
    gen = np.random.default_rng(11)
    for _ in range(3000):
        revenue = float(gen.choice([0.0, gen.uniform(0, 400)]))
        rd = float(gen.uniform(0, 0.1) * max(revenue, 1.0))
        employees = float(gen.integers(0, 700))
        staff = int(gen.integers(0, 200))
        patents = int(gen.integers(0, 3))
        share = float(gen.uniform(0.3, 1.0))
        is_hte = bool(gen.random() < 0.3)
        args = (revenue, rd, staff, employees, patents)
        assert hte_eligible(*args, share) == naive.hte_eligible(*args, share), args
        assert st_sme_score(*args) == naive.st_sme_score(*args), args
        assert st_sme_eligible(*args, is_hte) == naive.st_sme_eligible(*args, is_hte), args


# =============================================================================================
# Phase 2: R&D decisions

STEP = 5
#: R&D-decision parameters the hand-made cases below are computed with (not the defaults,
#: which calibration may change).
RD_PARAMS = {
    "rd_participation_emerging": 0.55,
    "rd_participation_traditional": 0.18,
    "rd_intensity_emerging": 0.05,
    "rd_intensity_traditional": 0.025,
    "short_termism": 0.3,
    "notch_window": 0.4,
    "relabel_share": 0.242,
    "cit_rate": 0.25,
    "cit_rate_high_tech": 0.15,
    "rd_super_deduction": 0.75,
    "rd_cash_share_max": 0.5,
    "rd_staff_share_of_rd": 0.55,
    "rd_grant_crowding_out": 0.3,
    "voucher_crowding_out": 0.1,
    "senior_share_of_staff": 0.15,
    "rd_user_cost_elasticity": -1.0,
    "rd_intensity_young_multiple": 3.0,
    "rd_fixed_cost_mcny_per_q": 0.03,
    "rd_start_hurdle": 0.2,
}
#: Every hand-built firm did 0.3 m CNY of own R&D last quarter unless its row says otherwise.
RD_ROW_DEFAULTS = {"rd_real_mcny": 0.3}
# A firm whose desired intensity (about 3.98%) lies in the notch window below the 5.1% target
NOTCH_FIRM = {
    "sector": 0,
    "rd_taste": 0.2,
    "revenue_mcny": 10.0,
    "cash_mcny": 8.0,
    "profit_mcny": 2.0,
    "employees": 50.0,
    "rd_staff": 5,
    "high_tech_share": 0.7,
    "patents_granted": 1,
}


def _rd_rows():
    return [
        {"rd_taste": 0.1},  # 0: inclined emerging firm, nothing special
        {"sector": TRADITIONAL, "rd_taste": 0.9, "grant_mcny": 0.2},  # 1: not inclined
        dict(NOTCH_FIRM),  # 2: bunches at the threshold
        {**NOTCH_FIRM, "profit_mcny": 0.0},  # 3: no tax saving, no bunching
        {**NOTCH_FIRM, "hte_until_step": STEP + 10},  # 4: certified for long
        {**NOTCH_FIRM, "hte_until_step": STEP + 3},  # 5: certificate expiring: bunches
        {"incubated": True, "rd_taste": 0.9, "revenue_mcny": 0.5, "cash_mcny": 4.0},  # 6
        {"revenue_mcny": 10.0, "cash_mcny": -20.0, "profit_mcny": -1.0},  # 7: no cash
        {"rd_taste": 0.05, "grant_mcny": 0.3, "voucher_mcny": 0.1},  # 8: crowding out
        {"sector": TRADITIONAL, "rd_taste": 0.1, "revenue_mcny": 80.0, "cash_mcny": 100.0},  # 9
        {**NOTCH_FIRM, "patents_granted": 0, "applications_q": 1},  # 10: pending application
        {**NOTCH_FIRM, "rd_staff": 3},  # 11: too few staff to hope for certification
        {
            "alive": False,
            "rd_real_mcny": 9.9,
            "rd_reported_mcny": 9.9,
            "staff_budget_mcny": 7.0,
        },  # 12
    ]


def _rd_params(**overrides) -> Parameters:
    return Parameters({**RD_PARAMS, **overrides})


def _run_rd(rows, params: Parameters, step=STEP, policy_on=False):
    firms = make_firms([{**RD_ROW_DEFAULTS, **row} for row in rows])
    expected = naive.rd_decisions(firms.arrays, params, step, policy_on)
    rd_decisions(firms.view(), params.for_kernels(), step, policy_on)
    return firms, expected


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {"rd_super_deduction": 1.0},
        {"cit_rate": 0.3, "rd_user_cost_elasticity": -2.0, "short_termism": 0.0},
        {"notch_window": 0.0},
        {"relabel_share": 0.0, "rd_cash_share_max": 0.1},
        {"rd_grant_expost_per_patent_mcny": 0.05, "rd_start_hurdle": 0.5},
    ],
)
@pytest.mark.parametrize("policy_on", [False, True])
def test_rd_decisions_match_naive_on_hand_built_firms(overrides, policy_on):
    params = _rd_params(hte_certification_bonus_mcny=0.5, **overrides)
    firms, expected = _run_rd(_rd_rows(), params, policy_on=policy_on)
    for name, values in expected.items():
        np.testing.assert_allclose(firms.arrays[name], values, rtol=1e-12, err_msg=name)


def test_rd_decisions_match_naive_on_random_firms():
    gen = np.random.default_rng(5)
    n = 300
    rows = [
        {
            "alive": bool(gen.random() < 0.9),
            "sector": int(gen.integers(0, N_SECTORS)),
            "rd_taste": float(gen.random()),
            "incubated": bool(gen.random() < 0.1),
            "revenue_mcny": float(gen.choice([0.0, 0.5, gen.lognormal(1.5, 1.0)])),
            "cash_mcny": float(gen.normal(3.0, 5.0)),
            "profit_mcny": float(gen.normal(0.5, 1.0)),
            "employees": float(gen.integers(5, 400)),
            "rd_staff": int(gen.integers(0, 40)),
            "high_tech_share": float(gen.random()),
            "patents_granted": int(gen.integers(0, 3)),
            "applications_q": int(gen.integers(0, 2)),
            "hte_until_step": int(gen.integers(-1, 20)),
            "grant_mcny": float(gen.choice([0.0, gen.random()])),
            "voucher_mcny": float(gen.choice([0.0, 0.1])),
            "born_step": int(gen.integers(-60, STEP + 1)),
            "knowledge": float(gen.choice([0.0, gen.lognormal(2.0, 1.0)])),
            "rd_real_mcny": float(gen.choice([0.0, gen.lognormal(-1.0, 1.0)])),
        }
        for _ in range(n)
    ]
    firms, expected = _run_rd(rows, _rd_params(rd_super_deduction=1.0))
    for name, values in expected.items():
        np.testing.assert_allclose(firms.arrays[name], values, rtol=1e-12, err_msg=name)
    # the sample exercises every branch: non-doers, doers, bunchers
    assert np.any(firms.rd_real_mcny[:n] == 0.0)
    assert np.any(firms.rd_reported_mcny[:n] > firms.rd_real_mcny[:n] + 1e-9)


def test_notch_firm_reports_exactly_the_threshold_and_relabels_part_of_it():
    p = _rd_params()
    deep = {**NOTCH_FIRM, "rd_taste": 0.32}  # desired intensity about 3.2%, deep in the window
    rows = [*_rd_rows(), deep, {**deep, "profit_mcny": 0.0}]
    firms, _ = _run_rd(rows, p)
    f = firms.arrays
    target = 0.05 * 1.02  # annual revenue 40 m CNY < 50 m: 5% plus the 2% safety margin
    for bunching in (2, 13):
        assert f["rd_reported_mcny"][bunching] / 10.0 == pytest.approx(target, rel=1e-12)
    # the twins without profit to save tax on stay where their taste puts them
    desired, desired_deep = f["rd_real_mcny"][3], f["rd_real_mcny"][14]
    assert f["rd_reported_mcny"][3] == desired and f["rd_reported_mcny"][14] == desired_deep
    assert desired_deep < (1 - p.relabel_share) * target * 10.0 < desired < target * 10.0
    # Chen et al. (2021): relabelling is relabel_share of what a bunching firm reports ...
    relabelled_deep = f["rd_reported_mcny"][13] - f["rd_real_mcny"][13]
    assert relabelled_deep / f["rd_reported_mcny"][13] == pytest.approx(p.relabel_share)
    # ... and the deep firm raises real research too, and staff demand with it
    assert f["rd_real_mcny"][13] > desired_deep
    assert f["staff_budget_mcny"][13] > f["staff_budget_mcny"][14]
    # a firm already closer than that relabels the gap and does no more real research
    assert f["rd_real_mcny"][2] == pytest.approx(desired)
    relabelled = f["rd_reported_mcny"][2] - f["rd_real_mcny"][2]
    assert 0 < relabelled / f["rd_reported_mcny"][2] < p.relabel_share
    # long-certified firms and firms without the staff do not bunch; expiring ones do
    assert f["rd_reported_mcny"][11] == pytest.approx(desired)
    assert f["rd_reported_mcny"][4] < f["rd_reported_mcny"][2]
    assert f["rd_reported_mcny"][5] == pytest.approx(f["rd_reported_mcny"][2])
    assert f["rd_reported_mcny"][10] == pytest.approx(f["rd_reported_mcny"][2])


def test_rd_decisions_basic_behaviour():
    p = _rd_params()
    firms, _ = _run_rd(_rd_rows(), p)
    f = firms.arrays
    # a firm not inclined to R&D spends only its grant
    assert f["rd_real_mcny"][1] == f["rd_reported_mcny"][1] == pytest.approx(0.2)
    # an incubated start-up with little revenue spends 8% of its cash
    assert f["rd_real_mcny"][6] == pytest.approx(0.08 * 4.0)
    # a firm with no cash and debts cannot spend
    assert f["rd_real_mcny"][7] == 0.0
    # dead rows are left alone
    assert f["rd_real_mcny"][12] == 9.9 and f["staff_budget_mcny"][12] == 7.0
    # the staff budget is the staff share of real R&D (the talent market hires within it)
    assert f["staff_budget_mcny"][0] == pytest.approx(f["rd_real_mcny"][0] * 0.55)
    # a larger super-deduction lowers the user cost and raises desired R&D
    cheaper, _ = _run_rd(_rd_rows(), _rd_params(rd_super_deduction=1.0))
    assert cheaper.arrays["rd_real_mcny"][0] > f["rd_real_mcny"][0]
    # grants arrive as money: they add to real R&D, minus the part that crowds out own money
    twin = {"rd_taste": 0.1}
    granted, _ = _run_rd([twin, {**twin, "grant_mcny": 0.4}], _rd_params())
    r = granted.rd_real_mcny
    assert r[1] - r[0] == pytest.approx(0.4 * (1 - 0.3), rel=1e-12)


def test_certification_bonus_adds_to_the_pull_of_the_notch():
    """Firm 3 has no profit to save tax on; a county bonus alone can make it bunch."""
    p = _rd_params(hte_certification_bonus_mcny=0.5)
    off, _ = _run_rd(_rd_rows(), p, policy_on=False)
    on, _ = _run_rd(_rd_rows(), p, policy_on=True)
    assert off.rd_reported_mcny[3] == off.rd_real_mcny[3]
    assert on.rd_reported_mcny[3] == pytest.approx(on.rd_reported_mcny[2], rel=1e-12)
    assert on.rd_reported_mcny[3] > on.rd_real_mcny[3] >= off.rd_real_mcny[3]


def test_higher_elasticity_magnitude_moves_rd_more_for_a_tax_change():
    firm = [{"rd_taste": 0.1}]
    rise = {}
    for elasticity in (-3.0, -1.0, 0.0):
        before, _ = _run_rd(firm, _rd_params(rd_user_cost_elasticity=elasticity))
        after, _ = _run_rd(
            firm, _rd_params(rd_user_cost_elasticity=elasticity, rd_super_deduction=1.0)
        )
        rise[elasticity] = after.rd_real_mcny[0] / before.rd_real_mcny[0]
    assert rise[-3.0] > rise[-1.0] > rise[0.0] == pytest.approx(1.0)


def test_certified_firm_faces_its_own_tax_rate_in_the_user_cost():
    """At 15% the extra deduction saves less tax than at 25%: the B-index is higher."""
    base = {"rd_taste": 0.1, "revenue_mcny": 10.0, "cash_mcny": 20.0}
    rows = [base, {**base, "hte_until_step": STEP + 10}]
    firms, _ = _run_rd(rows, _rd_params())
    assert firms.rd_real_mcny[1] < firms.rd_real_mcny[0]
    inelastic, _ = _run_rd(rows, _rd_params(rd_user_cost_elasticity=0.0))
    assert inelastic.rd_real_mcny[1] == inelastic.rd_real_mcny[0]


def test_expected_expost_patent_subsidy_lowers_the_user_cost_when_the_policy_is_on():
    firm = [{"rd_taste": 0.1, "revenue_mcny": 10.0, "cash_mcny": 20.0}]
    p = _rd_params(rd_grant_expost_per_patent_mcny=0.05)
    off, _ = _run_rd(firm, p, policy_on=False)
    on, _ = _run_rd(firm, p, policy_on=True)
    none, _ = _run_rd(firm, _rd_params(), policy_on=True)
    assert on.rd_real_mcny[0] > off.rd_real_mcny[0] == none.rd_real_mcny[0]


def test_cash_limits_rd_of_young_firms_so_venture_money_raises_it():
    """A young firm plans R&D beyond its cash flow; a venture ticket in cash lets it spend."""
    young = {
        "born_step": STEP - 4,
        "rd_taste": 0.1,
        "revenue_mcny": 4.0,
        "cash_mcny": 0.5,
        "profit_mcny": -0.05,  # after last quarter's 0.1 m CNY of R&D
        "rd_real_mcny": 0.1,
    }
    mature = {**young, "born_step": STEP - 40}
    rows = [young, {**young, "cash_mcny": 5.5}, mature, {**mature, "cash_mcny": 5.5}]
    firms, _ = _run_rd(rows, _rd_params())
    r = firms.rd_real_mcny
    assert r[1] > r[0]  # venture money relaxes the finance limit of the young firm
    assert r[2] == r[3]  # the mature firm's R&D was never limited by its cash
    lean, _ = _run_rd(rows, _rd_params(rd_cash_share_max=0.05))
    assert lean.rd_real_mcny[1] < r[1]  # a tighter limit binds on the funded young firm too


def test_firm_stops_rd_when_its_user_cost_rises_high_enough():
    doer = {"rd_taste": 0.45, "revenue_mcny": 10.0, "cash_mcny": 20.0}
    firms, _ = _run_rd([doer], _rd_params())
    assert firms.rd_real_mcny[0] > 0.0
    # no extra deduction and a 40% tax rate raise the B-index; with elasticity -3 it stops
    dear = _rd_params(rd_super_deduction=0.0, cit_rate=0.4, rd_user_cost_elasticity=-3.0)
    stopped, _ = _run_rd([doer], dear)
    assert stopped.rd_real_mcny[0] == 0.0
    # a cheaper user cost makes a firm that was not doing R&D start
    idle = {**doer, "rd_taste": 0.6, "rd_real_mcny": 0.0}
    idle_firms, _ = _run_rd([idle], _rd_params())
    assert idle_firms.rd_real_mcny[0] == 0.0
    cheap = _rd_params(rd_super_deduction=2.0, rd_user_cost_elasticity=-3.0)
    started, _ = _run_rd([idle], cheap)
    assert started.rd_real_mcny[0] > 0.0


def test_starting_rd_needs_more_than_continuing_it():
    """Sunk costs of starting: the same firm continues if it did R&D, does not start if not."""
    firm = {"rd_taste": 0.5, "revenue_mcny": 10.0, "cash_mcny": 20.0}
    firms, _ = _run_rd([firm, {**firm, "rd_real_mcny": 0.0}], _rd_params())
    assert firms.rd_real_mcny[0] > 0.0 == firms.rd_real_mcny[1]
    no_hurdle, _ = _run_rd([{**firm, "rd_real_mcny": 0.0}], _rd_params(rd_start_hurdle=0.0))
    assert no_hurdle.rd_real_mcny[0] > 0.0


def test_incubated_firm_above_the_taste_cutoff_still_does_rd():
    rows = [{"sector": TRADITIONAL, "incubated": True, "rd_taste": 0.9, "revenue_mcny": 2.0}]
    firms, _ = _run_rd(rows, _rd_params())
    assert firms.arrays["rd_real_mcny"][0] > 0.0


# =============================================================================================
# Phase 3: knowledge production and patents

NY, NX, CELL_KM = 3, 4, 2.0


def _cells():
    x = np.tile((np.arange(NX) + 0.5) * CELL_KM, NY)
    y = np.repeat((np.arange(NY) + 0.5) * CELL_KM, NX)
    return x, y


def _knowledge_tables():
    platforms = make_platforms(
        [
            {"cell": 0, "quality": 10.0, "capacity": 10, "tenants": 3, "equipment_mcny": 0.4},
            {"cell": 5, "quality": 30.0, "sector_focus": 2, "tenants": 1},  # 1 health only
            {"cell": 6, "quality": 20.0, "anchor_firm": 4, "tenants": 2},  # 2 built on firm 4
            {"cell": 11, "quality": 5.0, "capacity": 4, "tenants": 10},  # 3 crowded
            {"alive": False, "cell": 1, "quality": 50.0},  # 4 closed
        ]
    )
    base = {"rd_real_mcny": 0.5, "rd_staff": 6, "talent_units": 8.0, "knowledge": 40.0}
    pipeline = np.zeros(24, dtype=np.int32)
    pipeline[STEP % 10] = 7  # applications filed ten quarters ago
    rows = [
        {**base, "platform": 0, "cell": 1},
        {**base, "platform": 1, "cell": 5, "sector": 2},
        {**base, "platform": 1, "cell": 7, "sector": 3},  # focus mismatch
        {**base, "platform": 2, "cell": 6},  # not the anchor
        {**base, "platform": 2, "cell": 6, "expert_link": True},  # the anchor, linked
        {**base, "platform": 3, "cell": 10, "in_enclave": True, "patent_pipeline": pipeline},
        {**base, "platform": 4, "voucher_mcny": 0.1},  # closed platform
        {**base, "rd_real_mcny": 5.0, "rd_staff": 2, "talent_units": 2.0},  # staff-limited
        {**base, "rd_staff": 0, "talent_units": 0.0},  # no staff, no research
        {**base, "rd_real_mcny": 0.0, "patent_pipeline": pipeline},  # grants still arrive
        {**base, "alive": False, "knowledge": 99.0},
        # 11: a voucher project at platform 0 for a firm without R&D staff, far from it
        {**base, "rd_staff": 0, "talent_units": 0.0, "voucher_mcny": 0.1, "voucher_platform": 0},
        # 12: a voucher at a platform focused on its sector, better than its crowded own
        {
            **base,
            "platform": 3,
            "cell": 10,
            "sector": 2,
            "voucher_mcny": 0.1,
            "voucher_platform": 1,
        },
    ]
    return make_firms(rows), platforms


@pytest.mark.parametrize("scarce_wages", [False, True])
@pytest.mark.parametrize(
    "overrides", [{}, {"patents_per_knowledge": 3.0, "patent_grant_probability": 0.7}]
)
def test_produce_knowledge_matches_naive(overrides, scarce_wages):
    p = Parameters(overrides)
    firms, platforms = _knowledge_tables()
    x, y = _cells()
    spill = np.random.default_rng(2).random((N_SECTORS, NY * NX)) * 3000
    wage_index = None
    if scarce_wages:  # two counties whose going wages differ (ODD §7.2)
        wage_index = np.array([[1.25, 1.1, 1.0], [0.8, 0.9, 1.2]])
        firms.arrays["county"][:] = np.arange(len(firms.arrays["alive"])) % 2
    expected = naive.produce_knowledge(
        firms.arrays, platforms.arrays, spill, x, y, p, SEED, STEP, wage_index
    )
    produce_knowledge(
        firms.view(), platforms.view(), spill, x, y, p.for_kernels(), SEED, STEP, wage_index
    )
    for name, values in expected.items():
        np.testing.assert_allclose(firms.arrays[name], values, rtol=1e-12, err_msg=name)
    f = firms.arrays
    assert f["new_knowledge"][8] == 0.0  # no staff
    assert f["new_knowledge"][11] > 0.0  # no staff, but a voucher project at a platform
    assert f["knowledge"][10] == 99.0  # dead row untouched
    assert f["applications_q"].sum() > 0
    assert f["grants_q"][5] > 0 and f["grants_q"][9] > 0
    # the platform a firm is in matters: closed platform gives no services
    assert f["new_knowledge"][0] != f["new_knowledge"][6]


def test_knowledge_production_responds_to_its_inputs():
    """Service, spill-over, expert-link and staff-limit channels in isolation."""
    p = Parameters()
    x, y = _cells()
    spill = np.zeros((N_SECTORS, NY * NX))
    base = {"rd_real_mcny": 0.5, "rd_staff": 10, "talent_units": 10.0}
    rows = [
        base,
        {**base, "expert_link": True},
        {**base, "in_enclave": True},
        {**base, "rd_real_mcny": 100.0},
        {**base, "talent_units": 40.0},
    ]
    firms = make_firms(rows)
    platforms = make_platforms([])
    produce_knowledge(firms.view(), platforms.view(), spill, x, y, p.for_kernels(), SEED, STEP)
    new = firms.arrays["new_knowledge"]
    assert new[0] == pytest.approx(p.knowledge_productivity * 0.5**p.rd_output_elasticity)
    assert new[1] == pytest.approx(new[0] * (1 + p.expert_link_boost))
    reach = p.enclave_hub_knowledge
    spill_share = reach / (reach + p.spillover_half_knowledge)
    assert new[2] == pytest.approx(new[0] * (1 + p.spillover_strength * spill_share))
    # ten R&D staff can spend at most their wages / staff share
    wage = naive.average_staff_wage(p)
    assert 0.5 < 10 * wage / p.rd_staff_share_of_rd < 100.0
    assert new[3] == pytest.approx((10 * wage / p.rd_staff_share_of_rd) ** p.rd_output_elasticity)
    # senior-heavy staff: each worth 4 R&D staff -> sqrt(4) = 2 times the output
    assert new[4] == pytest.approx(2 * new[0])


def test_patent_applications_are_granted_after_the_lag():
    lag = 3
    p = Parameters({"patent_grant_lag_q": lag, "patent_grant_probability": 1.0})
    x, y = _cells()
    spill = np.zeros((N_SECTORS, NY * NX))
    firms = make_firms([{"rd_real_mcny": 20.0, "rd_staff": 40, "talent_units": 40.0}] * 3)
    platforms = make_platforms([])
    apps, grants = [], []
    for step in range(8):
        produce_knowledge(firms.view(), platforms.view(), spill, x, y, p.for_kernels(), 1, step)
        apps.append(firms.applications_q.copy())
        grants.append(firms.grants_q.copy())
    apps, grants = np.array(apps), np.array(grants)
    assert apps[:5].sum() > 0
    assert np.all(grants[:lag] == 0)
    np.testing.assert_array_equal(grants[lag:], apps[:-lag])
    np.testing.assert_array_equal(firms.patents_granted, apps[: 8 - lag].sum(axis=0))


# =============================================================================================
# Phase 4: production, profit and taxes


def _production_tables():
    rows = [
        {},  # 0: plain firm
        {"hte_until_step": STEP + 1, "rd_reported_mcny": 0.4, "rd_real_mcny": 0.3},  # 1 cert.
        {"hte_until_step": STEP, "rd_reported_mcny": 0.4, "rd_real_mcny": 0.3},  # 2 expired
        {"debt_mcny": 5.0, "county": 1, "origin_county": 1, "platform": 0},  # 3 loan, tenant
        {"county": 1, "origin_county": 0, "knowledge": 80.0},  # 4 moved under tax sharing
        {"talent_wage_mcny": 0.4, "rd_real_mcny": 0.1},  # 5 staff cost above planned R&D
        {"incubated": True, "born_step": STEP - 2, "employees": 8.0},  # 6 ramping up
        {"base_productivity": 0.05, "rd_real_mcny": 0.5},  # 7 loss-making
        {"platform": 1, "revenue_year_mcny": 30.0, "rd_reported_year_mcny": 1.0},  # 8 dead pl.
        {"alive": False, "cash_mcny": 3.0},  # 9 closed
        {"employees": 2000.0, "born_step": STEP - 3},  # 10 big and young
        {"employees": 1.5, "born_step": STEP - 200},  # 11 tiny and old
    ]
    firms = make_firms(rows)
    platforms = make_platforms([{}, {"alive": False}])
    counties = make_counties(2)
    capital = make_capital(2)
    bank_of_county = np.array([0, 1], dtype=np.int64)
    province = np.array([50.0])
    return firms, platforms, counties, capital, bank_of_county, province


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {"demand_sigma": 0.0, "tax_sharing_origin_share": 1.0},
        # shocks large enough that the bound on a quarter's employment change binds
        {"growth_shock_sigma": 0.6, "employment_change_max_per_q": 0.1},
    ],
)
def test_produce_matches_naive(overrides):
    p = Parameters(overrides)
    firms, platforms, counties, capital, banks, province = _production_tables()
    expected = naive.produce(
        firms.arrays,
        platforms.arrays,
        counties.arrays,
        capital.arrays,
        banks,
        province,
        p,
        SEED,
        STEP,
    )
    flows = np.zeros(N_FLOWS)
    produce(
        firms.view(),
        platforms.view(),
        counties.view(),
        capital.view(),
        banks,
        province,
        p.for_kernels(),
        SEED,
        STEP,
        flows,
    )
    for name, values in expected["firms"].items():
        np.testing.assert_allclose(firms.arrays[name], values, rtol=1e-12, err_msg=name)
    for name, values in expected["counties"].items():
        np.testing.assert_allclose(counties.arrays[name], values, rtol=1e-12, err_msg=name)
    np.testing.assert_allclose(platforms.cash_mcny, expected["platform_cash"], rtol=1e-12)
    np.testing.assert_allclose(capital.pool_mcny, expected["pools"], rtol=1e-12)
    assert province[0] == pytest.approx(expected["province"], rel=1e-12)
    e = expected["flows"]
    for index, key in [
        (SRC_SALES, "sales"),
        (SINK_MATERIALS, "materials"),
        (SINK_WORKER_WAGES, "worker_wages"),
        (SINK_TALENT_WAGES, "talent_wages"),
        (SINK_RD_PURCHASES, "rd_purchases"),
        (SINK_CENTRAL_TAX, "central_tax"),
    ]:
        assert flows[index] == pytest.approx(e[key], rel=1e-12), FLOW_NAMES[index]


def test_produce_conserves_money():
    p = Parameters()
    firms, platforms, counties, capital, banks, province = _production_tables()
    before = money_stock(firms, platforms, capital, counties, province)
    flows = np.zeros(N_FLOWS)
    produce(
        firms.view(),
        platforms.view(),
        counties.view(),
        capital.view(),
        banks,
        province,
        p.for_kernels(),
        SEED,
        STEP,
        flows,
    )
    after = money_stock(firms, platforms, capital, counties, province)
    assert after - before == pytest.approx(net_external_flow(flows), abs=1e-9)


def test_produce_conserves_money_without_a_tech_bank():
    p = Parameters()
    firms, platforms, counties, capital, _, province = _production_tables()
    banks = np.array([-1, -1], dtype=np.int64)
    before = money_stock(firms, platforms, capital, counties, province)
    flows = np.zeros(N_FLOWS)
    produce(
        firms.view(),
        platforms.view(),
        counties.view(),
        capital.view(),
        banks,
        province,
        p.for_kernels(),
        SEED,
        STEP,
        flows,
    )
    after = money_stock(firms, platforms, capital, counties, province)
    assert after - before == pytest.approx(net_external_flow(flows), abs=1e-9)


def test_certified_firms_pay_15_percent_and_tax_is_split_60_40():
    p = Parameters(
        {
            "demand_sigma": 0.0,
            "revenue_per_employee_mcny_per_q": 0.25,
            "materials_share_of_revenue": 0.84,
            "worker_wage_mcny_per_q": 0.03,
            "rd_super_deduction": 0.75,
            "county_tax_rate_on_value_added": 0.05,
            "cit_rate": 0.25,  # report digest §4
            "cit_rate_high_tech": 0.15,  # report digest §4
            "local_share_of_cit": 0.4,  # report digest §4: central 60%
            "province_share_of_local_cit": 0.3,
        }
    )
    rows = [{"rd_reported_mcny": 0.2, "rd_real_mcny": 0.2}] * 2
    firms = make_firms(rows)
    firms.hte_until_step[1] = STEP + 4
    platforms, counties, capital = make_platforms([]), make_counties(1), make_capital(1)
    province = np.zeros(1)
    cash_before = firms.cash_mcny.copy()
    flows = np.zeros(N_FLOWS)
    produce(
        firms.view(),
        platforms.view(),
        counties.view(),
        capital.view(),
        np.array([0], dtype=np.int64),
        province,
        p.for_kernels(),
        SEED,
        STEP,
        flows,
    )
    revenue = 0.25 * 50.0
    profit = revenue * (1 - 0.84) - 0.03 * 50.0 - 0.2
    taxable = profit - 0.75 * 0.2
    assert firms.revenue_mcny[0] == pytest.approx(revenue)
    assert firms.revenue_mcny[1] == pytest.approx(revenue)
    cit = np.array([0.25 * taxable, 0.15 * taxable])
    np.testing.assert_allclose(firms.profit_mcny[:2], profit - cit, rtol=1e-12)
    other = 0.05 * revenue * (1 - 0.84)
    np.testing.assert_allclose(
        firms.cash_mcny[:2] - cash_before[:2], profit - cit - other, rtol=1e-12
    )
    total_cit = cit.sum()
    assert flows[SINK_CENTRAL_TAX] == pytest.approx(0.6 * total_cit)
    assert province[0] == pytest.approx(0.4 * 0.3 * total_cit)
    assert counties.budget_mcny[0] - 100.0 == pytest.approx(0.4 * 0.7 * total_cit + 2 * other)
    assert counties.province_hte_cit_mcny[0] == pytest.approx(0.4 * 0.3 * cit[1])


def test_a_never_certified_firm_pays_the_standard_rate_in_burn_in_quarters():
    p = Parameters({"demand_sigma": 0.0})
    profits = []
    for step in (-5, 5):
        firms = make_firms([{"rd_reported_mcny": 0.2, "rd_real_mcny": 0.2}])
        produce(
            firms.view(),
            make_platforms([]).view(),
            make_counties(1).view(),
            make_capital(1).view(),
            np.array([0], dtype=np.int64),
            np.zeros(1),
            p.for_kernels(),
            SEED,
            step,
            np.zeros(N_FLOWS),
        )
        profits.append(firms.profit_mcny[0])
    assert profits[0] == pytest.approx(profits[1], rel=1e-12)


# =============================================================================================
# Phase 9: certification


def _certification_rows():
    eligible = {
        "revenue_year_mcny": 40.0,
        "rd_reported_year_mcny": 2.1,
        "rd_staff": 6,
        "employees": 50.0,
        "patents_granted": 2,
        "high_tech_share": 0.7,
    }
    return [
        eligible,  # 0 newly certified
        {**eligible, "hte_until_step": 3 + 5},  # 1 holds a certificate: unchanged
        {**eligible, "hte_until_step": 3},  # 2 expires now: re-checked and renewed
        {**eligible, "rd_staff": 4},  # 3 too few staff: not certified; S&T SME?
        {**eligible, "rd_reported_year_mcny": 1.9},  # 4 under 5%
        {**eligible, "high_tech_share": 0.59},  # 5 not enough high-tech products
        {**eligible, "patents_granted": 0},  # 6 no IP
        {**eligible, "employees": 600.0, "rd_staff": 100},  # 7 HTE but too large for S&T SME
        {**eligible, "alive": False},  # 8 closed
        {**eligible, "revenue_year_mcny": 250.0, "rd_reported_year_mcny": 7.6},  # 9 3% band
    ]


def test_certify_matches_naive_on_hand_built_firms():
    step = 3
    firms = make_firms(_certification_rows())
    expected = naive.certify(firms.arrays, step)
    new = certify(firms.view(), step)
    np.testing.assert_array_equal(new, expected["new"])
    for name in ("hte_until_step", "st_sme", "revenue_year_mcny", "rd_reported_year_mcny"):
        np.testing.assert_array_equal(firms.arrays[name], expected[name], err_msg=name)
    assert new.tolist()[:10] == [True, False, True, False, False, False, False, True, False, True]
    assert firms.hte_until_step[0] == step + HTE_VALID_Q + 1  # quarters step+1 .. step+12
    assert firms.hte_until_step[1] == 3 + 5
    assert firms.st_sme[1] and not firms.st_sme[7]
    assert firms.revenue_year_mcny[8] == 40.0  # closed rows keep their numbers
    assert firms.revenue_year_mcny[0] == 0.0 and firms.rd_reported_year_mcny[0] == 0.0


def test_certify_matches_naive_on_random_firms():
    gen = np.random.default_rng(9)
    step = 7
    rows = [
        {
            "alive": bool(gen.random() < 0.9),
            "revenue_year_mcny": float(gen.choice([0.0, gen.uniform(0, 400)])),
            "rd_reported_year_mcny": float(gen.uniform(0, 20)),
            "rd_staff": int(gen.integers(0, 60)),
            "employees": float(gen.integers(1, 700)),
            "patents_granted": int(gen.integers(0, 3)),
            "high_tech_share": float(gen.random()),
            "hte_until_step": int(gen.integers(-1, 20)),
            "st_sme": bool(gen.random() < 0.5),
        }
        for _ in range(400)
    ]
    firms = make_firms(rows)
    expected = naive.certify(firms.arrays, step)
    new = certify(firms.view(), step)
    np.testing.assert_array_equal(new, expected["new"])
    for name in ("hte_until_step", "st_sme", "revenue_year_mcny", "rd_reported_year_mcny"):
        np.testing.assert_array_equal(firms.arrays[name], expected[name], err_msg=name)


def test_certificate_covers_twelve_production_quarters():
    step = 3
    firms = make_firms([_certification_rows()[0]])
    certify(firms.view(), step)
    covered = [s for s in range(step + 1, step + 20) if firms.hte_until_step[0] > s]
    assert len(covered) == HTE_VALID_Q


def test_certification_bonus_is_paid_by_the_county_to_new_certificates():
    firms = make_firms([{"county": 0}, {"county": 1}, {"county": 1}])
    counties = make_counties(2)
    new = np.array([True, False, True, False, False])
    cash = firms.cash_mcny.copy()
    p = Parameters().for_kernels()
    pay_certification_bonus(firms.view(), counties.view(), new, 0.2, p)
    np.testing.assert_allclose(firms.cash_mcny - cash, [0.2, 0, 0.2, 0, 0])
    np.testing.assert_allclose(counties.budget_mcny, [99.8, 99.8])
    np.testing.assert_array_equal(counties.new_hte_q, [1, 1])
    np.testing.assert_allclose(counties.policy_cost_mcny, [0.2, 0.2])


def test_certification_bonus_is_not_paid_below_the_floor_of_the_s_and_t_account():
    """A county at the floor of its S&T account cannot pay the bonus; it is recorded as cut."""
    firms = make_firms([{"county": 0}, {"county": 1}])
    counties = make_counties(2, budget_mcny=0.0)
    counties.tax_revenue_mcny[:] = 100.0  # floor: -0.25 years x 4 x 6% x 100 = -6 m CNY
    counties.budget_mcny[:] = [-5.9, -5.7]
    p = Parameters().for_kernels()
    cash = firms.cash_mcny.copy()
    new = np.array([True, True, False, False])
    pay_certification_bonus(firms.view(), counties.view(), new, 0.2, p)
    np.testing.assert_allclose(firms.cash_mcny - cash, [0.0, 0.2, 0.0, 0.0])
    np.testing.assert_allclose(counties.budget_mcny, [-5.9, -5.9])
    np.testing.assert_allclose(counties.st_cut_mcny, [0.2, 0.0])


# =============================================================================================
# Exit and relocation


def test_a_firm_leaving_for_the_hub_repays_its_loan_and_buys_its_funds_out_at_book_value():
    """Money of the funds and the bank comes back from outside; a closing firm's is lost."""
    capital = make_capital(3)  # rows 0-2: the tech banks of counties 0-2
    capital.pool_mcny[:] = 0.0
    p = Parameters({"enclave_relocation_per_q": 1.0, "exit_hazard_per_q": 0.0}).for_kernels()
    common = {"born_step": -40, "cash_mcny": 5.0, "revenue_mcny": 10.0, "debt_mcny": 2.0}
    firms = make_firms(
        [
            # leaves for the hub: lead fund 1 holds 3.0, co-investing fund 2 holds 1.5
            {
                **common,
                "county": 0,
                "in_enclave": True,
                "lead_fund": 1,
                "fund_stake_mcny": 3.0,
                "co_fund": 2,
                "co_stake_mcny": 1.5,
            },
            # insolvent, closes: its stake in fund 1 is lost
            {**common, "county": 0, "cash_mcny": -100.0, "lead_fund": 1, "fund_stake_mcny": 4.0},
        ]
    )
    flows = np.zeros(N_FLOWS)
    bank_of_county = np.array([0, -1, -1], dtype=np.int64)
    closed, left = exit_firms(firms.view(), capital.view(), bank_of_county, p, 1, 5, flows)
    assert (closed, left) == (1, 1)
    assert not firms.alive[:2].any()
    assert capital.pool_mcny.tolist() == [2.0, 3.0, 1.5]  # loan repaid, stakes bought out
    assert capital.returns_mcny.tolist() == [0.0, 3.0, 1.5]
    assert capital.losses_mcny.tolist() == [2.0, 4.0, 0.0]  # the closing firm's loan and stake
    # the leaving firm takes its cash out and brings the loan and the stakes in
    assert flows[SINK_FIRMS_LEAVING] == pytest.approx(5.0 - 2.0 - 3.0 - 1.5)
    assert flows[SINK_EXIT_CASH] == pytest.approx(-100.0)
    assert firms.fund_stake_mcny[:2].tolist() == [0.0, 0.0]
    assert firms.lead_fund[:2].tolist() == [-1, -1]
