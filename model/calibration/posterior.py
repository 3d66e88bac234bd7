"""The posterior sample as a file: written atomically by a calibration, read by comparisons.

The file is CSV with a header of ``#`` lines saying how it was made (method, calibration file
and fingerprint, command, git commit, date, tolerance, effective sample size), then the columns
``particle, weight, distance`` and one column per free parameter; one row per accepted particle
of the last population, weights summing to 1. The shipped file is
``model/data/posterior.csv`` (:data:`POSTERIOR_FILE`); ``innovsim calibrate
--posterior-file`` writes it.

:func:`posterior_draws` draws ``n`` distinct particles by weight (a fixed generator seed, so a
comparison always uses the same draws) for ``innovsim compare --posterior N``.
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from model.calibration.declaration import CalibrationError
from model.params.table import SPEC_BY_NAME, ParameterError, check_value

#: The posterior shipped with the project (written by the documented calibration command).
POSTERIOR_FILE = "posterior.csv"
_FIXED = ("particle", "weight", "distance")


def shipped_posterior_path() -> Path:
    """Path of ``model/data/posterior.csv`` (which may not exist yet)."""
    return Path(str(resources.files("model.data").joinpath(POSTERIOR_FILE)))


def write_posterior(frame: pd.DataFrame, path: str | os.PathLike, header: Sequence[str]) -> Path:
    """Write the posterior CSV atomically, ``header`` lines first (each prefixed ``# ``)."""
    from model.runs.results import atomic_write_bytes

    buf = io.StringIO()
    for line in header:
        buf.write(f"# {line}\n")
    frame.to_csv(buf, index=False, float_format="%.10g", lineterminator="\n")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(path, buf.getvalue().encode("utf-8"))
    return path


def read_posterior(path: str | os.PathLike | None = None) -> pd.DataFrame:
    """Read and check a posterior file (default: the shipped one).

    Returns
    -------
    DataFrame
        ``particle, weight, distance, <parameters>``; weights normalised.

    Raises
    ------
    CalibrationError
        If the file is missing, not a posterior, or holds an unknown parameter or a value out
        of its range; the message names the file and says how to make one.
    """
    p = Path(path) if path is not None else shipped_posterior_path()
    make = (
        "make one with `innovsim calibrate experiments/calibration.toml --posterior-file "
        f"{p}` (docs/calibration.md)"
    )
    if not p.is_file():
        raise CalibrationError(f"{p}: no posterior file; {make}", file=str(p))
    try:
        frame = pd.read_csv(p, comment="#")
    except (ValueError, pd.errors.ParserError) as err:
        raise CalibrationError(f"{p}: not a readable CSV ({err}); {make}", file=str(p)) from None
    missing = [c for c in _FIXED if c not in frame.columns]
    if missing:
        raise CalibrationError(
            f"{p}: not a posterior file: column {missing[0]!r} is missing (expected "
            f"{', '.join(_FIXED)} and one column per parameter); {make}",
            file=str(p),
        )
    names = [c for c in frame.columns if c not in _FIXED]
    if not names or frame.empty:
        raise CalibrationError(f"{p}: the posterior has no parameters or no rows; {make}")
    for name in names:
        if name not in SPEC_BY_NAME:
            raise CalibrationError(f"{p}: column {name!r} is not a model parameter", file=str(p))
        if not pd.api.types.is_numeric_dtype(frame[name]):
            raise CalibrationError(f"{p}: column {name!r} holds a value that is not a number")
        try:
            for v in frame[name]:
                check_value(name, float(v), origin=f"{p}: column {name!r}")
        except ParameterError as err:
            raise CalibrationError(str(err), file=str(p)) from None
    w = pd.to_numeric(frame["weight"], errors="coerce").to_numpy(float)
    if not np.all(np.isfinite(w)) or np.any(w < 0) or w.sum() <= 0:
        raise CalibrationError(f"{p}: weights must be non-negative numbers, not all zero")
    frame["weight"] = w / w.sum()
    return frame


def posterior_draws(
    n: int, path: str | os.PathLike | None = None, seed: int = 0
) -> list[dict[str, Any]]:
    """``n`` distinct particles of the posterior, drawn by weight (fixed ``seed``).

    Raises
    ------
    CalibrationError
        If the file is missing or bad, or has fewer than ``n`` particles of positive weight.
    """
    frame = read_posterior(path)
    names = [c for c in frame.columns if c not in _FIXED]
    w = frame["weight"].to_numpy(float)
    usable = int(np.count_nonzero(w > 0))
    if n < 1 or n > usable:
        where = path if path is not None else shipped_posterior_path()
        raise CalibrationError(
            f"--posterior {n}: the posterior {where} has {usable} particles of positive weight; "
            f"ask for 1 to {usable} draws"
        )
    rng = np.random.default_rng(seed)
    rows = rng.choice(len(frame), size=n, replace=False, p=w)
    return [{name: float(frame[name].iloc[i]) for name in names} for i in rows]


def posterior_summary(posterior: pd.DataFrame, calibration) -> pd.DataFrame:
    """Each free parameter's prior, default, weighted posterior mean and 90% interval.

    Parameters
    ----------
    posterior : DataFrame
        :func:`read_posterior`'s frame (``weight`` and one column per free parameter).
    calibration : Calibration
        The declaration it came from (its priors).

    Returns
    -------
    DataFrame
        Index: the free parameters in the declaration's order; columns ``distribution, low,
        high, default, mean, p05, p95`` (the quantiles weighted by the particles' weights),
        ``contraction`` (:func:`posterior_contraction`) and ``identified``: contraction at
        least :data:`IDENTIFIED_CONTRACTION`, i.e. the data narrowed the prior by at least half
        its variance (the parameter's default source says whether they did).
    """
    from model.calibration.smc import weighted_quantiles

    w = posterior["weight"].to_numpy(float)
    w = w / w.sum()
    rows = {}
    for name, prior in calibration.priors.items():
        x = posterior[name].to_numpy(float)
        p05, p95 = weighted_quantiles(x, w, (0.05, 0.95))
        rows[name] = {
            "distribution": prior.distribution,
            "low": prior.low,
            "high": prior.high,
            "default": float(SPEC_BY_NAME[name].default),
            "mean": float(np.sum(w * x)),
            "p05": float(p05),
            "p95": float(p95),
        }
        rows[name]["contraction"] = posterior_contraction(x, w, prior)
        rows[name]["identified"] = bool(rows[name]["contraction"] >= IDENTIFIED_CONTRACTION)
    return pd.DataFrame.from_dict(rows, orient="index")


#: A parameter is identified when the data remove at least half of its prior variance.
IDENTIFIED_CONTRACTION = 0.5


def posterior_contraction(x: np.ndarray, w: np.ndarray, prior) -> float:
    """``1 - posterior variance / prior variance`` (Schad, Betancourt & Vasishth 2021).

    Near 0: the data say little about the parameter (the posterior is as wide as the prior);
    near 1: they pin it down. On a log scale for a log-uniform prior, whose variance is that
    of a uniform on ``[log low, log high]``.

    Parameters
    ----------
    x : (n_particles,) float64
        The parameter's values in the posterior.
    w : (n_particles,) float64
        Particle weights summing to 1.
    prior : Prior
    """
    low, high = prior.low, prior.high
    if prior.distribution == "loguniform":
        x, low, high = np.log(x), np.log(low), np.log(high)
    mean = float(np.sum(w * x))
    variance = float(np.sum(w * (x - mean) ** 2))
    return 1.0 - variance / ((high - low) ** 2 / 12.0)
