"""The model description (docs/ODD.md) matches the code: parameter table and indicator list."""

from __future__ import annotations

import difflib
import re
from pathlib import Path

from model.report.doc_tables import parameter_table
from model.sim.indicators import INDICATORS

ODD = Path(__file__).resolve().parents[1] / "docs" / "ODD.md"
REGENERATE = (
    "Regenerate it from the repository root with `uv run python -m model.report.doc_tables` "
    "(or `.venv/bin/python -m model.report.doc_tables`) and paste the output over the table in "
    "docs/ODD.md §9."
)


def _section(text: str, heading: str) -> str:
    """Text of the ODD section whose heading line starts with ``heading``, up to the next one."""
    level = heading.split(" ", 1)[0]  # "##" or "###"
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(heading))
    end = len(lines)
    for i in range(start + 1, len(lines)):
        hashes = lines[i].split(" ", 1)[0]
        if set(hashes) == {"#"} and len(hashes) <= len(level):
            end = i
            break
    return "\n".join(lines[start + 1 : end])


def _parameter_table_in_odd() -> str:
    """The parameter table of §9: from its header row to the line "N parameters."."""
    lines = _section(ODD.read_text(encoding="utf-8"), "## 9 ").splitlines()
    header = parameter_table().splitlines()[0]
    assert header in lines, f"docs/ODD.md §9 has no parameter table. {REGENERATE}"
    start = lines.index(header)
    end = next(
        (i for i in range(start, len(lines)) if re.fullmatch(r"\d+ parameters\.", lines[i])),
        None,
    )
    assert end is not None, f"docs/ODD.md §9: no 'N parameters.' line. {REGENERATE}"
    return "\n".join(lines[start : end + 1])


def test_odd_parameter_table_matches_the_code():
    in_doc = _parameter_table_in_odd()
    expected = parameter_table()
    if in_doc != expected:
        diff = "\n".join(
            difflib.unified_diff(
                in_doc.splitlines(),
                expected.splitlines(),
                "docs/ODD.md §9",
                "model.report.doc_tables.parameter_table()",
                lineterm="",
                n=0,
            )
        )
        raise AssertionError(
            f"The parameter table in docs/ODD.md §9 is out of date. {REGENERATE}\n{diff}"
        )


def test_odd_indicator_table_lists_every_indicator():
    section = _section(ODD.read_text(encoding="utf-8"), "### 7.11 ")
    first_cells = [line.split("|")[1] for line in section.splitlines() if line.startswith("|")]
    named = {name for cell in first_cells for name in re.findall(r"`([a-z0-9_]+)`", cell)}
    missing = [ind.name for ind in INDICATORS if ind.name not in named]
    assert not missing, (
        f"docs/ODD.md §7.11: the indicator table does not define {', '.join(missing)}; "
        "add a row per indicator of model.sim.indicators.INDICATORS."
    )
    unknown = sorted(named - {ind.name for ind in INDICATORS})
    assert not unknown, f"docs/ODD.md §7.11 lists indicators the code does not have: {unknown}"
