"""The seed network, its files, and the fast predictor."""

from __future__ import annotations

import json
import zipfile

import numpy as np
import pytest

from digitpad.inference import NumpyPredictor, load_predictor, predictor_for_model
from digitpad.model_file import ModelFileError, load_model, read_layers, read_metadata, save_model
from digitpad.networks import build_seed_model


@pytest.fixture(scope="module")
def seed_model():
    return build_seed_model(seed=3)


def test_seed_network_matches_the_book(seed_model):
    import keras

    assert seed_model.count_params() == 407_050
    dense = [layer for layer in seed_model.layers if isinstance(layer, keras.layers.Dense)]
    assert [(d.units, d.get_config()["activation"]) for d in dense] == [(512, "relu"),
                                                                         (10, "softmax")]
    assert tuple(seed_model.inputs[0].shape) == (None, 784)
    assert isinstance(seed_model.optimizer, keras.optimizers.RMSprop)
    assert seed_model.optimizer.learning_rate.numpy() == pytest.approx(1e-3)
    assert seed_model.loss == "categorical_crossentropy"
    assert seed_model.get_compile_config()["metrics"] == ["accuracy"]


def test_unknown_optimizer_is_refused():
    with pytest.raises(ValueError, match="unknown optimizer"):
        build_seed_model(optimizer="adagrad-ish")


def test_save_then_load_predicts_identically(tmp_path, seed_model):
    x = np.random.default_rng(0).random((8, 784), dtype=np.float32)
    path = save_model(seed_model, tmp_path / "m.keras", {"epochs": 0, "test_accuracy": 0.5})
    loaded = load_model(path)
    np.testing.assert_array_equal(np.asarray(loaded(x)), np.asarray(seed_model(x)))
    meta = read_metadata(path)
    assert meta["architecture"] == "Dense(512, relu) -> Dense(10, softmax)"
    assert meta["test_accuracy"] == 0.5 and meta["parameters"] == 407_050
    assert {"date", "versions"} <= meta.keys() and "keras" in meta["versions"]
    assert list(tmp_path.iterdir()) == [path]  # no temp files left behind


def test_failed_save_leaves_previous_file_intact(tmp_path, seed_model, monkeypatch):
    path = save_model(seed_model, tmp_path / "m.keras", {"run": "first"})
    before = path.read_bytes()

    def exploding_save(self, filepath, *args, **kwargs):
        with open(filepath, "wb") as fh:
            fh.write(b"half a model")
        raise OSError("disk full")

    monkeypatch.setattr(type(seed_model), "save", exploding_save)
    with pytest.raises(ModelFileError, match="disk full"):
        save_model(seed_model, path, {"run": "second"})
    assert path.read_bytes() == before
    assert read_metadata(path)["run"] == "first"
    assert list(tmp_path.iterdir()) == [path]


@pytest.mark.parametrize("content", [None, b"", b"not a zip at all", "truncated", "no-config"])
def test_bad_model_files_raise_clear_error_naming_file(tmp_path, seed_model, content):
    path = tmp_path / "bad.keras"
    if content == "truncated":
        save_model(seed_model, path, {})
        path.write_bytes(path.read_bytes()[:5000])
    elif content == "no-config":
        with zipfile.ZipFile(path, "w") as z:
            z.writestr("hello.txt", "hi")
    elif content is not None:
        path.write_bytes(content)
    for reader in (load_model, read_metadata, read_layers, load_predictor):
        with pytest.raises(ModelFileError, match=str(path)):
            reader(path)


def test_corrupted_weights_inside_valid_zip_raise_model_file_error(tmp_path, seed_model):
    good = save_model(seed_model, tmp_path / "good.keras", {})
    bad = tmp_path / "bad.keras"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w") as dst:
        for name in src.namelist():
            data = src.read(name)
            dst.writestr(name, data[:100] if name.endswith(".h5") else data)
    for reader in (load_model, load_predictor):
        with pytest.raises(ModelFileError, match=str(bad)):
            reader(bad)


def test_numpy_predictor_matches_keras(seed_model):
    rng = np.random.default_rng(1)
    images = rng.random((32, 28, 28), dtype=np.float32)
    expected = np.asarray(seed_model(images.reshape(32, 784)))
    predictor = predictor_for_model(seed_model)
    assert isinstance(predictor, NumpyPredictor)
    np.testing.assert_allclose(predictor(images), expected, atol=1e-5)
    single = predictor(images[0])
    assert single.shape == (10,)
    np.testing.assert_allclose(single, expected[0], atol=1e-5)
    assert single.sum() == pytest.approx(1.0, abs=1e-5)


def assert_file_predicts_like(model, path, kind="numpy", as_model_input=None) -> None:
    """The predictor loaded from ``path`` is of ``kind`` and matches Keras to 1e-5."""
    predictor = load_predictor(path)
    assert predictor.kind == kind
    images = np.random.default_rng(2).random((5, 28, 28), dtype=np.float32)
    inputs = as_model_input(images) if as_model_input else images.reshape(5, 784)
    np.testing.assert_allclose(predictor(images), np.asarray(model(inputs)), atol=1e-5)


def test_predictor_from_file_needs_no_keras_and_matches(tmp_path, seed_model):
    assert_file_predicts_like(seed_model, save_model(seed_model, tmp_path / "m.keras", {}))


def test_predictor_rejects_wrong_shapes(seed_model):
    with pytest.raises(ValueError, match="expected"):
        predictor_for_model(seed_model)(np.zeros((27, 28)))


def test_image_shaped_inputs_run_in_numpy_too(tmp_path):
    """A convnet taking (28, 28, 1) images (no Reshape layer) still gets the numpy path."""
    import keras

    keras.utils.set_random_seed(0)
    cnn = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Conv2D(4, 3, activation="relu"),
                            keras.layers.Flatten(), keras.layers.Dense(10, activation="softmax")])
    path = tmp_path / "cnn.keras"
    cnn.save(path)
    assert read_layers(path)[0].kind == "Reshape"
    assert_file_predicts_like(cnn, path, kind="numpy", as_model_input=lambda x: x[..., None])


def test_metadata_is_plain_json(tmp_path, seed_model):
    path = save_model(seed_model, tmp_path / "m.keras", {"epochs": 5})
    with zipfile.ZipFile(path) as z:
        assert json.loads(z.read("digitpad.json"))["epochs"] == 5


def test_numpy_loader_finds_weights_whatever_the_layer_names(tmp_path):
    """The third model built in a process has layers dense_4/dense_5; the file still loads."""
    for _ in range(2):
        build_seed_model()
    model = build_seed_model(seed=4)
    assert model.layers[0].name != "dense"
    assert_file_predicts_like(model, save_model(model, tmp_path / "m.keras", {}))


def test_numpy_loader_handles_flatten_input(tmp_path):
    import keras

    model = keras.Sequential([keras.Input((28, 28)), keras.layers.Flatten(),
                              keras.layers.Dense(16, activation="relu"),
                              keras.layers.Dense(10, activation="softmax")])
    path = tmp_path / "flat.keras"
    model.save(path)
    assert_file_predicts_like(model, path, as_model_input=lambda x: x)


def test_stale_temp_files_from_an_interrupted_save_are_removed_at_start_up(isolated_user_dir):
    import os
    import time

    from digitpad.session import tidy_user_dir, trained_models_dir

    folder = trained_models_dir()
    folder.mkdir(parents=True)
    stale, fresh = folder / ".convnet-20260101-abcd1234.keras", folder / ".dense-x-ef56.keras"
    kept = folder / "dense-20260101-000000.keras"
    for path in (stale, fresh, kept):
        path.write_bytes(b"partial")
    old = time.time() - 3600
    os.utime(stale, (old, old))
    os.utime(kept, (old, old))
    tidy_user_dir()
    assert not stale.exists()
    assert fresh.exists()  # maybe another digitpad saving right now
    assert kept.exists()  # a real model


def test_save_failure_names_the_model_not_the_temp_file(tmp_path, seed_model, monkeypatch):
    import errno
    import zipfile

    def no_space(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(zipfile.ZipFile, "writestr", no_space)
    target = tmp_path / "mine.keras"
    with pytest.raises(ModelFileError) as info:
        save_model(seed_model, target, {})
    assert str(info.value) == f"could not save the model to {target}: No space left on device"
    assert list(tmp_path.iterdir()) == []  # no temp file left behind


@pytest.fixture
def tiny_disk(tmp_path):
    """A 64 KiB tmpfs, where the system allows mounting one (root on Linux); else skip."""
    import subprocess

    mount_point = tmp_path / "tiny"
    mount_point.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount_point)],
                          capture_output=True)
    if done.returncode != 0:
        pytest.skip("cannot mount a small tmpfs here (needs root on Linux)")
    yield mount_point
    subprocess.run(["umount", str(mount_point)], capture_output=True)


def test_a_full_disk_gives_a_clear_error_and_keeps_the_old_model(tiny_disk, seed_model):
    """A real ENOSPC: the 3 MB model cannot fit in 64 KiB; the small file already there
    survives and no temporary file is left behind."""
    target = tiny_disk / "model.keras"
    target.write_bytes(b"the previous model")
    with pytest.raises(ModelFileError) as info:
        save_model(seed_model, target, {})
    assert str(info.value).startswith(f"could not save the model to {target}:")
    assert str(info.value).endswith("No space left on device")
    assert target.read_bytes() == b"the previous model"
    assert [p.name for p in tiny_disk.iterdir()] == ["model.keras"]
