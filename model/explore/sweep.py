"""A finished (or partly finished) ``innovsim sweep`` folder, read for the response surfaces.

``innovsim sweep`` writes a run store (:mod:`model.runs.store`): ``manifest.json``,
``design.parquet``, ``plan.parquet`` and one ``runs/RUN_ID.parquet`` per finished run.
:func:`load_sweep_folder` opens it with the public reader
(:func:`model.runs.store.open_results`) and checks what the page needs — the files, at least
one finished run, at least one varied parameter — without running anything; whatever is
missing or damaged raises :class:`SweepFolderError` naming the file and what was expected.
:func:`response_table` gives one outcome per finished run (the outcome definition of
:mod:`model.experiments.outcomes`, at the horizon, region-wide) beside the varied
parameters; :mod:`model.explore.figures` draws it against one factor or two.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from model.params.reader import InputError

#: Columns of the plan and design tables the page reads.
PLAN_COLUMNS = ("run_id", "scenario", "point", "replication", "seed")


class SweepFolderError(InputError):
    """A folder is not a readable ``innovsim sweep`` result; the message says why."""


@dataclass(frozen=True)
class Factor:
    """One varied parameter of a sweep, as the page lists it.

    Attributes
    ----------
    name : str
        Parameter name.
    kind : str
        ``"lever"`` (compared on a grid) or ``"uncertainty"`` (sampled).
    low, high : float
        Smallest and largest value in the design (booleans as 0 and 1).
    n_values : int
        Distinct values in the design.
    """

    name: str
    kind: str
    low: float
    high: float
    n_values: int


@dataclass
class SweepFolder:
    """What the page reads of a sweep folder.

    Attributes
    ----------
    path : Path
    store : model.runs.store.ExperimentResults
        The folder's reader.
    factors : list of Factor
        Varied parameters, levers first.
    outcomes : list of str
        Indicators whose outcome the runs kept (at the horizon, region-wide).
    scenarios : list of str
        Scenarios of the plan, in plan order.
    reference : str or None
        The reference scenario, if the sweep has one.
    steps : int
        Quarters of each run (the horizon).
    status : dict
        Run counts ``total``, ``done``, ``failed``, ``pending``.
    """

    path: Path
    store: Any
    factors: list[Factor]
    outcomes: list[str]
    scenarios: list[str]
    reference: str | None
    steps: int
    status: dict[str, int]
    _cache: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)

    @property
    def factor_names(self) -> list[str]:
        """Names of :attr:`factors`."""
        return [f.name for f in self.factors]


def load_sweep_folder(path: str | os.PathLike[str]) -> SweepFolder:
    """Open an ``innovsim sweep`` folder for browsing (nothing is run).

    Raises
    ------
    SweepFolderError
        The folder does not exist, a file is missing or unreadable, no run has finished yet,
        or the sweep varies no parameter (a comparison: the other tab reads it).
    """
    from model.runs.store import open_results

    text = str(path).strip()
    if not text:
        raise SweepFolderError("no folder given: type the path of an 'innovsim sweep' folder")
    folder = Path(text).expanduser()
    if not folder.is_dir():
        raise SweepFolderError(f"{folder}: not a folder")
    manifest = folder / "manifest.json"
    if not manifest.is_file():
        raise SweepFolderError(
            f"{manifest}: missing; an 'innovsim sweep' folder holds manifest.json, "
            "design.parquet, plan.parquet and runs/"
        )
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise SweepFolderError(f"{manifest}: not a readable manifest ({err})") from None
    if not isinstance(data, dict) or "experiment" not in data or "design" not in data:
        raise SweepFolderError(
            f"{manifest}: not the manifest of a sweep (no 'experiment' or 'design' entry)"
        )
    try:
        store = open_results(folder)
        experiment = store.experiment
    except InputError as err:
        raise SweepFolderError(f"{manifest}: {err}") from None
    except (KeyError, TypeError, ValueError) as err:
        raise SweepFolderError(
            f"{manifest}: the experiment in it is not readable ({err})"
        ) from None
    plan = _read_table(folder / "plan.parquet", PLAN_COLUMNS)
    try:
        names = list(store.parameter_names)
    except (KeyError, TypeError) as err:
        raise SweepFolderError(f"{manifest}: no list of varied parameters ({err})") from None
    design = _read_table(folder / "design.parquet", ("point", *names))
    if not names:
        raise SweepFolderError(
            f"{folder}: the sweep varies no parameter (a comparison of scenarios?); "
            "the 'Comparison results' tab reads comparisons"
        )
    status = store.status()
    if status["done"] == 0:
        raise SweepFolderError(
            f"{folder / 'runs'}: no finished run yet ({status['total']} planned, "
            f"{status['failed']} failed); nothing to draw"
        )
    levers = set(experiment.levers)
    factors = []
    for name in names:
        values = design[name].astype(float).to_numpy()
        factors.append(
            Factor(
                name=name,
                kind="lever" if name in levers else "uncertainty",
                low=float(values.min()),
                high=float(values.max()),
                n_values=int(np.unique(values).size),
            )
        )
    factors.sort(key=lambda f: f.kind != "lever")  # stable: levers first, in their order
    return SweepFolder(
        path=folder,
        store=store,
        factors=factors,
        outcomes=_available_outcomes(experiment.outputs.indicator_names),
        scenarios=list(dict.fromkeys(plan["scenario"].astype(str))),
        reference=experiment.reference_name,
        steps=int(experiment.steps),
        status=status,
    )


def response_table(folder: SweepFolder, outcome: str, scenario: str | None = None) -> pd.DataFrame:
    """One outcome per finished run, beside the varied parameters.

    Parameters
    ----------
    folder : SweepFolder
    outcome : str
        Indicator name (one of :attr:`SweepFolder.outcomes`).
    scenario : str, optional
        Keep this scenario's runs (default all).

    Returns
    -------
    DataFrame
        ``run_id, scenario, point, replication, seed, <factors>, value``: the outcome at the
        horizon, region-wide, as ``innovsim compare`` and the sweep notebook define it.

    Raises
    ------
    SweepFolderError
        ``outcome`` was not kept, or a run file cannot be read (the message names it).
    """
    if outcome not in folder.outcomes:
        raise SweepFolderError(
            f"{folder.path}: outcome {outcome!r} was not kept by this sweep; "
            f"kept: {', '.join(folder.outcomes)}"
        )
    if outcome not in folder._cache:
        try:
            table = folder.store.outcomes([outcome])
        except InputError as err:
            raise SweepFolderError(str(err)) from None
        except Exception as err:  # pyarrow raises several types for a damaged file
            raise SweepFolderError(_damaged_run(folder) or f"{folder.path}: {err}") from None
        folder._cache[outcome] = table.drop(columns=["indicator"])
    table = folder._cache[outcome]
    if scenario is not None:
        table = table[table["scenario"] == scenario]
    return table.reset_index(drop=True)


def _available_outcomes(kept: tuple[str, ...] | list[str]) -> list[str]:
    """Kept indicators whose outcome can be computed from the kept indicators alone."""
    from model.experiments.outcomes import needed_indicators

    have = set(kept)
    return [name for name in kept if set(needed_indicators([name])) <= have]


def _read_table(path: Path, columns: tuple[str, ...]) -> pd.DataFrame:
    if not path.is_file():
        raise SweepFolderError(f"{path}: missing (was the sweep created completely?)")
    try:
        table = pd.read_parquet(path)
    except Exception as err:  # pyarrow raises several types for a damaged file
        raise SweepFolderError(f"{path}: not a readable Parquet table ({err})") from None
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise SweepFolderError(f"{path}: lacks the columns {', '.join(missing)}")
    return table


def _damaged_run(folder: SweepFolder) -> str | None:
    """The message naming the first finished run file that is not readable Parquet."""
    import pyarrow.parquet as pq

    store = folder.store
    for run_id, done in zip(store.plan["run_id"], store.finished(), strict=True):
        if not done:
            continue
        path = store.run_path(run_id)
        try:
            pq.read_metadata(path)
        except Exception as err:  # pyarrow raises several types for a damaged file
            return f"{path}: not a readable Parquet table ({err})"
    return None
