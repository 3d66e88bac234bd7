"""The levers shown on the explorer page: built from the parameter table, checked on input.

A lever is a parameter of :data:`model.params.table.SPECS`; its control shows the value, the
allowed range, the unit, what it does and its source, so a reader moves it knowing what it
means. A typed value is checked with :func:`model.params.table.check_value`, the same check a
scenario file or ``--set`` gets, and a refusal is a one-line message for the page.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from typing import Any

from model.params.scenarios import Scenario
from model.params.table import SPEC_BY_NAME, ParameterError, check_value


@dataclass(frozen=True)
class LeverControl:
    """What the page needs to draw one lever.

    Attributes
    ----------
    name : str
        Parameter name.
    value : float | int | bool
        Value in the scenario (its override, else the table's default).
    default : float | int | bool
        The table's default (the baseline's value unless the baseline overrides it).
    kind : str
        ``"bool"``, ``"int"`` or ``"float"``.
    low, high : float
        Inclusive allowed range (``inf`` where unbounded; ignored for booleans).
    unit, doc, source : str
        From the parameter table.
    """

    name: str
    value: float | int | bool
    default: float | int | bool
    kind: str
    low: float
    high: float
    unit: str
    doc: str
    source: str

    def range_text(self) -> str:
        """The allowed values as shown beside the control, e.g. ``[0, 1] share``."""
        if self.kind == "bool":
            return "true / false"
        high = "∞" if math.isinf(self.high) else f"{self.high:g}"
        return f"[{self.low:g}, {high}] {self.unit}"


def lever_control(name: str, scenario: Scenario | None = None) -> LeverControl:
    """The control of parameter ``name``, at its value in ``scenario`` (else its default).

    Raises
    ------
    ParameterError
        ``name`` is not a parameter (the message suggests near names).
    """
    spec = SPEC_BY_NAME.get(name)
    if spec is None:
        check_value(name, None, origin="explorer")  # raises with a suggestion
    value = (scenario.overrides if scenario else {}).get(name, spec.default)
    return LeverControl(
        name=name,
        value=value,
        default=spec.default,
        kind=spec.kind.__name__,
        low=spec.low,
        high=spec.high,
        unit=spec.unit,
        doc=spec.doc,
        source=spec.source,
    )


def scenario_levers(scenario: Scenario, extra: tuple[str, ...] = ()) -> list[LeverControl]:
    """The levers of ``scenario`` (the parameters its file sets), then ``extra`` parameters.

    The baseline sets nothing, so its page starts without levers; the reader adds any
    parameter of the table by name (``extra``).
    """
    names = list(scenario.overrides)
    names += [n for n in extra if n not in names]
    return [lever_control(n, scenario) for n in names]


def parse_lever(name: str, raw: Any) -> float | int | bool:
    """Check a value typed or picked for lever ``name``; return it in the parameter's type.

    ``raw`` is a value or the text of one (``"0.5"``, ``"true"``).

    Raises
    ------
    ParameterError
        Unknown parameter, not a number, or out of the documented range; the message names
        the lever and what is allowed.
    """
    if isinstance(raw, str):
        text = raw.strip()
        try:
            raw = tomllib.loads(
                f"v = {text.lower() if text.lower() in ('true', 'false') else text}"
            )["v"]
        except tomllib.TOMLDecodeError:
            spec = SPEC_BY_NAME.get(name)
            allowed = spec.allowed() if spec else "a value"
            raise ParameterError(
                f"lever {name!r}: {text!r} is not a value; allowed: {allowed}", key=name
            ) from None
    return check_value(name, raw, origin="lever")


def lever_overrides(scenario: Scenario, values: dict[str, Any]) -> dict[str, Any]:
    """The parameter overrides of a run: the scenario's, then the levers' checked ``values``.

    Raises
    ------
    ParameterError
        A value is refused alone (range, type) or with the others (the table's consistency
        rules).
    """
    from model.params.table import Parameters

    merged = dict(scenario.overrides)
    for name, raw in values.items():
        merged[name] = parse_lever(name, raw)
    Parameters(merged, origin="levers")  # cross-parameter rules
    return merged
