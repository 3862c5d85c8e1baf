"""Your samples: stored one file each, listed, deleted and restored, exported and imported;
damaged files are reported and cost nothing else."""

from __future__ import annotations

import numpy as np
import pytest
from shapes import FOUR, ONE, SEVEN

from digitpad.preprocess import strokes_to_mnist
from digitpad.samples import (
    SampleError,
    SampleStore,
    counts,
    export_samples,
    import_samples,
)


def store_some(store: SampleStore) -> list:
    out = []
    for label, strokes, guess in ((4, FOUR, 9), (1, ONE, 1), (7, SEVEN, 7)):
        image = strokes_to_mnist(strokes, min_extent=12.0)
        out.append(store.add(label, strokes, image, guess=guess, min_extent=12.0))
    return out


def test_added_samples_come_back_with_strokes_image_and_label(tmp_path):
    store = SampleStore(tmp_path / "samples")
    added = store_some(store)
    loaded, problems = store.load()
    assert problems == []
    assert [s.label for s in loaded] == [4, 1, 7]
    assert {s.id for s in loaded} == {s.id for s in added}
    four = next(s for s in loaded if s.label == 4)
    assert four.corrected and four.guess == 9  # the model read 9: a correction
    assert not next(s for s in loaded if s.label == 1).corrected
    assert four.image.dtype == np.uint8 and four.image.shape == (28, 28)
    np.testing.assert_allclose(four.image / 255, strokes_to_mnist(FOUR, min_extent=12.0),
                               atol=1 / 255)
    assert len(four.strokes) == 2
    np.testing.assert_allclose(four.strokes[1], FOUR[1], atol=1e-4)
    assert counts(loaded).tolist() == [0, 1, 0, 0, 1, 0, 0, 1, 0, 0]


def test_delete_and_restore(tmp_path):
    store = SampleStore(tmp_path / "samples")
    four, one, seven = store_some(store)
    store.delete([four.id, seven.id])
    assert [s.label for s in store.load()[0]] == [1]
    store.restore([four.id])
    assert sorted(s.label for s in store.load()[0]) == [1, 4]
    store.empty_trash()
    store.restore([seven.id])  # gone for good
    assert sorted(s.label for s in store.load()[0]) == [1, 4]


def test_two_windows_on_one_folder_never_empty_each_others_trash(tmp_path):
    """B deletes, A quits (emptying its trash): B's Undo delete still brings it back (it
    said "Restored 1 sample(s)." and nothing came back)."""
    a, b = SampleStore(tmp_path / "samples"), SampleStore(tmp_path / "samples")
    assert a.trash != b.trash
    four, one, seven = store_some(a)
    b.delete([four.id])
    a.delete([one.id])
    a.empty_trash()
    assert b.restore([four.id]) == 1
    assert sorted(s.label for s in b.load()[0]) == [4, 7]  # A's deletion is gone for good
    assert a.restore([one.id]) == 0  # and says so


def test_the_trash_of_a_digitpad_no_longer_running_is_emptied(tmp_path):
    import subprocess
    import sys

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    left = tmp_path / "samples" / ".trash" / f"{dead}-abcdef"
    left.mkdir(parents=True)
    (left / "x.npz").write_bytes(b"x")
    alive = SampleStore(tmp_path / "samples")
    alive.delete([store_some(alive)[0].id])
    SampleStore(tmp_path / "samples").empty_trash()
    assert not left.exists() and alive.trash.is_dir()  # a running one's stays


def test_relabel_rewrites_the_label_and_keeps_the_reading(tmp_path):
    store = SampleStore(tmp_path / "samples")
    four, one, seven = store_some(store)
    (relabelled,) = store.relabel([seven], 1)
    assert relabelled.label == 1 and relabelled.guess == 7 and relabelled.corrected
    loaded = {s.id: s for s in store.load()[0]}
    assert loaded[seven.id].label == 1 and len(loaded) == 3  # the same file, not a copy
    np.testing.assert_allclose(loaded[seven.id].strokes[0], seven.strokes[0])
    store.relabel([loaded[four.id]], 9)
    assert not store.load()[0][0].corrected  # the network read 9: no longer a correction
    with pytest.raises(SampleError):
        store.relabel([one], 10)
    assert {s.id: s.label for s in store.load()[0]}[one.id] == 1


def test_a_damaged_sample_is_reported_and_the_others_load(tmp_path):
    store = SampleStore(tmp_path / "samples")
    four, one, _ = store_some(store)
    (store.folder / f"{four.id}.npz").write_bytes(b"PK\x03\x04 not really")
    (store.folder / "stray.npz").write_bytes(np.zeros(3).tobytes())
    loaded, problems = store.load()
    assert sorted(s.label for s in loaded) == [1, 7]
    assert len(problems) == 2 and any(four.id in p for p in problems)


def test_export_import_round_trip(tmp_path):
    store = SampleStore(tmp_path / "mine")
    samples = store_some(store)
    path = export_samples(samples, tmp_path / "class.npz")
    other = SampleStore(tmp_path / "theirs")
    assert import_samples(path, other) == (3, 0)
    assert import_samples(path, other) == (0, 3)  # nothing twice
    again = {s.id: s for s in other.load()[0]}
    for sample in samples:
        copy = again[sample.id]
        assert (copy.label, copy.guess, copy.created) == (sample.label, sample.guess,
                                                          sample.created)
        np.testing.assert_array_equal(copy.image, sample.image)
        for a, b in zip(copy.strokes, sample.strokes, strict=True):
            np.testing.assert_array_equal(a, b)


def test_the_export_is_readable_without_digitpad(tmp_path):
    samples = store_some(SampleStore(tmp_path / "mine"))
    path = export_samples(samples, tmp_path / "class.npz")
    with np.load(path, allow_pickle=False) as data:
        assert data["label"].tolist() == [4, 1, 7]
        first_sample_strokes = data["stroke_ends"][:data["sample_ends"][0]]
        assert len(first_sample_strokes) == 2  # the two-stroke 4
        assert data["images"].shape == (3, 28, 28)


DAMAGES = {
    "string labels": ("label", lambda a: a.astype(str)),
    "string points": ("points", lambda a: a.astype(str)),
    "string images": ("images", lambda a: a.astype(str)),
    "string guess": ("guess", lambda a: a.astype(str)),
    "string min_extent": ("min_extent", lambda a: a.astype(str)),
    "float images 1e10": ("images", lambda a: a.astype(np.float64) * 1e10),
    "negative sample_ends": ("sample_ends", lambda a: a - 100),
    "nan guess": ("guess", lambda a: np.full(a.shape, np.nan)),
    "label 12": ("label", lambda a: a + 10),
    "numeric ids": ("id", lambda a: np.arange(len(a))),
}


@pytest.mark.parametrize("damage", ["truncated", "not npz", "wrong kind", "bad index",
                                    *DAMAGES])
def test_a_damaged_export_adds_nothing_and_says_why(tmp_path, damage):
    samples = store_some(SampleStore(tmp_path / "mine"))
    path = export_samples(samples, tmp_path / "class.npz")
    if damage == "truncated":
        path.write_bytes(path.read_bytes()[:200])
    elif damage == "not npz":
        path.write_text("label,strokes\n4,...")
    else:
        with np.load(path) as data:
            arrays = dict(data)
        if damage == "wrong kind":
            arrays["kind"] = np.array("something else")
        elif damage in DAMAGES:
            key, change = DAMAGES[damage]
            arrays[key] = change(arrays[key])
        else:
            arrays["sample_ends"] = arrays["sample_ends"][::-1].copy()
        np.savez(path, **arrays)
    target = SampleStore(tmp_path / "theirs")
    with pytest.raises(SampleError, match="class.npz"):
        import_samples(path, target)
    assert target.load() == ([], [])


def test_an_imported_id_cannot_escape_the_samples_folder(tmp_path):
    store = SampleStore(tmp_path / "mine")
    samples = store_some(store)
    path = export_samples(samples, tmp_path / "class.npz")
    with np.load(path) as data:
        arrays = dict(data)
    arrays["id"] = np.array(["../../evil", "ok-id", "a/b"])
    np.savez(path, **arrays)
    target = SampleStore(tmp_path / "theirs" / "samples")
    assert import_samples(path, target) == (3, 0)
    assert not (tmp_path / "evil.npz").exists()
    assert len(list(target.folder.glob("*.npz"))) == 3


def test_unsafe_and_shared_ids_import_once_each_and_names_stay_inside(tmp_path):
    """An unsafe id got a new random id at every import (added again each time); a created
    field like "/tmp/x/a" named a file outside the folder; two different samples sharing an
    id lost one ("already here")."""
    samples = store_some(SampleStore(tmp_path / "mine"))
    path = export_samples(samples, tmp_path / "class.npz")
    with np.load(path) as data:
        arrays = dict(data)
    arrays["id"] = np.array(["a/b", "same", "same"])  # the 1 and the 7 share an id
    arrays["created"] = np.array([str(tmp_path / "x" / "a"), "sub/dir/x", "2026-11-29"])
    np.savez(path, **arrays)
    target = SampleStore(tmp_path / "theirs" / "samples")
    assert import_samples(path, target) == (3, 0)
    assert import_samples(path, target) == (0, 3)  # nothing twice
    loaded, problems = target.load()
    assert problems == [] and sorted(s.label for s in loaded) == [1, 4, 7]
    assert not (tmp_path / "x").exists()
    assert sorted(p.parent for p in target.folder.rglob("*.npz")) == [target.folder] * 3


def test_a_sample_with_too_many_points_says_so():
    store = SampleStore()
    stroke = np.zeros((200_001, 2), np.float32)
    with pytest.raises(SampleError, match="200,001 points"):
        store.add(1, [stroke], np.zeros((28, 28), np.uint8))


def test_a_sample_file_with_float_pixels_of_1e10_is_refused_not_wrapped(tmp_path):
    store = SampleStore(tmp_path / "samples")
    (four, *_) = store_some(store)
    path = store.folder / f"{four.id}.npz"
    with np.load(path) as data:
        arrays = dict(data)
    arrays["image"] = arrays["image"].astype(np.float64) * 1e10
    np.savez(path, **arrays)
    loaded, problems = store.load()
    assert len(loaded) == 2 and len(problems) == 1 and "grey levels" in problems[0]
