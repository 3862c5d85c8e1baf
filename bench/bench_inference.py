#!/usr/bin/env python
"""Predictor latency for one drawn digit: numpy forward pass vs ``model(x)`` vs ``model.predict``.

    python bench/bench_inference.py [--model FILE] [--repeats 300]  # default: the default model
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from digitpad.inference import load_predictor
from digitpad.model_file import load_model
from digitpad.session import default_model_path


def median_ms(fn, repeats: int) -> float:
    fn()  # warm up (first call traces or allocates)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=str(default_model_path()))
    parser.add_argument("--repeats", type=int, default=300)
    args = parser.parse_args()

    start = time.perf_counter()
    predictor = load_predictor(args.model)
    load_numpy_s = time.perf_counter() - start
    image = np.random.default_rng(0).random((28, 28), dtype=np.float32)
    flat = image.reshape(1, 784)

    start = time.perf_counter()
    model = load_model(args.model)  # imports TensorFlow
    load_keras_s = time.perf_counter() - start

    rows = [
        (f"numpy forward pass ({predictor.kind})",
         median_ms(lambda: predictor(image), args.repeats)),
        ("model(x)", median_ms(lambda: model(flat, training=False), args.repeats)),
        ("model.predict(x)", median_ms(lambda: model.predict(flat, verbose=0),
                                       max(20, args.repeats // 10))),
    ]
    print(f"model: {args.model}")
    print(f"load for inference: numpy/h5py {load_numpy_s * 1000:.0f} ms, "
          f"keras (incl. TensorFlow import) {load_keras_s:.1f} s")
    for name, ms in rows:
        print(f"{name:36s} median {ms:8.3f} ms per sample")
    batch = np.random.default_rng(1).random((10000, 28, 28), dtype=np.float32)
    start = time.perf_counter()
    predictor(batch)
    print(f"numpy batch of 10000: {(time.perf_counter() - start) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
