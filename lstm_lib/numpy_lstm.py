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

Sequences are batch-major: ``x`` has shape (batch, time, features), and so are the outputs. The fused
passes compute each step transposed, with the states as columns (units, batch), which makes the four gate
blocks contiguous blocks of rows (see :func:`lstm_forward`); the cache keeps every step's arrays that way
and shows them time-major, (time, batch, ...), as read-only views. The outputs and states returned are
read-only because the cache keeps them for the backward pass (``.copy()`` gives an array to edit). The
cache keeps copies of the inputs, weights and initial states: changing the caller's arrays afterwards
changes no gradient. Their big arrays come from :mod:`lstm_lib.workspace`, which reuses the memory of
earlier calls that no one holds any more.

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
    read_only,
    split_blocks,
)


@dataclass(frozen=True)
class LSTMCache:
    """What :func:`lstm_backward` needs from the forward pass.

    The fused passes keep each step's arrays transposed, (rows, batch), so that the four gate blocks are
    contiguous row blocks of a (4 * units, batch) array. The properties ``x``, ``gates``, ``c`` and
    ``tanh_c`` give the same numbers time-major, (time, batch, ...), as read-only views.

    Attributes:
        stacked: step t holds [x_t; h_{t-1}; 1], the columns of every sequence one above the other,
            (time + 1, features + units + 1, batch); step ``time`` holds h_T in its units rows.
        kernel: (features, 4 * units).
        recurrent_kernel: (units, 4 * units).
        h0, c0: the initial states actually used (zeros when none was given), (batch, units).
        gates_by_step: the activated gates i, f, g, o, one block of rows each, (time, 4 * units, batch).
        c_by_step, tanh_c_by_step: c_t and tanh(c_t), (time, units, batch).
        outputs: h_1 ... h_T, (time, batch, units).
    """

    stacked: np.ndarray
    kernel: np.ndarray
    recurrent_kernel: np.ndarray
    h0: np.ndarray
    c0: np.ndarray
    gates_by_step: np.ndarray
    c_by_step: np.ndarray
    tanh_c_by_step: np.ndarray
    outputs: np.ndarray

    @property
    def x(self) -> np.ndarray:
        """The inputs, (time, batch, features)."""
        return self.stacked[:-1, : self.kernel.shape[0]].transpose(0, 2, 1)

    @property
    def gates(self) -> np.ndarray:
        """The activated gates i, f, g, o side by side, (time, batch, 4 * units)."""
        return self.gates_by_step.transpose(0, 2, 1)

    @property
    def c(self) -> np.ndarray:
        """The cell states c_1 ... c_T, (time, batch, units)."""
        return self.c_by_step.transpose(0, 2, 1)

    @property
    def tanh_c(self) -> np.ndarray:
        """tanh(c_1) ... tanh(c_T), (time, batch, units)."""
        return self.tanh_c_by_step.transpose(0, 2, 1)


def split_gates(gates: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Views of the LSTM's four gate blocks i, f, c, o of a (..., 4 * units) array."""
    return split_blocks(gates, 4)


def _row_blocks(array: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Views of the four gate blocks i, f, c, o of a step's (4 * units, batch) array: contiguous blocks of rows."""
    units = array.shape[0] // 4
    return array[:units], array[units : 2 * units], array[2 * units : 3 * units], array[3 * units :]


def _gate_scale(units: int, dtype) -> np.ndarray:
    """The scale a of the gates' activation a tanh(a z) + (1 - a), one per gate column, (4 * units,).

    Since sigmoid(z) = tanh(z / 2) / 2 + 1/2 (:func:`lstm_lib.activations.scaled_tanh`), every gate is
    a tanh(a z) + (1 - a) with a = 1/2 in the columns of i, f, o and 1 in those of c, so one tanh call
    activates all four gates of a step. :func:`lstm_forward` folds a into the weights: halving is exact in
    floating point, so the product gives a z_t to the last bit.
    """
    scale = np.full(4 * units, 0.5, dtype)
    scale[2 * units : 3 * units] = 1.0
    return scale


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

    How it computes (the speed appendix measures each choice): each step is the step function's
    transposed, z_t^T = [W; U; b]^T [x_t^T; h_{t-1}^T; 1] with the sequences as columns, one matrix product
    whose result holds the four gates as contiguous blocks of rows, so that every element-wise operation
    runs on whole contiguous arrays (NumPy runs an operation on a block of columns as one loop per row).
    The gates' scale a (1/2 for the sigmoid gates, since sigmoid(z) = tanh(z / 2) / 2 + 1/2) is folded into
    the weights, exactly, so one tanh and, for the three sigmoid gates, one multiplication and one addition
    activate them; tanh(c_t) is kept for the backward
    pass; no step allocates memory.
    """
    shapes = check_layer(x, kernel, recurrent_kernel, bias, blocks=4, states={"h0": h0, "c0": c0}, layer="an LSTM")
    batch, time, features, units, dtype = shapes.batch, shapes.time, shapes.features, shapes.units, shapes.dtype
    kernel, recurrent_kernel = (np.array(w, dtype=dtype, copy=True) for w in (kernel, recurrent_kernel))
    h_init = initial_state(h0, batch, units, dtype)
    c_init = initial_state(c0, batch, units, dtype)
    scale = _gate_scale(units, dtype)
    # [a W; a U; a b]^T, (4 units, features + units + 1), with a = 1/2 for i, f, o and 1 for c
    stacked_weights = np.concatenate([kernel, recurrent_kernel, np.asarray(bias, dtype)[None]]) * scale
    weights_t = np.ascontiguousarray(stacked_weights.T)
    hidden = slice(features, features + units)  # the rows of h_{t-1} in each step's stacked columns
    stacked = workspace.empty((time + 1, features + units + 1, batch), dtype)
    stacked[:time, :features] = np.transpose(x, (1, 2, 0))
    stacked[time, :features] = 0.0
    stacked[0, hidden] = h_init.T
    stacked[:, -1] = 1.0
    gates = workspace.empty((time, 4 * units, batch), dtype)
    c_steps = workspace.empty((time, units, batch), dtype)
    tanh_c = workspace.empty((time, units, batch), dtype)
    outputs = workspace.empty((time, batch, units), dtype)
    input_write = np.empty((units, batch), dtype)
    c = c_init.T
    for t in range(time):
        z = np.matmul(weights_t, stacked[t], out=gates[t])  # (a z_t)^T, (4 units, batch)
        np.tanh(z, out=z)  # g_t = tanh(z_c), and tanh(z / 2) in the rows of the sigmoid gates
        i, f, g, o = _row_blocks(z)  # (units, batch) each, contiguous
        for gate in (z[: 2 * units], o):  # i and f side by side, then o: sigmoid(z) = tanh(z / 2) / 2 + 1/2
            gate *= 0.5
            gate += 0.5
        c = np.multiply(f, c, out=c_steps[t])  # c_t = f_t c_{t-1} + i_t g_t
        c += np.multiply(i, g, out=input_write)
        h = np.multiply(o, np.tanh(c, out=tanh_c[t]), out=stacked[t + 1, hidden])  # h_t = o_t tanh(c_t)
        outputs[t] = h.T  # the outputs are batch-major, (batch, units) per step
    read_only(stacked, kernel, recurrent_kernel, h_init, c_init, gates, c_steps, tanh_c, outputs)
    cache = LSTMCache(stacked, kernel, recurrent_kernel, h_init, c_init, gates, c_steps, tanh_c, outputs)
    return outputs.swapaxes(0, 1), (outputs[-1], c_steps[-1].T), cache


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
    The weight gradients sum over batch and time: [d kernel; d recurrent_kernel; d bias] =
    sum_t [x_t, h_{t-1}, 1].T @ dz_t, one product per step; dx_t = dz_t @ kernel.T comes from the same
    product as dh_{t-1}, dz_t @ [recurrent_kernel; kernel].T. Every step is computed transposed, with the
    sequences as columns, as in :func:`lstm_forward`.

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
    features = cache.kernel.shape[0]
    dtype = cache.outputs.dtype
    d_outputs, d_h_last = checked_loss_gradients(d_outputs, d_h_last, time, batch, units)
    d_h = workspace.empty((time, units, batch), dtype)  # dL/dh_t: from the loss, then from step t + 1 too
    d_c_later = np.ascontiguousarray(gradient_into_the_last_cell(d_c_last, batch, units, dtype).T)
    d_c = workspace.empty((time, units, batch), dtype)  # (time, units, batch)
    slope = np.empty((4 * units, batch), dtype)
    weight_grads = np.zeros((4 * units, features + units + 1), dtype)
    product = np.empty_like(weight_grads)
    back_weights = np.concatenate([cache.recurrent_kernel, cache.kernel])  # [U; W], (units + features, 4 units)
    back = np.zeros((units + features, batch), dtype)
    d_h_later = back[:units]
    d_x = workspace.empty((time, features, batch), dtype)
    for t in reversed(range(time)):
        dh = d_h[t]
        if d_outputs is None:
            np.copyto(dh, d_h_later)
        else:
            np.add(d_outputs[:, t].T, d_h_later, out=dh)
        if d_h_last is not None and t == time - 1:
            dh += d_h_last.T
        y = cache.gates_by_step[t]
        i, f, g, o = _row_blocks(y)
        tanh_c = cache.tanh_c_by_step[t]
        dc = np.multiply(tanh_c, tanh_c, out=d_c[t])  # dc_t = dh_t o_t (1 - tanh(c_t)^2) + dc_{t+1} f_{t+1}
        np.subtract(1, dc, out=dc)
        dc *= o
        dc *= dh
        dc += d_c_later
        dz = slope  # the slopes first, then dz_t in place
        dz_i, dz_f, dz_g, dz_o = _row_blocks(dz)
        for gate, gate_slope in ((y[: 2 * units], dz[: 2 * units]), (o, dz_o)):
            np.subtract(1, gate, out=gate_slope)  # s (1 - s) for the sigmoid gates i, f (side by side) and o
            gate_slope *= gate
        np.multiply(g, g, out=dz_g)  # 1 - g^2 for the candidate
        np.subtract(1, dz_g, out=dz_g)
        dz_i *= g  # times the second factor of each gate's gradient
        dz_f *= cache.c_by_step[t - 1] if t else cache.c0.T
        dz_g *= i
        dz_o *= tanh_c
        dz[: 3 * units].reshape(3, units, batch)[...] *= dc  # and the first: dc_t for i, f, c, dh_t for o
        dz_o *= dh
        np.matmul(back_weights, dz, out=back)  # dz_t [U; W]^T, transposed
        d_x[t] = back[units:]
        np.multiply(dc, f, out=d_c_later)
        weight_grads += np.matmul(dz, cache.stacked[t].T, out=product)
    return {
        "x": d_x.transpose(2, 0, 1),
        "kernel": np.ascontiguousarray(weight_grads[:, :features].T),
        "recurrent_kernel": np.ascontiguousarray(weight_grads[:, features:-1].T),
        "bias": weight_grads[:, -1].copy(),
        "h0": np.ascontiguousarray(d_h_later.T),
        "c0": np.ascontiguousarray(d_c_later.T),
        "h": d_h.transpose(2, 0, 1),
        "c": d_c.transpose(2, 0, 1),
    }
