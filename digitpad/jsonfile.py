"""The one reader for the small JSON files digitpad keeps (run records, the model choice, a
model's ``digitpad.json`` record): bounded, and never stuck on a hostile file.

* only regular files are opened, and without blocking: a FIFO or a device in the data dir is
  refused at once instead of hanging the launch;
* at most ``max_bytes`` are read;
* anything ``json`` cannot take — bad UTF-8, nesting deep enough to exhaust the stack, an
  integer of thousands of digits — becomes one :class:`JsonFileError` naming the file.

:func:`set_aside` renames a damaged file to ``*.damaged`` so it is reported once, not at
every launch.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any

from digitpad.paths import FileProblem, printable_path, read_regular_file


class JsonFileError(ValueError):
    """A JSON file could not be read; the message names it and says why."""


def loads(data: bytes | str, where: str) -> Any:
    """Parse JSON text; every failure is a :class:`JsonFileError` mentioning ``where``."""
    try:
        return json.loads(data)
    except RecursionError:
        raise JsonFileError(f"{where}: nested too deeply to be a digitpad file") from None
    except (ValueError, UnicodeDecodeError) as exc:  # JSONDecodeError, int too long, UTF-8
        raise JsonFileError(f"{where}: not valid JSON ({str(exc)[:120]})") from None


def read_json(path: str | os.PathLike[str], max_bytes: int) -> Any:
    """The parsed content of the regular file ``path`` (at most ``max_bytes``)."""
    name = printable_path(path)
    try:
        data = read_regular_file(path, max_bytes)
    except FileProblem as problem:
        if problem.kind in ("directory", "not-regular"):
            reason = "not a regular file (a directory, pipe or device)"
        elif problem.kind == "too-big":
            reason = f"too big ({problem.size:,} bytes; at most {max_bytes:,})"
        else:  # missing, permission, unreadable: the system's words
            reason = f"cannot be read ({problem.detail})"
        raise JsonFileError(f"{name}: {reason}") from None
    return loads(data, name)


def set_aside(path: str | os.PathLike[str]) -> None:
    """Rename a damaged file to ``<name>.damaged`` (once; a read-only folder keeps it)."""
    path = Path(path)
    with contextlib.suppress(OSError):
        os.replace(path, path.with_name(path.name + ".damaged"))
