from __future__ import annotations

import re
import warnings
from pathlib import Path
from types import SimpleNamespace

import matplotlib as mpl
import numpy as np
import pandas as pd
import pytest
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.image import AxesImage
from matplotlib.text import Text

from model.report.fonts import cjk_font_path, missing_glyphs, use_cjk_font
from model.report.plots import (
    TEXTS,
    plot_county_map,
    plot_effects,
    plot_fiscal_cost,
    plot_trajectories,
    save_figure,
    text,
)
from model.sim.indicators import INDICATORS
from model.sim.sectors import SECTORS

CJK = re.compile(r"[\u4e00-\u9fff]")
INDS = ["rd_spending_mcny", "high_tech_enterprises", "invention_patent_grants"]
SCENARIOS = ["baseline", "subsidy", "platform"]
LABELS_ZH = {"baseline": "基准情景", "subsidy": "研发补贴", "platform": "创新平台"}


@pytest.fixture(autouse=True)
def _restore_rc():
    with mpl.rc_context():
        yield


def _results() -> pd.DataFrame:
    rng = np.random.default_rng(42)
    rows = []
    for s_i, scen in enumerate(SCENARIOS):
        for seed in range(5):
            for step in range(9):
                for cid, county in ((-1, "region"), (0, "jiashan"), (1, "deqing")):
                    for i_i, ind in enumerate(INDS):
                        value = 10.0 * (i_i + 1) + step * (1 + s_i) + rng.normal(0, 2)
                        rows.append((f"{scen}-{seed}", scen, seed, step, cid, county, ind, value))
    df = pd.DataFrame(
        rows,
        columns=["run_id", "scenario", "seed", "step", "county_id", "county", "indicator", "value"],
    )
    return df.astype({"seed": "int64", "step": "int64", "county_id": "int64", "value": "float64"})


def _region() -> SimpleNamespace:
    county_of_cell = np.array([[0, 0, 1, -1], [0, 2, 1, 1], [-1, 2, 2, 1]], dtype=np.int16)
    hub_of_cell = np.full((3, 4), -1, dtype=np.int16)
    hub_of_cell[0, 3] = 0
    counties = (
        SimpleNamespace(id=0, name_en="Jiashan", name_zh="嘉善县"),
        SimpleNamespace(id=1, name_en="Deqing", name_zh="德清县"),
        SimpleNamespace(id=2, name_en="Changxing", name_zh="长兴县"),
    )
    hubs = (SimpleNamespace(id=0, name_en="Hangzhou", name_zh="杭州"),)
    return SimpleNamespace(
        county_of_cell=county_of_cell,
        hub_of_cell=hub_of_cell,
        counties=counties,
        hubs=hubs,
        cell_km=2.5,
        n_counties=3,
    )


def _effects() -> pd.DataFrame:
    rows = []
    for i, scen in enumerate(["subsidy", "platform"]):
        for j, ind in enumerate(INDS):
            mean = (i + 1) * (j - 1) * 2.0
            rows.append((scen, ind, mean, mean - 1.5, mean + 2.0))
    return pd.DataFrame(rows, columns=["scenario", "indicator", "mean", "lo", "hi"])


def _costs() -> pd.DataFrame:
    rows = []
    for i, scen in enumerate(SCENARIOS):
        for step in range(1, 9):
            rows.append((scen, step, "county", i * 1.0 + 0.1 * step))
            rows.append((scen, step, "province", i * 2.0 + 0.2 * step))
    return pd.DataFrame(rows, columns=["scenario", "step", "payer", "cost_mcny"])


def _uses_cjk_font(t: Text) -> bool:
    found = font_manager.findfont(t.get_fontproperties(), fallback_to_default=False)
    return Path(found).resolve() == cjk_font_path()


def _check_zh_texts(texts: list[Text]) -> None:
    texts = [t for t in texts if t.get_text()]
    assert texts
    assert all(CJK.search(t.get_text()) for t in texts), [t.get_text() for t in texts]
    for t in texts:
        assert _uses_cjk_font(t), t.get_text()
        assert not missing_glyphs(t.get_text())


# -- fonts ---------------------------------------------------------------------------------


def test_cjk_font_path_and_family():
    path = cjk_font_path()
    assert path.name == "NotoSansCJKsc-Regular.otf" and path.is_file()
    assert use_cjk_font() == "Noto Sans CJK SC"
    assert use_cjk_font() == "Noto Sans CJK SC"  # idempotent
    assert mpl.rcParams["font.sans-serif"][0] == "Noto Sans CJK SC"
    assert mpl.rcParams["font.sans-serif"].count("Noto Sans CJK SC") == 1
    assert mpl.rcParams["axes.unicode_minus"] is False
    default = font_manager.findfont(font_manager.FontProperties(), fallback_to_default=False)
    assert Path(default).resolve() == path


def test_zh_labels_have_all_glyphs():
    strings = []
    for ind in INDICATORS:
        strings += [ind.label_zh, ind.unit_zh, ind.label_en, ind.unit_en]
    strings += [s.name_zh for s in SECTORS]
    # templates unformatted: every glyph a text can show is in its template
    strings += [TEXTS[k]["zh"] for k in TEXTS]
    strings += [TEXTS[k]["en"] for k in TEXTS]
    strings += [text("band", "zh", lo=5, hi=95)]
    for s in strings:
        assert missing_glyphs(s) == set(), s


def test_missing_glyphs_can_fail():
    assert missing_glyphs("研发\ue000经费") == {"\ue000"}
    assert missing_glyphs("a\nb") == set()  # control characters are not glyphs
    dejavu = font_manager.findfont(font_manager.FontProperties(family="DejaVu Sans"))
    assert missing_glyphs("R&D 研发", font_path=dejavu) == {"研", "发"}


# -- trajectories --------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_trajectories_axes_and_language(lang):
    labels = LABELS_ZH if lang == "zh" else None
    fig = plot_trajectories(_results(), INDS, lang=lang, scenario_labels=labels)
    assert isinstance(fig, Figure)
    assert len(fig.axes) == len(INDS)
    if lang == "zh":
        texts = []
        for ax in fig.axes:
            texts += [ax.title, ax.xaxis.label, ax.yaxis.label]
        legend = fig.legends[0]
        texts += list(legend.get_texts()) + [legend.get_title()]
        _check_zh_texts(texts)
        assert {t.get_text() for t in legend.get_texts()} == set(LABELS_ZH.values())
        assert fig.axes[0].get_title() == "研发经费支出"
        assert fig.axes[0].get_xlabel() == "年份"
        assert fig.axes[0].get_ylabel() == "百万元/季"
    else:
        assert fig.axes[0].get_title() == "Total R&D spending"
        assert fig.axes[0].get_xlabel() == "Year"


def test_trajectories_median_and_band_match_pandas():
    df = _results()
    fig = plot_trajectories(
        df, INDS, county_id=0, scenarios=["subsidy", "baseline"], band=(0.1, 0.9)
    )
    ax = fig.axes[1]  # high_tech_enterprises
    lines = {ln.get_label(): ln for ln in ax.get_lines()}
    assert set(lines) == {"subsidy", "baseline"}
    sub = df[
        (df.scenario == "subsidy") & (df.county_id == 0) & (df.indicator == "high_tech_enterprises")
    ]
    expected = sub.groupby("step")["value"].median()
    line = lines["subsidy"]
    np.testing.assert_allclose(line.get_xdata(), 2018 + expected.index.to_numpy() / 4.0)
    np.testing.assert_allclose(line.get_ydata(), expected.to_numpy())
    # band: the polygon vertices contain the quantiles across seeds
    lo = sub.groupby("step")["value"].quantile(0.1).to_numpy()
    hi = sub.groupby("step")["value"].quantile(0.9).to_numpy()
    poly = ax.collections[0]  # first scenario drawn: subsidy
    verts = poly.get_paths()[0].vertices[:, 1]
    for v in np.concatenate([lo, hi]):
        assert np.isclose(verts, v).any()


def test_trajectories_single_indicator_and_errors():
    fig = plot_trajectories(_results(), "invention_patent_grants", band=None)
    assert len(fig.axes) == 1
    assert len(fig.axes[0].get_lines()) == len(SCENARIOS)
    assert not fig.axes[0].collections
    with pytest.raises(KeyError, match="unknown indicator"):
        plot_trajectories(_results(), ["nope"])
    with pytest.raises(ValueError, match="lang"):
        plot_trajectories(_results(), INDS, lang="fr")


# -- county map ----------------------------------------------------------------------------


@pytest.mark.parametrize("as_mapping", [True, False])
def test_county_map_image_equals_county_values(as_mapping):
    region = _region()
    vals = np.array([1.5, -2.0, 4.25])
    values = dict(enumerate(vals)) if as_mapping else vals
    fig = plot_county_map(region, values, title="R&D", unit="%")
    assert len(fig.axes) == 2  # map + colour bar
    ax = fig.axes[0]
    image = next(im for im in ax.get_images() if im.get_gid() == "county_values")
    assert isinstance(image, AxesImage) and image is ax.get_images()[0]
    assert image.origin == "upper"
    arr = np.ma.masked_invalid(image.get_array())
    ids = region.county_of_cell
    assert arr.shape == ids.shape
    np.testing.assert_array_equal(np.ma.getmaskarray(arr), ids < 0)
    np.testing.assert_allclose(arr.data[ids >= 0], vals[ids[ids >= 0]])
    names = {t.get_text() for t in ax.texts}
    assert {"Jiashan", "Deqing", "Changxing", "Hangzhou"} <= names
    # county name at the centroid of its cells (x east, y north, km)
    jiashan = next(t for t in ax.texts if t.get_text() == "Jiashan")
    rows, cols = np.nonzero(ids == 0)
    expected = ((cols.mean() + 0.5) * 2.5, (3 - rows.mean() - 0.5) * 2.5)
    np.testing.assert_allclose(jiashan.get_position(), expected)
    hub_img = next(im for im in ax.get_images() if im.get_gid() == "hubs")
    alpha = np.asarray(hub_img.get_array())[..., 3]
    np.testing.assert_array_equal(alpha > 0, region.hub_of_cell >= 0)


def test_county_map_zh_and_diverging():
    region = _region()
    fig = plot_county_map(
        region, {0: -3.0, 1: 1.0, 2: 0.5}, title="研发经费变化", lang="zh", diverging=True, unit="%"
    )
    ax, cax = fig.axes
    names = {t.get_text() for t in ax.texts}
    assert {"嘉善县", "德清县", "长兴县", "杭州"} <= names
    _check_zh_texts([fig._suptitle] + [t for t in ax.texts if CJK.search(t.get_text())])
    norm = ax.get_images()[0].norm
    assert norm.vmin == -3.0 and norm.vmax == 3.0  # centred on 0


def test_county_map_partial_mapping_and_bad_length():
    region = _region()
    fig = plot_county_map(region, {1: 2.0}, title="x")
    arr = np.ma.masked_invalid(fig.axes[0].get_images()[0].get_array())
    assert np.ma.getmaskarray(arr)[region.county_of_cell == 0].all()
    assert (arr[region.county_of_cell == 1] == 2.0).all()
    with pytest.raises(ValueError, match="length"):
        plot_county_map(region, [1.0, 2.0], title="x")


# -- effects and fiscal cost ---------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_effects(lang):
    eff = _effects()
    labels = LABELS_ZH if lang == "zh" else None
    fig = plot_effects(eff, lang=lang, scenario_labels=labels)
    assert isinstance(fig, Figure)
    assert len(fig.axes) == len(INDS)
    for ax, ind in zip(fig.axes, INDS, strict=True):
        # bars top to bottom from the largest mean to the smallest
        sub = eff[eff.indicator == ind].sort_values("mean", ascending=False)
        order = sorted(ax.patches, key=lambda p: p.get_y())
        np.testing.assert_allclose([p.get_width() for p in order], sub["mean"].to_numpy())
        ticks = [t.get_text() for t in ax.get_yticklabels()]
        names = [labels[s] if labels else s for s in sub["scenario"]]
        assert ticks == names
    ax = fig.axes[2]  # platform has the larger effect here, so it comes first
    assert [t.get_text() for t in ax.get_yticklabels()][0] == ("创新平台" if labels else "platform")
    if lang == "zh":
        texts = [fig._suptitle] + list(ax.get_yticklabels())
        for a in fig.axes:
            texts += [a.title, a.xaxis.label]
        _check_zh_texts(texts)
    else:
        assert ax.get_xlabel() == "Change vs baseline (%)"


def test_effects_colours_never_repeat_within_a_figure():
    eff = pd.DataFrame(
        [(f"s{i:02d}", "high_tech_enterprises", float(i), i - 1.0, i + 1.0) for i in range(14)],
        columns=["scenario", "indicator", "mean", "lo", "hi"],
    )
    fig = plot_effects(eff)
    colours = {tuple(np.round(p.get_facecolor()[:3], 4)) for p in fig.axes[0].patches}
    assert len(colours) == 14


def test_effects_refuse_repeated_columns_with_a_clear_message():
    eff = _effects()
    doubled = pd.concat([eff, eff[["lo", "hi"]]], axis=1)
    with pytest.raises(ValueError, match="repeated columns \\['hi', 'lo'\\]"):
        plot_effects(doubled)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_fiscal_cost(lang):
    costs = _costs()
    # a one-off spike in the first paid quarter of "platform", county side
    spike = (costs.scenario == "platform") & (costs.payer == "county") & (costs.step == 1)
    costs.loc[spike, "cost_mcny"] += 50.0
    fig = plot_fiscal_cost(costs, lang=lang, scenario_labels=LABELS_ZH if lang == "zh" else None)
    assert len(fig.axes) == 3
    bar_ax, county_ax, prov_ax = fig.axes
    assert all(ln.get_linestyle() == "-" for ln in county_ax.get_lines())
    assert all(ln.get_linestyle() == "--" for ln in prov_ax.get_lines())
    line = prov_ax.get_lines()[1]
    sub = costs[(costs.scenario == "subsidy") & (costs.payer == "province")]
    np.testing.assert_allclose(line.get_xdata(), 2018 + sub.step / 4.0)
    # a rising series has no one-off part: recurring is the whole cost
    np.testing.assert_allclose(line.get_ydata(), sub.cost_mcny)
    # the first paid quarter's excess over the next one is one-off, the rest recurring
    plat = county_ax.get_lines()[2]
    assert plat.get_ydata()[0] == pytest.approx(2.2)  # 52.1 with the spike -> next quarter's 2.2
    np.testing.assert_allclose(plat.get_ydata()[1:], 2.0 + 0.1 * np.arange(2, 9))
    # the bars: whole-run totals, largest on top, and they add up to the whole cost
    total = costs.groupby("scenario")["cost_mcny"].sum()
    ticks = [t.get_text() for t in bar_ax.get_yticklabels()]
    first = "创新平台" if lang == "zh" else "platform"
    assert ticks[0] == first
    widths = sum(p.get_width() for p in bar_ax.patches if abs(p.get_y() + 0.31) < 1e-6)
    assert widths == pytest.approx(total["platform"])
    if lang == "zh":
        texts = [fig._suptitle, county_ax.yaxis.label] + list(fig.legends[0].get_texts())
        for a in fig.axes:
            texts += [a.title, a.xaxis.label]
        _check_zh_texts(texts)
    with pytest.raises(ValueError, match="one row per"):
        plot_fiscal_cost(pd.concat([costs, costs.iloc[:1]]))


def test_county_map_shared_scale_and_hatched_uncertain_counties():
    region = _region()
    frame = pd.DataFrame(
        {"mean": [2.0, -1.0, 0.5], "lo": [1.0, -2.0, -0.5], "hi": [3.0, -0.2, 1.5]},
        index=pd.Index([0, 1, 2], name="county_id"),
    )
    fig = plot_county_map(region, frame, title="t", diverging=True, unit="firms", vmax=40.0)
    ax = fig.axes[0]
    norm = ax.get_images()[0].norm
    assert (norm.vmin, norm.vmax) == (-40.0, 40.0)
    hatch = next(im for im in ax.get_images() if im.get_gid() == "uncertain")
    alpha = np.asarray(hatch.get_array())[..., 3]
    per_cell = alpha.shape[0] // region.county_of_cell.shape[0]
    covered = alpha.reshape(3, per_cell, 4, per_cell).max(axis=(1, 3)) > 0
    np.testing.assert_array_equal(covered, region.county_of_cell == 2)  # only 2 spans zero
    assert fig.axes[1].get_ylabel() == "firms"
    assert fig.legends  # the hatching is explained


# -- saving --------------------------------------------------------------------------------


def test_save_figure_atomic_png(tmp_path):
    fig = plot_fiscal_cost(_costs(), lang="zh")
    out = save_figure(fig, tmp_path / "sub" / "fiscal.png")
    assert out == tmp_path / "sub" / "fiscal.png"
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert sorted(p.name for p in out.parent.iterdir()) == ["fiscal.png", "fiscal.svg"]
    assert b"<svg" in out.with_suffix(".svg").read_bytes()[:400]
    # overwriting works and still leaves no temporary file
    save_figure(plot_county_map(_region(), [1.0, 2.0, 3.0], title="t"), out)
    assert sorted(p.name for p in out.parent.iterdir()) == ["fiscal.png", "fiscal.svg"]


def test_zh_figures_render_without_missing_glyphs(tmp_path):
    figs = [
        plot_trajectories(_results(), INDS, lang="zh", scenario_labels=LABELS_ZH),
        plot_county_map(
            _region(), [1.0, -2.0, 3.0], title="研发经费", lang="zh", diverging=True, unit="%"
        ),
        plot_effects(_effects(), lang="zh", scenario_labels=LABELS_ZH),
        plot_fiscal_cost(_costs(), lang="zh", scenario_labels=LABELS_ZH),
    ]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for i, fig in enumerate(figs):
            save_figure(fig, tmp_path / f"{i}.png")
    assert not [w for w in caught if "missing from font" in str(w.message)]


def test_save_figure_failure_leaves_no_temp(tmp_path):
    fig = Figure()

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    fig.savefig = boom
    with pytest.raises(RuntimeError):
        save_figure(fig, tmp_path / "x.png")
    assert list(tmp_path.iterdir()) == []
