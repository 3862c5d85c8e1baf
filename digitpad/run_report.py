"""What the training panel says when a run ends: the figures, and whether the model is in
use. Plain text from the worker's summary dict, so it is tested without a display."""

from __future__ import annotations

import math

from digitpad.training import overfitting_verdict


def _percent(value: float) -> str:
    return f"{value:.1%}" if math.isfinite(value) else "n/a"


def describe_run(summary: dict, test_losses: list[float], duration: str) -> tuple[str, str]:
    """(result text, start of the status line) for a run that kept a model.

    A fine-tune shows before -> after for your handwriting (the held-out samples) and MNIST
    test; a run from scratch its MNIST and real-handwriting accuracy and an overfitting
    verdict read from the test-loss curve.
    """
    cancelled = bool(summary.get("cancelled"))
    acc = summary.get("test_accuracy", math.nan)
    if summary.get("finetune"):
        held = summary.get("held_out", 0)
        yours = (f"your handwriting {_percent(summary.get('yours_before', math.nan))} → "
                 f"{_percent(summary.get('yours_after', math.nan))} ({held} held-out "
                 "samples)" if held else
                 "your handwriting: too few samples of each digit to hold some out and "
                 "measure (label 2 or more of a digit)")
        text = (f"{yours}\nMNIST test {_percent(summary.get('mnist_before', math.nan))} → "
                f"{_percent(acc)}\ntuned {summary.get('base', 'the model')} on "
                f"{summary.get('trained_on', 0)} samples of yours")
        done = (f"Stopped after {summary.get('epochs_completed', 0)} full epoch(s) in "
                f"{duration}; the partly tuned model" if cancelled
                else f"Fine-tuned in {duration}; the tuned model")
        return text, done
    train_acc = summary.get("train_accuracy", math.nan)
    verdict = overfitting_verdict(test_losses, train_acc, acc, complete=not cancelled)
    pen_acc = summary.get("pen_accuracy", math.nan)
    headline = f"MNIST test {acc:.1%}" + (
        f" · real handwriting {pen_acc:.1%}" if math.isfinite(pen_acc) else "")
    text = (f"{headline}\ntest_acc: {acc:.4f} · train acc {train_acc:.4f} (running mean over "
            f"the last epoch)\n{verdict}")
    done = (f"Stopped after {summary.get('epochs_completed', 0)} full epoch(s) in "
            f"{duration}; the partly trained model" if cancelled
            else f"Finished in {duration}; the new model")
    return text, done
