"""Properties that hold for every input, checked on random ones with Hypothesis.

Shapes, sizes and values are drawn, the edges included (a batch of one, one step, one unit, values near
the ends of what the functions take). The tests run with warnings as errors (pyproject.toml), so an
overflow or an invalid operation anywhere fails them.
"""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from lstm_lib.layer_parts import check_layer
from lstm_lib.losses import mean_squared_error, sigmoid_binary_crossentropy, softmax_cross_entropy
from lstm_lib.numpy_gru import gru_forward, gru_step_forward
from lstm_lib.numpy_lstm import lstm_backward, lstm_forward, lstm_step_backward, lstm_step_forward
from lstm_lib.numpy_lstm_variants import VARIANTS, init_variant_weights, variant_forward
from lstm_lib.numpy_rnn import rnn_backward, rnn_forward, rnn_step_backward, rnn_step_forward
from lstm_lib.scaling import Standardizer
from lstm_lib.series import split_windows, windows
from lstm_lib.splits import contiguous_split, holdout_per_class

# derandomize: the same examples on every run, so a CI failure can be reproduced here.
SETTINGS = settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
sizes = st.integers(1, 4)
values = st.floats(-3.0, 3.0, allow_nan=False, allow_infinity=False)


@st.composite
def layer_inputs(draw, blocks: int, bias_rows: int | None = None, scale: float = 1.0):
    """x, weights and initial states of random shapes for a layer with ``blocks`` gate blocks."""
    batch, time, features, units = draw(sizes), draw(st.integers(1, 6)), draw(sizes), draw(sizes)
    elements = st.floats(-scale, scale, allow_nan=False, allow_infinity=False)

    def array(*shape):
        return draw(hnp.arrays(np.float64, shape, elements=elements))

    bias_shape = (blocks * units,) if bias_rows is None else (bias_rows, blocks * units)
    return {
        "x": array(batch, time, features),
        "kernel": array(features, blocks * units),
        "recurrent_kernel": array(units, blocks * units),
        "bias": array(*bias_shape),
        "h0": array(batch, units),
        "c0": array(batch, units),
    }


@SETTINGS
@given(layer_inputs(blocks=1))
def test_the_rnn_is_its_step_loop_forward_and_backward_on_any_shape(a):
    weights = {k: a[k] for k in ("kernel", "recurrent_kernel", "bias")}
    outputs, h_last, cache = rnn_forward(a["x"], **weights, h0=a["h0"])
    h, d_h_later, d_kernel = a["h0"], np.zeros_like(a["h0"]), np.zeros_like(a["kernel"])
    states = [h]
    for t in range(a["x"].shape[1]):
        h = rnn_step_forward(a["x"][:, t], h, **weights)
        states.append(h)
    np.testing.assert_allclose(outputs, np.stack(states[1:], axis=1), rtol=1e-12, atol=1e-12)
    grads = rnn_backward(np.ones_like(outputs), cache)
    for t in reversed(range(a["x"].shape[1])):
        step = rnn_step_backward(
            1.0 + d_h_later, states[t + 1], states[t], a["x"][:, t], a["kernel"], a["recurrent_kernel"]
        )
        d_h_later, d_kernel = step["h_prev"], d_kernel + step["kernel"]
    np.testing.assert_allclose(grads["kernel"], d_kernel, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(grads["h0"], d_h_later, rtol=1e-9, atol=1e-9)


@SETTINGS
@given(layer_inputs(blocks=4))
def test_the_lstm_is_its_step_loop_forward_and_backward_on_any_shape(a):
    weights = {k: a[k] for k in ("kernel", "recurrent_kernel", "bias")}
    outputs, (h_last, c_last), cache = lstm_forward(a["x"], **weights, h0=a["h0"], c0=a["c0"])
    hs, cs, gates = [a["h0"]], [a["c0"]], []
    for t in range(a["x"].shape[1]):
        h, c, g = lstm_step_forward(a["x"][:, t], hs[-1], cs[-1], **weights)
        hs.append(h), cs.append(c), gates.append(g)
    np.testing.assert_allclose(outputs, np.stack(hs[1:], axis=1), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(c_last, cs[-1], rtol=1e-12, atol=1e-12)
    grads = lstm_backward(np.ones_like(outputs), cache)
    d_h_later, d_c_later, d_kernel = np.zeros_like(a["h0"]), np.zeros_like(a["c0"]), np.zeros_like(a["kernel"])
    for t in reversed(range(a["x"].shape[1])):
        step = lstm_step_backward(
            1.0 + d_h_later,
            d_c_later,
            a["x"][:, t],
            hs[t],
            cs[t],
            cs[t + 1],
            gates[t],
            a["kernel"],
            a["recurrent_kernel"],
        )
        d_h_later, d_c_later, d_kernel = step["h_prev"], step["c_prev"], d_kernel + step["kernel"]
    for name, value in (("kernel", d_kernel), ("h0", d_h_later), ("c0", d_c_later)):
        np.testing.assert_allclose(grads[name], value, rtol=1e-9, atol=1e-9, err_msg=name)


@SETTINGS
@given(layer_inputs(blocks=3, bias_rows=2))
def test_the_gru_is_its_step_loop_on_any_shape(a):
    weights = {k: a[k] for k in ("kernel", "recurrent_kernel", "bias")}
    outputs, _, _ = gru_forward(a["x"], **weights, h0=a["h0"])
    h, states = a["h0"], []
    for t in range(a["x"].shape[1]):
        h, _ = gru_step_forward(a["x"][:, t], h, **weights)
        states.append(h)
    np.testing.assert_allclose(outputs, np.stack(states, axis=1), rtol=1e-12, atol=1e-12)


@SETTINGS
@given(layer_inputs(blocks=4), st.sampled_from(["standard", "peephole"]))
def test_the_standard_variant_and_a_peephole_of_zeros_are_the_fused_lstm(a, name):
    weights = {k: a[k] for k in ("kernel", "recurrent_kernel", "bias")}
    if name == "peephole":
        weights["peephole"] = np.zeros((3, a["h0"].shape[1]))
    ours, _, _ = variant_forward(a["x"], **weights, h0=a["h0"], c0=a["c0"], variant=name)
    fused, _, _ = lstm_forward(
        a["x"], **{k: a[k] for k in ("kernel", "recurrent_kernel", "bias")}, h0=a["h0"], c0=a["c0"]
    )
    np.testing.assert_allclose(ours, fused, rtol=1e-12, atol=1e-12)


@SETTINGS
@given(layer_inputs(blocks=4, scale=1e3))
def test_no_warning_escapes_the_lstm_for_large_inputs_and_weights(a):
    outputs, (h, c), cache = lstm_forward(**a)
    grads = lstm_backward(np.ones_like(outputs), cache, d_c_last=np.ones_like(c))
    assert np.all(np.abs(outputs) <= 1) and all(np.all(np.isfinite(g)) for g in grads.values())


@SETTINGS
@given(layer_inputs(blocks=4), st.sampled_from(["kernel", "recurrent_kernel", "bias", "h0", "c0"]), sizes)
def test_a_shape_that_does_not_fit_is_refused_with_the_librarys_message(a, name, extra):
    wrong = np.zeros(tuple(n + extra if k == a[name].ndim - 1 else n for k, n in enumerate(a[name].shape)))
    with pytest.raises(
        ValueError, match=r"^Expected (kernel|recurrent_kernel|bias|h0|c0) of shape .*\. Received: \w+\.shape="
    ):
        lstm_forward(**{**a, name: wrong})


@SETTINGS
@given(st.sampled_from(sorted(VARIANTS)), sizes, sizes)
def test_check_layer_counts_the_blocks_of_every_variant(name, features, units):
    blocks = len(VARIANTS[name].blocks)
    weights = init_variant_weights(np.random.default_rng(0), features, units, variant=name)
    shapes = check_layer(
        np.zeros((1, 1, features)), weights["kernel"], weights["recurrent_kernel"], weights["bias"], blocks=blocks
    )
    assert (shapes.features, shapes.units, shapes.dtype) == (features, units, np.float64)


# --- losses -------------------------------------------------------------------------------------------

logits_arrays = hnp.arrays(
    np.float64, hnp.array_shapes(min_dims=1, max_dims=3, max_side=5), elements=st.floats(-1e6, 1e6, allow_nan=False)
)


@SETTINGS
@given(logits_arrays, st.data())
def test_softmax_cross_entropy_is_positive_and_its_gradient_sums_to_zero_at_every_position(z, data):
    targets = data.draw(hnp.arrays(np.int64, z.shape[:-1], elements=st.integers(0, z.shape[-1] - 1)))
    loss, grad = softmax_cross_entropy(z, targets)
    assert loss >= 0 and np.isfinite(loss)
    np.testing.assert_allclose(grad.sum(axis=-1), 0.0, atol=1e-12)


@SETTINGS
@given(logits_arrays, st.data())
def test_binary_cross_entropy_and_squared_error_stay_finite(z, data):
    y = data.draw(hnp.arrays(np.float64, z.shape, elements=st.sampled_from([0.0, 1.0])))
    loss, grad = sigmoid_binary_crossentropy(z, y)
    assert loss >= 0 and np.isfinite(loss) and np.all(np.abs(grad) <= 1.0 / z.size + 1e-15)
    loss, grad = mean_squared_error(z / 1e3, y)
    assert loss >= 0 and np.all(np.isfinite(grad))


# --- scaling, windows and splits ----------------------------------------------------------------------


@SETTINGS
@given(
    hnp.arrays(
        np.float64, st.tuples(st.integers(2, 30), st.integers(1, 4)), elements=st.floats(-1e6, 1e6, allow_nan=False)
    )
)
def test_scaling_is_undone_by_its_inverse_and_standardises_every_varying_feature(values):
    scaler = Standardizer.fit(values, per_feature=True)
    z = scaler.transform(values)
    np.testing.assert_allclose(scaler.inverse(z), values, rtol=1e-9, atol=1e-9 * (1 + np.abs(values).max()))
    varies = np.asarray(scaler.scale) != 1.0
    np.testing.assert_allclose(z[:, varies].mean(axis=0), 0.0, atol=1e-9)
    np.testing.assert_allclose(z[:, varies].std(axis=0), 1.0, rtol=1e-6)


@SETTINGS
@given(st.integers(3, 60), st.integers(1, 5), st.integers(1, 4), st.data())
def test_every_window_holds_the_values_just_before_its_targets(length, lookback, horizon, data):
    series = np.arange(length, dtype=np.float64) * 10.0
    if length < lookback + horizon:
        with pytest.raises(ValueError, match="Expected a series longer than lookback \\+ horizon"):
            windows(series, lookback, horizon)
        return
    x, y = windows(series, lookback, horizon)
    assert len(x) == length - lookback - horizon + 1
    np.testing.assert_array_equal(x[:, -1] + 10.0, y[:, 0])  # the target follows the window
    np.testing.assert_array_equal(np.diff(np.concatenate([x, y], axis=1), axis=1), 10.0)


@SETTINGS
@given(st.integers(40, 200), st.floats(0.05, 0.3), st.floats(0.05, 0.3))
def test_a_split_by_time_loses_nothing_and_no_target_crosses_parts(length, validation, test):
    series = np.arange(length, dtype=np.float64)
    parts = contiguous_split(series, validation, test)
    np.testing.assert_array_equal(np.concatenate(parts), series)
    split = split_windows(series, 3, 2, validation, test)
    bounds = np.cumsum([0, *map(len, parts)])
    for k, name in enumerate(("train", "validation", "test")):
        targets = split[name][1]
        assert targets.size == 0 or (targets.min() >= bounds[k] and targets.max() < bounds[k + 1])


@SETTINGS
@given(hnp.arrays(np.int64, st.integers(4, 40), elements=st.integers(0, 3)), st.integers(1, 3), st.integers(0, 99))
def test_a_holdout_per_class_is_disjoint_complete_and_balanced(labels, per_class, seed):
    counts = np.bincount(labels)
    if (counts[counts > 0] <= per_class).any():
        with pytest.raises(ValueError, match=f"more than per_class={per_class} members"):
            holdout_per_class(labels, per_class, np.random.default_rng(seed))
        return
    train, held = holdout_per_class(labels, per_class, np.random.default_rng(seed))
    assert not set(train) & set(held) and len(train) + len(held) == len(labels)
    assert set(np.bincount(labels[held])[counts > 0]) == {per_class}
