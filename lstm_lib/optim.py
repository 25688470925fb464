"""Optimisers for the NumPy chapters, all behind one interface.

An optimiser updates a dict of parameter arrays in place from a dict of gradients with the same
keys and shapes: ``optimizer.step(params, grads)`` (``grads`` may hold more, as a backward pass returns
the gradients of the inputs and states too; they are ignored). It keeps a state per parameter (a velocity, Adam's
moments), so one optimiser serves one model: given parameters of other shapes it refuses them, and a
new run needs a new optimiser (or ``copy.deepcopy`` of a fresh one). A NaN or infinite gradient is
refused before any weight changes, since one step with it would turn every weight into NaN. Gradient
clipping by global norm is a separate function, so either optimiser can use it.

Taught in Chapter 1 (SGD with momentum, clipping) and Chapter 2 (Adam).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

import numpy as np

from ._validation import check_finite, check_shape, float_array, positive_number, real_number


class Optimizer(Protocol):
    def step(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
        """Update every ``params[k]`` in place using ``grads[k]``."""


def _check_step(params: Mapping[str, np.ndarray], grads: Mapping[str, np.ndarray], state: dict) -> None:
    """Refuse a step that would do something else than what the caller means, before any weight changes."""
    missing = sorted(set(params) - set(grads))
    if missing:  # more gradients than parameters is fine: a backward pass also returns dL/dx, dL/dh0, ...
        raise ValueError(f"Expected a gradient for every parameter. Received: none for {missing}.")
    for name, param in params.items():
        if not isinstance(param, np.ndarray) or not np.issubdtype(param.dtype, np.floating):
            raise ValueError(
                f"Expected params[{name!r}] as an array of floats to update in place. Received: {param!r}."
            )
        check_shape(f"grads[{name!r}]", grads[name], param.shape)
        check_finite(f"grads[{name!r}]", float_array(f"grads[{name!r}]", grads[name], finite=False))
        seen = state.get(name)
        if seen is not None and seen.shape != param.shape:
            raise ValueError(
                f"Expected params[{name!r}] of shape {seen.shape}, the parameter this optimizer has been "
                f"updating. Received: params[{name!r}].shape={param.shape} (a new model needs a new optimizer)."
            )


class SGD:
    """Stochastic gradient descent with optional momentum: v = m v - lr g; w += v."""

    def __init__(self, learning_rate: float = 0.1, momentum: float = 0.0) -> None:
        self.learning_rate = positive_number("learning_rate", learning_rate)
        self.momentum = real_number("momentum", momentum, 0.0, 1.0)
        if self.momentum == 1.0:
            raise ValueError(f"Expected momentum in [0, 1). Received: momentum={momentum!r}.")
        self._velocity: dict[str, np.ndarray] = {}

    def step(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
        _check_step(params, grads, self._velocity)
        for name, param in params.items():
            v = self._velocity.setdefault(name, np.zeros_like(param))
            v *= self.momentum
            v -= self.learning_rate * grads[name]
            param += v


class Adam:
    """Adam (Kingma & Ba 2015) with bias correction.

    m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;
    w -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
    """

    def __init__(
        self,
        learning_rate: float = 1e-3,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
    ) -> None:
        self.learning_rate = positive_number("learning_rate", learning_rate)
        for name, beta in (("beta_1", beta_1), ("beta_2", beta_2)):
            if real_number(name, beta, 0.0, 1.0) == 1.0:
                raise ValueError(f"Expected {name} in [0, 1). Received: {name}={beta!r}.")
        self.beta_1, self.beta_2 = float(beta_1), float(beta_2)
        self.epsilon = positive_number("epsilon", epsilon)
        self.iterations = 0
        self._m: dict[str, np.ndarray] = {}
        self._v: dict[str, np.ndarray] = {}

    def step(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
        _check_step(params, grads, self._m)
        self.iterations += 1
        correction_1 = 1.0 - self.beta_1**self.iterations
        correction_2 = 1.0 - self.beta_2**self.iterations
        for name, param in params.items():
            g = grads[name]
            m = self._m.setdefault(name, np.zeros_like(param))
            v = self._v.setdefault(name, np.zeros_like(param))
            m += (1.0 - self.beta_1) * (g - m)
            v += (1.0 - self.beta_2) * (g * g - v)
            param -= self.learning_rate * (m / correction_1) / (np.sqrt(v / correction_2) + self.epsilon)


def global_norm(grads: dict[str, np.ndarray]) -> float:
    """The L2 norm of all the gradients together, ``|g|``, as if they were one long vector.

    NaN and infinite gradients are refused. The sum of squares overflows for entries above about 1e154
    (1e19 in float32): then it is taken of g / max|g| and multiplied back, so the norm stays right.
    """
    for name, g in grads.items():
        check_finite(f"grads[{name!r}]", g)
    with np.errstate(over="ignore", under="ignore"):
        total = sum(np.sum(g * g) for g in grads.values())
    if np.isfinite(total) and (total > 0 or not any(np.any(g) for g in grads.values())):
        return float(np.sqrt(total))
    largest = max(float(np.max(np.abs(g), initial=0.0)) for g in grads.values())  # overflow or underflow
    return largest * float(np.sqrt(sum(np.sum(np.square(g / largest, dtype=np.float64)) for g in grads.values())))


def clip_by_global_norm(grads: dict[str, np.ndarray], max_norm: float) -> float:
    """Scale every gradient in place by ``min(1, max_norm / |g|)``, so that their joint norm is at most ``max_norm``.

    The direction of the step is kept; only its length is capped (Pascanu et al. 2013's remedy for
    exploding gradients). ``max_norm`` must be a positive number (a negative one would turn descent into
    ascent). Returns the norm before clipping.
    """
    max_norm = positive_number("max_norm", max_norm)
    norm = global_norm(grads)
    if norm > max_norm:
        for g in grads.values():
            g *= max_norm / norm
    return norm
