"""dynamic_rnn + LSTMCell against TensorFlow 1's own tf.compat.v1.nn.dynamic_rnn + LSTMCell.

TF1's cells need the tf-keras package and TF_USE_LEGACY_KERAS=1 before TensorFlow is imported, so the
reference runs in a subprocess (tests/tf1_reference.py) with tf-keras from .tf1-reference, where
``make test-lib`` installs it (requirements-tf1-reference.txt). Every case runs in that one process.
"""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
TF1_PACKAGES = ROOT / ".tf1-reference"
BATCH, TIME, FEATURES, UNITS = 4, 7, 3, 5
LENGTHS = np.array([7, 3, 0, 5], np.int32)
CASES = [
    {"time_major": False, "sequence_length": None, "forget_bias": 1.0},
    {"time_major": False, "sequence_length": LENGTHS, "forget_bias": 1.0},
    {"time_major": True, "sequence_length": None, "forget_bias": 0.5},
    {"time_major": True, "sequence_length": LENGTHS, "forget_bias": 0.0},
]


def make_case(rng, time_major, sequence_length, forget_bias):
    shape = (TIME, BATCH, FEATURES) if time_major else (BATCH, TIME, FEATURES)
    case = {
        "x": rng.standard_normal(shape),
        "kernel": 0.5 * rng.standard_normal((FEATURES + UNITS, 4 * UNITS)),
        "bias": 0.5 * rng.standard_normal(4 * UNITS),
        "forget_bias": np.float64(forget_bias),
        "time_major": np.bool_(time_major),
    }
    if sequence_length is not None:
        case["sequence_length"] = sequence_length
    return case


@pytest.fixture(scope="module")
def tf1_results(tmp_path_factory):
    if not (TF1_PACKAGES / "tf_keras").is_dir():
        pytest.skip("tf-keras is not in .tf1-reference: run `make test-lib` (or `make tf1-reference`)")
    rng = np.random.default_rng(4)
    cases = [make_case(rng, **spec) for spec in CASES]
    folder = tmp_path_factory.mktemp("tf1")
    np.savez(folder / "cases.npz", **{f"{k}/{name}": v for k, case in enumerate(cases) for name, v in case.items()})
    env = dict(os.environ, PYTHONPATH=str(TF1_PACKAGES), TF_USE_LEGACY_KERAS="1", TF_CPP_MIN_LOG_LEVEL="3")
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "tests" / "tf1_reference.py"),
            str(folder / "cases.npz"),
            str(folder / "results.npz"),
        ],
        env=env,
        check=True,
        capture_output=True,
    )
    results = np.load(folder / "results.npz")
    return cases, [{name: results[f"{k}/{name}"] for name in ("outputs", "c", "h")} for k in range(len(cases))]


@pytest.mark.parametrize(
    "index",
    range(len(CASES)),
    ids=[
        f"{'time' if c['time_major'] else 'batch'}-major-{'lengths' if c['sequence_length'] is not None else 'full'}"
        for c in CASES
    ],
)
def test_dynamic_rnn_equals_tf1(tf1_results, index):
    import tensorflow as tf

    from lstm_lib.tf_rnn import LSTMCell, dynamic_rnn, from_tf1_lstm

    cases, results = tf1_results
    case, expected = cases[index], results[index]
    cell = LSTMCell(UNITS, dtype=tf.float64)
    cell.set_weights(from_tf1_lstm(case["kernel"], case["bias"], float(case["forget_bias"])))
    outputs, state = dynamic_rnn(
        cell, case["x"], sequence_length=case.get("sequence_length"), time_major=bool(case["time_major"])
    )
    np.testing.assert_allclose(outputs, expected["outputs"], rtol=0, atol=1e-14)
    np.testing.assert_allclose(state.h, expected["h"], rtol=0, atol=1e-14)
    np.testing.assert_allclose(state.c, expected["c"], rtol=0, atol=1e-14)
    if "sequence_length" in case:  # the reference itself has TF1's semantics: zeros past each length
        lengths = case["sequence_length"]
        steps = np.arange(TIME)[:, None] if case["time_major"] else np.arange(TIME)[None, :]
        past = steps >= (lengths[None, :] if case["time_major"] else lengths[:, None])
        assert past.any() and np.all(expected["outputs"][past] == 0)
