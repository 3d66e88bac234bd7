"""The county data set the model is to be calibrated against (CSV files shipped in the wheel).

See :mod:`model.data.county_data` for the files, their columns and the checks, and
``docs/data.md`` for what the data set covers and where it comes from.
"""

from model.data.county_data import (
    COUNTY_STATISTICS_FILE,
    PREFECTURE_KEYS,
    QUANTITIES,
    REPORT_FIGURES_FILE,
    CountyStatistic,
    DataError,
    Quantity,
    ReportFigure,
    county_keys,
    coverage,
    coverage_markdown,
    load_county_statistics,
    load_report_figures,
    mapping_targets,
    read_county_statistics,
    read_report_figures,
)

__all__ = [
    "COUNTY_STATISTICS_FILE",
    "PREFECTURE_KEYS",
    "QUANTITIES",
    "REPORT_FIGURES_FILE",
    "CountyStatistic",
    "DataError",
    "Quantity",
    "ReportFigure",
    "county_keys",
    "coverage",
    "coverage_markdown",
    "load_county_statistics",
    "load_report_figures",
    "mapping_targets",
    "read_county_statistics",
    "read_report_figures",
]
