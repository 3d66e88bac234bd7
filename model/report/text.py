"""Every fixed text of the reports and figures, in English and Chinese, in one table.

Figures (:mod:`model.report.plots`), the sensitivity figures
(:mod:`model.experiments.sensitivity`) and the Markdown report
(:mod:`model.report.markdown`) all read their words from :data:`TEXT` through :func:`t`, so a
translation is checked and changed in one place. Indicator labels and units live with the
indicators (:mod:`model.sim.indicators`), scenario names and notes in the scenario files.
"""

from __future__ import annotations

from typing import Any

LANGS = ("en", "zh")

#: Fixed texts, ``{key: {"en": ..., "zh": ...}}``; ``{name}`` fields are filled by :func:`t`.
TEXT: dict[str, dict[str, str]] = {
    # ---- figures: axes, legends, notes
    "year": {"en": "Year", "zh": "年份"},
    "band": {
        "en": "Lines: median across seeds; bands: {lo:g}–{hi:g}% range across seeds",
        "zh": "实线：各随机种子的中位数；阴影：各随机种子的 {lo:g}%–{hi:g}% 区间",
    },
    "median": {"en": "Lines: median across seeds", "zh": "实线：各随机种子的中位数"},
    "other_scenarios": {"en": "Other scenarios", "zh": "其他情景"},
    "no_data": {"en": "no data", "zh": "无数据"},
    "effect_axis": {"en": "Change vs baseline (%)", "zh": "相对基准情景的变化（%）"},
    "effect_note": {
        "en": "Bars: mean effect; error bars: 90% interval; largest effect on top",
        "zh": "条形：平均效应；误差线：90% 区间；效应最大者在上",
    },
    "fiscal_title": {
        "en": "Fiscal cost of the policies (median across seeds)",
        "zh": "政策财政成本（各随机种子的中位数）",
    },
    "fiscal_total_title": {
        "en": "Whole-run cost by kind and payer",
        "zh": "整个模拟期成本（按类别和承担方）",
    },
    "fiscal_recurring_title": {
        "en": "Recurring cost, {payer}",
        "zh": "经常性成本（{payer}）",
    },
    "one_off": {"en": "one-off", "zh": "一次性"},
    "recurring": {"en": "recurring", "zh": "经常性"},
    "county": {"en": "counties", "zh": "县级"},
    "province": {"en": "province", "zh": "省级"},
    "payer_county": {"en": "Borne by counties", "zh": "县级承担"},
    "payer_province": {"en": "Borne by the province", "zh": "省级承担"},
    "mcny": {"en": "m CNY", "zh": "百万元"},
    "mcny_quarter": {"en": "m CNY/quarter", "zh": "百万元/季"},
    "km": {"en": "km", "zh": "公里"},
    "percent_of_revenue": {"en": "% of revenue", "zh": "占营收百分比（%）"},
    "map_title": {
        "en": "{scenario}: change in {indicator} at the horizon",
        "zh": "{scenario}：期末{indicator}变化",
    },
    "map_unit": {"en": "change, {unit}", "zh": "变化（{unit}）"},
    "map_uncertain": {
        "en": "hatched: 90% interval includes zero",
        "zh": "斜线：90% 区间包含零",
    },
    # ---- sensitivity figures
    "s1": {"en": "First order (S1)", "zh": "一阶指数（S1）"},
    "st": {"en": "Total (ST)", "zh": "总效应指数（ST）"},
    "sobol_axis": {"en": "Sobol index", "zh": "Sobol 指数"},
    "sobol_title": {
        "en": "Sobol sensitivity indices (bars: estimate; lines: {conf:g}% interval)",
        "zh": "Sobol 敏感性指数（条形：估计值；误差线：{conf:g}% 置信区间）",
    },
    "mu_star": {"en": "μ* (mean |elementary effect|)", "zh": "μ*（基本效应绝对值的均值）"},
    "sigma": {"en": "σ (spread of elementary effects)", "zh": "σ（基本效应的标准差）"},
    "morris_title": {
        "en": "Morris screening (effects per full parameter range)",
        "zh": "Morris 筛选（按参数全区间计的基本效应）",
    },
    "sens_effect": {"en": "{label}: change vs {ref}", "zh": "{label}：相对{ref}的变化"},
    "sens_value": {"en": "{label}", "zh": "{label}"},
    "sens_constant": {
        "en": "the outcome is the same at every point:\nno variance to apportion",
        "zh": "各设计点结果相同：\n无方差可分解",
    },
    "sens_reference": {"en": "reference", "zh": "参照情景"},
    "sens_point": {"en": "{scenario}, lever point {point}", "zh": "{scenario}，政策组合 {point}"},
    # ---- Markdown report
    "title": {"en": "Policy comparison: {region}", "zh": "政策情景比较：{region}"},
    "intro": {
        "en": (
            "{n_scen} scenarios against the baseline, {n_seeds} seeds each (common random "
            "numbers, paired by seed), {steps} quarters ({first_year}–{last_year}). Effects are "
            "changes against the baseline at the horizon (stocks: last quarter; flows: last four "
            "quarters), as mean paired difference with a 90% t interval across seeds. Costs are "
            "policy spending over the whole run, by payer, in m CNY; the net cost subtracts what "
            "the public guidance funds and tech-bank pools still hold at the horizon. R&D "
            "spending is as firms report it; R&D actually performed leaves out what firms "
            "relabel to reach a certification threshold."
        ),
        "zh": (
            "共 {n_scen} 个情景与基准情景比较，每个情景 {n_seeds} 个随机种子"
            "（共同随机数，按种子配对），模拟 {steps} 个季度（{first_year}–{last_year} 年）。"
            "效应为期末相对基准情景的变化（存量取最后一个季度，流量取最后四个季度之和），"
            "给出配对差值均值及 90% t 区间。成本为整个模拟期内按承担方统计的政策支出（百万元）；"
            "净成本扣除期末政府引导基金和科技银行资金池仍持有的资产。研发经费支出为企业申报数；"
            "实际研发投入不含企业为达到认定门槛而虚报的部分。"
        ),
    },
    "summary": {"en": "Executive summary", "zh": "摘要"},
    "summary_scope": {
        "en": (
            "Ranking by effect per 100 m CNY of net cost over the whole run, among the "
            "{n_costly} scenarios costing at least {min_cost:g} m CNY (gross and net); only "
            "gains whose 90% interval lies above zero are ranked. {n_seeds} seeds, {steps} "
            "quarters ({first_year}–{last_year})."
        ),
        "zh": (
            "按整个模拟期每 1 亿元（100 百万元）净成本带来的效应排序，参与比较的是总成本和净成本"
            "均不低于 {min_cost:g} 百万元的 {n_costly} 个情景；只有 90% 区间在零以上的收益才参与"
            "排名。{n_seeds} 个随机种子，{steps} 个季度（{first_year}–{last_year} 年）。"
        ),
    },
    "summary_first": {
        "en": (
            "**{indicator}**: *{first}* ranks first with {per:,.2f} {unit} per 100 m CNY "
            "(90% interval {lo:,.2f} to {hi:,.2f}); second is *{second}* with {per2:,.2f} "
            "({lo2:,.2f} to {hi2:,.2f}). {robust}"
        ),
        "zh": (
            "**{indicator}**：*{first}* 排名第一，每 1 亿元净成本带来 {per:,.2f} {unit}"
            "（90% 区间 {lo:,.2f} 至 {hi:,.2f}）；第二是 *{second}*，为 {per2:,.2f}"
            "（{lo2:,.2f} 至 {hi2:,.2f}）。{robust}"
        ),
    },
    "summary_only": {
        "en": (
            "**{indicator}**: *{first}* is the only costed scenario, with {per:,.2f} {unit} per "
            "100 m CNY (90% interval {lo:,.2f} to {hi:,.2f})."
        ),
        "zh": (
            "**{indicator}**：*{first}* 是唯一有成本的情景，每 1 亿元净成本带来 {per:,.2f} {unit}"
            "（90% 区间 {lo:,.2f} 至 {hi:,.2f}）。"
        ),
    },
    "summary_robust": {
        "en": "The two intervals do not overlap: the first place is robust across seeds.",
        "zh": "两个区间不重叠：第一名在各随机种子间是稳健的。",
    },
    "summary_fragile": {
        "en": "The two intervals overlap: the seeds do not tell the first two apart.",
        "zh": "两个区间重叠：这些随机种子无法区分前两名。",
    },
    "summary_no_gain": {
        "en": "**{indicator}**: no costed scenario raises it (every 90% interval includes zero "
        "or lies below it).",
        "zh": "**{indicator}**：没有哪个有成本的情景能确定地提高该指标（90% 区间均包含零或为负）。",
    },
    "summary_free": {
        "en": "Scenarios with (almost) no cost, not ranked: {names}.",
        "zh": "几乎没有成本、未参与排序的情景：{names}。",
    },
    "headline": {
        "en": "Headline: change against baseline at the horizon (%)",
        "zh": "主要结果：期末相对基准情景的变化（%）",
    },
    "fiscal": {
        "en": "Fiscal cost and cost-effectiveness (m CNY, whole run)",
        "zh": "财政成本与成本效益（百万元，整个模拟期）",
    },
    "ranking": {
        "en": "Effect per 100 m CNY of net cost",
        "zh": "每 1 亿元净成本的效应",
    },
    "scenario": {"en": "Scenario", "zh": "情景"},
    "indicator": {"en": "Indicator", "zh": "指标"},
    "rank": {"en": "Rank", "zh": "排名"},
    "per_100m": {"en": "Per 100 m CNY", "zh": "每 1 亿元"},
    "per_100m_lo": {"en": "90% low", "zh": "90% 下限"},
    "per_100m_hi": {"en": "90% high", "zh": "90% 上限"},
    "unit": {"en": "Unit", "zh": "单位"},
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
    "tables_note": {
        "en": "The tables are also in `{csv}` (CSV) and `{xlsx}` (Excel).",
        "zh": "各表也以 `{csv}`（CSV）和 `{xlsx}`（Excel）格式提供。",
    },
    "na_note": {
        "en": "“–”: no gain to price (the 90% interval of the gain includes zero or is "
        "negative), or no cost.",
        "zh": "“–”：没有可计价的收益（收益的 90% 区间包含零或为负），或无成本。",
    },
    "reproduce": {"en": "Reproduce", "zh": "复现"},
    # ---- figure captions in the report
    "caption_trajectories": {
        "en": (
            "Headline indicators of the whole region, {first_year}–{last_year}: the baseline and "
            "the {n_highlight} scenarios with the largest effect on high-tech enterprises in "
            "colour (median and 5–95% range across {n_seeds} seeds), the other scenarios as thin "
            "grey medians."
        ),
        "zh": (
            "全区域主要指标，{first_year}–{last_year} 年：基准情景和对高新技术企业效应最大的 "
            "{n_highlight} 个情景以彩色显示（{n_seeds} 个随机种子的中位数及 5%–95% 区间），"
            "其他情景以灰色细线显示中位数。"
        ),
    },
    "caption_effects": {
        "en": (
            "Change against the baseline at the horizon ({last_year}), in % of the baseline, "
            "mean over {n_seeds} paired seeds with its 90% interval; scenarios sorted by size "
            "in each panel."
        ),
        "zh": (
            "期末（{last_year} 年）相对基准情景的变化，以基准值的百分比表示，为 {n_seeds} "
            "个配对随机种子的均值及 90% 区间；各分图内情景按效应大小排序。"
        ),
    },
    "caption_fiscal": {
        "en": (
            "Policy cost, {first_year}–{last_year}, median across {n_seeds} seeds. Left: "
            "whole-run cost split into the one-off cost of the first policy quarter (hatched; "
            "what that quarter costs above the next one) and recurring cost, by payer. Right: "
            "recurring cost per quarter."
        ),
        "zh": (
            "政策成本，{first_year}–{last_year} 年，{n_seeds} 个随机种子的中位数。左：整个模拟期"
            "成本，分为政策首季度的一次性成本（斜线；该季度高出下一季度的部分）和经常性成本，"
            "按承担方区分。右：每季度经常性成本。"
        ),
    },
    "caption_map": {
        "en": (
            "{scenario}: change in {indicator} per county at the horizon ({last_year}) against "
            "the baseline, mean over {n_seeds} paired seeds; every map of {indicator} shares "
            "one colour scale (±{vmax:,.3g} {unit}); hatched counties: the 90% interval includes "
            "zero."
        ),
        "zh": (
            "{scenario}：期末（{last_year} 年）各县{indicator}相对基准情景的变化，为 {n_seeds} "
            "个配对随机种子的均值；所有{indicator}地图使用同一色标（±{vmax:,.3g} {unit}）；"
            "斜线县：90% 区间包含零。"
        ),
    },
}


def t(key: str, lang: str, **fmt: Any) -> str:
    """Return text ``key`` in ``lang`` (``"en"`` or ``"zh"``), formatted with ``fmt``.

    Raises
    ------
    ValueError
        If ``lang`` is not one of :data:`LANGS`.
    KeyError
        If ``key`` is not in :data:`TEXT`.
    """
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, got {lang!r}")
    template = TEXT[key][lang]
    return template.format(**fmt) if fmt else template
