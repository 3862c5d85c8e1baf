"""TensorFlow's import that spares the window (digitpad.tensorflow_startup), in a fresh process each
time: the pre-mapping of TensorFlow's libraries must leave the rest of Python working (a
global mapping crashed ``import hashlib``), and the garbage collector must come back on."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

PROBE = r"""
import gc, sys
from digitpad import tensorflow_startup as warmup
mapped = warmup.preload_tensorflow_libraries()
import hashlib, ssl  # OpenSSL's symbols must still be OpenSSL's
assert hashlib.sha256(b"").hexdigest().startswith("e3b0c44298fc1c149afbf4c8996fb924")
warmup.import_tensorflow()
import tensorflow as tf
assert float(tf.reduce_sum(tf.ones((2, 3)))) == 6.0
print(mapped, gc.isenabled(), gc.get_freeze_count() > 100_000)
"""


def run_probe(code: str) -> list[str]:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=240, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.split()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the pre-mapping is Linux-only")
def test_tensorflow_imports_after_its_libraries_are_mapped_and_collection_resumes():
    mapped, collecting, frozen = run_probe(PROBE)
    assert mapped == "2"  # both libraries: the layout of the installed TensorFlow is known
    assert collecting == "True"
    assert frozen == "True"  # the import's objects sit outside future collections


def test_import_keeps_the_collector_off_if_it_was_off():
    code = ("import gc; gc.disable()\nfrom digitpad import tensorflow_startup as warmup\n"
            "warmup.import_tensorflow(); warmup.import_tensorflow()\nprint(gc.isenabled())")
    assert run_probe(code) == ["False"]


def test_tensorflows_native_notes_are_dropped_and_everything_else_kept():
    """"Could not find cuda drivers…" reached the terminal at every launch; an error or any
    other output written meanwhile (from any thread) must still appear."""
    import textwrap

    script = textwrap.dedent("""
        import os, sys
        from digitpad.tensorflow_startup import native_notes_dropped
        with native_notes_dropped():
            os.write(2, b"WARNING: All log messages before absl::InitializeLog() is called "
                        b"are written to STDERR\\n")
            os.write(2, b"I0000 00:00:1795997201.369041   16334 cudart_stub.cc:31] Could "
                        b"not find cuda drivers on your machine, GPU will not be used.\\n")
            os.write(2, b"E0000 00:00:1795997201.369041   16334 some_op.cc:12] a real error\\n")
            print("a Python warning", file=sys.stderr)
        print("after", file=sys.stderr)
    """)
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env=env, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "cuda drivers" not in proc.stderr and "absl::InitializeLog" not in proc.stderr
    assert "a real error" in proc.stderr and "a Python warning" in proc.stderr
    assert proc.stderr.rstrip().endswith("after")
    # A user who set the log level sees everything.
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env={**env, "TF_CPP_MIN_LOG_LEVEL": "0"}, timeout=60)
    assert "cuda drivers" in proc.stderr
