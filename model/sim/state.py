"""Agent populations as structs of numpy arrays with spare capacity and an alive mask.

Each population is a table: one numpy array per attribute, one row per agent slot. A slot
whose ``alive`` is False is free; entry fills free slots, exit clears ``alive``. When free
slots run out, :meth:`Table.grow` doubles the capacity between steps (amortised O(1), no
Python loop over agents). Kernels receive a table as a namedtuple of its arrays
(:meth:`Table.view`), so they see only arrays.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np

#: ``hte_until_step`` of a firm never certified: before any quarter, burn-in included.
NEVER_CERTIFIED = -(2**30)

#: Longest patent grant lag the pipeline ring buffer supports, in quarters.
MAX_GRANT_LAG_Q = 24

#: One column of a table. ``fill`` is the value of a free row and of a row an agent enters
#: (``enter_firms`` resets a reused firm row to the fills before writing the new firm);
#: ``per_quarter`` columns are quarterly flows the engine sets back to ``fill`` at the start of
#: every quarter (:meth:`Table.reset_per_quarter`).
Column = namedtuple("Column", ["name", "dtype", "fill", "shape", "per_quarter"])

#: ``per_quarter`` of a :data:`Column`: reset to its fill at the start of each quarter.
PER_QUARTER = True


def _float_columns(*names: str) -> tuple[Column, ...]:
    """float64 columns filled with 0 (the common case: money, stocks and rates of an agent)."""
    return tuple((name, np.float64, 0.0, ()) for name in names)


def _columns(*rows) -> tuple[Column, ...]:
    """Columns from ``(name, dtype, fill, trailing shape[, per_quarter])`` rows."""
    return tuple(Column(*row) if len(row) == 5 else Column(*row, False) for row in rows)


FIRM_FIELDS = _columns(
    ("alive", np.bool_, False, ()),
    ("sector", np.int8, 0, ()),
    ("cell", np.int32, -1, ()),
    ("county", np.int16, -1, ()),
    ("origin_county", np.int16, -1, ()),
    ("born_step", np.int32, 0, ()),
    *_float_columns(
        "employees",
        "base_productivity",
        "high_tech_share",
        "rd_taste",
        "revenue_mcny",
        "value_added_mcny",
        "profit_mcny",
        "cash_mcny",
        "debt_mcny",
        "equity_raised_mcny",
        "fund_stake_mcny",
    ),
    ("lead_fund", np.int32, -1, ()),
    ("co_fund", np.int32, -1, ()),
    ("co_stake_mcny", np.float64, 0.0, ()),
    ("revenue_at_investment_mcny", np.float64, 0.0, ()),  # quarterly revenue at the last deal
    ("rd_real_mcny", np.float64, 0.0, ()),
    ("rd_reported_mcny", np.float64, 0.0, ()),
    ("rd_grant_funded_mcny", np.float64, 0.0, ()),  # of rd_real_mcny: the public grant in it
    *_float_columns("rd_reported_year_mcny", "revenue_year_mcny", "knowledge", "new_knowledge"),
    ("patent_pipeline", np.int32, 0, (MAX_GRANT_LAG_Q,)),
    ("applications_q", np.int32, 0, ()),
    ("grants_q", np.int32, 0, ()),
    ("patents_granted", np.int32, 0, ()),
    # the staff share of the R&D budget (m CNY per quarter): what the firm will pay its S&T
    # staff at going wages (ODD §7.2, §7.3)
    ("staff_budget_mcny", np.float64, 0.0, ()),
    ("rd_staff", np.int32, 0, ()),
    ("talent_units", np.float64, 0.0, ()),
    ("experts", np.int32, 0, ()),
    # of rd_staff and experts: those working in the county's hub enclave (report §1.5), and
    # county experts hired with a talent package (the policy's own people, counted apart)
    ("hub_staff", np.int32, 0, ()),
    ("hub_experts", np.int32, 0, ()),
    ("recruited_experts", np.int32, 0, ()),
    ("talent_wage_mcny", np.float64, 0.0, ()),
    ("platform", np.int32, -1, ()),
    ("incubated", np.bool_, False, ()),
    ("hte_until_step", np.int32, NEVER_CERTIFIED, ()),
    ("st_sme", np.bool_, False, ()),
    ("quoted", np.bool_, False, ()),
    ("listed", np.bool_, False, ()),
    ("in_enclave", np.bool_, False, ()),
    ("expert_link", np.bool_, False, ()),
    ("voucher_mcny", np.float64, 0.0, ()),
    ("voucher_platform", np.int32, -1, ()),  # where the voucher is redeemed (-1: none)
    ("grant_mcny", np.float64, 0.0, ()),
)

PLATFORM_FIELDS = _columns(
    ("alive", np.bool_, False, ()),
    ("kind", np.int8, 0, ()),
    ("level", np.int8, 0, ()),
    ("sector_focus", np.int8, -1, ()),
    ("cell", np.int32, -1, ()),
    ("county", np.int16, -1, ()),
    ("capacity", np.int32, 0, ()),
    *_float_columns("quality", "budget_mcny", "cash_mcny", "equipment_mcny"),
    ("tenants", np.int32, 0, ()),
    ("anchor_firm", np.int32, -1, ()),
    ("transition_until_step", np.int32, NEVER_CERTIFIED, ()),  # never in transition
)

TALENT_FIELDS = _columns(
    ("alive", np.bool_, False, ()),
    ("tier", np.int8, 0, ()),
    ("sector", np.int8, 0, ()),
    ("employer_firm", np.int32, -1, ()),
    ("county", np.int16, -1, ()),
    ("hub", np.int16, -1, ()),
    ("recruited", np.bool_, False, ()),  # arrived with a county talent package
)

CAPITAL_FIELDS = _columns(
    ("alive", np.bool_, False, ()),
    ("kind", np.int8, 0, ()),
    ("county", np.int16, -1, ()),
    *_float_columns(
        "pool_mcny",
        "threshold",
        "leverage",
        "invested_mcny",
        "loans_mcny",
        "losses_mcny",
        "returns_mcny",
    ),
)

COUNTY_FIELDS = _columns(
    ("budget_mcny", np.float64, 0.0, ()),
    ("tax_revenue_mcny", np.float64, 0.0, (), PER_QUARTER),
    ("prev_tax_revenue_mcny", np.float64, 0.0, ()),
    ("st_spending_mcny", np.float64, 0.0, (), PER_QUARTER),
    ("policy_cost_mcny", np.float64, 0.0, (), PER_QUARTER),
    ("rebate_mcny", np.float64, 0.0, (), PER_QUARTER),
    # the rebate's yearly settlement: this year's province part of high-tech CIT and its
    # quarters, and shortfalls against the base carried to later years (netted)
    ("province_hte_cit_year_mcny", np.float64, 0.0, ()),
    ("province_hte_cit_year_q", np.int32, 0, ()),
    ("rebate_carry_mcny", np.float64, 0.0, ()),
    # the binding S&T budget: what could not be paid this quarter, interest on a deficit
    ("st_cut_mcny", np.float64, 0.0, (), PER_QUARTER),
    ("st_interest_mcny", np.float64, 0.0, (), PER_QUARTER),
    ("st_payable_mcny", np.float64, 0.0, ()),  # one-off costs owed (mergers), paid in phase 8
    # the capital chain's funds paid in by tranches: commitment left, tranche, paid this quarter
    ("chain_commitment_mcny", np.float64, 0.0, ()),
    ("chain_tranche_mcny", np.float64, 0.0, ()),
    ("chain_paid_mcny", np.float64, 0.0, (), PER_QUARTER),
    ("province_hte_cit_mcny", np.float64, 0.0, (), PER_QUARTER),
    ("province_hte_cit_base_mcny", np.float64, -1.0, ()),
    ("province_tax_mcny", np.float64, 0.0, (), PER_QUARTER),
    ("province_policy_cost_mcny", np.float64, 0.0, (), PER_QUARTER),
    ("grant_pool_mcny", np.float64, 0.0, ()),
    ("talent_pool_mcny", np.float64, 0.0, ()),
    ("startups_q", np.int32, 0, (), PER_QUARTER),
    ("graduates_q", np.int32, 0, (), PER_QUARTER),
    ("venture_mcny", np.float64, 0.0, (), PER_QUARTER),
    ("venture_public_mcny", np.float64, 0.0, (), PER_QUARTER),  # of venture_mcny: public funds
    ("new_hte_q", np.int32, 0, (), PER_QUARTER),
    ("rd_staff_initial", np.float64, 0.0, ()),
    ("enclave_hub", np.int16, -1, ()),
    ("enclave_slots", np.int32, 0, ()),
    # status quo practices of the region file (report §1.4, §1.5), fixed from the start
    ("equity_board", np.bool_, False, ()),
    ("cto_firms", np.int32, 0, ()),
    ("seat_cell", np.int32, 0, ()),
    # going wage of each talent tier / its table wage: moves with scarcity (ODD §7.2)
    ("wage_index", np.float64, 1.0, (3,)),
)

CAPITAL_GUIDANCE, CAPITAL_MOTHER, CAPITAL_MARKET_VC, CAPITAL_TECH_BANK = 0, 1, 2, 3
PLATFORM_INCUBATOR, PLATFORM_RD_INSTITUTE, PLATFORM_SERVICE, PLATFORM_COMPLEX = 0, 1, 2, 3
TIER_RD_STAFF, TIER_SENIOR, TIER_EXPERT = 0, 1, 2


class Table:
    """A population: one numpy array per field, ``capacity`` rows.

    Parameters
    ----------
    fields : tuple of Column
        One :data:`Column` per attribute.
    capacity : int
        Number of rows to allocate.
    name : str
        Population name (used for the namedtuple type given to kernels).
    """

    def __init__(self, fields, capacity: int, name: str):
        self.fields = fields
        self.name = name
        self.arrays: dict[str, np.ndarray] = {}
        for fname, dtype, fill, shape, _ in fields:
            self.arrays[fname] = _filled((capacity, *shape), fill, dtype)
        self._tuple_type = _tuple_type(name, tuple(f[0] for f in fields))

    @property
    def n_rows(self) -> int:
        """Number of rows (live and free)."""
        return len(self.arrays[self.fields[0][0]])

    def __getattr__(self, name: str) -> np.ndarray:
        arrays = self.__dict__.get("arrays")
        if arrays is not None and name in arrays:
            return arrays[name]
        raise AttributeError(name)

    def view(self):
        """Return the arrays as a namedtuple (the form kernels take); no copy."""
        return self._tuple_type(**self.arrays)

    def n_alive(self) -> int:
        """Number of live agents (only for tables with an ``alive`` field)."""
        return int(np.count_nonzero(self.arrays["alive"]))

    def free_slots(self) -> int:
        """Number of free rows."""
        return self.n_rows - self.n_alive()

    def ensure_free(self, needed: int) -> None:
        """Grow (doubling) until at least ``needed`` rows are free."""
        free = self.free_slots()
        if free >= needed:
            return
        new_capacity = self.n_rows
        while new_capacity - self.n_alive() < needed:
            new_capacity *= 2
        self.grow(new_capacity)

    def grow(self, new_capacity: int) -> None:
        """Reallocate every array with ``new_capacity`` rows, keeping the existing rows."""
        old = self.n_rows
        if new_capacity <= old:
            return
        for fname, dtype, fill, shape, _ in self.fields:
            grown = _filled((new_capacity, *shape), fill, dtype)
            grown[:old] = self.arrays[fname]
            self.arrays[fname] = grown

    def reset_per_quarter(self) -> None:
        """Set every ``per_quarter`` column back to its fill (start of a quarter)."""
        for column in self.fields:
            if column.per_quarter:
                self.arrays[column.name][:] = column.fill

    def copy(self) -> Table:
        """Deep copy (for tests and checkpoints)."""
        other = Table.__new__(Table)
        other.fields = self.fields
        other.name = self.name
        other.arrays = {k: v.copy() for k, v in self.arrays.items()}
        other._tuple_type = self._tuple_type
        return other


def _filled(shape: tuple[int, ...], fill, dtype) -> np.ndarray:
    """An array of ``shape`` holding ``fill``.

    Zero-filled columns come from ``np.zeros``, whose pages the operating system maps only when
    a row is first written, so the spare rows of a table cost no time or memory until used
    (at 1M firms ``np.full`` spent about 2 s writing them).
    """
    if fill == 0:
        return np.zeros(shape, dtype=dtype)
    return np.full(shape, fill, dtype=dtype)


def fill_rows(view, fields, rows: np.ndarray) -> None:
    """Set rows ``rows`` of every column of ``view`` to the column's fill (a fresh agent).

    Parameters
    ----------
    view : namedtuple of arrays
        A table's :meth:`Table.view`; written.
    fields : tuple of Column
        The table's columns (e.g. :data:`FIRM_FIELDS`).
    rows : (n,) int64
        Rows to reset.
    """
    for column in fields:
        getattr(view, column.name)[rows] = column.fill


_TUPLE_TYPES: dict[tuple, type] = {}


def _tuple_type(name: str, field_names: tuple[str, ...]) -> type:
    key = (name, field_names)
    if key not in _TUPLE_TYPES:
        _TUPLE_TYPES[key] = namedtuple(name, field_names)
    return _TUPLE_TYPES[key]


# Module-level namedtuple types, so numba's cache can pickle them by name.
Firms = _tuple_type("Firms", tuple(f[0] for f in FIRM_FIELDS))
Platforms = _tuple_type("Platforms", tuple(f[0] for f in PLATFORM_FIELDS))
Talent = _tuple_type("Talent", tuple(f[0] for f in TALENT_FIELDS))
Capital = _tuple_type("Capital", tuple(f[0] for f in CAPITAL_FIELDS))
Counties = _tuple_type("Counties", tuple(f[0] for f in COUNTY_FIELDS))


def new_firms(capacity: int) -> Table:
    """Allocate an empty firm table."""
    return Table(FIRM_FIELDS, capacity, "Firms")


def new_platforms(capacity: int) -> Table:
    """Allocate an empty platform table."""
    return Table(PLATFORM_FIELDS, capacity, "Platforms")


def new_talent(capacity: int) -> Table:
    """Allocate an empty talent table."""
    return Table(TALENT_FIELDS, capacity, "Talent")


def new_capital(capacity: int) -> Table:
    """Allocate an empty capital table (funds and tech banks)."""
    return Table(CAPITAL_FIELDS, capacity, "Capital")


def new_counties(n: int) -> Table:
    """Allocate the county government table (one row per county, no spare rows)."""
    return Table(COUNTY_FIELDS, n, "Counties")
