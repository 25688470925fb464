"""The vanilla RNN: its backward pass against finite differences, its forward against Keras."""

import numpy as np
import pytest

from lstm_lib.gradcheck import gradient_errors
from lstm_lib.init import init_rnn_weights
from lstm_lib.numpy_rnn import rnn_backward, rnn_forward, rnn_step_backward, rnn_step_forward

BATCH, TIME, FEATURES, UNITS = 3, 6, 4, 5


def _projection_loss(rng, with_h0, with_outputs, with_last):
    """L = sum(outputs * G) + sum(h_last * G_last): its gradients are G and G_last."""
    x = rng.standard_normal((BATCH, TIME, FEATURES))
    weights = init_rnn_weights(rng, FEATURES, UNITS)
    weights["bias"] = rng.standard_normal(UNITS)
    h0 = rng.standard_normal((BATCH, UNITS)) if with_h0 else None
    g_out = rng.standard_normal((BATCH, TIME, UNITS)) if with_outputs else None
    g_last = rng.standard_normal((BATCH, UNITS)) if with_last else None

    def loss():
        outputs, h_last, _ = rnn_forward(x, **weights, h0=h0)
        total = 0.0 if g_out is None else np.sum(outputs * g_out)
        return total + (0.0 if g_last is None else np.sum(h_last * g_last))

    _, _, cache = rnn_forward(x, **weights, h0=h0)
    grads = rnn_backward(g_out, cache, d_h_last=g_last)
    arrays = {"x": x, **weights, **({"h0": h0} if with_h0 else {})}
    return loss, arrays, grads


@pytest.mark.parametrize("with_h0", [False, True])
@pytest.mark.parametrize("with_outputs,with_last", [(True, False), (False, True), (True, True)])
def test_gradients_match_finite_differences(rng, with_h0, with_outputs, with_last):
    loss, arrays, grads = _projection_loss(rng, with_h0, with_outputs, with_last)
    errors = gradient_errors(loss, arrays, grads)
    assert max(errors.values()) < 1e-7, errors


def test_h0_gradient_is_returned_without_h0(rng):
    _, _, grads = _projection_loss(rng, False, True, False)
    assert grads["h0"].shape == (BATCH, UNITS)
    assert np.any(grads["h0"] != 0)


def test_state_gradients_accumulate_from_later_steps(rng):
    """dL/dh_t of a loss on the last state alone is non-zero at every step and shrinks backwards."""
    x = rng.standard_normal((BATCH, 30, FEATURES))
    weights = init_rnn_weights(rng, FEATURES, UNITS)
    weights["recurrent_kernel"] *= 0.5
    _, _, cache = rnn_forward(x, **weights)
    grads = rnn_backward(None, cache, d_h_last=np.ones((BATCH, UNITS)))
    norms = np.linalg.norm(grads["h"], axis=(0, 2))
    assert np.all(norms > 0)
    assert norms[0] < 1e-3 * norms[-1]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("batch,time", [(1, 1), (7, 3), (2, 40)])
def test_any_batch_and_length_keeps_dtype(rng, dtype, batch, time):
    x = rng.standard_normal((batch, time, FEATURES)).astype(dtype)
    weights = {k: v.astype(dtype) for k, v in init_rnn_weights(rng, FEATURES, UNITS).items()}
    outputs, h_last, cache = rnn_forward(x, **weights)
    assert outputs.shape == (batch, time, UNITS) and outputs.dtype == dtype
    np.testing.assert_array_equal(h_last, outputs[:, -1])
    grads = rnn_backward(np.ones_like(outputs), cache)
    for name in ("x", "kernel", "recurrent_kernel", "bias"):
        assert grads[name].dtype == dtype
    assert grads["x"].shape == x.shape


def test_large_pre_activations_do_not_warn(rng):
    """tanh saturates without overflow; the test suite turns every warning into an error."""
    x = 1e6 * rng.standard_normal((2, 5, FEATURES))
    weights = init_rnn_weights(rng, FEATURES, UNITS)
    outputs, _, cache = rnn_forward(x, **weights)
    assert np.all(np.abs(outputs) <= 1)
    assert np.all(np.isfinite(rnn_backward(np.ones_like(outputs), cache)["kernel"]))


@pytest.mark.parametrize(
    "change,message",
    [
        (lambda a: {**a, "x": a["x"][0]}, r"Expected x of shape \(batch, time, features\). Received: x.shape=\(6, 4\)"),
        (lambda a: {**a, "x": a["x"][:, :0]}, r"one time step"),
        (
            lambda a: {**a, "kernel": a["kernel"][:3]},
            r"Expected kernel of shape \(4, units\). Received: kernel.shape=\(3, 5\)",
        ),
        (
            lambda a: {**a, "recurrent_kernel": a["recurrent_kernel"][:, :4]},
            r"Expected recurrent_kernel of shape \(5, 5\)",
        ),
        (lambda a: {**a, "bias": np.zeros(6)}, r"Expected bias of shape \(5,\). Received: bias.shape=\(6,\)"),
        (lambda a: {**a, "h0": np.zeros((2, 5))}, r"Expected h0 of shape \(3, 5\). Received: h0.shape=\(2, 5\)"),
        (lambda a: {**a, "kernel": a["kernel"].astype(int)}, r"floating point"),
    ],
)
def test_bad_shapes_raise_clear_errors(rng, change, message):
    args = {"x": rng.standard_normal((BATCH, TIME, FEATURES)), **init_rnn_weights(rng, FEATURES, UNITS), "h0": None}
    with pytest.raises(TypeError if "floating" in message else ValueError, match=message):
        rnn_forward(**change(args))


def test_matches_keras_simple_rnn(rng):
    """The same weights give the same numbers as keras.layers.SimpleRNN, in float32."""
    import keras

    x = rng.standard_normal((BATCH, TIME, FEATURES)).astype(np.float32)
    weights = {k: v.astype(np.float32) for k, v in init_rnn_weights(rng, FEATURES, UNITS).items()}
    weights["bias"] = rng.standard_normal(UNITS).astype(np.float32)
    h0 = rng.standard_normal((BATCH, UNITS)).astype(np.float32)
    layer = keras.layers.SimpleRNN(UNITS, return_sequences=True, return_state=True)
    layer.build((None, None, FEATURES))
    layer.set_weights([weights["kernel"], weights["recurrent_kernel"], weights["bias"]])
    keras_outputs, keras_h = layer(x, initial_state=[h0])
    outputs, h_last, _ = rnn_forward(x, **weights, h0=h0)
    np.testing.assert_allclose(outputs, keras_outputs, atol=1e-5)
    np.testing.assert_allclose(h_last, keras_h, atol=1e-5)


def test_the_sequence_functions_equal_a_loop_over_the_step_functions(rng):
    x = rng.standard_normal((BATCH, TIME, FEATURES))
    weights = init_rnn_weights(rng, FEATURES, UNITS)
    weights["bias"] = rng.standard_normal(UNITS)
    h0, d_outputs, d_h_last = (rng.standard_normal(s) for s in ((BATCH, UNITS), (BATCH, TIME, UNITS), (BATCH, UNITS)))

    hs = [h0]
    for t in range(TIME):
        hs.append(rnn_step_forward(x[:, t], hs[-1], **weights))
    outputs, h_last, cache = rnn_forward(x, **weights, h0=h0)
    np.testing.assert_allclose(outputs, np.stack(hs[1:], axis=1), rtol=0, atol=1e-14)

    grads = rnn_backward(d_outputs, cache, d_h_last=d_h_last)
    totals = {name: np.zeros_like(w) for name, w in weights.items()}
    d_h_later = d_h_last
    for t in reversed(range(TIME)):
        step = rnn_step_backward(
            d_outputs[:, t] + d_h_later, hs[t + 1], hs[t], x[:, t], weights["kernel"], weights["recurrent_kernel"]
        )
        for name in totals:
            totals[name] += step[name]
        np.testing.assert_allclose(step["x"], grads["x"][:, t], rtol=0, atol=1e-12)
        d_h_later = step["h_prev"]
    for name in totals:
        np.testing.assert_allclose(totals[name], grads[name], rtol=0, atol=1e-12, err_msg=name)
    np.testing.assert_allclose(d_h_later, grads["h0"], rtol=0, atol=1e-12)
