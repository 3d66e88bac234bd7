"""The explorer page's fixed texts in English and Chinese."""

from __future__ import annotations

from typing import Any

#: ``{key: {"en": ..., "zh": ...}}``.
TEXTS: dict[str, dict[str, str]] = {
    "title": {"en": "innovsim explorer", "zh": "innovsim 交互式探索"},
    "live_tab": {"en": "Live run", "zh": "实时运行"},
    "folder_tab": {"en": "Comparison results", "zh": "情景比较结果"},
    "scenario": {"en": "Scenario", "zh": "情景"},
    "levers": {"en": "Levers", "zh": "政策杠杆"},
    "no_levers": {
        "en": "This scenario sets no parameter; add one below to move it.",
        "zh": "该情景未设置参数；可在下方添加参数进行调整。",
    },
    "add_lever": {"en": "Add a parameter", "zh": "添加参数"},
    "default": {"en": "default", "zh": "默认值"},
    "source": {"en": "source", "zh": "来源"},
    "seed": {"en": "Seed", "zh": "随机种子"},
    "quarters": {"en": "Quarters to run", "zh": "运行季度数"},
    "start": {"en": "Start a new run", "zh": "开始新的运行"},
    "continue": {"en": "Continue", "zh": "继续"},
    "stop": {"en": "Stop", "zh": "停止"},
    "running": {"en": "Running: quarter {done} of {total}", "zh": "运行中：第 {done}/{total} 季度"},
    "stopped": {"en": "Stopped at quarter {q}", "zh": "已停止于第 {q} 季度"},
    "quarter_now": {"en": "Quarter {q}", "zh": "第 {q} 季度"},
    "no_run": {
        "en": "Press “Start a new run” to simulate the scenario beside the baseline.",
        "zh": "点击“开始新的运行”，与基准情景同步模拟。",
    },
    "map_indicator": {"en": "Map indicator", "zh": "地图指标"},
    "county": {"en": "County", "zh": "县（市、区）"},
    "region": {"en": "Region", "zh": "全区域"},
    "indicator": {"en": "Indicator", "zh": "指标"},
    "with_levers": {"en": "With levers", "zh": "调整后"},
    "baseline": {"en": "Baseline", "zh": "基准情景"},
    "fiscal": {"en": "Fiscal cost so far (m CNY)", "zh": "迄今财政成本（百万元）"},
    "policy_cost": {"en": "Policy cost", "zh": "政策支出"},
    "extra_cost": {"en": "Extra cost vs baseline", "zh": "较基准新增支出"},
    "net_cost": {
        "en": "Net cost (extra cost less extra tax revenue)",
        "zh": "净成本（新增支出减新增税收）",
    },
    "folder": {"en": "Folder of an 'innovsim compare' run", "zh": "'innovsim compare' 结果文件夹"},
    "load": {"en": "Load", "zh": "加载"},
    "effects": {"en": "Effects at the horizon (90% interval)", "zh": "期末效应（90% 区间）"},
    "costs": {"en": "Fiscal cost and cost-effectiveness", "zh": "财政成本与成本效益"},
    "lever_changed": {
        "en": "Levers changed: start a new run to apply them.",
        "zh": "杠杆已调整：开始新的运行后生效。",
    },
    "map_title": {"en": "{ind}, quarter {q}", "zh": "{ind}，第 {q} 季度"},
    "hte_change": {
        "en": "{s}: change in high-tech enterprises at the horizon",
        "zh": "{s}：期末高新技术企业数变化",
    },
    "internal": {
        "en": "Something went wrong ({err}); the server keeps running.",
        "zh": "出现错误（{err}）；服务仍在运行。",
    },
}


def t(key: str, lang: str = "en", **fmt: Any) -> str:
    """The text ``key`` in ``lang`` (``"en"`` or ``"zh"``), formatted with ``fmt``."""
    text = TEXTS[key]["zh" if lang == "zh" else "en"]
    return text.format(**fmt) if fmt else text
