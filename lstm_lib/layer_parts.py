"""What the four NumPy layers share: their argument check, their gate blocks, and the product's gradients.

The vanilla RNN (Chapter 1), the LSTM (Chapter 2), its variants and the GRU (Chapter 3) differ in what
happens between a step's product and its new state, and nowhere else:

* every step starts with the same product, z_t = x_t W + h_{t-1} U + b, whose kernel and recurrent
  kernel hold one column block of ``units`` columns per gate (1 for the RNN, 4 for the LSTM in the
  order i, f, c, o, 3 for the GRU in the order z, r, h); :func:`check_layer` checks those arrays
  once per call, and :func:`split_blocks` cuts an array into its gate blocks;
* backpropagation through time walks the steps from t = T down to 1 in each layer's own way, but
  before and after that loop it does the same things: gather the gradient that reaches each state
  directly from the loss (:func:`gradients_from_the_loss`, :func:`gradient_into_the_last_cell`), and
  turn dL/dz_t into the gradients of the inputs and the weights (:func:`product_backward` for one
  step, :func:`product_gradients` for all of them at once)::

      dL/dx_t = dz_t W^T,   dL/dh_{t-1} = dz_t U^T,
      dL/dW = sum_t x_t^T dz_t,   dL/dU = sum_t h_{t-1}^T dz_t,   dL/db = sum_t sum_rows dz_t.

Whole sequences are time-major here, (time, batch, ...), as the layers' caches hold them.

Used by Chapters 1, 2 and 3; Chapter 1 prints product_backward.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from ._validation import check_sequence, check_shape, check_shapes, float_array


@dataclass(frozen=True)
class LayerShapes:
    """The sizes a layer's arguments agree on, and the dtype it computes in."""

    batch: int
    time: int
    features: int
    units: int
    dtype: np.dtype


def check_layer(
    x: np.ndarray,
    kernel: np.ndarray,
    recurrent_kernel: np.ndarray,
    bias: np.ndarray,
    *,
    blocks: int,
    bias_rows: int | None = None,
    states: Mapping[str, np.ndarray | None] | None = None,
    extra: Mapping[str, tuple[np.ndarray, tuple[int, ...]]] | None = None,
    layer: str = "",
) -> LayerShapes:
    """Check a layer's arguments once per call, by the rules of :mod:`lstm_lib._validation`.

    Args:
        x: (batch, time, features), at least one of each; real floating point numbers, all finite.
        kernel: (features, blocks * units) with units >= 1.
        recurrent_kernel: (units, blocks * units).
        bias: (blocks * units,), or (bias_rows, blocks * units) when ``bias_rows`` is given (the GRU's 2).
        blocks: how many gate blocks the layer has.
        states: the initial states by name (``{"h0": h0, "c0": c0}``), each (batch, units) or None.
        extra: other weights by name, each with its expected shape (the peephole weights, (3, units)).
        layer: how the layer is called in a message about the number of blocks ("the GRU").

    Returns:
        A :class:`LayerShapes` with the sizes, and the widest floating dtype among all the arrays, in which
        the layer computes.

    Raises:
        TypeError: an argument that is not an array of real floating point numbers.
        ValueError: a shape that does not fit the others, an empty axis, NaN or infinity.
    """
    arrays = {"x": x, "kernel": kernel, "recurrent_kernel": recurrent_kernel, "bias": bias}
    arrays = {name: float_array(name, value) for name, value in arrays.items()}
    batch, time, features = check_sequence("x", arrays["x"])
    check_shape("kernel", arrays["kernel"], (features, f"{blocks} * units" if blocks > 1 else "units"))
    width = arrays["kernel"].shape[1]
    if width == 0 or width % blocks:
        of = f" for {layer}" if layer else ""
        raise ValueError(
            f"Expected kernel of shape ({features}, {blocks} * units){of}, units >= 1. Received: "
            f"kernel.shape={arrays['kernel'].shape}, whose second axis is not a positive multiple of {blocks}."
        )
    units = width // blocks
    check_shape("recurrent_kernel", arrays["recurrent_kernel"], (units, width))
    check_shape("bias", arrays["bias"], (width,) if bias_rows is None else (bias_rows, width))
    dtypes = [array.dtype for array in arrays.values()]
    for name, (value, shape) in (extra or {}).items():
        check_shape(name, float_array(name, value), shape)
        dtypes.append(np.asarray(value).dtype)
    for name, state in (states or {}).items():
        if state is not None:
            check_shape(name, float_array(name, state), (batch, units))
            dtypes.append(np.asarray(state).dtype)
    return LayerShapes(batch, time, features, units, np.result_type(*dtypes))


def split_blocks(array: np.ndarray, blocks: int) -> tuple[np.ndarray, ...]:
    """Views of the ``blocks`` column blocks of a (..., blocks * units) array, in order."""
    units = array.shape[-1] // blocks
    return tuple(array[..., k * units : (k + 1) * units] for k in range(blocks))


def time_major_copy(x: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """x (batch, time, features) as a new (time, batch, features) array of ``dtype`` that owns its memory.

    A cache keeps it for the backward pass: a copy, so that a caller who edits ``x`` afterwards does not
    change the gradients.
    """
    return np.array(np.swapaxes(x, 0, 1), dtype=dtype, order="C", copy=True)


def initial_state(state: np.ndarray | None, batch: int, units: int, dtype: np.dtype) -> np.ndarray:
    """A layer's starting state: zeros when none was given, else a copy of ``state`` in ``dtype``."""
    if state is None:
        return np.zeros((batch, units), dtype)
    return np.array(state, dtype=dtype, copy=True)


def read_only(*arrays: np.ndarray) -> None:
    """Mark arrays that a forward pass returns and its cache keeps as read-only.

    The outputs a forward pass returns are views of what its cache keeps for the backward pass. Writing
    into them would change the gradients without a word, so NumPy refuses it instead ("assignment
    destination is read-only"); ``outputs.copy()`` gives an array to edit.
    """
    for array in arrays:
        array.flags.writeable = False


def checked_loss_gradients(
    d_outputs: np.ndarray | None, d_h_last: np.ndarray | None, time: int, batch: int, units: int
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """``d_outputs`` (batch, time, units) and ``d_h_last`` (batch, units) as checked arrays, None staying None."""
    if d_outputs is not None:
        d_outputs = float_array("d_outputs", d_outputs)
        check_shape("d_outputs", d_outputs, (batch, time, units))
    if d_h_last is not None:
        d_h_last = float_array("d_h_last", d_h_last)
        check_shape("d_h_last", d_h_last, (batch, units))
    return d_outputs, d_h_last


def gradients_from_the_loss(
    d_outputs: np.ndarray | None, d_h_last: np.ndarray | None, time: int, batch: int, units: int, dtype
) -> np.ndarray:
    """dL/dh_t from the loss alone, before any later step adds its share: (time, batch, units).

    Args:
        d_outputs: dL/d outputs, (batch, time, units), or None when the loss reads only the final state.
        d_h_last: dL/dh_T, (batch, units), or None; added to the last step.
    """
    d_outputs, d_h_last = checked_loss_gradients(d_outputs, d_h_last, time, batch, units)
    d_h = np.zeros((time, batch, units), dtype)
    if d_outputs is not None:
        d_h[...] = np.swapaxes(d_outputs, 0, 1)
    if d_h_last is not None:
        d_h[-1] += d_h_last
    return d_h


def gradient_into_the_last_cell(d_c_last: np.ndarray | None, batch: int, units: int, dtype) -> np.ndarray:
    """dL/dc_T from the loss (zeros when it does not read the final cell state), (batch, units): what an
    LSTM's backward loop starts from along the cell state."""
    if d_c_last is None:
        return np.zeros((batch, units), dtype)
    d_c_last = float_array("d_c_last", d_c_last)
    check_shape("d_c_last", d_c_last, (batch, units))
    return np.array(d_c_last, dtype=dtype, copy=True)


# Chapter 1 prints this function: its decorator is kept on two lines, as written.
# fmt: off
@check_shapes(d_z="batch, width", x_t="batch, features", h_prev="batch, units",
              kernel="features, width", recurrent_kernel="units, width")
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
# fmt: on


def product_gradients(
    d_z: np.ndarray,
    x: np.ndarray,
    h0: np.ndarray,
    outputs: np.ndarray,
    kernel: np.ndarray,
    d_recurrent: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """The gradients of every step's z_t = x_t W + h_{t-1} U + b, given dL/dz_t for all steps.

    Args:
        d_z: dL/dz_t, (time, batch, blocks * units).
        x: the inputs, (time, batch, features).
        h0, outputs: h_0 (batch, units) and h_1 ... h_T (time, batch, units), so that h_{t-1} is known.
        kernel: W, (features, blocks * units).
        d_recurrent: for a layer whose recurrent product reaches the loss by another way than its input
            product (the GRU, whose reset gate multiplies h_{t-1} U + b_rec), the gradient of that product,
            shaped like ``d_z``; ``recurrent_kernel`` is then sum_t h_{t-1}^T d_recurrent_t.

    Returns:
        ``x`` (batch-major, (batch, time, features)), ``kernel``, ``recurrent_kernel`` and ``bias``
        (the sum of ``d_z``: the gradient of the input product's bias).
    """
    time, batch, width = d_z.shape
    units = h0.shape[1]
    flat_d_z = d_z.reshape(time * batch, width)
    d_recurrent = d_z if d_recurrent is None else d_recurrent
    # sum_t h_{t-1}^T dz_t, with h_0 on its own so that no array of all the h_{t-1} is built
    d_recurrent_kernel = h0.T @ d_recurrent[0]
    if time > 1:
        d_recurrent_kernel += outputs[:-1].reshape(-1, units).T @ d_recurrent[1:].reshape(-1, width)
    return {
        "x": (flat_d_z @ kernel.T).reshape(time, batch, -1).swapaxes(0, 1),
        "kernel": x.reshape(time * batch, -1).T @ flat_d_z,
        "recurrent_kernel": d_recurrent_kernel,
        "bias": flat_d_z.sum(axis=0),
    }
