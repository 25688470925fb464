"""Losses that return their value and their gradient together, as the NumPy chapters need.

Each takes the model's raw output and the target, averages over every element (for the softmax, over
every position), and returns ``(loss, d_output)`` with ``d_output`` shaped like the output. The outputs
must be finite floats: a NaN logit would make a NaN loss and NaN gradients, so it is refused here, where
the mistake can still be found.

Taught in Chapter 1 (the binary cross-entropy) and Chapter 6 (the softmax cross-entropy).
"""

from __future__ import annotations

import numpy as np

from ._validation import check_ids, check_shape, float_array
from .activations import sigmoid


def sigmoid_binary_crossentropy(logits: np.ndarray, targets: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean of -[y log sigma(z) + (1 - y) log(1 - sigma(z))] over all elements.

    Written as max(z, 0) - z y + log(1 + exp(-abs(z))), which never overflows and needs no small
    constant inside the logarithm (the first seed added 1e-6 to avoid log(0)). Its gradient is
    (sigma(z) - y) / n. The targets y are numbers between 0 and 1, usually the labels 0 and 1; integer
    and boolean labels are taken as floats.
    """
    z = float_array("logits", logits)
    targets = np.asarray(targets)
    if targets.dtype.kind in "biu":  # labels
        targets = targets.astype(z.dtype)
    targets = float_array("targets", targets)
    check_shape("targets", targets, z.shape)
    if z.size == 0:
        raise ValueError(f"Expected at least one logit. Received: logits.shape={z.shape}.")
    if np.any((targets < 0) | (targets > 1)):
        raise ValueError(
            f"Expected targets between 0 and 1. Received: min(targets)={targets.min()}, max(targets)={targets.max()}."
        )
    loss = np.maximum(z, 0) - z * targets + np.log1p(np.exp(-np.abs(z)))
    return float(loss.mean()), (sigmoid(z) - targets) / z.size


def mean_squared_error(predictions: np.ndarray, targets: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean of (p - y)^2 over all elements; gradient 2 (p - y) / n."""
    predictions, targets = float_array("predictions", predictions), float_array("targets", targets)
    check_shape("targets", targets, predictions.shape)
    if predictions.size == 0:
        raise ValueError(f"Expected at least one prediction. Received: predictions.shape={predictions.shape}.")
    diff = predictions - targets
    return float(np.mean(diff * diff)), 2.0 * diff / diff.size


def softmax_cross_entropy(logits: np.ndarray, targets: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean of -log softmax(z)[y] over every position, in nats, for the classes on the last axis.

    With logits z (..., classes) and integer targets y (...), each position n has
    p_n = softmax(z_n) and the loss -log p_n[y_n] = logsumexp(z_n) - z_n[y_n]. The log-sum-exp is taken
    after subtracting max(z_n), so no exponential overflows; logits of +-1000 are fine. The gradient is
    (p_n - onehot(y_n)) / N with N the number of positions (``targets.size``), shaped like the logits.
    A language model's (batch, time, classes) logits and (batch, time) next-character ids fit as they are.
    """
    logits = float_array("logits", logits)
    if logits.ndim < 1 or logits.shape[-1] == 0 or logits.size == 0:
        raise ValueError(f"Expected logits of shape (..., classes), not empty. Received: logits.shape={logits.shape}.")
    classes = logits.shape[-1]
    check_shape("targets", targets, logits.shape[:-1])
    targets = check_ids("targets", targets, classes)[..., None]
    shifted = logits - logits.max(axis=-1, keepdims=True)
    log_sum = np.log(np.exp(shifted).sum(axis=-1, keepdims=True))  # logsumexp(z) - max(z)
    loss = log_sum - np.take_along_axis(shifted, targets, axis=-1)
    probabilities = np.exp(shifted - log_sum)
    one_hot = np.arange(classes) == targets  # (..., classes): True at the target
    return float(loss.mean()), (probabilities - one_hot) / targets.size
