"""Sweep throughput and per-run overhead of the executors (serial, local processes, Dask).

Measured in one invocation, interleaved (each repetition runs every executor in turn, so a
change in machine load hits all of them alike), medians over repetitions:

- **throughput**: runs per minute for the default region (Jiaxing-Huzhou, ``firm_scale`` 1),
  40 quarters, on the machine's cores (2 here): ``N`` full runs through
  :func:`model.experiments.run_experiment` with a warm executor (workers started, numba cache
  loaded), all results stored as in a real sweep. The serial executor runs in one process
  (numba may use every core inside a run); processes and Dask run one run per worker with one
  numba thread each;
- **per-run overhead**: for small runs (5% of the firms, one quarter) submitted one per
  worker at a time, the time a run occupies the executor beyond its own compute:
  ``(stored − submitted) − (finished − started)`` — dispatch, result transfer, the atomic
  Parquet write with fsync and the bookkeeping of the parent; median over runs;
- **start-up**: from creating the executor to the first stored result of a warm-up sweep
  (spawning worker processes or a ``LocalCluster`` and importing the model in them).

The model source (``model/`` and ``scenarios/``) is snapshotted (copied) into a temporary
directory with its own numba cache, so edits made to ``model/`` while the benchmark runs cannot
change or recompile what is measured; the first step compiles the kernels into that cache
(minutes, not measured).

Usage (from the repository root)::

    .venv/bin/python benchmarks/bench_sweep.py               # ~15 min on 2 cores
    .venv/bin/python benchmarks/bench_sweep.py --quick       # one repetition, fewer runs
    .venv/bin/python benchmarks/bench_sweep.py --source HEAD # measure the last commit

Writes ``benchmarks/results/sweep.json``.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results"
MARKER = "@@BENCH_SWEEP@@"
EXECUTORS = ("serial", "processes", "dask")


# ======================================================================================
# worker side: runs in a subprocess whose PYTHONPATH is the snapshot
# ======================================================================================
def _experiment(name: str, runs: int, firm_scale: float, steps: int, seed: int):
    from model.experiments import Experiment, Outputs

    # one lever with `runs` values, one replication: `runs` distinct runs
    return Experiment(
        name=name,
        levers={"tax_rebate_share": [round(i / max(1, runs - 1), 6) for i in range(runs)]},
        constants={"firm_scale": firm_scale},
        replications=1,
        steps=steps,
        base_seed=seed,
        outputs=Outputs(
            indicators=(
                "high_tech_enterprises",
                "rd_spending_mcny",
                "invention_patent_applications",
                "invention_patent_grants",
                "county_policy_cost_mcny",
                "province_policy_cost_mcny",
            ),
            steps="all",
            counties="final",
        ),
    )


def _busy_cpu_s() -> float:
    """CPU seconds the whole machine has spent busy (``/proc/stat``)."""
    with open("/proc/stat") as fh:
        f = [int(x) for x in fh.readline().split()[1:9]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = f
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def _own_cpu_s() -> float:
    """CPU seconds of this process and all its descendants (live ones and reaped ones)."""
    parent: dict[int, int] = {}
    times: dict[int, float] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as fh:
                rest = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(entry.name)
        parent[pid] = int(rest[1])
        times[pid] = sum(int(x) for x in rest[11:15])  # utime stime cutime cstime
    me = os.getpid()
    total = 0.0
    for pid, t in times.items():
        p = pid
        while p not in (0, 1) and p != me:
            p = parent.get(p, 0)
        if p == me:
            total += t
    return total / os.sysconf("SC_CLK_TCK")


class ForeignLoad:
    """CPU use of processes that are not this benchmark's, in cores, over a time window."""

    def __enter__(self):
        self.t, self.busy, self.own = time.time(), _busy_cpu_s(), _own_cpu_s()
        return self

    def __exit__(self, *exc):
        wall = time.time() - self.t
        foreign = (_busy_cpu_s() - self.busy) - (_own_cpu_s() - self.own)
        self.cores = max(0.0, foreign / max(wall, 1e-9))


def wait_until_quiet(max_wait_s: float, threshold_cores: float = 0.25) -> tuple[float, float]:
    """Wait (at most ``max_wait_s``) until other processes use under ``threshold_cores``."""
    t0 = time.time()
    while True:
        with ForeignLoad() as probe:
            time.sleep(3.0)
        if probe.cores < threshold_cores or time.time() - t0 >= max_wait_s:
            return time.time() - t0, probe.cores
        time.sleep(7.0)


def _make(kind: str, workers: int):
    from model.runs.executors import DaskExecutor, ProcessExecutor, SerialExecutor

    if kind == "serial":
        return SerialExecutor()
    if kind == "processes":
        return ProcessExecutor(workers=workers, numba_threads=1)
    return DaskExecutor(n_workers=workers, numba_threads=1)


def _sweep(executor, experiment, out: Path, in_flight: int | None) -> dict:
    from model.experiments import run_experiment

    records: list[dict] = []
    t0 = time.time()
    res = run_experiment(
        experiment,
        out,
        executor=executor,
        progress=False,
        max_in_flight=in_flight,
        on_result=records.append,
    )
    wall = time.time() - t0
    if res.last_run["failed"]:
        raise RuntimeError(f"{res.last_run['failed']} runs failed in {out}")
    compute = [r["finished"] - r["started"] for r in records]
    overhead = [(r["stored"] - r["submitted"]) - (r["finished"] - r["started"]) for r in records]
    return {
        "wall_s": wall,
        "runs": len(records),
        "first_stored_at": min(r["stored"] for r in records),
        "compute_s_median": statistics.median(compute),
        "overhead_s": overhead,
        "overhead_s_median": statistics.median(overhead),
    }


def worker(args: argparse.Namespace) -> None:
    import numba

    from model.runs.run import simulate

    work = Path(args.workdir)
    workers = args.workers
    log = print
    t = time.perf_counter()
    simulate({"firm_scale": 0.05}, seed=1, steps=1)  # compile into the snapshot's cache
    log(f"warm-up (compile or load kernels): {time.perf_counter() - t:.1f} s", flush=True)
    t = time.perf_counter()
    simulate({"firm_scale": 1.0}, seed=1, steps=args.steps)
    log(f"one full run in this process: {time.perf_counter() - t:.1f} s", flush=True)

    small = dict(firm_scale=0.05, steps=1)
    out: dict = {
        k: {"startup_s": [], "overhead": [], "throughput": [], "foreign_cores": [], "waited_s": []}
        for k in EXECUTORS
    }
    load: list[float] = []
    for rep in range(args.repeats):
        for kind in EXECUTORS:
            base = work / f"r{rep}_{kind}"
            load.append(os.getloadavg()[0])
            waited, before = wait_until_quiet(args.wait_quiet)
            phase = ForeignLoad().__enter__()
            t0 = time.time()
            executor = _make(kind, workers)
            with executor:
                warm = _sweep(
                    executor,
                    _experiment(f"warm_{kind}", 2 * executor.workers, seed=rep, **small),
                    base / "warm",
                    None,
                )
                startup = warm["first_stored_at"] - t0
                over = _sweep(
                    executor,
                    _experiment(f"overhead_{kind}", args.overhead_runs, seed=100 + rep, **small),
                    base / "overhead",
                    executor.workers,
                )
                full = _sweep(
                    executor,
                    _experiment(
                        f"throughput_{kind}",
                        args.runs,
                        firm_scale=1.0,
                        steps=args.steps,
                        seed=200 + rep,
                    ),
                    base / "throughput",
                    None,
                )
            phase.__exit__()
            rate = 60.0 * full["runs"] / full["wall_s"]
            out[kind]["foreign_cores"].append(round(phase.cores, 3))
            out[kind]["waited_s"].append(round(waited, 1))
            out[kind]["startup_s"].append(startup)
            out[kind]["overhead"].append(over)
            out[kind]["throughput"].append({**full, "runs_per_min": rate})
            log(
                f"rep {rep} {kind:9s}: start-up {startup:5.1f} s, overhead "
                f"{1000 * over['overhead_s_median']:6.1f} ms/run, {rate:5.2f} runs/min "
                f"({full['runs']} runs in {full['wall_s']:.1f} s, compute "
                f"{full['compute_s_median']:.2f} s/run; other processes used "
                f"{phase.cores:.2f} cores, waited {waited:.0f} s for {before:.2f})",
                flush=True,
            )
            shutil.rmtree(base, ignore_errors=True)
    load.append(os.getloadavg()[0])

    summary = {}
    for kind in EXECUTORS:
        o = out[kind]
        all_overheads = [x for rec in o["overhead"] for x in rec["overhead_s"]]
        summary[kind] = {
            "runs_per_min_median": statistics.median(r["runs_per_min"] for r in o["throughput"]),
            "runs_per_min": [round(r["runs_per_min"], 3) for r in o["throughput"]],
            "compute_s_per_full_run_median": statistics.median(
                r["compute_s_median"] for r in o["throughput"]
            ),
            "per_run_overhead_ms_median": 1000 * statistics.median(all_overheads),
            "per_run_overhead_ms_by_repeat": [
                round(1000 * rec["overhead_s_median"], 2) for rec in o["overhead"]
            ],
            "small_run_compute_s_median": statistics.median(
                rec["compute_s_median"] for rec in o["overhead"]
            ),
            "startup_s_median": statistics.median(o["startup_s"]),
            "startup_s": [round(s, 2) for s in o["startup_s"]],
            "other_processes_cores": o["foreign_cores"],
            "waited_for_quiet_s": o["waited_s"],
        }
    result = {
        "summary": summary,
        "load_1min": [round(x, 2) for x in load],
        "numba_threads_serial": numba.config.NUMBA_NUM_THREADS,
    }
    print(MARKER + json.dumps(result), flush=True)


# ======================================================================================
# orchestrator
# ======================================================================================
def snapshot_source(source: str, dest: Path) -> None:
    """Copy the ``model`` package and the scenario files (worktree or a git revision)."""
    if source == "worktree":
        for folder in ("model", "scenarios"):
            shutil.copytree(
                REPO / folder, dest / folder, ignore=shutil.ignore_patterns("__pycache__")
            )
    else:
        archive = subprocess.run(
            ["git", "archive", source, "model", "scenarios"],
            cwd=REPO,
            capture_output=True,
            check=True,
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(dest / "model")], check=True)


def git_info(source: str) -> dict:
    def run(*a):
        return subprocess.run(["git", *a], cwd=REPO, capture_output=True, text=True).stdout.strip()

    info = {"source": source, "commit": run("rev-parse", "HEAD")}
    if source == "worktree":
        info["model_dirty_files"] = [
            line[3:] for line in run("status", "--porcelain", "--", "model").splitlines()
        ]
    else:
        info["source_commit"] = run("rev-parse", source)
    return info


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="one repetition, 4 full runs")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--runs", type=int, default=8, help="full runs per throughput sweep")
    parser.add_argument("--overhead-runs", type=int, default=16)
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--source", default="worktree", help="'worktree' or a git revision")
    parser.add_argument(
        "--wait-quiet",
        type=float,
        default=300.0,
        help="before each measurement wait up to this many seconds until other processes "
        "use under a quarter of a core (default 300)",
    )
    parser.add_argument("--out", default=str(RESULTS / "sweep.json"))
    parser.add_argument("--worker-mode", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.quick:
        args.repeats, args.runs, args.overhead_runs = 1, 4, 8
    if args.worker_mode:
        worker(args)
        return

    started = time.time()
    with tempfile.TemporaryDirectory(prefix="bench_sweep_") as tmp:
        tmp = Path(tmp)
        src = tmp / "src"
        src.mkdir()
        snapshot_source(args.source, src)
        env = dict(os.environ, PYTHONPATH=str(src), NUMBA_CACHE_DIR=str(tmp / "numba_cache"))
        env.pop("NUMBA_NUM_THREADS", None)
        env.pop("INNOVSIM_TEST_FAIL_RUNS", None)  # never inject failures into a benchmark
        cmd = [
            sys.executable,
            str(Path(__file__).resolve()),
            "--worker-mode",
            "--workdir",
            str(tmp / "work"),
            "--repeats",
            str(args.repeats),
            "--runs",
            str(args.runs),
            "--overhead-runs",
            str(args.overhead_runs),
            "--steps",
            str(args.steps),
            "--workers",
            str(args.workers),
            "--wait-quiet",
            str(args.wait_quiet),
        ]
        proc = subprocess.Popen(cmd, env=env, cwd=tmp, stdout=subprocess.PIPE, text=True)
        payload = None
        for line in proc.stdout:
            if line.startswith(MARKER):
                payload = json.loads(line[len(MARKER) :])
            else:
                print(line, end="", flush=True)
        if proc.wait() != 0 or payload is None:
            raise SystemExit(f"benchmark worker failed (exit {proc.returncode})")

    from importlib import metadata

    summary = payload["summary"]
    doc = {
        "generated": _dt.datetime.now().isoformat(timespec="seconds"),
        "command": "benchmarks/bench_sweep.py " + " ".join(sys.argv[1:]),
        "wall_s": round(time.time() - started, 1),
        "machine": {
            "nproc": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "load_1min_during": payload["load_1min"],
            "versions": {
                p: metadata.version(p) for p in ("numba", "numpy", "pandas", "dask", "distributed")
            },
        },
        "git": git_info(args.source),
        "settings": {
            "region": "jiaxing-huzhou",
            "firm_scale": 1.0,
            "quarters": args.steps,
            "workers": args.workers,
            "full_runs_per_sweep": args.runs,
            "overhead_runs_per_sweep": args.overhead_runs,
            "overhead_run": {"firm_scale": 0.05, "quarters": 1},
            "repeats": args.repeats,
            "numba_threads": {
                "serial": payload["numba_threads_serial"],
                "processes": 1,
                "dask": 1,
            },
            "dask_cluster": f"LocalCluster(n_workers={args.workers}, threads_per_worker=1, "
            "processes=True)",
        },
        "definitions": {
            "runs_per_min": "full runs / wall time of run_experiment x 60, warm executor, "
            "results stored (Parquet per run, fsync)",
            "per_run_overhead_ms": "(stored - submitted) - (finished - started) per small "
            "run, one run in flight per worker; median over all runs of all repetitions",
            "startup_s": "creating the executor to the first stored result of a warm-up "
            "sweep of small runs (worker spawn, imports, numba cache load, one small run)",
            "other_processes_cores": "CPU used by processes outside the benchmark during each "
            "measurement (machine busy time minus the benchmark's process tree), in cores; "
            "each measurement first waits (up to --wait-quiet s) for it to fall under 0.25",
        },
        "results": summary,
        "headline": {
            "runs_per_min_default_region_40q_processes": round(
                summary["processes"]["runs_per_min_median"], 2
            ),
            "runs_per_min_default_region_40q_dask": round(
                summary["dask"]["runs_per_min_median"], 2
            ),
            "runs_per_min_default_region_40q_serial": round(
                summary["serial"]["runs_per_min_median"], 2
            ),
            "per_run_overhead_ms": {
                k: round(summary[k]["per_run_overhead_ms_median"], 1) for k in EXECUTORS
            },
            "startup_s": {k: round(summary[k]["startup_s_median"], 1) for k in EXECUTORS},
        },
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp_out = out.with_suffix(".json.tmp")
    tmp_out.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
    os.replace(tmp_out, out)
    print(json.dumps(doc["headline"], indent=1))
    print(f"-> {out}")


if __name__ == "__main__":
    main()
