"""Where the NumPy LSTM's time goes: matrix products, element-wise work and Python, from 25 to 400 steps.

Run by hand (not a test): ``.venv/bin/python benchmarks/numpy_lstm_profile.py``. For each number of
steps it times, in float32 at batch 64, 32 features and 128 units (the speed appendix's size):

- ``pass``: one ``lstm_forward`` and one ``lstm_backward``, as the appendix's benchmark calls them;
- ``products``: the matrix products the pass makes, at the same shapes and layouts, alone (per step
  forward [W; U; b]^T [x_t; h_{t-1}; 1]; per step backward [U; W] dz_t and dz_t [x_t, h_{t-1}, 1]);
- ``Python``: the same pass at batch 1 and 1 unit, where the arrays are so small that what is left is
  the cost of calling NumPy from Python, step by step;
- ``element-wise``: what remains, ``pass - products - Python``.

Each figure is the median of repeated calls in one process, with the thread count of NumPy's BLAS fixed
and printed; run it a few times to see the spread. It also prints, for each number of steps, how many
bytes the pass's cache holds, which the backward pass reads back once, step by step.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from lstm_speed import blas_threads  # noqa: E402

from lstm_lib.init import init_lstm_weights  # noqa: E402
from lstm_lib.numpy_lstm import lstm_backward, lstm_forward  # noqa: E402


def pass_seconds(batch: int, steps: int, features: int, units: int, repeats: int) -> float:
    """Median time of one forward and one backward pass of lstm_lib.numpy_lstm, float32."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, steps, features)).astype(np.float32)
    weights = init_lstm_weights(rng, features, units, dtype=np.float32)
    kept = None
    times = []
    for k in range(repeats + 3):  # three warm-up calls
        start = time.perf_counter()
        outputs, _, cache = lstm_forward(x, **weights)
        kept = lstm_backward(np.ones_like(outputs), cache)  # kept until the next call, as in training
        if k >= 3:
            times.append(time.perf_counter() - start)
    del kept
    return statistics.median(times)


def products_seconds(batch: int, steps: int, features: int, units: int, repeats: int = 20) -> float:
    """Median time of the pass's matrix products alone: per step, the forward product and the two backward ones."""
    rng = np.random.default_rng(0)
    rows = features + units + 1
    weights_t = rng.standard_normal((4 * units, rows)).astype(np.float32)  # [W; U; b]^T
    back_weights = rng.standard_normal((units + features, 4 * units)).astype(np.float32)  # [U; W]
    stacked = rng.standard_normal((steps + 1, rows, batch)).astype(np.float32)
    gates = np.empty((steps, 4 * units, batch), np.float32)
    d_z = rng.standard_normal((4 * units, batch)).astype(np.float32)
    back = np.empty((units + features, batch), np.float32)
    product = np.empty((4 * units, rows), np.float32)
    times = []
    for _ in range(repeats + 3):
        start = time.perf_counter()
        for t in range(steps):
            np.matmul(weights_t, stacked[t], out=gates[t])
        for t in reversed(range(steps)):
            np.matmul(back_weights, d_z, out=back)
            np.matmul(d_z, stacked[t].T, out=product)
        times.append(time.perf_counter() - start)
    return statistics.median(times[3:])


def cache_bytes(batch: int, steps: int, features: int, units: int) -> int:
    """Bytes the forward pass keeps for the backward one, float32: [x_t; h_{t-1}; 1], the gates, c, tanh(c), h."""
    return 4 * batch * steps * ((features + units + 1) + 4 * units + 3 * units)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, nargs="*", default=[25, 50, 100, 200, 400])
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()
    batch, features, units = 64, 32, 128
    print(f"batch {batch}, {features} features, {units} units, float32; BLAS threads: {blas_threads()}")
    print(f"cpus: {os.cpu_count()}; times in ms, median of {args.repeats} calls")
    print(
        f"{'steps':>6s} {'pass':>8s} {'products':>9s} {'elem.':>8s} {'Python':>8s} {'pass/step':>10s} {'cache MB':>9s}"
    )
    for steps in args.steps:
        total = pass_seconds(batch, steps, features, units, args.repeats)
        products = products_seconds(batch, steps, features, units)
        python = pass_seconds(1, steps, 1, 1, args.repeats)
        elementwise = total - products - python
        print(
            f"{steps:6d} {1e3 * total:8.2f} {1e3 * products:9.2f} {1e3 * elementwise:8.2f} {1e3 * python:8.2f}"
            f" {1e6 * total / steps:8.0f}us {cache_bytes(batch, steps, features, units) / 1e6:9.1f}"
        )


if __name__ == "__main__":
    main()
