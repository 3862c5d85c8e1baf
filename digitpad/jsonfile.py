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
import stat
from pathlib import Path
from typing import Any

from digitpad.paths import printable_path


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
    path = Path(path)
    name = printable_path(path)
    try:
        info = path.stat()
    except OSError as exc:
        raise JsonFileError(f"{name}: cannot be read ({exc.strerror or exc})") from None
    if not stat.S_ISREG(info.st_mode):
        raise JsonFileError(f"{name}: not a regular file (a directory, pipe or device)")
    if info.st_size > max_bytes:
        raise JsonFileError(f"{name}: too big ({info.st_size:,} bytes; at most "
                            f"{max_bytes:,})")
    try:
        # O_NONBLOCK: if a FIFO was swapped in since the check, opening it does not wait.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                raise JsonFileError(f"{name}: not a regular file (a directory, pipe or device)")
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise JsonFileError(f"{name}: cannot be read ({exc.strerror or exc})") from None
    if len(data) > max_bytes:
        raise JsonFileError(f"{name}: too big (over {max_bytes:,} bytes)")
    return loads(data, name)


def set_aside(path: str | os.PathLike[str]) -> None:
    """Rename a damaged file to ``<name>.damaged`` (once; a read-only folder keeps it)."""
    path = Path(path)
    with contextlib.suppress(OSError):
        os.replace(path, path.with_name(path.name + ".damaged"))
