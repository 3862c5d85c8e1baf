"""Your handwriting: digits you drew and labelled, kept so a model can be fine-tuned on them.

Each sample is its own small file in ``<user data dir>/samples/`` (one damaged file costs one
sample, never the others), written atomically (temp file + ``os.replace``). A pooled set
travels as one export file. Both are numpy ``.npz`` archives read with
``allow_pickle=False``; the layouts (version 1):

*one sample* ``samples/<when>-<label>-<id>.npz``: ``format_version`` (1), ``label`` (0-9),
``guess`` (what the model read then; -1 unknown), ``created`` (ISO 8601, UTC), ``image``
(uint8 28x28, ink 255: what the network saw), ``points`` (float32 (P, 2) x, y; y down, any
unit), ``stroke_ends`` (int64: end index in ``points`` of each stroke), ``min_extent``
(the pen width in the points' unit, so a dot re-renders as a dot).

*an export* (``digitpad-samples.npz``): ``format_version``, ``kind`` ("digitpad-samples"),
per sample ``id``, ``label``, ``guess``, ``created``, ``min_extent`` and ``images``
(N, 28, 28), and the strokes of all samples as in the UNIPEN pen-digit file: ``points``,
``stroke_ends`` and ``sample_ends`` (end index in ``stroke_ends`` of each sample's strokes).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import secrets
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from digitpad.npzfile import load_npz
from digitpad.paths import atomic_file, user_data_dir

FORMAT_VERSION = 1
EXPORT_KIND = "digitpad-samples"
SAMPLE_KEYS = ("format_version", "label", "guess", "created", "image", "points",
               "stroke_ends", "min_extent")
EXPORT_KEYS = ("format_version", "kind", "id", "label", "guess", "created", "min_extent",
               "images", "points", "stroke_ends", "sample_ends")
TRASH = ".trash"  # deleted samples, one folder per running digitpad
MAX_EXPORT_BYTES = 512 << 20  # a class's pooled samples are a few MB; this bounds a bomb
MAX_POINTS = 200_000  # a sample with more ink than this is not a digit (and bounds memory)


class SampleError(RuntimeError):
    """A sample file or export could not be read or written; the message names the file."""


@dataclass(frozen=True)
class Sample:
    """One labelled drawing of yours."""

    id: str
    label: int
    guess: int  # the model's reading when it was stored; -1 unknown
    created: str  # ISO 8601, UTC
    image: np.ndarray  # uint8 (28, 28)
    strokes: tuple[np.ndarray, ...]  # float32 (k, 2) each
    min_extent: float = 1.0

    @property
    def corrected(self) -> bool:
        """The model read something else when you labelled it."""
        return 0 <= self.guess != self.label


def samples_dir() -> Path:
    return user_data_dir() / "samples"


def _write_atomically(path: Path, arrays: dict[str, np.ndarray]) -> None:
    with atomic_file(path) as fh:
        np.savez_compressed(fh, **arrays)


def _grey_levels(images: np.ndarray, path: Path) -> np.ndarray:
    """Pixels as uint8, refusing anything that is not a grey level 0-255 (a float of 1e10
    must not wrap into a garbage pixel)."""
    if images.dtype == np.uint8:
        return images
    if images.dtype.kind not in "iuf" or not np.isfinite(images).all() or \
            images.min(initial=0) < 0 or images.max(initial=0) > 255:
        raise SampleError(f"{path}: image values are not grey levels 0-255")
    return np.round(images).astype(np.uint8)


def _check(path: Path, label: int, guess: int, image: np.ndarray, points: np.ndarray,
           stroke_ends: np.ndarray) -> None:
    if not 0 <= label <= 9 or not -1 <= guess <= 9:
        raise SampleError(f"{path}: label or guess outside 0-9")
    if image.shape != (28, 28):
        raise SampleError(f"{path}: image is not 28x28")
    if points.ndim == 2 and len(points) > MAX_POINTS:
        raise SampleError(f"{path}: {len(points):,} points, more than a digit has "
                          f"(at most {MAX_POINTS:,})")
    if points.ndim != 2 or points.shape[1] != 2 or not np.isfinite(points).all():
        raise SampleError(f"{path}: points must be finite (n, 2) coordinates")
    if (np.diff(stroke_ends) <= 0).any() or (len(stroke_ends) and stroke_ends[0] <= 0) or \
            (stroke_ends[-1] if len(stroke_ends) else 0) != len(points):
        raise SampleError(f"{path}: stroke_ends do not index the points")


def _split(points: np.ndarray, stroke_ends: np.ndarray) -> tuple[np.ndarray, ...]:
    starts = np.concatenate([[0], stroke_ends[:-1]]).astype(int)
    return tuple(points[a:int(b)] for a, b in zip(starts, stroke_ends, strict=True))


def _joined(strokes: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    parts = [np.asarray(s, dtype=np.float32).reshape(-1, 2) for s in strokes]
    parts = [p for p in parts if len(p)]
    points = np.concatenate(parts) if parts else np.zeros((0, 2), np.float32)
    return points, np.cumsum([len(p) for p in parts], dtype=np.int64)


def _scalar(arrays: dict[str, np.ndarray], key: str, path: Path, kind: type) -> object:
    value = arrays[key]
    if value.shape != ():
        raise SampleError(f"{path}: {key} is not a single value")
    try:
        return kind(value.item())
    except (TypeError, ValueError):
        raise SampleError(f"{path}: {key} has the wrong type") from None


def read_sample(path: str | os.PathLike[str]) -> Sample:
    """One sample file; :class:`SampleError` for anything wrong with it."""
    path = Path(path)
    arrays = load_npz(path, SAMPLE_KEYS, SampleError, "digitpad sample", max_bytes=64 << 20)
    version = _scalar(arrays, "format_version", path, int)
    if version != FORMAT_VERSION:
        raise SampleError(f"{path}: sample format {version}; this digitpad reads "
                          f"{FORMAT_VERSION}")
    label, guess = (_scalar(arrays, k, path, int) for k in ("label", "guess"))
    image, points = _grey_levels(arrays["image"], path), arrays["points"].astype(np.float32)
    stroke_ends = arrays["stroke_ends"].astype(np.int64).reshape(-1)
    _check(path, label, guess, image, points, stroke_ends)
    return Sample(path.stem, label, guess, str(_scalar(arrays, "created", path, str)),
                  image, _split(points, stroke_ends),
                  float(_scalar(arrays, "min_extent", path, float)))


def now_iso() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="microseconds")


class SampleStore:
    """The samples folder: add, list, delete (undoably, into this process's own folder of
    ``.trash``, so two windows on one folder never empty each other's), restore."""

    def __init__(self, folder: str | os.PathLike[str] | None = None) -> None:
        self.folder = Path(folder) if folder is not None else samples_dir()
        self.trash = self.folder / TRASH / f"{os.getpid()}-{secrets.token_hex(3)}"

    def add(self, label: int, strokes: Sequence[np.ndarray], image: np.ndarray,
            guess: int = -1, min_extent: float = 1.0, created: str | None = None,
            sample_id: str | None = None) -> Sample:
        """Store a drawing with its label; returns the stored sample."""
        created = created if created and _is_time(created) else now_iso()
        stamp = "".join(c for c in created if c.isalnum())[:21]
        sample_id = sample_id or f"{stamp}-{int(label)}-{secrets.token_hex(3)}"
        if not _safe_id(sample_id):
            raise SampleError(f"{sample_id!r} cannot name a sample file")
        points, stroke_ends = _joined(strokes)
        image = np.asarray(image)
        if image.dtype != np.uint8:
            image = np.clip(np.round(image * 255.0), 0, 255).astype(np.uint8)
        sample = Sample(sample_id, int(label), int(guess), created, image,
                        _split(points, stroke_ends), float(min_extent))
        self._write(sample)
        return sample

    def _write(self, sample: Sample) -> None:
        path = self.folder / f"{sample.id}.npz"
        points, stroke_ends = _joined(sample.strokes)
        _check(path, sample.label, sample.guess, sample.image, points, stroke_ends)
        try:
            _write_atomically(path, {
                "format_version": np.array(FORMAT_VERSION), "label": np.array(sample.label),
                "guess": np.array(sample.guess), "created": np.array(sample.created),
                "image": sample.image, "points": points, "stroke_ends": stroke_ends,
                "min_extent": np.array(sample.min_extent)})
        except OSError as exc:
            raise SampleError(f"could not save the sample in {self.folder}: "
                              f"{exc.strerror or exc}") from exc

    def relabel(self, samples: Sequence[Sample], label: int) -> list[Sample]:
        """The samples as drawings of ``label`` (the network's reading when kept stays, so
        a relabelled sample may become, or stop being, a correction)."""
        if not 0 <= int(label) <= 9:
            raise SampleError(f"{label} is not a digit 0-9")
        changed = [replace(sample, label=int(label)) for sample in samples]
        for sample in changed:
            self._write(sample)
        return changed

    def load(self) -> tuple[list[Sample], list[str]]:
        """Every readable sample, oldest first, and one line per damaged file (skipped)."""
        samples, problems = [], []
        if not self.folder.is_dir():
            return samples, problems
        for path in sorted(self.folder.glob("*.npz")):
            if path.name.startswith("."):
                continue  # a save in progress
            try:
                samples.append(read_sample(path))
            except SampleError as exc:
                problems.append(str(exc))
        samples.sort(key=lambda s: (s.created, s.id))
        return samples, problems

    def delete(self, ids: Sequence[str]) -> None:
        """Move samples to the trash (``restore`` brings them back)."""
        self.trash.mkdir(parents=True, exist_ok=True)
        for sample_id in ids:
            source = self.folder / f"{sample_id}.npz"
            if source.exists():
                os.replace(source, self.trash / source.name)

    def restore(self, ids: Sequence[str]) -> int:
        """Bring deleted samples back; returns how many came back."""
        restored = 0
        for sample_id in ids:
            source = self.trash / f"{sample_id}.npz"
            if source.exists():
                os.replace(source, self.folder / source.name)
                restored += 1
        return restored

    def empty_trash(self) -> None:
        """Forget this process's deletions (and the trash of processes no longer running)."""
        shutil.rmtree(self.trash, ignore_errors=True)
        for other in (self.folder / TRASH).glob("*-*"):
            pid = other.name.split("-")[0]
            if pid.isdigit() and not _running(int(pid)):
                shutil.rmtree(other, ignore_errors=True)
        with contextlib.suppress(OSError):
            (self.folder / TRASH).rmdir()  # only if empty


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # it exists, owned by someone else
    return True


def counts(samples: Sequence[Sample]) -> np.ndarray:
    """How many samples of each digit (10,)."""
    return np.bincount([s.label for s in samples], minlength=10)[:10]


def export_samples(samples: Sequence[Sample], path: str | os.PathLike[str]) -> Path:
    """All ``samples`` in one file (see the module doc), written atomically."""
    path = Path(path)
    points, stroke_ends, sample_ends = [], [], []
    offset = 0
    for sample in samples:
        sample_points, ends = _joined(sample.strokes)
        points.append(sample_points)
        stroke_ends.extend((ends + offset).tolist())
        offset += len(sample_points)
        sample_ends.append(len(stroke_ends))
    try:
        _write_atomically(path, {
            "format_version": np.array(FORMAT_VERSION), "kind": np.array(EXPORT_KIND),
            "id": np.array([s.id for s in samples], dtype=str),
            "label": np.array([s.label for s in samples], dtype=np.uint8),
            "guess": np.array([s.guess for s in samples], dtype=np.int16),
            "created": np.array([s.created for s in samples], dtype=str),
            "min_extent": np.array([s.min_extent for s in samples], dtype=np.float32),
            "images": np.stack([s.image for s in samples]) if samples
            else np.zeros((0, 28, 28), np.uint8),
            "points": np.concatenate(points) if points else np.zeros((0, 2), np.float32),
            "stroke_ends": np.array(stroke_ends, dtype=np.int64),
            "sample_ends": np.array(sample_ends, dtype=np.int64)})
    except OSError as exc:
        raise SampleError(f"could not write {path}: {exc.strerror or exc}") from exc
    return path


def read_export(path: str | os.PathLike[str]) -> list[Sample]:
    """The samples of an export file; :class:`SampleError` if it is not a sound one."""
    path = Path(path)
    arrays = load_npz(path, EXPORT_KEYS, SampleError, "digitpad samples export",
                      max_bytes=MAX_EXPORT_BYTES)
    if _scalar(arrays, "kind", path, str) != EXPORT_KIND or \
            _scalar(arrays, "format_version", path, int) != FORMAT_VERSION:
        raise SampleError(f"{path}: not a version-{FORMAT_VERSION} digitpad samples export")
    for key in ("label", "guess", "min_extent", "images", "points", "stroke_ends",
                "sample_ends"):
        if arrays[key].dtype.kind not in "iuf":
            raise SampleError(f"{path}: {key} holds {arrays[key].dtype.name}, not numbers")
    for key in ("id", "created"):
        if arrays[key].dtype.kind != "U":
            raise SampleError(f"{path}: {key} holds {arrays[key].dtype.name}, not text")
    images = _grey_levels(arrays["images"], path)
    labels = arrays["label"].astype(np.int64).reshape(-1)
    n = len(labels)
    fields = {k: arrays[k].reshape(-1) for k in ("id", "guess", "created", "min_extent")}
    sample_ends = arrays["sample_ends"].astype(np.int64).reshape(-1)
    points = arrays["points"].astype(np.float32)
    stroke_ends = arrays["stroke_ends"].astype(np.int64).reshape(-1)
    if any(len(v) != n for v in fields.values()) or images.shape != (n, 28, 28) or \
            len(sample_ends) != n:
        raise SampleError(f"{path}: the per-sample arrays do not have one entry per sample")
    if (n and sample_ends[0] < 0) or (np.diff(sample_ends) < 0).any() or \
            (n and sample_ends[-1] != len(stroke_ends)):
        raise SampleError(f"{path}: sample_ends do not index the strokes")
    if not (np.isfinite(fields["min_extent"].astype(np.float64)).all() and
            np.isin(labels, np.arange(10)).all()):
        raise SampleError(f"{path}: a label is not a digit 0-9, or a size is not finite")
    try:
        out = []
        for i in range(n):
            first = int(sample_ends[i - 1]) if i else 0
            ends = stroke_ends[first:int(sample_ends[i])]
            start = int(stroke_ends[first - 1]) if first else 0
            own = points[start:int(ends[-1])] if len(ends) else np.zeros((0, 2), np.float32)
            _check(path, int(labels[i]), int(fields["guess"][i]), images[i], own, ends - start)
            out.append(Sample(str(fields["id"][i]), int(labels[i]), int(fields["guess"][i]),
                              str(fields["created"][i]), images[i],
                              _split(own, ends - start), float(fields["min_extent"][i])))
    except (ValueError, TypeError, OverflowError) as exc:
        raise SampleError(f"{path}: damaged export ({exc})") from None
    return out


def import_samples(path: str | os.PathLike[str], store: SampleStore) -> tuple[int, int]:
    """Add an export's samples to ``store``; (added, already there). The file is checked
    whole before anything is added, so a damaged export adds nothing."""
    incoming = read_export(path)
    have = {s.id: s for s in store.load()[0]}
    added = 0
    for sample in incoming:
        # An unsafe id gets a safe one derived from it (the same at every import); two
        # different samples under one id are both kept.
        sample_id = sample.id if _safe_id(sample.id) else \
            "x" + hashlib.sha1(sample.id.encode("utf-8", "replace")).hexdigest()[:20]
        if sample_id in have and _fingerprint(have[sample_id]) != _fingerprint(sample):
            sample_id = f"{sample_id[:40]}-{_fingerprint(sample)[:12]}"
        if sample_id in have:
            continue
        have[sample_id] = store.add(sample.label, sample.strokes, sample.image, sample.guess,
                                    sample.min_extent, sample.created, sample_id)
        added += 1
    return added, len(incoming) - added


def _fingerprint(sample: Sample) -> str:
    """What makes two samples the same drawing: label, image and strokes."""
    digest = hashlib.sha1(str(sample.label).encode())
    digest.update(np.ascontiguousarray(sample.image, dtype=np.uint8).tobytes())
    for stroke in sample.strokes:
        digest.update(np.ascontiguousarray(stroke, dtype=np.float32).tobytes())
    return digest.hexdigest()


def _is_time(text: str) -> bool:
    try:
        dt.datetime.fromisoformat(text)
    except ValueError:
        return False
    return True


def _safe_id(sample_id: str) -> bool:
    """An id usable as a file name (an export is untrusted input)."""
    return 0 < len(sample_id) <= 64 and all(c.isalnum() or c in "-_" for c in sample_id)
