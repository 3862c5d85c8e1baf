"""Where digitpad keeps its files: the bundled model and the per-user data directory."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

import platformdirs

APP_NAME = "digitpad"
PACKAGE_DIR = Path(__file__).resolve().parent


def user_data_dir() -> Path:
    """Per-user data directory (models trained in the app, a downloaded ``mnist.npz``).

    ``DIGITPAD_DATA_DIR`` overrides it, so tests and portable installs never touch $HOME.
    """
    override = os.environ.get("DIGITPAD_DATA_DIR")
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def user_model_path() -> Path:
    """The model the app trained last; used instead of the bundled one when present."""
    return user_data_dir() / "model.keras"


def asset_path(name: str) -> Path:
    """A shipped file: ``assets/`` of the source tree (editable install), else the copy a
    wheel installs under ``<prefix>/share/digitpad`` (see pyproject's data-files)."""
    candidates = [PACKAGE_DIR.parent / "assets" / name,
                  Path(sys.prefix) / "share" / APP_NAME / name]
    return next((path for path in candidates if path.exists()), candidates[0])


def book_model_path() -> Path:
    """The book's dense network shipped with digitpad (the default model is the bundled
    convnet: ``session.default_model_path()``)."""
    return asset_path("model.keras")


def printable_path(path: str | os.PathLike[str]) -> str:
    """A file name printable on any terminal: bytes that are not UTF-8 appear as ``\\xe9``
    (like ``ls -b``) instead of raising UnicodeEncodeError or reading "file not found"."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


@contextmanager
def atomic_file(path: str | os.PathLike[str]) -> Iterator[BinaryIO]:
    """Write ``path`` all or nothing: into a hidden temp file beside it (``.<stem>-XXXX``,
    which listings skip), synced to disk, then moved over it with ``os.replace``. If the
    writing fails the temp file is removed and ``path`` is untouched."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=path.suffix,
                                    dir=path.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


class FileProblem(OSError):
    """Why :func:`read_regular_file` could not read a file: ``kind`` is one of ``missing``,
    ``directory``, ``not-regular``, ``too-big``, ``permission`` or ``unreadable`` (with the
    system's words in ``detail`` where there are some); each reader words it for its files."""

    def __init__(self, kind: str, detail: str = "", size: int = 0) -> None:
        super().__init__(detail or kind)
        self.kind, self.detail, self.size = kind, detail, size


def read_regular_file(path: str | os.PathLike[str], max_bytes: int) -> bytes:
    """The bytes of the regular file ``path``, at most ``max_bytes`` (else
    :class:`FileProblem`). A directory, FIFO or device is refused at once, and the file is
    opened without blocking, so a pipe swapped in after the check cannot hang the reader."""
    import stat

    path = Path(path)
    try:
        info = path.stat()
    except FileNotFoundError as exc:
        raise FileProblem("missing", str(exc.strerror or exc)) from None
    except OSError as exc:
        raise FileProblem("unreadable", str(exc.strerror or exc)) from None
    if stat.S_ISDIR(info.st_mode):
        raise FileProblem("directory")
    if not stat.S_ISREG(info.st_mode):
        raise FileProblem("not-regular")
    if info.st_size > max_bytes:
        raise FileProblem("too-big", size=info.st_size)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                raise FileProblem("not-regular")
            data = fh.read(max_bytes + 1)
    except PermissionError as exc:
        raise FileProblem("permission", str(exc.strerror or exc)) from None
    except FileProblem:
        raise
    except OSError as exc:
        raise FileProblem("unreadable", str(exc.strerror or exc)) from None
    if len(data) > max_bytes:
        raise FileProblem("too-big", size=len(data))
    return data
