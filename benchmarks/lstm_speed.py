"""How fast are the course's LSTMs? Forward + backward against keras.layers.LSTM, in one run.

Run by hand (not a test): ``.venv/bin/python benchmarks/lstm_speed.py``. Every candidate computes
the outputs of an LSTM over a (batch, time, features) float32 batch and the gradients of a scalar
loss with respect to the weights; the table gives each one's median time and its ratio to the Keras
reference measured in the same run, so the ratios compare like with like on any machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np

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

    @tf.function(jit_compile=jit_compile)
    def step():
        with tf.GradientTape() as tape:
            outputs, _ = dynamic_rnn(cell, inputs)
            loss = tf.reduce_sum(outputs)
        return tape.gradient(loss, cell.trainable_variables)

    return step


def tf_dynamic_rnn_xla(x: np.ndarray, weights: dict[str, np.ndarray]) -> Callable[[], object]:
    """The same, compiled by XLA (``jit_compile=True``)."""
    return tf_dynamic_rnn(x, weights, jit_compile=True)


def course_keras_lstm(x: np.ndarray, weights: dict[str, np.ndarray]) -> Callable[[], object]:
    """lstm_lib.keras_lstm.LSTM (Chapter 4), timed exactly as the reference."""
    from lstm_lib.keras_lstm import LSTM

    return _keras_layer_step(LSTM, x, weights)


# Each chapter adds its implementation here; the first entry is the reference.
CANDIDATES: dict[str, Setup] = {
    "keras.layers.LSTM": keras_reference,
    "numpy_lstm": numpy_lstm,
    "tf_rnn.dynamic_rnn": tf_dynamic_rnn,
    "tf_rnn.dynamic_rnn (XLA)": tf_dynamic_rnn_xla,
    "keras_lstm (Chapter 4)": course_keras_lstm,
}


def median_times(steps: dict[str, Callable[[], object]], repeats: int) -> dict[str, float]:
    """The median time of each function, measured in interleaved rounds.

    Each round runs every function once, in turn, so a burst of load from elsewhere slows all of
    them alike instead of one, and the ratios stay meaningful on a busy machine. Each function's
    last result is kept until its next call, as a training loop keeps the last gradients: dropping
    it lets the C library hand the memory back to the system and fault it in again on the next call,
    which costs the NumPy version about 9 ms per call, and no training loop pays that.
    """
    kept = {name: fn() for name, fn in steps.items()}  # warm-up: tracing, compilation, allocation
    times: dict[str, list[float]] = {name: [] for name in steps}
    for _ in range(repeats):
        for name, fn in steps.items():
            start = time.perf_counter()
            kept[name] = fn()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(t) for name, t in times.items()}


def measure(batch: int, steps: int, features: int, units: int, repeats: int) -> dict[str, float]:
    from lstm_lib.init import init_lstm_weights

    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, steps, features)).astype(np.float32)
    weights = init_lstm_weights(rng, features, units, dtype=np.float32)
    return median_times({name: setup(x, weights) for name, setup in CANDIDATES.items()}, repeats)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--features", type=int, default=32)
    parser.add_argument("--units", type=int, default=128)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--scaling", type=int, nargs="*", default=[25, 50, 100, 200],
                        help="numbers of steps for the growth table")
    args = parser.parse_args()

    times = measure(args.batch, args.steps, args.features, args.units, args.repeats)
    reference = times["keras.layers.LSTM"]
    print(f"batch {args.batch}, {args.steps} steps, {args.features} features, {args.units} units, float32")
    print(f"{'implementation':28s} {'ms':>8s} {'ratio to Keras':>15s}")
    for name, seconds in times.items():
        print(f"{name:28s} {1e3 * seconds:8.2f} {seconds / reference:15.2f}")

    print("\nGrowth with the number of steps (ms; linear growth doubles with the steps)")
    rows = {n: measure(args.batch, n, args.features, args.units, max(3, args.repeats // 4)) for n in args.scaling}
    print(f"{'steps':>6s} " + " ".join(f"{name:>20s}" for name in CANDIDATES))
    for n, row in rows.items():
        print(f"{n:6d} " + " ".join(f"{1e3 * row[name]:20.2f}" for name in CANDIDATES))


if __name__ == "__main__":
    main()
