"""Where the NumPy LSTM's time goes: matrix products, element-wise work and Python, from 25 to 400 steps.

Run by hand (not a test): ``.venv/bin/python benchmarks/numpy_lstm_profile.py``. For each number of
steps it times, in float32 at batch 64, 32 features and 128 units (the speed appendix's size):

- ``pass``: one ``lstm_forward`` and one ``lstm_backward``, as the appendix's benchmark calls them;
- ``products``: the same matrix products at the same shapes, alone (``lstm_speed.limits``' "own
  shapes": per step h U and dz U^T, and the four products over all steps);
- ``Python``: the same pass at batch 1 and 1 unit, where the arrays are so small that what is left is
  the cost of calling NumPy from Python, step by step;
- ``element-wise``: what remains, ``pass - products - Python``.

Each figure is the median of repeated calls in one process, with the thread count of NumPy's BLAS fixed
and printed; run it a few times to see the spread. It also prints, for each number of steps, how many
bytes the pass's cache holds, against the processor's cache sizes, since the weight-gradient products
and the element-wise work read the whole cache once per pass.
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
from lstm_speed import blas_threads, limits  # noqa: E402

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


def cache_bytes(batch: int, steps: int, features: int, units: int) -> int:
    """Bytes the forward pass keeps for the backward one, float32: x, the gates, c and h of every step."""
    return 4 * batch * steps * (features + 4 * units + 2 * units)


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
        products = limits(batch, steps, features, units)["own shapes"]
        python = pass_seconds(1, steps, 1, 1, args.repeats)
        elementwise = total - products - python
        print(
            f"{steps:6d} {1e3 * total:8.2f} {1e3 * products:9.2f} {1e3 * elementwise:8.2f} {1e3 * python:8.2f}"
            f" {1e6 * total / steps:8.0f}us {cache_bytes(batch, steps, features, units) / 1e6:9.1f}"
        )


if __name__ == "__main__":
    main()
