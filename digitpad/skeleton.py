"""Pen strokes from raster digits: thin to a skeleton, then trace it as polylines.

Used to replay MNIST digits as a user would draw them (the drawn-digit benchmark and the
GUI tests); pure numpy.
"""

from __future__ import annotations

import numpy as np

# 8-neighbour offsets (drow, dcol) in Zhang-Suen order P2..P9: N, NE, E, SE, S, SW, W, NW.
_NEIGHBOURS = [(-1, 0), (-1, 1), (0, 1), (1, 1), (1, 0), (1, -1), (0, -1), (-1, -1)]


def thin(mask: np.ndarray) -> np.ndarray:
    """Zhang-Suen thinning of a boolean image to a one-pixel-wide skeleton.

    Works on the ink's bounding box only, with neighbours as slices of a padded array (views,
    not copies): the same skeleton as the textbook whole-image version, several times faster
    (augmentation traces thousands of digits per epoch).
    """
    mask = np.asarray(mask, dtype=bool)
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    out = np.zeros(mask.shape, dtype=bool)
    if not len(rows):
        return out
    r0, r1, c0, c1 = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
    img = np.pad(mask[r0:r1, c0:c1].astype(np.uint8), 1)
    h, w = img.shape[0] - 2, img.shape[1] - 2
    centre = img[1:-1, 1:-1]  # a view: removing pixels here updates the neighbours' views
    p = [img[1 + dr:1 + dr + h, 1 + dc:1 + dc + w] for dr, dc in _NEIGHBOURS]
    while True:
        changed = False
        for step in (0, 1):
            count = sum(n.astype(np.int16) for n in p)
            transitions = sum(((p[i] == 0) & (p[(i + 1) % 8] == 1)).astype(np.int16)
                              for i in range(8))
            if step == 0:
                cond = (p[0] * p[2] * p[4] == 0) & (p[2] * p[4] * p[6] == 0)
            else:
                cond = (p[0] * p[2] * p[6] == 0) & (p[0] * p[4] * p[6] == 0)
            remove = (centre == 1) & (count >= 2) & (count <= 6) & (transitions == 1) & cond
            if remove.any():
                centre[remove] = 0
                changed = True
        if not changed:
            out[r0:r1, c0:c1] = centre.astype(bool)
            return out


def _edges(skeleton: np.ndarray) -> dict[tuple[int, int], set[tuple[int, int]]]:
    """Adjacency of skeleton pixels; a diagonal step is dropped when an L-shaped path exists."""
    pixels = set(zip(*np.nonzero(skeleton), strict=True))
    adjacency: dict[tuple[int, int], set[tuple[int, int]]] = {p: set() for p in pixels}
    for r, c in pixels:
        for dr, dc in _NEIGHBOURS:
            q = (r + dr, c + dc)
            if q not in pixels:
                continue
            if dr and dc and ((r + dr, c) in pixels or (r, c + dc) in pixels):
                continue  # corner: the two 4-neighbour steps already connect them
            adjacency[(r, c)].add(q)
    return adjacency


def trace(skeleton: np.ndarray) -> list[np.ndarray]:
    """Polylines covering every skeleton edge once, as (k, 2) arrays of (x, y) = (col, row).

    Walks start at line ends (degree 1) so an open digit is one stroke, like a pen would.
    """
    adjacency = _edges(skeleton)
    unused = {p: set(n) for p, n in adjacency.items()}
    strokes: list[np.ndarray] = []

    def walk(start: tuple[int, int]) -> list[tuple[int, int]]:
        path = [start]
        while unused[path[-1]]:
            here = path[-1]
            # Prefer going straight on, as a pen does through a junction.
            if len(path) > 1:
                prev = path[-2]
                heading = (here[0] - prev[0], here[1] - prev[1])
                nxt = min(unused[here], key=lambda q: -((q[0] - here[0]) * heading[0]
                                                        + (q[1] - here[1]) * heading[1]))
            else:
                nxt = min(unused[here])
            unused[here].discard(nxt)
            unused[nxt].discard(here)
            path.append(nxt)
        return path

    order = sorted(adjacency, key=lambda p: (len(adjacency[p]) != 1, p))
    for start in order:
        while unused[start]:
            strokes.append(walk(start))
    for pixel, neighbours in adjacency.items():
        if not neighbours:  # an isolated dot
            strokes.append([pixel])
    return [np.array([(c, r) for r, c in path], dtype=np.float64) for path in strokes]


def smooth(stroke: np.ndarray, passes: int = 1) -> np.ndarray:
    """Round off the pixel staircase the way a hand-drawn line would be (ends stay put)."""
    out = stroke.copy()
    for _ in range(passes):
        if len(out) < 3:
            break
        out[1:-1] = (out[:-2] + 2 * out[1:-1] + out[2:]) / 4
    return out


def digit_strokes(image: np.ndarray, threshold: int = 150) -> list[np.ndarray]:
    """Smoothed pen strokes tracing an MNIST-style uint8 digit, in 28x28 pixel units."""
    return [smooth(s) for s in trace(thin(np.asarray(image) > threshold))]
