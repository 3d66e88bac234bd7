"""The comparison report as Markdown, in English or Chinese.

:func:`markdown_report` renders the effects, fiscal costs and cost-effectiveness computed by
:mod:`model.experiments.compare`; it computes nothing itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from model.experiments.compare import HEADLINE
from model.report.tables import horizon_unit
from model.report.text import t
from model.sim.indicators import indicator


def _fmt(x: Any, digits: int = 1) -> str:
    if x is None or (isinstance(x, float) and not np.isfinite(x)):
        return "–"
    return f"{x:,.{digits}f}"


def _t(key: str, lang: str, **kw: Any) -> str:
    return t(key, lang, **kw)


def pass_through_section(
    effects: pd.DataFrame, scenarios: Mapping[str, Any], lang: str
) -> list[str]:
    """Markdown lines of the pass-through table.

    Per scenario and net indicator (``model.sim.indicators.NET_OF``): the gross change, the
    policy's own part and the net change with its 90% interval, absolute, in the indicator's
    unit at the horizon; then the hub staff, which are not county talent.
    """
    from model.sim.indicators import NET_OF

    have = set(effects["indicator"])
    pairs = [(net, g, p) for net, (g, p) in NET_OF.items() if {net, g, p} <= have]
    if not pairs:
        return []
    head = [_t("scenario", lang), _t("indicator", lang), _t("gross_change", lang)]
    head += [_t("policy_part", lang), _t("net_change", lang), _t("unit", lang)]
    lines = [f"## {_t('pass_through', lang)}", "", _t("pass_through_intro", lang), ""]
    lines += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]

    def effect(scenario: str, name: str) -> pd.Series:
        e = effects[(effects["scenario"] == scenario) & (effects["indicator"] == name)]
        return e.iloc[0]

    for scenario in [s for s in scenarios if s != "baseline"]:
        label = scenarios[scenario].label(lang)
        for net, gross, part in pairs:
            n = effect(scenario, net)
            name = indicator(gross).label_zh if lang == "zh" else indicator(gross).label_en
            cells = [label, name]
            cells += [_fmt(effect(scenario, gross)["diff"]), _fmt(effect(scenario, part)["diff"])]
            cells += [f"{_fmt(n['diff'])} [{_fmt(n['lo'])}, {_fmt(n['hi'])}]"]
            cells += [horizon_unit(gross, lang)]
            lines.append("| " + " | ".join(cells) + " |")
        if "hub_talent_employed" in have:
            h = effect(scenario, "hub_talent_employed")
            cells = [label, _t("hub_talent_row", lang), _fmt(h["diff"]), "", ""]
            cells += [horizon_unit("hub_talent_employed", lang)]
            lines.append("| " + " | ".join(cells) + " |")
    return lines


def executive_summary(
    ranking: pd.DataFrame,
    fiscal: pd.DataFrame,
    scenarios: Mapping[str, Any],
    lang: str,
    *,
    n_seeds: int,
    steps: int,
    first_year: int,
    min_net_cost_mcny: float = 1.0,
) -> list[str]:
    """Return the lines of the executive summary.

    Per headline outcome: which scenario gives most per 100 m CNY of net cost, the
    runner-up, and whether their 90% intervals overlap.

    ``ranking`` is :func:`model.experiments.compare.cost_ranking` computed with the same
    ``min_net_cost_mcny``.
    """
    label = {name: s.label(lang) for name, s in scenarios.items()}
    costed = list(pd.unique(ranking["scenario"].to_numpy()))
    lines = [
        _t(
            "summary_scope",
            lang,
            n_costly=len(costed),
            min_cost=min_net_cost_mcny,
            n_seeds=n_seeds,
            steps=steps,
            first_year=first_year,
            last_year=last_year(first_year, steps),
        ),
        "",
    ]
    for name in _unique_in_order(ranking["indicator"]):
        sub = ranking[ranking["indicator"] == name].sort_values("rank")
        ind_label = indicator(name).label_zh if lang == "zh" else indicator(name).label_en
        first = sub.iloc[0]
        if pd.isna(first["rank"]):
            lines.append("- " + _t("summary_no_gain", lang, indicator=ind_label))
            continue
        common = {
            "indicator": ind_label,
            "first": label[first["scenario"]],
            "unit": horizon_unit(name, lang),
            "per": first["per_100m"],
            "lo": first["per_100m_lo"],
            "hi": first["per_100m_hi"],
        }
        if len(sub) == 1:
            lines.append("- " + _t("summary_only", lang, **common))
            continue
        # the runner-up: the next ranked scenario, else the best unranked one (ranking is
        # sorted that way); if its interval reaches the leader's, the lead is not established
        second = sub.iloc[1]
        robust = first["per_100m_lo"] > second["per_100m_hi"]
        lines.append(
            "- "
            + _t(
                "summary_first",
                lang,
                **common,
                second=label[second["scenario"]],
                per2=second["per_100m"],
                lo2=second["per_100m_lo"],
                hi2=second["per_100m_hi"],
                robust=_t("summary_robust" if robust else "summary_fragile", lang),
            )
        )
    free = [label[s] for s in fiscal.index if s != "baseline" and s not in costed]
    if free:
        sep = "、" if lang == "zh" else ", "
        lines += ["", _t("summary_free", lang, names=sep.join(free))]
    return lines


def last_year(first_year: int, steps: int) -> int:
    """Calendar year of the last simulated quarter: quarter ``s`` ends at ``first_year + s/4``."""
    return first_year + (max(steps, 1) - 1) // 4


def _unique_in_order(values: pd.Series) -> list[Any]:
    return list(pd.unique(values.to_numpy()))


def markdown_report(
    effects: pd.DataFrame,
    fiscal: pd.DataFrame,
    ce: pd.DataFrame,
    scenarios: dict[str, Any],
    region_label: str,
    n_seeds: int,
    steps: int,
    command: str,
    figures: list[str],
    lang: str = "en",
    *,
    ranking: pd.DataFrame | None = None,
    captions: Mapping[str, str] | None = None,
    table_files: tuple[str, str] | None = None,
    first_year: int | None = None,
    extra_sections: Sequence[str] = (),
) -> str:
    """Render the comparison as Markdown in ``lang`` (``"en"`` or ``"zh"``).

    Parameters
    ----------
    effects, fiscal, ce : DataFrame
        From :mod:`model.experiments.compare` (paired effects, fiscal summary,
        cost-effectiveness).
    scenarios : dict
        Scenarios by name, the baseline included (labels, descriptions, notes).
    region_label, command : str
        Region name in ``lang``; the command line to reproduce the report.
    n_seeds, steps : int
        Seeds per scenario; simulated quarters.
    figures : list of str
        Figure paths relative to the report.
    lang : {"en", "zh"}
    ranking : DataFrame, optional
        :func:`model.experiments.compare.cost_ranking`; default computed from ``effects`` and
        ``fiscal``. Drives the executive summary and the ranking table.
    captions : mapping, optional
        ``{figure path: caption}`` shown under each figure.
    table_files : (str, str), optional
        Paths of the CSV folder and the XLSX file, named under the tables.
    first_year : int, optional
        Calendar year of quarter 0; default :data:`model.report.plots.BASE_YEAR`.
    extra_sections : sequence of str
        Markdown sections placed before the figures (e.g. the posterior uncertainty split).
    """
    from model.experiments.compare import cost_ranking
    from model.report.plots import BASE_YEAR

    first_year = BASE_YEAR if first_year is None else first_year
    if ranking is None:
        ranking = cost_ranking(effects, fiscal)
    captions = captions or {}
    label = {name: s.label(lang) for name, s in scenarios.items()}
    years = {"first_year": first_year, "last_year": last_year(first_year, steps)}
    lines = [
        f"# {_t('title', lang, region=region_label)}",
        "",
        _t("intro", lang, n_scen=len(scenarios) - 1, n_seeds=n_seeds, steps=steps, **years),
        "",
        f"## {_t('summary', lang)}",
        "",
        *executive_summary(
            ranking, fiscal, scenarios, lang, n_seeds=n_seeds, steps=steps, first_year=first_year
        ),
        "",
        f"## {_t('headline', lang)}",
        "",
    ]
    cols = [c for c in HEADLINE if c in set(effects["indicator"])]
    head = [_t("scenario", lang)] + [
        indicator(c).label_zh if lang == "zh" else indicator(c).label_en for c in cols
    ]
    lines.append("| " + " | ".join(head) + " |")
    lines.append("|" + "---|" * len(head))
    for scenario in [s for s in scenarios if s != "baseline"]:
        cells = [label[scenario]]
        for c in cols:
            e = effects[(effects["scenario"] == scenario) & (effects["indicator"] == c)]
            if e.empty:
                cells.append("–")
                continue
            e = e.iloc[0]
            cells.append(f"{_fmt(e['rel_mean'])} [{_fmt(e['rel_lo'])}, {_fmt(e['rel_hi'])}]")
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", *pass_through_section(effects, scenarios, lang)]
    lines += [
        "",
        f"## {_t('fiscal', lang)}",
        "",
        "| "
        + " | ".join(
            [
                _t("scenario", lang),
                _t("county_cost", lang),
                _t("province_cost", lang),
                _t("assets", lang),
                _t("net_cost", lang),
                _t("county_tax", lang),
                _t("province_tax", lang),
                _t("st_cut", lang),
                _t("per_hte", lang),
                _t("per_grant", lang),
            ]
        )
        + " |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for scenario in [s for s in scenarios if s != "baseline"]:
        f = fiscal.loc[scenario]
        c = ce.loc[scenario]
        lines.append(
            "| "
            + " | ".join(
                [
                    label[scenario],
                    _fmt(f["county_cost"]),
                    _fmt(f["province_cost"]),
                    _fmt(f["public_assets_change"]),
                    _fmt(f["net_cost"]),
                    _fmt(f["county_tax_change"]),
                    _fmt(f["province_tax_change"]),
                    _fmt(f["st_cut"]),
                    _fmt(c["cost_per_extra_hte"], 2),
                    _fmt(c["cost_per_extra_grant"], 3),
                ]
            )
            + " |"
        )
    lines += ["", _t("na_note", lang), "", _t("cut_note", lang), ""]
    lines += [f"## {_t('ranking', lang)}", ""]
    head = [_t("indicator", lang), _t("rank", lang), _t("scenario", lang), _t("net_cost", lang)]
    head += [_t("per_100m", lang), "90%", _t("unit", lang)]
    if ranking.empty:  # a table without rows reads as a broken table
        lines.append(_t("ranking_empty", lang))
    else:
        lines += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for _, r in ranking.iterrows():
        ind = indicator(r["indicator"])
        lines.append(
            "| "
            + " | ".join(
                [
                    ind.label_zh if lang == "zh" else ind.label_en,
                    "–" if pd.isna(r["rank"]) else str(int(r["rank"])),
                    label[r["scenario"]],
                    _fmt(r["net_cost"]),
                    _fmt(r["per_100m"], 2),
                    f"[{_fmt(r['per_100m_lo'], 2)}, {_fmt(r['per_100m_hi'], 2)}]",
                    horizon_unit(r["indicator"], lang),
                ]
            )
            + " |"
        )
    if table_files:
        lines += ["", _t("tables_note", lang, csv=table_files[0], xlsx=table_files[1])]
    lines += ["", f"## {_t('details', lang)}", ""]
    for name, s in scenarios.items():
        desc = s.description_zh if lang == "zh" else s.description
        lines += [
            f"### {label[name]} (`{name}`)",
            "",
            f"{_t('report_ref', lang)}: {s.report}",
            "",
            desc,
            "",
        ]
        if s.overrides:
            lines.append(", ".join(f"`{k} = {v}`" for k, v in sorted(s.overrides.items())))
            lines.append("")
        if s.fails_when:
            note = s.fails_when.get("note", "")
            if lang == "zh":
                note = s.fails_when.get("note_zh", note)
            lines += [
                f"*{_t('fails', lang)}*: {note} "
                + ", ".join(
                    f"`{k} = {v}`" for k, v in sorted(s.fails_when.get("parameters", {}).items())
                ),
                "",
            ]
    for section in extra_sections:
        lines += [section, ""]
    lines += [f"## {_t('figures', lang)}", ""]
    for f in figures:
        lines += [f"![{Path(f).stem}]({f})", ""]
        if f in captions:
            lines += [f"*{captions[f]}*", ""]
    lines += ["", f"## {_t('reproduce', lang)}", "", f"```\n{command}\n```", ""]
    return "\n".join(lines)
