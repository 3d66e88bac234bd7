"""The explorer page (Solara): levers, a live run beside the baseline, a comparison folder.

Every callback catches what a reader can get wrong (:class:`~model.params.reader.InputError`:
a lever out of range, a broken folder) and shows its one-line message; anything else is logged
on the server and shown as one line too, so the page never shows a traceback and the server
stays up. The model steps in a Solara task (a thread), so the page answers while it runs; the
figures are redrawn every simulated year and when the run ends.

Run it with ``innovsim explore`` (:func:`model.explore.server.serve`).
"""

from __future__ import annotations

import html
import logging
import os
import time
from collections.abc import Callable
from typing import Any

import solara
import solara.lab

from model.experiments.compare import HEADLINE
from model.explore import figures
from model.explore.folder import CompareFolder, load_compare_folder
from model.explore.levers import lever_control, lever_overrides, parse_lever, scenario_levers
from model.explore.live import BASELINE, LIVE, LiveRun, run_quarters
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

lang = solara.reactive("en")
scenario_name = solara.reactive("tax_rebate")
lever_text: solara.Reactive[dict[str, str]] = solara.reactive({})
extra_levers: solara.Reactive[tuple[str, ...]] = solara.reactive(())
seed = solara.reactive(1)
quarters = solara.reactive(8)
live_run: solara.Reactive[LiveRun | None] = solara.reactive(None)
shown_quarter = solara.reactive(-1)
progress = solara.reactive((0, 0))
stop_requested = solara.reactive(False)
last_run_s = solara.reactive(0.0)
message = solara.reactive("")
map_indicator = solara.reactive("high_tech_enterprises")
county_name = solara.reactive("")
folder_path = solara.reactive("")
folder: solara.Reactive[CompareFolder | None] = solara.reactive(None)
folder_message = solara.reactive("")
folder_scenario = solara.reactive("")


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
            live_run.value = LiveRun(overrides, seed.value, REGION)
            shown_quarter.value = 0
        live = live_run.value
        if live is None:
            return
        progress.value = (0, n_quarters)

        def on_quarter(done: int) -> None:
            progress.value = (done, n_quarters)
            if done % REDRAW_EVERY_Q == 0:
                shown_quarter.value = live.quarter

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
def Plot(build: Callable[[], Any], dependencies: list[Any], css_class: str) -> None:
    """A matplotlib figure from ``build()``, redrawn only when ``dependencies`` change."""
    fig, error = solara.use_memo(lambda: _safe_build(build), dependencies=dependencies)
    if error:
        solara.Error(error)
        return
    with solara.Column(classes=[css_class]):
        solara.FigureMatplotlib(fig, format="png")


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


def _values_table(live: LiveRun, county: int | None, names: list[str], language: str) -> str:
    """HTML table of ``names``: with levers and baseline at the latest quarter.

    Every value cell carries ``data-indicator``, ``data-run`` and the exact ``data-value``.
    """
    rows = []
    for name in names:
        cells = []
        for which in (LIVE, BASELINE):
            if county is None:
                value = float(live.region_series(which)[-1, INDICATOR_INDEX[name]])
            else:
                value = float(live.history(which)[-1, county, INDICATOR_INDEX[name]])
            cells.append(
                f'<td class="num" data-run="{which}" data-indicator="{name}" '
                f'data-value="{value!r}">{format_value(value)}</td>'
            )
        rows.append(f"<tr><td>{html.escape(label(name, language))}</td>{''.join(cells)}</tr>")
    head = (
        f"<tr><th>{t('indicator', language)}</th><th>{t('with_levers', language)}</th>"
        f"<th>{t('baseline', language)}</th></tr>"
    )
    return f'<table class="explore-values">{head}{"".join(rows)}</table>'


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
    """Seed, quarters, start/continue/stop, progress and messages."""
    language = lang.value
    busy = run_live.pending
    with solara.Row():
        solara.InputInt(t("seed", language), value=seed, classes=["input-seed"])
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
    solara.Select(
        t("map_indicator", language),
        values=list(INDICATOR_NAMES),
        value=map_indicator,
    )
    Plot(
        lambda: figures.live_map(live, map_indicator.value, language),
        [id(live), quarter, map_indicator.value, language],
        "explore-map",
    )
    Plot(
        lambda: figures.live_trajectories(live, PANELS, language),
        [id(live), quarter, language],
        "explore-trajectories",
    )
    fiscal = live.fiscal()
    _markdown(
        f"**{t('fiscal', language)}**: {t('policy_cost', language)} "
        f"{format_value(fiscal.policy_cost_mcny)} · {t('extra_cost', language)} "
        f"{format_value(fiscal.extra_cost_mcny)} · {t('net_cost', language)} "
        f"{format_value(fiscal.net_cost_mcny)}"
    )
    solara.HTML(tag="div", unsafe_innerHTML=_values_table(live, None, list(HEADLINE), language))
    names = [c.name_zh if language == "zh" else c.name_en for c in live.region.counties]
    solara.Select(t("county", language), values=["", *names], value=county_name)
    if county_name.value in names:
        county = names.index(county_name.value)
        solara.HTML(
            tag="div",
            unsafe_innerHTML=_values_table(live, county, list(INDICATOR_NAMES), language),
            classes=["explore-county"],
        )


def _load_folder() -> None:
    folder_message.value = ""
    try:
        loaded = load_compare_folder(folder_path.value)
    except InputError as err:
        folder.value = None
        folder_message.value = str(err)
        return
    except Exception as err:
        folder.value = None
        folder_message.value = _internal(err)
        return
    folder.value = loaded
    others = [s for s in loaded.scenarios if s != "baseline"]
    folder_scenario.value = others[0] if others else ""


@solara.component
def FolderPanel() -> None:
    """Load a finished comparison folder and browse its effects, costs and figures."""
    language = lang.value
    with solara.Row():
        solara.InputText(
            t("folder", language),
            value=folder_path,
            classes=["input-folder"],
            style="min-width: 40em",
        )
        solara.Button(t("load", language), on_click=_load_folder, classes=["btn-load"])
    if folder_message.value:
        solara.Error(folder_message.value, classes=["folder-error"])
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
