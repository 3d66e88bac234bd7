"""Stylised facts of firm and innovation dynamics that no parameter was tuned for.

Each fact is a statistic of a run (:mod:`model.validation.measures` on a
:class:`~model.validation.panel.FirmPanel`), the finding it is compared with, its source, and
the range counted as "reproduced". Where the literature gives a number, the range is an
assumed band around it and says so; where it gives a direction, the range is that direction.
The table is reported whatever it shows (``experiments/stylised_facts.py`` writes it into
docs/validation.md).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from model.params.scenarios import load_scenario
from model.sim.region import load_region
from model.validation import measures
from model.validation.panel import FirmPanel, collect_panel

#: Firms of at least this many employees form the size distribution's tail (about the
#: model's smallest "above designated size" industrial firms; assumed cut-off).
TAIL_MIN_EMPLOYEES = 20.0


@dataclass(frozen=True)
class StylisedFact:
    """One fact: how it is measured on a panel and what counts as reproducing it.

    Attributes
    ----------
    name : str
        Short identifier.
    statistic : str
        What is measured, in words.
    finding : str
        What the literature finds, with its source.
    low, high : float
        The statistic reproduces the fact when low <= value <= high.
    band_reason : str
        Why the range is what it is.
    measure : callable
        FirmPanel -> float.
    """

    name: str
    statistic: str
    finding: str
    low: float
    high: float
    band_reason: str
    measure: Callable[[FirmPanel], float]


def _tail_exponent(p: FirmPanel) -> float:
    return measures.pareto_exponent(p.final_employees, TAIL_MIN_EMPLOYEES)


def _growth_kurtosis(p: FirmPanel) -> float:
    return measures.excess_kurtosis(p.log_growth[p.survived])


def _spread_slope(p: FirmPanel) -> float:
    ok = p.survived & (p.age_q >= 20)  # past the young-firm premium
    return measures.spread_size_slope(np.log(p.employees_start[ok]), p.log_growth[ok])


def _young_growth_gap(p: FirmPanel) -> float:
    young = p.survived & (p.age_q < 12)
    mature = p.survived & (p.age_q >= 40)
    return float(p.log_growth[young].mean() - p.log_growth[mature].mean())


def _survival_5y(p: FirmPanel) -> float:
    return p.cohort_alive_5y / p.cohort_size


def _patent_exponent(p: FirmPanel) -> float:
    return measures.discrete_power_law_exponent(p.final_patents, 1)


def _persistence_ratio(p: FirmPanel) -> float:
    known = p.applied_previous_year >= 0
    stay, enter = measures.transition_probabilities(
        p.applied_previous_year[known] == 1, p.applications[known] > 0
    )
    return stay / enter


def _non_innovators_stay(p: FirmPanel) -> float:
    known = p.applied_previous_year >= 0
    _, enter = measures.transition_probabilities(
        p.applied_previous_year[known] == 1, p.applications[known] > 0
    )
    return 1.0 - enter


def _spatial_gap(p: FirmPanel) -> float:
    """Gini of county shares of patent applications minus that of value added."""
    return measures.gini(p.county_applications_last_year) - measures.gini(
        p.county_value_added_last_year_mcny
    )


STYLISED_FACTS: tuple[StylisedFact, ...] = (
    StylisedFact(
        "firm_size_tail",
        f"Pareto exponent of firm employment (firms with >= {TAIL_MIN_EMPLOYEES:.0f} employees, "
        "last quarter; rank-size regression, Gabaix & Ibragimov 2011)",
        "Firm sizes follow a power law with exponent near 1 (Zipf): 1.06 for US firms "
        "(Axtell 2001, Science 293:1818-1820)",
        0.8,
        1.3,
        "assumed band around Axtell's 1.06",
        _tail_exponent,
    ),
    StylisedFact(
        "growth_rate_tent",
        "Excess kurtosis of yearly log employment growth of surviving firms",
        "Growth rates are tent-shaped (Laplace, excess kurtosis 3), not Gaussian (0) "
        "(Stanley et al. 1996, Nature 379:804-806; "
        "Bottazzi & Secchi 2006, RAND J. Econ. 37:235-256)",
        1.0,
        np.inf,
        "assumed: clearly fatter-tailed than a Gaussian",
        _growth_kurtosis,
    ),
    StylisedFact(
        "growth_spread_falls_with_size",
        "Slope of log sd(yearly growth) on log size over size deciles (firms aged 5 years or more)",
        "The spread of growth falls with size as size^-beta, beta about 0.15-0.2 "
        "(Stanley et al. 1996; Amaral et al. 1997, J. Phys. I France 7:621-633)",
        -0.35,
        -0.05,
        "assumed band around -0.15 to -0.2",
        _spread_slope,
    ),
    StylisedFact(
        "young_firms_grow_faster",
        "Mean yearly log growth of surviving firms under 3 years old minus that of firms "
        "10 years or older",
        "Young firms that survive grow faster than mature ones (Haltiwanger, Jarmin & Miranda "
        "2013, Rev. Econ. Stat. 95:347-361)",
        0.0,
        np.inf,
        "the sign of the finding",
        _young_growth_gap,
    ),
    StylisedFact(
        "startup_survival_5y",
        "Share of start-ups alive 20 quarters after their birth quarter",
        "About half of new firms survive five years (OECD/Eurostat business demography: "
        "40-50 % in most countries); Chinese domestic enterprises about 70 % (SAIC 2013, "
        "全国内资企业生存时间分析报告). NOT untuned: young_firm_hazard_multiplier is "
        "calibrated to this (ODD §7.7), so it checks that calibration only",
        0.40,
        0.70,
        "the span of the two sources",
        _survival_5y,
    ),
    StylisedFact(
        "patent_concentration",
        "Power-law exponent of invention patents per patent-holding firm (last quarter; "
        "discrete maximum likelihood, Clauset, Shalizi & Newman 2009)",
        "Patents per applicant follow a power law with exponents from 1.66 (Japan) to 2.37 "
        "(Poland) across OECD countries (O'Neale & Hendy 2012, PLoS ONE 7:e49501)",
        1.66,
        2.37,
        "the span of the countries' exponents",
        _patent_exponent,
    ),
    StylisedFact(
        "innovation_persistence",
        "P(applies for an invention patent this year, given it applied last year) / "
        "P(applies, given it did not apply last year)",
        "Innovation is persistent: the first patent is the threshold, going from n to n+1 is "
        "much likelier than from 0 to 1 (Cefis 2003; Cefis & Orsenigo 2001)",
        2.0,
        np.inf,
        "assumed: at least twice as likely",
        _persistence_ratio,
    ),
    StylisedFact(
        "non_innovators_stay",
        "P(no invention patent application this year, given none last year)",
        "Non-innovators have a high probability of staying non-innovators (Cefis & Orsenigo 2001)",
        0.80,
        1.0,
        "assumed threshold for 'high'",
        _non_innovators_stay,
    ),
    StylisedFact(
        "innovation_more_concentrated_than_production",
        "Gini of county shares of invention patent applications minus Gini of county shares of "
        "firms' value added (last year)",
        "Innovative activity clusters in space more than production does (Audretsch & Feldman "
        "1996, Am. Econ. Rev. 86:630-640)",
        0.0,
        np.inf,
        "the sign of the finding",
        _spatial_gap,
    ),
)


@dataclass(frozen=True)
class FactResult:
    """A fact measured over seeds.

    Attributes
    ----------
    fact : StylisedFact
    values : (n_seeds,) float64
        The statistic in each seed's run.
    """

    fact: StylisedFact
    values: np.ndarray

    @property
    def mean(self) -> float:
        """Mean over seeds."""
        return float(np.mean(self.values))

    @property
    def reproduced(self) -> bool:
        """Whether the mean over seeds lies in the fact's range."""
        return self.fact.low <= self.mean <= self.fact.high


def measure_stylised_facts(
    scenario: str = "baseline",
    seeds: Sequence[int] = (1, 2, 3),
    quarters: int = 40,
    firm_scale: float = 0.5,
    region: str = "jiaxing-huzhou",
    progress: Callable[[str], None] | None = None,
) -> list[FactResult]:
    """Run ``scenario`` once per seed and measure every stylised fact on each run."""
    params = load_scenario(scenario).parameters({"firm_scale": firm_scale})
    grid = load_region(region)
    panels = []
    for i, seed in enumerate(seeds):
        if progress:
            progress(f"run {i + 1}/{len(seeds)} (seed {seed}, {quarters} quarters)")
        panels.append(collect_panel(grid, params, int(seed), quarters))
    return [
        FactResult(fact, np.array([fact.measure(p) for p in panels])) for fact in STYLISED_FACTS
    ]


def _number(x: float) -> str:
    return "∞" if np.isinf(x) else ("−∞" if np.isneginf(x) else f"{x:.3g}")


def facts_table(results: Sequence[FactResult]) -> str:
    """The results as a Markdown table: statistic, finding, range, mean and span over seeds."""
    lines = [
        "| fact | statistic | finding (source) | reproduced when "
        "| model: mean [min, max] | reproduced |",
        "|---|---|---|---|---|---|",
    ]
    for r in results:
        f = r.fact
        span = f"{r.mean:.3g} [{r.values.min():.3g}, {r.values.max():.3g}]"
        lines.append(
            f"| {f.name} | {f.statistic} | {f.finding} | {_number(f.low)} to {_number(f.high)} "
            f"({f.band_reason}) | {span} | {'yes' if r.reproduced else '**no**'} |"
        )
    return "\n".join(lines)
