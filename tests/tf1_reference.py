"""Run TensorFlow 1's ``tf.compat.v1.nn.dynamic_rnn`` with ``LSTMCell``: the reference for test_tf_vs_tf1.py.

TF1's cells exist only in the ``tf-keras`` package, with ``TF_USE_LEGACY_KERAS=1`` set before TensorFlow
is imported, so this runs as a separate process: ``python tf1_reference.py cases.npz results.npz``,
with ``.tf1-reference`` (where ``make`` installs tf-keras) on ``PYTHONPATH``.

Case k of ``cases.npz`` is given by the arrays ``k/x``, ``k/kernel``, ``k/bias`` (TF1 layout),
``k/forget_bias``, ``k/time_major`` and, optionally, ``k/sequence_length``; ``results.npz`` holds
``k/outputs``, ``k/c`` and ``k/h``.
"""

import os
import sys
import warnings

os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
if os.environ.get("TF_USE_LEGACY_KERAS") != "1":
    sys.exit("set TF_USE_LEGACY_KERAS=1 before running this script")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

warnings.filterwarnings("ignore")  # TF1's cells and dynamic_rnn warn that they are deprecated
tf.get_logger().setLevel("ERROR")
tf.compat.v1.disable_eager_execution()


def run_case(case: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    units = case["kernel"].shape[1] // 4
    time_major = bool(case["time_major"])
    with tf.Graph().as_default(), tf.compat.v1.Session() as session:
        cell = tf.compat.v1.nn.rnn_cell.LSTMCell(units, forget_bias=float(case["forget_bias"]))
        lengths = tf.constant(case["sequence_length"]) if "sequence_length" in case else None
        outputs, state = tf.compat.v1.nn.dynamic_rnn(
            cell, tf.constant(case["x"]), sequence_length=lengths, dtype=tf.float64, time_major=time_major
        )
        kernel, bias = (next(v for v in cell.variables if f"/{name}:" in v.name) for name in ("kernel", "bias"))
        session.run([kernel.assign(case["kernel"]), bias.assign(case["bias"])])
        outputs, c, h = session.run([outputs, state.c, state.h])
    return {"outputs": outputs, "c": c, "h": h}


def main(cases_path: str, results_path: str) -> None:
    arrays = np.load(cases_path)
    keys = sorted({name.split("/")[0] for name in arrays.files}, key=int)
    results = {}
    for key in keys:
        case = {name.split("/")[1]: arrays[name] for name in arrays.files if name.split("/")[0] == key}
        for name, value in run_case(case).items():
            results[f"{key}/{name}"] = value
    np.savez(results_path, **results)


if __name__ == "__main__":
    main(*sys.argv[1:])
