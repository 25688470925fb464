"""Optimisers for the NumPy chapters, all behind one interface.

An optimiser updates a dict of parameter arrays in place from a dict of gradients with the same
keys: ``optimizer.step(params, grads)``. Gradient clipping by global norm is a separate function,
so either optimiser can use it.

Taught in Chapter 1 (SGD with momentum, clipping) and Chapter 2 (Adam).
"""

from __future__ import annotations

from typing import Protocol

import numpy as np


class Optimizer(Protocol):
    def step(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
        """Update every ``params[k]`` in place using ``grads[k]``."""


class SGD:
    """Stochastic gradient descent with optional momentum: v = m v - lr g; w += v."""

    def __init__(self, learning_rate: float = 0.1, momentum: float = 0.0) -> None:
        if learning_rate <= 0 or not 0 <= momentum < 1:
            raise ValueError(
                "Expected learning_rate > 0 and 0 <= momentum < 1. "
                f"Received: learning_rate={learning_rate}, momentum={momentum}."
            )
        self.learning_rate = learning_rate
        self.momentum = momentum
        self._velocity: dict[str, np.ndarray] = {}

    def step(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
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
        if learning_rate <= 0 or not (0 <= beta_1 < 1 and 0 <= beta_2 < 1):
            raise ValueError(
                "Expected learning_rate > 0 and betas in [0, 1). Received: "
                f"learning_rate={learning_rate}, beta_1={beta_1}, beta_2={beta_2}."
            )
        self.learning_rate = learning_rate
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon
        self.iterations = 0
        self._m: dict[str, np.ndarray] = {}
        self._v: dict[str, np.ndarray] = {}

    def step(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
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
    """The L2 norm of all the gradients together, ``|g|``, as if they were one long vector."""
    return float(np.sqrt(sum(np.sum(g * g) for g in grads.values())))


def clip_by_global_norm(grads: dict[str, np.ndarray], max_norm: float) -> float:
    """Scale every gradient in place by ``min(1, max_norm / |g|)``, so that their joint norm is at most ``max_norm``.

    The direction of the step is kept; only its length is capped (Pascanu et al. 2013's remedy for
    exploding gradients). Returns the norm before clipping.
    """
    norm = global_norm(grads)
    if norm > max_norm:
        for g in grads.values():
            g *= max_norm / norm
    return norm
