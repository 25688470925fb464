"""The NumPy GRU: its forward against keras.layers.GRU, its backward pass against TensorFlow's autodiff
and finite differences, the fused sequence functions against the step functions, and its behaviour at
the edges (dtypes, saturation, bad input)."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from lstm_lib.gradcheck import gradient_errors, relative_error
from lstm_lib.init import init_gru_weights
from lstm_lib.numpy_gru import gru_backward, gru_forward, gru_step_backward, gru_step_forward

BATCH, TIME, FEATURES, UNITS = 3, 6, 4, 5
WEIGHTS = ("kernel", "recurrent_kernel", "bias")
ROOT = Path(__file__).resolve().parents[1]


def _arrays(rng, with_state, dtype=np.float64, batch=BATCH, time=TIME, features=FEATURES, units=UNITS):
    """Inputs, weights with a random bias (so that no gate sits at its default), an optional h0."""
    arrays = {"x": rng.standard_normal((batch, time, features)), **init_gru_weights(rng, features, units)}
    arrays["bias"] = rng.standard_normal((2, 3 * units))
    if with_state:
        arrays["h0"] = rng.standard_normal((batch, units))
    return {name: value.astype(dtype) for name, value in arrays.items()}


def _loss_weights(rng, with_outputs, with_h_last, dtype=np.float64):
    """G and G_h (or None) of L = sum(outputs * G) + sum(h_T * G_h), whose gradients they are."""
    return {
        "d_outputs": rng.standard_normal((BATCH, TIME, UNITS)).astype(dtype) if with_outputs else None,
        "d_h_last": rng.standard_normal((BATCH, UNITS)).astype(dtype) if with_h_last else None,
    }


def _loss(arrays, loss_weights):
    outputs, h_last, _ = gru_forward(**arrays)
    terms = zip((outputs, h_last), loss_weights.values())
    return float(sum(np.sum(value * weight) for value, weight in terms if weight is not None))


def _backward(arrays, loss_weights):
    _, _, cache = gru_forward(**arrays)
    return gru_backward(loss_weights["d_outputs"], cache, loss_weights["d_h_last"])


def _keras_gru(units, features, dtype):
    import keras

    layer = keras.layers.GRU(units, return_sequences=True, return_state=True, dtype=np.dtype(dtype).name)
    layer.build((None, None, features))
    return layer


@pytest.mark.parametrize("with_state", [False, True])
@pytest.mark.parametrize("with_outputs,with_h_last", [(True, False), (False, True), (True, True)])
def test_gradients_match_finite_differences(rng, with_state, with_outputs, with_h_last):
    arrays = _arrays(rng, with_state)
    loss_weights = _loss_weights(rng, with_outputs, with_h_last)
    grads = _backward(arrays, loss_weights)
    errors = gradient_errors(lambda: _loss(arrays, loss_weights), arrays, grads)
    assert set(errors) == {"x", *WEIGHTS, *(("h0",) if with_state else ())}
    assert max(errors.values()) < 1e-7, errors


@pytest.mark.parametrize(
    "batch,time,features,units", [(BATCH, TIME, FEATURES, UNITS), (1, 1, 1, 1), (2, 4, 1, 3), (1, 3, 2, 1)]
)
def test_matches_keras_gru(rng, batch, time, features, units):
    """The same weights give the same outputs and last state as keras.layers.GRU, in float32."""
    arrays = _arrays(rng, True, np.float32, batch, time, features, units)
    layer = _keras_gru(units, features, np.float32)
    layer.set_weights([arrays[name] for name in WEIGHTS])
    without_state = {name: arrays[name] for name in ("x", *WEIGHTS)}
    for ours, initial_state in ((gru_forward(**arrays), arrays["h0"]), (gru_forward(**without_state), None)):
        keras_outputs, keras_h = layer(arrays["x"], initial_state=initial_state)
        outputs, h_last, _ = ours
        assert outputs.dtype == h_last.dtype == np.float32
        np.testing.assert_allclose(outputs, keras_outputs, rtol=0, atol=1e-5)
        np.testing.assert_allclose(h_last, keras_h, rtol=0, atol=1e-5)


def test_gradients_match_tensorflow_autodiff(rng):
    """GradientTape over keras.layers.GRU in float64 gives the gradients of the hand-written backward pass."""
    import tensorflow as tf

    arrays = _arrays(rng, with_state=True)
    loss_weights = _loss_weights(rng, True, True)
    layer = _keras_gru(UNITS, FEATURES, np.float64)
    layer.set_weights([arrays[name] for name in WEIGHTS])
    inputs = {name: tf.constant(arrays[name]) for name in ("x", "h0")}
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(list(inputs.values()))
        outputs, h_last = layer(inputs["x"], initial_state=inputs["h0"])
        loss = sum(tf.reduce_sum(value * weight) for value, weight in zip((outputs, h_last), loss_weights.values()))
    expected = dict(zip(WEIGHTS, tape.gradient(loss, layer.trainable_variables)))
    expected.update({name: tape.gradient(loss, tensor) for name, tensor in inputs.items()})
    grads = _backward(arrays, loss_weights)
    errors = {name: relative_error(grads[name], np.asarray(value)) for name, value in expected.items()}
    assert set(errors) == {"x", *WEIGHTS, "h0"}
    assert max(errors.values()) < 1e-7, errors


def test_the_sequence_functions_equal_a_loop_over_the_step_functions(rng):
    arrays = _arrays(rng, with_state=True)
    x, h0 = arrays.pop("x"), arrays.pop("h0")
    loss_weights = _loss_weights(rng, True, True)
    d_outputs, d_h_last = loss_weights.values()

    hs, gates = [h0], []
    for t in range(TIME):
        h, step_gates = gru_step_forward(x[:, t], hs[-1], **arrays)
        hs.append(h), gates.append(step_gates)
    outputs, h_last, cache = gru_forward(x, **arrays, h0=h0)
    np.testing.assert_allclose(outputs, np.stack(hs[1:], axis=1), rtol=0, atol=1e-14)
    np.testing.assert_array_equal(h_last, outputs[:, -1])
    np.testing.assert_allclose(
        cache.gates.swapaxes(0, 1), np.stack([np.concatenate(g[:3], -1) for g in gates], 1), rtol=0, atol=1e-14
    )
    np.testing.assert_allclose(cache.u_h.swapaxes(0, 1), np.stack([g[3] for g in gates], 1), rtol=0, atol=1e-14)

    grads = gru_backward(d_outputs, cache, d_h_last)
    totals = {name: np.zeros_like(w) for name, w in arrays.items()}
    d_h_later = d_h_last
    for t in reversed(range(TIME)):
        d_h = d_outputs[:, t] + d_h_later
        np.testing.assert_allclose(d_h, grads["h"][:, t], rtol=0, atol=1e-12)
        step = gru_step_backward(d_h, x[:, t], hs[t], gates[t], arrays["kernel"], arrays["recurrent_kernel"])
        for name in totals:
            totals[name] += step[name]
        np.testing.assert_allclose(step["x"], grads["x"][:, t], rtol=0, atol=1e-12)
        d_h_later = step["h_prev"]
    for name in totals:
        np.testing.assert_allclose(totals[name], grads[name], rtol=0, atol=1e-12, err_msg=name)
    np.testing.assert_allclose(d_h_later, grads["h0"], rtol=0, atol=1e-12)


def test_missing_initial_state_is_zeros(rng):
    """Without h0 the layer starts from zeros, and still returns its gradient."""
    arrays = _arrays(rng, with_state=False)
    loss_weights = _loss_weights(rng, True, True)
    zeros = {"h0": np.zeros((BATCH, UNITS))}
    np.testing.assert_array_equal(gru_forward(**arrays)[0], gru_forward(**arrays, **zeros)[0])
    grads, grads_with_zeros = _backward(arrays, loss_weights), _backward({**arrays, **zeros}, loss_weights)
    for name in ("x", *WEIGHTS, "h0"):
        np.testing.assert_array_equal(grads[name], grads_with_zeros[name], err_msg=name)
    assert np.any(grads["h0"] != 0)


def test_state_gradient_at_the_last_step_is_what_the_loss_put_there(rng):
    arrays = _arrays(rng, with_state=True)
    loss_weights = _loss_weights(rng, True, True)
    grads = _backward(arrays, loss_weights)
    assert grads["h"].shape == (BATCH, TIME, UNITS)
    np.testing.assert_allclose(grads["h"][:, -1], loss_weights["d_outputs"][:, -1] + loss_weights["d_h_last"])


def test_an_update_gate_at_one_carries_the_state_and_its_gradient(rng):
    """With z = 1 (Keras's convention: keep the old state) h_t = h_0 at every step, and dL/dh_T
    reaches h_0 unchanged, whatever the weights: the GRU's path without a matrix product."""
    arrays = _arrays(rng, with_state=True)
    arrays["bias"][0, :UNITS] = 100.0  # x_z + u_z far above 0: z = 1 to the last bit
    d_h_last = rng.standard_normal((BATCH, UNITS))
    outputs, h_last, cache = gru_forward(**arrays)
    assert np.all(cache.gates[..., :UNITS] == 1.0)
    np.testing.assert_allclose(outputs, np.broadcast_to(arrays["h0"][:, None], outputs.shape), rtol=0, atol=1e-15)
    grads = gru_backward(None, cache, d_h_last)
    np.testing.assert_allclose(grads["h0"], d_h_last, rtol=0, atol=1e-12)
    np.testing.assert_allclose(grads["h"][:, 0], d_h_last, rtol=0, atol=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("batch,time", [(1, 1), (7, 3)])
def test_any_batch_and_length_keeps_dtype(rng, dtype, batch, time):
    x = rng.standard_normal((batch, time, FEATURES)).astype(dtype)
    weights = init_gru_weights(rng, FEATURES, UNITS, dtype=dtype)
    outputs, h_last, cache = gru_forward(x, **weights)
    assert outputs.shape == (batch, time, UNITS) and outputs.dtype == h_last.dtype == dtype
    grads = gru_backward(np.ones_like(outputs), cache, np.ones_like(h_last))
    for name, value in {"x": x, **weights, "h0": h_last}.items():
        assert grads[name].shape == value.shape and grads[name].dtype == dtype, name
    assert grads["h"].shape == outputs.shape and grads["h"].dtype == dtype


def test_mixed_dtypes_compute_in_the_wider_one(rng):
    """As in numpy_lstm: the result has np.result_type of x and the weights."""
    arrays = _arrays(rng, with_state=True, dtype=np.float32)
    arrays["bias"] = arrays["bias"].astype(np.float64)
    outputs, h_last, cache = gru_forward(**arrays)
    assert outputs.dtype == h_last.dtype == cache.gates.dtype == np.float64


def test_float32_agrees_with_float64(rng):
    """Computing in float32 changes only the rounding: the gradients agree to float32 precision."""
    arrays = _arrays(rng, with_state=True)
    loss_weights = _loss_weights(rng, True, True)
    grads = _backward(arrays, loss_weights)
    grads32 = _backward(
        {k: v.astype(np.float32) for k, v in arrays.items()},
        {k: v.astype(np.float32) for k, v in loss_weights.items()},
    )
    for name in ("x", *WEIGHTS, "h0"):
        assert grads32[name].dtype == np.float32
        np.testing.assert_allclose(grads32[name], grads[name], atol=1e-5 * np.max(np.abs(grads[name])), err_msg=name)


@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_large_pre_activations_do_not_warn(rng, sign):
    """Pre-activations of +-1000 saturate the gates at exactly 0 and 1 without overflow; every warning
    is an error here."""
    arrays = _arrays(rng, with_state=True)
    arrays["x"] = np.full((BATCH, TIME, FEATURES), sign * 1000.0)
    arrays["kernel"] = np.full((FEATURES, 3 * UNITS), 1.0 / FEATURES)  # x_t W = +-1000 in every column
    arrays["bias"][:] = 0.0
    outputs, h_last, cache = gru_forward(**arrays)
    assert np.all(np.isfinite(outputs)) and np.all(np.abs(outputs) <= max(1.0, np.abs(arrays["h0"]).max()))
    z, r, hh = np.split(cache.gates, 3, axis=-1)
    assert np.all(z == (sign > 0)) and np.all(r == (sign > 0)), "the gates should saturate"
    assert np.all(np.abs(hh) <= 1)
    grads = gru_backward(np.ones_like(outputs), cache, np.ones_like(h_last))
    assert all(np.all(np.isfinite(grads[name])) for name in ("x", *WEIGHTS, "h0"))


def test_inputs_and_cache_are_left_unchanged(rng):
    """The in-place arithmetic inside never writes to the caller's arrays, and a cache can be reused."""
    arrays = _arrays(rng, with_state=True)
    loss_weights = _loss_weights(rng, True, True)
    saved = {k: v.copy() for k, v in {**arrays, **loss_weights}.items()}
    _, _, cache = gru_forward(**arrays)
    first, second = (gru_backward(cache=cache, **loss_weights) for _ in range(2))
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
            lambda a: {**a, "x": a["x"].astype(int)},
            r"Expected x of a floating point dtype \(float32 or float64\). Received: x.dtype=int",
        ),
        (
            lambda a: {**a, "kernel": a["kernel"][:3]},
            r"Expected kernel of shape \(4, 3 \* units\). Received: kernel.shape=\(3, 15\)",
        ),
        (
            lambda a: {**a, "kernel": a["kernel"][:, :14]},
            r"Expected kernel of shape \(4, 3 \* units\) for the GRU, units >= 1. Received: kernel.shape=\(4, 14\), "
            r"whose second axis is not a positive multiple of 3",
        ),
        (lambda a: {**a, "kernel": a["kernel"].astype(int)}, r"Expected kernel of a floating point dtype"),
        (
            lambda a: {**a, "recurrent_kernel": a["recurrent_kernel"][:4]},
            r"Expected recurrent_kernel of shape \(5, 15\). Received: recurrent_kernel.shape=\(4, 15\)",
        ),
        (
            lambda a: {**a, "recurrent_kernel": a["recurrent_kernel"][:, :5]},
            r"Expected recurrent_kernel of shape \(5, 15\). Received: recurrent_kernel.shape=\(5, 5\)",
        ),
        (lambda a: {**a, "bias": a["bias"][0]}, r"Expected bias of shape \(2, 15\). Received: bias.shape=\(15,\)"),
        (
            lambda a: {**a, "bias": a["bias"][:, :10]},
            r"Expected bias of shape \(2, 15\). Received: bias.shape=\(2, 10\)",
        ),
        (lambda a: {**a, "h0": np.zeros((2, 5))}, r"Expected h0 of shape \(3, 5\). Received: h0.shape=\(2, 5\)"),
        (lambda a: {**a, "h0": np.zeros((3, 15))}, r"Expected h0 of shape \(3, 5\). Received: h0.shape=\(3, 15\)"),
    ],
)
def test_bad_forward_input_raises_clear_errors(rng, change, message):
    with pytest.raises(TypeError if "dtype" in message else ValueError, match=message):
        gru_forward(**change(_arrays(rng, with_state=True)))


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
    ],
)
def test_bad_backward_input_raises_clear_errors(rng, name, shape, message):
    _, _, cache = gru_forward(**_arrays(rng, with_state=False))
    with pytest.raises(ValueError, match=message):
        gru_backward(**{"d_outputs": None, "cache": cache, name: np.zeros(shape)})


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_init_has_keras_gru_defaults(dtype):
    """Glorot-uniform kernel, a recurrent kernel orthogonal as a whole, a zero (2, 3 units) bias;
    the same seed gives the same weights."""
    weights = init_gru_weights(np.random.default_rng(7), FEATURES, UNITS, dtype)
    again = init_gru_weights(np.random.default_rng(7), FEATURES, UNITS, dtype)
    assert {name: (w.shape, w.dtype) for name, w in weights.items()} == {
        "kernel": ((FEATURES, 3 * UNITS), dtype),
        "recurrent_kernel": ((UNITS, 3 * UNITS), dtype),
        "bias": ((2, 3 * UNITS), dtype),
    }
    for name in WEIGHTS:
        np.testing.assert_array_equal(weights[name], again[name])
    assert np.abs(weights["kernel"]).max() <= np.sqrt(6 / (FEATURES + 3 * UNITS))
    recurrent = weights["recurrent_kernel"].astype(np.float64)
    np.testing.assert_allclose(recurrent @ recurrent.T, np.eye(UNITS), atol=1e-6)
    assert not np.any(weights["bias"])


def test_import_does_not_load_tensorflow():
    code = "import sys, lstm_lib.numpy_gru; assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_an_update_bias_opens_the_update_gate_at_the_start(rng):
    """update_bias sets the update gate's block of the input bias alone; 0 (the default) is Keras's start."""
    weights = init_gru_weights(rng, 3, 4, update_bias=3.0)
    np.testing.assert_array_equal(weights["bias"][0, :4], 3.0)
    assert not weights["bias"][0, 4:].any() and not weights["bias"][1].any()
    assert not init_gru_weights(np.random.default_rng(0), 3, 4)["bias"].any()
