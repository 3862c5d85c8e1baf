"""MNIST loading: every failure is one clear MnistError; valid files load like Keras's."""

from __future__ import annotations

import io
import time
from pathlib import Path

import numpy as np
import pytest

from digitpad.mnist import MnistError, load_mnist, read_mnist_npz


def write_npz(path: Path, n_train: int = 20, n_test: int = 10, **overrides) -> Path:
    rng = np.random.default_rng(0)
    arrays = {
        "x_train": rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        "y_train": rng.integers(0, 10, n_train).astype(np.uint8),
        "x_test": rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        "y_test": rng.integers(0, 10, n_test).astype(np.uint8),
    }
    arrays.update(overrides)
    arrays = {k: v for k, v in arrays.items() if v is not None}
    np.savez_compressed(path, **arrays)
    return path


def never_online(host: str) -> bool:
    raise AssertionError("tests must never try to download")


@pytest.fixture(autouse=True)
def no_env_mnist(monkeypatch):
    monkeypatch.delenv("DIGITPAD_MNIST", raising=False)


def test_small_valid_npz_loads_like_keras(tmp_path):
    path = write_npz(tmp_path / "mnist.npz")
    (x_train, y_train), (x_test, y_test) = load_mnist(path, reachable=never_online)
    assert x_train.shape == (20, 28, 28) and x_test.shape == (10, 28, 28)
    assert y_train.shape == (20,) and y_test.shape == (10,)
    assert {a.dtype for a in (x_train, y_train, x_test, y_test)} == {np.dtype(np.uint8)}


def test_env_var_is_used(tmp_path, monkeypatch):
    monkeypatch.setenv("DIGITPAD_MNIST", str(write_npz(tmp_path / "m.npz", n_train=7)))
    (x_train, _), _ = load_mnist(reachable=never_online)
    assert len(x_train) == 7


def test_explicit_path_wins_over_env(tmp_path, monkeypatch):
    monkeypatch.setenv("DIGITPAD_MNIST", str(write_npz(tmp_path / "env.npz", n_train=7)))
    (x_train, _), _ = load_mnist(write_npz(tmp_path / "arg.npz", n_train=9))
    assert len(x_train) == 9


def test_user_data_dir_copy_is_used(isolated_user_dir):
    write_npz(isolated_user_dir / "mnist.npz", n_train=11)
    (x_train, _), _ = load_mnist(reachable=never_online)
    assert len(x_train) == 11


def corrupt_deflate(path):
    """A compressed npz whose x_train deflate stream has garbage in the middle."""
    import zipfile

    write_npz(path, x_train=np.random.default_rng(0).integers(0, 255, (200, 28, 28), np.uint8))
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("x_train.npy")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra) + 200
    data[start:start + 400] = bytes(range(200)) * 2
    path.write_bytes(bytes(data))
    return path


def huge_header(path):
    """An npz whose x_train header declares a (100000000, 28, 28) array (73 GiB)."""
    import io
    import zipfile

    write_npz(path)
    with zipfile.ZipFile(path) as archive:
        members = {n: archive.read(n) for n in archive.namelist()}
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": "|u1", "fortran_order": False, "shape": (100_000_000, 28, 28)})
    members["x_train.npy"] = header.getvalue() + b"\x00" * 64  # magic, header, a few bytes
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return path


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda p: p, "no such file"),
        (lambda p: (p.write_bytes(b"this is not a zip"), p)[1], "not an .npz archive"),
        (lambda p: (write_npz(p), p.write_bytes(p.read_bytes()[:200]), p)[2], "truncated"),
        (lambda p: write_npz(p, x_test=None), "missing x_test"),
        (lambda p: write_npz(p, x_train=np.zeros((5, 32, 32), np.uint8)), "expected (N, 28, 28)"),
        (lambda p: write_npz(p, y_train=np.zeros(3, np.uint8)), "to match x_train"),
        (lambda p: write_npz(p, x_train=np.zeros((20, 28, 28), np.float32)), "expected uint8"),
        (lambda p: write_npz(p, y_test=np.full(10, 12, np.uint8)), "expected 0-9"),
        (lambda p: write_npz(p, x_test=np.zeros((0, 28, 28), np.uint8),
                             y_test=np.zeros(0, np.uint8)), "the test split is empty"),
        (lambda p: (np.save(p.with_suffix(".npy"), np.zeros(3)),
                    p.with_suffix(".npy").rename(p), p)[2], "not an .npz archive"),
        (lambda p: corrupt_deflate(p), "damaged or truncated .npz (error"),
        (lambda p: huge_header(p), "declares"),
        (lambda p: (p.mkdir(), p)[1], "is a directory"),
    ],
    ids=["missing", "not-zip", "truncated", "missing-key", "bad-shape", "label-count",
         "dtype", "label-range", "empty-test", "npy", "corrupt-deflate", "huge-header",
         "directory"],
)
def test_bad_files_give_one_clear_error(tmp_path, make, expected):
    path = make(tmp_path / "mnist.npz")
    with pytest.raises(MnistError) as info:
        load_mnist(path, reachable=never_online)
    message = str(info.value)
    assert expected in message
    assert str(path) in message
    assert "DIGITPAD_MNIST=/path/to/mnist.npz" in message  # says how to fix it
    with pytest.raises(MnistError):
        read_mnist_npz(path)


def test_offline_fails_fast_and_lists_what_was_tried():
    started = time.perf_counter()
    with pytest.raises(MnistError) as info:
        load_mnist(reachable=lambda host: False)
    assert time.perf_counter() - started < 1.0
    message = str(info.value)
    assert "DIGITPAD_MNIST (not set)" in message
    assert "mnist.npz (not found)" in message
    assert "unreachable" in message


def test_failed_download_becomes_mnist_error(monkeypatch):
    import digitpad.mnist

    def broken_download():
        raise OSError("connection reset")

    monkeypatch.setattr(digitpad.mnist, "_keras_download", broken_download)
    with pytest.raises(MnistError, match="connection reset"):
        load_mnist(reachable=lambda host: True)


def test_download_disabled():
    with pytest.raises(MnistError, match="download \\(disabled\\)"):
        load_mnist(download=False)


def test_unreachable_host_probe_returns_quickly():
    from digitpad.mnist import _host_reachable

    started = time.perf_counter()
    assert _host_reachable("nonexistent.invalid", timeout=0.5) is False
    assert time.perf_counter() - started < 2.0


@pytest.mark.mnist
def test_full_mnist_has_known_shapes_and_class_counts(mnist):
    (x_train, y_train), (x_test, y_test) = mnist
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert np.bincount(y_train).tolist() == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265,
                                             5851, 5949]
    assert np.bincount(y_test).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974,
                                            1009]


def test_members_not_asked_for_are_never_decompressed(tmp_path):
    """Three unknown 1 GiB members took 3.2 GB: now they are not read at all."""
    import resource
    import zipfile

    from digitpad.npzfile import load_npz

    path = tmp_path / "bomb.npz"
    np.savez_compressed(path, wanted=np.arange(5))
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "|u1", "fortran_order": False,
                                                  "shape": (256 << 20,)})
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive, \
            archive.open("unknown.npy", "w", force_zip64=True) as member:
        member.write(header.getvalue())
        zeros = bytes(1 << 24)
        for _ in range(16):  # 256 MB of zeros, a few hundred KB compressed
            member.write(zeros)
    assert path.stat().st_size < 4 << 20
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    arrays = load_npz(path, ("wanted",), ValueError, "test")
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert list(arrays) == ["wanted"] and arrays["wanted"].tolist() == [0, 1, 2, 3, 4]
    assert grown_mb < 100


def test_one_budget_holds_for_the_whole_file(tmp_path):
    from digitpad.npzfile import load_npz

    path = tmp_path / "two.npz"
    np.savez_compressed(path, a=np.zeros(40 << 20, np.uint8), b=np.zeros(40 << 20, np.uint8))
    assert set(load_npz(path, ("a", "b"), ValueError, "test", max_bytes=100 << 20)) == {"a", "b"}
    with pytest.raises(ValueError, match="more than 64 MB"):
        load_npz(path, ("a", "b"), ValueError, "test", max_bytes=64 << 20)  # 40 MB each
