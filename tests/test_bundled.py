"""The model shipped in assets/ classifies MNIST like the seed notebook's."""

from __future__ import annotations

import numpy as np
import pytest

from digitpad.inference import load_predictor
from digitpad.model import read_metadata


def test_bundled_model_metadata_records_its_accuracy(bundled_model_path):
    meta = read_metadata(bundled_model_path)
    assert meta["architecture"] == "Dense(512, relu) -> Dense(10, softmax)"
    assert meta["test_accuracy"] >= 0.978
    assert meta["epochs"] == 5 and meta["batch_size"] == 128


@pytest.mark.mnist
def test_bundled_model_scores_on_mnist_test(bundled_model_path, mnist):
    _, (x_test, y_test) = mnist
    predictor = load_predictor(bundled_model_path)
    accuracy = float(np.mean(predictor(x_test / 255.0).argmax(axis=1) == y_test))
    assert accuracy >= 0.978
    assert accuracy == pytest.approx(read_metadata(bundled_model_path)["test_accuracy"], abs=1e-4)
