"""Designed networks: the layer text reads and writes back, wrong stacks are refused in
words, the sizes shown before training are Keras's own, and every layer kind reads through
numpy as Keras does."""

from __future__ import annotations

import numpy as np
import pytest

from digitpad.layer_stack import (
    Layer,
    LayerStackError,
    count_macs,
    count_weights,
    format_layers,
    layers_from_json,
    layers_to_json,
    parse_layers,
    plan,
    problems,
)
from digitpad.networks import NAMED_STACKS, build_model, named_architecture
from digitpad.recipes import RECIPE_NAMES, RECIPES, recipe_of
from digitpad.training import TrainConfig

DESIGNS = [
    "dense512",
    NAMED_STACKS["convnet"],
    "conv8k5:tanh,pool,conv6,gap,dense16:sigmoid,drop0.2",
    "dense64,drop0.3,dense32:tanh",
    "conv4,pool,drop0.25,dense12",  # a Flatten is added before the Dense
    "conv6,bn,pool,conv8,bn,flatten,dense16,bn",
    "conv8k5s2,conv6s3:tanh,gap,dense16",
    "",  # no hidden layer: the output layer alone (logistic regression)
]


@pytest.mark.parametrize("text", DESIGNS)
def test_text_round_trips(text):
    layers = parse_layers(text)
    assert format_layers(layers) == text
    assert layers_from_json(layers_to_json(layers)) == layers


def test_json_list_of_tokens():
    assert layers_from_json('["conv32", "pool", {"kind": "dense", "size": 64}]') == (
        Layer("conv", 32), Layer("pool"), Layer("dense", 64))


@pytest.mark.parametrize("text, words", [
    ("dense128,conv32", "a convolution needs a picture"),
    ("dense0", "1 to 4096 units"),
    ("conv0", "1 to 512 filters"),
    ("conv32k9,pool,conv32k9,pool,conv8", "smaller than the 3×3 kernel"),
    ("conv8,pool,pool,pool,pool,pool", "nothing left to pool"),
    ("dense64,pool", "already a flat list"),
    ("drop1", "dropout rate is from 0 up to"),
    ("conv8s9", "a stride is 1 to 4"),
    ("dense4096,dense4096,dense4096", "too big to train here"),
    ("dense64:swish", "activation 'swish' unknown"),
])
def test_wrong_stacks_are_explained(text, words):
    found = problems(parse_layers(text))
    assert any(words in problem for problem in found), found
    with pytest.raises(LayerStackError):
        plan(parse_layers(text))
    with pytest.raises(LayerStackError, match=words.split("'")[0][:12]):
        build_model("custom", layers=text)


@pytest.mark.parametrize("text", ["conv", "dense12.5", "pool2", "resnet50", "conv32,,pool",
                                  "drop", "dense12k3", "dense12s2", "pools2"])
def test_unreadable_tokens_name_the_layer(text):
    with pytest.raises(LayerStackError, match=r"layer \d"):
        parse_layers(text)


def test_plan_gives_shapes_from_picture_to_ten():
    rows = plan(parse_layers(NAMED_STACKS["convnet"]))
    assert [row.shape for row in rows] == [
        (28, 28, 1), (26, 26, 32), (13, 13, 32), (11, 11, 64), (5, 5, 64), (3, 3, 128),
        (1152,), (1152,), (10,)]
    dense = parse_layers("dense512")
    assert count_macs(dense) == 784 * 512 + 512 * 10
    assert [row.shape for row in plan(dense)] == [(784,), (512,), (10,)]


@pytest.mark.parametrize("text", DESIGNS)
def test_counts_are_keras_counts(text):
    model = build_model("custom", layers=text)
    assert count_weights(parse_layers(text)) == model.count_params()
    assert model.output_shape == (None, 10)


def test_named_networks_are_their_stacks():
    """The book's networks built from their stacks are the networks the bundled models have."""
    model = build_model("convnet")
    assert [type(layer).__name__ for layer in model.layers] == [
        "Reshape", "Conv2D", "MaxPooling2D", "Conv2D", "MaxPooling2D", "Conv2D", "Flatten",
        "Dropout", "Dense"]
    assert build_model("dense").count_params() == 784 * 512 + 512 + 5130
    assert named_architecture("conv32, pool,conv64,pool,conv128,flatten,drop0.5") == "convnet"
    assert named_architecture("dense256") == "custom"


@pytest.mark.parametrize("text", DESIGNS[2:7])
def test_every_layer_kind_reads_through_numpy_as_keras(tmp_path, text):
    from digitpad.inference import NumpyPredictor, load_predictor
    from digitpad.model_file import read_metadata, save_model

    model = build_model("custom", "adam", seed=0, layers=text)
    x = np.random.default_rng(0).random((64, 784)).astype(np.float32)
    model.fit(x, np.eye(10)[np.arange(64) % 10], epochs=2, verbose=0)
    save_model(model, tmp_path / "design.keras", {"architecture_key": "custom", "layers": text})
    predictor = load_predictor(tmp_path / "design.keras")
    assert isinstance(predictor, NumpyPredictor)
    np.testing.assert_allclose(predictor(x.reshape(64, 28, 28)),
                               np.asarray(model(x, training=False)), atol=1e-5)
    assert read_metadata(tmp_path / "design.keras")["layers"] == text


def test_recipes_are_told_apart_from_custom_settings():
    for key in RECIPE_NAMES:
        assert recipe_of(RECIPES[key]) == key
    changed = TrainConfig(**{**vars(RECIPES["fast"]), "epochs": 9})
    assert recipe_of(changed) is None
    assert recipe_of(TrainConfig(**{**vars(RECIPES["fast"]), "layers": "dense64"})) is None
    assert recipe_of(TrainConfig()) == "book"  # the panel's defaults are the book's run


def test_an_epoch_is_timed_for_a_design_and_a_wrong_one_is_refused():
    from digitpad.epoch_timing import STEPS, estimate_epoch

    estimate = estimate_epoch("custom", "conv4,pool,dense8", 32, 6_000, augment=True)
    assert estimate.steps_timed == STEPS and estimate.training > 0 and estimate.evaluation > 0
    assert estimate.seconds == estimate.training + estimate.evaluation
    with pytest.raises(LayerStackError, match="needs a picture"):
        estimate_epoch("custom", "dense8,conv4", 32, 6_000)


def test_inside_the_network_shows_every_layer_of_a_design(tmp_path):
    from digitpad.explain import inside
    from digitpad.inference import load_predictor
    from digitpad.model_file import save_model

    text = "conv4,pool,conv6k5:tanh,gap,dense12,drop0.1,dense8:sigmoid"
    save_model(build_model("custom", layers=text, seed=0), tmp_path / "d.keras", {})
    views = inside(load_predictor(tmp_path / "d.keras").layers, np.zeros((28, 28), np.float32))
    assert [view.name for view in views] == [
        "Conv2D 4 3x3", "Conv2D 6 5x5", "Dense 12 relu", "Dense 8 sigmoid", "Dense 10 softmax"]
