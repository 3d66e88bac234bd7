"""Move the parameter table's defaults to the shipped posterior's means.

The default baseline is the calibrated one: every free parameter of the shipped calibration
(``experiments/calibration.toml``) defaults to its posterior mean in ``model/data/posterior.csv``,
rounded to two significant digits, and its source says so: the mean, the 90% interval, the
posterior contraction and whether the data identify it, then what the default was before
(docs/calibration.md, "Defaults"). ``tests/test_calibrated_defaults.py`` fails when a new
posterior ships and the defaults stay behind; this script moves them.

Usage::

    python -m model.calibration.posterior_defaults            # show what would change
    python -m model.calibration.posterior_defaults --write    # rewrite model/params/table.py

Only the default and the source string of each free parameter's entry in
``model/params/table.py`` are rewritten; ``ruff format`` afterwards tidies the line breaks.
"""

from __future__ import annotations

import argparse
import ast
import math
import unicodedata
from pathlib import Path

from model.calibration.declaration import load_calibration
from model.calibration.posterior import posterior_summary, read_posterior
from model.params.table import SPEC_BY_NAME

TABLE = Path(__file__).resolve().parents[1] / "params" / "table.py"
CALIBRATED = "calibrated: ABC-SMC posterior mean"
DOC_REFERENCE = "docs/calibration.md)"


def round_significant(x: float, digits: int = 2) -> float:
    """``x`` to ``digits`` significant digits (0 stays 0)."""
    if x == 0 or not math.isfinite(x):
        return x
    return round(x, digits - 1 - math.floor(math.log10(abs(x))))


def earlier_source(name: str) -> str:
    """What the source said before calibration: ``"; was <default>, <source>"``.

    A source already calibrated keeps its own account of the earlier value (the text after
    its reference to docs/calibration.md, with its leading separator).
    """
    spec = SPEC_BY_NAME[name]
    if spec.source.startswith(CALIBRATED) and DOC_REFERENCE in spec.source:
        return spec.source.split(DOC_REFERENCE, 1)[1]
    return f"; was {spec.default:g}, {spec.source}"


def calibrated_source(row, earlier: str) -> str:
    """The source string of a default taken from the posterior (``row``: posterior_summary)."""
    verdict = (
        "identified"
        if row.identified
        else "not identified: the data leave it nearly as wide as its prior"
    )
    return (
        f"{CALIBRATED} {row['mean']:.3g} (90% {row.p05:.3g} to {row.p95:.3g}; contraction "
        f"{row.contraction:.2f}, {verdict}; {DOC_REFERENCE}{earlier}"
    )


def planned_changes(summary) -> dict[str, tuple[float, str]]:
    """Per free parameter of the calibration: its new default and source."""
    out = {}
    for name, row in summary.iterrows():
        value = round_significant(float(row["mean"]))
        if SPEC_BY_NAME[name].kind is int:
            value = round(value)
        out[name] = (value, calibrated_source(row, earlier_source(name)))
    return out


def display_width(text: str) -> int:
    """Columns ``text`` takes in an editor (and for ruff's line length): CJK counts two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def wrapped(text: str, width: int) -> list[str]:
    """``text`` cut after spaces into pieces of at most ``width`` columns.

    A word longer than ``width`` stays whole; joined again the pieces give ``text``.
    """
    pieces, current = [], ""
    for word in text.split(" "):
        candidate = f"{current} {word}" if current else word
        if current and display_width(candidate) + 1 > width:
            pieces.append(current + " ")
            current = word
        else:
            current = candidate
    return [*pieces, current]


def rewrite_table(text: str, changes: dict[str, tuple[float, str]]) -> str:
    """``text`` (table.py) with each named entry's default and source replaced.

    The entries are ``_p(name, default, unit, low, high, source, doc)`` calls; the default and
    the source are located with :mod:`ast` so multi-line string literals are replaced whole.
    """
    lines = text.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))

    def position(lineno: int, col: int) -> int:
        # ast columns are UTF-8 byte offsets
        return offsets[lineno - 1] + len(lines[lineno - 1].encode()[:col].decode())

    def string_literal(text: str, indent: int) -> str:
        # implicitly concatenated pieces that fit the project's 100 columns
        return ("\n" + " " * indent).join(repr(p) for p in wrapped(text, 100 - indent - 3))

    edits, found = [], set()
    for node in ast.walk(ast.parse(text)):
        if not (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "_p"):
            continue
        name = node.args[0].value
        if name not in changes:
            continue
        found.add(name)
        value, source = changes[name]
        literal = string_literal(source, node.args[5].col_offset)
        for arg, new in ((node.args[1], repr(value)), (node.args[5], literal)):
            start = position(arg.lineno, arg.col_offset)
            end = position(arg.end_lineno, arg.end_col_offset)
            edits.append((start, end, new))
    if set(changes) - found:
        raise ValueError(f"not in the parameter table: {', '.join(sorted(set(changes) - found))}")
    for start, end, new in sorted(edits, reverse=True):
        text = text[:start] + new + text[end:]
    return text


def main() -> None:
    """Print the planned defaults; with ``--write``, rewrite the parameter table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calibration", default="calibration", help="its declaration")
    parser.add_argument("--write", action="store_true", help="rewrite model/params/table.py")
    args = parser.parse_args()
    summary = posterior_summary(read_posterior(), load_calibration(args.calibration))
    changes = planned_changes(summary)
    for name, (value, _) in changes.items():
        old = SPEC_BY_NAME[name].default
        mark = "" if old == value else "  <- moves"
        print(f"{name:40s} {old:>10g} -> {value:<10g}{mark}")
    if args.write:
        TABLE.write_text(rewrite_table(TABLE.read_text(), changes))
        print(f"rewrote {TABLE}; run `ruff format {TABLE}`")


if __name__ == "__main__":
    main()
