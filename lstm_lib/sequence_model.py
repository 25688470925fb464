"""A recurrent layer (vanilla RNN, LSTM, one of its variants, or GRU) with a dense read-out, trained in NumPy.

The model the NumPy chapters train::

    h_1..h_T = layer(x)                         numpy_rnn, numpy_lstm, numpy_gru or numpy_lstm_variants
    logits   = h_t @ dense_kernel + dense_bias  at every step  (readout="sequence")
               h_T @ dense_kernel + dense_bias  at the end     (readout="last")

The same dense weights serve every step. Gradients come from the layers' hand-written
backward passes, chained by hand here.

Taught in Chapter 1, "A vanilla RNN in NumPy"; used by Chapters 2, 3 and 6.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial

import numpy as np

from ._validation import (
    ArgumentTypeError,
    float_dtype,
    generator,
    integer,
    positive_integer,
    positive_number,
)
from .dense import dense_backward, dense_forward
from .init import init_dense_weights, init_gru_weights, init_lstm_weights, init_rnn_weights
from .numpy_gru import gru_backward, gru_forward
from .numpy_lstm import lstm_backward, lstm_forward
from .numpy_lstm_variants import VARIANTS, init_variant_weights, variant_backward, variant_forward
from .numpy_rnn import rnn_backward, rnn_forward
from .optim import Optimizer, clip_by_global_norm, global_norm
from .text import NextLogits, one_hot

LossFn = Callable[[np.ndarray, np.ndarray], tuple[float, np.ndarray]]
State = np.ndarray | tuple[np.ndarray, np.ndarray]  # h for a vanilla RNN or a GRU, (h, c) for an LSTM

_LAYERS = {
    "rnn": (rnn_forward, rnn_backward, init_rnn_weights),
    "lstm": (lstm_forward, lstm_backward, init_lstm_weights),
    "gru": (gru_forward, gru_backward, init_gru_weights),
    **{
        f"lstm_{name}": (
            partial(variant_forward, variant=name),
            variant_backward,
            partial(init_variant_weights, variant=name),
        )
        for name in VARIANTS
        if name != "standard"
    },
}
#: The names :class:`SequenceModel` accepts as ``layer``.
LAYERS = tuple(_LAYERS)


def _initial_state(layer: str, state: State | None) -> dict[str, np.ndarray]:
    """The keyword arguments that start a layer's forward pass from ``state`` (none: from zeros).

    An LSTM (or a variant) has two states, so it needs the pair (h, c): given h alone, it would start
    from (h, zeros) without a word, so that is refused, and so is a pair for a layer with one state.
    """
    if state is None:
        return {}
    two_states = layer.startswith("lstm")
    if two_states:
        if not (isinstance(state, tuple | list) and len(state) == 2):
            raise ValueError(
                f"Expected the state of an LSTM as the pair (h, c), each (batch, units). Received: "
                f"{type(state).__name__}{' of shape ' + str(np.shape(state)) if isinstance(state, np.ndarray) else ''}."
            )
        h0, c0 = state
        return {"h0": h0, "c0": c0}
    if isinstance(state, tuple | list):
        raise ValueError(f"Expected the state of a {layer.upper()} as one array h, (batch, units). Received: a pair.")
    return {"h0": state}


class SequenceModel:
    """A recurrent layer plus a shared dense read-out, with parameters in ``self.params``.

    Args:
        layer: a name in :data:`LAYERS`: ``"rnn"``, ``"lstm"``, ``"gru"``, or ``"lstm_"`` and the name of a
            variant of :mod:`lstm_lib.numpy_lstm_variants` (``"lstm_peephole"``, ...).
        features, units, outputs: input size, state size, read-out size.
        readout: ``"sequence"`` for an output at every step, ``"last"`` for one at the end.
        rng: the generator that draws the initial weights.
        dtype: float32 or float64.
        **init_options: passed to the layer's initialiser (``unit_forget_bias=False``).
    """

    def __init__(
        self,
        layer: str,
        features: int,
        units: int,
        outputs: int,
        readout: str,
        rng: np.random.Generator,
        dtype=np.float64,
        **init_options,
    ) -> None:
        if not isinstance(layer, str) or layer not in _LAYERS:
            raise ValueError(f"Expected layer in {sorted(_LAYERS)}. Received: layer={layer!r}.")
        if readout not in ("sequence", "last"):
            raise ValueError(f"Expected readout 'sequence' or 'last'. Received: readout={readout!r}.")
        features, units = positive_integer("features", features), positive_integer("units", units)
        outputs, rng, dtype = positive_integer("outputs", outputs), generator("rng", rng), float_dtype("dtype", dtype)
        self.layer, self.readout = layer, readout
        self._forward, self._backward, init = _LAYERS[layer]
        dense = init_dense_weights(rng, units, outputs, dtype)  # drawn first: every chapter's start depends on it
        recurrent = init(rng, features, units, dtype, **init_options)
        self._recurrent = tuple(recurrent)  # the layer's weight names
        self.params: dict[str, np.ndarray] = {
            **recurrent,
            "dense_kernel": dense["kernel"],
            "dense_bias": dense["bias"],
        }

    def _run(self, x: np.ndarray, state: State | None = None):
        weights = {name: self.params[name] for name in self._recurrent}
        outputs, last_state, cache = self._forward(x, **weights, **_initial_state(self.layer, state))
        read = outputs if self.readout == "sequence" else outputs[:, -1]
        return read, dense_forward(read, self.params["dense_kernel"], self.params["dense_bias"]), cache, last_state

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Logits: (batch, time, outputs) for readout="sequence", (batch, outputs) for "last"."""
        return self._run(x)[1]

    def predict_with_state(self, x: np.ndarray, state: State | None = None) -> tuple[np.ndarray, State]:
        """The logits of :meth:`predict`, starting from ``state`` instead of zeros, and the state after x_T.

        A state is h (batch, units) for "rnn" and "gru", the pair (h, c) for an LSTM. Feeding a sequence in
        two parts, the second from the state the first returned, gives the logits of the whole sequence:
        the way to generate one step at a time (:func:`next_logits`).
        """
        _, logits, _, last_state = self._run(x, state)
        return logits, last_state

    def loss_and_grads(
        self, x: np.ndarray, y: np.ndarray, loss_fn: LossFn
    ) -> tuple[float, dict[str, np.ndarray], dict[str, np.ndarray]]:
        """The loss, its gradient for every parameter, and the recurrent layer's full gradients.

        The third value is the dict from the layer's backward pass, with ``h`` (dL/dh_t) and, for
        an LSTM, ``c`` (dL/dc_t): what the chapters plot to see gradients vanish or survive.
        """
        read, logits, cache, _ = self._run(x)
        loss, d_logits = loss_fn(logits, y)
        if not np.isfinite(loss):
            raise ValueError(
                f"Expected a finite loss. Received: loss={loss} (the logits or the targets hold a value the "
                "loss cannot take; no gradient is returned for it)."
            )
        d_dense = dense_backward(d_logits, read, self.params["dense_kernel"])
        if self.readout == "sequence":
            layer_grads = self._backward(d_dense["h"], cache)
        else:
            layer_grads = self._backward(None, cache, d_h_last=d_dense["h"])
        grads = {name: layer_grads[name] for name in self._recurrent}
        grads["dense_kernel"], grads["dense_bias"] = d_dense["kernel"], d_dense["bias"]
        return loss, grads, layer_grads


def train(
    model: SequenceModel,
    optimizer: Optimizer,
    batches: Iterator[tuple[np.ndarray, np.ndarray]],
    steps: int,
    loss_fn: LossFn,
    clip_norm: float | None = None,
    report_every: int = 0,
    grad_norms: list[float] | None = None,
) -> list[float]:
    """Take ``steps`` optimiser steps on batches drawn from ``batches``; return the loss history.

    With ``clip_norm``, every step's gradients are scaled by ``min(1, clip_norm / |g|)`` first
    (:func:`lstm_lib.optim.clip_by_global_norm`). With ``report_every`` > 0, print the mean loss of
    each block of that many steps, with two significant digits (a mean over many steps, not the loss
    of the block's last step). With a list as ``grad_norms``, append every step's ``|g|`` (before any
    clipping) to it.
    """
    steps, report_every = positive_integer("steps", steps), integer("report_every", report_every, minimum=0)
    if clip_norm is not None:
        clip_norm = positive_number("clip_norm", clip_norm)
    if not callable(getattr(optimizer, "step", None)):
        raise ArgumentTypeError(f"Expected an optimizer with a step(params, grads) method. Received: {optimizer!r}.")
    history = []
    for step in range(1, steps + 1):
        try:
            x, y = next(batches)
        except StopIteration:
            raise ValueError(
                f"Expected batches for {steps} steps. Received: batches ran out after {step - 1}."
            ) from None
        loss, grads, _ = model.loss_and_grads(x, y, loss_fn)
        if clip_norm is not None:
            norm = clip_by_global_norm(grads, clip_norm)
        elif grad_norms is not None:
            norm = global_norm(grads)
        if grad_norms is not None:
            grad_norms.append(norm)
        optimizer.step(model.params, grads)
        history.append(loss)
        if report_every and step % report_every == 0:
            first = step - report_every + 1
            print(f"steps {first:5d} to {step:5d}  mean loss {np.mean(history[-report_every:]):.1e}")
    return history


def next_logits(model: SequenceModel) -> NextLogits:
    """The ``next_logits`` of :func:`lstm_lib.text.sample` for a model that reads one-hot symbols.

    ``model`` has ``features = outputs = size`` and ``readout="sequence"``; its state is what
    :meth:`SequenceModel.predict_with_state` returns, h (and c for an LSTM).
    """
    size = model.params["kernel"].shape[0]

    def next_logits(ids: np.ndarray, state: object) -> tuple[np.ndarray, object]:
        logits, state = model.predict_with_state(one_hot(ids, size, np.float64), state)
        return logits[:, -1], state

    return next_logits
