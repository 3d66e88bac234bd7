"""Column declarations of model/sim/state.py: fills of entering firms, per-quarter resets."""

from __future__ import annotations

import numpy as np
from conftest import make_counties, make_firms, make_platforms

from model.kernels.entry_exit import enter_firms
from model.params.table import Parameters
from model.sim.ledger import N_FLOWS
from model.sim.state import COUNTY_FIELDS, FIRM_FIELDS

#: Columns ``enter_firms`` writes for a county start-up (not incubated); every other column of
#: the row must hold its declared fill.
WRITTEN_BY_ENTRY = {
    "alive",
    "sector",
    "cell",
    "county",
    "origin_county",
    "born_step",
    "employees",
    "base_productivity",
    "high_tech_share",
    "rd_taste",
    "cash_mcny",
}


def _not_fill(column):
    """A value of the column's dtype that differs from its fill."""
    if column.dtype is np.bool_:
        return not column.fill
    return column.fill + 3


def test_a_reused_firm_row_keeps_nothing_of_the_dead_firm():
    firms = make_firms([{}, {}], capacity=3)
    dead = 1
    for column in FIRM_FIELDS:
        firms.arrays[column.name][dead] = _not_fill(column)
    firms.alive[dead] = False
    platforms = make_platforms([{}])
    counties = make_counties(1)
    kp = Parameters().for_kernels()
    used = enter_firms(
        firms.view(),
        platforms.view(),
        counties.view(),
        np.array([1], dtype=np.int64),
        np.zeros(1, dtype=np.int64),
        np.array([dead], dtype=np.int64),
        np.array([0], dtype=np.int64),
        np.array([0, 1], dtype=np.int64),
        np.ones((1, 2), dtype=np.float64),
        np.full(2, 0.5),
        kp,
        1,
        5,
        np.zeros(N_FLOWS),
    )
    assert used == 1
    assert firms.alive[dead]
    assert firms.born_step[dead] == 5
    kept = [
        column.name
        for column in FIRM_FIELDS
        if column.name not in WRITTEN_BY_ENTRY
        and not np.all(firms.arrays[column.name][dead] == column.fill)
    ]
    assert not kept, f"columns a start-up inherited from the dead firm: {kept}"
    # the row that was not reused is untouched
    assert firms.alive[0] and firms.cash_mcny[0] == 5.0


def test_reset_per_quarter_resets_exactly_the_per_quarter_columns():
    counties = make_counties(2)
    for column in COUNTY_FIELDS:
        counties.arrays[column.name][:] = _not_fill(column)
    counties.reset_per_quarter()
    per_quarter = {c.name for c in COUNTY_FIELDS if c.per_quarter}
    # the quarterly flows the indicators read as "this quarter"
    assert {"tax_revenue_mcny", "startups_q", "graduates_q", "new_hte_q"} <= per_quarter
    assert "budget_mcny" not in per_quarter
    for column in COUNTY_FIELDS:
        values = counties.arrays[column.name]
        if column.per_quarter:
            assert np.all(values == column.fill), column.name
        else:
            assert np.all(values == _not_fill(column)), column.name
