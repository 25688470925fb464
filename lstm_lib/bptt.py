"""What backpropagation through time does alike for every NumPy layer of the course.

Each layer's backward pass walks the steps from t = T down to 1 in its own way, but before and after
that loop it does the same things:

* gather the gradient that reaches each state directly from the loss: ``d_outputs`` at every step
  (when the loss reads the outputs) plus ``d_h_last`` at the last (when it reads the final state), and
  for an LSTM ``d_c_last``, the one reaching its final cell state;
* turn dL/dz_t, the gradient of every step's product z_t = x_t W + h_{t-1} U + b, into the gradients
  of the inputs and the weights, summed over batch and time, with one matrix product each:
  dL/dx_t = dz_t W^T,  dL/dW = sum_t x_t^T dz_t,  dL/dU = sum_t h_{t-1}^T dz_t,  dL/db = sum_t dz_t.

They work on time-major arrays, (time, batch, ...), as the layers' caches hold them.
"""

from __future__ import annotations

import numpy as np

from ._validation import check_shape


def gradients_from_the_loss(
    d_outputs: np.ndarray | None, d_h_last: np.ndarray | None, time: int, batch: int, units: int, dtype
) -> np.ndarray:
    """dL/dh_t from the loss alone, before any later step adds its share: (time, batch, units).

    Args:
        d_outputs: dL/d outputs, (batch, time, units), or None when the loss reads only the final state.
        d_h_last: dL/dh_T, (batch, units), or None; added to the last step.
    """
    d_h = np.zeros((time, batch, units), dtype)
    if d_outputs is not None:
        check_shape("d_outputs", d_outputs, (batch, time, units))
        d_h[...] = np.swapaxes(d_outputs, 0, 1)
    if d_h_last is not None:
        check_shape("d_h_last", d_h_last, (batch, units))
        d_h[-1] += d_h_last
    return d_h


def gradient_into_the_last_cell(d_c_last: np.ndarray | None, batch: int, units: int, dtype) -> np.ndarray:
    """dL/dc_T from the loss (zeros when it does not read the final cell state), (batch, units): what an
    LSTM's backward loop starts from along the cell state."""
    if d_c_last is None:
        return np.zeros((batch, units), dtype)
    check_shape("d_c_last", d_c_last, (batch, units))
    return np.asarray(d_c_last, dtype)


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
