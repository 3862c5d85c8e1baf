"""Every model passes one check at load, whatever its source; a bad one is a one-line
ModelFileError and the app falls back to a bundled model."""

from __future__ import annotations

import json
import zipfile

import numpy as np
import pytest

from digitpad.model_file import ModelFileError, save_model
from digitpad.session import choose_model, open_model, remember_selection


def _dense(inputs: int = 784, outputs: int = 10, activation: str = "softmax"):
    import keras

    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((inputs,)), keras.layers.Dense(16, activation="relu"),
                              keras.layers.Dense(outputs, activation=activation)])
    return model


def _rewrite(path, name, data: bytes, compress=zipfile.ZIP_DEFLATED):
    """Replace one member of a .keras archive."""
    with zipfile.ZipFile(path) as src:
        members = {n: src.read(n) for n in src.namelist() if n != name}
    with zipfile.ZipFile(path, "w", compress) as dst:
        for n, content in members.items():
            dst.writestr(n, content)
        dst.writestr(name, data)


def make_bad_model(tmp_path, case):
    path = tmp_path / f"{case}.keras"
    if case == "100-inputs":
        save_model(_dense(inputs=100), path, {})
    elif case in ("5-outputs", "12-outputs"):
        save_model(_dense(outputs=int(case.split("-")[0])), path, {})
    elif case == "logits":
        save_model(_dense(activation="linear"), path, {})
    elif case == "nan-weights":
        model = _dense()
        weights = model.get_weights()
        weights[0][0, 0] = np.nan
        model.set_weights(weights)
        save_model(model, path, {})
    elif case == "list-metadata":
        save_model(_dense(), path, {})
        _rewrite(path, "digitpad.json", b"[1, 2]")
    elif case == "inflated-metadata":
        save_model(_dense(), path, {})
        _rewrite(path, "digitpad.json", b'{"a": "' + b" " * (3 << 20) + b'"}')
    elif case == "inflated-weights":  # a 1 MB file whose weights unpack to 600 MB
        save_model(_dense(), path, {})
        with zipfile.ZipFile(path) as src:
            members = {n: src.read(n) for n in src.namelist() if n != "model.weights.h5"}
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
            for n, content in members.items():
                dst.writestr(n, content)
            with dst.open("model.weights.h5", "w", force_zip64=True) as member:
                for _ in range(600):
                    member.write(bytes(1 << 20))
    elif case == "inflated-config":
        save_model(_dense(), path, {})
        _rewrite(path, "config.json", b'{"a": "' + b" " * (20 << 20) + b'"}')
    elif case == "config-not-object":
        save_model(_dense(), path, {})
        _rewrite(path, "config.json", b"[]")
    elif case == "dict-activation":
        save_model(_dense(), path, {})
        with zipfile.ZipFile(path) as z:
            config = json.loads(z.read("config.json"))
        config["config"]["layers"][-1]["config"]["activation"] = {
            "module": "keras.activations", "class_name": "function", "config": "softmax",
            "registered_name": "function"}
        _rewrite(path, "config.json", json.dumps(config).encode())
    return path


BAD = ["100-inputs", "5-outputs", "12-outputs", "logits", "nan-weights", "list-metadata",
       "inflated-metadata", "inflated-weights", "inflated-config", "config-not-object"]


@pytest.mark.parametrize("case", BAD)
def test_bad_models_are_rejected_with_one_line(tmp_path, case):
    path = make_bad_model(tmp_path, case)
    with pytest.raises(ModelFileError) as info:
        open_model(path, "file")
    message = str(info.value)
    assert str(path) in message and "\n" not in message and len(message) < 400
    if case.startswith("inflated-") and case != "inflated-metadata":
        assert "would unpack to" in message  # refused before anything is inflated


@pytest.mark.parametrize("case", BAD)
def test_bad_selected_model_falls_back_to_a_bundled_one(tmp_path, case):
    path = make_bad_model(tmp_path, case)
    remember_selection(path)
    active, warnings = choose_model()
    assert active.source == "bundled" and len(warnings) == 1 and str(path) in warnings[0]
    explicit, warnings = choose_model(path)
    assert explicit.source == "bundled" and str(path) in warnings[0]


def test_dict_activation_is_either_used_correctly_or_rejected(tmp_path):
    """A valid Keras form: the model loads (through Keras) and gives probabilities."""
    path = make_bad_model(tmp_path, "dict-activation")
    try:
        active = open_model(path, "file")
    except ModelFileError as exc:
        assert str(path) in str(exc)
        return
    out = active.predictor(np.zeros((28, 28), np.float32))
    assert out.shape == (10,) and out.sum() == pytest.approx(1, abs=1e-4)


def test_a_directory_is_not_called_missing_or_damaged(tmp_path):
    folder = tmp_path / "looks-like.keras"
    folder.mkdir()
    with pytest.raises(ModelFileError, match="is a directory"):
        open_model(folder, "file")
