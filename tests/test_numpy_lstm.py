"""The NumPy LSTM: its backward pass against finite differences, its forward against Keras."""

import numpy as np
import pytest

from lstm_lib.gradcheck import gradient_errors
from lstm_lib.init import init_lstm_weights
from lstm_lib.numpy_lstm import lstm_backward, lstm_forward

BATCH, TIME, FEATURES, UNITS = 3, 6, 4, 5


@pytest.mark.parametrize("with_initial_state", [False, True])
def test_gradients_match_finite_differences(rng, with_initial_state):
    x = rng.standard_normal((BATCH, TIME, FEATURES))
    weights = init_lstm_weights(rng, FEATURES, UNITS)
    weights["bias"] = rng.standard_normal(4 * UNITS)
    states = (
        {"h0": rng.standard_normal((BATCH, UNITS)), "c0": rng.standard_normal((BATCH, UNITS))}
        if with_initial_state
        else {}
    )
    g_out, g_h, g_c = (rng.standard_normal(s) for s in [(BATCH, TIME, UNITS), (BATCH, UNITS), (BATCH, UNITS)])

    def loss():
        outputs, (h, c), _ = lstm_forward(x, **weights, **states)
        return float(np.sum(outputs * g_out) + np.sum(h * g_h) + np.sum(c * g_c))

    _, _, cache = lstm_forward(x, **weights, **states)
    grads = lstm_backward(g_out, cache, d_h_last=g_h, d_c_last=g_c)
    errors = gradient_errors(loss, {"x": x, **weights, **states}, grads)
    assert max(errors.values()) < 1e-7, errors


def test_matches_keras_lstm(rng):
    import keras

    x = rng.standard_normal((BATCH, TIME, FEATURES)).astype(np.float32)
    weights = {k: v.astype(np.float32) for k, v in init_lstm_weights(rng, FEATURES, UNITS).items()}
    weights["bias"] = rng.standard_normal(4 * UNITS).astype(np.float32)
    layer = keras.layers.LSTM(UNITS, return_sequences=True, return_state=True)
    layer.build((None, None, FEATURES))
    layer.set_weights([weights["kernel"], weights["recurrent_kernel"], weights["bias"]])
    keras_outputs, keras_h, keras_c = layer(x)
    outputs, (h, c), _ = lstm_forward(x, **weights)
    np.testing.assert_allclose(outputs, keras_outputs, atol=1e-5)
    np.testing.assert_allclose(h, keras_h, atol=1e-5)
    np.testing.assert_allclose(c, keras_c, atol=1e-5)
