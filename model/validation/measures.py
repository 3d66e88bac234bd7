"""Statistics of firm and innovation dynamics, as the empirical literature measures them.

Pure functions of arrays, so each can be checked on samples whose answer is known (a Pareto
sample has its exponent, a Laplace sample an excess kurtosis of 3). :mod:`stylised_facts`
applies them to runs of the model.
"""

from __future__ import annotations

import numpy as np


def pareto_exponent(sizes: np.ndarray, min_size: float) -> float:
    """Tail exponent zeta of a size distribution, P(S > s) ~ s**-zeta, for sizes >= min_size.

    Rank-size regression with the Gabaix & Ibragimov (2011, J. Bus. Econ. Stat. 29:24-39)
    correction: the OLS slope of log(rank - 1/2) on log(size), sign reversed. Axtell (2001)
    fits the same power law to US firm sizes.

    Parameters
    ----------
    sizes : (n,) float64
        Firm sizes (employees), any order.
    min_size : float
        Lower cut-off of the tail.
    """
    tail = np.sort(np.asarray(sizes, dtype=np.float64)[sizes >= min_size])[::-1]
    if len(tail) < 10:
        raise ValueError(f"need at least 10 sizes >= {min_size}, got {len(tail)}")
    rank = np.arange(1, len(tail) + 1, dtype=np.float64)
    slope = np.polyfit(np.log(tail), np.log(rank - 0.5), 1)[0]
    return float(-slope)


def excess_kurtosis(values: np.ndarray) -> float:
    """Excess kurtosis (fourth standardised moment minus 3) of finite values.

    0 for a Gaussian, 3 for a Laplace ("tent-shaped") distribution of growth rates.

    Parameters
    ----------
    values : (n,) float64
    """
    x = np.asarray(values, dtype=np.float64)
    x = x[np.isfinite(x)]
    centred = x - x.mean()
    variance = np.mean(centred**2)
    return float(np.mean(centred**4) / variance**2 - 3.0)


def spread_size_slope(log_size: np.ndarray, growth: np.ndarray, n_bins: int = 10) -> float:
    """Slope of log sd(growth) on mean log size over size quantile bins.

    Stanley et al. (1996) find sd(growth) ~ size**-beta, so the slope is -beta.

    Parameters
    ----------
    log_size : (n,) float64
        Log size at the start of the growth period.
    growth : (n,) float64
        Log growth over the period (finite: survivors only).
    n_bins : int
        Number of size quantile bins.
    """
    edges = np.quantile(log_size, np.linspace(0.0, 1.0, n_bins + 1))
    x, y = [], []
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        band = (log_size >= lo) & (log_size <= hi)
        if band.sum() >= 20:
            x.append(log_size[band].mean())
            y.append(np.log(growth[band].std()))
    if len(x) < 3:
        raise ValueError("fewer than 3 size bins with 20 or more firms")
    return float(np.polyfit(x, y, 1)[0])


def discrete_power_law_exponent(counts: np.ndarray, min_count: int = 1) -> float:
    """Exponent alpha of P(n) ~ n**-alpha for integer counts >= ``min_count``.

    The maximum-likelihood approximation for discrete data of Clauset, Shalizi & Newman
    (2009, SIAM Rev. 51:661-703, eq. 3.7): alpha = 1 + m / sum(log(n_i / (min_count - 1/2))).
    O'Neale & Hendy (2012) fit the same law to patents per applicant.

    Parameters
    ----------
    counts : (n,) int
        Counts per unit (e.g. invention patents per firm).
    min_count : int
        Smallest count in the fit.
    """
    x = np.asarray(counts, dtype=np.float64)
    x = x[x >= min_count]
    if len(x) < 10:
        raise ValueError(f"need at least 10 counts >= {min_count}, got {len(x)}")
    return float(1.0 + len(x) / np.sum(np.log(x / (min_count - 0.5))))


def gini(values: np.ndarray) -> float:
    """Gini coefficient of non-negative values (0: equal, towards 1: all in one unit).

    Parameters
    ----------
    values : (n,) float64
    """
    x = np.sort(np.asarray(values, dtype=np.float64))
    n = len(x)
    if n == 0 or x.sum() <= 0.0:
        raise ValueError("gini needs at least one positive value")
    cumulative = np.cumsum(x)
    return float((n + 1 - 2 * np.sum(cumulative) / cumulative[-1]) / n)


def transition_probabilities(
    active_before: np.ndarray, active_after: np.ndarray
) -> tuple[float, float]:
    """P(active after | active before) and P(active after | not active before).

    The transition probability matrix of Cefis & Orsenigo (2001) with two states.

    Parameters
    ----------
    active_before, active_after : (n,) bool
        The same units in two consecutive periods.
    """
    before = np.asarray(active_before, dtype=bool)
    after = np.asarray(active_after, dtype=bool)
    if before.all() or not before.any():
        raise ValueError("both states must occur in the first period")
    return float(after[before].mean()), float(after[~before].mean())
