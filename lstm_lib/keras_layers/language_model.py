"""A character-level language model on the course's Keras LSTM, trained with truncated backpropagation.

The model (Chapter 6) reads one-hot characters x_t, (batch, time, size), and gives at every step the
logits z_t of the next character::

    h^(1)_t = LSTM(x_t, h^(1)_{t-1})           stateful: h and c carry over from one call to the next
    h^(l)_t = LSTM(h^(l-1)_t, h^(l)_{t-1})     for the layers l = 2 .. ``layers``
    z_t     = h^(L)_t W_y + b_y                (size,) logits; p_t = softmax(z_t)

Training reads the chunks of :func:`lstm_lib.text.stateful_chunks` in order: the state flows on from
chunk to chunk, the gradient only within a chunk (truncated backpropagation through time). The loss
is the mean cross-entropy in nats; :func:`lstm_lib.text.bits_per_character` turns it into bits.

Taught in Chapter 6, "A character-level language model".
"""

from __future__ import annotations

from collections.abc import Callable

import keras
import numpy as np

from .._validation import check_shape, positive_integer
from ..losses import softmax_cross_entropy
from ..text import NextLogits, one_hot
from .lstm import LSTM

__all__ = ["character_model", "reset_states", "train_stateful", "mean_nats", "with_batch", "next_logits"]


def character_model(
    size: int,
    units: int,
    batch: int,
    layers: int = 1,
    layer: type = LSTM,
    learning_rate: float = 2e-3,
    clip_norm: float = 1.0,
) -> keras.Sequential:
    """``layers`` stateful LSTM layers of ``units`` and a dense read-out to ``size`` logits, compiled.

    The model takes a fixed ``batch`` of sequences of any length, (batch, time, size) float32; ``layer``
    is the course's :class:`~lstm_lib.keras_layers.lstm.LSTM` or ``keras.layers.LSTM`` (same weights,
    same results). It is compiled with Adam (``learning_rate``, gradients clipped to a global norm of
    ``clip_norm``) and the sparse cross-entropy of the logits. Seed Keras first
    (``keras.utils.set_random_seed``) for the same start every time.
    """
    size, units = positive_integer("size", size), positive_integer("units", units)
    batch, layers = positive_integer("batch", batch), positive_integer("layers", layers)
    model = keras.Sequential(
        [keras.Input(batch_shape=(batch, None, size))]
        + [layer(units, return_sequences=True, stateful=True, name=f"lstm_{k + 1}") for k in range(layers)]
        + [keras.layers.Dense(size, name="logits")],
        name="character_model",
    )
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate, global_clipnorm=clip_norm),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    return model


def reset_states(model: keras.Model) -> None:
    """Set the carried states of every stateful layer of ``model`` back to zeros."""
    for layer in model.layers:
        if getattr(layer, "stateful", False):
            layer.reset_state()


def _check_chunks(model: keras.Model, x: np.ndarray, y: np.ndarray) -> int:
    """The model's vocabulary size, after checking that x and y are chunks of its batch."""
    batch, _, size = model.inputs[0].shape
    check_shape("x", x, ("chunks", batch, "steps"))
    check_shape("y", y, x.shape)
    return size


def train_stateful(
    model: keras.Model,
    x: np.ndarray,
    y: np.ndarray,
    report: Callable[[int, float], None] | None = None,
) -> list[float]:
    """One pass over the chunks (:func:`lstm_lib.text.stateful_chunks`), in order, one optimiser step each.

    The states start from zeros and carry on from chunk to chunk. ``report(k, loss)``, if given, is
    called after chunk k. Returns each chunk's training loss, in nats per character.
    """
    size = _check_chunks(model, x, y)
    reset_states(model)
    losses = []
    for k in range(len(x)):
        losses.append(float(model.train_on_batch(one_hot(x[k], size), y[k])))
        if not np.isfinite(losses[-1]):
            raise ValueError(
                f"Expected a finite training loss. Received: {losses[-1]} at chunk {k} (the weights are now "
                "NaN; a smaller learning rate or clip_norm helps)."
            )
        if report is not None:
            report(k, losses[-1])
    return losses


def mean_nats(model: keras.Model, x: np.ndarray, y: np.ndarray) -> float:
    """The model's mean cross-entropy in nats on every character of the chunks, read in order with its state."""
    size = _check_chunks(model, x, y)
    reset_states(model)
    total = 0.0
    for k in range(len(x)):
        logits = np.asarray(model.predict_on_batch(one_hot(x[k], size)), np.float64)  # compiled, not eager
        loss, _ = softmax_cross_entropy(logits, y[k])  # the mean over the chunk's characters
        total += loss * y[k].size
    return total / y.size


def with_batch(model: keras.Model, batch: int) -> keras.Sequential:
    """The same model for another fixed batch size, with the same weights (e.g. batch 1 to write text)."""
    config = model.get_config()
    first = config["layers"][0]["config"]
    first["batch_shape"] = (positive_integer("batch", batch), *first["batch_shape"][1:])
    config.pop("build_input_shape", None)
    for layer_config in config["layers"]:
        layer_config.pop("build_config", None)  # built for the old batch otherwise
    copy = keras.Sequential.from_config(config)
    copy.set_weights(model.get_weights())
    return copy


def next_logits(model: keras.Model) -> NextLogits:
    """The ``next_logits`` of :func:`lstm_lib.text.sample` for a stateful character model.

    The model keeps its state itself: the function resets it at the first call (``state`` None) and
    then feeds each new id, so its ``state`` is only a marker that the prompt has been read.
    """
    size = model.inputs[0].shape[-1]

    def step(ids: np.ndarray, state: object) -> tuple[np.ndarray, object]:
        if state is None:
            reset_states(model)
        logits = model.predict_on_batch(one_hot(ids, size))  # a compiled call: 3 times faster than eager
        return np.asarray(logits[:, -1], np.float64), True

    return step
