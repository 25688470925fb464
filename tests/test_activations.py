"""The activations: the stable sigmoid and the scaled tanh that the fused LSTM activates its gates with."""

import numpy as np
import pytest

from lstm_lib.activations import scaled_tanh, sigmoid, sigmoid_grad_from_output, tanh_grad_from_output


def test_sigmoid_equals_the_logistic_function():
    z = np.linspace(-30.0, 30.0, 2001)
    np.testing.assert_allclose(sigmoid(z), 1.0 / (1.0 + np.exp(-z)), rtol=1e-14, atol=1e-16)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_keeps_the_dtype_and_never_overflows(dtype):
    z = np.array([-1000.0, 0.0, 1000.0], dtype)
    s = sigmoid(z)  # warnings are errors in the tests: an overflow in exp would fail here
    assert s.dtype == dtype
    np.testing.assert_array_equal(s, [0.0, 0.5, 1.0])
    assert isinstance(sigmoid(0.25), float) and sigmoid(0.0) == 0.5


def test_scaled_tanh_per_column_is_sigmoid_and_tanh_in_place(rng):
    z = rng.standard_normal((5, 4))
    a = np.array([0.5, 0.5, 1.0, 0.5])
    expected = np.concatenate([sigmoid(z[:, :2]), np.tanh(z[:, 2:3]), sigmoid(z[:, 3:])], axis=1)
    out = z.copy()
    assert scaled_tanh(out, a, out=out) is out
    np.testing.assert_allclose(out, expected, rtol=1e-15, atol=1e-16)


def test_gradients_from_outputs_match_finite_differences():
    z, eps = np.linspace(-4.0, 4.0, 81), 1e-6
    for f, slope in ((sigmoid, sigmoid_grad_from_output), (np.tanh, tanh_grad_from_output)):
        np.testing.assert_allclose(slope(f(z)), (f(z + eps) - f(z - eps)) / (2 * eps), atol=1e-9)
