"""Paying TensorFlow's one-time start-up cost before the first Train (plain Python).

The first run of a session imports TensorFlow and Keras and traces Keras's training loop for
the first time; on a 2-core machine that holds the GIL long enough to stall the window 3-5
times for 100-500 ms right after the click. Doing it once, on a tiny model, while nobody is
using the window removes those stalls from the click (``bench/bench_first_train.py``); the
real run then only traces its own model (under 100 ms of stalls).
"""

from __future__ import annotations

import os

ENV_VAR = "DIGITPAD_PREWARM"  # "0" turns the warm-up off (it costs ~0.5 GB of memory)


def enabled() -> bool:
    return os.environ.get(ENV_VAR, "1") != "0"


def warm_tensorflow() -> None:
    """Import TensorFlow/Keras and fit, validate and evaluate a tiny model once."""
    import keras
    import numpy as np

    x = np.zeros((8, 784), dtype="float32")
    y = np.eye(10, dtype="float32")[np.zeros(8, dtype=int)]
    model = keras.Sequential([keras.Input((784,)), keras.layers.Dense(8, activation="relu"),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, batch_size=8, epochs=1, verbose=0, validation_data=(x, y))
    model.evaluate(x, y, verbose=0)
    model(x, training=False)
