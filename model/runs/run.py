"""Running many simulations: one function per run, executors, a store that loses nothing.

:func:`simulate` is the plain function behind everything (``run_model``-style): parameters,
seed and steps in, a tidy DataFrame out. :func:`run_jobs` runs a list of jobs serially or in
local processes (the ``spawn`` start method that mesa sets), writes each finished run at once
as its own Parquet file (atomically), skips runs whose file exists (resume), records failures
without stopping, and shows progress. The executor never changes a number: each run's
randomness depends only on its seed.
"""

from __future__ import annotations

import concurrent.futures as cf
import hashlib
import multiprocessing
import os
import re
import traceback
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd

from model.runs.executors import call_with_threads, progress_bar
from model.runs.results import write_json_atomic, write_parquet_atomic


@dataclass(frozen=True)
class Job:
    """One run: a scenario's parameter overrides, a seed, a number of quarters, a region."""

    scenario: str
    seed: int
    steps: int
    region: str = "jiaxing-huzhou"
    overrides: Mapping[str, Any] = field(default_factory=dict)

    @property
    def run_id(self) -> str:
        """File-safe identifier of the run (also its file name under ``OUT/runs/``).

        Scenario files only allow identifiers as names, but a :class:`Job` can be built from
        Python with any text: characters outside ``[A-Za-z0-9_.+=-]`` become ``_`` (so no
        separator can leave the output folder) and a name longer than 100 characters is cut
        and given a hash of the whole (file names are limited to 255 bytes).
        """
        safe = re.sub(r"[^A-Za-z0-9_.+=-]", "_", self.scenario)
        if safe != self.scenario or len(safe) > 100:
            digest = hashlib.sha256(self.scenario.encode()).hexdigest()[:12]
            safe = f"{safe[:80]}-{digest}"
        return f"{safe}__seed{self.seed:06d}"


def simulate(
    overrides: Mapping[str, Any] | None = None,
    seed: int = 0,
    steps: int = 40,
    region: str = "jiaxing-huzhou",
    scenario: str = "custom",
    check_accounting: bool = False,
) -> pd.DataFrame:
    """Run the model once and return its tidy indicators (steps 0..``steps``).

    Parameters
    ----------
    overrides : Mapping, optional
        Parameter values (validated).
    seed : int
        Seed; the same seed gives the same numbers on any machine and executor.
    steps : int
        Quarters to simulate.
    region : str
        Region key or file.
    scenario : str
        Name recorded in the ``scenario`` column.
    check_accounting : bool
        Verify money and talent conservation every quarter.
    """
    from model.sim.mesa_model import InnovationModel

    model = InnovationModel(
        region=region,
        parameters=dict(overrides or {}),
        scenario=scenario,
        seed=int(seed),
        build_mesa_grid=False,
        check_accounting=check_accounting,
    )
    for _ in range(steps):
        model.step()
    return model.results()


def _run_job(job: Job, out_dir: str | None) -> tuple[str, str | None, pd.DataFrame | None]:
    """Run one job; write its Parquet file if ``out_dir``; never raise."""
    try:
        df = simulate(job.overrides, job.seed, job.steps, job.region, job.scenario)
        df.insert(0, "run_id", job.run_id)
        if out_dir is not None:
            write_parquet_atomic(df, Path(out_dir) / "runs" / f"{job.run_id}.parquet")
            return job.run_id, None, None
        return job.run_id, None, df
    except Exception:  # a failed run is recorded, the sweep goes on
        return job.run_id, traceback.format_exc(), None


def run_jobs(
    jobs: Iterable[Job],
    out_dir: str | os.PathLike | None = None,
    workers: int = 1,
    progress: bool = True,
    description: str = "runs",
) -> dict[str, Any]:
    """Run jobs, serially (``workers=1``) or in local processes.

    Parameters
    ----------
    jobs : iterable of Job
    out_dir : path, optional
        Each finished run goes to ``out_dir/runs/RUN_ID.parquet``; runs whose file already
        exists are skipped (resume). Failures go to ``out_dir/failures/RUN_ID.json``.
    workers : int
        Processes to use (1: in this process).
    progress : bool
        Show a progress bar with runs done, failures and time left.

    Returns
    -------
    dict
        ``{"done": [...run ids...], "skipped": [...], "failed": {run_id: traceback},
        "frames": [...]}`` (frames only when ``out_dir`` is None).
    """
    jobs = list(jobs)
    ids = [j.run_id for j in jobs]
    if len(set(ids)) != len(ids):
        raise ValueError("two jobs share a run id (scenario and seed); seeds must differ")
    todo, skipped = [], []
    for job in jobs:
        if out_dir is not None and (Path(out_dir) / "runs" / f"{job.run_id}.parquet").exists():
            skipped.append(job.run_id)
        else:
            todo.append(job)
    result: dict[str, Any] = {"done": [], "skipped": skipped, "failed": {}, "frames": []}
    bar = progress_bar(
        total=len(todo), desc=description, unit="run", disable=not progress, dynamic_ncols=True
    )
    out = None if out_dir is None else str(out_dir)

    def record(run_id: str, error: str | None, frame: pd.DataFrame | None) -> None:
        if error is None:
            result["done"].append(run_id)
            if frame is not None:
                result["frames"].append(frame)
        else:
            result["failed"][run_id] = error
            if out is not None:
                write_json_atomic(
                    {"run_id": run_id, "error": error}, Path(out) / "failures" / f"{run_id}.json"
                )
        bar.update(1)
        bar.set_postfix(failed=len(result["failed"]))

    if workers <= 1 or len(todo) <= 1:
        for job in todo:
            record(*_run_job(job, out))
    else:
        ctx = multiprocessing.get_context("spawn")
        # one numba thread per worker: the processes already fill the cores, and numba's
        # default (one thread per core) in every worker would oversubscribe them (measured:
        # 24 compare runs on 2 cores took 19.8 s with 2 threads per worker; see
        # docs/performance.md). Results do not depend on the thread count.
        run = partial(call_with_threads, partial(_run_job, out_dir=out), 1)
        with cf.ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
            futures = [pool.submit(run, job) for job in todo]
            for fut in cf.as_completed(futures):
                record(*fut.result())
    bar.close()
    return result


def load_runs(out_dir: str | os.PathLike) -> pd.DataFrame:
    """Concatenate the finished runs under ``out_dir/runs`` (sorted by run id)."""
    files = sorted((Path(out_dir) / "runs").glob("*.parquet"))
    if not files:
        raise FileNotFoundError(f"no finished runs under {Path(out_dir) / 'runs'}")
    return pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)
