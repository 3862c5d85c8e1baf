"""Runs are experiments: what becomes of the model a finished run saved (plain Python).

A learner who trains wants to see that network read, so the new model is read with at once.
It becomes the choice for the next launch only if it reads real handwriting at least as well
as the model it replaced, both measured on the same digits by the run; otherwise it is on
*trial*: in use now, with both models' figures side by side, *Keep it* and *Back* one click
away. A run far below the model in use on MNIST (a diverged run stuck at chance) is not
used at all, only listed, nor is a run that reads its test digits hardly better than
chance. A fine-tune is judged against its own start.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from digitpad.training_run import RunResult

FAR_BELOW = 0.05  # on MNIST test: more than 5 points below the model in use is not used
NEAR_CHANCE = 0.2  # a run reading fewer of its test digits has not learned (chance: 0.1)

Kind = Literal["adopt", "trial", "reject"]


@dataclass(frozen=True)
class Adoption:
    kind: Kind  # adopt: used and remembered; trial: used, not remembered; reject: listed only
    text: str  # for the user: both models' figures, and what happened


def _percent(value: float) -> str:
    return f"{value:.1%}" if math.isfinite(value) else "not measured"


def figures(mnist: float, pen: float) -> str:
    return f"MNIST {_percent(mnist)} · real handwriting {_percent(pen)}"


def judge(result: RunResult) -> Adoption:
    """The one rule for a run that saved a model (see the module doc)."""
    if result.finetune is not None:
        before, after = result.finetune.mnist_before, result.test_accuracy
        if math.isfinite(before) and after < before - FAR_BELOW:
            return Adoption("reject", f"The tuned model reads MNIST test at {after:.1%}, far "
                            f"below where it started ({before:.1%}), so it was not put in "
                            "use. It is kept in the Model list.")
        return Adoption("adopt", "")
    new = figures(result.test_accuracy, result.pen_accuracy)
    old = figures(result.before_test_accuracy, result.before_pen_accuracy)
    if not result.test_accuracy >= NEAR_CHANCE:  # NaN included
        return Adoption("reject", f"This run reads {_percent(result.test_accuracy)} of the "
                        "test digits, hardly better than chance: it has not learned (a "
                        "diverged run, say), so it was not put in use. It is kept in the "
                        "Model list.")
    if math.isfinite(result.before_test_accuracy) and \
            result.test_accuracy < result.before_test_accuracy - FAR_BELOW:
        return Adoption("reject", f"This run ({new}) is far below the model in use ({old}) "
                        "on the same digits, so it was not put in use. It is kept in the "
                        "Model list: pick it there to use it anyway.")
    pen, pen_before = result.pen_accuracy, result.before_pen_accuracy
    if not math.isfinite(pen_before) or (math.isfinite(pen) and pen >= pen_before):
        return Adoption("adopt", f"This run: {new}; the model before: {old}. It reads real "
                        "handwriting as well or better, so it is the model from now on.")
    return Adoption("trial", f"This run: {new}; the model before: {old}. In use now; the "
                    "next launch goes back to the model before unless you keep it.")


def judge_path(result: RunResult) -> Adoption:
    """The same rule for a pen-path run, read beside the picture model: its pen test accuracy
    (the path alone) against the pen-path network in use, on the same paths."""
    new, old = _percent(result.test_accuracy), _percent(result.before_test_accuracy)
    if not result.test_accuracy >= NEAR_CHANCE:
        return Adoption("reject", f"This pen-path run reads {new} of the pen test, hardly "
                        "better than chance, so it is not read with. Its file is kept in the "
                        "pen-path folder.")
    if not math.isfinite(result.before_test_accuracy) or \
            result.test_accuracy >= result.before_test_accuracy:
        return Adoption("adopt", f"This pen-path run reads {new} of the pen test alone; the "
                        f"one before {old}. It reads beside the picture from now on.")
    return Adoption("trial", f"This pen-path run: pen test {new} alone; the one before: "
                    f"{old}. Read with now; the next launch goes back to the one before "
                    "unless you keep it.")
