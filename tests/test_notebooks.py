"""Notebooks run top to bottom (small sizes through environment variables)."""

import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path, monkeypatch):
    monkeypatch.setenv("QUICKSTART_FIRM_SCALE", "0.15")
    monkeypatch.setenv("QUICKSTART_STEPS", "8")
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    client.execute()
    errors = [
        o
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if o.get("output_type") == "error"
    ]
    assert not errors
    # nothing on stderr: no warning on import (e.g. tqdm's "IProgress not found") or later
    stderr = [
        "".join(o.get("text", ""))
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if o.get("output_type") == "stream" and o.get("name") == "stderr"
    ]
    assert not stderr, stderr
    # the last code cell produced a figure
    outputs = [c.outputs for c in nb.cells if c.cell_type == "code"][-1]
    assert any("image/png" in o.get("data", {}) for o in outputs)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebooks_are_committed_with_the_outputs_of_a_run(path):
    """A reader sees the figures on the repository's page without running anything."""
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.get("execution_count") for c in code), "a code cell was not executed"
    counts = [c.execution_count for c in code]
    assert counts == sorted(counts), "cells were not run top to bottom"
    figures = sum("image/png" in o.get("data", {}) for c in code for o in c.outputs)
    assert figures >= 1


def test_there_are_notebooks():
    assert NOTEBOOKS, "notebooks/ has no notebook"
    assert os.path.exists(NOTEBOOKS[0])
