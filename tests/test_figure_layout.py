"""Every figure of the comparison report fits its canvas, in both languages.

The figures are drawn by :func:`model.report.compare_report.build_figures` from a small
synthetic comparison of every built-in scenario (their long names are the hard case), on the
real region; a text artist whose window extent leaves the canvas would be cut off in the
saved image. Chinese figures must name scenarios by their Chinese names, never by keys.
"""

from __future__ import annotations

import re

import matplotlib as mpl
import numpy as np
import pandas as pd
import pytest
from matplotlib.text import Text

from model.experiments.compare import (
    HEADLINE,
    cost_effectiveness,
    county_effects,
    fiscal_summary,
    horizon_values,
    paired_effects,
)
from model.params.scenarios import list_scenarios, load_scenario
from model.report.compare_report import ReportInputs, build_figures, policy_cost_series
from model.sim.indicators import INDICATOR_NAMES

SEEDS = (1, 2)
STEPS = range(0, 9)
COUNTIES = range(-1, 12)
TOLERANCE_PX = 1.0


def _results(scenarios: list[str]) -> pd.DataFrame:
    """Tidy results: random positive values, a policy cost with a one-off spike at step 4."""
    rng = np.random.default_rng(7)
    n = len(scenarios) * len(SEEDS) * len(STEPS) * len(COUNTIES) * len(INDICATOR_NAMES)
    index = pd.MultiIndex.from_product(
        [scenarios, SEEDS, STEPS, COUNTIES, INDICATOR_NAMES],
        names=["scenario", "seed", "step", "county_id", "indicator"],
    )
    df = index.to_frame(index=False)
    scen_i = df["scenario"].map({s: i for i, s in enumerate(scenarios)}).to_numpy()
    value = 50.0 + 5.0 * scen_i + df["step"].to_numpy() + rng.normal(0.0, 3.0, n)
    cost = df["indicator"].str.endswith("policy_cost_mcny").to_numpy()
    value[cost] = np.where(df["step"].to_numpy()[cost] == 4, 400.0 * scen_i[cost], scen_i[cost])
    value[df["indicator"].to_numpy() == "rd_intensity"] /= 2000.0
    df["value"] = value
    df["county"] = "x"
    return df


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> ReportInputs:
    names = ["baseline"] + [n for n in list_scenarios() if n != "baseline"]
    scenarios = {n: load_scenario(n) for n in names}
    df = _results(names)
    effects = paired_effects(horizon_values(df))
    fiscal = fiscal_summary(df)
    return ReportInputs(
        out=tmp_path_factory.mktemp("report"),
        region="jiaxing-huzhou",
        scenarios=scenarios,
        headline_rows=df[(df["county_id"] == -1) & df["indicator"].isin(list(HEADLINE[:6]))],
        effects=effects,
        fiscal=fiscal,
        cost_effectiveness=cost_effectiveness(effects, fiscal, df),
        policy_costs=policy_cost_series(df),
        county_hte=county_effects(df, "high_tech_enterprises"),
        n_seeds=len(SEEDS),
        steps=max(STEPS),
        command="innovsim compare",
    )


def _texts_outside_canvas(fig) -> list[str]:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    width, height = fig.bbox.width, fig.bbox.height
    # tick labels exist for ticks outside the view and on hidden axes, but only those the
    # axis draws count (matplotlib's own tight bounding box asks the axis the same way)
    all_ticks, drawn_ticks = set(), set()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                all_ticks |= {id(tick.label1), id(tick.label2)}
            if ax.axison and axis.get_visible():
                for tick in axis._update_ticks():
                    drawn_ticks |= {
                        id(lab) for lab in (tick.label1, tick.label2) if lab.get_visible()
                    }
    bad = []
    for artist in fig.findobj(Text):
        if not artist.get_visible() or not artist.get_text().strip():
            continue
        if id(artist) in all_ticks and id(artist) not in drawn_ticks:
            continue
        if (
            artist.axes is not None
            and not artist.axes.axison
            and artist
            in (
                artist.axes.xaxis.label,
                artist.axes.yaxis.label,
            )
        ):
            continue
        box = artist.get_window_extent(renderer)
        if (
            box.x0 < -TOLERANCE_PX
            or box.y0 < -TOLERANCE_PX
            or box.x1 > width + TOLERANCE_PX
            or box.y1 > height + TOLERANCE_PX
        ):
            bad.append(f"{artist.get_text()!r} at {box.extents.round(1)} (canvas {width}x{height})")
    return bad


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_report_figure_keeps_all_text_on_its_canvas(inputs, lang):
    with mpl.rc_context():
        figures = build_figures(inputs, lang)
        assert len(figures) == 3 + len(inputs.county_hte)
        problems = {f.name: _texts_outside_canvas(f.figure) for f in figures}
    assert {k: v for k, v in problems.items() if v} == {}


def test_chinese_figures_name_scenarios_in_chinese(inputs):
    keys = re.compile(r"\b(" + "|".join(map(re.escape, inputs.scenarios)) + r")\b")
    with mpl.rc_context():
        figures = build_figures(inputs, "zh")
        found = {
            f.name: [t.get_text() for t in f.figure.findobj(Text) if keys.search(t.get_text())]
            for f in figures
        }
        legend_texts = [
            t.get_text() for f in figures for leg in f.figure.legends for t in leg.get_texts()
        ]
    assert {k: v for k, v in found.items() if v} == {}
    names_zh = {s.name_zh.replace("\n", "") for s in inputs.scenarios.values()}
    assert {t.replace("\n", "") for t in legend_texts} & names_zh  # legends do use name_zh


def test_layout_check_catches_a_cut_title():
    """The check itself can fail: a title wider than its figure is reported."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(2.0, 2.0))
    fig.add_subplot().set_title("a title far too long to fit on a two-inch wide figure")
    assert _texts_outside_canvas(fig)
