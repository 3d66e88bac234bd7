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

from model.experiments.compare import (
    cost_effectiveness,
    fiscal_summary,
    horizon_values,
    paired_effects,
)
from model.params.scenarios import list_scenarios, load_scenario
from model.runs.run import Job, load_runs, run_jobs

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

    seeds = list(range(1, args.seeds + 1))
    cases = []  # (scenario, setting, overrides of baseline, overrides of scenario)
    for name in list_scenarios():
        s = load_scenario(name)
        if name == "baseline" or not s.fails_when:
            continue
        world = dict(s.fails_when.get("parameters", {}))
        cases.append((s, "as written", {}, s.parameters().changed()))
        cases.append((s, "fails_when", world, s.parameters(world).changed()))
    jobs, keys = [], []
    for s, setting, base_over, scen_over in cases:
        tag = "default" if setting == "as written" else f"fails_{s.name}"
        for label, over in ((f"baseline@{tag}", base_over), (f"{s.name}@{tag}", scen_over)):
            if label in keys:
                continue
            keys.append(label)
            jobs += [Job(label, seed, args.steps, "jiaxing-huzhou", over) for seed in seeds]
    start = time.perf_counter()
    result = run_jobs(jobs, args.out, workers=args.workers, description="lever failures")
    elapsed = time.perf_counter() - start
    if result["skipped"]:  # a rerun reuses finished runs: its time says nothing
        where = Path(args.out).resolve()
        where = where.relative_to(ROOT) if where.is_relative_to(ROOT) else where
        timing = f"{len(result['done'])} run now, {len(result['skipped'])} reused from {where}"
    else:
        timing = f"{elapsed:.0f} s with {args.workers} workers on this machine"
    df = load_runs(args.out)
    df = df[df["run_id"].isin({j.run_id for j in jobs})]

    rows = []
    for s, setting, _, _ in cases:
        tag = "default" if setting == "as written" else f"fails_{s.name}"
        sub = df[df["scenario"].isin([f"baseline@{tag}", f"{s.name}@{tag}"])].copy()
        sub["scenario"] = sub["scenario"].str.replace(f"@{tag}", "", regex=False)
        effects = paired_effects(horizon_values(sub))
        fiscal = fiscal_summary(sub)
        ce = cost_effectiveness(effects, fiscal, sub)
        by_name = effects.set_index("indicator")
        rows.append((s.name, setting, by_name, fiscal.loc[s.name], ce.loc[s.name]))

    lines = [
        "# Each lever working, and not paying off",
        "",
        "Measured by `python experiments/lever_failures.py "
        f"--seeds {args.seeds} --steps {args.steps}` ({len(jobs)} runs; {timing}). Each row "
        "compares a scenario with the baseline over the same seeds "
        f"(1–{args.seeds}, paired), {args.steps} quarters, on the Jiaxing–Huzhou region. "
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
    for s, setting, world, _ in cases:
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
    if result["failed"]:
        raise SystemExit(f"{len(result['failed'])} runs failed: {sorted(result['failed'])}")


if __name__ == "__main__":
    main()
