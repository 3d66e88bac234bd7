"""Which behavioural assumptions decide the sign of each lever's net effect? (Morris screening)

Runs ``lever_morris.toml``: one Morris design over 14 behavioural parameters; at every point
the baseline and the eleven lever scenarios run on the same seed, so each lever's net effect
at a point is scenario − baseline there (the baseline runs are shared). For each lever and its
main net indicator (its scenario's ``[fails_when] indicator``, :func:`main_indicators`) it
computes Morris ``mu*`` and ``sigma`` per parameter, the share of points where the net effect
is positive, and that share in the lower and upper half of each parameter's range; it writes
the tables (``lever_morris_*.csv``) and a figure into the result folder, and its section of
``docs/lever_failures.md`` between the lines
``<!-- morris:start -->`` and ``<!-- morris:end -->`` (appended if absent; the rest of the
document is left as it is). A killed run continues with ``--resume``. Usage::

    python experiments/lever_morris.py --workers 2 [--resume]
    python experiments/lever_morris.py --smoke --workers 2     # a few-minute check
"""

from __future__ import annotations

import math
import shlex
import sys
import time
from pathlib import Path

import pandas as pd
from _common import HERE, executor, out_dir, parser

from model import (
    effect_signs,
    effect_signs_by_half,
    indicator,
    load_experiment,
    load_scenario,
    morris_indices,
    plot_morris,
    run_experiment,
    save_figure,
)

ROOT = HERE.parent
START, END = "<!-- morris:start -->", "<!-- morris:end -->"
TOP = 5  # parameters shown per lever

#: Each lever's main net indicator is the outcome its benefit channel is meant to move, net
#: of the policy's own money or people (NET_OF in model.sim.indicators) where it pays for
#: some of it, so that a lever is not credited with what it buys.
#: Why each lever is judged on the net indicator its scenario names in ``[fails_when]``
#: (the indicator itself is read from the scenario file, the one place it is declared).
WHY: dict[str, str] = {
    "capital_chain": (
        "the failure note's question, whether public venture money draws private money "
        "in or crowds it out"
    ),
    "combined": (
        "the package's common aim, research done with firms' own money (grants and "
        "relabelled R&D left out)"
    ),
    "innovation_vouchers": (
        "a voucher is meant to start research the firm pays part of; deadweight replaces own R&D"
    ),
    "kpi_assessment": (
        "the assessed counts rise by construction; whether research actually performed "
        "rises is the failure note's question"
    ),
    "platform_consolidation": (
        "platform services act on firms' knowledge production, whose output is patents"
    ),
    "platform_specialisation": (
        "as consolidation: services to firms of the focus sector against firms outside it"
    ),
    "rd_grants": ("crowding-out is a question about firms' own R&D money"),
    "regional_integration": (
        "access to better platforms and better job matches act on knowledge production"
    ),
    "talent_enclaves": (
        "enclave firms are the counties' best emerging-sector firms; relocation takes them away"
    ),
    "talent_programs": (
        "links and recruited experts are meant to raise firms' research output "
        "(recruits themselves are not a result)"
    ),
    "tax_rebate": ("the rebate rewards counties for growing and certifying high-tech enterprises"),
}


def main_indicators() -> dict[str, tuple[str, str]]:
    """Lever -> (its ``[fails_when] indicator``, why it is judged on it)."""
    return {
        lever: (load_scenario(lever).fails_when["indicator"], why) for lever, why in WHY.items()
    }


def _fmt(x: float, digits: int = 1) -> str:
    if x is None or not math.isfinite(x):
        return "–"
    return f"{x:,.{digits}f}"


def _digits(scale: float) -> int:
    """Decimals that show a number of about ``scale`` with three significant digits."""
    if not math.isfinite(scale) or scale == 0.0:
        return 1
    return max(0, min(3, 2 - int(math.floor(math.log10(abs(scale))))))


def _pct(x: float) -> str:
    return "–" if not math.isfinite(x) else f"{100.0 * x:.0f}%"


def _unit(name: str) -> str:
    ind = indicator(name)
    if ind.kind == "flow":  # an outcome sums the last four quarters
        return ind.unit_en.replace("/quarter", " a year")
    return ind.unit_en


def _range_text(exp, name: str) -> str:
    axis = exp.uncertainties[name]
    log = " (log-uniform)" if getattr(axis, "distribution", "uniform") == "loguniform" else ""
    return f"{axis.low:g} to {axis.high:g}{log}"


def _reading(lever: str, signs: pd.Series, top: pd.DataFrame, halves: pd.DataFrame) -> str:
    """A sentence on a lever: how robust its sign is and which parameters move and split it."""
    pos, neg, zero = signs["positive_share"], signs["negative_share"], signs["zero_share"]
    if zero >= 0.5:
        sign = (
            f"exactly zero at {_pct(zero)} of the points (positive at {_pct(pos)}, negative at "
            f"{_pct(neg)}): the lever hardly moves this indicator"
        )
    elif pos >= 0.9:
        sign = f"positive at {_pct(pos)} of the points: the sign holds across these assumptions"
    elif neg >= 0.9:
        sign = f"negative at {_pct(neg)} of the points: the sign holds across these assumptions"
    else:
        sign = f"positive at {_pct(pos)} of the points, negative at {_pct(neg)}: the sign is open"
    movers = ", ".join(f"`{p}`" for p in top["parameter"].head(3))
    text = f"**{lever}**: {sign}; its size moves most with {movers}"
    split = halves.loc[halves["share_gap"].abs().idxmax()] if len(halves) else None
    if split is not None and abs(split["share_gap"]) >= 0.3:
        text += (
            f"; `{split['parameter']}` splits the sign most: positive at "
            f"{_pct(split['positive_share_low'])} of the points in the lower half of its range "
            f"and {_pct(split['positive_share_high'])} in the upper half"
        )
    return text + "."


def section(exp, results, indices, signs, halves, command: str, timing: str) -> str:
    """The Markdown section of docs/lever_failures.md (between the markers)."""
    d = len(exp.uncertainties)
    n_points = exp.n_points()
    lines = [
        START,
        "## Which assumptions decide each sign (Morris screening)",
        "",
        f"Measured by `{command}` ({exp.n_runs()} runs; {timing}). One Morris design "
        f"(`experiments/lever_morris.toml`: {exp.samples} trajectories × ({d} + 1) = "
        f"{n_points} points, {exp.morris_levels} levels) over {d} behavioural assumptions; at "
        f"every point the baseline and each lever run on the same seed "
        f"({exp.replications} replication{'s' if exp.replications > 1 else ''}, common random "
        f"numbers), {exp.steps} quarters, firm scale {exp.constants.get('firm_scale', 1.0):g}, "
        "so a lever's net effect at a point is scenario − baseline there. A sampled value "
        "replaces the scenario file's own value of that parameter. For each lever, on its main "
        "net indicator: μ* is the mean absolute change of the net effect when one parameter "
        "moves by a step of its range, scaled to the whole range (in the indicator's unit), σ "
        "the spread of those changes (large σ: the parameter acts through interactions or "
        "non-linearly — or seed noise, which one replication does not average out), μ their "
        "signed mean; *+ low / + high* is the share of points with a positive net effect in the "
        "lower and upper half of the parameter's range.",
        "",
        "Ranges: "
        + "; ".join(f"`{n}` {_range_text(exp, n)}" for n in exp.uncertainties)
        + " (the sources are in the TOML file).",
        "",
    ]
    readings = []
    for lever, (name, why) in main_indicators().items():
        if lever not in set(signs["scenario"]):
            continue
        s = signs[(signs["scenario"] == lever) & (signs["indicator"] == name)].iloc[0]
        idx = indices[(indices["scenario"] == lever) & (indices["indicator"] == name)]
        idx = idx.sort_values("mu_star", ascending=False)
        half = halves[(halves["scenario"] == lever) & (halves["indicator"] == name)]
        half = half.set_index("parameter")
        scale = max(abs(s["median"]), float(idx["mu_star"].max()) if len(idx) else 0.0)
        dg = _digits(scale)
        lines += [
            f"### {lever}: {indicator(name).label_en} ({_unit(name)})",
            "",
            f"Why this indicator: {why}. Net effect positive at {_pct(s['positive_share'])} "
            f"of {int(s['points'])} points, negative at {_pct(s['negative_share'])}, zero at "
            f"{_pct(s['zero_share'])}; median "
            f"{_fmt(s['median'], dg)}, range {_fmt(s['min'], dg)} to {_fmt(s['max'], dg)}.",
            "",
            "| parameter | μ* | σ | μ | + low | + high |",
            "|---|---|---|---|---|---|",
        ]
        for _, r in idx.head(TOP).iterrows():
            h = half.loc[r["parameter"]]
            lines.append(
                f"| `{r['parameter']}` | {_fmt(r['mu_star'], dg)} | {_fmt(r['sigma'], dg)} | "
                f"{_fmt(r['mu'], dg)} | {_pct(h['positive_share_low'])} | "
                f"{_pct(h['positive_share_high'])} |"
            )
        lines.append("")
        readings.append(_reading(lever, s, idx, half.reset_index()))
    lines += ["### Reading", ""]
    lines += [f"- {r}" for r in readings]
    lines += [
        "",
        "μ* ranks what moves a net effect; whether a parameter also *decides its sign* shows "
        "in the two share columns (and the reading names the parameter whose halves differ "
        "most). With few trajectories and one seed this is a screening: it separates the "
        "parameters that matter from those that do not, and the order among the weak ones "
        "is noise. The full tables (every parameter, the five net indicators) are "
        f"`lever_morris_indices.csv` and `lever_morris_signs.csv` in {results.out}.",
        END,
    ]
    return "\n".join(lines)


def write_section(doc: Path, text: str) -> None:
    """Replace the block between the markers in ``doc``, or append it if there is none."""
    old = doc.read_text(encoding="utf-8") if doc.exists() else ""
    if START in old and END in old:
        head, rest = old.split(START, 1)
        tail = rest.split(END, 1)[1]
        new = head + text + tail
    else:
        new = old.rstrip("\n") + ("\n\n" if old else "") + text + "\n"
    doc.write_text(new, encoding="utf-8")


def main() -> None:
    p = parser(__doc__.split("\n")[0], "results/sweeps/lever_morris")
    p.add_argument("--doc", default=str(ROOT / "docs" / "lever_failures.md"))
    args = p.parse_args()
    exp = load_experiment(HERE / "lever_morris.toml")
    if args.smoke:
        exp = exp.with_changes(
            samples=2,
            steps=12,
            constants={"firm_scale": 0.1, "policy_start_step": 2},
        )
    command = "python experiments/lever_morris.py " + shlex.join(sys.argv[1:])
    start = time.perf_counter()
    results = run_experiment(
        exp, out_dir(args), executor=executor(args), resume=args.resume, command=command
    )
    wall = time.perf_counter() - start
    done, skipped = results.last_run["done"], results.last_run["skipped"]
    workers = args.workers or "all"
    if skipped and not done:  # nothing run now: the time says nothing
        timing = f"all {skipped} runs reused from an earlier session in {results.out}"
    elif skipped:  # a resumed run's time covers only part of the runs
        timing = f"{done} runs in {wall:.0f} s with {workers} workers, {skipped} reused"
    else:
        timing = f"{wall:.0f} s with {workers} workers on this machine"
    if results.last_run["failed"]:
        raise SystemExit(f"{results.last_run['failed']} runs failed; see {results.out}/failures")

    indicators = list(exp.analysis.indicators)
    indices = morris_indices(results, indicators)
    signs = effect_signs(results, indicators)
    halves = effect_signs_by_half(results, indicators)
    out = results.out
    indices.to_csv(out / "lever_morris_indices.csv", index=False, float_format="%.6g")
    signs.merge(halves, on=["scenario", "lever_point", "indicator"], how="left").to_csv(
        out / "lever_morris_signs.csv", index=False, float_format="%.6g"
    )
    main_rows = pd.concat(
        [
            indices[(indices["scenario"] == lever) & (indices["indicator"] == name)]
            for lever, (name, _) in main_indicators().items()
        ]
    )
    main_rows.attrs.update(indices.attrs)
    for lang in args.lang:
        save_figure(plot_morris(main_rows, lang=lang), out / "figures" / f"lever_morris_{lang}.png")

    text = section(exp, results, indices, signs, halves, command, timing)
    if not args.smoke:
        write_section(Path(args.doc), text)
    else:  # a smoke run is a check, not a result for the document
        (out / "lever_morris_section.md").write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
