"""The TensorFlow cells, run by dynamic_rnn: equal to the NumPy LSTM and to Keras's layers."""

import numpy as np
import pytest
import tensorflow as tf

from lstm_lib.init import init_lstm_weights
from lstm_lib.numpy_lstm import lstm_forward
from lstm_lib.tf_rnn import BasicRNNCell, GRUCell, LSTMCell, LSTMState, MultiRNNCell, dynamic_rnn

BATCH, TIME, FEATURES, UNITS = 3, 6, 4, 5


def random_weights(rng, cell):
    """The cell's own initial weights with a random bias, so that every bias entry matters."""
    weights = cell.initial_weights(rng, FEATURES)
    weights["bias"] = rng.standard_normal(weights["bias"].shape)
    return weights


def test_lstm_equals_numpy_lstm(rng):
    x = rng.standard_normal((BATCH, TIME, FEATURES))
    weights = init_lstm_weights(rng, FEATURES, UNITS)
    weights["bias"] = rng.standard_normal(4 * UNITS)
    h0, c0 = rng.standard_normal((2, BATCH, UNITS))
    cell = LSTMCell(UNITS, dtype=tf.float64)
    cell.set_weights(weights)
    outputs, state = dynamic_rnn(cell, x, initial_state=(h0, c0))
    expected, (h, c), _ = lstm_forward(x, **weights, h0=h0, c0=c0)
    assert isinstance(state, LSTMState)
    np.testing.assert_allclose(outputs, expected, rtol=0, atol=1e-13)
    np.testing.assert_allclose(state.h, h, rtol=0, atol=1e-13)
    np.testing.assert_allclose(state.c, c, rtol=0, atol=1e-13)


@pytest.mark.parametrize(
    "cell_class, layer_name",
    [(BasicRNNCell, "SimpleRNN"), (LSTMCell, "LSTM"), (GRUCell, "GRU")],
)
def test_cells_equal_keras_layers(rng, cell_class, layer_name):
    import keras

    x = rng.standard_normal((BATCH, TIME, FEATURES))
    cell = cell_class(UNITS, dtype=tf.float64)
    weights = random_weights(rng, cell)
    cell.set_weights(weights)
    layer = getattr(keras.layers, layer_name)(UNITS, return_sequences=True, return_state=True, dtype="float64")
    layer.build((None, None, FEATURES))
    layer.set_weights([weights["kernel"], weights["recurrent_kernel"], weights["bias"]])
    keras_outputs, keras_h, *_ = layer(x)
    for ours, theirs in zip(cell.get_weights(), layer.get_weights(), strict=True):
        np.testing.assert_array_equal(ours, theirs)  # the same list, in the same order
    outputs, state = dynamic_rnn(cell, x)
    np.testing.assert_allclose(outputs, keras_outputs, rtol=0, atol=1e-12)
    np.testing.assert_allclose(tf.nest.flatten(state)[0], keras_h, rtol=0, atol=1e-12)


def test_weights_are_named_and_shaped_as_keras():
    shapes = {
        BasicRNNCell: {"kernel": (FEATURES, UNITS), "recurrent_kernel": (UNITS, UNITS), "bias": (UNITS,)},
        LSTMCell: {"kernel": (FEATURES, 4 * UNITS), "recurrent_kernel": (UNITS, 4 * UNITS), "bias": (4 * UNITS,)},
        GRUCell: {"kernel": (FEATURES, 3 * UNITS), "recurrent_kernel": (UNITS, 3 * UNITS), "bias": (2, 3 * UNITS)},
    }
    for cell_class, expected in shapes.items():
        cell = cell_class(UNITS, seed=0)
        cell.build(FEATURES)
        found = {v.name.split("/")[-1].split(":")[0]: tuple(v.shape) for v in cell.trainable_variables}
        assert found == expected, cell_class.__name__


def test_seeded_cells_start_from_the_same_weights():
    first, second = LSTMCell(UNITS, seed=7), LSTMCell(UNITS, seed=7)
    first.build(FEATURES)
    second.build(FEATURES)
    for value, same in zip(first.get_weights(), second.get_weights(), strict=True):
        np.testing.assert_array_equal(value, same)
    kernel, recurrent_kernel, bias = first.get_weights()  # Keras's order
    assert np.all(bias[UNITS : 2 * UNITS] == 1.0), "the forget-gate bias starts at 1"


def test_weights_are_created_on_first_call(rng):
    cell = GRUCell(UNITS)
    assert not cell.built and cell.trainable_variables == ()
    output, state = cell(rng.standard_normal((BATCH, FEATURES)).astype(np.float32), cell.zero_state(BATCH))
    assert cell.built and cell.features == FEATURES and len(cell.trainable_variables) == 3
    assert output.shape == (BATCH, UNITS) and state.shape == (BATCH, UNITS)


def test_learned_initial_state_starts_at_zero_and_gets_gradients(rng):
    cell = LSTMCell(UNITS, learn_initial_state=True, seed=0)
    x = rng.standard_normal((BATCH, TIME, FEATURES)).astype(np.float32)
    with tf.GradientTape() as tape:
        outputs, _ = dynamic_rnn(cell, x)
        loss = tf.reduce_sum(outputs)
    plain = LSTMCell(UNITS, seed=0)
    np.testing.assert_allclose(outputs, dynamic_rnn(plain, x)[0], atol=1e-6)
    assert {v.name for v in cell.initial_state_variables} == {"lstm_cell/initial_h:0", "lstm_cell/initial_c:0"}
    grads = tape.gradient(loss, list(cell.initial_state_variables))
    assert all(g is not None and np.abs(g).sum() > 0 for g in grads)


def test_learned_initial_state_is_used(rng):
    cell = BasicRNNCell(UNITS, learn_initial_state=True, seed=0, dtype=tf.float64)
    cell.build(FEATURES)
    h0 = rng.standard_normal(UNITS)
    cell.initial_state_variables.assign(h0)
    x = rng.standard_normal((BATCH, TIME, FEATURES))
    given, _ = dynamic_rnn(cell, x, initial_state=np.tile(h0, (BATCH, 1)))
    np.testing.assert_allclose(dynamic_rnn(cell, x)[0], given, rtol=0, atol=0)


def test_stacked_cells_equal_one_layer_after_the_other(rng):
    x = rng.standard_normal((BATCH, TIME, FEATURES))
    first, second = LSTMCell(UNITS, seed=1, dtype=tf.float64), GRUCell(3, seed=2, dtype=tf.float64)
    stack = MultiRNNCell([first, second])
    outputs, (state_1, state_2) = dynamic_rnn(stack, x, sequence_length=[6, 2, 4])
    middle, expected_1 = dynamic_rnn(first, x, sequence_length=[6, 2, 4])
    expected, expected_2 = dynamic_rnn(second, middle, sequence_length=[6, 2, 4])
    np.testing.assert_allclose(outputs, expected, rtol=0, atol=1e-14)
    np.testing.assert_allclose(state_2, expected_2, rtol=0, atol=1e-14)
    np.testing.assert_allclose(state_1.c, expected_1.c, rtol=0, atol=1e-14)
    assert stack.output_size == 3 and stack.state_size == (LSTMState(UNITS, UNITS), 3)
    assert len(stack.trainable_variables) == 6


def test_cell_errors_name_what_was_expected(rng):
    for units in (0, 2.5, True):
        with pytest.raises(ValueError, match=f"Expected units to be a positive integer. Received: units={units}"):
            LSTMCell(units)
    assert type(LSTMCell(np.int64(UNITS)).units) is int
    with pytest.raises(ValueError, match=r"Expected a floating point dtype. Received: dtype=int32"):
        LSTMCell(UNITS, dtype=tf.int32)
    cell = LSTMCell(UNITS)
    cell.build(FEATURES)
    with pytest.raises(ValueError, match=r"Expected inputs with 4 features.*Received: features=2"):
        cell(np.zeros((BATCH, 2), np.float32), cell.zero_state(BATCH))
    with pytest.raises(
        ValueError, match=r"Expected inputs of shape \(batch, features\).*Received: inputs.shape=\(3,\)"
    ):
        cell(np.zeros(3, np.float32), cell.zero_state(BATCH))
    with pytest.raises(ValueError, match=r"Expected inputs of dtype float32. Received: inputs.dtype=float64"):
        cell(tf.zeros((BATCH, FEATURES), tf.float64), cell.zero_state(BATCH))
    with pytest.raises(
        ValueError, match=r"Expected recurrent_kernel of shape \(5, 20\). Received: recurrent_kernel.shape=\(5, 5\)"
    ):
        cell.set_weights([cell.kernel, np.zeros((UNITS, UNITS)), cell.bias])
    with pytest.raises(
        ValueError, match=r"Expected 3 arrays, \['kernel', 'recurrent_kernel', 'bias'\]. Received: 2 arrays"
    ):
        cell.set_weights(cell.get_weights()[:2])
    with pytest.raises(ValueError, match=r"Expected the weights \('kernel', 'recurrent_kernel', 'bias'\)"):
        cell.set_weights({"kernel": cell.kernel})
    with pytest.raises(ValueError, match=r"Expected a built cell"):
        LSTMCell(UNITS).get_weights()
    with pytest.raises(
        ValueError, match=r"Expected a different cell object for each layer\. Received: cells\[0\] is cells\[2\]\."
    ):
        MultiRNNCell([cell, LSTMCell(UNITS), cell])


@pytest.mark.parametrize("cell_class", [BasicRNNCell, LSTMCell, GRUCell], ids=lambda c: c.__name__)
def test_weights_round_trip_through_keras_list_form(rng, cell_class):
    import keras

    cell = cell_class(UNITS, dtype=tf.float64, seed=1)
    cell.build(FEATURES)
    layer = getattr(keras.layers, {BasicRNNCell: "SimpleRNN", LSTMCell: "LSTM", GRUCell: "GRU"}[cell_class])(
        UNITS, dtype="float64"
    )
    layer.build((None, None, FEATURES))
    layer.set_weights(cell.get_weights())  # ours into Keras...
    copy = cell_class(UNITS, dtype=tf.float64)
    copy.set_weights(layer.get_weights())  # ...and back, into a cell that builds itself from the kernel
    for ours, back in zip(cell.get_weights(), copy.get_weights(), strict=True):
        np.testing.assert_array_equal(ours, back)


def test_every_cell_has_the_protocol_dynamic_rnn_needs():
    from lstm_lib.tf_rnn.base import BuildsItsWeights, Cell, HasInitialState

    cells = [BasicRNNCell(UNITS), LSTMCell(UNITS), GRUCell(UNITS), MultiRNNCell([LSTMCell(UNITS), GRUCell(3)])]
    for cell in cells:
        assert isinstance(cell, Cell) and isinstance(cell, BuildsItsWeights) and isinstance(cell, HasInitialState)
    assert not isinstance(object(), Cell)
    with pytest.raises(ValueError, match=r"Expected a cell with state_size, output_size, zero_state"):
        dynamic_rnn(object(), np.zeros((BATCH, TIME, FEATURES), np.float32))
