"""Reading and validating the project's TOML input files: regions, scenarios and experiments.

Every input file goes through :func:`read_toml` (UTF-8 enforced, TOML syntax checked) and each
of its tables through :func:`check_table`, which applies a small declarative schema (key ->
:class:`Field`: type, required or not, allowed range). Anything refused raises
:class:`InputError` (or a subclass: ``ScenarioError``, ``ExperimentError``, ``ParameterError``,
``RegionError``) with the file and the key as attributes and a one-line message of the form::

    FILE: [TABLE]: key 'KEY': what is wrong; what is allowed

Numbers are range-checked before any conversion, so a 400-digit integer is refused with a
message instead of raising ``OverflowError``. ``bool`` is never an integer; a number field
accepts integers. The rules and limits are listed in ``docs/inputs.md``.
"""

from __future__ import annotations

import difflib
import math
import numbers
import os
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

#: Scenario names (and names referring to a file in the same folder): identifiers.
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
#: Longest allowed identifier (scenario names become parts of file names).
MAX_NAME_CHARS = 64


class InputError(ValueError):
    """A user's input (file, key or command-line value) is refused; the message says why.

    Attributes
    ----------
    file : str or None
        The file (or command-line flag) the input came from.
    key : str or None
        The refused key, with its table (``"outputs.steps"``), when there is one.
    """

    def __init__(self, message: str, *, file: str | None = None, key: str | None = None):
        super().__init__(message)
        self.file = file
        self.key = key


class InputFileNotFoundError(InputError, FileNotFoundError):
    """An input file does not exist (both an :class:`InputError` and a ``FileNotFoundError``)."""


def refuse(
    file: str | os.PathLike[str],
    key: str | None,
    problem: str,
    *,
    table: str | None = None,
    cls: type[InputError] = InputError,
) -> InputError:
    """Build the error for ``key`` of ``[table]`` in ``file`` (the caller raises it).

    The message is ``"FILE: [TABLE]: key 'KEY': PROBLEM"`` (parts left out when not given).
    """
    parts = [str(file)]
    if table:
        parts.append(f"[{table}]")
    if key is not None:
        parts.append(f"key {key!r}")
    full_key = f"{table}.{key}" if table and key is not None else key
    return cls(": ".join([*parts, problem]), file=str(file), key=full_key)


# --------------------------------------------------------------------------------------------
# Files


def read_toml(path: str | os.PathLike[str], cls: type[InputError] = InputError) -> dict[str, Any]:
    """Read a TOML file, refusing anything that is not UTF-8 TOML with one clear message.

    Parameters
    ----------
    path : str or os.PathLike
        The file.
    cls : type
        The :class:`InputError` subclass raised.

    Returns
    -------
    dict
        The parsed document.

    Raises
    ------
    InputError
        (``cls``) if the file is missing, not a file, unreadable, not UTF-8 or not valid TOML.
    """
    file = str(path)
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise _not_found(cls)(f"{file}: file not found", file=file) from None
    except IsADirectoryError:
        raise cls(f"{file}: is a folder; expected a .toml file", file=file) from None
    except OSError as err:
        raise cls(f"{file}: cannot be read ({err.strerror or err})", file=file) from None
    try:
        # a byte-order mark is harmless (some editors write one); anything else must be UTF-8
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise cls(
            f"{file}: not UTF-8 text (byte 0x{raw[err.start]:02x} on line {line}); "
            "save the file with UTF-8 encoding (files saved as GBK or GB2312 are not read)",
            file=file,
        ) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise cls(f"{file}: not valid TOML: {err}", file=file) from None
    except ValueError as err:  # e.g. an integer of more than 4300 digits
        raise cls(f"{file}: not valid TOML: {err}", file=file) from None


@cache
def _not_found(cls: type[InputError]) -> type[InputError]:
    """A subclass of ``cls`` that is also a ``FileNotFoundError``."""
    if issubclass(cls, FileNotFoundError):
        return cls
    return type(cls.__name__, (cls, FileNotFoundError), {"__doc__": cls.__doc__})


# --------------------------------------------------------------------------------------------
# Schemas


@dataclass(frozen=True)
class Field:
    """What one key of a table may hold.

    Parameters
    ----------
    kind : {"text", "name", "bool", "int", "number", "table", "list", "texts"}
        ``text`` a string; ``name`` an identifier (``[A-Za-z_][A-Za-z0-9_]*``, at most
        :data:`MAX_NAME_CHARS` characters); ``int`` an integer (not a boolean); ``number`` an
        integer or a float; ``texts`` a list of strings; ``table`` a TOML table; ``list`` any
        list.
    required : bool
        The key must be present.
    low, high : float, optional
        Inclusive bounds of an ``int`` or ``number`` (or of a list's length for ``texts``).
    nonempty : bool
        A ``text``/``texts`` must not be empty (nor blank).
    choices : tuple of str, optional
        The allowed values of a ``text``.
    """

    kind: str
    required: bool = False
    low: float | None = None
    high: float | None = None
    nonempty: bool = False
    choices: tuple[str, ...] | None = None

    def allowed(self) -> str:
        """What is allowed, in words (used in messages)."""
        if self.kind == "text":
            if self.choices:
                return "one of " + ", ".join(repr(c) for c in self.choices)
            return "a non-empty string" if self.nonempty else "a string"
        if self.kind == "name":
            return (
                f"a name of at most {MAX_NAME_CHARS} letters, digits and '_', "
                "not starting with a digit"
            )
        if self.kind == "bool":
            return "true or false"
        if self.kind in ("int", "number"):
            what = "an integer" if self.kind == "int" else "a number"
            return what + _bounds(self.low, self.high)
        if self.kind == "table":
            return "a table"
        if self.kind == "texts":
            return ("a non-empty " if self.nonempty else "a ") + "list of strings"
        return "a list"


def _bounds(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f" in [{_num(low)}, {_num(high)}]"
    if low is not None:
        return f" >= {_num(low)}"
    if high is not None:
        return f" <= {_num(high)}"
    return ""


def _num(value: float) -> str:
    """A bound in words: integers written out (1000000, not 1e+06)."""
    return str(int(value)) if float(value).is_integer() and abs(value) < 2**64 else f"{value:g}"


def is_int(value: Any) -> bool:
    """An integer (Python or numpy), not a boolean."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool | np.bool_)


def is_number(value: Any) -> bool:
    """A real number (integer or float, Python or numpy), not a boolean."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_)


def in_range(value: Any, low: float | None, high: float | None) -> bool:
    """Whether a number lies in ``[low, high]``, compared exactly (no float conversion).

    Python compares an ``int`` of any size with a ``float`` exactly, so a 400-digit integer is
    simply out of range; NaN is never in range.
    """
    if isinstance(value, float) and math.isnan(value):
        return False
    if low is not None and not value >= low:
        return False
    return high is None or value <= high


def check_field(value: Any, field: Field) -> str | None:
    """Why ``value`` does not fit ``field`` (None if it does)."""
    kind = field.kind
    ok: bool
    if kind == "text":
        ok = isinstance(value, str) and (not field.nonempty or bool(value.strip()))
        ok = ok and (field.choices is None or value in field.choices)
    elif kind == "name":
        ok = isinstance(value, str) and is_identifier(value)
    elif kind == "bool":
        ok = isinstance(value, bool)
    elif kind == "int":
        ok = is_int(value) and in_range(value, field.low, field.high)
    elif kind == "number":
        ok = is_number(value) and in_range(value, field.low, field.high)
        if ok and isinstance(value, float) and math.isinf(value) and field.high is None:
            ok = False  # an unbounded number must still be finite
    elif kind == "table":
        ok = isinstance(value, dict)
    elif kind == "texts":
        ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
        ok = ok and (not field.nonempty or bool(value))
        ok = ok and in_range(len(value), field.low, field.high)
    elif kind == "list":
        ok = isinstance(value, list)
    else:  # pragma: no cover - a schema typo
        raise ValueError(f"unknown field kind {kind!r}")
    if ok:
        return None
    return f"must be {field.allowed()}, got {describe(value)}"


def describe(value: Any) -> str:
    """A short description of a refused value (long values are cut, never printed whole)."""
    if is_int(value) and abs(value) >= 10**18:
        return f"an integer of {len(str(abs(value)))} digits"
    if isinstance(value, dict):
        return "a table"
    text = repr(value)
    return text if len(text) <= 80 else text[:60] + f"... ({type(value).__name__})"


def unknown_key(
    file: str | os.PathLike[str],
    key: str,
    allowed: Sequence[str],
    *,
    table: str | None = None,
    cls: type[InputError] = InputError,
) -> InputError:
    """The error for an unknown key: a "did you mean" and the allowed keys."""
    near = difflib.get_close_matches(str(key), list(allowed), n=1, cutoff=0.6)
    hint = f" (did you mean {near[0]!r}?)" if near else ""
    where = f"{file}: [{table}]" if table else str(file)
    return cls(
        f"{where}: unknown key {key!r}{hint}; allowed keys: {', '.join(sorted(allowed))}",
        file=str(file),
        key=f"{table}.{key}" if table else key,
    )


def check_table(
    data: Any,
    schema: Mapping[str, Field],
    file: str | os.PathLike[str],
    *,
    table: str | None = None,
    cls: type[InputError] = InputError,
) -> dict[str, Any]:
    """Check a table against its schema: unknown keys, required keys, types and ranges.

    Parameters
    ----------
    data : object
        The table (must be a dict).
    schema : mapping key -> Field
    file : str or os.PathLike
        File named in messages.
    table : str, optional
        Table name (``"outputs"``), None for the top level.
    cls : type
        The :class:`InputError` subclass raised.

    Returns
    -------
    dict
        ``data`` itself (unchanged).

    Raises
    ------
    InputError
        For the first problem found, naming the file, the table and the key.
    """
    if not isinstance(data, dict):
        raise refuse(file, None, f"must be a table, got {describe(data)}", table=table, cls=cls)
    for key in data:
        if key not in schema:
            raise unknown_key(file, key, list(schema), table=table, cls=cls)
    for key, field in schema.items():
        if key not in data:
            if field.required:
                raise refuse(file, key, "required key is missing", table=table, cls=cls)
            continue
        problem = check_field(data[key], field)
        if problem:
            raise refuse(file, key, problem, table=table, cls=cls)
    return data


# --------------------------------------------------------------------------------------------
# Names and references to other files


def is_identifier(text: str) -> bool:
    """``[A-Za-z_][A-Za-z0-9_]*`` of at most :data:`MAX_NAME_CHARS` characters."""
    return len(text) <= MAX_NAME_CHARS and IDENTIFIER.fullmatch(text) is not None


def resolve_reference(
    name: str,
    folder: Path,
    builtin_folder: Path,
    *,
    file: str | os.PathLike[str],
    key: str,
    what: str,
    cls: type[InputError] = InputError,
) -> Path:
    """The file a name inside an input file refers to.

    A reference is ``NAME`` or ``NAME.toml`` with ``NAME`` an identifier; it resolves to
    ``folder/NAME.toml`` (the folder of the file being read) if that exists, else to
    ``builtin_folder/NAME.toml``. Paths (``a/b``, ``..``, absolute) are refused, so a file can
    only reach its neighbours and the built-in files, whatever the working directory.

    Raises
    ------
    InputError
        (``cls``) naming ``file`` and ``key``, listing the known names.
    """
    stem = name[:-5] if isinstance(name, str) and name.endswith(".toml") else name
    known = sorted({p.stem for d in (folder, builtin_folder) for p in Path(d).glob("*.toml")})
    if not isinstance(stem, str) or not is_identifier(stem):
        raise refuse(
            file,
            key,
            f"{describe(name)} is not a {what} name; allowed: a name (letters, digits, '_') of "
            f"a built-in {what} or of a .toml file in the same folder "
            f"({', '.join(known) or 'none'})",
            cls=cls,
        )
    for directory in (folder, builtin_folder):
        candidate = Path(directory) / f"{stem}.toml"
        if candidate.is_file():
            return candidate
    near = difflib.get_close_matches(stem, known, n=1)
    hint = f" (did you mean {near[0]!r}?)" if near else ""
    raise refuse(
        file,
        key,
        f"unknown {what} {name!r}{hint}; known {what}s: {', '.join(known) or 'none'} "
        f"(built-in, or a .toml file in {Path(folder)})",
        cls=cls,
    )
