"""``digitpad finetune SAMPLES_FILE --out MODEL``: tune a model on exported samples.

The same function as the app's *Fine-tune on my handwriting* (:func:`digitpad.finetune.
finetune`): a share of each digit's samples is held out and measured before and after, and
MNIST test after. Unless ``--read-with picture`` (or the window's choice) says otherwise, the
pen-path network is tuned on the same samples too, saved beside the trained models and named
in MODEL's metadata (the window reads MODEL with it), and the combined reading is measured.
One figure a line, for scripts::

    yours before: 0.9012
    yours after: 0.9870
    mnist after: 0.9801
    both before: 0.9500
    both after: 0.9900

Exit status: 0 done, 1 the fine-tune failed, 2 an input (samples, model, MNIST) is unusable.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

from digitpad.paths import printable_path


def _figure(value: float) -> str:
    return f"{value:.4f}" if math.isfinite(value) else "n/a"


def run_finetune(samples_file: Path, out: Path, model_path: Path | None = None,
                 data_path: Path | None = None, epochs: int | None = None,
                 read_with: str | None = None) -> int:
    from digitpad.finetune import (
        FinetuneConfig,
        finetune,
        finetune_metadata,
        holdout_split,
        sample_probabilities,
        save_tuned_path,
        tune_path_file,
    )
    from digitpad.inference import predictor_for_model
    from digitpad.mnist import MnistError, load_mnist
    from digitpad.model_file import ModelFileError, load_model, save_model
    from digitpad.paths import asset_path
    from digitpad.pen import PenDataError
    from digitpad.samples import SampleError, read_export
    from digitpad.session import PEN_PATH_MODEL, model_for_command
    from digitpad.session import read_with as window_choice
    from digitpad.training import TrainingError

    try:
        samples = read_export(samples_file)
        if not samples:
            raise SampleError(f"{printable_path(samples_file)}: holds no samples")
        active, _warnings = model_for_command(model_path)
        model = load_model(active.path)
        mnist = load_mnist(data_path)
    except (SampleError, ModelFileError, MnistError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    config = FinetuneConfig(validate_each_epoch=False)
    if epochs is not None:
        config = FinetuneConfig(epochs=epochs, validate_each_epoch=False)
    print(f"tuning {active.describe()} on {len(samples)} samples "
          f"({printable_path(samples_file)})", file=sys.stderr)
    learn, keep = holdout_split([s.label for s in samples], config.holdout_share, config.seed)
    learned, held = [samples[i] for i in learn], [samples[i] for i in keep]
    picture_before = sample_probabilities(active.predictor, held)
    both = None
    try:
        result = finetune(model, learned, mnist, config, held_out=held)
        metadata = finetune_metadata(model, config, result, active.describe())
        if (read_with or window_choice()) == "both":
            try:
                tuned_path, path_model = tune_path_file(
                    asset_path(PEN_PATH_MODEL), learned, held, config,
                    picture_before=picture_before,
                    picture_after=sample_probabilities(predictor_for_model(model), held))
                metadata["pen_path_model"] = save_tuned_path(path_model, PEN_PATH_MODEL).name
                both = tuned_path
            except (PenDataError, ModelFileError, OSError) as exc:
                print(f"note: the pen-path network was not tuned: {exc}", file=sys.stderr)
        save_model(model, out, metadata)
    except (TrainingError, ModelFileError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if result.held_out == 0:
        print("note: too few samples per digit to hold some out; 'yours' is not measured",
              file=sys.stderr)
    print(f"yours before: {_figure(result.yours_before)}")
    print(f"yours after: {_figure(result.yours_after)}")
    print(f"mnist after: {_figure(result.mnist_after)}")
    if both is not None:
        print(f"both before: {_figure(both.both_before)}")
        print(f"both after: {_figure(both.both_after)}")
    print(f"saved {printable_path(out)} (learned from {result.trained_on} samples, "
          f"{result.held_out} held out; MNIST test before {result.mnist_before:.4f})",
          file=sys.stderr)
    return 0
