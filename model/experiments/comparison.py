"""The policy comparison as a library call: scenarios against the baseline, on the sweep pipeline.

:func:`compare` is what ``innovsim compare`` calls. A comparison is an experiment
(:class:`~model.experiments.declaration.Experiment`) whose reference scenario is the baseline:
every scenario runs over the same replication seeds (common random numbers), through the same
run function, executors and result folder as any sweep
(:func:`~model.experiments.run.run_experiment`), so a killed comparison resumes like a sweep
and its seeds follow from one base seed. The statistics (effects at the horizon, fiscal cost,
cost-effectiveness) come from :mod:`model.experiments.compare`, whose outcomes are those of
:mod:`model.experiments.outcomes`.

The returned :class:`Comparison` holds the tables and writes them, and the reports.

::

    from model.experiments import compare
    if __name__ == "__main__":          # local processes use "spawn"
        cmp = compare(["tax_rebate", "innovation_vouchers"], seeds=10, out="results/cmp")
        cmp.effects                     # paired effects with 90% intervals
        cmp.write_tables()
        cmp.write_reports(langs=("en", "zh"))
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from model.experiments.declaration import Experiment, Outputs

#: Every indicator, every quarter region-wide (trajectories, flows over the last year, fiscal
#: series) and per county at the horizon (county maps).
COMPARE_OUTPUTS = Outputs(steps="all", counties="final")

#: The reference every scenario is compared with.
REFERENCE = "baseline"


@dataclass
class Comparison:
    """A finished comparison: tidy results, effects, costs, and writers for tables and reports.

    Attributes
    ----------
    experiment : Experiment
        What was run (baseline as the reference).
    out : Path
        The result folder (the run store: ``manifest.json``, ``plan.parquet``, ``runs/``).
    scenarios : dict of str -> Scenario
        Scenarios by recorded name, the baseline first.
    results : DataFrame
        Tidy rows of every finished run: ``run_id, scenario, point, replication, seed, step,
        county_id, county, indicator, value``.
    effects : DataFrame
        :func:`model.experiments.compare.paired_effects` of the horizon outcomes.
    fiscal : DataFrame
        :func:`model.experiments.compare.fiscal_summary` (index: scenario).
    cost_effectiveness : DataFrame
        :func:`model.experiments.compare.cost_effectiveness` (index: scenario).
    status : dict
        ``done``, ``skipped`` (already in the folder), ``failed`` runs of this session and
        ``wall_s``.
    command : str
        The command line recorded in the reports.
    uncertainty : DataFrame or None
        With posterior draws: :func:`model.experiments.posterior_effects.uncertainty_split`
        (parameter and chance parts of each effect's variance).
    rankings : DataFrame or None
        With posterior draws: :func:`model.experiments.posterior_effects.ranking_robustness`.
    """

    experiment: Experiment
    out: Path
    scenarios: dict[str, Any]
    results: pd.DataFrame
    effects: pd.DataFrame
    fiscal: pd.DataFrame
    cost_effectiveness: pd.DataFrame
    status: dict[str, Any] = field(default_factory=dict)
    command: str = ""
    uncertainty: pd.DataFrame | None = None
    rankings: pd.DataFrame | None = None

    @property
    def n_seeds(self) -> int:
        """Replications (seeds) per scenario (per posterior draw with ``--posterior``)."""
        return self.experiment.replications

    @property
    def n_draws(self) -> int:
        """Posterior parameter draws (0 without ``--posterior``)."""
        return len(self.experiment.points)

    @property
    def seeds(self) -> list[int]:
        """The replication seeds, shared by every scenario."""
        return [int(s) for s in self.experiment.seeds()[0]]

    def write_tables(self, out: str | os.PathLike | None = None) -> list[Path]:
        """Write ``results``, ``effects``, ``fiscal`` and ``cost_effectiveness`` as Parquet."""
        from model.runs.results import write_parquet_atomic

        folder = Path(out) if out is not None else self.out
        extra = []
        if self.uncertainty is not None:
            extra = [
                write_parquet_atomic(self.uncertainty, folder / "uncertainty_split.parquet"),
                write_parquet_atomic(self.rankings, folder / "ranking_robustness.parquet"),
            ]
        return extra + [
            write_parquet_atomic(self.results, folder / "results.parquet"),
            write_parquet_atomic(self.effects, folder / "effects.parquet"),
            write_parquet_atomic(self.fiscal.reset_index(), folder / "fiscal.parquet"),
            write_parquet_atomic(
                self.cost_effectiveness.reset_index(), folder / "cost_effectiveness.parquet"
            ),
        ]

    def report_inputs(self, out: str | os.PathLike | None = None):
        """The language-independent inputs of the reports (:class:`ReportInputs`)."""
        from model.experiments.compare import HEADLINE, county_effects
        from model.report.compare_report import ReportInputs, policy_cost_series

        df = self.results
        region_rows = df[(df["county_id"] == -1) & df["indicator"].isin(list(HEADLINE[:6]))]
        return ReportInputs(
            out=Path(out) if out is not None else self.out,
            region=self.experiment.region,
            scenarios=self.scenarios,
            headline_rows=region_rows,
            effects=self.effects,
            fiscal=self.fiscal,
            cost_effectiveness=self.cost_effectiveness,
            policy_costs=policy_cost_series(df),
            county_hte=county_effects(df, "high_tech_enterprises"),
            n_seeds=self.n_seeds,
            steps=self.experiment.steps,
            command=self.command,
            uncertainty=self.uncertainty,
            rankings=self.rankings,
            n_draws=self.n_draws,
        )

    def write_reports(
        self,
        langs: Sequence[str] = ("en", "zh"),
        out: str | os.PathLike | None = None,
        workers: int = 1,
    ) -> list[Path]:
        """Write ``report_{lang}.md``, its figures and ``report_{lang}.html`` per language.

        Returns the Markdown report paths; each HTML file (figures embedded) sits beside its
        Markdown file.
        """
        from model.report.compare_report import write_reports
        from model.report.html import write_html_report

        paths = write_reports(self.report_inputs(out), list(langs), workers=workers)
        for path in paths:
            write_html_report(path, Path(path).with_suffix(".html"))
        return paths


def comparison_experiment(
    scenarios: Sequence[str] | None = None,
    *,
    seeds: int = 6,
    steps: int = 40,
    region: str = "jiaxing-huzhou",
    overrides: Mapping[str, Any] | None = None,
    base_seed: int = 0,
    posterior: int | None = None,
    posterior_file: str | os.PathLike | None = None,
) -> Experiment:
    """The experiment a comparison runs: ``scenarios`` against the baseline, common seeds.

    Parameters
    ----------
    scenarios : sequence of str, optional
        Scenario names, ``.toml`` paths or names joined with ``+`` (default: every built-in
        scenario).
    seeds : int
        Replications per scenario (>= 2 for an interval).
    steps : int
        Quarters simulated (>= 4: effects of flows are taken over the last year).
    region : str
        Region key or file.
    overrides : mapping, optional
        Parameter values applied to every scenario, the baseline included.
    base_seed : int
        The replication seeds follow from it (``replication_seed(base_seed, None, r)``; with
        ``posterior``, ``replication_seed(base_seed, draw, r)``).
    posterior : int, optional
        Run every scenario at this many posterior parameter draws
        (:func:`model.calibration.posterior.posterior_draws`), ``seeds`` seeds each; a scenario
        and the baseline share the draw and the seed.
    posterior_file : path, optional
        The posterior (default: the shipped ``model/data/posterior.csv``).

    Raises
    ------
    ExperimentError
        If anything is not valid (before anything runs).
    """
    from model.experiments.declaration import ExperimentError
    from model.params.scenarios import list_scenarios

    names = [s for s in (scenarios or list_scenarios()) if s != REFERENCE]
    if int(steps) < 4:
        raise ExperimentError(f"--steps must be at least 4 (one year), got {steps}")
    if posterior is not None:
        return _posterior_experiment(
            names, posterior, posterior_file, seeds, steps, region, overrides, base_seed
        )
    return Experiment(
        name="compare",
        scenarios=tuple(names),
        reference=REFERENCE,
        constants=dict(overrides or {}),
        replications=int(seeds),
        base_seed=int(base_seed),
        common_random_numbers=True,
        steps=int(steps),
        region=region,
        outputs=COMPARE_OUTPUTS,
        description="innovsim compare: scenarios against the baseline on common seeds",
    )


def _posterior_experiment(
    names: list[str],
    n_draws: int,
    posterior_file: str | os.PathLike | None,
    seeds: int,
    steps: int,
    region: str,
    overrides: Mapping[str, Any] | None,
    base_seed: int,
) -> Experiment:
    """The comparison over ``n_draws`` posterior draws x ``seeds`` (a ``points`` design)."""
    from model.calibration.posterior import posterior_draws
    from model.experiments.declaration import ExperimentError

    draws = posterior_draws(int(n_draws), posterior_file)
    experiment = Experiment(
        name="compare",
        scenarios=tuple(names),
        reference=REFERENCE,
        constants=dict(overrides or {}),
        design="points",
        points=draws,
        replications=int(seeds),
        base_seed=int(base_seed),
        # one seed per draw and replication, shared by every scenario of that draw: paired
        common_random_numbers=False,
        steps=int(steps),
        region=region,
        outputs=COMPARE_OUTPUTS,
        description=f"innovsim compare --posterior {n_draws}: scenarios against the baseline "
        "at posterior draws, paired by draw and seed",
    )
    for scenario, values in experiment.scenario_overrides.items():
        clash = sorted(set(values) & set(draws[0]))
        if clash:
            raise ExperimentError(
                f"--posterior: scenario {scenario!r} sets {', '.join(clash)}, which the "
                "posterior draws; a draw would replace the scenario's own value"
            )
    return experiment


def compare(
    scenarios: Sequence[str] | None = None,
    *,
    seeds: int = 6,
    steps: int = 40,
    region: str = "jiaxing-huzhou",
    overrides: Mapping[str, Any] | None = None,
    base_seed: int = 0,
    out: str | os.PathLike | None = None,
    workers: int | None = None,
    executor: Any = None,
    progress: bool = True,
    command: str | None = None,
    posterior: int | None = None,
    posterior_file: str | os.PathLike | None = None,
) -> Comparison:
    """Run scenarios against the baseline over common seeds; return effects and costs.

    The runs go to the result folder ``out`` as they finish; a folder that already holds the
    same comparison is resumed (finished runs are reused), one that holds anything else is
    refused. Without ``out`` the runs go to a temporary folder that is removed afterwards.

    Parameters
    ----------
    scenarios, seeds, steps, region, overrides, base_seed, posterior, posterior_file :
        See :func:`comparison_experiment`.
    out : path, optional
        Result folder.
    workers : int, optional
        Local worker processes (1: in this process; default: every CPU). Ignored when
        ``executor`` is given.
    executor : model.runs.executors.Executor, optional
        Where runs go (e.g. a :class:`~model.runs.executors.DaskExecutor`).
    progress : bool
        Show a progress bar.
    command : str, optional
        Command line recorded in the manifest and quoted in the reports.

    Returns
    -------
    Comparison

    Raises
    ------
    ExperimentError
        Before anything runs, if a scenario, parameter, region or the folder is not valid.
    """
    from model.experiments.compare import cost_effectiveness, fiscal_summary, paired_effects
    from model.experiments.outcomes import horizon_values
    from model.experiments.run import run_experiment
    from model.params.scenarios import load_scenario
    from model.runs.executors import make_executor

    experiment = comparison_experiment(
        scenarios,
        seeds=seeds,
        steps=steps,
        region=region,
        overrides=overrides,
        base_seed=base_seed,
        posterior=posterior,
        posterior_file=posterior_file,
    )
    experiment.check()  # every scenario file, the region and each parameter set, now
    command = command or "model.experiments.compare"
    folder = Path(out) if out is not None else Path(tempfile.mkdtemp(prefix="innovsim-compare-"))
    try:
        resume = (folder / "manifest.json").is_file()
        results = run_experiment(
            experiment,
            folder,
            executor=executor or make_executor(workers),
            resume=resume,
            progress=progress,
            command=command,
        )
        status = dict(results.last_run)
        if results.status()["done"] == 0:
            from model.experiments.declaration import ExperimentError

            raise ExperimentError(
                f"{folder}: every run failed; the errors are in {folder / 'failures'}"
            )
        df = results.load(parameters=False)
    finally:
        if out is None:
            shutil.rmtree(folder, ignore_errors=True)
    by_name = {}
    for name in experiment.all_scenarios:
        s = load_scenario(experiment._resolve_file(name))
        by_name[s.name] = s
    effects = paired_effects(horizon_values(df), baseline=experiment.reference_name)
    fiscal = fiscal_summary(df, baseline=experiment.reference_name)
    ce = cost_effectiveness(effects, fiscal, df, baseline=experiment.reference_name)
    uncertainty = rankings = None
    if posterior is not None:
        from model.experiments.compare import HEADLINE
        from model.experiments.posterior_effects import (
            paired_draw_effects,
            ranking_robustness,
            uncertainty_split,
        )

        draw_effects = paired_draw_effects(df, experiment.reference_name)
        draw_effects = draw_effects[draw_effects["indicator"].isin(list(HEADLINE))]
        uncertainty = uncertainty_split(draw_effects)
        rankings = ranking_robustness(draw_effects)
    return Comparison(
        experiment=experiment,
        out=folder,
        scenarios=by_name,
        results=df,
        effects=effects,
        fiscal=fiscal,
        cost_effectiveness=ce,
        status=status,
        command=command,
        uncertainty=uncertainty,
        rankings=rankings,
    )
