"""Drawing-like augmentation, in numpy and seeded: what makes MNIST look like pen input.

MNIST digits are scanned pencil of US writers; the canvas gets pen strokes of uniform width
from anyone, normalised to a 20x20 box. Two kinds of change bridge that gap:

* **image level** (every sample, cheap, vectorised over a batch): small rotation, shear,
  scale and shift; elastic distortion (a smooth random displacement field); thicker or
  thinner strokes (grey dilation/erosion);
* **stroke level** (samples that have strokes): the strokes are bent by a random affine map
  and re-rendered through the canvas path with a random pen width. MNIST digits traced with
  :mod:`digitpad.skeleton` get this too, so they become uniform pen strokes as drawn.

All functions keep shape (N, 28, 28), range [0, 1] and labels; the same seed gives the same
result.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from digitpad.preprocess import PEN_WIDTH, SIZE, strokes_to_mnist


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


def _bilinear(images: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Sample (N, H, W) images at float coordinates (N, H, W); outside is background (0)."""
    n, h, w = images.shape
    padded = np.pad(images, ((0, 0), (1, 2), (1, 2)))
    hp, wp = h + 3, w + 3
    rows = np.clip(rows + 1, 0, h + 1)
    cols = np.clip(cols + 1, 0, w + 1)
    r0, c0 = np.floor(rows), np.floor(cols)
    fr, fc = (rows - r0).astype(np.float32), (cols - c0).astype(np.float32)
    # One flat gather per corner is ~5x faster than fancy indexing with three index arrays.
    base = (np.arange(n)[:, None, None] * (hp * wp) + r0.astype(np.int64) * wp
            + c0.astype(np.int64))
    flat = padded.reshape(-1)
    top = flat[base] * (1 - fc) + flat[base + 1] * fc
    bottom = flat[base + wp] * (1 - fc) + flat[base + wp + 1] * fc
    return top * (1 - fr) + bottom * fr


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


def _upsample_matrix() -> np.ndarray:
    """(28, 4): linear interpolation from a 4-point grid to 28 pixels."""
    t = np.linspace(0.0, 3.0, SIZE)
    i0 = np.minimum(np.floor(t).astype(int), 2)
    matrix = np.zeros((SIZE, 4))
    matrix[np.arange(SIZE), i0] = 1 - (t - i0)
    matrix[np.arange(SIZE), i0 + 1] = t - i0
    return matrix


_UPSAMPLE = _upsample_matrix()


def _smooth_field(n: int, rng: np.random.Generator, amplitude: float) -> np.ndarray:
    """(n, 2, 28, 28) displacement: a random 4x4 grid of offsets, bilinearly upsampled."""
    coarse = rng.normal(0.0, amplitude, (n, 2, 4, 4))
    return _UPSAMPLE @ coarse @ _UPSAMPLE.T


def warp_images(images: np.ndarray, rng: np.random.Generator,
                cfg: AugmentConfig = AugmentConfig()) -> np.ndarray:
    """Random affine map about the centre plus elastic distortion, float (N, 28, 28) in [0, 1]."""
    x = np.asarray(images, dtype=np.float32)
    n = len(x)
    if n == 0:
        return x.copy()
    inverse = np.linalg.inv(random_affine_matrices(n, rng, cfg))  # output -> input coords
    grid = np.arange(SIZE, dtype=np.float64) - (SIZE - 1) / 2
    ys, xs = np.meshgrid(grid, grid, indexing="ij")
    shift = rng.uniform(-cfg.shift_px, cfg.shift_px, (n, 2))
    px = xs[None] - shift[:, 0, None, None]
    py = ys[None] - shift[:, 1, None, None]
    src_x = inverse[:, 0, 0, None, None] * px + inverse[:, 0, 1, None, None] * py
    src_y = inverse[:, 1, 0, None, None] * px + inverse[:, 1, 1, None, None] * py
    if cfg.elastic_px > 0:
        field = _smooth_field(n, rng, cfg.elastic_px)
        elastic = (rng.random(n) < cfg.elastic_share)[:, None, None]
        src_x = src_x + field[:, 0] * elastic
        src_y = src_y + field[:, 1] * elastic
    centre = (SIZE - 1) / 2
    return np.clip(_bilinear(x, src_y + centre, src_x + centre), 0.0, 1.0).astype(np.float32)


def _neighbourhood(images: np.ndarray, reduce: np.ufunc) -> np.ndarray:
    """3x3 grey dilation (``np.maximum``) or erosion (``np.minimum``)."""
    padded = np.pad(images, ((0, 0), (1, 1), (1, 1)))
    out = images.copy()
    for dr in (0, 1, 2):
        for dc in (0, 1, 2):
            out = reduce(out, padded[:, dr:dr + SIZE, dc:dc + SIZE])
    return out


def change_thickness(images: np.ndarray, rng: np.random.Generator,
                     cfg: AugmentConfig = AugmentConfig()) -> np.ndarray:
    """Thicker or thinner strokes on a random share: a random blend towards dilation/erosion."""
    x = np.asarray(images, dtype=np.float32)
    n = len(x)
    amount = rng.uniform(-0.6, 0.6, n).astype(np.float32)
    amount *= rng.random(n) < cfg.thickness_share
    thick = _neighbourhood(x, np.maximum)
    thin = _neighbourhood(x, np.minimum)
    grow, shrink = np.maximum(amount, 0)[:, None, None], np.maximum(-amount, 0)[:, None, None]
    return np.clip(x + grow * (thick - x) + shrink * (thin - x), 0.0, 1.0)


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
                   cfg: AugmentConfig = AugmentConfig()) -> np.ndarray | None:
    """The strokes bent by a random affine map and rendered as the canvas does, random pen."""
    matrix = random_affine_matrices(1, rng, cfg)[0]
    width = float(rng.uniform(*cfg.pen_width))
    bent = [np.asarray(s, dtype=np.float64) @ matrix.T for s in strokes]
    return strokes_to_mnist(bent, pen_width=width)


def augment_batch(images: np.ndarray, rng: np.random.Generator,
                  strokes: Sequence[Sequence[np.ndarray] | None] | None = None,
                  cfg: AugmentConfig = AugmentConfig(),
                  labels: np.ndarray | None = None) -> np.ndarray:
    """One training batch, float (N, 28, 28) in [0, 1] -> augmented copy of the same shape.

    Samples given ``strokes[i]`` (not None) are re-drawn from their bent pen strokes (with
    ``labels``, a ``style_share`` of 0s, 1s and 7s in another style, see :func:`add_style`);
    the others are warped and thickened as images.
    """
    x = np.asarray(images, dtype=np.float32).copy()
    redrawn = np.zeros(len(x), dtype=bool)
    if strokes is not None:
        for i, sample in enumerate(strokes):
            if sample:
                if labels is not None and rng.random() < cfg.style_share:
                    sample = add_style(sample, int(labels[i]), rng)
                image = redraw_strokes(sample, rng, cfg)
                if image is not None:
                    x[i], redrawn[i] = image, True
    rest = ~redrawn
    if rest.any():
        x[rest] = change_thickness(warp_images(x[rest], rng, cfg), rng, cfg)
    return x
