"""The comparison report as Markdown, in English or Chinese.

:func:`markdown_report` renders the effects, fiscal costs and cost-effectiveness computed by
:mod:`model.experiments.compare`; it computes nothing itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from model.experiments.compare import HEADLINE
from model.sim.indicators import indicator


def _fmt(x: Any, digits: int = 1) -> str:
    if x is None or (isinstance(x, float) and not np.isfinite(x)):
        return "–"
    return f"{x:,.{digits}f}"


TEXT = {
    "title": {"en": "Policy comparison: {region}", "zh": "政策情景比较：{region}"},
    "intro": {
        "en": (
            "{n_scen} scenarios against the baseline, {n_seeds} seeds each (common random "
            "numbers, paired by seed), {steps} quarters. Effects are changes against the "
            "baseline at the horizon (stocks: last quarter; flows: last four quarters), "
            "as mean paired difference with a 90% t interval across seeds. Costs are policy "
            "spending over the whole run, by payer, in m CNY; the net cost subtracts what "
            "the public guidance funds and tech-bank pools still hold at the horizon. R&D "
            "spending is as firms report it; R&D actually performed leaves out what firms "
            "relabel to reach a certification threshold."
        ),
        "zh": (
            "共 {n_scen} 个情景与基准情景比较，每个情景 {n_seeds} 个随机种子"
            "（共同随机数，按种子配对），模拟 {steps} 个季度。效应为期末相对基准情景的变化"
            "（存量取最后一个季度，流量取最后四个季度之和），"
            "给出配对差值均值及 90% t 区间。成本为整个模拟期内按承担方统计的政策支出（百万元）；"
            "净成本扣除期末政府引导基金和科技银行资金池仍持有的资产。研发经费支出为企业申报数；"
            "实际研发投入不含企业为达到认定门槛而虚报的部分。"
        ),
    },
    "headline": {
        "en": "Headline: change against baseline at the horizon (%)",
        "zh": "主要结果：期末相对基准情景的变化（%）",
    },
    "fiscal": {
        "en": "Fiscal cost and cost-effectiveness (m CNY, whole run)",
        "zh": "财政成本与成本效益（百万元，整个模拟期）",
    },
    "scenario": {"en": "Scenario", "zh": "情景"},
    "county_cost": {"en": "County cost", "zh": "县级成本"},
    "province_cost": {"en": "Province cost", "zh": "省级成本"},
    "assets": {"en": "Δ public funds held", "zh": "政府基金资产变化"},
    "net_cost": {"en": "Net cost", "zh": "净成本"},
    "county_tax": {"en": "Δ county tax", "zh": "县级税收变化"},
    "province_tax": {"en": "Δ province tax", "zh": "省级税收变化"},
    "per_hte": {"en": "Cost per extra high-tech enterprise", "zh": "每新增一家高企的成本"},
    "per_grant": {
        "en": "Cost per extra invention patent grant",
        "zh": "每新增一件发明专利授权的成本",
    },
    "details": {"en": "Scenario details", "zh": "情景详情"},
    "report_ref": {"en": "Report passage", "zh": "对应报告章节"},
    "fails": {
        "en": "Where it does not pay off (documented setting)",
        "zh": "不奏效的情形（已记录的参数设定）",
    },
    "figures": {"en": "Figures", "zh": "图表"},
    "na_note": {
        "en": "“–”: no gain to price (the 90% interval of the gain includes zero or is "
        "negative), or no cost.",
        "zh": "“–”：没有可计价的收益（收益的 90% 区间包含零或为负），或无成本。",
    },
    "reproduce": {"en": "Reproduce", "zh": "复现"},
}


def _t(key: str, lang: str, **kw: Any) -> str:
    return TEXT[key][lang].format(**kw)


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
) -> str:
    """Render the comparison as Markdown in ``lang`` (``"en"`` or ``"zh"``)."""
    label = {name: s.label(lang) for name, s in scenarios.items()}
    lines = [
        f"# {_t('title', lang, region=region_label)}",
        "",
        _t("intro", lang, n_scen=len(scenarios) - 1, n_seeds=n_seeds, steps=steps),
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
                _t("per_hte", lang),
                _t("per_grant", lang),
            ]
        )
        + " |",
        "|---|---|---|---|---|---|---|---|---|",
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
                    _fmt(c["cost_per_extra_hte"], 2),
                    _fmt(c["cost_per_extra_grant"], 3),
                ]
            )
            + " |"
        )
    lines += ["", _t("na_note", lang), "", f"## {_t('details', lang)}", ""]
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
            lines += [
                f"*{_t('fails', lang)}*: {s.fails_when.get('note', '')} "
                + ", ".join(
                    f"`{k} = {v}`" for k, v in sorted(s.fails_when.get("parameters", {}).items())
                ),
                "",
            ]
    lines += [f"## {_t('figures', lang)}", ""]
    lines += [f"![{Path(f).stem}]({f})" for f in figures]
    lines += ["", f"## {_t('reproduce', lang)}", "", f"```\n{command}\n```", ""]
    return "\n".join(lines)
