"""The shipped county data set: reading and validating its two CSV files.

Two files live next to this module and ship in the wheel (read with :mod:`importlib.resources`):

``county_statistics.csv``
    Official-style county figures (statistical yearbooks, bulletins and, marked as secondary in
    ``note``, news or encyclopedia pages quoting them): one row per county x year x quantity,
    columns ``county, year, quantity, value, unit, publication, table, location, note``.
    Money is in million CNY (``m CNY``), converted exactly from 亿元 (x 100) or 万元 (/ 100);
    the original figure and unit are kept in ``note``. Shares are fractions (0.03, not 3%).
``report_figures.csv``
    Every usable figure of the study report (``report-digest.md``), columns ``county, year,
    quantity, value, unit, report_section, quote, model_mapping``; ``quote`` is the Chinese
    original's wording, ``model_mapping`` names the model quantity the figure compares with
    (an indicator, a parameter or a region-file field) followed by ``": why"``, or starts with
    ``"none:"`` and says why it cannot map.

Every row is checked on reading; the first problem raises :class:`DataError` naming the file,
the row (its line number in the file, the header being line 1) and the column. The calibration
targets (``model/calibration/targets.py``) and the built-in region's Huzhou firm counts (checked
by ``tests/test_region_from_data.py``) come from them (see ``docs/data.md``).
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from functools import cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple

from model.params.reader import InputError

COUNTY_STATISTICS_FILE = "county_statistics.csv"
REPORT_FIGURES_FILE = "report_figures.csv"
REGION_FILE = "regions/jiaxing-huzhou.toml"
"""Region file (inside ``model.sim``) whose ``[[counties]]`` keys are the allowed county keys."""

PREFECTURE_KEYS: tuple[str, ...] = ("jiaxing", "huzhou", "zhejiang")
"""Keys allowed besides the counties: the two prefecture totals and the province."""

YEAR_MIN, YEAR_MAX = 1990, 2030
_SNAKE = re.compile(r"^[a-z][a-z0-9_]*$")


class Quantity(NamedTuple):
    """One quantity of ``county_statistics.csv``: its unit and what it counts."""

    unit: str
    description: str


QUANTITIES: Mapping[str, Quantity] = MappingProxyType(
    {
        "above_size_industrial_enterprises": Quantity(
            "count", "industrial enterprises above designated size (规模以上工业企业数)"
        ),
        "above_size_industrial_revenue": Quantity(
            "m CNY", "their main business income / revenue (主营业务收入 / 营业收入)"
        ),
        "above_size_industrial_output": Quantity("m CNY", "their gross output (工业总产值)"),
        "above_size_industrial_value_added": Quantity(
            "m CNY", "their value added (规模以上工业增加值)"
        ),
        "above_size_industrial_profit": Quantity("m CNY", "their total profit (利润总额)"),
        "above_size_industrial_rd_spending": Quantity(
            "m CNY", "their R&D spending (规模以上工业企业研发经费支出)"
        ),
        "above_size_industrial_rd_intensity": Quantity(
            "share", "their R&D spending / main business income (研发经费占主营业务收入比重)"
        ),
        "rd_spending_share_of_gdp": Quantity(
            "share", "society-wide R&D spending / GDP (研发经费支出占GDP比重)"
        ),
        "high_tech_enterprises": Quantity(
            "count", "certified high-tech enterprises at year end (高新技术企业)"
        ),
        "new_high_tech_enterprises": Quantity(
            "count", "high-tech enterprises newly certified in the year (新增高新技术企业)"
        ),
        "st_smes": Quantity("count", "S&T SMEs (科技型中小企业)"),
        "high_tech_value_added": Quantity("m CNY", "high-tech industry value added"),
        "high_tech_value_added_share": Quantity(
            "share", "high-tech industry value added / value added of above-size industry"
        ),
        "provincial_rd_centres": Quantity(
            "count", "provincial high-tech enterprise R&D centres (省级高新技术研发中心)"
        ),
        "national_torch_projects": Quantity("count", "projects listed in the national Torch plan"),
        "technology_contracts": Quantity(
            "count", "registered technology transactions (认定登记的技术成交项目)"
        ),
        "technology_contract_value": Quantity("m CNY", "their value (技术成交金额)"),
        "patent_applications": Quantity("count", "patent applications, all kinds (专利申请受理量)"),
        "invention_patent_applications": Quantity("count", "invention patent applications"),
        "patent_grants": Quantity("count", "patent grants, all kinds (专利申请授权量)"),
        "invention_patent_grants": Quantity("count", "invention patent grants"),
        "gdp": Quantity("m CNY", "gross domestic product (地区生产总值)"),
        "fiscal_revenue": Quantity("m CNY", "total fiscal revenue (财政总收入)"),
        "general_public_budget_revenue": Quantity(
            "m CNY",
            "general public budget revenue, formerly local fiscal revenue (一般公共预算收入)",
        ),
        "st_spending": Quantity("m CNY", "local government spending on science and technology"),
    }
)
"""Every quantity ``county_statistics.csv`` may hold, with its one unit."""

_STATISTIC_COLUMNS = (
    "county",
    "year",
    "quantity",
    "value",
    "unit",
    "publication",
    "table",
    "location",
    "note",
)
_REPORT_COLUMNS = (
    "county",
    "year",
    "quantity",
    "value",
    "unit",
    "report_section",
    "quote",
    "model_mapping",
)
_OPTIONAL = frozenset({"note"})


class DataError(InputError):
    """A row of a data file is refused; the message names the file, row and column.

    Attributes
    ----------
    file : str
        The CSV file.
    row : int or None
        Line number in the file (the header is line 1); None for a problem with the header.
    column : str or None
        The refused column (also in ``key``).
    """

    def __init__(self, file: str, row: int | None, column: str | None, problem: str):
        where = [file]
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column '{column}'")
        super().__init__(": ".join([*where, problem]), file=file, key=column)
        self.row = row
        self.column = column


@dataclass(frozen=True)
class CountyStatistic:
    """One row of ``county_statistics.csv``.

    Attributes
    ----------
    county : str
        A county key of the ``jiaxing-huzhou`` region, or ``jiaxing``/``huzhou``/``zhejiang``.
    year : int
        The year the figure describes (not the edition year of the yearbook).
    quantity : str
        A key of :data:`QUANTITIES`.
    value : float
        The figure in ``unit`` (money in million CNY, shares as fractions).
    unit, publication, table, location, note : str
        Unit; yearbook or bulletin (Chinese title, edition); table; page or web address;
        original unit, scope and caveats.
    """

    county: str
    year: int
    quantity: str
    value: float
    unit: str
    publication: str
    table: str
    location: str
    note: str


@dataclass(frozen=True)
class ReportFigure:
    """One row of ``report_figures.csv``.

    Attributes
    ----------
    county : str
        County key, or ``jiaxing``/``huzhou``/``zhejiang`` for figures not tied to one county.
    year : int
        The report's year (2018): figures describe the state at the visit, often cumulative.
    quantity, unit : str
        What the figure counts and its unit.
    value : float
        The figure (a lower bound where the report says "more than" / "余"; see ``model_mapping``).
    report_section, quote, model_mapping : str
        Section of the digest and of the Chinese original; the original's words; the model
        quantity it compares with (``"name: why"``) or ``"none: why not"``.
    """

    county: str
    year: int
    quantity: str
    value: float
    unit: str
    report_section: str
    quote: str
    model_mapping: str


# --------------------------------------------------------------------------------------------
# Vocabulary


@cache
def county_keys() -> tuple[str, ...]:
    """Keys allowed in the ``county`` column: the region's counties, then :data:`PREFECTURE_KEYS`.

    Returns
    -------
    tuple of str
        The ``[[counties]]`` keys of ``model/sim/regions/jiaxing-huzhou.toml`` in file order,
        followed by ``jiaxing``, ``huzhou`` and ``zhejiang``.
    """
    text = resources.files("model.sim").joinpath(REGION_FILE).read_text(encoding="utf-8")
    counties = tomllib.loads(text)["counties"]
    return tuple(c["key"] for c in counties) + PREFECTURE_KEYS


@cache
def mapping_targets() -> frozenset[str]:
    """Names a ``model_mapping`` may start with: indicators, parameters and county fields.

    Returns
    -------
    frozenset of str
        ``INDICATOR_NAMES`` of :mod:`model.sim.indicators`, the parameter names of
        :data:`model.params.table.SPECS` and the field names of :class:`model.sim.region.County`
        (``enclave_floor_m2``, ``experts``, ...).
    """
    from model.params.table import SPECS
    from model.sim.indicators import INDICATOR_NAMES
    from model.sim.region import County

    return frozenset(INDICATOR_NAMES) | {s.name for s in SPECS} | {f.name for f in fields(County)}


# --------------------------------------------------------------------------------------------
# Reading


def load_county_statistics() -> tuple[CountyStatistic, ...]:
    """Read and validate the shipped ``county_statistics.csv``.

    Returns
    -------
    tuple of CountyStatistic
        Rows in file order.

    Raises
    ------
    DataError
        If any row is refused (see :func:`read_county_statistics`).
    """
    text = resources.files(__package__).joinpath(COUNTY_STATISTICS_FILE).read_text(encoding="utf-8")
    return _statistics_from_text(text, COUNTY_STATISTICS_FILE)


def load_report_figures() -> tuple[ReportFigure, ...]:
    """Read and validate the shipped ``report_figures.csv``.

    Returns
    -------
    tuple of ReportFigure
        Rows in file order.
    """
    text = resources.files(__package__).joinpath(REPORT_FIGURES_FILE).read_text(encoding="utf-8")
    return _figures_from_text(text, REPORT_FIGURES_FILE)


def read_county_statistics(path: str | os.PathLike[str]) -> tuple[CountyStatistic, ...]:
    """Read and validate a county-statistics CSV file.

    A row is refused for a missing column or an empty required cell (every column but
    ``note``), an unknown county key, an unknown quantity, a year that is not an integer in
    1990-2030, a value that is not a finite number, a unit that differs from the unit of an
    earlier row of the same quantity or from the quantity's unit in :data:`QUANTITIES`, and a
    second row for the same (county, year, quantity).

    Parameters
    ----------
    path : path-like
        The CSV file (UTF-8, header row first).

    Returns
    -------
    tuple of CountyStatistic
        Rows in file order.

    Raises
    ------
    DataError
        On the first refused row, naming the file, row and column.
    """
    return _statistics_from_text(Path(path).read_text(encoding="utf-8"), os.fspath(path))


def read_report_figures(path: str | os.PathLike[str]) -> tuple[ReportFigure, ...]:
    """Read and validate a report-figures CSV file.

    The checks are those of :func:`read_county_statistics` except that the quantity need not be
    in :data:`QUANTITIES` (it must be snake_case), and ``model_mapping`` must start with a name
    of :func:`mapping_targets` followed by ``":"``, or with ``"none:"``, and say why.

    Parameters
    ----------
    path : path-like
        The CSV file.

    Returns
    -------
    tuple of ReportFigure
        Rows in file order.
    """
    return _figures_from_text(Path(path).read_text(encoding="utf-8"), os.fspath(path))


def _statistics_from_text(text: str, file: str) -> tuple[CountyStatistic, ...]:
    out, lines = [], []
    for line, row in _rows(text, file, _STATISTIC_COLUMNS):
        lines.append(line)
        common = _common(row, line, file)
        if row["quantity"] not in QUANTITIES:
            raise DataError(
                file,
                line,
                "quantity",
                f"unknown quantity '{row['quantity']}'; known: {', '.join(sorted(QUANTITIES))}",
            )
        out.append(
            CountyStatistic(
                **common,
                publication=row["publication"],
                table=row["table"],
                location=row["location"],
                note=row["note"],
            )
        )
    _check_units_and_duplicates(out, lines, file, declared=True)
    return tuple(out)


def _figures_from_text(text: str, file: str) -> tuple[ReportFigure, ...]:
    out, lines = [], []
    targets = mapping_targets()
    for line, row in _rows(text, file, _REPORT_COLUMNS):
        lines.append(line)
        common = _common(row, line, file)
        if not _SNAKE.match(row["quantity"]):
            raise DataError(file, line, "quantity", f"'{row['quantity']}' is not snake_case")
        mapping = row["model_mapping"]
        name, sep, why = mapping.partition(":")
        if not sep or not why.strip():
            raise DataError(file, line, "model_mapping", "must be 'NAME: why' or 'none: why not'")
        if name != "none" and name not in targets:
            raise DataError(
                file,
                line,
                "model_mapping",
                f"'{name}' is not an indicator, parameter or county field of the model",
            )
        out.append(
            ReportFigure(
                **common,
                report_section=row["report_section"],
                quote=row["quote"],
                model_mapping=mapping,
            )
        )
    _check_units_and_duplicates(out, lines, file, declared=False)
    return tuple(out)


def _rows(text: str, file: str, columns: Sequence[str]) -> Iterable[tuple[int, dict[str, str]]]:
    """Yield (line number, row) with every column present and required cells non-empty."""
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = reader.fieldnames or []
    for column in columns:
        if column not in header:
            raise DataError(file, None, column, "missing from the header")
    for row in reader:
        line = reader.line_num
        if None in row:  # more cells than header columns
            raise DataError(file, line, None, "more cells than columns in the header")
        for column in columns:
            cell = row[column]
            if cell is None:
                raise DataError(file, line, column, "missing cell (fewer cells than columns)")
            row[column] = cell.strip()
            if not row[column] and column not in _OPTIONAL:
                raise DataError(file, line, column, "empty; every row needs a source and a value")
        yield line, row


def _common(row: Mapping[str, str], line: int, file: str) -> dict[str, Any]:
    """Check and convert the columns both files share."""
    if row["county"] not in county_keys():
        raise DataError(
            file,
            line,
            "county",
            f"unknown county key '{row['county']}'; known: {', '.join(county_keys())}",
        )
    try:
        year = int(row["year"])
    except ValueError:
        raise DataError(file, line, "year", f"'{row['year']}' is not an integer year") from None
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise DataError(file, line, "year", f"{year} is outside {YEAR_MIN}-{YEAR_MAX}")
    try:
        value = float(row["value"])
    except ValueError:
        raise DataError(file, line, "value", f"'{row['value']}' is not a number") from None
    if not math.isfinite(value):
        raise DataError(file, line, "value", f"'{row['value']}' is not a finite number")
    return {
        "county": row["county"],
        "year": year,
        "quantity": row["quantity"],
        "value": value,
        "unit": row["unit"],
    }


def _check_units_and_duplicates(
    rows: Sequence[CountyStatistic | ReportFigure],
    lines: Sequence[int],
    file: str,
    *,
    declared: bool,
) -> None:
    """One unit per quantity (and the declared one), one row per (county, year, quantity)."""
    first_unit: dict[str, tuple[str, int]] = {}
    seen: dict[tuple[str, int, str], int] = {}
    for line, r in zip(lines, rows, strict=True):
        unit, first_line = first_unit.setdefault(r.quantity, (r.unit, line))
        if r.unit != unit:
            raise DataError(
                file,
                line,
                "unit",
                f"'{r.unit}' differs from '{unit}' used for '{r.quantity}' in row {first_line}",
            )
        if declared and r.unit != QUANTITIES[r.quantity].unit:
            raise DataError(
                file,
                line,
                "unit",
                f"'{r.unit}' is not the unit of '{r.quantity}' ('{QUANTITIES[r.quantity].unit}')",
            )
        key = (r.county, r.year, r.quantity)
        if key in seen:
            raise DataError(
                file,
                line,
                "quantity",
                f"duplicate of row {seen[key]}: county '{r.county}', year {r.year}, "
                f"quantity '{r.quantity}'",
            )
        seen[key] = line


# --------------------------------------------------------------------------------------------
# Coverage


def coverage(
    rows: Iterable[CountyStatistic | ReportFigure],
) -> dict[str, dict[str, tuple[int, ...]]]:
    """Which counties and years each quantity covers.

    Parameters
    ----------
    rows : iterable of CountyStatistic or ReportFigure

    Returns
    -------
    dict
        ``{quantity: {county: sorted years}}``, quantities sorted by name, counties in the order
        of :func:`county_keys`.
    """
    found: dict[str, dict[str, set[int]]] = {}
    for r in rows:
        found.setdefault(r.quantity, {}).setdefault(r.county, set()).add(r.year)
    order = {key: i for i, key in enumerate(county_keys())}
    return {
        q: {c: tuple(sorted(found[q][c])) for c in sorted(found[q], key=order.__getitem__)}
        for q in sorted(found)
    }


def coverage_markdown(rows: Iterable[CountyStatistic]) -> str:
    """The coverage of county statistics as a Markdown table (the one in ``docs/data.md``).

    One line per quantity: its unit, the number of county-level units (prefecture and province
    totals not counted) and, per key, the years covered.

    Parameters
    ----------
    rows : iterable of CountyStatistic

    Returns
    -------
    str
        The table, ending with a newline.
    """
    rows = list(rows)
    units = {r.quantity: r.unit for r in rows}
    lines = [
        "| quantity | unit | counties | county: years |",
        "|---|---|---|---|",
    ]
    for quantity, by_county in coverage(rows).items():
        n_counties = sum(1 for c in by_county if c not in PREFECTURE_KEYS)
        cells = "; ".join(f"{c}: {', '.join(map(str, years))}" for c, years in by_county.items())
        lines.append(f"| {quantity} | {units[quantity]} | {n_counties} | {cells} |")
    return "\n".join(lines) + "\n"
