"""dynamic_rnn: TF1's semantics for sequence_length and time_major, one trace for every shape,
the same gradients eagerly and inside tf.function, and clear errors."""

import numpy as np
import pytest
import tensorflow as tf

from lstm_lib.tf_rnn import BasicRNNCell, GRUCell, LSTMCell, MultiRNNCell, dynamic_rnn, loop_operations

BATCH, TIME, FEATURES, UNITS = 4, 7, 3, 5
LENGTHS = np.array([7, 2, 0, 5], np.int32)


@pytest.fixture
def cell():
    return LSTMCell(UNITS, seed=0, dtype=tf.float64)


@pytest.fixture
def x(rng):
    return rng.standard_normal((BATCH, TIME, FEATURES))


def test_past_its_length_a_sequence_gives_zeros_and_keeps_its_state(cell, x):
    outputs, state = dynamic_rnn(cell, x, sequence_length=LENGTHS)
    for n, length in enumerate(LENGTHS):
        alone, alone_state = dynamic_rnn(cell, x[n : n + 1, :length]) if length else (None, None)
        assert np.all(outputs[n, length:] == 0)
        if length:
            np.testing.assert_allclose(outputs[n, :length], alone[0], rtol=0, atol=1e-14)
            np.testing.assert_allclose(state.h[n], alone_state.h[0], rtol=0, atol=1e-14)
            np.testing.assert_allclose(state.c[n], alone_state.c[0], rtol=0, atol=1e-14)
            np.testing.assert_array_equal(state.h[n], outputs[n, length - 1])
        else:
            assert np.all(state.h[n] == 0) and np.all(state.c[n] == 0), "length 0 keeps the initial state"


def test_time_major_is_the_transpose_of_batch_major(cell, x):
    outputs, state = dynamic_rnn(cell, x, sequence_length=LENGTHS)
    outputs_tm, state_tm = dynamic_rnn(cell, np.swapaxes(x, 0, 1), sequence_length=LENGTHS, time_major=True)
    np.testing.assert_array_equal(np.swapaxes(outputs_tm, 0, 1), outputs)
    np.testing.assert_array_equal(state_tm.c, state.c)


def test_arrays_are_converted_to_the_cells_dtype(rng):
    cell = LSTMCell(UNITS, seed=0)  # float32
    x = rng.standard_normal((BATCH, TIME, FEATURES))  # float64
    outputs, state = dynamic_rnn(cell, x)
    assert outputs.dtype == state.c.dtype == tf.float32
    with pytest.raises(ValueError, match=r"Expected inputs of dtype float32. Received: inputs.dtype=float64"):
        dynamic_rnn(cell, tf.constant(x))


def test_one_trace_serves_every_batch_size_and_length(rng):
    cell = GRUCell(UNITS, seed=0)
    cell.build(FEATURES)
    run = tf.function(lambda x: dynamic_rnn(cell, x)[0], input_signature=[tf.TensorSpec([None, None, FEATURES])])
    for batch, time in [(1, 1), (4, 7), (32, 3), (2, 40)]:
        x = rng.standard_normal((batch, time, FEATURES)).astype(np.float32)
        np.testing.assert_allclose(run(x), dynamic_rnn(cell, x)[0], rtol=0, atol=1e-6)
    assert run.experimental_get_tracing_count() == 1


def loss_and_gradients(cell, x, lengths):
    with tf.GradientTape() as tape:
        outputs, state = dynamic_rnn(cell, x, sequence_length=lengths)
        loss = tf.reduce_sum(outputs**2) + tf.reduce_sum(tf.nest.flatten(state)[-1])
    return loss, tape.gradient(loss, cell.trainable_variables)


@pytest.mark.parametrize("jit_compile", [False, True])
def test_gradients_are_equal_eagerly_and_in_tf_function(x, jit_compile):
    cell = MultiRNNCell([LSTMCell(UNITS, seed=1, dtype=tf.float64), BasicRNNCell(2, seed=2, dtype=tf.float64)])
    cell.build(FEATURES)
    eager_loss, eager_grads = loss_and_gradients(cell, x, LENGTHS)
    graph = tf.function(loss_and_gradients, jit_compile=jit_compile)
    graph_loss, graph_grads = graph(cell, tf.constant(x), tf.constant(LENGTHS))
    np.testing.assert_allclose(graph_loss, eager_loss, rtol=1e-12)
    assert len(eager_grads) == len(cell.trainable_variables) == 6
    for eager, traced in zip(eager_grads, graph_grads):
        assert np.abs(eager).sum() > 0
        np.testing.assert_allclose(traced, eager, rtol=1e-10, atol=1e-12)


def test_gradients_do_not_cross_a_sequence_end(cell, x):
    # Inputs past a sequence's length cannot influence anything.
    x = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(x)
        outputs, state = dynamic_rnn(cell, x, sequence_length=LENGTHS)
        loss = tf.reduce_sum(outputs) + tf.reduce_sum(state.c)
    d_x = tape.gradient(loss, x).numpy()
    for n, length in enumerate(LENGTHS):
        assert np.all(d_x[n, length:] == 0) and (length == 0 or np.abs(d_x[n, :length]).sum() > 0)


def test_sequence_length_is_checked_inside_tf_function(cell, x):
    run = tf.function(lambda x, lengths: dynamic_rnn(cell, x, sequence_length=lengths)[0])
    with pytest.raises(tf.errors.InvalidArgumentError, match="Expected sequence_length <= the number of steps"):
        run(tf.constant(x), tf.constant([8, 1, 1, 1]))


def test_dynamic_rnn_errors_name_what_was_expected(cell, x):
    cases = [
        (dict(inputs=x[0]), r"Expected inputs of shape \(batch, time, features\). Received: inputs.shape=\(7, 3\)"),
        (dict(inputs=x[0], time_major=True), r"Expected inputs of shape \(time, batch, features\)"),
        (dict(inputs=x.astype(int)), r"Expected floating point inputs. Received: inputs.dtype=int64"),
        (
            dict(inputs=x, sequence_length=[1, 2]),
            r"Expected sequence_length of shape \(4,\), one length per sequence. "
            r"Received: sequence_length.shape=\(2,\)",
        ),
        (
            dict(inputs=x, sequence_length=[1.0, 2, 3, 4]),
            r"Expected integer sequence_length. Received: sequence_length.dtype=float32",
        ),
        (
            dict(inputs=x, sequence_length=[1, 2, 8, 4]),
            r"Expected sequence_length between 0 and 7, the number of steps. Received: sequence_length=\[1, 2, 8, 4\]",
        ),
        (dict(inputs=x, sequence_length=[1, -2, 3, 4]), r"Expected sequence_length between 0 and 7"),
        (
            dict(inputs=x, initial_state=np.zeros((BATCH, UNITS))),
            r"Expected initial_state with the structure of cell.state_size=LSTMState\(h=5, c=5\)",
        ),
        (
            dict(inputs=x, initial_state=(np.zeros((BATCH, 3)), np.zeros((BATCH, UNITS)))),
            r"Expected initial_state tensors of shape \(4, 5\). Received: shape=\(4, 3\)",
        ),
    ]
    for kwargs, message in cases:
        with pytest.raises(ValueError, match=message):
            dynamic_rnn(cell, **kwargs)
    with pytest.raises(ValueError, match=r"Expected inputs with a known number of features"):
        tf.function(lambda x: dynamic_rnn(cell, x)).get_concrete_function(tf.TensorSpec([None, None, None], tf.float64))


def test_any_object_with_the_cell_protocol_can_be_run(x):
    class RunningSum:
        """A cell in the sense of the first seed: zero_state and __call__, nothing else."""

        state_size = output_size = FEATURES

        def zero_state(self, batch_size, dtype):
            return tf.zeros([batch_size, FEATURES], dtype)

        def __call__(self, inputs, state):
            return inputs + state, inputs + state

    outputs, total = dynamic_rnn(RunningSum(), x, sequence_length=LENGTHS)
    mask = np.arange(TIME)[None, :, None] < LENGTHS[:, None, None]
    np.testing.assert_allclose(outputs, np.cumsum(x, axis=1) * mask, atol=1e-14)
    np.testing.assert_allclose(total, (x * mask).sum(axis=1), atol=1e-14)


def test_the_lstm_loop_has_the_operations_of_keras_lstm(rng):
    """The speed appendix compares two loops made of the same operations, forward and backward.

    An extra operation per step shows here first: writing ``z + bias`` instead of
    ``tf.nn.bias_add(z, bias)`` adds a broadcast Sum and a Reshape to every backward step.
    """
    import keras

    x = tf.constant(rng.standard_normal((BATCH, TIME, FEATURES)), tf.float32)
    layer = keras.layers.LSTM(UNITS, return_sequences=True)
    layer.build((None, None, FEATURES))
    cell = LSTMCell(UNITS, seed=0)
    cell.build(FEATURES)

    @tf.function
    def keras_step():
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(layer(x))
        return tape.gradient(loss, layer.trainable_variables)

    @tf.function
    def course_step():
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(dynamic_rnn(cell, x)[0])
        return tape.gradient(loss, [cell.kernel, cell.recurrent_kernel, cell.bias])

    ours, theirs = loop_operations(course_step), loop_operations(keras_step)
    assert set(ours) == {"forward", "backward"}
    assert ours == theirs
    assert ours["forward"]["MatMul"] == 2 and ours["forward"]["BiasAdd"] == 1


def test_loop_operations_counts_one_step_and_needs_one_loop(cell, x):
    stacked = MultiRNNCell([LSTMCell(UNITS, seed=0, dtype=tf.float64) for _ in range(2)])

    @tf.function
    def forward_only():
        return dynamic_rnn(cell, x)[0]

    @tf.function
    def no_loop():
        return tf.reduce_sum(x)

    @tf.function
    def two_loops():
        return dynamic_rnn(cell, x)[0], dynamic_rnn(stacked, x)[0]

    counts = loop_operations(forward_only)
    assert set(counts) == {"forward"}
    assert counts["forward"]["MatMul"] == 2 and counts["forward"]["Sigmoid"] == 3
    assert "TensorListPushBack" not in counts["forward"]  # nothing is kept for a gradient
    for function in (no_loop, two_loops):
        with pytest.raises(ValueError, match="exactly one while loop"):
            loop_operations(function)
