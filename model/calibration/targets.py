"""Calibration targets: the county data set's figures the model simulates, with tolerances.

A target pairs one figure of ``model/data/county_statistics.csv`` or
``model/data/report_figures.csv`` (:mod:`model.data`) with an indicator of
:mod:`model.sim.indicators` summed over the model counties the figure covers, at the quarter
that ends the figure's year. The numbers are never written here: :data:`RULES` only says which
quantity maps to which indicator, for which counties, as a level, a lower bound or a growth
rate, and with which tolerance and why; :func:`calibration_targets` reads the values from the
data set and keeps each one's source.

**Time.** The first simulated year (quarters 1-4 after the burn-in) is ``base_year``; a figure
of year ``Y`` is compared with the model's outcome at quarter ``4 (Y - base_year + 1)`` — a
stock's value at the end of that year, a flow summed over its four quarters
(:mod:`model.experiments.outcomes`).

**Kinds.** ``level``: the simulated value should be within the tolerance of the figure.
``lower_bound``: the report says "more than" or counts part of the quantity (e.g. one
incubator's tenants of a county's platform tenants), so only a shortfall counts.
``growth``: the annual growth rate between the first and last year a series has in
``[base_year, last_year]``, ``(v_last / v_first) ** (1 / years) - 1``, against the same rate of
the simulated indicator (so the baseline is asked to grow the way the data grow).

**Distance.** Each target's discrepancy is divided by its tolerance; a target is *hit* when
that is at most 1 (:func:`discrepancies`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd

KINDS = ("level", "lower_bound", "growth")
#: The data sets of :mod:`model.data` targets come from.
DATASETS = ("county_statistics", "report_figures")


@dataclass(frozen=True)
class Rule:
    """How one data quantity becomes targets.

    Parameters
    ----------
    dataset : {"county_statistics", "report_figures"}
        The file of :mod:`model.data` the figures come from.
    quantity : str
        The ``quantity`` column's value.
    indicator : str
        The model indicator it is compared with (:data:`model.sim.indicators.INDICATOR_NAMES`).
    kind : {"level", "lower_bound", "growth"}
    areas : tuple of str
        ``county`` keys of the data set whose rows become targets (a county of the region, or
        ``jiaxing``/``huzhou`` for the sum over the prefecture's counties).
    tolerance_share : float
        Tolerance as a share of the figure (levels and bounds), or in growth-rate points a year
        (growth, e.g. 0.03 = 3 points).
    tolerance_floor : float
        Smallest tolerance, in the figure's unit (levels: counts of a small county move by a
        few units from one year's certification round to the next).
    reason : str
        Why this mapping and this tolerance (shown in docs/calibration.md).
    """

    dataset: str
    quantity: str
    indicator: str
    kind: str
    areas: tuple[str, ...]
    tolerance_share: float
    tolerance_floor: float
    reason: str


_HUZHOU_COUNTIES = ("wuxing", "nanxun", "deqing", "changxing", "anji")

#: Which figures are targets, and how. Values come from the data set.
RULES: tuple[Rule, ...] = (
    Rule(
        "county_statistics",
        "high_tech_enterprises",
        "high_tech_enterprises",
        "level",
        _HUZHOU_COUNTIES,
        0.25,
        5.0,
        "certified stock at year end (table 10-2). Assumed tolerance: 25% (at least 5 firms), "
        "because the region's firm counts per county are scaled to economic size, not counted, "
        "and a small county's stock moves by a few firms with one yearly certification round",
    ),
    Rule(
        "county_statistics",
        "invention_patent_applications",
        "invention_patent_applications",
        "level",
        _HUZHOU_COUNTIES,
        0.30,
        10.0,
        "annual flow, summed over the model's four quarters of the year. Assumed tolerance: 30% "
        "(at least 10), wider than for stocks because a one-year flow of a county is noisy and "
        "the data include applications by universities and individuals, which the model has not",
    ),
    Rule(
        "county_statistics",
        "invention_patent_grants",
        "invention_patent_grants",
        "level",
        _HUZHOU_COUNTIES,
        0.30,
        10.0,
        "annual flow of grants (applications of about 2-3 years earlier). Assumed tolerance: 30% "
        "(at least 10), as for applications",
    ),
    Rule(
        "county_statistics",
        "gdp",
        "revenue_mcny",
        "growth",
        ("jiaxing", "huzhou"),
        0.03,
        0.0,
        "GDP at current prices is the only series of several years per prefecture; model firms "
        "stand for above-size industry, whose revenue is assumed to grow with GDP. Tolerance: 3 "
        "points a year (GDP is nominal and partly preliminary, and industry's share moved)",
    ),
    Rule(
        "county_statistics",
        "general_public_budget_revenue",
        "county_tax_revenue_mcny",
        "growth",
        ("jiaxing", "huzhou"),
        0.04,
        0.0,
        "the local budget revenue counties keep, against the model's county tax revenue. "
        "Tolerance: 4 points a year (the model's counties collect only business taxes; land "
        "sales and other local revenue are outside it)",
    ),
    Rule(
        "report_figures",
        "platforms",
        "platforms",
        "level",
        ("huzhou",),
        0.20,
        5.0,
        "Huzhou's 232 S&T innovation service platforms (2018), summed over its five counties. "
        "Assumed tolerance: 20%, the report's count includes kinds of platforms the model "
        "does not separate",
    ),
    Rule(
        "report_figures",
        "incubator_tenants",
        "platform_tenants",
        "lower_bound",
        ("jiashan",),
        0.10,
        5.0,
        "'120余' tenants of Jiashan's national incubator are part of the county's platform "
        "tenants: a lower bound. Tolerance 10% of the bound",
    ),
    Rule(
        "report_figures",
        "enterprise_rd_institutions",
        "firms_doing_rd",
        "lower_bound",
        ("deqing",),
        0.10,
        5.0,
        "Deqing's 224 enterprise R&D institutions (cumulative): each firm with one does R&D, "
        "so a lower bound of firms doing R&D. Tolerance 10% of the bound",
    ),
    Rule(
        "report_figures",
        "quoted_firms",
        "quoted_firms",
        "level",
        ("jiashan",),
        0.30,
        4.0,
        "Jiashan's 14 firms quoted on the NEEQ or the Zhejiang equity exchange (2018). Assumed "
        "tolerance: 30% (at least 4), small counts",
    ),
    Rule(
        "report_figures",
        "neeq_firms",
        "quoted_firms",
        "level",
        ("changxing",),
        0.30,
        4.0,
        "Changxing's 37 NEEQ-quoted firms (2018), the model's quoted firms. Assumed tolerance: "
        "30% (at least 4), small counts",
    ),
    Rule(
        "report_figures",
        "listed_firms",
        "listed_firms",
        "level",
        ("changxing",),
        0.50,
        2.0,
        "Changxing's 4 listed companies (2018). Tolerance: 2 firms, the count is tiny",
    ),
    Rule(
        "report_figures",
        "tech_loans_outstanding",
        "tech_loans_outstanding_mcny",
        "level",
        ("jiashan",),
        0.30,
        10.0,
        "Jiashan's tech banks' 94.62 m CNY outstanding (2018). Assumed tolerance: 30%",
    ),
    Rule(
        "report_figures",
        "high_level_experts",
        "high_level_talent",
        "level",
        ("changxing",),
        0.30,
        5.0,
        "Changxing's 54 provincial-or-higher talent-programme experts (2018, cumulative). "
        "Assumed tolerance: 30% (some have left since they were counted)",
    ),
)


@dataclass(frozen=True)
class Target:
    """One calibration target.

    Attributes
    ----------
    name : str
        ``indicator/area/year`` (growth: ``indicator/area/first-last/growth``).
    indicator : str
        Model indicator.
    area : str
        Data ``county`` key.
    counties : tuple of str
        Model county keys whose outcomes are summed.
    kind : str
        ``level``, ``lower_bound`` or ``growth``.
    year : int
        Year of the figure (growth: the last year).
    value : float
        The figure (growth: annual rate, a fraction).
    tolerance : float
        In the figure's unit (growth: rate points).
    unit : str
        Unit of ``value``.
    reason : str
        Why the mapping and the tolerance.
    source : str
        Publication, table and address (county statistics) or report section and quote.
    start_year : int or None
        Growth: the first year.
    dataset : str
        The data set of :data:`DATASETS` the figure comes from.
    """

    name: str
    indicator: str
    area: str
    counties: tuple[str, ...]
    kind: str
    year: int
    value: float
    tolerance: float
    unit: str
    reason: str
    source: str
    start_year: int | None = None
    dataset: str = "county_statistics"

    def quarters(self, base_year: int) -> tuple[int, ...]:
        """Quarters whose outcome the target reads (growth: first and last year)."""
        years = (self.start_year, self.year) if self.kind == "growth" else (self.year,)
        return tuple(year_quarter(y, base_year) for y in years)


def year_quarter(year: int, base_year: int) -> int:
    """The quarter that ends ``year`` when ``base_year`` is the first simulated year."""
    return 4 * (int(year) - int(base_year) + 1)


@cache
def _area_counties() -> dict[str, tuple[str, ...]]:
    """Data area key -> model county keys (a county itself; a prefecture its counties)."""
    from model.sim.region import load_region

    region = load_region("jiaxing-huzhou")
    out: dict[str, tuple[str, ...]] = {c.key: (c.key,) for c in region.counties}
    for c in region.counties:
        key = c.prefecture_en.lower()
        out[key] = (*out.get(key, ()), c.key)
    return out


def calibration_targets(
    base_year: int = 2013, last_year: int = 2018, rules: Sequence[Rule] = RULES
) -> tuple[Target, ...]:
    """The targets of :data:`RULES` with the data set's figures for ``base_year..last_year``.

    Returns
    -------
    tuple of Target
        In rule order, then area order; a rule whose area has no figure in the years is
        skipped (a growth rule needs two years).

    Raises
    ------
    ValueError
        For a rule naming an unknown kind, indicator or area.
    """
    from model.data import load_county_statistics, load_report_figures
    from model.sim.indicators import INDICATOR_INDEX

    areas = _area_counties()
    stats = load_county_statistics()
    figures = load_report_figures()
    out: list[Target] = []
    for rule in rules:
        if rule.kind not in KINDS or rule.indicator not in INDICATOR_INDEX:
            raise ValueError(f"calibration rule {rule.quantity!r}: unknown kind or indicator")
        rows = stats if rule.dataset == "county_statistics" else figures
        for area in rule.areas:
            if area not in areas:
                raise ValueError(f"calibration rule {rule.quantity!r}: unknown area {area!r}")
            found = sorted(
                (r for r in rows if r.quantity == rule.quantity and r.county == area),
                key=lambda r: r.year,
            )
            found = [r for r in found if base_year <= r.year <= last_year]
            if rule.kind == "growth":
                if len(found) < 2:
                    continue
                first, last = found[0], found[-1]
                years = last.year - first.year
                rate = (last.value / first.value) ** (1.0 / years) - 1.0
                out.append(
                    Target(
                        name=f"{rule.indicator}/{area}/{first.year}-{last.year}/growth",
                        indicator=rule.indicator,
                        area=area,
                        counties=areas[area],
                        kind="growth",
                        year=last.year,
                        value=rate,
                        tolerance=max(rule.tolerance_share, rule.tolerance_floor),
                        unit="per year",
                        reason=rule.reason,
                        source=f"{rule.quantity} {first.year}: {_source(first)}; "
                        f"{last.year}: {_source(last)}",
                        start_year=first.year,
                        dataset=rule.dataset,
                    )
                )
                continue
            for row in found:
                out.append(
                    Target(
                        name=f"{rule.indicator}/{area}/{row.year}",
                        indicator=rule.indicator,
                        area=area,
                        counties=areas[area],
                        kind=rule.kind,
                        year=row.year,
                        value=float(row.value),
                        tolerance=max(rule.tolerance_share * abs(row.value), rule.tolerance_floor),
                        unit=row.unit,
                        reason=rule.reason,
                        source=f"{rule.quantity}: {_source(row)}",
                        dataset=rule.dataset,
                    )
                )
    return tuple(out)


def _source(row) -> str:
    """Where a figure was read: publication, table, address; or the report's section."""
    if hasattr(row, "publication"):
        return f"{row.publication}, {row.table}, {row.location}"
    return f"report {row.report_section}, 「{row.quote}」"


def target_frame(targets: Sequence[Target]) -> pd.DataFrame:
    """The targets as a table (one row each: name, kind, value, tolerance, reason, source)."""
    return pd.DataFrame([t.__dict__ for t in targets])


def needed_quarters(targets: Sequence[Target], base_year: int) -> tuple[int, ...]:
    """Every quarter a target reads, sorted."""
    return tuple(sorted({q for t in targets for q in t.quarters(base_year)}))


def simulated_statistics(
    outcomes: pd.DataFrame, targets: Sequence[Target], base_year: int
) -> pd.DataFrame:
    """The simulated counterpart of every target, per run.

    Parameters
    ----------
    outcomes : DataFrame
        Columns ``point, replication, county, quarter, indicator, value``: the outcome of each
        indicator in each model county at each quarter of :func:`needed_quarters`.

    Returns
    -------
    DataFrame
        Index (point, replication); one column per target name (levels in the figure's unit,
        growth as an annual rate; NaN where a growth rate has no positive start).
    """
    wide = outcomes.pivot_table(
        index=["point", "replication"],
        columns=["indicator", "county", "quarter"],
        values="value",
        aggfunc="sum",
    )
    cols: dict[str, np.ndarray] = {}
    for t in targets:
        qs = t.quarters(base_year)

        def total(q: int, t: Target = t) -> np.ndarray:
            parts = [wide[(t.indicator, c, q)].to_numpy(float) for c in t.counties]
            return np.sum(parts, axis=0)

        if t.kind == "growth":
            start, end = total(qs[0]), total(qs[1])
            years = t.year - t.start_year
            with np.errstate(divide="ignore", invalid="ignore"):
                ratio = np.where(start > 0, end / start, np.nan)
            cols[t.name] = np.sign(ratio) * np.abs(ratio) ** (1.0 / years) - 1.0
        else:
            cols[t.name] = total(qs[0])
    return pd.DataFrame(cols, index=wide.index)


def discrepancies(simulated: pd.DataFrame, targets: Sequence[Target]) -> pd.DataFrame:
    """Each target's discrepancy in units of its tolerance (0 = on target, 1 = at the edge).

    ``level`` and ``growth``: ``|simulated - value| / tolerance``; ``lower_bound``:
    ``max(0, value - simulated) / tolerance``. A missing simulated value is infinitely far.
    """
    out: dict[str, np.ndarray] = {}
    for t in targets:
        s = simulated[t.name].to_numpy(float)
        gap = np.maximum(0.0, t.value - s) if t.kind == "lower_bound" else np.abs(s - t.value)
        out[t.name] = np.where(np.isfinite(s), gap / t.tolerance, math.inf)
    return pd.DataFrame(out, index=simulated.index)


def distance(simulated: pd.DataFrame, targets: Sequence[Target], kind: str = "rms") -> np.ndarray:
    """Distance of each row of ``simulated`` from the data, in units of the tolerances.

    ``rms``: the root mean square of the tolerance-scaled discrepancies; ``mean_absolute``:
    their mean. The mean absolute distance lets a target the model cannot fit miss by a lot
    rather than pull every other target towards it (a squared discrepancy of 3.5 weighs as
    much as twelve at the edge of their tolerance).

    Returns
    -------
    (n_rows,) float64
    """
    d = discrepancies(simulated, targets).to_numpy(float)
    if kind == "rms":
        return np.sqrt(np.mean(d**2, axis=1))
    if kind == "mean_absolute":
        return np.mean(d, axis=1)
    from model.calibration.declaration import DISTANCES

    raise ValueError(f"unknown distance {kind!r}; allowed: {', '.join(DISTANCES)}")
