"""Money and talent accounting: named sources and sinks, and the conservation check.

Every yuan that leaves one modelled account (firm cash, platform cash, county and province
budgets, fund and bank pools) enters another, or goes to a named sink outside the model
(suppliers, households, the central government, ...), or comes from a named source (customers,
founders, outside investors, equity markets). Kernels add each external flow to the ``flows``
array at the index named here; :func:`check_money` verifies, every step, that the change of the
modelled stocks equals sources minus sinks. Talent is counted the same way.
"""

from __future__ import annotations

import numpy as np

# Sources of money (enter the modelled accounts from outside).
SRC_SALES = 0  # customers pay firms' revenue
SRC_FOUNDER_EQUITY = 1  # founders' cash in start-ups
SRC_OUTSIDE_INVESTORS = 2  # commitments to market funds and sub-funds a mother fund attracts
SRC_EQUITY_MARKETS = 3  # equity raised on boards and at listing, exit proceeds to funds
SRC_PROVINCE_WIDE_BUDGET = 4  # province money from outside the region (deficit financing)
# Sinks of money (leave the modelled accounts).
SINK_MATERIALS = 5  # purchased inputs
SINK_WORKER_WAGES = 6  # production workers
SINK_TALENT_WAGES = 7  # S&T staff and experts
SINK_RD_PURCHASES = 8  # R&D materials and outside services
SINK_CENTRAL_TAX = 9  # central government's share of CIT
SINK_COUNTY_GENERAL = 10  # county spending other than S&T
SINK_PROVINCE_GENERAL = 11  # province spending other than S&T
SINK_PLATFORM_RUNNING = 12  # platforms' overhead and quality investment
SINK_EXIT_CASH = 13  # cash of closing firms paid out (or unpaid debts, when negative)
SINK_FIRMS_LEAVING = 14  # cash of firms that move to a hub with their business
SINK_PROGRAMME_COSTS = 15  # rent, stipends, mergers, administration, talent packages
SINK_DEBT_INTEREST = 16  # interest counties pay on an S&T account in deficit
N_FLOWS = 17

FLOW_NAMES = (
    "src_sales",
    "src_founder_equity",
    "src_outside_investors",
    "src_equity_markets",
    "src_province_wide_budget",
    "sink_materials",
    "sink_worker_wages",
    "sink_talent_wages",
    "sink_rd_purchases",
    "sink_central_tax",
    "sink_county_general",
    "sink_province_general",
    "sink_platform_running",
    "sink_exit_cash",
    "sink_firms_leaving",
    "sink_programme_costs",
    "sink_debt_interest",
)
N_SOURCES = 5

# Talent flows (persons).
TALENT_ARRIVALS = 0
TALENT_DEPARTURES = 1
N_TALENT_FLOWS = 2


def money_stock(firms, platforms, capital, counties, province) -> float:
    """Total money in the modelled accounts (m CNY)."""
    return float(
        firms.cash_mcny[firms.alive].sum()
        + platforms.cash_mcny[platforms.alive].sum()
        + capital.pool_mcny[capital.alive].sum()
        + counties.budget_mcny.sum()
        + counties.talent_pool_mcny.sum()
        + province.sum()
    )


def net_external_flow(flows: np.ndarray) -> float:
    """Sources minus sinks of one step (m CNY)."""
    return float(flows[:N_SOURCES].sum() - flows[N_SOURCES:].sum())


def gross_external_flow(flows: np.ndarray) -> float:
    """Sources plus sinks of one step (m CNY), the scale for rounding tolerance."""
    return float(np.abs(flows).sum())


def check_money(
    stock_before: float, stock_after: float, flows: np.ndarray, rtol: float = 1e-9
) -> float:
    """Return the accounting residual; raise if it exceeds ``rtol`` of the gross flows.

    Raises
    ------
    AssertionError
        If money appeared or vanished.
    """
    residual = (stock_after - stock_before) - net_external_flow(flows)
    scale = max(1.0, gross_external_flow(flows), abs(stock_before))
    if abs(residual) > rtol * scale:
        raise AssertionError(
            f"money is not conserved: stocks changed by {stock_after - stock_before:.6f} m CNY "
            f"but sources - sinks = {net_external_flow(flows):.6f} (residual {residual:.3g})"
        )
    return residual
