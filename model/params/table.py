"""Model parameters: one typed, documented, range-checked table.

Every parameter has a default, a unit, an allowed range and a source: a report section
(``../shared/docs/report-digest.md``), a study from ``priors.md``, or ``"assumption: ..."``
with the reason. Scenarios override parameters by name; anything unknown, of the wrong type
or out of range is refused with a :class:`ParameterError` naming the key and what is allowed.

Money is in million CNY (``_mcny``), time in quarters (``_q``) unless the name says otherwise.
Rates named ``_per_q`` are per quarter. Shares are fractions in [0, 1].
"""

from __future__ import annotations

import math
import numbers
from collections import namedtuple
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from model.params.reader import InputError, describe, in_range


class ParameterError(InputError):
    """A parameter name, type or value is not allowed; the message says which and why."""


@dataclass(frozen=True)
class ParameterSpec:
    """Declaration of one parameter.

    Attributes
    ----------
    name : str
        Parameter name (units in the name where it has one).
    default : float | int | bool
        Default value; its Python type is the parameter's type.
    unit : str
        Unit of the value.
    low, high : float
        Inclusive allowed range (ignored for booleans).
    source : str
        Report section, literature (see docs/ODD.md) or ``"assumption: why"``.
    doc : str
        What the parameter does.
    """

    name: str
    default: float | int | bool
    unit: str
    low: float
    high: float
    source: str
    doc: str

    @property
    def kind(self) -> type:
        """The parameter's Python type: ``bool``, ``int`` or ``float``."""
        return type(self.default)

    def allowed(self) -> str:
        """Human-readable description of the allowed values."""
        if self.kind is bool:
            return "true or false"
        kind = "an integer" if self.kind is int else "a number"
        return f"{kind} in [{self.low:g}, {self.high:g}] ({self.unit})"


def _p(name, default, unit, low, high, source, doc):
    return ParameterSpec(name, default, unit, float(low), float(high), source, doc)


_INF = math.inf

SPECS: tuple[ParameterSpec, ...] = (
    # --- scale and schedule ------------------------------------------------------------
    _p(
        "firm_scale",
        1.0,
        "model firms per firm in the region file",
        0.01,
        100.0,
        "assumption: 1 represents the region file's firm counts",
        "Multiplies every county's initial firms, platforms and talent, the region's fund and "
        "bank pools, the policy budgets set per county or region, and the flows that grow with "
        "the region: background start-ups, expert and market-fund inflows, enclave places and "
        "expert links (for scale runs; per-unit amounts such as tickets are not scaled, "
        "docs/ODD.md §2).",
    ),
    _p(
        "policy_start_step",
        4,
        "quarter",
        0,
        400,
        "assumption: one year of warm-up",
        "Quarter at which scenario rules switch on (quarter 0 is the initial state, so 0 and 1 "
        "both start in quarter 1).",
    ),
    # --- firms: production -------------------------------------------------------------
    _p(
        "firm_employees_median",
        80.0,
        "persons",
        5.0,
        5000.0,
        "assumption: median industrial enterprise above designated size",
        "Median of the log-normal initial firm size.",
    ),
    _p(
        "firm_employees_sigma",
        1.0,
        "log units",
        0.0,
        3.0,
        "assumption",
        "Dispersion of the log-normal initial firm size.",
    ),
    _p(
        "revenue_per_employee_mcny_per_q",
        0.25,
        "m CNY per employee per quarter",
        0.01,
        10.0,
        "assumption: about 1 m CNY per worker a year in Zhejiang manufacturing",
        "Base labour productivity (revenue per employee) before knowledge effects.",
    ),
    _p(
        "market_growth_per_year",
        0.095,
        "share a year",
        0.0,
        0.3,
        "calibrated: ABC-SMC posterior mean 0.095 (90% 0.049 to 0.133; contraction 0.84, "
        "identified; docs/calibration.md) against the prefectures' growth of GDP and budget "
        "revenue at current prices, 2015-2018; 0 gives a stationary economy",
        "Aggregate nominal growth the model takes as given (it does not explain it): after "
        "quarter 0 revenue per worker, wages of workers and S&T staff, the fixed cost of "
        "research and start-up equity rise by this rate a year, and knowledge is produced from "
        "R&D money deflated by the same price level (ODD §7.14). Policy budgets, fees and the "
        "thresholds written in law stay nominal, so a fixed budget weighs less every year.",
    ),
    _p(
        "productivity_sigma",
        0.2,
        "log units",
        0.0,
        2.0,
        "assumption",
        "Dispersion of firms' base productivity.",
    ),
    _p(
        "materials_share_of_revenue",
        0.84,
        "share",
        0.0,
        0.99,
        "assumption: leaves a median operating margin of a few percent before R&D",
        "Purchased inputs as a share of revenue (paid to suppliers outside the model).",
    ),
    _p(
        "worker_wage_mcny_per_q",
        0.03,
        "m CNY per person per quarter",
        0.0,
        1.0,
        "assumption: about 120 thousand CNY a year",
        "Wage of a production worker.",
    ),
    _p(
        "demand_sigma",
        0.08,
        "log units",
        0.0,
        1.0,
        "assumption",
        "Quarterly idiosyncratic demand shock of a firm's revenue.",
    ),
    _p(
        "employment_adjustment_per_q",
        0.5,
        "elasticity",
        0.0,
        5.0,
        "assumption",
        "How strongly employment follows the margin over the reference margin.",
    ),
    _p(
        "reference_margin",
        0.035,
        "share of revenue",
        -1.0,
        1.0,
        "assumption",
        "Operating margin before R&D at which a firm keeps its size.",
    ),
    _p(
        "employment_change_max_per_q",
        0.25,
        "log units per quarter",
        0.0,
        2.0,
        "assumption: hiring and firing frictions bound a quarter's change to about +-25%",
        "Largest log change of a firm's employment in one quarter, either way.",
    ),
    _p(
        "young_firm_growth_per_q",
        0.04,
        "log units per quarter",
        0.0,
        1.0,
        "Haltiwanger, Jarmin & Miranda (2013, Rev. Econ. Stat. 95(2)): surviving young firms "
        "grow much faster than mature ones (up-or-out); about +16% a year at birth is an "
        "assumption within that evidence",
        "Extra log growth of employment a start-up has at age 0; it fades with age as "
        "exp(-age / young_firm_growth_age_q).",
    ),
    _p(
        "young_firm_growth_age_q",
        12.0,
        "quarters",
        0.1,
        400.0,
        "Haltiwanger, Jarmin & Miranda (2013): the young-firm growth premium is spent within "
        "the first five years or so; 3 years is an assumption within that",
        "Age (quarters) over which the young-firm growth premium falls by the factor e.",
    ),
    _p(
        "growth_size_reversion_per_q",
        0.004,
        "per quarter",
        0.0,
        1.0,
        "Evans (1987, J. Ind. Econ. 35(4)) and Hall (1987, J. Ind. Econ. 35(4)): growth falls "
        "with size (Gibrat's law fails for small firms); the value is an assumption that keeps "
        "the dispersion of firm sizes near its initial value",
        "Log growth per quarter lost per log unit of employment above firm_employees_median "
        "(gained below it).",
    ),
    _p(
        "growth_shock_sigma",
        0.08,
        "log units",
        0.0,
        1.0,
        "assumption: annual employment growth of continuing firms of median size with a "
        "standard deviation of about 0.16 log units (0.22 at 15 employees), within the "
        "dispersion reported for manufacturing firms (Haltiwanger, Jarmin & Miranda 2013)",
        "Standard deviation of the lasting demand shock that moves a firm of median size's "
        "employment each quarter (scaled by size with shock_size_exponent).",
    ),
    _p(
        "shock_size_exponent",
        0.2,
        "elasticity",
        0.0,
        1.0,
        "Stanley et al. (1996, Nature 379: 804-806) and Amaral et al. (1997, J. Phys. I France "
        "7: 621-633): the standard deviation of firms' growth rates falls with size as "
        "size^-0.15 to size^-0.2",
        "Both demand shocks (passing on revenue, lasting on employment) have standard "
        "deviations proportional to (employees / firm_employees_median) ** -shock_size_exponent.",
    ),
    _p(
        "knowledge_productivity_elasticity",
        0.12,
        "elasticity",
        0.0,
        1.0,
        "Chen, Liu, Suárez Serrato & Xu (2021): doubling real R&D raises productivity ~9%",
        "Elasticity of productivity with respect to (1 + knowledge / knowledge_reference).",
    ),
    _p(
        "knowledge_reference",
        20.0,
        "knowledge units",
        0.01,
        1e6,
        "assumption",
        "Knowledge stock at which productivity is 2^elasticity times its base.",
    ),
    # --- taxes -------------------------------------------------------------------------
    _p(
        "cit_rate",
        0.25,
        "share of taxable profit",
        0.0,
        1.0,
        "report digest §4",
        "Standard corporate income tax rate.",
    ),
    _p(
        "cit_rate_high_tech",
        0.15,
        "share of taxable profit",
        0.0,
        1.0,
        "report digest §4",
        "Corporate income tax rate of certified high-tech enterprises.",
    ),
    _p(
        "rd_super_deduction",
        0.75,
        "share of R&D",
        0.0,
        2.0,
        "national rule from 2018: 75% additional deduction of R&D spending",
        "Additional deduction of reported R&D from taxable profit.",
    ),
    _p(
        "local_share_of_cit",
        0.40,
        "share",
        0.0,
        1.0,
        "report digest §4 (central 60%)",
        "Local (province + city + county) share of corporate income tax.",
    ),
    _p(
        "province_share_of_local_cit",
        0.30,
        "share",
        0.0,
        1.0,
        "assumption: the province keeps part of the local share and the report's rebate "
        "(§3.3) returns the increment of it",
        "Province's share of the local corporate income tax; the rest goes to the county.",
    ),
    _p(
        "county_tax_rate_on_value_added",
        0.05,
        "share of value added",
        0.0,
        0.5,
        "assumption: local share of VAT and other local taxes",
        "Local taxes other than CIT that go to the county, as a share of value added.",
    ),
    # --- R&D decisions (report §2.2 short-termism) --------------------------------------
    _p(
        "rd_intensity_emerging",
        0.079,
        "share of revenue",
        0.0,
        0.5,
        "calibrated: ABC-SMC posterior mean 0.0786 (90% 0.0587 to 0.0977; contraction 0.67, "
        "identified; docs/calibration.md); was 0.05, assumption",
        "Desired R&D intensity of an R&D-doing firm in an emerging sector.",
    ),
    _p(
        "rd_intensity_traditional",
        0.026,
        "share of revenue",
        0.0,
        0.5,
        "calibrated: ABC-SMC posterior mean 0.0261 (90% 0.0138 to 0.0463; contraction 0.18, not "
        "identified: the data leave it nearly as wide as its prior; docs/calibration.md); was "
        "0.025, assumption",
        "Desired R&D intensity of an R&D-doing firm in traditional manufacturing.",
    ),
    _p(
        "rd_participation_emerging",
        0.72,
        "share of firms",
        0.0,
        1.0,
        "calibrated: ABC-SMC posterior mean 0.722 (90% 0.439 to 0.956; contraction 0.74, "
        "identified; docs/calibration.md); was 0.55, assumption: report §2.2, few firms do R&D",
        "Share of emerging-sector firms inclined to do R&D.",
    ),
    _p(
        "rd_participation_traditional",
        0.32,
        "share of firms",
        0.0,
        1.0,
        "calibrated: ABC-SMC posterior mean 0.321 (90% 0.0459 to 0.719; contraction 0.51, "
        "identified; docs/calibration.md); was 0.18, assumption: report §2.2, few firms do R&D",
        "Share of traditional-sector firms inclined to do R&D.",
    ),
    _p(
        "short_termism",
        0.3,
        "share",
        0.0,
        1.0,
        "report §2.2 (short-termism)",
        "Share by which firms cut desired R&D below the long-run optimum.",
    ),
    _p(
        "rd_user_cost_elasticity",
        -1.4,
        "elasticity",
        -3.0,
        0.0,
        "calibrated: ABC-SMC posterior mean -1.44 (90% -2.77 to -0.059; contraction 0.07, not "
        "identified: the data leave it nearly as wide as its prior; docs/calibration.md); was -1, "
        "Bloom, Griffith & Van Reenen (2002): about -1 (Chen et al. 2018 working paper: 1.14 for "
        "real R&D)",
        "Response of desired R&D, and of the pull to do R&D at all, to the firm's user cost "
        "(B-index of its own tax rate, the super-deduction and the expected ex-post patent "
        "subsidy) relative to a 25%-taxed firm under the 2018 rules.",
    ),
    _p(
        "rd_intensity_young_multiple",
        3.0,
        "multiple of the desired intensity",
        1.0,
        10.0,
        "assumption: young innovative firms plan R&D large relative to their sales and cash "
        "flow (Hall & Lerner 2010; Brown, Fazzari & Petersen 2009)",
        "Desired R&D intensity of a firm younger than 12 quarters, as a multiple of its "
        "sector's intensity.",
    ),
    _p(
        "rd_cash_share_max",
        0.25,
        "share of cash per quarter",
        0.0,
        1.0,
        "assumption: firms finance R&D internally and keep a cash reserve to smooth it (Hall & "
        "Lerner 2010; Brown & Petersen 2011); spending it over about a year",
        "Share of its cash reserve a firm spends on own R&D in a quarter on top of last "
        "quarter's cash flow before R&D (the finance limit of own R&D).",
    ),
    _p(
        "rd_fixed_cost_mcny_per_q",
        0.03,
        "m CNY per quarter",
        0.0,
        10.0,
        "assumption: research has a minimum scale, so participation rises with firm size "
        "(Cohen & Klepper 1996); about a third of one R&D employee's cost",
        "Smallest desired R&D at which a firm finds it worth running research at all; also "
        "the smallest R&D at which a firm reads its expected patents per m CNY.",
    ),
    _p(
        "rd_start_hurdle",
        0.2,
        "share of the return",
        0.0,
        1.0,
        "assumption from Máñez et al. (2009) and Arqué-Castells & Mohnen (2015): sunk costs "
        "of starting R&D make R&D status persistent",
        "Margin by which a firm not yet doing R&D needs its pull and desired R&D to exceed the "
        "levels at which a firm already doing R&D continues.",
    ),
    _p(
        "notch_window",
        0.4,
        "share of threshold",
        0.0,
        1.0,
        "Chen et al. (2021): bunching at the 3/4/5% thresholds",
        "Firms whose R&D intensity lies within this fraction below the certification "
        "threshold raise reported R&D to reach it (if the tax saving pays).",
    ),
    _p(
        "notch_saving_weight",
        1.0,
        "quarters of saving per quarter of cost",
        0.0,
        12.0,
        "assumption: myopic firms (report §2.2 short-termism) weigh one quarter's tax saving "
        "against one quarter's extra R&D; up to 12, the quarters a certificate lasts",
        "How many quarters of the certification's tax saving (and bonus) a firm near the "
        "threshold counts against one quarter of the extra real R&D it must do.",
    ),
    _p(
        "relabel_share",
        0.242,
        "share of reported R&D",
        0.0,
        1.0,
        "Chen et al. (2021): relabelling is 24.2% of reported R&D",
        "Share of the R&D a bunching firm reports at the certification threshold that is "
        "relabelled other expenses, not research (less where its own R&D is already closer "
        "to the threshold: then only the gap is relabelled).",
    ),
    _p(
        "rd_staff_share_of_rd",
        0.55,
        "share of R&D spending",
        0.05,
        1.0,
        "assumption: personnel are about half of R&D spending in Chinese firms",
        "Share of real R&D spent on R&D staff wages; the rest buys materials and services.",
    ),
    # --- talent (report §1.5, §2.3) --------------------------------------------------
    _p(
        "wage_rd_staff_mcny_per_q",
        0.045,
        "m CNY per person per quarter",
        0.0,
        1.0,
        "assumption: about 180 thousand CNY a year",
        "Wage of R&D staff (tier 0).",
    ),
    _p(
        "wage_senior_mcny_per_q",
        0.08,
        "m CNY per person per quarter",
        0.0,
        2.0,
        "assumption: about 320 thousand CNY a year",
        "Wage of a senior engineer (tier 1).",
    ),
    _p(
        "wage_expert_mcny_per_q",
        0.2,
        "m CNY per person per quarter",
        0.0,
        5.0,
        "assumption: about 800 thousand CNY a year",
        "Wage of a high-level expert (tier 2).",
    ),
    _p(
        "wage_tightness_elasticity",
        0.1,
        "elasticity",
        0.0,
        1.0,
        "Blanchflower & Oswald (1994, The Wage Curve; 1995, J. Econ. Perspect. 9(3)): pay "
        "falls with local unemployment with an elasticity of about -0.1 across countries",
        "Elasticity of a county's wage of a tier to its labour-market tightness (vacancies "
        "per unemployed S&T worker of the tier): the wage curve. 0: wages fixed by tier.",
    ),
    _p(
        "wage_reference_tightness",
        0.2,
        "vacancies per seeker",
        0.01,
        100.0,
        "assumption: the baseline's own tightness of R&D staff with fixed wages (open "
        "vacancies in persons per unemployed R&D staff at quarter 40: 0.23, 0.17, 0.14, 0.12 "
        "for seeds 1-4; ODD §7.2), so baseline R&D staff wages stay near the table wage",
        "Tightness at which a county pays the table wage of a tier.",
    ),
    _p(
        "wage_adjustment_per_q",
        0.25,
        "share of the gap per quarter",
        0.0,
        1.0,
        "assumption: wages close a quarter of the gap to the wage curve each quarter "
        "(partial adjustment; wage contracts are set about yearly)",
        "Speed at which a county's wage index moves toward the wage curve.",
    ),
    _p(
        "wage_tightness_bound",
        10.0,
        "ratio",
        1.0,
        1000.0,
        "assumption: tightness counts at most 10 times (or a tenth of) the reference, so a "
        "county with no unemployed expert does not bid wages without limit",
        "Bound on tightness / reference in the wage curve.",
    ),
    _p(
        "senior_share_of_staff",
        0.15,
        "share",
        0.0,
        1.0,
        "assumption",
        "Share of initial and new S&T staff who are senior engineers.",
    ),
    _p(
        "talent_weight_senior",
        2.0,
        "R&D staff equivalents",
        1.0,
        20.0,
        "assumption",
        "Research output of a senior engineer relative to R&D staff.",
    ),
    _p(
        "talent_weight_expert",
        5.0,
        "R&D staff equivalents",
        1.0,
        50.0,
        "assumption: report §2.3, scarce high-level talent",
        "Research output of a high-level expert relative to R&D staff.",
    ),
    _p(
        "talent_inflow_per_q",
        0.025,
        "share of initial county S&T staff",
        0.0,
        0.5,
        "assumption: graduates and arrivals",
        "New S&T staff arriving in each county.",
    ),
    _p(
        "talent_attrition_per_q",
        0.015,
        "probability",
        0.0,
        0.5,
        "assumption: retirement and departure",
        "Chance an S&T worker leaves the system.",
    ),
    _p(
        "expert_drain_to_hub_per_q",
        0.072,
        "probability",
        0.0,
        1.0,
        "calibrated: ABC-SMC posterior mean 0.072 (90% 0.0058 to 0.243; contraction -0.03, not "
        "identified: the data leave it nearly as wide as its prior; docs/calibration.md); was "
        "0.02, Moretti (2012); report §2.3: talent moves to big cities",
        "Chance a county expert moves to the nearest hub in a quarter.",
    ),
    _p(
        "expert_inflow_per_q",
        1.0,
        "experts per county per quarter",
        0.0,
        100.0,
        "assumption: report §1.5 counts tens of experts per county",
        "Experts recruited to each county per quarter without subsidy.",
    ),
    _p(
        "expert_recruit_supply_per_q",
        20.0,
        "experts per quarter for the region",
        0.0,
        1e4,
        "assumption: report §1.5 — Changxing, the most active county, holds 54 "
        "provincial-or-higher experts built up over several years; about 20 a quarter for the "
        "region's twelve counties is the same order (and near what the baseline's talent "
        "money asks for, so extra packages compete for the same people)",
        "Experts the region's counties can recruit with talent packages in a quarter (a finite "
        "market: when counties bid for more, each gets a share in proportion to the packages "
        "it can pay).",
    ),
    _p(
        "matching_draws",
        3,
        "candidate employers",
        1,
        50,
        "assumption",
        "Employers an unmatched worker samples in a quarter (shared databases raise it).",
    ),
    _p(
        "cross_sector_acceptance",
        0.3,
        "probability",
        0.0,
        1.0,
        "assumption",
        "Chance a worker takes a job outside their sector of expertise.",
    ),
    # --- knowledge production and patents --------------------------------------------
    _p(
        "knowledge_productivity",
        1.0,
        "knowledge units per (m CNY)^beta",
        0.0,
        100.0,
        "assumption: scale constant",
        "Scale of the knowledge production function.",
    ),
    _p(
        "rd_output_elasticity",
        0.55,
        "elasticity",
        0.05,
        1.0,
        "calibrated: ABC-SMC posterior mean 0.55 (90% 0.139 to 0.97; contraction 0.04, not "
        "identified: the data leave it nearly as wide as its prior; docs/calibration.md); was "
        "0.5, priors: patents respond to R&D with elasticity 0.3-0.6 within firms",
        "Elasticity of new knowledge with respect to effective R&D input.",
    ),
    _p(
        "knowledge_depreciation_per_q",
        0.04,
        "share per quarter",
        0.0,
        1.0,
        "priors: R&D capital depreciates 15-20% a year (Hall, Mairesse & Mohnen 2010)",
        "Depreciation of firms' knowledge stock.",
    ),
    _p(
        "spillover_half_distance_km",
        15.0,
        "km",
        0.5,
        500.0,
        "priors: spill-overs decay with distance (Jaffe et al. 1993; Keller 2002)",
        "Distance at which same-sector knowledge spill-overs fall to half.",
    ),
    _p(
        "spillover_strength",
        0.6,
        "multiplier at saturation",
        0.0,
        10.0,
        "assumption",
        "Most that nearby same-sector knowledge raises knowledge production.",
    ),
    _p(
        "spillover_half_knowledge",
        2000.0,
        "knowledge units",
        1.0,
        1e9,
        "assumption",
        "Nearby same-sector knowledge at which the spill-over reaches half its strength.",
    ),
    _p(
        "platform_service_strength",
        0.71,
        "multiplier at saturation",
        0.0,
        10.0,
        "calibrated: ABC-SMC posterior mean 0.705 (90% 0.285 to 1.17; contraction 0.02, not "
        "identified: the data leave it nearly as wide as its prior; docs/calibration.md); was "
        "0.6, assumption: report §2.4, services raise the productivity of firm R&D",
        "Most that a platform's services raise a tenant's knowledge production.",
    ),
    _p(
        "patents_per_knowledge",
        0.35,
        "applications per knowledge unit",
        0.0,
        100.0,
        "calibrated: ABC-SMC posterior mean 0.35 (90% 0.174 to 0.632; contraction 0.93, "
        "identified; docs/calibration.md); was 0.8, assumption: chosen by eye for about "
        "3,000-4,000 invention applications a quarter in the region",
        "Expected invention patent applications per unit of new knowledge.",
    ),
    _p(
        "patent_grant_lag_q",
        10,
        "quarters",
        1,
        24,
        "priors: 2-3 years from application to grant",
        "Lag from application to grant.",
    ),
    _p(
        "patent_grant_probability",
        0.16,
        "probability",
        0.0,
        1.0,
        "calibrated: ABC-SMC posterior mean 0.164 (90% 0.0913 to 0.26; contraction 0.97, "
        "identified; docs/calibration.md); was 0.45, priors: a large share of applications is "
        "never granted",
        "Chance an invention application is eventually granted.",
    ),
    # --- platforms (report §1.1, §2.1, §2.2) ------------------------------------------
    _p(
        "platform_overhead_mcny_per_q",
        0.25,
        "m CNY per platform per quarter",
        0.0,
        100.0,
        "assumption: report §2.1, scattered platforms each carry their own fixed costs",
        "Fixed running cost of a platform (building, management) that builds no quality.",
    ),
    _p(
        "platform_quality_per_mcny",
        1.0,
        "quality units per m CNY",
        0.0,
        100.0,
        "assumption",
        "Quality built by one m CNY of budget above overhead.",
    ),
    _p(
        "platform_quality_depreciation_per_q",
        0.05,
        "share per quarter",
        0.0,
        1.0,
        "assumption: report §2.2, output lags investment",
        "Depreciation of platform quality; quality builds up over several years.",
    ),
    _p(
        "platform_quality_half",
        10.0,
        "quality units",
        0.01,
        1e6,
        "assumption",
        "Quality at which an incubator takes in half its possible start-ups (platform services "
        "to firms use platform_quality_half_per_tenant).",
    ),
    _p(
        "platform_service_half_distance_km",
        8.0,
        "km",
        0.5,
        500.0,
        "assumption: report §2.1 weak radiation of scattered platforms",
        "Distance at which platform services to a firm fall to half.",
    ),
    _p(
        "platform_sector_mismatch",
        0.4,
        "service factor",
        0.0,
        1.0,
        "assumption",
        "Service factor for a firm whose sector differs from a specialised platform's focus.",
    ),
    _p(
        "platform_sector_match_gain",
        0.5,
        "share",
        0.0,
        5.0,
        "assumption: report §3.2, a platform focused on a sector (Shenzhen's one centre per "
        "sector) works on that sector's common problems; its staff and equipment serve a firm "
        "of the sector half again as well as a general platform's",
        "Extra service a firm gets from a platform focused on its own sector: the platform's "
        "quality and equipment per tenant count (1 + gain) times for it.",
    ),
    _p(
        "platform_quality_half_per_tenant",
        0.6,
        "quality units per tenant",
        0.001,
        1e6,
        "assumption: set so that the baseline's mean service to tenants stays near its level "
        "when service was read from a platform's whole quality (0.1 at quarter 20)",
        "Quality per tenant at which a platform's staff deliver half their possible services "
        "(a platform's quality is shared among its tenants: congestion).",
    ),
    _p(
        "platform_equipment_service_share",
        0.3,
        "share",
        0.0,
        1.0,
        "assumption: report §3.4, testing and instruments are one of four service lines "
        "(information, IP, finance, technical testing, report §2.4), weighted a little above "
        "a quarter for R&D",
        "Share of a platform's service that needs shared equipment; the rest needs only staff "
        "(quality).",
    ),
    _p(
        "platform_equipment_half_mcny_per_tenant",
        0.1,
        "m CNY per tenant",
        0.0001,
        1e4,
        "assumption: about the baseline's median equipment per tenant (0.07 m CNY)",
        "Equipment per tenant at which a platform delivers half its equipment services.",
    ),
    _p(
        "platform_equipment_share_of_investment",
        0.3,
        "share of investment",
        0.0,
        1.0,
        "assumption: most of what a platform spends beyond overheads pays service staff and "
        "programmes; report §2.1 finds equipment under-used and §3.4 asks that it be shared",
        "Share of a platform's spending beyond overheads that buys shareable equipment; the "
        "rest builds service quality.",
    ),
    _p(
        "anchor_platform_radiation",
        0.3,
        "service factor",
        0.0,
        1.0,
        "report §2.2: platforms built around a single firm do not radiate to the sector",
        "Service factor for firms other than the anchor of a single-firm platform.",
    ),
    _p(
        "platform_tenant_fee_mcny_per_q",
        0.01,
        "m CNY per tenant per quarter",
        0.0,
        10.0,
        "assumption",
        "Fee a tenant pays its platform.",
    ),
    _p(
        "platform_min_capacity",
        8,
        "tenant slots",
        1,
        10000,
        "assumption",
        "Smallest tenant capacity of a platform.",
    ),
    _p(
        "platform_switch_per_q",
        0.1,
        "probability",
        0.0,
        1.0,
        "assumption",
        "Chance a firm reconsiders its platform in a quarter.",
    ),
    _p(
        "platform_candidates",
        3,
        "platforms",
        1,
        50,
        "assumption",
        "Platforms a firm compares when choosing one.",
    ),
    _p(
        "anchor_platform_share",
        0.3,
        "share of platforms",
        0.0,
        1.0,
        "report §2.2: several platforms are built around a single firm",
        "Share of initial platforms built around a single anchor firm.",
    ),
    _p(
        "incubator_share",
        0.35,
        "share of platforms",
        0.0,
        1.0,
        "report §1.1: startup-mentoring platforms are one of three classes",
        "Share of initial platforms that are incubators or maker spaces.",
    ),
    _p(
        "incubation_startups_per_q",
        0.04,
        "start-ups per free slot at full quality",
        0.0,
        1.0,
        "assumption: report §1.3, 120+ firms in the Jiashan incubator",
        "Start-ups an incubator produces per free slot per quarter at full quality.",
    ),
    _p(
        "incubation_max_q",
        12,
        "quarters",
        1,
        80,
        "assumption: three years",
        "Longest an incubated firm stays before it graduates or leaves.",
    ),
    _p(
        "graduation_revenue_mcny_per_q",
        3.0,
        "m CNY per quarter",
        0.0,
        1e4,
        "assumption",
        "Revenue at which an incubated firm graduates early.",
    ),
    # --- entry and exit --------------------------------------------------------------
    _p(
        "spinoff_startups_per_senior_per_q",
        0.002,
        "start-ups per senior talent",
        0.0,
        1.0,
        "assumption",
        "Start-ups founded by employed senior talent and experts.",
    ),
    _p(
        "background_startups_per_county_per_q",
        11.0,
        "start-ups",
        0.0,
        1e4,
        "calibrated: ABC-SMC posterior mean 11.4 (90% 2.3 to 29.8; contraction -0.07, not "
        "identified: the data leave it nearly as wide as its prior; docs/calibration.md); was 8, "
        "assumption: keeps the firm count near steady state in the baseline",
        "Start-ups per county and quarter from outside the S&T system.",
    ),
    _p(
        "startup_cash_mcny",
        2.0,
        "m CNY",
        0.0,
        1e3,
        "assumption",
        "Founders' equity a start-up begins with (a source of money).",
    ),
    _p(
        "startup_employees", 15.0, "persons", 1.0, 1e3, "assumption", "Employees of a new start-up."
    ),
    _p(
        "exit_hazard_per_q",
        0.005,
        "probability",
        0.0,
        1.0,
        "assumption: about 2% of old firms of median size close a year besides "
        "insolvencies; SAIC (2013) reports yearly death rates of Chinese enterprises falling "
        "below 8% only after seven years, most of them small",
        "Chance that an old firm of median size (firm_employees_median) closes in a quarter "
        "besides insolvency; higher for young and small firms.",
    ),
    _p(
        "young_firm_hazard_multiplier",
        7.5,
        "multiplier",
        1.0,
        50.0,
        "set by its own target, not free in the county calibration, whose figures do not "
        "inform it (with it free, an ABC-SMC posterior of commit f2c67ab stayed nearly as wide "
        "as its prior: mean 12.2, 90% 5.69 to 17.3, contraction 0.22; docs/calibration.md): "
        "five-year survival of start-ups about 52% in the baseline, between the "
        "OECD/Eurostat business demography (40-50% in most countries) and SAIC (2013) "
        "全国内资企业生存时间分析报告 (yearly death rates 1.6%, 6.3%, 9.5% in years 1-3, above 8% "
        "to year 7: about 70%); exit rates fall with age (Evans 1987; Dunne, Roberts & Samuelson "
        "1988, 1989)",
        "Hazard of a firm at age 0 relative to an old firm of the same size; the excess fades "
        "with age as exp(-age / exit_hazard_age_decay_q).",
    ),
    _p(
        "exit_hazard_age_decay_q",
        12.0,
        "quarters",
        0.1,
        400.0,
        "assumption: the liability of newness is mostly spent by year 5-7 (SAIC 2013: death "
        "rates fall after the seventh year; Evans 1987)",
        "Age (quarters) over which the young-firm excess hazard falls by the factor e.",
    ),
    _p(
        "exit_hazard_size_elasticity",
        0.3,
        "elasticity",
        0.0,
        2.0,
        "Dunne, Roberts & Samuelson (1989, Q. J. Econ. 104(4)): failure rates of US "
        "manufacturing plants fall with size, about 2-3 times higher at 5-19 employees than at "
        "250+; SAIC (2013): the larger the firm, the higher its survival",
        "The background hazard is proportional to (employees / firm_employees_median) ** "
        "-exit_hazard_size_elasticity.",
    ),
    _p(
        "insolvency_cash_quarters",
        1.0,
        "quarters of revenue",
        0.0,
        100.0,
        "assumption",
        "A firm closes when its cash falls below minus this many quarters of revenue.",
    ),
    # --- finance (report §1.4) -------------------------------------------------------
    _p(
        "loan_rate_per_q",
        0.012,
        "share per quarter",
        0.0,
        0.2,
        "assumption: about 5% a year",
        "Interest rate of tech loans.",
    ),
    _p(
        "loan_amortisation_per_q",
        0.08,
        "share per quarter",
        0.0,
        1.0,
        "assumption",
        "Share of a tech loan repaid each quarter.",
    ),
    _p(
        "patent_pledge_value_mcny",
        0.7,
        "m CNY per granted patent",
        0.0,
        100.0,
        "report §1.4: 250 m CNY lent to 36 SMEs against IP in Jiashan",
        "Loan a tech bank grants per pledged invention patent.",
    ),
    _p(
        "tech_bank_pool_mcny",
        40.0,
        "m CNY per county",
        0.0,
        1e6,
        "assumption: below Jiashan's five tech banks, 94.62 m CNY outstanding (report §1.4; "
        "Jiashan's own pool in the region file)",
        "Lending pool of the tech bank of a county the report gives none.",
    ),
    _p(
        "guidance_fund_mcny",
        80.0,
        "m CNY per county",
        0.0,
        1e6,
        "assumption: smaller than Changxing's six funds, 458.5 m CNY (report §1.4; Changxing's "
        "own pool in the region file)",
        "Pool of the government guidance fund of a county the report gives none.",
    ),
    _p(
        "guidance_leverage",
        1.0,
        "market CNY per guidance CNY",
        0.0,
        10.0,
        "report §1.4: Changxing 458.5 m of funds led to 915 m invested",
        "Market co-investment that follows each guidance-fund investment.",
    ),
    _p(
        "mother_fund_mcny",
        1500.0,
        "m CNY for the region",
        0.0,
        1e6,
        "report §1.4: the institute's mother fund manages > 7.5 bn CNY (province-wide)",
        "Pool of the regional S&T mother fund.",
    ),
    _p(
        "mother_fund_leverage",
        1.36,
        "sub-fund CNY per mother-fund CNY",
        0.0,
        10.0,
        "report §1.4: 7.5 bn -> 10.2 bn of sub-funds attracted",
        "Market money the mother fund's investments attract.",
    ),
    _p(
        "market_vc_mcny",
        150.0,
        "m CNY per county",
        0.0,
        1e6,
        "assumption",
        "Pool of market venture funds active in each county.",
    ),
    _p(
        "market_vc_inflow_mcny_per_q",
        10.0,
        "m CNY per county per quarter",
        0.0,
        1e5,
        "assumption",
        "New commitments from outside investors to market venture funds.",
    ),
    _p("vc_ticket_mcny", 5.0, "m CNY", 0.01, 1e4, "assumption", "Size of a venture investment."),
    _p(
        "vc_max_firm_age_q",
        40,
        "quarters",
        1,
        400,
        "Gompers & Lerner (2001, J. Econ. Perspect. 15(2), 'The venture capital revolution'): "
        "venture capital finances young, innovative firms; 10 years covers seed to expansion "
        "stages (assumption for the cut-off)",
        "Funds invest only in firms younger than this that pay for R&D of their own this "
        "quarter (the venture stage); older firms and firms without own R&D are not "
        "candidates.",
    ),
    _p(
        "vc_deals_per_fund_per_q",
        1,
        "deals",
        0,
        100,
        "assumption",
        "Investments a fund makes per quarter at least (more when its pool is large: "
        "vc_investment_period_q).",
    ),
    _p(
        "vc_investment_period_q",
        20,
        "quarters",
        1,
        200,
        "Metrick & Yasuda (2010, Review of Financial Studies): venture funds invest their "
        "committed capital over an investment period of about five years",
        "A fund invests its pool over this many quarters: deals per quarter are pool / (ticket "
        "x period), at least vc_deals_per_fund_per_q (at most 100).",
    ),
    _p("vc_candidates", 20, "firms", 1, 1000, "assumption", "Firms a fund screens per deal."),
    _p(
        "market_vc_threshold",
        0.6,
        "score",
        0.0,
        10.0,
        "Brander, Du & Hellmann (2015): private VC selects more strictly",
        "Lowest screening score a market fund invests in.",
    ),
    _p(
        "guidance_threshold",
        0.4,
        "score",
        0.0,
        10.0,
        "Brander, Du & Hellmann (2015): pure government VC underperforms",
        "Lowest screening score a guidance fund invests in.",
    ),
    _p(
        "vc_exit_multiple",
        3.0,
        "x invested",
        0.0,
        100.0,
        "priors: venture returns are highly skewed; a few listings return most",
        "Multiple a fund receives when a portfolio firm lists.",
    ),
    _p(
        "quotation_probability_per_q",
        0.0029,
        "probability",
        0.0,
        1.0,
        "calibrated: ABC-SMC posterior mean 0.00293 (90% 0.000571 to 0.00681; contraction 0.02, "
        "not identified: the data leave it nearly as wide as its prior; docs/calibration.md); was "
        "0.002, report §1.4: 14 Jiashan firms quoted on NEEQ or the Zhejiang equity exchange",
        "Chance an eligible firm quotes on an equity board in a quarter.",
    ),
    _p(
        "quotation_min_revenue_mcny_per_q",
        5.0,
        "m CNY per quarter",
        0.0,
        1e5,
        "assumption",
        "Revenue a firm needs to quote.",
    ),
    _p(
        "quoted_raise_probability_per_q",
        0.05,
        "probability",
        0.0,
        1.0,
        "report §1.4: 20+ quoted firms raised 1.35 bn CNY in Changxing",
        "Chance a quoted firm raises equity in a quarter.",
    ),
    _p(
        "quoted_raise_share_of_revenue",
        0.5,
        "quarters of revenue",
        0.0,
        100.0,
        "assumption",
        "Equity a quoted firm raises, in quarters of revenue.",
    ),
    _p(
        "listing_probability_per_q",
        0.01,
        "probability",
        0.0,
        1.0,
        "report §1.4: Changxing has 4 listed companies and 10 preparing IPOs",
        "Chance an eligible quoted firm lists in a quarter.",
    ),
    _p(
        "listing_min_revenue_mcny_per_q",
        60.0,
        "m CNY per quarter",
        0.0,
        1e6,
        "assumption",
        "Revenue a quoted firm needs to list.",
    ),
    _p(
        "initial_quoted_share",
        0.019,
        "share of firms",
        0.0,
        1.0,
        "report §1.4: 37 NEEQ firms in Changxing and 14 firms quoted on NEEQ or the Zhejiang "
        "equity exchange in Jiashan, over the 1,350 + 1,300 firms of the two counties in the "
        "region file: (37 + 14) / 2,650 = 0.019",
        "Share of each county's initial firms quoted on an equity board but not listed: the "
        "largest by revenue after the listed ones.",
    ),
    _p(
        "initial_listed_share",
        0.003,
        "share of firms",
        0.0,
        1.0,
        "report §1.4: Changxing's 4 listed companies over its 1,350 firms in the region file",
        "Share of each county's initial firms that are listed: the largest by revenue.",
    ),
    # --- government (report §3.1, §3.3) ----------------------------------------------
    _p(
        "county_st_share_of_revenue",
        0.06,
        "share of county tax revenue",
        0.0,
        1.0,
        "assumption: county S&T spending is a few percent of the budget",
        "Share of county tax revenue spent on S&T.",
    ),
    _p(
        "county_st_deficit_limit_years",
        0.25,
        "years of the county's base S&T envelope",
        0.0,
        10.0,
        "assumption: the Budget Law (2014, art. 35) has county budgets balance without a "
        "deficit; a quarter of a year's S&T money stands for arrears and short-term financing "
        "through county platforms",
        "How far programmes may take a county's S&T account below zero (the floor no payment "
        "crosses; the baseline S&T lines only spend a positive balance).",
    ),
    _p(
        "county_borrowing_rate_per_q",
        0.01,
        "per quarter",
        0.0,
        0.5,
        "assumption: about 4% a year, near the yields of local government bonds in 2018",
        "Interest a county pays each quarter on a deficit of its S&T account (a policy cost).",
    ),
    _p(
        "st_share_platforms",
        0.55,
        "share of county S&T spending",
        0.0,
        1.0,
        "report §2.1: S&T money spread over many platforms",
        "Share of county S&T spending given to its platforms, in equal parts.",
    ),
    _p(
        "st_share_rd_grants",
        0.35,
        "share of county S&T spending",
        0.0,
        1.0,
        "assumption",
        "Share of county S&T spending paid as R&D grants to R&D-doing firms.",
    ),
    _p(
        "st_share_talent",
        0.10,
        "share of county S&T spending",
        0.0,
        1.0,
        "assumption",
        "Share of county S&T spending on talent subsidies (raises expert recruitment).",
    ),
    _p(
        "expert_recruitment_cost_mcny",
        2.0,
        "m CNY per expert",
        0.01,
        1e3,
        "assumption: county talent packages of several hundred thousand CNY",
        "Subsidy that recruits one extra expert.",
    ),
    _p(
        "province_platform_budget_mcny_per_q",
        30.0,
        "m CNY per quarter for the region",
        0.0,
        1e6,
        "assumption: province funds provincial and national platforms",
        "Province money for platforms of provincial or national level.",
    ),
    _p(
        "rd_grant_crowding_out",
        0.3,
        "share of grant",
        0.0,
        1.0,
        "priors: crowding out varies widely (David, Hall & Toole 2000)",
        "Share of an R&D grant that replaces the firm's own R&D money.",
    ),
    _p(
        "rd_grant_rate_max",
        0.3,
        "share of real R&D",
        0.0,
        1.0,
        "assumption: county grants co-fund R&D projects and pay at most a minority share of "
        "them (report §3.3: joint funding with the firm's own money)",
        "Cap on the county's baseline grant rate: its grant money divided by the real R&D of "
        "its R&D-doing firms.",
    ),
    # --- policy levers (report §3); off or neutral in the baseline -------------------
    _p(
        "consolidation_enabled",
        False,
        "switch",
        0,
        1,
        "report §2.1, §3.3",
        "Merge nearby small platforms within each county at policy start.",
    ),
    _p(
        "consolidation_radius_km",
        15.0,
        "km",
        0.0,
        500.0,
        "assumption",
        "Platforms within this distance of a larger one in the same county merge into it.",
    ),
    _p(
        "merger_cost_mcny",
        2.0,
        "m CNY per merged platform",
        0.0,
        1e4,
        "assumption",
        "One-off cost of merging a platform, paid by the county.",
    ),
    _p(
        "merger_transition_q",
        4,
        "quarters",
        0,
        40,
        "assumption",
        "Quarters during which a merged platform builds no quality (reorganisation).",
    ),
    _p(
        "specialisation_enabled",
        False,
        "switch",
        0,
        1,
        "report §3.2",
        "Give platforms distinct sector foci by a cross-county plan.",
    ),
    _p(
        "tax_rebate_share",
        0.0,
        "share",
        0.0,
        1.0,
        "report §3.3",
        "Share of the incremental province part of high-tech enterprises' CIT returned to "
        "the firm's county.",
    ),
    _p(
        "rebate_reinvest_share",
        0.5,
        "share",
        0.0,
        1.0,
        "assumption: the county's rule for using the rebate",
        "Share of the rebate the county adds to its S&T spending (the rest is general).",
    ),
    _p(
        "voucher_budget_mcny_per_q",
        0.0,
        "m CNY per quarter for the region",
        0.0,
        1e5,
        "report §3.4",
        "Innovation voucher budget, funded half by counties, half by province.",
    ),
    _p(
        "voucher_face_value_mcny",
        0.1,
        "m CNY",
        0.001,
        100.0,
        "assumption: vouchers of 100 thousand CNY",
        "Face value of one voucher.",
    ),
    _p(
        "voucher_nonuse",
        0.1,
        "share",
        0.0,
        1.0,
        "Cornet, Vroomen & van der Steeg: about 10% never used",
        "Share of issued vouchers never redeemed (money returns to the budget).",
    ),
    _p(
        "voucher_crowding_out",
        0.1,
        "share of face value",
        0.0,
        1.0,
        "Cornet, Vroomen & van der Steeg: about 10% deadweight",
        "Share of a voucher that replaces R&D the firm would have done anyway.",
    ),
    _p(
        "voucher_copay_share",
        0.5,
        "share of face value",
        0.0,
        5.0,
        "assumption: voucher schemes in China (e.g. Zhejiang's and Shanghai's innovation "
        "vouchers) pay part of a service contract and the firm the rest; half the face value",
        "The firm's own R&D money a redeemed voucher's project takes, per unit of face value "
        "(paid from its cash, within its cash limit; it is how a voucher lets a firm start "
        "R&D).",
    ),
    _p(
        "voucher_by_application",
        True,
        "switch",
        0,
        1,
        "report §3.4 and Cornet, Vroomen & van der Steeg: firms apply for a voucher with a "
        "project (the Dutch lottery was among applicants)",
        "Vouchers go to firms that apply (an R&D project: R&D staff or an R&D budget, and a "
        "platform to redeem at), by lottery when oversubscribed; off: a lottery among all "
        "eligible SMEs, and winners without a project never redeem theirs.",
    ),
    _p(
        "equipment_sharing_regionwide",
        False,
        "switch",
        0,
        1,
        "report §3.4",
        "Vouchers buy equipment time on any platform of the region, not only nearby.",
    ),
    _p(
        "enclaves_enabled",
        False,
        "switch",
        0,
        1,
        "report §1.5, §3.5",
        "Counties without an enclave of their own open one in their hub (R&D in the hub, "
        "production at home); Jiashan's and Changxing's enclaves (region file) are the status "
        "quo and open either way.",
    ),
    _p(
        "enclave_default_floor_m2",
        10000.0,
        "m2",
        0.0,
        1e6,
        "assumption",
        "Enclave floor space of counties the report gives none.",
    ),
    _p(
        "enclave_m2_per_firm",
        1666.0,
        "m2 per firm",
        10.0,
        1e5,
        "report §1.5: Changxing's 40,000 m2 enclave hosts 24 firms (1,666 m2 a firm gives the "
        "24 places; Jiashan's 17,000 m2 give 10)",
        "Floor space an enclave firm occupies.",
    ),
    _p(
        "enclave_m2_per_worker",
        25.0,
        "m2 per S&T worker",
        1.0,
        1e3,
        "assumption: offices, laboratories and shared space of an R&D enclave, about 25 m2 "
        "gross per worker; with 1,600 m2 per firm (report §1.5) about 64 workers per firm",
        "Floor space one S&T worker of an enclave firm needs in the hub; caps how many hub "
        "workers an enclave firm can employ.",
    ),
    _p(
        "hub_wage_premium",
        1.5,
        "hub wage / county wage",
        1.0,
        5.0,
        "assumption: big-city S&T wages are well above those of the counties (report §2.3: "
        "counties lose talent to Shanghai and Hangzhou)",
        "Wage of an S&T worker employed in a hub, relative to the same tier in a county.",
    ),
    _p(
        "enclave_rent_cny_per_m2_day",
        4.5,
        "CNY per m2 per day",
        0.0,
        100.0,
        "assumption: office rent near Hongqiao and Hangzhou city west",
        "Rent the county pays for enclave floor space.",
    ),
    _p(
        "enclave_hub_knowledge",
        20000.0,
        "knowledge units",
        0.0,
        1e9,
        "report §1.5: hub knowledge reachable from the enclave",
        "Same-sector knowledge an enclave firm reaches in the hub.",
    ),
    _p(
        "enclave_relocation_per_q",
        0.01,
        "probability",
        0.0,
        1.0,
        "report §3.5 risk: firms may leave for the hub",
        "Chance an enclave firm moves its whole business to the hub (lost to the county).",
    ),
    _p(
        "capital_chain_enabled",
        False,
        "switch",
        0,
        1,
        "report §1.4",
        "Tech banks, larger guidance funds and an equity board in every county.",
    ),
    _p(
        "capital_chain_guidance_mcny",
        300.0,
        "m CNY per county",
        0.0,
        1e6,
        "report §1.4: Changxing 458.5 m CNY",
        "Guidance fund pool when the chain is built.",
    ),
    _p(
        "capital_chain_tech_bank_mcny",
        100.0,
        "m CNY per county",
        0.0,
        1e6,
        "report §1.4: Jiashan's five tech banks lent 250 m CNY to 36 tech SMEs",
        "Tech-bank lending pool each county builds up when the chain is built.",
    ),
    _p(
        "capital_chain_quotation_boost",
        3.0,
        "multiplier",
        1.0,
        50.0,
        "report §1.4: Changxing's S&T board, 31 firms quoted",
        "Quotation chance multiplier of a county equity board.",
    ),
    _p(
        "loan_loss_given_default",
        0.45,
        "share of a loan",
        0.0,
        1.0,
        "Basel II foundation IRB approach: 45% loss given default on senior unsecured claims",
        "Share of a tech-bank loan written down when the borrower's cash is negative (valuing "
        "the public loan book, not a decision of the bank).",
    ),
    _p(
        "capital_chain_deployment_q",
        20,
        "quarters",
        1,
        200,
        "assumption: a five-year investment period, the usual term of a fund",
        "Under the capital chain a county guidance fund invests its pool over this many "
        "quarters: deals per quarter rise to pool / (ticket x period) instead of the fixed "
        "number a small fund makes.",
    ),
    _p(
        "town_mayor_experts_per_county",
        0,
        "experts",
        0,
        1000,
        "report §1.5: 85 visits, 46 collaborations, 40 problems solved",
        "Experts posted to each county by the S&T town-mayor programme.",
    ),
    _p(
        "cto_firms_per_county",
        0,
        "firms",
        0,
        10000,
        "report §1.5: 180 enterprise chief technology officers",
        "Firms per county linked to an outside chief technology officer.",
    ),
    _p(
        "expert_link_boost",
        0.25,
        "multiplier",
        0.0,
        5.0,
        "assumption",
        "Rise in knowledge production of a firm linked to an outside expert.",
    ),
    _p(
        "expert_link_cost_mcny_per_q",
        0.05,
        "m CNY per link per quarter",
        0.0,
        10.0,
        "assumption: stipends and travel",
        "County cost of one expert link.",
    ),
    _p(
        "talent_subsidy_mcny_per_q",
        0.0,
        "m CNY per county per quarter",
        0.0,
        1e4,
        "report §1.5",
        "Extra county spending on high-level talent recruitment.",
    ),
    _p(
        "integration_enabled",
        False,
        "switch",
        0,
        1,
        "report §3.4",
        "Apply once, recognised region-wide: platform choice and moves across counties.",
    ),
    _p(
        "relocation_per_q",
        0.0,
        "probability",
        0.0,
        1.0,
        "report §3.4",
        "Chance a firm considers moving to a better-served county in a quarter.",
    ),
    _p(
        "tax_sharing_origin_share",
        0.5,
        "share",
        0.0,
        1.0,
        "report §3.4 (tax sharing)",
        "Share of a relocated firm's county taxes kept by its county of origin.",
    ),
    _p(
        "integration_admin_cost_mcny_per_q",
        0.5,
        "m CNY per county per quarter",
        0.0,
        1e4,
        "assumption: shared databases and one-stop services",
        "Running cost of integration for each county.",
    ),
    _p(
        "integration_matching_draws",
        6,
        "candidate employers",
        1,
        50,
        "report §3.4: shared databases improve matching",
        "Employers a worker samples when integration is on.",
    ),
    _p(
        "rd_grant_exante_rate",
        0.0,
        "share of R&D",
        0.0,
        1.0,
        "report §3.3",
        "Ex-ante joint R&D grant as a share of real R&D of R&D-doing firms.",
    ),
    _p(
        "rd_grant_expost_per_patent_mcny",
        0.0,
        "m CNY per granted patent",
        0.0,
        100.0,
        "report §3.3: ex-post subsidies",
        "Ex-post subsidy per invention patent granted.",
    ),
    _p(
        "rd_grant_province_share",
        0.5,
        "share",
        0.0,
        1.0,
        "report §3.3: joint province-city-county funding",
        "Province's share of joint R&D grants; counties pay the rest.",
    ),
    _p(
        "hte_certification_bonus_mcny",
        0.0,
        "m CNY per newly certified firm",
        0.0,
        100.0,
        "report §3.1: counties reward what they are assessed on",
        "County bonus paid to a firm when it is certified high-tech.",
    ),
    _p(
        "kpi_st_share_increase",
        0.0,
        "share of county tax revenue",
        0.0,
        1.0,
        "report §3.1: assessment raises county S&T budgets",
        "Extra share of county revenue spent on S&T under KPI assessment.",
    ),
)

SPEC_BY_NAME: dict[str, ParameterSpec] = {s.name: s for s in SPECS}
PARAMETER_NAMES: tuple[str, ...] = tuple(s.name for s in SPECS)

#: The parameters as numba sees them: an immutable namedtuple of scalars.
KernelParams = namedtuple("KernelParams", PARAMETER_NAMES)


def _closest(name: str) -> str:
    import difflib

    near = difflib.get_close_matches(name, PARAMETER_NAMES, n=3, cutoff=0.6)
    return f" Did you mean: {', '.join(near)}?" if near else ""


def check_value(name: str, value: Any, origin: str = "parameters") -> float | int | bool:
    """Check one parameter value and return it converted to the parameter's type.

    Parameters
    ----------
    name : str
        Parameter name.
    value : object
        Proposed value.
    origin : str
        Where the value comes from (a file path or "parameters"), used in messages.

    Raises
    ------
    ParameterError
        Unknown name, wrong type or value outside the allowed range.
    """
    spec = SPEC_BY_NAME.get(name)
    if spec is None:
        raise ParameterError(f"{origin}: unknown parameter {name!r}.{_closest(name)}", key=name)
    # numpy scalars (from sweep designs, mesa.batch_run over np.arange) count as numbers
    is_bool = isinstance(value, bool | np.bool_)
    if spec.kind is bool:
        if not is_bool:
            raise ParameterError(
                f"{origin}: parameter {name!r} must be true or false, got {value!r}"
            )
        return bool(value)
    if is_bool or not isinstance(value, numbers.Real):
        raise ParameterError(
            f"{origin}: parameter {name!r} must be {spec.allowed()}, got {value!r}",
            key=name,
        )
    if isinstance(value, np.generic):
        value = value.item()
    if spec.kind is int and not isinstance(value, numbers.Integral):
        if not (isinstance(value, float) and value.is_integer()):
            raise ParameterError(
                f"{origin}: parameter {name!r} must be {spec.allowed()}, got {value!r}",
                key=name,
            )
    # range first, conversion after: a 400-digit integer compares exactly with the bounds but
    # would raise OverflowError in float()
    if not in_range(value, spec.low, spec.high):
        raise ParameterError(
            f"{origin}: parameter {name!r} = {describe(value)} is out of range; "
            f"allowed: {spec.allowed()}",
            key=name,
        )
    return int(value) if spec.kind is int else float(value)


class Parameters(Mapping):
    """A complete, validated set of parameter values (immutable mapping name -> value).

    Parameters
    ----------
    overrides : Mapping[str, object], optional
        Values that differ from the defaults.
    origin : str
        Where the overrides come from, named in error messages.

    Examples
    --------
    >>> p = Parameters({"tax_rebate_share": 1.0})
    >>> p["tax_rebate_share"], p.cit_rate
    (1.0, 0.25)
    """

    __slots__ = ("_values",)

    def __init__(self, overrides: Mapping[str, Any] | None = None, origin: str = "parameters"):
        values = {s.name: s.default for s in SPECS}
        for name, value in (overrides or {}).items():
            values[name] = check_value(name, value, origin)
        object.__setattr__(self, "_values", values)
        self._check_consistency(origin)

    def _check_consistency(self, origin: str) -> None:
        v = self._values
        shares = v["st_share_platforms"] + v["st_share_rd_grants"] + v["st_share_talent"]
        if shares > 1.0 + 1e-9:
            raise ParameterError(
                f"{origin}: st_share_platforms + st_share_rd_grants + st_share_talent = "
                f"{shares:g} exceeds 1; the three shares of county S&T spending must sum to "
                "at most 1"
            )
        if v["cit_rate_high_tech"] > v["cit_rate"]:
            raise ParameterError(
                f"{origin}: cit_rate_high_tech ({v['cit_rate_high_tech']:g}) must not exceed "
                f"cit_rate ({v['cit_rate']:g})"
            )

    def __getitem__(self, name: str):
        try:
            return self._values[name]
        except KeyError:
            raise KeyError(f"unknown parameter {name!r}.{_closest(name)}") from None

    def __getattr__(self, name: str):
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(f"unknown parameter {name!r}.{_closest(name)}") from None

    def __setattr__(self, name, value):
        raise AttributeError("Parameters are immutable; use .replace(name=value)")

    def __iter__(self):
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        changed = {k: v for k, v in self._values.items() if v != SPEC_BY_NAME[k].default}
        return f"Parameters({changed!r})"

    def replace(self, origin: str = "parameters", **changes: Any) -> Parameters:
        """Return a copy with some values changed (validated)."""
        merged = {**self.changed(), **changes}
        return Parameters(merged, origin=origin)

    def changed(self) -> dict[str, Any]:
        """Values that differ from the defaults."""
        return {k: v for k, v in self._values.items() if v != SPEC_BY_NAME[k].default}

    def as_dict(self) -> dict[str, Any]:
        """All values as a plain dict."""
        return dict(self._values)

    def for_kernels(self) -> KernelParams:
        """The values as a :data:`KernelParams` namedtuple (booleans kept, ints as int)."""
        return KernelParams(**self._values)
