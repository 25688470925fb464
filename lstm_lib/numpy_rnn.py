"""A vanilla (Elman) RNN layer in NumPy, forward and backward through time.

The weights have the layout of ``keras.layers.SimpleRNN``::

    kernel            (features, units)
    recurrent_kernel  (units, units)
    bias              (units,)

and one step computes::

    h_t = tanh(x_t @ kernel + h_{t-1} @ recurrent_kernel + bias),    h_0 = h0 or 0.

Sequences are batch-major: ``x`` has shape (batch, time, features). Inside, the arrays are stored
time-major, (time, batch, ...), as in :mod:`lstm_lib.numpy_lstm`; the functions return batch-major views,
read-only because the cache keeps them for the backward pass (``.copy()`` gives an array to edit). The
cache keeps copies of the inputs, weights and initial state: changing the caller's arrays afterwards
changes no gradient.

Two levels, as in the chapter: :func:`rnn_step_forward` and :func:`rnn_step_backward` are one step,
written to be read; :func:`rnn_forward` and :func:`rnn_backward` run a whole sequence, with the input
products of every step done in one matrix product, and give the same numbers as a loop over the steps.
The step's product and its gradients are shared with the other layers (:mod:`lstm_lib.layer_parts`).

Taught in Chapter 1, "A vanilla RNN in NumPy".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validation import check_shapes
from .activations import tanh_grad_from_output
from .layer_parts import (
    check_layer,
    gradients_from_the_loss,
    initial_state,
    product_backward,
    product_gradients,
    read_only,
    time_major_copy,
)


@dataclass(frozen=True)
class RNNCache:
    """What :func:`rnn_backward` needs from the forward pass. Every sequence is time-major, as in
    :class:`lstm_lib.numpy_lstm.LSTMCache`.

    Attributes:
        x: the inputs, (time, batch, features).
        kernel: (features, units).
        recurrent_kernel: (units, units).
        h0: the initial state actually used (zeros when none was given), (batch, units).
        outputs: h_1 ... h_T, (time, batch, units).
    """

    x: np.ndarray
    kernel: np.ndarray
    recurrent_kernel: np.ndarray
    h0: np.ndarray
    outputs: np.ndarray


# Chapter 1 prints this function: its decorator is kept on two lines, as written.
# fmt: off
@check_shapes(x_t="batch, features", h_prev="batch, units",
              kernel="features, units", recurrent_kernel="units, units", bias="units")
def rnn_step_forward(
    x_t: np.ndarray, h_prev: np.ndarray, kernel: np.ndarray, recurrent_kernel: np.ndarray, bias: np.ndarray
) -> np.ndarray:
    """One step: h_t = tanh(x_t W + h_{t-1} U + b).

    Args:
        x_t: the inputs of this step, (batch, features).
        h_prev: h_{t-1}, (batch, units).
        kernel, recurrent_kernel, bias: W (features, units), U (units, units), b (units,).

    Returns:
        h_t, (batch, units).
    """
    return np.tanh(x_t @ kernel + h_prev @ recurrent_kernel + bias)
# fmt: on


# Chapter 1 prints this function: its decorator is kept on two lines, as written.
# fmt: off
@check_shapes(d_h="batch, units", h_t="batch, units", h_prev="batch, units", x_t="batch, features",
              kernel="features, units", recurrent_kernel="units, units")
def rnn_step_backward(
    d_h: np.ndarray, h_t: np.ndarray, h_prev: np.ndarray, x_t: np.ndarray, kernel: np.ndarray,
    recurrent_kernel: np.ndarray,
) -> dict[str, np.ndarray]:
    """One step of backpropagation through time, for :func:`rnn_step_forward`.

    With d_h the total dL/dh_t (from the loss at step t and from the step after it)::

        dz_t = d_h * (1 - h_t^2)
        through this step: dL/dh_{t-1} = dz_t U^T,  dL/dx_t = dz_t W^T
        its shares of the weight gradients: x_t^T dz_t (W),  h_{t-1}^T dz_t (U),  dz_t summed over rows (b)

    Returns:
        A dict with ``h_prev``, ``x``, ``kernel``, ``recurrent_kernel`` and ``bias``.
    """
    d_z = d_h * tanh_grad_from_output(h_t)
    return product_backward(d_z, x_t, h_prev, kernel, recurrent_kernel)
# fmt: on


def rnn_forward(
    x: np.ndarray,
    kernel: np.ndarray,
    recurrent_kernel: np.ndarray,
    bias: np.ndarray,
    h0: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, RNNCache]:
    """Run the RNN over a batch of sequences.

    Args:
        x: inputs, (batch, time, features).
        kernel: (features, units).
        recurrent_kernel: (units, units).
        bias: (units,).
        h0: initial state, (batch, units); zeros when omitted.

    Returns:
        ``(outputs, h_last, cache)``: every h_t as (batch, time, units), the last one as
        (batch, units), and the :class:`RNNCache` for :func:`rnn_backward`. The two arrays are read-only
        views of what the cache keeps.

    Raises:
        TypeError, ValueError: for arguments that break the rules of :func:`lstm_lib.layer_parts.check_layer`.

    Example:
        >>> import numpy as np
        >>> from lstm_lib.init import init_rnn_weights
        >>> rng = np.random.default_rng(0)
        >>> weights = init_rnn_weights(rng, features=3, units=5)
        >>> outputs, h_last, cache = rnn_forward(rng.standard_normal((2, 4, 3)), **weights)
        >>> outputs.shape, h_last.shape
        ((2, 4, 5), (2, 5))
        >>> bool(np.all(outputs[:, -1] == h_last))
        True
    """
    shapes = check_layer(x, kernel, recurrent_kernel, bias, blocks=1, states={"h0": h0})
    batch, time, features, units, dtype = shapes.batch, shapes.time, shapes.features, shapes.units, shapes.dtype
    kernel, recurrent_kernel = (np.array(w, dtype=dtype, copy=True) for w in (kernel, recurrent_kernel))
    h = h_init = initial_state(h0, batch, units, dtype)
    x_steps = time_major_copy(x, dtype)  # (time, batch, features)
    # The input projection of all steps at once: one matrix product instead of `time`.
    outputs = (x_steps.reshape(-1, features) @ kernel).reshape(time, batch, units)
    outputs += np.asarray(bias, dtype)
    for t in range(time):
        z = outputs[t]  # a view: h_t overwrites its pre-activation
        z += h @ recurrent_kernel
        h = np.tanh(z, out=z)
    read_only(x_steps, kernel, recurrent_kernel, h_init, outputs)
    cache = RNNCache(x_steps, kernel, recurrent_kernel, h_init, outputs)
    return outputs.swapaxes(0, 1), h, cache


def rnn_backward(
    d_outputs: np.ndarray | None,
    cache: RNNCache,
    d_h_last: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Backpropagation through time for :func:`rnn_forward`.

    With z_t = x_t @ kernel + h_{t-1} @ recurrent_kernel + bias and h_t = tanh(z_t), going
    from t = T down to 1::

        dh_t = dL/dh_t (from the loss at step t) + dz_{t+1} @ recurrent_kernel.T
        dz_t = dh_t * (1 - h_t^2)
        dx_t = dz_t @ kernel.T

    and the weight gradients sum over batch and time:
    d kernel = sum x_t.T @ dz_t, d recurrent_kernel = sum h_{t-1}.T @ dz_t, d bias = sum dz_t.

    Args:
        d_outputs: dL/d outputs, (batch, time, units), or None when the loss reads only the
            last state.
        cache: from :func:`rnn_forward`.
        d_h_last: dL/dh_T, (batch, units), added to the gradient of the last step.

    Returns:
        A dict with ``x``, ``kernel``, ``recurrent_kernel``, ``bias``, ``h0`` (the gradients,
        shaped like those inputs) and ``h``: the total gradient dL/dh_t that reached each
        state, (batch, time, units); its norm over time shows vanishing gradients.
    """
    outputs = cache.outputs
    time, batch, units = outputs.shape
    d_h = gradients_from_the_loss(d_outputs, d_h_last, time, batch, units, outputs.dtype)
    d_z = np.empty_like(outputs)
    d_h_later = np.zeros((batch, units), outputs.dtype)
    for t in reversed(range(time)):
        d_h[t] += d_h_later
        np.multiply(d_h[t], tanh_grad_from_output(outputs[t]), out=d_z[t])
        d_h_later = d_z[t] @ cache.recurrent_kernel.T
    return {
        **product_gradients(d_z, cache.x, cache.h0, outputs, cache.kernel),
        "h0": d_h_later,
        "h": d_h.swapaxes(0, 1),
    }
