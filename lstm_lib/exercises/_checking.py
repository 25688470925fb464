"""How a check runs a learner's function and says what is wrong, in the learner's terms.

A check calls the candidate on a few fixed, seeded cases (:class:`Case`), each of them small and in
float64, and compares every output with the library's own answer (:func:`compare`). It never shows the
library's answer: only which output is wrong, where, by how much, and, when the wrong numbers match a
common mistake computed on the same inputs, the mistake's name. The tolerance is float64 round-off: an
entry off by more than 1e-9 of its size (plus 1e-12) fails, so an answer off by 1e-4 never passes.

Everything the candidate does wrong becomes an ``AssertionError`` with one message: not written yet
(``NotImplementedError``), another exception (with the line of the learner's code that raised it), an
output of the wrong type or shape, NaN or infinity, wrong numbers.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np

RTOL, ATOL = 1e-9, 1e-12


class CheckFailed(AssertionError):
    """A candidate got something wrong; the message says what, in the learner's terms."""


@dataclass(frozen=True)
class Case:
    """One set of inputs for the candidate, and how a message names it ("case 2 of 4, batch 1")."""

    args: dict
    label: str
    sizes: dict = field(default_factory=dict)


def cases_of(make: Callable[[np.random.Generator, dict], dict], shapes: Iterable[dict], seed: int) -> list[Case]:
    """One :class:`Case` per dict of sizes, drawn by ``make(rng, sizes)`` from ``default_rng(seed)``."""
    rng = np.random.default_rng(seed)
    shapes = list(shapes)
    described = [", ".join(f"{k} {v}" for k, v in sizes.items()) for sizes in shapes]
    return [
        Case(make(rng, sizes), f"case {k + 1} of {len(shapes)} ({text})", sizes)
        for k, (sizes, text) in enumerate(zip(shapes, described))
    ]


def _where(error: BaseException) -> str:
    """' (line 4 of your code: ...)', the last line of the traceback outside the course's package."""
    frames = [frame for frame in traceback.extract_tb(error.__traceback__) if "lstm_lib" not in frame.filename]
    if not frames:
        return ""
    frame = frames[-1]
    return f" (line {frame.lineno} of your code: {frame.line.strip()})" if frame.line else f" (line {frame.lineno})"


def call(candidate: Callable, name: str, case: Case, *args, **kwargs):
    """``candidate(*args, **kwargs)``, or ``case.args`` when no arguments are given; any exception
    becomes a :class:`CheckFailed` that says what happened, without a traceback from inside the check."""
    if not callable(candidate):
        raise CheckFailed(f"Expected a function to check. Received: {candidate!r}.")
    if not args and not kwargs:
        kwargs = dict(case.args)
    try:
        return candidate(*args, **kwargs)
    except NotImplementedError:
        raise CheckFailed(
            f"{name} is not written yet: replace its `raise NotImplementedError` with your code."
        ) from None
    except Exception as error:  # noqa: BLE001 - whatever the learner's code raises, say it plainly
        raise CheckFailed(f"{name} raised {type(error).__name__} on {case.label}{_where(error)}: {error}") from None


def as_array(output: str, value: object, shape: tuple, case: Case, mistakes: Mapping | None = None) -> np.ndarray:
    """The candidate's ``output`` as a float array of ``shape``, or a :class:`CheckFailed` that says why not.

    An array of another shape that equals what one of the ``mistakes`` gives is reported as that mistake.
    """
    if isinstance(value, list | tuple):
        raise CheckFailed(
            f"Expected {output} as a NumPy array of shape {tuple(shape)}; on {case.label} it is a "
            f"{type(value).__name__} (np.array(...) or the result of a NumPy operation gives an array)."
        )
    array = np.asarray(value)
    if array.dtype.kind not in "fiu" or array.dtype == object:
        raise CheckFailed(
            f"Expected {output} to hold numbers; on {case.label} it is {type(value).__name__} of dtype {array.dtype}."
        )
    if array.shape != tuple(shape):
        _name_the_mistake(output, array.astype(np.float64), case, mistakes)
        raise CheckFailed(f"Wrong shape of {output} on {case.label}: {array.shape}; it should be {tuple(shape)}.")
    if not np.all(np.isfinite(array)):
        index = tuple(int(i) for i in np.argwhere(~np.isfinite(array))[0])
        raise CheckFailed(f"NaN or infinity in {output} on {case.label}, first at index {index}.")
    return array.astype(np.float64)


def _name_the_mistake(output: str, got: np.ndarray, case: Case, mistakes: Mapping | None) -> None:
    """Raise the named mistake whose output equals ``got``, if one does."""
    for mistake, wrong in (mistakes or {}).items():
        try:
            wrong_value = np.asarray(wrong(), np.float64)
        except (ArithmeticError, ValueError, IndexError, KeyError, TypeError):  # the mistake does not apply here
            continue
        if wrong_value.shape == got.shape and matches(got, wrong_value):
            raise CheckFailed(f"Wrong {output} on {case.label}: {mistake}")


def relative_error(got: np.ndarray, expected: np.ndarray) -> float:
    """||got - expected|| / (||got|| + ||expected||), 0 when both are zero."""
    denominator = float(np.linalg.norm(got) + np.linalg.norm(expected))
    return float(np.linalg.norm(got - expected)) / denominator if denominator > 0 else 0.0


def matches(got: np.ndarray, expected: np.ndarray) -> bool:
    """Equal to float64 round-off, entry by entry."""
    return got.shape == expected.shape and bool(np.all(np.abs(got - expected) <= ATOL + RTOL * np.abs(expected)))


def compare(
    output: str,
    value: object,
    expected: np.ndarray,
    case: Case,
    mistakes: Mapping[str, Callable[[], np.ndarray]] | None = None,
) -> float:
    """Check one output against the library's answer; return its relative error.

    ``mistakes`` maps the name of a common mistake to a function that computes the output that mistake
    gives on this case; when the candidate's wrong numbers equal one of them, the message names it.
    """
    expected = np.asarray(expected, np.float64)
    got = as_array(output, value, expected.shape, case, mistakes)
    if matches(got, expected):
        return relative_error(got, expected)
    _name_the_mistake(output, got, case, mistakes)
    difference = np.abs(got - expected)
    index = tuple(int(i) for i in np.unravel_index(np.argmax(difference), difference.shape))
    raise CheckFailed(
        f"Wrong {output} on {case.label}: the largest error is {difference.max():.2e} at index {index} "
        f"(relative error of the whole array {relative_error(got, expected):.1e}; round-off would be below 1e-12)."
    )


def numerical_gradient(function: Callable[[], float], array: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Central differences of ``function()`` for every entry of ``array``, perturbed in place and restored."""
    grad = np.zeros_like(array)
    for index in np.ndindex(array.shape):
        saved = array[index]
        try:
            array[index] = saved + eps
            plus = function()
            array[index] = saved - eps
            minus = function()
        finally:
            array[index] = saved
        grad[index] = (plus - minus) / (2 * eps)
    return grad


def bound(error: float) -> str:
    """An error as the power of ten above it, from 1e-15 up: "below 1e-15", "below 1e-9".

    The last bits of a result differ between processors, so a printed error is a bound, which does not.
    """
    return f"below 1e{max(-15, int(np.floor(np.log10(error))) + 1) if error > 0 else -15}"


def passed(name: str, cases: list[Case], error: float, extra: str = "") -> None:
    """The one line a check prints when everything was right: what, on how many cases, how close."""
    print(f"{name}: right on all {len(cases)} cases; largest relative error {bound(error)}{extra}.", file=sys.stdout)


def check_step_backward(
    name: str,
    candidate: Callable,
    cases: list[Case],
    backward_inputs: Callable[[Case], dict],
    reference: Callable[..., dict],
    forward: Callable,
    forward_name: str,
    forward_loss: Callable[[object, dict], float],
    gradients: Mapping[str, str],
    mistakes: Callable[[str, Case, dict], Mapping[str, Callable[[], np.ndarray]]],
) -> None:
    """The check of a backward step, shared by the RNN, the LSTM and the GRU.

    For each case the candidate gets ``backward_inputs(case)`` and must return a dict with a gradient
    for every key of ``gradients`` (which maps the key to the forward step's argument it is the
    gradient of). Each gradient is compared with ``reference`` and with finite differences of
    L = ``forward_loss(forward(**case.args), backward inputs)``, ``forward`` being the learner's forward
    step when they give it. A gradient that agrees with the finite differences of the learner's forward
    but not with the reference means the forward is the half to fix, and the message says so; a right
    backward whose forward disagrees passes, with a line that says the forward is not right yet.
    """
    worst, disagreement = 0.0, 0.0
    for case in cases:
        inputs = backward_inputs(case)
        got = call(candidate, name, Case({k: _copy(v) for k, v in inputs.items()}, case.label))
        if not isinstance(got, dict) or set(gradients) - set(got):
            keys = sorted(got) if isinstance(got, dict) else type(got).__name__
            raise CheckFailed(
                f"{name} should return a dict with the keys {sorted(gradients)}; on {case.label} it returned {keys}."
            )
        arrays = {k: np.array(v, np.float64) for k, v in case.args.items()}

        def loss(arrays: dict = arrays, inputs: dict = inputs, case: Case = case) -> float:
            return float(forward_loss(call(forward, forward_name, case, **arrays), inputs))

        expected = reference(**{k: _copy(v) for k, v in inputs.items()})
        for key, argument in gradients.items():
            label = f"d{argument} (the dict's {key!r})"
            numerical = numerical_gradient(loss, arrays[argument])
            value = got[key]
            if matches_shape(value, expected[key]) and not matches(np.asarray(value, np.float64), expected[key]):
                if relative_error(np.asarray(value, np.float64), numerical) < 1e-6:
                    raise CheckFailed(
                        f"{label} agrees with finite differences of {forward_name}, but not with the right "
                        f"gradient on {case.label}: your two halves agree with each other, so the forward step is "
                        "the one to fix (its own check says how)."
                    )
            worst = max(worst, compare(label, value, expected[key], case, mistakes(key, case, inputs)))
            disagreement = max(disagreement, relative_error(np.asarray(value, np.float64), numerical))
    if disagreement < 1e-6:
        passed(
            name,
            cases,
            worst,
            f"; it agrees with finite differences of {forward_name} (relative error below 1e-6)",
        )
    else:
        passed(
            name,
            cases,
            worst,
            f"; but {forward_name} is not right yet: its finite differences give other "
            f"gradients (relative error {disagreement:.1e})",
        )


def matches_shape(value: object, expected: np.ndarray) -> bool:
    return isinstance(value, np.ndarray) and value.shape == np.shape(expected) and value.dtype.kind == "f"


def _copy(value: object) -> object:
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, tuple):
        return tuple(_copy(v) for v in value)
    return value
