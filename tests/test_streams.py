"""The random streams of the kernels: each declared once, each draw on a declared stream."""

from __future__ import annotations

import ast
from pathlib import Path

from model.kernels import streams
from model.kernels.streams import STREAMS

KERNELS = Path(streams.__file__).parent
DRAWS = {"uniform", "normal", "poisson", "binomial"}


def _draw_calls():
    """(file name, line, stream argument node) of every draw under model/kernels."""
    found = []
    for path in sorted(KERNELS.glob("*.py")):
        if path.name == "rng.py":  # defines the draws (and normal/poisson draw uniforms inside)
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                if node.func.id in DRAWS:
                    # every draw ends with (..., stream, agent, draw)
                    found.append((path.name, node.lineno, node.args[-3]))
    return found


def test_stream_ids_are_unique():
    values = list(STREAMS.values())
    assert len(values) == len(set(values)), STREAMS
    assert all(isinstance(v, int) and v >= 0 for v in values)


def test_stream_values_are_those_of_the_golden_outputs():
    # the ids are part of every draw: changing one changes every result
    assert STREAMS == {
        "STREAM_TALENT_MARKET": 1,
        "STREAM_KNOWLEDGE": 3,
        "STREAM_PRODUCTION": 4,
        "STREAM_FINANCE": 5,
        "STREAM_EXIT": 6,
        "STREAM_ENTRY": 7,
        "STREAM_PLATFORMS": 8,
        "STREAM_GOVERNMENT": 9,
        "STREAM_RELOCATION": 10,
    }


def test_every_draw_in_the_kernels_names_a_registered_stream():
    calls = _draw_calls()
    assert len(calls) > 20  # the scan found the kernels' draws
    bad = [
        f"{name}:{line}: {ast.unparse(arg)}"
        for name, line, arg in calls
        if not (isinstance(arg, ast.Name) and arg.id in STREAMS)
    ]
    assert not bad, "draws whose stream is not a name from model/kernels/streams.py: " + str(bad)


def test_kernels_take_stream_ids_only_from_the_registry():
    # a stream name bound anywhere but streams.py (e.g. ``STREAM_X = 11`` in a kernel) would
    # escape the uniqueness check
    for path in sorted(KERNELS.glob("*.py")):
        if path.name == "streams.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        assert not target.id.startswith(("STREAM_", "PHASE_")), (
                            f"{path.name}:{node.lineno} defines {target.id}"
                        )
            if isinstance(node, ast.ImportFrom) and any(
                a.name.startswith("STREAM_") for a in node.names
            ):
                assert node.module == "model.kernels.streams", f"{path.name}:{node.lineno}"
