"""The explorer page's fixed texts in English and Chinese.

Most of the project's bilingual text lives in one table, ``model/report/text.toml``; the page's
keys there carry the prefix ``explore_``. The texts of the seeds, the map click and the sweep
tab are in :data:`PAGE_TEXT` below until they join that table; :func:`t` reads both.
"""

from __future__ import annotations

from typing import Any

from model.report.text import TEXT

#: Texts of the page not (yet) in ``model/report/text.toml``: ``{key: {"en": ..., "zh": ...}}``.
PAGE_TEXT: dict[str, dict[str, str]] = {
    "seeds": {"en": "Seeds", "zh": "随机种子数"},
    "seeds_range": {
        "en": "seeds: {n} is out of range; allowed: 1 to {most}",
        "zh": "随机种子数：{n} 超出范围；允许 1 至 {most}",
    },
    "seed_range": {
        "en": "seed: {n} is out of range; allowed: 0 to {most}",
        "zh": "随机种子：{n} 超出范围；允许 0 至 {most}",
    },
    "seeds_used": {
        "en": "seeds {seeds} (those of innovsim compare --seeds {n} --base-seed {base})",
        "zh": "随机种子 {seeds}（即 innovsim compare --seeds {n} --base-seed {base} 的种子）",
    },
    "median_of": {"en": "median of {n} seeds", "zh": "{n} 个随机种子的中位数"},
    "band_note": {
        "en": "Lines: median across {n} seeds; shaded: 90% band (5th–95th percentile).",
        "zh": "线：{n} 个随机种子的中位数；阴影：90% 区间（第 5–95 百分位）。",
    },
    "per_seed": {"en": "Numbers per seed", "zh": "各随机种子的数值"},
    "seed": {"en": "Seed", "zh": "随机种子"},
    "run": {"en": "Run", "zh": "运行"},
    "range_90": {"en": "90% of seeds: {lo} to {hi}", "zh": "90% 的种子：{lo} 至 {hi}"},
    "click_map": {
        "en": "Click a county on the map (or pick it below) to see its numbers.",
        "zh": "点击地图上的县（或在下方选择）查看其数值。",
    },
    "sweep_tab": {"en": "Sweep results", "zh": "参数扫描结果"},
    "sweep_folder": {
        "en": "Folder of an 'innovsim sweep' run",
        "zh": "'innovsim sweep' 结果文件夹",
    },
    "sweep_status": {
        "en": "{name}: {done} of {total} runs finished ({failed} failed), {steps} quarters each",
        "zh": "{name}：已完成 {done}/{total} 次运行（失败 {failed} 次），每次 {steps} 个季度",
    },
    "factors": {"en": "Factors (varied parameters)", "zh": "因子（变动的参数）"},
    "factor": {"en": "Factor", "zh": "因子"},
    "second_factor": {"en": "Second factor (heat map)", "zh": "第二个因子（热力图）"},
    "none": {"en": "(none)", "zh": "（无）"},
    "kind": {"en": "Kind", "zh": "类型"},
    "lever": {"en": "lever", "zh": "政策杠杆"},
    "uncertainty": {"en": "uncertainty", "zh": "不确定参数"},
    "low": {"en": "Lowest", "zh": "最小值"},
    "high": {"en": "Highest", "zh": "最大值"},
    "n_values": {"en": "Distinct values", "zh": "取值个数"},
    "outcome": {"en": "Outcome", "zh": "结果指标"},
    "outcomes_kept": {"en": "Outcomes kept", "zh": "保存的结果指标"},
    "median": {"en": "median", "zh": "中位数"},
    "surface_title": {
        "en": "{outcome} at quarter {q}, {scenario}: {n} runs",
        "zh": "{outcome}，第 {q} 季度，{scenario}：{n} 次运行",
    },
}


def t(key: str, lang: str = "en", **fmt: Any) -> str:
    """The text ``key`` in ``lang`` (``"en"`` or ``"zh"``), formatted with ``fmt``."""
    entry = PAGE_TEXT.get(key) or TEXT[f"explore_{key}"]
    text = entry["zh" if lang == "zh" else "en"]
    return text.format(**fmt) if fmt else text
