"""Small commands and signals of ``innovsim``: --version, parameters, Ctrl-C."""

from __future__ import annotations

import csv
import io
import os
import signal
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

import pytest

from model.cli import main
from model.params.table import SPECS

REPO = Path(__file__).resolve().parent.parent


def test_version_is_the_installed_package_version(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip() == f"innovsim {metadata.version('innovsim')}"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_parameters_lists_every_parameter_with_default_range_unit_and_source(capsys, lang):
    assert main(["parameters", "--csv", "--lang", lang]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    header, body = rows[0], rows[1:]
    assert len(body) == len(SPECS)
    by_name = {r[0]: r for r in body}
    rebate = by_name["tax_rebate_share"]
    spec = next(s for s in SPECS if s.name == "tax_rebate_share")
    assert rebate[1] == f"{spec.default:g}" and rebate[4] == spec.source
    assert rebate[2].startswith(f"[{spec.low:g}, {spec.high:g}]")
    if lang == "zh":
        assert header[0] == "参数"
        # every unit is Chinese: no ASCII letters left in the unit column
        assert all(not any("a" <= ch.lower() <= "z" for ch in r[3].replace("m2", "")) for r in body)
    else:
        assert header == ["parameter", "default", "allowed", "unit", "source"]
        assert rebate[3] == spec.unit


def test_ctrl_c_stops_a_comparison_within_seconds_and_a_rerun_completes_it(tmp_path):
    """Ctrl-C (SIGINT to the process group) stops run/compare, keeps finished runs, leaves no
    half-written file, and the same command completes the rest."""
    out = tmp_path / "cmp"
    command = [
        sys.executable,
        "-c",
        # a shell started in the background ignores SIGINT; restore the default first
        "import signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
        "from model.cli import main; sys.exit(main(sys.argv[1:]))",
        "compare",
        "tax_rebate",
        "--seeds",
        "8",
        "--steps",
        "40",
        "--workers",
        "2",
        "--quiet",
        "--lang",
        "en",
        "--out",
        str(out),
    ]
    proc = subprocess.Popen(
        command, cwd=REPO, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    runs = out / "runs"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and len(list(runs.glob("*.parquet"))) < 2:
        time.sleep(0.2)
    assert proc.poll() is None, "the comparison finished before it could be interrupted"
    os.killpg(proc.pid, signal.SIGINT)
    sent = time.monotonic()
    _, err = proc.communicate(timeout=60)
    stopped_after_s = time.monotonic() - sent
    assert proc.returncode == 130, err
    assert stopped_after_s < 10, stopped_after_s
    assert err.strip().splitlines()[-1].startswith("innovsim: interrupted; finished runs are kept")
    assert "Traceback" not in err
    kept = sorted(p.name for p in runs.iterdir())
    assert kept and all(name.endswith(".parquet") for name in kept)  # no temporary files
    assert len(kept) < 16
    rerun = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stderr
    assert f"{16 - len(kept)} runs done, {len(kept)} reused, 0 failed" in rerun.stdout
    assert (out / "report_en.md").is_file()
