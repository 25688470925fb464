"""Activation functions written so that they never overflow.

``sigmoid(z) = 1 / (1 + exp(-z))`` computed as ``0.5 * (1 + tanh(z / 2))``: the two are equal
mathematically, but the second form never evaluates ``exp`` of a large number, so a pre-activation
of -1000 gives 0 without an overflow warning.
"""

from __future__ import annotations

import numpy as np


def sigmoid(z: np.ndarray) -> np.ndarray:
    """The logistic function sigma(z) = 1 / (1 + e^{-z}), stable for any finite ``z``."""
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def sigmoid_grad_from_output(s: np.ndarray) -> np.ndarray:
    """d sigma / dz written with the output s = sigma(z): s (1 - s)."""
    return s * (1.0 - s)


def tanh_grad_from_output(t: np.ndarray) -> np.ndarray:
    """d tanh / dz written with the output t = tanh(z): 1 - t^2."""
    return 1.0 - t * t
