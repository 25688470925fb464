"""How fast are the course's LSTMs? Forward + backward against keras.layers.LSTM, in one run.

Run by hand (not a test): ``.venv/bin/python benchmarks/lstm_speed.py``. Every candidate computes
the outputs of an LSTM over a (batch, time, features) float32 batch and the gradients of a scalar
loss with respect to the weights. Each run, in a fresh Python process, times every candidate and
divides by the Keras reference timed in that same run, so its ratios compare like with like on any
machine. The table gives, over ``--runs`` such runs (five by default), the median of each ratio and its
range: on a small shared machine the same code measures up to 10% apart from one process to the next.

Each run also measures two floors for the pass (:func:`limits`): the matrix products' operations at the
rate of a large product, and the same products timed at their own shapes; every candidate's time is
given as a ratio to both. With ``torch`` installed (not a requirement of the course), PyTorch's
``nn.LSTM`` runs beside the others as the fastest peer, and every time is also given as a ratio to it;
without it the table says "skipped". The BLAS kernel and thread counts of the first run are printed.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np

SETTLE_SECONDS = 0.15
"""Untimed calls of a candidate before its timed ones, in seconds (see :func:`median_times`)."""
BLOCK = 5
"""Timed calls in a row per candidate and round."""

Setup = Callable[[np.ndarray, dict[str, np.ndarray]], Callable[[], object]]


def _keras_layer_step(layer_class: type, x: np.ndarray, weights: dict[str, np.ndarray]) -> Callable[[], object]:
    """A layer with keras.layers.LSTM's weights, called inside tf.function; gradients from GradientTape."""
    import tensorflow as tf

    layer = layer_class(weights["recurrent_kernel"].shape[0], return_sequences=True)
    layer.build((None, None, x.shape[-1]))
    layer.set_weights([weights["kernel"], weights["recurrent_kernel"], weights["bias"]])
    inputs = tf.constant(x)

    @tf.function
    def step():
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(layer(inputs))
        return tape.gradient(loss, layer.trainable_variables)

    return step


def keras_reference(x: np.ndarray, weights: dict[str, np.ndarray]) -> Callable[[], object]:
    """keras.layers.LSTM inside tf.function, gradients from GradientTape."""
    import keras

    return _keras_layer_step(keras.layers.LSTM, x, weights)


def numpy_lstm(x: np.ndarray, weights: dict[str, np.ndarray]) -> Callable[[], object]:
    """lstm_lib.numpy_lstm: the hand-written forward and backward passes."""
    from lstm_lib.numpy_lstm import lstm_backward, lstm_forward

    def step():
        outputs, _, cache = lstm_forward(x, **weights)
        return lstm_backward(np.ones_like(outputs), cache)

    return step


def tf_dynamic_rnn(x: np.ndarray, weights: dict[str, np.ndarray], jit_compile: bool = False) -> Callable[[], object]:
    """lstm_lib.tf_rnn: dynamic_rnn with LSTMCell inside tf.function, gradients from GradientTape."""
    import tensorflow as tf

    from lstm_lib.tf_rnn import LSTMCell, dynamic_rnn

    cell = LSTMCell(weights["recurrent_kernel"].shape[0])
    cell.set_weights(weights)
    inputs = tf.constant(x)

    # Gradients asked for in the order the Keras reference asks for them (its trainable_variables),
    # not tf.Module's alphabetical one (bias first): the graphs are the same, but the order of the
    # sources changes how TensorFlow schedules them, which alone moved this ratio by up to 0.15.
    weights_in_keras_order = [cell.kernel, cell.recurrent_kernel, cell.bias]

    @tf.function(jit_compile=jit_compile)
    def step():
        with tf.GradientTape() as tape:
            outputs, _ = dynamic_rnn(cell, inputs)
            loss = tf.reduce_sum(outputs)
        return tape.gradient(loss, weights_in_keras_order)

    return step


def tf_dynamic_rnn_xla(x: np.ndarray, weights: dict[str, np.ndarray]) -> Callable[[], object]:
    """The same, compiled by XLA (``jit_compile=True``)."""
    return tf_dynamic_rnn(x, weights, jit_compile=True)


def course_keras_lstm(x: np.ndarray, weights: dict[str, np.ndarray]) -> Callable[[], object]:
    """lstm_lib.keras_layers.lstm.LSTM (Chapter 5), timed exactly as the reference."""
    from lstm_lib.keras_layers import LSTM

    return _keras_layer_step(LSTM, x, weights)


def torch_lstm(x: np.ndarray, weights: dict[str, np.ndarray]) -> Callable[[], object]:
    """PyTorch's nn.LSTM (oneDNN's fused kernel on a CPU) with the same weights, when torch is installed.

    Its gate order i, f, g, o is Keras's i, f, c, o; its weights are the transposes of Keras's, and its
    second bias is zero.
    """
    import torch

    torch.set_num_threads(blas_threads())
    units = weights["recurrent_kernel"].shape[0]
    layer = torch.nn.LSTM(x.shape[-1], units, batch_first=True)
    with torch.no_grad():
        layer.weight_ih_l0.copy_(torch.from_numpy(weights["kernel"].T.copy()))
        layer.weight_hh_l0.copy_(torch.from_numpy(weights["recurrent_kernel"].T.copy()))
        layer.bias_ih_l0.copy_(torch.from_numpy(weights["bias"]))
        layer.bias_hh_l0.zero_()
    inputs = torch.from_numpy(x)

    def step():
        layer.zero_grad(set_to_none=True)
        outputs, _ = layer(inputs)
        outputs.sum().backward()
        return [p.grad for p in layer.parameters()]

    return step


def blas_threads() -> int:
    """The number of threads NumPy's BLAS uses in this process."""
    from threadpoolctl import threadpool_info

    return max((pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"), default=1)


def torch_available() -> bool:
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


# Each chapter adds its implementation here; the first entry is the reference.
CANDIDATES: dict[str, Setup] = {
    "keras.layers.LSTM": keras_reference,
    "numpy_lstm": numpy_lstm,
    "tf_rnn.dynamic_rnn": tf_dynamic_rnn,
    "tf_rnn.dynamic_rnn (XLA)": tf_dynamic_rnn_xla,
    "keras_lstm (Chapter 5)": course_keras_lstm,
}
PEER = "torch.nn.LSTM"
"""The fastest peer, timed when torch is installed (not a requirement of the course)."""


def lstm_flops(batch: int, steps: int, features: int, units: int) -> float:
    """Floating-point operations of the matrix products of one forward and backward pass.

    Forward, z = x W + h U: 2 B T (D + H) 4H. Backward, three times as many products of the same
    sizes (dx = dz W^T and dh = dz U^T; dW = x^T dz and dU = h^T dz): 4 B T (D + H) 4H.
    Element-wise work is left out; it is a few percent of the count.
    """
    return 6.0 * batch * steps * (features + units) * 4 * units


def product_seconds(m: int, k: int, n: int, calls: int = 1, repeats: int = 20) -> float:
    """Median time of ``calls`` float32 products (m, k) @ (k, n) in a row, with NumPy's BLAS."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((m, k)).astype(np.float32)
    b = rng.standard_normal((k, n)).astype(np.float32)
    out = np.empty((m, n), np.float32)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(calls):
            np.matmul(a, b, out=out)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def limits(batch: int, steps: int, features: int, units: int) -> dict[str, float]:
    """Two floors for one forward and backward pass, in seconds, measured on this machine now.

    ``large``: the products' operations at the rate of a large product (2048 x 2048 x 2048), the most
    this machine's BLAS delivers. ``own shapes``: the same products at their own shapes, timed one by
    one: per step (B, H) @ (H, 4H) forward and (B, 4H) @ (4H, H) backward, and once per pass the
    input projection, dx and the two weight gradients over all B T rows.
    """
    size = 2048
    rate = 2.0 * size**3 / product_seconds(size, size, size, repeats=5)
    rows, gates = batch * steps, 4 * units
    own = (
        product_seconds(batch, units, gates, calls=steps)  # h_{t-1} U, every step
        + product_seconds(batch, gates, units, calls=steps)  # dz_t U^T, every step
        + product_seconds(rows, features, gates)  # x W, all steps at once
        + product_seconds(rows, gates, features)  # dz W^T
        + product_seconds(features, rows, gates)  # x^T dz
        + product_seconds(units, rows, gates)  # h^T dz
    )
    return {"large": lstm_flops(batch, steps, features, units) / rate, "own shapes": own, "gflops": rate / 1e9}


def machine() -> dict[str, object]:
    """What the numbers depend on: BLAS kernel and threads, TensorFlow's threads, the versions."""
    import tensorflow as tf
    from threadpoolctl import threadpool_info

    blas = [
        {"library": p["internal_api"], "kernel": p.get("architecture"), "threads": p["num_threads"]}
        for p in threadpool_info()
        if p["user_api"] == "blas"
    ]
    return {
        "blas": blas,
        "tensorflow threads": [
            tf.config.threading.get_intra_op_parallelism_threads(),
            tf.config.threading.get_inter_op_parallelism_threads(),
        ],
        "numpy": np.__version__,
        "tensorflow": tf.__version__,
        "cpus": os.cpu_count(),
    }


def median_times(steps: dict[str, Callable[[], object]], repeats: int) -> dict[str, float]:
    """The median time of each function over ``repeats`` calls, measured in interleaved blocks.

    Each function runs in blocks of consecutive calls, as in a training loop, and the blocks of all
    the functions take turns, so that a burst of load from elsewhere slows all of them alike. A block
    starts with untimed calls for SETTLE_SECONDS: the previous function's worker threads keep
    spinning for a while after it returns (OpenBLAS's for up to about 0.1 s), and timing a call
    in that window measured TensorFlow 1.3 to 1.5 times slower than it runs on its own.
    Each function's last result is kept until its next call, as a training loop keeps the last
    gradients: dropping it lets the C library hand the memory back to the system and fault it in
    again on the next call, which costs the NumPy version about 9 ms per call.
    """
    kept = {name: fn() for name, fn in steps.items()}  # warm-up: tracing, compilation, allocation
    times: dict[str, list[float]] = {name: [] for name in steps}
    rounds = -(-repeats // BLOCK)
    for _ in range(rounds):
        for name, fn in steps.items():
            settled = time.perf_counter() + SETTLE_SECONDS
            while time.perf_counter() < settled:
                kept[name] = fn()
            for _ in range(BLOCK):
                start = time.perf_counter()
                kept[name] = fn()
                times[name].append(time.perf_counter() - start)
    return {name: statistics.median(t) for name, t in times.items()}


def measure(
    batch: int, steps: int, features: int, units: int, repeats: int, only: list[str] | None = None
) -> dict[str, float]:
    from lstm_lib.init import init_lstm_weights

    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, steps, features)).astype(np.float32)
    weights = init_lstm_weights(rng, features, units, dtype=np.float32)
    reference = next(iter(CANDIDATES))
    candidates = {name: setup for name, setup in CANDIDATES.items() if not only or name in only or name == reference}
    if torch_available() and (not only or PEER in only):
        candidates[PEER] = torch_lstm
    return median_times({name: setup(x, weights) for name, setup in candidates.items()}, repeats)


def one_run(args: argparse.Namespace) -> dict:
    """Times of every candidate (seconds) at the main size and at each size of the growth table."""

    def times(steps: int, repeats: int) -> dict[str, float]:
        return measure(args.batch, steps, args.features, args.units, repeats, args.only)

    return {
        "main": times(args.steps, args.repeats),
        "growth": {n: times(n, max(BLOCK, args.repeats // 4)) for n in args.scaling},
        "limits": limits(args.batch, args.steps, args.features, args.units),
        "machine": machine(),
    }


def runs_in_fresh_processes(args: argparse.Namespace) -> list[dict]:
    """``args.runs`` results of :func:`one_run`, each from its own Python process."""
    command = [
        sys.executable,
        __file__,
        "--one-run",
        "--batch",
        str(args.batch),
        "--steps",
        str(args.steps),
        "--features",
        str(args.features),
        "--units",
        str(args.units),
        "--repeats",
        str(args.repeats),
        "--scaling",
        *map(str, args.scaling),
        *(["--only", *args.only] if args.only else []),
    ]
    results = []
    for run in range(args.runs):
        print(f"run {run + 1} of {args.runs}...", file=sys.stderr, flush=True)
        output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        results.append(json.loads(output.strip().splitlines()[-1]))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--features", type=int, default=32)
    parser.add_argument("--units", type=int, default=128)
    parser.add_argument("--repeats", type=int, default=60, help="timed calls per candidate in a run")
    parser.add_argument("--runs", type=int, default=5, help="runs, each in a fresh process")
    parser.add_argument(
        "--scaling", type=int, nargs="*", default=[25, 50, 100, 200, 400], help="numbers of steps for the growth table"
    )
    parser.add_argument(
        "--only", nargs="*", choices=[*CANDIDATES, PEER], help="time only these candidates (and the reference)"
    )
    parser.add_argument("--one-run", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one_run:  # a child process: print the times of one run as JSON
        print(json.dumps(one_run(args)))
        return

    results = runs_in_fresh_processes(args)
    reference = "keras.layers.LSTM"
    print(
        f"batch {args.batch}, {args.steps} steps, {args.features} features, {args.units} units, float32; "
        f"{args.runs} runs of {args.repeats} timed calls each"
    )
    print(f"machine (first run): {json.dumps(results[0]['machine'])}")
    gflops = statistics.median(r["limits"]["gflops"] for r in results)
    print(f"float32 product rate at 2048 x 2048 x 2048: {gflops:.0f} GFLOP/s (median over runs); the pass's")
    print(f"products are {lstm_flops(args.batch, args.steps, args.features, args.units) / 1e9:.2f} GFLOP")
    names = list(results[0]["main"])
    if PEER not in names:
        print(f"{PEER}: skipped (torch is not installed; see the appendix for a CPU build)")
    header = f"{'implementation':28s} {'ms (median)':>12s} {'ratio to Keras':>15s} {'range over runs':>16s}"
    header += f" {'to the limit':>13s} {'to own shapes':>14s}" + (f" {'to ' + PEER:>18s}" if PEER in names else "")
    print(header)
    for name in names:
        ms = statistics.median(1e3 * r["main"][name] for r in results)
        ratios = [r["main"][name] / r["main"][reference] for r in results]
        span = f"{min(ratios):.2f}-{max(ratios):.2f}"
        to_limit = statistics.median(r["main"][name] / r["limits"]["large"] for r in results)
        to_own = statistics.median(r["main"][name] / r["limits"]["own shapes"] for r in results)
        line = f"{name:28s} {ms:12.2f} {statistics.median(ratios):15.2f} {span:>16s} {to_limit:13.2f} {to_own:14.2f}"
        if PEER in names:
            line += f" {statistics.median(r['main'][name] / r['main'][PEER] for r in results):18.2f}"
        print(line)
    for key, label in (("large", "at the large product's rate"), ("own shapes", "the products at their own shapes")):
        print(f"limit, {label}: {statistics.median(1e3 * r['limits'][key] for r in results):.2f} ms")

    print("\nGrowth with the number of steps (ms, median over runs; linear growth doubles with the steps)")
    print(f"{'steps':>6s} " + " ".join(f"{name:>26s}" for name in names))
    for n in args.scaling:
        cells = (statistics.median(1e3 * r["growth"][str(n)][name] for r in results) for name in names)
        print(f"{n:6d} " + " ".join(f"{ms:26.2f}" for ms in cells))


if __name__ == "__main__":
    main()
