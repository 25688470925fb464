"""A GRU layer in NumPy with a hand-written backward pass.

The weights have the layout of ``keras.layers.GRU`` with its default ``reset_after=True``, gate
order z, r, h::

    kernel            (features, 3 * units)
    recurrent_kernel  (units, 3 * units)
    bias              (2, 3 * units): row 0 the input bias, row 1 the recurrent bias

One step projects the inputs and the previous state separately, each with its own bias, and splits
both products into three blocks of ``units`` columns::

    [x_z | x_r | x_h] = x_t @ kernel + bias[0]
    [u_z | u_r | u_h] = h_{t-1} @ recurrent_kernel + bias[1]
    z_t  = sigmoid(x_z + u_z)            update gate (1 keeps the old state, 0 replaces it)
    r_t  = sigmoid(x_r + u_r)            reset gate
    hh_t = tanh(x_h + r_t * u_h)         candidate state (the book's h~)
    h_t  = z_t * h_{t-1} + (1 - z_t) * hh_t

The reset gate multiplies the state's contribution *after* its matrix product, which is why the
recurrent bias is a row of its own: it lies inside r_t * u_h. The original GRU of Cho et al. (2014)
resets the state before the product, which Keras offers as ``reset_after=False``.

Two conventions to keep apart from other texts:

* z_t is the share of the *old* state that is kept, as in Keras and Cho et al. (2014). Chung et al.
  (2014) and Colah's "Understanding LSTM Networks" write h_t = (1 - z_t) h_{t-1} + z_t h~_t: the same
  layer with z_t and 1 - z_t swapped.
* Here z_t is the update gate, the name the GRU literature and Keras give it, and not a
  pre-activation as in :mod:`lstm_lib.numpy_rnn` and :mod:`lstm_lib.numpy_lstm`.

Sequences are batch-major: ``x`` has shape (batch, time, features). Inside, the arrays are stored
time-major, (time, batch, ...), so that the rows of one step lie together in memory; the functions
return batch-major views of them, read-only because the cache keeps them (``.copy()`` gives an array
to edit). The cache keeps copies of the inputs, weights and initial state.

Two levels, as for the LSTM: :func:`gru_step_forward` and :func:`gru_step_backward` are one step,
written to be read; :func:`gru_forward` and :func:`gru_backward` run a whole sequence, with the input
products of every step in one matrix product and the weight gradients in one product each after the
loop, and give the same numbers as a loop over the steps (the tests check it).

Taught in Chapter 3, "Variants of the LSTM, and the GRU".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validation import check_shapes
from .activations import sigmoid, sigmoid_grad_from_output, tanh_grad_from_output
from .layer_parts import (
    check_layer,
    gradients_from_the_loss,
    initial_state,
    product_gradients,
    read_only,
    split_blocks,
    time_major_copy,
)


@dataclass(frozen=True)
class GRUCache:
    """What :func:`gru_backward` needs from the forward pass. Every sequence is time-major.

    Attributes:
        x: the inputs, (time, batch, features).
        kernel: (features, 3 * units).
        recurrent_kernel: (units, 3 * units).
        h0: the initial state actually used (zeros when none was given), (batch, units).
        gates: z_t, r_t and the candidate hh_t side by side, (time, batch, 3 * units).
        u_h: the state's part of the candidate, h_{t-1} @ recurrent_kernel[:, 2 units:] + bias[1, 2 units:],
            before the reset gate multiplies it, (time, batch, units).
        outputs: h_1 ... h_T, (time, batch, units).
    """

    x: np.ndarray
    kernel: np.ndarray
    recurrent_kernel: np.ndarray
    h0: np.ndarray
    gates: np.ndarray
    u_h: np.ndarray
    outputs: np.ndarray


# The aligned comments are part of the lesson (Chapter 3 prints this function): the formatter leaves it.
# fmt: off
@check_shapes(x_t="batch, features", h_prev="batch, units",
              kernel="features, 3 units", recurrent_kernel="units, 3 units", bias="2, 3 units")
def gru_step_forward(
    x_t: np.ndarray, h_prev: np.ndarray, kernel: np.ndarray, recurrent_kernel: np.ndarray, bias: np.ndarray
) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
    """One step of the GRU, line for line the equations of the module docstring.

    Args:
        x_t: the inputs of this step, (batch, features).
        h_prev: h_{t-1}, (batch, units).
        kernel, recurrent_kernel, bias: (features, 3 units), (units, 3 units), (2, 3 units).

    Returns:
        ``(h_t, (z_t, r_t, hh_t, u_h))``, every array (batch, units): the new state, the two gates,
        the candidate, and u_h, the state's part of the candidate before the reset gate, which the
        backward pass needs for dL/dr_t.
    """
    x_z, x_r, x_h = split_blocks(x_t @ kernel + bias[0], 3)               # the inputs' part of each gate
    u_z, u_r, u_h = split_blocks(h_prev @ recurrent_kernel + bias[1], 3)  # the state's part of each gate
    z = sigmoid(x_z + u_z)                 # how much of the old state to keep
    r = sigmoid(x_r + u_r)                 # how much of the old state the candidate sees
    hh = np.tanh(x_h + r * u_h)            # the candidate h~, between -1 and 1
    h = z * h_prev + (1.0 - z) * hh        # keep some of the old state, take the rest from the candidate
    return h, (z, r, hh, u_h)
# fmt: on


@check_shapes(
    d_h="batch, units",
    x_t="batch, features",
    h_prev="batch, units",
    gates="each: batch, units",
    kernel="features, 3 units",
    recurrent_kernel="units, 3 units",
)
def gru_step_backward(
    d_h: np.ndarray,
    x_t: np.ndarray,
    h_prev: np.ndarray,
    gates: tuple[np.ndarray, ...],
    kernel: np.ndarray,
    recurrent_kernel: np.ndarray,
) -> dict[str, np.ndarray]:
    """One step of backpropagation through time, for :func:`gru_step_forward`.

    With d_h the total dL/dh_t (from the loss at step t and from the step after it), the gradients of
    the inputs' part a_t = x_t W + bias[0] = [x_z | x_r | x_h] and the state's part
    q_t = h_{t-1} U + bias[1] = [u_z | u_r | u_h], block by block::

        da_z = dq_z = d_h * (h_{t-1} - hh_t) * z_t (1 - z_t)
        da_h        = d_h * (1 - z_t) * (1 - hh_t^2)
        da_r = dq_r = da_h * u_h * r_t (1 - r_t)
        dq_h        = da_h * r_t

    and through this step dL/dh_{t-1} = d_h * z_t + dq_t U^T, dL/dx_t = da_t W^T.

    Args:
        d_h: the total dL/dh_t, (batch, units).
        x_t, h_prev: the step's inputs, (batch, features), and h_{t-1}, (batch, units).
        gates: ``(z_t, r_t, hh_t, u_h)`` as :func:`gru_step_forward` returns them.
        kernel, recurrent_kernel: W (features, 3 units) and U (units, 3 units).

    Returns:
        A dict with ``h_prev`` (what reaches h_{t-1} through this step), ``x``, and this step's shares
        of the gradients of ``kernel`` (x_t^T da_t), ``recurrent_kernel`` (h_{t-1}^T dq_t) and ``bias``
        (the sums over rows of da_t and dq_t as its two rows, (2, 3 units)).
    """
    z, r, hh, u_h = gates
    d_update = d_h * (h_prev - hh) * sigmoid_grad_from_output(z)  # through z_t, into x_z + u_z
    d_candidate = d_h * (1.0 - z) * tanh_grad_from_output(hh)  # through hh_t, into x_h + r_t u_h
    d_reset = d_candidate * u_h * sigmoid_grad_from_output(r)  # through r_t, into x_r + u_r
    d_inputs_part = np.concatenate([d_update, d_reset, d_candidate], axis=-1)  # da_t
    d_state_part = np.concatenate([d_update, d_reset, d_candidate * r], axis=-1)  # dq_t
    return {
        "h_prev": d_h * z + d_state_part @ recurrent_kernel.T,
        "x": d_inputs_part @ kernel.T,
        "kernel": x_t.T @ d_inputs_part,
        "recurrent_kernel": h_prev.T @ d_state_part,
        "bias": np.stack([d_inputs_part.sum(axis=0), d_state_part.sum(axis=0)]),
    }


def gru_forward(
    x: np.ndarray,
    kernel: np.ndarray,
    recurrent_kernel: np.ndarray,
    bias: np.ndarray,
    h0: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, GRUCache]:
    """Run the GRU over a batch of sequences.

    Args:
        x: inputs, (batch, time, features).
        kernel: (features, 3 * units), gate order z, r, h.
        recurrent_kernel: (units, 3 * units).
        bias: (2, 3 * units), the input bias and the recurrent bias.
        h0: initial state, (batch, units); zeros when omitted.

    Returns:
        ``(outputs, h_last, cache)``: every h_t as (batch, time, units), the last one as
        (batch, units), and the :class:`GRUCache` for :func:`gru_backward`. The two arrays are read-only
        views of what the cache keeps.

    Raises:
        TypeError, ValueError: for arguments that break the rules of :func:`lstm_lib.layer_parts.check_layer`.
    """
    shapes = check_layer(x, kernel, recurrent_kernel, bias, blocks=3, bias_rows=2, states={"h0": h0}, layer="the GRU")
    batch, time, features, units, dtype = shapes.batch, shapes.time, shapes.features, shapes.units, shapes.dtype
    kernel, recurrent_kernel, bias = (np.array(w, dtype=dtype, copy=True) for w in (kernel, recurrent_kernel, bias))
    h = h_init = initial_state(h0, batch, units, dtype)
    x_steps = time_major_copy(x, dtype)  # (time, batch, features)
    # One matrix product projects the inputs of every step; the loop keeps one product per step.
    gates = (x_steps.reshape(-1, features) @ kernel).reshape(time, batch, 3 * units)
    gates += bias[0]
    u_h = np.empty((time, batch, units), dtype)
    outputs = np.empty((time, batch, units), dtype)
    for t in range(time):
        state_part = h @ recurrent_kernel + bias[1]
        z_and_r = gates[t, :, : 2 * units]  # a view: the activated gates overwrite the pre-activations
        z_and_r[...] = sigmoid(z_and_r + state_part[:, : 2 * units])
        z, r, hh = split_blocks(gates[t], 3)
        u_h[t] = state_part[:, 2 * units :]
        hh += r * u_h[t]
        np.tanh(hh, out=hh)
        h = np.add(hh, z * (h - hh), out=outputs[t])  # h_t = z_t h_{t-1} + (1 - z_t) hh_t
    read_only(x_steps, kernel, recurrent_kernel, h_init, gates, u_h, outputs)
    cache = GRUCache(x_steps, kernel, recurrent_kernel, h_init, gates, u_h, outputs)
    return outputs.swapaxes(0, 1), h, cache


def gru_backward(
    d_outputs: np.ndarray | None,
    cache: GRUCache,
    d_h_last: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Backpropagation through time for :func:`gru_forward`.

    Going from t = T down to 1, with dh_t the total gradient reaching h_t, da_t that of the inputs'
    part a_t = x_t @ kernel + bias[0] = [x_z | x_r | x_h] and dq_t that of the state's part
    q_t = h_{t-1} @ recurrent_kernel + bias[1] = [u_z | u_r | u_h]::

        dh_t  = dL/dh_t (from the loss at step t) + dh_{t+1} * z_{t+1} + dq_{t+1} @ recurrent_kernel.T
        da_z  = dq_z = dh_t * (h_{t-1} - hh_t) * z_t (1 - z_t)
        da_h  = dh_t * (1 - z_t) * (1 - hh_t^2)
        da_r  = dq_r = da_h * u_h * r_t (1 - r_t)
        dq_h  = da_h * r_t

    The weight gradients sum over batch and time, each in one matrix product after the loop:
    d kernel = sum x_t.T @ da_t, d recurrent_kernel = sum h_{t-1}.T @ dq_t, and d bias has the rows
    sum da_t and sum dq_t.

    Args:
        d_outputs: dL/d outputs, (batch, time, units), or None when the loss reads only the
            last state.
        cache: from :func:`gru_forward`.
        d_h_last: dL/dh_T, (batch, units), added to the gradient of the last step.

    Returns:
        A dict with ``x``, ``kernel``, ``recurrent_kernel``, ``bias``, ``h0`` (the gradients,
        shaped like those inputs) and ``h``: the total gradient dL/dh_t that reached each
        state, (batch, time, units).
    """
    time, batch, units = cache.outputs.shape
    dtype = cache.outputs.dtype
    d_h = gradients_from_the_loss(d_outputs, d_h_last, time, batch, units, dtype)
    d_inputs_part = np.empty((time, batch, 3 * units), dtype)  # da_t
    d_state_part = np.empty_like(d_inputs_part)  # dq_t
    z, r, hh = split_blocks(cache.gates, 3)  # views, (time, batch, units) each
    h_prev = (cache.h0, *cache.outputs[:-1])
    recurrent_kernel_t = cache.recurrent_kernel.T
    d_h_later = np.zeros((batch, units), dtype)
    for t in reversed(range(time)):
        d_h[t] += d_h_later
        d_update, d_reset, d_candidate = split_blocks(d_inputs_part[t], 3)  # views, written below
        np.multiply(d_h[t] * (h_prev[t] - hh[t]), sigmoid_grad_from_output(z[t]), out=d_update)
        np.multiply(d_h[t] * (1.0 - z[t]), tanh_grad_from_output(hh[t]), out=d_candidate)
        np.multiply(d_candidate * cache.u_h[t], sigmoid_grad_from_output(r[t]), out=d_reset)
        d_state_part[t, :, : 2 * units] = d_inputs_part[t, :, : 2 * units]
        np.multiply(d_candidate, r[t], out=d_state_part[t, :, 2 * units :])
        d_h_later = d_h[t] * z[t] + d_state_part[t] @ recurrent_kernel_t
    grads = product_gradients(d_inputs_part, cache.x, cache.h0, cache.outputs, cache.kernel, d_state_part)
    return {
        **grads,
        "bias": np.stack([grads["bias"], d_state_part.sum(axis=(0, 1))]),
        "h0": d_h_later,
        "h": d_h.swapaxes(0, 1),
    }
