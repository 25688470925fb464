"""Losses that return their value and their gradient together, as the NumPy chapters need.

Each takes the model's raw output and the target, averages over every element (for the softmax, over
every position), and returns ``(loss, d_output)`` with ``d_output`` shaped like the output. The outputs
must be finite floats: a NaN logit would make a NaN loss and NaN gradients, so it is refused here, where
the mistake can still be found.

The masked sequence cross-entropy averages over the real symbols of padded sequences only.

Taught in Chapter 1 (the binary cross-entropy), Chapter 6 (the softmax cross-entropy) and Chapter 8
(the masked sequence cross-entropy).
"""

from __future__ import annotations

import numpy as np

from ._validation import ArgumentTypeError, check_ids, check_shape, float_array
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


def masked_sequence_cross_entropy(
    logits: np.ndarray, targets: np.ndarray, mask: np.ndarray
) -> tuple[float, np.ndarray]:
    """Mean of -log softmax(z)[y] over the positions where ``mask`` is True, in nats, and its gradient.

    For a decoder's logits z (batch, time, classes), its targets y (batch, time) and mask (batch, time)
    (True at real symbols, False at padding), with M = the number of True entries:

        L = (1/M) sum over masked-in (n, t) of  logsumexp(z_nt) - z_nt[y_nt]
        dL/dz_nt = (softmax(z_nt) - onehot(y_nt)) / M   where mask[n, t], and 0 at the padding.

    Padding adds nothing to the loss or to any gradient, whatever its logits and targets hold, and a
    long sequence counts for more than a short one (each symbol counts once), as Keras does with a mask.
    """
    logits = float_array("logits", logits)
    check_shape("logits", logits, ("batch", "time", "classes"))
    check_shape("targets", targets, logits.shape[:2])
    targets = check_ids("targets", targets, logits.shape[2])
    mask = np.asarray(mask)
    if mask.dtype != bool:
        raise ArgumentTypeError(f"Expected mask of booleans. Received: mask.dtype={mask.dtype}.")
    check_shape("mask", mask, logits.shape[:2])
    count = int(mask.sum())
    if count == 0:
        raise ValueError("Expected at least one True in mask: the loss of no symbols is undefined.")
    shifted = logits - logits.max(axis=-1, keepdims=True)
    log_sum = np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    picked = np.take_along_axis(shifted, targets[..., None], axis=-1)
    loss = np.where(mask, (log_sum - picked)[..., 0], 0.0).sum() / count
    gradient = np.exp(shifted - log_sum) - (np.arange(logits.shape[2]) == targets[..., None])
    return float(loss), np.where(mask[..., None], gradient, 0.0) / count
