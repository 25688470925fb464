"""Small Keras models on the course's LSTM for measured data, and training them with early stopping.

Chapter 7's models, in the book's notation (W_y, b_y the dense read-out):

- a **forecaster**, many-to-one: the window x_1..x_L of a series, (batch, L, 1), goes through the LSTM
  and its last state gives y_hat = h_L W_y + b_y, (batch, H); with ``sequences=True`` it is
  many-to-many: y_hat_k = h_k W_y + b_y at every step k, (batch, L, 1), each step the forecast of the
  next value (targets from :func:`lstm_lib.series.next_step_targets`);
- a **sequence classifier**: padded sequences (batch, T, D) with a mask (``keras.layers.Masking``), so
  the LSTM skips the padding and h_{T_n} is the state after the last real frame; z = h_{T_n} W_y + b_y
  are the logits of the classes, trained with the cross-entropy.

Both are compiled with Adam and train in ``dtype`` (float64 by default: the models are small, so it
costs little time, and their results then agree between machines to many more digits than they print).
:func:`fit` stops training when the validation loss has not improved for ``patience`` epochs, and
keeps the weights of the best epoch (``keras.callbacks.EarlyStopping(restore_best_weights=True)``).

Taught in Chapter 7, "LSTMs on measured data: forecasting and classifying".
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import keras
import numpy as np

from .._validation import positive_integer, real_array
from .lstm import LSTM

__all__ = ["forecaster", "sequence_classifier", "FitResult", "fit", "one_step"]


def forecaster(
    lookback: int,
    units: int,
    horizon: int = 1,
    sequences: bool = False,
    layer: type = LSTM,
    learning_rate: float = 3e-3,
    dtype: str = "float64",
) -> keras.Sequential:
    """An LSTM of ``units`` and a dense read-out, compiled with Adam and the mean squared error.

    Input (batch, ``lookback``, 1). Many-to-one (``sequences=False``): output (batch, ``horizon``).
    Many-to-many (``sequences=True``): output (batch, lookback, 1), a next-value forecast at every step;
    ``horizon`` must then be 1. ``layer`` is the course's LSTM or ``keras.layers.LSTM``.
    """
    lookback, units, horizon = (
        positive_integer(n, v) for n, v in (("lookback", lookback), ("units", units), ("horizon", horizon))
    )
    if sequences and horizon != 1:
        raise ValueError(f"Expected horizon=1 for a many-to-many forecaster. Received: horizon={horizon}.")
    model = keras.Sequential(
        [
            keras.Input((lookback, 1), dtype=dtype),
            layer(units, return_sequences=sequences, dtype=dtype),
            keras.layers.Dense(1 if sequences else horizon, dtype=dtype),
        ]
    )
    model.compile(keras.optimizers.Adam(learning_rate), "mse")
    return model


def sequence_classifier(
    steps: int,
    features: int,
    classes: int,
    units: int,
    mask_value: float = 0.0,
    layer: type = LSTM,
    learning_rate: float = 1e-2,
    dtype: str = "float64",
) -> keras.Sequential:
    """Masking, an LSTM of ``units``, a dense read-out to ``classes`` logits; Adam and cross-entropy.

    Input (batch, ``steps``, ``features``): sequences padded at their end with ``mask_value``
    (:func:`lstm_lib.classification.pad_sequences`). Output: logits (batch, classes). Compiled with the
    sparse cross-entropy of the logits and reports the accuracy.
    """
    steps, features, classes, units = (
        positive_integer(n, v)
        for n, v in (("steps", steps), ("features", features), ("classes", classes), ("units", units))
    )
    model = keras.Sequential(
        [
            keras.Input((steps, features), dtype=dtype),
            keras.layers.Masking(mask_value, dtype=dtype),
            layer(units, dtype=dtype),
            keras.layers.Dense(classes, dtype=dtype),
        ]
    )
    model.compile(
        keras.optimizers.Adam(learning_rate),
        keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    return model


@dataclass(frozen=True)
class FitResult:
    """What :func:`fit` did: each epoch's losses, the epoch whose weights were kept (1-based), the time."""

    loss: list[float]
    validation_loss: list[float]
    best_epoch: int
    seconds: float

    @property
    def epochs(self) -> int:
        return len(self.loss)


def fit(
    model: keras.Model,
    train: tuple[np.ndarray, np.ndarray],
    validation: tuple[np.ndarray, np.ndarray],
    epochs: int = 200,
    patience: int = 10,
    batch_size: int = 64,
) -> FitResult:
    """Train on ``train`` (x, y) until the loss on ``validation`` has not improved for ``patience`` epochs.

    The batches are shuffled every epoch (seed Keras first, ``keras.utils.set_random_seed``); at the
    end the model holds the weights of the epoch with the lowest validation loss. The test set plays
    no part, so it can be measured once, afterwards.

    Raises:
        ValueError: for data that is not finite numbers (a NaN would make every weight NaN), and when
            the training or validation loss becomes NaN or infinite: then no epoch's weights can be
            trusted as "the best", so none is reported.
    """
    for part, (x, y) in (("train", train), ("validation", validation)):
        real_array(f"{part}[0]", x), real_array(f"{part}[1]", y)
        if len(x) != len(y) or len(x) == 0:
            raise ValueError(
                f"Expected {part} as (x, y) with as many targets as inputs, at least one. "
                f"Received: {len(x)} inputs and {len(y)} targets."
            )
    stop = keras.callbacks.EarlyStopping(patience=positive_integer("patience", patience), restore_best_weights=True)
    start = time.perf_counter()
    history = model.fit(
        *train,
        validation_data=validation,
        epochs=positive_integer("epochs", epochs),
        batch_size=positive_integer("batch_size", batch_size),
        callbacks=[keras.callbacks.TerminateOnNaN(), stop],
        verbose=0,
    )
    seconds = time.perf_counter() - start
    losses = {name: [float(v) for v in history.history.get(name, [])] for name in ("loss", "val_loss")}
    if not all(np.isfinite(values).all() and values for values in losses.values()):
        raise ValueError(
            f"Expected finite training and validation losses. Received: loss={losses['loss']}, "
            f"val_loss={losses['val_loss']} (the training diverged; try a smaller learning rate)."
        )
    validation_loss = losses["val_loss"]
    return FitResult(
        [float(v) for v in history.history["loss"]], validation_loss, int(np.argmin(validation_loss)) + 1, seconds
    )


def one_step(model: keras.Model, batch_size: int = 1024):
    """A forecaster as the function windows (n, L) -> next values (n,) of :func:`lstm_lib.series.recursive_forecast`.

    For a many-to-many forecaster the next value is the forecast after the window's last step.
    """

    def step(x: np.ndarray) -> np.ndarray:
        out = model.predict(np.asarray(x)[..., None], batch_size=batch_size, verbose=0)
        return out[:, -1, 0] if out.ndim == 3 else out[:, 0]

    return step
