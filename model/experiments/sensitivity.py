"""Sensitivity analysis of experiment results: Sobol and Morris indices via SALib, and figures.

Which uncertain parameters drive an outcome? After a ``sobol`` or ``morris`` experiment
(:mod:`model.experiments`), each design point's outcome is averaged over its replications —
an indicator's region-wide value at one quarter, or, when the experiment has a reference
scenario, the paired difference scenario − reference ("the effect of consolidation") — and
handed to SALib in the order of the sample:

- :func:`sobol_indices`: first-order (``S1``) and total (``ST``) indices with bootstrap
  confidence intervals (Saltelli/Jansen estimators of ``SALib.analyze.sobol``);
- :func:`morris_indices`: ``mu``, ``mu_star`` (mean absolute elementary effect, per unit of a
  parameter's range: SALib sees the unit-hypercube sample), ``sigma`` and the interval of
  ``mu_star``;
- :func:`effect_signs`: over the design points, how often the paired effect is positive,
  negative or zero, and its spread (which parameters *move* an effect is the indices' question;
  whether it ever changes sign is this one's); :func:`effect_signs_by_half` splits those
  shares by each parameter's lower and upper half of its range.

With levers, the uncertainty sample is repeated for every lever combination and the indices are
computed per lever combination (``lever_point``). :func:`plot_sobol` and :func:`plot_morris`
draw them in English or Chinese; :func:`analyse_results` does all of it for an experiment's
``[analysis]`` table and writes tables and figures next to the results.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from model.experiments.declaration import ExperimentError
from model.report.text import t as _t
from model.runs.store import ExperimentResults

__all__ = [
    "analyse_results",
    "effect_signs",
    "effect_signs_by_half",
    "morris_indices",
    "plot_morris",
    "plot_sobol",
    "point_outcomes",
    "sobol_indices",
]


def point_outcomes(
    results: ExperimentResults,
    indicators: Sequence[str] | None = None,
    step: int | str = "final",
    effect: bool | None = None,
) -> pd.DataFrame:
    """Each design point's outcome, averaged over its replications.

    Parameters
    ----------
    results : ExperimentResults
    indicators : list of str, optional
        Default: the experiment's ``[analysis]`` indicators, else every kept indicator.
    step : int or "final"
        Quarter of the outcome.
    effect : bool, optional
        Paired differences scenario − reference (default: True when there is a reference).

    Returns
    -------
    DataFrame
        ``scenario, point, lever_point, sample, indicator, value, replications``, sorted.

    Raises
    ------
    ExperimentError
        If a run of the design is missing (the indices need the complete sample).
    """
    exp = results.experiment
    if indicators is None:
        indicators = (
            exp.analysis.indicators if exp.analysis is not None else exp.outputs.indicator_names
        )
    indicators = list(indicators)
    reference = results.manifest.get("reference")
    effect = bool(reference) if effect is None else effect
    status = results.status()
    if status["done"] < status["total"]:
        raise ExperimentError(
            f"{results.out}: {status['total'] - status['done']} of {status['total']} runs are "
            f"missing ({status['failed']} failed); the sensitivity indices need the complete "
            "sample: resume the sweep first"
        )
    if effect:
        df = results.effects(indicators, step=step, parameters=False)
        df = df.rename(columns={"value": "scenario_value", "effect": "value"})
    else:
        df = results.outcomes(indicators, step=step, parameters=False)
    grouped = (
        df.groupby(["scenario", "point", "indicator"], sort=False)["value"]
        .agg(["mean", "size"])
        .reset_index()
        .rename(columns={"mean": "value", "size": "replications"})
    )
    design = results.design[["point", "lever_point", "sample"]]
    out = grouped.merge(design, on="point", how="left")
    out["_ind"] = out["indicator"].map({n: i for i, n in enumerate(indicators)})
    out = out.sort_values(["scenario", "_ind", "point"], kind="stable").drop(columns="_ind")
    out.attrs["effect"] = effect
    out.attrs["reference"] = reference
    return out[
        ["scenario", "point", "lever_point", "sample", "indicator", "value", "replications"]
    ].reset_index(drop=True)


def _groups(results: ExperimentResults, outcomes: pd.DataFrame):
    """Yield (scenario, lever_point, indicator, Y in sample order)."""
    n_samples = int(results.design["sample"].max()) + 1
    for (scenario, lever_point, name), sub in outcomes.groupby(
        ["scenario", "lever_point", "indicator"], sort=False
    ):
        sub = sub.sort_values("sample")
        y = sub["value"].to_numpy(dtype=np.float64)
        if len(y) != n_samples or not np.all(np.isfinite(y)):
            raise ExperimentError(
                f"{results.out}: outcome {name!r} of scenario {scenario!r} is incomplete or "
                "not finite for some design points"
            )
        yield scenario, int(lever_point), name, y


def _problem(results: ExperimentResults) -> dict[str, Any]:
    names = list(results.manifest["design"]["uncertainties"])
    return {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}


def _lever_columns(results: ExperimentResults, frame: pd.DataFrame) -> pd.DataFrame:
    levers = list(results.manifest["design"]["levers"])
    if not levers:
        return frame
    lever_values = results.design.drop_duplicates("lever_point")[["lever_point", *levers]]
    return frame.merge(lever_values, on="lever_point", how="left")


def _seed(results: ExperimentResults, seed: int | None) -> int:
    # SALib skips seeding for a seed of 0, so derive a positive one
    if seed is not None:
        return int(seed)
    return int(results.experiment.base_seed % (2**31 - 1)) + 1


def _index_table(
    results: ExperimentResults,
    outcomes: pd.DataFrame,
    analyse: Callable[[np.ndarray], Mapping[str, Any]],
    stats: Sequence[str],
    conf_level: float,
    step: int | str,
) -> pd.DataFrame:
    """Analyse each outcome group (:func:`_groups`) and tabulate ``stats`` per parameter.

    ``analyse(y)`` returns SALib's result: each of ``stats`` holds one value per uncertain
    parameter. One row per scenario, lever point, indicator and parameter, with the lever
    values and the outcome's attributes.
    """
    names = _problem(results)["names"]
    outcome = "effect" if outcomes.attrs["effect"] else "value"
    rows = []
    for scenario, lever_point, name, y in _groups(results, outcomes):
        res = analyse(y)
        for j, param in enumerate(names):
            rows.append(
                {
                    "scenario": scenario,
                    "lever_point": lever_point,
                    "indicator": name,
                    "outcome": outcome,
                    "parameter": param,
                    **{stat: float(res[stat][j]) for stat in stats},
                }
            )
    frame = _lever_columns(results, pd.DataFrame(rows))
    frame.attrs.update(outcomes.attrs, conf_level=conf_level, step=step)
    return frame


def sobol_indices(
    results: ExperimentResults,
    indicators: Sequence[str] | None = None,
    step: int | str = "final",
    effect: bool | None = None,
    conf_level: float = 0.95,
    num_resamples: int = 1000,
    seed: int | None = None,
) -> pd.DataFrame:
    """Sobol first-order and total indices with confidence intervals.

    Parameters
    ----------
    results : ExperimentResults
        Of a complete ``sobol`` experiment.
    indicators, step, effect :
        The outcome; see :func:`point_outcomes`.
    conf_level : float
        Level of the bootstrap intervals.
    num_resamples : int
        Bootstrap resamples.
    seed : int, optional
        Seed of the bootstrap (default: derived from the experiment's base seed).

    Returns
    -------
    DataFrame
        ``scenario, lever_point, <levers>, indicator, outcome, parameter, S1, S1_conf, ST,
        ST_conf`` (``*_conf``: half-width of the interval; ``outcome``: ``"effect"`` or
        ``"value"``). Indices are NaN for an outcome that is the same at every point.
    """
    from SALib.analyze import sobol

    exp = results.experiment
    if exp.design != "sobol":
        raise ExperimentError(
            f"{results.out}: Sobol indices need a 'sobol' design, not {exp.design!r}"
        )
    problem = _problem(results)
    outcomes = point_outcomes(results, indicators, step, effect)

    def analyse(y: np.ndarray) -> dict[str, Any]:
        if np.ptp(y) == 0.0:  # a constant outcome has no variance to apportion
            nan = np.full(problem["num_vars"], np.nan)
            return {"S1": nan, "S1_conf": nan, "ST": nan, "ST_conf": nan}
        return sobol.analyze(
            problem,
            y,
            calc_second_order=exp.sobol_second_order,
            num_resamples=num_resamples,
            conf_level=conf_level,
            print_to_console=False,
            seed=_seed(results, seed),
        )

    stats = ("S1", "S1_conf", "ST", "ST_conf")
    return _index_table(results, outcomes, analyse, stats, conf_level, step)


def morris_indices(
    results: ExperimentResults,
    indicators: Sequence[str] | None = None,
    step: int | str = "final",
    effect: bool | None = None,
    conf_level: float = 0.95,
    num_resamples: int = 1000,
    seed: int | None = None,
) -> pd.DataFrame:
    """Morris elementary-effect statistics.

    Effects are per unit of each parameter's range (SALib analyses the unit-hypercube
    sample), so ``mu_star`` compares parameters on their whole declared ranges.

    Returns
    -------
    DataFrame
        ``scenario, lever_point, <levers>, indicator, outcome, parameter, mu, mu_star, sigma,
        mu_star_conf``.
    """
    from SALib.analyze import morris

    exp = results.experiment
    if exp.design != "morris":
        raise ExperimentError(
            f"{results.out}: Morris indices need a 'morris' design, not {exp.design!r}"
        )
    problem = _problem(results)
    names = problem["names"]
    unit_cols = [f"unit:{n}" for n in names]
    first = results.design[results.design["lever_point"] == 0].sort_values("sample")
    x = first[unit_cols].to_numpy(dtype=np.float64)
    outcomes = point_outcomes(results, indicators, step, effect)

    def analyse(y: np.ndarray) -> dict[str, Any]:
        return morris.analyze(
            problem,
            x,
            y,
            num_resamples=num_resamples,
            conf_level=conf_level,
            print_to_console=False,
            num_levels=exp.morris_levels,
            seed=_seed(results, seed),
        )

    stats = ("mu", "mu_star", "sigma", "mu_star_conf")
    return _index_table(results, outcomes, analyse, stats, conf_level, step)


def effect_signs(
    results: ExperimentResults,
    indicators: Sequence[str] | None = None,
    step: int | str = "final",
) -> pd.DataFrame:
    """How often each scenario's paired effect is positive across the design points.

    The effect at a point is the replication mean of scenario − reference on the same seeds
    (:func:`point_outcomes`), so with a sampled design the shares are over the sample of the
    uncertainties (per lever combination).

    Parameters
    ----------
    results : ExperimentResults
        Of a complete experiment with a reference scenario.
    indicators, step :
        The outcome; see :func:`point_outcomes`.

    Returns
    -------
    DataFrame
        ``scenario, lever_point, indicator, points, positive_share, negative_share,
        zero_share`` (shares of the points, in [0, 1]), ``mean, median, min, max`` (of the
        effect, in the indicator's unit); one row per scenario, lever point and indicator.

    Raises
    ------
    ExperimentError
        If the experiment has no reference scenario, or a run is missing.
    """
    if not results.manifest.get("reference"):
        raise ExperimentError(
            f"{results.out}: the experiment has no reference scenario; effect signs need one"
        )
    outcomes = point_outcomes(results, indicators, step, effect=True)
    rows = []
    for (scenario, lever_point, name), sub in outcomes.groupby(
        ["scenario", "lever_point", "indicator"], sort=False
    ):
        y = sub["value"].to_numpy(dtype=np.float64)
        rows.append(
            {
                "scenario": scenario,
                "lever_point": int(lever_point),
                "indicator": name,
                "points": len(y),
                "positive_share": float(np.mean(y > 0.0)),
                "negative_share": float(np.mean(y < 0.0)),
                "zero_share": float(np.mean(y == 0.0)),
                "mean": float(np.mean(y)),
                "median": float(np.median(y)),
                "min": float(np.min(y)),
                "max": float(np.max(y)),
            }
        )
    frame = _lever_columns(results, pd.DataFrame(rows))
    frame.attrs.update(outcomes.attrs, step=step)
    return frame


def effect_signs_by_half(
    results: ExperimentResults,
    indicators: Sequence[str] | None = None,
    step: int | str = "final",
) -> pd.DataFrame:
    """Share of design points with a positive paired effect, in each half of each parameter.

    A parameter "decides the sign" when the effect is mostly positive over one half of its
    range and mostly negative over the other. Halves are of the unit-hypercube sample (the
    range in the design's own scale: the lower half of a log-uniform range is below its
    geometric midpoint); a value exactly at the midpoint counts in the upper half.

    Returns
    -------
    DataFrame
        ``scenario, lever_point, indicator, parameter, points_low, positive_share_low,
        points_high, positive_share_high, share_gap`` (``positive_share_high -
        positive_share_low``; shares NaN for an empty half).
    """
    if not results.manifest.get("reference"):
        raise ExperimentError(
            f"{results.out}: the experiment has no reference scenario; effect signs need one"
        )
    names = _problem(results)["names"]
    unit_cols = [f"unit:{n}" for n in names]
    outcomes = point_outcomes(results, indicators, step, effect=True)
    units = results.design[["point", *unit_cols]]
    joined = outcomes.merge(units, on="point", how="left")
    rows = []
    for (scenario, lever_point, name), sub in joined.groupby(
        ["scenario", "lever_point", "indicator"], sort=False
    ):
        positive = sub["value"].to_numpy(dtype=np.float64) > 0.0
        for param, col in zip(names, unit_cols, strict=True):
            high = sub[col].to_numpy(dtype=np.float64) >= 0.5
            n_low, n_high = int((~high).sum()), int(high.sum())
            low_share = float(positive[~high].mean()) if n_low else math.nan
            high_share = float(positive[high].mean()) if n_high else math.nan
            rows.append(
                {
                    "scenario": scenario,
                    "lever_point": int(lever_point),
                    "indicator": name,
                    "parameter": param,
                    "points_low": n_low,
                    "positive_share_low": low_share,
                    "points_high": n_high,
                    "positive_share_high": high_share,
                    "share_gap": high_share - low_share,
                }
            )
    frame = _lever_columns(results, pd.DataFrame(rows))
    frame.attrs.update(outcomes.attrs, step=step)
    return frame


def _panel_title(row: pd.Series, lang: str, reference: str | None, multi: bool) -> str:
    from model.sim.indicators import label

    try:
        name = label(row["indicator"], lang)
    except KeyError:
        name = str(row["indicator"])
    if row["outcome"] == "effect":
        title = _t("sens_effect", lang, label=name, ref=_scenario_label(reference, lang))
    else:
        title = name
    if multi:
        title += "\n" + _t("sens_point", lang, scenario=row["scenario"], point=row["lever_point"])
    return title


def _scenario_label(name: str | None, lang: str) -> str:
    if not name:
        return _t("sens_reference", lang)
    from model.params.scenarios import ScenarioError, load_scenario

    try:
        return load_scenario(name).label(lang)
    except (ScenarioError, OSError):  # a label is not worth failing a figure for
        return name


def _figure(n: int, width: float, height: float) -> tuple[Figure, list[Any]]:
    ncols = 1 if n == 1 else 2
    nrows = math.ceil(n / ncols)
    fig = Figure(figsize=(width * ncols, height * nrows + 0.7), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for ax in axes[n:]:
        fig.delaxes(ax)
    return fig, list(axes[:n])


def _panel_figure(
    indices: pd.DataFrame, lang: str, width: float, height: float
) -> tuple[Figure, list[tuple[Any, pd.DataFrame]], str]:
    """A figure with one titled panel per scenario, lever point and indicator of ``indices``.

    Returns
    -------
    tuple
        The figure, ``(axes, rows of indices)`` for each panel, and the font family for text.
    """
    from model.report.fonts import use_cjk_font

    family = use_cjk_font()
    panels = [g for _, g in indices.groupby(["scenario", "lever_point", "indicator"], sort=False)]
    if not panels:
        raise ValueError("indices is empty")
    fig, axes = _figure(len(panels), width, height)
    multi = indices[["scenario", "lever_point"]].drop_duplicates().shape[0] > 1
    reference = indices.attrs.get("reference")
    for ax, g in zip(axes, panels, strict=True):
        title = _panel_title(g.iloc[0], lang, reference, multi)
        ax.set_title(title, fontfamily=family, fontsize=10)
    return fig, list(zip(axes, panels, strict=True)), family


def plot_sobol(indices: pd.DataFrame, lang: str = "en") -> Figure:
    """Bar chart of Sobol indices: S1 and ST per parameter, with interval lines.

    Parameters
    ----------
    indices : DataFrame
        From :func:`sobol_indices`; one panel per scenario, lever point and indicator.
    lang : {"en", "zh"}

    Returns
    -------
    matplotlib.figure.Figure
    """
    height = 0.9 + 0.42 * indices["parameter"].nunique()
    fig, panels, family = _panel_figure(indices, lang, 5.6, height)
    for ax, g in panels:
        y = np.arange(len(g))
        for offset, col, color in ((-0.19, "S1", "#4c72b0"), (0.19, "ST", "#dd8452")):
            val = g[col].to_numpy(dtype=float)
            err = np.nan_to_num(g[f"{col}_conf"].to_numpy(dtype=float), nan=0.0)
            ax.barh(y + offset, val, height=0.36, color=color, label=_t(col.lower(), lang))
            ax.errorbar(val, y + offset, xerr=err, fmt="none", ecolor="black", lw=0.9, capsize=2)
        ax.set_yticks(y, g["parameter"].tolist(), fontfamily=family, fontsize=8.5)
        ax.invert_yaxis()
        ax.axvline(0.0, color="0.3", lw=0.8)
        ax.set_xlabel(_t("sobol_axis", lang), fontfamily=family)
        ax.grid(True, axis="x", lw=0.4, alpha=0.5)
        if g["ST"].isna().all():
            ax.text(
                0.5,
                0.5,
                _t("sens_constant", lang),
                transform=ax.transAxes,
                ha="center",
                va="center",
                fontfamily=family,
                fontsize=9,
                color="0.35",
            )
    handles, labels = fig.axes[0].get_legend_handles_labels()
    fig.legend(
        handles,
        labels,
        loc="outside lower center",
        ncols=2,
        frameon=False,
        prop={"family": family, "size": 8.5},
    )
    conf = 100.0 * float(indices.attrs.get("conf_level", 0.95))
    fig.suptitle(_t("sobol_title", lang, conf=conf), fontfamily=family, fontsize=9, color="0.3")
    return fig


def plot_morris(indices: pd.DataFrame, lang: str = "en") -> Figure:
    """Morris screening plot: ``mu_star`` (with interval) against ``sigma`` per parameter.

    Parameters
    ----------
    indices : DataFrame
        From :func:`morris_indices`; one panel per scenario, lever point and indicator.
    lang : {"en", "zh"}

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, panels, family = _panel_figure(indices, lang, 5.2, 4.0)
    for ax, g in panels:
        mu_star = g["mu_star"].to_numpy(dtype=float)
        sigma = g["sigma"].to_numpy(dtype=float)
        err = np.nan_to_num(g["mu_star_conf"].to_numpy(dtype=float), nan=0.0)
        ax.errorbar(mu_star, sigma, xerr=err, fmt="o", color="#4c72b0", ecolor="0.5", capsize=2)
        for x, y, name in zip(mu_star, sigma, g["parameter"], strict=True):
            ax.annotate(
                name,
                (x, y),
                textcoords="offset points",
                xytext=(4, 3),
                fontsize=7.5,
                fontfamily=family,
            )
        top = float(np.nanmax(np.concatenate([mu_star + err, sigma]))) if len(g) else 1.0
        top = top if np.isfinite(top) and top > 0 else 1.0
        ax.plot([0, top], [0, top], ls=":", color="0.6", lw=0.8)  # sigma = mu*: non-linear
        ax.set_xlim(left=0)
        ax.set_ylim(bottom=0)
        ax.set_xlabel(_t("mu_star", lang), fontfamily=family)
        ax.set_ylabel(_t("sigma", lang), fontfamily=family)
        ax.grid(True, lw=0.4, alpha=0.5)
    fig.suptitle(_t("morris_title", lang), fontfamily=family, fontsize=9, color="0.3")
    return fig


def analyse_results(
    results: ExperimentResults, out_dir: str | os.PathLike | None = None
) -> list[Path]:
    """Run the experiment's ``[analysis]``: indices table (CSV and Parquet) and figures.

    Writes ``sensitivity_{design}.csv``/``.parquet`` and
    ``figures/sensitivity_{design}_{lang}.png`` under ``out_dir`` (default: the result
    folder), all atomically.

    Returns
    -------
    list of Path
        The files written.
    """
    from model.report.plots import save_figure
    from model.runs.results import atomic_write_bytes, write_parquet_atomic

    exp = results.experiment
    if exp.analysis is None:
        raise ExperimentError(f"{results.out}: the experiment declares no [analysis]")
    out = Path(out_dir) if out_dir is not None else results.out
    step = exp.analysis.step
    if exp.design == "sobol":
        indices = sobol_indices(results, exp.analysis.indicators, step=step)
        plot = plot_sobol
    else:
        indices = morris_indices(results, exp.analysis.indicators, step=step)
        plot = plot_morris
    written = [
        write_parquet_atomic(indices, out / f"sensitivity_{exp.design}.parquet"),
        atomic_write_bytes(
            out / f"sensitivity_{exp.design}.csv",
            indices.to_csv(index=False, float_format="%.6g").encode("utf-8"),
        ),
    ]
    for lang in exp.analysis.lang:
        fig = plot(indices, lang=lang)
        written.append(save_figure(fig, out / "figures" / f"sensitivity_{exp.design}_{lang}.png"))
    return written
