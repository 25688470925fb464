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

from ._validation import check_finite, check_shape, float_array, positive_number


def numerical_gradient(loss: Callable[[], float], array: np.ndarray, eps: float = 1e-5) -> np.ndarray:
    """Central-difference gradient of ``loss()`` with respect to every entry of ``array``.

    ``array`` must be a float64 NumPy array (an integer one cannot hold w + eps, and in float32 the
    rounding of the loss swamps the difference); it is perturbed in place and restored, also when
    ``loss`` raises. ``loss`` must read it on each call and return a finite number.
    """
    if not isinstance(array, np.ndarray) or array.dtype != np.float64:
        dtype = array.dtype if isinstance(array, np.ndarray) else type(array).__name__
        raise ValueError(
            f"Expected array as a float64 NumPy array, which the check perturbs in place. Received: {dtype}."
        )
    eps = positive_number("eps", eps)
    grad = np.zeros_like(array)
    for index in np.ndindex(array.shape):  # indexes in place, whatever the memory layout
        saved = array[index]
        try:
            array[index] = saved + eps
            plus = _value(loss)
            array[index] = saved - eps
            minus = _value(loss)
        finally:
            array[index] = saved
        grad[index] = (plus - minus) / (2 * eps)
    return grad


def _value(loss: Callable[[], float]) -> float:
    value = loss()
    if not isinstance(value, int | float | np.floating | np.integer) or not np.isfinite(value):
        raise ValueError(f"Expected loss() to return a finite number. Received: {value!r}.")
    return float(value)


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """||a - b|| / max(||a|| + ||b||, tiny): 0 when equal, 1 when opposite.

    ``a`` and ``b`` must have the same shape (no broadcasting: a (3,) gradient against a (1,) one is a
    mistake, not a match) and finite entries.
    """
    a, b = float_array("a", a), float_array("b", b)
    check_shape("b", b, a.shape)
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
    missing = sorted(set(arrays) - set(analytic))
    if missing:
        raise ValueError(f"Expected an analytic gradient for every array. Received: none for {missing}.")
    errors = {}
    for name, array in arrays.items():
        if not isinstance(array, np.ndarray) or array.dtype != np.float64:
            dtype = getattr(array, "dtype", type(array).__name__)
            raise ValueError(f"Expected {name} in float64 for a gradient check. Received: {name}.dtype={dtype}.")
        check_shape(f"analytic[{name!r}]", analytic[name], array.shape)
        check_finite(f"analytic[{name!r}]", float_array(f"analytic[{name!r}]", analytic[name], finite=False))
        errors[name] = relative_error(analytic[name], numerical_gradient(loss, array, eps))
    return errors
