"""Shared fixtures: headless Qt, an isolated user data dir, MNIST when available."""

from __future__ import annotations

import gc
import os
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("DIGITPAD_PREWARM", "0")  # tests that want the warm-up turn it on

import numpy as np
import pytest

REPO = Path(__file__).resolve().parent.parent
MNIST_SKIP_REASON = (
    "full MNIST not available: set DIGITPAD_MNIST=/path/to/mnist.npz to run this test"
)


@pytest.fixture(autouse=True)
def collect_in_the_gui_thread():
    """After each test, collect the test's cyclic garbage here, in the GUI thread. Left to
    chance, a later test's background thread may trigger the collection, and a Qt widget
    destroyed from a non-GUI thread can deadlock or crash."""
    yield
    gc.collect()


@pytest.fixture(autouse=True)
def isolated_user_dir(tmp_path_factory: pytest.TempPathFactory,
                      monkeypatch: pytest.MonkeyPatch) -> Path:
    """Never read or write the real user's models: every test gets its own data dir."""
    path = tmp_path_factory.mktemp("userdata")
    monkeypatch.setenv("DIGITPAD_DATA_DIR", str(path))
    return path


def _mnist_path() -> Path | None:
    value = os.environ.get("DIGITPAD_MNIST")
    return Path(value) if value and Path(value).is_file() else None


@pytest.fixture(scope="session")
def mnist():
    """Full MNIST ((x_train, y_train), (x_test, y_test)); skips when it is not available."""
    path = _mnist_path()
    if path is None:
        pytest.skip(MNIST_SKIP_REASON)
    from digitpad.mnist import read_mnist_npz

    return read_mnist_npz(path)


def synthetic_digits(n_per_class: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A learnable 10-class stand-in for MNIST (uint8 28x28), so training tests run anywhere.

    Each class is a fixed random smooth pattern; samples add noise and a small shift.
    """
    prototypes = np.random.default_rng(1234).random((10, 7, 7)) ** 3
    rng = np.random.default_rng(seed)
    prototypes = np.kron(prototypes, np.ones((4, 4)))  # 28x28 blocky blobs
    images, labels = [], []
    for digit in range(10):
        for _ in range(n_per_class):
            img = np.roll(prototypes[digit], rng.integers(-1, 2, size=2), axis=(0, 1))
            img = np.clip(img + rng.normal(0, 0.15, img.shape), 0, 1)
            images.append((img * 255).astype(np.uint8))
            labels.append(digit)
    order = rng.permutation(len(labels))
    return np.stack(images)[order], np.array(labels, dtype=np.uint8)[order]


@pytest.fixture(scope="session")
def small_data():
    """Train/test splits of the synthetic digits (1,000 / 300 images)."""
    return synthetic_digits(100, seed=1), synthetic_digits(30, seed=2)


@pytest.fixture(scope="session")
def book_model_path() -> Path:
    from digitpad.paths import book_model_path

    path = book_model_path()
    assert path.is_file(), f"bundled model missing at {path}; run python train_model.py"
    return path


@pytest.fixture(scope="session")
def small_npz(tmp_path_factory):
    """A small MNIST-layout file (synthetic digits) so a GUI run takes a few seconds anywhere."""
    (x_train, y_train), (x_test, y_test) = synthetic_digits(300, seed=1), synthetic_digits(30, 2)
    path = tmp_path_factory.mktemp("data") / "small.npz"
    np.savez_compressed(path, x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)
    return path
