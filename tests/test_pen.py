"""Pen digits as data: the shipped rendered file, the stroke loader, damaged files."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pytest
from conftest import REPO

from digitpad.pen import (
    PACKAGE_FILE,
    PenDataError,
    load_pen_images,
    read_pen_strokes,
    read_rendered,
    write_rendered,
)
from digitpad.preprocess import strokes_to_mnist

SHARED = REPO.parent / "shared" / "data" / "unipen-digits.npz"
needs_strokes = pytest.mark.skipif(
    not SHARED.is_file(), reason=f"the UNIPEN stroke file is not at {SHARED} (../shared/data)")


def test_shipped_file_is_small_and_complete():
    assert PACKAGE_FILE.stat().st_size <= 5 * 2**20
    pen = read_rendered()
    assert pen.images.shape == (14272, 28, 28) and pen.images.dtype == np.uint8
    x_test, y_test = pen.part("test")
    assert len(x_test) == 2774 and set(pen.sites("test")) == {"aga", "ibm", "val"}
    assert np.bincount(pen.part("train")[1]).tolist() == [
        1156, 1302, 1212, 1171, 1184, 1114, 1054, 1099, 1115, 1091]
    assert not set(pen.sites("train")) & set(pen.sites("test"))  # split by site
    assert len(pen.stroke_lists("train")) == 11498
    assert "CC BY 4.0" in (PACKAGE_FILE.parent / "README.md").read_text()


def test_shipped_strokes_redraw_like_the_shipped_images():
    """The quantised strokes (for augmentation) are the same digits as the images."""
    pen = read_rendered()
    x_test, _ = pen.part("test")
    strokes = pen.stroke_lists("test")
    for i in range(0, 2774, 97):
        redrawn = strokes_to_mnist(strokes[i]) * 255
        assert np.abs(redrawn - x_test[i]).mean() < 3.0  # of 255


@needs_strokes
def test_rendered_file_matches_the_canvas_path_on_the_stroke_file():
    strokes = read_pen_strokes(SHARED)
    shipped = read_rendered()
    assert np.array_equal(strokes.label, shipped.label)
    for i in range(0, len(strokes), 499):
        image = np.round(strokes_to_mnist(strokes.strokes(i)) * 255)
        np.testing.assert_array_equal(image, shipped.images[i])


@needs_strokes
def _first(pen, n: int):
    """The first ``n`` samples of a stroke file, as a stroke file of their own."""
    strokes = int(pen.sample_ends[n - 1])
    points = int(pen.stroke_ends[strokes - 1])
    return type(pen)(pen.points[:points], pen.stroke_ends[:strokes], pen.sample_ends[:n],
                     pen.label[:n], pen.split[:n], pen.site[:n], pen.writer[:n])


def test_stroke_file_loads_and_writes_a_rendered_copy(tmp_path):
    """The shipped rendered file is what rendering the stroke file gives (checked on its
    first 600 digits: rendering all 14,272 twice took 40 s of every CI run)."""
    strokes = read_pen_strokes(SHARED)
    assert len(strokes) == 14272 and strokes.strokes(0)[0].shape[1] == 2
    part = _first(strokes, 600)
    out = write_rendered(tmp_path / "copy.npz", part)
    assert np.array_equal(read_rendered(out).images, read_rendered().images[:600])
    small = tmp_path / "strokes.npz"
    np.savez(small, points=part.points, stroke_ends=part.stroke_ends,
             sample_ends=part.sample_ends, label=part.label, split=part.split)
    assert np.array_equal(load_pen_images(small).images[:50], read_rendered().images[:50])


def _copy_without(tmp_path: Path, drop: str) -> Path:
    with np.load(PACKAGE_FILE, allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files if k != drop}
    path = tmp_path / "partial.npz"
    np.savez(path, **arrays)
    return path


@pytest.mark.parametrize("case", ["missing", "truncated", "npy", "foreign", "no-images-key",
                                  "version", "labels", "directory"])
def test_damaged_or_foreign_files_give_a_clear_message(tmp_path, case):
    path = tmp_path / "pen.npz"
    if case == "truncated":
        path.write_bytes(PACKAGE_FILE.read_bytes()[:100_000])
    elif case == "npy":
        np.save(tmp_path / "x.npy", np.zeros(3))
        (tmp_path / "x.npy").rename(path)
    elif case == "foreign":
        np.savez(path, x_train=np.zeros((1, 28, 28), np.uint8))
    elif case == "no-images-key":
        path = _copy_without(tmp_path, "label")
    elif case == "version":
        with np.load(PACKAGE_FILE, allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in npz.files}
        arrays["format_version"] = np.int64(99)
        np.savez(path, **arrays)
    elif case == "labels":
        with np.load(PACKAGE_FILE, allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in npz.files}
        arrays["label"] = arrays["label"][:-1]
        np.savez(path, **arrays)
    elif case == "directory":
        path.mkdir()
    with pytest.raises(PenDataError) as info:
        load_pen_images(path) if case != "no-images-key" else read_rendered(path)
    message = str(info.value)
    assert str(path) in message and "\n" not in message


def test_corrupt_deflate_stream_is_reported(tmp_path):
    """Bytes flipped inside a compressed array: zlib's error becomes a PenDataError."""
    data = bytearray(PACKAGE_FILE.read_bytes())
    with zipfile.ZipFile(PACKAGE_FILE) as archive:
        info = archive.getinfo("images.npy")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra) + 1000
    data[start:start + 64] = bytes(64)
    path = tmp_path / "flipped.npz"
    path.write_bytes(bytes(data))
    with pytest.raises(PenDataError, match="flipped.npz"):
        read_rendered(path)


def test_stroke_file_with_bad_indices_is_rejected(tmp_path):
    path = tmp_path / "strokes.npz"
    np.savez(path, points=np.zeros((5, 2), np.float32), stroke_ends=np.array([2, 9]),
             sample_ends=np.array([2]), label=np.array([3], np.uint8), split=np.array(["train"]))
    with pytest.raises(PenDataError, match="stroke_ends"):
        read_pen_strokes(path)
