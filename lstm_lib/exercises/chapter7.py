"""The checks of Chapter 7's workbook: a split by time that leaks nothing, scaling from the training part,
and the persistence baseline."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..scaling import Standardizer
from ..series import persistence, split_windows, windows
from ..splits import contiguous_split
from ._checking import Case, CheckFailed, call, compare, passed


def _series_cases() -> list[Case]:
    rng = np.random.default_rng(701)
    specs = [(60, 5, 1, 0.15, 0.15), (100, 12, 3, 0.2, 0.1), (41, 3, 2, 0.25, 0.25)]
    return [
        Case(
            {
                "series": np.cumsum(rng.standard_normal(n)),
                "lookback": lookback,
                "horizon": horizon,
                "validation": validation,
                "test": test,
            },
            f"case {k + 1} of {len(specs)} ({n} values, lookback {lookback}, horizon {horizon}, "
            f"validation {validation}, test {test})",
        )
        for k, (n, lookback, horizon, validation, test) in enumerate(specs)
    ]


def _split_mistakes(a: dict, part: str, index: int) -> dict[str, Callable[[], np.ndarray]]:
    def each_part_alone() -> np.ndarray:
        pieces = dict(zip(("train", "validation", "test"), contiguous_split(a["series"], a["validation"], a["test"])))
        return windows(pieces[part], a["lookback"], a["horizon"])[index]

    def by_window_start() -> np.ndarray:
        x, y = windows(a["series"], a["lookback"], a["horizon"])
        n = len(a["series"])
        first, second = round(n * (1 - a["validation"] - a["test"])), round(n * (1 - a["test"]))
        starts = np.arange(len(x))  # a window's first input
        keep = {"train": starts < first, "validation": (starts >= first) & (starts < second), "test": starts >= second}[
            part
        ]
        return (x, y)[index][keep]

    return {
        f"the {part} windows take their inputs from the {part} part alone: a window may read the values "
        "before its part (the past is known), only its targets must lie inside it.": each_part_alone,
        "the windows are assigned by their first input: a window belongs to the part of its first target, "
        "or its targets would reach into the next part.": by_window_start,
    }


def check_split_windows(candidate: Callable) -> None:
    """Check ``split_windows(series, lookback, horizon=1, validation=0.15, test=0.15) -> dict``.

    The series is cut by time (``lstm_lib.splits.contiguous_split``); each part's windows (x (n, lookback),
    y (n, horizon)) have every target inside that part, in order, and their inputs may reach back into the
    part before. The dict maps "train", "validation" and "test" to (x, y).
    """
    cases, worst = _series_cases(), 0.0
    for case in cases:
        a = case.args
        got = call(candidate, "split_windows", Case({**a, "series": a["series"].copy()}, case.label))
        expected = split_windows(**a)
        if not isinstance(got, dict) or set(got) != set(expected):
            raise CheckFailed(
                f"split_windows should return a dict with 'train', 'validation' and 'test'; on "
                f"{case.label} it returned {sorted(got) if isinstance(got, dict) else type(got).__name__}."
            )
        for part, (x, y) in expected.items():
            if not (isinstance(got[part], tuple | list) and len(got[part]) == 2):
                raise CheckFailed(
                    f"split_windows(...)[{part!r}] should be (x, y); on {case.label} it is {type(got[part]).__name__}."
                )
            worst = max(worst, compare(f"the {part} windows x", got[part][0], x, case, _split_mistakes(a, part, 0)))
            worst = max(worst, compare(f"the {part} targets y", got[part][1], y, case, _split_mistakes(a, part, 1)))
    passed("split_windows", cases, worst, "; no target is in two parts")


def _persistence_mistakes(x: np.ndarray, horizon: int) -> dict[str, Callable[[], np.ndarray]]:
    return {
        "the forecast repeats the oldest value of the window: persistence repeats the newest, x[:, -1].": lambda: (
            np.repeat(x[:, :1], horizon, axis=1)
        ),
        "the forecast is the window's mean: persistence repeats its last value.": lambda: np.repeat(
            x.mean(axis=1, keepdims=True), horizon, axis=1
        ),
    }


def check_persistence(candidate: Callable) -> None:
    """Check ``persistence(x, horizon=1) -> forecasts``: "tomorrow is like today", y_hat_{t+k} = y_{t-1} for
    k = 0 .. horizon - 1, from windows x (n, lookback); forecasts (n, horizon)."""
    rng = np.random.default_rng(703)
    specs = [(1, 1, 1), (4, 5, 1), (6, 3, 4)]
    cases = [
        Case(
            {"x": rng.standard_normal((n, lookback)), "horizon": horizon},
            f"case {k + 1} of {len(specs)} ({n} windows of {lookback}, horizon {horizon})",
        )
        for k, (n, lookback, horizon) in enumerate(specs)
    ]
    worst = 0.0
    for case in cases:
        x, horizon = case.args["x"], case.args["horizon"]
        got = call(candidate, "persistence", Case({"x": x.copy(), "horizon": horizon}, case.label))
        mistakes = _persistence_mistakes(x, horizon)
        worst = max(worst, compare("the forecasts", got, persistence(x, horizon), case, mistakes))
    passed("persistence", cases, worst)


def check_standardizer_fit(candidate: Callable) -> None:
    """Check ``fit(training, per_feature=False) -> Standardizer``, as ``Standardizer.fit``.

    The mean and the standard deviation (NumPy's, ddof=0) of the training values: over all of them, or per
    feature (the last axis) with ``per_feature=True``, where a feature constant in the training data keeps
    the scale 1. Return ``lstm_lib.scaling.Standardizer(mean, scale)``.
    """
    rng = np.random.default_rng(705)
    constant = rng.standard_normal((20, 3)) * [1.0, 10.0, 0.0] + [0.0, 5.0, 0.1]
    specs = [
        (rng.standard_normal(50) * 3 + 7, False, "50 values"),
        (rng.standard_normal((30, 4)) * [1, 2, 3, 4], True, "30 rows of 4 features, per feature"),
        (constant, True, "a constant third feature, per feature"),
    ]
    cases = [
        Case({"training": t, "per_feature": p}, f"case {k + 1} of {len(specs)} ({label})")
        for k, (t, p, label) in enumerate(specs)
    ]
    worst = 0.0
    for case in cases:
        t, per = case.args["training"], case.args["per_feature"]
        got = call(candidate, "fit", Case({"training": t.copy(), "per_feature": per}, case.label))
        if not hasattr(got, "mean") or not hasattr(got, "scale"):
            raise CheckFailed(
                f"fit should return a Standardizer(mean, scale); on {case.label} it returned {type(got).__name__}."
            )
        expected = Standardizer.fit(t, per_feature=per)
        axis = 0 if per else None
        mistakes = {
            "this is the sample standard deviation (ddof=1): the course's, and NumPy's default, is ddof=0.": (
                lambda t=t, axis=axis: np.std(t, axis=axis, ddof=1)
            ),
            "the statistics are taken per row: per feature means over the rows, along axis 0.": lambda t=t: np.std(
                t, axis=1
            ),
            "a constant feature got the scale 0: it keeps 1, or every value becomes a division by zero.": lambda t=t: (
                np.std(t, axis=0)
            ),
        }
        worst = max(worst, compare("the mean", np.asarray(got.mean, np.float64), np.asarray(expected.mean), case))
        worst = max(
            worst, compare("the scale", np.asarray(got.scale, np.float64), np.asarray(expected.scale), case, mistakes)
        )
    passed("Standardizer.fit", cases, worst)
