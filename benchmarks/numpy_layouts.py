"""Why the fused NumPy LSTM lays out each step as it does: single operations and products, timed alone.

Run by hand (not a test): ``.venv/bin/python benchmarks/numpy_layouts.py``. At the speed appendix's size
(batch 64, 128 units, so a step's gates are 64 x 512 numbers in float32) it times, as medians of many calls
in one process:

- one element-wise multiplication written three ways: two whole arrays of one shape; an array and a
  row of 512 constants broadcast over it; one gate's block of 128 columns of the (64, 512) array, against
  the same 8192 numbers as a contiguous (128, 64) block of rows, which is what a step computed transposed
  gives;
- a step's product both ways round: (64, 161) @ (161, 512), the batch as rows, against its transpose
  (512, 161) @ (161, 64), the batch as columns (161 = 32 features + 128 units + 1 for the bias).
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from lstm_speed import blas_threads  # noqa: E402


def microseconds(function: Callable[[], object], calls: int = 2000, rounds: int = 7) -> float:
    """Median over ``rounds`` of the mean time of ``calls`` calls in a row, in microseconds."""
    for _ in range(100):
        function()
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(calls):
            function()
        times.append((time.perf_counter() - start) / calls)
    return 1e6 * statistics.median(times)


def main() -> None:
    batch, units, rows = 64, 128, 32 + 128 + 1
    rng = np.random.default_rng(0)
    gates = rng.uniform(0.1, 0.9, (batch, 4 * units)).astype(np.float32)
    same_shape = rng.uniform(0.1, 0.9, (batch, 4 * units)).astype(np.float32)
    row = same_shape[0].copy()
    out = np.empty_like(gates)
    by_columns = gates[:, units : 2 * units]  # one gate's block when the batch is the rows: (64, 128) of (64, 512)
    by_rows = np.ascontiguousarray(gates.T)[units : 2 * units]  # the same gate when the batch is the columns
    block_out, rows_out = np.empty((batch, units), np.float32), np.empty((units, batch), np.float32)
    weights = rng.standard_normal((rows, 4 * units)).astype(np.float32)
    weights_t = np.ascontiguousarray(weights.T)
    stacked = rng.standard_normal((batch, rows)).astype(np.float32)
    stacked_t = np.ascontiguousarray(stacked.T)
    z, z_t = np.empty((batch, 4 * units), np.float32), np.empty((4 * units, batch), np.float32)
    cases = [
        ("element-wise product of 64 x 512 numbers:", None, 0),
        ("two whole arrays of one shape", lambda: np.multiply(gates, same_shape, out=out), 2000),
        ("an array and one broadcast row", lambda: np.multiply(gates, row, out=out), 2000),
        ("element-wise product of one gate, 64 x 128 numbers:", None, 0),
        ("a block of columns of (64, 512)", lambda: np.multiply(by_columns, by_columns, out=block_out), 2000),
        ("a contiguous block of rows (128, 64)", lambda: np.multiply(by_rows, by_rows, out=rows_out), 2000),
        ("one step's product, 2 x 64 x 161 x 512 operations:", None, 0),
        ("(64, 161) @ (161, 512), batch as rows", lambda: np.matmul(stacked, weights, out=z), 500),
        ("(512, 161) @ (161, 64), batch as columns", lambda: np.matmul(weights_t, stacked_t, out=z_t), 500),
    ]
    print(f"float32; BLAS threads: {blas_threads()}; microseconds per call, median of 7 rounds")
    for label, function, calls in cases:
        print(label if function is None else f"  {label:42s} {microseconds(function, calls):6.1f}")


if __name__ == "__main__":
    main()
