"""Docking: the idiomatic-Mesa reference and the numba engine agree on the baseline.

``benchmarks/mesa_reference`` re-states the documented rules of every kernel as ``mesa.Agent``
methods, with its own random streams. If both implementations read the rules alike, their
region-wide indicator trajectories are draws from the same distribution; a kernel that does
something other than its documentation says (or a reference that misreads it) shows up here
as a shifted trajectory. This is the docking check of Axtell, Axelrod, Epstein & Cohen (1996):
distributional equivalence over many seeds.

Design: ``N_SEEDS`` engine runs (``InnovationModel``, what ``model.runs.run.simulate`` runs) at a
small size; each reference run starts from the same initial populations as one engine run
(``initial_state`` with the engine run's kernel seed) and lives through the same burn-in, with
independent random draws afterwards. Pairing removes the between-seed spread of the initial
firm-size draw, which otherwise dominates indicators such as R&D spending and hides all but
gross errors. Each compared indicator is tested at ``CHECK_STEPS`` with a two-sample Welch
t-test and with a paired t-test on the per-seed differences, Bonferroni-corrected over all
tests at family level ``ALPHA`` (with paired runs the Welch test is conservative; the paired
test is the sharp one).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from benchmarks.mesa_reference import ReferenceModel
from benchmarks.mesa_reference.model import spillover_reach, spillover_weights
from model.kernels.knowledge import gaussian_blur
from model.params.table import Parameters
from model.sim.mesa_model import InnovationModel
from model.sim.region import load_region

REGION = "jiaxing-huzhou"
#: ~700 firms, ~6,000 S&T workers: about 1 s per reference run and 0.3 s per engine run.
FIRM_SCALE = 0.05
N_SEEDS = 20
STEPS = 12
CHECK_STEPS = (0, 4, 8, 12)
ALPHA = 0.01

#: Indicators whose trajectories are compared (every indicator that varies in the baseline).
COMPARED = (
    "rd_spending_mcny",
    "revenue_mcny",
    "rd_intensity",
    "high_tech_enterprises",
    "st_smes",
    "high_tech_value_added_mcny",
    "invention_patent_applications",
    "invention_patent_grants",
    "startups",
    "incubator_graduates",
    "quoted_firms",
    "venture_investment_mcny",
    "tech_loans_outstanding_mcny",
    "high_level_talent",
    "rd_staff",
    "gov_st_spending_mcny",
    "firms",
    "firms_doing_rd",
    "platform_tenants",
    "county_tax_revenue_mcny",
    "province_tax_revenue_mcny",
)
#: The report's assessment KPIs (§3.1) and the populations behind them.
KEY_INDICATORS = (
    "rd_spending_mcny",
    "high_tech_enterprises",
    "st_smes",
    "invention_patent_applications",
    "invention_patent_grants",
    "firms",
    "rd_staff",
    "startups",
)
#: Indicators that do not vary in the baseline: no platform enters or leaves, no policy costs.
CONSTANT_IN_BASELINE = ("platforms", "county_policy_cost_mcny", "province_policy_cost_mcny")
#: Welch and paired test per compared indicator and step.
N_TESTS = 2 * len(COMPARED) * len(CHECK_STEPS)


def _engine_run(seed: int) -> tuple[int, pd.DataFrame, float]:
    """One engine run: kernel seed, region indicators (rows: steps 0..STEPS), and the mean
    platform quality after the burn-in."""
    model = InnovationModel(
        region=load_region(REGION).without_status_quo(),  # as the reference runs it
        parameters={"firm_scale": FIRM_SCALE},
        seed=seed,
        build_mesa_grid=False,
    )
    platforms = model.sim.platforms
    quality = float(platforms.quality[platforms.alive].mean())
    for _ in range(STEPS):
        model.step()
    tidy = model.results()
    region = tidy[tidy.county_id == -1].pivot(index="step", columns="indicator", values="value")
    return model.kernel_seed, region, quality


def _reference_run(seed: int, initial_state_seed: int) -> tuple[pd.DataFrame, float]:
    """One reference run from the engine run's initial populations: region indicators (rows:
    steps 0..STEPS) and the mean platform quality after the burn-in."""
    model = ReferenceModel(
        region=REGION, seed=seed, initial_state_seed=initial_state_seed, firm_scale=FIRM_SCALE
    )
    quality = model.platforms.agg("quality", np.mean)
    for _ in range(STEPS):
        model.step()
    frame = model.datacollector.get_model_vars_dataframe()
    frame.index.name = "step"
    return frame, quality


@pytest.fixture(scope="module")
def runs() -> dict[str, dict]:
    """Both implementations over ``N_SEEDS`` paired seeds."""
    engine, reference = {}, {}
    quality = {"engine": [], "reference": []}
    for seed in range(N_SEEDS):
        kernel_seed, engine[seed], engine_quality = _engine_run(seed)
        reference[seed], reference_quality = _reference_run(10_000 + seed, kernel_seed)
        quality["engine"].append(engine_quality)
        quality["reference"].append(reference_quality)
    return {
        "trajectories": {
            "engine": pd.concat(engine, names=["seed"]),
            "reference": pd.concat(reference, names=["seed"]),
        },
        "platform_quality": {k: np.array(v) for k, v in quality.items()},
    }


@pytest.fixture(scope="module")
def trajectories(runs) -> dict[str, pd.DataFrame]:
    """Region indicators of both implementations, indexed by (seed, step)."""
    return runs["trajectories"]


def _values(frame: pd.DataFrame, indicator: str, step: int) -> np.ndarray:
    return frame.xs(step, level="step")[indicator].sort_index().to_numpy(dtype=float)


def _p_values(ref: np.ndarray, eng: np.ndarray) -> tuple[float, float]:
    """Welch two-sample and paired t-test p-values (1 when both samples are one constant)."""
    if np.ptp(ref) == 0 and np.ptp(eng) == 0:
        same = float(ref[0] == eng[0])
        return same, same
    welch = stats.ttest_ind(ref, eng, equal_var=False).pvalue
    diff = ref - eng
    paired = stats.ttest_rel(ref, eng).pvalue if np.ptp(diff) > 0 else float(diff[0] == 0)
    return float(welch), float(paired)


@pytest.mark.slow
@pytest.mark.parametrize("indicator", COMPARED)
def test_reference_and_engine_trajectories_agree(trajectories, indicator):
    threshold = ALPHA / N_TESTS
    rejected = []
    for step in CHECK_STEPS:
        ref = _values(trajectories["reference"], indicator, step)
        eng = _values(trajectories["engine"], indicator, step)
        welch, paired = _p_values(ref, eng)
        if min(welch, paired) < threshold:
            rejected.append(
                f"step {step}: reference {ref.mean():.4g} ± {ref.std(ddof=1):.2g}, engine "
                f"{eng.mean():.4g} ± {eng.std(ddof=1):.2g}, mean difference "
                f"{(ref - eng).mean():.3g}; Welch p = {welch:.2g}, paired p = {paired:.2g} "
                f"(threshold {threshold:.2g})"
            )
    assert not rejected, f"{indicator} does not dock:\n" + "\n".join(rejected)


@pytest.mark.slow
@pytest.mark.parametrize("indicator", KEY_INDICATORS)
def test_each_mean_lies_in_the_other_implementations_95_percent_band(trajectories, indicator):
    """A reader comparing the two fan charts would see each mean inside the other's band.

    The band is the central 95% of single runs (2.5th to 97.5th percentile over seeds), the
    band the project's figures draw. The sharper test of means is the paired t-test above;
    a mean-inside-the-other's-confidence-interval rule would fail about one check in seven
    even for identical models.
    """
    for step in CHECK_STEPS:
        ref = _values(trajectories["reference"], indicator, step)
        eng = _values(trajectories["engine"], indicator, step)
        for name, mean, other in (("reference", ref, eng), ("engine", eng, ref)):
            low, high = np.percentile(other, [2.5, 97.5])
            assert low <= mean.mean() <= high, (
                f"{indicator} at step {step}: {name} mean {mean.mean():.4g} outside the other "
                f"implementation's 95% band [{low:.4g}, {high:.4g}]"
            )


@pytest.mark.slow
@pytest.mark.parametrize("indicator", CONSTANT_IN_BASELINE)
def test_indicators_fixed_in_the_baseline_are_equal(trajectories, indicator):
    ref = trajectories["reference"][indicator].sort_index()
    eng = trajectories["engine"][indicator].sort_index()
    np.testing.assert_array_equal(ref.to_numpy(), eng.to_numpy())


@pytest.mark.slow
def test_platform_quality_after_the_burn_in_agrees(runs):
    """Platform quality is not an indicator, but it drives services and incubation.

    Both implementations spend the same money on the same platforms, so their mean quality
    after the burn-in must agree closely (within 5%).
    """
    ref = runs["platform_quality"]["reference"].mean()
    eng = runs["platform_quality"]["engine"].mean()
    assert abs(ref - eng) <= 0.05 * eng, f"reference {ref:.3g}, engine {eng:.3g}"


def test_reference_spillover_reach_is_the_engine_blur():
    """The reference's scipy convolution and the engine's kernel give the same reach."""
    region = load_region(REGION)
    ny, nx = region.shape
    rng = np.random.default_rng(3)
    field = np.zeros((7, ny * nx))
    cells = rng.integers(0, ny * nx, 400)
    field[rng.integers(0, 7, 400), cells] = rng.exponential(50.0, 400)
    field[2, 0] = 100.0  # a corner: the truncation at the edge of the raster
    sigma_km = Parameters().spillover_half_distance_km / math.sqrt(2.0 * math.log(2.0))
    sigma_cells = sigma_km / region.cell_km
    weights = spillover_weights(sigma_cells)
    reference = spillover_reach(field.reshape(7, ny, nx), weights).reshape(7, ny * nx)
    np.testing.assert_allclose(
        reference, gaussian_blur(field, ny, nx, sigma_cells), rtol=1e-12, atol=1e-9
    )


def test_reference_with_one_seed_gives_one_trajectory():
    def run() -> pd.DataFrame:
        model = ReferenceModel(region=REGION, seed=5, firm_scale=0.02)
        model.step()
        return model.datacollector.get_model_vars_dataframe()

    pd.testing.assert_frame_equal(run(), run())


def test_reference_refuses_policy_levers():
    with pytest.raises(ValueError, match="tax_rebate_share"):
        ReferenceModel(seed=1, firm_scale=0.02, tax_rebate_share=1.0)
