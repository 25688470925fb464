"""Chapter 4's training steps with and without XLA (``jit_compile``), as a ratio measured in one run.

Run by hand: ``.venv/bin/python benchmarks/tf_train_step_speed.py [--runs 3] [--steps 300]``. Each run is a
fresh process that builds the three steps of the chapter (binary addition with an LSTM of 20 units on
batches of 16 sums of 10 bits; counting the ones of 20-bit strings with an LSTM of 32 units on batches
of 32; the same with two stacked layers and strings of 1 to 20 bits), once compiled by XLA and once
not, takes turns between the two after a warm-up, and prints the ratio of their times per step. The
medians over the runs are what ``book/speed.md`` reports.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")


def one_run(steps: int) -> dict[str, float]:
    """Seconds per step without XLA divided by seconds per step with it, for each of the three steps."""
    import keras
    import numpy as np
    import tensorflow as tf

    from lstm_lib.data import random_addition_batch
    from lstm_lib.tf_rnn import LSTMCell, MultiRNNCell, dynamic_rnn

    rng = np.random.default_rng(0)

    def model(cell, features, outputs):
        cell.build(features)
        kernel = tf.Variable(rng.standard_normal((cell.output_size, outputs)).astype(np.float32) * 0.1)
        bias = tf.Variable(np.zeros(outputs, np.float32))
        return cell, kernel, bias

    def last_h(cell, x, lengths=None):
        _, state = dynamic_rnn(cell, x, sequence_length=lengths)
        top = state[-1] if isinstance(cell, MultiRNNCell) else state
        return top.h

    def addition(parts, x, y):
        cell, kernel, bias = parts
        logits = tf.tensordot(dynamic_rnn(cell, x)[0], kernel, axes=1) + bias
        return tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(y, logits))

    def counting(parts, x, lengths, y):
        cell, kernel, bias = parts
        logits = last_h(cell, x, lengths) @ kernel + bias
        return tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(y, logits))

    def batches(name):
        if name == "addition, LSTM 20":
            x, y = random_addition_batch(rng, 16, 10)
            return x, y
        x = rng.integers(0, 2, (32, 20, 1)).astype(np.float32)
        lengths = np.full(32, 20, np.int32) if name == "counting, LSTM 32" else rng.integers(1, 21, 32).astype(np.int32)
        return x, lengths, (x[..., 0] * (np.arange(20) < lengths[:, None])).sum(axis=1).astype(np.int64)

    def make(name, jit):
        cells = {
            "addition, LSTM 20": lambda: LSTMCell(20, seed=1),
            "counting, LSTM 32": lambda: LSTMCell(32, seed=1),
            "counting, 2 x LSTM 32": lambda: MultiRNNCell([LSTMCell(32, seed=1), LSTMCell(32, seed=2)]),
        }
        features, outputs = (2, 1) if name.startswith("addition") else (1, 21)
        parts = model(cells[name](), features, outputs)
        loss_fn = addition if name.startswith("addition") else counting
        variables = list(parts[0].trainable_variables) + [parts[1], parts[2]]
        optimizer = keras.optimizers.Adam(0.01)
        optimizer.build(variables)

        @tf.function(jit_compile=jit, reduce_retracing=True)
        def step(*batch):
            with tf.GradientTape() as tape:
                loss = loss_fn(parts, *batch)
            optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))
            return loss

        return step

    ratios = {}
    for name in ("addition, LSTM 20", "counting, LSTM 32", "counting, 2 x LSTM 32"):
        steps_by_jit = {jit: make(name, jit) for jit in (True, False)}
        data = [batches(name) for _ in range(steps)]
        for step in steps_by_jit.values():  # warm-up: tracing and compiling
            for batch in data[:20]:
                step(*batch)
        seconds = {True: 0.0, False: 0.0}
        for k in range(0, steps, 50):  # turns of 50 steps
            for jit, step in steps_by_jit.items():
                start = time.perf_counter()
                for batch in data[k : k + 50]:
                    step(*batch)
                seconds[jit] += time.perf_counter() - start
        ratios[name] = seconds[False] / seconds[True]
    return ratios


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="fresh processes")
    parser.add_argument("--steps", type=int, default=300, help="timed steps of each kind per run")
    parser.add_argument("--one-run", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one_run:
        print(json.dumps(one_run(args.steps)))
        return 0
    results = []
    for run in range(args.runs):
        out = subprocess.run(
            [sys.executable, __file__, "--one-run", "--steps", str(args.steps)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        results.append(json.loads(out.strip().splitlines()[-1]))
        print(f"run {run + 1}: " + ", ".join(f"{name} {ratio:.2f}" for name, ratio in results[-1].items()), flush=True)
    print("\ntime without XLA / time with XLA, per training step (median, min-max over the runs):")
    for name in results[0]:
        values = [r[name] for r in results]
        print(f"  {name:24s} {statistics.median(values):.2f}  ({min(values):.2f}-{max(values):.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
