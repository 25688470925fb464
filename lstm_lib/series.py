"""Forecasting a measured series: a split by time, scaling, windows of past values, and the baselines.

The notation of Chapter 7. A series y_1, ..., y_n is cut by time into a training, a validation and a
test part (:func:`split_windows`, never shuffled) and scaled with the training part's statistics
(:class:`lstm_lib.scaling.Standardizer`). A model reads a **window** of the ``lookback`` values
before a time t and forecasts the ``horizon`` values from t on::

    x = (y_{t-L}, ..., y_{t-1})          the window, L = lookback
    y = (y_t, ..., y_{t+H-1})            the targets, H = horizon

A window belongs to the part its first target y_t falls in; its inputs may reach back into the part
before (they are the past, known at time t), its targets never reach into the part after. The
baselines a model must beat: **persistence**, y_hat_{t+k} = y_{t-1} for every k, and a **linear
autoregression** of order p fitted by least squares on the training windows,
y_hat_t = b + sum_{j=1..p} a_j y_{t-j}. A one-step model reaches further ahead by feeding its own
forecasts back (:func:`recursive_forecast`).

Taught in Chapter 7, "LSTMs on measured data: forecasting and classifying".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ._validation import check_shape, integer, positive_integer, real_array
from .splits import contiguous_split


def _windows(x: object) -> np.ndarray:
    x = real_array("x", x)
    check_shape("x", x, ("batch", "lookback"))
    if 0 in x.shape:
        raise ValueError(f"Expected at least one window of at least one value. Received: x.shape={x.shape}.")
    return x


def _windows_and_targets(x: object, y: object) -> tuple[np.ndarray, np.ndarray]:
    x, y = _windows(x), real_array("y", y)
    check_shape("y", y, (x.shape[0], "horizon"))
    if y.shape[1] == 0:
        raise ValueError(f"Expected at least one target per window. Received: y.shape={y.shape}.")
    return x, y


OneStep = Callable[[np.ndarray], np.ndarray]  # windows (n, lookback) -> one-step forecasts (n,)


def windows(
    series: np.ndarray, lookback: int, horizon: int = 1, first_target: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Every window of a 1-D series whose first target index t is at least ``first_target``.

    Returns ``(x, y)``: x (n, lookback) holds y_{t-L}, ..., y_{t-1} and y (n, horizon) holds
    y_t, ..., y_{t+H-1}, for t = max(first_target, L), ..., len(series) - H, in order: new arrays.
    """
    series = real_array("series", series)
    check_shape("series", series, ("time",))
    lookback, horizon = positive_integer("lookback", lookback), positive_integer("horizon", horizon)
    first_target = integer("first_target", first_target, minimum=0)
    starts = np.arange(max(first_target, lookback), len(series) - horizon + 1)
    if starts.size == 0:
        raise ValueError(
            f"Expected a series longer than lookback + horizon = {lookback + horizon} after first_target="
            f"{first_target}. Received: series.shape={series.shape}."
        )
    x = series[starts[:, None] + np.arange(-lookback, 0)]
    y = series[starts[:, None] + np.arange(horizon)]
    return x, y


def split_windows(
    series: np.ndarray, lookback: int, horizon: int = 1, validation: float = 0.15, test: float = 0.15
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The windows of the training, validation and test parts of a series cut by time.

    The cuts are those of :func:`lstm_lib.splits.contiguous_split` (the last ``test`` share is the test
    part, the ``validation`` share before it the validation part). Each part's windows have their
    targets inside that part only (:func:`windows` with ``first_target`` at the part's start, on the
    series up to the part's end), so no value is a target in two parts. Returns
    ``{"train": (x, y), "validation": (x, y), "test": (x, y)}``.
    """
    series = real_array("series", series)
    check_shape("series", series, ("time",))
    train, valid, _ = contiguous_split(series, validation, test)
    bounds = {
        "train": (0, len(train)),
        "validation": (len(train), len(train) + len(valid)),
        "test": (len(train) + len(valid), len(series)),
    }
    return {
        part: windows(series[:stop], lookback, horizon, first_target=start) for part, (start, stop) in bounds.items()
    }


def next_step_targets(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The targets of a many-to-many model: after reading y_{t-L+k} it predicts y_{t-L+k+1}.

    For windows x (n, L) and their targets y (n, H >= 1) this is x shifted by one step, with y_t
    appended: (n, L).
    """
    x, y = _windows_and_targets(x, y)
    return np.concatenate([x[:, 1:], y[:, :1]], axis=1)


def persistence(x: np.ndarray, horizon: int = 1) -> np.ndarray:
    """The forecast "tomorrow is like today": y_hat_{t+k} = y_{t-1} for k = 0 .. H-1, shape (n, H)."""
    x = _windows(x)
    return np.repeat(x[:, -1:], positive_integer("horizon", horizon), axis=1)


@dataclass(frozen=True)
class Autoregression:
    """A linear forecast from the last ``order`` values: y_hat = b + sum_j a_j y_{t-j}, one per horizon.

    ``weights`` (order, H) holds a_j in the order of the window (the oldest of the ``order`` values
    first), ``bias`` (H,) holds b. Fitted by :func:`fit_autoregression`.
    """

    weights: np.ndarray
    bias: np.ndarray

    @property
    def order(self) -> int:
        return self.weights.shape[0]

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """Forecasts (n, H) from windows x (n, L) with L >= order."""
        x = _windows(x)
        if x.shape[1] < self.order:
            raise ValueError(f"Expected windows of at least {self.order} values. Received: x.shape={x.shape}.")
        return x[:, -self.order :] @ self.weights + self.bias


def fit_autoregression(x: np.ndarray, y: np.ndarray, order: int) -> Autoregression:
    """Least squares fit of :class:`Autoregression` of ``order`` on windows x (n, L) and targets y (n, H).

    Each column of y gets its own weights (a *direct* forecast of each horizon); with H = 1 it is the
    usual one-step autoregression. Solved with ``numpy.linalg.lstsq`` on [x_{-order:}, 1].
    """
    x, y = _windows_and_targets(x, y)
    order = positive_integer("order", order)
    if order > np.shape(x)[1]:
        raise ValueError(f"Expected order <= lookback = {np.shape(x)[1]}. Received: order={order}.")
    design = np.concatenate([np.asarray(x, np.float64)[:, -order:], np.ones((len(x), 1))], axis=1)
    solution = np.linalg.lstsq(design, np.asarray(y, np.float64), rcond=None)[0]
    return Autoregression(solution[:-1], solution[-1])


def recursive_forecast(one_step: OneStep, x: np.ndarray, horizon: int) -> np.ndarray:
    """H steps ahead with a one-step model, feeding each forecast back as the newest input.

    Starting from windows x (n, L): y_hat_t = f(x), then the window drops its oldest value and takes
    y_hat_t, and so on. Errors compound: the k-th forecast rests on k - 1 forecasts. Returns (n, H).
    """
    window = _windows(x).astype(np.float64)
    forecasts = []
    for k in range(positive_integer("horizon", horizon)):
        step = real_array(f"the forecast of step {k + 1}", one_step(window)).astype(np.float64)
        if step.size != len(window):
            raise ValueError(
                f"Expected one_step to return one forecast per window, ({len(window)},) or ({len(window)}, 1). "
                f"Received: shape {step.shape}."
            )
        step = step.reshape(len(window))
        forecasts.append(step)
        window = np.concatenate([window[:, 1:], step[:, None]], axis=1)
    return np.stack(forecasts, axis=1)


def rmse(forecasts: np.ndarray, targets: np.ndarray, axis: int | None = None) -> float | np.ndarray:
    """Root mean squared error sqrt(mean((y_hat - y)^2)), over everything or along ``axis``.

    ``rmse(f, y, axis=0)`` of forecasts (n, H) gives the error at each horizon, (H,).
    """
    forecasts, targets = real_array("forecasts", forecasts), real_array("targets", targets)
    check_shape("targets", targets, forecasts.shape)
    if forecasts.size == 0:
        raise ValueError(f"Expected at least one forecast. Received: forecasts.shape={forecasts.shape}.")
    error = np.sqrt(np.mean((forecasts - targets) ** 2, axis=axis))
    return float(error) if axis is None else error
