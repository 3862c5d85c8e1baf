"""Read a picture of a number (a photo or a scan): its ink blobs split into digits by the
drawing's rule (:func:`digitpad.segment.group_pieces`), each digit read from its own ink.

In a picture, touching digits are one ink blob, so a blob wider than a digit may be cut
where its ink is thinnest, if the network reads the two sides better than the whole. Pure
numpy and scipy, no Qt; the thresholds were chosen with ``bench/bench_numbers.py`` (as
:mod:`digitpad.segment`'s were).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from digitpad.photo import LOW, photo_ink
from digitpad.preprocess import INK_THRESHOLD, raster_to_mnist
from digitpad.segment import (
    MAX_PIECES,
    MERGE_PRIOR,
    PART_GAP,
    DigitReading,
    NumberReading,
    closest_approach,
    group_pieces,
    line_height,
    read_better_together,
)

SPECK_SHARE = 0.02  # a picture's ink blob under this share of the biggest one is dirt
# ... and so is a group of blobs under this share of the line height both ways: a speck or a
# crumb of a shadow's edge too far from every digit to be part of one (a digit's own bar or
# flag is close enough to join it). Read, it was a sure "1" beside the digit.
SPECK_SIZE = 0.25
CUT_WIDTH = 1.2  # a blob wider than this many line heights may hold touching digits
CUT_MIN_PART = 0.15  # each side of a cut at least this share of the line height wide
CUT_CANDIDATES = 5  # the thinnest columns tried as cuts
CUT_UNSURE = 0.7  # only a blob not read as one sure digit is cut
# A photo's ink is also found joining weak ink only down to this hysteresis score (usual:
# photo.LOW): held-out train sites photographed under *photo*, 17 -> 14 mistakes in 1,000,
# clean pictures 10 -> 10 (the stricter reading alone: 17 and 11).
STRICT_LOW = 0.55


def _blob_gaps(labels: np.ndarray, count: int, boxes: np.ndarray, reach: float) -> np.ndarray:
    """(n, n) closest approach of the blobs' outlines in pixels (pairs whose boxes are
    farther apart than ``reach`` get their box distance)."""
    from scipy import ndimage

    outlines = []
    for k in range(1, count + 1):
        x0, y0, x1, y1 = boxes[k - 1].astype(int)
        mask = labels[y0:y1 + 1, x0:x1 + 1] == k
        edge = mask & ~ndimage.binary_erosion(mask)
        ys, xs = np.nonzero(edge)
        points = np.stack([xs + x0, ys + y0], axis=1).astype(np.float64)
        outlines.append(points[:: max(1, len(points) // 300)])
    return closest_approach(outlines, boxes, reach)


def read_number_image(gray: np.ndarray, predictor: Callable[[np.ndarray], np.ndarray],
                      detect_polarity: bool = True, single: bool = False) -> NumberReading | None:
    """The digits of a picture, left to right, or None when it has no ink.

    Ink blobs (8-connected) are grouped by the drawing's rule (:func:`group_pieces`); each
    group's own ink (not a neighbour's reaching into its box) is read through the one-digit
    raster preprocessing. Boxes are in the picture's pixels. ``single`` reads the whole
    picture as one digit, exactly as :func:`~digitpad.preprocess.raster_to_mnist` does.

    A photo's ink (``detect_polarity``) is found twice, joining weak ink as usual and more
    strictly (:data:`STRICT_LOW`), and the reading whose least sure digit is surer is kept:
    the usual reading joins a shadow edge's noise to a stroke now and then, which the strict
    one leaves out, and the network is less sure of a digit with ink that is not its own.
    """
    if not detect_polarity:
        return _read_ink(np.asarray(gray, dtype=np.float64), predictor, single)
    readings = [_read_ink(photo_ink(gray, low), predictor, single) for low in (LOW, STRICT_LOW)]
    return max((r for r in readings if r is not None), key=_least_sure, default=None)


def _least_sure(reading: NumberReading) -> float:
    return min(float(digit.probabilities.max()) for digit in reading.digits)


def _read_ink(ink: np.ndarray, predictor: Callable[[np.ndarray], np.ndarray],
              single: bool) -> NumberReading | None:
    """:func:`read_number_image` of white ink on black in [0, 1]."""
    from scipy import ndimage

    ink = np.where(ink >= INK_THRESHOLD, ink, 0.0)
    if single:
        image = raster_to_mnist(ink, detect_polarity=False)
        if image is None:
            return None
        rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
        box = (float(cols[0]), float(rows[0]), float(cols[-1]), float(rows[-1]))
        probabilities = np.asarray(predictor(image), dtype=np.float64).reshape(10)
        return NumberReading((DigitReading((0,), box, image, probabilities),))
    labels, count = ndimage.label(ink > 0, structure=np.ones((3, 3), dtype=bool))
    if count == 0:
        return None
    areas = np.bincount(labels.ravel(), minlength=count + 1)[1:]
    keep = np.flatnonzero(areas >= SPECK_SHARE * areas.max()) + 1
    if len(keep) > MAX_PIECES:
        keep = keep[np.argsort(areas[keep - 1])[::-1][:MAX_PIECES]]
    relabel = np.zeros(count + 1, dtype=np.int64)
    relabel[keep] = np.arange(1, len(keep) + 1)
    labels, count = relabel[labels], len(keep)
    slices = ndimage.find_objects(labels)
    boxes = np.array([[sl[1].start, sl[0].start, sl[1].stop - 1, sl[0].stop - 1]
                      for sl in slices], dtype=np.float64)
    height = line_height(boxes)
    gaps = _blob_gaps(labels, count, boxes, PART_GAP * height) / height

    def image_of(pieces: list[int]) -> np.ndarray:
        mask = np.isin(labels, np.asarray(pieces) + 1)
        return raster_to_mnist(np.where(mask, ink, 0.0), detect_polarity=False)

    def judge(a: list[int], b: list[int]) -> bool:
        return read_better_together(predictor(np.stack([image_of(a + b), image_of(a),
                                                         image_of(b)])))

    digits = []
    for group in group_pieces(boxes, gaps, height, 0.0, judge):
        x0, y0 = int(boxes[group, 0].min()), int(boxes[group, 1].min())
        x1, y1 = int(boxes[group, 2].max()), int(boxes[group, 3].max())
        if max(x1 - x0, y1 - y0) < SPECK_SIZE * height:
            continue  # a speck: dirt, not a digit
        mask = np.isin(labels, np.asarray(group) + 1)
        own = np.where(mask, ink, 0.0)[y0:y1 + 1, x0:x1 + 1]
        for c0, c1 in _cut_touching(own, height, predictor):
            part = own[:, c0:c1]
            rows = np.flatnonzero(part.any(axis=1))
            image = raster_to_mnist(part, detect_polarity=False)
            if image is None:
                continue
            box = (float(x0 + c0), float(y0 + rows[0]), float(x0 + c1 - 1), float(y0 + rows[-1]))
            digits.append((group, box, image))
    if not digits:  # only specks (a blank page's dirt): nothing to read
        return None
    probabilities = np.asarray(predictor(np.stack([d[2] for d in digits])),
                               dtype=np.float64).reshape(-1, 10)
    return NumberReading(tuple(DigitReading(tuple(group), box, image, probs)
                               for (group, box, image), probs
                               in zip(digits, probabilities, strict=True)))


def _cut_touching(ink: np.ndarray, height: float,
                  predictor: Callable[[np.ndarray], np.ndarray]) -> list[tuple[int, int]]:
    """Column ranges of the digits in one ink blob: digits that touch in a picture are one
    blob, so a blob wider than a digit is cut where its ink is thinnest, if the network reads
    the two sides better than the whole (and again on each side)."""
    spans = [(0, ink.shape[1])]
    out = []
    while spans:
        c0, c1 = spans.pop(0)
        if c1 - c0 <= CUT_WIDTH * height:
            out.append((c0, c1))
            continue
        margin = max(2, int(CUT_MIN_PART * height))
        profile = ink[:, c0:c1].sum(axis=0)
        inner = np.arange(margin, c1 - c0 - margin)
        if not len(inner):
            out.append((c0, c1))
            continue
        cuts = c0 + inner[np.argsort(profile[inner], kind="stable")[:CUT_CANDIDATES]]
        candidates = [raster_to_mnist(ink[:, c0:c1], detect_polarity=False)]
        for cut in cuts:
            candidates += [raster_to_mnist(ink[:, c0:cut], detect_polarity=False),
                           raster_to_mnist(ink[:, cut:c1], detect_polarity=False)]
        if any(c is None for c in candidates):
            out.append((c0, c1))
            continue
        tops = np.asarray(predictor(np.stack(candidates))).reshape(-1, 10).max(axis=1)
        scores = tops[1::2] * tops[2::2]
        best = int(np.argmax(scores))
        if tops[0] < CUT_UNSURE and scores[best] * MERGE_PRIOR > tops[0]:
            spans[:0] = [(c0, int(cuts[best])), (int(cuts[best]), c1)]
        else:
            out.append((c0, c1))
    return sorted(out)
