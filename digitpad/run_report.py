"""What the training panel says about a run: what a fine-tune runs with, each epoch's
figures, and how the run ended (its figures, whether the model is in use, why it failed).
Plain text from the run's events and :class:`~digitpad.training_run.RunResult`, so it is
tested without a display."""

from __future__ import annotations

import math

from digitpad.mnist import MnistError
from digitpad.model_file import ModelFileError
from digitpad.training import overfitting_verdict
from digitpad.training_run import FinetuneRequest, RunResult

# Errors whose own message says what went wrong (a missing MNIST, a damaged model file, a
# full disk…); any other is shown with its type, as a bug would be.
KNOWN_ERRORS = (MnistError, ModelFileError, RuntimeError, OSError, ValueError)


def _percent(value: float) -> str:
    return f"{value:.1%}" if math.isfinite(value) else "n/a"


def describe_run(result: RunResult, test_losses: list[float], duration: str) -> tuple[str, str]:
    """(result text, start of the status line) for a run that kept a model.

    A fine-tune shows before -> after for your handwriting (the held-out samples) and MNIST
    test, and for the reading with the pen path too when that network was tuned with it; a
    run from scratch its MNIST and real-handwriting accuracy and an overfitting verdict read
    from the test-loss curve.
    """
    acc = result.test_accuracy
    stopped = f"Stopped after {result.epochs_completed} full epoch(s) in {duration}; "
    tuned = result.finetune
    if tuned is not None:
        yours = (f"your handwriting {_percent(tuned.yours_before)} → "
                 f"{_percent(tuned.yours_after)} ({tuned.held_out} held-out samples)"
                 if tuned.held_out else
                 "your handwriting: too few samples of each digit to hold some out and "
                 "measure (label 2 or more of a digit)")
        pen = (f"\nreal handwriting of others {_percent(tuned.pen_before)} → "
               f"{_percent(tuned.pen_after)}" if math.isfinite(tuned.pen_after) else "")
        both = result.path_finetune
        if both is not None and tuned.held_out:
            pen += (f"\nread with the pen path too (as the canvas reads): "
                    f"{_percent(both.both_before)} → {_percent(both.both_after)} of your "
                    f"held-out samples; the pen path alone {_percent(both.yours_before)} → "
                    f"{_percent(both.yours_after)}")
        elif result.path_note:
            pen += f"\n{result.path_note}"
        text = (f"{yours}\nMNIST test {_percent(tuned.mnist_before)} → {_percent(acc)}{pen}\n"
                f"tuned {result.base_name or 'the model'} on {tuned.trained_on} samples of "
                "yours")
        done = (stopped + "the partly tuned model" if result.cancelled
                else f"Fine-tuned in {duration}; the tuned model")
        return text, done
    verdict = overfitting_verdict(test_losses, result.train_accuracy, acc,
                                  complete=not result.cancelled)
    pen_acc = result.pen_accuracy
    headline = f"MNIST test {acc:.1%}" + (
        f" · real handwriting {pen_acc:.1%}" if math.isfinite(pen_acc) else "")
    if result.reads_paths:  # its test split is the pen test, read from the strokes' path
        headline = f"pen test {acc:.1%} (the pen path alone; read beside the picture)"
    text = (f"{headline}\ntest_acc: {acc:.4f} · train acc {result.train_accuracy:.4f} "
            f"(running mean over the last epoch)\n{verdict}")
    made = "pen-path network" if result.reads_paths else "model"
    done = (stopped + f"the partly trained {made}" if result.cancelled
            else f"Finished in {duration}; the new {made}")
    return text, done


def epoch_summary(epoch: int, epochs: int, logs: dict[str, float], test_name: str) -> str:
    """The status line after an epoch: its loss and accuracy, and each yardstick it has."""
    pen = (f", real handwriting {logs['pen_accuracy']:.1%}" if "pen_accuracy" in logs else "")
    if math.isfinite(logs.get("yours_accuracy", math.nan)):
        pen += f", your handwriting {logs['yours_accuracy']:.1%}"
    return (f"Epoch {epoch + 1}/{epochs}: loss {logs['loss']:.4f}, accuracy "
            f"{logs['accuracy']:.4f}, {test_name} {logs['val_accuracy']:.1%}{pen}")


def stopped_summary(result: RunResult, where: str) -> str:
    """The status line of a stopped run whose model was not kept: how far it got, and that
    the previous model still reads (with the offer to keep this one, when it has weights)."""
    if result.stopped is None:
        return (f"Stopped after {result.epochs_completed} full epoch(s); the previous model "
                "is still in use.")
    pen = (f", real handwriting {result.pen_accuracy:.1%}"
           if math.isfinite(result.pen_accuracy) else "")
    return (f"Stopped at {where} (MNIST test {result.test_accuracy:.1%}{pen}). The previous "
            "model is still in use; Keep what was trained reads with this one instead (the "
            "next run drops it).")


def failure_message(error: Exception) -> str:
    """A failed run in words: a known error's own message, else its type and text."""
    if isinstance(error, KNOWN_ERRORS) and str(error):
        message = str(error)
    else:
        message = f"Training failed: {type(error).__name__}: {error}"
    return f"{message}\nThe previous model is still in use."


def finetune_summary(tune: FinetuneRequest) -> str:
    """What a fine-tune runs with, shown in place of the form (whose settings it ignores)."""
    c = tune.config
    return (f"Fine-tuning {tune.base_name} · {c.epochs} epochs · batch {c.batch_size} · "
            f"{c.optimizer} {c.learning_rate:g} · each sample of yours ×{c.variants}, "
            f"mixed with {c.mnist_digits:,} MNIST digits")
