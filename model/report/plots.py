"""Standard figures of the reports, in English or Chinese.

Every function returns a :class:`matplotlib.figure.Figure` built without pyplot (so nothing is
shown, no backend is selected at import, and notebooks display the returned figure once) and
takes ``lang="en"`` or ``lang="zh"``. All text uses the CJK font registered by
:func:`model.report.fonts.use_cjk_font`, which also covers Latin script. Figures use
constrained layout, and titles and legend labels too long for the figure are wrapped, so no
text lies outside the canvas. :func:`save_figure` writes a PNG and an SVG beside it atomically.

Indicator labels and units come from :mod:`model.sim.indicators`; scenario labels from an optional
``scenario_labels`` mapping (else the scenario key); fixed texts from :mod:`model.report.text`.
Time axes are calendar years: quarter 0 (the initial state) is the start of :data:`BASE_YEAR`.
"""

from __future__ import annotations

import math
import os
import tempfile
import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib import colormaps, rc_context
from matplotlib import patheffects as pe
from matplotlib.collections import LineCollection
from matplotlib.colors import Normalize, to_rgba
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from model.report.fonts import use_cjk_font
from model.report.text import LANGS as _LANGS
from model.report.text import TEXT
from model.report.text import t as _t
from model.sim.indicators import indicator

#: Fixed figure texts (all report texts live in :mod:`model.report.text`; kept under this name
#: for callers of the plotting module).
TEXTS: dict[str, dict[str, str]] = TEXT

#: Calendar year of quarter 0 (the initial state): the model starts from the 2018 rules and the
#: 2018 report it encodes (docs/ODD.md §3.1), so step ``s`` is drawn at ``BASE_YEAR + s / 4``.
BASE_YEAR = 2018

_BASELINE_COLOR = "#222222"
_OTHER_COLOR = "#b8b8b8"
_NO_COUNTY_COLOR = "#ececec"
_HUB_RGBA = (0.22, 0.22, 0.25, 1.0)
_PAYER_COLORS = {"county": "#3b6ea8", "province": "#d9822b"}


def _check_lang(lang: str) -> None:
    if lang not in _LANGS:
        raise ValueError(f"lang must be one of {_LANGS}, got {lang!r}")


def text(key: str, lang: str = "en", **fmt: Any) -> str:
    """Return the fixed text ``key`` in ``lang``, formatted with ``fmt``."""
    return _t(key, lang, **fmt)


def year_of_step(step: Any, base_year: int = BASE_YEAR) -> Any:
    """Calendar year (float) at the start of quarter ``step``: ``base_year + step / 4``."""
    return base_year + np.asarray(step, dtype=float) / 4.0


def distinct_colors(n: int) -> list[tuple[float, float, float, float]]:
    """``n`` colours of which no two are the same (tab10, then tab20, then evenly spaced hues).

    Returns
    -------
    list of RGBA tuples
        Length ``n``.
    """
    if n <= 10:
        return [to_rgba(c) for c in colormaps["tab10"].colors[:n]]
    if n <= 20:
        tab20 = colormaps["tab20"].colors
        # the dark member of every pair first, so 11-20 colours stay as far apart as they can
        order = list(range(0, 20, 2)) + list(range(1, 20, 2))
        return [to_rgba(tab20[i]) for i in order[:n]]
    hues = colormaps["hsv"](np.linspace(0.0, 1.0, n, endpoint=False))
    return [tuple(map(float, c)) for c in hues]


def wrap_label(label: str, width: int = 28) -> str:
    """Wrap ``label`` into lines of about ``width`` Latin characters (CJK count double)."""
    cjk = sum(1 for ch in label if "\u4e00" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef")
    limit = width if cjk < len(label) / 2 else max(4, width // 2)
    if len(label) <= limit:
        return label
    return "\n".join(textwrap.wrap(label, limit, break_long_words=True, break_on_hyphens=False))


def _fit_width(fig: Figure, artist: Any, max_width_px: float | None = None) -> None:
    """Re-wrap a title (Text) narrower until it fits ``max_width_px`` (default: the figure)."""
    renderer = _renderer(fig)
    limit = (max_width_px or fig.bbox.width) * 0.96
    content = artist.get_text().replace("\n", " ")
    chars = len(content)
    while chars > 8:
        if artist.get_window_extent(renderer).width <= limit:
            return
        chars = int(chars * 0.85)
        artist.set_text(
            "\n".join(textwrap.wrap(content, chars, break_long_words=True, break_on_hyphens=False))
        )


def _renderer(fig: Figure) -> Any:
    """A renderer to measure text: the canvas's, or (no pyplot, base canvas) an Agg one."""
    get = getattr(fig.canvas, "get_renderer", None)
    return get() if get is not None else fig._get_renderer()


def _ind_label(name: str, lang: str) -> str:
    try:
        ind = indicator(name)
    except KeyError:
        return name
    return ind.label_zh if lang == "zh" else ind.label_en


def _ind_unit(name: str, lang: str) -> str:
    """Unit as drawn: shares of revenue are drawn in % (see :func:`_display_scale`)."""
    if _display_scale(name) != 1.0:
        return text("percent_of_revenue", lang)
    try:
        ind = indicator(name)
    except KeyError:
        return ""
    return ind.unit_zh if lang == "zh" else ind.unit_en


def _display_scale(name: str) -> float:
    """Factor from stored value to drawn value: 100 for shares of revenue (drawn in %)."""
    try:
        return 100.0 if indicator(name).unit_en == "share of revenue" else 1.0
    except KeyError:
        return 1.0


def _scenario_label(scenario: str, scenario_labels: Mapping[str, str] | None) -> str:
    if scenario_labels and scenario in scenario_labels:
        return str(scenario_labels[scenario])
    return str(scenario)


def _scenario_colors(scenarios: Sequence[str]) -> dict[str, Any]:
    """Colour per scenario: ``baseline`` dark, the others from :func:`distinct_colors`."""
    others = [s for s in scenarios if s != "baseline"]
    colors: dict[str, Any] = dict(zip(others, distinct_colors(len(others)), strict=True))
    if "baseline" in scenarios:
        colors["baseline"] = _BASELINE_COLOR
    return colors


def _unique(values: pd.Series) -> list[Any]:
    return list(pd.unique(values.to_numpy()))


def _grid(fig: Figure, n: int, *, sharey: bool = False) -> list[Any]:
    """Create ``n`` panels on a grid of up to three columns; drop the unused cells."""
    ncols = 1 if n == 1 else (2 if n <= 4 else 3)
    nrows = math.ceil(n / ncols)
    axes = fig.subplots(nrows, ncols, squeeze=False, sharey=sharey).ravel()
    for ax in axes[n:]:
        fig.delaxes(ax)
    return list(axes[:n])


def _panel_size(n: int, width: float, height: float) -> tuple[float, float]:
    ncols = 1 if n == 1 else (2 if n <= 4 else 3)
    nrows = math.ceil(n / ncols)
    return width * ncols, height * nrows + 0.9


def plot_trajectories(
    results: pd.DataFrame,
    indicators: str | Sequence[str],
    *,
    county_id: int = -1,
    scenarios: Sequence[str] | None = None,
    band: tuple[float, float] | None = (0.05, 0.95),
    lang: str = "en",
    scenario_labels: Mapping[str, str] | None = None,
    title: str | None = None,
    highlight: Sequence[str] | None = None,
    base_year: int = BASE_YEAR,
) -> Figure:
    """Plot indicator trajectories over calendar years, one panel per indicator.

    Each scenario is drawn as the median across seeds at every step, with a shaded band
    between the ``band`` quantiles across seeds. The x axis is the calendar year
    (``base_year + step / 4``). Shares of revenue (R&D intensity) are drawn in %.

    Parameters
    ----------
    results : pandas.DataFrame
        Tidy results with columns ``scenario, seed, step, county_id, indicator, value``.
    indicators : str or sequence of str
        Indicator names (see :mod:`model.sim.indicators`), one panel each.
    county_id : int, default -1
        County to plot; ``-1`` is the whole region.
    scenarios : sequence of str, optional
        Scenarios to plot, in this order; default all, in order of appearance.
    band : tuple of float or None, default (0.05, 0.95)
        Lower and upper quantile across seeds for the shaded band; ``None`` for no band.
    lang : {"en", "zh"}
        Language of the texts.
    scenario_labels : mapping, optional
        ``{scenario: label}`` for the legend; default the scenario keys.
    title : str, optional
        Figure title.
    highlight : sequence of str, optional
        Scenarios drawn in colour with their band; the baseline always is. Every other
        scenario is then a thin grey median line without band, under one legend entry
        ("other scenarios"). Default: every scenario in colour.
    base_year : int, default :data:`BASE_YEAR`
        Calendar year of step 0.

    Returns
    -------
    matplotlib.figure.Figure
        Figure with one axes per indicator.
    """
    _check_lang(lang)
    family = use_cjk_font()
    names = [indicators] if isinstance(indicators, str) else list(indicators)
    if not names:
        raise ValueError("no indicators to plot")
    for name in names:
        indicator(name)  # KeyError with the list of known names
    missing = {"scenario", "seed", "step", "county_id", "indicator", "value"} - set(results)
    if missing:
        raise ValueError(f"results lack columns {sorted(missing)}")

    sel = results[(results["county_id"] == county_id) & results["indicator"].isin(names)]
    if scenarios is None:
        scenarios = _unique(sel["scenario"])
    else:
        scenarios = list(scenarios)
        sel = sel[sel["scenario"].isin(scenarios)]
    shown = set(scenarios) if highlight is None else {"baseline", *highlight}
    # background lines first, so the highlighted scenarios are drawn on top of them
    order = [s for s in scenarios if s not in shown] + [s for s in scenarios if s in shown]
    # colours over all scenarios, so a scenario has the same colour as in the other figures
    colors = _scenario_colors(scenarios)

    grouped = sel.groupby(["indicator", "scenario", "step"], observed=True, sort=True)["value"]
    median = grouped.median()
    if band is not None:
        lo_q, hi_q = band
        lower = grouped.quantile(lo_q)
        upper = grouped.quantile(hi_q)

    fig = Figure(figsize=_panel_size(len(names), 4.4, 3.1), layout="constrained")
    axes = _grid(fig, len(names))
    handles: dict[str, Any] = {}
    other_label = text("other_scenarios", lang)
    for ax, name in zip(axes, names, strict=True):
        scale = _display_scale(name)
        plotted = False
        for scen in order:
            key = (name, scen)
            try:
                med = median.loc[key]
            except KeyError:
                continue
            years = year_of_step(med.index.to_numpy(), base_year)
            if scen in shown:
                label = wrap_label(_scenario_label(scen, scenario_labels))
                color, lw, zorder = colors[scen], 1.7, 3
            else:
                label, color, lw, zorder = other_label, _OTHER_COLOR, 0.9, 2
            (line,) = ax.plot(
                years,
                scale * med.to_numpy(dtype=float),
                color=color,
                lw=lw,
                label=label,
                zorder=zorder,
            )
            line.set_gid(f"median:{scen}")
            handles.setdefault(label, line)
            if band is not None and scen in shown:
                ax.fill_between(
                    years,
                    scale * lower.loc[key].to_numpy(dtype=float),
                    scale * upper.loc[key].to_numpy(dtype=float),
                    color=color,
                    alpha=0.14 if scen == "baseline" else 0.2,
                    lw=0,
                    zorder=1,
                )
            plotted = True
        if not plotted:
            ax.text(
                0.5,
                0.5,
                text("no_data", lang),
                transform=ax.transAxes,
                ha="center",
                va="center",
                color="0.5",
                fontfamily=family,
            )
        ax.set_title(_ind_label(name, lang), fontfamily=family, fontsize=10.5)
        ax.set_xlabel(text("year", lang), fontfamily=family)
        ax.set_ylabel(_ind_unit(name, lang), fontfamily=family)
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.grid(True, lw=0.4, alpha=0.5)
        ax.margins(x=0)

    note = (
        text("band", lang, lo=100 * band[0], hi=100 * band[1])
        if band is not None
        else text("median", lang)
    )
    if handles:
        # the "other scenarios" entry last, after the coloured ones
        labels = sorted(handles, key=lambda k: k == other_label)
        legend = fig.legend(
            [handles[k] for k in labels],
            labels,
            loc="outside lower center",
            ncols=min(len(handles), 3 if len(names) > 1 else 2),
            frameon=False,
            title=note,
            prop={"family": family, "size": 9},
        )
        legend.get_title().set_fontfamily(family)
        legend.get_title().set_fontsize(8.5)
    if title:
        _fit_width(fig, fig.suptitle(title, fontfamily=family))
    return fig


def _county_value_lookup(region: Any, values: Any) -> np.ndarray:
    """Return an array indexed by county id holding the county values (NaN if absent)."""
    counties = tuple(region.counties)
    n = int(getattr(region, "n_counties", len(counties)))
    ids = [int(c.id) for c in counties]
    cells = np.asarray(region.county_of_cell)
    size = max([n, *(i + 1 for i in ids), int(cells.max(initial=-1)) + 1])
    lookup = np.full(size, np.nan)
    if isinstance(values, pd.Series):
        values = dict(zip(values.index, values.to_numpy(), strict=True))
    if isinstance(values, Mapping):
        for key, val in values.items():
            k = int(key)
            if not 0 <= k < size:
                raise ValueError(f"county id {k} not in the region")
            lookup[k] = float(val)
    else:
        arr = np.asarray(values, dtype=float).ravel()
        if arr.shape[0] != n:
            raise ValueError(f"values has length {arr.shape[0]}, region has {n} counties")
        lookup[:n] = arr
    return lookup


def _centroids(ids: np.ndarray, cell_km: float) -> dict[int, tuple[float, float]]:
    """Return ``{id: (x_km, y_km)}`` of the cells carrying each id (>= 0), north up."""
    ny = ids.shape[0]
    out: dict[int, tuple[float, float]] = {}
    for k in np.unique(ids):
        if k < 0:
            continue
        rows, cols = np.nonzero(ids == k)
        out[int(k)] = ((cols.mean() + 0.5) * cell_km, (ny - rows.mean() - 0.5) * cell_km)
    return out


def _boundaries(ids: np.ndarray, cell_km: float) -> np.ndarray:
    """Return line segments (k, 2, 2) in km between cells of different counties."""
    ny = ids.shape[0]
    segs = []
    # vertical edges between (r, c) and (r, c + 1)
    r, c = np.nonzero((ids[:, :-1] != ids[:, 1:]) & ((ids[:, :-1] >= 0) | (ids[:, 1:] >= 0)))
    x = (c + 1) * cell_km
    segs.append(
        np.stack(
            [np.stack([x, (ny - r - 1) * cell_km], 1), np.stack([x, (ny - r) * cell_km], 1)], 1
        )
    )
    # horizontal edges between (r, c) and (r + 1, c)
    r, c = np.nonzero((ids[:-1, :] != ids[1:, :]) & ((ids[:-1, :] >= 0) | (ids[1:, :] >= 0)))
    y = (ny - r - 1) * cell_km
    segs.append(np.stack([np.stack([c * cell_km, y], 1), np.stack([(c + 1) * cell_km, y], 1)], 1))
    return np.concatenate(segs, axis=0).astype(float)


def _nice_length(max_len: float) -> float:
    """Return the largest 1/2/5 × 10^k not above ``max_len``."""
    if max_len <= 0:
        return 0.0
    exp = math.floor(math.log10(max_len))
    for m in (5, 2, 1):
        if m * 10**exp <= max_len:
            return float(m * 10**exp)
    return float(10**exp)


def plot_county_map(
    region: Any,
    values: Mapping[int, float] | Sequence[float] | np.ndarray | pd.Series | pd.DataFrame,
    *,
    title: str,
    lang: str = "en",
    diverging: bool = False,
    unit: str = "",
    vmax: float | None = None,
    uncertain: Mapping[int, bool] | Sequence[bool] | np.ndarray | None = None,
) -> Figure:
    """Draw a raster map of the region with each county coloured by its value.

    Cells outside counties are light grey, hub cells dark with the hub's name, county names
    sit at the centroid of their cells; thin lines mark county borders and a bar gives the
    scale. Row 0 of the region arrays is the north edge. Counties marked uncertain are washed
    pale and hatched, with a legend entry saying so.

    Parameters
    ----------
    region : object
        Region with ``county_of_cell`` and ``hub_of_cell`` ((ny, nx) int arrays, -1 none),
        ``counties`` and ``hubs`` (objects with ``id, name_en, name_zh``), ``cell_km`` and
        ``n_counties``.
    values : mapping, array-like or DataFrame
        ``{county_id: value}``, an array of length ``n_counties`` indexed by county id, or a
        DataFrame indexed by county id with a ``mean`` column and optionally ``lo, hi`` (the
        90% interval, as :func:`model.experiments.compare.county_effects` returns; counties
        whose interval includes zero are then uncertain). Counties without a value are drawn
        like cells outside counties.
    title : str
        Figure title (already in the language of the figure); wrapped to the figure's width.
    lang : {"en", "zh"}
        Language of county and hub names.
    diverging : bool, default False
        Use a diverging colour map centred on 0 (for changes); else a sequential one.
    unit : str, default ""
        Label of the colour bar.
    vmax : float, optional
        Top of the colour scale (diverging: the scale is ``[-vmax, vmax]``), so several maps
        can share one scale; default the largest (absolute) value of this map.
    uncertain : mapping or array-like of bool, optional
        Counties whose change is not distinguishable from zero, ``{county_id: bool}`` or by
        county id; overrides what a DataFrame's ``lo, hi`` imply.

    Returns
    -------
    matplotlib.figure.Figure
        Figure with the map axes and the colour-bar axes. The county values are the first
        image of the map axes (gid ``"county_values"``); the hatching, if any, is the image
        with gid ``"uncertain"``.
    """
    _check_lang(lang)
    family = use_cjk_font()
    # drawn with row 0 at the top: flip regions whose row 0 is the south edge
    flip = bool(getattr(region, "row0_is_south", False))
    ids = np.asarray(region.county_of_cell).astype(np.int64)
    if flip:
        ids = np.flipud(ids)
    if ids.ndim != 2:
        raise ValueError("region.county_of_cell must be a 2-D array")
    ny, nx = ids.shape
    cell_km = float(getattr(region, "cell_km", 1.0) or 1.0)
    if isinstance(values, pd.DataFrame):
        if uncertain is None and {"lo", "hi"} <= set(values.columns):
            lo = values["lo"].to_numpy(dtype=float)
            hi = values["hi"].to_numpy(dtype=float)
            # NaN bounds (one seed: no interval) are not marked, there is nothing to test
            uncertain = dict(zip(values.index, (lo <= 0.0) & (hi >= 0.0), strict=True))
        values = values["mean"]
    lookup = _county_value_lookup(region, values)
    grid = np.full((ny, nx), np.nan)
    inside = ids >= 0
    grid[inside] = lookup[ids[inside]]
    doubt = np.zeros((ny, nx), dtype=bool)
    if uncertain is not None:
        doubt_of = np.nan_to_num(_county_value_lookup(region, _as_floats(uncertain))) > 0
        doubt[inside] = doubt_of[ids[inside]] & np.isfinite(grid[inside])

    finite = grid[np.isfinite(grid)]
    if diverging:
        cmap = colormaps["RdBu_r"].with_extremes(bad=_NO_COUNTY_COLOR)
        m = vmax if vmax is not None else (float(np.abs(finite).max()) if finite.size else 1.0)
        m = m if m > 0 else 1.0
        norm = Normalize(vmin=-m, vmax=m)
    else:
        cmap = colormaps["YlGnBu"].with_extremes(bad=_NO_COUNTY_COLOR)
        lo_v = float(finite.min()) if finite.size else 0.0
        hi_v = vmax if vmax is not None else (float(finite.max()) if finite.size else 1.0)
        if hi_v <= lo_v:
            lo_v, hi_v = lo_v - 0.5, hi_v + 0.5
        norm = Normalize(vmin=lo_v, vmax=hi_v)
    extent = (0.0, nx * cell_km, 0.0, ny * cell_km)

    aspect = ny / nx if nx else 1.0
    width = 7.0
    fig = Figure(
        figsize=(width, max(3.0, min(10.0, width * 0.85 * aspect + 0.8))), layout="constrained"
    )
    ax = fig.add_subplot()
    image = ax.imshow(
        grid,
        cmap=cmap,
        norm=norm,
        origin="upper",
        extent=extent,
        interpolation="nearest",
        zorder=1,
    )
    image.set_gid("county_values")
    if doubt.any():
        ax.imshow(
            _hatch_rgba(doubt), origin="upper", extent=extent, interpolation="nearest", zorder=1.5
        ).set_gid("uncertain")

    segs = _boundaries(ids, cell_km)
    if len(segs):
        ax.add_collection(LineCollection(segs, colors="0.35", linewidths=0.5, zorder=2))

    stroke = [pe.withStroke(linewidth=2.5, foreground="white")]
    hub_ids = getattr(region, "hub_of_cell", None)
    if hub_ids is not None:
        hub_ids = np.asarray(hub_ids).astype(np.int64)
        if flip:
            hub_ids = np.flipud(hub_ids)
        hub_mask = hub_ids >= 0
        if hub_mask.any():
            rgba = np.zeros((ny, nx, 4))
            rgba[hub_mask] = _HUB_RGBA
            hub_img = ax.imshow(
                rgba, origin="upper", extent=extent, interpolation="nearest", zorder=3
            )
            hub_img.set_gid("hubs")
        hubs = {int(h.id): h for h in getattr(region, "hubs", ())}
        for k, (x, y) in _centroids(hub_ids, cell_km).items():
            hub = hubs.get(k)
            if hub is None:
                continue
            ax.text(
                x,
                y,
                hub.name_zh if lang == "zh" else hub.name_en,
                ha="center",
                va="center",
                fontsize=8,
                fontstyle="italic",
                color="white",
                fontfamily=family,
                zorder=5,
                path_effects=[pe.withStroke(linewidth=2, foreground="black")],
            )

    counties = {int(c.id): c for c in region.counties}
    for k, (x, y) in _centroids(ids, cell_km).items():
        county = counties.get(k)
        if county is None:
            continue
        ax.text(
            x,
            y,
            county.name_zh if lang == "zh" else county.name_en,
            ha="center",
            va="center",
            fontsize=9,
            color="black",
            fontfamily=family,
            zorder=4,
            path_effects=stroke,
        )

    # scale bar in the lower-left corner
    length = _nice_length(nx * cell_km / 5.0)
    if length > 0:
        x0, y0 = 0.03 * nx * cell_km, 0.04 * ny * cell_km
        ax.plot([x0, x0 + length], [y0, y0], color="black", lw=2.5, zorder=6, solid_capstyle="butt")
        ax.text(
            x0 + length / 2,
            y0 + 0.015 * ny * cell_km,
            f"{length:g} {text('km', lang)}",
            ha="center",
            va="bottom",
            fontsize=8,
            fontfamily=family,
            zorder=6,
            path_effects=stroke,
        )

    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    ax.set_aspect("equal")
    ax.set_axis_off()
    cbar = fig.colorbar(image, ax=ax, shrink=0.8)
    cbar.set_label(unit, fontfamily=family)
    if doubt.any():
        fig.legend(
            [Patch(facecolor="white", edgecolor="0.45", hatch="////", lw=0.6)],
            [text("map_uncertain", lang)],
            loc="outside lower center",
            frameon=False,
            prop={"family": family, "size": 9},
        )
    # a figure title, centred on the canvas (an axes title is centred on the map, which the
    # colour bar pushes off-centre, so a long one would leave the canvas on the left)
    _fit_width(fig, fig.suptitle(title, fontfamily=family))
    return fig


def _as_floats(flags: Any) -> Any:
    """Booleans by county (mapping or array) as floats, for :func:`_county_value_lookup`."""
    if isinstance(flags, pd.Series):
        flags = flags.to_dict()
    if isinstance(flags, Mapping):
        return {k: float(bool(v)) for k, v in flags.items()}
    return np.asarray(flags, dtype=bool).astype(float)


def _hatch_rgba(mask: np.ndarray, per_cell: int = 8) -> np.ndarray:
    """RGBA overlay (ny*per_cell, nx*per_cell, 4): a pale wash and diagonal hatching on mask.

    Drawn as an image over the county values, so the hatching follows the cell edges exactly.
    """
    fine = np.kron(mask, np.ones((per_cell, per_cell), dtype=bool))
    rows, cols = np.indices(fine.shape)
    stripe = ((rows + cols) % per_cell) < 2
    rgba = np.zeros((*fine.shape, 4))
    rgba[fine] = (1.0, 1.0, 1.0, 0.55)  # wash: the colour reads as "weak"
    rgba[fine & stripe] = (0.3, 0.3, 0.3, 0.9)
    return rgba


def plot_effects(
    effects: pd.DataFrame,
    *,
    lang: str = "en",
    scenario_labels: Mapping[str, str] | None = None,
) -> Figure:
    """Plot scenario effects as horizontal bars with 90% interval error bars.

    Parameters
    ----------
    effects : pandas.DataFrame
        Columns ``scenario, indicator, mean, lo, hi``: relative change vs the baseline in %,
        with ``lo``/``hi`` the bounds of the 90% interval. One panel per indicator (order of
        appearance), one bar per scenario, largest mean on top; each scenario keeps one colour
        in every panel, and no two scenarios share a colour.
    lang : {"en", "zh"}
        Language of the texts.
    scenario_labels : mapping, optional
        ``{scenario: label}`` for the bar labels; default the scenario keys.

    Returns
    -------
    matplotlib.figure.Figure
        Figure with one axes per indicator.
    """
    _check_lang(lang)
    family = use_cjk_font()
    missing = {"scenario", "indicator", "mean", "lo", "hi"} - set(effects)
    if missing:
        raise ValueError(f"effects lack columns {sorted(missing)}")
    repeated = sorted({c for c in effects.columns if list(effects.columns).count(c) > 1})
    if repeated:
        raise ValueError(
            f"effects has repeated columns {repeated}; keep one of each (from "
            "model.experiments.compare.paired_effects: rename rel_mean/rel_lo/rel_hi to "
            "mean/lo/hi and drop the absolute lo/hi first)"
        )
    names = _unique(effects["indicator"])
    scenarios = _unique(effects["scenario"])
    if not names:
        raise ValueError("effects is empty")
    colors = _scenario_colors(scenarios)
    n = len(names)
    ncols = 1 if n == 1 else (2 if n <= 4 else 3)
    height = 0.9 + 0.3 * len(scenarios)
    fig = Figure(figsize=(6.2 * ncols, height * math.ceil(n / ncols) + 0.6), layout="constrained")
    axes = _grid(fig, n)
    for ax, name in zip(axes, names, strict=True):
        # largest effect on top; missing means (NaN) last
        sub = effects[effects["indicator"] == name].sort_values(
            "mean", ascending=False, na_position="last", kind="stable"
        )
        y = np.arange(len(sub), dtype=float)
        mean = sub["mean"].to_numpy(dtype=float)
        lo = sub["lo"].to_numpy(dtype=float)
        hi = sub["hi"].to_numpy(dtype=float)
        err = np.nan_to_num(np.clip(np.vstack([mean - lo, hi - mean]), 0.0, None), nan=0.0)
        ax.barh(y, mean, color=[colors[s] for s in sub["scenario"]], height=0.62, alpha=0.85)
        ax.errorbar(mean, y, xerr=err, fmt="none", ecolor="black", elinewidth=1, capsize=3)
        ax.axvline(0.0, color="0.3", lw=0.8)
        ax.set_yticks(
            y,
            [wrap_label(_scenario_label(s, scenario_labels), 30) for s in sub["scenario"]],
            fontfamily=family,
            fontsize=8.5,
        )
        ax.set_ylim(len(sub) - 0.5, -0.5)
        ax.set_title(_ind_label(name, lang), fontfamily=family, fontsize=10.5)
        ax.set_xlabel(text("effect_axis", lang), fontfamily=family)
        ax.grid(True, axis="x", lw=0.4, alpha=0.5)
    _fit_width(
        fig, fig.suptitle(text("effect_note", lang), fontfamily=family, fontsize=9, color="0.3")
    )
    return fig


def plot_fiscal_cost(
    costs: pd.DataFrame,
    *,
    lang: str = "en",
    scenario_labels: Mapping[str, str] | None = None,
    base_year: int = BASE_YEAR,
) -> Figure:
    """Plot the policy cost with one-off and recurring costs apart, by payer.

    Left panel: the whole-run cost of each scenario as stacked bars, county and province,
    each split into the one-off cost of the first policy quarter (hatched) and the recurring
    cost (see :func:`model.experiments.compare.split_one_off_costs`); largest total on top.
    Middle and right panels: the recurring cost per quarter (county: solid lines, province:
    dashed lines, shared y axis), so a one-off spike does not flatten the other lines. The x
    axis is the calendar year (``base_year + step / 4``).

    Parameters
    ----------
    costs : pandas.DataFrame
        Columns ``scenario, step, payer, cost_mcny``, ``payer`` in ``{"county",
        "province"}``, one row per (scenario, step, payer) (e.g. the median across seeds), cost
        in million CNY per quarter.
    lang : {"en", "zh"}
        Language of the texts.
    scenario_labels : mapping, optional
        ``{scenario: label}`` for the bars and the legend; default the scenario keys.
    base_year : int, default :data:`BASE_YEAR`
        Calendar year of step 0.

    Returns
    -------
    matplotlib.figure.Figure
        Figure with three axes: whole-run totals, recurring county cost, recurring province
        cost.

    Raises
    ------
    ValueError
        If columns are missing, a payer is unknown or a (scenario, step, payer) repeats.
    """
    from model.experiments.compare import split_one_off_costs

    _check_lang(lang)
    family = use_cjk_font()
    missing = {"scenario", "step", "payer", "cost_mcny"} - set(costs)
    if missing:
        raise ValueError(f"costs lack columns {sorted(missing)}")
    payers = ("county", "province")
    unknown = set(costs["payer"].unique()) - set(payers)
    if unknown:
        raise ValueError(f"unknown payers {sorted(map(str, unknown))}; expected {payers}")
    if costs.duplicated(["scenario", "step", "payer"]).any():
        raise ValueError("costs must have one row per (scenario, step, payer)")
    split = split_one_off_costs(costs)
    scenarios = _unique(costs["scenario"])
    colors = _scenario_colors(scenarios)
    label_of = {s: wrap_label(_scenario_label(s, scenario_labels), 26) for s in scenarios}

    fig = Figure(figsize=(14.0, 1.0 + max(3.6, 0.42 * len(scenarios))), layout="constrained")
    grid = fig.add_gridspec(1, 3, width_ratios=[1.25, 1.0, 1.0])
    bar_ax = fig.add_subplot(grid[0, 0])
    county_ax = fig.add_subplot(grid[0, 1])
    prov_ax = fig.add_subplot(grid[0, 2], sharey=county_ax)

    # whole-run totals: one bar per scenario, four stacked parts
    totals = split.groupby(["scenario", "payer"])[["one_off_mcny", "recurring_mcny"]].sum()
    totals = totals.reindex(pd.MultiIndex.from_product([scenarios, payers]), fill_value=0.0)
    grand = totals.groupby(level=0).sum().sum(axis=1).reindex(scenarios)
    order = list(grand.sort_values(ascending=False, kind="stable").index)
    y = np.arange(len(order), dtype=float)
    left = np.zeros(len(order))
    bar_handles = []
    for payer in payers:
        for part, kind, hatch, alpha in (
            ("recurring_mcny", "recurring", None, 0.9),
            ("one_off_mcny", "one_off", "////", 0.45),
        ):
            width = np.array([totals.loc[(s, payer), part] for s in order], dtype=float)
            bars = bar_ax.barh(
                y,
                width,
                left=left,
                height=0.62,
                color=_PAYER_COLORS[payer],
                alpha=alpha,
                hatch=hatch,
                edgecolor="white" if hatch is None else _PAYER_COLORS[payer],
                lw=0.4,
                label=f"{text(payer, lang)}{'：' if lang == 'zh' else ': '}{text(kind, lang)}",
            )
            bar_handles.append(bars)
            left += width
    bar_ax.set_yticks(y, [label_of[s] for s in order], fontfamily=family, fontsize=8.5)
    bar_ax.set_ylim(len(order) - 0.5, -0.5)
    bar_ax.set_xlabel(text("mcny", lang), fontfamily=family)
    bar_ax.set_title(text("fiscal_total_title", lang), fontfamily=family, fontsize=10.5)
    bar_ax.grid(True, axis="x", lw=0.4, alpha=0.5)
    bar_ax.legend(
        loc="lower right", frameon=True, framealpha=0.9, prop={"family": family, "size": 8}
    )

    handles: dict[str, Any] = {}
    for ax, payer, style in zip((county_ax, prov_ax), payers, ("-", "--"), strict=True):
        sub = split[split["payer"] == payer]
        for scen in scenarios:
            s = sub[sub["scenario"] == scen]
            if s.empty:
                continue
            (line,) = ax.plot(
                year_of_step(s["step"].to_numpy(), base_year),
                s["recurring_mcny"].to_numpy(dtype=float),
                ls=style,
                color=colors[scen],
                lw=1.6,
                label=label_of[scen],
            )
            handles.setdefault(label_of[scen], line)
        ax.set_title(
            text("fiscal_recurring_title", lang, payer=text(payer, lang)),
            fontfamily=family,
            fontsize=10.5,
        )
        ax.set_xlabel(text("year", lang), fontfamily=family)
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.grid(True, lw=0.4, alpha=0.5)
        ax.margins(x=0)
    county_ax.set_ylabel(text("mcny_quarter", lang), fontfamily=family)
    if handles:
        fig.legend(
            list(handles.values()),
            list(handles.keys()),
            loc="outside right upper",
            ncols=1,
            frameon=False,
            prop={"family": family, "size": 8.5},
        )
    _fit_width(fig, fig.suptitle(text("fiscal_title", lang), fontfamily=family))
    return fig


def save_figure(fig: Figure, path: str | os.PathLike[str], *, svg: bool = True) -> Path:
    """Write ``fig`` as a PNG (130 dpi) and, beside it, an SVG, atomically; then close it.

    Each image is written to a temporary file in the target directory and moved into place
    with :func:`os.replace`, so readers never see a partial file. Missing parent directories
    are created. The bounding box is fitted to the drawn artists (``bbox_inches="tight"``), a
    second guard, after constrained layout, against text cut off at the edge.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        Figure to save.
    path : str or os.PathLike
        Destination PNG file; the SVG gets the same name with suffix ``.svg``.
    svg : bool, default True
        Also write the SVG.

    Returns
    -------
    pathlib.Path
        The destination path of the PNG.
    """
    dest = Path(path)
    dest.parent.mkdir(parents=True, exist_ok=True)
    try:
        _write_atomic(fig, dest, "png")
        if svg:
            _write_atomic(fig, dest.with_suffix(".svg"), "svg")
    finally:
        _close(fig)
    return dest


def _write_atomic(fig: Figure, dest: Path, fmt: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            # a fixed hash salt and no date keep the SVG identical from one run to the next
            metadata = {"Date": None} if fmt == "svg" else None
            with rc_context({"svg.hashsalt": "innovsim"}):
                fig.savefig(
                    fh, format=fmt, dpi=130, bbox_inches="tight", pad_inches=0.08, metadata=metadata
                )
        os.chmod(tmp, 0o644)  # mkstemp creates 0600
        os.replace(tmp, dest)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def _close(fig: Figure) -> None:
    """Close a pyplot-managed figure; figures built without pyplot only need releasing."""
    if getattr(fig.canvas, "manager", None) is not None:
        import matplotlib.pyplot as plt

        plt.close(fig)
