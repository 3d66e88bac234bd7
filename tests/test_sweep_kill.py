"""A sweep killed with SIGKILL at any moment, then resumed, equals an uninterrupted sweep.

The sweep runs as a subprocess (``python -m model.experiments``, the code behind
``innovsim sweep``) with two worker processes. Once a few runs have finished — the test polls
the runs folder — the whole process group gets SIGKILL: no handler, no clean-up, workers
included. Stray temporary files are planted (one half-written, one a complete Parquet file full
of wrong numbers) to show they are never read as results. The sweep is then resumed and its
results compared, exactly, with the same sweep run without interruption: no run lost, none
duplicated, nothing half-written read back.
"""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
from pandas.testing import assert_frame_equal

from model.experiments import load_experiment, open_results, run_experiment
from model.runs.executors import SerialExecutor

REPO = Path(__file__).resolve().parent.parent

STUDY = """
name = "kill_me"
scenarios = ["baseline"]
steps = 2
replications = 3
base_seed = 11
design = "grid"
[constants]
firm_scale = 0.1
[levers]
tax_rebate_share = { values = [0.0, 0.5, 1.0] }
[uncertainties]
platform_service_strength = { values = [0.4, 0.8] }
[outputs]
indicators = ["high_tech_enterprises", "invention_patent_applications", "firms"]
counties = true
"""
N_RUNS = 3 * 2 * 3


def finished_runs(out: Path) -> list[Path]:
    runs = out / "runs"
    return sorted(runs.glob("p*.parquet")) if runs.is_dir() else []


def test_sigkill_then_resume_equals_an_uninterrupted_sweep(tmp_path):
    study = tmp_path / "kill_me.toml"
    study.write_text(STUDY, encoding="utf-8")
    out = tmp_path / "killed"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "model.experiments", str(study), "--out", str(out)]
        + ["--workers", "2", "--quiet"],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group: the kill reaches the workers too
    )
    try:
        deadline = time.monotonic() + 180
        while len(finished_runs(out)) < 3:
            assert proc.poll() is None, proc.stderr.read().decode()
            assert time.monotonic() < deadline, "the sweep did not start"
            time.sleep(0.02)
        os.killpg(proc.pid, signal.SIGKILL)
        assert proc.wait(timeout=30) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.stderr.close()
    time.sleep(0.2)
    n_killed = len(finished_runs(out))
    assert 3 <= n_killed < N_RUNS, "the kill came after the sweep finished"
    assert (out / "manifest.json").is_file()

    # stray files: a half-written temporary file and a complete-looking one with wrong numbers
    done = {p.stem for p in finished_runs(out)}
    plan = open_results(out).plan
    missing = next(r for r in plan["run_id"] if r not in done)
    good = pd.read_parquet(finished_runs(out)[0])
    good["value"] = -1.0
    buf = io.BytesIO()
    good.to_parquet(buf, index=False)
    (out / "runs" / f".{missing}.parquet.x1y2z3.tmp").write_bytes(buf.getvalue()[:64])
    (out / "runs" / f".{missing}.parquet.q9w8e7.tmp").write_bytes(buf.getvalue())

    experiment = load_experiment(study)
    resumed = run_experiment(
        experiment, out, executor=SerialExecutor(), resume=True, progress=False
    )
    assert resumed.last_run["skipped"] == n_killed
    assert resumed.last_run["done"] == N_RUNS - n_killed
    assert resumed.status() == {"total": N_RUNS, "done": N_RUNS, "failed": 0, "pending": 0}

    reference = run_experiment(
        experiment, tmp_path / "uninterrupted", executor=SerialExecutor(), progress=False
    )
    after = resumed.load()
    assert_frame_equal(after, reference.load(), check_exact=True)
    assert (after["value"] >= 0).all()
    # no run lost, none duplicated
    assert sorted(after["run_id"].unique()) == sorted(plan["run_id"])
    assert after.groupby("run_id").size().nunique() == 1
    assert {p.stem for p in finished_runs(out)} == set(plan["run_id"])
