"""The LSTM variants: the standard one equals the fused LSTM, every backward pass equals finite differences,
and each variant does what its name says."""

import numpy as np
import pytest

from lstm_lib.gradcheck import gradient_errors
from lstm_lib.init import init_lstm_weights
from lstm_lib.numpy_lstm import lstm_backward, lstm_forward
from lstm_lib.numpy_lstm_variants import VARIANTS, get_variant, init_variant_weights, variant_backward, variant_forward

BATCH, TIME, FEATURES, UNITS = 3, 6, 2, 4


def random_weights(rng, name, dtype=np.float64, scale=0.7):
    variant = get_variant(name)
    width = len(variant.blocks) * UNITS
    weights = {
        "kernel": scale * rng.standard_normal((FEATURES, width)),
        "recurrent_kernel": scale * rng.standard_normal((UNITS, width)),
        "bias": scale * rng.standard_normal(width),
    }
    if variant.peepholes:
        weights["peephole"] = scale * rng.standard_normal((3, UNITS))
    return {k: v.astype(dtype) for k, v in weights.items()}


def test_the_standard_variant_equals_the_fused_lstm(rng):
    x = rng.standard_normal((BATCH, TIME, FEATURES))
    weights = random_weights(rng, "standard")
    h0, c0 = rng.standard_normal((2, BATCH, UNITS))
    ours, (h, c), cache = variant_forward(x, **weights, h0=h0, c0=c0, variant="standard")
    fused, (h_f, c_f), fused_cache = lstm_forward(x, **weights, h0=h0, c0=c0)
    np.testing.assert_allclose(ours, fused, atol=1e-14)
    np.testing.assert_allclose(c, c_f, atol=1e-14)
    d_out, d_c = rng.standard_normal((BATCH, TIME, UNITS)), rng.standard_normal((BATCH, UNITS))
    grads, fused_grads = variant_backward(d_out, cache, d_c_last=d_c), lstm_backward(d_out, fused_cache, d_c_last=d_c)
    assert set(grads) == set(fused_grads)
    for name in grads:
        np.testing.assert_allclose(grads[name], fused_grads[name], atol=1e-13, err_msg=name)


@pytest.mark.parametrize("name", VARIANTS)
def test_backward_equals_finite_differences(rng, name):
    params = {
        "x": rng.standard_normal((BATCH, TIME, FEATURES)),
        **random_weights(rng, name),
        "h0": rng.standard_normal((BATCH, UNITS)),
        "c0": rng.standard_normal((BATCH, UNITS)),
    }
    read_outputs, read_h, read_c = rng.standard_normal((BATCH, TIME, UNITS)), *rng.standard_normal((2, BATCH, UNITS))

    def loss():
        outputs, (h, c), _ = variant_forward(**params, variant=name)
        return float(np.sum(outputs * read_outputs) + np.sum(h * read_h) + np.sum(c * read_c))

    _, _, cache = variant_forward(**params, variant=name)
    grads = variant_backward(read_outputs, cache, d_h_last=read_h, d_c_last=read_c)
    errors = gradient_errors(loss, params, {k: grads[k] for k in params})
    assert max(errors.values()) < 1e-7, errors


def test_each_variant_does_what_its_name_says(rng):
    x = rng.standard_normal((BATCH, TIME, FEATURES))
    runs = {name: variant_forward(x, **random_weights(rng, name), variant=name) for name in VARIANTS}
    steps = {name: run[2].steps for name, run in runs.items()}
    for step in steps["coupled"]:
        np.testing.assert_allclose(step["i"] + step["f"], 1.0, atol=1e-15)
    for step in steps["no_forget_gate"]:  # the cell only adds: c_t = c_{t-1} + i_t g_t
        np.testing.assert_array_equal(step["f"], 1.0)
        np.testing.assert_allclose(step["c"] - step["c_prev"], step["i"] * step["g"], atol=1e-14)
    for step in steps["no_output_activation"]:
        np.testing.assert_allclose(step["h"], step["o"] * step["c"], atol=1e-15)
    for step in steps["standard"]:
        np.testing.assert_allclose(step["h"], step["o"] * np.tanh(step["c"]), atol=1e-15)


def test_zero_peepholes_are_the_standard_lstm(rng):
    x = rng.standard_normal((BATCH, TIME, FEATURES))
    weights = random_weights(rng, "standard")
    standard, _, _ = variant_forward(x, **weights, variant="standard")
    peephole, _, _ = variant_forward(x, **weights, peephole=np.zeros((3, UNITS)), variant="peephole")
    np.testing.assert_array_equal(standard, peephole)


@pytest.mark.parametrize("name", VARIANTS)
def test_initial_weights(name):
    weights = init_variant_weights(np.random.default_rng(0), FEATURES, UNITS, variant=name)
    blocks = get_variant(name).blocks
    assert weights["kernel"].shape == (FEATURES, len(blocks) * UNITS)
    bias = weights["bias"].reshape(len(blocks), UNITS)
    for gate, row in zip(blocks, bias):
        np.testing.assert_array_equal(row, 1.0 if gate == "f" else 0.0)
    if name == "peephole":
        np.testing.assert_array_equal(weights["peephole"], 0.0)
    if name == "standard":
        expected = init_lstm_weights(np.random.default_rng(0), FEATURES, UNITS)
        assert all(np.array_equal(weights[k], expected[k]) for k in expected)


@pytest.mark.parametrize("name", VARIANTS)
def test_float32_and_saturation(rng, name):
    x = rng.standard_normal((BATCH, TIME, FEATURES)).astype(np.float32)
    weights = random_weights(rng, name, np.float32, scale=1000.0)  # warnings are errors: no overflow allowed
    outputs, (h, c), cache = variant_forward(x, **weights, variant=name)
    grads = variant_backward(np.ones_like(outputs), cache)
    assert outputs.dtype == np.float32 and grads["kernel"].dtype == np.float32
    assert all(np.all(np.isfinite(g)) for g in grads.values())


def test_bad_input(rng):
    x = rng.standard_normal((BATCH, TIME, FEATURES))
    coupled = random_weights(rng, "coupled")
    with pytest.raises(
        ValueError,
        match=r"Expected kernel of shape \(2, 3 \* units\) for the coupled variant, units >= 1\. "
        r"Received: kernel.shape=\(2, 16\), whose second axis is not a positive multiple of 3\.",
    ):
        variant_forward(x, **random_weights(rng, "standard"), variant="coupled")
    with pytest.raises(ValueError, match=r"Expected bias of shape \(12,\)\. Received: bias.shape=\(2, 6\)\."):
        variant_forward(x, **{**coupled, "bias": coupled["bias"].reshape(2, 6)}, variant="coupled")
    with pytest.raises(ValueError, match=r"Expected peephole of shape \(3, 4\)\. Received: peephole=None\."):
        variant_forward(x, **random_weights(rng, "standard"), variant="peephole")
    with pytest.raises(ValueError, match=r"Expected peephole=None for the coupled variant"):
        variant_forward(x, **coupled, peephole=np.zeros((3, UNITS)), variant="coupled")
    with pytest.raises(ValueError, match=r"Expected h0 of shape \(3, 4\)\. Received: h0.shape=\(4,\)\."):
        variant_forward(x, **coupled, h0=np.zeros(UNITS), variant="coupled")
    with pytest.raises(ValueError, match=r"Expected variant in \[.*\]\. Received: variant='forgetful'\."):
        variant_forward(x, **coupled, variant="forgetful")
    with pytest.raises(ValueError, match=r"Expected x of shape \(batch, time, features\)"):
        variant_forward(x[0], **coupled, variant="coupled")
