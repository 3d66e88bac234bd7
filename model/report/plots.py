"""Standard figures of the reports, in English or Chinese.

Every function returns a :class:`matplotlib.figure.Figure` built without pyplot (so nothing is
shown, no backend is selected at import, and notebooks display the returned figure once) and
takes ``lang="en"`` or ``lang="zh"``. All text uses the CJK font registered by
:func:`model.report.fonts.use_cjk_font`, which also covers Latin script.
:func:`save_figure` writes a PNG atomically.

Indicator labels and units come from :mod:`model.sim.indicators`; scenario labels from an optional
``scenario_labels`` mapping (else the scenario key); fixed axis texts from :data:`TEXTS`.
"""

from __future__ import annotations

import math
import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib import patheffects as pe
from matplotlib.collections import LineCollection
from matplotlib.colors import Normalize
from matplotlib.figure import Figure

from model.report.fonts import use_cjk_font
from model.sim.indicators import indicator

#: Fixed figure texts, ``{key: {"en": ..., "zh": ...}}``.
TEXTS: dict[str, dict[str, str]] = {
    "year": {"en": "Year", "zh": "年"},
    "band": {
        "en": "Lines: median across seeds; bands: {lo:g}–{hi:g}% range across seeds",
        "zh": "实线：各随机种子的中位数；阴影：各随机种子的 {lo:g}%–{hi:g}% 区间",
    },
    "median": {
        "en": "Lines: median across seeds",
        "zh": "实线：各随机种子的中位数",
    },
    "no_data": {"en": "no data", "zh": "无数据"},
    "effect_axis": {"en": "Change vs baseline (%)", "zh": "相对基准情景的变化（%）"},
    "effect_note": {
        "en": "Bars: mean effect; error bars: 90% interval",
        "zh": "条形：平均效应；误差线：90% 区间",
    },
    "fiscal_title": {
        "en": "Fiscal cost of the policies (median across seeds)",
        "zh": "政策财政成本（各随机种子的中位数）",
    },
    "payer_county": {"en": "Borne by counties", "zh": "县级承担"},
    "payer_province": {"en": "Borne by the province", "zh": "省级承担"},
    "mcny_quarter": {"en": "m CNY/quarter", "zh": "百万元/季"},
    "km": {"en": "km", "zh": "公里"},
}

_LANGS = ("en", "zh")
_BASELINE_COLOR = "#222222"
_PALETTE = colormaps["tab10"].colors
_NO_COUNTY_COLOR = "#ececec"
_HUB_RGBA = (0.22, 0.22, 0.25, 1.0)


def _check_lang(lang: str) -> None:
    if lang not in _LANGS:
        raise ValueError(f"lang must be one of {_LANGS}, got {lang!r}")


def text(key: str, lang: str = "en", **fmt: Any) -> str:
    """Return the fixed figure text ``key`` in ``lang``, formatted with ``fmt``."""
    _check_lang(lang)
    template = TEXTS[key][lang]
    return template.format(**fmt) if fmt else template


def _ind_label(name: str, lang: str) -> str:
    try:
        ind = indicator(name)
    except KeyError:
        return name
    return ind.label_zh if lang == "zh" else ind.label_en


def _ind_unit(name: str, lang: str) -> str:
    try:
        ind = indicator(name)
    except KeyError:
        return ""
    return ind.unit_zh if lang == "zh" else ind.unit_en


def _scenario_label(scenario: str, scenario_labels: Mapping[str, str] | None) -> str:
    if scenario_labels and scenario in scenario_labels:
        return str(scenario_labels[scenario])
    return str(scenario)


def _scenario_colors(scenarios: Sequence[str]) -> dict[str, Any]:
    """Colour per scenario: ``baseline`` dark, the others tab10 in order."""
    colors: dict[str, Any] = {}
    i = 0
    for s in scenarios:
        if s == "baseline":
            colors[s] = _BASELINE_COLOR
        else:
            colors[s] = _PALETTE[i % len(_PALETTE)]
            i += 1
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
) -> Figure:
    """Plot indicator trajectories over time, one panel per indicator.

    Each scenario is drawn as the median across seeds at every step, with a shaded band
    between the ``band`` quantiles across seeds. The x axis is in years (``step / 4``).

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
    for ax, name in zip(axes, names, strict=True):
        plotted = False
        for scen in scenarios:
            key = (name, scen)
            try:
                med = median.loc[key]
            except KeyError:
                continue
            years = med.index.to_numpy(dtype=float) / 4.0
            label = _scenario_label(scen, scenario_labels)
            (line,) = ax.plot(
                years, med.to_numpy(dtype=float), color=colors[scen], lw=1.6, label=label
            )
            line.set_gid(f"median:{scen}")
            handles.setdefault(label, line)
            if band is not None:
                ax.fill_between(
                    years,
                    lower.loc[key].to_numpy(dtype=float),
                    upper.loc[key].to_numpy(dtype=float),
                    color=colors[scen],
                    alpha=0.18,
                    lw=0,
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
        ax.grid(True, lw=0.4, alpha=0.5)
        ax.margins(x=0)

    note = (
        text("band", lang, lo=100 * band[0], hi=100 * band[1])
        if band is not None
        else text("median", lang)
    )
    if handles:
        legend = fig.legend(
            list(handles.values()),
            list(handles.keys()),
            loc="outside lower center",
            ncols=min(len(handles), 4),
            frameon=False,
            title=note,
            prop={"family": family, "size": 9},
        )
        legend.get_title().set_fontfamily(family)
        legend.get_title().set_fontsize(8.5)
    if title:
        fig.suptitle(title, fontfamily=family)
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
    values: Mapping[int, float] | Sequence[float] | np.ndarray | pd.Series,
    *,
    title: str,
    lang: str = "en",
    diverging: bool = False,
    unit: str = "",
) -> Figure:
    """Draw a raster map of the region with each county coloured by its value.

    Cells outside counties are light grey, hub cells dark with the hub's name, county names
    sit at the centroid of their cells; thin lines mark county borders and a bar gives the
    scale. Row 0 of the region arrays is the north edge.

    Parameters
    ----------
    region : object
        Region with ``county_of_cell`` and ``hub_of_cell`` ((ny, nx) int arrays, -1 none),
        ``counties`` and ``hubs`` (objects with ``id, name_en, name_zh``), ``cell_km`` and
        ``n_counties``.
    values : mapping or array-like
        ``{county_id: value}``, or an array of length ``n_counties`` indexed by county id.
        Counties without a value are drawn like cells outside counties.
    title : str
        Figure title (already in the language of the figure).
    lang : {"en", "zh"}
        Language of county and hub names.
    diverging : bool, default False
        Use a diverging colour map centred on 0 (for changes); else a sequential one.
    unit : str, default ""
        Label of the colour bar.

    Returns
    -------
    matplotlib.figure.Figure
        Figure with the map axes and the colour-bar axes. The county values are the first
        image of the map axes (gid ``"county_values"``).
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
    lookup = _county_value_lookup(region, values)
    grid = np.full((ny, nx), np.nan)
    inside = ids >= 0
    grid[inside] = lookup[ids[inside]]

    finite = grid[np.isfinite(grid)]
    if diverging:
        cmap = colormaps["RdBu_r"].with_extremes(bad=_NO_COUNTY_COLOR)
        m = float(np.abs(finite).max()) if finite.size else 1.0
        m = m if m > 0 else 1.0
        norm = Normalize(vmin=-m, vmax=m)
    else:
        cmap = colormaps["YlGnBu"].with_extremes(bad=_NO_COUNTY_COLOR)
        vmin = float(finite.min()) if finite.size else 0.0
        vmax = float(finite.max()) if finite.size else 1.0
        if vmax <= vmin:
            vmin, vmax = vmin - 0.5, vmax + 0.5
        norm = Normalize(vmin=vmin, vmax=vmax)
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
    ax.set_title(title, fontfamily=family)
    cbar = fig.colorbar(image, ax=ax, shrink=0.8)
    cbar.set_label(unit, fontfamily=family)
    return fig


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
        appearance), one bar per scenario (order of appearance, top to bottom).
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
    ypos = {s: i for i, s in enumerate(scenarios)}
    labels = [_scenario_label(s, scenario_labels) for s in scenarios]

    n = len(names)
    ncols = 1 if n == 1 else (2 if n <= 4 else 3)
    height = 0.9 + 0.32 * len(scenarios)
    fig = Figure(
        figsize=(4.0 * ncols + 1.5, height * math.ceil(n / ncols) + 0.6), layout="constrained"
    )
    axes = _grid(fig, n, sharey=True)
    for ax, name in zip(axes, names, strict=True):
        sub = effects[effects["indicator"] == name]
        y = np.array([ypos[s] for s in sub["scenario"]], dtype=float)
        mean = sub["mean"].to_numpy(dtype=float)
        lo = sub["lo"].to_numpy(dtype=float)
        hi = sub["hi"].to_numpy(dtype=float)
        err = np.nan_to_num(np.clip(np.vstack([mean - lo, hi - mean]), 0.0, None), nan=0.0)
        ax.barh(y, mean, color=[colors[s] for s in sub["scenario"]], height=0.62, alpha=0.85)
        ax.errorbar(mean, y, xerr=err, fmt="none", ecolor="black", elinewidth=1, capsize=3)
        ax.axvline(0.0, color="0.3", lw=0.8)
        ax.set_title(_ind_label(name, lang), fontfamily=family, fontsize=10.5)
        ax.set_xlabel(text("effect_axis", lang), fontfamily=family)
        ax.grid(True, axis="x", lw=0.4, alpha=0.5)
    first = axes[0]
    first.set_yticks(range(len(scenarios)), labels, fontfamily=family)
    first.set_ylim(len(scenarios) - 0.5, -0.5)
    fig.suptitle(text("effect_note", lang), fontfamily=family, fontsize=9, color="0.3")
    return fig


def plot_fiscal_cost(
    costs: pd.DataFrame,
    *,
    lang: str = "en",
    scenario_labels: Mapping[str, str] | None = None,
) -> Figure:
    """Plot the policy cost over time for counties and the province, per scenario.

    Two panels (county: solid lines, province: dashed lines) sharing the y axis; the x axis
    is in years (``step / 4``).

    Parameters
    ----------
    costs : pandas.DataFrame
        Columns ``scenario, step, payer, cost_mcny``, ``payer`` in ``{"county",
        "province"}``, one row per (scenario, step, payer) (e.g. the median across seeds), cost
        in million CNY per quarter.
    lang : {"en", "zh"}
        Language of the texts.
    scenario_labels : mapping, optional
        ``{scenario: label}`` for the legend; default the scenario keys.

    Returns
    -------
    matplotlib.figure.Figure
        Figure with two axes (county, province).

    Raises
    ------
    ValueError
        If columns are missing, a payer is unknown or a (scenario, step, payer) repeats.
    """
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
    scenarios = _unique(costs["scenario"])
    colors = _scenario_colors(scenarios)

    fig = Figure(figsize=(10.0, 4.2), layout="constrained")
    axes = fig.subplots(1, 2, sharey=True)
    handles: dict[str, Any] = {}
    for ax, payer, style in zip(axes, payers, ("-", "--"), strict=True):
        sub = costs[costs["payer"] == payer]
        for scen in scenarios:
            s = sub[sub["scenario"] == scen].sort_values("step")
            if s.empty:
                continue
            label = _scenario_label(scen, scenario_labels)
            (line,) = ax.plot(
                s["step"].to_numpy(dtype=float) / 4.0,
                s["cost_mcny"].to_numpy(dtype=float),
                ls=style,
                color=colors[scen],
                lw=1.6,
                label=label,
            )
            handles.setdefault(label, line)
        ax.set_title(text(f"payer_{payer}", lang), fontfamily=family)
        ax.set_xlabel(text("year", lang), fontfamily=family)
        ax.grid(True, lw=0.4, alpha=0.5)
        ax.margins(x=0)
    axes[0].set_ylabel(text("mcny_quarter", lang), fontfamily=family)
    if handles:
        fig.legend(
            [h for h in handles.values()],
            list(handles.keys()),
            loc="outside lower center",
            ncols=min(len(handles), 4),
            frameon=False,
            prop={"family": family, "size": 9},
        )
    fig.suptitle(text("fiscal_title", lang), fontfamily=family)
    return fig


def save_figure(fig: Figure, path: str | os.PathLike[str]) -> Path:
    """Write ``fig`` as a PNG (130 dpi) atomically, then close it.

    The image is written to a temporary file in the target directory and moved into place
    with :func:`os.replace`, so readers never see a partial file. Missing parent directories
    are created.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        Figure to save.
    path : str or os.PathLike
        Destination file.

    Returns
    -------
    pathlib.Path
        The destination path.
    """
    dest = Path(path)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fig.savefig(fh, format="png", dpi=130)
        os.chmod(tmp, 0o644)  # mkstemp creates 0600
        os.replace(tmp, dest)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    finally:
        _close(fig)
    return dest


def _close(fig: Figure) -> None:
    """Close a pyplot-managed figure; figures built without pyplot only need releasing."""
    if getattr(fig.canvas, "manager", None) is not None:
        import matplotlib.pyplot as plt

        plt.close(fig)
