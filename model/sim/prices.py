"""Aggregate nominal growth: the price level of a quarter and the parameters that follow it.

The model does not explain the growth of its region's economy; it takes it as given
(``market_growth_per_year``, fitted in docs/calibration.md to the prefectures' GDP at current
prices, 2015-2018) so that money outcomes can be compared with the data of several years.
After quarter 0 the price level rises by that rate a year. Revenue per worker rises with it
(``model/kernels/production.py``), and so do the prices a firm pays for people and for the
scale of research: the parameters in :data:`PRICED_PARAMETERS`. Knowledge is produced from
R&D money deflated by the price level (``model/kernels/knowledge.py``), so a firm that keeps
its R&D share of revenue keeps its research effort. Everything else stays nominal: policy
budgets, platform fees and the revenue thresholds written in law (certification tiers,
listing and quotation rules) weigh less every year, as a fixed budget line does (ODD §7.14).
"""

from __future__ import annotations

#: ``KernelParams`` fields in m CNY that are prices of the base quarter and rise with the level.
PRICED_PARAMETERS = (
    "worker_wage_mcny_per_q",
    "wage_rd_staff_mcny_per_q",
    "wage_senior_mcny_per_q",
    "wage_expert_mcny_per_q",
    "rd_fixed_cost_mcny_per_q",
    "startup_cash_mcny",
)


def price_level(growth_per_year: float, step: int) -> float:
    """Price level of quarter ``step`` relative to quarter 0 (1 in the burn-in and at 0).

    >>> price_level(0.1, 4)
    1.1
    >>> price_level(0.1, -3)
    1.0
    """
    if step <= 0 or growth_per_year == 0.0:
        return 1.0
    return (1.0 + growth_per_year) ** (step / 4.0)


def at_price_level(kp, level: float):
    """``KernelParams`` ``kp`` with the :data:`PRICED_PARAMETERS` multiplied by ``level``.

    Returns ``kp`` itself at level 1, so a stationary run reads exactly the table's values.
    """
    if level == 1.0:
        return kp
    return kp._replace(**{name: getattr(kp, name) * level for name in PRICED_PARAMETERS})
