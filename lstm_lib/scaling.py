"""Standardising with the statistics of the training data only: z = (v - mean) / scale.

Fitting the mean and the standard deviation on all the data would let them see the validation and
test values: a small leak, but a leak. Chapter 7 fits them on the training part and applies them to
every part; ``inverse`` maps a model's outputs back to the data's own units.

Taught in Chapter 7, "LSTMs on measured data: forecasting and classifying".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Standardizer:
    """z = (v - mean) / scale, one mean and scale for all values, or one per feature (the last axis).

    ``mean`` and ``scale`` are floats (``per_feature=False``) or arrays (features,).
    """

    mean: float | np.ndarray
    scale: float | np.ndarray

    @classmethod
    def fit(cls, training: np.ndarray, per_feature: bool = False) -> Standardizer:
        """The mean and the standard deviation of ``training``: over everything, or per last-axis feature.

        A feature that is constant in the training data keeps the scale 1 (it stays constant, shifted
        to 0); with ``per_feature=False`` a constant training set is refused.
        """
        training = np.asarray(training, dtype=np.float64)
        if training.size < 2 or (per_feature and training.ndim < 2):
            raise ValueError(
                f"Expected at least 2 training values{' of shape (..., features)' if per_feature else ''}. "
                f"Received: training.shape={training.shape}."
            )
        if not per_feature:
            scale = float(training.std())
            if not scale > 0:
                raise ValueError(f"Expected training values that are not all equal. Received: all {training.flat[0]}.")
            return cls(float(training.mean()), scale)
        rows = training.reshape(-1, training.shape[-1])
        scale = rows.std(axis=0)
        return cls(rows.mean(axis=0), np.where(scale > 0, scale, 1.0))

    def transform(self, values: np.ndarray) -> np.ndarray:
        return (np.asarray(values, dtype=np.float64) - self.mean) / self.scale

    def inverse(self, values: np.ndarray) -> np.ndarray:
        return np.asarray(values, dtype=np.float64) * self.scale + self.mean
