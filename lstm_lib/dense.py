"""A dense (affine) layer applied to the last axis: y = h @ kernel + bias.

Applied to a sequence (batch, time, units) it uses the same ``kernel`` and ``bias`` at every
step, which is what ``keras.layers.Dense`` does on a 3-D input.

Taught in Chapter 1, "A vanilla RNN in NumPy" (the read-out); used by every NumPy chapter.
"""

from __future__ import annotations

import numpy as np

from ._validation import check_shape, float_array


def dense_forward(h: np.ndarray, kernel: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """y = h @ kernel + bias with h (..., inputs), kernel (inputs, outputs), bias (outputs,)."""
    h, kernel, bias = float_array("h", h), float_array("kernel", kernel), float_array("bias", bias)
    check_shape("kernel", kernel, ("inputs", "outputs"))
    inputs, outputs = kernel.shape
    if h.ndim < 1:
        raise ValueError(f"Expected h of shape (..., {inputs}). Received: h.shape={h.shape}.")
    check_shape("h", h, (*("..." for _ in h.shape[:-1]), inputs))
    check_shape("bias", bias, (outputs,))
    return h @ kernel + bias


def dense_backward(d_y: np.ndarray, h: np.ndarray, kernel: np.ndarray) -> dict[str, np.ndarray]:
    """Gradients of :func:`dense_forward`: dh = dy @ kernel.T, d kernel = sum h.T @ dy, d bias = sum dy."""
    d_y, h, kernel = float_array("d_y", d_y), float_array("h", h), float_array("kernel", kernel)
    check_shape("kernel", kernel, ("inputs", "outputs"))
    check_shape("h", h, (*h.shape[:-1], kernel.shape[0]))
    check_shape("d_y", d_y, (*h.shape[:-1], kernel.shape[1]))
    flat_h = h.reshape(-1, h.shape[-1])
    flat_d_y = d_y.reshape(-1, d_y.shape[-1])
    return {"h": d_y @ kernel.T, "kernel": flat_h.T @ flat_d_y, "bias": flat_d_y.sum(axis=0)}
