"""Standardising with the statistics of the training data only: z = (v - mean) / scale.

Fitting the mean and the standard deviation on all the data would let them see the validation and
test values: a small leak, but a leak. Chapter 7 fits them on the training part and applies them to
every part; ``inverse`` maps a model's outputs back to the data's own units.

Taught in Chapter 7, "LSTMs on measured data: forecasting and classifying".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validation import real_array


def _values(name: str, values: object) -> np.ndarray:
    """Measurements as float64: integers and floats are converted, booleans, complex numbers and NaN refused."""
    return real_array(name, values).astype(np.float64)


def _spread(rows: np.ndarray, axis: int | None) -> tuple[np.ndarray, np.ndarray]:
    """The mean and the standard deviation, with the deviation set to 0 where the values do not vary by
    more than rounding (0.1, 0.1, 0.1 has a computed deviation of about 1e-17, not 0)."""
    mean, scale = rows.mean(axis=axis), rows.std(axis=axis)
    rounding = 64 * np.finfo(np.float64).eps * np.abs(rows).max(axis=axis)
    return mean, np.where(scale > rounding, scale, 0.0)


@dataclass(frozen=True)
class Standardizer:
    """z = (v - mean) / scale, one mean and scale for all values, or one per feature (the last axis).

    ``mean`` and ``scale`` are floats (``per_feature=False``) or arrays (features,). Values are real
    numbers, converted to float64, all finite.
    """

    mean: float | np.ndarray
    scale: float | np.ndarray

    @classmethod
    def fit(cls, training: np.ndarray, per_feature: bool = False) -> Standardizer:
        """The mean and the standard deviation of ``training``: over everything, or per last-axis feature.

        A feature that is constant in the training data (to within rounding) keeps the scale 1: it
        stays constant, shifted to 0, instead of turning rounding noise into large values. With
        ``per_feature=False`` a constant training set is refused.
        """
        training = _values("training", training)
        if training.size < 2 or (per_feature and (training.ndim < 2 or training.shape[-1] == 0)):
            raise ValueError(
                f"Expected at least 2 training values{' of shape (..., features)' if per_feature else ''}. "
                f"Received: training.shape={training.shape}."
            )
        if not per_feature:
            mean, scale = _spread(training, None)
            if not scale > 0:
                raise ValueError(f"Expected training values that are not all equal. Received: all {training.flat[0]}.")
            return cls(float(mean), float(scale))
        mean, scale = _spread(training.reshape(-1, training.shape[-1]), 0)
        return cls(mean, np.where(scale > 0, scale, 1.0))

    def _check(self, values: object) -> np.ndarray:
        values = _values("values", values)
        features = np.shape(self.mean)
        if features and (values.ndim < 1 or values.shape[-1] != features[0]):
            raise ValueError(
                f"Expected values of shape (..., {features[0]}), one column per feature the scaler was fitted on. "
                f"Received: values.shape={values.shape}."
            )
        return values

    def transform(self, values: np.ndarray) -> np.ndarray:
        """(v - mean) / scale, float64, shaped like ``values``."""
        return (self._check(values) - self.mean) / self.scale

    def inverse(self, values: np.ndarray) -> np.ndarray:
        """v = z scale + mean: back to the data's own units."""
        return self._check(values) * self.scale + self.mean
