"""Activation functions written so that they never overflow.

``sigmoid(z) = 1 / (1 + exp(-z))`` is computed as ``0.5 * tanh(0.5 * z) + 0.5``: the two are equal
mathematically, but the second form never evaluates ``exp`` of a large number, so a pre-activation
of -1000 gives 0 without an overflow warning. Both the sigmoid and tanh are cases of one function,
:func:`scaled_tanh`, which lets the fused LSTM activate its four gates with one ``tanh`` call.

Taught in Chapter 2, "An LSTM in NumPy" (the sigmoid through tanh); Chapter 1 uses tanh.
"""

from __future__ import annotations

import numpy as np


def scaled_tanh(z: np.ndarray, a: np.ndarray | float, out: np.ndarray | None = None) -> np.ndarray:
    """a tanh(a z) + (1 - a): the sigmoid for a = 1/2, tanh itself for a = 1.

    ``a`` may be an array that broadcasts against ``z`` (one scale per column). With ``out`` (which
    may be ``z`` itself) the result is written there, without temporary arrays of z's size.
    """
    if out is None:
        out = np.array(np.multiply(z, a))  # a fresh array, also for a scalar z
    else:
        np.multiply(z, a, out=out)
    np.tanh(out, out=out)
    out *= a
    out += 1.0 - np.asarray(a, out.dtype)
    return out if out.ndim else out[()]


def sigmoid(z: np.ndarray) -> np.ndarray:
    """The logistic function sigma(z) = 1 / (1 + e^{-z}), stable for any finite ``z``."""
    return scaled_tanh(z, 0.5)


def sigmoid_grad_from_output(s: np.ndarray) -> np.ndarray:
    """d sigma / dz written with the output s = sigma(z): s (1 - s)."""
    return s * (1.0 - s)


def tanh_grad_from_output(t: np.ndarray) -> np.ndarray:
    """d tanh / dz written with the output t = tanh(z): 1 - t^2."""
    return 1.0 - t * t
