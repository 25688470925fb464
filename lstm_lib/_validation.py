"""The argument checks every public function of the course shares: one rule per kind of input.

Each check raises an error that names the argument, says what was expected and shows what was
received, in the form "Expected x of shape (batch, time, 3). Received: x.shape=(4, 3)." A wrong *type*
(a float where an integer belongs, a seed where a generator belongs, integers where a layer needs
floating point numbers) raises :class:`ArgumentTypeError`, which is a ``TypeError`` and also a
``ValueError`` (Keras raises ``ValueError`` for a wrong argument, and the course's Keras layer replaces
Keras's); a right type with a wrong *value* (a shape, a sign, a NaN) raises ``ValueError``.

The rules, by kind of input:

* **Arrays of numbers** (inputs, weights, states, gradients): anything ``numpy.asarray`` turns into a
  rectangular array of real floating point numbers, so nested lists are accepted. Integers, booleans,
  complex numbers and objects are refused rather than converted; a ragged list is refused. Where a
  function computes, it does so in the widest floating dtype of its arrays (float32 with float64 gives
  float64). NaN and infinity are refused where they could only produce garbage.
* **Sizes and counts** (``units``, ``batch``, ``steps``): an integer of any integer type, never a bool
  or a float, above 0 (or at least 0 where the docstring says so).
* **Random numbers**: a ``numpy.random.Generator`` (``numpy.random.default_rng(seed)``), never a seed,
  so that who draws what, in which order, is visible in the caller's code.
* **Ids** (characters, classes): integers in [0, size).

Used by every module: the error messages every chapter shows come from here.
"""

from __future__ import annotations

import functools
import inspect
import numbers
from collections.abc import Callable, Mapping, Sequence

import numpy as np

Dim = int | str


class ArgumentTypeError(TypeError, ValueError):
    """An argument of the wrong type: a ``TypeError``, and a ``ValueError`` as Keras's argument checks raise."""


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
    """Check a batch-major sequence ``(batch, time, features)`` with at least one sequence, step and feature."""
    check_shape(name, x, ("batch", "time", "features"))
    if 0 in np.shape(x):
        raise ValueError(
            f"Expected {name} with at least one sequence, one time step and one feature. "
            f"Received: {name}.shape={np.shape(x)}."
        )
    return np.shape(x)


def float_array(name: str, value: object, finite: bool = True) -> np.ndarray:
    """``value`` as a NumPy array of real floating point numbers, without a copy where it already is one.

    Lists and tuples are converted; integers, booleans, complex numbers, objects and ragged lists are
    refused (``TypeError``), and so are NaN and infinity unless ``finite`` is False (``ValueError``).
    """
    try:
        array = np.asarray(value)
    except ValueError as error:  # a ragged nested list
        raise ArgumentTypeError(
            f"Expected {name} as an array of numbers with one length per axis. Received: {error}"
        ) from None
    if not np.issubdtype(array.dtype, np.floating):
        raise ArgumentTypeError(
            f"Expected {name} of a floating point dtype (float32 or float64). Received: {name}.dtype={array.dtype}."
        )
    if finite:
        check_finite(name, array)
    return array


def real_array(name: str, value: object) -> np.ndarray:
    """``value`` as an array of real numbers, integers or floats, all finite, in its own dtype.

    For measurements and targets, where integers are numbers like any other: booleans, complex numbers,
    objects, ragged lists, NaN and infinity are refused.
    """
    try:
        array = np.asarray(value)
    except ValueError as error:
        raise ArgumentTypeError(
            f"Expected {name} as an array of numbers with one length per axis. Received: {error}"
        ) from None
    if array.dtype.kind not in "iuf":
        raise ArgumentTypeError(f"Expected {name} of real numbers. Received: {name}.dtype={array.dtype}.")
    check_finite(name, array)
    return array


def check_finite(name: str, array: np.ndarray) -> None:
    """Refuse NaN and infinity, naming how many entries hold one and where the first is."""
    finite = np.isfinite(array)
    if not finite.all():
        bad = np.argwhere(~finite)
        first = tuple(int(i) for i in bad[0])
        raise ValueError(
            f"Expected finite values in {name}. Received: {len(bad)} NaN or infinite "
            f"{'entry' if len(bad) == 1 else 'entries'}, the first {name}[{', '.join(map(str, first))}]"
            f"={np.asarray(array)[first]}."
        )


def check_ids(name: str, ids: np.ndarray, size: int | None = None) -> np.ndarray:
    """``ids`` as an integer array whose every entry is in [0, size), or only >= 0 without a ``size``.

    For class labels and character ids. Raises ``ValueError("Expected targets in [0, 7). Received:
    min(targets)=0, max(targets)=7.")`` for an entry outside, and ``TypeError`` naming the dtype of an
    array that does not hold integers (booleans included).
    """
    ids = np.asarray(ids)
    if not np.issubdtype(ids.dtype, np.integer):
        raise ArgumentTypeError(f"Expected {name} of an integer dtype. Received: {name}.dtype={ids.dtype}.")
    if ids.size and (ids.min() < 0 or (size is not None and ids.max() >= size)):
        expected = f"{name} >= 0" if size is None else f"{name} in [0, {size})"
        raise ValueError(f"Expected {expected}. Received: min({name})={ids.min()}, max({name})={ids.max()}.")
    return ids


def integer(name: str, value: object, minimum: int = 1) -> int:
    """``value`` as a Python ``int`` if it is an integer of any type (``int``, ``numpy.int64``) >= ``minimum``.

    A ``bool`` or a float (``2.0`` too) is refused with ``TypeError``, although Python counts ``True`` as
    an integer; a value below ``minimum`` with ``ValueError``.
    """
    expected = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
    if not isinstance(value, numbers.Integral) or isinstance(value, bool | np.bool_):
        raise ArgumentTypeError(f"Expected {name} to be {expected}. Received: {name}={value!r}.")
    if value < minimum:
        raise ValueError(f"Expected {name} to be {expected}. Received: {name}={value!r}.")
    return int(value)


def positive_integer(name: str, value: object) -> int:
    """``value`` as a Python ``int`` above 0: :func:`integer` with ``minimum=1``."""
    return integer(name, value, 1)


def real_number(name: str, value: object, low: float = -np.inf, high: float = np.inf, open_low: bool = False) -> float:
    """``value`` as a finite Python ``float`` in [low, high] ((low, high] with ``open_low``).

    Any real number type is accepted; a bool, a string or an array is refused with ``TypeError``, NaN,
    infinity and a value outside the interval with ``ValueError``.
    """
    if not isinstance(value, numbers.Real) or isinstance(value, bool | np.bool_):
        raise ArgumentTypeError(f"Expected {name} to be a number. Received: {name}={value!r}.")
    number = float(value)
    below = number <= low if open_low else number < low
    if not np.isfinite(number) or below or number > high:
        raise ValueError(f"Expected {name} {_interval(low, high, open_low)}. Received: {name}={value!r}.")
    return number


def _interval(low: float, high: float, open_low: bool) -> str:
    """ "> 0", ">= 0", "<= 1" or "in [0, 1]": how a message names the numbers allowed."""
    if np.isinf(high):
        return "(a finite number)" if np.isinf(low) else f"{'>' if open_low else '>='} {low:g}"
    if np.isinf(low):
        return f"<= {high:g}"
    return f"in {'(' if open_low else '['}{low:g}, {high:g}]"


def positive_number(name: str, value: object) -> float:
    """``value`` as a finite float above 0 (a learning rate, a temperature, a clipping norm)."""
    return real_number(name, value, 0.0, np.inf, open_low=True)


def generator(name: str, value: object) -> np.random.Generator:
    """``value`` itself if it is a ``numpy.random.Generator``; a seed or anything else is refused."""
    if not isinstance(value, np.random.Generator):
        raise ArgumentTypeError(
            f"Expected {name} to be a numpy.random.Generator, such as numpy.random.default_rng(0). "
            f"Received: {name}={value!r}."
        )
    return value


def float_dtype(name: str, dtype: object) -> np.dtype:
    """``dtype`` as a NumPy floating dtype (float32, float64); an integer or complex dtype is refused."""
    try:
        resolved = np.dtype(dtype)
    except TypeError:
        raise ArgumentTypeError(f"Expected {name} to be a floating point dtype. Received: {name}={dtype!r}.") from None
    if not np.issubdtype(resolved, np.floating):
        raise ArgumentTypeError(f"Expected {name} to be a floating point dtype. Received: {name}={resolved}.")
    return resolved


def integer_array(name: str, value: object) -> np.ndarray:
    """``value`` as an array of integers (of any integer dtype); booleans, floats and others are refused."""
    array = np.asarray(value)
    if array.dtype.kind not in "iu":
        raise ArgumentTypeError(f"Expected {name} of an integer dtype. Received: {name}.dtype={array.dtype}.")
    return array


def _parse_dims(spec: str) -> list[tuple[int, str]]:
    """ "batch, 4 units" -> [(1, "batch"), (4, "units")]; a number alone is a fixed size: "2" -> (2, "")."""
    dims = []
    for part in spec.split(","):
        words = part.split()
        if len(words) == 1 and words[0].isdigit():
            dims.append((int(words[0]), ""))
        elif len(words) == 1:
            dims.append((1, words[0]))
        else:
            dims.append((int(words[0]), words[1]))
    return dims


def check_dims(arrays: Mapping[str, object], specs: Mapping[str, str]) -> dict[str, int]:
    """Check named arrays against shapes written with named sizes, which must agree across the arrays.

    ``specs`` maps an argument's name to its shape, such as ``"batch, features"`` or ``"features, 4 units"``
    (a size written ``4 units`` is four times the size ``units``), or ``"each: batch, units"`` for a tuple
    of arrays of that shape. Every array must hold finite real floating point numbers (:func:`float_array`),
    every named size must be at least 1 and the same wherever it appears. Returns the sizes by name.
    """
    arrays, expanded = dict(arrays), {}
    for name, spec in specs.items():
        if spec.startswith("each:"):
            value = arrays[name]
            if not isinstance(value, tuple | list) or not value:
                raise ValueError(f"Expected {name} as a tuple of arrays. Received: {type(value).__name__}.")
            for k, item in enumerate(value):
                arrays[f"{name}[{k}]"] = item
                expanded[f"{name}[{k}]"] = spec.removeprefix("each:")
        else:
            expanded[name] = spec
    sizes: dict[str, int] = {}
    for name, spec in expanded.items():
        value = arrays[name]
        array = float_array(name, value)
        dims = _parse_dims(spec)
        fits = array.ndim == len(dims) and all(
            size == k if not symbol else size % k == 0 and size > 0 and sizes.get(symbol, size // k) == size // k
            for size, (k, symbol) in zip(array.shape, dims)
        )
        if not fits:
            raise ValueError(f"Expected {name} of shape {_shown(dims, sizes)}. Received: {name}.shape={array.shape}.")
        sizes.update({symbol: size // k for size, (k, symbol) in zip(array.shape, dims) if symbol})
    return sizes


def _shown(dims: list[tuple[int, str]], sizes: dict[str, int]) -> str:
    """The expected shape, with the sizes known so far as numbers: "(3, 4 * units)"."""
    shown = [
        str(k * sizes[symbol]) if symbol in sizes else (f"{k} * {symbol}" if k > 1 else symbol or str(k))
        for k, symbol in dims
    ]
    return _format(shown)


def check_shapes(**specs: str) -> Callable:
    """A decorator that checks a function's array arguments with :func:`check_dims` at every call.

    The shapes it is given are the function's documentation too: ``@check_shapes(x_t="batch, features",
    h_prev="batch, units", kernel="features, units")``. Arguments that are None are not checked.
    """

    def decorate(function: Callable) -> Callable:
        signature = inspect.signature(function)

        @functools.wraps(function)
        def checked(*args, **kwargs):
            bound = signature.bind(*args, **kwargs).arguments
            check_dims(bound, {name: spec for name, spec in specs.items() if bound.get(name) is not None})
            return function(*args, **kwargs)

        return checked

    return decorate
