"""Province-scale sweep on the synthetic 90-county region, locally or on a Dask cluster.

Runs ``province_sweep.toml`` (tax rebate on/off x a Latin hypercube of three behavioural
uncertainties, 2 seeds; 64 runs at a fifth of the firms, minutes on 2 cores) and maps the mean
paired change in high-tech enterprises per county at the horizon (rebate on − off, same seeds
and uncertainty sample). Scale it out with ``--scheduler tcp://host:8786`` after raising
``firm_scale``, ``samples`` and ``replications`` in the file. Usage::

    python experiments/province_sweep.py [--workers N | --scheduler ADDRESS] [--resume]
    python experiments/province_sweep.py --smoke
"""

from __future__ import annotations

from _common import HERE, executor, out_dir, parser

from model import load_experiment, load_region, plot_county_map, run_experiment, save_figure

TITLE = {
    "en": "Tax rebate: change in high-tech enterprises per county at the horizon (mean)",
    "zh": "所得税返还：期末各县高新技术企业数变化（均值）",
}


def main() -> None:
    args = parser(__doc__.split("\n")[0], "results/sweeps/province_sweep").parse_args()
    exp = load_experiment(HERE / "province_sweep.toml")
    if args.smoke:
        exp = exp.with_changes(samples=2, replications=1, steps=4)
    results = run_experiment(exp, out_dir(args), executor=executor(args), resume=args.resume)
    print(results)
    df = results.load(["high_tech_enterprises"], steps="final")
    df = df.merge(results.design[["point", "sample"]], on="point")
    counties = df[df["county_id"] >= 0]
    # pairs: the same uncertainty sample, seed and county with the rebate on and off
    wide = counties.pivot_table(
        index=["sample", "replication", "county_id"], columns="tax_rebate_share", values="value"
    )
    change = (wide[1.0] - wide[0.0]).groupby("county_id").mean()
    print(f"{len(results.plan)} runs; mean change over the region: {change.sum():+.1f} firms")
    print(change.describe().round(2).to_string())
    geo = load_region(exp.region)
    for lang in args.lang:
        fig = plot_county_map(geo, change.to_dict(), title=TITLE[lang], lang=lang, diverging=True)
        print(save_figure(fig, out_dir(args) / "figures" / f"map_rebate_hte_{lang}.png"))


if __name__ == "__main__":
    main()
