"""The report's key indicators: names, bilingual labels, units and how they aggregate.

Report §3.1 names the indicators counties are assessed on: total R&D spending, number of
high-tech enterprises, number of S&T SMEs, high-tech industry value added, invention patent
applications and grants. Issue-level additions (start-ups, incubator graduates, quoted and
listed firms, venture investment, tech loans, high-level talent, government S&T spending) come
from the practices of report §1. Fiscal and structural indicators serve the policy comparison.

Every indicator is computed per county by the indicator kernel; ``INDICATORS`` fixes their order
(the column order of the kernel's output array) and how the region-wide value is formed from the
county values (``"sum"``, or ``"ratio"`` of two summed indicators).
"""

from __future__ import annotations

from typing import NamedTuple


class Indicator(NamedTuple):
    """Metadata of one indicator.

    Attributes
    ----------
    name : str
        Column name in result tables (snake case, unit suffix where it has one).
    label_en, label_zh : str
        Labels for English and Chinese reports and figures.
    unit_en, unit_zh : str
        Unit as shown to readers.
    kind : str
        ``"stock"`` (a level at the end of the quarter) or ``"flow"`` (during the quarter).
    region_rule : str
        ``"sum"`` over counties, or ``"ratio:NUM/DEN"`` of two summed indicators.
    report : str
        Report section the indicator comes from.
    """

    name: str
    label_en: str
    label_zh: str
    unit_en: str
    unit_zh: str
    kind: str
    region_rule: str
    report: str


INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "rd_spending_mcny",
        "Total R&D spending",
        "研发经费支出",
        "m CNY/quarter",
        "百万元/季",
        "flow",
        "sum",
        "§3.1",
    ),
    Indicator(
        "revenue_mcny",
        "Firm revenue",
        "企业营业收入",
        "m CNY/quarter",
        "百万元/季",
        "flow",
        "sum",
        "§3.1 (denominator of R&D intensity)",
    ),
    Indicator(
        "rd_intensity",
        "R&D intensity",
        "研发投入强度",
        "share of revenue",
        "占营收比重",
        "flow",
        "ratio:rd_spending_mcny/revenue_mcny",
        "§3.1",
    ),
    Indicator(
        "high_tech_enterprises",
        "Certified high-tech enterprises",
        "高新技术企业数",
        "firms",
        "家",
        "stock",
        "sum",
        "§3.1",
    ),
    Indicator("st_smes", "S&T SMEs", "科技型中小企业数", "firms", "家", "stock", "sum", "§3.1"),
    Indicator(
        "high_tech_value_added_mcny",
        "High-tech industry value added",
        "高新技术产业增加值",
        "m CNY/quarter",
        "百万元/季",
        "flow",
        "sum",
        "§3.1",
    ),
    Indicator(
        "invention_patent_applications",
        "Invention patent applications",
        "发明专利申请量",
        "applications/quarter",
        "件/季",
        "flow",
        "sum",
        "§3.1",
    ),
    Indicator(
        "invention_patent_grants",
        "Invention patent grants",
        "发明专利授权量",
        "grants/quarter",
        "件/季",
        "flow",
        "sum",
        "§3.1",
    ),
    Indicator(
        "startups",
        "Start-ups founded",
        "新创企业数",
        "firms/quarter",
        "家/季",
        "flow",
        "sum",
        "§1.3",
    ),
    Indicator(
        "incubator_graduates",
        "Incubator graduates",
        "孵化器毕业企业数",
        "firms/quarter",
        "家/季",
        "flow",
        "sum",
        "§1.3",
    ),
    Indicator(
        "quoted_firms",
        "Firms quoted on an equity board",
        "挂牌企业数",
        "firms",
        "家",
        "stock",
        "sum",
        "§1.4",
    ),
    Indicator("listed_firms", "Listed firms", "上市企业数", "firms", "家", "stock", "sum", "§1.4"),
    Indicator(
        "venture_investment_mcny",
        "Venture investment",
        "创业投资额",
        "m CNY/quarter",
        "百万元/季",
        "flow",
        "sum",
        "§1.4",
    ),
    Indicator(
        "tech_loans_outstanding_mcny",
        "Tech loans outstanding",
        "科技贷款余额",
        "m CNY",
        "百万元",
        "stock",
        "sum",
        "§1.4",
    ),
    Indicator(
        "high_level_talent",
        "High-level talent employed in the county",
        "县内高层次人才数",
        "persons",
        "人",
        "stock",
        "sum",
        "§1.5, §2.3",
    ),
    Indicator(
        "rd_staff",
        "R&D and S&T staff employed in the county",
        "县内研发与科技人员数",
        "persons",
        "人",
        "stock",
        "sum",
        "§2.3",
    ),
    Indicator(
        "gov_st_spending_mcny",
        "Government S&T spending",
        "政府科技支出",
        "m CNY/quarter",
        "百万元/季",
        "flow",
        "sum",
        "§3.1",
    ),
    Indicator("firms", "Firms alive", "企业数", "firms", "家", "stock", "sum", "§2"),
    Indicator(
        "firms_doing_rd",
        "Firms doing R&D",
        "开展研发活动的企业数",
        "firms",
        "家",
        "stock",
        "sum",
        "§2.2",
    ),
    Indicator(
        "platforms",
        "Innovation platforms",
        "创新平台数",
        "platforms",
        "个",
        "stock",
        "sum",
        "§1.1, §2.1",
    ),
    Indicator(
        "platform_tenants",
        "Firms served by a platform",
        "平台服务企业数",
        "firms",
        "家",
        "stock",
        "sum",
        "§2.1",
    ),
    Indicator(
        "county_tax_revenue_mcny",
        "County tax revenue",
        "县级税收收入",
        "m CNY/quarter",
        "百万元/季",
        "flow",
        "sum",
        "§3.3",
    ),
    Indicator(
        "province_tax_revenue_mcny",
        "Province tax revenue from the region",
        "省级来自本地区的税收",
        "m CNY/quarter",
        "百万元/季",
        "flow",
        "sum",
        "§3.3",
    ),
    Indicator(
        "county_policy_cost_mcny",
        "Policy cost borne by counties",
        "县级政策成本",
        "m CNY/quarter",
        "百万元/季",
        "flow",
        "sum",
        "§3",
    ),
    Indicator(
        "province_policy_cost_mcny",
        "Policy cost borne by the province",
        "省级政策成本",
        "m CNY/quarter",
        "百万元/季",
        "flow",
        "sum",
        "§3",
    ),
    # Model-only: the statistics report R&D as firms declare it, including what they relabel
    # to reach a certification threshold (Chen et al. 2021); this is the research actually
    # done, so that a policy that buys certificates rather than research shows as such.
    Indicator(
        "rd_performed_mcny",
        "R&D actually performed (excl. relabelling)",
        "实际研发投入（不含虚报）",
        "m CNY/quarter",
        "百万元/季",
        "flow",
        "sum",
        "§3.1",
    ),
    # Money the counties hold in their guidance funds and tech-bank pools (cash plus the
    # book value of live stakes and loans): putting money into a fund moves it, a loss on a
    # closed firm spends it. The comparison nets its change out of the policy cost.
    Indicator(
        "public_fund_assets_mcny",
        "Public funds held (guidance funds, tech banks)",
        "政府引导基金与科技银行资产",
        "m CNY",
        "百万元",
        "stock",
        "sum",
        "§1.4",
    ),
    # --- what the ecosystem did, net of the policy's own money and people ----------------
    # Each pass-through indicator is the part of a gross indicator that the policy paid for
    # or brought in itself; the net indicator is the gross one without it (NET_OF below).
    # The comparison's headline ranks scenarios on the net figures.
    Indicator(
        "rd_grant_funded_mcny",
        "R&D paid by public grants",
        "政府资助的研发投入",
        "m CNY/quarter",
        "百万元/季",
        "flow",
        "sum",
        "§3.3",
    ),
    Indicator(
        "rd_performed_net_mcny",
        "R&D performed with firms' own money",
        "企业自有资金研发投入",
        "m CNY/quarter",
        "百万元/季",
        "flow",
        "sum",
        "§3.1",
    ),
    Indicator(
        "venture_public_mcny",
        "Venture investment by public funds",
        "政府基金创业投资额",
        "m CNY/quarter",
        "百万元/季",
        "flow",
        "sum",
        "§1.4",
    ),
    Indicator(
        "venture_private_mcny",
        "Venture investment by private investors",
        "社会资本创业投资额",
        "m CNY/quarter",
        "百万元/季",
        "flow",
        "sum",
        "§1.4",
    ),
    Indicator(
        "recruited_experts",
        "Experts recruited with county talent packages",
        "人才政策引进的高层次人才",
        "persons",
        "人",
        "stock",
        "sum",
        "§1.5",
    ),
    Indicator(
        "high_level_talent_net",
        "High-level talent employed, excl. package recruits",
        "高层次人才数（不含政策引进）",
        "persons",
        "人",
        "stock",
        "sum",
        "§1.5, §2.3",
    ),
    # What the binding S&T budget refused (phase 8): programmes and baseline S&T lines a
    # county could not pay above its account's floor. The mechanism by which a programme
    # displaces the baseline lines, shown in the comparison's fiscal table.
    Indicator(
        "st_cut_mcny",
        "County S&T payments cut at the budget floor",
        "县科技经费因预算约束削减额",
        "m CNY/quarter",
        "百万元/季",
        "flow",
        "sum",
        "§3.1",
    ),
    # People working for a county firm in its hub enclave (report §1.5): they live and work
    # in Shanghai or Hangzhou, so they are not county talent; counted apart.
    Indicator(
        "hub_talent_employed",
        "S&T staff employed by county firms in a hub",
        "企业在飞地雇用的科技人员",
        "persons",
        "人",
        "stock",
        "sum",
        "§1.5",
    ),
)

INDICATOR_NAMES: tuple[str, ...] = tuple(ind.name for ind in INDICATORS)
INDICATOR_INDEX: dict[str, int] = {name: i for i, name in enumerate(INDICATOR_NAMES)}
N_INDICATORS: int = len(INDICATORS)

#: Net indicator -> (gross indicator, the part of it that is the policy's own money or people).
NET_OF: dict[str, tuple[str, str]] = {
    "rd_performed_net_mcny": ("rd_performed_mcny", "rd_grant_funded_mcny"),
    "venture_private_mcny": ("venture_investment_mcny", "venture_public_mcny"),
    "high_level_talent_net": ("high_level_talent", "recruited_experts"),
}

#: Indicators in the comparison's headline table: the report's KPIs (§3.1) and talent,
#: start-ups and venture money, each net of the policy's own money and people (R&D without the
#: grants in it, private venture money, experts without package recruits; hub staff are not
#: county talent). Their gross values and the policy's part stand beside them in the
#: pass-through table (``model.sim.indicators.NET_OF``). The figures show the first six.
HEADLINE = (
    "rd_performed_net_mcny",
    "high_tech_enterprises",
    "st_smes",
    "high_tech_value_added_mcny",
    "invention_patent_applications",
    "invention_patent_grants",
    "high_level_talent_net",
    "startups",
    "venture_private_mcny",
)

#: The indicators counties are assessed on (report §3.1), in the report's order.
REPORT_KPIS: tuple[str, ...] = (
    "rd_spending_mcny",
    "high_tech_enterprises",
    "st_smes",
    "high_tech_value_added_mcny",
    "invention_patent_applications",
    "invention_patent_grants",
)


def indicator(name: str) -> Indicator:
    """Return the metadata of the indicator called ``name``.

    Raises
    ------
    KeyError
        If no indicator has that name; the message lists the known names.
    """
    try:
        return INDICATORS[INDICATOR_INDEX[name]]
    except KeyError:
        raise KeyError(
            f"unknown indicator {name!r}; known indicators: {', '.join(INDICATOR_NAMES)}"
        ) from None


def label(name: str, lang: str = "en") -> str:
    """Return the reader-facing label of an indicator in ``lang`` (``"en"`` or ``"zh"``)."""
    ind = indicator(name)
    return ind.label_zh if lang == "zh" else ind.label_en
