"""Shared small fixtures: hand-built agent tables, kernel parameters, the default region.

Hand-built tables are tiny (a handful of rows) so every number in a test can be checked by
hand or against the slow references in ``tests/naive.py``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pytest

from model.sim.region import load_region
from model.sim.state import new_capital, new_counties, new_firms, new_platforms, new_talent

#: Every policy lever of report §3 switched on at once (issue: accounting must still hold).
ALL_POLICIES: dict[str, Any] = {
    "consolidation_enabled": True,
    "specialisation_enabled": True,
    "tax_rebate_share": 1.0,
    "voucher_budget_mcny_per_q": 20.0,
    "equipment_sharing_regionwide": True,
    "enclaves_enabled": True,
    "capital_chain_enabled": True,
    "town_mayor_experts_per_county": 5,
    "cto_firms_per_county": 15,
    "talent_subsidy_mcny_per_q": 2.0,
    "integration_enabled": True,
    "rd_grant_exante_rate": 0.1,
    "rd_grant_expost_per_patent_mcny": 0.05,
    "hte_certification_bonus_mcny": 0.2,
    "kpi_st_share_increase": 0.02,
    "policy_start_step": 2,
}

#: Values of a live firm row unless a test says otherwise (a mid-sized emerging-sector firm).
FIRM_DEFAULTS: dict[str, Any] = {
    "alive": True,
    "sector": 0,
    "cell": 0,
    "county": 0,
    "origin_county": 0,
    "born_step": -40,
    "employees": 50.0,
    "base_productivity": 0.25,
    "high_tech_share": 0.7,
    "rd_taste": 0.2,
    "revenue_mcny": 10.0,
    "cash_mcny": 5.0,
    "profit_mcny": 0.5,
}


def fill_table(table, rows: Sequence[Mapping[str, Any]], defaults: Mapping[str, Any]):
    """Write ``rows`` (field -> value, over ``defaults``) into rows 0.. of ``table``."""
    for i, row in enumerate(rows):
        for name, value in {**defaults, **row}.items():
            table.arrays[name][i] = value
    return table


def make_firms(rows: Sequence[Mapping[str, Any]], capacity: int | None = None):
    """A firm table whose first ``len(rows)`` rows are the given firms (others free)."""
    table = new_firms(capacity or len(rows) + 2)
    return fill_table(table, rows, FIRM_DEFAULTS)


def make_platforms(rows: Sequence[Mapping[str, Any]], capacity: int | None = None):
    """A platform table (defaults: live general platform of quality 10, capacity 10)."""
    defaults = {"alive": True, "cell": 0, "county": 0, "quality": 10.0, "capacity": 10}
    return fill_table(new_platforms(capacity or len(rows) + 1), rows, defaults)


def make_talent(rows: Sequence[Mapping[str, Any]], capacity: int | None = None):
    """A talent table (defaults: live R&D staff in county 0, unemployed)."""
    defaults = {"alive": True, "tier": 0, "county": 0, "hub": -1, "employer_firm": -1}
    return fill_table(new_talent(capacity or len(rows) + 1), rows, defaults)


def make_capital(n_counties: int):
    """One live tech bank per county (row ``c``) with a 10 m CNY pool."""
    capital = new_capital(n_counties)
    capital.alive[:] = True
    capital.kind[:] = 3
    capital.county[:] = np.arange(n_counties)
    capital.pool_mcny[:] = 10.0
    return capital


def make_counties(n: int, budget_mcny: float = 100.0):
    """County government table with a starting budget."""
    counties = new_counties(n)
    counties.budget_mcny[:] = budget_mcny
    return counties


@pytest.fixture(scope="session")
def region():
    """The default Jiaxing + Huzhou region (read once per session)."""
    return load_region("jiaxing-huzhou")


@pytest.fixture(scope="session")
def all_policies() -> dict[str, Any]:
    """Every policy lever switched on at once."""
    return dict(ALL_POLICIES)
