"""A calibration declared: free parameters with their priors, the data's years, the SMC's size.

:class:`Calibration` is what ``experiments/calibration.toml`` holds (:func:`load_calibration`):
the behavioural parameters left free and their **priors** (a uniform or log-uniform range inside
the parameter's range in :data:`model.params.table.SPECS`), the scenario calibrated (the
baseline), the region, **base_year** (the first simulated year) and **last_year** (the last
year of data used; the runs last until its end), constants, seeds, and the size of the ABC-SMC
(:mod:`model.calibration.smc`): populations, particles kept per population, candidates per
batch, batches allowed per population, the tolerance quantile. A ``[small]`` table gives the
sizes ``--small`` uses (tests, the notebook). Everything is validated before anything runs.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from model.builtin import builtin_dir
from model.params.reader import Field, InputError, check_table, read_toml
from model.params.table import SPEC_BY_NAME, ParameterError, check_value

#: Largest number of simulations one calibration may plan (as a sweep's run limit).
MAX_PLANNED_RUNS = 1_000_000
PRIOR_DISTRIBUTIONS = ("uniform", "loguniform")

#: Sizes of the SMC and their allowed ranges.
SIZE_FIELDS: dict[str, Field] = {
    "populations": Field("int", low=1, high=100),
    "particles": Field("int", low=2, high=100_000),
    "candidates": Field("int", low=2, high=100_000),
    "prior_candidates": Field("int", low=2, high=100_000),
    "max_batches": Field("int", low=1, high=100),
    "quantile": Field("number", low=0.05, high=0.95),
    "replications": Field("int", low=1, high=1000),
}
#: The distances a calibration may declare, and how its documents name them
#: (:func:`model.calibration.targets.distance` computes them).
DISTANCES: dict[str, str] = {
    "rms": "root mean square of |simulated - data| / tolerance",
    "mean_absolute": "mean of |simulated - data| / tolerance",
}

SCHEMA: dict[str, Field] = {
    "name": Field("text", required=True, nonempty=True),
    "description": Field("text"),
    "scenario": Field("text", nonempty=True),
    "region": Field("text", nonempty=True),
    "base_year": Field("int", low=1900, high=2100),
    "last_year": Field("int", low=1900, high=2100),
    "base_seed": Field("int", low=0, high=2**63 - 1),
    "constants": Field("table"),
    "holdout": Field("texts", high=2),
    "priors": Field("table", required=True),
    "distance": Field("text", choices=tuple(DISTANCES)),
    "small": Field("table"),
    **SIZE_FIELDS,
}
CALIBRATION_DIR = builtin_dir("experiments")


class CalibrationError(InputError):
    """A calibration declaration, its folder or a posterior file is not valid."""


@dataclass(frozen=True)
class Prior:
    """A uniform or log-uniform prior on ``[low, high]``."""

    low: float
    high: float
    distribution: str = "uniform"

    def to_value(self, u: np.ndarray) -> np.ndarray:
        """Parameter values of unit-interval coordinates ``u``."""
        u = np.asarray(u, dtype=float)
        if self.distribution == "loguniform":
            lo, hi = math.log(self.low), math.log(self.high)
            return np.exp(lo + u * (hi - lo))
        return self.low + u * (self.high - self.low)

    def to_unit(self, x: np.ndarray) -> np.ndarray:
        """Unit-interval coordinates of parameter values ``x`` (inverse of :meth:`to_value`)."""
        x = np.asarray(x, dtype=float)
        if self.distribution == "loguniform":
            lo, hi = math.log(self.low), math.log(self.high)
            return (np.log(x) - lo) / (hi - lo)
        return (x - self.low) / (self.high - self.low)

    def to_dict(self) -> dict[str, Any]:
        """TOML/JSON form."""
        out: dict[str, Any] = {"low": self.low, "high": self.high}
        if self.distribution != "uniform":
            out["distribution"] = self.distribution
        return out


@dataclass(frozen=True)
class Calibration:
    """An ABC-SMC calibration of the free behavioural parameters against the county data.

    Parameters
    ----------
    name : str
        Name; the default output folder is ``results/calibration/NAME``.
    priors : mapping name -> Prior or {low, high, distribution}
        Free parameters (floats of :data:`~model.params.table.SPECS`) and their priors.
    scenario : str
        Scenario calibrated (its overrides apply under the free parameters).
    region : str
        Region key or file.
    base_year, last_year : int
        First simulated year and the last year of data used; the runs last
        ``4 (last_year - base_year + 1)`` quarters.
    base_seed : int
        Seeds of the runs and of the proposals follow from it.
    holdout : sequence of str
        Data sets (:data:`model.calibration.targets.DATASETS`) kept out of the calibration:
        their targets are simulated by every candidate and reported for the posterior (the
        out-of-sample table) but are not in the distance.
    constants : mapping
        Fixed parameter values for every run.
    populations : int
        SMC populations (the first is drawn from the prior).
    particles : int
        Particles a population keeps (the first population keeps its ``particles`` closest
        candidates; later ones keep every candidate within their tolerance, at least this many).
    prior_candidates : int
        Candidates drawn from the prior for the first population.
    candidates : int
        Candidates proposed per batch in later populations.
    max_batches : int
        Batches a later population may run to reach ``particles`` accepted; if it cannot, the
        calibration stops and keeps the last complete population.
    quantile : float
        Each tolerance is this quantile of the previous population's accepted distances.
    replications : int
        Seeds per candidate (its statistics are averaged over them).
    distance : {"rms", "mean_absolute"}
        How the tolerance-scaled discrepancies of the in-sample targets make one distance
        (:data:`DISTANCES`).
    small : mapping
        Sizes (and constants) used by :meth:`small_version`.
    description, source : str
    """

    name: str
    priors: Mapping[str, Prior]
    scenario: str = "baseline"
    region: str = "jiaxing-huzhou"
    base_year: int = 2013
    last_year: int = 2018
    base_seed: int = 0
    holdout: tuple[str, ...] = ()
    constants: Mapping[str, Any] = field(default_factory=dict)
    populations: int = 5
    particles: int = 60
    prior_candidates: int = 400
    candidates: int = 200
    max_batches: int = 2
    quantile: float = 0.5
    replications: int = 1
    distance: str = "rms"
    small: Mapping[str, Any] = field(default_factory=dict)
    description: str = ""
    source: str = ""

    def __post_init__(self):
        where = self.source or "Calibration"
        from model.calibration.targets import DATASETS

        holdout = tuple(self.holdout)
        for name in holdout:
            if name not in DATASETS:
                raise CalibrationError(
                    f"{where}: 'holdout': unknown data set {name!r}; allowed: {', '.join(DATASETS)}"
                )
        object.__setattr__(self, "holdout", holdout)
        if self.distance not in DISTANCES:
            raise CalibrationError(
                f"{where}: 'distance': {self.distance!r} is not one of {', '.join(DISTANCES)}"
            )
        priors = {n: _prior_from(n, p, where) for n, p in dict(self.priors).items()}
        if not priors:
            raise CalibrationError(f"{where}: [priors]: name at least one free parameter")
        object.__setattr__(self, "priors", priors)
        constants = {}
        for name, value in dict(self.constants).items():
            if name in priors:
                raise CalibrationError(
                    f"{where}: [constants]: {name!r} is also in [priors]; a parameter is either "
                    "free or constant"
                )
            try:
                constants[name] = check_value(name, value, origin=f"{where}: [constants]")
            except ParameterError as err:
                raise CalibrationError(str(err)) from None
        object.__setattr__(self, "constants", constants)
        if self.last_year < self.base_year:
            raise CalibrationError(
                f"{where}: 'last_year' ({self.last_year}) is before 'base_year' ({self.base_year})"
            )
        for key, spec in SIZE_FIELDS.items():
            check_table({key: getattr(self, key)}, {key: spec}, where, cls=CalibrationError)
        if self.prior_candidates < self.particles:
            raise CalibrationError(
                f"{where}: 'prior_candidates' ({self.prior_candidates}) must be at least "
                f"'particles' ({self.particles})"
            )
        unknown = set(self.small) - set(SIZE_FIELDS) - {"constants"}
        if unknown:
            raise CalibrationError(
                f"{where}: [small]: unknown key {sorted(unknown)[0]!r}; allowed: "
                f"{', '.join([*SIZE_FIELDS, 'constants'])}"
            )
        if self.max_runs() > MAX_PLANNED_RUNS:
            raise CalibrationError(
                f"{where}: plans up to {self.max_runs():,} runs; at most {MAX_PLANNED_RUNS:,}"
            )

    # ------------------------------------------------------------------ derived
    @property
    def names(self) -> tuple[str, ...]:
        """Free parameters, in declaration order."""
        return tuple(self.priors)

    @property
    def steps(self) -> int:
        """Quarters simulated: to the end of ``last_year``."""
        return 4 * (self.last_year - self.base_year + 1)

    def to_values(self, u: np.ndarray) -> list[dict[str, float]]:
        """Parameter sets of unit-space rows ``u`` (shape (n, d))."""
        cols = [self.priors[n].to_value(u[:, j]) for j, n in enumerate(self.names)]
        lows = [SPEC_BY_NAME[n].low for n in self.names]
        highs = [SPEC_BY_NAME[n].high for n in self.names]
        return [
            {
                n: float(min(max(cols[j][i], lows[j]), highs[j]))  # guard against rounding
                for j, n in enumerate(self.names)
            }
            for i in range(u.shape[0])
        ]

    def typical_runs(self) -> int:
        """Runs when every later population needs one batch."""
        later = (self.populations - 1) * self.candidates
        return (self.prior_candidates + later) * self.replications

    def max_runs(self) -> int:
        """Runs at most (every later population uses all its batches)."""
        later = (self.populations - 1) * self.candidates * self.max_batches
        return (self.prior_candidates + later) * self.replications

    def small_version(self) -> Calibration:
        """The calibration at the sizes of its ``[small]`` table (constants merged)."""
        sizes = {k: v for k, v in self.small.items() if k != "constants"}
        constants = {**self.constants, **dict(self.small.get("constants", {}))}
        return replace(self, **sizes, constants=constants, name=f"{self.name}-small")

    def to_dict(self) -> dict[str, Any]:
        """Plain (TOML/JSON) form."""
        return {
            "name": self.name,
            "description": self.description,
            "scenario": self.scenario,
            "region": self.region,
            "base_year": self.base_year,
            "last_year": self.last_year,
            "base_seed": self.base_seed,
            "holdout": list(self.holdout),
            "constants": dict(self.constants),
            "priors": {n: p.to_dict() for n, p in self.priors.items()},
            "distance": self.distance,
            **{k: getattr(self, k) for k in SIZE_FIELDS},
        }

    def fingerprint(self) -> str:
        """Hash of everything that shapes the numbers (not the name, description or file)."""
        content = self.to_dict()
        for key in ("name", "description"):
            content.pop(key)
        text = json.dumps(content, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()[:20]

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], source: str = "") -> Calibration:
        """Build from a parsed TOML file; refuse unknown keys and wrong types."""
        if "design" in data and "priors" not in data:  # a sweep, not a calibration
            raise CalibrationError(
                f"{source or 'calibration'}: is an experiment declaration (it has 'design'), "
                f"not a calibration; run it with `innovsim sweep {source or 'FILE'}`"
            )
        check_table(dict(data), SCHEMA, source or "calibration", cls=CalibrationError)
        return cls(**dict(data), source=source)


def _prior_from(name: str, spec: Any, where: str) -> Prior:
    origin = f"{where}: [priors.{name}]"
    s = SPEC_BY_NAME.get(name)
    if s is None:
        try:
            check_value(name, 0.0, origin=origin)  # raises with a "did you mean"
        except ParameterError as err:
            raise CalibrationError(str(err)) from None
    if s.kind is not float:
        raise CalibrationError(
            f"{origin}: {name!r} is {s.kind.__name__}; only real-valued parameters can be free"
        )
    if isinstance(spec, Prior):
        spec = spec.to_dict()
    if not isinstance(spec, Mapping) or "low" not in spec or "high" not in spec:
        raise CalibrationError(f"{origin}: give a table {{ low = ..., high = ... }}")
    unknown = set(spec) - {"low", "high", "distribution"}
    if unknown:
        raise CalibrationError(
            f"{origin}: unknown key {sorted(unknown)[0]!r}; allowed: low, high, distribution"
        )
    try:
        low = float(check_value(name, spec["low"], origin=f"{origin} low"))
        high = float(check_value(name, spec["high"], origin=f"{origin} high"))
    except ParameterError as err:
        raise CalibrationError(str(err)) from None
    dist = spec.get("distribution", "uniform")
    if dist not in PRIOR_DISTRIBUTIONS:
        raise CalibrationError(
            f"{origin}: distribution {dist!r}; allowed: {', '.join(PRIOR_DISTRIBUTIONS)}"
        )
    if not low < high:
        raise CalibrationError(f"{origin}: 'low' ({low}) must be below 'high' ({high})")
    if dist == "loguniform" and low <= 0:
        raise CalibrationError(f"{origin}: a loguniform prior needs 'low' > 0, got {low}")
    return Prior(low, high, dist)


def load_calibration(path: str | os.PathLike) -> Calibration:
    """Read and validate a calibration file; a bare name is looked up in ``experiments/``."""
    p = Path(path)
    if not p.exists() and p.suffix != ".toml" and (CALIBRATION_DIR / f"{p}.toml").exists():
        p = CALIBRATION_DIR / f"{p}.toml"
    data = read_toml(p, cls=CalibrationError)
    return Calibration.from_dict(data, source=str(p))
