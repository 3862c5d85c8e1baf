"""Looking inside: the evaluation numbers, each layer's activations for a drawing, and the
heat map of which ink spoke for the answer; ``digitpad evaluate``."""

from __future__ import annotations

import json

import numpy as np
import pytest
from shapes import FOUR, SEVEN

from digitpad.evaluation import evaluate
from digitpad.explain import heat_map, inside
from digitpad.inference import load_predictor
from digitpad.paths import asset_path
from digitpad.pen import load_pen_images
from digitpad.preprocess import strokes_to_mnist


@pytest.fixture(scope="module", params=["model.keras", "model-convnet.keras"])
def predictor(request):
    return load_predictor(asset_path(request.param))


def test_confusion_matrix_counts_every_test_digit_once(predictor):
    images, labels = load_pen_images().part("test")
    images, labels = images[:600], labels[:600]
    report = evaluate(predictor, images, labels)
    assert report.confusion.sum() == len(labels)
    predicted = predictor(images / 255.0).argmax(axis=1)
    for true in range(10):
        for guess in range(10):
            assert report.confusion[true, guess] == np.sum((labels == true) &
                                                           (predicted == guess))
    assert report.accuracy == pytest.approx(np.trace(report.confusion) / len(labels))


def test_inside_shows_every_layer_for_a_drawing(predictor):
    image = strokes_to_mnist(SEVEN)
    views = inside(predictor.layers, image)
    assert views[-1].kind == "Dense" and views[-1].values.shape == (10,)
    np.testing.assert_allclose(views[-1].values, predictor(image), atol=1e-5)
    if predictor.architecture == "dense":
        hidden = views[0]
        assert hidden.values.shape == (512,) and hidden.name == "Dense 512 relu"
        top = hidden.top_units
        assert (np.diff(hidden.values[top]) <= 0).all()  # the most active first
        assert hidden.values[top[-1]] >= np.delete(hidden.values, top).max()
        assert hidden.weight_images.shape == (len(top), 28, 28)
    else:
        maps = [v for v in views if v.kind == "Conv2D"]
        assert [m.values.shape[-1] for m in maps] == [32, 64, 128]
        assert maps[0].values.shape[:2] == (26, 26)


def test_a_convolution_block_is_shown_after_its_norm_and_activation():
    """conv (no activation) -> batch norm -> relu: the view shows what the block passes on
    (rectified, normalised), not the convolution's raw sums."""
    from digitpad.numpy_net import NumpyLayer

    rng = np.random.default_rng(0)
    conv = NumpyLayer("Conv1D", [rng.normal(size=(3, 5, 4)).astype(np.float32),
                                 np.zeros(4, np.float32)], "linear", {"padding": "same"})
    norm = NumpyLayer("BatchNormalization", [np.full(4, 2.0, np.float32), np.ones(4, np.float32),
                                             np.full(4, 0.5, np.float32),
                                             np.full(4, 4.0, np.float32)], "linear",
                      {"epsilon": 1e-3})
    layers = [conv, norm, NumpyLayer("Activation", [], "relu"), NumpyLayer("Flatten"),
              NumpyLayer("Dense", [rng.normal(size=(64 * 4, 10)).astype(np.float32),
                                   np.zeros(10, np.float32)], "softmax")]
    path = rng.normal(size=(64, 5)).astype(np.float32)
    views = inside(layers, path)
    assert [v.kind for v in views] == ["Conv1D", "Dense"]
    expected = np.maximum(norm(conv(path[None]))[0], 0.0)
    np.testing.assert_allclose(views[0].values, expected, atol=1e-6)
    assert (views[0].values >= 0).all() and (conv(path[None]) < 0).any()


def test_heat_map_points_at_the_ink_that_made_the_answer(predictor):
    image = strokes_to_mnist(FOUR)
    heat = heat_map(predictor, image)
    assert heat.shape == (28, 28)
    assert np.all(heat[image == 0] == 0)  # no ink, no say
    digit = int(predictor(image).argmax())
    ink = np.flatnonzero(image.ravel() > 0.5)
    k = len(ink) // 4
    strongest = ink[np.argsort(heat.ravel()[ink])[::-1][:k]]
    rng = np.random.default_rng(0)

    def without(pixels) -> float:
        erased = image.copy().ravel()
        erased[pixels] = 0
        return float(predictor(erased.reshape(28, 28))[digit])

    random_drops = [without(rng.choice(ink, k, replace=False)) for _ in range(5)]
    assert without(strongest) < min(random_drops)


def test_evaluate_from_the_command_line(capsys):
    from digitpad.__main__ import main

    assert main(["evaluate", "--data", "pen", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    confusion = np.array(result["confusion"])
    assert result["n"] == confusion.sum() == 2774
    assert result["accuracy"] == pytest.approx(np.trace(confusion) / result["n"], abs=1e-6)
    rows = confusion.sum(axis=1)
    assert result["per_class"] == pytest.approx(np.diag(confusion) / rows, abs=1e-6)
    assert main(["evaluate", "--data", "pen"]) == 0
    text = capsys.readouterr().out
    assert "accuracy: " in text and "confusion (rows: true digit" in text


def test_evaluate_reads_pen_digits_with_both_views_and_reports_each(capsys):
    """Pen digits are read as the canvas reads them (picture + pen path by default): each
    view's accuracy is given, the combined one is the reading, and it beats the picture."""
    from digitpad.__main__ import main

    assert main(["evaluate", "--data", "pen", "--json"]) == 0
    both = json.loads(capsys.readouterr().out)
    assert both["read_with"] == "both"
    views = both["views"]
    assert both["accuracy"] == views["combined"]["accuracy"]
    assert views["combined"]["accuracy"] > views["picture"]["accuracy"]
    assert views["path"]["accuracy"] > 0.9
    assert main(["evaluate", "--data", "pen", "--json", "--read-with", "picture"]) == 0
    alone = json.loads(capsys.readouterr().out)
    assert alone["read_with"] == "picture" and "views" not in alone
    assert alone["accuracy"] == pytest.approx(views["picture"]["accuracy"], abs=1e-6)
    assert main(["evaluate", "--data", "pen"]) == 0
    assert "read with: picture + pen path · picture 0." in capsys.readouterr().out


def test_evaluate_with_a_missing_model_says_why(tmp_path, capsys):
    from digitpad.__main__ import main

    assert main(["evaluate", "--model", str(tmp_path / "none.keras")]) == 2
    assert "none.keras" in capsys.readouterr().err


def test_evaluate_without_mnist_names_its_own_flag(tmp_path, capsys, monkeypatch):
    """The advice must be a flag ``evaluate`` has (``--mnist``; its ``--data`` is the set)."""
    from digitpad.__main__ import main

    monkeypatch.delenv("DIGITPAD_MNIST", raising=False)
    monkeypatch.setattr("digitpad.mnist._host_reachable", lambda *a, **k: False)
    assert main(["evaluate", "--mnist", str(tmp_path / "none.npz")]) == 2
    err = capsys.readouterr().err
    assert "none.npz" in err and "--mnist /path/to/mnist.npz" in err
    assert "--data /path" not in err
