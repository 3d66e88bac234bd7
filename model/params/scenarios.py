"""Scenario files: the report's recommendations as parameter and rule changes.

A scenario is a TOML file (``scenarios/NAME.toml``, or any path)::

    name = "tax_rebate"
    title = "High-tech income tax returned to counties"   # optional: English label
    name_zh = "高新技术企业所得税增量返还县"
    description = "..."
    description_zh = "..."
    report = "§3.3"
    extends = "baseline"            # optional: start from another scenario
    includes = ["a", "b"]           # optional: compose several scenarios (for "combined")
    [parameters]
    tax_rebate_share = 1.0
    [fails_when]                    # optional: a documented setting where the lever does not pay
    note = "..."
    note_zh = "..."                 # the same note in Chinese
    parameters = { rebate_reinvest_share = 0.0 }

A scenario only changes parameters (and so switches rules on); it never touches an indicator.
Everything is validated before any run starts: an unknown key, a wrong type or an impossible
value raises :class:`ScenarioError` naming the file, the key and what is allowed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from model.builtin import builtin_dir
from model.params.reader import (
    Field,
    InputError,
    check_table,
    is_identifier,
    read_toml,
    resolve_reference,
)
from model.params.table import ParameterError, Parameters
from model.sim.indicators import HEADLINE

SCENARIO_DIR = builtin_dir("scenarios")
#: The schema of a scenario file's top level.
SCHEMA = {
    "name": Field("name", required=True),
    "title": Field("text"),
    "name_zh": Field("text"),
    "description": Field("text", required=True),
    "description_zh": Field("text"),
    "report": Field("text", required=True),
    "extends": Field("text"),
    "includes": Field("texts"),
    "parameters": Field("table"),
    "fails_when": Field("table"),
}
#: The schema of the optional ``[fails_when]`` table.
FAILS_WHEN_SCHEMA = {
    "note": Field("text"),
    "note_zh": Field("text"),
    "parameters": Field("table"),
    # the net outcome the lever is judged on, in both settings (tests/test_levers_work_and_fail.py)
    "indicator": Field("text", choices=HEADLINE),
}


class ScenarioError(InputError):
    """A scenario file or name is not valid; the message names the file and the key."""


@dataclass(frozen=True)
class Scenario:
    """A resolved scenario: its labels and the complete parameter overrides.

    Attributes
    ----------
    name, name_zh, description, description_zh, report : str
    title : str
        English name shown to readers (defaults to ``name``).
    overrides : dict
        Parameter overrides after ``extends`` and ``includes`` are resolved.
    source : str
        File (or files, joined with ``+``) it came from.
    fails_when : dict
        Optional documented setting in which the lever does not pay off.
    """

    name: str
    name_zh: str
    description: str
    description_zh: str
    report: str
    overrides: dict[str, Any] = field(default_factory=dict)
    source: str = ""
    fails_when: dict[str, Any] = field(default_factory=dict)
    title: str = ""

    def parameters(self, extra: dict[str, Any] | None = None) -> Parameters:
        """Validated parameters of this scenario (plus ``extra`` overrides)."""
        return Parameters({**self.overrides, **(extra or {})}, origin=self.source)

    def label(self, lang: str = "en") -> str:
        """Name shown to readers."""
        if lang == "zh" and self.name_zh:
            return self.name_zh
        return self.title or self.name


def list_scenarios(directory: Path | None = None) -> list[str]:
    """Names of the scenario files in ``directory`` (default: the project's scenarios/)."""
    directory = directory or SCENARIO_DIR
    return sorted(p.stem for p in directory.glob("*.toml"))


def _resolve_path(name_or_path: str | Path, directory: Path) -> Path:
    """The file of a scenario given by the user: a path, or a name in ``directory``/built-in."""
    text = str(name_or_path)
    if isinstance(name_or_path, Path) or text.endswith(".toml") or "/" in text or "\\" in text:
        path = Path(name_or_path)
        try:
            found = path.is_file()
        except OSError:  # e.g. a name longer than the system allows
            found = False
        if not found:
            raise _ScenarioFileNotFound(f"{path}: scenario file not found", file=str(path))
        return path
    for folder in (directory, SCENARIO_DIR):
        candidate = folder / f"{text}.toml"
        if is_identifier(text) and candidate.is_file():
            return candidate
    import difflib

    names = sorted(set(list_scenarios(directory)) | set(list_scenarios()))
    near = difflib.get_close_matches(text, names, n=1)
    hint = f" (did you mean {near[0]!r}?)" if near else ""
    raise ScenarioError(
        f"unknown scenario {text!r}{hint}; known scenarios: {', '.join(names) or '(none)'}, "
        "or give the path of a .toml file",
        file=text,
    )


class _ScenarioFileNotFound(ScenarioError, FileNotFoundError):
    """A scenario path that does not exist."""


def _read(path: Path) -> dict[str, Any]:
    data = read_toml(path, cls=ScenarioError)
    return check_table(data, SCHEMA, path, cls=ScenarioError)


def load_scenario(
    name_or_path: str | Path, directory: Path | None = None, _seen: tuple[str, ...] = ()
) -> Scenario:
    """Load, resolve and validate one scenario.

    ``name_or_path`` is a scenario name (a file of ``directory``, else a built-in scenario), the
    path of a ``.toml`` file, or several names joined with ``+``
    (``"tax_rebate+innovation_vouchers"``): their overrides are merged, and two scenarios that
    set one parameter to different values are refused. Inside a file, ``extends`` and
    ``includes`` name scenarios of the file's own folder or built-in ones (never paths).

    Raises
    ------
    ScenarioError
        With the file, the key and what is allowed.
    """
    directory = directory or SCENARIO_DIR
    text = str(name_or_path)
    if "+" in text and not Path(text).is_file():
        parts = [load_scenario(part, directory, _seen) for part in text.split("+")]
        return _compose("+".join(p.name for p in parts), parts, source=text)
    return _load_file(_resolve_path(name_or_path, directory), _seen)


def _reference(name: Any, path: Path, key: str) -> Path:
    return resolve_reference(
        name, path.parent, SCENARIO_DIR, file=path, key=key, what="scenario", cls=ScenarioError
    )


def _load_referenced(name: Any, path: Path, key: str, seen: tuple[str, ...]) -> Scenario:
    """Load the scenario ``key`` of ``path`` names; its errors name both files."""
    target = _reference(name, path, key)
    try:
        return _load_file(target, seen)
    except ScenarioError as err:
        if str(err).startswith(f"{path}: "):  # a cycle back to this file: already named
            raise
        raise ScenarioError(f"{path}: key {key!r}: {err}", file=str(path), key=key) from None


def _load_file(path: Path, _seen: tuple[str, ...]) -> Scenario:
    key = str(path.resolve())
    if key in _seen:
        raise ScenarioError(
            f"{path}: 'extends'/'includes' form a cycle: " + " -> ".join((*_seen, key)),
            file=str(path),
            key="extends",
        )
    data = _read(path)
    overrides: dict[str, Any] = {}
    if "extends" in data:
        base = _load_referenced(data["extends"], path, "extends", (*_seen, key))
        overrides.update(base.overrides)
    for included in data.get("includes", []):
        part = _load_referenced(included, path, "includes", (*_seen, key))
        _merge(overrides, part.overrides, path, f"includes {included!r}")
    overrides.update(data.get("parameters", {}))
    _validate(overrides, path)
    fails_when = data.get("fails_when", {})
    if fails_when:
        check_table(fails_when, FAILS_WHEN_SCHEMA, path, table="fails_when", cls=ScenarioError)
        _validate({**overrides, **fails_when.get("parameters", {})}, path, "fails_when.")
    return Scenario(
        name=data["name"],
        name_zh=data.get("name_zh", data["name"]),
        description=data["description"],
        description_zh=data.get("description_zh", data["description"]),
        report=data["report"],
        overrides=overrides,
        source=str(path),
        fails_when=fails_when,
        title=data.get("title", data["name"]),
    )


def _merge(into: dict[str, Any], new: dict[str, Any], path: Path | str, what: str) -> None:
    for k, v in new.items():
        if k in into and into[k] != v:
            raise ScenarioError(
                f"{path}: {what} sets {k!r} = {v!r}, but it is already "
                f"{into[k]!r}; combined scenarios must agree",
                file=str(path),
                key=k,
            )
        into[k] = v


def _compose(name: str, parts: list[Scenario], source: str) -> Scenario:
    overrides: dict[str, Any] = {}
    for part in parts:
        _merge(overrides, part.overrides, source, f"scenario {part.name!r}")
    return Scenario(
        name=name,
        name_zh="+".join(p.name_zh for p in parts),
        description=" + ".join(p.description for p in parts),
        description_zh=" + ".join(p.description_zh for p in parts),
        report=", ".join(p.report for p in parts),
        overrides=overrides,
        source=source,
        title=" + ".join(p.label("en") for p in parts),
    )


def _validate(overrides: dict[str, Any], path: Path, prefix: str = "") -> None:
    try:
        Parameters(overrides, origin=f"{path}: [{prefix}parameters]")
    except ParameterError as err:
        raise ScenarioError(str(err), file=str(path), key=err.key) from None
