"""The model shipped in assets/ classifies MNIST like the seed notebook's."""

from __future__ import annotations

import numpy as np
import pytest

from digitpad.inference import load_predictor
from digitpad.model_file import read_metadata


def test_bundled_model_metadata_records_its_accuracy(book_model_path):
    meta = read_metadata(book_model_path)
    assert meta["architecture"] == "Dense(512, relu) -> Dense(10, softmax)"
    assert meta["test_accuracy"] >= 0.978
    assert meta["epochs"] == 5 and meta["batch_size"] == 128


@pytest.mark.mnist
def test_bundled_model_scores_on_mnist_test(book_model_path, mnist):
    _, (x_test, y_test) = mnist
    predictor = load_predictor(book_model_path)
    accuracy = float(np.mean(predictor(x_test / 255.0).argmax(axis=1) == y_test))
    assert accuracy >= 0.978
    assert accuracy == pytest.approx(read_metadata(book_model_path)["test_accuracy"], abs=1e-4)


# ---- the bundled default: a convnet that reads real handwriting ---------------------------
from digitpad.paths import asset_path  # noqa: E402
from digitpad.pen import read_rendered  # noqa: E402

CONVNET = asset_path("model-convnet.keras")


def test_default_model_records_its_recipe_and_accuracies():
    meta = read_metadata(CONVNET)
    assert meta["architecture_key"] == "convnet" and meta["data"] == "mnist+pen"
    assert meta["augment"] is True
    assert meta["test_accuracy"] >= 0.99
    assert meta["pen_accuracy"] >= 0.98


def test_default_model_reads_real_handwriting_of_unseen_sites():
    """The pen test split (sites aga, ibm, val; never trained on), rendered through the
    canvas path, is read at >= 98%, as recorded in the file."""
    x, y = read_rendered().part("test")
    predictor = load_predictor(CONVNET)
    accuracy = float(np.mean(predictor(x / np.float32(255)).argmax(axis=1) == y))
    assert accuracy >= 0.98
    assert accuracy == pytest.approx(read_metadata(CONVNET)["pen_accuracy"], abs=1e-4)


@pytest.mark.mnist
def test_default_model_scores_on_mnist_test(mnist):
    _, (x_test, y_test) = mnist
    predictor = load_predictor(CONVNET)
    accuracy = float(np.mean(predictor(x_test / np.float32(255)).argmax(axis=1) == y_test))
    assert accuracy >= 0.99
    assert accuracy == pytest.approx(read_metadata(CONVNET)["test_accuracy"], abs=1e-4)


# ---- the bundled pen-path network and the two views combined ------------------------------
PEN_PATH = asset_path("model-pen-path.keras")


def test_pen_path_model_records_its_recipe_and_reads_unseen_writers():
    """Reproducible from its preset; reads pen digits of sites never trained on from their
    path alone, through numpy."""
    from digitpad.inference import NumpyPredictor
    from digitpad.recipes import RECIPES
    from digitpad.training import prepare_inputs
    from digitpad.training_data import pen_paths

    meta = read_metadata(PEN_PATH)
    recipe = RECIPES["pen-path"]
    assert meta["architecture_key"] == "pen-path" and meta["data"] == "pen"
    assert (meta["epochs"], meta["seed"]) == (recipe.epochs, recipe.seed)
    pen = read_rendered()
    paths, labels = pen_paths(pen, "test")
    predictor = load_predictor(PEN_PATH)
    assert isinstance(predictor, NumpyPredictor)
    accuracy = float(np.mean(predictor(prepare_inputs(paths)).argmax(axis=1) == labels))
    assert accuracy >= 0.97
    assert accuracy == pytest.approx(meta["pen_accuracy"], abs=1e-3)


def test_both_views_read_real_handwriting_better_than_the_picture_alone():
    """Through the canvas path (strokes in, probabilities out): the combined reading of pen
    test digits makes fewer mistakes than the default convnet alone."""
    from digitpad.two_views import TwoViewReader

    pen = read_rendered()
    drawings = pen.stroke_lists("test")
    labels = pen.part("test")[1]
    chosen = np.random.default_rng(0).choice(len(labels), 800, replace=False)
    both = TwoViewReader(load_predictor(CONVNET), load_predictor(PEN_PATH))
    alone = TwoViewReader(load_predictor(CONVNET))
    wrong_alone = sum(alone.read(drawings[i]).digit != labels[i] for i in chosen)
    wrong_both = sum(both.read(drawings[i]).digit != labels[i] for i in chosen)
    assert wrong_both < wrong_alone


def test_a_wheel_installs_every_bundled_model_and_the_icon():
    """A non-editable install finds its models in ``<prefix>/share/digitpad`` (see
    ``paths.asset_path``): pyproject's data-files must list every file the app loads from
    assets/, or that install reads without the pen path (it once lacked it)."""
    from pathlib import Path

    from digitpad.session import BUNDLED, PEN_PATH_MODEL

    tomllib = pytest.importorskip("tomllib", reason="tomllib is in Python 3.11 and later")
    pyproject = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    installed = pyproject["tool"]["setuptools"]["data-files"]["share/digitpad"]
    for name in [*BUNDLED, PEN_PATH_MODEL, "icon.png"]:
        assert f"assets/{name}" in installed
        assert asset_path(name).is_file()
