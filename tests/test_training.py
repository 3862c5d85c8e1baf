"""The shared training function: learns, reports floats, cancels within one batch."""

from __future__ import annotations

import math
import threading

import numpy as np
import pytest

from digitpad.networks import build_seed_model
from digitpad.training import TrainConfig, TrainingError, train


def test_short_run_beats_chance_and_reports_floats(small_data):
    batches, epochs = [], []
    model = build_seed_model(seed=0)
    result = train(model, *small_data, TrainConfig(epochs=2, batch_size=64, seed=0),
                   on_batch=lambda e, b, logs: batches.append((e, b, logs)),
                   on_epoch=lambda e, logs: epochs.append((e, logs)))
    assert result.test_accuracy > 0.5  # chance is 0.1
    assert not result.cancelled and result.epochs_completed == 2
    assert len(batches) == 2 * math.ceil(1000 / 64)
    assert [e for e, _ in epochs] == [0, 1]
    for _, _, logs in batches:
        assert {"loss", "accuracy"} <= logs.keys()
        assert all(type(v) is float for v in logs.values())
    assert {"loss", "accuracy", "val_loss", "val_accuracy"} <= epochs[-1][1].keys()
    assert all(type(v) is float for v in epochs[-1][1].values())
    assert len(result.history["loss"]) == 2


def test_cancel_stops_within_one_batch(small_data):
    cancel = threading.Event()
    seen: list[tuple[int, int]] = []

    def on_batch(epoch, batch, logs):
        seen.append((epoch, batch))
        if len(seen) == 3:
            cancel.set()

    result = train(build_seed_model(seed=0), *small_data, TrainConfig(epochs=5, batch_size=32),
                   on_batch=on_batch, cancel=cancel)
    assert result.cancelled
    assert len(seen) == 3  # the batch that saw the cancel was the last one
    assert result.epochs_completed == 0


def test_nan_loss_raises_training_error(small_data):
    (x, y), test = small_data
    with pytest.raises(TrainingError, match="diverged"):
        train(build_seed_model(optimizer="sgd", learning_rate=1e9, seed=0), (x, y), test,
              TrainConfig(epochs=2, batch_size=64))


def test_empty_training_set_is_an_error(small_data):
    with pytest.raises(TrainingError, match="no training images"):
        train(build_seed_model(), (np.zeros((0, 28, 28), np.uint8), np.zeros(0, np.uint8)),
              small_data[1])


@pytest.mark.mnist
def test_mnist_slice_learns_digits(mnist):
    (x_train, y_train), (x_test, y_test) = mnist
    result = train(build_seed_model(seed=0), (x_train[:5000], y_train[:5000]),
                   (x_test[:1000], y_test[:1000]), TrainConfig(epochs=2, seed=0))
    assert result.test_accuracy > 0.85


def test_batch_smoother_recovers_batch_values_and_has_no_epoch_jumps():
    from digitpad.training import BatchSmoother

    raw = [[4.0, 2.0, 3.0], [1.0, 1.0, 1.0]]  # two epochs of per-batch losses
    exact = BatchSmoother(smoothing=0.0)  # no smoothing: must return each batch's own value
    recovered = []
    for epoch in raw:
        exact.new_epoch()
        for k in range(len(epoch)):
            running_mean = sum(epoch[: k + 1]) / (k + 1)  # what Keras logs
            recovered.append(exact.update({"loss": running_mean})["loss"])
    assert recovered == pytest.approx([4.0, 2.0, 3.0, 1.0, 1.0, 1.0])

    smooth = BatchSmoother(smoothing=0.5)
    values = []
    for epoch in raw:
        smooth.new_epoch()
        for k in range(len(epoch)):
            values.append(smooth.update({"loss": sum(epoch[: k + 1]) / (k + 1)})["loss"])
    assert values[3] == pytest.approx(0.5 * values[2] + 0.5 * 1.0)  # continuous across epochs


def test_convnet_with_augmentation_and_a_monitor_learns(small_data):
    """The convnet through the same train(): augmented batches, a monitor set measured every
    epoch (the real-handwriting curve), cosine learning-rate decay."""
    from digitpad.networks import build_model

    (x, y), test = small_data
    epochs = []
    model = build_model("convnet", seed=0)
    result = train(model, (x, y), test,
                   TrainConfig(epochs=3, batch_size=32, seed=0, architecture="convnet",
                               augment=True, lr_decay=True),
                   monitors={"pen": test}, on_epoch=lambda e, logs: epochs.append(logs))
    assert result.test_accuracy > 0.5
    assert [("pen_accuracy" in logs) for logs in epochs] == [True, True, True]
    assert result.monitor_accuracy["pen"] == pytest.approx(epochs[-1]["pen_accuracy"])
    assert float(model.optimizer.learning_rate.numpy()) < 1e-3  # decayed from the default


def test_eta_is_steady_despite_a_slow_first_batch():
    """A 5 s first batch (tracing), then 10 ms batches and 0.5 s of evaluation per epoch:
    the estimate never jumps by more than a quarter between updates, ends near the truth,
    and says nothing until it has measured."""
    from digitpad.training import EtaEstimator

    epochs, batches = 3, 100
    eta = EtaEstimator(epochs, batches)
    start = now = 1000.0  # a monotonic clock does not start at 0
    shown = []
    eta.epoch_started(now)
    for epoch in range(epochs):
        for batch in range(batches):
            now += 5.0 if (epoch, batch) == (0, 0) else 0.01
            value = eta.update(epoch * batches + batch + 1, now)
            if (epoch, batch) == (0, 0):
                assert value is None
            if value is not None and batch % 10 == 0:
                shown.append((now, value))
        now += 0.5
        eta.epoch_finished(now)
    assert len(shown) > 5
    for (_, a), (_, b) in zip(shown[:-1], shown[1:], strict=True):
        assert abs(b - a) <= 0.25 * max(a, 1.0)
    true_left = 2 * (batches * 0.01 + 0.5)  # at the start of epoch 2
    value_at_epoch_2 = next(v for t, v in shown if t > start + 5.0 + batches * 0.01 + 0.5)
    assert value_at_epoch_2 == pytest.approx(true_left, rel=0.5)


def test_weight_averaging_makes_the_final_model_an_average_of_the_steps(small_data):
    """The default recipe averages the weights: after train() the model holds the moving
    average, not the last step's weights (with averaging off it holds the last step)."""
    from digitpad.recipes import RECIPES

    assert RECIPES["convnet"].average_weights  # part of the default recipe
    gap_to_last_step = {}
    for average in (False, True):
        model = build_seed_model(seed=0)
        last_step: list[np.ndarray] = []

        def on_batch(epoch, batch, logs, model=model, last_step=last_step):
            last_step[:] = [w.copy() for w in model.get_weights()]

        train(model, *small_data, TrainConfig(epochs=2, batch_size=64, seed=0,
                                              average_weights=average), on_batch=on_batch)
        gap_to_last_step[average] = max(float(np.abs(final - step).max()) for final, step
                                        in zip(model.get_weights(), last_step, strict=True))
    assert gap_to_last_step[False] == 0.0
    assert gap_to_last_step[True] > 1e-3


def test_pen_path_network_trains_on_augmented_paths():
    """The same train() fits the pen-path network on real pen digits' paths, freshly
    augmented, with the real-handwriting curve; it reads unseen sites far above chance."""
    from digitpad.networks import PEN_PATH, build_model
    from digitpad.pen import read_rendered
    from digitpad.training import TrainConfig, train
    from digitpad.training_data import assemble_paths

    data = assemble_paths(read_rendered())
    (x, y), (x_test, y_test) = data.train, data.test
    config = TrainConfig(epochs=2, seed=0, optimizer="adam", learning_rate=2e-3,
                         architecture=PEN_PATH, data="pen", augment=True)
    curve = []
    result = train(build_model(PEN_PATH, "adam", 2e-3, seed=0), (x[:1500], y[:1500]),
                   (x_test[:400], y_test[:400]), config,
                   monitors={"pen": (x_test[:400], y_test[:400])},
                   on_epoch=lambda e, logs: curve.append(logs["pen_accuracy"]))
    assert len(curve) == 2 and not result.cancelled
    assert result.test_accuracy > 0.5
