"""One scenario over several seeds, as a library call: what ``innovsim run`` does.

:func:`run_scenario` runs a scenario through the same pipeline as every sweep and comparison
(:func:`~model.experiments.run.run_experiment`: one run function, the executors, a result folder
that loses nothing and resumes) and returns a :class:`ScenarioRun` that writes the tidy table
and the figures.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from model.experiments.declaration import Experiment, Outputs

#: Every indicator, every quarter, per county and for the region.
RUN_OUTPUTS = Outputs(steps="all", counties=True)

#: Indicators of the trajectory figure of ``innovsim run`` (report §3.1 and talent).
RUN_FIGURE_INDICATORS = (
    "rd_spending_mcny",
    "high_tech_enterprises",
    "st_smes",
    "invention_patent_applications",
    "invention_patent_grants",
    "high_level_talent",
)


@dataclass
class ScenarioRun:
    """A scenario's finished runs and writers for their table and figures.

    Attributes
    ----------
    experiment : Experiment
        What was run.
    out : Path
        The result folder.
    scenario : Scenario
        The scenario as loaded.
    results : DataFrame
        Tidy rows ``run_id, scenario, point, replication, seed, step, county_id, county,
        indicator, value`` of every finished run.
    status : dict
        ``done``, ``skipped``, ``failed`` runs of this session and ``wall_s``.
    """

    experiment: Experiment
    out: Path
    scenario: Any
    results: pd.DataFrame
    status: dict[str, Any] = field(default_factory=dict)

    def write_tables(self) -> list[Path]:
        """Write ``indicators.parquet`` (the tidy results) into the folder."""
        from model.runs.results import write_parquet_atomic

        return [write_parquet_atomic(self.results, self.out / "indicators.parquet")]

    def write_figures(self, langs: Sequence[str] = ("en", "zh")) -> list[Path]:
        """Trajectories of the report's indicators and a county map of high-tech enterprises."""
        from model.report.plots import plot_county_map, plot_trajectories, save_figure
        from model.sim.region import load_region

        region = load_region(self.experiment._resolve_file(self.experiment.region))
        df = self.results
        figures = self.out / "figures"
        written = []
        for lang in langs:
            fig = plot_trajectories(
                df,
                list(RUN_FIGURE_INDICATORS),
                lang=lang,
                scenario_labels={self.scenario.name: self.scenario.label(lang)},
            )
            written.append(save_figure(fig, figures / f"trajectories_{lang}.png"))
            last = df[
                (df["step"] == df["step"].max())
                & (df["county_id"] >= 0)
                & (df["indicator"] == "high_tech_enterprises")
            ]
            values = last.groupby("county_id")["value"].median()
            title = (
                "High-tech enterprises at the horizon (median)"
                if lang == "en"
                else "期末高新技术企业数（中位数）"
            )
            fig = plot_county_map(region, values.to_dict(), lang=lang, title=title)
            written.append(save_figure(fig, figures / f"map_high_tech_enterprises_{lang}.png"))
        return written


def run_scenario(
    scenario: str = "baseline",
    *,
    seeds: int = 10,
    steps: int = 40,
    region: str = "jiaxing-huzhou",
    overrides: Mapping[str, Any] | None = None,
    base_seed: int = 0,
    out: str | os.PathLike = "results/run",
    workers: int | None = None,
    executor: Any = None,
    progress: bool = True,
    command: str | None = None,
) -> ScenarioRun:
    """Run one scenario over ``seeds`` replications into ``out`` (resumed if already there).

    Parameters
    ----------
    scenario : str
        Scenario name, ``.toml`` path or names joined with ``+``.
    seeds : int
        Replications; their seeds follow from ``base_seed``.
    steps : int
        Quarters simulated.
    region : str
        Region key or file.
    overrides : mapping, optional
        Parameter values over the scenario's.
    base_seed : int
        Replication ``r`` runs with ``replication_seed(base_seed, None, r)``.
    out : path
        Result folder; a folder holding the same run is resumed, anything else is refused.
    workers, executor, progress, command :
        As for :func:`model.experiments.comparison.compare`.

    Raises
    ------
    ExperimentError
        Before anything runs, if the scenario, a parameter, the region or the folder is not
        valid.
    """
    from model.experiments.run import run_experiment
    from model.params.scenarios import load_scenario
    from model.runs.executors import make_executor

    loaded = load_scenario(scenario)
    experiment = Experiment(
        name=loaded.name,
        scenarios=(scenario,),
        constants=dict(overrides or {}),
        replications=int(seeds),
        base_seed=int(base_seed),
        common_random_numbers=True,
        steps=int(steps),
        region=region,
        outputs=RUN_OUTPUTS,
    )
    experiment.check()
    folder = Path(out)
    results = run_experiment(
        experiment,
        folder,
        executor=executor or make_executor(workers),
        resume=(folder / "manifest.json").is_file(),
        progress=progress,
        command=command or "model.experiments.run_scenario",
    )
    done = results.status()["done"]
    df = results.load(parameters=False) if done else pd.DataFrame()
    return ScenarioRun(
        experiment=experiment,
        out=folder,
        scenario=loaded,
        results=df,
        status=dict(results.last_run),
    )
