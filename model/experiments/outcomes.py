"""The outcome of a run at a quarter: one definition for comparisons, sweeps and the API.

An indicator's outcome at quarter ``q`` (the horizon unless a quarter is asked for) is

- for a **stock** (high-tech enterprises, talent, platforms, ...): its value at ``q``;
- for a **flow** (R&D spending, patent applications, policy cost, ...): its sum over the
  :data:`FLOW_WINDOW_Q` quarters ending at ``q`` — one year, the period the report's
  indicators are counted over (report §3.1 assesses counties on yearly figures);
- for a **ratio** (``region_rule = "ratio:NUM/DEN"`` in :mod:`model.sim.indicators`, e.g. R&D
  intensity): NUM's outcome over DEN's outcome, so a yearly ratio of yearly sums.

``innovsim compare`` (:mod:`model.experiments.compare`), a sweep's
:meth:`~model.runs.store.ExperimentResults.outcomes` and the sensitivity analyses all call
:func:`outcome_table`, so they report the same number for the same run.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from model.sim.indicators import INDICATOR_NAMES, INDICATORS, indicator

#: Quarters a flow is summed over to give its outcome (one year).
FLOW_WINDOW_Q = 4


def window_steps(quarter: int) -> tuple[int, ...]:
    """Quarters whose rows an outcome at ``quarter`` reads: the flow window ending there."""
    return tuple(range(max(0, quarter - FLOW_WINDOW_Q + 1), quarter + 1))


def ratio_parts(name: str) -> tuple[str, str] | None:
    """``(numerator, denominator)`` of a ratio indicator, or None for a stock or flow."""
    rule = indicator(name).region_rule
    if not rule.startswith("ratio:"):
        return None
    num, den = rule[len("ratio:") :].split("/")
    return num, den


def needed_indicators(names: Sequence[str]) -> list[str]:
    """The indicators whose rows the outcomes of ``names`` read (ratios need their parts)."""
    out: list[str] = []
    for name in names:
        parts = ratio_parts(name)
        for n in (name, *(parts or ())):
            if n not in out:
                out.append(n)
    return out


def outcome_table(
    tidy: pd.DataFrame, keys: Sequence[str], quarter: int | None = None
) -> pd.DataFrame:
    """Outcome of every indicator present in ``tidy`` at ``quarter``, one row per key.

    Parameters
    ----------
    tidy : DataFrame
        Tidy rows ``*keys, step, indicator, value`` (one county or the region per key; filter
        ``county_id`` before, or put it in ``keys``).
    keys : sequence of str
        Columns identifying one run (and county), e.g. ``["scenario", "seed"]``.
    quarter : int, optional
        The quarter (default: the last step in ``tidy``).

    Returns
    -------
    DataFrame
        Index ``keys``; one column per indicator, in the order of
        :data:`model.sim.indicators.INDICATOR_NAMES`.

    Raises
    ------
    ValueError
        If a flow's window ending at ``quarter`` is not in ``tidy`` (a sweep that kept too few
        quarters).
    """
    keys = list(keys)
    q = int(tidy["step"].max()) if quarter is None else int(quarter)
    window = tidy[tidy["step"].isin(window_steps(q))]
    present = set(window["indicator"].unique())
    plain = [i for i in INDICATORS if i.name in present and ratio_parts(i.name) is None]
    flows = [i.name for i in plain if i.kind == "flow"]
    stocks = [i.name for i in plain if i.kind == "stock"]
    if flows:
        have = set(window.loc[window["indicator"].isin(flows), "step"].unique())
        missing = sorted(set(window_steps(q)) - have)
        if missing:
            raise ValueError(
                f"the outcome of a flow at quarter {q} sums quarters {list(window_steps(q))}, "
                f"but quarters {missing} were not kept; keep them (an experiment's "
                "[outputs] steps keeps each listed quarter's window)"
            )
    parts = []
    if flows:
        summed = window[window["indicator"].isin(flows)].pivot_table(
            index=keys, columns="indicator", values="value", aggfunc="sum", observed=True
        )
        parts.append(summed)
    if stocks:
        last = window[(window["step"] == q) & window["indicator"].isin(stocks)].pivot_table(
            index=keys, columns="indicator", values="value", aggfunc="sum", observed=True
        )
        parts.append(last)
    if not parts:
        return pd.DataFrame(index=pd.MultiIndex.from_tuples([], names=keys))
    out = parts[0] if len(parts) == 1 else parts[0].join(parts[1], how="outer")
    for name in INDICATOR_NAMES:
        ratio = ratio_parts(name)
        if name in present and ratio is not None and set(ratio) <= set(out.columns):
            den = out[ratio[1]]
            out[name] = out[ratio[0]] / den.where(den > 0)
    out.columns.name = None
    return out[[n for n in INDICATOR_NAMES if n in out.columns]]


def horizon_values(results: pd.DataFrame, county_level: bool = False) -> pd.DataFrame:
    """Outcome of each indicator at the horizon, per scenario and seed (and county).

    Returns
    -------
    DataFrame
        Index (scenario, seed[, county_id]); one column per indicator (see
        :func:`outcome_table`).
    """
    rows = results[results["county_id"] >= 0] if county_level else results
    if not county_level:
        rows = rows[rows["county_id"] == -1]
    keys = ["scenario", "seed"] + (["county_id"] if county_level else [])
    return outcome_table(rows, keys)


def long_outcomes(wide: pd.DataFrame, names: Sequence[str] | None = None) -> pd.DataFrame:
    """Wide outcomes (one column per indicator) as long rows ``*index, indicator, value``."""
    cols = [n for n in (names or wide.columns) if n in wide.columns]
    long = (
        wide[cols]
        .reset_index()
        .melt(id_vars=list(wide.index.names), var_name="indicator", value_name="value")
    )
    long["value"] = long["value"].astype(np.float64)
    return long
