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
    county_hte : Mapping[str, DataFrame or Series]
        Paired change of high-tech enterprises per county at the horizon, per scenario: the
        frames of :func:`model.experiments.compare.county_effects` (columns ``mean, lo, hi``;
        counties whose 90% interval includes zero are hatched), or Series of means only.
    n_seeds, steps : int
    command : str
        The command line, quoted in the report.
    n_highlight : int, default 3
        Scenarios drawn in colour in the trajectories besides the baseline: those with the
        largest relative effect on high-tech enterprises.
    uncertainty, rankings : DataFrame, optional
        With posterior draws (``n_draws`` > 0): the parameter/chance split of each effect and
        the robustness of rankings (:mod:`model.experiments.posterior_effects`).
    """

    out: Path
    region: str
    scenarios: Mapping[str, Any]
    headline_rows: pd.DataFrame
    effects: pd.DataFrame
    fiscal: pd.DataFrame
    cost_effectiveness: pd.DataFrame
    policy_costs: pd.DataFrame
    county_hte: Mapping[str, pd.Series | pd.DataFrame]
    n_seeds: int
    steps: int
    command: str
    n_highlight: int = 3
    uncertainty: pd.DataFrame | None = None
    rankings: pd.DataFrame | None = None
    n_draws: int = 0


@dataclass(frozen=True)
class ReportFigure:
    """One figure of the report before it is saved.

    Attributes
    ----------
    name : str
        File stem, e.g. ``"effects_en"``.
    figure : matplotlib.figure.Figure
    caption : str
        Caption in the figure's language.
    """

    name: str
    figure: Any
    caption: str


def build_figures(inputs: ReportInputs, lang: str) -> list[ReportFigure]:
    """Draw every figure of the ``lang`` report, unsaved.

    Trajectories, effects, fiscal cost, and one county map per scenario on a colour scale
    shared by all maps.
    """
    from model.experiments.compare import HEADLINE
    from model.report.markdown import last_year
    from model.report.plots import (
        BASE_YEAR,
        plot_county_map,
        plot_effects,
        plot_fiscal_cost,
        plot_trajectories,
    )
    from model.report.text import t
    from model.sim.indicators import indicator
    from model.sim.region import load_region

    region = load_region(inputs.region)
    labels = {n: s.label(lang) for n, s in inputs.scenarios.items()}
    years = {"first_year": BASE_YEAR, "last_year": last_year(BASE_YEAR, inputs.steps)}
    effects = inputs.effects
    figures = []

    hte = effects[effects["indicator"] == "high_tech_enterprises"]
    highlight = list(hte.nlargest(inputs.n_highlight, "rel_mean")["scenario"])
    fig = plot_trajectories(
        inputs.headline_rows,
        list(HEADLINE[:6]),
        lang=lang,
        scenario_labels=labels,
        highlight=highlight,
    )
    caption = t(
        "caption_trajectories", lang, n_highlight=len(highlight), n_seeds=inputs.n_seeds, **years
    )
    figures.append(ReportFigure(f"trajectories_{lang}", fig, caption))

    rel = effects[effects["indicator"].isin(HEADLINE[:6])][
        ["scenario", "indicator", "rel_mean", "rel_lo", "rel_hi"]
    ].rename(columns={"rel_mean": "mean", "rel_lo": "lo", "rel_hi": "hi"})
    fig = plot_effects(
        rel[["scenario", "indicator", "mean", "lo", "hi"]], lang=lang, scenario_labels=labels
    )
    caption = t("caption_effects", lang, n_seeds=inputs.n_seeds, **years)
    figures.append(ReportFigure(f"effects_{lang}", fig, caption))

    fig = plot_fiscal_cost(inputs.policy_costs, lang=lang, scenario_labels=labels)
    caption = t("caption_fiscal", lang, n_seeds=inputs.n_seeds, **years)
    figures.append(ReportFigure(f"fiscal_cost_{lang}", fig, caption))

    ind = indicator("high_tech_enterprises")
    ind_label = ind.label_zh if lang == "zh" else ind.label_en
    if lang == "en" and ind_label[1:2].islower():
        ind_label = ind_label[0].lower() + ind_label[1:]  # mid-sentence in titles
    unit = ind.unit_zh if lang == "zh" else ind.unit_en
    frames = {
        s: v.to_frame("mean") if isinstance(v, pd.Series) else v
        for s, v in inputs.county_hte.items()
    }
    # one symmetric colour scale for every map of the indicator, so the colours compare
    vmax = max((float(f["mean"].abs().max()) for f in frames.values() if len(f)), default=1.0)
    vmax = vmax if vmax > 0 else 1.0
    for scenario, frame in frames.items():
        fig = plot_county_map(
            region,
            frame,
            title=t("map_title", lang, scenario=labels[scenario], indicator=ind_label),
            lang=lang,
            diverging=True,
            unit=t("map_unit", lang, unit=unit),
            vmax=vmax,
        )
        caption = t(
            "caption_map",
            lang,
            scenario=labels[scenario],
            indicator=ind_label,
            vmax=vmax,
            unit=unit,
            n_seeds=inputs.n_seeds,
            **years,
        )
        figures.append(ReportFigure(f"map_hte_{scenario}_{lang}", fig, caption))
    return figures


def write_language_report(inputs: ReportInputs, lang: str) -> Path:
    """Write the figures, tables and ``report_{lang}.md`` of one language; return its path.

    Figures go to ``out/figures`` (PNG and SVG), tables to ``out/tables`` (one CSV per table
    and one XLSX per language).
    """
    from model.experiments.compare import HEADLINE, cost_ranking
    from model.report.markdown import markdown_report
    from model.report.plots import BASE_YEAR, save_figure
    from model.report.tables import fiscal_table, headline_table, ranking_table, write_tables
    from model.sim.region import load_region

    out, fig_dir = inputs.out, inputs.out / "figures"
    captions = {}
    for f in build_figures(inputs, lang):
        path = save_figure(f.figure, fig_dir / f"{f.name}.png")
        captions[str(path.relative_to(out))] = f.caption
    ranking = cost_ranking(inputs.effects, inputs.fiscal)
    tables = {
        "headline": headline_table(inputs.effects, inputs.scenarios, list(HEADLINE), lang),
        "fiscal": fiscal_table(inputs.fiscal, inputs.cost_effectiveness, inputs.scenarios, lang),
        "ranking": ranking_table(ranking, inputs.scenarios, lang),
    }
    written = write_tables(tables, out / "tables", lang)
    region = load_region(inputs.region)
    sections = []
    if inputs.uncertainty is not None:
        from model.report.posterior_section import posterior_section

        sections.append(
            posterior_section(
                inputs.uncertainty, inputs.rankings, inputs.scenarios, inputs.n_draws, lang
            )
        )
    text = markdown_report(
        inputs.effects,
        inputs.fiscal,
        inputs.cost_effectiveness,
        inputs.scenarios,
        region.name_zh if lang == "zh" else region.name_en,
        inputs.n_seeds,
        inputs.steps,
        inputs.command,
        list(captions),
        lang=lang,
        ranking=ranking,
        captions=captions,
        table_files=("tables/", str(written[-1].relative_to(out))),
        first_year=BASE_YEAR,
        extra_sections=sections,
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
