"""innovsim: an agent-based simulator of county science-and-technology innovation systems.

The public API is the hand-picked list below (``model.__all__``); everything else lives in
private-by-convention modules behind it and may change. Notebooks and the studies in
``experiments/`` use only this list. Names are imported on first use, so ``import model`` stays
cheap (no numba compilation, no matplotlib).

Running the model
    InnovationModel — the Mesa model (keyword parameters, ``seed``, ``step()``,
    ``datacollector``); simulate — one run as a function, tidy indicators out;
    run_model — one run as ``f(**parameters) -> dict``, for EMA Workbench and similar drivers.
Policy scenarios
    load_scenario, list_scenarios, ScenarioError; compare, Comparison — scenarios against the
    baseline on common seeds (what ``innovsim compare`` calls); run_scenario, ScenarioRun.
Sweeps
    Analysis, Experiment, Outputs, Range, Values, ExperimentError, load_experiment, run_experiment,
    open_results, load_results, replication_seed; make_executor, SerialExecutor,
    ProcessExecutor, DaskExecutor — where runs go.
Calibration
    Calibration, CalibrationError, load_calibration, calibrate — ABC-SMC of the free behavioural
    parameters against the county data set (``innovsim calibrate``); calibration_targets;
    read_posterior, posterior_draws, posterior_summary — the posterior file;
    plot_posterior_marginals, plot_posterior_pairs — its plots; check_defaults, target_summary,
    summary_markdown — the default baseline against the same targets.
Outcomes and statistics
    horizon_values, outcome_table — the one definition of an outcome at a quarter;
    paired_effects, fiscal_summary, cost_effectiveness, county_effects; HEADLINE — the
    indicators of the comparison's headline table; indicator — an indicator's labels, unit and
    kind.
Sensitivity
    analyse_results, sobol_indices, morris_indices, effect_signs,
    effect_signs_by_half, plot_sobol, plot_morris.
Levers
    lever_verdicts (each lever as written and in its failure setting).
Validation
    measure_stylised_facts, facts_table (stylised facts of firm and innovation dynamics).
Inputs
    Parameters, ParameterError, PARAMETER_NAMES; load_region, list_regions.
Figures
    plot_trajectories, plot_county_map, plot_effects, save_figure, use_cjk_font.
"""

from __future__ import annotations

import importlib
from typing import Any

#: Public name -> module that defines it.
_PUBLIC: dict[str, str] = {
    "InnovationModel": "model.sim.mesa_model",
    "simulate": "model.runs.run",
    "run_model": "model.experiments.run",
    "load_scenario": "model.params.scenarios",
    "list_scenarios": "model.params.scenarios",
    "ScenarioError": "model.params.scenarios",
    "compare": "model.experiments.comparison",
    "Comparison": "model.experiments.comparison",
    "run_scenario": "model.experiments.scenario_run",
    "ScenarioRun": "model.experiments.scenario_run",
    "Analysis": "model.experiments.declaration",
    "Experiment": "model.experiments.declaration",
    "Outputs": "model.experiments.declaration",
    "Range": "model.experiments.declaration",
    "Values": "model.experiments.declaration",
    "ExperimentError": "model.experiments.declaration",
    "replication_seed": "model.experiments.declaration",
    "run_experiment": "model.experiments.run",
    "open_results": "model.runs.store",
    "load_results": "model.runs.store",
    "load_experiment": "model.experiments.declaration",
    "Calibration": "model.calibration.declaration",
    "CalibrationError": "model.calibration.declaration",
    "load_calibration": "model.calibration.declaration",
    "calibrate": "model.calibration.run",
    "calibration_targets": "model.calibration.targets",
    "read_posterior": "model.calibration.posterior",
    "posterior_draws": "model.calibration.posterior",
    "posterior_summary": "model.calibration.posterior",
    "check_defaults": "model.calibration.defaults_check",
    "target_summary": "model.calibration.run",
    "summary_markdown": "model.calibration.run",
    "plot_posterior_marginals": "model.report.calibration_plots",
    "plot_posterior_pairs": "model.report.calibration_plots",
    "make_executor": "model.runs.executors",
    "SerialExecutor": "model.runs.executors",
    "ProcessExecutor": "model.runs.executors",
    "DaskExecutor": "model.runs.executors",
    "HEADLINE": "model.experiments.compare",
    "indicator": "model.sim.indicators",
    "horizon_values": "model.experiments.outcomes",
    "outcome_table": "model.experiments.outcomes",
    "paired_effects": "model.experiments.compare",
    "fiscal_summary": "model.experiments.compare",
    "cost_effectiveness": "model.experiments.compare",
    "county_effects": "model.experiments.compare",
    "analyse_results": "model.experiments.sensitivity",
    "sobol_indices": "model.experiments.sensitivity",
    "morris_indices": "model.experiments.sensitivity",
    "effect_signs": "model.experiments.sensitivity",
    "effect_signs_by_half": "model.experiments.sensitivity",
    "plot_sobol": "model.experiments.sensitivity",
    "plot_morris": "model.experiments.sensitivity",
    "lever_verdicts": "model.experiments.lever_check",
    "measure_stylised_facts": "model.validation.stylised_facts",
    "facts_table": "model.validation.stylised_facts",
    "Parameters": "model.params.table",
    "ParameterError": "model.params.table",
    "PARAMETER_NAMES": "model.params.table",
    "load_region": "model.sim.region",
    "list_regions": "model.sim.region",
    "plot_trajectories": "model.report.plots",
    "plot_county_map": "model.report.plots",
    "plot_effects": "model.report.plots",
    "save_figure": "model.report.plots",
    "use_cjk_font": "model.report.fonts",
}

__all__ = sorted(_PUBLIC)


def __getattr__(name: str) -> Any:
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'model' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
