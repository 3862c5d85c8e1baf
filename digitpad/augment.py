"""Drawing-like augmentation, seeded: what makes MNIST look like pen input.

MNIST digits are scanned pencil of US writers; the canvas gets pen strokes of uniform width
from anyone, normalised to a 20x20 box. Two kinds of change bridge that gap:

* **image level**, every sample, every epoch afresh: small rotation, shear, scale and
  shift; elastic distortion (a smooth random displacement field); thicker or thinner strokes.
  These run as TensorFlow ops beside training (:mod:`digitpad.augment_graph`).
* **stroke level**, made once before training (:func:`make_alternates`): a sample's strokes
  bent by a random affine map and re-rendered through the canvas path with a random pen
  width, sometimes in another national style (:func:`add_style`). MNIST digits traced with
  :mod:`digitpad.skeleton` get this too, so they become uniform pen strokes as drawn.
  Rendering costs ~0.3 ms a digit, more than a dense training step per sample, so the
  re-drawings are made once and the image-level changes vary them from epoch to epoch.

Images keep shape (28, 28), range [0, 1] and label; the same seed gives the same result.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from digitpad.preprocess import PEN_WIDTH, SIZE, strokes_to_mnist, strokes_to_mnist_many


@dataclass(frozen=True)
class AugmentConfig:
    """Strengths of each change; the defaults were chosen by ``bench/bench_pen.py``."""

    rotation_deg: float = 12.0
    shear: float = 0.25
    scale: tuple[float, float] = (0.9, 1.1)
    shift_px: float = 1.5
    elastic_px: float = 1.6
    elastic_share: float = 0.5
    thickness_share: float = 0.5
    pen_width: tuple[float, float] = (PEN_WIDTH * 0.7, PEN_WIDTH * 1.4)
    style_share: float = 0.4  # of re-drawn 0s, 1s and 7s, given another national style


DEFAULT_AUGMENT = AugmentConfig()


@dataclass
class Alternates:
    """Pen-stroke re-drawings of some training samples, made once before training.

    ``images[index[i]]`` is sample i re-drawn (``index[i] < 0``: none); training uses it
    instead of the original with probability ``share[i]``, then warps it like any image.
    """

    images: np.ndarray  # uint8 (m, 28, 28)
    index: np.ndarray  # int (n,), -1 where sample i has no re-drawing
    share: np.ndarray  # float (n,)


def random_affine_matrices(n: int, rng: np.random.Generator, cfg: AugmentConfig) -> np.ndarray:
    """(n, 2, 2) matrices: rotation @ shear @ anisotropic scale, drawn uniformly."""
    angle = np.deg2rad(rng.uniform(-cfg.rotation_deg, cfg.rotation_deg, n))
    shear = rng.uniform(-cfg.shear, cfg.shear, n)
    sx, sy = rng.uniform(*cfg.scale, n), rng.uniform(*cfg.scale, n)
    cos, sin = np.cos(angle), np.sin(angle)
    rotation = np.stack([np.stack([cos, -sin], -1), np.stack([sin, cos], -1)], -2)
    shearing = np.zeros((n, 2, 2))
    shearing[:, 0, 0] = shearing[:, 1, 1] = 1.0
    shearing[:, 0, 1] = shear
    scaling = np.zeros((n, 2, 2))
    scaling[:, 0, 0], scaling[:, 1, 1] = sx, sy
    return rotation @ shearing @ scaling


def _segment(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.stack([a, b]).astype(np.float64)


def add_style(strokes: Sequence[np.ndarray], label: int,
              rng: np.random.Generator) -> list[np.ndarray]:
    """The digit written in another common style, by adding one pen stroke: a 1 with a
    flag (continental) or a base, a 0 slashed or barred, a 7 crossed. Others are unchanged.

    Sizes are relative to the digit's height, chosen so the new stroke cannot turn the digit
    into another one (a flag stays short and steep, unlike a 7's bar).
    """
    parts = [np.asarray(s, dtype=np.float64) for s in strokes]
    if label not in (0, 1, 7) or not parts:
        return parts
    points = np.concatenate(parts)
    lo, hi = points.min(axis=0), points.max(axis=0)
    height = max(float(hi[1] - lo[1]), 1e-6)
    width = float(hi[0] - lo[0])
    if label == 1:
        if width > 0.45 * height:  # already has a flag or base: leave it
            return parts
        top = points[points[:, 1].argmin()]
        bottom = points[points[:, 1].argmax()]
        if rng.random() < 0.65:
            flag = top + np.array([-rng.uniform(0.15, 0.45), rng.uniform(0.12, 0.35)]) * height
            parts.append(_segment(flag, top))
        if rng.random() < 0.4:
            half = rng.uniform(0.12, 0.25) * height
            parts.append(_segment(bottom - [half, 0], bottom + [half, 0]))
    elif label == 0:
        over = rng.uniform(0.0, 0.3, 2) * [width, height]
        if rng.random() < 0.5:  # slashed, bottom-left to top-right
            parts.append(_segment(np.array([lo[0], hi[1]]) - [over[0], -over[1]],
                                  np.array([hi[0], lo[1]]) + [over[0], -over[1]]))
        else:  # barred across the middle
            y = lo[1] + height * rng.uniform(0.4, 0.6)
            parts.append(_segment(np.array([lo[0] - over[0], y]),
                                  np.array([hi[0] + over[0], y + rng.normal(0, 0.05) * height])))
    else:  # 7: a short bar across the stem at mid height
        y = lo[1] + height * rng.uniform(0.45, 0.6)
        crossings = [a[0] + (y - a[1]) / (b[1] - a[1]) * (b[0] - a[0])
                     for stroke in parts for a, b in zip(stroke[:-1], stroke[1:], strict=True)
                     if min(a[1], b[1]) <= y <= max(a[1], b[1]) and a[1] != b[1]]
        if not crossings:
            return parts
        x = float(np.mean(crossings))  # where the stem is at that height
        half = rng.uniform(0.12, 0.22) * height
        parts.append(_segment(np.array([x - half, y]), np.array([x + half, y])))
    return parts


def redraw_strokes(strokes: Sequence[np.ndarray], rng: np.random.Generator,
                   cfg: AugmentConfig = DEFAULT_AUGMENT) -> np.ndarray | None:
    """The strokes bent by a random affine map and rendered as the canvas does, random pen."""
    bent, width = _bend(strokes, rng, cfg)
    return strokes_to_mnist(bent, pen_width=width)


def _bend(strokes: Sequence[np.ndarray], rng: np.random.Generator,
          cfg: AugmentConfig) -> tuple[list[np.ndarray], float]:
    """The strokes under a random affine map, and a random pen width to draw them with."""
    matrix = random_affine_matrices(1, rng, cfg)[0]
    width = float(rng.uniform(*cfg.pen_width))
    return [np.asarray(s, dtype=np.float64) @ matrix.T for s in strokes], width


REDRAW_BATCH = 256  # re-drawings rendered together (and how often ``stop`` is asked)


def make_alternates(strokes: Callable[[int], Sequence[np.ndarray] | None], labels: np.ndarray,
                    share: np.ndarray, style_chance: np.ndarray, seed: int = 0,
                    cfg: AugmentConfig = DEFAULT_AUGMENT,
                    stop: Callable[[], bool] | None = None) -> Alternates | None:
    """One re-drawing of every sample i with ``share[i] > 0``, in another style with chance
    ``style_chance[i]`` (0s, 1s and 7s only); None if ``stop()`` turned true on the way.
    Rendered :data:`REDRAW_BATCH` at a time (numpy's cost is per call)."""
    rng = np.random.default_rng([seed, 2])
    rows = np.flatnonzero(share > 0)
    images = np.zeros((len(rows), SIZE, SIZE), np.uint8)
    index = np.full(len(share), -1, np.int64)
    made = 0
    for start in range(0, len(rows), REDRAW_BATCH):
        if stop is not None and stop():
            return None
        batch, bent, widths = [], [], []
        for row in rows[start:start + REDRAW_BATCH]:
            sample = strokes(int(row))
            if not sample:
                continue
            if rng.random() < style_chance[row]:
                sample = add_style(sample, int(labels[row]), rng)
            drawing, width = _bend(sample, rng, cfg)
            batch.append(row)
            bent.append(drawing)
            widths.append(width)
        drawn = strokes_to_mnist_many(bent, widths) if bent else []
        for row, image in zip(batch, drawn, strict=True):
            if image is not None:
                images[made] = np.round(image * 255)
                index[row] = made
                made += 1
    return Alternates(images[:made], index, np.where(index >= 0, share, 0.0))
