"""The explorer's figures: the county map and the trajectories, from the report's plotters.

The page shows the same raster map and trajectory panels as the comparison report
(:func:`model.report.plots.plot_county_map`, :func:`model.report.plots.plot_trajectories`),
drawn from a live run or a loaded comparison folder.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from model.explore.folder import CompareFolder
from model.explore.live import BAND, BASELINE, LIVE, LiveRun
from model.explore.texts import t
from model.sim.indicators import indicator, label


def live_map(live: LiveRun, name: str, lang: str = "en") -> Figure:
    """Counties coloured by indicator ``name`` at the live run's latest quarter.

    With several seeds each county shows its median over the seeds (the title says so).
    """
    from model.report.plots import plot_county_map

    unit = indicator(name).unit_zh if lang == "zh" else indicator(name).unit_en
    title = t("map_title", lang, ind=label(name, lang), q=live.quarter)
    if live.n_seeds > 1:
        title += " · " + t("median_of", lang, n=live.n_seeds)
    return plot_county_map(live.region, live.county_values(name), title=title, lang=lang, unit=unit)


def live_trajectories(live: LiveRun, names: list[str], lang: str = "en") -> Figure:
    """Region-wide trajectories of ``names``: the run with the levers against the baseline.

    With several seeds each run is its median over the seeds with a 90% band (5th to 95th
    percentile across seeds, :data:`model.explore.live.BAND`); with one seed, one line.
    """
    from model.report.plots import plot_trajectories

    labels = {LIVE: t("with_levers", lang), BASELINE: t("baseline", lang)}
    return plot_trajectories(
        live.tidy(names),
        names,
        band=BAND if live.n_seeds > 1 else None,
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


#: A factor with at most this many distinct values is drawn value by value (a grid axis);
#: with more (a sampled one) it is cut into quantile bins.
MAX_LEVELS = 12
#: Bins of a sampled factor: along the x axis of a scatter, and along each axis of a heat map.
SCATTER_BINS, HEAT_BINS = 10, 8


def factor_bins(values: np.ndarray, n_bins: int) -> tuple[np.ndarray, list[str], np.ndarray]:
    """Group a factor's values: each distinct value if few, else quantile bins.

    Parameters
    ----------
    values : ndarray
        The factor's value per run, shape (n_runs,), float64.
    n_bins : int
        Bins when the values are many (more than :data:`MAX_LEVELS` distinct).

    Returns
    -------
    codes : ndarray
        Group of each run, shape (n_runs,), int64 in ``[0, n_groups)``.
    labels : list of str
        Label of each group (the value, or the bin's range).
    centres : ndarray
        Median factor value of each group, shape (n_groups,), float64.
    """
    values = np.asarray(values, dtype=float)
    levels = np.unique(values)
    if levels.size <= MAX_LEVELS:
        codes = np.searchsorted(levels, values)
        return codes.astype(np.int64), [f"{v:.3g}" for v in levels], levels
    edges = np.unique(np.quantile(values, np.linspace(0.0, 1.0, n_bins + 1)))
    codes = np.clip(np.searchsorted(edges, values, side="right") - 1, 0, edges.size - 2)
    labels = [f"{a:.3g}–{b:.3g}" for a, b in zip(edges[:-1], edges[1:], strict=True)]
    centres = np.array(
        [
            np.median(values[codes == k]) if (codes == k).any() else np.nan
            for k in range(len(labels))
        ]
    )
    return codes.astype(np.int64), labels, centres


def response_curve(table: pd.DataFrame, factor: str) -> pd.DataFrame:
    """Median outcome per group of one factor (see :func:`factor_bins`).

    Returns
    -------
    DataFrame
        ``x`` (the group's median factor value), ``median``, ``runs``; one row per non-empty
        group, in increasing ``x``.
    """
    codes, _, centres = factor_bins(table[factor].to_numpy(dtype=float), SCATTER_BINS)
    grouped = table["value"].groupby(codes)
    out = pd.DataFrame({"median": grouped.median(), "runs": grouped.size()})
    out.insert(0, "x", centres[out.index.to_numpy()])
    return out.reset_index(drop=True)


def response_grid(
    table: pd.DataFrame, factors: tuple[str, str]
) -> tuple[np.ndarray, list[str], list[str]]:
    """Median outcome over the groups of two factors (see :func:`factor_bins`).

    Returns
    -------
    grid : ndarray
        Median outcome, shape (n_groups of factors[1], n_groups of factors[0]), float64; NaN
        where no run falls.
    x_labels, y_labels : list of str
        Labels of the groups of ``factors[0]`` (columns) and ``factors[1]`` (rows).
    """
    x_codes, x_labels, _ = factor_bins(table[factors[0]].to_numpy(dtype=float), HEAT_BINS)
    y_codes, y_labels, _ = factor_bins(table[factors[1]].to_numpy(dtype=float), HEAT_BINS)
    grid = np.full((len(y_labels), len(x_labels)), np.nan)
    medians = table["value"].groupby([y_codes, x_codes]).median()
    for (row, col), value in medians.items():
        grid[row, col] = value
    return grid, x_labels, y_labels


def response_surface(
    table: pd.DataFrame, outcome: str, factors: list[str], title: str, lang: str = "en"
) -> Figure:
    """An outcome against one factor (runs and their median) or two (a heat map of medians).

    Parameters
    ----------
    table : DataFrame
        :func:`model.explore.sweep.response_table`: ``value`` and a column per factor.
    outcome : str
        Indicator name of ``value`` (for the axis label and unit).
    factors : list of str
        One or two factor names.
    title : str
        Figure title, in the figure's language.
    lang : {"en", "zh"}

    Returns
    -------
    matplotlib.figure.Figure
        One axes (plus a colour bar for two factors). With one factor the runs are the
        collection with gid ``"runs"`` and the median the line with gid ``"median"``; with
        two the medians are the image with gid ``"surface"``.
    """
    from model.report.fonts import use_cjk_font

    if len(factors) not in (1, 2) or len(set(factors)) != len(factors):
        raise ValueError(f"one factor or two different ones, got {factors}")
    family = use_cjk_font()
    from model.report.tables import horizon_unit

    unit = horizon_unit(outcome, lang)  # a flow's outcome is its sum over the year
    y_label = f"{label(outcome, lang)} ({unit})" if unit else label(outcome, lang)
    fig = Figure(figsize=(7.0, 4.6), layout="constrained")
    ax = fig.add_subplot()
    if len(factors) == 1:
        x = table[factors[0]].to_numpy(dtype=float)
        ax.scatter(x, table["value"], s=14, alpha=0.45, color="#4C72B0", lw=0).set_gid("runs")
        curve = response_curve(table, factors[0])
        (line,) = ax.plot(
            curve["x"],
            curve["median"],
            color="#C44E52",
            lw=2.0,
            marker="o",
            ms=4,
            label=t("median", lang),
        )
        line.set_gid("median")
        ax.set_xlabel(factors[0], fontfamily=family)
        ax.set_ylabel(y_label, fontfamily=family)
        ax.legend(prop={"family": family}, frameon=False)
        ax.grid(alpha=0.3)
    else:
        grid, x_labels, y_labels = response_grid(table, (factors[0], factors[1]))
        image = ax.imshow(grid, origin="lower", aspect="auto", cmap="viridis")
        image.set_gid("surface")
        ax.set_xticks(range(len(x_labels)), x_labels, rotation=45 if len(x_labels) > 4 else 0)
        ax.set_yticks(range(len(y_labels)), y_labels)
        ax.set_xlabel(factors[0], fontfamily=family)
        ax.set_ylabel(factors[1], fontfamily=family)
        if grid.size <= HEAT_BINS * HEAT_BINS:  # few cells: write each median in its cell
            finite = grid[np.isfinite(grid)]
            middle = (finite.min() + finite.max()) / 2 if finite.size else 0.0
            for (row, col), value in np.ndenumerate(grid):
                if np.isfinite(value):
                    ax.text(
                        col,
                        row,
                        f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}",
                        ha="center",
                        va="center",
                        fontsize=8,
                        color="white" if value < middle else "black",
                    )
        bar = fig.colorbar(image, ax=ax)
        bar.set_label(t("median", lang) + " · " + y_label, fontfamily=family)
    ax.set_title(title, fontfamily=family, fontsize=10)
    return fig
