"""Counter-based random numbers: a draw is a pure function of its coordinates.

``uniform(seed, step, phase, agent, draw)`` hashes the five integers with the SplitMix64
finaliser, so a draw does not depend on the order agents are visited, on the number of
threads, or on which other draws were made (design.md, "Randomness is a function, not a
stream"). numba's own ``np.random`` inside ``prange`` is not reproducible across thread counts.
"""

from __future__ import annotations

import numpy as np
from numba import njit

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_K_STEP = np.uint64(0xD1B54A32D192ED03)
_K_PHASE = np.uint64(0xABC98388FB8FAC03)
_K_AGENT = np.uint64(0x8CB92BA72F3D8DD7)
_K_DRAW = np.uint64(0xE7037ED1A0B428DB)
_INV_2_53 = 1.0 / 9007199254740992.0


@njit(cache=True, inline="always")
def _mix64(z):
    z = (z ^ (z >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    return z ^ (z >> np.uint64(31))


@njit(cache=True, inline="always")
def hash5(seed, step, phase, agent, draw):
    """Return a 64-bit hash (uint64) of five non-negative integers."""
    z = _mix64(np.uint64(seed) + _GOLDEN)
    z = _mix64(z ^ (np.uint64(step) * _K_STEP))
    z = _mix64(z ^ (np.uint64(phase) * _K_PHASE))
    z = _mix64(z ^ (np.uint64(agent) * _K_AGENT))
    z = _mix64(z ^ (np.uint64(draw) * _K_DRAW))
    return z


@njit(cache=True, inline="always")
def uniform(seed, step, phase, agent, draw):
    """Return a float64 in [0, 1) from the top 53 bits of ``hash5``."""
    return float(hash5(seed, step, phase, agent, draw) >> np.uint64(11)) * _INV_2_53


# Explicit signatures: numba types a constant argument (a phase or draw number) as a literal
# and would otherwise compile one version of each helper per constant it is called with.
@njit("float64(int64, int64, int64, int64, int64)", cache=True)
def normal(seed, step, phase, agent, draw):
    """Return a standard normal draw (Box-Muller on draws ``2*draw`` and ``2*draw+1``)."""
    u1 = uniform(seed, step, phase, agent, 2 * draw)
    u2 = uniform(seed, step, phase, agent, 2 * draw + 1)
    return np.sqrt(-2.0 * np.log(1.0 - u1)) * np.cos(2.0 * np.pi * u2)


@njit("int64(float64, int64, int64, int64, int64, int64)", cache=True)
def poisson(lam, seed, step, phase, agent, draw):
    """Return a Poisson(lam) count (int64).

    Inversion with one uniform for ``lam <= 30``; above that a rounded normal approximation,
    still one deterministic function of the coordinates.
    """
    if lam <= 0.0:
        return 0
    u = uniform(seed, step, phase, agent, draw)
    if lam > 30.0:
        z = normal(seed, step, phase, agent, draw + 1_000_003)
        k = int(np.floor(lam + np.sqrt(lam) * z + 0.5))
        return max(k, 0)
    p = np.exp(-lam)
    cdf = p
    k = 0
    while u > cdf and k < 1000:
        k += 1
        p *= lam / k
        cdf += p
    return k


@njit("int64(int64, float64, int64, int64, int64, int64, int64)", cache=True)
def binomial(n, prob, seed, step, phase, agent, draw):
    """Return a Binomial(n, prob) count by ``n`` Bernoulli draws (fine for small n)."""
    k = 0
    for i in range(n):
        if uniform(seed, step, phase, agent, draw + i) < prob:
            k += 1
    return k
