"""Bad input gets the library's own error, never a silent wrong answer: one test per class of mistake.

The classes are those a new user was seen to make: a list for an array, an LSTM state given as h
alone, a constant column, an integer array to a gradient check, a negative clipping norm, one NaN in a
batch, arrays edited after a forward pass, an optimiser reused, a seed for a generator, a size of 2.5.
"""

import copy

import numpy as np
import pytest

from lstm_lib import data, experiments, gradcheck, optim, text
from lstm_lib._validation import ArgumentTypeError
from lstm_lib.init import init_gru_weights, init_lstm_weights, init_rnn_weights
from lstm_lib.losses import sigmoid_binary_crossentropy, softmax_cross_entropy
from lstm_lib.numpy_gru import gru_backward, gru_forward
from lstm_lib.numpy_lstm import lstm_backward, lstm_forward, lstm_step_forward
from lstm_lib.numpy_lstm_variants import init_variant_weights, variant_backward, variant_forward
from lstm_lib.numpy_rnn import rnn_backward, rnn_forward
from lstm_lib.scaling import Standardizer
from lstm_lib.sequence_model import SequenceModel, train
from lstm_lib.splits import contiguous_split

BATCH, TIME, FEATURES, UNITS = 3, 4, 2, 5


def layers(rng):
    """Each NumPy layer as (name, forward, backward, weights, initial states)."""
    h0, c0 = rng.standard_normal((BATCH, UNITS)), rng.standard_normal((BATCH, UNITS))
    return [
        ("rnn", rnn_forward, rnn_backward, init_rnn_weights(rng, FEATURES, UNITS), {"h0": h0}),
        ("lstm", lstm_forward, lstm_backward, init_lstm_weights(rng, FEATURES, UNITS), {"h0": h0, "c0": c0}),
        ("gru", gru_forward, gru_backward, init_gru_weights(rng, FEATURES, UNITS), {"h0": h0}),
        (
            "peephole",
            lambda *a, **k: variant_forward(*a, **k, variant="peephole"),
            variant_backward,
            {**init_variant_weights(rng, FEATURES, UNITS, variant="peephole"), "peephole": np.ones((3, UNITS))},
            {"h0": h0, "c0": c0},
        ),
    ]


LAYER_NAMES = ["rnn", "lstm", "gru", "peephole"]


def pick(rng, name):
    return next(layer for layer in layers(rng) if layer[0] == name)


# --- arrays: lists, dtypes, empty axes, NaN ------------------------------------------------------


@pytest.mark.parametrize("name", LAYER_NAMES)
def test_nested_lists_are_arrays_and_ragged_ones_are_refused(rng, name):
    _, forward, _, weights, _ = pick(rng, name)
    x = rng.standard_normal((BATCH, TIME, FEATURES))
    as_lists = forward(x.tolist(), **{k: w.tolist() for k, w in weights.items()})[0]
    np.testing.assert_array_equal(as_lists, forward(x, **weights)[0])
    with pytest.raises(TypeError, match="Expected x as an array of numbers with one length per axis"):
        forward([[[1.0, 2.0]], [[1.0]]], **weights)


@pytest.mark.parametrize("name", LAYER_NAMES)
@pytest.mark.parametrize("dtype", [np.int64, np.bool_, np.complex128])
def test_every_layer_refuses_integers_booleans_and_complex_numbers(rng, name, dtype):
    _, forward, _, weights, _ = pick(rng, name)
    x = rng.standard_normal((BATCH, TIME, FEATURES))
    with pytest.raises(TypeError, match=rf"Expected x of a floating point dtype.*Received: x.dtype={np.dtype(dtype)}"):
        forward(x.astype(dtype), **weights)
    with pytest.raises(TypeError, match=r"Expected kernel of a floating point dtype"):
        forward(x, **{**weights, "kernel": weights["kernel"].astype(dtype)})


@pytest.mark.parametrize("name", LAYER_NAMES)
@pytest.mark.parametrize("empty", [(0, TIME, FEATURES), (BATCH, 0, FEATURES), (BATCH, TIME, 0)])
def test_every_layer_refuses_an_empty_batch_sequence_or_feature_axis(rng, name, empty):
    _, forward, _, weights, _ = pick(rng, name)
    if empty[2] == 0:
        weights = {**weights, "kernel": np.zeros((0, weights["kernel"].shape[1]))}
    with pytest.raises(ValueError, match=r"at least one sequence, one time step and one feature"):
        forward(np.zeros(empty), **weights)


@pytest.mark.parametrize("name", LAYER_NAMES)
def test_one_nan_in_a_batch_is_refused_before_it_reaches_the_weights(rng, name):
    _, forward, _, weights, states = pick(rng, name)
    x = rng.standard_normal((BATCH, TIME, FEATURES))
    x[1, 2, 0] = np.nan
    with pytest.raises(
        ValueError,
        match=r"Expected finite values in x\. Received: 1 NaN or infinite entry, "
        r"the first x\[1, 2, 0\]=nan\.",
    ):
        forward(x, **weights)
    with pytest.raises(ValueError, match=r"Expected finite values in h0"):
        forward(np.zeros((BATCH, TIME, FEATURES)), **weights, **{**states, "h0": np.full((BATCH, UNITS), np.inf)})


def test_training_a_numpy_model_on_a_batch_with_a_nan_stops_with_the_step(rng):
    model = SequenceModel("lstm", features=2, units=4, outputs=1, readout="last", rng=rng)
    before = {name: w.copy() for name, w in model.params.items()}
    x, y = data.remember_first(np.random.default_rng(0), 8, 5)
    x[3, 1, 0] = np.nan
    with pytest.raises(ValueError, match=r"Expected finite values in x"):
        train(model, optim.Adam(0.01), iter([(x, y)]), 1, sigmoid_binary_crossentropy)
    assert all(np.array_equal(before[name], w) for name, w in model.params.items()), "no weight may change"


def test_losses_refuse_nan_logits_and_targets_outside_their_range():
    with pytest.raises(ValueError, match=r"Expected finite values in logits"):
        softmax_cross_entropy(np.array([[0.0, np.nan]]), np.array([0]))
    with pytest.raises(ValueError, match=r"Expected targets between 0 and 1"):
        sigmoid_binary_crossentropy(np.zeros(3), np.array([0.0, 2.0, 1.0]))
    loss_int, _ = sigmoid_binary_crossentropy(np.zeros(2), np.array([0, 1]))  # labels as integers are fine
    assert loss_int == pytest.approx(np.log(2))


# --- states ----------------------------------------------------------------------------------


def test_an_lstm_state_given_as_h_alone_is_refused(rng):
    model = SequenceModel("lstm", features=2, units=UNITS, outputs=1, readout="sequence", rng=rng)
    x = rng.standard_normal((BATCH, TIME, 2))
    _, (h, c) = model.predict_with_state(x)
    with pytest.raises(ValueError, match=r"Expected the state of an LSTM as the pair \(h, c\)"):
        model.predict_with_state(x, h)
    rnn = SequenceModel("rnn", features=2, units=UNITS, outputs=1, readout="sequence", rng=rng)
    with pytest.raises(ValueError, match=r"Expected the state of a RNN as one array h"):
        rnn.predict_with_state(x, (h, c))


# --- memory that the caller shares -------------------------------------------------------------


@pytest.mark.parametrize("name", LAYER_NAMES)
def test_editing_the_inputs_or_outputs_after_a_forward_pass_changes_no_gradient(rng, name):
    _, forward, backward, weights, states = pick(rng, name)
    x = rng.standard_normal((1, 1, FEATURES))  # batch and time 1: where a view of x used to be kept
    h0 = {k: v[:1].copy() for k, v in states.items()}
    outputs, _, cache = forward(x, **weights, **h0)
    expected = backward(np.ones_like(outputs), cache)
    x += 1.0
    for state in h0.values():
        state += 1.0
    for w in weights.values():
        w *= 2.0  # an optimiser's step between the forward and the backward pass
    try:  # the fused layers return read-only views of their cache, the variants a new array
        outputs[...] = 0.0
    except ValueError as error:
        assert "read-only" in str(error)
    again = backward(np.ones_like(outputs), cache)
    for key in expected:
        np.testing.assert_array_equal(again[key], expected[key], err_msg=key)


# --- numbers in the wrong place ---------------------------------------------------------------


def test_a_constant_column_is_not_turned_into_rounding_noise():
    values = np.array([[0.1, 1.0], [0.1, 2.0], [0.1, 3.0]])
    assert values[:, 0].std() > 0  # rounding: about 1.4e-17, not 0
    scaler = Standardizer.fit(values, per_feature=True)
    np.testing.assert_allclose(scaler.transform(values)[:, 0], 0.0, atol=1e-15)
    assert scaler.transform(np.array([[0.2, 2.0]]))[0, 0] == pytest.approx(0.1)  # not 7e15
    with pytest.raises(ValueError, match="not all equal"):
        Standardizer.fit(np.full(5, 0.1))
    with pytest.raises(ValueError, match=r"Expected values of shape \(\.\.\., 2\)"):
        scaler.transform(np.zeros((4, 3)))


def test_the_gradient_check_refuses_integers_restores_its_array_and_never_broadcasts():
    w = np.array([1, 2, 3])
    with pytest.raises(ValueError, match=r"Expected array as a float64 NumPy array.*Received: int64"):
        gradcheck.numerical_gradient(lambda: float(np.sum(w**2)), w)
    w = np.array([1.0, 2.0, 3.0])
    calls = []

    def failing_loss():
        calls.append(w.copy())
        raise RuntimeError("the model broke")

    with pytest.raises(RuntimeError):
        gradcheck.numerical_gradient(failing_loss, w)
    np.testing.assert_array_equal(w, [1.0, 2.0, 3.0])  # restored, although the loss raised
    assert calls[0][0] != 1.0  # it had been perturbed
    with pytest.raises(ValueError, match=r"Expected b of shape \(3,\)\. Received: b.shape=\(1,\)"):
        gradcheck.relative_error(np.array([2.0, 2.0, 2.0]), np.array([2.0]))
    with pytest.raises(ValueError, match=r"Expected loss\(\) to return a finite number"):
        gradcheck.numerical_gradient(lambda: float("nan"), w)


def test_clipping_refuses_a_negative_norm_and_nan_and_does_not_overflow():
    with pytest.raises(ValueError, match=r"Expected max_norm > 0\. Received: max_norm=-1"):
        optim.clip_by_global_norm({"w": np.ones(3)}, -1)
    with pytest.raises(ValueError, match=r"Expected finite values in grads\['w'\]"):
        optim.clip_by_global_norm({"w": np.array([1.0, np.nan])}, 1.0)
    huge = {"w": np.array([3e19, 4e19], np.float32), "b": np.zeros(2, np.float32)}
    norm = optim.clip_by_global_norm(huge, 1.0)
    assert norm == pytest.approx(5e19, rel=1e-6)
    np.testing.assert_allclose(huge["w"], [0.6, 0.8], rtol=1e-6)  # not zeros
    tiny = {"w": np.array([3e-200, 4e-200])}
    assert optim.global_norm(tiny) == pytest.approx(5e-200)


def test_an_optimizer_refuses_nan_gradients_and_another_models_parameters():
    for optimizer in (optim.SGD(0.1, momentum=0.9), optim.Adam(0.1)):
        params = {"w": np.ones(3)}
        with pytest.raises(ValueError, match=r"Expected finite values in grads\['w'\]"):
            optimizer.step(params, {"w": np.array([1.0, np.inf, 0.0])})
        np.testing.assert_array_equal(params["w"], 1.0)
        optimizer.step(params, {"w": np.ones(3)})
        with pytest.raises(ValueError, match=r"a new model needs a new optimizer"):
            optimizer.step({"w": np.ones(4)}, {"w": np.ones(4)})
        with pytest.raises(ValueError, match=r"Expected a gradient for every parameter\. Received: none for \['w'\]"):
            optimizer.step(params, {"v": np.ones(3)})
    with pytest.raises(ValueError, match=r"Expected learning_rate > 0"):
        optim.Adam(learning_rate=-0.1)


def test_an_optimizer_given_to_two_trials_starts_each_afresh():
    adam = optim.Adam(0.01)
    first = experiments.remember_first_trial("lstm", 5, 0, adam, steps=5)
    second = experiments.remember_first_trial("lstm", 5, 0, adam, steps=5)
    assert first.history == second.history
    assert adam.iterations == 0  # the trials trained copies
    fresh = experiments.remember_first_trial("lstm", 5, 0, copy.deepcopy(optim.Adam(0.01)), steps=5)
    assert fresh.history == first.history


# --- types: generators, sizes -------------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda: data.remember_first(0, 4, 5),
        lambda: data.embedded_reber_strings(7, 2),
        lambda: init_lstm_weights(1, 2, 3),
        lambda: SequenceModel("rnn", 2, 3, 1, "last", rng=42),
        lambda: text.sample(lambda ids, s: (np.zeros((1, 3)), s), np.zeros((1, 1), np.int64), 2, 1.0, 0),
    ],
)
def test_a_seed_where_a_generator_belongs_is_refused(call):
    with pytest.raises(TypeError, match=r"Expected rng to be a numpy.random.Generator, such as numpy.random"):
        call()


@pytest.mark.parametrize("units", [2.5, True, "4", None])
def test_sizes_must_be_integers(rng, units):
    with pytest.raises(
        ArgumentTypeError, match=rf"Expected units to be a positive integer\. Received: units={units!r}"
    ):
        SequenceModel("lstm", features=2, units=units, outputs=1, readout="last", rng=rng)
    with pytest.raises(ValueError, match=r"Expected units to be a positive integer\. Received: units=0"):
        init_rnn_weights(rng, 2, 0)


def test_sampling_stops_on_nan_logits_instead_of_writing_symbol_0_for_ever():
    def broken(ids, state):
        return np.full((len(ids), 4), np.nan), state

    with pytest.raises(ValueError, match=r"Expected finite values in the logits before drawn id 0"):
        text.sample(broken, np.zeros((2, 1), np.int64), 5, 1.0, np.random.default_rng(0))


def test_a_split_refuses_a_text_too_short_for_three_parts():
    with pytest.raises(ValueError, match=r"Expected a text long enough that each part holds at least one element"):
        contiguous_split("abc")


def test_a_step_function_checks_its_shapes(rng):
    weights = init_lstm_weights(rng, FEATURES, UNITS)
    h = np.zeros((BATCH, UNITS))
    with pytest.raises(ValueError, match=r"Expected c_prev of shape \(3, 5\)\. Received: c_prev.shape=\(3, 4\)"):
        lstm_step_forward(np.zeros((BATCH, FEATURES)), h, np.zeros((BATCH, 4)), **weights)
    with pytest.raises(ValueError, match=r"Expected kernel of shape \(3, 20\)\. Received: kernel.shape=\(2, 20\)"):
        lstm_step_forward(np.zeros((BATCH, 3)), h, h, **weights)  # 3 features in x_t, 2 rows in the kernel


# --- TensorFlow and Keras ---------------------------------------------------------------------------


def test_dynamic_rnn_converts_array_states_and_refuses_tensors_of_another_dtype():
    import tensorflow as tf

    from lstm_lib.tf_rnn import LSTMCell, LSTMState, dynamic_rnn

    cell = LSTMCell(UNITS, seed=0)
    x = np.random.default_rng(0).standard_normal((BATCH, TIME, FEATURES)).astype(np.float32)
    zeros = np.zeros((BATCH, UNITS))  # float64 arrays: converted to the loop's float32, as the inputs are
    outputs, state = dynamic_rnn(cell, x, initial_state=LSTMState(zeros, zeros))
    np.testing.assert_array_equal(outputs, dynamic_rnn(cell, x)[0])
    assert state.h.dtype == tf.float32
    as_tensor = tf.zeros((BATCH, UNITS), tf.float64)
    with pytest.raises(
        ValueError,
        match=r"Expected initial_state tensors of the loop's dtype float32\. Received: "
        r"dtype=float64",
    ):
        dynamic_rnn(cell, x, initial_state=LSTMState(as_tensor, as_tensor))


def test_the_keras_layer_explains_zero_steps_and_a_mask_of_the_wrong_shape():
    from lstm_lib.keras_layers import LSTM

    with pytest.raises(ValueError, match=r"Expected sequences with at least one time step"):
        LSTM(UNITS)(np.zeros((BATCH, 0, FEATURES), np.float32))
    x = np.zeros((BATCH, TIME, FEATURES), np.float32)
    for mask in (np.ones((BATCH, TIME - 1), bool), np.ones((TIME, BATCH), bool), np.ones(BATCH, bool)):
        with pytest.raises(ValueError, match=r"Expected a mask of shape \(batch, time\) = \(3, 4\)"):
            LSTM(UNITS)(x, mask=mask)


def test_fit_refuses_nan_data_and_reports_no_best_epoch_for_a_diverged_run():
    import keras

    from lstm_lib.keras_layers import supervised

    keras.utils.set_random_seed(0)
    model = supervised.forecaster(6, 4)
    x, y = np.random.default_rng(0).standard_normal((32, 6, 1)), np.zeros((32, 1))
    bad = x.copy()
    bad[0, 0, 0] = np.nan
    with pytest.raises(ValueError, match=r"Expected finite values in train\[0\]"):
        supervised.fit(model, (bad, y), (x, y), epochs=2)
    model.compile(optimizer=keras.optimizers.SGD(1e30), loss="mse")  # a step size that diverges
    with pytest.raises(ValueError, match=r"Expected finite training and validation losses"):
        supervised.fit(model, (x * 1e10, y + 1e10), (x, y), epochs=5)
