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
    # the last code cell produced a figure
    outputs = [c.outputs for c in nb.cells if c.cell_type == "code"][-1]
    assert any("image/png" in o.get("data", {}) for o in outputs)


def test_there_are_notebooks():
    assert NOTEBOOKS, "notebooks/ has no notebook"
    assert os.path.exists(NOTEBOOKS[0])
