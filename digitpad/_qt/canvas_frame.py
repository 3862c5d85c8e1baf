"""Where the canvas's resolution-independent frame sits on the widget, and why it stays put.

Strokes are stored in a frame whose origin is the canvas's centre and whose unit is its
shorter side, so a drawing survives any resize. But when the canvas widens for a number (or
is resized while you draw), re-centring would move the ink under the pen; so a drawing keeps
the mapping it was drawn in for as long as it still fits on the canvas.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from digitpad.preprocess import as_strokes

Mapping = tuple[float, float, float]  # origin x, origin y (widget pixels), pixels per unit


def centred(width: int, height: int) -> Mapping:
    return width / 2, height / 2, float(max(1, min(width, height)))


class CanvasFrame:
    """The mapping in use: centred, or the drawing's own (the mapping it was begun in)."""

    def __init__(self) -> None:
        self.home: Mapping | None = None  # the drawing's own mapping, once a resize came
        self.kept: Mapping | None = None  # ``home`` while the ink fits with it, else None

    def mapping(self, width: int, height: int) -> Mapping:
        return self.kept if self.kept is not None else centred(width, height)

    def release(self) -> None:
        """Centre again (the drawing was cleared, or is put in the middle)."""
        self.home = self.kept = None

    def resized(self, points: Sequence[np.ndarray], widths: Sequence[float],
                old: tuple[int, int], new: tuple[int, int]) -> None:
        """Show the drawing (frame ``points`` with pen ``widths`` in frame units) in its own
        mapping if it fits in the ``new`` size, else centred. Its own mapping is the one in
        use before its first resize, so resizing back always gives back the same picture;
        moving the canvas to another place in the window (an unknown ``old``) keeps it."""
        parts = as_strokes(points)
        if not parts:
            self.release()
            return
        if self.home is None:
            if min(old) <= 0:  # shown for the first time: nothing on screen to keep
                return
            self.home = self.mapping(*old)
        ox, oy, scale = self.home
        ink = np.concatenate(parts) * scale + [ox, oy]
        pad = max(widths, default=0.0) * scale / 2
        fits = (ink.min(axis=0) - pad >= 0).all() and ink[:, 0].max() + pad <= new[0] \
            and ink[:, 1].max() + pad <= new[1]
        self.kept = self.home if fits else None
