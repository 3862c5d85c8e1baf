"""The ink in a photo of paper: white ink on black, whatever the light (numpy + scikit-image).

A photo is not a scan: the light falls off across the page, a hand or a phone casts a shadow
band, the sensor adds noise, the lens blurs and JPEG adds blocks. Ink is what is *narrower*
than the pen's surroundings and darker (or lighter) than the paper right around it, so:

1. the noise is smoothed at the scale of the pixels (a Gaussian, scaled to the picture);
2. the paper under the ink is estimated by a morphological closing (opening for light ink)
   wider than a stroke, which keeps the sharp edge of a shadow where it is, and the ink is
   measured as a *share* of that paper's brightness (light multiplies, so ink in a shadow is
   as strong as ink in the sun);
3. ink pixels are chosen by hysteresis on that share: seeds judged at a stroke's scale
   (averaged over a few pixels the noise shrinks, a stroke keeps its depth, so faint ink in a
   deep shadow still stands out), plus weaker ink joined to them, judged against the paper
   along lines (exact on a shadow's soft edge, where the square breaks crossing strokes and
   lifts the edge's noise into ink), so noise specks and paper grain stay out while faint
   stroke ends stay in;
4. the stroke width is measured on a first pass, and the closing narrowed to a few strokes'
   widths, so a shadow wedge narrower than the picture is not taken for ink.

Which way round: the reading whose ink is the smaller share of the picture (ink is the
minority). Thresholds were chosen with ``bench/bench_photos.py`` on the pen ``train`` split.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

WORK_SIDE = 640  # pictures are read at most this many pixels on their longer side
CLOSE_SHARE = 1 / 5  # first pass: the paper estimate spans this share of the shorter side
CLOSE_STROKES = 4.0  # second pass: ... this many stroke widths
LOW = 0.4  # hysteresis: weaker ink joined to strong ink is kept down to this score
NOISE_SIGMAS = 4.5  # strong ink departs from the paper by this many noise sigmas
MIN_SHARE = 0.08  # ... and by at least this share of the paper's brightness
LINE_LENGTH = 3.0  # a piece of writing is at least this many times longer than wide
SEED_SMOOTH = 1.5  # seeds are judged on departures averaged over this many pixels (sigma)
SEED_SIGMAS = 3.5  # ... and clear this many of their sigmas
REMEASURE = 1.3  # a pen measured this much wider on the second pass is read again
BLOT_WIDTH = 2.5  # a piece this many pen widths thick is not writing
POLARITY_SIDE = 160  # the polarity is judged on a picture at most this big,
POLARITY_WINDOW = 1 / 6  # against a median over this share of its shorter side,
POLARITY_RIM = 0.08  # leaving out this share of each side


def _closing_size(shape: tuple[int, int], stroke: float | None) -> int:
    if stroke is None:
        size = min(shape) * CLOSE_SHARE
    else:
        size = min(CLOSE_STROKES * stroke, min(shape) * CLOSE_SHARE)
    return max(5, int(size) | 1)


def _paper_and_ink(gray: np.ndarray, size: int, dark_ink: bool, along_lines: bool = False,
                   ) -> tuple[np.ndarray, np.ndarray]:
    """The paper's brightness under each pixel and how far the pixel departs from it toward
    the ink (0 where it does not), both in the picture's units.

    The paper is a closing (an opening for light ink) by a square ``size`` wide, or, with
    ``along_lines``, the brightest (darkest) of four closings by lines ``size`` long at 0,
    45, 90 and 135 degrees: a stroke is filled by a line across it, while a shadow's soft
    edge is followed exactly by every line, so a stroke crossing the edge is measured against
    the paper beside it, and the edge's noise is not lifted into ink as the square lifts it.
    The lines alone would cut a shadow's corner (the line across it reaches lit paper at both
    ends), so they only judge the weak ink joined to strong ink (see ``_ink_mask``)."""
    outside = 0.0 if dark_ink else 1.0
    if not along_lines:
        fill = ndimage.grey_closing if dark_ink else ndimage.grey_opening
        paper = fill(gray, size=(size, size), mode="constant", cval=outside)
    else:
        grow = ndimage.maximum_filter1d if dark_ink else ndimage.minimum_filter1d
        shrink = ndimage.minimum_filter1d if dark_ink else ndimage.maximum_filter1d
        # A diagonal line ``size`` long spans ``size`` / sqrt(2) pixels along each axis.
        diagonal = 2 * int(round((size - 1) / 2 / np.sqrt(2))) + 1
        closings = [_along_line(gray, length, axis, slope, grow, shrink, outside)
                    for axis, slope, length in ((1, 0, size), (0, 0, size),
                                                (0, 1, diagonal), (0, -1, diagonal))]
        paper = np.max(closings, axis=0) if dark_ink else np.min(closings, axis=0)
    departure = paper - gray if dark_ink else gray - paper
    return paper, np.clip(departure, 0.0, None)


def _along_line(image: np.ndarray, length: int, axis: int, slope: int, grow, shrink,
                outside: float) -> np.ndarray:
    """A grey closing (``grow`` then ``shrink``) by a line ``length`` pixels long along
    ``axis``, or along a diagonal when ``slope`` is +-1; pixels outside the picture count as
    ``outside``. A diagonal is sheared into columns, so each pass is a running maximum or
    minimum whatever the length."""
    if slope == 0:
        grown = grow(image, length, axis=axis, mode="constant", cval=outside)
        return shrink(grown, length, axis=axis, mode="constant", cval=outside)
    height, width = image.shape
    rows = np.arange(height)[:, None]
    cols = np.arange(width)[None, :] + (height - 1 - rows if slope > 0 else rows)
    sheared = np.full((height, width + height - 1), outside)
    sheared[rows, cols] = image
    inside = np.zeros(sheared.shape, dtype=bool)
    inside[rows, cols] = True
    grown = grow(sheared, length, axis=0, mode="constant", cval=outside)
    grown[~inside] = outside
    return shrink(grown, length, axis=0, mode="constant", cval=outside)[rows, cols]


def _ink_mask(gray: np.ndarray, size: int, dark_ink: bool, noise: float, low: float = LOW,
              ) -> tuple[np.ndarray, np.ndarray]:
    """The ink's share of the paper's brightness (light multiplies, so ink in a shadow is as
    strong as ink in the sun), and which pixels are ink: hysteresis on the weaker of two
    scores, the share against Otsu's level (scikit-image) and the departure against the
    noise, seeded at the stroke's scale, so strong ink and the weaker ink joined to it are
    kept, noise is not."""
    from skimage.filters import threshold_otsu

    paper, departure = _paper_and_ink(gray, size, dark_ink)
    headroom = paper if dark_ink else 1.0 - paper
    share = np.clip(departure / np.maximum(headroom, 0.02), 0.0, 1.0)
    # Seeds are judged at the stroke's scale: averaged over a few pixels, the noise shrinks
    # while a stroke keeps its depth, so faint ink in a shadow still clears the floor.
    # The strong-ink level is set on the same smoothed shares the seeds are compared with:
    # set on the raw ones, whose noise spreads them, it rose above every smoothed seed of
    # faint blurred ink and the whole digit was lost.
    seed_score = _above_noise(ndimage.gaussian_filter(departure, SEED_SMOOTH), 0.0, SEED_SIGMAS)
    seed_share = ndimage.gaussian_filter(share, SEED_SMOOTH)
    candidates = seed_share[seed_score >= 1.0]
    if candidates.size < 2 or candidates.max() <= MIN_SHARE:
        return share, np.zeros(share.shape, dtype=bool)
    level = max(float(threshold_otsu(candidates)), MIN_SHARE)
    seeds = np.minimum(seed_share / level, seed_score)
    # Weak ink is judged against the paper along lines: where a stroke crosses a shadow's
    # soft edge the square measures it against the darker paper (the stroke broke there),
    # and it lifts the edge's noise into weak ink that joins the digit. Seeds and the level
    # stay the square's, so a shadow's corner cut by a line is not ink unless it touches ink.
    line_paper, line_departure = _paper_and_ink(gray, size, dark_ink, along_lines=True)
    line_headroom = line_paper if dark_ink else 1.0 - line_paper
    line_share = np.clip(line_departure / np.maximum(line_headroom, 0.02), 0.0, 1.0)
    weak = np.minimum(line_share / level, _above_noise(line_departure, noise)) >= low
    return np.maximum(share, np.where(weak, line_share, 0.0)), _grow(seeds >= 1.0, weak)


def _above_noise(departure: np.ndarray, noise: float, sigmas: float = NOISE_SIGMAS,
                 ) -> np.ndarray:
    """How far each pixel departs from the paper, in units of the floor strong ink clears:
    most pixels are paper, so their departures (noise, grain, JPEG blocks, the closing's
    bias) set it."""
    typical = float(np.median(departure))
    spread = 1.4826 * float(np.median(np.abs(departure - typical)))
    return departure / (typical + sigmas * max(spread, noise) + 1e-4)


def _grow(seeds: np.ndarray, weak: np.ndarray) -> np.ndarray:
    """The weak pixels 8-connected to a seed (hysteresis with its two masks given)."""
    labels, _ = ndimage.label(weak | seeds, structure=np.ones((3, 3), dtype=bool))
    keep = np.unique(labels[seeds])
    return np.isin(labels, keep[keep > 0])


def _pieces(mask: np.ndarray) -> list[tuple[np.ndarray, float, int]]:
    """Each 8-connected piece of ink: its pixels (a boolean mask), the median width of its
    strokes (twice the distance to the paper along its centre line) and that line's length."""
    from skimage.morphology import skeletonize

    labels, count = ndimage.label(mask, structure=np.ones((3, 3), dtype=bool))
    centre = skeletonize(mask)
    widths = 2.0 * ndimage.distance_transform_edt(mask)
    out = []
    for k, where in enumerate(ndimage.find_objects(labels), start=1):
        own = labels[where] == k
        line = centre[where] & own
        if not line.any():
            line = own
        out.append((own, where, float(np.median(widths[where][line])), int(line.sum())))
    return out


def stroke_width(mask: np.ndarray) -> float | None:
    """The pen's width in pixels: the median width of the pieces that are lines (long for
    their width), weighted by their length; a shadow's corner taken for ink is not a line.
    None without ink."""
    pieces = _pieces(mask)
    if not pieces:
        return None
    lines = [p for p in pieces if p[3] >= LINE_LENGTH * p[2]] or pieces
    widths = np.concatenate([np.full(p[3], p[2]) for p in lines])
    return float(np.median(widths))


def _drop_blots(mask: np.ndarray, width: float) -> np.ndarray:
    """The ink without pieces much thicker than the pen (shadow corners, not writing)."""
    keep = np.zeros_like(mask)
    for own, where, piece_width, _ in _pieces(mask):
        if piece_width <= BLOT_WIDTH * width:
            keep[where] |= own
    return keep


def noise_sigma(gray: np.ndarray) -> float:
    """The sensor noise's standard deviation (Immerkaer's fast estimate: a Laplacian-of-
    Laplacian mask cancels smooth light and edges mostly, leaving the noise)."""
    if min(gray.shape) < 3:
        return 0.0
    mask = np.array([[1, -2, 1], [-2, 4, -2], [1, -2, 1]], dtype=np.float64)
    response = np.abs(ndimage.convolve(gray, mask, mode="nearest"))[1:-1, 1:-1]
    return float(np.sqrt(np.pi / 2) * response.mean() / 6.0)


def dark_ink(gray: np.ndarray) -> bool:
    """Whether the ink is darker than the paper: ink departs from the paper around it (a
    local median, which follows light gradients and keeps straight shadow edges) mostly one
    way, while noise, grain and shadow edges depart both ways about equally. The picture's
    rim is left out: there a shadow's corner fills most of the median's window."""
    from skimage.filters.rank import median

    step = max(1, int(np.ceil(max(gray.shape) / POLARITY_SIDE)))
    small = gray[::step, ::step]
    size = max(5, int(min(small.shape) * POLARITY_WINDOW) | 1)
    levels = np.clip(small * 255 + 0.5, 0, 255).astype(np.uint8)
    residual = (levels - median(levels, np.ones((size, size), dtype=bool)).astype(np.float64))
    rim_y, rim_x = int(POLARITY_RIM * small.shape[0]), int(POLARITY_RIM * small.shape[1])
    residual = residual[rim_y:small.shape[0] - rim_y, rim_x:small.shape[1] - rim_x] / 255.0
    noise = 3.0 * float(np.median(np.abs(residual))) + 1e-3
    darker = np.clip(-residual - noise, 0.0, None).sum()
    lighter = np.clip(residual - noise, 0.0, None).sum()
    return bool(darker >= lighter)


def photo_ink(gray: np.ndarray, low: float = LOW) -> np.ndarray:
    """White ink on black in [0, 1], the same size as ``gray`` (any range: 0-1 or 0-255);
    ``low``: the hysteresis's weak-ink score (higher: less weak ink joined)."""
    gray = np.asarray(gray, dtype=np.float64)
    if gray.size == 0:
        return gray
    if gray.max() > 1.0:
        gray = gray / 255.0
    step = max(1, int(np.ceil(max(gray.shape) / WORK_SIDE)))
    small = gray if step == 1 else ndimage.zoom(gray, 1 / step, order=1)
    small = ndimage.gaussian_filter(small, 0.8)
    noise = noise_sigma(small)
    dark = dark_ink(small)
    _, mask = _ink_mask(small, _closing_size(small.shape, None), dark, noise, low)
    width = stroke_width(mask)
    if width is not None:
        share, mask = _ink_mask(small, _closing_size(small.shape, width), dark, noise, low)
        # The first pass's pieces carry noise and shadow edges, which thin the measure:
        # measured again on the cleaner second pass, a wider pen is read again.
        again = stroke_width(mask)
        if again is not None and again > REMEASURE * width:
            width = again
            share, mask = _ink_mask(small, _closing_size(small.shape, width), dark, noise, low)
        mask = _drop_blots(mask, width)
    else:
        share, mask = np.zeros_like(small), np.zeros(small.shape, dtype=bool)
    ink = np.where(mask, share, 0.0)
    peak = np.percentile(ink[mask], 95) if mask.any() else 0.0
    ink = np.clip(ink / peak, 0.0, 1.0) if peak > 0 else ink
    if step > 1:
        from skimage.transform import resize

        ink = np.clip(resize(ink, gray.shape, order=1, anti_aliasing=False), 0.0, 1.0)
    return ink
