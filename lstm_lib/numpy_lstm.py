"""An LSTM layer in NumPy with a hand-written backward pass.

The weights have the layout of ``keras.layers.LSTM``, gate order i, f, c, o::

    kernel            (features, 4 * units)
    recurrent_kernel  (units, 4 * units)
    bias              (4 * units,)

One step, with z_t = x_t @ kernel + h_{t-1} @ recurrent_kernel + bias split into four blocks of
``units`` columns::

    i_t = sigmoid(z_i)        input gate
    f_t = sigmoid(z_f)        forget gate (1 keeps the cell state, 0 erases it)
    g_t = tanh(z_c)           candidate cell state (the book's c~)
    o_t = sigmoid(z_o)        output gate
    c_t = f_t * c_{t-1} + i_t * g_t
    h_t = o_t * tanh(c_t)

Sequences are batch-major: ``x`` has shape (batch, time, features).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validation import check_float, check_sequence, check_shape
from .activations import sigmoid

GATES = ("i", "f", "c", "o")


@dataclass(frozen=True)
class LSTMCache:
    """What :func:`lstm_backward` needs from the forward pass.

    Attributes:
        x: the inputs, (batch, time, features).
        kernel: (features, 4 * units).
        recurrent_kernel: (units, 4 * units).
        h0, c0: the initial states actually used (zeros when none was given), (batch, units).
        gates: the activated gates i, f, g, o side by side, (batch, time, 4 * units).
        cell: c_1 ... c_T, (batch, time, units).
        tanh_cell: tanh(c_t), (batch, time, units).
        outputs: h_1 ... h_T, (batch, time, units).
    """

    x: np.ndarray
    kernel: np.ndarray
    recurrent_kernel: np.ndarray
    h0: np.ndarray
    c0: np.ndarray
    gates: np.ndarray
    cell: np.ndarray
    tanh_cell: np.ndarray
    outputs: np.ndarray


def _check_weights(x, kernel, recurrent_kernel, bias, h0, c0) -> tuple[int, int, int, int]:
    batch, time, features = check_sequence("x", x)
    check_float("kernel", kernel)
    check_shape("kernel", kernel, (features, "4 * units"))
    four_units = np.shape(kernel)[1]
    if four_units % 4:
        raise ValueError(
            f"Expected kernel of shape ({features}, 4 * units). Received: kernel.shape="
            f"{np.shape(kernel)}, whose second axis is not a multiple of 4."
        )
    units = four_units // 4
    check_shape("recurrent_kernel", recurrent_kernel, (units, four_units))
    check_shape("bias", bias, (four_units,))
    for name, state in (("h0", h0), ("c0", c0)):
        if state is not None:
            check_shape(name, state, (batch, units))
    return batch, time, features, units


def lstm_forward(
    x: np.ndarray,
    kernel: np.ndarray,
    recurrent_kernel: np.ndarray,
    bias: np.ndarray,
    h0: np.ndarray | None = None,
    c0: np.ndarray | None = None,
) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray], LSTMCache]:
    """Run the LSTM over a batch of sequences.

    Args:
        x: inputs, (batch, time, features).
        kernel: (features, 4 * units), gate order i, f, c, o.
        recurrent_kernel: (units, 4 * units).
        bias: (4 * units,).
        h0, c0: initial states, (batch, units); zeros when omitted.

    Returns:
        ``(outputs, (h_last, c_last), cache)``: every h_t as (batch, time, units), the final
        states as (batch, units) each, and the :class:`LSTMCache` for :func:`lstm_backward`.
    """
    batch, time, _, units = _check_weights(x, kernel, recurrent_kernel, bias, h0, c0)
    dtype = np.result_type(x, kernel, recurrent_kernel, bias)
    h = np.zeros((batch, units), dtype) if h0 is None else np.asarray(h0, dtype)
    c = np.zeros((batch, units), dtype) if c0 is None else np.asarray(c0, dtype)
    h_init, c_init = h, c
    # One matrix product projects the inputs of every step; the loop keeps one product per step.
    gates = np.asarray(x, dtype) @ kernel + bias
    cell = np.empty((batch, time, units), dtype)
    tanh_cell = np.empty_like(cell)
    outputs = np.empty_like(cell)
    for t in range(time):
        z = gates[:, t]
        z += h @ recurrent_kernel
        # i, f and o share one sigmoid call; g sits between f and o in Keras's order.
        z[:, : 2 * units] = sigmoid(z[:, : 2 * units])
        z[:, 2 * units : 3 * units] = np.tanh(z[:, 2 * units : 3 * units])
        z[:, 3 * units :] = sigmoid(z[:, 3 * units :])
        i, f, g, o = z[:, :units], z[:, units : 2 * units], z[:, 2 * units : 3 * units], z[:, 3 * units :]
        c = f * c + i * g
        cell[:, t] = c
        tanh_cell[:, t] = np.tanh(c)
        h = o * tanh_cell[:, t]
        outputs[:, t] = h
    cache = LSTMCache(
        np.asarray(x, dtype), kernel, recurrent_kernel, h_init, c_init, gates, cell, tanh_cell, outputs
    )
    return outputs, (h, c), cache


def lstm_backward(
    d_outputs: np.ndarray | None,
    cache: LSTMCache,
    d_h_last: np.ndarray | None = None,
    d_c_last: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Backpropagation through time for :func:`lstm_forward`.

    Going from t = T down to 1, with dh_t the gradient reaching h_t (from the loss at step t
    and through z_{t+1}) and dc_t the one reaching c_t (through c_{t+1} = f_{t+1} c_t + ...)::

        do    = dh_t * tanh(c_t)
        dc_t += dh_t * o_t * (1 - tanh(c_t)^2)
        di    = dc_t * g_t,   df = dc_t * c_{t-1},   dg = dc_t * i_t
        dz    = [di * i(1-i), df * f(1-f), dg * (1-g^2), do * o(1-o)]
        dh_{t-1} += dz @ recurrent_kernel.T,   dc_{t-1} = dc_t * f_t

    The weight gradients sum over batch and time: d kernel = sum x_t.T @ dz_t,
    d recurrent_kernel = sum h_{t-1}.T @ dz_t, d bias = sum dz_t.

    Args:
        d_outputs: dL/d outputs, (batch, time, units), or None when the loss reads only the
            final states.
        cache: from :func:`lstm_forward`.
        d_h_last, d_c_last: dL/dh_T and dL/dc_T, (batch, units) each.

    Returns:
        A dict with ``x``, ``kernel``, ``recurrent_kernel``, ``bias``, ``h0``, ``c0`` (the
        gradients, shaped like those inputs), and the total gradients that reached each state,
        ``h`` = dL/dh_t and ``c`` = dL/dc_t, (batch, time, units) each.
    """
    outputs, cell, tanh_cell, gates = cache.outputs, cache.cell, cache.tanh_cell, cache.gates
    batch, time, units = outputs.shape
    if d_outputs is not None:
        check_shape("d_outputs", d_outputs, (batch, time, units))
    for name, grad in (("d_h_last", d_h_last), ("d_c_last", d_c_last)):
        if grad is not None:
            check_shape(name, grad, (batch, units))
    d_h = np.zeros_like(outputs) if d_outputs is None else np.array(d_outputs, outputs.dtype)
    if d_h_last is not None:
        d_h[:, -1] += d_h_last
    d_c = np.zeros_like(cell)
    d_z = np.empty_like(gates)
    d_h_next = np.zeros((batch, units), outputs.dtype)
    d_c_next = np.zeros((batch, units), outputs.dtype) if d_c_last is None else d_c_last.astype(outputs.dtype)
    for t in reversed(range(time)):
        i, f, g, o = (gates[:, t, k * units : (k + 1) * units] for k in range(4))
        c_prev = cache.c0 if t == 0 else cell[:, t - 1]
        d_h[:, t] += d_h_next
        d_c[:, t] = d_c_next + d_h[:, t] * o * (1.0 - tanh_cell[:, t] ** 2)
        dc = d_c[:, t]
        d_z[:, t, :units] = dc * g * i * (1.0 - i)
        d_z[:, t, units : 2 * units] = dc * c_prev * f * (1.0 - f)
        d_z[:, t, 2 * units : 3 * units] = dc * i * (1.0 - g * g)
        d_z[:, t, 3 * units :] = d_h[:, t] * tanh_cell[:, t] * o * (1.0 - o)
        d_h_next = d_z[:, t] @ cache.recurrent_kernel.T
        d_c_next = dc * f
    x = cache.x
    h_prev = np.concatenate([cache.h0[:, None], outputs[:, :-1]], axis=1)
    flat_d_z = d_z.reshape(-1, 4 * units)
    return {
        "x": d_z @ cache.kernel.T,
        "kernel": x.reshape(-1, x.shape[-1]).T @ flat_d_z,
        "recurrent_kernel": h_prev.reshape(-1, units).T @ flat_d_z,
        "bias": flat_d_z.sum(axis=0),
        "h0": d_h_next,
        "c0": d_c_next,
        "h": d_h,
        "c": d_c,
    }
