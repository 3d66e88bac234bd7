"""Running a sweep: every planned run of an experiment, on any executor, into its result folder.

:func:`run_experiment` turns the plan of an :class:`~model.experiments.declaration.Experiment` into
small :class:`RunSpec` items, hands them to an executor (:mod:`model.runs.executors`: serial, local
processes — the default — or Dask; the executor never changes a number) and stores each result
in the folder (:mod:`model.runs.store`) as soon as it arrives. Memory stays bounded: results
are never accumulated and runs are submitted in a bounded window. ``resume=True`` skips finished
runs and retries failed ones. :func:`execute_run` is what a worker runs for one item.

:func:`run_model` is the model as a plain ``f(**params) -> dict`` of region-wide final values
and trajectories, for EMA Workbench and similar drivers; ``mesa.batch_run`` drives
:class:`model.sim.mesa_model.InnovationModel` directly.
"""

from __future__ import annotations

import os
import time
import traceback
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from model.experiments.declaration import Experiment, Outputs
from model.runs.store import ExperimentResults, StoreLock, default_folder, prepare_store
from model.sim.indicators import INDICATOR_NAMES

#: Test-only hook: run ids (comma separated) whose run raises on purpose.
FAIL_RUNS_ENV = "INNOVSIM_TEST_FAIL_RUNS"


# ============================================================================================
# One run (executes in a worker)


@dataclass(frozen=True)
class RunSpec:
    """Everything a worker needs for one run (small and picklable)."""

    run_id: str
    scenario: str
    point: int
    replication: int
    seed: int
    steps: int
    region: str
    overrides: Mapping[str, Any]
    outputs: Outputs


def execute_run(spec: RunSpec) -> dict[str, Any]:
    """Run one simulation and return its kept outputs as Parquet bytes; never raises.

    Returns
    -------
    dict
        ``run_id``; ``parquet`` (bytes, or None on failure); ``error`` (traceback text or
        None); ``started``, ``finished`` (wall-clock seconds since the epoch).
    """
    started = time.time()
    try:
        if spec.run_id in os.environ.get(FAIL_RUNS_ENV, "").split(","):
            raise RuntimeError(f"failure injected by {FAIL_RUNS_ENV} (test hook)")
        from model.runs.run import simulate

        df = simulate(spec.overrides, spec.seed, spec.steps, spec.region, spec.scenario)
        df = spec.outputs.select(df, spec.steps)
        n = len(df)
        df.insert(0, "run_id", pd.Series([spec.run_id] * n, dtype="string"))
        df.insert(2, "point", np.full(n, spec.point, dtype=np.int64))
        df.insert(3, "replication", np.full(n, spec.replication, dtype=np.int64))
        import io

        buf = io.BytesIO()
        df.to_parquet(buf, index=False)
        payload, error = buf.getvalue(), None
    except Exception:  # noqa: BLE001 - a failed run is recorded, the sweep goes on
        payload, error = None, traceback.format_exc()
    return {
        "run_id": spec.run_id,
        "parquet": payload,
        "error": error,
        "started": started,
        "finished": time.time(),
    }


# ============================================================================================
# A sweep


def run_experiment(
    experiment: Experiment,
    out: str | os.PathLike | None = None,
    *,
    executor: Any = None,
    resume: bool = False,
    progress: bool = True,
    max_in_flight: int | None = None,
    on_result: Callable[[dict[str, Any]], None] | None = None,
    command: str | None = None,
) -> ExperimentResults:
    """Run an experiment into a result folder and return it.

    Parameters
    ----------
    experiment : Experiment
    out : path, optional
        Result folder (default ``results/sweeps/NAME``).
    executor : model.runs.executors.Executor, optional
        Where runs go (default: :class:`model.runs.executors.ProcessExecutor` on every CPU). An
        executor you pass is started if needed and left open.
    resume : bool
        Continue a folder that already holds this experiment: finished runs are skipped,
        failed and missing ones run. Refused if the folder holds a different experiment.
    progress : bool
        Show a progress bar (runs done, failures, time left).
    max_in_flight : int, optional
        Runs submitted at once (default: twice the executor's workers).
    on_result : callable, optional
        Called in this process after each run is stored, with ``run_id``, ``error``,
        ``started``, ``finished`` (worker wall clock), ``submitted`` and ``stored`` (here).
    command : str, optional
        Command line recorded in the manifest.

    Returns
    -------
    ExperimentResults
        With ``last_run``: counts ``done``, ``skipped``, ``failed`` and ``wall_s``.

    Raises
    ------
    ExperimentError
        Before anything runs, if the experiment or the folder is not valid.
    """
    from model.runs.executors import ProcessExecutor, progress_bar
    from model.runs.results import atomic_write_bytes, write_json_atomic

    experiment.check()
    out = Path(out) if out is not None else default_folder(experiment)
    out.mkdir(parents=True, exist_ok=True)
    owned = executor is None
    executor = executor or ProcessExecutor()
    start = time.perf_counter()
    with StoreLock(out):
        man, design, plan = prepare_store(experiment, out, resume, command)
        results = ExperimentResults(out)
        done_mask = results.finished()
        todo = np.flatnonzero(~done_mask)
        names = list(experiment.parameter_names)
        point_values = {n: design[n].tolist() for n in names}
        overrides = experiment.scenario_overrides
        region = experiment._resolve_file(experiment.region)
        plan_cols = {c: plan[c].tolist() for c in ("run_id", "scenario", "point", "replication")}
        seeds = plan["seed"].tolist()
        submitted: dict[str, float] = {}

        def specs() -> Iterator[RunSpec]:
            for i in todo:
                p = plan_cols["point"][i]
                run_id = plan_cols["run_id"][i]
                scenario = plan_cols["scenario"][i]
                submitted[run_id] = time.time()
                yield RunSpec(
                    run_id=run_id,
                    scenario=scenario,
                    point=p,
                    replication=plan_cols["replication"][i],
                    seed=seeds[i],
                    steps=experiment.steps,
                    region=region,
                    overrides={
                        **overrides[scenario],
                        **experiment.constants,
                        **{n: point_values[n][p] for n in names},
                    },
                    outputs=experiment.outputs,
                )

        counts = {"done": 0, "skipped": int(done_mask.sum()), "failed": 0}
        failed_ids: list[str] = []
        man["status"] = {"state": "running", "executor": executor.describe()}
        write_json_atomic(man, out / "manifest.json")
        bar = progress_bar(
            total=len(todo),
            desc=f"sweep {experiment.name}",
            unit="run",
            disable=not progress,
            dynamic_ncols=True,
        )
        state = "interrupted"
        try:
            if owned:
                executor.start()
            for spec, result, error in executor.imap_unordered(execute_run, specs(), max_in_flight):
                if error is None and result["error"] is not None:
                    error = result["error"]
                failure_path = out / "failures" / f"{spec.run_id}.json"
                if error is None:
                    atomic_write_bytes(results.run_path(spec.run_id), result["parquet"])
                    if failure_path.exists():
                        failure_path.unlink()
                    counts["done"] += 1
                else:
                    write_json_atomic(
                        {
                            "run_id": spec.run_id,
                            "scenario": spec.scenario,
                            "point": spec.point,
                            "replication": spec.replication,
                            "seed": spec.seed,
                            "error": error,
                            "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                        },
                        failure_path,
                    )
                    counts["failed"] += 1
                    if len(failed_ids) < 1000:
                        failed_ids.append(spec.run_id)
                if on_result is not None:
                    on_result(
                        {
                            "run_id": spec.run_id,
                            "error": error,
                            "started": (result or {}).get("started"),
                            "finished": (result or {}).get("finished"),
                            "submitted": submitted.pop(spec.run_id, None),
                            "stored": time.time(),
                        }
                    )
                else:
                    submitted.pop(spec.run_id, None)
                bar.update(1)
                bar.set_postfix(failed=counts["failed"], refresh=False)
            state = "complete" if counts["failed"] == 0 else "complete with failures"
        finally:
            bar.close()
            if owned:
                executor.close()
            wall = time.perf_counter() - start
            man["status"] = {
                "state": state,
                "executor": executor.describe(),
                "last_session": {**counts, "wall_s": round(wall, 3)},
                # the first 1,000 only (the manifest stays small); all are in failures/
                "failed_runs": failed_ids,
                "failed_runs_listed": f"{len(failed_ids)} of {counts['failed']}",
                "updated": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            }
            write_json_atomic(man, out / "manifest.json")
    results = ExperimentResults(out)
    results.last_run = {**counts, "wall_s": wall}
    return results


# ============================================================================================
# A plain model function for other drivers


def run_model(
    *,
    seed: int = 0,
    steps: int = 40,
    region: str = "jiaxing-huzhou",
    base_scenario: str | None = None,
    **parameters: Any,
) -> dict[str, Any]:
    """Run the model once as a plain function: parameters in, region-wide outcomes out.

    This is the shape EMA Workbench (``ema_workbench.Model("innovsim", function=run_model)``)
    and similar tools drive: every model parameter is a keyword argument, and so are ``seed``,
    ``steps``, ``region`` and ``base_scenario``. The scenario keyword is not called
    ``scenario`` because EMA's experiment table has a ``scenario`` column of its own (a
    constant or parameter of that name is refused: "field 'scenario' occurs more than once").

    Parameters
    ----------
    seed : int
        Seed (same seed, same numbers).
    steps : int
        Quarters simulated.
    region : str
        Region key or file.
    base_scenario : str, optional
        Scenario (name or file) whose overrides come first; ``parameters`` apply over it.
    **parameters
        Model parameters by name (validated).

    Returns
    -------
    dict
        For each indicator ``NAME``: ``NAME`` (float, its region-wide outcome at the horizon
        as :mod:`model.experiments.outcomes` defines it — a stock's last value, a flow summed
        over the last year) and ``NAME_trajectory`` (float64 array of shape (steps + 1,), the
        quarterly values of quarters 0..steps); and ``step`` (int64 array of the quarters).

    Examples
    --------
    >>> out = run_model(seed=1, steps=8, firm_scale=0.1, tax_rebate_share=1.0)
    >>> out["high_tech_enterprises_trajectory"].shape
    (9,)

    With EMA Workbench (``tests/test_ema_workbench.py`` runs this with EMA's own evaluator)::

        from ema_workbench import (Model, RealParameter, ScalarOutcome, ArrayOutcome,
                                   Constant, perform_experiments)
        m = Model("innovsim", function=run_model)
        m.uncertainties = [RealParameter("platform_service_strength", 0.2, 1.2)]
        m.levers = [RealParameter("tax_rebate_share", 0.0, 1.0)]
        m.constants = [Constant("steps", 40), Constant("firm_scale", 0.5),
                       Constant("base_scenario", "innovation_vouchers")]
        m.outcomes = [ScalarOutcome("high_tech_enterprises"),
                      ArrayOutcome("high_tech_enterprises_trajectory")]
        results = perform_experiments(m, scenarios=50, policies=4)
    """
    from model.experiments.outcomes import outcome_table
    from model.sim.engine import region_totals
    from model.sim.mesa_model import InnovationModel

    overrides: dict[str, Any] = {}
    if base_scenario is not None:
        from model.params.scenarios import load_scenario

        overrides.update(load_scenario(base_scenario).overrides)
    overrides.update(parameters)
    model = InnovationModel(
        region=region,
        parameters=overrides,
        scenario=base_scenario or "custom",
        seed=int(seed),
        build_mesa_grid=False,
    )
    for _ in range(int(steps)):
        model.step()
    totals = np.stack([region_totals(h) for h in model.county_history])
    n_steps = totals.shape[0]
    tidy = pd.DataFrame(
        {
            "run": np.zeros(n_steps * len(INDICATOR_NAMES), dtype=np.int64),
            "step": np.repeat(np.arange(n_steps), len(INDICATOR_NAMES)),
            "indicator": np.tile(np.array(INDICATOR_NAMES, dtype=object), n_steps),
            "value": totals.ravel(),
        }
    )
    final = outcome_table(tidy, ["run"]).iloc[0]
    out: dict[str, Any] = {"step": np.arange(n_steps, dtype=np.int64)}
    for i, name in enumerate(INDICATOR_NAMES):
        out[name] = float(final[name])
        out[f"{name}_trajectory"] = totals[:, i].astype(np.float64)
    return out
