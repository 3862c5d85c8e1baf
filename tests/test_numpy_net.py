"""The numpy forward passes equal Keras for every bundled architecture and layer kind."""

from __future__ import annotations

import numpy as np
import pytest

from digitpad.inference import KerasPredictor, NumpyPredictor, load_predictor
from digitpad.model_file import read_layers, save_model
from digitpad.paths import asset_path
from digitpad.pen import read_rendered


@pytest.fixture(scope="module")
def digits(request):
    """1,000 test digits: MNIST test when available, else real pen digits."""
    try:
        mnist = request.getfixturevalue("mnist")
        return mnist[1][0][:1000].astype(np.float32) / 255
    except pytest.skip.Exception:
        return read_rendered().part("test")[0][:1000].astype(np.float32) / 255


@pytest.mark.parametrize("name", ["model-convnet.keras", "model.keras"])
def test_bundled_models_numpy_equals_keras(name, digits):
    import keras

    path = asset_path(name)
    predictor = load_predictor(path)
    assert isinstance(predictor, NumpyPredictor)
    model = keras.models.load_model(path, compile=False)
    expected = np.asarray(model(digits.reshape(len(digits), 784), training=False))
    np.testing.assert_allclose(predictor(digits), expected, atol=1e-5)
    assert predictor(digits[0]).shape == (10,)


def assert_numpy_reads_as_keras(model, x, tmp_path, epochs: int = 1,
                                 shape: tuple[int, ...] | None = None) -> None:
    """Train ``model`` a little on ``x`` (so batch norms' statistics move), save it, and read
    ``x`` (given to the predictor in ``shape``) through numpy as Keras reads it."""
    model.compile(loss="categorical_crossentropy")
    model.fit(x, np.eye(10)[np.arange(len(x)) % 10], epochs=epochs, verbose=0)
    save_model(model, tmp_path / "m.keras", {})
    predictor = load_predictor(tmp_path / "m.keras")
    assert isinstance(predictor, NumpyPredictor)
    np.testing.assert_allclose(predictor(x if shape is None else x.reshape(shape)),
                               np.asarray(model(x, training=False)), atol=1e-5)


def test_every_supported_layer_kind(tmp_path):
    """'same' padding, batch norm, dropout and tanh as well as the bundled kinds."""
    import keras

    keras.utils.set_random_seed(0)
    model = keras.Sequential([
        keras.Input(shape=(784,)), keras.layers.Reshape((28, 28, 1)),
        keras.layers.Conv2D(4, 5, padding="same", activation="tanh"),
        keras.layers.BatchNormalization(), keras.layers.MaxPooling2D(2),
        keras.layers.Conv2D(6, 3, activation="relu"), keras.layers.Flatten(),
        keras.layers.Dropout(0.3), keras.layers.Dense(10, activation="softmax")])
    x = np.random.default_rng(0).random((64, 784)).astype(np.float32)
    assert_numpy_reads_as_keras(model, x, tmp_path, shape=(64, 28, 28))


def test_convolutions_without_bias_and_activation_layers(tmp_path):
    """A convolution without a bias, batch norm, then the activation as a layer of its own
    (the pen-path network's blocks) reads through numpy as Keras reads it."""
    import keras

    from digitpad.pen_path import FEATURES, POINTS

    keras.utils.set_random_seed(0)
    model = keras.Sequential([
        keras.Input(shape=(POINTS, FEATURES)),
        keras.layers.Conv1D(8, 3, padding="same", use_bias=False),
        keras.layers.BatchNormalization(), keras.layers.Activation("relu"),
        keras.layers.Flatten(), keras.layers.Dense(10, use_bias=False),
        keras.layers.Activation("softmax")])
    x = np.random.default_rng(0).normal(size=(64, POINTS, FEATURES)).astype(np.float32)
    assert_numpy_reads_as_keras(model, x, tmp_path, epochs=2)


def test_unsupported_layer_falls_back_to_keras(tmp_path):
    import keras

    model = keras.Sequential([keras.Input(shape=(784,)), keras.layers.Reshape((28, 28, 1)),
                              keras.layers.Conv2D(4, 3, strides=2, padding="same"),
                              keras.layers.Flatten(),
                              keras.layers.Dense(10, activation="softmax")])
    save_model(model, tmp_path / "strided.keras", {})
    assert read_layers(tmp_path / "strided.keras") is None
    predictor = load_predictor(tmp_path / "strided.keras")
    assert isinstance(predictor, KerasPredictor)
    assert predictor(np.zeros((28, 28), np.float32)).shape == (10,)


def test_pen_path_network_numpy_equals_keras(tmp_path):
    """The pen-path network (1-D convolutions and pooling over the path) read from its file
    without TensorFlow gives Keras's probabilities, and is told apart as a pen-path model."""
    from digitpad.networks import PEN_PATH, build_model
    from digitpad.pen_path import FEATURES, POINTS

    model = build_model(PEN_PATH, "adam", seed=0)
    x = np.random.default_rng(1).normal(size=(32, POINTS, FEATURES)).astype(np.float32)
    model.fit(x, np.eye(10)[np.arange(32) % 10], epochs=1, verbose=0)
    save_model(model, tmp_path / "path.keras", {})
    predictor = load_predictor(tmp_path / "path.keras")
    assert isinstance(predictor, NumpyPredictor)
    assert predictor.architecture == PEN_PATH
    np.testing.assert_allclose(predictor(x), np.asarray(model(x, training=False)), atol=1e-5)
    assert predictor(x[0]).shape == (10,)


def test_strided_convolutions_pooling_and_folded_batch_norms_read_as_keras(tmp_path):
    """Every path of the numpy convolution (a one-channel picture gathered by index, many
    channels by a strided view, each with a stride), pooling that drops an edge, and batch
    norms folded into the layer before them (a dense one too) give Keras's outputs."""
    import keras

    keras.utils.set_random_seed(2)
    model = keras.Sequential([
        keras.Input(shape=(784,)), keras.layers.Reshape((28, 28, 1)),
        keras.layers.Conv2D(5, 3, strides=2), keras.layers.BatchNormalization(),
        keras.layers.Activation("relu"), keras.layers.MaxPooling2D(3),
        keras.layers.Conv2D(7, 2, strides=2, activation="relu"), keras.layers.Flatten(),
        keras.layers.Dense(12), keras.layers.BatchNormalization(),
        keras.layers.Activation("tanh"), keras.layers.Dense(10, activation="softmax")])
    x = np.random.default_rng(2).random((64, 784)).astype(np.float32)
    assert_numpy_reads_as_keras(model, x, tmp_path, epochs=2, shape=(64, 28, 28))


def test_reading_runs_numpy_blas_on_one_thread():
    """Once a model is loaded, numpy's BLAS keeps one thread: a reading is small matrices,
    and a second thread waiting on a core busy with training made numbers read 5x slower."""
    from threadpoolctl import threadpool_info

    load_predictor(asset_path("model.keras"))
    blas = [lib for lib in threadpool_info() if lib["user_api"] == "blas"]
    assert blas and all(lib["num_threads"] == 1 for lib in blas)
