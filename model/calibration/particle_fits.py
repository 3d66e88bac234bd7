"""How well each posterior particle fits the data when it is run on several seeds.

A particle was accepted on one run (one seed). This module runs every particle of the shipped
posterior (``model/data/posterior.csv``) on ``seeds`` seeds and counts, for each, the in-sample
targets its seed-mean hits, its mean distance over the seeds and the share of its seeds within
the posterior's final tolerance (the particle's ABC acceptance rate). It answers whether a
better point than the posterior mean exists, or whether the model cannot reach more targets
(docs/calibration.md, "Reading the results").

Usage::

    python -m model.calibration.particle_fits --seeds 5

It writes ``particle_fits.csv`` (one row per particle) into its run store
(``results/calibration/<name>/particle_fits`` by default, resumed after a kill) and prints how
many particles hit how many targets.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

import pandas as pd

from model.calibration.declaration import Calibration, load_calibration
from model.calibration.posterior import read_posterior, shipped_posterior_path
from model.calibration.run import points_on_seeds
from model.calibration.targets import calibration_targets, discrepancies, distance


def particle_fits(
    calibration: Calibration,
    posterior: pd.DataFrame,
    tolerance: float,
    out: str | os.PathLike,
    *,
    seeds: int = 5,
    executor: Any = None,
    workers: int | None = None,
    progress: bool = True,
) -> pd.DataFrame:
    """Run every particle on ``seeds`` seeds and score it against the in-sample targets.

    Parameters
    ----------
    calibration : Calibration
        The declaration the posterior belongs to (scenario, region, constants, years, seed).
    posterior : DataFrame
        :func:`model.calibration.posterior.read_posterior`: one row per particle.
    tolerance : float
        The posterior's final tolerance (its header), for the acceptance rate.
    out : path
        Run store (resumed if it holds the same experiment).

    Returns
    -------
    DataFrame
        One row per particle (index: its row in ``posterior``): ``particle``, ``weight``,
        ``hits_of_mean`` (in-sample targets the seed-mean hits), ``distance_of_mean``,
        ``mean_distance`` (over the seeds) and ``acceptance`` (share of seeds within
        ``tolerance``).
    """
    targets = calibration_targets(calibration.base_year, calibration.last_year)
    in_sample = [t for t in targets if t.dataset not in calibration.holdout]
    points = [{n: float(row[n]) for n in calibration.names} for _, row in posterior.iterrows()]
    stats = points_on_seeds(
        calibration,
        targets,
        points,
        seeds,
        out,
        label="particle-fits",
        description="particles",
        command="model.calibration.particle_fits",
        executor=executor,
        workers=workers,
        progress=progress,
    )
    per_run = pd.Series(distance(stats, in_sample, calibration.distance), index=stats.index)
    means = stats.groupby(level="point").mean()
    # every column indexed by point, so a particle whose runs all failed is a row of NaN
    fits = pd.DataFrame(
        {
            "hits_of_mean": (discrepancies(means, in_sample) <= 1.0).sum(axis=1),
            "distance_of_mean": pd.Series(
                distance(means, in_sample, calibration.distance), index=means.index
            ),
            "mean_distance": per_run.groupby(level="point").mean(),
            "acceptance": (per_run <= tolerance).groupby(level="point").mean(),
        }
    ).reindex(range(len(points)))
    fits.insert(0, "particle", posterior["particle"].to_numpy())
    fits.insert(1, "weight", posterior["weight"].to_numpy())
    fits.to_csv(Path(out) / "particle_fits.csv", index_label="row")
    return fits


def final_tolerance(posterior_file: str | os.PathLike | None = None) -> float:
    """The final tolerance in a posterior file's header (``... tolerance X, N particles``).

    Reads the line :func:`model.calibration.run.posterior_header` writes.
    """
    path = Path(posterior_file or shipped_posterior_path())
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# population") and "tolerance " in line:
            return float(line.split("tolerance ", 1)[1].split(",", 1)[0])
    raise ValueError(f"{path}: no final tolerance in the header")


def main() -> None:
    """Run the particles and print how many hit how many in-sample targets."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calibration", default="calibration", help="its declaration")
    parser.add_argument("--seeds", type=int, default=5, help="seeds per particle (default 5)")
    parser.add_argument("--workers", type=int, default=None, help="worker processes")
    parser.add_argument("--out", default=None, help="run store (default under results/)")
    args = parser.parse_args()
    if args.seeds < 1:
        parser.error("--seeds must be at least 1")
    calibration = load_calibration(args.calibration)
    out = args.out or Path("results") / "calibration" / calibration.name / "particle_fits"
    fits = particle_fits(
        calibration,
        read_posterior(),
        final_tolerance(),
        out,
        seeds=args.seeds,
        workers=args.workers,
    )
    counts = fits["hits_of_mean"].value_counts().sort_index()
    print(f"{len(fits)} particles on {args.seeds} seeds each; in-sample targets hit by the mean:")
    for hits, n in counts.items():
        print(f"  {hits:3d} targets: {n} particles")
    best = fits.sort_values(["acceptance", "mean_distance"], ascending=[False, True]).head(5)
    print("highest acceptance rate at the final tolerance:")
    print(best.to_string(float_format=lambda x: f"{x:.3f}"))
    print(f"-> {Path(out) / 'particle_fits.csv'}")


if __name__ == "__main__":
    main()
