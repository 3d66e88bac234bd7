"""Bad input files and command lines are refused with one clear line, before anything runs.

One test per refused input of docs/inputs.md: each used to end in a traceback, a silent
acceptance or a file written outside the output folder.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

import model.cli
from model.experiments.declaration import ExperimentError, load_experiment
from model.params.reader import InputError
from model.params.scenarios import ScenarioError, load_scenario
from model.sim.region import REGIONS_DIR, RegionError, load_region

SCENARIO = 'name = "mine"\ndescription = "d"\nreport = "§1"\n'
EXPERIMENT = """name = "study"
steps = 2
replications = 1
design = "lhs"
samples = 4
[constants]
firm_scale = 0.1
[uncertainties]
spillover_strength = { low = 0.2, high = 1.0 }
"""


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_text(text, encoding=encoding)
    return path


def refused_scenario(path: Path, *fragments: str) -> str:
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    message = str(err.value)
    assert str(path) in message and err.value.file == str(path)
    for fragment in fragments:
        assert fragment in message, message
    return message


def refused_experiment(path: Path, *fragments: str) -> str:
    with pytest.raises(ExperimentError) as err:
        load_experiment(path)
    message = str(err.value)
    assert str(path) in message
    for fragment in fragments:
        assert fragment in message, message
    return message


# ============================================================================================
# The reader: encoding, unknown keys, types, huge numbers


def test_a_gbk_file_is_refused_saying_utf8(tmp_path):
    path = write(tmp_path / "gbk.toml", SCENARIO + 'name_zh = "高新技术企业"\n', encoding="gbk")
    refused_scenario(path, "not UTF-8", "line 3", "GBK")


def test_a_utf8_file_with_byte_order_mark_is_read(tmp_path):
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + SCENARIO.encode())
    assert load_scenario(path).name == "mine"


def test_an_unknown_key_gets_a_did_you_mean(tmp_path):
    path = write(tmp_path / "typo.toml", SCENARIO + 'extnds = "baseline"\n')
    refused_scenario(path, "unknown key 'extnds'", "did you mean 'extends'?")
    path = write(tmp_path / "typo.toml", EXPERIMENT.replace("replications", "replicatons"))
    refused_experiment(path, "unknown key 'replicatons'", "did you mean 'replications'?")


def test_a_boolean_is_not_an_integer(tmp_path):
    path = write(tmp_path / "b.toml", SCENARIO + "[parameters]\nmerger_transition_q = true\n")
    refused_scenario(path, "'merger_transition_q'", "an integer")
    path = write(tmp_path / "b.toml", EXPERIMENT.replace("steps = 2", "steps = true"))
    refused_experiment(path, "key 'steps'", "an integer in [1, 400]", "got True")


def test_a_number_field_accepts_an_integer(tmp_path):
    path = write(tmp_path / "n.toml", SCENARIO + "[parameters]\ntax_rebate_share = 1\n")
    assert load_scenario(path).overrides["tax_rebate_share"] == 1


@pytest.mark.parametrize("sign", ["", "-"])
def test_a_400_digit_integer_is_out_of_range_not_an_overflow(tmp_path, sign):
    huge = sign + "9" * 400
    path = write(tmp_path / "h.toml", SCENARIO + f"[parameters]\ntax_rebate_share = {huge}\n")
    refused_scenario(path, "'tax_rebate_share'", "an integer of 400 digits", "out of range")
    path = write(tmp_path / "h.toml", EXPERIMENT.replace("samples = 4", f"samples = {huge}"))
    refused_experiment(path, "key 'samples'", "an integer of 400 digits")
    region = (REGIONS_DIR / "jiaxing-huzhou.toml").read_text(encoding="utf-8")
    path = write(tmp_path / "r.toml", region.replace("firms = 1300\n", f"firms = {huge}\n", 1))
    with pytest.raises(RegionError, match="'firms'.*an integer of 400 digits"):
        load_region(path)


def test_a_5000_digit_integer_is_not_valid_toml_not_a_crash(tmp_path):
    path = write(tmp_path / "h.toml", SCENARIO + "[parameters]\nfirm_scale = " + "9" * 5000)
    refused_scenario(path, "not valid TOML")


def test_every_library_error_is_an_input_error_carrying_file_and_key(tmp_path):
    path = write(tmp_path / "k.toml", SCENARIO + "[fails_when]\nnote = 5\n")
    with pytest.raises(InputError) as err:
        load_scenario(path)
    assert (err.value.file, err.value.key) == (str(path), "fails_when.note")
    assert issubclass(ScenarioError, InputError) and issubclass(ExperimentError, InputError)
    assert issubclass(RegionError, InputError)


# ============================================================================================
# Scenario files (issue 16)


@pytest.mark.parametrize("name", ["../../escape", "a/b", "x" * 300, "", "1abc", "with space"])
def test_a_scenario_name_must_be_an_identifier(tmp_path, name):
    path = write(tmp_path / "n.toml", SCENARIO.replace('"mine"', repr(name).replace("'", '"')))
    refused_scenario(path, "key 'name'", "letters, digits and '_'", "at most 64")


@pytest.mark.parametrize("target", ["", ".", "..", "../scenarios/baseline", "/etc/passwd"])
def test_extends_names_a_scenario_not_a_path(tmp_path, target):
    path = write(tmp_path / "e.toml", SCENARIO + f'extends = "{target}"\n')
    refused_scenario(path, "key 'extends'", "not a scenario name", "baseline")


def test_includes_resolve_against_the_files_folder_not_the_working_directory(tmp_path, monkeypatch):
    folder = tmp_path / "mine"
    folder.mkdir()
    write(folder / "half.toml", SCENARIO + "[parameters]\ntax_rebate_share = 0.5\n")
    path = write(folder / "user.toml", SCENARIO + 'includes = ["half", "tax_rebate.toml"]\n')
    # a decoy in the working directory must not be picked up
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "half.toml", SCENARIO + "[parameters]\ntax_rebate_share = 0.9\n")
    with pytest.raises(ScenarioError, match="includes 'tax_rebate.toml' sets 'tax_rebate_share'"):
        load_scenario(path)
    path = write(folder / "user.toml", SCENARIO + 'extends = "half"\n')
    assert load_scenario(path).overrides == {"tax_rebate_share": 0.5}


def test_an_unknown_extends_lists_the_known_scenarios(tmp_path):
    path = write(tmp_path / "e.toml", SCENARIO + 'extends = "baselin"\n')
    refused_scenario(path, "unknown scenario 'baselin'", "did you mean 'baseline'?")


@pytest.mark.parametrize(
    ("body", "key", "allowed"),
    [
        ("[fails_when]\nparameters = 5\n", "'parameters'", "a table"),
        ("[fails_when]\nnote = 5\n", "'note'", "a string"),
        ("[fails_when]\nnote_zh = [1]\n", "'note_zh'", "a string"),
        # the outcome a lever is judged on must be a net headline indicator (a gross one
        # would credit the lever with its own money)
        ('[fails_when]\nindicator = "rd_performed_mcny"\n', "'indicator'", "rd_performed_net_mcny"),
        ('[fails_when]\nindicator = "high_tech_enterprise"\n', "'indicator'", "'startups'"),
    ],
)
def test_fails_when_fields_have_types(tmp_path, body, key, allowed):
    path = write(tmp_path / "f.toml", SCENARIO + body)
    refused_scenario(path, "[fails_when]", key, allowed)


# ============================================================================================
# Experiment files (issue 16)


@pytest.mark.parametrize(
    ("old", "new", "fragments"),
    [
        ("[constants]", "[outputs]\nsteps = 4\n[constants]", ["'steps' must be", "got 4"]),
        ("[constants]", "[outputs]\ncounties = 0\n[constants]", ["'counties'", "got 0"]),
        ("[constants]", "[outputs]\ncounties = 1\n[constants]", ["'counties'", "got 1"]),
        ('name = "study"', 'name = "study"\nreference = ""', ["key 'reference'", "non-empty"]),
        ("steps = 2", "steps = 1_000_000_000_000", ["key 'steps'", "[1, 400]"]),
        ("replications = 1", "replications = 1_000_000", ["'replications'", "[1, 100000]"]),
        ("samples = 4", "samples = 4611686018427387904", ["'samples'", "[1, 100000]"]),
        (
            "spillover_strength = { low = 0.2, high = 1.0 }",
            "spillover_strength = { low = 0.2, high = 1.0, levels = 1_000_000_000 }",
            ["'levels'", "[2, 1000]"],
        ),
        (
            'name = "study"',
            'name = "study"\nscenarios = ["../scenarios/tax_rebate"]',
            ["key 'scenarios'", "not a scenario name"],
        ),
    ],
)
def test_refused_experiment_fields(tmp_path, old, new, fragments):
    text = EXPERIMENT.replace(old, new)
    refused_experiment(write(tmp_path / "x.toml", text), *fragments)


def test_a_sweep_larger_than_ten_million_runs_is_refused(tmp_path):
    text = EXPERIMENT.replace("samples = 4", "samples = 100_000").replace(
        "replications = 1", "replications = 101"
    )
    refused_experiment(write(tmp_path / "x.toml", text), "10,100,000 runs", "at most 10,000,000")


def test_a_huge_morris_design_is_refused_at_once(tmp_path, capsys):
    text = EXPERIMENT.replace('design = "lhs"', 'design = "morris"').replace(
        "samples = 4", f"samples = {2**40}"
    )
    path = write(tmp_path / "m.toml", text)
    start = time.perf_counter()
    refused_experiment(path, "'samples'", "[1, 100000]")
    assert model.cli.main(["sweep", str(path), "--dry-run"]) == 2
    assert time.perf_counter() - start < 5.0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("innovsim: error: ")
    # a morris design at the points limit is also refused from the count, not after sampling
    text = text.replace(f"samples = {2**40}", "samples = 60_000")
    refused_experiment(write(tmp_path / "m.toml", text), "120,000 points", "at most 100,000")
    assert time.perf_counter() - start < 5.0


def test_counted_points_equal_the_drawn_design(tmp_path):
    for design, samples in (("lhs", 4), ("sobol", 8), ("morris", 3)):
        text = EXPERIMENT.replace('design = "lhs"', f'design = "{design}"').replace(
            "samples = 4", f"samples = {samples}"
        )
        text += "merger_transition_q = { low = 2, high = 6 }\n"
        exp = load_experiment(write(tmp_path / "x.toml", text))
        assert exp.n_points() == len(exp.design_table())


# ============================================================================================
# The command line: one line on stderr, exit code 2, nothing written


def cli(capsys, *argv: str) -> tuple[int, str]:
    code = model.cli.main(list(argv))
    err = capsys.readouterr().err
    return code, err


def assert_one_line_refusal(code: int, err: str, *fragments: str) -> None:
    assert code == 2, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("innovsim: error: "), err
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in err, err


@pytest.fixture
def no_runs(monkeypatch):
    """Any run that starts fails the test."""
    import model.experiments.run

    def must_not_run(*args, **kwargs):
        raise AssertionError("a run started although the input is invalid")

    monkeypatch.setattr(model.experiments.run, "run_experiment", must_not_run)


@pytest.mark.parametrize("command", ["run", "compare"])
@pytest.mark.parametrize(
    ("flags", "fragments"),
    [
        (["--region", "nosuch"], ["--region: unknown region 'nosuch'", "jiaxing-huzhou"]),
        (["--base-seed", "-5"], ["--base-seed: must be an integer in [0, "]),
        (["--workers", "0"], ["--workers: must be an integer >= 1, got 0"]),
        (["--seeds", "0"], ["--seeds: must be an integer >= 1"]),
        (["--steps", "100000"], ["--steps: must be an integer in ["]),
        (["--set", "firm_scale=" + "9" * 400], ["--set", "out of range"]),
    ],
)
def test_bad_flags_are_one_line(tmp_path, capsys, no_runs, command, flags, fragments):
    out = tmp_path / "out"
    code, err = cli(capsys, command, "--out", str(out), "--quiet", *flags)
    assert_one_line_refusal(code, err, *fragments)
    assert not out.exists()


def test_sweep_refuses_zero_workers_like_run(tmp_path, capsys):
    path = write(tmp_path / "x.toml", EXPERIMENT)
    code, err = cli(capsys, "sweep", str(path), "--workers", "0", "--out", str(tmp_path / "o"))
    assert_one_line_refusal(code, err, "--workers: must be an integer >= 1, got 0")


def test_out_naming_a_file_is_refused_before_any_run(tmp_path, capsys, no_runs):
    target = write(tmp_path / "file.txt", "keep me")
    code, err = cli(capsys, "run", "--out", str(target), "--quiet", "--seeds", "1")
    assert_one_line_refusal(code, err, "--out:", "is not a folder")
    assert target.read_text() == "keep me"
    code, err = cli(capsys, "run", "--out", str(target / "sub"), "--quiet")
    assert_one_line_refusal(code, err, "--out:", "is a file, not a folder")
    path = write(tmp_path / "x.toml", EXPERIMENT)
    code, err = cli(capsys, "sweep", str(path), "--out", str(target), "--quiet")
    assert_one_line_refusal(code, err, "--out:", "is not a folder")


def test_out_in_an_unwritable_folder_is_refused_before_any_run(tmp_path, capsys, no_runs):
    read_only = tmp_path / "ro"
    read_only.mkdir()
    read_only.chmod(0o555)
    try:
        probe_ok = os.access(read_only, os.W_OK)
        if probe_ok:  # root writes anywhere: use a folder no one can write to instead
            read_only = Path("/proc")
            if not read_only.is_dir():
                pytest.skip("needs a folder this user cannot write to")
        for out in (read_only, read_only / "new"):
            code, err = cli(capsys, "run", "--out", str(out), "--quiet", "--seeds", "1")
            assert_one_line_refusal(code, err, "--out:", "not writable")
    finally:
        (tmp_path / "ro").chmod(0o755)


def test_a_hostile_scenario_file_is_refused_on_the_command_line(tmp_path, capsys, no_runs):
    path = write(tmp_path / "s.toml", SCENARIO.replace('"mine"', '"../../escape"'))
    out = tmp_path / "d" / "out"
    code, err = cli(capsys, "run", str(path), "--out", str(out), "--quiet", "--seeds", "1")
    assert_one_line_refusal(code, err, str(path), "key 'name'")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.toml"]


def test_an_internal_error_prints_where_the_traceback_is(tmp_path, capsys, monkeypatch):
    import model.experiments.run

    def broken(*args, **kwargs):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(model.experiments.run, "run_experiment", broken)
    code, err = cli(capsys, "run", "--out", str(tmp_path / "o"), "--quiet", "--seeds", "1")
    assert code == 1 and err.count("\n") == 1, err
    assert "innovsim: internal error (RuntimeError: kaboom); the traceback is in " in err
    log = Path(err.strip().rsplit(" ", 1)[-1])
    try:
        assert "Traceback" in log.read_text() and "kaboom" in log.read_text()
    finally:
        log.unlink()


@pytest.mark.parametrize(
    ("address", "fragment"),
    [
        ("tcp://127.0.0.1:1", "no Dask scheduler answers at tcp://127.0.0.1:1"),
        ("not an address", "missing port number"),
    ],
)
def test_an_unreachable_scheduler_is_one_line_and_nothing_is_written(
    tmp_path, capsys, address, fragment
):
    path = write(tmp_path / "x.toml", EXPERIMENT)
    out = tmp_path / "o"
    code, err = cli(capsys, "sweep", str(path), "--scheduler", address, "--out", str(out))
    assert_one_line_refusal(code, err, "--scheduler:", fragment)
    assert not out.exists() or not any(out.iterdir())
