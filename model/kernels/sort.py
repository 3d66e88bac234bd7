"""Sorting helpers for the matching phases.

Agents that compete for places are served in the order of a hash key (a float in [0, 3)).
:func:`argsort_nonnegative` gives exactly the order of ``np.argsort(keys, kind="mergesort")``
(stable: ties keep their index order) in O(n): non-negative float64 values sort like the
unsigned integers of their bit patterns, so a stable least-significant-digit radix sort of
those bits gives the same permutation, about 5-10 times faster than numba's merge sort at a
million keys.
"""

from __future__ import annotations

import numpy as np
from numba import njit

_RADIX_BITS = 8
_N_BUCKETS = 1 << _RADIX_BITS
_N_DIGITS = 64 // _RADIX_BITS


@njit(cache=True)
def argsort_nonnegative(keys):
    """Stable argsort of non-negative float64 ``keys`` (no NaN, no -0.0).

    Parameters
    ----------
    keys : (n,) float64
        Values >= 0 (``+0.0`` allowed).

    Returns
    -------
    (n,) int64
        The permutation ``np.argsort(keys, kind="mergesort")`` returns.
    """
    return argsort_uint64(np.ascontiguousarray(keys).view(np.uint64))


@njit(cache=True)
def argsort_uint64(bits):
    """Stable argsort of uint64 values by LSD radix sort (8-bit digits).

    Digits in which every value agrees are skipped.
    """
    n = len(bits)
    counts = np.zeros((_N_DIGITS, _N_BUCKETS), dtype=np.int64)
    mask = np.uint64(_N_BUCKETS - 1)
    for i in range(n):
        b = bits[i]
        for d in range(_N_DIGITS):
            counts[d, (b >> np.uint64(_RADIX_BITS * d)) & mask] += 1
    order = np.arange(n)
    keys = bits.copy()  # the sorted keys travel with the ids: no random reads
    order_tmp = np.empty(n, dtype=np.int64)
    keys_tmp = np.empty(n, dtype=np.uint64)
    start = np.empty(_N_BUCKETS, dtype=np.int64)
    for d in range(_N_DIGITS):
        trivial = False
        for v in range(_N_BUCKETS):
            if counts[d, v] == n:
                trivial = True
                break
        if trivial:
            continue
        total = 0
        for v in range(_N_BUCKETS):
            start[v] = total
            total += counts[d, v]
        shift = np.uint64(_RADIX_BITS * d)
        for i in range(n):
            b = keys[i]
            v = (b >> shift) & mask
            pos = start[v]
            start[v] = pos + 1
            keys_tmp[pos] = b
            order_tmp[pos] = order[i]
        keys, keys_tmp = keys_tmp, keys
        order, order_tmp = order_tmp, order
    return order
