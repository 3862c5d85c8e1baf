"""Reading ``.npz`` files defensively: every failure becomes the caller's error type with a
one-line message naming the file; only the members asked for are read (others, however big,
are never decompressed); and no array is allocated before its header is checked against the
bytes actually stored and against one budget for the whole file (a forged header cannot ask
for 73 GiB, nor a 2 MB zip bomb inflate to several arrays of 2 GiB)."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import numpy as np

MAX_ARRAY_BYTES = 2 << 30


def load_npz(path: str | os.PathLike[str], keys: tuple[str, ...], error: type[Exception],
             what: str, max_bytes: int = MAX_ARRAY_BYTES,
             optional: tuple[str, ...] = ()) -> dict[str, np.ndarray]:
    """The arrays ``keys`` (all required) and ``optional`` (if present) of an npz, without
    pickles, together at most ``max_bytes``."""
    path = Path(path)
    if path.is_dir():
        raise error(f"{path}: is a directory, not a {what} .npz file")
    if not path.is_file():
        raise error(f"{path}: no such file ({what} expected)")
    try:
        if not zipfile.is_zipfile(path):
            raise error(f"{path}: not an .npz archive, or truncated (a {what} file is a "
                        "numpy .npz)")
        with zipfile.ZipFile(path) as archive:
            names = {n.removesuffix(".npy"): n for n in archive.namelist()}
            missing = [k for k in keys if k not in names]
            if missing:
                raise error(f"{path}: not a {what} file, missing {', '.join(missing)}")
            wanted = {k: names[k] for k in (*keys, *optional) if k in names}
            arrays, total = {}, 0
            for key, member in wanted.items():
                info = archive.getinfo(member)
                with archive.open(member) as fh:
                    version = np.lib.format.read_magic(fh)
                    read_header = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                                   else np.lib.format.read_array_header_2_0)
                    shape, _, dtype = read_header(fh)
                    if dtype.hasobject:
                        raise error(f"{path}: array {key} holds Python objects (pickle)")
                    declared = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
                    total += declared
                    if declared > info.file_size:
                        raise error(f"{path}: array {key} declares {declared >> 20} MB but the "
                                    f"file holds {info.file_size >> 20} MB: damaged")
                    if total > max_bytes:
                        raise error(f"{path}: its arrays hold more than {max_bytes >> 20} MB, "
                                    f"more than a {what} file can: not read")
            for key, member in wanted.items():
                with archive.open(member) as fh:
                    arrays[key] = np.lib.format.read_array(fh, allow_pickle=False)
    except PermissionError:
        raise error(f"{path}: permission denied") from None
    except error:
        raise
    except Exception as exc:  # zlib.error, BadZipFile, ValueError...: damaged
        detail = (str(exc).splitlines() or [""])[0][:160]
        raise error(f"{path}: damaged or truncated .npz ({type(exc).__name__}: {detail})") \
            from exc
    return arrays
