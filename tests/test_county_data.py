"""The shipped county data set: its files pass the checks, bad rows are refused, coverage holds.

The coverage numbers below are what was actually gathered (see docs/data.md); a test fails if
rows are lost, and must be raised by hand when figures are added.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from model.data import (
    PREFECTURE_KEYS,
    QUANTITIES,
    DataError,
    county_keys,
    coverage,
    coverage_markdown,
    load_county_statistics,
    load_report_figures,
    read_county_statistics,
    read_report_figures,
)

ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = ROOT / "model" / "data"
DOC = ROOT / "docs" / "data.md"

STAT_HEADER = "county,year,quantity,value,unit,publication,table,location,note"
GOOD_STAT = "deqing,2013,high_tech_enterprises,50,count,湖州统计年鉴2014,表10-2,http://x/10-2.htm,"
FIG_HEADER = "county,year,quantity,value,unit,report_section,quote,model_mapping"
GOOD_FIG = "changxing,2018,listed_firms,4,firms,§1.4,上市企业4家,listed_firms: firms listed"


def _write(tmp_path: Path, header: str, *lines: str) -> Path:
    path = tmp_path / "data.csv"
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return path


# --------------------------------------------------------------------------------------------
# The shipped files


def test_shipped_county_statistics_pass_the_checks():
    rows = load_county_statistics()
    assert len(rows) == 89
    assert all(r.quantity in QUANTITIES and r.unit == QUANTITIES[r.quantity].unit for r in rows)


def test_shipped_report_figures_pass_the_checks():
    rows = load_report_figures()
    assert len(rows) == 49
    mapped = [r for r in rows if not r.model_mapping.startswith("none:")]
    assert len(mapped) == 21  # figures the model can be compared with


def test_shipped_files_read_by_path_equal_the_packaged_ones():
    assert read_county_statistics(DATA_DIR / "county_statistics.csv") == load_county_statistics()
    assert read_report_figures(DATA_DIR / "report_figures.csv") == load_report_figures()


def test_money_is_converted_exactly_and_the_original_kept_in_note():
    # 万元 / 100 and 亿元 x 100, the original unit stated in note
    for r in load_county_statistics():
        if r.unit != "m CNY":
            continue
        original = r.note.split(";")[0]
        assert original.startswith("original ") or "billion yuan" in original, r
        if original.endswith("万元"):
            assert r.value == pytest.approx(float(original.split()[1]) / 100, rel=1e-12)
        elif original.endswith("亿元"):
            assert r.value == pytest.approx(float(original.split()[1]) * 100, rel=1e-12)


def test_huzhou_yearbook_counties_sum_to_the_prefecture_total():
    # table 10-2 of the Huzhou yearbook 2014: the five counties add up to the 全市 column,
    # a check that no figure was mistyped
    by_key: dict[tuple[str, str], float] = {
        (r.quantity, r.county): r.value for r in load_county_statistics() if r.year == 2013
    }
    quantities = {q for q, _ in by_key}
    assert len(quantities) == 9
    for q in quantities:
        counties = sum(by_key[(q, c)] for c in ("wuxing", "nanxun", "deqing", "changxing", "anji"))
        assert counties == pytest.approx(by_key[(q, "huzhou")]), q


def test_report_enclaves_match_the_region_file():
    from model.sim.region import load_region

    region = load_region("jiaxing-huzhou")
    floors = {c.key: c.enclave_floor_m2 for c in region.counties}
    figures = {r.county: r.value for r in load_report_figures() if r.quantity == "enclave_floor"}
    assert figures == {"jiashan": 17000.0, "changxing": 40000.0}
    for county, floor in figures.items():
        assert floors[county] == floor


# --------------------------------------------------------------------------------------------
# Coverage: what the data set holds (numbers gathered; fails if rows are lost)


def _n_counties(quantity: str) -> int:
    by_county = coverage(load_county_statistics()).get(quantity, {})
    return sum(1 for c in by_county if c not in PREFECTURE_KEYS)


def test_coverage_of_innovation_quantities():
    # the five Huzhou counties in 2013 (Huzhou yearbook 2014, table 10-2)
    for q in (
        "high_tech_enterprises",
        "provincial_rd_centres",
        "invention_patent_applications",
        "invention_patent_grants",
        "patent_applications",
        "patent_grants",
    ):
        assert _n_counties(q) >= 5, q
    huzhou_counties = {"wuxing", "nanxun", "deqing", "changxing", "anji"}
    cov = coverage(load_county_statistics())
    assert huzhou_counties <= set(cov["high_tech_enterprises"])


def test_coverage_of_economic_quantities():
    assert _n_counties("gdp") >= 3  # Changxing 2014, 2018; Deqing 2014, 2016, 2018; Tongxiang 2016
    assert _n_counties("fiscal_revenue") >= 2
    assert _n_counties("general_public_budget_revenue") >= 2
    cov = coverage(load_county_statistics())
    assert set(cov["gdp"]) >= {"jiaxing", "huzhou", "tongxiang"}
    assert cov["gdp"]["jiaxing"] == (2015, 2017, 2018)
    assert cov["gdp"]["huzhou"] == (2015, 2016, 2017, 2018)
    for prefecture in ("jiaxing", "huzhou"):  # Zhejiang yearbook 2016, table 17-2
        assert 2015 in cov["general_public_budget_revenue"][prefecture]
        assert 2015 in cov["fiscal_revenue"][prefecture]


def test_local_revenue_is_part_of_total_fiscal_revenue():
    # 一般公共预算收入 (地方财政收入) is the part of 财政总收入 the county or city keeps, so it
    # cannot exceed it in the same year; a swapped column or a mistyped figure would break this
    rows = load_county_statistics()
    total = {(r.county, r.year): r.value for r in rows if r.quantity == "fiscal_revenue"}
    local = {
        (r.county, r.year): r.value for r in rows if r.quantity == "general_public_budget_revenue"
    }
    both = sorted(set(total) & set(local))
    assert len(both) >= 6  # Jiaxing and Huzhou 2015, Huzhou 2018, Changxing 2018, Deqing 2016/18
    for key in both:
        assert 0 < local[key] < total[key], key


def test_gdp_of_a_county_or_prefecture_grows_between_recorded_years():
    # nominal GDP of these counties and cities rose every year 2013-2018; figures from different
    # publications that did not would point at a unit slip (亿元 vs 万元) or a wrong year
    series: dict[str, dict[int, float]] = {}
    for r in load_county_statistics():
        if r.quantity == "gdp":
            series.setdefault(r.county, {})[r.year] = r.value
    checked = 0
    for county, by_year in series.items():
        years = sorted(by_year)
        for earlier, later in zip(years, years[1:], strict=False):
            assert by_year[earlier] < by_year[later], (county, earlier, later)
            checked += 1
    assert checked >= 6


def test_every_county_statistic_has_a_source_and_year_in_range():
    for r in load_county_statistics():
        assert r.publication and r.table and r.location.startswith("http")
        assert 2013 <= r.year <= 2018


def test_coverage_orders_counties_as_the_region_file_and_years_ascending():
    cov = coverage(load_county_statistics())
    order = county_keys()
    for by_county in cov.values():
        keys = list(by_county)
        assert keys == sorted(keys, key=order.index)
        assert all(list(y) == sorted(y) for y in by_county.values())


def test_docs_coverage_table_is_the_generated_one():
    text = DOC.read_text(encoding="utf-8")
    assert coverage_markdown(load_county_statistics()) in text


def test_docs_name_every_quantity_without_rows():
    # the docs say, for every declared quantity with no row, that it was not found
    text = DOC.read_text(encoding="utf-8")
    present = set(coverage(load_county_statistics()))
    missing = sorted(set(QUANTITIES) - present)
    assert missing  # R&D spending of industry, S&T SMEs, ... were not found
    for q in missing:
        assert f"`{q}`" in text, q


# --------------------------------------------------------------------------------------------
# Bad rows are refused with file, row and column


@pytest.mark.parametrize(
    ("line", "column", "words"),
    [
        (GOOD_STAT.replace("湖州统计年鉴2014", ""), "publication", "empty"),
        (GOOD_STAT.replace("http://x/10-2.htm", ""), "location", "empty"),
        (GOOD_STAT.replace("deqing", "jiaxingshi"), "county", "unknown county key"),
        (GOOD_STAT.replace("high_tech_enterprises", "hightech"), "quantity", "unknown quantity"),
        (GOOD_STAT.replace(",50,", ",fifty,"), "value", "not a number"),
        (GOOD_STAT.replace(",50,", ",nan,"), "value", "not a finite number"),
        (GOOD_STAT.replace("2013", "2013.5"), "year", "not an integer"),
        (GOOD_STAT.replace(",count,", ",firms,"), "unit", "is not the unit"),
    ],
)
def test_bad_county_statistic_is_refused(tmp_path, line, column, words):
    path = _write(tmp_path, STAT_HEADER, line)
    with pytest.raises(DataError, match=words) as err:
        read_county_statistics(path)
    assert err.value.row == 2 and err.value.column == column
    assert str(err.value).startswith(f"{path}: row 2: column '{column}'")


def test_unit_differing_between_rows_of_a_quantity_is_refused(tmp_path):
    second = GOOD_STAT.replace("deqing", "anji").replace(",count,", ",firms,")
    path = _write(tmp_path, STAT_HEADER, GOOD_STAT, second)
    with pytest.raises(DataError, match="'firms' differs from 'count'.*row 2") as err:
        read_county_statistics(path)
    assert (err.value.row, err.value.column) == (3, "unit")


def test_duplicate_county_year_quantity_is_refused(tmp_path):
    path = _write(tmp_path, STAT_HEADER, GOOD_STAT, GOOD_STAT.replace(",50,", ",51,"))
    with pytest.raises(DataError, match="duplicate of row 2") as err:
        read_county_statistics(path)
    assert err.value.row == 3


def test_same_quantity_in_another_year_is_not_a_duplicate(tmp_path):
    path = _write(tmp_path, STAT_HEADER, GOOD_STAT, GOOD_STAT.replace("2013", "2014"))
    assert [r.year for r in read_county_statistics(path)] == [2013, 2014]


def test_missing_column_is_refused(tmp_path):
    path = _write(
        tmp_path, STAT_HEADER.replace(",location", ""), GOOD_STAT.replace(",http://x/10-2.htm", "")
    )
    with pytest.raises(DataError, match="missing from the header") as err:
        read_county_statistics(path)
    assert err.value.column == "location" and err.value.row is None


def test_row_with_too_few_cells_is_refused(tmp_path):
    path = _write(tmp_path, STAT_HEADER, "deqing,2013,high_tech_enterprises,50")
    with pytest.raises(DataError, match="missing cell") as err:
        read_county_statistics(path)
    assert err.value.row == 2


def test_row_number_counts_lines_of_a_quoted_multiline_note(tmp_path):
    first = GOOD_STAT + '"two\nlines"'
    path = _write(tmp_path, STAT_HEADER, first, GOOD_STAT.replace("deqing", "nowhere"))
    with pytest.raises(DataError) as err:
        read_county_statistics(path)
    assert err.value.row == 4  # the first record takes lines 2 and 3


@pytest.mark.parametrize(
    ("line", "column", "words"),
    [
        (GOOD_FIG.replace("上市企业4家", ""), "quote", "empty"),
        (GOOD_FIG.replace("changxing", "shanghai"), "county", "unknown county key"),
        (GOOD_FIG.replace("listed_firms,4", "Listed Firms,4"), "quantity", "not snake_case"),
        (GOOD_FIG.replace(",4,", ",four,"), "value", "not a number"),
        (
            GOOD_FIG.replace("listed_firms: firms listed", "listed firms"),
            "model_mapping",
            "NAME: why",
        ),
        (
            GOOD_FIG.replace("listed_firms: firms", "listed_companies: firms"),
            "model_mapping",
            "not an indicator",
        ),
        (GOOD_FIG.replace("listed_firms: firms listed", "none:"), "model_mapping", "NAME: why"),
    ],
)
def test_bad_report_figure_is_refused(tmp_path, line, column, words):
    path = _write(tmp_path, FIG_HEADER, line)
    with pytest.raises(DataError, match=words) as err:
        read_report_figures(path)
    assert (err.value.row, err.value.column) == (2, column)


def test_report_figure_mapping_may_name_a_parameter_or_a_region_field(tmp_path):
    lines = [
        GOOD_FIG,
        "changxing,2018,ctos,180,persons,§1.5,180名,cto_firms_per_county: one per firm",
        "jiashan,2018,enclave_floor,17000,m2,§1.5,1.7万平方米,enclave_floor_m2: region field",
        "jiashan,2018,tech_banks,5,banks,§1.4,5家科技银行,none: one pool",
    ]
    assert len(read_report_figures(_write(tmp_path, FIG_HEADER, *lines))) == 4


# --------------------------------------------------------------------------------------------
# From the built wheel


def _uv_command() -> list[str] | None:
    """A command that runs uv: the binary ``uv run`` names in ``$UV`` or finds on PATH, or
    ``python -m uv`` of an interpreter that has it (under ``uv run`` the project's virtualenv
    shadows the system python on PATH, so its ``-m uv`` fails)."""
    for binary in (os.environ.get("UV"), shutil.which("uv")):
        if binary and Path(binary).is_file():
            return [binary]
    for candidate in (sys.executable, shutil.which("python3.11"), shutil.which("python3")):
        if (
            candidate
            and subprocess.run(
                [candidate, "-m", "uv", "--version"], capture_output=True, check=False
            ).returncode
            == 0
        ):
            return [candidate, "-m", "uv"]
    return None


@pytest.mark.slow
def test_loader_reads_the_files_from_the_built_wheel(tmp_path):
    uv = _uv_command()
    if uv is None:
        pytest.skip("uv is not installed for any python here, so no wheel can be built")
    subprocess.run(
        [*uv, "build", "--wheel", "--out-dir", str(tmp_path / "dist")],
        cwd=ROOT,
        check=True,
        capture_output=True,
        env={**os.environ, "UV_PYTHON_DOWNLOADS": "never"},
    )
    (wheel,) = (tmp_path / "dist").glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "model/data/county_statistics.csv" in names
    assert "model/data/report_figures.csv" in names
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    script = (
        "import json, model.data as d; "
        "print(json.dumps([d.__file__, len(d.load_county_statistics()), "
        "len(d.load_report_figures())]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,  # far from the checkout: only the unpacked wheel provides `model`
        env={**os.environ, "PYTHONPATH": str(site)},
        check=True,
        capture_output=True,
        text=True,
    )
    where, n_stats, n_figures = json.loads(out.stdout)
    assert Path(where).is_relative_to(site)
    assert (n_stats, n_figures) == (len(load_county_statistics()), len(load_report_figures()))


def test_csv_files_are_utf8_with_one_header():
    for name in ("county_statistics.csv", "report_figures.csv"):
        with open(DATA_DIR / name, encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f))
        assert rows[0][0] == "county" and all(r[0] != "county" for r in rows[1:])
