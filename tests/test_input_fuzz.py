"""Mutated scenario and experiment files are refused cleanly or accepted and valid.

Hypothesis starts from the built-in scenario files and the committed experiment files, changes
keys, types, values, sizes, references, names and encodings, writes the result and loads it
(never runs it). Each file must either be refused with an :class:`InputError` whose message names
the file, or load into something valid. Also: a hostile scenario name in a real (tiny) run
writes nothing outside the output folder.
"""

from __future__ import annotations

import functools
import json
import math
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import model.sim.region
from model.experiments.declaration import EXPERIMENT_DIR, MAX_POINTS, MAX_RUNS, load_experiment
from model.params.reader import InputError, is_identifier
from model.params.scenarios import SCENARIO_DIR, load_scenario
from model.params.table import Parameters

SCENARIOS = {p.stem: tomllib.loads(p.read_text("utf-8")) for p in SCENARIO_DIR.glob("*.toml")}
EXPERIMENTS = {p.stem: tomllib.loads(p.read_text("utf-8")) for p in EXPERIMENT_DIR.glob("*.toml")}
# calibration files (innovsim calibrate) are not sweeps
EXPERIMENTS = {k: v for k, v in EXPERIMENTS.items() if "priors" not in v}
# the committed studies are large; a small version of each keeps a load in milliseconds
EXPERIMENTS["consolidation_sobol"]["samples"] = 2
for _data in EXPERIMENTS.values():
    _data["replications"] = 1

EXAMPLES = 1000
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


# --------------------------------------------------------------------------------------------
# A small TOML writer (inline tables; enough for any mutated document)


def toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{json.dumps(k)} = {toml_value(x)}" for k, x in v.items()) + "}"
    raise TypeError(type(v))


def to_toml(doc: dict[str, Any]) -> str:
    return "".join(f"{json.dumps(k)} = {toml_value(v)}\n" for k, v in doc.items())


# --------------------------------------------------------------------------------------------
# Mutations

TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=80)
NAMES = st.one_of(
    st.sampled_from(
        [
            "",
            ".",
            "..",
            "../../escape",
            "a/b",
            "/etc/passwd",
            "x" * 300,
            "baseline",
            "tax_rebate",
            "tax_rebate.toml",
            "neighbour",
            "neighbour.toml",
            "tax_rebate+rd_grants",
            "nosuch",
            "1abc",
            "ok_name",
            "高新",
        ]
    ),
    TEXT,
)
NUMBERS = st.one_of(
    st.sampled_from([0, 1, 2, 3, 4, 8, -1, 400, 401, 10**6, 2**40, 2**62, 2**63, 10**400]),
    st.sampled_from([-(10**400), 0.0, 0.5, 1.0, 1e300, -0.0, math.inf, -math.inf, math.nan]),
    st.integers(-(10**30), 10**30),
    st.floats(allow_nan=True, allow_infinity=True),
)
SCALARS = st.one_of(NUMBERS, st.booleans(), NAMES, TEXT)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(NAMES, inner, max_size=3)),
    max_leaves=6,
)


def keys_of(doc: dict[str, Any]) -> list[tuple[str, ...]]:
    """Every key path of a document (top-level keys and keys of its tables)."""
    out = []
    for k, v in doc.items():
        out.append((k,))
        if isinstance(v, dict):
            out += [(k, *rest) for rest in keys_of(v)]
    return out


@st.composite
def mutated(draw: st.DrawFn, bases: dict[str, dict[str, Any]], extra_keys: list[str]) -> dict:
    doc = json.loads(json.dumps(bases[draw(st.sampled_from(sorted(bases)))]))
    for _ in range(draw(st.integers(1, 3))):
        paths = keys_of(doc)
        action = draw(st.sampled_from(["set", "delete", "add", "name", "size"]))
        if action == "add" or not paths:
            key = draw(st.one_of(st.sampled_from(extra_keys), NAMES))
            table = draw(st.sampled_from([doc, *[v for v in doc.values() if isinstance(v, dict)]]))
            table[key] = draw(VALUES)
            continue
        path = draw(st.sampled_from(paths))
        parent = doc
        for k in path[:-1]:
            parent = parent[k]
        if action == "delete":
            del parent[path[-1]]
        elif action == "name":
            parent[path[-1]] = draw(NAMES)
        elif action == "size":
            parent[path[-1]] = draw(NUMBERS)
        else:
            parent[path[-1]] = draw(VALUES)
    return doc


ENCODINGS = st.sampled_from(["utf-8"] * 6 + ["utf-8-sig", "gbk", "utf-16", "latin-1"])


def write_file(folder: Path, doc: dict[str, Any], encoding: str) -> Path:
    """Write ``doc`` in ``encoding`` (characters it cannot hold become ``?``)."""
    path = folder / "fuzzed.toml"
    path.write_bytes(to_toml(doc).encode(encoding, errors="replace"))
    return path


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """Folder of the fuzzed files, with a neighbour scenario that references may name."""
    folder = tmp_path_factory.mktemp("fuzz")
    (folder / "neighbour.toml").write_text(
        'name = "neighbour"\ndescription = "d"\nreport = "§1"\n'
        "[parameters]\ntax_rebate_share = 0.5\n",
        encoding="utf-8",
    )
    return folder


@pytest.fixture(autouse=True, scope="module")
def cached_regions():
    """Region files are not fuzzed here: build each built-in region once."""
    original = model.sim.region.load_region
    cached = functools.lru_cache(maxsize=None)(original)
    model.sim.region.load_region = lambda name, **kw: original(name, **kw) if kw else cached(name)
    yield
    model.sim.region.load_region = original


def assert_clean_refusal(err: InputError, path: Path) -> None:
    message = str(err)
    assert str(path) in message, message
    assert err.file is not None
    assert len(message) < 2000, message[:300]


# --------------------------------------------------------------------------------------------
# Properties


@FUZZ
@given(
    doc=mutated(SCENARIOS, ["paramters", "extnds", "fails_when", "note", "title"]), enc=ENCODINGS
)
def test_fuzzed_scenario_files_are_refused_cleanly_or_valid(folder, doc, enc):
    path = write_file(folder, doc, enc)
    try:
        scenario = load_scenario(path)
    except InputError as err:
        assert_clean_refusal(err, path)
        return
    assert is_identifier(scenario.name)
    path.read_bytes().decode("utf-8")  # accepted only if the bytes are UTF-8
    Parameters(scenario.overrides)  # a valid parameter set
    for key in ("note", "note_zh"):
        assert isinstance(scenario.fails_when.get(key, ""), str)
    assert isinstance(scenario.fails_when.get("parameters", {}), dict)


@FUZZ
@given(
    doc=mutated(EXPERIMENTS, ["levels", "samples", "stpes", "reference", "counties"]), enc=ENCODINGS
)
def test_fuzzed_experiment_files_are_refused_cleanly_or_valid(folder, doc, enc):
    path = write_file(folder, doc, enc)
    try:
        experiment = load_experiment(path)
    except InputError as err:
        assert_clean_refusal(err, path)
        return
    path.read_bytes().decode("utf-8")  # accepted only if the bytes are UTF-8
    assert experiment.n_runs() <= MAX_RUNS and experiment.n_points() <= MAX_POINTS
    if experiment.n_runs() <= 20_000:  # lay out the plan of the (usual) small ones
        plan = experiment.plan_table()
        assert len(plan) == experiment.n_runs() == len(set(plan["run_id"]))
    assert len(experiment.design_table()) == experiment.n_points()
    assert 1 <= experiment.steps <= 400
    assert experiment.reference is None or experiment.reference
    counties = experiment.outputs.counties
    assert counties is True or counties is False or counties == "final"


# --------------------------------------------------------------------------------------------
# A hostile name in a real run


def test_a_hostile_experiment_name_in_a_run_writes_nothing_outside_out(tmp_path):
    """Names never become paths: the run store names files after run ids, not raw names."""
    from model import Experiment, SerialExecutor, run_experiment

    out = tmp_path / "d" / "out"
    experiment = Experiment(
        name="../../escape", constants={"firm_scale": 0.05}, steps=1, replications=1
    )
    results = run_experiment(experiment, out, executor=SerialExecutor(), progress=False)
    assert results.status()["done"] == 1
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert written and all(out in p.parents for p in written), written
