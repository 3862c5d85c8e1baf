"""Image-level augmentation as TensorFlow ops, and the ``tf.data`` pipeline that feeds fit().

Why TensorFlow here and numpy elsewhere: a batch warped in numpy cost about as much Python
(GIL-holding) time as a dense training step, and fed through a Python ``PyDataset`` an
augmented dense epoch took 11x a plain one. As graph ops run by ``tf.data``'s own threads the
same changes overlap training without touching the GIL (``bench/bench_augment.py``).

Every random draw is a stateless op seeded by two integers, so the same seed gives the same
images whichever thread makes them. TensorFlow is imported inside the functions: importing
this module is free.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from digitpad.augment import DEFAULT_AUGMENT, Alternates, AugmentConfig
from digitpad.preprocess import SIZE

if TYPE_CHECKING:
    import tensorflow as tf

CENTRE = (SIZE - 1) / 2
COARSE = 4  # the elastic field is a random COARSE x COARSE grid of offsets, upsampled


def _upsample_matrix() -> np.ndarray:
    """(28, 4): linear interpolation from a 4-point grid to 28 pixels."""
    t = np.linspace(0.0, COARSE - 1.0, SIZE)
    i0 = np.minimum(np.floor(t).astype(int), COARSE - 2)
    matrix = np.zeros((SIZE, COARSE), np.float32)
    matrix[np.arange(SIZE), i0] = 1 - (t - i0)
    matrix[np.arange(SIZE), i0 + 1] = t - i0
    return matrix


def _tf() -> Any:
    import tensorflow as tf

    return tf


def _bilinear(images: tf.Tensor, rows: tf.Tensor, cols: tf.Tensor) -> tf.Tensor:
    """Sample (N, 28, 28) images at float coordinates (N, 28, 28); outside is background."""
    tf = _tf()
    n = tf.shape(images)[0]
    side = SIZE + 3
    padded = tf.reshape(tf.pad(images, [[0, 0], [1, 2], [1, 2]]), [-1])
    rows = tf.clip_by_value(rows + 1, 0.0, SIZE + 1.0)
    cols = tf.clip_by_value(cols + 1, 0.0, SIZE + 1.0)
    r0, c0 = tf.floor(rows), tf.floor(cols)
    fr, fc = rows - r0, cols - c0
    base = (tf.range(n)[:, None, None] * side * side + tf.cast(r0, tf.int32) * side
            + tf.cast(c0, tf.int32))

    def at(offset: int) -> tf.Tensor:
        return tf.gather(padded, base + offset)

    top = at(0) * (1 - fc) + at(1) * fc
    bottom = at(side) * (1 - fc) + at(side + 1) * fc
    return top * (1 - fr) + bottom * fr


def _draw(n: Any, seed: Any, cfg: AugmentConfig) -> dict[str, tf.Tensor]:
    """Every random number one batch of ``n`` images needs, from stateless ops."""
    tf = _tf()
    seeds = tf.random.experimental.stateless_split(tf.cast(seed, tf.int64), 9)

    def uniform(i: int, low: float, high: float, shape: Any = None) -> tf.Tensor:
        return tf.random.stateless_uniform([n] if shape is None else shape, seeds[i], low, high)

    rotation = math.radians(cfg.rotation_deg)
    angle, shear = uniform(0, -rotation, rotation), uniform(1, -cfg.shear, cfg.shear)
    sx, sy = uniform(2, *cfg.scale), uniform(3, *cfg.scale)
    cos, sin = tf.cos(angle), tf.sin(angle)
    # rotation @ shear @ scale, then its inverse (output -> input coordinates) in closed form
    a, b = cos * sx, (cos * shear - sin) * sy
    c, d = sin * sx, (sin * shear + cos) * sy
    det = a * d - b * c
    elastic = tf.cast(uniform(6, 0.0, 1.0) < cfg.elastic_share, tf.float32) * cfg.elastic_px
    thick = tf.cast(uniform(8, 0.0, 1.0) < cfg.thickness_share, tf.float32)
    return {
        "inverse": tf.stack([d, -b, -c, a], axis=1) / det[:, None],
        "shift": uniform(4, -cfg.shift_px, cfg.shift_px, [n, 2]),
        "field": tf.random.stateless_normal([n, 2, COARSE, COARSE], seeds[5])
        * elastic[:, None, None, None],
        "thickness": uniform(7, -0.6, 0.6) * thick,
    }


def _neighbourhood_max(x: tf.Tensor) -> tf.Tensor:
    """3x3 grey dilation of (N, 28, 28), separably (the border counts as background)."""
    tf = _tf()
    p = tf.pad(x, [[0, 0], [1, 1], [1, 1]])
    rows = tf.maximum(tf.maximum(p[:, :-2], p[:, 1:-1]), p[:, 2:])
    return tf.maximum(tf.maximum(rows[:, :, :-2], rows[:, :, 1:-1]), rows[:, :, 2:])


def _warp(x: tf.Tensor, inverse: tf.Tensor, shift: tf.Tensor, field: tf.Tensor) -> tf.Tensor:
    """Each image sampled through its inverse affine map, shift and smooth elastic field."""
    tf = _tf()
    inverse = inverse[:, :, None, None]
    grid = tf.range(SIZE, dtype=tf.float32) - CENTRE
    px = grid[None, None, :] - shift[:, 0, None, None]
    py = grid[None, :, None] - shift[:, 1, None, None]
    up = tf.constant(_upsample_matrix())
    smooth = tf.einsum("ri,nkij,cj->nkrc", up, field, up)
    src_x = inverse[:, 0] * px + inverse[:, 1] * py + smooth[:, 0]
    src_y = inverse[:, 2] * px + inverse[:, 3] * py + smooth[:, 1]
    return tf.clip_by_value(_bilinear(x, src_y + CENTRE, src_x + CENTRE), 0.0, 1.0)


def _thicken(x: tf.Tensor, thickness: tf.Tensor) -> tf.Tensor:
    """A blend towards 3x3 grey dilation (thickness > 0) or erosion (< 0); erosion is the
    dilation of the negated image, so one pass serves both."""
    tf = _tf()
    sign = tf.where(thickness < 0, -1.0, 1.0)[:, None, None]
    moved = _neighbourhood_max(x * sign) * sign
    return tf.clip_by_value(x + tf.abs(thickness)[:, None, None] * (moved - x), 0.0, 1.0)


_compiled: dict[str, Any] = {}


def _xla(function: Any) -> Any:
    """``function`` compiled by XLA once per process. Fused, the warp costs ~1/5 of the same
    ops run one by one. Warp and thickness are compiled apart: fused together, XLA would
    recompute the warp for each of the 9 neighbours the thickness reads (4x slower)."""
    name = function.__name__
    if name not in _compiled:
        _compiled[name] = _tf().function(function, jit_compile=True, reduce_retracing=True)
    return _compiled[name]


def augment_images(images: Any, seed: Any, cfg: AugmentConfig = DEFAULT_AUGMENT) -> tf.Tensor:
    """Random rotation, shear, scale and shift about the centre, elastic distortion on
    ``cfg.elastic_share`` of the images, thicker or thinner strokes on
    ``cfg.thickness_share``: float (N, 28, 28) in [0, 1] -> the same shape. ``seed``: two
    integers; the same seed gives the same images."""
    tf = _tf()
    x = tf.convert_to_tensor(images, tf.float32)
    drawn = _draw(tf.shape(x)[0], seed, cfg)
    warped = _xla(_warp)(x, drawn["inverse"], drawn["shift"], drawn["field"])
    return _xla(_thicken)(warped, drawn["thickness"])


def augmented_dataset(x: np.ndarray, y: np.ndarray, batch_size: int, seed: int | None,
                      alternates: Alternates | None = None,
                      cfg: AugmentConfig = DEFAULT_AUGMENT) -> tf.data.Dataset:
    """Batches of (float (B, 784), one-hot y), freshly shuffled and augmented each epoch.

    Sample i is replaced by its alternate (a pen-stroke re-drawing, see
    :class:`digitpad.augment.Alternates`) with probability ``alternates.share[i]`` before the
    image-level changes. Iterating the dataset again gives the next epoch's batches; the
    sequence of epochs is fixed by ``seed``.
    """
    tf = _tf()
    n = len(x)
    root = seed if seed is not None else int(np.random.SeedSequence().entropy % 2**31)
    images = tf.constant(np.asarray(x, np.uint8).reshape(n, SIZE, SIZE))
    targets = tf.constant(np.asarray(y, np.float32))
    alt = alternates if alternates is not None and len(alternates.images) else None
    if alt is not None:
        none = len(alt.images)  # rows without a re-drawing point at a blank one, never used
        alt_images = tf.constant(np.concatenate([alt.images, np.zeros((1, SIZE, SIZE), np.uint8)]))
        alt_index = tf.constant(np.where(alt.index < 0, none, alt.index).astype(np.int32))
        alt_share = tf.constant(np.where(alt.index < 0, 0.0, alt.share).astype(np.float32))

    def make_batch(rows: tf.Tensor, batch_seed: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        seeds = tf.random.experimental.stateless_split(batch_seed, 2)
        batch = tf.gather(images, rows)
        if alt is not None:
            use = tf.random.stateless_uniform(tf.shape(rows), seeds[0]) < tf.gather(alt_share, rows)
            batch = tf.where(use[:, None, None],
                             tf.gather(alt_images, tf.gather(alt_index, rows)), batch)
        batch = augment_images(tf.cast(batch, tf.float32) / 255.0, seeds[1], cfg)
        return tf.reshape(batch, [-1, SIZE * SIZE]), tf.gather(targets, rows)

    order = (tf.data.Dataset.range(n)
             .shuffle(n, seed=root, reshuffle_each_iteration=True)
             .batch(batch_size))
    batch_seeds = tf.data.Dataset.random(seed=root, rerandomize_each_iteration=True).batch(2)
    # One thread keeps ahead of even the dense net (~1 ms a batch against ~2.5 ms a step) and
    # leaves the other core to training; more threads measured no faster.
    return (tf.data.Dataset.zip((order, batch_seeds))
            .map(make_batch, num_parallel_calls=1)
            .prefetch(4))
