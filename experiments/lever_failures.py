"""Show each lever working in its scenario setting and not paying off in a documented setting.

For every scenario whose ``[fails_when]`` table names an ``indicator`` (the net outcome the
lever is judged on), runs the baseline and the scenario over common seeds as written, and
both again in the failure setting (:func:`model.experiments.lever_check.lever_verdicts`; the
test ``tests/test_levers_work_and_fail.py`` asserts the same verdicts). Writes
``docs/lever_failures.md``: per lever, the paired effect on its indicator in both settings,
the net policy cost (spending less what public funds still hold), the effect per 100 m CNY,
and whether the lever works and its failure setting does worse — measured, so that the answer
is visibly not built in. The block between ``<!-- morris:start -->`` and
``<!-- morris:end -->`` (written by ``lever_morris.py``) is kept as it is.

Usage::

    python experiments/lever_failures.py [--seeds 6] [--steps 40] [--workers 2]
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

from model import indicator, lever_verdicts, load_scenario

ROOT = Path(__file__).resolve().parent.parent
START, END = "<!-- morris:start -->", "<!-- morris:end -->"


def _fmt(x: float, digits: int = 1) -> str:
    return "–" if x is None or not math.isfinite(x) else f"{x:,.{digits}f}"


def _interval(t: tuple[float, float, float], digits: int = 1) -> str:
    return f"{_fmt(t[0], digits)} [{_fmt(t[1], digits)}, {_fmt(t[2], digits)}]"


def _morris_block(doc: Path) -> str:
    """The Morris section of the existing document (or its placeholder)."""
    text = doc.read_text(encoding="utf-8") if doc.exists() else ""
    if START in text and END in text:
        return START + text.split(START, 1)[1].split(END, 1)[0] + END
    return f"{START}\nNot yet measured: written by `python experiments/lever_morris.py`.\n{END}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=6)
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", default=str(ROOT / "results" / "lever_failures"))
    parser.add_argument("--doc", default=str(ROOT / "docs" / "lever_failures.md"))
    args = parser.parse_args()
    doc = Path(args.doc)
    start = time.perf_counter()
    verdicts = lever_verdicts(
        seeds=args.seeds, steps=args.steps, workers=args.workers, out=args.out, progress=True
    )
    elapsed = time.perf_counter() - start
    n_works = sum(v.works for v in verdicts)
    n_worse = sum(v.fails_worse for v in verdicts)
    lines = [
        "# Each lever working, and not paying off",
        "",
        f"Measured by `python experiments/lever_failures.py --seeds {args.seeds} "
        f"--steps {args.steps}` in {elapsed:.0f} s with {args.workers} workers (runs already "
        f"in `{Path(args.out).name}/` are reused, so a rerun's time says nothing). Each lever is "
        "judged on the net outcome its scenario file names (`[fails_when] indicator`: net of "
        "the policy's own money and people). *As written*: the scenario against the baseline "
        f"over {args.seeds} common seeds, {args.steps} quarters, Jiaxing–Huzhou; *failing*: "
        "both with the file's `[fails_when]` parameters. Effects are mean paired differences "
        "at the horizon (stocks: last quarter; flows: the last four quarters) with 90% t "
        "intervals. Net cost: county and province policy spending over the run less the "
        "change in what public guidance funds and tech-bank pools hold at the horizon (m CNY). "
        "*Per 100 m CNY*: the effect per 100 m CNY of net cost, seed by seed (for a lever "
        "whose net cost is under 1 m CNY in a setting, the effect itself). *Works*: the "
        "effect as written has its 90% interval above zero. *Fails worse*: the paired "
        "difference of the per-100-m-CNY effect (as written minus failing) has its 90% "
        "interval above zero.",
        "",
        f"**{n_works} of {len(verdicts)} levers work on their indicator; {n_worse} of "
        f"{len(verdicts)} do worse in their failure setting.** The same verdicts are asserted "
        "by `tests/test_levers_work_and_fail.py`; a lever that does not work is a finding "
        "(docs/ODD.md §12.3).",
        "",
        "| lever | indicator | effect as written [90%] | effect failing [90%] | net cost "
        "as written / failing (m CNY) | per 100 m CNY as written / failing | difference "
        "[90%] | works | fails worse |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for v in verdicts:
        meta = indicator(v.indicator)
        # a flow's horizon value is the sum of the last four quarters
        unit = meta.unit_en.replace("/quarter", "/year") if meta.kind == "flow" else meta.unit_en
        scale = "" if v.per_100m else " (effect: free lever)"
        lines.append(
            f"| {v.scenario} | {v.indicator} ({unit}) | {_interval(v.effect)} | "
            f"{_interval(v.effect_failing)} | {_fmt(v.cost_mcny, 0)} / "
            f"{_fmt(v.cost_failing_mcny, 0)} | {_fmt(v.efficiency, 2)} / "
            f"{_fmt(v.efficiency_failing, 2)}{scale} | {_interval(v.gap, 2)} | "
            f"{'yes' if v.works else '**no**'} | {'yes' if v.fails_worse else '**no**'} |"
        )
    lines += ["", "The documented failure settings (from the scenario files):", ""]
    for v in verdicts:
        s = load_scenario(v.scenario)
        params = ", ".join(f"`{k} = {x}`" for k, x in sorted(s.fails_when["parameters"].items()))
        lines.append(f"- **{v.scenario}**: {s.fails_when.get('note', '').strip()} ({params})")
    lines += ["", _morris_block(doc), ""]
    text = "\n".join(lines)
    tmp = doc.with_suffix(".md.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(doc)
    print(text)


if __name__ == "__main__":
    main()
