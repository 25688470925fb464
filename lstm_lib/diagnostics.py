"""Measuring how far a gradient travels back in time.

The backward passes return the total gradient that reached every state, dL/dh_t (and, for an LSTM,
dL/dc_t), as (batch, time, units) arrays. Its size against the distance from the loss shows whether
gradients vanish (Chapter 1) or survive along the cell state (Chapter 2).

Taught in Chapters 1 and 2.
"""

from __future__ import annotations

import numpy as np

from ._validation import check_shape, float_array


def gradient_norm_by_distance(state_grads: np.ndarray) -> np.ndarray:
    """The mean over the batch of the norm of dL/ds_t, indexed by the distance from the last step.

    Args:
        state_grads: dL/ds_t for every step, (batch, time, units): ``grads["h"]`` or ``grads["c"]``
            from :func:`lstm_lib.numpy_rnn.rnn_backward` or :func:`lstm_lib.numpy_lstm.lstm_backward`.

    Returns:
        The norms by distance, shape (time,). Entry d is the mean over the batch of the L2 norm of
        dL/ds at step T - d: entry 0 is the last step, entry T - 1 the first.
    """
    state_grads = float_array("state_grads", state_grads)
    check_shape("state_grads", state_grads, ("batch", "time", "units"))
    return np.linalg.norm(state_grads, axis=-1).mean(axis=0)[::-1]
