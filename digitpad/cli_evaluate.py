"""``digitpad evaluate [--model M] [--data mnist|pen] [--json]``: how well a model reads a
test set: accuracy, per-class accuracy and the confusion matrix (rows the true digit,
columns the predicted one), the numbers the evaluation view shows.

Exit status: 0 done, 2 the model or the data is unusable.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def run_evaluate(model_path: Path | None = None, dataset: str = "mnist",
                 mnist_path: Path | None = None, as_json: bool = False) -> int:
    from digitpad.evaluation import evaluate
    from digitpad.mnist import MnistError
    from digitpad.model_file import ModelFileError
    from digitpad.paths import printable_path
    from digitpad.pen import PenDataError
    from digitpad.session import model_for_command
    from digitpad.training_data import TEST_SETS, load_test_set

    try:
        active, _warnings = model_for_command(model_path)
        images, labels = load_test_set(dataset, mnist_path)
    except (ModelFileError, MnistError, PenDataError, OSError) as exc:
        # The MNIST hint names the window's --data; here the test set is --data.
        print(f"error: {str(exc).replace('pass --data ', 'pass --mnist ')}", file=sys.stderr)
        return 2
    report = evaluate(active.predictor, images, labels)
    if as_json:
        print(json.dumps({
            "model": printable_path(active.path), "data": dataset, "n": int(len(labels)),
            "accuracy": round(report.accuracy, 6),
            "per_class": [round(a, 6) for a in report.per_class],
            "confusion": report.confusion.tolist()}, indent=2))
        return 0
    print(f"model: {active.describe()} ({active.path})")
    print(f"data: {TEST_SETS[dataset]}, {len(labels)} digits")
    print(f"accuracy: {report.accuracy:.4f}")
    print("per class: " + "  ".join(f"{d}: {a:.4f}" for d, a in enumerate(report.per_class)))
    print("confusion (rows: true digit, columns: predicted):")
    print("     " + "".join(f"{d:>6}" for d in range(10)))
    for d, row in enumerate(report.confusion):
        print(f"{d:>4} " + "".join(f"{n:>6}" for n in row))
    mistakes = ", ".join(f"{t} read as {p}: {n}" for t, p, n in report.top_confusions(5))
    print(f"most common mistakes: {mistakes or 'none'}")
    return 0
