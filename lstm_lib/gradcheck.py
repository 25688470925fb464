"""Finite-difference gradient checking.

A hand-written backward pass is right when it agrees with the central difference::

    dL/dw_k ~ (L(w + eps e_k) - L(w - eps e_k)) / (2 eps)

for every entry w_k, up to an error of order eps^2. Run it in float64: in float32 the rounding
of L itself is larger than the difference being measured.

Taught in Chapter 1, "A vanilla RNN in NumPy"; Chapters 2 and 3 check their layers with it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np


def numerical_gradient(loss: Callable[[], float], array: np.ndarray, eps: float = 1e-5) -> np.ndarray:
    """Central-difference gradient of ``loss()`` with respect to every entry of ``array``.

    ``array`` is perturbed in place and restored; ``loss`` must read it on each call.
    """
    grad = np.zeros_like(array)
    for index in np.ndindex(array.shape):  # indexes in place, whatever the memory layout
        saved = array[index]
        array[index] = saved + eps
        plus = loss()
        array[index] = saved - eps
        minus = loss()
        array[index] = saved
        grad[index] = (plus - minus) / (2 * eps)
    return grad


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """||a - b|| / max(||a|| + ||b||, tiny): 0 when equal, 1 when opposite."""
    denom = max(float(np.linalg.norm(a) + np.linalg.norm(b)), np.finfo(np.float64).tiny)
    return float(np.linalg.norm(a - b)) / denom


def gradient_errors(
    loss: Callable[[], float],
    arrays: Mapping[str, np.ndarray],
    analytic: Mapping[str, np.ndarray],
    eps: float = 1e-5,
) -> dict[str, float]:
    """The relative error of each analytic gradient against its finite difference.

    Args:
        loss: computes the scalar loss from the current values of ``arrays``.
        arrays: the float64 arrays to check, by name; each is perturbed in place and restored.
        analytic: the hand-written gradients, with the same names and shapes.
    """
    errors = {}
    for name, array in arrays.items():
        if array.dtype != np.float64:
            raise ValueError(f"Expected {name} in float64 for a gradient check. Received: {name}.dtype={array.dtype}.")
        errors[name] = relative_error(analytic[name], numerical_gradient(loss, array, eps))
    return errors
