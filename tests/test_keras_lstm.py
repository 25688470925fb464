"""The course's Keras LSTM against keras.layers.LSTM: every option, gradients, training, saving."""

import os
import re

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras
import numpy as np
import pytest
import tensorflow as tf

from lstm_lib.keras_layers import LSTM, LSTMCell
from lstm_lib.keras_layers.compare import OPTIONS, as_arrays, largest_difference, twin_layers

BATCH, TIME, FEATURES, UNITS = 3, 6, 4, 5
ATOL = 1e-5

# Keras 3.15 converts variables with np.array(v), which NumPy 2 answers with a DeprecationWarning
# (TensorFlow's __array__ has no ``copy`` argument). Saving weights goes through that path.
KERAS_SAVING_WARNING = pytest.mark.filterwarnings(
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"
)


@pytest.fixture
def x(rng) -> np.ndarray:
    return rng.standard_normal((BATCH, TIME, FEATURES)).astype(np.float32)


@pytest.fixture
def mask() -> np.ndarray:
    """Right padding, left padding, and a sequence with no step at all."""
    return np.array([[1, 1, 1, 1, 0, 0], [0, 0, 1, 1, 1, 1], [0, 0, 0, 0, 0, 0]], bool)


def twins(rng, reference=None, **options):
    """keras.layers.LSTM (or ``reference``) and the course's LSTM, with the same random weights."""
    return twin_layers(UNITS, (BATCH, TIME, FEATURES), rng, reference, **options)


def assert_same(expected, actual, atol=ATOL):
    difference = largest_difference(expected, actual)  # also checks that the structures and shapes agree
    assert difference <= atol, difference


@pytest.mark.parametrize("options", OPTIONS.values(), ids=OPTIONS.keys())
def test_options_match_keras(rng, x, options):
    builtin, course = twins(rng, **options)
    expected, actual = builtin(x), course(x)
    assert type(actual) is type(expected)  # a tensor, or a tuple (output, h_T, c_T)
    assert_same(expected, actual)


@pytest.mark.parametrize("unroll", [False, True])
def test_initial_state_matches_keras(rng, x, unroll):
    builtin, course = twins(rng, return_sequences=True, return_state=True, unroll=unroll)
    state = [rng.standard_normal((BATCH, UNITS)).astype(np.float32) for _ in range(2)]
    assert_same(builtin(x, initial_state=state), course(x, initial_state=state))


MASKED = {
    "sequences and states": {"return_sequences": True, "return_state": True},
    "last output": {"return_state": True},
    "go_backwards": {"go_backwards": True, "return_sequences": True, "return_state": True},
    "unroll": {"unroll": True, "return_sequences": True, "return_state": True},
    "unroll backwards": {"unroll": True, "go_backwards": True, "return_state": True},
    "zero_output_for_mask": {"zero_output_for_mask": True, "return_sequences": True, "return_state": True},
}


@pytest.mark.parametrize("options", MASKED.values(), ids=MASKED.keys())
def test_mask_argument_matches_keras(rng, x, mask, options):
    builtin, course = twins(rng, **options)
    state = [rng.standard_normal((BATCH, UNITS)).astype(np.float32) for _ in range(2)]
    assert_same(builtin(x, mask=mask, initial_state=state), course(x, mask=mask, initial_state=state))


def test_mask_with_an_unknown_number_of_steps_in_a_graph(rng, x, mask):
    builtin, course = twins(rng, return_sequences=True, return_state=True)
    signature = [tf.TensorSpec((None, None, FEATURES)), tf.TensorSpec((None, None), tf.bool)]
    traced = tf.function(lambda inputs, steps: course(inputs, mask=steps), input_signature=signature)
    assert_same(builtin(x, mask=mask), traced(x, mask))


def test_masking_layer_matches_keras_and_passes_the_mask_on(rng, x, mask):
    x = np.where(mask[..., None], x, 0.0).astype(np.float32)

    def model(lstm):
        return keras.Sequential([keras.Input((None, FEATURES)), keras.layers.Masking(0.0), lstm])

    builtin, course = twins(rng, return_sequences=True)
    assert_same(model(builtin)(x), model(course)(x))
    np.testing.assert_array_equal(course.compute_mask(x, mask), mask)
    assert LSTM(UNITS).compute_mask(x, mask) is None


DROPOUT = {
    "dropout": {"dropout": 0.3},
    "recurrent_dropout": {"recurrent_dropout": 0.4},
    "both": {"dropout": 0.2, "recurrent_dropout": 0.3},
    "both, backwards, masked": {"dropout": 0.2, "recurrent_dropout": 0.3, "go_backwards": True},
}


@pytest.mark.parametrize("options", DROPOUT.values(), ids=DROPOUT.keys())
def test_seeded_dropout_matches_keras(rng, x, mask, options):
    builtin, course = twins(rng, seed=7, return_sequences=True, **options)
    without = course(x, mask=mask)
    assert_same(builtin(x, mask=mask), without)  # inference: no dropout, but masks are drawn
    for _ in range(2):  # the masks change from call to call, in step with Keras's
        assert_same(builtin(x, mask=mask, training=True), course(x, mask=mask, training=True))
    assert np.abs(np.asarray(course(x, mask=mask, training=True)) - np.asarray(without)).max() > 1e-2


def test_per_gate_dropout_matches_keras_rnn_of_cells(rng, x):
    # keras.layers.LSTM(implementation=1, dropout>0) fails in training on TensorFlow (its cuDNN
    # attempt broadcasts a list of masks); keras.layers.RNN runs the same cell correctly.
    cell = keras.layers.LSTMCell(UNITS, dropout=0.3, implementation=1, seed=3)
    builtin, course = twins(rng, keras.layers.RNN(cell), dropout=0.3, implementation=1, seed=3)
    assert_same(builtin(x, training=True), course(x, training=True))


def test_gradients_match_keras(rng, x, mask):
    builtin, course = twins(rng, seed=1, dropout=0.2, recurrent_dropout=0.2, return_sequences=True)
    g = rng.standard_normal((BATCH, TIME, UNITS)).astype(np.float32)

    def gradients(layer):
        inputs = tf.constant(x)
        with tf.GradientTape() as tape:
            tape.watch(inputs)
            loss = tf.reduce_sum(layer(inputs, mask=mask, training=True) * g)
        return tape.gradient(loss, [inputs, *layer.trainable_variables])

    assert_same(gradients(builtin), gradients(course))


def test_time_major_is_the_transposed_layer(rng, x, mask):
    builtin, course = twins(rng, return_sequences=True, return_state=True)
    course_time_major = LSTM(UNITS, time_major=True, return_sequences=True, return_state=True)
    course_time_major.build((TIME, BATCH, FEATURES))
    course_time_major.set_weights(builtin.get_weights())
    outputs, h, c = course_time_major(x.transpose(1, 0, 2), mask=mask.T)
    assert_same(builtin(x, mask=mask), [np.asarray(outputs).transpose(1, 0, 2), h, c])


def test_any_batch_size_and_length_in_one_model(rng):
    model = keras.Sequential([keras.Input((None, FEATURES)), LSTM(UNITS)])
    for batch, time in [(1, 3), (7, 11)]:
        assert model.predict(rng.standard_normal((batch, time, FEATURES)), verbose=0).shape == (batch, UNITS)


def test_stateful_matches_keras_and_resets(rng, x):
    builtin, course = twins(rng, stateful=True, return_sequences=True)
    first = as_arrays(course(x))
    assert_same(builtin(x), first)
    second = course(x)
    assert_same(builtin(x), second)
    assert np.abs(second - first[0]).max() > 1e-3, "the second batch should start from the first's states"
    course.reset_states()
    assert_same(first, course(x))
    assert [v.path for v in course.weights] == [v.path for v in course.cell.weights]  # states are not weights


def test_cell_in_keras_rnn_matches_the_builtin_cell(rng, x):
    builtin, course = twins(
        rng, keras.layers.RNN(keras.layers.LSTMCell(UNITS), return_sequences=True), return_sequences=True
    )
    in_rnn = keras.layers.RNN(LSTMCell(UNITS), return_sequences=True)
    in_rnn.build(x.shape)
    in_rnn.set_weights(builtin.get_weights())
    assert_same(builtin(x), in_rnn(x))


@pytest.mark.parametrize(
    "options",
    [
        {"dropout": 0.3},
        {"recurrent_dropout": 0.3},
        {"dropout": 0.3, "recurrent_dropout": 0.2},
        {"dropout": 0.3, "implementation": 1},
    ],
)
def test_cell_with_dropout_in_keras_rnn_matches_the_builtin_cell(x, options):
    """One mask per sequence, the same as Keras's cell draws from the same seed, redrawn per call."""
    builtin = keras.layers.RNN(keras.layers.LSTMCell(UNITS, seed=3, **options), return_sequences=True)
    course = keras.layers.RNN(LSTMCell(UNITS, seed=3, **options), return_sequences=True)
    for layer in (builtin, course):
        layer.build(x.shape)
    course.set_weights(builtin.get_weights())
    first = [np.asarray(layer(x, training=True)) for layer in (builtin, course)]
    second = [np.asarray(layer(x, training=True)) for layer in (builtin, course)]
    np.testing.assert_allclose(first[1], first[0], atol=1e-6)
    np.testing.assert_allclose(second[1], second[0], atol=1e-6)
    assert np.abs(first[1] - second[1]).max() > 1e-3, "each call should draw new masks"
    np.testing.assert_allclose(course(x, training=False), builtin(x, training=False), atol=1e-6)


def test_bidirectional_with_mask_matches_keras(rng, x, mask):
    options = {"return_sequences": True, "return_state": True}
    builtin = keras.layers.Bidirectional(keras.layers.LSTM(UNITS, **options))
    course = keras.layers.Bidirectional(LSTM(UNITS, **options))
    for layer in (builtin, course):
        layer.build(x.shape)
    course.set_weights(builtin.get_weights())
    assert_same(builtin(x, mask=mask), course(x, mask=mask))


def test_same_weights_names_shapes_and_initial_values(x):
    options = {"kernel_initializer": "he_normal", "bias_initializer": "random_normal", "unit_forget_bias": True}
    layers = []
    for layer_class in (keras.layers.LSTM, LSTM):
        keras.utils.set_random_seed(3)
        layer = layer_class(UNITS, **options)
        layer.build(x.shape)
        layers.append(layer)
    builtin, course = layers
    assert [v.name for v in course.weights] == ["kernel", "recurrent_kernel", "bias"]
    assert [v.path.split("/", 1)[1] for v in course.weights] == [v.path.split("/", 1)[1] for v in builtin.weights]
    for b, c in zip(builtin.get_weights(), course.get_weights()):
        np.testing.assert_array_equal(b, c)
    np.testing.assert_array_equal(course.get_weights()[2][UNITS : 2 * UNITS], 1.0)  # unit_forget_bias


def test_regularizers_match_keras(rng, x):
    options = {
        "kernel_regularizer": "l2",
        "recurrent_regularizer": "l1",
        "bias_regularizer": keras.regularizers.L1L2(0.1, 0.2),
        "activity_regularizer": "l2",
    }
    builtin, course = twins(rng, **options)
    builtin(x), course(x)
    assert len(course.losses) == 4
    np.testing.assert_allclose(sorted(map(float, course.losses)), sorted(map(float, builtin.losses)), rtol=1e-6)


def test_constraints_match_keras_after_a_training_step(rng, x):
    options = {
        "kernel_constraint": "non_neg",
        "recurrent_constraint": keras.constraints.MaxNorm(0.5),
        "bias_constraint": keras.constraints.UnitNorm(axis=0),
    }
    y = rng.standard_normal((BATCH, UNITS)).astype(np.float32)
    models = []
    for lstm in twins(rng, **options):
        model = keras.Sequential([keras.Input((TIME, FEATURES)), lstm])
        model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
        model.train_on_batch(x, y)
        models.append(model)
    assert_same(models[0].get_weights(), models[1].get_weights())
    assert (models[1].get_weights()[0] >= 0).all()


def small_model(lstm, seed=0):
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input((TIME, FEATURES)), lstm, keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    return model


def test_fit_histories_match_keras(rng, x):
    x = rng.standard_normal((40, TIME, FEATURES)).astype(np.float32)
    y = rng.standard_normal((40, 1)).astype(np.float32)
    options = {"dropout": 0.1, "recurrent_dropout": 0.1, "seed": 4}
    histories = []
    builtin, course = keras.layers.LSTM(UNITS, **options), LSTM(UNITS, **options)
    models = [small_model(builtin), small_model(course)]
    models[1].set_weights(models[0].get_weights())
    for model in models:
        keras.utils.set_random_seed(1)  # the same shuffling
        history = model.fit(x, y, batch_size=8, epochs=3, validation_split=0.25, verbose=0).history
        histories.append(history)
    for key in ("loss", "val_loss"):
        np.testing.assert_allclose(histories[1][key], histories[0][key], rtol=1e-5)
    assert_same(models[0].get_weights(), models[1].get_weights(), atol=1e-4)


@KERAS_SAVING_WARNING
def test_saved_model_loads_safely_and_predicts_the_same(rng, x, tmp_path):
    model = keras.Sequential(
        [
            keras.Input((None, FEATURES)),
            keras.layers.Masking(0.0),
            LSTM(UNITS, return_sequences=True, dropout=0.1, seed=2),
            keras.layers.Bidirectional(LSTM(UNITS)),
        ]
    )
    path = tmp_path / "model.keras"
    model.save(path)
    restored = keras.models.load_model(path, safe_mode=True)
    assert isinstance(restored.layers[1], LSTM)
    np.testing.assert_array_equal(model.predict(x, verbose=0), restored.predict(x, verbose=0))


@KERAS_SAVING_WARNING
def test_weights_saved_from_the_builtin_layer_load_into_the_course_layer(rng, x, tmp_path):
    builtin = small_model(keras.layers.LSTM(UNITS, return_sequences=True))
    course = small_model(LSTM(UNITS, return_sequences=True), seed=1)
    path = tmp_path / "builtin.weights.h5"
    builtin.save_weights(path)
    course.load_weights(path)
    assert_same(builtin.predict(x, verbose=0), course.predict(x, verbose=0))


def test_config_round_trips_and_accepts_the_builtin_config():
    options = {
        "units": UNITS,
        "activation": "relu",
        "dropout": 0.25,
        "recurrent_dropout": 0.1,
        "seed": 3,
        "kernel_regularizer": "l2",
        "bias_constraint": "non_neg",
        "go_backwards": True,
        "stateful": True,
        "unroll": True,
        "return_state": True,
        "zero_output_for_mask": True,
    }
    course = LSTM(time_major=True, **options)
    config = course.get_config()
    assert LSTM.from_config(config).get_config() == config
    assert config["time_major"] and config["implementation"] == 1  # recurrent dropout forces 1
    builtin_config = keras.layers.LSTM(**options).get_config()
    assert {k: v for k, v in config.items() if k not in ("name", "time_major", "implementation")} == {
        k: v for k, v in builtin_config.items() if k != "name"
    }
    assert LSTM.from_config(builtin_config).get_config()["dropout"] == 0.25
    cell = LSTMCell(UNITS, unit_forget_bias=False, seed=1)
    assert LSTMCell.from_config(cell.get_config()).get_config() == cell.get_config()


def test_serialized_name_is_registered():
    assert keras.saving.get_registered_name(LSTM) == "lstm_lib>LSTM"
    assert keras.saving.get_registered_name(LSTMCell) == "lstm_lib>LSTMCell"


BAD_INPUTS = {
    "rank 2": (
        lambda layer, x: layer(x[0]),
        re.escape("Expected sequences of rank 3, (batch, time, features). Received: sequences.shape=(6, 4)"),
    ),
    "features": (lambda layer, x: layer(x[..., :2]), "Expected sequences with 4 features"),
    "initial_state": (
        lambda layer, x: layer(x, initial_state=[x[:, 0, :1]] * 2),
        r"Expected initial_state=\[h_0, c_0\]",
    ),
    "one state": (
        lambda layer, x: layer(x, initial_state=np.zeros((BATCH, UNITS), np.float32)),
        r"Expected initial_state=\[h_0, c_0\]",
    ),
}


@pytest.mark.parametrize("call, message", BAD_INPUTS.values(), ids=BAD_INPUTS.keys())
def test_bad_inputs_raise_clear_errors(x, call, message):
    layer = LSTM(UNITS)
    layer(x)
    with pytest.raises(ValueError, match=message):
        call(layer, x)


@pytest.mark.parametrize("units", [np.int64(UNITS), np.int32(UNITS), UNITS], ids=["int64", "int32", "int"])
def test_units_may_be_any_integer(x, units):
    layer = LSTM(units)
    assert type(layer.units) is int and layer(x).shape == (x.shape[0], UNITS)
    assert type(LSTMCell(units).units) is int


def test_bad_arguments_raise_clear_errors(x):
    for units in (0, 2.5, True):
        with pytest.raises(ValueError, match=f"Expected units to be a positive integer. Received: units={units}"):
            LSTM(units)
    with pytest.raises(ValueError, match="Expected use_cudnn='auto' or False"):
        LSTM(UNITS, use_cudnn=True)
    with pytest.raises(ValueError, match="Expected a fixed batch size for stateful=True"):
        keras.Sequential([keras.Input((TIME, FEATURES)), LSTM(UNITS, stateful=True)])
    with pytest.raises(ValueError, match="Expected a known number of time steps for unroll=True"):
        keras.Sequential([keras.Input((None, FEATURES)), LSTM(UNITS, unroll=True)])


@pytest.mark.parametrize("masked", [False, True], ids=["plain", "masked"])
def test_the_loop_lets_steps_overlap(mask, masked):
    """The speed appendix's numbers rest on the loop's parallel_iterations (keras.ops.scan's unroll).

    With keras.ops.scan's default of 1 every step waits for all of the previous one, and the layer
    measured 1.2 to 1.3 times the time of keras.layers.LSTM instead of 1.06 to 1.17.
    """
    from lstm_lib.keras_layers.loop import SCAN_UNROLL

    layer = LSTM(UNITS, return_sequences=True)
    layer.build((BATCH, TIME, FEATURES))

    @tf.function(input_signature=[tf.TensorSpec((None, None, FEATURES), tf.float32)])
    def run(inputs):
        return layer(inputs, mask=mask if masked else None)

    nodes = run.get_concrete_function().graph.as_graph_def().node
    loops = [node for node in nodes if node.op in ("While", "StatelessWhile")]
    assert len(loops) == 1
    assert loops[0].attr["parallel_iterations"].i == SCAN_UNROLL > 1


def test_twin_layers_hold_the_same_weights_and_differences_are_measured(rng, x):
    builtin, course = twin_layers(UNITS, x.shape, rng, return_sequences=True)
    for a, b in zip(builtin.get_weights(), course.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert largest_difference(builtin(x), course(x)) < ATOL
    assert largest_difference([np.zeros(2), np.ones((1, 3))], (np.zeros(2), 3 * np.ones((1, 3)))) == 2.0
    with pytest.raises(ValueError, match=r"Expected results of the same shapes. Received: \[\(2,\)\] and \[\(3,\)\]"):
        largest_difference(np.zeros(2), np.zeros(3))
    with pytest.raises(ValueError, match="Expected results of the same shapes"):
        largest_difference([np.zeros(2)], [np.zeros(2), np.zeros(2)])
