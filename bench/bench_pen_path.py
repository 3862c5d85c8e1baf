#!/usr/bin/env python
"""Two views of real pen digits: the picture network, the pen-path network, and both combined.

Reads the pen ``test`` split (sites never trained on) through the canvas path: each digit's
strokes rendered by ``strokes_to_mnist`` for the picture network (the bundled default convnet)
and resampled by ``pen_path`` for the pen-path network (assets/model-pen-path.keras). Prints
accuracy overall, per class, per site and for the worst writer, the top confusions, and the
time from strokes to probabilities for one digit.

``--choose-weight`` picks the combination's weight on the ``train`` split only: both recipes
(the default convnet's and the pen path's) are trained without a fifth of the train sites
(whole sites, as test sites are unseen; ~10 minutes), and both networks read that fifth.
``--choose-rule`` does it five times, each fifth of the sites left out once (~45 minutes),
and judges combination rules on all 11,498 digits so read: a rule's free numbers are
fitted on four fifths' readings and judged on the fifth; then the class bias is fitted on
all of them.

    python bench/bench_pen_path.py [--pen-file ../shared/data/unipen-digits.npz]
    python bench/bench_pen_path.py --choose-weight
    python bench/bench_pen_path.py --choose-rule [--epochs 1 for a quick trial]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from digitpad.inference import load_predictor, predictor_for_model
from digitpad.networks import build_model
from digitpad.paths import asset_path
from digitpad.pen import load_pen_images, read_pen_strokes
from digitpad.pen_path import paths_of
from digitpad.recipes import RECIPES
from digitpad.training import prepare_inputs, train
from digitpad.training_data import pen_paths
from digitpad.two_views import PATH_WEIGHT, TwoViewReader, combine, evaluate_both

PEN_FILE = Path(__file__).resolve().parents[2] / "shared" / "data" / "unipen-digits.npz"
WEIGHTS = (0.0, 0.3, 0.5, 0.7, 1.0, 1.5)


def without_rows(pen, out_all: np.ndarray):
    """The pen digits with the rows ``out_all`` moved out of the train split (to "held")."""
    from dataclasses import replace

    from digitpad.pen import PenImages

    split = pen.split.copy()
    split[out_all] = "held"
    return PenImages(pen.images, pen.label, pen.site, split, replace(pen.strokes, split=split))


def train_picture(without, mnist, epochs: int | None = None):
    """The default convnet's recipe trained on MNIST and the pen digits of ``without``."""
    from dataclasses import replace

    from digitpad.training_data import assemble

    recipe = replace(RECIPES["convnet"], epochs=epochs or RECIPES["convnet"].epochs)
    model = build_model(recipe.architecture, recipe.optimizer, recipe.learning_rate,
                        seed=recipe.seed)
    data = assemble(mnist, "mnist+pen", without)
    train(model, data.train, data.test, recipe, monitors=data.monitors,
          alternates=data.alternates())
    return model


def train_path(train_set: tuple[np.ndarray, np.ndarray], test_set: tuple[np.ndarray, np.ndarray],
               epochs: int | None = None):
    """The pen-path recipe trained on ``train_set`` (paths, labels)."""
    from dataclasses import replace

    config = replace(RECIPES["pen-path"], epochs=epochs or RECIPES["pen-path"].epochs)
    model = build_model(config.architecture, config.optimizer, config.learning_rate,
                        seed=config.seed)
    train(model, train_set, test_set, config)
    return model


def choose_weight(pen, pen_file: Path, epochs: int | None = None) -> None:
    """Train both recipes without a fifth of the train sites (the picture network too, so
    neither has seen them: a picture network that trained on them is overconfident there),
    then read that fifth both ways at each weight: accuracy, per-writer mean, worst writer and
    how many writers read worse than with the picture alone."""
    from digitpad.mnist import load_mnist
    from digitpad.pen import PenImages

    train_sites = sorted(set(pen.sites("train")))
    held = set(np.random.default_rng(0).permutation(train_sites)[:max(1, len(train_sites) // 5)])
    out_all = (pen.split == "train") & np.isin(pen.site, list(held))
    print(f"held-out train sites: {sorted(held)} ({out_all.sum()} digits)", flush=True)
    without = without_rows(pen, out_all)
    picture_model = train_picture(without, load_mnist(), epochs)
    labels = pen.label[out_all]
    seen = predictor_for_model(picture_model)(pen.images[out_all] / np.float32(255))
    paths, path_labels = pen_paths(without, "train")
    test_paths = pen_paths(pen, "test")
    path_model = train_path((paths, path_labels), test_paths, epochs)
    held_paths = pen_paths(PenImages(pen.images, pen.label, pen.site,
                                     np.where(out_all, "train", "test"), pen.strokes), "train")
    along = predictor_for_model(path_model)(prepare_inputs(held_paths[0]))
    writers = np.full(len(labels), "?")
    if pen_file.is_file():
        writers = read_pen_strokes(pen_file).writer[out_all]
    alone = seen.argmax(1) == labels
    print(f"picture alone {alone.mean():.4f}, path alone "
          f"{np.mean(along.argmax(1) == labels):.4f}")
    for weight in WEIGHTS:
        right = combine(seen, along, weight, bias=None).argmax(1) == labels
        per = {w: right[writers == w].mean() for w in np.unique(writers)}
        hurt = sum(per[w] < alone[writers == w].mean() for w in per)
        print(f"  weight {weight}: combined {right.mean():.4f} ({int((~right).sum())} "
              f"errors), per-writer mean {np.mean(list(per.values())):.4f}, worst writer "
              f"{min(per.values()):.3f}, writers read worse {hurt}")


def out_of_fold(pen, epochs: int | None,
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Both recipes' readings of every train digit by networks that never saw its site:
    (picture probabilities, path probabilities, labels, fold of each digit)."""
    from digitpad.mnist import load_mnist

    train_rows = np.flatnonzero(pen.split == "train")
    sites = sorted(set(pen.site[train_rows]))
    folds = np.array_split(np.random.default_rng(0).permutation(sites), 5)
    fold = np.zeros(len(train_rows), dtype=int)
    seen = np.zeros((len(train_rows), 10))
    along = np.zeros((len(train_rows), 10))
    mnist = load_mnist()
    paths, labels = pen_paths(pen, "train")
    for f, held in enumerate(folds):
        out = np.isin(pen.site[train_rows], held)
        fold[out] = f
        out_all = np.zeros(len(pen.split), dtype=bool)
        out_all[train_rows[out]] = True
        model = train_picture(without_rows(pen, out_all), mnist, epochs)
        seen[out] = predictor_for_model(model)(pen.images[train_rows[out]] / np.float32(255))
        path_model = train_path((paths[~out], labels[~out]), (paths[out], labels[out]), epochs)
        along[out] = predictor_for_model(path_model)(prepare_inputs(paths[out]))
        print(f"fold {f} {sorted(map(str, held))}: {out.sum()} digits, picture "
              f"{int((seen[out].argmax(1) != labels[out]).sum())} mistakes, path "
              f"{int((along[out].argmax(1) != labels[out]).sum())}", flush=True)
    return seen, along, labels, fold


def fit_bias(picture: np.ndarray, path: np.ndarray, labels: np.ndarray, weight: float,
             ) -> np.ndarray:
    """The class bias (mean 0) under which the combined readings are most likely (log loss,
    a little L2)."""
    from scipy.optimize import minimize

    base = np.log(np.clip(picture, 1e-12, 1)) + weight * np.log(np.clip(path, 1e-12, 1))

    def loss(bias: np.ndarray) -> float:
        z = base + bias
        z = z - z.max(axis=1, keepdims=True)
        picked = z[np.arange(len(labels)), labels]
        return float(np.mean(np.log(np.exp(z).sum(axis=1)) - picked) + 1e-3 * bias @ bias)

    bias = minimize(loss, np.zeros(10), method="L-BFGS-B").x
    return bias - bias.mean()


def choose_rule(pen, epochs: int | None) -> None:
    """Combination rules judged on out-of-fold readings of the train sites."""
    seen, along, labels, fold = out_of_fold(pen, epochs)
    print(f"picture alone {int((seen.argmax(1) != labels).sum())} mistakes, path alone "
          f"{int((along.argmax(1) != labels).sum())} (of {len(labels)})")
    for weight in (0.5, 0.7, 1.0, 1.5):
        plain = int((combine(seen, along, weight, bias=None).argmax(1) != labels).sum())
        biased = 0
        for f in range(5):
            rest, here = fold != f, fold == f
            bias = fit_bias(seen[rest], along[rest], labels[rest], weight)
            biased += int((combine(seen[here], along[here], weight, bias).argmax(1)
                           != labels[here]).sum())
        print(f"  weight {weight}: {plain} mistakes; with a class bias fitted on the other "
              f"fifths {biased}")
    print(f"class bias at weight {PATH_WEIGHT}, fitted on all:",
          np.round(fit_bias(seen, along, labels, PATH_WEIGHT), 2).tolist())


def draw_mistakes(out: Path, drawings: list, labels: np.ndarray, picture: np.ndarray,
                  path: np.ndarray, combined: np.ndarray, columns: int = 9) -> None:
    """Every digit the combined reading gets wrong, as written (each stroke's start ringed),
    under it "label>combined p<picture> q<path>": what is left to read, and what is not a
    reading's fault (a digit labelled 1 that is written as a 2)."""
    from PIL import Image, ImageDraw

    from digitpad.preprocess import render_strokes

    tiles = []
    for k in np.flatnonzero(combined.argmax(1) != labels):
        points = np.concatenate(drawings[k])
        low, scale = points.min(axis=0), 100 / max(float(np.ptp(points, axis=0).max()), 1e-9)
        placed = [(s - low) * scale + 10 for s in drawings[k]]
        ink = render_strokes(placed, (132, 120), 3.0)
        tile = Image.fromarray((255 - 255 * ink).astype(np.uint8)).convert("RGB")
        pen = ImageDraw.Draw(tile)
        for stroke in placed:
            x, y = stroke[0]
            pen.ellipse([x - 3, y - 3, x + 3, y + 3], outline=(0, 110, 230))
        pen.text((3, 119), f"{labels[k]}>{combined[k].argmax()} p{picture[k].argmax()} "
                           f"q{path[k].argmax()}", fill=(200, 0, 0))
        tiles.append(np.asarray(tile))
    if not tiles:
        return
    count = len(tiles)
    tiles += [np.full_like(tiles[0], 255)] * (-len(tiles) % columns)
    rows = [np.hstack(tiles[i:i + columns]) for i in range(0, len(tiles), columns)]
    Image.fromarray(np.vstack(rows)).save(out)
    print(f"{count} mistakes drawn into {out}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pen-file", type=Path, default=PEN_FILE,
                        help="the stroke file, for writer ids (else per site only)")
    parser.add_argument("--choose-weight", action="store_true")
    parser.add_argument("--choose-rule", action="store_true")
    parser.add_argument("--epochs", type=int, default=None,
                        help="--choose-weight/--choose-rule: each network trains this many "
                             "epochs (a trial)")
    parser.add_argument("--weight", type=float, default=PATH_WEIGHT)
    parser.add_argument("--rounds", type=int, default=5, help="timing rounds (best reported)")
    parser.add_argument("--mistakes", type=Path, default=None,
                        help="draw every digit the combined reading gets wrong into this PNG")
    args = parser.parse_args()
    pen = load_pen_images()
    picture = load_predictor(asset_path("model-convnet.keras"))
    if args.choose_weight:
        choose_weight(pen, args.pen_file, args.epochs)
        return
    if args.choose_rule:
        choose_rule(pen, args.epochs)
        return
    path = load_predictor(asset_path("model-pen-path.keras"))
    images, labels = pen.part("test")
    paths = prepare_inputs(pen_paths(pen, "test")[0])
    sites = pen.sites("test")
    reports = evaluate_both(picture, path, images, paths, labels, sites, args.weight)
    probs = {"picture": picture(images / np.float32(255)), "path": path(paths)}
    probs["combined"] = combine(probs["picture"], probs["path"], args.weight)
    writers = None
    if args.pen_file.is_file():
        strokes = read_pen_strokes(args.pen_file)
        writers = strokes.writer[strokes.split == "test"]
    print(f"pen test: {len(labels)} digits, weight {args.weight}")
    print("| reading | pen test | " + " | ".join(sorted(reports["picture"].per_group))
          + " | worst writer |")
    print("|---|---:|" + "---:|" * (len(reports["picture"].per_group) + 1))
    for name, report in reports.items():
        worst = "-"
        if writers is not None:
            right = probs[name].argmax(1) == labels
            scores = {w: right[writers == w].mean() for w in np.unique(writers)}
            low = min(scores, key=scores.get)
            worst = f"{low}: {scores[low]:.3f} ({(writers == low).sum()})"
        print(f"| {name} | {report.accuracy:.4f} | " + " | ".join(
            f"{report.per_group[s]:.4f}" for s in sorted(report.per_group)) + f" | {worst} |")
    for name, report in reports.items():
        print(f"  {name}, per class: " + "  ".join(
            f"{d}:{a:.3f}" for d, a in enumerate(report.per_class)))
        print(f"  {name}, top confusions (true->read): " + ", ".join(
            f"{t}->{p}: {n}" for t, p, n in report.top_confusions()))
    reader = TwoViewReader(picture, path, args.weight)
    drawings = pen.stroke_lists("test")[:300]
    # Rounds alternate the two readings: on a shared machine one round's median moves by
    # up to 1.7x, so the best round (as timeit reports) and the range are printed.
    rounds: dict[str, list[tuple[float, float]]] = {"picture only": [], "both": []}
    for _ in range(args.rounds):
        for label, chosen in (("picture only", TwoViewReader(picture)), ("both", reader)):
            times = []
            for strokes in drawings:
                start = time.perf_counter()
                chosen.read(strokes)
                times.append(time.perf_counter() - start)
            rounds[label].append((np.median(times) * 1000, np.percentile(times, 95) * 1000))
    for label, medians in rounds.items():
        best = min(medians)
        print(f"strokes -> probabilities, {label}: median {best[0]:.2f} ms, 95th percentile "
              f"{best[1]:.2f} ms a digit (best of {len(medians)} rounds of "
              f"{len(drawings)}; round medians {min(m for m, _ in medians):.2f}–"
              f"{max(m for m, _ in medians):.2f} ms)")
    if args.mistakes is not None:
        draw_mistakes(args.mistakes, pen.stroke_lists("test"), labels, probs["picture"],
                      probs["path"], probs["combined"])
    start = time.perf_counter()
    paths_of(pen.stroke_lists("test"))
    print(f"paths of {len(labels)} digits: {time.perf_counter() - start:.2f} s")


if __name__ == "__main__":
    main()
