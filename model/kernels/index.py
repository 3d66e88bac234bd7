"""Grouping helpers: agents by county (or hub) as compressed index lists.

``group_index(keys, mask, n_groups)`` returns ``(order, offsets)`` so that the agents of group
``g`` are ``order[offsets[g]:offsets[g + 1]]``, in ascending agent id (a counting sort, so the
result does not depend on threads or on a sort's tie-breaking).
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def group_index(keys, mask, n_groups):
    """Group agent ids by key.

    Parameters
    ----------
    keys : (n,) int array
        Group of each agent; agents with a key outside ``[0, n_groups)`` are skipped.
    mask : (n,) bool array
        Agents to include.
    n_groups : int
        Number of groups.

    Returns
    -------
    order : (m,) int64 array
        Included agent ids, grouped, ascending within each group.
    offsets : (n_groups + 1,) int64 array
        Group ``g`` occupies ``order[offsets[g]:offsets[g + 1]]``.
    """
    counts = np.zeros(n_groups + 1, dtype=np.int64)
    for i in range(len(keys)):
        k = keys[i]
        if mask[i] and 0 <= k < n_groups:
            counts[k + 1] += 1
    offsets = np.cumsum(counts)
    fill = offsets[:-1].copy()
    order = np.empty(offsets[-1], dtype=np.int64)
    for i in range(len(keys)):
        k = keys[i]
        if mask[i] and 0 <= k < n_groups:
            order[fill[k]] = i
            fill[k] += 1
    return order, offsets
