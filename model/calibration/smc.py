"""The arithmetic of ABC-SMC: prior, perturbation kernel, importance weights, tolerances.

Approximate Bayesian computation by sequential Monte Carlo (Toni et al. 2009, J. R. Soc.
Interface 6: 187-202; Beaumont, Cornuet, Marin & Robert 2009, Biometrika 96(4): 983-990).
Every parameter is mapped to the unit interval by its prior (uniform: linearly; log-uniform:
in logs), so the prior is uniform on the unit cube ``[0, 1]^d`` and its density is a constant
inside it. Population ``t`` proposes a candidate by drawing a particle of population ``t - 1``
with its weight and moving it with a Gaussian kernel whose covariance is twice the weighted
covariance of that population (Beaumont et al. 2009, the optimal scale for a Gaussian kernel);
a candidate outside the cube (prior density 0) is drawn again. An accepted candidate's weight
is ``prior(u) / sum_j w_j K(u | u_j)``, normalised.

Everything here is a function of its arguments and a :class:`numpy.random.Generator`; the
driver (:mod:`model.calibration.run`) seeds the generator from the calibration's base seed,
the population and the batch, so a rerun proposes exactly the same candidates.

Arrays: ``u`` of shape (n, d), float64 in [0, 1]; weights of shape (n,), summing to 1.
"""

from __future__ import annotations

import numpy as np

#: Added to the kernel covariance's diagonal so a population of (nearly) equal particles
#: still has a proper kernel.
_JITTER = 1e-10
#: Redraws of a candidate outside the unit cube before giving up.
_MAX_REDRAWS = 1000


def prior_sample(rng: np.random.Generator, n: int, d: int) -> np.ndarray:
    """``n`` draws from the prior in unit space, shape (n, d)."""
    return rng.random((n, d))


def kernel_covariance(u: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Twice the weighted covariance of a population, shape (d, d) (Beaumont et al. 2009)."""
    d = u.shape[1]
    if len(u) < 2:
        return np.eye(d) * 0.01
    cov = np.atleast_2d(np.cov(u, rowvar=False, aweights=w))
    return 2.0 * cov + _JITTER * np.eye(d)


def perturb(
    rng: np.random.Generator, u: np.ndarray, w: np.ndarray, cov: np.ndarray, n: int
) -> np.ndarray:
    """``n`` candidates: particles drawn by weight, moved by N(0, cov), kept inside the cube.

    Returns
    -------
    ndarray, shape (n, d)
    """
    d = u.shape[1]
    chol = np.linalg.cholesky(cov)
    out = np.empty((n, d))
    for i in range(n):
        for _ in range(_MAX_REDRAWS):
            j = rng.choice(len(u), p=w)
            x = u[j] + chol @ rng.standard_normal(d)
            if np.all((x >= 0.0) & (x <= 1.0)):
                out[i] = x
                break
        else:
            raise RuntimeError(
                f"ABC-SMC: no candidate inside the prior after {_MAX_REDRAWS} draws; the "
                "population sits on the edge of the prior range"
            )
    return out


def importance_weights(
    u_new: np.ndarray, u_prev: np.ndarray, w_prev: np.ndarray, cov: np.ndarray
) -> np.ndarray:
    """Normalised weights ``1 / sum_j w_j K(u_i | u_j)`` (uniform prior in unit space).

    Computed in logs (log-sum-exp) so that tight kernels do not underflow.
    """
    inv = np.linalg.inv(cov)
    diff = u_new[:, None, :] - u_prev[None, :, :]  # (n_new, n_prev, d)
    maha = np.einsum("ijk,kl,ijl->ij", diff, inv, diff)
    log_k = -0.5 * maha + np.log(w_prev)[None, :]
    m = log_k.max(axis=1, keepdims=True)
    log_denominator = (m + np.log(np.exp(log_k - m).sum(axis=1, keepdims=True)))[:, 0]
    log_w = -log_denominator
    w = np.exp(log_w - log_w.max())
    return w / w.sum()


def effective_sample_size(w: np.ndarray) -> float:
    """Kish's effective sample size ``1 / sum w^2`` of normalised weights."""
    return float(1.0 / np.sum(np.asarray(w) ** 2))


def next_tolerance(previous: float, accepted_distances: np.ndarray, quantile: float) -> float:
    """The next tolerance: a quantile of the accepted distances, never above ``previous``."""
    return float(min(previous, np.quantile(accepted_distances, quantile)))


def weighted_quantiles(x: np.ndarray, w: np.ndarray, qs: tuple[float, ...]) -> np.ndarray:
    """Quantiles ``qs`` of ``x`` under normalised weights ``w`` (inverse of the weighted CDF)."""
    order = np.argsort(x, kind="stable")
    xs, ws = np.asarray(x)[order], np.asarray(w)[order]
    cdf = np.cumsum(ws) - 0.5 * ws
    return np.interp(qs, cdf / ws.sum(), xs)
