"""Result tables and files: tidy indicators, atomic Parquet writes, run manifests.

Results are tidy (one row per scenario, seed, step, county, indicator) so they load straight
into pandas. Files are written atomically — to a temporary file in the same folder, then
renamed — so a crash never leaves a half-written result that could be read back.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import tempfile
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from model.sim.engine import region_totals
from model.sim.indicators import INDICATOR_NAMES, N_INDICATORS
from model.sim.region import Region

TIDY_COLUMNS = ("scenario", "seed", "step", "county_id", "county", "indicator", "value")


def tidy_indicators(
    history: np.ndarray, region: Region, scenario: str, seed: int, first_step: int = 0
) -> pd.DataFrame:
    """Turn an indicator history into a tidy DataFrame.

    Parameters
    ----------
    history : (n_steps, n_counties, N_INDICATORS) float64
        County indicators per collected quarter.
    region : Region
    scenario : str
    seed : int
    first_step : int
        Step number of ``history[0]``.

    Returns
    -------
    DataFrame
        Columns :data:`TIDY_COLUMNS`; region-wide rows have ``county_id == -1`` and
        ``county == "region"``.
    """
    n_steps, n_counties, n_ind = history.shape
    if n_ind != N_INDICATORS:
        raise ValueError(f"history has {n_ind} indicators, expected {N_INDICATORS}")
    totals = np.stack([region_totals(h) for h in history])[:, None, :]
    values = np.concatenate([totals, history], axis=1)  # (n_steps, n_counties + 1, n_ind)
    county_ids = np.arange(-1, n_counties)
    keys = np.array(["region"] + [c.key for c in region.counties], dtype=object)
    steps = np.arange(first_step, first_step + n_steps)
    s, c, i = np.meshgrid(steps, np.arange(n_counties + 1), np.arange(n_ind), indexing="ij")
    return pd.DataFrame(
        {
            "scenario": pd.Series([scenario] * values.size, dtype="string"),
            "seed": np.full(values.size, seed, dtype=np.int64),
            "step": s.ravel().astype(np.int64),
            "county_id": county_ids[c.ravel()].astype(np.int64),
            "county": pd.Series(keys[c.ravel()], dtype="string"),
            "indicator": pd.Series(
                np.array(INDICATOR_NAMES, dtype=object)[i.ravel()], dtype="string"
            ),
            "value": values.ravel().astype(np.float64),
        }
    )


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (temporary file, fsync, rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path


def write_parquet_atomic(df: pd.DataFrame, path: str | os.PathLike) -> Path:
    """Write a DataFrame as Parquet atomically."""
    import io

    buf = io.BytesIO()
    df.to_parquet(buf, index=False)
    return atomic_write_bytes(path, buf.getvalue())


def write_json_atomic(obj: Any, path: str | os.PathLike) -> Path:
    """Write JSON atomically (UTF-8, indented, keys sorted)."""
    text = json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False, default=_json_default)
    return atomic_write_bytes(path, text.encode("utf-8"))


def _json_default(o: Any):
    if isinstance(o, np.integer | np.floating | np.bool_):
        return o.item()
    if isinstance(o, Path):
        return str(o)
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")


def git_commit() -> str | None:
    """The git commit of the source tree (with ``-dirty`` when modified), or None."""
    root = Path(__file__).resolve().parents[2]
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout
        return commit + ("-dirty" if dirty.strip() else "")
    except (OSError, subprocess.SubprocessError):
        return None


def package_versions() -> dict[str, str]:
    """Versions of the packages that shape results."""
    out = {"python": platform.python_version()}
    for name in ("innovsim", "mesa", "numba", "numpy", "pandas", "pyarrow", "matplotlib"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def manifest(
    command: str,
    parameters: Mapping[str, Any],
    seeds: list[int],
    steps: int,
    region: str,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A run manifest: what was run, with which parameters, seeds, versions and commit."""
    return {
        "command": command,
        "region": region,
        "steps": steps,
        "seeds": list(seeds),
        "parameters": dict(parameters),
        "versions": package_versions(),
        "git_commit": git_commit(),
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count()},
        **(dict(extra) if extra else {}),
    }
