"""Stylised facts of firm and innovation dynamics in the baseline (issue: validation).

Runs the baseline once per seed (half the default firms, 40 quarters), measures every fact of
:data:`model.validation.stylised_facts.STYLISED_FACTS` on each run and writes the table into
docs/validation.md between the lines ``<!-- facts:start -->`` and ``<!-- facts:end -->``
(the rest of the document is left as it is). Nothing is tuned to these facts; the table is
written whatever it shows. Usage::

    python experiments/stylised_facts.py [--seeds 1 2 3] [--quarters 40] [--firm-scale 0.5]
"""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from pathlib import Path

from model import facts_table, measure_stylised_facts

DOC = Path(__file__).resolve().parent.parent / "docs" / "validation.md"
START, END = "<!-- facts:start -->", "<!-- facts:end -->"


def write_block(doc: Path, block: str) -> None:
    """Replace the text between the markers of ``doc`` by ``block`` (atomically)."""
    text = doc.read_text(encoding="utf-8")
    if START not in text or END not in text:
        raise SystemExit(f"{doc}: the markers {START} and {END} are missing")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    tmp = doc.with_suffix(".md.tmp")
    tmp.write_text(f"{head}{START}\n{block}\n{END}{tail}", encoding="utf-8")
    tmp.replace(doc)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    p.add_argument("--quarters", type=int, default=40)
    p.add_argument("--firm-scale", type=float, default=0.5)
    p.add_argument(
        "--doc", type=Path, default=DOC, help="document to write (default docs/validation.md)"
    )
    args = p.parse_args()
    started = time.perf_counter()
    results = measure_stylised_facts(
        seeds=args.seeds,
        quarters=args.quarters,
        firm_scale=args.firm_scale,
        progress=lambda m: print(m, flush=True),
    )
    seconds = time.perf_counter() - started
    n_yes = sum(r.reproduced for r in results)
    command = "python experiments/stylised_facts.py " + shlex.join(sys.argv[1:])
    block = (
        f"Baseline, seeds {', '.join(map(str, args.seeds))}, {args.quarters} quarters, "
        f"firm_scale {args.firm_scale}; {n_yes} of {len(results)} facts reproduced "
        f"(mean over seeds within the stated range). Measured with `{command.strip()}` "
        f"in {seconds:.0f} s.\n\n{facts_table(results)}"
    )
    write_block(args.doc, block)
    print(block)


if __name__ == "__main__":
    main()
