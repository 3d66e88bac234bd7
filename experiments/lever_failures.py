"""Show each lever working in its scenario setting and not paying off in a documented setting.

For every scenario with a ``[fails_when]`` table, runs (paired by seed, common random numbers):

- the baseline and the scenario as written, and
- the baseline and the scenario with the ``fails_when`` parameters applied to both (they
  describe the world or the way the lever is run, so the baseline gets them too; lever
  parameters have no effect on the baseline, whose levers are off).

It writes ``docs/lever_failures.md`` with the effect on high-tech enterprises at the horizon
and on invention patents over the run, the policy cost and the cost per extra high-tech
enterprise in both settings — measured, so that the answer is visibly not built in.

Usage::

    python experiments/lever_failures.py [--seeds 6] [--steps 40] [--workers 2]
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

from model import compare, list_scenarios, load_scenario

ROOT = Path(__file__).resolve().parent.parent


def _fmt(x: float, digits: int = 1) -> str:
    return "–" if x is None or not math.isfinite(x) else f"{x:,.{digits}f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=6)
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", default=str(ROOT / "results" / "lever_failures"))
    parser.add_argument("--doc", default=str(ROOT / "docs" / "lever_failures.md"))
    args = parser.parse_args()

    failing = [
        load_scenario(name)
        for name in list_scenarios()
        if name != "baseline" and load_scenario(name).fails_when
    ]
    out = Path(args.out)
    common = {"seeds": args.seeds, "steps": args.steps, "workers": args.workers}
    start = time.perf_counter()
    # every lever as written against the baseline: one comparison, the baseline run once
    as_written = compare([s.name for s in failing], out=out / "as_written", **common)
    comparisons = []  # (scenario, setting, comparison, failure parameters)
    for s in failing:
        comparisons.append((s, "as written", as_written, {}))
    for s in failing:
        world = dict(s.fails_when.get("parameters", {}))
        fails = compare([s.name], overrides=world, out=out / f"fails_{s.name}", **common)
        comparisons.append((s, "fails_when", fails, world))
    elapsed = time.perf_counter() - start
    sessions = {id(c): c.status for _, _, c, _ in comparisons}.values()
    done = sum(st["done"] for st in sessions)
    reused = sum(st["skipped"] for st in sessions)
    n_runs = done + reused
    if reused:  # a rerun reuses finished runs: its time says nothing
        where = out.resolve()
        where = where.relative_to(ROOT) if where.is_relative_to(ROOT) else where
        timing = f"{done} run now, {reused} reused from {where}"
    else:
        timing = f"{elapsed:.0f} s with {args.workers} workers on this machine"

    rows = []
    for s, setting, c, _ in comparisons:
        by_name = c.effects[c.effects["scenario"] == s.name].set_index("indicator")
        rows.append(
            (s.name, setting, by_name, c.fiscal.loc[s.name], c.cost_effectiveness.loc[s.name])
        )

    lines = [
        "# Each lever working, and not paying off",
        "",
        "Measured by `python experiments/lever_failures.py "
        f"--seeds {args.seeds} --steps {args.steps}` ({n_runs} runs; {timing}). Each row "
        "compares a scenario with the baseline over the same seeds "
        f"({args.seeds} replications from base seed 0, paired), {args.steps} quarters, on the "
        "Jiaxing–Huzhou region (`model.experiments.compare`). "
        "*as written*: the scenario file; *fails_when*: the documented setting from the file's "
        "`[fails_when]` table, applied to baseline and scenario alike. Effects are mean paired "
        "differences at the horizon (stocks: last quarter; flows: last four quarters) with 90% "
        "t intervals. R&D performed leaves out R&D that firms relabel to reach a "
        "certification threshold. Net cost is policy spending by counties and province over "
        "the run less what the public guidance funds and tech-bank pools still hold at the "
        "horizon (m CNY); Δ tax is the paired change in county + province tax revenue over the "
        "run.",
        "",
        "| scenario | setting | Δ high-tech enterprises [90% CI] | Δ R&D performed (%) "
        "[90% CI] | Δ invention patent applications (%) [90% CI] | Δ venture investment (%) "
        "| net cost | Δ tax | net cost per extra HTE | net cost per extra patent application |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, setting, eff, fiscal, ce in rows:
        tax = fiscal["county_tax_change"] + fiscal["province_tax_change"]
        hte = eff.loc["high_tech_enterprises"]
        cells = [name, setting, f"{_fmt(hte['diff'])} [{_fmt(hte['lo'])}, {_fmt(hte['hi'])}]"]
        for ind in ("rd_performed_mcny", "invention_patent_applications"):
            e = eff.loc[ind]
            cells.append(f"{_fmt(e['rel_mean'])} [{_fmt(e['rel_lo'])}, {_fmt(e['rel_hi'])}]")
        cells += [
            _fmt(eff.loc["venture_investment_mcny", "rel_mean"]),
            _fmt(fiscal["net_cost"], 0),
            _fmt(tax, 0),
            _fmt(ce["cost_per_extra_hte"], 2),
            _fmt(ce["cost_per_extra_application"], 3),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "The documented failure settings (from the scenario files):", ""]
    for s, setting, _, world in comparisons:
        if setting == "fails_when":
            params = ", ".join(f"`{k} = {v}`" for k, v in sorted(world.items()))
            lines += [f"- **{s.name}**: {s.fails_when.get('note', '').strip()} ({params})"]
    lines += [
        "",
        "“–” in the last two columns: no significant gain to price (the 90% interval of "
        "the gain includes zero or is negative). For the cost ratio, patent applications are "
        "counted over the whole run.",
        "",
    ]
    Path(args.doc).write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    failed = sum(st["failed"] for st in sessions)
    if failed:
        raise SystemExit(f"{failed} runs failed; see the failures/ folders under {out}")


if __name__ == "__main__":
    main()
