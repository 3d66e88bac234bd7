"""The comparison report's tables as DataFrames, written as CSV and XLSX.

The Markdown report shows the same numbers rounded; these files keep full precision for
readers who recompute or chart them. Column headers are in the report's language; scenario
keys are kept in a column of their own so tables of both languages join.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from model.report.text import t
from model.runs.results import atomic_write_bytes
from model.sim.indicators import indicator


def _label(name: str, lang: str) -> str:
    ind = indicator(name)
    return ind.label_zh if lang == "zh" else ind.label_en


def horizon_unit(name: str, lang: str) -> str:
    """Unit of indicator ``name`` at the horizon: flows are summed over the last four quarters.

    So a flow's per-quarter unit becomes per year ("m CNY/quarter" → "m CNY/year").
    """
    ind = indicator(name)
    unit = ind.unit_zh if lang == "zh" else ind.unit_en
    if ind.kind == "flow":
        unit = unit.replace("/quarter", "/year").replace("/季", "/年")
    return unit


def headline_table(
    effects: pd.DataFrame, scenarios: Mapping[str, Any], indicators: list[str], lang: str
) -> pd.DataFrame:
    """Relative change at the horizon (%) with its 90% interval, one row per scenario.

    Returns
    -------
    DataFrame
        Columns ``key``, the scenario label, then for every indicator three float columns
        (mean, 90% low, 90% high, in % of the baseline).
    """
    rows = []
    for name, s in scenarios.items():
        if name == "baseline":
            continue
        row: dict[str, Any] = {"key": name, t("scenario", lang): s.label(lang)}
        for ind in indicators:
            e = effects[(effects["scenario"] == name) & (effects["indicator"] == ind)]
            vals = e[["rel_mean", "rel_lo", "rel_hi"]].iloc[0].tolist() if len(e) else [None] * 3
            label = _label(ind, lang)
            row[f"{label} (%)"] = vals[0]
            row[f"{label}: {t('per_100m_lo', lang)}"] = vals[1]
            row[f"{label}: {t('per_100m_hi', lang)}"] = vals[2]
        rows.append(row)
    return pd.DataFrame(rows)


def fiscal_table(
    fiscal: pd.DataFrame, ce: pd.DataFrame, scenarios: Mapping[str, Any], lang: str
) -> pd.DataFrame:
    """Fiscal cost and cost-effectiveness per scenario (m CNY over the whole run)."""
    rows = []
    for name, s in scenarios.items():
        if name == "baseline":
            continue
        f, c = fiscal.loc[name], ce.loc[name]
        rows.append(
            {
                "key": name,
                t("scenario", lang): s.label(lang),
                t("county_cost", lang): f["county_cost"],
                t("province_cost", lang): f["province_cost"],
                t("assets", lang): f["public_assets_change"],
                t("net_cost", lang): f["net_cost"],
                t("county_tax", lang): f["county_tax_change"],
                t("province_tax", lang): f["province_tax_change"],
                t("st_cut", lang): f["st_cut"],
                t("per_hte", lang): c["cost_per_extra_hte"],
                t("per_grant", lang): c["cost_per_extra_grant"],
            }
        )
    return pd.DataFrame(rows)


def ranking_table(ranking: pd.DataFrame, scenarios: Mapping[str, Any], lang: str) -> pd.DataFrame:
    """Effect per 100 m CNY of net cost, ranked per indicator (see ``cost_ranking``)."""
    return pd.DataFrame(
        {
            t("indicator", lang): [_label(n, lang) for n in ranking["indicator"]],
            t("rank", lang): ranking["rank"],
            "key": ranking["scenario"],
            t("scenario", lang): [scenarios[s].label(lang) for s in ranking["scenario"]],
            t("net_cost", lang): ranking["net_cost"],
            t("per_100m", lang): ranking["per_100m"],
            t("per_100m_lo", lang): ranking["per_100m_lo"],
            t("per_100m_hi", lang): ranking["per_100m_hi"],
            t("unit", lang): [horizon_unit(n, lang) for n in ranking["indicator"]],
        }
    )


def write_tables(tables: Mapping[str, pd.DataFrame], folder: Path, lang: str) -> list[Path]:
    """Write each table as ``{name}_{lang}.csv`` and all as sheets of ``tables_{lang}.xlsx``.

    CSV files are UTF-8 with a byte-order mark, so spreadsheet programs read Chinese headers
    correctly. Files are written atomically. Returns the paths written (CSVs, then the XLSX).
    """
    import io

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, df in tables.items():
        path = folder / f"{name}_{lang}.csv"
        atomic_write_bytes(path, df.to_csv(index=False).encode("utf-8-sig"))
        written.append(path)
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xlsx:
        for name, df in tables.items():
            df.to_excel(xlsx, sheet_name=name[:31], index=False)
    path = folder / f"tables_{lang}.xlsx"
    atomic_write_bytes(path, buf.getvalue())
    written.append(path)
    return written
