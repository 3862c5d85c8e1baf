"""Command line: ``digitpad`` opens the window, ``digitpad classify IMAGE...`` prints digits.

Only argparse runs before a subcommand is chosen, so ``--help`` and ``--version`` answer at
once without importing Qt or TensorFlow.
"""

from __future__ import annotations

import argparse
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
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "classify":
        from digitpad.cli_classify import run_classify

        return run_classify(args.images, model_path=args.model, as_json=args.json,
                            single=args.single)
    from digitpad._qt.app import run_app

    return run_app(model_path=args.model, data_path=args.data)


if __name__ == "__main__":
    sys.exit(main())
