"""Weight initialisation with Keras's defaults, from a seeded ``numpy.random.Generator``.

``kernel`` is Glorot-uniform, ``recurrent_kernel`` orthogonal, ``bias`` zeros; an LSTM's
forget-gate bias starts at 1 (``unit_forget_bias``, Jozefowicz et al. 2015) unless told otherwise.
A GRU's bias has two rows, the input bias and the recurrent bias, as in ``keras.layers.GRU``.

Taught in Chapter 1 (the orthogonal recurrent kernel) and Chapter 2 (the forget gate's bias).
"""

from __future__ import annotations

import numpy as np

from ._validation import float_dtype, generator, positive_integer, real_number


def _checked(rng: object, shape: object, dtype: object) -> tuple[np.random.Generator, tuple[int, int], np.dtype]:
    """The arguments every initialiser takes, checked: a Generator, two positive sizes, a float dtype."""
    if not isinstance(shape, tuple | list) or len(shape) != 2:
        raise ValueError(f"Expected shape as two sizes (rows, columns). Received: shape={shape!r}.")
    sizes = (positive_integer("shape[0]", shape[0]), positive_integer("shape[1]", shape[1]))
    return generator("rng", rng), sizes, float_dtype("dtype", dtype)


def glorot_uniform(rng: np.random.Generator, shape: tuple[int, int], dtype=np.float64) -> np.ndarray:
    """U(-limit, limit) with limit = sqrt(6 / (fan_in + fan_out))."""
    rng, shape, dtype = _checked(rng, shape, dtype)
    limit = np.sqrt(6.0 / (shape[0] + shape[1]))
    return rng.uniform(-limit, limit, size=shape).astype(dtype)


def orthogonal(rng: np.random.Generator, shape: tuple[int, int], dtype=np.float64) -> np.ndarray:
    """A matrix with orthonormal columns (or rows), from the QR decomposition of a Gaussian one."""
    rng, shape, dtype = _checked(rng, shape, dtype)
    rows, cols = shape
    q, r = np.linalg.qr(rng.standard_normal((max(rows, cols), min(rows, cols))))
    q *= np.sign(np.diag(r))  # makes the result uniformly distributed over orthogonal matrices
    return np.ascontiguousarray(q if rows >= cols else q.T, dtype=dtype)


def init_rnn_weights(rng: np.random.Generator, features: int, units: int, dtype=np.float64) -> dict[str, np.ndarray]:
    """``kernel`` (features, units), ``recurrent_kernel`` (units, units), ``bias`` (units,)."""
    features, units = positive_integer("features", features), positive_integer("units", units)
    return {
        "kernel": glorot_uniform(rng, (features, units), dtype),
        "recurrent_kernel": orthogonal(rng, (units, units), dtype),
        "bias": np.zeros(units, dtype),
    }


def init_lstm_weights(
    rng: np.random.Generator,
    features: int,
    units: int,
    dtype=np.float64,
    unit_forget_bias: bool = True,
    forget_bias: float = 1.0,
    input_bias: float = 0.0,
) -> dict[str, np.ndarray]:
    """``kernel`` (features, 4 units), ``recurrent_kernel`` (units, 4 units), ``bias`` (4 units,).

    The recurrent kernel is orthogonal as a whole (units, 4 units) matrix, as in Keras. With
    ``unit_forget_bias`` (Keras's default) the forget gate's block of the bias starts at
    ``forget_bias``, 1 unless told otherwise, so that f = sigmoid(forget_bias) at the start;
    without it the forget gate's bias is zero. The input gate's bias starts at ``input_bias``,
    0 as in Keras; a negative one keeps the input gate nearly shut at the start.
    """
    features, units = positive_integer("features", features), positive_integer("units", units)
    forget_bias, input_bias = real_number("forget_bias", forget_bias), real_number("input_bias", input_bias)
    bias = np.zeros(4 * units, float_dtype("dtype", dtype))
    bias[:units] = input_bias
    if unit_forget_bias:
        bias[units : 2 * units] = forget_bias
    return {
        "kernel": glorot_uniform(rng, (features, 4 * units), dtype),
        "recurrent_kernel": orthogonal(rng, (units, 4 * units), dtype),
        "bias": bias,
    }


def init_gru_weights(
    rng: np.random.Generator, features: int, units: int, dtype=np.float64, update_bias: float = 0.0
) -> dict[str, np.ndarray]:
    """``kernel`` (features, 3 units), ``recurrent_kernel`` (units, 3 units), ``bias`` (2, 3 units).

    The layout of ``keras.layers.GRU`` with ``reset_after=True``, gate order z, r, h: row 0 of the
    bias is the input bias, row 1 the recurrent bias, both zero except the update gate's block of the
    input bias, which starts at ``update_bias`` (0, as in Keras, unless told otherwise: a positive one
    keeps more of the old state at the start, z = sigmoid(update_bias), the GRU's long-memory start).
    As in Keras, the recurrent kernel is orthogonal as a whole (units, 3 units) matrix.
    """
    features, units = positive_integer("features", features), positive_integer("units", units)
    bias = np.zeros((2, 3 * units), float_dtype("dtype", dtype))
    bias[0, :units] = real_number("update_bias", update_bias)
    return {
        "kernel": glorot_uniform(rng, (features, 3 * units), dtype),
        "recurrent_kernel": orthogonal(rng, (units, 3 * units), dtype),
        "bias": bias,
    }


def init_dense_weights(rng: np.random.Generator, inputs: int, outputs: int, dtype=np.float64) -> dict[str, np.ndarray]:
    """A dense layer's ``kernel`` (inputs, outputs), Glorot-uniform, and ``bias`` (outputs,)."""
    inputs, outputs = positive_integer("inputs", inputs), positive_integer("outputs", outputs)
    return {"kernel": glorot_uniform(rng, (inputs, outputs), dtype), "bias": np.zeros(outputs, dtype)}
