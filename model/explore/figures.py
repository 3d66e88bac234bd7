"""The explorer's figures: the county map and the trajectories, from the report's plotters.

The page shows the same raster map and trajectory panels as the comparison report
(:func:`model.report.plots.plot_county_map`, :func:`model.report.plots.plot_trajectories`),
drawn from a live run or a loaded comparison folder.
"""

from __future__ import annotations

from matplotlib.figure import Figure

from model.explore.folder import CompareFolder
from model.explore.live import BASELINE, LIVE, LiveRun
from model.explore.texts import t
from model.sim.indicators import indicator, label


def live_map(live: LiveRun, name: str, lang: str = "en") -> Figure:
    """Counties coloured by indicator ``name`` at the live run's latest quarter."""
    from model.report.plots import plot_county_map

    unit = indicator(name).unit_zh if lang == "zh" else indicator(name).unit_en
    title = t("map_title", lang, ind=label(name, lang), q=live.quarter)
    return plot_county_map(live.region, live.county_values(name), title=title, lang=lang, unit=unit)


def live_trajectories(live: LiveRun, names: list[str], lang: str = "en") -> Figure:
    """Region-wide trajectories of ``names``: the run with the levers against the baseline."""
    from model.report.plots import plot_trajectories

    labels = {LIVE: t("with_levers", lang), BASELINE: t("baseline", lang)}
    return plot_trajectories(
        live.tidy(names),
        names,
        band=None,
        lang=lang,
        scenario_labels=labels,
        scenarios=[BASELINE, LIVE],
    )


def folder_trajectories(
    folder: CompareFolder, names: list[str], labels: dict[str, str], lang: str = "en"
) -> Figure:
    """Region-wide trajectories of a loaded comparison, median and 5–95% band across seeds."""
    from model.report.plots import plot_trajectories

    rows = folder.results[
        (folder.results["county_id"] == -1) & folder.results["indicator"].isin(names)
    ]
    return plot_trajectories(rows, names, lang=lang, scenario_labels=labels)


def folder_map(folder: CompareFolder, scenario: str, label_text: str, lang: str = "en") -> Figure:
    """Counties coloured by the paired change of high-tech enterprises at the horizon."""
    from model.experiments.compare import county_effects
    from model.report.plots import plot_county_map
    from model.sim.region import load_region

    values = county_effects(folder.results, "high_tech_enterprises")[scenario]
    return plot_county_map(
        load_region(folder.region),
        values.to_dict(),
        title=t("hte_change", lang, s=label_text),
        lang=lang,
        diverging=True,
    )
