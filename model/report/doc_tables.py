"""Tables of the model description (docs/ODD.md) generated from the code.

The parameter table of the ODD's §9 is printed from :data:`model.params.table.SPECS`, the single
source of defaults, units, ranges and sources, so the document cannot drift from the code
(``tests/test_docs.py`` compares the two). To regenerate it, run from the repository root::

    uv run python -m model.report.doc_tables

and paste the output over the table in §9.
"""

from __future__ import annotations

import math

from model.params.table import SPECS

__all__ = ["main", "parameter_table"]


def _fmt(value: float | int | bool) -> str:
    """Format a parameter value as the ODD shows it (``true``/``false``, ``∞``, ``%g``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "∞" if math.isinf(value) else f"{value:g}"
    return str(value)


def _cell(text: str) -> str:
    """Escape a text for a Markdown table cell (a ``|`` would end the cell)."""
    return str(text).replace("|", "\\|")


def parameter_table() -> str:
    """Return the Markdown parameter table of the ODD's §9.

    Returns
    -------
    str
        A header row, a separator row and one row per parameter of
        :data:`model.params.table.SPECS` (name, default, unit, allowed range, source), a blank
        line, and the line ``"N parameters."``; no trailing newline.
    """
    lines = [
        "| name | default | unit | allowed range | source |",
        "|---|---|---|---|---|",
    ]
    for s in SPECS:
        if s.kind is bool:
            allowed = "true / false"
        else:
            lo, hi = (s.low, s.high) if s.kind is float else (int(s.low), int(s.high))
            allowed = f"[{_fmt(lo)}, {_fmt(hi)}]"
        lines.append(
            f"| `{s.name}` | {_fmt(s.default)} | {_cell(s.unit)} | {allowed} | {_cell(s.source)} |"
        )
    lines += ["", f"{len(SPECS)} parameters."]
    return "\n".join(lines)


def main() -> None:
    """Print the parameter table (``python -m model.report.doc_tables``)."""
    print(parameter_table())


if __name__ == "__main__":
    main()
