"""Command line: ``digitpad`` opens the window, ``digitpad classify IMAGE...`` prints digits
(or numbers), ``digitpad finetune SAMPLES_FILE --out MODEL`` tunes a model to your writing,
``digitpad evaluate`` prints a model's accuracy and confusion matrix.

Only argparse runs before a subcommand is chosen, so ``--help`` and ``--version`` answer at
once without importing Qt or TensorFlow.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from digitpad import __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="digitpad",
        description="Draw a digit and watch a Keras network classify it live; retrain it "
        "with live loss/accuracy curves.",
    )
    parser.add_argument("--version", action="version", version=f"digitpad {__version__}")
    parser.add_argument("--model", type=Path, default=None,
                        help="a .keras model to use instead of the last trained or bundled one")
    parser.add_argument("--data", type=Path, default=None,
                        help="path to mnist.npz for training (default: $DIGITPAD_MNIST)")
    sub = parser.add_subparsers(dest="command")
    classify = sub.add_parser("classify", help="read the digit or number in image files "
                              "(PNG/JPEG/BMP)")
    classify.add_argument("images", nargs="+", type=Path, metavar="IMAGE")
    classify.add_argument("--json", action="store_true", help="print a JSON list")
    classify.add_argument("--single", action="store_true",
                          help="read each picture as one digit (do not split it into digits)")
    classify.add_argument("--model", type=Path, default=argparse.SUPPRESS,
                          help="a .keras model to use")
    finetune = sub.add_parser("finetune", help="fine-tune a model on exported samples of "
                              "your handwriting")
    finetune.add_argument("samples", type=Path, metavar="SAMPLES_FILE",
                          help="samples exported from the app (Edit ▸ Your samples… ▸ Export…)")
    finetune.add_argument("--out", type=Path, required=True, metavar="MODEL",
                          help="where to write the tuned .keras model")
    finetune.add_argument("--model", type=Path, default=argparse.SUPPRESS,
                          help="the model to start from (default: the one in use)")
    finetune.add_argument("--data", type=Path, default=argparse.SUPPRESS,
                          help="mnist.npz (default: $DIGITPAD_MNIST, the user dir)")
    finetune.add_argument("--epochs", type=_positive_int, default=None, metavar="N",
                          help="epochs of tuning, at least 1 (default: 3)")
    finetune.add_argument("--read-with", choices=["both", "picture"], default=None,
                          help="both: tune the pen-path network on the same samples too "
                          "(default: the window's choice)")
    evaluate = sub.add_parser("evaluate", help="accuracy, per-class accuracy and confusion "
                              "matrix of the model in use on a test set")
    evaluate.add_argument("--model", type=Path, default=argparse.SUPPRESS,
                          help="the model to evaluate (default: the one in use)")
    evaluate.add_argument("--data", dest="dataset", choices=["mnist", "pen"], default="mnist",
                          help="MNIST test (default) or the pen test split (real handwriting)")
    evaluate.add_argument("--mnist", type=Path, default=None,
                          help="mnist.npz (default: $DIGITPAD_MNIST, the user dir)")
    evaluate.add_argument("--read-with", choices=["both", "picture"], default=None,
                          help="pen digits: the picture and the pen-path networks together, "
                          "or the picture alone (default: the window's choice)")
    evaluate.add_argument("--json", action="store_true", help="print JSON")
    return parser


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not at least 1")
    return value


def _as_a_command(run) -> int:
    """Run a subcommand like a good Unix tool: Ctrl+C ends it with 130 and one line, a
    closed pipe (``| head -1``) quietly, never with a traceback."""
    try:
        return run()
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # Python's own flush at exit then succeeds
        return 1


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command in ("classify", "evaluate", "finetune"):
        return _as_a_command(lambda: _subcommand(args))
    from digitpad._qt.app import run_app

    return run_app(model_path=args.model, data_path=args.data)


def _subcommand(args: argparse.Namespace) -> int:
    if args.command == "classify":
        from digitpad.cli_classify import run_classify

        return run_classify(args.images, model_path=args.model, as_json=args.json,
                            single=args.single)
    if args.command == "evaluate":
        from digitpad.cli_evaluate import run_evaluate

        return run_evaluate(args.model, args.dataset, args.mnist, args.json, args.read_with)
    from digitpad.cli_finetune import run_finetune

    return run_finetune(args.samples, args.out, model_path=args.model,
                        data_path=args.data, epochs=args.epochs, read_with=args.read_with)


if __name__ == "__main__":
    sys.exit(main())
