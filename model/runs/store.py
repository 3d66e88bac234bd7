"""The result folder of a sweep: how it is laid out, created, locked, checked and read back.

**The store** (``OUT/``): ``manifest.json`` (the experiment, its file, the fingerprint,
seeds, package versions, git commit, executor, status), ``design.parquet`` (the parameter
sample, also in unit space for SALib), ``plan.parquet`` (run id, scenario, point,
replication, seed), ``runs/RUN_ID.parquet`` (one file per finished run, written atomically
by :func:`model.runs.results.write_parquet_atomic` as soon as it finishes) and
``failures/RUN_ID.json`` (the error of a run that raised; the sweep goes on). Loading reads
the files (filtered), so memory stays bounded however large the sweep. Only
``runs/RUN_ID.parquet`` files of planned runs are ever read, and they appear only complete
(temporary file, fsync, rename): a sweep killed at any moment and resumed gives exactly the
result of an uninterrupted one.

:func:`prepare_store` creates a folder (or checks, before a resume, that it holds the same
experiment); :class:`StoreLock` keeps two sweeps from writing to one folder;
:class:`ExperimentResults` reads a folder back. :mod:`model.experiments.run` fills it.
"""

from __future__ import annotations

import json
import os
import time
import warnings
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from model.experiments.declaration import STORE_VERSION, Experiment, ExperimentError, file_safe
from model.sim.indicators import INDICATOR_INDEX

# ============================================================================================
# Reading a folder


class ExperimentResults:
    """A result folder written by :func:`~model.experiments.run.run_experiment` (complete or not).

    Parameters
    ----------
    out : path
        The folder (with ``manifest.json``).

    Notes
    -----
    Only ``runs/RUN_ID.parquet`` files of runs in the plan are read; temporary files and
    anything else in the folder are ignored.
    """

    def __init__(self, out: str | os.PathLike):
        self.out = Path(out)
        path = self.out / "manifest.json"
        if not path.is_file():
            raise ExperimentError(f"{self.out}: no manifest.json; not an experiment folder")
        self.manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        self.last_run: dict[str, Any] = {}

    def __repr__(self) -> str:
        s = self.status()
        return (
            f"ExperimentResults({str(self.out)!r}: {s['done']}/{s['total']} runs done, "
            f"{s['failed']} failed)"
        )

    @cached_property
    def experiment(self) -> Experiment:
        """The experiment, rebuilt from the manifest."""
        m = self.manifest
        return Experiment.from_dict(m["experiment"], source=m.get("experiment_file") or "")

    @cached_property
    def design(self) -> pd.DataFrame:
        """The design table (see :meth:`Experiment.design_table`)."""
        return pd.read_parquet(self.out / "design.parquet")

    @cached_property
    def plan(self) -> pd.DataFrame:
        """Every planned run: ``run_id, scenario, point, replication, seed``."""
        return pd.read_parquet(self.out / "plan.parquet")

    @property
    def parameter_names(self) -> list[str]:
        """Varied parameters (levers then uncertainties)."""
        return list(self.manifest["design"]["levers"]) + list(
            self.manifest["design"]["uncertainties"]
        )

    def run_path(self, run_id: str) -> Path:
        """File of one run."""
        return self.out / "runs" / f"{run_id}.parquet"

    def finished(self) -> np.ndarray:
        """Boolean mask over :attr:`plan`: which runs have their result file."""
        runs = self.out / "runs"
        present = {e.name for e in os.scandir(runs)} if runs.is_dir() else set()
        return np.fromiter(
            (f"{r}.parquet" in present for r in self.plan["run_id"]), bool, len(self.plan)
        )

    def failures(self) -> pd.DataFrame:
        """Failed runs that have not since succeeded: plan columns plus ``error``."""
        done = self.finished()
        rows = []
        for i, run_id in enumerate(self.plan["run_id"]):
            path = self.out / "failures" / f"{run_id}.json"
            if not done[i] and path.is_file():
                rows.append({"run_id": run_id, **json.loads(path.read_text("utf-8"))})
        cols = ["run_id", "error"]
        failed = pd.DataFrame(rows, columns=cols).astype({"run_id": "string"})
        return self.plan.merge(failed[cols], on="run_id", how="inner")

    def status(self) -> dict[str, int]:
        """Counts: ``total``, ``done``, ``failed``, ``pending``."""
        done = int(self.finished().sum())
        failed = len(self.failures())
        total = len(self.plan)
        return {"total": total, "done": done, "failed": failed, "pending": total - done - failed}

    def load(
        self,
        indicators: Sequence[str] | None = None,
        steps: Sequence[int] | str | None = None,
        scenarios: Sequence[str] | None = None,
        counties: str | Sequence[int] = "all",
        parameters: bool = True,
    ) -> pd.DataFrame:
        """Read finished runs as one tidy DataFrame (filters are pushed into the reader).

        Parameters
        ----------
        indicators : list of str, optional
            Keep these indicators.
        steps : list of int or "final", optional
            Keep these quarters.
        scenarios : list of str, optional
            Keep these scenarios.
        counties : "all", "region" or list of int
            Keep all rows, the region-wide rows (``county_id == -1``), or these county ids.
        parameters : bool
            Add a column per varied parameter (from the design).

        Returns
        -------
        DataFrame
            ``run_id, scenario, point, replication, seed, <parameters>, step, county_id,
            county, indicator, value``, sorted by plan order, step, county and indicator.
        """
        import pyarrow.dataset as ds

        plan = self.plan
        mask = self.finished()
        if scenarios is not None:
            mask &= plan["scenario"].isin(list(scenarios)).to_numpy()
        ids = plan["run_id"][mask].tolist()
        if not ids:
            raise ExperimentError(f"{self.out}: no finished runs match")
        expr = None

        def add(e):
            nonlocal expr
            expr = e if expr is None else expr & e

        if indicators is not None:
            add(ds.field("indicator").isin(list(indicators)))
        if steps is not None:
            wanted = [self.experiment.steps] if steps == "final" else [int(s) for s in steps]
            add(ds.field("step").isin(wanted))
        if isinstance(counties, str):
            if counties == "region":
                add(ds.field("county_id") == -1)
            elif counties != "all":
                raise ValueError(f"counties must be 'all', 'region' or a list of ids: {counties!r}")
        else:
            add(ds.field("county_id").isin([int(c) for c in counties]))
        dataset = ds.dataset([str(self.run_path(r)) for r in ids], format="parquet")
        df = dataset.to_table(filter=expr).to_pandas()
        order = pd.Series(np.arange(len(plan)), index=plan["run_id"].to_numpy())
        df["_order"] = order.reindex(df["run_id"].to_numpy()).to_numpy()
        df["_ind"] = df["indicator"].map(INDICATOR_INDEX).to_numpy()
        df = df.sort_values(["_order", "step", "county_id", "_ind"], kind="stable")
        df = df.drop(columns=["_order", "_ind"]).reset_index(drop=True)
        if parameters and self.parameter_names:
            params = self.design[["point", *self.parameter_names]]
            df = df.merge(params, on="point", how="left", sort=False)
            front = ["run_id", "scenario", "point", "replication", "seed"]
            rest = [c for c in df.columns if c not in front and c not in self.parameter_names]
            df = df[front + self.parameter_names + rest]
        return df

    def outcomes(
        self,
        indicators: Sequence[str] | None = None,
        step: int | str = "final",
        county: int = -1,
        parameters: bool = True,
    ) -> pd.DataFrame:
        """One outcome per run and indicator at one quarter (default: the horizon, region-wide).

        The outcome is defined once, in :mod:`model.experiments.outcomes`: a stock's value at
        the quarter, a flow summed over the year ending there, a ratio of those — the same
        number ``innovsim compare`` reports for the same run.

        Returns
        -------
        DataFrame
            ``run_id, scenario, point, replication, seed, <parameters>, indicator, value``.
        """
        from model.experiments.outcomes import (
            long_outcomes,
            needed_indicators,
            outcome_table,
            window_steps,
        )

        names = list(indicators) if indicators is not None else list(INDICATOR_INDEX)
        q = self.experiment.steps if step == "final" else int(step)
        df = self.load(
            needed_indicators(names), steps=window_steps(q), counties=[county], parameters=False
        )
        keys = ["run_id", "scenario", "point", "replication", "seed"]
        out = long_outcomes(outcome_table(df, keys, q), names)
        order = pd.Series(np.arange(len(self.plan)), index=self.plan["run_id"].to_numpy())
        out["_order"] = order.reindex(out["run_id"].to_numpy()).to_numpy()
        out["_ind"] = out["indicator"].map(INDICATOR_INDEX).to_numpy()
        out = out.sort_values(["_order", "_ind"], kind="stable").drop(columns=["_order", "_ind"])
        out = out.reset_index(drop=True).astype({"run_id": "string", "scenario": "string"})
        if parameters and self.parameter_names:
            params = self.design[["point", *self.parameter_names]]
            out = out.merge(params, on="point", how="left", sort=False)
            out = out[[*keys, *self.parameter_names, "indicator", "value"]]
        return out

    def effects(
        self,
        indicators: Sequence[str] | None = None,
        step: int | str = "final",
        county: int = -1,
        parameters: bool = True,
    ) -> pd.DataFrame:
        """Paired differences scenario − reference (same point, replication and seed).

        Returns
        -------
        DataFrame
            ``scenario, point, replication, seed, <parameters>, indicator, value,
            reference_value, effect, relative_effect``; pairs with a missing run are left out.
        """
        ref = self.manifest.get("reference")
        if not ref:
            raise ExperimentError(
                f"{self.out}: the experiment has no reference scenario; effects need one"
            )
        df = self.outcomes(indicators, step, county, parameters)
        keys = ["point", "replication", "indicator"]
        base = df[df["scenario"] == ref][[*keys, "value"]].rename(
            columns={"value": "reference_value"}
        )
        out = df[df["scenario"] != ref].merge(base, on=keys, how="inner")
        out["effect"] = out["value"] - out["reference_value"]
        with np.errstate(divide="ignore", invalid="ignore"):
            rel = out["effect"].to_numpy() / out["reference_value"].to_numpy()
        out["relative_effect"] = np.where(out["reference_value"].to_numpy() != 0, rel, np.nan)
        return out.drop(columns=["run_id"]).reset_index(drop=True)


def open_results(out: str | os.PathLike) -> ExperimentResults:
    """Open a result folder written by :func:`~model.experiments.run.run_experiment`."""
    return ExperimentResults(out)


def load_results(out: str | os.PathLike, **filters: Any) -> pd.DataFrame:
    """Read an experiment's finished runs as a tidy DataFrame (:meth:`ExperimentResults.load`)."""
    return ExperimentResults(out).load(**filters)


# ============================================================================================
# Creating a folder


def default_folder(experiment: Experiment) -> Path:
    """The result folder used when none is given: ``results/sweeps/NAME``."""
    return Path("results") / "sweeps" / file_safe(experiment.name)


class StoreLock:
    """An exclusive lock on a result folder, released when the process ends (even killed)."""

    def __init__(self, out: Path):
        self.path = out / ".lock"
        self.fd: int | None = None

    def __enter__(self) -> StoreLock:
        try:
            import fcntl
        except ImportError:  # not POSIX: no lock
            return self
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(self.fd)
            self.fd = None
            raise ExperimentError(
                f"{self.path.parent}: another sweep is writing to this folder; wait for it or "
                "choose another --out"
            ) from None
        return self

    def __exit__(self, *exc: object) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


def _versions() -> dict[str, str]:
    from importlib import metadata

    from model.runs.results import package_versions

    out = package_versions()
    for name in ("salib", "dask", "distributed"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def _new_manifest(
    experiment: Experiment, design: pd.DataFrame, plan: pd.DataFrame, command: str | None
) -> dict[str, Any]:
    from model.runs.results import manifest

    seeds = experiment.seeds()
    source_text = None
    if experiment.source and Path(experiment.source).is_file():
        source_text = Path(experiment.source).read_text(encoding="utf-8")
    return manifest(
        command or "model.experiments.run_experiment",
        experiment.constants,
        [int(s) for s in (seeds[0] if experiment.crn else seeds.ravel())],
        experiment.steps,
        experiment.region,
        extra={
            "kind": "experiment",
            "store_version": STORE_VERSION,
            "experiment": experiment.to_dict(),
            "experiment_file": experiment.source or None,
            "experiment_file_text": source_text,
            "fingerprint": experiment.fingerprint(),
            "scenarios": experiment.scenario_overrides,
            "reference": experiment.reference_name,
            "design": {
                "file": "design.parquet",
                "design": experiment.design,
                "points": len(design),
                "levers": list(experiment.levers),
                "uncertainties": [*experiment.uncertainties, *experiment.point_names],
                "sampler_seed": int(experiment.base_seed % 2**32),
            },
            "seed_derivation": {
                "base_seed": experiment.base_seed,
                "common_random_numbers": experiment.crn,
                "rule": (
                    "seed = SeedSequence(base_seed, spawn_key=(replication,))"
                    if experiment.crn
                    else "seed = SeedSequence(base_seed, spawn_key=(point, replication))"
                )
                + ".generate_state(1, uint64)[0] >> 1; every scenario of a point and "
                "replication shares the seed",
                "layout": "seeds[replication]"
                if experiment.crn
                else "seeds[point * replications + replication]",
                "table": "plan.parquet",
            },
            "plan": {"file": "plan.parquet", "runs": len(plan)},
            "versions_all": _versions(),
            "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "status": {"state": "created"},
        },
    )


def prepare_store(
    experiment: Experiment, out: Path, resume: bool, command: str | None
) -> tuple[dict[str, Any], pd.DataFrame, pd.DataFrame]:
    """Create the store of ``experiment`` in ``out``, or check it before a resume.

    Returns
    -------
    tuple
        The manifest (a dict), the design table and the plan table.

    A resume is logged in the manifest's ``resumed`` list (command, time, git commit, package
    versions). If the git commit or a package version differs from the session that created
    the store, a ``UserWarning`` says so: the runs already there and the new ones may come
    from different model code, which the same seed does not make comparable.

    Raises
    ------
    ExperimentError
        If ``out`` already holds an experiment and ``resume`` is false, or holds a different
        experiment (another fingerprint).
    """
    from model.runs.results import (
        git_commit,
        package_versions,
        write_json_atomic,
        write_parquet_atomic,
    )

    manifest_path = out / "manifest.json"
    if manifest_path.is_file():
        old = json.loads(manifest_path.read_text(encoding="utf-8"))
        if not resume:
            raise ExperimentError(
                f"{out}: already holds an experiment ({old.get('experiment', {}).get('name')!r});"
                " pass --resume (resume=True) to continue it, or choose another output folder"
            )
        if old.get("fingerprint") != experiment.fingerprint():
            theirs = old.get("experiment", {})
            mine = experiment.to_dict()
            changed = sorted(
                k
                for k in set(theirs) | set(mine)
                if k != "description" and theirs.get(k) != mine.get(k)
            ) or ["scenario files"]
            raise ExperimentError(
                f"{out}: holds results of a different experiment (changed: {', '.join(changed)});"
                " resuming would mix them; choose another output folder"
            )
        session = {
            "command": command or "model.experiments.run_experiment",
            "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "git_commit": git_commit(),
            "versions": package_versions(),
        }
        changed = [k for k in ("git_commit", "versions") if session[k] != old.get(k)]
        if changed:
            warnings.warn(
                f"{out}: resuming with a different {' and '.join(changed).replace('_', ' ')} "
                f"than the session that started this experiment ({old.get('git_commit')!r} "
                f"then, {session['git_commit']!r} now): the runs already stored and the new "
                "ones may come from different model code",
                UserWarning,
                stacklevel=3,
            )
        old.setdefault("resumed", []).append(session)
        write_json_atomic(old, manifest_path)
        design = pd.read_parquet(out / "design.parquet")
        plan = pd.read_parquet(out / "plan.parquet")
        return old, design, plan
    design = experiment.design_table()
    plan = experiment.plan_table()
    write_parquet_atomic(design, out / "design.parquet")
    write_parquet_atomic(plan, out / "plan.parquet")
    man = _new_manifest(experiment, design, plan, command)
    write_json_atomic(man, manifest_path)  # written last: it marks a valid store
    return man, design, plan
