"""Posterior plots of a calibration: marginals against the priors, and pairs (docs/calibration.md).

Both take a posterior frame (:func:`model.calibration.posterior.read_posterior`: ``weight`` and
one column per free parameter) and the :class:`~model.calibration.declaration.Calibration` it
came from (its priors), and write a PNG.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from model.params.table import SPEC_BY_NAME


def _scaled(values: np.ndarray, log: bool) -> np.ndarray:
    return np.log10(values) if log else values


def plot_posterior_marginals(posterior, calibration, path: Path) -> None:
    """Weighted posterior histogram of each free parameter over its prior's range."""
    names = list(calibration.priors)
    cols = 4
    rows = -(-len(names) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.2 * cols, 2.5 * rows), squeeze=False)
    weights = posterior["weight"].to_numpy(float)
    for ax, name in zip(axes.flat, names, strict=False):
        prior = calibration.priors[name]
        log = prior.distribution == "loguniform"
        lo, hi = _scaled(np.array([prior.low, prior.high]), log)
        x = _scaled(posterior[name].to_numpy(float), log)
        ax.hist(x, bins=15, range=(lo, hi), weights=weights, density=True, color="#4c72b0")
        ax.hlines(1.0 / (hi - lo), lo, hi, colors="#dd8452", label="prior")
        default = float(SPEC_BY_NAME[name].default)
        if prior.low <= default <= prior.high:
            ax.axvline(_scaled(np.array([default]), log)[0], color="k", ls="--", label="default")
        ax.set_title(name, fontsize=8)
        ax.set_xlabel("log10 value" if log else "value", fontsize=7)
        ax.tick_params(labelsize=7)
    for ax in list(axes.flat)[len(names) :]:
        ax.set_visible(False)
    axes.flat[0].legend(fontsize=7)
    fig.suptitle(f"Posterior marginals ({len(posterior)} particles) against the priors")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_posterior_pairs(posterior, calibration, path: Path) -> None:
    """Particles of every pair of free parameters, marker area by weight."""
    names = list(calibration.priors)
    n = len(names)
    fig, axes = plt.subplots(n, n, figsize=(1.35 * n, 1.35 * n), squeeze=False)
    weights = posterior["weight"].to_numpy(float)
    size = 4 + 60 * weights / weights.max()
    for i, yi in enumerate(names):
        for j, xj in enumerate(names):
            ax = axes[i, j]
            ax.set_xticks([])
            ax.set_yticks([])
            if i == j:
                ax.text(0.5, 0.5, xj.replace("_", "\n"), ha="center", va="center", fontsize=5)
                continue
            px, py = calibration.priors[xj], calibration.priors[yi]
            x = _scaled(posterior[xj].to_numpy(float), px.distribution == "loguniform")
            y = _scaled(posterior[yi].to_numpy(float), py.distribution == "loguniform")
            ax.scatter(x, y, s=size, alpha=0.5, lw=0, color="#4c72b0")
            ax.set_xlim(*_scaled(np.array([px.low, px.high]), px.distribution == "loguniform"))
            ax.set_ylim(*_scaled(np.array([py.low, py.high]), py.distribution == "loguniform"))
    fig.suptitle("Posterior pairs (axes: the priors' ranges; log10 for log-uniform priors)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
