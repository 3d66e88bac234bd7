"""A yearly panel of firms from one run of the model, for the stylised facts.

A firm is a row of the firm table with its birth quarter: a row freed by an exit and reused
by a start-up has another ``born_step`` and counts as another firm.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.params.table import Parameters
from model.sim.engine import Simulation
from model.sim.region import Region


@dataclass(frozen=True)
class FirmPanel:
    """Firm-years and start-up cohorts of one run.

    Firm-years are firms alive at the start of a year (quarters 4k+1 .. 4k+4 after the
    burn-in); ``n`` below is their number over all years.

    Attributes
    ----------
    employees_start : (n,) float64
        Employees at the start of the year.
    age_q : (n,) int64
        Age in quarters at the start of the year.
    survived : (n,) bool
        Still alive (the same firm) at the end of the year.
    log_growth : (n,) float64
        Log change of employees over the year; NaN for firms that closed.
    applications : (n,) int64
        Invention patent applications filed in the year.
    applied_previous_year : (n,) int8
        1 if the firm applied in the year before, 0 if not, -1 if it was not alive through it.
    cohort_size, cohort_alive_5y : int
        Start-ups of quarters 1 .. Q-20 and how many of them are alive 20 quarters later.
    final_employees : (m,) float64
        Employees of the m firms alive at the last quarter.
    final_patents : (m,) int64
        Invention patents granted to them so far.
    county_applications_last_year : (n_counties,) float64
        Invention patent applications of each county's firms over the last four quarters.
    county_value_added_last_year_mcny : (n_counties,) float64
        Value added of each county's firms over the last four quarters.
    """

    employees_start: np.ndarray
    age_q: np.ndarray
    survived: np.ndarray
    log_growth: np.ndarray
    applications: np.ndarray
    applied_previous_year: np.ndarray
    cohort_size: int
    cohort_alive_5y: int
    final_employees: np.ndarray
    final_patents: np.ndarray
    county_applications_last_year: np.ndarray
    county_value_added_last_year_mcny: np.ndarray


def collect_panel(region: Region, params: Parameters, seed: int, quarters: int) -> FirmPanel:
    """Run the model for ``quarters`` (a multiple of 4, at least 24) and return its panel."""
    if quarters % 4 or quarters < 24:
        raise ValueError(f"quarters must be a multiple of 4 and at least 24, got {quarters}")
    sim = Simulation(region, params, seed)
    n_counties = region.n_counties
    rows_year = None  # firms alive at the year's start: (rows, born, employees, quarter)
    applications_prev: dict[tuple[int, int], int] = {}
    out = {k: [] for k in ("employees", "age", "survived", "growth", "apps", "prev")}
    cohort_size = cohort_alive = 0
    county_apps = np.zeros(n_counties)
    county_va = np.zeros(n_counties)
    year_apps = np.zeros(0, dtype=np.int64)
    for t in range(1, quarters + 1):
        if t % 4 == 1:
            firms = sim.firms
            rows = np.flatnonzero(firms.alive)
            rows_year = (rows, firms.born_step[rows].copy(), firms.employees[rows].copy(), t - 1)
            year_apps = np.zeros(len(rows), dtype=np.int64)
        sim.step()
        firms = sim.firms
        rows, born, employees0, t0 = rows_year
        same = firms.alive[rows] & (firms.born_step[rows] == born)
        year_apps += np.where(same, firms.applications_q[rows], 0)
        if t > quarters - 4:
            live = np.flatnonzero(firms.alive)
            county = firms.county[live]
            county_apps += np.bincount(county, firms.applications_q[live], minlength=n_counties)
            county_va += np.bincount(county, firms.value_added_mcny[live], minlength=n_counties)
        if t <= quarters - 20:
            cohort_size += int(np.sum(firms.alive & (firms.born_step == t)))
        if t > 20 and t - 20 <= quarters - 20:
            cohort_alive += int(np.sum(firms.alive & (firms.born_step == t - 20)))
        if t % 4 == 0:
            keys = list(zip(rows.tolist(), born.tolist(), strict=True))
            out["employees"].append(employees0)
            out["age"].append(t0 - born.astype(np.int64))
            out["survived"].append(same)
            out["growth"].append(np.where(same, np.log(firms.employees[rows] / employees0), np.nan))
            out["apps"].append(year_apps)
            out["prev"].append(
                np.array([applications_prev.get(k, -1) for k in keys], dtype=np.int8)
            )
            applications_prev = {
                k: int(a > 0) for k, a, s in zip(keys, year_apps, same, strict=True) if s
            }
    live = np.flatnonzero(sim.firms.alive)
    return FirmPanel(
        employees_start=np.concatenate(out["employees"]),
        age_q=np.concatenate(out["age"]),
        survived=np.concatenate(out["survived"]),
        log_growth=np.concatenate(out["growth"]),
        applications=np.concatenate(out["apps"]),
        applied_previous_year=np.concatenate(out["prev"]),
        cohort_size=cohort_size,
        cohort_alive_5y=cohort_alive,
        final_employees=sim.firms.employees[live].copy(),
        final_patents=sim.firms.patents_granted[live].astype(np.int64),
        county_applications_last_year=county_apps,
        county_value_added_last_year_mcny=county_va,
    )
