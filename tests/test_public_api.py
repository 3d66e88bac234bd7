"""The public API is a hand-picked list, and notebooks and studies use nothing else."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

import model

REPO = Path(__file__).resolve().parent.parent
USERS = sorted((REPO / "experiments").glob("*.py")) + sorted((REPO / "notebooks").glob("*.ipynb"))


def _source(path: Path) -> str:
    if path.suffix != ".ipynb":
        return path.read_text(encoding="utf-8")
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    code = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    # IPython magics are not Python
    return "\n".join(
        "\n".join(line for line in cell.splitlines() if not line.lstrip().startswith("%"))
        for cell in code
    )


def _model_imports(tree: ast.AST) -> list[tuple[str, list[str]]]:
    out = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.ImportFrom)
            and node.module
            and node.module.split(".")[0] == "model"
        ):
            out.append((node.module, [a.name for a in node.names]))
        elif isinstance(node, ast.Import):
            out += [(a.name, []) for a in node.names if a.name.split(".")[0] == "model"]
    return out


@pytest.mark.parametrize("path", USERS, ids=lambda p: p.name)
def test_notebooks_and_studies_import_only_the_public_api(path):
    imports = _model_imports(ast.parse(_source(path)))
    assert imports, f"{path.name} does not use the model at all"
    for module, names in imports:
        assert module == "model", f"{path.name}: imports {module} (use `from model import ...`)"
        private = [n for n in names if n not in model.__all__]
        assert not private, f"{path.name}: {private} are not in model.__all__"


def test_every_public_name_resolves():
    for name in model.__all__:
        assert getattr(model, name) is not None, name
    with pytest.raises(AttributeError, match="no attribute 'nonexistent'"):
        model.nonexistent  # noqa: B018


def test_import_model_compiles_nothing_and_loads_no_plotting():
    code = (
        "import sys, model; "
        "print(sorted(m for m in ('numba', 'matplotlib', 'mesa') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
