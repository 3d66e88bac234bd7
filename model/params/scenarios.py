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

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from model.builtin import builtin_dir
from model.params.table import ParameterError, Parameters

SCENARIO_DIR = builtin_dir("scenarios")
_TOP_KEYS = {
    "name": str,
    "title": str,
    "name_zh": str,
    "description": str,
    "description_zh": str,
    "report": str,
    "extends": str,
    "includes": list,
    "parameters": dict,
    "fails_when": dict,
}
_REQUIRED = ("name", "description", "report")


class ScenarioError(ValueError):
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
    path = Path(name_or_path)
    if path.suffix == ".toml" or path.exists():
        if not path.exists():
            raise ScenarioError(f"{path}: scenario file not found")
        return path
    candidate = directory / f"{name_or_path}.toml"
    if not candidate.exists():
        # a user's file may extend a built-in scenario
        candidate = SCENARIO_DIR / f"{name_or_path}.toml"
    if not candidate.exists():
        known = ", ".join(list_scenarios(directory)) or "(none)"
        raise ScenarioError(
            f"unknown scenario {str(name_or_path)!r}; known scenarios: {known}, "
            "or give the path of a .toml file"
        )
    return candidate


def _read(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise ScenarioError(f"{path}: not valid TOML: {err}") from None
    for key, value in data.items():
        if key not in _TOP_KEYS:
            allowed = ", ".join(sorted(_TOP_KEYS))
            raise ScenarioError(f"{path}: unknown key {key!r}; allowed keys: {allowed}")
        if not isinstance(value, _TOP_KEYS[key]):
            raise ScenarioError(
                f"{path}: key {key!r} must be a {_TOP_KEYS[key].__name__}, "
                f"got {type(value).__name__}"
            )
    for key in _REQUIRED:
        if key not in data:
            raise ScenarioError(f"{path}: required key {key!r} is missing")
    return data


def load_scenario(
    name_or_path: str | Path, directory: Path | None = None, _seen: tuple[str, ...] = ()
) -> Scenario:
    """Load, resolve and validate one scenario.

    ``name_or_path`` may also be several scenarios joined with ``+``
    (``"tax_rebate+innovation_vouchers"``): their overrides are merged, and two scenarios that
    set one parameter to different values are refused.

    Raises
    ------
    ScenarioError
        With the file, the key and what is allowed.
    """
    directory = directory or SCENARIO_DIR
    text = str(name_or_path)
    if "+" in text and not Path(text).exists():
        parts = [load_scenario(part, directory, _seen) for part in text.split("+")]
        return _compose("+".join(p.name for p in parts), parts, source=text)
    path = _resolve_path(name_or_path, directory)
    key = str(path.resolve())
    if key in _seen:
        raise ScenarioError(
            f"{path}: 'extends'/'includes' form a cycle: " + " -> ".join((*_seen, key))
        )
    data = _read(path)
    overrides: dict[str, Any] = {}
    if "extends" in data:
        base = load_scenario(data["extends"], path.parent, (*_seen, key))
        overrides.update(base.overrides)
    for included in data.get("includes", []):
        if not isinstance(included, str):
            raise ScenarioError(f"{path}: key 'includes' must list scenario names")
        part = load_scenario(included, path.parent, (*_seen, key))
        _merge(overrides, part.overrides, path, f"includes {included!r}")
    overrides.update(data.get("parameters", {}))
    _validate(overrides, path)
    fails_when = data.get("fails_when", {})
    if fails_when:
        unknown = set(fails_when) - {"note", "note_zh", "parameters"}
        if unknown:
            raise ScenarioError(
                f"{path}: unknown key {sorted(unknown)[0]!r} in [fails_when]; "
                "allowed keys: note, note_zh, parameters"
            )
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
                f"{into[k]!r}; combined scenarios must agree"
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
        raise ScenarioError(str(err)) from None
