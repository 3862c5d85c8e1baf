"""Real pen-drawn digits (UNIPEN) as data: read the strokes, render them as the canvas does.

Two files share one layout family (numpy ``.npz``, read with ``allow_pickle=False``):

* the full stroke file ``unipen-digits.npz`` (``../shared/data``; see its README): strokes in
  millimetres with ``label``, ``writer``, ``institution`` and a ``train``/``test`` split by
  site;
* the compact derived file shipped in the package, ``digitpad/data/pen-digits.npz``: every
  sample already rendered through :func:`digitpad.preprocess.strokes_to_mnist` (uint8 28x28,
  ink 255) with its label, site and split, so the app can train on pen digits and measure
  real-handwriting accuracy offline without re-rendering 14,000 drawings.

UNIPEN: International Unipen Foundation, CC BY 4.0; credit I. Guyon, L. Schomaker,
R. Plamondon, M. Liberman and S. Janet, "UNIPEN project of on-line data exchange and
recognizer benchmarks", ICPR 1994.
"""

from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from digitpad.npzfile import load_npz
from digitpad.paths import atomic_file
from digitpad.preprocess import PEN_WIDTH, strokes_to_mnist

ENV_VAR = "DIGITPAD_PEN_DIGITS"
STROKE_KEYS = ("points", "stroke_ends", "sample_ends", "label", "split")
RENDERED_KEYS = ("images", "label", "site", "split", "format_version", "pen_width",
                 "stroke_points", "stroke_ends", "sample_ends")
RENDERED_FORMAT_VERSION = 1
PACKAGE_FILE = Path(__file__).resolve().parent / "data" / "pen-digits.npz"


class PenDataError(RuntimeError):
    """Pen digits could not be read; the message names the file and what is wrong."""


@dataclass
class PenStrokes:
    """The stroke file, in memory. ``strokes(i)`` gives sample i as a list of (k, 2) arrays."""

    points: np.ndarray
    stroke_ends: np.ndarray
    sample_ends: np.ndarray
    label: np.ndarray
    split: np.ndarray
    site: np.ndarray
    writer: np.ndarray

    def __len__(self) -> int:
        return len(self.label)

    def strokes(self, index: int) -> list[np.ndarray]:
        first = int(self.sample_ends[index - 1]) if index else 0
        last = int(self.sample_ends[index])
        out = []
        for k in range(first, last):
            start = int(self.stroke_ends[k - 1]) if k else 0
            out.append(self.points[start:int(self.stroke_ends[k])])
        return out


@dataclass
class PenImages:
    """Rendered pen digits: uint8 (N, 28, 28) images, labels, sites, splits, and the strokes
    (for augmentation by re-drawing; quantised, see :func:`quantise_strokes`)."""

    images: np.ndarray
    label: np.ndarray
    site: np.ndarray
    split: np.ndarray
    strokes: PenStrokes | None = None

    def stroke_lists(self, split: str) -> list[list[np.ndarray]] | None:
        """Each sample's strokes in the ``split``, in the order of :meth:`part`."""
        if self.strokes is None:
            return None
        return [self.strokes.strokes(int(i)) for i in np.flatnonzero(self.split == split)]

    def part(self, split: str) -> tuple[np.ndarray, np.ndarray]:
        """(images, labels) of the ``train`` or ``test`` split."""
        keep = self.split == split
        return self.images[keep], self.label[keep]

    def sites(self, split: str) -> np.ndarray:
        return self.site[self.split == split]


def _load_npz(path: Path, keys: tuple[str, ...], what: str,
              optional: tuple[str, ...] = ()) -> dict[str, np.ndarray]:
    return load_npz(path, keys, PenDataError, what, optional=optional)


def _check_labels(path: Path, label: np.ndarray, split: np.ndarray, n: int) -> None:
    if label.shape != (n,) or split.shape != (n,):
        raise PenDataError(f"{path}: label/split arrays do not match the {n} samples")
    if n and (label.min() < 0 or label.max() > 9):
        raise PenDataError(f"{path}: labels outside 0-9")
    if not set(np.unique(split).tolist()) <= {"train", "test"}:
        raise PenDataError(f"{path}: split values must be 'train' or 'test'")


def _check_stroke_index(path: Path, points: int, stroke_ends: np.ndarray,
                        sample_ends: np.ndarray, samples: int) -> None:
    """Both layouts index points by stroke and strokes by sample the same way."""
    if len(sample_ends) != samples:
        raise PenDataError(f"{path}: sample_ends does not match the {samples} samples")
    if (np.diff(stroke_ends) < 0).any() or (len(stroke_ends) and stroke_ends[-1] != points):
        raise PenDataError(f"{path}: stroke_ends do not index the points")
    if (np.diff(sample_ends) < 0).any() or (samples and sample_ends[-1] != len(stroke_ends)):
        raise PenDataError(f"{path}: sample_ends do not index the strokes")


def read_pen_strokes(path: str | os.PathLike[str]) -> PenStrokes:
    """Read and validate the UNIPEN stroke file; :class:`PenDataError` for anything else."""
    path = Path(path)
    arrays = _load_npz(path, STROKE_KEYS, "pen-digit stroke", ("institution", "writer"))
    points = arrays["points"]
    stroke_ends = arrays["stroke_ends"].astype(np.int64)
    sample_ends = arrays["sample_ends"].astype(np.int64)
    n = len(sample_ends)
    if points.ndim != 2 or points.shape[1] != 2 or not np.isfinite(points).all():
        raise PenDataError(f"{path}: points must be finite (n, 2) coordinates")
    _check_stroke_index(path, len(points), stroke_ends, sample_ends, n)
    label = arrays["label"].astype(np.int64)
    split = arrays["split"].astype(str)
    _check_labels(path, label, split, n)
    site = arrays.get("institution", np.full(n, "?")).astype(str)
    writer = arrays.get("writer", np.full(n, "?")).astype(str)
    return PenStrokes(points.astype(np.float64), stroke_ends, sample_ends, label.astype(np.uint8),
                      split, site, writer)


def render_pen_strokes(pen: PenStrokes, pen_width: float = PEN_WIDTH) -> np.ndarray:
    """Every sample through the canvas path (:func:`strokes_to_mnist`) as uint8 (N, 28, 28)."""
    images = np.zeros((len(pen), 28, 28), dtype=np.uint8)
    for i in range(len(pen)):
        image = strokes_to_mnist(pen.strokes(i), pen_width=pen_width)
        if image is not None:
            images[i] = np.round(image * 255)
    return images


def quantise_strokes(pen: PenStrokes) -> np.ndarray:
    """Points as uint8 in each sample's own box (0-255 over its longest side): 1/4 of the
    float32 size, and at 28x28 the rounding (< 0.1 px) is invisible."""
    out = np.zeros(pen.points.shape, dtype=np.uint8)
    starts = np.concatenate([[0], pen.stroke_ends[pen.sample_ends[:-1] - 1]]) \
        if len(pen) else np.zeros(0, np.int64)
    ends = pen.stroke_ends[pen.sample_ends - 1] if len(pen) else np.zeros(0, np.int64)
    for start, end in zip(starts, ends, strict=True):
        pts = pen.points[start:end]
        lo = pts.min(axis=0)
        extent = max(float((pts.max(axis=0) - lo).max()), 1e-9)
        out[start:end] = np.round((pts - lo) / extent * 255)
    return out


def write_rendered(path: str | os.PathLike[str], pen: PenStrokes,
                   pen_width: float = PEN_WIDTH) -> Path:
    """Write the compact derived file (atomically: temp file, then ``os.replace``)."""
    path = Path(path)
    with atomic_file(path) as fh:
        np.savez_compressed(fh, images=render_pen_strokes(pen, pen_width), label=pen.label,
                            site=pen.site, split=pen.split,
                            format_version=np.int64(RENDERED_FORMAT_VERSION),
                            pen_width=np.float64(pen_width),
                            stroke_points=quantise_strokes(pen), stroke_ends=pen.stroke_ends,
                            sample_ends=pen.sample_ends)
    return path


def read_rendered(path: str | os.PathLike[str] = PACKAGE_FILE) -> PenImages:
    """Read the derived file; :class:`PenDataError` if it is damaged or of another version."""
    path = Path(path)
    arrays = _load_npz(path, RENDERED_KEYS, "rendered pen-digit")
    if int(arrays["format_version"]) != RENDERED_FORMAT_VERSION:
        raise PenDataError(f"{path}: format version {int(arrays['format_version'])}, "
                           f"this digitpad reads {RENDERED_FORMAT_VERSION}")
    images = arrays["images"]
    if images.dtype != np.uint8 or images.ndim != 3 or images.shape[1:] != (28, 28):
        raise PenDataError(f"{path}: images must be uint8 (N, 28, 28), got "
                           f"{images.dtype} {images.shape}")
    label, split = arrays["label"], arrays["split"].astype(str)
    _check_labels(path, label, split, len(images))
    site = arrays["site"].astype(str)
    points, stroke_ends = arrays["stroke_points"], arrays["stroke_ends"].astype(np.int64)
    sample_ends = arrays["sample_ends"].astype(np.int64)
    _check_stroke_index(path, len(points), stroke_ends, sample_ends, len(images))
    strokes = PenStrokes(points.astype(np.float64), stroke_ends, sample_ends,
                         label.astype(np.uint8), split, site, np.full(len(images), "?"))
    return PenImages(images, label.astype(np.uint8), site, split, strokes)


def load_pen_images(path: str | os.PathLike[str] | None = None) -> PenImages:
    """Rendered pen digits: ``path`` (rendered or stroke file), ``$DIGITPAD_PEN_DIGITS``, else
    the file shipped in the package. A stroke file is rendered on the fly (~15 s)."""
    if path is None:
        path = os.environ.get(ENV_VAR) or PACKAGE_FILE
    path = Path(path)
    arrays_kind = _peek_keys(path)
    if "images" in arrays_kind:
        return read_rendered(path)
    pen = read_pen_strokes(path)
    return PenImages(render_pen_strokes(pen), pen.label, pen.site, pen.split, pen)


def _peek_keys(path: Path) -> set[str]:
    """The array names in an npz without reading the arrays (to tell the two layouts apart)."""
    if not path.is_file():
        raise PenDataError(f"{path}: no such file (pen digits expected)")
    try:
        with zipfile.ZipFile(path) as archive:
            return {name.removesuffix(".npy") for name in archive.namelist()}
    except (OSError, zipfile.BadZipFile) as exc:
        raise PenDataError(f"{path}: not an npz file ({exc})") from exc
