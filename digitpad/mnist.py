"""Loading MNIST without Qt or TensorFlow.

Keras's own ``mnist.load_data()`` checks the hash of *its* download and deletes any other
file, so digitpad reads the npz itself and only falls back to Keras's download when no local
copy exists.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np

from digitpad.jsonfile import read_json
from digitpad.npzfile import load_npz
from digitpad.paths import atomic_file, user_data_dir

ENV_VAR = "DIGITPAD_MNIST"
KERAS_MNIST_HOST = "storage.googleapis.com"
_KEYS = ("x_train", "y_train", "x_test", "y_test")

MnistArrays = tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


class MnistError(RuntimeError):
    """MNIST could not be loaded; the message lists what was tried and how to fix it."""


def _fix_hint() -> str:
    return (
        f"Fix: download mnist.npz and set {ENV_VAR}=/path/to/mnist.npz, "
        f"pass --data /path/to/mnist.npz, or copy it to {user_data_dir() / 'mnist.npz'}."
    )


def read_mnist_npz(path: str | os.PathLike[str]) -> MnistArrays:
    """Read and validate an npz in Keras's MNIST layout; raise :class:`MnistError` if it is not."""
    path = Path(path)
    arrays = load_npz(path, _KEYS, MnistError, "MNIST")
    _validate(path, arrays)
    return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])


def _validate(path: Path, arrays: dict[str, np.ndarray]) -> None:
    for split in ("train", "test"):
        x, y = arrays[f"x_{split}"], arrays[f"y_{split}"]
        if x.ndim != 3 or x.shape[1:] != (28, 28):
            raise MnistError(f"{path}: x_{split} has shape {x.shape}, expected (N, 28, 28)")
        if y.shape != (x.shape[0],):
            raise MnistError(
                f"{path}: y_{split} has shape {y.shape}, "
                f"expected ({x.shape[0]},) to match x_{split}"
            )
        for name, arr in ((f"x_{split}", x), (f"y_{split}", y)):
            if arr.dtype != np.uint8:
                raise MnistError(f"{path}: {name} has dtype {arr.dtype}, expected uint8")
        if y.size and y.max() > 9:
            raise MnistError(f"{path}: y_{split} has labels up to {y.max()}, expected 0-9")
        if not len(x):
            raise MnistError(f"{path}: the {split} split is empty")


def _host_reachable(host: str, port: int = 443, timeout: float = 3.0) -> bool:
    """True if a TCP connection to host opens within ``timeout`` (DNS included), never hangs."""
    result: list[bool] = []

    def probe() -> None:
        try:
            with socket.create_connection((host, port), timeout=timeout):
                result.append(True)
        except OSError:
            result.append(False)

    thread = threading.Thread(target=probe, daemon=True)
    thread.start()
    thread.join(timeout)
    return bool(result and result[0])


def _keras_download() -> MnistArrays:
    """Keras's own download (online users); the socket timeout stops a stalled transfer."""
    from keras.datasets import mnist  # lazy: imports TensorFlow

    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(30)
    try:
        return mnist.load_data()
    finally:
        socket.setdefaulttimeout(previous)


CHOSEN_FILE = "mnist-path.json"  # {"path": ...}: the mnist.npz chosen in the window


def remember_mnist_path(path: str | os.PathLike[str]) -> None:
    """Remember the mnist.npz the user pointed the window at, for the next launch (and the
    command line); a data dir that cannot be written just does not remember."""
    with contextlib.suppress(OSError), atomic_file(user_data_dir() / CHOSEN_FILE) as fh:
        fh.write(json.dumps({"path": str(Path(path).resolve())}).encode("utf-8"))


def remembered_mnist_path() -> Path | None:
    try:
        path = Path(read_json(user_data_dir() / CHOSEN_FILE, 64 << 10)["path"])
        return path if path.is_file() else None
    except (OSError, ValueError, KeyError, TypeError):
        return None


def load_mnist(
    path: str | os.PathLike[str] | None = None,
    *,
    download: bool = True,
    reachable: Callable[[str], bool] = _host_reachable,
) -> MnistArrays:
    """Return ``(x_train, y_train), (x_test, y_test)`` as uint8 arrays, like Keras.

    Tried in order: ``path``, ``$DIGITPAD_MNIST``, the file chosen last in the window
    (:func:`remember_mnist_path`), ``mnist.npz`` in the user data dir, then Keras's download.
    An explicit path or variable that is broken is an error at once: silently using another
    copy would hide the user's mistake.
    """
    tried: list[str] = []
    explicit = [("path", path), (ENV_VAR, os.environ.get(ENV_VAR) or None)]
    for label, candidate in explicit:
        if candidate is not None:
            try:
                return read_mnist_npz(candidate)
            except MnistError as exc:
                raise MnistError(f"MNIST from {label}: {exc}. {_fix_hint()}") from exc
    chosen = remembered_mnist_path()
    if chosen is not None:
        with contextlib.suppress(MnistError):  # moved or damaged since: look further
            return read_mnist_npz(chosen)
        tried.append(f"{chosen} (chosen earlier; no longer a readable MNIST file)")
    user_copy = user_data_dir() / "mnist.npz"
    if user_copy.exists():
        try:
            return read_mnist_npz(user_copy)
        except MnistError as exc:
            raise MnistError(f"MNIST in the user data dir: {exc}. {_fix_hint()}") from exc
    tried.append(f"{ENV_VAR} (not set)")
    tried.append(f"{user_copy} (not found)")
    if not download:
        tried.append("download (disabled)")
    elif not reachable(KERAS_MNIST_HOST):
        tried.append(f"Keras download ({KERAS_MNIST_HOST} unreachable: offline?)")
    else:
        try:
            return _keras_download()
        except Exception as exc:  # any failure becomes one clear error
            tried.append(f"Keras download ({type(exc).__name__}: {exc})")
    raise MnistError("MNIST not found. Tried: " + "; ".join(tried) + ". " + _fix_hint())
