"""The explorer page (Solara): levers, a live run beside the baseline, finished result folders.

Three tabs: a live run of a scenario with the page's levers beside the baseline over one seed
or several (median and 90% band), with a county map that answers a click; a finished
``innovsim compare`` folder; a finished ``innovsim sweep`` folder drawn as a response surface.

Every callback catches what a reader can get wrong (:class:`~model.params.reader.InputError`:
a lever out of range, a broken folder) and shows its one-line message; anything else is logged
on the server and shown as one line too, so the page never shows a traceback and the server
stays up. The model steps in a Solara task (a thread), so the page answers while it runs; the
figures are redrawn every simulated year — at most every :data:`REDRAW_MIN_S` seconds, since a
redraw (about 0.6 s on the default region) costs more than a year of the model there — and
when the run ends; the progress bar moves every quarter.

Run it with ``innovsim explore`` (:func:`model.explore.server.serve`).
"""

from __future__ import annotations

import html
import logging
import os
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import solara
import solara.lab

from model.cli_checks import MAX_SEED
from model.experiments.compare import HEADLINE
from model.explore import figures
from model.explore.folder import CompareFolder, load_compare_folder
from model.explore.levers import lever_control, lever_overrides, parse_lever, scenario_levers
from model.explore.live import BASELINE, LIVE, MAX_LIVE_SEEDS, LiveRun, run_quarters
from model.explore.map_click import MapPicture, county_at, render_map
from model.explore.sweep import SweepFolder, load_sweep_folder, response_table
from model.explore.texts import t
from model.params.reader import InputError
from model.params.scenarios import list_scenarios, load_scenario
from model.params.table import PARAMETER_NAMES
from model.sim.indicators import INDICATOR_INDEX, INDICATOR_NAMES, label

log = logging.getLogger("innovsim.explore")

#: Region of the live runs (:func:`model.explore.server.serve` sets the variable).
REGION = os.environ.get("INNOVSIM_EXPLORE_REGION", "jiaxing-huzhou")
#: Trajectory panels: the report's first six headline indicators.
PANELS = list(HEADLINE[:6])
#: Quarters between redraws of the map and the trajectories during a run (one year).
REDRAW_EVERY_Q = 4
#: Least time between two redraws during a run, seconds.
REDRAW_MIN_S = 2.0

lang = solara.reactive("en")
scenario_name = solara.reactive("tax_rebate")
lever_text: solara.Reactive[dict[str, str]] = solara.reactive({})
extra_levers: solara.Reactive[tuple[str, ...]] = solara.reactive(())
seed = solara.reactive(1)
n_seeds = solara.reactive(1)
quarters = solara.reactive(8)
live_run: solara.Reactive[LiveRun | None] = solara.reactive(None)
shown_quarter = solara.reactive(-1)
progress = solara.reactive((0, 0))
stop_requested = solara.reactive(False)
last_run_s = solara.reactive(0.0)
message = solara.reactive("")
map_indicator = solara.reactive("high_tech_enterprises")
county_id = solara.reactive(-1)
folder_path = solara.reactive("")
folder: solara.Reactive[CompareFolder | None] = solara.reactive(None)
folder_message = solara.reactive("")
folder_scenario = solara.reactive("")
sweep_path = solara.reactive("")
sweep: solara.Reactive[SweepFolder | None] = solara.reactive(None)
sweep_message = solara.reactive("")
sweep_outcome = solara.reactive("")
sweep_scenario = solara.reactive("")
sweep_x = solara.reactive("")
sweep_y = solara.reactive("")


def format_value(value: float) -> str:
    """A number as the page shows it: whole above 1000 (thousands separated), else 4 digits."""
    if value != value:
        return "–"
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"


def _markdown(text: str) -> None:
    """Markdown of the project's own texts, as HTML (solara.Markdown fetches KaTeX online)."""
    import markdown

    solara.HTML(tag="div", unsafe_innerHTML=markdown.markdown(html.escape(text, quote=False)))


def _internal(err: Exception) -> str:
    log.exception("explorer: unexpected error")
    return t("internal", lang.value, err=f"{type(err).__name__}: {err}")


@solara.lab.task
def run_live(n_quarters: int, new_run: bool) -> None:
    """Build the run (if ``new_run``) and advance it ``n_quarters`` quarters, in a thread."""
    try:
        start = time.perf_counter()
        if new_run:
            scenario = load_scenario(scenario_name.value)
            overrides = lever_overrides(scenario, lever_text.value)
            live_run.value = LiveRun(overrides, seed.value, REGION, n_seeds=n_seeds.value)
            shown_quarter.value = 0
        live = live_run.value
        if live is None:
            return
        progress.value = (0, n_quarters)
        last_redraw = [time.perf_counter()]

        def on_quarter(done: int) -> None:
            progress.value = (done, n_quarters)
            if done % REDRAW_EVERY_Q == 0 and time.perf_counter() - last_redraw[0] >= REDRAW_MIN_S:
                shown_quarter.value = live.quarter
                last_redraw[0] = time.perf_counter()

        run_quarters(live, n_quarters, on_quarter, stop=lambda: stop_requested.value)
        shown_quarter.value = live.quarter
        last_run_s.value = time.perf_counter() - start
    except InputError as err:
        message.value = str(err)
    except Exception as err:  # a bug: one line on the page, the traceback in the server log
        message.value = _internal(err)


def _start(new_run: bool) -> None:
    message.value = ""
    stop_requested.value = False
    if new_run:
        if not 1 <= n_seeds.value <= MAX_LIVE_SEEDS:
            message.value = t("seeds_range", lang.value, n=n_seeds.value, most=MAX_LIVE_SEEDS)
            return
        if not 0 <= seed.value <= MAX_SEED:
            message.value = t("seed_range", lang.value, n=seed.value, most=MAX_SEED)
            return
        try:  # refuse bad levers here, before the thread starts
            lever_overrides(load_scenario(scenario_name.value), lever_text.value)
        except InputError as err:
            message.value = str(err)
            return
    run_live(quarters.value, new_run)


def _set_scenario(name: str) -> None:
    scenario_name.value = name
    lever_text.value = {}
    extra_levers.value = ()


def _safe_build(build: Callable[[], Any]) -> tuple[Any, str]:
    try:
        return build(), ""
    except Exception as err:  # a figure that fails is one line on the page, not a traceback
        return None, _internal(err)


@solara.component
def Plot(
    build: Callable[[], Any],
    dependencies: list[Any],
    css_class: str,
    note: Callable[[Any], str] | None = None,
) -> None:
    """A matplotlib figure from ``build()``, redrawn only when ``dependencies`` change.

    ``note(fig)``, if given, is HTML shown under the figure (drawn from the figure itself).
    """
    fig, error = solara.use_memo(lambda: _safe_build(build), dependencies=dependencies)
    if error:
        solara.Error(error)
        return
    with solara.Column(classes=[css_class]):
        solara.FigureMatplotlib(fig, format="png")
        if note is not None:
            solara.HTML(tag="div", unsafe_innerHTML=note(fig))


@solara.component_vue("map_image.vue")
def MapImage(src: str, alt: str, event_click: Callable[[dict], None]) -> None:
    """The map picture; a click calls ``event_click({"x": .., "y": ..})`` (fractions)."""


@solara.component
def Lever(name: str) -> None:
    """One lever: its value, its range and unit, what it does and its source."""
    scenario = load_scenario(scenario_name.value)
    control = lever_control(name, scenario)
    language = lang.value
    raw = lever_text.value.get(name)

    def set_raw(value) -> None:
        lever_text.value = {**lever_text.value, name: value}

    error: str | bool = False
    if raw is not None:
        try:
            parse_lever(name, raw)
        except InputError as err:
            error = str(err)
    with solara.Card(margin=1, classes=["explore-lever", f"lever-{name}"]):
        if control.kind == "bool":
            current = raw if isinstance(raw, bool) else bool(control.value)
            solara.Checkbox(label=name, value=current, on_value=set_raw)
        else:
            solara.InputText(
                f"{name}  {control.range_text()}",
                value=str(control.value) if raw is None else str(raw),
                on_value=set_raw,
                error=error,
                classes=[f"input-{name}"],
            )
        _markdown(
            f"{control.doc}  \n*{t('default', language)}: {control.default} · "
            f"{t('source', language)}: {control.source}*"
        )


def _cell(value: float, **data: Any) -> str:
    """A table cell of a number with its exact value and what it is in ``data-*`` attributes."""
    attrs = " ".join(f'data-{k.replace("_", "-")}="{html.escape(str(v))}"' for k, v in data.items())
    return f'<td class="num" {attrs} data-value="{value!r}">{format_value(value)}</td>'


def _values_table(live: LiveRun, county: int | None, names: list[str], language: str) -> str:
    """HTML table of ``names``: with levers and baseline at the latest quarter.

    With several seeds each value is the median over the seeds. Every value cell carries
    ``data-indicator``, ``data-run`` and the exact ``data-value``.
    """
    values = {}
    for which in (LIVE, BASELINE):
        if county is None:
            values[which] = np.median(live.region_values(which), axis=0)
        else:
            values[which] = np.median(live.histories(which)[:, -1, county, :], axis=0)
    rows = []
    for name in names:
        i = INDICATOR_INDEX[name]
        cells = "".join(
            _cell(float(values[which][i]), run=which, indicator=name) for which in (LIVE, BASELINE)
        )
        rows.append(f"<tr><td>{html.escape(label(name, language))}</td>{cells}</tr>")
    median = f" ({t('median', language)})" if live.n_seeds > 1 else ""
    head = (
        f"<tr><th>{t('indicator', language)}</th><th>{t('with_levers', language)}{median}</th>"
        f"<th>{t('baseline', language)}{median}</th></tr>"
    )
    return f'<table class="explore-values">{head}{"".join(rows)}</table>'


def _per_seed_table(live: LiveRun, names: list[str], language: str) -> str:
    """HTML table: region-wide ``names`` of every seed's two runs at the latest quarter.

    Each value cell carries ``data-seed`` (the seed itself), ``data-run``, ``data-indicator``
    and the exact ``data-value``.
    """
    head = "".join(f"<th>{html.escape(label(n, language))}</th>" for n in names)
    rows = []
    for which, run_label in (
        (LIVE, t("with_levers", language)),
        (BASELINE, t("baseline", language)),
    ):
        values = live.region_values(which)
        for i, s in enumerate(live.seeds):
            cells = "".join(
                _cell(float(values[i, INDICATOR_INDEX[n]]), seed=s, run=which, indicator=n)
                for n in names
            )
            rows.append(f"<tr><td>{s}</td><td>{html.escape(run_label)}</td>{cells}</tr>")
    return (
        f'<table class="explore-per-seed"><tr><th>{t("seed", language)}</th>'
        f"<th>{t('run', language)}</th>{head}</tr>{''.join(rows)}</table>"
    )


def _fiscal_text(live: LiveRun, language: str) -> str:
    """The fiscal line: each amount (the median over seeds, with the 90% range if several)."""
    every = live.fiscal_all()
    parts = []
    for key, attr in (
        ("policy_cost", "policy_cost_mcny"),
        ("extra_cost", "extra_cost_mcny"),
        ("net_cost", "net_cost_mcny"),
    ):
        values = np.array([getattr(f, attr) for f in every])
        text = f"{t(key, language)} {format_value(float(np.median(values)))}"
        if len(values) > 1:
            lo, hi = np.quantile(values, [0.05, 0.95])
            text += " (" + t("range_90", language, lo=format_value(lo), hi=format_value(hi)) + ")"
        parts.append(text)
    return f"**{t('fiscal', language)}**: " + " · ".join(parts)


def _band_note(live: LiveRun, language: str) -> Callable[[Any], str]:
    """The note under the trajectories: the bands drawn in the figure, counted in it."""

    def note(fig: Any) -> str:
        from matplotlib.collections import PolyCollection

        bands = sum(isinstance(c, PolyCollection) for ax in fig.axes for c in ax.collections)
        text = t("band_note", language, n=live.n_seeds) if live.n_seeds > 1 else ""
        return f'<div class="explore-bands" data-bands="{bands}">{html.escape(text)}</div>'

    return note


@solara.component
def LivePanel() -> None:
    """Levers, run buttons, progress, map, trajectories, numbers and fiscal cost."""
    language = lang.value
    try:
        scenario = load_scenario(scenario_name.value)
    except InputError as err:
        solara.Error(str(err))
        return
    with solara.Columns([1, 2]):
        with solara.Column():
            solara.Select(
                t("scenario", language),
                values=list_scenarios(),
                value=scenario_name.value,
                on_value=_set_scenario,
            )
            _markdown(
                f"**{scenario.label(language)}** ({scenario.report})\n\n"
                + (scenario.description_zh if language == "zh" else scenario.description)
            )
            _markdown(f"### {t('levers', language)}")
            levers = scenario_levers(scenario, extra_levers.value)
            if not levers:
                solara.Info(t("no_levers", language))
            for control in levers:
                Lever(control.name)
            choices = [n for n in PARAMETER_NAMES if n not in {c.name for c in levers}]
            solara.Select(
                t("add_lever", language),
                values=choices,
                value=None,
                on_value=lambda n: extra_levers.set((*extra_levers.value, n)) if n else None,
            )
        with solara.Column():
            RunControls()
            LiveResults()


@solara.component
def RunControls() -> None:
    """Seed, seeds, quarters, start/continue/stop, progress and messages."""
    language = lang.value
    busy = run_live.pending
    with solara.Row():
        solara.InputInt(t("seed", language), value=seed, classes=["input-seed"])
        solara.InputInt(t("seeds", language), value=n_seeds, classes=["input-seeds"])
        solara.InputInt(t("quarters", language), value=quarters, classes=["input-quarters"])
    with solara.Row():
        solara.Button(
            t("start", language),
            on_click=lambda: _start(True),
            disabled=busy,
            color="primary",
            classes=["btn-start"],
        )
        solara.Button(
            t("continue", language),
            on_click=lambda: _start(False),
            disabled=busy or live_run.value is None,
            classes=["btn-continue"],
        )
        solara.Button(
            t("stop", language),
            on_click=lambda: stop_requested.set(True),
            disabled=not busy,
            classes=["btn-stop"],
        )
    done, total = progress.value
    if busy:
        solara.ProgressLinear(100 * done / total if total else True)
        solara.Text(t("running", language, done=done, total=total), classes=["explore-progress"])
    if message.value:
        solara.Error(message.value, classes=["explore-error"])


def _county_names(live: LiveRun, language: str) -> list[str]:
    return [c.name_zh if language == "zh" else c.name_en for c in live.region.counties]


@solara.component
def CountyMap(live: LiveRun, quarter: int, language: str) -> None:
    """The county map of the live run; a click on a county shows its numbers."""

    def build() -> tuple[MapPicture | None, str]:
        try:
            fig = figures.live_map(live, map_indicator.value, language)
            return render_map(fig), ""
        except Exception as err:  # a figure that fails is one line on the page
            return None, _internal(err)

    picture, error = solara.use_memo(
        build, dependencies=[id(live), quarter, map_indicator.value, language]
    )
    if error or picture is None:
        solara.Error(error)
        return

    def on_click(where: dict) -> None:
        try:
            county = county_at(live.region, picture, float(where["x"]), float(where["y"]))
        except (KeyError, TypeError, ValueError):  # a malformed event from the browser
            return
        if county is not None:
            county_id.value = county

    with solara.Column(classes=["explore-map"]):
        MapImage(src=picture.data_url(), alt=t("map_indicator", language), event_click=on_click)
    box = ",".join(f"{v:.6f}" for v in picture.axes_box)
    lims = ",".join(f"{v:.6f}" for v in (*picture.x_lim_km, *picture.y_lim_km))
    # where the map's axes sit in the picture: what a click is resolved with (tests read it)
    solara.HTML(
        tag="div",
        unsafe_innerHTML=(
            f'<span class="explore-map-geometry" data-axes="{box}" data-lims-km="{lims}">'
            f"{html.escape(t('click_map', language))}</span>"
        ),
    )


@solara.component
def LiveResults() -> None:
    """The map, the trajectories, the numbers and the fiscal cost of the live run."""
    language = lang.value
    live = live_run.value
    quarter = shown_quarter.value
    if live is None or quarter < 0:
        solara.Info(t("no_run", language))
        return
    status = t("quarter_now", language, q=quarter)
    if last_run_s.value and not run_live.pending:
        status += f" · {last_run_s.value:.1f} s"
    solara.Text(status, classes=["explore-quarter"])
    if live.n_seeds > 1:
        seeds_text = ", ".join(str(s) for s in live.seeds)
        solara.Text(
            t("seeds_used", language, seeds=seeds_text, n=live.n_seeds, base=live.seed),
            classes=["explore-seeds"],
        )
    solara.Select(
        t("map_indicator", language),
        values=list(INDICATOR_NAMES),
        value=map_indicator,
    )
    CountyMap(live, quarter, language)
    names = _county_names(live, language)
    chosen = county_id.value
    solara.Select(
        t("county", language),
        values=["", *names],
        value=names[chosen] if 0 <= chosen < len(names) else "",
        on_value=lambda n: county_id.set(names.index(n) if n in names else -1),
    )
    if 0 <= chosen < len(names):
        _markdown(f"**{names[chosen]}**")
        solara.HTML(
            tag="div",
            unsafe_innerHTML=_values_table(live, chosen, list(INDICATOR_NAMES), language),
            classes=["explore-county", f"county-{chosen}"],
        )
    Plot(
        lambda: figures.live_trajectories(live, PANELS, language),
        [id(live), quarter, language],
        "explore-trajectories",
        note=_band_note(live, language),
    )
    _markdown(_fiscal_text(live, language))
    solara.HTML(tag="div", unsafe_innerHTML=_values_table(live, None, list(HEADLINE), language))
    if live.n_seeds > 1:
        _markdown(f"### {t('per_seed', language)}")
        solara.HTML(tag="div", unsafe_innerHTML=_per_seed_table(live, PANELS, language))


def _load_into(loader, path, target, message):
    """Load ``path.value`` with ``loader`` into ``target``; return it, or None on failure.

    On failure ``target`` is cleared and ``message`` holds the reason: an input error as it
    is, anything else as an internal error.
    """
    message.value = ""
    try:
        loaded = loader(path.value)
    except InputError as err:
        message.value = str(err)
    except Exception as err:
        message.value = _internal(err)
    else:
        target.value = loaded
        return loaded
    target.value = None
    return None


def _load_folder() -> None:
    loaded = _load_into(load_compare_folder, folder_path, folder, folder_message)
    if loaded is None:
        return
    others = [s for s in loaded.scenarios if s != "baseline"]
    folder_scenario.value = others[0] if others else ""


def _folder_input(language, label_key, path, on_load, message, kind) -> None:
    """A folder path field, its load button and the refusal message, if any.

    ``kind`` names the CSS classes the browser test looks for: ``folder`` gives
    ``input-folder``, ``btn-load``, ``folder-error``; ``sweep`` gives ``input-sweep``,
    ``btn-load-sweep``, ``sweep-error``.
    """
    button = "btn-load" if kind == "folder" else f"btn-load-{kind}"
    with solara.Row():
        solara.InputText(
            t(label_key, language), value=path, classes=[f"input-{kind}"], style="min-width: 40em"
        )
        solara.Button(t("load", language), on_click=on_load, classes=[button])
    if message.value:
        solara.Error(message.value, classes=[f"{kind}-error"])


@solara.component
def FolderPanel() -> None:
    """Load a finished comparison folder and browse its effects, costs and figures."""
    language = lang.value
    _folder_input(language, "folder", folder_path, _load_folder, folder_message, "folder")
    loaded = folder.value
    if loaded is None:
        return
    labels = {}
    for name in loaded.scenarios:
        try:
            labels[name] = load_scenario(name).label(language)
        except InputError:  # a scenario file of the folder's run that is not here
            labels[name] = name
    others = [s for s in loaded.scenarios if s != "baseline"]
    solara.Select(t("scenario", language), values=others, value=folder_scenario)
    scenario = folder_scenario.value
    _markdown(f"### {t('effects', language)}")
    effects = loaded.effects
    solara.DataFrame(
        effects[effects["scenario"] == scenario].round(3) if scenario else effects.round(3),
        items_per_page=15,
    )
    _markdown(f"### {t('costs', language)}")
    solara.DataFrame(loaded.fiscal.round(2))
    solara.DataFrame(loaded.cost_effectiveness.round(3))
    Plot(
        lambda: figures.folder_trajectories(loaded, PANELS, labels, language),
        [id(loaded), language],
        "folder-trajectories",
    )
    if scenario:
        Plot(
            lambda: figures.folder_map(loaded, scenario, labels.get(scenario, scenario), language),
            [id(loaded), scenario, language],
            "folder-map",
        )


def _load_sweep() -> None:
    loaded = _load_into(load_sweep_folder, sweep_path, sweep, sweep_message)
    if loaded is None:
        return
    others = [s for s in loaded.scenarios if s != loaded.reference]
    sweep_scenario.value = (others or loaded.scenarios)[0]
    sweep_outcome.value = (
        "high_tech_enterprises"
        if "high_tech_enterprises" in loaded.outcomes
        else loaded.outcomes[0]
    )
    sweep_x.value = loaded.factor_names[0]
    sweep_y.value = ""


def _factors_table(loaded: SweepFolder, language: str) -> str:
    head = "".join(
        f"<th>{t(k, language)}</th>" for k in ("factor", "kind", "low", "high", "n_values")
    )
    rows = "".join(
        f'<tr data-factor="{html.escape(f.name)}"><td>{html.escape(f.name)}</td>'
        f"<td>{t(f.kind, language)}</td><td>{f.low:.4g}</td><td>{f.high:.4g}</td>"
        f"<td>{f.n_values}</td></tr>"
        for f in loaded.factors
    )
    return f'<table class="sweep-factors"><tr>{head}</tr>{rows}</table>'


def _surface(loaded: SweepFolder, outcome: str, scenario: str, factors: list[str], language: str):
    """The response surface figure (raises SweepFolderError for an unreadable run)."""
    table = response_table(loaded, outcome, scenario)
    title = t(
        "surface_title",
        language,
        outcome=label(outcome, language),
        q=loaded.steps,
        scenario=scenario,
        n=len(table),
    )
    return figures.response_surface(table, outcome, factors, title, language), len(table)


@solara.component
def SweepPanel() -> None:
    """Load a finished sweep folder; list its factors and outcomes; draw a response surface."""
    language = lang.value
    _folder_input(language, "sweep_folder", sweep_path, _load_sweep, sweep_message, "sweep")
    loaded = sweep.value
    if loaded is None:
        return
    st = loaded.status
    solara.Text(
        t(
            "sweep_status",
            language,
            name=loaded.store.experiment.name,
            done=st["done"],
            total=st["total"],
            failed=st["failed"],
            steps=loaded.steps,
        ),
        classes=["sweep-status"],
    )
    _markdown(f"### {t('factors', language)}")
    solara.HTML(tag="div", unsafe_innerHTML=_factors_table(loaded, language))
    _markdown(
        f"**{t('outcomes_kept', language)}**: "
        + ", ".join(label(n, language) for n in loaded.outcomes)
    )
    with solara.Row():
        solara.Select(
            t("outcome", language),
            values=loaded.outcomes,
            value=sweep_outcome,
            classes=["select-outcome"],
        )
        if len(loaded.scenarios) > 1:
            solara.Select(t("scenario", language), values=loaded.scenarios, value=sweep_scenario)
        solara.Select(
            t("factor", language),
            values=loaded.factor_names,
            value=sweep_x,
            classes=["select-factor"],
        )
        none = t("none", language)
        second = [n for n in loaded.factor_names if n != sweep_x.value]
        solara.Select(
            t("second_factor", language),
            values=[none, *second],
            value=sweep_y.value if sweep_y.value in second else none,
            on_value=lambda n: sweep_y.set(n if n in second else ""),
            classes=["select-second-factor"],
        )
    SweepSurface(loaded, language)


@solara.component
def SweepSurface(loaded: SweepFolder, language: str) -> None:
    """The response surface of the chosen outcome against the chosen factor(s)."""
    factors = [sweep_x.value] + ([sweep_y.value] if sweep_y.value else [])

    def build():
        try:
            return (
                *_surface(loaded, sweep_outcome.value, sweep_scenario.value, factors, language),
                "",
            )
        except InputError as err:
            return None, 0, str(err)
        except Exception as err:  # a bug: one line, the traceback in the server log
            return None, 0, _internal(err)

    fig, n_runs, error = solara.use_memo(
        build,
        dependencies=[id(loaded), sweep_outcome.value, sweep_scenario.value, *factors, language],
    )
    if error:
        solara.Error(error, classes=["sweep-error"])
        return
    with solara.Column(classes=["sweep-surface"]):
        solara.FigureMatplotlib(fig, format="png")
    solara.HTML(
        tag="div",
        unsafe_innerHTML=(
            f'<span class="sweep-surface-info" data-runs="{n_runs}" '
            f'data-factors="{html.escape(",".join(factors))}" '
            f'data-outcome="{html.escape(sweep_outcome.value)}"></span>'
        ),
    )


@solara.component
def Page() -> None:
    """The explorer page."""
    language = lang.value
    solara.Title(t("title", language))
    with solara.Row():
        _markdown(f"## {t('title', language)}")
        solara.ToggleButtonsSingle(value=lang, values=["en", "zh"])
    with solara.lab.Tabs():
        with solara.lab.Tab(t("live_tab", language)):
            LivePanel()
        with solara.lab.Tab(t("folder_tab", language)):
            FolderPanel()
        with solara.lab.Tab(t("sweep_tab", language)):
            SweepPanel()
