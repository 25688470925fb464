"""Classifying sequences of different lengths: padding, a held-out set per class, and a baseline.

Chapter 7 classifies utterances, sequences x_1, ..., x_T of D features with T from 7 to 29. A
recurrent model reads them padded to one length with a mask (:func:`pad_sequences`); the baseline it
must beat ignores the order of the frames: a **softmax regression** (multinomial logistic regression)
on the mean and the standard deviation of each feature over the frames (:func:`summary_features`)::

    s   = (mean_t x_t, std_t x_t)                   (2D,) summary of a sequence
    z   = ((s - m) / d) W + b                        (classes,) logits; m, d from the training set
    p   = softmax(z)
    L   = mean_n -log p_n[y_n] + (l2 / 2) ||W||^2    fitted by Adam, full batch

Taught in Chapter 7, "LSTMs on measured data: forecasting and classifying".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ._validation import check_ids, check_shape, positive_integer, real_array, real_number
from .losses import softmax_cross_entropy
from .optim import Adam
from .scaling import Standardizer


def _lengths(sequences: Sequence[np.ndarray]) -> tuple[np.ndarray, int]:
    if isinstance(sequences, np.ndarray | str) or not isinstance(sequences, Sequence):
        raise ValueError(f"Expected a list of sequences (time, features). Received: {type(sequences).__name__}.")
    if len(sequences) == 0:
        raise ValueError("Expected at least one sequence. Received: an empty list.")
    for k, s in enumerate(sequences):
        real_array(f"sequences[{k}]", s)
    features = {np.shape(s)[1] if np.ndim(s) == 2 else None for s in sequences}
    if len(features) != 1 or None in features or any(len(s) == 0 for s in sequences):
        shapes = sorted({np.shape(s) for s in sequences})[:3]
        raise ValueError(
            f"Expected sequences of shape (time >= 1, features), all with the same features. Received: {shapes}."
        )
    return np.array([len(s) for s in sequences]), features.pop()


def pad_sequences(
    sequences: Sequence[np.ndarray], length: int | None = None, value: float = 0.0
) -> tuple[np.ndarray, np.ndarray]:
    """Sequences (T_n, D) stacked into one array (n, length, D), each padded at its end with ``value``.

    ``length`` defaults to the longest T_n; a longer sequence is refused. Returns ``(padded, mask)``
    with the boolean mask (n, length) True at the real frames: the mask a Keras recurrent layer takes
    (``keras.layers.Masking(value)`` makes the same one, unless a real frame equals ``value`` throughout).
    """
    lengths, features = _lengths(sequences)
    length = int(lengths.max()) if length is None else positive_integer("length", length)
    value = real_number("value", value)
    if lengths.max() > length:
        raise ValueError(f"Expected sequences of at most length={length} frames. Received: {lengths.max()}.")
    padded = np.full((len(sequences), length, features), value, dtype=np.float64)
    for row, sequence in zip(padded, sequences):
        row[: len(sequence)] = sequence
    return padded, np.arange(length) < lengths[:, None]


def summary_features(sequences: Sequence[np.ndarray]) -> np.ndarray:
    """The mean and the standard deviation of each feature over a sequence's frames: (n, 2D).

    The order of the frames is lost: a shuffled utterance has the same summary.
    """
    _lengths(sequences)
    return np.stack([np.concatenate([s.mean(axis=0), s.std(axis=0)]) for s in map(np.asarray, sequences)])


@dataclass(frozen=True)
class SoftmaxRegression:
    """z = ((s - m) / d) W + b: logits (n, classes) from features s (n, F); ``scaler`` holds m and d."""

    weights: np.ndarray
    bias: np.ndarray
    scaler: Standardizer

    def logits(self, features: np.ndarray) -> np.ndarray:
        features = real_array("features", features)
        check_shape("features", features, ("batch", self.weights.shape[0]))
        return self.scaler.transform(features) @ self.weights + self.bias

    def predict(self, features: np.ndarray) -> np.ndarray:
        """The most likely class of each row, (n,)."""
        return self.logits(features).argmax(axis=1)


def softmax_regression_loss(
    params: dict[str, np.ndarray], s: np.ndarray, labels: np.ndarray, l2: float
) -> tuple[float, dict[str, np.ndarray]]:
    """L = mean_n -log softmax(s_n W + b)[y_n] + (l2 / 2) ||W||^2 and its gradients {"W", "b"}.

    ``s`` (n, F) are standardised features; dL/dW = s^T dL/dz + l2 W and dL/db = sum_n dL/dz_n.
    """
    loss, d_logits = softmax_cross_entropy(s @ params["W"] + params["b"], labels)
    loss += 0.5 * l2 * float(np.sum(params["W"] ** 2))
    return loss, {"W": s.T @ d_logits + l2 * params["W"], "b": d_logits.sum(axis=0)}


def fit_softmax_regression(
    features: np.ndarray,
    labels: np.ndarray,
    classes: int,
    l2: float = 1e-3,
    steps: int = 500,
    learning_rate: float = 0.05,
) -> SoftmaxRegression:
    """Fit :class:`SoftmaxRegression` by ``steps`` full-batch Adam steps from zero weights.

    The features are standardised with the training set's mean and standard deviation; the loss is
    the mean cross-entropy (:func:`lstm_lib.losses.softmax_cross_entropy`) plus (l2 / 2) ||W||^2.
    Deterministic: no random start, no batches.
    """
    features = real_array("features", features)
    check_shape("features", features, ("batch", "features"))
    check_shape("labels", labels, (features.shape[0],))
    labels = check_ids("labels", labels, positive_integer("classes", classes))
    if real_number("l2", l2) < 0:
        raise ValueError(f"Expected l2 >= 0. Received: l2={l2}.")
    scaler = Standardizer.fit(features, per_feature=True)
    s = scaler.transform(features)
    params = {"W": np.zeros((s.shape[1], classes)), "b": np.zeros(classes)}
    optimizer = Adam(learning_rate)
    for _ in range(positive_integer("steps", steps)):
        optimizer.step(params, softmax_regression_loss(params, s, labels, l2)[1])
    return SoftmaxRegression(params["W"], params["b"], scaler)


def confusion_matrix(labels: np.ndarray, predicted: np.ndarray, classes: int) -> np.ndarray:
    """counts[i, j]: how many members of class i were predicted as class j, (classes, classes)."""
    classes = positive_integer("classes", classes)
    labels, predicted = check_ids("labels", labels, classes), check_ids("predicted", predicted, classes)
    check_shape("predicted", predicted, np.shape(labels))
    counts = np.zeros((classes, classes), dtype=np.int64)
    np.add.at(counts, (labels, predicted), 1)
    return counts
