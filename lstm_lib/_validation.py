"""Argument checks shared by the layers of the course: shapes, and sizes such as ``units``.

Each check raises a ``ValueError`` that names the argument, the shape it should have
and the shape it has, in the form "Expected x of shape (batch, time, 3). Received: x.shape=(4, 3)."
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence

import numpy as np

Dim = int | str


def _format(dims: Sequence[Dim]) -> str:
    return "(" + ", ".join(str(d) for d in dims) + ("," if len(dims) == 1 else "") + ")"


def check_shape(name: str, array: np.ndarray, dims: Sequence[Dim]) -> None:
    """Check that ``array`` has ``len(dims)`` axes and that every integer entry of ``dims`` matches.

    A string entry of ``dims`` (``"batch"``) names an axis of free size.
    """
    shape = np.shape(array)
    ok = len(shape) == len(dims) and all(isinstance(d, str) or size == d for size, d in zip(shape, dims))
    if not ok:
        raise ValueError(f"Expected {name} of shape {_format(dims)}. Received: {name}.shape={tuple(shape)}.")


def check_sequence(name: str, x: np.ndarray) -> tuple[int, int, int]:
    """Check a batch-major sequence ``(batch, time, features)`` with at least one step."""
    check_shape(name, x, ("batch", "time", "features"))
    batch, time, features = np.shape(x)
    if time < 1:
        raise ValueError(f"Expected {name} with at least one time step. Received: {name}.shape={np.shape(x)}.")
    return batch, time, features


def check_float(name: str, array: np.ndarray) -> None:
    """Reject integer and boolean arrays where the layer needs floating point numbers."""
    if not np.issubdtype(np.asarray(array).dtype, np.floating):
        raise ValueError(
            f"Expected {name} of a floating point dtype (float32 or float64). "
            f"Received: {name}.dtype={np.asarray(array).dtype}."
        )


def check_ids(name: str, ids: np.ndarray, size: int | None = None) -> np.ndarray:
    """``ids`` as an integer array whose every entry is in [0, size), or only >= 0 without a ``size``.

    For class labels and character ids. Raises ``ValueError("Expected targets in [0, 7). Received:
    min(targets)=0, max(targets)=7.")`` for an entry outside, and names the dtype of an array that does
    not hold integers.
    """
    ids = np.asarray(ids)
    if not np.issubdtype(ids.dtype, np.integer):
        raise ValueError(f"Expected {name} of an integer dtype. Received: {name}.dtype={ids.dtype}.")
    if ids.size and (ids.min() < 0 or (size is not None and ids.max() >= size)):
        expected = f"{name} >= 0" if size is None else f"{name} in [0, {size})"
        raise ValueError(f"Expected {expected}. Received: min({name})={ids.min()}, max({name})={ids.max()}.")
    return ids


def positive_integer(name: str, value: object) -> int:
    """``value`` as a Python ``int`` if it is an integer of any type (``int``, ``numpy.int64``, ...) above 0.

    Raises ``ValueError("Expected units to be a positive integer. Received: units=2.5.")`` otherwise; a
    ``bool`` is refused, although Python counts it as an integer.
    """
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 1:
        raise ValueError(f"Expected {name} to be a positive integer. Received: {name}={value!r}.")
    return int(value)
