"""EMA Workbench drives the model directly: ``run_model`` with EMA's own evaluator.

EMA's experiment table has columns of its own (``scenario``, ``policy``, ``model``); a model
parameter of one of those names is refused ("field 'scenario' occurs more than once"), which
is why ``run_model`` takes ``base_scenario``.
"""

from __future__ import annotations

import numpy as np
import pytest
from ema_workbench import (
    ArrayOutcome,
    CategoricalParameter,
    Constant,
    Model,
    RealParameter,
    ScalarOutcome,
    SequentialEvaluator,
    perform_experiments,
)

from model import run_model

STEPS = 3


@pytest.fixture(scope="module")
def ema_results():
    m = Model("innovsim", function=run_model)
    m.uncertainties = [RealParameter("platform_service_strength", 0.2, 1.2)]
    m.levers = [RealParameter("tax_rebate_share", 0.0, 1.0)]
    m.constants = [
        Constant("steps", STEPS),
        Constant("firm_scale", 0.1),
        Constant("seed", 11),
        Constant("base_scenario", "innovation_vouchers"),
    ]
    m.outcomes = [
        ScalarOutcome("high_tech_enterprises"),
        ScalarOutcome("rd_spending_mcny"),
        ArrayOutcome("rd_spending_mcny_trajectory"),
    ]
    with SequentialEvaluator(m) as evaluator:
        return perform_experiments(m, scenarios=2, policies=2, evaluator=evaluator)


def test_ema_runs_every_experiment_of_its_design(ema_results):
    experiments, outcomes = ema_results
    assert len(experiments) == 4
    assert {"scenario", "policy", "platform_service_strength", "tax_rebate_share"} <= set(
        experiments.columns
    )
    assert outcomes["rd_spending_mcny_trajectory"].shape == (4, STEPS + 1)
    assert np.all(np.isfinite(outcomes["high_tech_enterprises"]))


def test_each_ema_experiment_is_the_model_run_with_its_parameters(ema_results):
    experiments, outcomes = ema_results
    for i in (0, 3):
        row = experiments.iloc[i]
        direct = run_model(
            seed=11,
            steps=STEPS,
            base_scenario="innovation_vouchers",
            firm_scale=0.1,
            platform_service_strength=float(row["platform_service_strength"]),
            tax_rebate_share=float(row["tax_rebate_share"]),
        )
        assert outcomes["rd_spending_mcny"][i] == direct["rd_spending_mcny"]
        assert np.array_equal(
            outcomes["rd_spending_mcny_trajectory"][i], direct["rd_spending_mcny_trajectory"]
        )
    # the uncertainty moves the outcome: the four experiments are not one run repeated
    assert len(set(np.round(outcomes["rd_spending_mcny"], 9))) > 1


def test_the_base_scenario_can_be_an_ema_lever_where_scenario_cannot():
    """EMA's experiment table has its own ``scenario`` column: a lever of that name is refused,
    which is why ``run_model`` calls its scenario keyword ``base_scenario``."""

    def model_with_scenario_lever(name: str) -> Model:
        m = Model("innovsim", function=run_model)
        m.uncertainties = [RealParameter("platform_service_strength", 0.2, 1.2)]
        m.levers = [CategoricalParameter(name, ["baseline", "tax_rebate"])]
        m.constants = [Constant("steps", 1), Constant("firm_scale", 0.1), Constant("seed", 2)]
        m.outcomes = [ScalarOutcome("high_tech_enterprises")]
        return m

    refused = model_with_scenario_lever("scenario")
    with pytest.raises(ValueError, match="field 'scenario' occurs more than once"):
        with SequentialEvaluator(refused) as evaluator:
            perform_experiments(refused, scenarios=1, policies=2, evaluator=evaluator)
    accepted = model_with_scenario_lever("base_scenario")
    with SequentialEvaluator(accepted) as evaluator:
        experiments, outcomes = perform_experiments(
            accepted, scenarios=1, policies=2, evaluator=evaluator
        )
    assert sorted(experiments["base_scenario"]) == ["baseline", "tax_rebate"]
    assert len(outcomes["high_tech_enterprises"]) == 2
