"""Which uncertain parameters drive the effect of platform consolidation? (report §2.1, §3.3)

Runs ``consolidation_sobol.toml``: every point of a Sobol sample of five uncertain parameters
is run as ``platform_consolidation`` and as ``baseline`` on the same seeds; the outcome is the
paired difference at the horizon. Writes Sobol first-order and total indices with 95%
intervals (``sensitivity_sobol.csv``) and figures (English, Chinese). Usage::

    python experiments/consolidation_sobol.py [--workers N | --scheduler ADDRESS] [--resume]
    python experiments/consolidation_sobol.py --smoke      # a few-minute check
"""

from __future__ import annotations

from _common import HERE, executor, out_dir, parser

from model import Analysis, Outputs, analyse_results, load_experiment, run_experiment, sobol_indices


def main() -> None:
    args = parser(__doc__.split("\n")[0], "results/sweeps/consolidation_sobol").parse_args()
    exp = load_experiment(HERE / "consolidation_sobol.toml")
    if args.smoke:
        exp = exp.with_changes(
            samples=8,
            replications=1,
            steps=8,
            constants={"firm_scale": 0.1, "policy_start_step": 2},
            outputs=Outputs(indicators=exp.outputs.indicators, steps="final"),
        )
    exp = exp.with_changes(analysis=Analysis(exp.analysis.indicators, lang=args.lang))
    results = run_experiment(exp, out_dir(args), executor=executor(args), resume=args.resume)
    print(results)
    indices = sobol_indices(results)
    cols = ["indicator", "parameter", "S1", "S1_conf", "ST", "ST_conf"]
    print(indices[cols].round(3).to_string(index=False))
    for path in analyse_results(results):
        print(path)


if __name__ == "__main__":
    main()
