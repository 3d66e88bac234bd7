"""Timing harness for the numba engine on the synthetic province region (90 counties).

Measures, for populations of about 1 thousand to 1 million firms (parameter ``firm_scale``):

- cold compile: a fresh process with an empty ``NUMBA_CACHE_DIR``; first construction + first step
  (once, at the smallest size, unless ``--cold-all-sizes``: the kernels' types do not depend
  on the size, so neither does the compile work);
- cached start-up: a fresh process with a warm cache; import + construction (which includes
  the engine's burn-in quarters);
- time per step: median over measured steps after warm-up steps, with 1 and with 2 threads
  (``NUMBA_NUM_THREADS``), each in its own process; the two runs' indicator histories must be
  bit-identical;
- agent-steps per second: live firms + platforms + talent + capital, summed over the measured
  steps, divided by their summed wall time;
- peak memory: ``ru_maxrss`` of each process;
- per-phase time: each numba kernel that ``model.sim.engine`` calls is wrapped by a timer in the
  worker process only (the model code is not changed); the rest of a step is engine Python glue;
- a province run: the public ``InnovationModel`` at the largest size for 40 quarters, wall time
  of the whole process (interpreter start, imports, construction, steps), warm cache;
- the idiomatic Mesa reference (``benchmarks/mesa_reference``) at the sizes where it finishes in
  reasonable time (``--mesa-max-firms``, default 10,000): median time per step from the same
  initial populations, and the engine's speed ratio against it at 1 and 2 threads.

The model source and the reference are snapshotted (copied) into a temporary directory at the
start, so edits made to ``model/`` while the harness runs cannot change or recompile what is
measured.

Usage (from the repository root)::

    .venv/bin/python benchmarks/bench_engine.py            # default, ~15 min on 2 cores
    .venv/bin/python benchmarks/bench_engine.py --quick    # sizes up to 100k, ~3 min
    .venv/bin/python benchmarks/bench_engine.py --source HEAD   # measure the last commit

Writes ``benchmarks/results/engine.json``, ``engine.md`` (tables) and ``time_vs_size.png``.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import math
import os
import platform
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results"
REGION = "province"
SEED = 20240601
MARKER = "@@BENCH_RESULT@@"

#: Initial firm counts aimed at (firm_scale = target / firms in the region file).
SIZES_DEFAULT = (1_000, 10_000, 30_000, 100_000, 300_000, 1_000_000)
SIZES_QUICK = (1_000, 10_000, 100_000)
#: Window of the scaling-exponent fit (firms).
FIT_LOW, FIT_HIGH = 10_000, 1_000_000

#: Targets of the performance goal (docs/performance.md).
TARGETS = {
    "agent_steps_per_s_per_core_at_1M": 3e7,
    "province_run_wall_s": 20.0,
    "province_run_peak_gib": 2.0,
    "scaling_exponent_max": 1.1,
    "cold_compile_s": 30.0,
    "two_thread_speedup_at_1M": 1.6,
    "mesa_ratio_at_10k": 300.0,
}
#: The Mesa reference is timed at sizes up to this many firms by default (about 1 s per step
#: at 10k firms, and a 12-quarter burn-in before the first).
MESA_MAX_FIRMS_DEFAULT = 10_000


# ======================================================================================
# worker side (runs in a fresh subprocess)
# ======================================================================================
def _live_agents(sim) -> dict[str, int]:
    return {
        "firms": sim.firms.n_alive(),
        "platforms": sim.platforms.n_alive(),
        "talent": sim.talent.n_alive(),
        "capital": sim.capital.n_alive(),
    }


def _maxrss_bytes() -> int:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss if sys.platform == "darwin" else rss * 1024


def _cpu_s() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


class _PhaseTimer:
    """Wraps the kernels ``model.sim.engine`` calls, accumulating wall time.

    Kernels are numba dispatchers, or Python functions of ``model.kernels`` that unpack
    namedtuples for a compiled body.
    """

    def __init__(self, engine_module, extra: dict[str, object]):
        from numba.core.registry import CPUDispatcher

        self.totals: dict[str, float] = {}
        self.calls: dict[str, int] = {}
        self.parallel: list[str] = []
        self._saved: list[tuple[object, str, object]] = []
        for name in dir(engine_module):
            obj = getattr(engine_module, name)
            if isinstance(obj, CPUDispatcher):
                self._wrap(engine_module, name, obj)
                if obj.targetoptions.get("parallel"):
                    self.parallel.append(name)
            elif callable(obj) and getattr(obj, "__module__", "").startswith("model.kernels."):
                # a Python-level kernel that unpacks namedtuples for a compiled body
                self._wrap(engine_module, name, obj)
        for name, (owner, attr) in extra.items():
            self._wrap(owner, attr, getattr(owner, attr), label=name)
        self.enabled = False

    def _wrap(self, owner, attr, fn, label=None):
        label = label or attr
        totals, calls = self.totals, self.calls
        timer = self

        def timed(*args, **kwargs):
            if not timer.enabled:
                return fn(*args, **kwargs)
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                totals[label] = totals.get(label, 0.0) + time.perf_counter() - t0
                calls[label] = calls.get(label, 0) + 1

        self._saved.append((owner, attr, fn))
        setattr(owner, attr, timed)


def _compile_times(buffer) -> dict[str, float]:
    """Exclusive compile seconds per jitted function from numba's compile events.

    Nested compiles (a kernel compiling the helpers it calls) are subtracted from the caller.
    Empty when everything came from the cache.
    """
    from numba.core.event import EventStatus

    totals: dict[str, float] = {}
    stack: list[list] = []  # [name, start, child_seconds]
    for ts, ev in buffer:
        disp = ev.data.get("dispatcher") if ev.data else None
        py_func = getattr(disp, "py_func", None)
        name = f"{py_func.__module__}.{py_func.__qualname__}" if py_func else str(disp)
        if ev.status == EventStatus.START:
            stack.append([name, ts, 0.0])
        elif stack:
            name0, start, child = stack.pop()
            inclusive = ts - start
            totals[name0] = totals.get(name0, 0.0) + inclusive - child
            if stack:
                stack[-1][2] += inclusive
    return dict(sorted(totals.items(), key=lambda kv: -kv[1]))


def worker_engine(spec: dict) -> dict:
    """Construct a Simulation, step it, time everything; return a JSON-able dict."""
    t_start = time.perf_counter()
    import numpy as np

    import model.sim.engine as engine
    from model.params.table import Parameters
    from model.sim.region import load_region

    t_imported = time.perf_counter()
    region = load_region(REGION)
    params = Parameters({"firm_scale": spec["firm_scale"]})
    t_region = time.perf_counter()

    # time the initial-state draw separately from the burn-in quarters (benchmark-only wrap)
    init_time = {}
    original_initial_state = engine.initial_state

    def timed_initial_state(*args, **kwargs):
        t0 = time.perf_counter()
        out = original_initial_state(*args, **kwargs)
        init_time["s"] = time.perf_counter() - t0
        return out

    engine.initial_state = timed_initial_state
    timer = None
    if spec.get("profile_steps", 0) > 0:
        from model.sim.state import Table

        timer = _PhaseTimer(
            engine,
            {
                "Table.view": (Table, "view"),
                "Table.ensure_free": (Table, "ensure_free"),
            },
        )
    from numba.core import event as numba_event

    cpu0 = _cpu_s()
    with numba_event.install_recorder("numba:compile") as recorder:
        sim = engine.Simulation(region, params, spec["seed"])
        t_constructed = time.perf_counter()
        history = [sim.indicators.copy()]
        sim.step()
        history.append(sim.indicators.copy())
    t_first = time.perf_counter()
    cpu_first = _cpu_s() - cpu0
    initial_firms = sum(max(1, round(c.firms * params.firm_scale)) for c in region.counties)
    out = {
        "firm_scale": spec["firm_scale"],
        "initial_firms": initial_firms,
        "import_s": t_imported - t_start,
        "region_s": t_region - t_imported,
        "initial_state_s": init_time.get("s", float("nan")),
        "construct_s": t_constructed - t_region,
        "burn_in_s": (t_constructed - t_region) - init_time.get("s", 0.0),
        "first_step_s": t_first - t_constructed,
        "startup_s": t_constructed - t_start,  # import + region + construction
        "construct_plus_first_step_s": t_first - t_region,
        "construct_plus_first_step_cpu_s": cpu_first,
        "burn_in_quarters": int(getattr(engine, "BURN_IN_Q", 0)),
        "compile_s_by_function": _compile_times(recorder.buffer),
    }
    for _ in range(spec.get("warmup_steps", 0)):
        sim.step()
        history.append(sim.indicators.copy())
    step_s, step_cpu_s, live = [], [], []
    for _ in range(spec.get("measure_steps", 0)):
        c0, t0 = time.process_time(), time.perf_counter()
        sim.step()
        step_s.append(time.perf_counter() - t0)
        step_cpu_s.append(time.process_time() - c0)
        history.append(sim.indicators.copy())
        live.append(_live_agents(sim))
    out["step_s"] = step_s
    out["step_cpu_s"] = step_cpu_s
    out["live_agents"] = live
    if timer is not None:
        timer.enabled = True
        prof_total = 0.0
        for _ in range(spec["profile_steps"]):
            t0 = time.perf_counter()
            sim.step()
            prof_total += time.perf_counter() - t0
            history.append(sim.indicators.copy())
        timer.enabled = False
        n = spec["profile_steps"]
        phases = {k: v / n for k, v in timer.totals.items()}
        phases["engine Python glue (rest)"] = prof_total / n - sum(phases.values())
        out["profile"] = {
            "steps": n,
            "step_s": prof_total / n,
            "phase_s": dict(sorted(phases.items(), key=lambda kv: -kv[1])),
            "calls_per_step": {k: v / n for k, v in timer.calls.items()},
            "parallel_kernels": timer.parallel,
        }
    if spec.get("save_history"):
        np.save(spec["save_history"], np.stack(history))
    out["final_live_agents"] = _live_agents(sim)
    out["steps_simulated"] = len(history) - 1
    out["peak_rss_bytes"] = _maxrss_bytes()
    out["cpu_total_s"] = _cpu_s()
    import numba

    out["numba_threads"] = numba.config.NUMBA_NUM_THREADS
    try:
        out["threading_layer"] = numba.threading_layer()
    except ValueError:  # no parallel region has run
        out["threading_layer"] = None
    return out


def worker_province(spec: dict) -> dict:
    """A user's province run through the public Mesa model: construct + ``quarters`` steps."""
    t_start = time.perf_counter()
    from model import InnovationModel

    t_imported = time.perf_counter()
    m = InnovationModel(region=REGION, seed=spec["seed"], firm_scale=spec["firm_scale"])
    t_constructed = time.perf_counter()
    for _ in range(spec["quarters"]):
        m.step()
    t_done = time.perf_counter()
    sim = m.sim
    return {
        "firm_scale": spec["firm_scale"],
        "quarters": spec["quarters"],
        "import_s": t_imported - t_start,
        "construct_s": t_constructed - t_imported,
        "steps_s": t_done - t_constructed,
        "in_process_s": t_done - t_start,
        "final_live_agents": _live_agents(sim),
        "peak_rss_bytes": _maxrss_bytes(),
        "cpu_total_s": _cpu_s(),
    }


def worker_reference(spec: dict) -> dict:
    """The idiomatic Mesa reference from the engine's initial populations: median time per step."""
    from benchmarks.mesa_reference.model import ReferenceModel
    from model.sim.region import load_region

    region = load_region(REGION)
    t0 = time.perf_counter()
    ref = ReferenceModel(
        region=region,
        seed=spec["seed"],
        initial_state_seed=spec["seed"],
        firm_scale=spec["firm_scale"],
    )
    t_built = time.perf_counter()
    ref.step()  # warm-up, as for the engine
    step_s = []
    for _ in range(spec["measure_steps"]):
        t = time.perf_counter()
        ref.step()
        step_s.append(time.perf_counter() - t)
    return {
        "firm_scale": spec["firm_scale"],
        "build_and_burn_in_s": t_built - t0,
        "step_s": step_s,
        "step_median_s": statistics.median(step_s),
        "live_firms": len(ref.firms),
        "live_talent": len(ref.talent),
        "peak_rss_bytes": _maxrss_bytes(),
    }


def _worker_main(spec_json: str) -> None:
    spec = json.loads(spec_json)
    kinds = {"engine": worker_engine, "province": worker_province, "reference": worker_reference}
    fn = kinds[spec["kind"]]
    result = fn(spec)
    print(MARKER + json.dumps(result), flush=True)


# ======================================================================================
# parent side
# ======================================================================================
def machine_info() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gib = float("nan")
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem_gib = int(line.split()[1]) / 2**20
    except OSError:
        pass
    versions = {}
    for mod in ("numba", "numpy", "mesa", "llvmlite"):
        try:
            versions[mod] = __import__(mod).__version__
        except Exception:  # noqa: BLE001 - informative only
            versions[mod] = None
    return {
        "nproc": os.cpu_count(),
        "cpu_model": cpu,
        "memory_gib": round(mem_gib, 1),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "versions": versions,
    }


def git_info(source: str) -> dict:
    def run(*args):
        r = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True)
        return r.stdout.strip()

    info = {"source": source, "commit": run("rev-parse", "HEAD")}
    if source == "worktree":
        info["model_dirty_files"] = [
            line[3:] for line in run("status", "--porcelain", "--", "model").splitlines()
        ]
    else:
        info["source_commit"] = run("rev-parse", source)
    return info


def snapshot_source(source: str, dest: Path) -> None:
    """Copy the ``model`` package (worktree or a git revision) into ``dest`` and byte-compile."""
    parts = ("model", "benchmarks/mesa_reference")
    if source == "worktree":
        for part in parts:
            shutil.copytree(REPO / part, dest / part, ignore=shutil.ignore_patterns("__pycache__"))
    else:
        archive = subprocess.run(
            ["git", "archive", source, *parts], cwd=REPO, capture_output=True, check=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    # imports would otherwise recompile the sources every time (PYTHONDONTWRITEBYTECODE)
    for part in parts:
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(dest / part)], check=True)


class Runner:
    """Starts worker subprocesses with a controlled environment."""

    def __init__(self, src_dir: Path, cache_dir: Path, wait_quiet_s: float = 0.0):
        self.src_dir, self.cache_dir, self.wait_quiet_s = src_dir, cache_dir, wait_quiet_s

    def wait_until_quiet(self) -> float:
        """Wait (at most ``wait_quiet_s``) for the 1-minute load to fall below the core count."""
        t0 = time.perf_counter()
        limit = os.cpu_count() or 1
        while self.wait_quiet_s > 0 and time.perf_counter() - t0 < self.wait_quiet_s:
            if os.getloadavg()[0] < limit:
                break
            time.sleep(5)
        return time.perf_counter() - t0

    def env(self, threads: int | None, cache_dir: Path | None = None) -> dict:
        env = dict(os.environ)
        env["PYTHONPATH"] = str(self.src_dir)
        env["NUMBA_CACHE_DIR"] = str(cache_dir or self.cache_dir)
        env.pop("NUMBA_NUM_THREADS", None)
        if threads is not None:
            env["NUMBA_NUM_THREADS"] = str(threads)
        for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            env[var] = "1"
        env.pop("NUMBA_DISABLE_JIT", None)
        return env

    def run(self, spec: dict, threads: int | None, cache_dir: Path | None = None) -> dict:
        waited = self.wait_until_quiet()
        load_before = os.getloadavg()[0]
        t0 = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "--worker", json.dumps(spec)],
            cwd=self.src_dir,
            env=self.env(threads, cache_dir),
            capture_output=True,
            text=True,
            timeout=3600,
        )
        wall = time.perf_counter() - t0
        lines = [ln for ln in proc.stdout.splitlines() if ln.startswith(MARKER)]
        if proc.returncode != 0 or not lines:
            sys.stderr.write(proc.stdout[-3000:] + proc.stderr[-6000:])
            raise RuntimeError(f"worker failed: {spec}")
        result = json.loads(lines[-1][len(MARKER) :])
        result["process_wall_s"] = wall
        result["loadavg_1min_before"] = load_before
        result["loadavg_1min_after"] = os.getloadavg()[0]
        result["threads_requested"] = threads
        result["waited_for_quiet_s"] = waited
        return result


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def median(xs):
    return statistics.median(xs) if xs else float("nan")


def fit_exponent(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of log(time) against log(firms)."""
    if len(points) < 2:
        return float("nan")
    xs = [math.log(n) for n, _ in points]
    ys = [math.log(t) for _, t in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx


def summarise_engine(r: dict) -> dict:
    steps = r["step_s"]
    agents = [sum(a.values()) for a in r["live_agents"]]
    firms = [a["firms"] for a in r["live_agents"]]
    return {
        "step_median_s": median(steps),
        "step_min_s": min(steps),
        "step_max_s": max(steps),
        "step_cpu_median_s": median(r["step_cpu_s"]),
        "agent_steps_per_s": sum(agents) / sum(steps),
        "agent_steps_per_cpu_s": sum(agents) / sum(r["step_cpu_s"]),
        "mean_live_agents": sum(agents) / len(agents),
        "mean_live_firms": sum(firms) / len(firms),
        "peak_rss_mib": r["peak_rss_bytes"] / 2**20,
        "startup_s": r["startup_s"],
    }


def measure(args) -> dict:
    sizes = tuple(args.sizes) if args.sizes else (SIZES_QUICK if args.quick else SIZES_DEFAULT)
    sizes = tuple(sorted(sizes))
    t_all = time.perf_counter()
    machine = machine_info()
    log(f"machine: {machine['nproc']} cpus, {machine['cpu_model']}, {machine['memory_gib']} GiB")
    tmp = Path(tempfile.mkdtemp(prefix="bench_engine_"))
    try:
        src = tmp / "src"
        src.mkdir()
        snapshot_source(args.source, src)
        region_firms = _region_firms(src)
        log(f"region {REGION}: {region_firms:,} firms at firm_scale 1; sizes {sizes}")
        cache = tmp / "numba_cache"
        cache.mkdir()
        runner = Runner(src, cache, args.wait_quiet)
        scale = {n: n / region_firms for n in sizes}
        spec_base = {"kind": "engine", "seed": SEED}

        # --- cold compile ------------------------------------------------------------------
        cold = {}
        cold_sizes = sizes if args.cold_all_sizes else sizes[:1]
        for n in cold_sizes:
            # the first cold run fills the shared cache; further ones get their own empty dir
            cache_n = cache if n == cold_sizes[0] else Path(tempfile.mkdtemp(dir=tmp))
            log(f"cold compile at {n:,} firms (empty NUMBA_CACHE_DIR)")
            r = runner.run({**spec_base, "firm_scale": scale[n]}, threads=None, cache_dir=cache_n)
            cold[n] = r
            log(
                f"  first construction + first step {r['construct_plus_first_step_s']:.1f} s "
                f"wall, {r['construct_plus_first_step_cpu_s']:.1f} s CPU; "
                f"import {r['import_s']:.2f} s"
            )

        # --- per size: 1 and 2 threads, warm cache ----------------------------------------
        per_size = {}
        for n in sizes:
            entry = {"target_firms": n, "firm_scale": scale[n], "threads": {}}
            measure_steps = args.steps if n < 300_000 else args.steps_large
            profile_steps = args.profile_steps
            hist = {}
            for threads in (1, 2):
                spec = {
                    **spec_base,
                    "firm_scale": scale[n],
                    "warmup_steps": args.warmup,
                    "measure_steps": measure_steps,
                    "profile_steps": profile_steps,
                    "save_history": str(tmp / f"hist_{n}_{threads}.npy"),
                }
                log(f"{n:,} firms, {threads} thread(s): warm start, {measure_steps} steps")
                r = runner.run(spec, threads=threads)
                r["summary"] = summarise_engine(r)
                entry["threads"][str(threads)] = r
                hist[threads] = spec["save_history"]
                s = r["summary"]
                log(
                    f"  startup {r['startup_s']:.2f} s (import {r['import_s']:.2f}, init "
                    f"{r['initial_state_s']:.2f}, burn-in {r['burn_in_s']:.2f}); step median "
                    f"{s['step_median_s'] * 1e3:.1f} ms; "
                    f"{s['agent_steps_per_s']:.3g} agent-steps/s; "
                    f"peak {s['peak_rss_mib']:.0f} MiB"
                )
            entry["bit_identical_1_vs_2_threads"] = _same_bytes(hist[1], hist[2])
            entry["speedup_2_vs_1"] = (
                entry["threads"]["1"]["summary"]["step_median_s"]
                / entry["threads"]["2"]["summary"]["step_median_s"]
            )
            log(
                f"  2 vs 1 threads: x{entry['speedup_2_vs_1']:.2f}, bit-identical "
                f"{entry['bit_identical_1_vs_2_threads']}"
            )
            if n <= args.mesa_max_firms:
                log(f"{n:,} firms: Mesa reference, {args.mesa_steps} steps")
                ref = runner.run(
                    {
                        "kind": "reference",
                        "seed": SEED,
                        "firm_scale": scale[n],
                        "measure_steps": args.mesa_steps,
                    },
                    threads=1,
                )
                entry["mesa_reference"] = ref
                best = min(entry["threads"][t]["summary"]["step_median_s"] for t in ("1", "2"))
                log(
                    f"  reference {ref['step_median_s'] * 1e3:,.0f} ms/step "
                    f"(build + burn-in {ref['build_and_burn_in_s']:.1f} s): engine "
                    f"x{ref['step_median_s'] / best:,.0f} faster"
                )
            per_size[n] = entry

        # --- province run ------------------------------------------------------------------
        province = None
        if not args.skip_province:
            n = args.province_firms
            log(f"province run: {n:,} firms, {args.quarters} quarters, warm cache, all threads")
            province = runner.run(
                {
                    "kind": "province",
                    "seed": SEED,
                    "firm_scale": n / region_firms,
                    "quarters": args.quarters,
                },
                threads=None,
            )
            province["target_firms"] = n
            log(
                f"  wall {province['process_wall_s']:.1f} s "
                f"(construct {province['construct_s']:.1f}, steps {province['steps_s']:.1f}); "
                f"peak {province['peak_rss_bytes'] / 2**30:.2f} GiB"
            )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    return derive(
        {
            "generated": _dt.datetime.now().isoformat(timespec="seconds"),
            "command": "benchmarks/bench_engine.py " + " ".join(sys.argv[1:]),
            "machine": machine,
            "git": git_info(args.source),
            "region": REGION,
            "region_firms_at_scale_1": region_firms,
            "seed": SEED,
            "settings": {
                "warmup_steps": args.warmup,
                "measure_steps": args.steps,
                "measure_steps_large": args.steps_large,
                "profile_steps": args.profile_steps,
                "province_quarters": args.quarters,
                "mesa_max_firms": args.mesa_max_firms,
                "mesa_steps": args.mesa_steps,
            },
            "cold_compile": {str(k): v for k, v in cold.items()},
            "sizes": {str(k): v for k, v in per_size.items()},
            "province_run": province,
            "harness_wall_s": time.perf_counter() - t_all,
        }
    )


def _region_firms(src_dir: Path) -> int:
    """Firms of the region file at ``firm_scale`` 1 (read from the snapshot, in a subprocess)."""
    code = (
        "from model.sim.region import load_region;"
        f"print(sum(c.firms for c in load_region({REGION!r}).counties))"
    )
    env = dict(os.environ, PYTHONPATH=str(src_dir))
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=src_dir,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return int(out.stdout.strip().splitlines()[-1])


def _same_bytes(a: str, b: str) -> bool:
    import numpy as np

    x, y = np.load(a), np.load(b)
    return x.shape == y.shape and x.dtype == y.dtype and x.tobytes() == y.tobytes()


def _mean_load(r: dict) -> float:
    return (r["loadavg_1min_before"] + r["loadavg_1min_after"]) / 2


def _second_thread_gain(e: dict) -> dict | None:
    """Where the second thread saves time: per-phase ms of the profiled steps, 1 vs 2 threads.

    Measured rather than inferred from which kernels are ``parallel=True``: most parallel
    loops sit inside kernels that are not themselves parallel (a Python wrapper or a
    sequential body calling a ``prange`` helper), so a count by decorator misses them.

    Returns
    -------
    dict or None
        ``{"step_1t_ms", "step_2t_ms", "faster_phases": [[phase, ms_1t, ms_2t], ...],
        "faster_share_1t"}``: phases at least 10% faster with 2 threads, and their share of
        the 1-thread step. None without both profiles.
    """
    p1 = e["threads"]["1"].get("profile")
    p2 = e["threads"].get("2", {}).get("profile")
    if not p1 or not p2:
        return None
    faster = [
        [name, t1 * 1e3, p2["phase_s"].get(name, 0.0) * 1e3]
        for name, t1 in sorted(p1["phase_s"].items(), key=lambda kv: -kv[1])
        if t1 > 0 and p2["phase_s"].get(name, t1) <= 0.9 * t1
    ]
    return {
        "step_1t_ms": p1["step_s"] * 1e3,
        "step_2t_ms": p2["step_s"] * 1e3,
        "faster_phases": faster,
        "faster_share_1t": sum(t1 for _, t1, _ in faster) / (p1["step_s"] * 1e3),
    }


def _mesa_ratios(e: dict) -> dict:
    """The Mesa reference's median step and the engine's speed ratio (1 and 2 threads)."""
    ref = e.get("mesa_reference")
    if not ref:
        return {"mesa_step_s": None, "mesa_ratio_1t": None, "mesa_ratio_2t": None}
    s1, s2 = e["threads"]["1"]["summary"], e["threads"]["2"]["summary"]
    return {
        "mesa_step_s": ref["step_median_s"],
        "mesa_ratio_1t": ref["step_median_s"] / s1["step_median_s"],
        "mesa_ratio_2t": ref["step_median_s"] / s2["step_median_s"],
    }


def derive(res: dict) -> dict:
    """Add baselines, ratios, the scaling fit and the target verdicts."""
    sizes = sorted(int(k) for k in res["sizes"])
    base_n = sizes[0]
    base = res["sizes"][str(base_n)]["threads"]["1"]["summary"]
    table = []
    for n in sizes:
        e = res["sizes"][str(n)]
        s1, s2 = e["threads"]["1"]["summary"], e["threads"]["2"]["summary"]
        table.append(
            {
                "target_firms": n,
                "mean_live_firms": s1["mean_live_firms"],
                "mean_live_agents": s1["mean_live_agents"],
                "step_median_1t_s": s1["step_median_s"],
                "step_cpu_median_1t_s": s1["step_cpu_median_s"],
                "step_median_2t_s": s2["step_median_s"],
                "agent_steps_per_s_1t": s1["agent_steps_per_s"],
                "agent_steps_per_cpu_s_1t": s1["agent_steps_per_cpu_s"],
                "agent_steps_per_s_2t": s2["agent_steps_per_s"],
                "startup_s": s1["startup_s"],
                "peak_rss_mib": s1["peak_rss_mib"],
                "speedup_2_vs_1": e["speedup_2_vs_1"],
                "bit_identical": e["bit_identical_1_vs_2_threads"],
                "time_ratio_vs_smallest": s1["step_median_s"] / base["step_median_s"],
                "load_1min_1t": _mean_load(e["threads"]["1"]),
                "load_1min_2t": _mean_load(e["threads"]["2"]),
                "second_thread_gain": _second_thread_gain(e),
                "firms_ratio_vs_smallest": s1["mean_live_firms"] / base["mean_live_firms"],
                **_mesa_ratios(e),
            }
        )
    fit_pts = [
        (row["mean_live_firms"], row["step_median_1t_s"])
        for row in table
        if FIT_LOW * 0.8 <= row["target_firms"] <= FIT_HIGH * 1.2
    ]
    exponent = fit_exponent(fit_pts)
    exponent_cpu = fit_exponent(
        [
            (row["mean_live_firms"], row["step_cpu_median_1t_s"])
            for row in table
            if FIT_LOW * 0.8 <= row["target_firms"] <= FIT_HIGH * 1.2
        ]
    )
    largest = table[-1]
    cold = res["cold_compile"][str(min(int(k) for k in res["cold_compile"]))]
    warm_same = res["sizes"][str(base_n)]["threads"]["1"]
    compile_s = cold["construct_plus_first_step_s"]
    verdicts = {}
    has_1m = largest["target_firms"] >= 1_000_000
    verdicts["agent_steps_per_s_per_core_at_1M"] = {
        "target": TARGETS["agent_steps_per_s_per_core_at_1M"],
        "measured": largest["agent_steps_per_s_1t"] if has_1m else None,
        "measured_per_cpu_s": largest["agent_steps_per_cpu_s_1t"] if has_1m else None,
        "met": (largest["agent_steps_per_s_1t"] >= TARGETS["agent_steps_per_s_per_core_at_1M"])
        if has_1m
        else None,
    }
    pr = res.get("province_run")
    if pr:
        peak_gib = pr["peak_rss_bytes"] / 2**30
        verdicts["province_run_wall_s"] = {
            "target": TARGETS["province_run_wall_s"],
            "measured": pr["process_wall_s"],
            "met": pr["process_wall_s"] <= TARGETS["province_run_wall_s"],
        }
        verdicts["province_run_peak_gib"] = {
            "target": TARGETS["province_run_peak_gib"],
            "measured": peak_gib,
            "met": peak_gib <= TARGETS["province_run_peak_gib"],
        }
    verdicts["scaling_exponent_10k_1M"] = {
        "target": TARGETS["scaling_exponent_max"],
        "measured": exponent,
        "measured_cpu_time": exponent_cpu,
        "points": len(fit_pts),
        "met": (exponent <= TARGETS["scaling_exponent_max"])
        if has_1m and not math.isnan(exponent)
        else None,
    }
    verdicts["cold_compile_s"] = {
        "target": TARGETS["cold_compile_s"],
        "measured": compile_s,
        "met": compile_s <= TARGETS["cold_compile_s"],
    }
    verdicts["two_thread_speedup_at_1M"] = {
        "target": TARGETS["two_thread_speedup_at_1M"],
        "measured": largest["speedup_2_vs_1"] if has_1m else None,
        "second_thread_gain": largest.get("second_thread_gain"),
        "bit_identical_all_sizes": all(row["bit_identical"] for row in table),
        "met": (
            largest["speedup_2_vs_1"] >= TARGETS["two_thread_speedup_at_1M"]
            and all(row["bit_identical"] for row in table)
        )
        if has_1m
        else None,
    }
    at_10k = [r for r in table if r["target_firms"] == 10_000 and r["mesa_step_s"]]
    # the faster engine setting: a user picks the thread count that suits the size
    ratio = max(at_10k[0]["mesa_ratio_1t"], at_10k[0]["mesa_ratio_2t"]) if at_10k else None
    verdicts["mesa_ratio_at_10k"] = {
        "target": TARGETS["mesa_ratio_at_10k"],
        "measured": ratio,
        "met": ratio >= TARGETS["mesa_ratio_at_10k"] if at_10k else None,
    }
    res["derived"] = {
        "baseline_size": base_n,
        "table": table,
        "scaling_exponent_10k_1M": exponent,
        "scaling_exponent_10k_1M_cpu_time": exponent_cpu,
        "cold_compile_s": compile_s,
        "cold_compile_cpu_s": cold["construct_plus_first_step_cpu_s"],
        "cold_minus_warm_s": compile_s - warm_same["construct_plus_first_step_s"],
        "verdicts": verdicts,
    }
    return res


# ---------------------------------------------------------------------------------------
def write_markdown(res: dict, path: Path) -> None:
    d = res["derived"]
    lines = [
        f"Measured {res['generated']} on {res['machine']['nproc']} × "
        f"{res['machine']['cpu_model']}, "
        f"{res['machine']['memory_gib']} GiB; `{res['command']}`; model commit "
        f"{res['git']['commit'][:10]} ({res['git']['source']}).",
        "",
        "| firms (target) | live firms | live agents | step 1 thr (ms) | CPU/step 1 thr (ms) | "
        "step 2 thr (ms) | 2 vs 1 | bit-identical | agent-steps/s 1 thr (per CPU s) | "
        "time × vs smallest | "
        "start-up (s) | peak RSS (MiB) | load 1 thr / 2 thr |",
        "|---:|---:|---:|---:|---:|---:|---:|:-:|---:|---:|---:|---:|---:|",
    ]
    for row in d["table"]:
        lines.append(
            f"| {row['target_firms']:,} | {row['mean_live_firms']:,.0f} | "
            f"{row['mean_live_agents']:,.0f} | {row['step_median_1t_s'] * 1e3:,.1f} | "
            f"{row['step_cpu_median_1t_s'] * 1e3:,.1f} | {row['step_median_2t_s'] * 1e3:,.1f} | "
            f"{row['speedup_2_vs_1']:.2f} | {'yes' if row['bit_identical'] else 'NO'} | "
            f"{row['agent_steps_per_s_1t']:.3g} ({row['agent_steps_per_cpu_s_1t']:.3g}) | "
            f"{row['time_ratio_vs_smallest']:.1f} "
            f"(firms × {row['firms_ratio_vs_smallest']:.0f}) | {row['startup_s']:.2f} | "
            f"{row['peak_rss_mib']:,.0f} | {row['load_1min_1t']:.1f} / {row['load_1min_2t']:.1f} |"
        )
    lines += [
        "",
        f"Scaling exponent (time per step vs live firms, 1 thread, {FIT_LOW:,}–{FIT_HIGH:,}): "
        f"**{d['scaling_exponent_10k_1M']:.2f}** (on CPU time per step: "
        f"{d['scaling_exponent_10k_1M_cpu_time']:.2f}).",
        f"Cold compile (first construction + first step, empty cache, "
        f"{d['baseline_size']:,} firms): **{d['cold_compile_s']:.1f} s** wall, "
        f"{d['cold_compile_cpu_s']:.1f} s CPU (cold − warm: {d['cold_minus_warm_s']:.1f} s).",
    ]
    by_fn = res["cold_compile"][str(d["baseline_size"])].get("compile_s_by_function", {})
    if by_fn:
        top = list(by_fn.items())[:8]
        lines.append(
            f"Compile time is spread over {len(by_fn)} jitted functions (sum "
            f"{sum(by_fn.values()):.1f} s); largest (exclusive s): "
            + ", ".join(f"`{k.rsplit('.', 1)[-1]}` {v:.1f}" for k, v in top)
            + "."
        )
    pr = res.get("province_run")
    if pr:
        lines.append(
            f"Province run ({pr['target_firms']:,} firms, {pr['quarters']} quarters, warm cache, "
            f"default threads): **{pr['process_wall_s']:.1f} s** wall "
            f"(import {pr['import_s']:.1f}, "
            f"construction incl. burn-in {pr['construct_s']:.1f}, steps {pr['steps_s']:.1f}), "
            f"peak **{pr['peak_rss_bytes'] / 2**30:.2f} GiB**."
        )
    mesa = [r for r in d["table"] if r["mesa_step_s"]]
    if mesa:
        lines += [
            "",
            "Against the idiomatic Mesa reference (`benchmarks/mesa_reference`, same initial "
            "populations, 1 thread, median step after one warm-up step):",
            "",
            "| firms (target) | reference step (ms) | engine step 1 thr (ms) | ratio 1 thr | "
            "engine step 2 thr (ms) | ratio 2 thr |",
            "|---:|---:|---:|---:|---:|---:|",
        ]
        for r in mesa:
            lines.append(
                f"| {r['target_firms']:,} | {r['mesa_step_s'] * 1e3:,.0f} | "
                f"{r['step_median_1t_s'] * 1e3:,.1f} | ×{r['mesa_ratio_1t']:,.0f} | "
                f"{r['step_median_2t_s'] * 1e3:,.1f} | ×{r['mesa_ratio_2t']:,.0f} |"
            )
    lines += ["", "Per-phase time per step (1 thread, ms):", ""]
    prof_sizes = [
        n
        for n in sorted(int(k) for k in res["sizes"])
        if "profile" in res["sizes"][str(n)]["threads"]["1"]
    ]
    if prof_sizes:
        names = list(res["sizes"][str(prof_sizes[-1])]["threads"]["1"]["profile"]["phase_s"])
        head = " | ".join(f"{n:,} firms" for n in prof_sizes)
        lines.append(f"| phase | {head} | share at largest |")
        lines.append("|---|" + "---:|" * (len(prof_sizes) + 1))
        last = res["sizes"][str(prof_sizes[-1])]["threads"]["1"]["profile"]
        for name in names:
            cells = []
            for n in prof_sizes:
                ph = res["sizes"][str(n)]["threads"]["1"]["profile"]["phase_s"]
                cells.append(f"{ph.get(name, 0.0) * 1e3:,.1f}")
            share = last["phase_s"][name] / last["step_s"]
            lines.append(f"| {name} | " + " | ".join(cells) + f" | {share:.0%} |")
    lines += ["", "Targets:", ""]
    for key, v in d["verdicts"].items():
        met = {True: "met", False: "NOT met", None: "not measured"}[v["met"]]
        meas = v["measured"]
        meas_s = "–" if meas is None else f"{meas:.3g}"
        extra = ""
        gain = v.get("second_thread_gain")
        if gain:
            phases = ", ".join(f"{n} {a:,.1f} → {b:,.1f} ms" for n, a, b in gain["faster_phases"])
            extra = (
                f" (profiled step {gain['step_1t_ms']:,.0f} → {gain['step_2t_ms']:,.0f} ms; "
                f"phases at least 10% faster with 2 threads: {phases or 'none'}; they hold "
                f"parallel loops and sequential parts and take {gain['faster_share_1t']:.0%} of "
                "the 1-thread step; the other phases are sequential)"
            )
        lines.append(f"- {key}: target {v['target']:g}, measured {meas_s} → {met}{extra}")
    path.write_text("\n".join(lines) + "\n")


def plot(res: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    d = res["derived"]["table"]
    firms = [r["mean_live_firms"] for r in d]
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(12, 4.8))
    ax.loglog(firms, [r["step_median_1t_s"] for r in d], "o-", label="time per step, 1 thread")
    ax.loglog(firms, [r["step_median_2t_s"] for r in d], "s--", label="time per step, 2 threads")
    ax.loglog(firms, [r["startup_s"] for r in d], "^:", label="cached start-up (incl. burn-in)")
    mesa = [r for r in d if r.get("mesa_step_s")]
    if mesa:
        ax.loglog(
            [r["mean_live_firms"] for r in mesa],
            [r["mesa_step_s"] for r in mesa],
            "D-",
            color="purple",
            label="Mesa reference, time per step",
        )
    x0, y0 = firms[0], d[0]["step_median_1t_s"]
    xs = [firms[0], firms[-1]]
    ax.loglog(xs, [y0 * x / x0 for x in xs], color="grey", lw=0.8, label="∝ N (from smallest)")
    # the agent-steps/s target: time per step if each agent cost 1/3e7 s
    per_agent = 1 / TARGETS["agent_steps_per_s_per_core_at_1M"]
    ax.loglog(
        firms,
        [r["mean_live_agents"] * per_agent for r in d],
        color="red",
        lw=0.8,
        label="target 3e7 agent-steps/s",
    )
    ax.set_xlabel("live firms")
    ax.set_ylabel("seconds")
    ax.set_title(
        f"Province region, exponent 10k–1M: {res['derived']['scaling_exponent_10k_1M']:.2f}"
    )
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    prof = [
        (r["mean_live_firms"], res["sizes"][str(r["target_firms"])]["threads"]["1"]["profile"])
        for r in d
        if "profile" in res["sizes"][str(r["target_firms"])]["threads"]["1"]
    ]
    if prof:
        top = list(prof[-1][1]["phase_s"])[:7]
        for name in top:
            ax2.loglog(
                [p[0] for p in prof],
                [max(p[1]["phase_s"].get(name, 0), 1e-6) for p in prof],
                "o-",
                label=name,
            )
        ax2.set_xlabel("live firms")
        ax2.set_ylabel("seconds per step (1 thread)")
        ax2.set_title("Largest phases")
        ax2.grid(True, which="both", alpha=0.3)
        ax2.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="sizes up to 100k, no province run")
    ap.add_argument("--sizes", type=int, nargs="+", help="target firm counts")
    ap.add_argument("--warmup", type=int, default=2, help="warm-up steps after the first")
    ap.add_argument("--steps", type=int, default=8, help="measured steps per size (< 300k)")
    ap.add_argument("--steps-large", type=int, default=4, help="measured steps at >= 300k firms")
    ap.add_argument("--profile-steps", type=int, default=4, help="per-phase timed steps")
    ap.add_argument("--quarters", type=int, default=40, help="quarters of the province run")
    ap.add_argument("--province-firms", type=int, default=1_000_000)
    ap.add_argument("--skip-province", action="store_true")
    ap.add_argument("--cold-all-sizes", action="store_true", help="cold compile at every size")
    ap.add_argument(
        "--mesa-max-firms",
        type=int,
        default=MESA_MAX_FIRMS_DEFAULT,
        help="time the Mesa reference at sizes up to this many firms (0: never; "
        f"default {MESA_MAX_FIRMS_DEFAULT:,})",
    )
    ap.add_argument("--mesa-steps", type=int, default=4, help="measured Mesa reference steps")
    ap.add_argument(
        "--source", default="worktree", help="'worktree' (default) or a git revision to measure"
    )
    ap.add_argument(
        "--wait-quiet",
        type=float,
        default=0.0,
        help="before each process wait up to this many seconds for load < cores (shared hosts)",
    )
    ap.add_argument("--out", type=Path, default=RESULTS, help="results directory")
    ap.add_argument(
        "--rederive", type=Path, help="recompute tables and figure from an engine.json, no runs"
    )
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        _worker_main(args.worker)
        return
    if args.quick:
        args.skip_province = True
    # on SIGTERM unwind normally, so the temporary snapshot and caches are removed
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if args.rederive:
        res = json.loads(args.rederive.read_text())
        for r in res["sizes"].values():
            for x in r["threads"].values():
                x["summary"] = summarise_engine(x)
        res = derive(res)
        args.quick = args.rederive.stem.endswith("_quick")
    else:
        res = measure(args)
    args.out.mkdir(parents=True, exist_ok=True)
    stem = "engine_quick" if args.quick else "engine"
    (args.out / f"{stem}.json").write_text(json.dumps(res, indent=1))
    write_markdown(res, args.out / f"{stem}.md")
    plot(res, args.out / ("time_vs_size_quick.png" if args.quick else "time_vs_size.png"))
    print((args.out / f"{stem}.md").read_text())
    log(f"harness wall time {res['harness_wall_s'] / 60:.1f} min; results in {args.out}")


if __name__ == "__main__":
    main()
