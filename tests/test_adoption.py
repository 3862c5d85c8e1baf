"""Runs are experiments: the one rule for what becomes of a run's model."""

from __future__ import annotations

import math

from digitpad.adoption import judge
from digitpad.finetune import FinetuneResult
from digitpad.training import TrainConfig, TrainResult
from digitpad.training_run import RunResult


def run(mnist: float, pen: float, mnist_before: float = 0.99,
        pen_before: float = 0.98) -> RunResult:
    return RunResult(TrainConfig(), test_accuracy=mnist, pen_accuracy=pen,
                     before_test_accuracy=mnist_before, before_pen_accuracy=pen_before)


def test_a_run_reading_real_handwriting_as_well_or_better_is_the_model_from_now_on():
    assert judge(run(0.99, 0.98)).kind == "adopt"
    assert judge(run(0.985, 0.985)).kind == "adopt"  # MNIST a little lower: pen decides


def test_a_worse_run_is_only_on_trial_with_both_models_figures():
    decision = judge(run(0.971, 0.873))
    assert decision.kind == "trial"
    assert "97.1%" in decision.text and "87.3%" in decision.text  # this run
    assert "99.0%" in decision.text and "98.0%" in decision.text  # the model before


def test_a_run_far_below_on_mnist_is_not_used():
    assert judge(run(0.12, 0.10)).kind == "reject"


def test_without_figures_of_the_model_before_the_run_is_used():
    assert judge(run(0.98, 0.90, math.nan, math.nan)).kind == "adopt"


def test_a_finetune_is_judged_against_its_own_start():
    trained = TrainResult({}, 0.1, 0.97, 3, False, 1.0)
    tuned = FinetuneResult(0.8, 0.95, 0.98, 0.97, 20, 5, trained)
    result = RunResult(TrainConfig(), test_accuracy=0.97, finetune=tuned)
    assert judge(result).kind == "adopt"
    collapsed = FinetuneResult(0.8, 0.3, 0.98, 0.20, 20, 5, trained)
    assert judge(RunResult(TrainConfig(), test_accuracy=0.20, finetune=collapsed)).kind == \
        "reject"


def test_a_run_at_chance_is_not_used_whatever_the_model_before_reads():
    assert judge(run(0.11, 0.10, mnist_before=0.10, pen_before=0.98)).kind == "reject"
    assert judge(run(math.nan, math.nan)).kind == "reject"
