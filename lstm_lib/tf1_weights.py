"""Convert LSTM weights between TensorFlow 1's ``LSTMCell`` and the book's (Keras) layout.

TensorFlow 1's ``tf.nn.rnn_cell.LSTMCell`` (and ``BasicLSTMCell``) keeps one kernel for the inputs
and the state stacked, and orders its gate blocks i, c, f, o (it calls the candidate ``j``)::

    [z_i | z_c | z_f | z_o] = [x_t, h_{t-1}] @ kernel + bias        kernel (features + units, 4 units)
    c_t = σ(z_f + forget_bias) ⊙ c_{t-1} + σ(z_i) ⊙ tanh(z_c)
    h_t = σ(z_o) ⊙ tanh(c_t)

``forget_bias`` (1.0 by default) is a constant added inside the cell, not a weight. The book's layout
splits the kernel into ``kernel`` (its first ``features`` rows) and ``recurrent_kernel`` (the other
``units`` rows), orders the blocks i, f, c, o and folds ``forget_bias`` into the forget block of
``bias``; the two cells then compute the same numbers. Only the plain cell converts: no peepholes,
no projection, no cell clipping.

These functions use NumPy only; arrays from a TF1 checkpoint (``tf.train.load_checkpoint(path)
.get_tensor(name)``) can be passed as they are.

Taught in Chapter 4, "A dynamic_rnn loop in TensorFlow 2".
"""

from __future__ import annotations

import numpy as np

from ._validation import check_shape


def _swap_c_and_f(weights: np.ndarray, units: int) -> np.ndarray:
    """Reorder the gate blocks of the last axis between i, c, f, o and i, f, c, o (the swap is its own inverse)."""
    i, first, second, o = (weights[..., k * units : (k + 1) * units] for k in range(4))
    return np.concatenate([i, second, first, o], axis=-1)


def _units_of(name: str, four_units: int) -> int:
    if four_units % 4:
        raise ValueError(f"Expected {name} whose last axis is 4 * units. Received: {name}.shape[-1]={four_units}.")
    return four_units // 4


def from_tf1_lstm(kernel: np.ndarray, bias: np.ndarray, forget_bias: float = 1.0) -> dict[str, np.ndarray]:
    """TF1 ``LSTMCell`` weights -> the book's ``kernel``, ``recurrent_kernel`` and ``bias``.

    Args:
        kernel: TF1's kernel, (features + units, 4 units), gate order i, c, f, o.
        bias: TF1's bias, (4 units,).
        forget_bias: the ``forget_bias`` the TF1 cell was created with.

    Returns:
        ``{"kernel": (features, 4 units), "recurrent_kernel": (units, 4 units), "bias": (4 units,)}``,
        gate order i, f, c, o, ready for :func:`lstm_lib.numpy_lstm.lstm_forward`, the TensorFlow
        :class:`~lstm_lib.tf_rnn.cells.LSTMCell` or ``keras.layers.LSTM``.
    """
    kernel, bias = np.asarray(kernel), np.asarray(bias)
    check_shape("kernel", kernel, ("features + units", "4 * units"))
    units = _units_of("kernel", kernel.shape[1])
    if kernel.shape[0] <= units:
        raise ValueError(
            f"Expected kernel of shape (features + {units}, {4 * units}) with features >= 1. "
            f"Received: kernel.shape={kernel.shape}."
        )
    check_shape("bias", bias, (4 * units,))
    bias = _swap_c_and_f(bias, units)
    bias[units : 2 * units] += forget_bias
    features = kernel.shape[0] - units
    return {
        "kernel": _swap_c_and_f(kernel[:features], units),
        "recurrent_kernel": _swap_c_and_f(kernel[features:], units),
        "bias": bias,
    }


def to_tf1_lstm(
    kernel: np.ndarray, recurrent_kernel: np.ndarray, bias: np.ndarray, forget_bias: float = 1.0
) -> dict[str, np.ndarray]:
    """The book's LSTM weights -> TF1 ``LSTMCell``'s ``kernel`` and ``bias`` (the inverse of :func:`from_tf1_lstm`).

    Args:
        kernel: (features, 4 units), gate order i, f, c, o.
        recurrent_kernel: (units, 4 units).
        bias: (4 units,), the forget-gate bias included.
        forget_bias: the ``forget_bias`` of the TF1 cell that will load the weights; it is
            subtracted from the forget block, since that cell adds it back.

    Returns:
        ``{"kernel": (features + units, 4 units), "bias": (4 units,)}``, gate order i, c, f, o.
    """
    kernel, recurrent_kernel, bias = np.asarray(kernel), np.asarray(recurrent_kernel), np.asarray(bias)
    check_shape("kernel", kernel, ("features", "4 * units"))
    units = _units_of("kernel", kernel.shape[1])
    check_shape("recurrent_kernel", recurrent_kernel, (units, 4 * units))
    check_shape("bias", bias, (4 * units,))
    bias = bias.copy()
    bias[units : 2 * units] -= forget_bias
    return {
        "kernel": _swap_c_and_f(np.concatenate([kernel, recurrent_kernel], axis=0), units),
        "bias": _swap_c_and_f(bias, units),
    }
