"""Where the built-in scenario and experiment files are, in a checkout and in an installed wheel.

In a checkout they are the repository's top-level ``scenarios/`` and ``experiments/`` folders;
the wheel ships the same files as package data under ``model/builtin/`` (``pyproject.toml``,
``[tool.hatch.build.targets.wheel.force-include]``), so ``pip install`` of the wheel can run
``innovsim compare`` with the built-in scenarios. Built-in regions live inside the package
already (``model/sim/regions/``).
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def builtin_dir(kind: str) -> Path:
    """Folder of the built-in ``"scenarios"`` or ``"experiments"``."""
    if kind not in ("scenarios", "experiments"):
        raise ValueError(f"kind must be 'scenarios' or 'experiments', got {kind!r}")
    packaged = _PACKAGE / "builtin" / kind
    return packaged if packaged.is_dir() else _PACKAGE.parent / kind
