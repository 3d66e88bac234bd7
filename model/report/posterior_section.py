"""The comparison report's section on posterior draws: parameter vs chance, robust rankings.

Renders :func:`model.experiments.posterior_effects.uncertainty_split` and
:func:`~model.experiments.posterior_effects.ranking_robustness` as Markdown in English or
Chinese; computes nothing itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from model.experiments.posterior_effects import FLIP_LIMIT
from model.sim.indicators import indicator

_TEXT = {
    "en": {
        "title": "Parameter and chance uncertainty",
        "intro": (
            "Every scenario and the baseline ran at {draws} draws of the calibrated posterior "
            "(docs/calibration.md), {seeds} seeds each; a scenario and the baseline share the "
            "draw and the seed. The intervals above pool draws and seeds. Here each effect's "
            "variance is split: *parameters* is the variance of the per-draw mean effect less "
            "the chance it still holds, *chance* the mean seed-to-seed variance within a draw; "
            "the 90% range is that of the per-draw mean effect over the draws."
        ),
        "head": (
            "| scenario | indicator | mean effect | 90% range over draws | parameters | chance "
            "| share from parameters |"
        ),
        "rank_title": "Rankings that depend on the parameters",
        "rank_intro": (
            "A ranking of two scenarios is *not robust* when their order by per-draw mean "
            "effect differs from their overall order in more than {limit:.0%} of the draws."
        ),
        "rank_head": "| indicator | ranked higher | ranked lower | draws where it flips |",
        "none": "Every ranking of two scenarios holds in at least {keep:.0%} of the draws.",
    },
    "zh": {
        "title": "参数不确定性与随机不确定性",
        "intro": (
            "每个情景与基准情景在校准后验（docs/calibration.md）的 {draws} 组参数抽样下运行，"
            "每组 {seeds} 个随机种子；情景与基准共用同一组参数和同一种子。"
            "上文的区间合并了参数与种子。此处把每个效应的方差分为两部分："
            "*参数* 为各组参数下平均效应的方差（扣除其中仍含的随机部分），"
            "*随机* 为同一组参数下种子之间方差的平均；90% 范围为各组参数下平均效应的范围。"
        ),
        "head": "| 情景 | 指标 | 平均效应 | 各组参数间 90% 范围 | 参数 | 随机 | 参数所占比例 |",
        "rank_title": "取决于参数的排序",
        "rank_intro": (
            "若两个情景按各组参数下平均效应的先后顺序，与总体顺序不同的参数组超过 {limit:.0%}，"
            "则称其排序 *不稳健*。"
        ),
        "rank_head": "| 指标 | 排名较高 | 排名较低 | 顺序颠倒的参数组比例 |",
        "none": "任意两个情景的排序在至少 {keep:.0%} 的参数组中保持不变。",
    },
}


def _num(x: float) -> str:
    return "–" if not np.isfinite(x) else f"{x:,.1f}"


def posterior_section(
    split: pd.DataFrame,
    rankings: pd.DataFrame,
    scenarios: Mapping[str, Any],
    draws: int,
    lang: str = "en",
) -> str:
    """Markdown of the uncertainty split and of the rankings that are not robust."""
    txt = _TEXT[lang]
    label = {name: s.label(lang) for name, s in scenarios.items()}

    def ind(name: str) -> str:
        return getattr(indicator(name), f"label_{lang}")

    seeds = int(split["seeds"].min()) if len(split) else 0
    lines = [f"## {txt['title']}", "", txt["intro"].format(draws=draws, seeds=seeds), ""]
    lines += [txt["head"], "|---|---|---|---|---|---|---|"]
    for r in split.itertuples():
        share = "–" if not np.isfinite(r.parameter_share) else f"{100 * r.parameter_share:.0f}%"
        lines.append(
            f"| {label.get(r.scenario, r.scenario)} | {ind(r.indicator)} | {_num(r.mean)} | "
            f"{_num(r.draw_p05)} – {_num(r.draw_p95)} | {_num(r.parameter_var)} | "
            f"{_num(r.chance_var)} | {share} |"
        )
    lines += ["", f"### {txt['rank_title']}", "", txt["rank_intro"].format(limit=FLIP_LIMIT), ""]
    fragile = rankings[~rankings["robust"]] if len(rankings) else rankings
    if len(fragile):
        lines += [txt["rank_head"], "|---|---|---|---|"]
        for r in fragile.itertuples():
            lines.append(
                f"| {ind(r.indicator)} | {label.get(r.higher, r.higher)} | "
                f"{label.get(r.lower, r.lower)} | {100 * r.flip_share:.0f}% |"
            )
    else:
        lines.append(txt["none"].format(keep=1 - FLIP_LIMIT))
    return "\n".join(lines) + "\n"
