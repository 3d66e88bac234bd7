"""Sorting helpers for the matching phases.

Agents that compete for places are served in the order of a hash key (a float in [0, 3)).
:func:`sort_by_key` gives exactly the order of ``np.argsort(keys, kind="mergesort")``
(stable: ties keep their index order) in O(n) for such evenly spread keys (a bucket sort),
several times faster than numba's merge sort at a million keys. The sort carries an int64
payload with each key (agent ids, or ids packed with other per-agent data), so callers need
no gather afterwards.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def argsort_nonnegative(keys):
    """Stable argsort of non-negative float64 ``keys``.

    Parameters
    ----------
    keys : (n,) float64
        Values >= 0, finite.

    Returns
    -------
    (n,) int64
        The permutation ``np.argsort(keys, kind="mergesort")`` returns.
    """
    return sort_by_key(keys, np.arange(len(keys)))


@njit(cache=True)
def sort_by_key(keys, payload):
    """``payload`` reordered by the stable order of non-negative float64 ``keys``.

    Equal to ``payload[np.argsort(keys, kind="mergesort")]``; neither input is modified.

    A bucket sort: key ``k`` goes to bucket ``floor(k * scale)``, which never decreases as
    ``k`` grows, so a smaller bucket means a smaller key; buckets are filled in index order
    and then a stable insertion sort orders each (about four keys) by key. The keys here are
    hashes, spread evenly over their range, so this is O(n); lumpy keys would only make it
    slower, never give another order.

    Parameters
    ----------
    keys : (n,) float64
        Values >= 0, finite.
    payload : (n,) int64

    Returns
    -------
    (n,) int64
    """
    n = len(keys)
    out_key = np.empty(n, dtype=np.float64)
    out = np.empty(n, dtype=np.int64)
    if n == 0:
        return out
    k_max = 0.0
    for i in range(n):
        k_max = max(k_max, keys[i])
    n_buckets = max(n // 4, 1)
    scale = n_buckets / k_max if k_max > 0.0 else 0.0
    if not scale < np.inf:
        scale = 0.0  # k_max subnormal: one bucket (still correct)
    start = np.zeros(n_buckets + 1, dtype=np.int64)
    for i in range(n):
        b = min(int(keys[i] * scale), n_buckets - 1)
        start[b + 1] += 1
    for b in range(n_buckets):
        start[b + 1] += start[b]
    for i in range(n):
        b = min(int(keys[i] * scale), n_buckets - 1)
        pos = start[b]
        start[b] = pos + 1
        out_key[pos] = keys[i]
        out[pos] = payload[i]
    # stable insertion sort; elements only move within their bucket
    for i in range(1, n):
        k = out_key[i]
        if out_key[i - 1] <= k:
            continue
        v = out[i]
        j = i - 1
        while j >= 0 and out_key[j] > k:
            out_key[j + 1] = out_key[j]
            out[j + 1] = out[j]
            j -= 1
        out_key[j + 1] = k
        out[j + 1] = v
    return out
