"""Fine-tuning on your samples: held-out split, re-drawn variants, a tune that learns your
style, and ``digitpad finetune`` from the command line (synthetic MNIST stand-in)."""

from __future__ import annotations

import numpy as np
import pytest
from shapes import EIGHT, FIVE, FOUR, ONE, SEVEN, ZERO

from digitpad.finetune import FinetuneConfig, finetune, holdout_split, sample_variants
from digitpad.preprocess import strokes_to_mnist
from digitpad.samples import Sample, export_samples

SHAPES = {0: ZERO, 1: ONE, 4: FOUR, 5: FIVE, 7: SEVEN, 8: EIGHT}


def my_samples(per_digit: int, seed: int = 0, relabel: dict[int, int] | None = None):
    """Hand-built digits drawn with a shaky hand; ``relabel`` gives them a style of labels a
    model cannot know (your 7 is my 1)."""
    rng = np.random.default_rng(seed)
    out = []
    for digit, shape in SHAPES.items():
        for k in range(per_digit):
            strokes = tuple((s + rng.normal(0, 2.0, s.shape)).astype(np.float32) for s in shape)
            image = np.round(strokes_to_mnist(strokes, min_extent=12.0) * 255).astype(np.uint8)
            label = (relabel or {}).get(digit, digit)
            out.append(Sample(f"s{digit}-{k}", label, -1, "", image, strokes, 12.0))
    return out


def test_holdout_keeps_each_digit_learnable():
    labels = [0] * 4 + [1] * 1 + [2] * 2 + [3] * 8
    train, held = holdout_split(labels, 0.25, seed=3)
    assert sorted(np.concatenate([train, held]).tolist()) == list(range(len(labels)))
    held_labels = [labels[i] for i in held]
    assert held_labels.count(0) == 1 and held_labels.count(3) == 2
    assert held_labels.count(2) == 1  # of two, one is learned and one measured
    assert 1 not in held_labels  # a digit's only sample is learned from
    again = holdout_split(labels, 0.25, seed=3)
    assert np.array_equal(again[1], held)


def test_variants_are_redrawn_copies_with_their_labels():
    samples = my_samples(1)
    images, labels = sample_variants(samples, variants=8, rng=np.random.default_rng(0))
    assert images.shape == (len(samples) * 8, 28, 28) and images.dtype == np.uint8
    assert labels.tolist() == [s.label for s in samples for _ in range(8)]
    first, copies = images[0].astype(float), images[1:8].astype(float)
    assert np.array_equal(images[0], samples[0].image)  # the sample itself comes first
    assert all(not np.array_equal(c, first) for c in copies)  # re-drawn, each differently
    corr = [np.corrcoef(first.ravel(), c.ravel())[0, 1] for c in copies]
    assert min(corr) > 0.3  # ...but still that digit


def test_a_finetune_learns_your_style(small_data):
    from digitpad.networks import build_model
    from digitpad.training import TrainConfig, train

    model = build_model("dense")
    train(model, small_data[0], small_data[1], TrainConfig(epochs=1, seed=0,
                                                           validate_each_epoch=False))
    style = {7: 1, 1: 7, 4: 9}  # labels no model could guess
    samples = my_samples(4, seed=1, relabel=style)
    held = my_samples(2, seed=2, relabel=style)
    config = FinetuneConfig(epochs=4, learning_rate=1e-3, mnist_digits=300, variants=20,
                            seed=0)
    epochs_seen = []
    result = finetune(model, samples, small_data, config, held_out=held,
                      on_epoch=lambda epoch, logs: epochs_seen.append(logs))
    assert len(epochs_seen) == 5
    assert result.yours_after >= 0.8 and result.yours_after > result.yours_before + 0.3
    assert result.trained_on == len(samples) and result.held_out == len(held)
    # The starting point (epoch -1), then a point per epoch: the curve.
    assert [("yours_accuracy" in logs) for logs in epochs_seen] == [True] * 5
    assert epochs_seen[0]["yours_accuracy"] == result.yours_before


def test_finetune_from_the_command_line(small_npz, tmp_path, capsys, book_model_path):
    from digitpad.__main__ import main
    from digitpad.model_file import read_metadata
    from digitpad.paths import asset_path

    path = export_samples(my_samples(4, seed=4), tmp_path / "class.npz")
    out = tmp_path / "tuned.keras"
    code = main(["finetune", str(path), "--out", str(out), "--model",
                 str(asset_path("model.keras")), "--data", str(small_npz), "--epochs", "1"])
    assert code == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert [line.split(": ")[0] for line in lines] == ["yours before", "yours after",
                                                       "mnist after", "both before",
                                                       "both after"]
    for line in lines:
        assert 0.0 <= float(line.split(": ")[1]) <= 1.0
    metadata = read_metadata(out)
    assert metadata["data"] == "yours+mnist" and metadata["your_samples"] > 0
    assert metadata["finetuned_from"].startswith("Dense")
    from digitpad.session import paired_path_model

    assert paired_path_model(metadata) is not None  # the window reads it with its pen path
    picture_only = tmp_path / "picture.keras"
    assert main(["finetune", str(path), "--out", str(picture_only), "--model",
                 str(asset_path("model.keras")), "--data", str(small_npz), "--epochs", "1",
                 "--read-with", "picture"]) == 0
    assert len(capsys.readouterr().out.strip().splitlines()) == 3
    assert "pen_path_model" not in read_metadata(picture_only)


@pytest.mark.parametrize("problem", ["missing", "damaged"])
def test_finetune_with_a_bad_samples_file_says_why(tmp_path, capsys, problem):
    from digitpad.__main__ import main

    path = tmp_path / "class.npz"
    if problem == "damaged":
        path.write_bytes(b"PK\x03\x04 nope")
    assert main(["finetune", str(path), "--out", str(tmp_path / "t.keras")]) == 2
    assert "class.npz" in capsys.readouterr().err
    assert not (tmp_path / "t.keras").exists()
