"""Checks of ``innovsim`` command-line values, made before anything runs or is written.

Each check raises :class:`model.params.reader.InputError` whose message starts with the flag
(``--out``, ``--workers``, ...) and says what is allowed; ``innovsim`` prints it as one line
``innovsim: error: FLAG: PROBLEM`` and exits with status 2.
"""

from __future__ import annotations

import os
from pathlib import Path

from model.params.reader import InputError

#: Seeds are 63-bit integers (the counter-based generator hashes them as int64).
MAX_SEED = 2**63 - 1


def _refuse(flag: str, problem: str) -> InputError:
    return InputError(f"{flag}: {problem}", file=flag)


def check_int(flag: str, value: int, low: int, high: int | None = None) -> int:
    """``value`` of ``flag`` must lie in ``[low, high]``."""
    if value < low or (high is not None and value > high):
        allowed = f"an integer >= {low}" if high is None else f"an integer in [{low}, {high}]"
        raise _refuse(flag, f"must be {allowed}, got {value}")
    return value


def check_region(name_or_path: str) -> None:
    """The region loads (a built-in key or a region file)."""
    from model.sim.region import load_region

    try:
        load_region(name_or_path)
    except (InputError, FileNotFoundError) as err:
        raise _refuse("--region", str(err)) from None


def check_output_folder(path: str | os.PathLike[str], flag: str = "--out") -> Path:
    """An output folder must be a writable folder, or creatable in a writable folder.

    Nothing is created here: the folder is made by the command once every input is valid.

    Raises
    ------
    InputError
        If ``path`` is an existing file, or it (or the nearest existing folder above it) is not
        writable.
    """
    out = Path(path)
    if out.exists():
        if not out.is_dir():
            raise _refuse(flag, f"{out} exists and is not a folder; give a folder")
        if not _writable(out):
            raise _refuse(flag, f"folder {out} is not writable; give a writable folder")
        return out
    parent = out.absolute().parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir():
        raise _refuse(flag, f"{out} cannot be created: {parent} is a file, not a folder")
    if not _writable(parent):
        raise _refuse(flag, f"{out} cannot be created: folder {parent} is not writable")
    return out


def _writable(folder: Path) -> bool:
    """Whether a file can be created in ``folder``.

    ``os.access`` is not enough: it says yes to root everywhere, and to anyone on a read-only
    mount. An anonymous temporary file is created and removed at once.
    """
    import tempfile

    try:
        with tempfile.TemporaryFile(dir=folder):
            return True
    except OSError:
        return False


def check_scheduler(address: str, timeout_s: float = 10.0) -> None:
    """A Dask scheduler answers at ``address`` within ``timeout_s`` seconds."""
    from distributed import Client
    from distributed.comm.addressing import parse_address, parse_host_port

    try:
        # a malformed address is refused before a client exists (a half-built one hangs on exit)
        parse_host_port(parse_address(address)[1])
        client = Client(address, timeout=f"{timeout_s}s", set_as_default=False)
    except (OSError, TimeoutError, ValueError, TypeError) as err:
        problem = " ".join(str(err).split()) or type(err).__name__
        raise _refuse(
            "--scheduler",
            f"no Dask scheduler answers at {address} ({problem}); start one "
            "(dask scheduler) or use --scheduler local",
        ) from None
    client.close()
