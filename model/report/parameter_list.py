"""The parameter table as text for ``innovsim parameters``: name, default, range, unit, source.

Printed from :data:`model.params.table.SPECS`, the single source of defaults, ranges, units and
sources. In Chinese (``lang="zh"``) the headers and the units are Chinese; a parameter's source
and description are kept in English (they cite English-language literature and report pages, and
are documented once, in ``model/params/table.py`` and docs/ODD.md §9).
"""

from __future__ import annotations

import math

from model.params.table import SPECS, ParameterSpec

#: Chinese for every unit used in the parameter table (a test checks that none is missing).
UNIT_ZH: dict[str, str] = {
    "CNY per m2 per day": "元/平方米/天",
    "R&D staff equivalents": "研发人员当量",
    "applications per knowledge unit": "件申请/知识单位",
    "candidate employers": "候选雇主数",
    "deals": "笔投资",
    "elasticity": "弹性",
    "experts": "名专家",
    "experts per county per quarter": "名专家/县/季",
    "experts per quarter for the region": "名专家/季（全地区）",
    "multiple of the desired intensity": "期望研发强度倍数",
    "per quarter": "每季",
    "share of a loan": "占贷款比例",
    "m2 per S&T worker": "平方米/科技人员",
    "hub wage / county wage": "中心城市工资/县工资",
    "years of the county's base S&T envelope": "年县基本科技经费",
    "firms": "家企业",
    "km": "公里",
    "knowledge units": "知识单位",
    "knowledge units per (m CNY)^beta": "知识单位/(百万元)^β",
    "log units": "对数单位",
    "log units per quarter": "对数单位/季",
    "m CNY": "百万元",
    "m CNY for the region": "百万元（全区域）",
    "m CNY per county": "百万元/县",
    "m CNY per county per quarter": "百万元/县/季",
    "m CNY per employee per quarter": "百万元/员工/季",
    "m CNY per expert": "百万元/专家",
    "m CNY per granted patent": "百万元/件授权专利",
    "m CNY per link per quarter": "百万元/对接/季",
    "m CNY per merged platform": "百万元/被合并平台",
    "m CNY per newly certified firm": "百万元/新认定企业",
    "m CNY per person per quarter": "百万元/人/季",
    "m CNY per platform per quarter": "百万元/平台/季",
    "m CNY per quarter": "百万元/季",
    "m CNY per quarter for the region": "百万元/季（全区域）",
    "m CNY per tenant per quarter": "百万元/入驻企业/季",
    "m2": "平方米",
    "m2 per firm": "平方米/企业",
    "market CNY per guidance CNY": "社会资本元/引导基金元",
    "model firms per firm in the region file": "模型企业数/区域文件企业数",
    "multiplier": "倍数",
    "multiplier at saturation": "饱和时倍数",
    "persons": "人",
    "platforms": "个平台",
    "probability": "概率",
    "quality units": "质量单位",
    "quality units per tenant": "质量单位/入驻企业",
    "m CNY per tenant": "百万元/入驻企业",
    "quality units per m CNY": "质量单位/百万元",
    "quarter": "季度",
    "quarters": "个季度",
    "quarters of revenue": "个季度的营业收入",
    "quarters of saving per quarter of cost": "节税季数/每季成本",
    "score": "分",
    "service factor": "服务系数",
    "share": "比例",
    "share a year": "每年比例",
    "share of the gap per quarter": "每季缩小差距的比例",
    "vacancies per seeker": "空缺岗位/求职者",
    "ratio": "比值",
    "share of R&D": "占研发比例",
    "share of R&D spending": "占研发经费比例",
    "share of cash per quarter": "每季度占现金比例",
    "share of county S&T spending": "占县科技支出比例",
    "share of county tax revenue": "占县税收比例",
    "share of face value": "占面值比例",
    "share of firms": "占企业比例",
    "share of grant": "占补助比例",
    "share of initial county S&T staff": "占县初始科技人员比例",
    "share of investment": "占投资比例",
    "share of real R&D": "占实际研发投入比例",
    "share of reported R&D": "占申报研发比例",
    "share of the return": "占研发回报比例",
    "share of platforms": "占平台比例",
    "share of revenue": "占营业收入比例",
    "share of taxable profit": "占应纳税利润比例",
    "share of threshold": "占门槛比例",
    "share of value added": "占增加值比例",
    "share per quarter": "每季比例",
    "start-ups": "家初创企业",
    "start-ups per free slot at full quality": "家初创企业/空余工位（满质量）",
    "start-ups per senior talent": "家初创企业/高级人才",
    "sub-fund CNY per mother-fund CNY": "子基金元/母基金元",
    "switch": "开关",
    "tenant slots": "个入驻工位",
    "x invested": "倍投资额",
}

_HEADERS = {
    "en": ("parameter", "default", "allowed", "unit", "source"),
    "zh": ("参数", "默认值", "允许范围", "单位", "来源（英文）"),
}


def _value(v: float | int | bool) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and math.isinf(v):
        return "∞" if v > 0 else "-∞"
    return f"{v:g}"


def _allowed(spec: ParameterSpec, lang: str) -> str:
    if spec.kind is bool:
        return "true / false"
    return f"[{_value(spec.low)}, {_value(spec.high)}]" + (
        ("，整数" if lang == "zh" else ", integer") if spec.kind is int else ""
    )


def parameter_rows(lang: str = "en") -> list[tuple[str, str, str, str, str]]:
    """One row per parameter: name, default, allowed values, unit, source."""
    if lang not in _HEADERS:
        raise ValueError(f"lang must be 'en' or 'zh', got {lang!r}")
    return [
        (
            s.name,
            _value(s.default),
            _allowed(s, lang),
            UNIT_ZH[s.unit] if lang == "zh" else s.unit,
            s.source,
        )
        for s in SPECS
    ]


def parameter_table(lang: str = "en", fmt: str = "text") -> str:
    """Every parameter as aligned text (``fmt="text"``) or CSV (``fmt="csv"``)."""
    import csv
    import io

    rows = [_HEADERS[lang], *parameter_rows(lang)]
    if fmt == "csv":
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows(rows)
        return buf.getvalue()
    if fmt != "text":
        raise ValueError(f"fmt must be 'text' or 'csv', got {fmt!r}")
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    return "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(r[:4], widths, strict=True)) + "  " + r[4]
        for r in rows
    )
