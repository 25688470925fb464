"""The NumPy LSTM: its backward pass against finite differences and TensorFlow's autodiff, its
forward against Keras, and its behaviour at the edges (dtypes, shapes, saturation, bad input)."""

import numpy as np
import pytest

from lstm_lib.activations import sigmoid
from lstm_lib.gradcheck import gradient_errors
from lstm_lib.init import init_lstm_weights
from lstm_lib.numpy_lstm import lstm_backward, lstm_forward, lstm_step_backward, lstm_step_forward

BATCH, TIME, FEATURES, UNITS = 3, 6, 4, 5
WEIGHTS = ("kernel", "recurrent_kernel", "bias")


def _arrays(rng, with_state, dtype=np.float64):
    """Inputs, weights with a random bias (so that no gate sits at its default), optional states."""
    arrays = {"x": rng.standard_normal((BATCH, TIME, FEATURES)), **init_lstm_weights(rng, FEATURES, UNITS)}
    arrays["bias"] = rng.standard_normal(4 * UNITS)
    if with_state:
        arrays["h0"] = rng.standard_normal((BATCH, UNITS))
        arrays["c0"] = rng.standard_normal((BATCH, UNITS))
    return {name: value.astype(dtype) for name, value in arrays.items()}


def _loss_weights(rng, with_outputs, with_h_last, with_c_last, dtype=np.float64):
    """G, G_h, G_c (or None) of L = sum(outputs * G) + sum(h_T * G_h) + sum(c_T * G_c).

    The gradients of that loss with respect to outputs, h_T and c_T are G, G_h and G_c.
    """
    shapes = {"d_outputs": (BATCH, TIME, UNITS), "d_h_last": (BATCH, UNITS), "d_c_last": (BATCH, UNITS)}
    used = {"d_outputs": with_outputs, "d_h_last": with_h_last, "d_c_last": with_c_last}
    return {k: rng.standard_normal(shape).astype(dtype) if used[k] else None for k, shape in shapes.items()}


def _loss(arrays, loss_weights):
    outputs, (h, c), _ = lstm_forward(**arrays)
    terms = zip((outputs, h, c), loss_weights.values())
    return float(sum(np.sum(value * weight) for value, weight in terms if weight is not None))


def _backward(arrays, loss_weights):
    _, _, cache = lstm_forward(**arrays)
    return lstm_backward(loss_weights["d_outputs"], cache, loss_weights["d_h_last"], loss_weights["d_c_last"])


@pytest.mark.parametrize("with_state", [False, True])
@pytest.mark.parametrize(
    "with_outputs,with_h_last,with_c_last",
    [(True, False, False), (False, True, False), (False, False, True), (True, True, True)],
)
def test_gradients_match_finite_differences(rng, with_state, with_outputs, with_h_last, with_c_last):
    arrays = _arrays(rng, with_state)
    loss_weights = _loss_weights(rng, with_outputs, with_h_last, with_c_last)
    grads = _backward(arrays, loss_weights)
    errors = gradient_errors(lambda: _loss(arrays, loss_weights), arrays, grads)
    assert set(errors) == {"x", *WEIGHTS, *(("h0", "c0") if with_state else ())}
    assert max(errors.values()) < 1e-7, errors


def test_missing_initial_states_are_zeros(rng):
    """Without h0 and c0 the layer starts from zeros, and still returns their gradients."""
    arrays = _arrays(rng, with_state=False)
    loss_weights = _loss_weights(rng, True, True, True)
    zeros = {"h0": np.zeros((BATCH, UNITS)), "c0": np.zeros((BATCH, UNITS))}
    np.testing.assert_array_equal(lstm_forward(**arrays)[0], lstm_forward(**arrays, **zeros)[0])
    grads, grads_with_zeros = _backward(arrays, loss_weights), _backward({**arrays, **zeros}, loss_weights)
    for name in ("x", *WEIGHTS, "h0", "c0"):
        np.testing.assert_array_equal(grads[name], grads_with_zeros[name], err_msg=name)
    assert np.any(grads["h0"] != 0) and np.any(grads["c0"] != 0)


def test_state_gradients_are_the_totals_per_step(rng):
    """grads["h"] and grads["c"] hold dL/dh_t and dL/dc_t: at the last step, what the loss put there."""
    arrays = _arrays(rng, with_state=True)
    loss_weights = _loss_weights(rng, True, True, True)
    grads = _backward(arrays, loss_weights)
    assert grads["h"].shape == grads["c"].shape == (BATCH, TIME, UNITS)
    np.testing.assert_allclose(grads["h"][:, -1], loss_weights["d_outputs"][:, -1] + loss_weights["d_h_last"])
    # c_T reaches the loss through d_c_last and through h_T = o_T tanh(c_T).
    outputs, (_, c_last), _ = lstm_forward(**arrays)
    z_last = arrays["x"][:, -1] @ arrays["kernel"] + outputs[:, -2] @ arrays["recurrent_kernel"] + arrays["bias"]
    o_last = sigmoid(z_last[:, 3 * UNITS :])
    through_h = grads["h"][:, -1] * o_last * (1 - np.tanh(c_last) ** 2)
    np.testing.assert_allclose(grads["c"][:, -1], loss_weights["d_c_last"] + through_h)


@pytest.mark.parametrize("forget_bias,expected", [(30.0, 1.0), (-30.0, 0.0)])
def test_forget_gate_carries_or_erases_the_cell_gradient(rng, forget_bias, expected):
    """With the forget gate held open (f = 1) and the input and output gates shut, dL/dc_t
    reaches every step unchanged: the constant error carousel. With f = 0 it stops after one step."""
    arrays = _arrays(rng, with_state=True)
    arrays["bias"][:] = -30.0
    arrays["bias"][UNITS : 2 * UNITS] = forget_bias
    d_c_last = rng.standard_normal((BATCH, UNITS))
    _, _, cache = lstm_forward(**arrays)
    grads = lstm_backward(None, cache, d_c_last=d_c_last)
    np.testing.assert_allclose(grads["c"][:, -1], d_c_last, atol=1e-12)
    np.testing.assert_allclose(grads["c"][:, 0], expected * d_c_last, atol=1e-12)
    np.testing.assert_allclose(grads["c0"], expected * d_c_last, atol=1e-12)


def test_matches_keras_lstm(rng):
    """The same weights give the same outputs and final states as keras.layers.LSTM, in float32."""
    import keras

    arrays = _arrays(rng, with_state=True, dtype=np.float32)
    layer = keras.layers.LSTM(UNITS, return_sequences=True, return_state=True)
    layer.build((None, None, FEATURES))
    layer.set_weights([arrays[name] for name in WEIGHTS])
    outputs, (h, c), _ = lstm_forward(**arrays)
    keras_outputs, keras_h, keras_c = layer(arrays["x"], initial_state=[arrays["h0"], arrays["c0"]])
    for ours, theirs in ((outputs, keras_outputs), (h, keras_h), (c, keras_c)):
        np.testing.assert_allclose(ours, theirs, atol=1e-5)
    keras_outputs, keras_h, keras_c = layer(arrays["x"])
    outputs, (h, c), _ = lstm_forward(**{k: arrays[k] for k in ("x", *WEIGHTS)})
    for ours, theirs in ((outputs, keras_outputs), (h, keras_h), (c, keras_c)):
        np.testing.assert_allclose(ours, theirs, atol=1e-5)


@pytest.mark.parametrize("dtype,atol", [(np.float64, 1e-12), (np.float32, 1e-5)])
def test_gradients_match_tensorflow_autodiff(rng, dtype, atol):
    """GradientTape over keras.layers.LSTM gives the gradients of the hand-written backward pass."""
    import keras
    import tensorflow as tf

    arrays = _arrays(rng, with_state=True, dtype=dtype)
    loss_weights = _loss_weights(rng, True, True, True, dtype=dtype)
    layer = keras.layers.LSTM(UNITS, return_sequences=True, return_state=True, dtype=np.dtype(dtype).name)
    layer.build((None, None, FEATURES))
    layer.set_weights([arrays[name] for name in WEIGHTS])
    inputs = {name: tf.constant(arrays[name]) for name in ("x", "h0", "c0")}
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(list(inputs.values()))
        outputs, h, c = layer(inputs["x"], initial_state=[inputs["h0"], inputs["c0"]])
        loss = sum(tf.reduce_sum(value * weight) for value, weight in zip((outputs, h, c), loss_weights.values()))
    expected = dict(zip(WEIGHTS, tape.gradient(loss, layer.trainable_variables)))
    expected.update({name: tape.gradient(loss, tensor) for name, tensor in inputs.items()})
    grads = _backward(arrays, loss_weights)
    for name, value in expected.items():
        scale = float(np.max(np.abs(value)))
        np.testing.assert_allclose(grads[name], value, atol=atol * scale, rtol=0, err_msg=name)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("batch,time", [(1, 1), (7, 3), (2, 40)])
def test_any_batch_and_length_keeps_dtype(rng, dtype, batch, time):
    x = rng.standard_normal((batch, time, FEATURES)).astype(dtype)
    weights = init_lstm_weights(rng, FEATURES, UNITS, dtype=dtype)
    outputs, (h, c), cache = lstm_forward(x, **weights)
    assert outputs.shape == (batch, time, UNITS) and outputs.dtype == h.dtype == c.dtype == dtype
    np.testing.assert_array_equal(h, outputs[:, -1])
    grads = lstm_backward(np.ones_like(outputs), cache, np.ones_like(h), np.ones_like(c))
    for name, value in {"x": x, **weights, "h0": h, "c0": c}.items():
        assert grads[name].shape == value.shape and grads[name].dtype == dtype, name


def test_float32_agrees_with_float64(rng):
    """Computing in float32 changes only the rounding: the gradients agree to float32 precision."""
    arrays = _arrays(rng, with_state=True)
    loss_weights = _loss_weights(rng, True, True, True)
    grads = _backward(arrays, loss_weights)
    grads32 = _backward(
        {k: v.astype(np.float32) for k, v in arrays.items()},
        {k: v.astype(np.float32) for k, v in loss_weights.items()},
    )
    for name in ("x", *WEIGHTS, "h0", "c0"):
        assert grads32[name].dtype == np.float32
        np.testing.assert_allclose(grads32[name], grads[name], atol=1e-5 * np.max(np.abs(grads[name])), err_msg=name)


def test_large_pre_activations_do_not_warn(rng):
    """The gates saturate at exactly 0 and 1 without overflow; every warning is an error here."""
    arrays = _arrays(rng, with_state=True)
    arrays["x"] *= 1e6
    arrays["bias"] *= 1e4
    outputs, (h, c), cache = lstm_forward(**arrays)
    assert np.all(np.abs(outputs) <= 1) and np.all(np.isfinite(c))
    i, f, g, o = np.split(cache.gates, 4, axis=-1)
    sigmoid_gates = np.stack([i, f, o])
    assert np.all((sigmoid_gates >= 0) & (sigmoid_gates <= 1)) and np.all(np.abs(g) <= 1)
    assert np.any(sigmoid_gates == 0) and np.any(sigmoid_gates == 1), "the gates should saturate"
    grads = lstm_backward(np.ones_like(outputs), cache, np.ones_like(h), np.ones_like(c))
    assert all(np.all(np.isfinite(grads[name])) for name in ("x", *WEIGHTS, "h0", "c0"))


def test_inputs_and_cache_are_left_unchanged(rng):
    """The in-place arithmetic inside never writes to the caller's arrays, and a cache can be reused."""
    arrays = _arrays(rng, with_state=True)
    loss_weights = _loss_weights(rng, True, True, True)
    saved = {k: v.copy() for k, v in {**arrays, **loss_weights}.items()}
    _, _, cache = lstm_forward(**arrays)
    first, second = (lstm_backward(cache=cache, **loss_weights) for _ in range(2))
    for name, value in {**arrays, **loss_weights}.items():
        np.testing.assert_array_equal(value, saved[name], err_msg=name)
    for name in first:
        np.testing.assert_array_equal(first[name], second[name], err_msg=name)


@pytest.mark.parametrize(
    "change,message",
    [
        (lambda a: {**a, "x": a["x"][0]}, r"Expected x of shape \(batch, time, features\). Received: x.shape=\(6, 4\)"),
        (lambda a: {**a, "x": a["x"][:, :0]}, r"Expected x with at least one sequence, one time step"),
        (
            lambda a: {**a, "kernel": a["kernel"][:3]},
            r"Expected kernel of shape \(4, 4 \* units\). Received: kernel.shape=\(3, 20\)",
        ),
        (
            lambda a: {**a, "kernel": a["kernel"][:, :18]},
            r"kernel.shape=\(4, 18\), whose second axis is not a positive multiple of 4",
        ),
        (
            lambda a: {**a, "recurrent_kernel": a["recurrent_kernel"][:4]},
            r"Expected recurrent_kernel of shape \(5, 20\). Received: recurrent_kernel.shape=\(4, 20\)",
        ),
        (lambda a: {**a, "bias": np.zeros(5)}, r"Expected bias of shape \(20,\). Received: bias.shape=\(5,\)"),
        (lambda a: {**a, "h0": np.zeros((2, 5))}, r"Expected h0 of shape \(3, 5\). Received: h0.shape=\(2, 5\)"),
        (lambda a: {**a, "c0": np.zeros((3, 4))}, r"Expected c0 of shape \(3, 5\). Received: c0.shape=\(3, 4\)"),
        (lambda a: {**a, "kernel": a["kernel"].astype(int)}, r"Expected kernel of a floating point dtype"),
    ],
)
def test_bad_forward_input_raises_clear_errors(rng, change, message):
    with pytest.raises(TypeError if "dtype" in message else ValueError, match=message):
        lstm_forward(**change(_arrays(rng, with_state=True)))


@pytest.mark.parametrize(
    "name,shape,message",
    [
        (
            "d_outputs",
            (BATCH, TIME - 1, UNITS),
            r"Expected d_outputs of shape \(3, 6, 5\). Received: d_outputs.shape=\(3, 5, 5\)",
        ),
        (
            "d_h_last",
            (BATCH, TIME, UNITS),
            r"Expected d_h_last of shape \(3, 5\). Received: d_h_last.shape=\(3, 6, 5\)",
        ),
        ("d_c_last", (UNITS,), r"Expected d_c_last of shape \(3, 5\). Received: d_c_last.shape=\(5,\)"),
    ],
)
def test_bad_backward_input_raises_clear_errors(rng, name, shape, message):
    _, _, cache = lstm_forward(**_arrays(rng, with_state=False))
    with pytest.raises(ValueError, match=message):
        lstm_backward(**{"d_outputs": None, "cache": cache, name: np.zeros(shape)})


@pytest.mark.parametrize(
    "options,expected_i,expected_f",
    [({}, 0.0, 1.0), ({"unit_forget_bias": False}, 0.0, 0.0), ({"forget_bias": 5.0, "input_bias": -5.0}, -5.0, 5.0)],
)
def test_init_sets_the_gate_biases(rng, options, expected_i, expected_f):
    """Keras's start (forget bias 1), no forget bias, and a long-memory start; c and o stay at 0."""
    bias = init_lstm_weights(rng, FEATURES, UNITS, **options)["bias"]
    i, f, c, o = np.split(bias, 4)
    assert np.all(i == expected_i) and np.all(f == expected_f) and not np.any(c) and not np.any(o)


def test_the_sequence_functions_equal_a_loop_over_the_step_functions(rng):
    x = rng.standard_normal((BATCH, TIME, FEATURES))
    weights = init_lstm_weights(rng, FEATURES, UNITS)
    weights["bias"] = rng.standard_normal(4 * UNITS)
    h0, c0 = rng.standard_normal((BATCH, UNITS)), rng.standard_normal((BATCH, UNITS))
    d_outputs, d_h_last, d_c_last = (
        rng.standard_normal(s) for s in ((BATCH, TIME, UNITS), (BATCH, UNITS), (BATCH, UNITS))
    )

    hs, cs, gates = [h0], [c0], []
    for t in range(TIME):
        h, c, step_gates = lstm_step_forward(x[:, t], hs[-1], cs[-1], **weights)
        hs.append(h), cs.append(c), gates.append(step_gates)
    outputs, (h_last, c_last), cache = lstm_forward(x, **weights, h0=h0, c0=c0)
    np.testing.assert_allclose(outputs, np.stack(hs[1:], axis=1), rtol=0, atol=1e-14)
    np.testing.assert_allclose(
        cache.gates.swapaxes(0, 1), np.stack([np.concatenate(g, -1) for g in gates], 1), atol=1e-14
    )

    grads = lstm_backward(d_outputs, cache, d_h_last=d_h_last, d_c_last=d_c_last)
    totals = {name: np.zeros_like(w) for name, w in weights.items()}
    d_h_later, d_c_later = d_h_last, d_c_last
    for t in reversed(range(TIME)):
        step = lstm_step_backward(
            d_outputs[:, t] + d_h_later,
            d_c_later,
            x[:, t],
            hs[t],
            cs[t],
            cs[t + 1],
            gates[t],
            weights["kernel"],
            weights["recurrent_kernel"],
        )
        for name in totals:
            totals[name] += step[name]
        np.testing.assert_allclose(step["x"], grads["x"][:, t], rtol=0, atol=1e-12)
        d_h_later, d_c_later = step["h_prev"], step["c_prev"]
    for name in totals:
        np.testing.assert_allclose(totals[name], grads[name], rtol=0, atol=1e-12, err_msg=name)
    np.testing.assert_allclose(d_h_later, grads["h0"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(d_c_later, grads["c0"], rtol=0, atol=1e-12)
