"""Losses that return their value and their gradient together, as the NumPy chapters need.

Each takes the model's raw output and the target, averages over every element, and returns
``(loss, d_output)`` with ``d_output`` shaped like the output.
"""

from __future__ import annotations

import numpy as np

from ._validation import check_shape
from .activations import sigmoid


def sigmoid_binary_crossentropy(logits: np.ndarray, targets: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean of -[y log sigma(z) + (1 - y) log(1 - sigma(z))] over all elements.

    Written as max(z, 0) - z y + log(1 + exp(-abs(z))), which never overflows and needs no small
    constant inside the logarithm (the first seed added 1e-6 to avoid log(0)). Its gradient is
    (sigma(z) - y) / n.
    """
    check_shape("targets", targets, np.shape(logits))
    z = logits
    loss = np.maximum(z, 0) - z * targets + np.log1p(np.exp(-np.abs(z)))
    return float(loss.mean()), (sigmoid(z) - targets) / z.size


def mean_squared_error(predictions: np.ndarray, targets: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean of (p - y)^2 over all elements; gradient 2 (p - y) / n."""
    check_shape("targets", targets, np.shape(predictions))
    diff = predictions - targets
    return float(np.mean(diff * diff)), 2.0 * diff / diff.size
