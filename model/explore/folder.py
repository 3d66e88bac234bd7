"""A finished ``innovsim compare`` folder, loaded for browsing with one clear error if it is not.

``innovsim compare`` writes ``results.parquet`` (tidy rows of every run), ``effects.parquet``,
``fiscal.parquet``, ``cost_effectiveness.parquet`` and ``manifest.json`` (region, steps,
seeds). :func:`load_compare_folder` reads them back without re-running anything; whatever is
missing, unreadable or of the wrong shape raises :class:`ResultsFolderError` whose message
names the file and what was expected, for the page to show.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from model.params.reader import InputError

#: Files of a compare folder and the columns each must have.
REQUIRED: dict[str, tuple[str, ...]] = {
    "results.parquet": ("scenario", "seed", "step", "county_id", "indicator", "value"),
    "effects.parquet": ("scenario", "indicator", "baseline", "value", "diff", "lo", "hi"),
    "fiscal.parquet": ("scenario", "total_cost", "net_cost"),
    "cost_effectiveness.parquet": ("scenario", "net_cost", "extra_hte"),
}


class ResultsFolderError(InputError):
    """A folder is not a finished ``innovsim compare`` result; the message says why."""


@dataclass(frozen=True)
class CompareFolder:
    """The tables of a finished comparison.

    Attributes
    ----------
    path : Path
    results : DataFrame
        Tidy rows ``scenario, seed, step, county_id, indicator, value`` (and run columns).
    effects, fiscal, cost_effectiveness : DataFrame
        As written by :meth:`model.experiments.comparison.Comparison.write_tables`
        (``fiscal`` and ``cost_effectiveness`` with ``scenario`` as a column).
    region : str
        Region key or file of the runs (from the manifest; the default region if absent).
    steps : int
        Quarters of each run (the horizon).
    """

    path: Path
    results: pd.DataFrame
    effects: pd.DataFrame
    fiscal: pd.DataFrame
    cost_effectiveness: pd.DataFrame
    region: str
    steps: int

    @property
    def scenarios(self) -> list[str]:
        """Scenario names in the results, in order of appearance."""
        return list(dict.fromkeys(self.results["scenario"].astype(str)))


def load_compare_folder(path: str | os.PathLike[str]) -> CompareFolder:
    """Load a finished ``innovsim compare`` folder.

    Raises
    ------
    ResultsFolderError
        The folder does not exist, a table is missing, unreadable or lacks columns, or the
        results are empty.
    """
    text = str(path).strip()
    if not text:
        raise ResultsFolderError("no folder given: type the path of an 'innovsim compare' folder")
    folder = Path(text).expanduser()
    if not folder.is_dir():
        raise ResultsFolderError(f"{folder}: not a folder")
    tables = {name: _read_table(folder / name, columns) for name, columns in REQUIRED.items()}
    results = tables["results.parquet"]
    if results.empty:
        raise ResultsFolderError(f"{folder / 'results.parquet'}: holds no rows")
    manifest = _read_manifest(folder / "manifest.json")
    return CompareFolder(
        path=folder,
        results=results,
        effects=tables["effects.parquet"],
        fiscal=tables["fiscal.parquet"],
        cost_effectiveness=tables["cost_effectiveness.parquet"],
        region=str(manifest.get("region", "jiaxing-huzhou")),
        steps=int(results["step"].max()),
    )


def _read_table(path: Path, columns: tuple[str, ...]) -> pd.DataFrame:
    if not path.is_file():
        raise ResultsFolderError(
            f"{path}: missing; an 'innovsim compare' folder holds "
            f"{', '.join(REQUIRED)} (is the comparison finished?)"
        )
    try:
        table = pd.read_parquet(path)
    except Exception as err:  # pyarrow raises several types for a damaged file
        raise ResultsFolderError(f"{path}: not a readable Parquet table ({err})") from None
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ResultsFolderError(f"{path}: lacks the columns {', '.join(missing)}")
    return table


def _read_manifest(path: Path) -> dict[str, Any]:
    """The manifest's fields, or none if the file is absent (older folders)."""
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ResultsFolderError(f"{path}: not a readable manifest ({err})") from None
    if not isinstance(data, dict):
        raise ResultsFolderError(f"{path}: expected a JSON object")
    return data
