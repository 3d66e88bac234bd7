"""Running an ABC-SMC calibration on the sweep pipeline; resumable, any executor.

:func:`calibrate` runs a :class:`~model.calibration.declaration.Calibration`. Every batch of
candidates of every population is one :class:`~model.experiments.declaration.Experiment`
(design ``points``: the candidates' parameter sets, the calibration's constants, the
scenario, ``replications`` seeds each) run by :func:`~model.experiments.run.run_experiment`
into ``OUT/popTT-bB/`` on the executor given (serial, local processes or Dask), so every
finished run is stored at once. The candidates follow from the base seed, the population, the
batch and the previous populations' stored results only, so a killed calibration rerun with
the same command proposes the same candidates, reuses every finished run and ends with the
same posterior as an uninterrupted one.

Population 0 draws ``prior_candidates`` from the prior and keeps the ``particles`` closest
(its tolerance is the distance of the last one kept). Population ``t`` sets its tolerance to
the ``quantile`` of population ``t - 1``'s accepted distances (never higher than before),
proposes ``candidates`` per batch (:func:`model.calibration.smc.perturb`) until at least
``particles`` are within it (at most ``max_batches``; if fewer, the calibration stops and keeps
the last complete population), and weights them (:func:`model.calibration.smc.importance_weights`).

Written to ``OUT``: ``calibration.json`` (the declaration, its fingerprint), one run store per
batch, ``particles.parquet`` (every candidate: population, batch, parameters, distance,
accepted, weight), ``statistics.parquet`` (every candidate's simulated targets),
``posterior.csv``, ``targets.md`` (the target tables of docs/calibration.md) and ``run.json``
(runs done, reused and failed, wall time, each population's tolerance and size).
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from model.calibration import smc
from model.calibration.declaration import DISTANCES, Calibration, CalibrationError
from model.calibration.targets import (
    Target,
    calibration_targets,
    distance,
    needed_quarters,
    simulated_statistics,
)


@dataclass
class Population:
    """One finished population: accepted particles in unit space, weights, distances."""

    index: int
    tolerance: float
    u: np.ndarray  # (n, d) accepted, unit space
    weights: np.ndarray  # (n,)
    distances: np.ndarray  # (n,)
    statistics: pd.DataFrame  # (n, targets) simulated targets of the accepted
    candidates: int
    batches: int


@dataclass
class CalibrationResult:
    """What :func:`calibrate` returns.

    Attributes
    ----------
    calibration : Calibration
    targets : tuple of Target
    populations : list of Population
        Complete populations; the last is the posterior.
    particles : DataFrame
        Every candidate run: ``population, batch, point, <parameters>, distance, accepted,
        weight``.
    posterior : DataFrame
        ``particle, weight, distance, <parameters>`` of the last population.
    summary : DataFrame
        One row per in-sample target (:func:`target_summary`).
    holdout_summary : DataFrame
        The same for the targets kept out of the calibration (``Calibration.holdout``): how
        the posterior predicts data it was not fitted to (empty if none is held out).
    stopped : str
        Why the calibration ended ("" if it ran every population).
    runs : dict
        ``done`` (run now), ``reused`` (found stored), ``failed``, ``wall_s``.
    out : Path
    """

    calibration: Calibration
    targets: tuple[Target, ...]
    populations: list[Population]
    particles: pd.DataFrame
    posterior: pd.DataFrame
    summary: pd.DataFrame
    holdout_summary: pd.DataFrame = field(default_factory=pd.DataFrame)
    stopped: str = ""
    runs: dict[str, Any] = field(default_factory=dict)
    out: Path = Path(".")


def _log(message: str, progress: bool) -> None:
    if progress:
        print(f"calibrate: {message}", file=sys.stderr, flush=True)


def batch_seed(base_seed: int, population: int, batch: int) -> int:
    """The base seed of one batch's runs (a different stream per population and batch)."""
    from model.experiments.declaration import replication_seed

    return replication_seed(base_seed, population, batch)


def batch_experiment(
    calibration: Calibration,
    targets: Sequence[Target],
    population: int,
    batch: int,
    points: list[dict[str, float]],
):
    """The experiment of one batch: the candidates as a ``points`` design."""
    from model.experiments.declaration import Experiment, Outputs

    quarters = needed_quarters(targets, calibration.base_year)
    indicators = sorted({t.indicator for t in targets})
    return Experiment(
        name=f"{calibration.name}-pop{population:02d}-b{batch}",
        description=f"calibration {calibration.name}: population {population}, batch {batch}",
        scenarios=(calibration.scenario,),
        design="points",
        points=points,
        constants=dict(calibration.constants),
        replications=calibration.replications,
        base_seed=batch_seed(calibration.base_seed, population, batch),
        common_random_numbers=False,
        steps=calibration.steps,
        region=calibration.region,
        outputs=Outputs(indicators=indicators, steps=list(quarters), counties=True),
    )


def points_on_seeds(
    calibration: Calibration,
    targets: Sequence[Target],
    points: list[dict[str, float]],
    seeds: int,
    out: str | os.PathLike,
    *,
    label: str,
    description: str,
    command: str,
    executor: Any = None,
    workers: int | None = None,
    progress: bool = True,
) -> pd.DataFrame:
    """Run parameter points on ``seeds`` seeds each and read the simulated targets.

    The points run as one ``points`` experiment named ``<calibration>-<label>``, described as
    ``<calibration>: <description>``, in the run store ``out``, resumed if it already holds it
    (seeds as in population 0, batch 0).

    Returns
    -------
    DataFrame
        :func:`run_statistics`: index (point, replication), one column per target.
    """
    from model.experiments.run import run_experiment
    from model.runs.executors import make_executor
    from model.runs.store import ExperimentResults

    c = replace(calibration, replications=int(seeds))
    exp = batch_experiment(c, targets, population=0, batch=0, points=points)
    exp = replace(exp, name=f"{c.name}-{label}", description=f"{c.name}: {description}")
    out = Path(out)
    run_experiment(
        exp,
        out,
        executor=executor or make_executor(workers),
        resume=(out / "manifest.json").is_file(),
        progress=progress,
        command=command,
    )
    return run_statistics(ExperimentResults(out), targets, c.base_year)


def batch_statistics(results, targets: Sequence[Target], base_year: int) -> pd.DataFrame:
    """Simulated targets of every point of a finished batch (mean over replications).

    Returns
    -------
    DataFrame
        Index ``point`` (every point of the design; NaN where its runs failed), one column
        per target.
    """
    n_points = len(results.design)
    names = [t.name for t in targets]
    if results.status()["done"] == 0:
        return pd.DataFrame(np.nan, index=pd.RangeIndex(n_points, name="point"), columns=names)
    per_point = run_statistics(results, targets, base_year).groupby(level="point").mean()
    return per_point.reindex(pd.RangeIndex(n_points, name="point"))


def run_statistics(results, targets: Sequence[Target], base_year: int) -> pd.DataFrame:
    """Simulated targets of every finished run of an experiment.

    Returns
    -------
    DataFrame
        Index (point, replication); one column per target.
    """
    from model.experiments.outcomes import outcome_table, window_steps

    quarters = needed_quarters(targets, base_year)
    indicators = sorted({t.indicator for t in targets})
    steps = sorted({s for q in quarters for s in window_steps(q)})
    df = results.load(indicators=indicators, steps=steps, parameters=False)
    frames = []
    for q in quarters:
        wide = outcome_table(df, ["point", "replication", "county"], q)
        long = wide.reset_index().melt(
            id_vars=["point", "replication", "county"], var_name="indicator", value_name="value"
        )
        long["quarter"] = q
        frames.append(long)
    return simulated_statistics(pd.concat(frames, ignore_index=True), targets, base_year)


def _check_folder(calibration: Calibration, out: Path) -> None:
    """Create ``OUT/calibration.json``, or check that the folder holds this calibration."""
    from model.runs.results import write_json_atomic

    path = out / "calibration.json"
    if path.is_file():
        old = json.loads(path.read_text(encoding="utf-8"))
        if old.get("fingerprint") != calibration.fingerprint():
            raise CalibrationError(
                f"{out}: holds a different calibration ({old.get('name')!r}, other priors, "
                "targets' years, sizes or seeds); resuming would mix them; choose another --out"
            )
        return
    out.mkdir(parents=True, exist_ok=True)
    write_json_atomic(
        {
            "name": calibration.name,
            "fingerprint": calibration.fingerprint(),
            "calibration": calibration.to_dict(),
            "calibration_file": calibration.source or None,
        },
        path,
    )


def calibrate(
    calibration: Calibration,
    out: str | os.PathLike | None = None,
    *,
    executor: Any = None,
    workers: int | None = None,
    targets: Sequence[Target] | None = None,
    posterior_file: str | os.PathLike | None = None,
    progress: bool = True,
    command: str | None = None,
) -> CalibrationResult:
    """Run (or resume) an ABC-SMC calibration; write its posterior and target table.

    Parameters
    ----------
    calibration : Calibration
    out : path, optional
        Folder (default ``results/calibration/NAME``). A folder holding this calibration is
        resumed: finished runs are reused.
    executor : model.runs.executors.Executor, optional
        Where runs go (default: :func:`model.runs.executors.make_executor` of ``workers``).
    workers : int, optional
        Local worker processes when no executor is given (1: in this process).
    targets : sequence of Target, optional
        Default: :func:`model.calibration.targets.calibration_targets` for the calibration's
        years.
    posterior_file : path, optional
        Also write the posterior here (e.g. ``model/data/posterior.csv``).
    progress : bool
        Print a line per batch and population, and each batch's progress bar.
    command : str, optional
        Command line recorded in the manifests and the posterior's header.

    Raises
    ------
    CalibrationError
        Before anything runs, if the folder holds another calibration or no target is in
        the calibration's years.
    """
    from model.experiments.run import run_experiment
    from model.runs.executors import make_executor
    from model.runs.store import ExperimentResults

    c = calibration
    targets = (
        tuple(targets) if targets is not None else calibration_targets(c.base_year, c.last_year)
    )
    # every target is simulated; those of held-out data sets stay out of the distance
    held_out = tuple(t for t in targets if t.dataset in c.holdout)
    in_sample = tuple(t for t in targets if t.dataset not in c.holdout)
    if not in_sample:
        raise CalibrationError(
            f"{c.source or c.name}: no in-sample target in {c.base_year}-{c.last_year}"
            + (f" once {', '.join(c.holdout)} is held out" if c.holdout else "")
        )
    out = Path(out) if out is not None else Path("results") / "calibration" / c.name
    _check_folder(c, out)
    d = len(c.names)
    owned = executor is None
    executor = executor or make_executor(workers)
    started = time.perf_counter()
    counts = {"done": 0, "reused": 0, "failed": 0}
    records: list[pd.DataFrame] = []
    stat_records: list[pd.DataFrame] = []
    _log(
        f"{c.name}: {d} free parameters, {len(in_sample)} targets"
        + (f" (+ {len(held_out)} held out)" if held_out else "")
        + f", {c.populations} populations; "
        f"{c.typical_runs()} runs of {c.steps} quarters if each population needs one batch, at "
        f"most {c.max_runs()} -> {out}",
        progress,
    )

    def run_batch(population: int, batch: int, u: np.ndarray) -> tuple[np.ndarray, pd.DataFrame]:
        exp = batch_experiment(c, targets, population, batch, c.to_values(u))
        folder = out / f"pop{population:02d}-b{batch}"
        results = run_experiment(
            exp,
            folder,
            executor=executor,
            resume=(folder / "manifest.json").is_file(),
            progress=progress,
            command=command or "model.calibration.calibrate",
        )
        last = results.last_run
        counts["done"] += last["done"]
        counts["reused"] += last["skipped"]
        counts["failed"] += last["failed"]
        stats = batch_statistics(ExperimentResults(folder), targets, c.base_year)
        dist = distance(stats, in_sample, c.distance)
        return np.where(np.isfinite(dist), dist, np.inf), stats

    def record(population, batch, u, dist, stats, accepted, weights):
        values = pd.DataFrame(c.to_values(u))
        frame = pd.DataFrame({"population": population, "batch": batch, "point": np.arange(len(u))})
        frame = pd.concat([frame, values], axis=1)
        frame["distance"] = dist
        frame["accepted"] = accepted
        frame["weight"] = weights
        records.append(frame)
        s = stats.reset_index(drop=True)
        s.insert(0, "point", np.arange(len(u)))
        s.insert(0, "batch", batch)
        s.insert(0, "population", population)
        stat_records.append(s)

    populations: list[Population] = []
    stopped = ""
    try:
        if owned:
            executor.start()
        # population 0: the prior
        rng = np.random.default_rng([c.base_seed, 0, 0])
        u0 = smc.prior_sample(rng, c.prior_candidates, d)
        dist0, stats0 = run_batch(0, 0, u0)
        order = np.argsort(dist0, kind="stable")
        eps = float(dist0[order[c.particles - 1]])
        keep = dist0 <= eps
        if not np.isfinite(eps):
            raise CalibrationError(
                f"{out}: fewer than {c.particles} runs of population 0 succeeded; see "
                f"{out / 'pop00-b0' / 'failures'}"
            )
        w0 = np.full(int(keep.sum()), 1.0 / keep.sum())
        weights_all = np.zeros(len(u0))
        weights_all[keep] = w0
        record(0, 0, u0, dist0, stats0, keep, weights_all)
        populations.append(Population(0, eps, u0[keep], w0, dist0[keep], stats0[keep], len(u0), 1))
        _log(_population_line(populations[-1], started, counts), progress)
        for t in range(1, c.populations):
            prev = populations[-1]
            eps = smc.next_tolerance(prev.tolerance, prev.distances, c.quantile)
            cov = smc.kernel_covariance(prev.u, prev.weights)
            acc_u, acc_d, acc_s = [], [], []
            batches = 0
            for b in range(c.max_batches):
                rng = np.random.default_rng([c.base_seed, t, b])
                u = smc.perturb(rng, prev.u, prev.weights, cov, c.candidates)
                dist, stats = run_batch(t, b, u)
                keep = dist <= eps
                batches += 1
                w_batch = np.zeros(len(u))
                if keep.any():
                    w_batch[keep] = smc.importance_weights(u[keep], prev.u, prev.weights, cov)
                record(t, b, u, dist, stats, keep, w_batch)
                acc_u.append(u[keep])
                acc_d.append(dist[keep])
                acc_s.append(stats[keep])
                n_acc = sum(len(a) for a in acc_u)
                _log(
                    f"population {t} batch {b}: tolerance {eps:.4g}, {int(keep.sum())} of "
                    f"{len(u)} within it ({n_acc} of {c.particles} needed)",
                    progress,
                )
                if n_acc >= c.particles:
                    break
            n_acc = sum(len(a) for a in acc_u)
            if n_acc < c.particles:
                stopped = (
                    f"population {t}: only {n_acc} of {c.particles} candidates within tolerance "
                    f"{eps:.4g} after {batches} batches; population {t - 1} is the posterior"
                )
                _log(stopped, progress)
                break
            u_t = np.concatenate(acc_u)
            w_t = smc.importance_weights(u_t, prev.u, prev.weights, cov)
            populations.append(
                Population(
                    t,
                    eps,
                    u_t,
                    w_t,
                    np.concatenate(acc_d),
                    pd.concat(acc_s),
                    batches * c.candidates,
                    batches,
                )
            )
            _log(_population_line(populations[-1], started, counts), progress)
    finally:
        if owned:
            executor.close()
    counts["wall_s"] = time.perf_counter() - started
    final = populations[-1]
    particles = pd.concat(records, ignore_index=True)
    # population weights of batches of a complete later population are renormalised over it
    for p in populations[1:]:
        rows = (particles["population"] == p.index) & particles["accepted"]
        particles.loc[rows, "weight"] = p.weights
    statistics = pd.concat(stat_records, ignore_index=True)
    posterior = posterior_frame(c, final)
    summary = target_summary(in_sample, final.statistics, final.weights)
    holdout_summary = target_summary(held_out, final.statistics, final.weights)
    from model.runs.results import write_parquet_atomic

    write_parquet_atomic(particles, out / "particles.parquet")
    write_parquet_atomic(statistics, out / "statistics.parquet")
    header = posterior_header(c, in_sample, final, stopped, command)
    from model.calibration.posterior import write_posterior

    write_posterior(posterior, out / "posterior.csv", header)
    if posterior_file is not None:
        write_posterior(posterior, posterior_file, header)
    from model.runs.results import atomic_write_bytes

    text = summary_markdown(summary)
    if held_out:
        text += (
            f"\n**Out of sample** (data set{'s' if len(c.holdout) > 1 else ''} "
            f"{', '.join(c.holdout)}, not in the distance):\n\n" + summary_markdown(holdout_summary)
        )
    atomic_write_bytes(out / "targets.md", text.encode("utf-8"))
    from model.runs.results import write_json_atomic

    write_json_atomic(
        {
            **counts,
            "populations": [
                {
                    "population": p.index,
                    "tolerance": float(p.tolerance),
                    "particles": len(p.u),
                    "candidates": p.candidates,
                    "batches": p.batches,
                    "ess": float(smc.effective_sample_size(p.weights)),
                }
                for p in populations
            ],
            "stopped": stopped,
            "in_sample_hit": int(summary["hit"].sum()),
            "in_sample": len(summary),
        },
        out / "run.json",
    )
    _log(
        f"done: {counts['done']} runs now, {counts['reused']} reused, {counts['failed']} failed, "
        f"{counts['wall_s']:.1f} s; posterior of {len(posterior)} particles (ESS "
        f"{smc.effective_sample_size(final.weights):.1f}) -> {out / 'posterior.csv'}",
        progress,
    )
    return CalibrationResult(
        calibration=c,
        targets=targets,
        populations=populations,
        particles=particles,
        posterior=posterior,
        summary=summary,
        holdout_summary=holdout_summary,
        stopped=stopped,
        runs=counts,
        out=out,
    )


def _population_line(p: Population, started: float, counts: dict[str, Any]) -> str:
    elapsed = time.perf_counter() - started
    return (
        f"population {p.index} complete: tolerance {p.tolerance:.4g}, {len(p.u)} particles of "
        f"{p.candidates} candidates, ESS {smc.effective_sample_size(p.weights):.1f}; "
        f"{counts['done']} runs now + {counts['reused']} reused, {elapsed:.0f} s"
    )


def posterior_frame(c: Calibration, p: Population) -> pd.DataFrame:
    """``particle, weight, distance, <parameters>`` of a population."""
    frame = pd.DataFrame(
        {"particle": np.arange(len(p.u)), "weight": p.weights, "distance": p.distances}
    )
    return pd.concat([frame, pd.DataFrame(c.to_values(p.u))], axis=1)


def posterior_header(
    c: Calibration, targets: Sequence[Target], p: Population, stopped: str, command: str | None
) -> list[str]:
    """The ``#`` lines of the posterior file: how it was made."""
    from model.runs.results import git_commit

    return [
        "innovsim posterior: accepted particles of an ABC-SMC calibration (Toni et al. 2009;",
        "Beaumont et al. 2009; Gaussian kernel with twice the weighted covariance)",
        f"calibration: {c.name} ({c.source or 'declared in Python'}), fingerprint "
        f"{c.fingerprint()}",
        f"command: {command or 'model.calibration.calibrate'}",
        f"git commit: {git_commit()}; written {time.strftime('%Y-%m-%dT%H:%M:%S%z')}",
        f"targets: {len(targets)} (model/calibration/targets.py, years {c.base_year}-"
        f"{c.last_year}); distance: {DISTANCES[c.distance]}",
        f"population {p.index} of {c.populations}: tolerance {p.tolerance:.6g}, "
        f"{len(p.u)} particles, effective sample size "
        f"{smc.effective_sample_size(p.weights):.1f}"
        + (f"; stopped early: {stopped}" if stopped else ""),
        f"scenario {c.scenario}, region {c.region}, constants {json.dumps(dict(c.constants))}, "
        f"{c.replications} seed(s) per particle",
    ]


def target_summary(
    targets: Sequence[Target], statistics: pd.DataFrame, weights: np.ndarray
) -> pd.DataFrame:
    """Data value, simulated mean and 90% interval over the posterior, hit or miss.

    The mean and the 5% and 95% quantiles are weighted by the particles' weights. A target is
    hit when the simulated mean is within its tolerance of the data (a lower bound: not more
    than the tolerance below it).
    """
    rows = []
    for t in targets:
        s = statistics[t.name].to_numpy(float)
        ok = np.isfinite(s)
        w = weights[ok] / weights[ok].sum() if ok.any() else weights[ok]
        mean = float(np.sum(w * s[ok])) if ok.any() else np.nan
        lo, hi = smc.weighted_quantiles(s[ok], w, (0.05, 0.95)) if ok.any() else (np.nan,) * 2
        gap = (t.value - mean) if t.kind == "lower_bound" else abs(mean - t.value)
        rows.append(
            {
                "target": t.name,
                "kind": t.kind,
                "data": t.value,
                "tolerance": t.tolerance,
                "unit": t.unit,
                "simulated_mean": mean,
                "simulated_p05": float(lo),
                "simulated_p95": float(hi),
                "hit": bool(np.isfinite(mean) and gap <= t.tolerance),
                "source": t.source,
                "reason": t.reason,
            }
        )
    return pd.DataFrame(rows)


def summary_markdown(summary: pd.DataFrame) -> str:
    """The target table as Markdown (what docs/calibration.md includes)."""

    def fmt(x: float, growth: bool) -> str:
        if not np.isfinite(x):
            return "n/a"
        return f"{100 * x:.1f}%" if growth else f"{x:,.4g}"

    lines = [
        "| target | kind | data | tolerance | simulated mean | 90% interval | hit |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in summary.itertuples():
        g = r.kind == "growth"
        lines.append(
            f"| {r.target} | {r.kind.replace('_', ' ')} | {fmt(r.data, g)} | "
            f"{'±' if r.kind != 'lower_bound' else '-'}{fmt(r.tolerance, g)} | "
            f"{fmt(r.simulated_mean, g)} | {fmt(r.simulated_p05, g)} – {fmt(r.simulated_p95, g)}"
            f" | {'hit' if r.hit else '**miss**'} |"
        )
    n_hit = int(summary["hit"].sum())
    lines.append("")
    lines.append(f"{n_hit} of {len(summary)} targets hit ({100 * n_hit / len(summary):.0f}%).")
    return "\n".join(lines) + "\n"
