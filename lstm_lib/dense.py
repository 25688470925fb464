"""A dense (affine) layer applied to the last axis: y = h @ kernel + bias.

Applied to a sequence (batch, time, units) it uses the same ``kernel`` and ``bias`` at every
step, which is what ``keras.layers.Dense`` does on a 3-D input.

Taught in Chapter 1, "A vanilla RNN in NumPy" (the read-out); used by every NumPy chapter.
"""

from __future__ import annotations

import numpy as np

from ._validation import check_shape


def dense_forward(h: np.ndarray, kernel: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """y = h @ kernel + bias with h (..., inputs), kernel (inputs, outputs), bias (outputs,)."""
    inputs, outputs = np.shape(kernel)
    check_shape("h", h, (*("..." for _ in np.shape(h)[:-1]), inputs))
    check_shape("bias", bias, (outputs,))
    return h @ kernel + bias


def dense_backward(d_y: np.ndarray, h: np.ndarray, kernel: np.ndarray) -> dict[str, np.ndarray]:
    """Gradients of :func:`dense_forward`: dh = dy @ kernel.T, d kernel = sum h.T @ dy, d bias = sum dy."""
    flat_h = h.reshape(-1, h.shape[-1])
    flat_d_y = d_y.reshape(-1, d_y.shape[-1])
    return {"h": d_y @ kernel.T, "kernel": flat_h.T @ flat_d_y, "bias": flat_d_y.sum(axis=0)}
