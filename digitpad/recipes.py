"""The recipes: every setting of a run, one click away in the panel (*Recipe*) and in
``train_model.py --preset`` (plain Python). A recipe is a seeded :class:`TrainConfig`."""

from __future__ import annotations

import math

from digitpad.training import TrainConfig

# The recipes (the panel's Recipe choice, ``train_model.py --preset``, the benches): the book's
# ch. 2 run, its ch. 8 convnet run, the bundled default convnet chosen by bench/bench_pen.py,
# and a fast one chosen by bench/bench_recipes.py.
RECIPES = {
    "book": TrainConfig(seed=1),
    "book-convnet": TrainConfig(epochs=5, batch_size=64, seed=1, architecture="convnet"),
    "convnet": TrainConfig(epochs=15, seed=1, architecture="convnet", data="mnist+pen",
                           augment=True, lr_decay=True, average_weights=True),
    # Real handwriting in about two minutes: a narrower convnet with batch normalisation and
    # a Dense head, Adam with a decaying rate, 6 epochs of plain (unaugmented) digits: in a
    # few epochs augmentation costs ~40% more time an epoch and reads real handwriting
    # worse (0.973 after 4 augmented epochs, 0.980 after 6 plain ones in issue 22's trials).
    "fast": TrainConfig(epochs=6, batch_size=256, seed=1, optimizer="adam", learning_rate=2e-3,
                        architecture="custom",
                        layers="conv16,pool,conv32,bn,pool,flatten,drop0.4,dense128",
                        data="mnist+pen", lr_decay=True, redraw=False),
    # The pen-path network beside the picture one (bench/bench_pen_path.py measures it).
    "pen-path": TrainConfig(epochs=36, seed=1, optimizer="adam", learning_rate=2e-3,
                            architecture="pen-path", data="pen", augment=True, lr_decay=True),
}


RECIPE_NAMES = {"book": "The book", "book-convnet": "The book's convnet",
                "convnet": "Best for real handwriting", "fast": "Fast",
                "pen-path": "Pen path (reads the strokes)"}
PICTURE_RECIPES = ("book", "book-convnet", "convnet", "fast")
# What the panel compares to tell a recipe from a custom choice (the seed is not a setting).
_SETTINGS = ("epochs", "batch_size", "optimizer", "architecture", "data", "augment",
             "lr_decay", "average_weights")


def recipe_of(config: TrainConfig) -> str | None:
    """The key of the picture recipe ``config`` is (seed aside), or None for a custom one."""
    from digitpad.networks import DEFAULT_LEARNING_RATES

    def rate(c: TrainConfig) -> float:
        return c.learning_rate or DEFAULT_LEARNING_RATES[c.optimizer]

    for key in RECIPE_NAMES:
        recipe = RECIPES[key]
        if all(getattr(config, name) == getattr(recipe, name) for name in _SETTINGS) and \
                math.isclose(rate(config), rate(recipe), rel_tol=1e-6) and \
                (config.architecture != "custom" or config.layers == recipe.layers) and \
                (not config.augment or config.reads_paths or config.redraw == recipe.redraw):
            return key
    return None
