"""The results of the calibration in docs/calibration.md: target tables, posterior, plots.

Reads a finished calibration folder (default ``results/calibration/calibration``, written by
``innovsim calibrate experiments/calibration.toml``: ``targets.md``, ``run.json``,
``posterior.csv``) and its declaration (the priors), and writes

- the block between ``<!-- results:start -->`` and ``<!-- results:end -->`` of
  docs/calibration.md: how the run went (populations, tolerances, runs, wall time), the
  in-sample and out-of-sample target tables, and the posterior of each free parameter
  (weighted mean and 90% interval against its prior and default, its posterior contraction
  and whether the data identify it: ``posterior_summary``'s ``identified``);
- ``docs/calibration/posterior_marginals.png`` and ``posterior_pairs.png``
  (``plot_posterior_marginals``, ``plot_posterior_pairs``);
- the default baseline against the same targets: the parameter table's defaults run on
  ``--seeds`` seeds (``check_defaults``, into ``RUN/defaults``; resumed if there).

Usage::

    python experiments/calibration_report.py [--run results/calibration/calibration] [--seeds 10]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
from model import (  # noqa: E402
    check_defaults,
    load_calibration,
    plot_posterior_marginals,
    plot_posterior_pairs,
    posterior_summary,
    read_posterior,
    summary_markdown,
)

ROOT = Path(__file__).resolve().parent.parent
START, END = "<!-- results:start -->", "<!-- results:end -->"


def _header_lines(path: Path) -> list[str]:
    """The ``#`` lines of a posterior file: how it was made."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line[2:] for line in lines if line.startswith("# ")]


def posterior_table(posterior, calibration) -> str:
    """Per free parameter: prior, default, weighted mean and 90% interval (Markdown)."""
    rows = [
        "| parameter | prior | default | posterior mean | 90% interval | contraction | "
        "identified |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, r in posterior_summary(posterior, calibration).iterrows():
        kind = "log-uniform" if r.distribution == "loguniform" else "uniform"
        rows.append(
            f"| `{name}` | {kind} [{r.low:g}, {r.high:g}] | {r.default:g} | {r['mean']:.4g} | "
            f"{r.p05:.4g} – {r.p95:.4g} | {r.contraction:.2f} | "
            f"{'yes' if r.identified else 'no'} |"
        )
    return "\n".join(rows)


def defaults_block(summary, seeds: int) -> list[str]:
    """The default baseline's target tables (in sample, held out) as Markdown lines."""
    in_sample = summary[~summary["held_out"]]
    held_out = summary[summary["held_out"]]
    hit = int(in_sample["hit"].sum())
    parts = [
        f"**The default baseline** (the parameter table's defaults, which take the posterior "
        f"mean of every free parameter, on {seeds} seeds: `python "
        f"experiments/calibration_report.py` runs it): {hit} of {len(in_sample)} in-sample "
        f"targets hit.",
        "",
        summary_markdown(in_sample.drop(columns="held_out")).strip(),
        "",
    ]
    if len(held_out):
        parts += [
            "Held out, at the defaults:",
            "",
            summary_markdown(held_out.drop(columns="held_out")).strip(),
            "",
        ]
    return parts


def results_block(run: Path, calibration, defaults=None, seeds: int = 0) -> str:
    """The Markdown between the results markers."""
    info = json.loads((run / "run.json").read_text(encoding="utf-8"))
    posterior = read_posterior(run / "posterior.csv")
    pops = info["populations"]
    tolerances = ", ".join(f"{p['tolerance']:.3g}" for p in pops)
    header = "\n".join(f"    {line}" for line in _header_lines(run / "posterior.csv"))
    in_sample, _, out_of_sample = (
        (run / "targets.md").read_text(encoding="utf-8").partition("\n**Out of sample**")
    )
    parts = [
        START,
        "",
        f"Measured by the full run (`innovsim calibrate experiments/calibration.toml "
        f"--posterior-file model/data/posterior.csv`, then `python "
        f"experiments/calibration_report.py`). {info['done']} runs in {info['wall_s']:.0f} s "
        f"of wall time ({info['reused']} reused, {info['failed']} failed); "
        f"{len(pops)} populations with tolerances {tolerances}; the posterior keeps "
        f"{len(posterior)} particles (effective sample size {pops[-1]['ess']:.1f})"
        + (f"; stopped early: {info['stopped']}" if info["stopped"] else "")
        + ". The posterior file's header:",
        "",
        header,
        "",
        f"**In sample** ({info['in_sample_hit']} of {info['in_sample']} targets hit):",
        "",
        in_sample.strip(),
        "",
    ]
    if out_of_sample:
        parts += ["**Out of sample**" + out_of_sample.rstrip(), ""]
    if defaults is not None:
        parts += defaults_block(defaults, seeds)
    parts += [
        "**Posterior** (weighted over the particles; *contraction*: 1 - posterior variance / "
        "prior variance, on a log scale for a log-uniform prior (Schad, Betancourt & Vasishth "
        "2021); *identified*: contraction at least 0.5; every default is the posterior mean, "
        "rounded, identified or not: see Defaults above):",
        "",
        posterior_table(posterior, calibration),
        "",
        "![Posterior marginals against the priors](calibration/posterior_marginals.png)",
        "",
        "![Posterior pairs](calibration/posterior_pairs.png)",
        "",
        END,
    ]
    return "\n".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--run", default=str(ROOT / "results" / "calibration" / "calibration"))
    parser.add_argument("--calibration", default="calibration", help="its declaration")
    parser.add_argument("--doc", default=str(ROOT / "docs" / "calibration.md"))
    parser.add_argument("--seeds", type=int, default=10, help="seeds of the default baseline")
    parser.add_argument("--workers", type=int, default=None, help="worker processes")
    args = parser.parse_args()
    run, doc = Path(args.run), Path(args.doc)
    calibration = load_calibration(args.calibration)
    figures = doc.parent / "calibration"
    figures.mkdir(parents=True, exist_ok=True)
    posterior = read_posterior(run / "posterior.csv")
    plot_posterior_marginals(posterior, calibration, figures / "posterior_marginals.png")
    plot_posterior_pairs(posterior, calibration, figures / "posterior_pairs.png")
    text = doc.read_text(encoding="utf-8")
    if START not in text or END not in text:
        raise SystemExit(f"{doc}: no {START} ... {END} block to fill")
    before, rest = text.split(START, 1)
    after = rest.split(END, 1)[1]
    defaults = check_defaults(calibration, run / "defaults", seeds=args.seeds, workers=args.workers)
    block = results_block(run, calibration, defaults, args.seeds)
    doc.write_text(before + block + after, encoding="utf-8")
    print(f"wrote the results of {run} into {doc}, figures in {figures}")


if __name__ == "__main__":
    main()
