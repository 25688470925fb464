"""The gradient checker must pass a right gradient and fail a wrong one."""

import numpy as np
import pytest

from lstm_lib.gradcheck import gradient_errors, numerical_gradient, relative_error


def test_exact_on_a_known_function(rng):
    w = rng.standard_normal((3, 4))
    grad = numerical_gradient(lambda: float(np.sum(np.sin(w))), w)
    assert relative_error(grad, np.cos(w)) < 1e-9


def test_perturbs_non_contiguous_arrays_in_place(rng):
    w = rng.standard_normal((4, 3)).T  # a transposed view: reshape(-1) would copy it
    grad = numerical_gradient(lambda: float(np.sum(w**2)), w)
    assert relative_error(grad, 2 * w) < 1e-9


def test_detects_a_wrong_gradient(rng):
    w = rng.standard_normal(5)
    errors = gradient_errors(lambda: float(np.sum(w**3)), {"w": w}, {"w": 3 * w**2 + 1e-3})
    assert errors["w"] > 1e-5


def test_restores_the_array(rng):
    w = rng.standard_normal(6)
    before = w.copy()
    numerical_gradient(lambda: float(np.sum(w)), w)
    np.testing.assert_array_equal(w, before)


def test_refuses_float32(rng):
    w = rng.standard_normal(3).astype(np.float32)
    with pytest.raises(ValueError, match=r"Expected w in float64 for a gradient check\. Received: w\.dtype=float32\."):
        gradient_errors(lambda: float(np.sum(w)), {"w": w}, {"w": np.ones(3)})
