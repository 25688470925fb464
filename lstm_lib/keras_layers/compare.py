"""``keras.layers.LSTM`` and the course's :class:`~lstm_lib.keras_layers.lstm.LSTM`, side by side.

Chapter 5, ``tests/test_keras_lstm.py`` (TensorFlow backend) and ``benchmarks/keras_jax_gpu.py`` (JAX
backend, on a GPU) all compare the two layers the same way: build both with the same arguments, give
both the same random weights (a random bias too, so that no gate hides behind a zero), call them on
the same inputs and take the largest absolute difference over everything they return.

Used by Chapter 5 and by the tests.
"""

from __future__ import annotations

import keras
import numpy as np

from .lstm import LSTM

OPTIONS = {
    "defaults": {},
    "return_sequences": {"return_sequences": True},
    "return_state": {"return_state": True},
    "go_backwards": {"go_backwards": True, "return_sequences": True, "return_state": True},
    "unroll": {"unroll": True, "return_sequences": True, "return_state": True},
    "activation": {"activation": "relu", "return_sequences": True},
    "recurrent_activation": {"recurrent_activation": "hard_sigmoid", "return_sequences": True},
    "no bias": {"use_bias": False, "return_state": True},
    "implementation 1": {"implementation": 1, "return_sequences": True},
}
"""The options of ``keras.layers.LSTM`` that act on the outputs, each with a name: the table of checks."""


def random_weights(rng: np.random.Generator, layer: keras.layers.Layer, scale: float = 0.5) -> list[np.ndarray]:
    """Random float32 weights for every weight of ``layer``, in its order: ``scale`` times N(0, 1)."""
    return [scale * rng.standard_normal(tuple(w.shape)).astype(np.float32) for w in layer.weights]


def twin_layers(
    units: int,
    input_shape: tuple,
    rng: np.random.Generator,
    reference: keras.layers.Layer | None = None,
    **options,
) -> tuple[keras.layers.Layer, LSTM]:
    """``keras.layers.LSTM(units, **options)`` (or ``reference``) and ``LSTM(units, **options)``, both built
    for ``input_shape`` (batch, time, features) and holding the same random weights."""
    builtin = reference if reference is not None else keras.layers.LSTM(units, **options)
    course = LSTM(units, **options)
    for layer in (builtin, course):
        layer.build(input_shape)
    weights = random_weights(rng, builtin)
    builtin.set_weights(weights)
    course.set_weights(weights)
    return builtin, course


def as_arrays(result) -> list[np.ndarray]:
    """What a layer returned (a tensor, or a tuple or nested list of them) as a flat list of arrays."""
    return [np.asarray(r) for r in keras.tree.flatten(result)]


def largest_difference(expected, actual) -> float:
    """The largest absolute difference between two results of the same structure and shapes.

    Raises:
        ValueError: when the two hold a different number of arrays, or arrays of other shapes.
    """
    expected, actual = as_arrays(expected), as_arrays(actual)
    shapes = [a.shape for a in expected], [a.shape for a in actual]
    if shapes[0] != shapes[1]:
        raise ValueError(f"Expected results of the same shapes. Received: {shapes[0]} and {shapes[1]}.")
    return max((float(np.max(np.abs(e - a), initial=0.0)) for e, a in zip(expected, actual)), default=0.0)
