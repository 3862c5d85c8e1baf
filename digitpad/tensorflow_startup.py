"""Paying TensorFlow's one-time start-up cost without stalling the window (plain Python).

Importing TensorFlow from a worker thread stalls the GUI thread, because three things in it
hold Python's GIL for 100-600 ms at a time (measured with a 10 ms timer, ``bench/
bench_first_train.py``): the dynamic loader mapping TensorFlow's 1.2 GB of shared libraries
(inside the import of its first extension module), full garbage collections over the
millions of objects the import creates, and Keras's first trace of a training loop.
:func:`import_tensorflow` removes the first two: it maps the libraries first through ctypes
(which releases the GIL around ``dlopen``), and pauses the collector during the import, then
freezes what the import made so later collections skip it. :func:`warm_tensorflow` also
traces a tiny model, and the window runs it after 3 s without drawing, so the first Train
click finds TensorFlow ready.
"""

from __future__ import annotations

import ctypes
import gc
import importlib.util
import os
import re
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress

ENV_VAR = "DIGITPAD_PREWARM"  # "0" turns the warm-up off (it costs ~0.5 GB of memory)

# TensorFlow's own libraries, in dependency order, relative to the tensorflow package.
_LIBRARIES = ("libtensorflow_framework.so.2", "libtensorflow_cc.so.2")
_RTLD_NOW = 2  # local binding, as Python loads extension modules: RTLD_GLOBAL would let
# TensorFlow's bundled BoringSSL symbols displace OpenSSL's and crash hashlib's import

_import_lock = threading.Lock()

# TensorFlow's native start-up notes (glog-style info and warning lines such as "Could not
# find cuda drivers on your machine", and absl's note that they go to stderr) are written
# before TF_CPP_MIN_LOG_LEVEL applies: they mean nothing to a user and are dropped.
_NATIVE_NOTE = re.compile(r"^[IW]\d{4} \d\d:\d\d:[\d.]+ +\d+ \S+:\d+\] "
                          r"|^WARNING: All log messages before absl::InitializeLog\(\)")


@contextmanager
def native_notes_dropped() -> Iterator[None]:
    """Run the block with the process's stderr captured, then pass on every line but
    TensorFlow's native notes (errors and anything else, from any thread, still appear,
    only later). Does nothing if the user set TF_CPP_MIN_LOG_LEVEL (they want the logs) or
    stderr is not a file descriptor."""
    from digitpad import TF_LOG_LEVEL_SET_BY_USER

    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (AttributeError, OSError, ValueError):
        saved = -1
    if TF_LOG_LEVEL_SET_BY_USER or saved < 0:
        if saved >= 0:
            os.close(saved)
        yield
        return
    with tempfile.TemporaryFile() as capture:
        os.dup2(capture.fileno(), 2)
        try:
            yield
        finally:
            with suppress(AttributeError, OSError, ValueError):
                sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            capture.seek(0)
            kept = [line for line in capture.read().splitlines(keepends=True)
                    if not _NATIVE_NOTE.match(line.decode("utf-8", "replace"))]
            if kept:
                os.write(2, b"".join(kept))


def enabled() -> bool:
    return os.environ.get(ENV_VAR, "1") != "0"


def preload_tensorflow_libraries() -> int:
    """Map TensorFlow's shared libraries with the GIL released; returns how many were
    mapped. Linux only; anywhere else, or if anything is unexpected, it maps nothing and
    the import does the work as usual."""
    if not sys.platform.startswith("linux") or "tensorflow" in sys.modules:
        return 0
    try:
        spec = importlib.util.find_spec("tensorflow")  # finds, does not import
        if spec is None or spec.origin is None:
            return 0
        root = os.path.dirname(spec.origin)
        libc = ctypes.CDLL(None)
        dlopen = libc.dlopen
        dlopen.restype = ctypes.c_void_p
        dlopen.argtypes = [ctypes.c_char_p, ctypes.c_int]
    except (ImportError, OSError, AttributeError, ValueError):
        return 0
    mapped = 0
    for name in _LIBRARIES:
        path = os.path.join(root, name)
        if not os.path.isfile(path) or not dlopen(os.fsencode(path), _RTLD_NOW):
            break  # a different TensorFlow layout: the import loads what it needs
        mapped += 1
    return mapped


def import_tensorflow() -> None:
    """Import TensorFlow and Keras with as few long GIL holds as possible (see the module
    docstring). Safe to call from any thread, any number of times."""
    with _import_lock:
        if "keras" in sys.modules and "tensorflow" in sys.modules:
            return
        with native_notes_dropped():
            preload_tensorflow_libraries()
            collecting = gc.isenabled()
            gc.disable()
            try:
                import keras  # noqa: F401
                import tensorflow  # noqa: F401
            finally:
                if collecting:
                    gc.freeze()  # the import's objects live as long as the process
                    gc.enable()


def warm_tensorflow() -> None:
    """Import TensorFlow/Keras and fit, validate and evaluate a tiny model once."""
    import_tensorflow()
    import keras
    import numpy as np

    x = np.zeros((8, 784), dtype="float32")
    y = np.eye(10, dtype="float32")[np.zeros(8, dtype=int)]
    model = keras.Sequential([keras.Input((784,)), keras.layers.Dense(8, activation="relu"),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, batch_size=8, epochs=1, verbose=0, validation_data=(x, y))
    model.evaluate(x, y, verbose=0)
    model(x, training=False)
