"""``digitpad evaluate [--model M] [--data mnist|pen] [--read-with both|picture] [--json]``:
how well a model reads a test set: accuracy, per-class accuracy and the confusion matrix
(rows the true digit, columns the predicted one), the numbers the evaluation view shows.

Pen digits have strokes, so on ``--data pen`` they are read as the canvas reads them: by the
picture network and the pen-path network together (unless ``--read-with picture`` or the
window's choice says otherwise); each view's own accuracy is reported beside the combined
one, whose per-class accuracy and confusion matrix follow. MNIST is pictures: picture only.

Exit status: 0 done, 2 the model or the data is unusable.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def _views(dataset: str, read_with: str | None, active, images, labels):
    """Each view's report on pen digits read with both networks, or None (picture only)."""
    from digitpad.pen import load_pen_images
    from digitpad.session import load_path_predictor
    from digitpad.session import read_with as window_choice
    from digitpad.training import prepare_inputs
    from digitpad.training_data import pen_paths
    from digitpad.two_views import evaluate_both

    if dataset != "pen" or (read_with or window_choice()) != "both":
        return None, None
    path_predictor, problem = load_path_predictor()
    if path_predictor is None:
        return None, problem
    paths = prepare_inputs(pen_paths(load_pen_images(), "test")[0])
    return evaluate_both(active.predictor, path_predictor, images, paths, labels), None


def run_evaluate(model_path: Path | None = None, dataset: str = "mnist",
                 mnist_path: Path | None = None, as_json: bool = False,
                 read_with: str | None = None) -> int:
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
    try:
        views, problem = _views(dataset, read_with, active, images, labels)
    except (PenDataError, OSError) as exc:
        views, problem = None, f"the pen paths could not be read ({exc}); picture only"
    report = views["combined"] if views else evaluate(active.predictor, images, labels)
    if problem:
        print(f"warning: {problem}", file=sys.stderr)
    if as_json:
        result = {
            "model": printable_path(active.path), "data": dataset, "n": int(len(labels)),
            "read_with": "both" if views else "picture",
            "accuracy": round(report.accuracy, 6),
            "per_class": [round(a, 6) for a in report.per_class],
            "confusion": report.confusion.tolist()}
        if views:
            result["views"] = {name: {"accuracy": round(r.accuracy, 6),
                                      "per_class": [round(a, 6) for a in r.per_class]}
                               for name, r in views.items()}
        print(json.dumps(result, indent=2))
        return 0
    print(f"model: {active.describe()} ({active.path})")
    print(f"data: {TEST_SETS[dataset]}, {len(labels)} digits")
    if views:
        print("read with: picture + pen path · " + " · ".join(
            f"{name} {r.accuracy:.4f}" for name, r in views.items()))
    print(f"accuracy: {report.accuracy:.4f}")
    print("per class: " + "  ".join(f"{d}: {a:.4f}" for d, a in enumerate(report.per_class)))
    print("confusion (rows: true digit, columns: predicted):")
    print("     " + "".join(f"{d:>6}" for d in range(10)))
    for d, row in enumerate(report.confusion):
        print(f"{d:>4} " + "".join(f"{n:>6}" for n in row))
    mistakes = ", ".join(f"{t} read as {p}: {n}" for t, p, n in report.top_confusions(5))
    print(f"most common mistakes: {mistakes or 'none'}")
    return 0
