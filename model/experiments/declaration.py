"""Experiment declarations: what a sweep runs, validated before anything runs.

An :class:`Experiment` names what is run (after EMA Workbench): the **scenarios** (policy files,
optionally compared with a **reference** scenario run on the same seeds), the **levers** (policy
settings compared on a full grid), the **uncertainties** (parameters nobody can pin down,
sampled by a **design**: ``grid``, ``lhs`` — Latin hypercube —, ``sobol`` or ``morris`` via
SALib), **constants**, the **replications** (seeds) per point and the **outputs** to keep
(indicators; whole trajectories or chosen quarters; region-wide or per county). Each point of
the design is a lever setting crossed with one uncertainty sample.

The same declaration can be a TOML file in ``experiments/`` (:func:`load_experiment`; the
format is in ``experiments/README.md``). Everything is validated before anything runs: unknown
keys, unknown parameters, values of the wrong type or outside :data:`model.params.table.SPECS`
ranges are refused with a message naming the file, the key and what is allowed. Integer
parameters drawn by a continuous design are rounded (over ``[low - 1/2, high + 1/2]``, so every
integer gets an equal share).

**Seeds.** Replication ``r`` of point ``p`` gets the seed
``SeedSequence(base_seed, spawn_key=(p, r))`` (63 bits; the same as
``SeedSequence(base_seed).spawn(...)`` children), so every run of a sweep has its own stream
and the whole sweep follows from one number. With **common random numbers** (the default
when levers are compared) the key is ``(r,)``: every point sees the same replication seeds,
so lever differences are not blurred by different draws. Runs of different scenarios of one
point and replication always share the seed (paired comparisons). Seeds are in the manifest.

An experiment also lays out its runs: :meth:`Experiment.design_table` (the parameter sample)
and :meth:`Experiment.plan_table` (run id, scenario, point, replication, seed), which
:mod:`model.runs.store` writes and :mod:`model.experiments.run` runs.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from model.builtin import builtin_dir
from model.params.reader import (
    Field,
    InputError,
    check_field,
    check_table,
    describe,
    read_toml,
    resolve_reference,
)
from model.params.table import SPEC_BY_NAME, ParameterError, Parameters, check_value
from model.sim.indicators import INDICATOR_INDEX, INDICATOR_NAMES

#: Designs that place the uncertainty sample (levers are always a full grid). ``points`` runs
#: parameter sets listed one by one (the particles of a calibration, posterior draws).
DESIGNS = ("grid", "lhs", "sobol", "morris", "points")
#: Distributions of a :class:`Range` in sampling designs.
DISTRIBUTIONS = ("uniform", "triangular", "loguniform")
EXPERIMENT_DIR = builtin_dir("experiments")
_SEED_BITS = 63
#: Version of the result-folder layout; part of the fingerprint, so a new layout never resumes
#: an old folder.
STORE_VERSION = 2


#: Size limits (see docs/inputs.md): what one 2-core, 24 GiB machine can plan, validate and
#: hold in memory. The loader checks them from the declaration alone (before any sample is
#: drawn), so a huge ``samples`` is refused at once instead of filling memory.
MAX_STEPS = 400  # quarters: 100 years
MAX_LEVELS = 1000  # grid levels or listed values of one parameter
MAX_REPLICATIONS = 100_000
MAX_SAMPLES = 100_000  # lhs sample size, sobol base size, morris trajectories
MAX_MORRIS_LEVELS = 1000
MAX_POINTS = 100_000  # design points: each is checked as a parameter set (~0.4 ms) on loading
MAX_RUNS = 10_000_000  # points x replications x scenarios: the plan table of one sweep

#: Type and range of each scalar of a declaration (the file's top level and the Python API).
SCALARS: dict[str, Field] = {
    "name": Field("text", required=True, nonempty=True),
    "description": Field("text"),
    "reference": Field("text", nonempty=True),
    "region": Field("text", nonempty=True),
    "design": Field("text"),  # one of DESIGNS: checked with its own message
    "samples": Field("int", low=1, high=MAX_SAMPLES),
    "replications": Field("int", low=1, high=MAX_REPLICATIONS),
    "base_seed": Field("int", low=0, high=2**63 - 1),
    "common_random_numbers": Field("bool"),
    "steps": Field("int", low=1, high=MAX_STEPS),
    "sobol_second_order": Field("bool"),
    "morris_levels": Field("int", low=2, high=MAX_MORRIS_LEVELS),
}
#: The schema of an experiment file's top level.
SCHEMA: dict[str, Field] = {
    **SCALARS,
    "scenarios": Field("texts", nonempty=True, high=MAX_LEVELS),
    "levers": Field("table"),
    "uncertainties": Field("table"),
    "constants": Field("table"),
    "outputs": Field("table"),
    "analysis": Field("table"),
    "points": Field("list", high=MAX_POINTS),
}


class ExperimentError(InputError):
    """An experiment declaration, file or result folder is not valid; the message says where."""


# ============================================================================================
# Declarations


@dataclass(frozen=True)
class Values:
    """An explicit list of values of one parameter (a grid axis, or a categorical choice).

    In sampling designs (``lhs``, ``sobol``, ``morris``) each value gets an equal share of
    the unit interval.
    """

    values: tuple[Any, ...]

    def __init__(self, values: Sequence[Any]):
        object.__setattr__(self, "values", tuple(values))

    def to_dict(self) -> dict[str, Any]:
        """TOML/JSON form."""
        return {"values": list(self.values)}


@dataclass(frozen=True)
class Range:
    """A range of one parameter.

    Parameters
    ----------
    low, high : float
        Bounds (inclusive), inside the parameter's allowed range.
    levels : int, optional
        Evenly spaced values for a grid (geometric spacing for ``loguniform``).
    distribution : {"uniform", "triangular", "loguniform"}
        How sampling designs spread values over the range.
    mode : float, optional
        Peak of the ``triangular`` distribution.
    """

    low: float
    high: float
    levels: int | None = None
    distribution: str = "uniform"
    mode: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """TOML/JSON form (defaults left out)."""
        out: dict[str, Any] = {"low": self.low, "high": self.high}
        if self.levels is not None:
            out["levels"] = self.levels
        if self.distribution != "uniform":
            out["distribution"] = self.distribution
        if self.mode is not None:
            out["mode"] = self.mode
        return out


@dataclass(frozen=True)
class Outputs:
    """What each run keeps.

    Parameters
    ----------
    indicators : sequence of str, optional
        Indicator names (default: all of :data:`model.sim.indicators.INDICATOR_NAMES`).
    steps : "all", "final" or list of int
        Quarters kept (0 is the state after construction, ``steps`` the horizon). ``"final"``
        and each listed quarter keep the year ending there, which the outcome of a flow at
        that quarter sums (:mod:`model.experiments.outcomes`).
    counties : bool or "final"
        Region-wide rows only (False, the default), per county as well (True), or per county
        over the year ending at the horizon only (``"final"``: what the county outcomes at
        the horizon read).
    """

    indicators: tuple[str, ...] | None = None
    steps: str | tuple[int, ...] = "all"
    counties: bool | str = False

    def __post_init__(self):
        if self.indicators is not None and not isinstance(self.indicators, tuple):
            object.__setattr__(self, "indicators", tuple(self.indicators))
        if isinstance(self.steps, list):
            object.__setattr__(self, "steps", tuple(self.steps))

    @property
    def indicator_names(self) -> tuple[str, ...]:
        """The kept indicators, in the model's order of declaration if all."""
        return self.indicators if self.indicators is not None else INDICATOR_NAMES

    def kept_steps(self, horizon: int) -> tuple[int, ...]:
        """Quarters kept for a run of ``horizon`` quarters.

        ``"final"`` and each listed quarter keep the year ending there, which their outcome
        reads (a flow's outcome is its sum over that year; :mod:`model.experiments.outcomes`).
        """
        from model.experiments.outcomes import window_steps

        if self.steps == "all":
            return tuple(range(horizon + 1))
        listed = (horizon,) if self.steps == "final" else self.steps
        return tuple(sorted({q for s in listed for q in window_steps(s)}))

    def to_dict(self) -> dict[str, Any]:
        """TOML/JSON form."""
        out: dict[str, Any] = {
            "steps": self.steps if isinstance(self.steps, str) else list(self.steps),
            "counties": self.counties,
        }
        if self.indicators is not None:
            out["indicators"] = list(self.indicators)
        return out

    def select(self, df: pd.DataFrame, horizon: int) -> pd.DataFrame:
        """Keep the declared indicators, quarters and counties of a tidy run table."""
        keep = np.array(df["indicator"].isin(self.indicator_names), dtype=bool)
        if self.steps != "all":
            keep &= np.array(df["step"].isin(self.kept_steps(horizon)), dtype=bool)
        region_rows = np.array(df["county_id"] == -1, dtype=bool)
        if self.counties is False:
            keep &= region_rows
        elif self.counties == "final":
            # the county outcomes at the horizon read its last year (flows are summed over it)
            from model.experiments.outcomes import window_steps

            last_year = np.array(df["step"].isin(window_steps(horizon)), dtype=bool)
            keep &= region_rows | last_year
        return df.loc[keep].reset_index(drop=True)


@dataclass(frozen=True)
class Analysis:
    """Sensitivity analysis that ``innovsim sweep`` runs after a ``sobol``/``morris`` sweep.

    Parameters
    ----------
    indicators : sequence of str
        Outcomes analysed (among the kept indicators): region-wide values at ``step``, or,
        when the experiment has a reference scenario, paired differences scenario − reference.
    step : "final" or int
        Quarter of the outcome.
    lang : sequence of {"en", "zh"}
        Languages of the figures.
    """

    indicators: tuple[str, ...]
    step: str | int = "final"
    lang: tuple[str, ...] = ("en", "zh")

    def __post_init__(self):
        object.__setattr__(self, "indicators", tuple(self.indicators))
        object.__setattr__(self, "lang", tuple(self.lang))

    def to_dict(self) -> dict[str, Any]:
        """TOML/JSON form."""
        return {"indicators": list(self.indicators), "step": self.step, "lang": list(self.lang)}


ParameterAxis = Values | Range


@dataclass(frozen=True)
class Experiment:
    """A sweep: scenarios × lever grid × uncertainty sample × replications.

    Parameters
    ----------
    name : str
        Name (file-safe characters recommended); the default output folder's name.
    scenarios : sequence of str
        Scenario names or ``.toml`` paths (``model.params.scenarios``); default ``["baseline"]``.
    reference : str, optional
        A scenario run with the same parameters and seeds as every other scenario, so that
        outcomes can be paired differences ("effect vs baseline").
    levers : mapping name -> Values | Range(levels=...) | list
        Policy settings, compared on their full grid.
    uncertainties : mapping name -> Values | Range | list
        Parameters sampled by ``design``.
    constants : mapping name -> value
        Fixed overrides for every run (e.g. ``firm_scale``).
    design : {"grid", "lhs", "sobol", "morris"}
        How the uncertainties are sampled.
    samples : int, optional
        ``lhs``: sample size; ``sobol``: base size N (a power of 2; N·(D+2) points, or
        N·(2D+2) with ``sobol_second_order``); ``morris``: trajectories (N·(D+1) points).
    replications : int
        Seeds per point.
    base_seed : int
        The seed every run seed (and the sampler's seed) is derived from.
    common_random_numbers : bool, optional
        Same replication seeds at every point (default: True when there are levers).
    steps : int
        Quarters simulated.
    region : str
        Region key or file.
    outputs : Outputs
        What each run keeps.
    sobol_second_order : bool
        Sobol sample supports second-order indices.
    morris_levels : int
        Grid levels of the Morris design (even; default 4).
    analysis : Analysis, optional
        Sensitivity analysis ``innovsim sweep`` runs afterwards.
    description : str
        Free text.
    source : str
        File the experiment came from ("" when declared in Python).
    points : sequence of mapping name -> value
        The ``points`` design's parameter sets, one mapping per point, each naming the same
        parameters (e.g. the particles of a calibration or draws of its posterior). Only for
        ``design = "points"``, which has no ``[uncertainties]``.

    Raises
    ------
    ExperimentError
        At construction, for anything that is not valid.
    """

    name: str
    scenarios: tuple[str, ...] = ("baseline",)
    reference: str | None = None
    levers: Mapping[str, ParameterAxis] = field(default_factory=dict)
    uncertainties: Mapping[str, ParameterAxis] = field(default_factory=dict)
    constants: Mapping[str, Any] = field(default_factory=dict)
    design: str = "grid"
    samples: int | None = None
    replications: int = 1
    base_seed: int = 0
    common_random_numbers: bool | None = None
    steps: int = 40
    region: str = "jiaxing-huzhou"
    outputs: Outputs = field(default_factory=Outputs)
    sobol_second_order: bool = False
    morris_levels: int = 4
    analysis: Analysis | None = None
    description: str = ""
    source: str = ""
    points: Sequence[Mapping[str, Any]] = ()

    # ---------------------------------------------------------------- validation
    def __post_init__(self):
        where = self.source or "Experiment"
        if isinstance(self.scenarios, str):
            object.__setattr__(self, "scenarios", (self.scenarios,))
        object.__setattr__(self, "scenarios", tuple(self.scenarios))
        if isinstance(self.outputs, Mapping):
            object.__setattr__(self, "outputs", _outputs_from(self.outputs, where))
        if isinstance(self.analysis, Mapping):
            object.__setattr__(self, "analysis", _analysis_from(self.analysis, where))
        for section in ("levers", "uncertainties"):
            for name in dict(getattr(self, section)):
                if name not in SPEC_BY_NAME:
                    try:
                        check_value(name, 0, origin=f"{where}: [{section}.{name}]")
                    except ParameterError as err:  # unknown: with a "did you mean"
                        raise ExperimentError(str(err)) from None
            axes = {
                name: _axis_from(spec, where, f"{section}.{name}")
                for name, spec in dict(getattr(self, section)).items()
            }
            object.__setattr__(self, section, axes)
        object.__setattr__(self, "constants", dict(self.constants))
        object.__setattr__(self, "points", _points_from(self.points, where))
        self._validate(where)

    def _validate(self, where: str) -> None:
        def need(ok: bool, key: str, message: str) -> None:
            if not ok:
                raise ExperimentError(f"{where}: key {key!r}: {message}", file=where, key=key)

        if self.design not in DESIGNS:
            need(False, "design", f"unknown design {self.design!r}; allowed: {', '.join(DESIGNS)}")
        for key, spec in SCALARS.items():
            value = getattr(self, key)
            if value is None and not spec.required and key in ("reference", "samples"):
                continue  # None: not given
            if value is None and key == "common_random_numbers":
                continue
            problem = check_field(value, spec)
            need(problem is None, key, str(problem))
        need(
            bool(self.scenarios)
            and len(self.scenarios) <= MAX_LEVELS
            and all(isinstance(s, str) and s for s in self.scenarios),
            "scenarios",
            f"a non-empty list (at most {MAX_LEVELS}) of scenario names or .toml files",
        )
        need(
            len(set(self.scenarios)) == len(self.scenarios),
            "scenarios",
            "each scenario once",
        )
        if self.reference is not None:
            need(isinstance(self.reference, str), "reference", "a scenario name")
            need(
                self.reference not in self.scenarios,
                "reference",
                f"{self.reference!r} is also in 'scenarios'; list it only as the reference",
            )
        need(
            (self.design == "points") == bool(self.points),
            "points",
            "the points design lists its parameter sets in 'points' (a non-empty list); "
            "other designs take none",
        )
        if self.design == "points":
            need(self.samples is None, "samples", "not for the points design (it lists them)")
            need(
                not self.uncertainties,
                "uncertainties",
                "the points design lists its parameter values in 'points', not [uncertainties]",
            )
        elif self.design == "grid":
            need(
                self.samples is None,
                "samples",
                "only for the lhs, sobol and morris designs (a grid's size follows from its "
                "values and levels)",
            )
        else:
            need(
                bool(self.uncertainties),
                "uncertainties",
                f"design {self.design!r} samples the [uncertainties]; none are given",
            )
            need(
                self.samples is not None,
                "samples",
                f"an integer in [1, {MAX_SAMPLES}] for design {self.design!r}; none is given",
            )
            if self.design == "sobol":
                need(
                    self.samples >= 2 and self.samples & (self.samples - 1) == 0,
                    "samples",
                    f"a power of 2 for the sobol design (its convergence needs it), "
                    f"got {self.samples}",
                )
            if self.design == "morris":
                need(
                    self.morris_levels >= 2 and self.morris_levels % 2 == 0,
                    "morris_levels",
                    f"an even integer >= 2, got {self.morris_levels}",
                )
        # parameters: each named once, checked against model.params.table
        seen: dict[str, str] = {}
        for section in ("levers", "uncertainties"):
            for name, axis in getattr(self, section).items():
                key = f"{section}.{name}"
                if name in seen:
                    raise ExperimentError(
                        f"{where}: [{key}]: {name!r} is already in [{seen[name]}]; "
                        "a parameter is either a lever, an uncertainty or a constant"
                    )
                seen[name] = section
                _check_axis(name, axis, where, key, grid=(section == "levers" or not self._sampled))
        for name in self.point_names:
            if name in seen:
                raise ExperimentError(
                    f"{where}: [points]: {name!r} is already in [{seen[name]}]; "
                    "a parameter is either a lever, a point's value or a constant"
                )
            seen[name] = "points"
        for name, value in self.constants.items():
            if name in seen:
                raise ExperimentError(
                    f"{where}: [constants]: {name!r} is already in [{seen[name]}]; "
                    "a parameter is either a lever, an uncertainty or a constant"
                )
            try:
                self.constants[name] = check_value(name, value, origin=f"{where}: [constants]")
            except ParameterError as err:
                raise ExperimentError(str(err)) from None
        _check_outputs(self.outputs, self.steps, where)
        self._check_size(where)
        if self.analysis is not None:
            need(
                self._sampled and self.design in ("sobol", "morris"),
                "analysis",
                "only for the sobol and morris designs",
            )
            for name in self.analysis.indicators:
                need(
                    name in self.outputs.indicator_names,
                    "analysis",
                    f"indicator {name!r} is not among the kept [outputs] indicators",
                )
            step = self.steps if self.analysis.step == "final" else self.analysis.step
            need(
                _is_int(step) and step in self.outputs.kept_steps(self.steps),
                "analysis",
                f"step {self.analysis.step!r} is not a kept quarter",
            )
            need(
                all(lang in ("en", "zh") for lang in self.analysis.lang),
                "analysis",
                "lang must list 'en' and/or 'zh'",
            )

    @property
    def _sampled(self) -> bool:
        return self.design not in ("grid", "points")

    @property
    def point_names(self) -> tuple[str, ...]:
        """Parameters the ``points`` design sets (empty for other designs)."""
        return tuple(self.points[0]) if self.points else ()

    def _check_size(self, where: str) -> None:
        """Refuse a design larger than :data:`MAX_POINTS` points or :data:`MAX_RUNS` runs."""
        points = self.n_points()
        if points > MAX_POINTS:
            raise ExperimentError(
                f"{where}: the design has {points:,} points (levers x uncertainty samples); "
                f"at most {MAX_POINTS:,} are allowed: use fewer levels, values or samples",
                file=where,
            )
        runs = self.n_runs()
        if runs > MAX_RUNS:
            raise ExperimentError(
                f"{where}: the sweep plans {runs:,} runs ({points:,} points x "
                f"{self.replications} replications x {len(self.all_scenarios)} scenarios); at "
                f"most {MAX_RUNS:,} are allowed: use fewer points, replications or scenarios",
                file=where,
                key="replications",
            )

    def check(self) -> None:
        """Validate everything that needs files or the whole design, before anything runs.

        Scenario files and the region load; every point of the design, under every scenario,
        is a valid parameter set (including the cross-parameter rules of
        :class:`model.params.table.Parameters`).

        Raises
        ------
        ExperimentError
        """
        where = self.source or "Experiment"
        overrides = self.scenario_overrides  # loads the scenario files
        try:
            from model.sim.region import load_region

            load_region(self._resolve_file(self.region))
        except (ValueError, FileNotFoundError) as err:
            raise ExperimentError(f"{where}: key 'region': {err}") from None
        design = self.design_table()
        names = self.parameter_names
        columns = [design[n].tolist() for n in names]
        for p in range(len(design)):
            point = {n: col[p] for n, col in zip(names, columns, strict=True)}
            for scenario, base in overrides.items():
                try:
                    Parameters({**base, **self.constants, **point}, origin="")
                except ParameterError as err:
                    raise ExperimentError(
                        f"{where}: design point {p} {point} under scenario {scenario!r} is "
                        f"not a valid parameter set:{str(err).lstrip(':')}"
                    ) from None

    # ---------------------------------------------------------------- derived
    @property
    def all_scenarios(self) -> tuple[str, ...]:
        """Scenarios in run order: the reference (if any) first, then ``scenarios``."""
        return ((self.reference,) if self.reference else ()) + self.scenarios

    @property
    def parameter_names(self) -> tuple[str, ...]:
        """Varied parameters: levers then uncertainties (or the points' parameters)."""
        return tuple(self.levers) + tuple(self.uncertainties) + self.point_names

    @property
    def crn(self) -> bool:
        """Whether common random numbers are used (the resolved default)."""
        if self.common_random_numbers is None:
            return bool(self.levers)
        return self.common_random_numbers

    def _resolve_file(self, name: str) -> str:
        """A ``.toml`` path relative to the experiment file, else the name as given."""
        if self.source and name.endswith(".toml") and not Path(name).is_absolute():
            candidate = Path(self.source).parent / name
            if candidate.exists():
                return str(candidate)
        return name

    def _load_scenario(self, name: str, key: str) -> Any:
        """Load a scenario named in the declaration.

        In a file, a scenario is ``NAME``, ``NAME.toml`` or names joined with ``+``, each a
        built-in scenario or a ``.toml`` file of the experiment file's folder (never a path).
        Declared in Python, it is anything :func:`model.params.scenarios.load_scenario` takes.
        """
        from model.params.scenarios import load_scenario

        if not self.source:
            return load_scenario(name)
        from model.params.scenarios import SCENARIO_DIR

        folder = Path(self.source).parent
        parts = [
            resolve_reference(
                part,
                folder,
                SCENARIO_DIR,
                file=self.source,
                key=key,
                what="scenario",
                cls=ExperimentError,
            )
            for part in name.split("+")
        ]
        if len(parts) == 1:
            return load_scenario(parts[0])
        return load_scenario("+".join(p.stem for p in parts), directory=folder)

    @cached_property
    def scenario_overrides(self) -> dict[str, dict[str, Any]]:
        """Resolved parameter overrides of each scenario, keyed by scenario name."""
        from model.params.scenarios import ScenarioError

        where = self.source or "Experiment"
        out: dict[str, dict[str, Any]] = {}
        for name in self.all_scenarios:
            key = "reference" if name == self.reference else "scenarios"
            try:
                scenario = self._load_scenario(name, key)
            except ScenarioError as err:
                raise ExperimentError(f"{where}: key {key!r}: {err}", file=where, key=key) from None
            if scenario.name in out:
                raise ExperimentError(
                    f"{where}: key {key!r}: two entries resolve to scenario {scenario.name!r}"
                )
            out[scenario.name] = dict(scenario.overrides)
        return out

    @property
    def scenario_names(self) -> tuple[str, ...]:
        """Names recorded in results, in :attr:`all_scenarios` order."""
        return tuple(self.scenario_overrides)

    @property
    def reference_name(self) -> str | None:
        """Recorded name of the reference scenario."""
        return self.scenario_names[0] if self.reference else None

    def lever_grid(self) -> list[dict[str, Any]]:
        """Every lever combination (declaration order, last lever fastest)."""
        axes = [_grid_values(n, a) for n, a in self.levers.items()]
        return [dict(zip(self.levers, combo, strict=True)) for combo in itertools.product(*axes)]

    def unit_sample(self) -> np.ndarray | None:
        """The uncertainty sample in the unit hypercube, shape (n_samples, n_uncertainties).

        None for the ``grid`` design. This is what SALib analyses see (Morris elementary
        effects are per unit of each parameter's range).
        """
        return self._samples[1]

    def uncertainty_sample(self) -> list[dict[str, Any]]:
        """Uncertainty values of each sample (a single empty sample if there are none)."""
        return self._samples[0]

    @cached_property
    def _samples(self) -> tuple[list[dict[str, Any]], np.ndarray | None]:
        names = list(self.uncertainties)
        if self.design == "points":
            return [dict(p) for p in self.points], None
        if not self._sampled:
            axes = [_grid_values(n, a) for n, a in self.uncertainties.items()]
            return [dict(zip(names, c, strict=True)) for c in itertools.product(*axes)], None
        unit = self._unit_design()
        columns = [
            _from_unit(name, self.uncertainties[name], unit[:, j]) for j, name in enumerate(names)
        ]
        rows = [{name: columns[j][i] for j, name in enumerate(names)} for i in range(unit.shape[0])]
        return rows, unit

    def _unit_design(self) -> np.ndarray:
        d = len(self.uncertainties)
        problem = {"num_vars": d, "names": list(self.uncertainties), "bounds": [[0.0, 1.0]] * d}
        seed = int(self.base_seed % 2**32)
        if self.design == "lhs":
            from SALib.sample import latin

            unit = latin.sample(problem, self.samples, seed=seed)
        elif self.design == "sobol":
            from SALib.sample import sobol

            unit = sobol.sample(
                problem,
                self.samples,
                calc_second_order=self.sobol_second_order,
                scramble=True,
                seed=seed,
            )
        else:
            from SALib.sample import morris

            unit = morris.sample(problem, self.samples, num_levels=self.morris_levels, seed=seed)
        return np.clip(np.asarray(unit, dtype=np.float64), 0.0, 1.0)

    def n_points(self) -> int:
        """Design points: lever combinations × uncertainty samples.

        Counted from the declaration (no sample is drawn), so it is cheap for any size.
        """
        levers = math.prod(_axis_size(a) for a in self.levers.values())
        d = len(self.uncertainties)
        if self.design == "grid":
            samples = math.prod(_axis_size(a) for a in self.uncertainties.values())
        elif self.design == "points":
            samples = len(self.points)
        elif self.design == "lhs":
            samples = self.samples
        elif self.design == "sobol":
            samples = self.samples * ((2 * d + 2) if self.sobol_second_order else (d + 2))
        else:  # morris: one trajectory is d + 1 points
            samples = self.samples * (d + 1)
        return int(levers * samples)

    def n_runs(self) -> int:
        """Runs: points × replications × scenarios (including the reference)."""
        return self.n_points() * self.replications * len(self.all_scenarios)

    def design_table(self) -> pd.DataFrame:
        """The design: one row per point.

        Returns
        -------
        DataFrame
            ``point``, ``lever_point`` (index of the lever combination), ``sample`` (index of
            the uncertainty sample), one column per varied parameter (its type), and, for
            sampling designs, ``unit:NAME`` columns (the unit-hypercube sample).
        """
        levers = self.lever_grid()
        sample = self.uncertainty_sample()
        unit = self.unit_sample()
        n_l, n_s = len(levers), len(sample)
        table: dict[str, Any] = {
            "point": np.arange(n_l * n_s, dtype=np.int64),
            "lever_point": np.repeat(np.arange(n_l, dtype=np.int64), n_s),
            "sample": np.tile(np.arange(n_s, dtype=np.int64), n_l),
        }
        for name in self.levers:
            table[name] = _typed(name, [row[name] for row in levers for _ in range(n_s)])
        for name in (*self.uncertainties, *self.point_names):
            table[name] = _typed(name, [row[name] for row in sample] * n_l)
        if unit is not None:
            for j, name in enumerate(self.uncertainties):
                table[f"unit:{name}"] = np.tile(unit[:, j], n_l)
        return pd.DataFrame(table)

    def seeds(self) -> np.ndarray:
        """Seed of each (point, replication), shape (n_points, replications), int64."""
        n_p, n_r = self.n_points(), self.replications
        if self.crn:
            row = np.array([replication_seed(self.base_seed, None, r) for r in range(n_r)])
            return np.tile(row, (n_p, 1)).astype(np.int64)
        return np.array(
            [[replication_seed(self.base_seed, p, r) for r in range(n_r)] for p in range(n_p)],
            dtype=np.int64,
        ).reshape(n_p, n_r)

    def plan_table(self) -> pd.DataFrame:
        """Every run: ``run_id, scenario, point, replication, seed`` in run order."""
        seeds = self.seeds()
        n_p, n_r = seeds.shape
        names = self.scenario_names
        n_s = len(names)
        point = np.repeat(np.arange(n_p, dtype=np.int64), n_r * n_s)
        rep = np.tile(np.repeat(np.arange(n_r, dtype=np.int64), n_s), n_p)
        scen = np.tile(np.arange(n_s), n_p * n_r)
        safe = [file_safe(s) for s in names]
        run_ids = [f"p{p:06d}-r{r:03d}-{safe[s]}" for p, r, s in zip(point, rep, scen, strict=True)]
        if len(set(run_ids)) != len(run_ids):
            raise ExperimentError(
                f"{self.source or 'Experiment'}: scenario names {list(names)} collide once "
                "made file-safe; rename one"
            )
        return pd.DataFrame(
            {
                "run_id": pd.Series(run_ids, dtype="string"),
                "scenario": pd.Series(np.array(names, dtype=object)[scen], dtype="string"),
                "point": point,
                "replication": rep,
                "seed": seeds[point, rep].astype(np.int64),
            }
        )

    # ---------------------------------------------------------------- serialisation
    def to_dict(self) -> dict[str, Any]:
        """Plain (TOML/JSON) form of the declaration; :meth:`from_dict` reads it back."""
        out: dict[str, Any] = {
            "name": self.name,
            "description": self.description,
            "scenarios": list(self.scenarios),
            "region": self.region,
            "steps": self.steps,
            "replications": self.replications,
            "base_seed": self.base_seed,
            "common_random_numbers": self.crn,
            "design": self.design,
            "levers": {n: a.to_dict() for n, a in self.levers.items()},
            "uncertainties": {n: a.to_dict() for n, a in self.uncertainties.items()},
            "constants": dict(self.constants),
            "outputs": self.outputs.to_dict(),
        }
        if self.reference:
            out["reference"] = self.reference
        if self._sampled:
            out["samples"] = self.samples
        if self.design == "sobol":
            out["sobol_second_order"] = self.sobol_second_order
        if self.design == "morris":
            out["morris_levels"] = self.morris_levels
        if self.analysis is not None:
            out["analysis"] = self.analysis.to_dict()
        if self.design == "points":
            out["points"] = [dict(p) for p in self.points]
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], source: str = "") -> Experiment:
        """Build an experiment from its plain form (a parsed TOML file or a manifest).

        Raises
        ------
        ExperimentError
            For unknown keys or wrong types, naming ``source``.
        """
        where = source or "experiment"
        if "priors" in data and "design" not in data:  # a calibration, not a sweep
            raise ExperimentError(
                f"{where}: is a calibration declaration (it has [priors]), not an experiment; "
                f"run it with `innovsim calibrate {source or 'FILE'}`"
            )
        if isinstance(data.get("scenarios"), str):  # one scenario may be given as a string
            data = {**data, "scenarios": [data["scenarios"]]}
        check_table(dict(data), SCHEMA, where, cls=ExperimentError)
        kwargs = dict(data)
        if "scenarios" in kwargs:
            kwargs["scenarios"] = (
                (kwargs["scenarios"],)
                if isinstance(kwargs["scenarios"], str)
                else tuple(kwargs["scenarios"])
            )
        return cls(**kwargs, source=source)

    def fingerprint(self) -> str:
        """Hash of everything that shapes the numbers (not the description or file name).

        Includes the resolved scenario overrides, so editing a scenario file between a crash
        and ``--resume`` is noticed.
        """
        return hashlib.sha256(_canonical(self._fingerprint_content()).encode()).hexdigest()[:20]

    def _fingerprint_content(self) -> dict[str, Any]:
        content = self.to_dict()
        content.pop("description", None)
        content.pop("analysis", None)
        content["scenario_overrides"] = self.scenario_overrides
        content["store_version"] = STORE_VERSION
        return content

    def with_changes(self, **changes: Any) -> Experiment:
        """A validated copy with some fields changed (e.g. a smaller smoke-test version)."""
        return replace(self, **changes)


# ============================================================================================
# Seeds


def replication_seed(base_seed: int, point: int | None, replication: int) -> int:
    """Seed of one run: ``SeedSequence(base_seed, spawn_key=key)`` reduced to 63 bits.

    ``key`` is ``(point, replication)``, or ``(replication,)`` with common random numbers
    (``point=None``).
    """
    key = (replication,) if point is None else (point, replication)
    state = np.random.SeedSequence(base_seed, spawn_key=key).generate_state(1, np.uint64)[0]
    return int(state >> np.uint64(64 - _SEED_BITS))


# ============================================================================================
# Helpers: parameter axes, the [outputs] and [analysis] tables, the fingerprint

_AXIS_KEYS = ("values", "low", "high", "levels", "distribution", "mode")


def _axis_size(axis: ParameterAxis) -> int:
    """Grid values of a checked axis: its listed values or its levels."""
    return len(axis.values) if isinstance(axis, Values) else int(axis.levels or 1)


def _is_int(v: Any) -> bool:
    return isinstance(v, int | np.integer) and not isinstance(v, bool)


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float | np.integer | np.floating) and not isinstance(v, bool)


def _axis_from(spec: Any, where: str, key: str) -> ParameterAxis:
    if isinstance(spec, Values | Range):
        return spec
    if isinstance(spec, list | tuple):
        return Values(spec)
    if isinstance(spec, Mapping):
        unknown = [k for k in spec if k not in _AXIS_KEYS]
        if unknown:
            raise ExperimentError(
                f"{where}: [{key}]: unknown key {unknown[0]!r}; allowed keys: "
                "values (a list), or low, high, levels, distribution, mode"
            )
        if "values" in spec:
            extra = [k for k in spec if k != "values"]
            if extra:
                raise ExperimentError(
                    f"{where}: [{key}]: 'values' cannot be combined with {extra[0]!r}"
                )
            if not isinstance(spec["values"], list | tuple):
                raise ExperimentError(f"{where}: [{key}]: 'values' must be a list")
            return Values(spec["values"])
        for bound in ("low", "high"):
            if bound not in spec:
                raise ExperimentError(
                    f"{where}: [{key}]: give 'values' (a list) or both 'low' and 'high'; "
                    f"{bound!r} is missing"
                )
        return Range(
            low=spec["low"],
            high=spec["high"],
            levels=spec.get("levels"),
            distribution=spec.get("distribution", "uniform"),
            mode=spec.get("mode"),
        )
    raise ExperimentError(
        f"{where}: [{key}]: expected a list of values or a table with low/high, "
        f"got {type(spec).__name__}"
    )


def _check_axis(name: str, axis: ParameterAxis, where: str, key: str, grid: bool) -> None:
    """Check one axis against the parameter's spec; normalise values to its type."""
    spec = SPEC_BY_NAME.get(name)
    origin = f"{where}: [{key}]"
    if spec is None:
        try:
            check_value(name, 0, origin=origin)  # raises with a "did you mean"
        except ParameterError as err:
            raise ExperimentError(str(err)) from None
    if isinstance(axis, Values):
        if not axis.values:
            raise ExperimentError(f"{origin}: 'values' is empty", file=where, key=key)
        if len(axis.values) > MAX_LEVELS:
            raise ExperimentError(
                f"{origin}: 'values' lists {len(axis.values)} values; at most {MAX_LEVELS}",
                file=where,
                key=key,
            )
        try:
            values = tuple(check_value(name, _py(v), origin=origin) for v in axis.values)
        except ParameterError as err:
            raise ExperimentError(str(err)) from None
        if len(set(values)) != len(values):
            raise ExperimentError(f"{origin}: 'values' lists a value twice: {list(values)}")
        object.__setattr__(axis, "values", values)
        return
    if spec.kind is bool:
        raise ExperimentError(
            f"{origin}: {name!r} is true or false; give values = [false, true] instead of a range"
        )
    for bound in ("low", "high"):
        value = getattr(axis, bound)
        if not _is_number(value):
            raise ExperimentError(f"{origin}: '{bound}' must be {spec.allowed()}, got {value!r}")
        try:
            object.__setattr__(axis, bound, check_value(name, _py(value), origin=origin))
        except ParameterError as err:
            raise ExperimentError(f"{err} (key '{bound}')") from None
    if not axis.low < axis.high:
        raise ExperimentError(
            f"{origin}: 'low' ({axis.low!r}) must be below 'high' ({axis.high!r}); "
            "put a fixed value in [constants]"
        )
    if axis.distribution not in DISTRIBUTIONS:
        raise ExperimentError(
            f"{origin}: unknown distribution {axis.distribution!r}; "
            f"allowed: {', '.join(DISTRIBUTIONS)}"
        )
    if axis.distribution == "loguniform" and axis.low <= 0:
        raise ExperimentError(f"{origin}: a loguniform range needs 'low' > 0, got {axis.low!r}")
    if axis.distribution == "triangular":
        if (
            axis.mode is None
            or not _is_number(axis.mode)
            or not (axis.low <= axis.mode <= axis.high)
        ):
            raise ExperimentError(
                f"{origin}: a triangular range needs 'mode' in [low, high], got {axis.mode!r}"
            )
    elif axis.mode is not None:
        raise ExperimentError(f"{origin}: 'mode' is only for distribution = 'triangular'")
    if axis.levels is not None:
        if not _is_int(axis.levels) or not 2 <= axis.levels <= MAX_LEVELS:
            raise ExperimentError(
                f"{origin}: 'levels' must be an integer in [2, {MAX_LEVELS}], "
                f"got {describe(axis.levels)}",
                file=where,
                key=f"{key}.levels",
            )
        values = _grid_values(name, axis)
        if len(set(values)) != len(values):
            most = int(axis.high - axis.low + 1)
            raise ExperimentError(
                f"{origin}: 'levels' = {axis.levels} repeats integers between {axis.low} and "
                f"{axis.high}; use at most {most} levels or list 'values'"
            )
    elif grid:
        what = (
            "levers are compared on a grid"
            if key.startswith("levers")
            else ("the grid design needs grid values")
        )
        raise ExperimentError(
            f"{origin}: {what}: give 'values' or 'levels' with the range "
            "(or use a sampling design: lhs, sobol, morris)"
        )


def _py(v: Any) -> Any:
    """Convert numpy scalars to Python scalars (``check_value`` wants Python types)."""
    return v.item() if isinstance(v, np.generic) else v


def _grid_values(name: str, axis: ParameterAxis) -> list[Any]:
    if isinstance(axis, Values):
        return list(axis.values)
    kind = SPEC_BY_NAME[name].kind
    if axis.distribution == "loguniform":
        raw = np.geomspace(axis.low, axis.high, axis.levels)
    else:
        raw = np.linspace(axis.low, axis.high, axis.levels)
    raw[0], raw[-1] = axis.low, axis.high
    if kind is int:
        return [int(round(v)) for v in raw]
    return [float(v) for v in raw]


def _from_unit(name: str, axis: ParameterAxis, u: np.ndarray) -> list[Any]:
    """Map unit-interval draws to parameter values (inverse CDF; integers rounded)."""
    if isinstance(axis, Values):
        k = len(axis.values)
        idx = np.minimum((u * k).astype(np.int64), k - 1)
        return [axis.values[i] for i in idx]
    kind = SPEC_BY_NAME[name].kind
    low, high = float(axis.low), float(axis.high)
    if kind is int:  # every integer gets an equal share: round over [low - 1/2, high + 1/2]
        low, high = low - 0.5, high + 0.5
    if axis.distribution == "uniform":
        x = low + u * (high - low)
    elif axis.distribution == "loguniform":
        lo = max(low, 1e-12)
        x = np.exp(np.log(lo) + u * (np.log(high) - np.log(lo)))
    else:
        c = (float(axis.mode) - low) / (high - low)
        x = np.where(
            u < c,
            low + np.sqrt(u * (high - low) * (float(axis.mode) - low)),
            high - np.sqrt((1.0 - u) * (high - low) * (high - float(axis.mode))),
        )
    if kind is int:
        return [int(v) for v in np.clip(np.floor(x + 0.5), axis.low, axis.high).astype(np.int64)]
    return [float(v) for v in np.clip(x, axis.low, axis.high)]


def _typed(name: str, values: list[Any]) -> np.ndarray:
    kind = SPEC_BY_NAME[name].kind
    dtype = {bool: np.bool_, int: np.int64, float: np.float64}[kind]
    return np.asarray(values, dtype=dtype)


def _refuse_unknown_keys(
    data: Mapping[str, Any], allowed: Sequence[str], where: str, table: str
) -> None:
    """Raise for the first key of table ``[table]`` that is not ``allowed``."""
    for key in data:
        if key not in allowed:
            raise ExperimentError(
                f"{where}: [{table}]: unknown key {key!r}; allowed keys: {', '.join(allowed)}"
            )


def _outputs_from(data: Mapping[str, Any], where: str) -> Outputs:
    _refuse_unknown_keys(data, ("indicators", "steps", "counties"), where, "outputs")
    steps = data.get("steps", "all")
    if isinstance(steps, list):
        steps = tuple(steps)
    indicators = data.get("indicators")
    if indicators is not None and (
        not isinstance(indicators, list | tuple) or not all(isinstance(i, str) for i in indicators)
    ):
        raise ExperimentError(
            f"{where}: [outputs]: key 'indicators': must be a list of indicator names, "
            f"got {describe(indicators)}",
            file=where,
            key="outputs.indicators",
        )
    return Outputs(
        indicators=tuple(indicators) if indicators is not None else None,
        steps=steps,
        counties=data.get("counties", False),
    )


def _points_from(points: Any, where: str) -> tuple[dict[str, Any], ...]:
    """Check the ``points`` design's parameter sets: same names in each, values in range."""
    if not isinstance(points, list | tuple):
        raise ExperimentError(f"{where}: key 'points': a list of tables, got {describe(points)}")
    if len(points) > MAX_POINTS:
        raise ExperimentError(
            f"{where}: key 'points': {len(points):,} points; at most {MAX_POINTS:,} are allowed"
        )
    out: list[dict[str, Any]] = []
    names: tuple[str, ...] | None = None
    for i, point in enumerate(points):
        origin = f"{where}: [points] point {i}"
        if not isinstance(point, Mapping) or not point:
            raise ExperimentError(f"{origin}: a table of parameter values, got {describe(point)}")
        if names is None:
            names = tuple(point)
        elif set(point) != set(names):
            raise ExperimentError(
                f"{origin}: names {sorted(point)}; every point names the same parameters "
                f"as point 0: {sorted(names)}"
            )
        try:
            out.append({n: check_value(n, _py(point[n]), origin=origin) for n in names})
        except ParameterError as err:
            raise ExperimentError(str(err)) from None
    return tuple(out)


def _check_outputs(outputs: Outputs, horizon: int, where: str) -> None:
    if outputs.indicators is not None:
        if not outputs.indicators:
            raise ExperimentError(f"{where}: [outputs]: 'indicators' is empty")
        for name in outputs.indicators:
            if name not in INDICATOR_INDEX:
                import difflib

                near = difflib.get_close_matches(name, INDICATOR_NAMES, n=3)
                hint = f" Did you mean: {', '.join(near)}?" if near else ""
                raise ExperimentError(
                    f"{where}: [outputs]: unknown indicator {name!r}.{hint} Known indicators: "
                    f"{', '.join(INDICATOR_NAMES)}"
                )
    steps = outputs.steps
    if not (
        steps in ("all", "final")
        if isinstance(steps, str)
        else isinstance(steps, tuple)
        and bool(steps)
        and all(_is_int(s) and 0 <= s <= horizon for s in steps)
    ):
        shown = list(steps) if isinstance(steps, tuple) else steps
        raise ExperimentError(
            f'{where}: [outputs]: \'steps\' must be "all", "final" or a list of quarters in '
            f"[0, {horizon}], got {describe(shown)}",
            file=where,
            key="outputs.steps",
        )
    # identity, not equality: 0 == False and 1 == True, but counties = 0 is a typo, not a choice
    if not (outputs.counties is True or outputs.counties is False or outputs.counties == "final"):
        raise ExperimentError(
            f"{where}: [outputs]: 'counties' must be true, false or \"final\", "
            f"got {describe(outputs.counties)}",
            file=where,
            key="outputs.counties",
        )


def _analysis_from(data: Mapping[str, Any], where: str) -> Analysis:
    _refuse_unknown_keys(data, ("indicators", "step", "lang"), where, "analysis")
    if not isinstance(data.get("indicators"), list | tuple) or not data["indicators"]:
        raise ExperimentError(f"{where}: [analysis]: 'indicators' must be a non-empty list")
    lang = data.get("lang", ["en", "zh"])
    if not isinstance(lang, list | tuple):
        raise ExperimentError(f"{where}: [analysis]: 'lang' must be a list")
    return Analysis(indicators=data["indicators"], step=data.get("step", "final"), lang=lang)


def _canonical(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), default=_json_default)


def _json_default(o: Any) -> Any:
    if isinstance(o, np.generic):
        return o.item()
    if isinstance(o, tuple):
        return list(o)
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")


def file_safe(name: str) -> str:
    """``name`` with every character that is not safe in a file name replaced by ``_``."""
    return re.sub(r"[^A-Za-z0-9_.+=-]", "_", name)


# ============================================================================================
# Experiment files


def load_experiment(path: str | os.PathLike) -> Experiment:
    """Read, validate and check an experiment file (TOML).

    ``path`` may also be the name of a file in the project's ``experiments/`` folder
    (without ``.toml``).

    Raises
    ------
    ExperimentError
        Naming the file, the key and what is allowed; nothing has run.
    """
    p = Path(path)
    if not p.exists() and p.suffix != ".toml" and (EXPERIMENT_DIR / f"{p}.toml").exists():
        p = EXPERIMENT_DIR / f"{p}.toml"
    data = read_toml(p, cls=ExperimentError)
    try:
        experiment = Experiment.from_dict(data, source=str(p))
        experiment.check()
    except ExperimentError as err:
        err.file = err.file or str(p)  # every message names the file; the attribute too
        raise
    return experiment
