"""Figures and Markdown reports of ``innovsim compare``, one language per process.

Rendering is most of a comparison's time after the runs (measured under cProfile: saving the
28 PNG figures took 19 s of a 30 s ``innovsim compare`` over finished runs), and each language's
figures are independent, so :func:`write_reports` renders the languages in parallel
processes. Everything a language needs is computed once by the caller and passed in: the
region-level rows of the headline indicators, the effects, the fiscal tables, the policy-cost
series and the county effects.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from model.runs.results import atomic_write_bytes


@dataclass(frozen=True)
class ReportInputs:
    """Language-independent inputs of the comparison report.

    Attributes
    ----------
    out : Path
        Report folder; figures go to ``out/figures``.
    region : str
        Region key or file, loaded again in each process (for the county maps and its
        name; a ``Region`` holds read-only mappings, which do not pickle).
    scenarios : Mapping[str, Scenario]
        Scenarios by name, the baseline included.
    headline_rows : DataFrame
        Region-level rows (``county_id == -1``) of the headline indicators, tidy.
    effects, fiscal, cost_effectiveness : DataFrame
        From :mod:`model.experiments.compare`.
    policy_costs : DataFrame
        Columns ``scenario, step, payer, cost_mcny`` (median over seeds).
    county_hte : Mapping[str, Series]
        Paired change of high-tech enterprises per county at the horizon, per scenario.
    n_seeds, steps : int
    command : str
        The command line, quoted in the report.
    """

    out: Path
    region: str
    scenarios: Mapping[str, Any]
    headline_rows: pd.DataFrame
    effects: pd.DataFrame
    fiscal: pd.DataFrame
    cost_effectiveness: pd.DataFrame
    policy_costs: pd.DataFrame
    county_hte: Mapping[str, pd.Series]
    n_seeds: int
    steps: int
    command: str


def write_language_report(inputs: ReportInputs, lang: str) -> Path:
    """Write the figures and ``report_{lang}.md`` of one language; return the report path."""
    from model.experiments.compare import HEADLINE
    from model.report.markdown import markdown_report
    from model.report.plots import (
        plot_county_map,
        plot_effects,
        plot_fiscal_cost,
        plot_trajectories,
        save_figure,
    )
    from model.sim.region import load_region

    out, fig_dir = inputs.out, inputs.out / "figures"
    region = load_region(inputs.region)
    labels = {n: s.label(lang) for n, s in inputs.scenarios.items()}
    figs = []
    fig = plot_trajectories(
        inputs.headline_rows, list(HEADLINE[:6]), lang=lang, scenario_labels=labels
    )
    figs.append(save_figure(fig, fig_dir / f"trajectories_{lang}.png"))
    effects = inputs.effects
    rel = effects[effects["indicator"].isin(HEADLINE[:6])][
        ["scenario", "indicator", "rel_mean", "rel_lo", "rel_hi"]
    ].rename(columns={"rel_mean": "mean", "rel_lo": "lo", "rel_hi": "hi"})
    fig = plot_effects(
        rel[["scenario", "indicator", "mean", "lo", "hi"]], lang=lang, scenario_labels=labels
    )
    figs.append(save_figure(fig, fig_dir / f"effects_{lang}.png"))
    fig = plot_fiscal_cost(inputs.policy_costs, lang=lang, scenario_labels=labels)
    figs.append(save_figure(fig, fig_dir / f"fiscal_cost_{lang}.png"))
    for scenario, values in inputs.county_hte.items():
        title = (
            f"{labels[scenario]}: change in high-tech enterprises at the horizon"
            if lang == "en"
            else f"{labels[scenario]}：期末高新技术企业数变化"
        )
        fig = plot_county_map(region, values.to_dict(), title=title, lang=lang, diverging=True)
        figs.append(save_figure(fig, fig_dir / f"map_hte_{scenario}_{lang}.png"))
    text = markdown_report(
        effects,
        inputs.fiscal,
        inputs.cost_effectiveness,
        inputs.scenarios,
        region.name_zh if lang == "zh" else region.name_en,
        inputs.n_seeds,
        inputs.steps,
        inputs.command,
        [str(Path(f).relative_to(out)) for f in figs],
        lang=lang,
    )
    path = out / f"report_{lang}.md"
    atomic_write_bytes(path, text.encode("utf-8"))
    return path


def write_reports(inputs: ReportInputs, langs: Sequence[str], workers: int = 1) -> list[Path]:
    """Write the reports of ``langs``, in up to ``workers`` processes (one per language).

    Returns the report paths in the order of ``langs``. An error in any language is raised
    here after the others finish; files are written atomically, so none is left half-written.
    """
    langs = list(langs)
    if workers <= 1 or len(langs) <= 1:
        return [write_language_report(inputs, lang) for lang in langs]
    ctx = multiprocessing.get_context("spawn")
    with cf.ProcessPoolExecutor(max_workers=min(workers, len(langs)), mp_context=ctx) as pool:
        futures = [pool.submit(write_language_report, inputs, lang) for lang in langs]
        return [f.result() for f in futures]


def policy_cost_series(results: pd.DataFrame) -> pd.DataFrame:
    """Median policy cost per scenario, quarter and payer (county or province), m CNY.

    Returns
    -------
    DataFrame
        Columns ``scenario, step, payer, cost_mcny``.
    """
    payer_of = {"county_policy_cost_mcny": "county", "province_policy_cost_mcny": "province"}
    costs = (
        results[(results["county_id"] == -1) & results["indicator"].isin(list(payer_of))]
        .groupby(["scenario", "step", "indicator"])["value"]
        .median()
        .reset_index()
    )
    costs["payer"] = costs["indicator"].map(payer_of)
    costs = costs.rename(columns={"value": "cost_mcny"})
    return costs[["scenario", "step", "payer", "cost_mcny"]]
