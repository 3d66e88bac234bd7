"""Rebate share x voucher budget: what happens to high-tech enterprises? (report §3.3, §3.4)

Runs ``rebate_voucher_grid.toml`` (6 x 6 lever settings x 30 seeds, common random numbers)
and draws, for each setting, the mean change in high-tech enterprises at the horizon against
the setting with neither lever (same seeds, so the difference is paired) and the mean yearly
fiscal cost. Usage::

    python experiments/rebate_voucher_grid.py [--workers N | --scheduler ADDRESS] [--resume]
    python experiments/rebate_voucher_grid.py --smoke      # a one-minute check
"""

from __future__ import annotations

import numpy as np
from _common import HERE, executor, out_dir, parser
from matplotlib.figure import Figure

from model import Outputs, Range, load_experiment, run_experiment, save_figure, use_cjk_font

REBATE, VOUCHER = "tax_rebate_share", "voucher_budget_mcny_per_q"
TEXT = {
    "en": {
        "hte": "Change in high-tech enterprises at the horizon vs no lever (mean, same seeds)",
        "cost": "Policy cost, counties + province (m CNY a year, mean over the run)",
        "x": "Voucher budget (m CNY a year)",
        "y": "Rebate share (%)",
    },
    "zh": {
        "hte": "期末高新技术企业数相对无政策的变化（均值，相同随机种子）",
        "cost": "政策成本，县级+省级（百万元/年，全期均值）",
        "x": "创新券预算（百万元/年）",
        "y": "返还比例（%）",
    },
}


def heatmap(table, title: str, lang: str, family: str) -> Figure:
    fig = Figure(figsize=(6.4, 4.8), layout="constrained")
    ax = fig.subplots()
    values = table.to_numpy(dtype=float)
    im = ax.imshow(values, origin="lower", cmap="viridis", aspect="auto")
    ax.set_xticks(range(values.shape[1]), [f"{4 * v:g}" for v in table.columns])
    ax.set_yticks(range(values.shape[0]), [f"{100 * v:g}" for v in table.index])
    mid = np.nanmin(values) + 0.6 * (np.nanmax(values) - np.nanmin(values))
    for (i, j), v in np.ndenumerate(values):
        color = "black" if v > mid else "white"  # readable on light and dark cells
        ax.text(j, i, f"{v:.1f}", ha="center", va="center", fontsize=7.5, color=color)
    ax.set_xlabel(TEXT[lang]["x"], fontfamily=family)
    ax.set_ylabel(TEXT[lang]["y"], fontfamily=family)
    ax.set_title(title, fontfamily=family, fontsize=9.5)
    fig.colorbar(im, ax=ax, shrink=0.85)
    return fig


def main() -> None:
    args = parser(__doc__.split("\n")[0], "results/sweeps/rebate_voucher_grid").parse_args()
    exp = load_experiment(HERE / "rebate_voucher_grid.toml")
    if args.smoke:
        exp = exp.with_changes(
            levers={REBATE: Range(0.0, 1.0, levels=3), VOUCHER: Range(0.0, 12.5, levels=3)},
            replications=2,
            steps=8,
            constants={"firm_scale": 0.1, "policy_start_step": 2},
            outputs=Outputs(
                indicators=exp.outputs.indicators, steps="all", counties=exp.outputs.counties
            ),
        )
    out = out_dir(args)
    results = run_experiment(exp, out, executor=executor(args), resume=args.resume)
    print(results)
    final = results.outcomes(["high_tech_enterprises"])
    none = final[(final[REBATE] == 0) & (final[VOUCHER] == 0)].set_index("replication")["value"]
    final["change"] = final["value"].to_numpy() - none.reindex(final["replication"]).to_numpy()
    hte = final.pivot_table(index=REBATE, columns=VOUCHER, values="change", aggfunc="mean")
    costs = results.load(
        ["county_policy_cost_mcny", "province_policy_cost_mcny"], counties="region"
    )
    per_run = costs.groupby(["run_id", REBATE, VOUCHER])["value"].sum() / (exp.steps / 4)
    cost = per_run.groupby([REBATE, VOUCHER]).mean().unstack(VOUCHER)
    print("mean change in high-tech enterprises at the horizon vs no lever:")
    print(hte.round(1).to_string())
    print("mean policy cost (m CNY a year):")
    print(cost.round(1).to_string())
    family = use_cjk_font()
    for lang in args.lang:
        for name, table in (("hte", hte), ("cost", cost)):
            fig = heatmap(table, TEXT[lang][name], lang, family)
            print(save_figure(fig, out / "figures" / f"grid_{name}_{lang}.png"))


if __name__ == "__main__":
    main()
