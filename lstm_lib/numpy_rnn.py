"""A vanilla (Elman) RNN layer in NumPy, forward and backward through time.

The weights have the layout of ``keras.layers.SimpleRNN``::

    kernel            (features, units)
    recurrent_kernel  (units, units)
    bias              (units,)

and one step computes::

    h_t = tanh(x_t @ kernel + h_{t-1} @ recurrent_kernel + bias),    h_0 = h0 or 0.

Sequences are batch-major: ``x`` has shape (batch, time, features). Inside, the arrays are stored
time-major, (time, batch, ...), as in :mod:`lstm_lib.numpy_lstm`; the functions return batch-major views.

Two levels, as in the chapter: :func:`rnn_step_forward` and :func:`rnn_step_backward` are one step,
written to be read; :func:`rnn_forward` and :func:`rnn_backward` run a whole sequence, with the input
products of every step done in one matrix product, and give the same numbers as a loop over the steps.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validation import check_float, check_sequence, check_shape
from .activations import tanh_grad_from_output
from .bptt import gradients_from_the_loss, product_gradients


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


def _check_weights(x, kernel, recurrent_kernel, bias, h0) -> tuple[int, int, int, int]:
    batch, time, features = check_sequence("x", x)
    check_float("kernel", kernel)
    check_shape("kernel", kernel, (features, "units"))
    units = np.shape(kernel)[1]
    check_shape("recurrent_kernel", recurrent_kernel, (units, units))
    check_shape("bias", bias, (units,))
    if h0 is not None:
        check_shape("h0", h0, (batch, units))
    return batch, time, features, units


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


def rnn_step_backward(
    d_h: np.ndarray,
    h_t: np.ndarray,
    h_prev: np.ndarray,
    x_t: np.ndarray,
    kernel: np.ndarray,
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


def product_backward(
    d_z: np.ndarray, x_t: np.ndarray, h_prev: np.ndarray, kernel: np.ndarray, recurrent_kernel: np.ndarray
) -> dict[str, np.ndarray]:
    """The gradients of one step's z_t = x_t W + h_{t-1} U + b, given dL/dz_t: the RNN's and the LSTM's.

    Returns:
        ``h_prev`` = dz_t U^T and ``x`` = dz_t W^T, and the step's shares of the weight gradients,
        ``kernel`` = x_t^T dz_t, ``recurrent_kernel`` = h_{t-1}^T dz_t and ``bias`` = dz_t summed over rows.
    """
    return {
        "h_prev": d_z @ recurrent_kernel.T,
        "x": d_z @ kernel.T,
        "kernel": x_t.T @ d_z,
        "recurrent_kernel": h_prev.T @ d_z,
        "bias": d_z.sum(axis=0),
    }


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
        (batch, units), and the :class:`RNNCache` for :func:`rnn_backward`.
    """
    batch, time, features, units = _check_weights(x, kernel, recurrent_kernel, bias, h0)
    dtype = np.result_type(x, kernel, recurrent_kernel, bias)
    h = np.zeros((batch, units), dtype) if h0 is None else np.asarray(h0, dtype)
    h_init = h
    x_steps = np.ascontiguousarray(np.swapaxes(x, 0, 1), dtype)  # (time, batch, features)
    # The input projection of all steps at once: one matrix product instead of `time`.
    outputs = (x_steps.reshape(-1, features) @ kernel).reshape(time, batch, units)
    outputs += bias
    for t in range(time):
        z = outputs[t]  # a view: h_t overwrites its pre-activation
        z += h @ recurrent_kernel
        h = np.tanh(z, out=z)
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
