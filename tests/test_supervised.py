"""Chapter 7's Keras models: shapes, masking, early stopping, and the course's layer against Keras's."""

import keras
import numpy as np
import pytest

from lstm_lib import classification as cl
from lstm_lib import series
from lstm_lib.keras_layers import supervised as sv


def test_forecasters_have_the_shapes_and_weights_of_their_kind():
    one = sv.forecaster(lookback=6, units=3, horizon=4)
    assert one.output_shape == (None, 4)
    assert one.count_params() == 4 * 3 * (1 + 3 + 1) + (3 + 1) * 4
    many = sv.forecaster(lookback=6, units=3, sequences=True)
    assert many.output_shape == (None, 6, 1)
    assert one.layers[0].dtype == "float64"
    with pytest.raises(ValueError, match="horizon=1 for a many-to-many"):
        sv.forecaster(lookback=6, units=3, horizon=2, sequences=True)


def test_one_step_reads_the_last_output_of_either_kind():
    x = np.random.default_rng(0).normal(size=(5, 6))
    for sequences in (False, True):
        keras.utils.set_random_seed(0)
        model = sv.forecaster(lookback=6, units=3, sequences=sequences)
        out = model.predict(x[..., None], verbose=0)
        expected = out[:, -1, 0] if sequences else out[:, 0]
        np.testing.assert_allclose(sv.one_step(model)(x), expected)


def test_the_classifier_ignores_the_padding():
    rng = np.random.default_rng(1)
    sequences = [rng.normal(size=(n, 3)) for n in (2, 5, 4)]
    padded, _ = cl.pad_sequences(sequences, length=7)
    keras.utils.set_random_seed(0)
    model = sv.sequence_classifier(steps=7, features=3, classes=4, units=5)
    logits = model.predict(padded, verbose=0)
    for row, sequence in enumerate(sequences):  # the same sequence alone, unpadded, in a model of its length
        alone = sv.sequence_classifier(steps=len(sequence), features=3, classes=4, units=5)
        alone.set_weights(model.get_weights())
        np.testing.assert_allclose(alone.predict(sequence[None], verbose=0)[0], logits[row], rtol=1e-10, atol=1e-12)


def test_the_course_layer_trains_exactly_like_keras_layers_lstm():
    x, y = series.windows(np.sin(np.arange(200) / 5.0), lookback=8)
    runs = []
    for layer in (sv.LSTM, keras.layers.LSTM):
        keras.utils.set_random_seed(3)
        model = sv.forecaster(lookback=8, units=4, layer=layer, learning_rate=1e-2)
        result = sv.fit(model, (x[:150, :, None], y[:150]), (x[150:, :, None], y[150:]), epochs=5, batch_size=32)
        runs.append((result.loss, result.validation_loss))
    np.testing.assert_allclose(runs[0], runs[1], rtol=1e-9)


def test_fit_stops_early_and_keeps_the_best_epochs_weights():
    noise = np.random.default_rng(0).normal(size=300)  # nothing to learn: the validation loss soon rises
    x, y = series.windows(noise, lookback=10)
    train, validation = (x[:200, :, None], y[:200]), (x[200:, :, None], y[200:])
    keras.utils.set_random_seed(0)
    model = sv.forecaster(lookback=10, units=16, learning_rate=3e-2)
    result = sv.fit(model, train, validation, epochs=60, patience=3, batch_size=50)
    assert result.epochs < 60 and result.best_epoch == result.epochs - 3  # stopped 3 epochs after the best
    assert result.validation_loss[result.best_epoch - 1] == min(result.validation_loss)
    now = float(model.evaluate(*validation, verbose=0))
    assert now == pytest.approx(min(result.validation_loss), rel=1e-9)  # the best weights are back
    assert result.validation_loss[-1] > now and result.seconds > 0
