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

Sequences are batch-major: ``x`` has shape (batch, time, features). Inside, the arrays are stored
time-major, (time, batch, ...), so that the rows of one step lie together in memory; the functions
return batch-major views of them, read-only because the cache keeps them for the backward pass
(``.copy()`` gives an array to edit). The cache keeps copies of the inputs, weights and initial states:
changing the caller's arrays afterwards changes no gradient.

Two levels, as in the chapter: :func:`lstm_step_forward` and :func:`lstm_step_backward` are one step,
written to be read; :func:`lstm_forward` and :func:`lstm_backward` run a whole sequence, fused for
speed, and give the same numbers as a loop over the steps (the tests check it).

Taught in Chapter 2, "An LSTM in NumPy".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import workspace
from ._validation import check_shapes
from .activations import sigmoid, sigmoid_grad_from_output, tanh_grad_from_output
from .layer_parts import (
    check_layer,
    checked_loss_gradients,
    gradient_into_the_last_cell,
    initial_state,
    product_backward,
    product_gradients,
    read_only,
    split_blocks,
)


@dataclass(frozen=True)
class LSTMCache:
    """What :func:`lstm_backward` needs from the forward pass. Every sequence is time-major.

    Attributes:
        x: the inputs, (time, batch, features).
        kernel: (features, 4 * units).
        recurrent_kernel: (units, 4 * units).
        h0, c0: the initial states actually used (zeros when none was given), (batch, units).
        gates: the activated gates i, f, g, o side by side, (time, batch, 4 * units).
        c: the cell states c_1 ... c_T, (time, batch, units).
        outputs: h_1 ... h_T, (time, batch, units).
        tanh_c: tanh(c_1) ... tanh(c_T), (time, batch, units), which the backward pass would otherwise
            compute again.
    """

    x: np.ndarray
    kernel: np.ndarray
    recurrent_kernel: np.ndarray
    h0: np.ndarray
    c0: np.ndarray
    gates: np.ndarray
    c: np.ndarray
    outputs: np.ndarray
    tanh_c: np.ndarray


def split_gates(gates: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Views of the LSTM's four gate blocks i, f, c, o of a (..., 4 * units) array."""
    return split_blocks(gates, 4)


def _gate_scale(units: int, dtype) -> tuple[np.ndarray, np.ndarray]:
    """``a`` and ``1 - a`` of the gates' activation a tanh(a z) + (1 - a).

    Since sigmoid(z) = tanh(z / 2) / 2 + 1/2 (:func:`lstm_lib.activations.scaled_tanh`), every gate is
    a tanh(a z) + (1 - a) with a = 1/2 in the columns of i, f, o and 1 in those of c, so one tanh call
    activates all four gates of a step.
    """
    scale = np.full(4 * units, 0.5, dtype)
    scale[2 * units : 3 * units] = 1.0
    return scale, 1.0 - scale


# The aligned comments are part of the lesson (Chapter 2 prints this function): the formatter leaves it.
# fmt: off
@check_shapes(x_t="batch, features", h_prev="batch, units", c_prev="batch, units",
              kernel="features, 4 units", recurrent_kernel="units, 4 units", bias="4 units")
def lstm_step_forward(
    x_t: np.ndarray, h_prev: np.ndarray, c_prev: np.ndarray, kernel: np.ndarray, recurrent_kernel: np.ndarray,
    bias: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
    """One step of the LSTM, line for line the equations of the module docstring.

    Args:
        x_t: the inputs of this step, (batch, features).
        h_prev, c_prev: h_{t-1} and c_{t-1}, (batch, units) each.
        kernel, recurrent_kernel, bias: (features, 4 units), (units, 4 units), (4 units,).

    Returns:
        ``(h_t, c_t, (i_t, f_t, g_t, o_t))``, every array (batch, units).
    """
    z = x_t @ kernel + h_prev @ recurrent_kernel + bias  # z_t, (batch, 4 units)
    z_i, z_f, z_c, z_o = split_gates(z)                   # Keras's gate order i, f, c, o
    i, f, o = sigmoid(z_i), sigmoid(z_f), sigmoid(z_o)    # the gates, between 0 and 1
    g = np.tanh(z_c)                                      # the candidate c~, between -1 and 1
    c = f * c_prev + i * g                                # keep some of the old cell, write some new
    h = o * np.tanh(c)                                    # show some of the cell
    return h, c, (i, f, g, o)
# fmt: on


# The aligned comments are part of the lesson (Chapter 2 prints this function): the formatter leaves it.
# fmt: off
@check_shapes(d_h="batch, units", d_c_later="batch, units", x_t="batch, features", h_prev="batch, units",
              c_prev="batch, units", c="batch, units", gates="each: batch, units",
              kernel="features, 4 units", recurrent_kernel="units, 4 units")
def lstm_step_backward(
    d_h: np.ndarray, d_c_later: np.ndarray, x_t: np.ndarray, h_prev: np.ndarray, c_prev: np.ndarray,
    c: np.ndarray, gates: tuple[np.ndarray, ...], kernel: np.ndarray, recurrent_kernel: np.ndarray,
) -> dict[str, np.ndarray]:
    """One step of backpropagation through time, for :func:`lstm_step_forward`.

    Args:
        d_h: the total dL/dh_t, (batch, units).
        d_c_later: what reaches c_t through c_{t+1}, that is dc_{t+1} * f_{t+1} (zeros at the last step).
        x_t, h_prev, c_prev, c: the step's inputs, h_{t-1}, c_{t-1} and c_t.
        gates: ``(i_t, f_t, g_t, o_t)`` as :func:`lstm_step_forward` returns them.
        kernel, recurrent_kernel: W and U.

    Returns:
        A dict with ``h_prev`` and ``c_prev`` (what reaches h_{t-1} and c_{t-1} through this step),
        ``x``, and this step's shares of the gradients of ``kernel``, ``recurrent_kernel`` and ``bias``.
    """
    i, f, g, o = gates
    d_o = d_h * np.tanh(c)
    d_c = d_c_later + d_h * o * tanh_grad_from_output(np.tanh(c))  # the total dL/dc_t
    d_i, d_f, d_g = d_c * g, d_c * c_prev, d_c * i
    d_z = np.concatenate([d_i * sigmoid_grad_from_output(i), d_f * sigmoid_grad_from_output(f),
                          d_g * tanh_grad_from_output(g), d_o * sigmoid_grad_from_output(o)], axis=-1)
    # From here on it is the RNN's product, z_t = x_t W + h_{t-1} U + b, and one more path, through c_{t-1}.
    return {**product_backward(d_z, x_t, h_prev, kernel, recurrent_kernel), "c_prev": d_c * f}
# fmt: on


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
        states as (batch, units) each, and the :class:`LSTMCache` for :func:`lstm_backward`. The three
        arrays are read-only views of what the cache keeps.

    Raises:
        TypeError, ValueError: for arguments that break the rules of :func:`lstm_lib.layer_parts.check_layer`.

    Example:
        >>> import numpy as np
        >>> from lstm_lib.init import init_lstm_weights
        >>> rng = np.random.default_rng(0)
        >>> weights = init_lstm_weights(rng, features=3, units=5)  # kernel (3, 20), recurrent_kernel (5, 20)
        >>> x = rng.standard_normal((2, 4, 3))  # 2 sequences of 4 steps of 3 features
        >>> outputs, (h_last, c_last), cache = lstm_forward(x, **weights)
        >>> outputs.shape, h_last.shape, c_last.shape
        ((2, 4, 5), (2, 5), (2, 5))
        >>> grads = lstm_backward(np.ones_like(outputs), cache)  # the gradients of L = sum(outputs)
        >>> grads["kernel"].shape, grads["x"].shape
        ((3, 20), (2, 4, 3))
    """
    shapes = check_layer(x, kernel, recurrent_kernel, bias, blocks=4, states={"h0": h0, "c0": c0}, layer="an LSTM")
    batch, time, features, units, dtype = shapes.batch, shapes.time, shapes.features, shapes.units, shapes.dtype
    kernel, recurrent_kernel = (np.array(w, dtype=dtype, copy=True) for w in (kernel, recurrent_kernel))
    h = h_init = initial_state(h0, batch, units, dtype)
    c = c_init = initial_state(c0, batch, units, dtype)
    x_steps = workspace.empty((time, batch, features), dtype)  # a copy of x, time-major
    np.copyto(x_steps, np.swapaxes(x, 0, 1))
    scale, shift = _gate_scale(units, dtype)
    # a z_t = x_t (a W) + h_{t-1} (a U) + a b: multiplying by a = 1/2 or 1 is exact, so the products give a z_t
    # to the last bit, and the loop needs no multiplication before its tanh.
    scaled_recurrent_kernel = recurrent_kernel * scale
    # One matrix product projects the inputs of every step; the loop keeps one product per step.
    gates = workspace.empty((time, batch, 4 * units), dtype)
    np.matmul(x_steps.reshape(-1, features), kernel * scale, out=gates.reshape(-1, 4 * units))
    gates += np.asarray(bias, dtype) * scale
    c_steps, tanh_c, outputs = (workspace.empty((time, batch, units), dtype) for _ in range(3))
    # the activation's constants as whole (batch, 4 units) arrays: an operation on two arrays of one shape
    # runs as one loop, one that broadcasts a row as one loop per row, several times slower at this size
    scale_rows, shift_rows = (np.broadcast_to(v, (batch, 4 * units)).copy() for v in (scale, shift))
    i, f, g, o = split_gates(gates)  # views, (time, batch, units) each, filled step by step below
    recurrent = np.empty((batch, 4 * units), dtype)
    input_write = np.empty((batch, units), dtype)
    for t in range(time):
        z = gates[t]  # a view: the activated gates overwrite the pre-activations
        z += np.matmul(h, scaled_recurrent_kernel, out=recurrent)
        np.tanh(z, out=z)  # each gate is a tanh(a z) + (1 - a), sigmoid(z) for a = 1/2 and tanh(z) for a = 1
        z *= scale_rows
        z += shift_rows
        c = np.multiply(f[t], c, out=c_steps[t])  # c_t = f_t c_{t-1} + i_t g_t
        c += np.multiply(i[t], g[t], out=input_write)
        h = np.multiply(o[t], np.tanh(c, out=tanh_c[t]), out=outputs[t])  # h_t = o_t tanh(c_t)
    read_only(x_steps, kernel, recurrent_kernel, h_init, c_init, gates, c_steps, tanh_c, outputs)
    cache = LSTMCache(x_steps, kernel, recurrent_kernel, h_init, c_init, gates, c_steps, outputs, tanh_c)
    return outputs.swapaxes(0, 1), (h, c), cache


def lstm_backward(
    d_outputs: np.ndarray | None,
    cache: LSTMCache,
    d_h_last: np.ndarray | None = None,
    d_c_last: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Backpropagation through time for :func:`lstm_forward`.

    Going from t = T down to 1, with dh_t the gradient reaching h_t (from the loss at step t
    and through z_{t+1}) and dc_t the one reaching c_t (through h_t and through
    c_{t+1} = f_{t+1} c_t + ...)::

        dh_t  = dL/dh_t (from the loss at step t) + dz_{t+1} @ recurrent_kernel.T
        dc_t  = dh_t * o_t * (1 - tanh(c_t)^2) + dc_{t+1} * f_{t+1}
        dz_t  = [dc_t * g_t,  dc_t * c_{t-1},  dc_t * i_t,  dh_t * tanh(c_t)]     (i, f, c, o)
                * [i_t (1 - i_t),  f_t (1 - f_t),  1 - g_t^2,  o_t (1 - o_t)]

    The first bracket is the gradient reaching each gate, the second the slope of its activation.
    The weight gradients sum over batch and time, each in one matrix product after the loop:
    d kernel = sum x_t.T @ dz_t, d recurrent_kernel = sum h_{t-1}.T @ dz_t, d bias = sum dz_t.

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
    time, batch, units = cache.outputs.shape
    dtype = cache.outputs.dtype
    d_outputs, d_h_last = checked_loss_gradients(d_outputs, d_h_last, time, batch, units)
    d_h = workspace.empty((time, batch, units), dtype)  # dL/dh_t: from the loss, then from step t + 1 too
    if d_outputs is None:
        d_h[...] = 0.0
    else:
        np.copyto(d_h, np.swapaxes(d_outputs, 0, 1))
    if d_h_last is not None:
        d_h[-1] += d_h_last
    d_c_later = gradient_into_the_last_cell(d_c_last, batch, units, dtype)
    d_c = workspace.empty((time, batch, units), dtype)
    d_z = workspace.empty((time, batch, 4 * units), dtype)
    i, f, g, o = split_gates(cache.gates)  # views, (time, batch, units) each
    c_prev = (cache.c0, *cache.c[:-1])
    scale, shift = _gate_scale(units, dtype)
    square_scale_rows, shift_rows = (np.broadcast_to(v, (batch, 4 * units)).copy() for v in (scale * scale, shift))
    recurrent_kernel_t = np.ascontiguousarray(cache.recurrent_kernel.T)
    d_i, d_f, d_g, d_o = split_gates(d_z)  # views: the gradient reaching each gate, (time, batch, units)
    slope = np.empty((batch, 4 * units), dtype)
    d_h_later = np.zeros((batch, units), dtype)
    for t in reversed(range(time)):
        d_h[t] += d_h_later
        tanh_c = cache.tanh_c[t]
        dc = np.multiply(tanh_c, tanh_c, out=d_c[t])  # dc_t = dh_t o_t (1 - tanh(c_t)^2) + dc_{t+1} f_{t+1}
        np.subtract(1, dc, out=dc)
        dc *= o[t]
        dc *= d_h[t]
        dc += d_c_later
        np.multiply(dc, g[t], out=d_i[t])
        np.multiply(dc, c_prev[t], out=d_f[t])
        np.multiply(dc, i[t], out=d_g[t])
        np.multiply(d_h[t], tanh_c, out=d_o[t])
        np.subtract(cache.gates[t], shift_rows, out=slope)  # through each gate's activation: a^2 - (y - (1 - a))^2
        slope *= slope
        np.subtract(square_scale_rows, slope, out=slope)
        d_z[t] *= slope
        np.matmul(d_z[t], recurrent_kernel_t, out=d_h_later)
        np.multiply(dc, f[t], out=d_c_later)
    return {
        **product_gradients(d_z, cache.x, cache.h0, cache.outputs, cache.kernel),
        "h0": d_h_later,
        "c0": d_c_later,
        "h": d_h.swapaxes(0, 1),
        "c": d_c.swapaxes(0, 1),
    }
