"""The character-level language model of Chapter 6: stateful reading, batch copies, sampling, the shipped model."""

import json
import os
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest

from lstm_lib import data, splits, text
from lstm_lib.keras_layers import LSTM
from lstm_lib.keras_layers import language_model as lm

ROOT = Path(__file__).resolve().parents[1]
MODELS = ROOT / "chapters" / "models"


def _model(layer=LSTM, batch=3, size=7, units=5, layers=2, seed=0):
    keras.utils.set_random_seed(seed)
    return lm.character_model(size, units, batch, layers, layer=layer)


def _logits(model, ids, size):
    return keras.ops.convert_to_numpy(model(text.one_hot(ids, size), training=False)).astype(np.float64)


def test_the_model_has_the_layers_and_weights_the_chapter_counts():
    model = _model(size=80, units=16, layers=2)
    assert [layer.name for layer in model.layers] == ["lstm_1", "lstm_2", "logits"]
    lstm_1, lstm_2, logits = model.layers
    assert lstm_1.stateful and lstm_2.stateful and lstm_1.return_sequences
    assert model.count_params() == 4 * 16 * (80 + 16 + 1) + 4 * 16 * (16 + 16 + 1) + 16 * 80 + 80
    with pytest.raises(ValueError, match="units"):
        lm.character_model(80, 0, 3)


def test_reading_in_chunks_with_the_state_carried_equals_reading_the_streams_whole():
    # Truncated backpropagation cuts the gradient, never the forward pass: chunk after chunk with the
    # state kept gives the same logits as one pass over each stream.
    rng = np.random.default_rng(0)
    ids = rng.integers(0, 7, 3 * 24 + 1)
    x, y = text.stateful_chunks(ids, batch=3, steps=6)
    model = _model()
    lm.reset_states(model)
    chunked = np.concatenate([_logits(model, x[k], 7) for k in range(len(x))], axis=1)
    lm.reset_states(model)
    whole = _logits(model, np.concatenate(list(x), axis=1), 7)
    np.testing.assert_allclose(chunked, whole, rtol=1e-5, atol=1e-6)
    # and mean_nats is the cross-entropy of those logits, whatever state the model was left in
    model(text.one_hot(x[0], 7))
    log_p = whole - np.log(np.exp(whole).sum(-1, keepdims=True))
    expected = -np.take_along_axis(log_p, np.concatenate(list(y), axis=1)[..., None], -1).mean()
    assert lm.mean_nats(model, x, y) == pytest.approx(expected, rel=1e-5)


def test_a_model_is_its_keras_twin_with_the_same_weights():
    ours, theirs = _model(), _model(layer=keras.layers.LSTM, seed=1)
    theirs.set_weights(ours.get_weights())
    x = np.random.default_rng(1).integers(0, 7, (3, 9))
    np.testing.assert_allclose(_logits(ours, x, 7), _logits(theirs, x, 7), rtol=1e-5, atol=1e-6)


def test_with_batch_keeps_the_weights_and_the_outputs_of_each_row():
    model = _model(batch=3)
    x = np.random.default_rng(2).integers(0, 7, (3, 8))
    lm.reset_states(model)
    full = _logits(model, x, 7)
    single = lm.with_batch(model, 1)
    assert single.inputs[0].shape[0] == 1
    for row in range(3):
        lm.reset_states(single)
        np.testing.assert_allclose(_logits(single, x[row : row + 1], 7)[0], full[row], rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="batch"):
        lm.with_batch(model, 0)


def test_chunks_of_another_batch_are_refused_with_both_shapes():
    model = _model(batch=3)
    x = np.zeros((2, 4, 5), np.int64)
    with pytest.raises(ValueError, match=r"x.*\(chunks, 3, steps\).*\(2, 4, 5\)"):
        lm.train_stateful(model, x, x)


def test_training_on_a_repeated_phrase_learns_it():
    phrase = text.Vocabulary.from_text("to be or not to be ")
    ids = phrase.encode("to be or not to be " * 40)
    x, y = text.stateful_chunks(ids, batch=4, steps=19)
    keras.utils.set_random_seed(0)
    model = lm.character_model(phrase.size, 32, 4, learning_rate=0.02)
    before = lm.mean_nats(model, x, y)
    losses = [loss for _ in range(15) for loss in lm.train_stateful(model, x, y)]
    assert len(losses) == 15 * len(x)
    after = lm.mean_nats(model, x, y)
    assert before > np.log(phrase.size) - 0.2 and after < 0.25 * before


def test_sampling_with_a_fixed_seed_repeats_and_starts_from_the_models_probabilities():
    model = lm.with_batch(_model(batch=3, layers=1), 2)
    prompt = np.array([[1, 2, 3], [4, 5, 6]])
    first = text.sample(lm.next_logits(model), prompt, 12, 1.0, np.random.default_rng(5))
    again = text.sample(lm.next_logits(model), prompt, 12, 1.0, np.random.default_rng(5))
    assert first.shape == (2, 12) and np.array_equal(first, again)
    # The first drawn id is the one the generator picks from softmax(logits of the prompt's last step).
    lm.reset_states(model)
    p = text.softmax_with_temperature(_logits(model, prompt, 7)[:, -1], 1.0)
    u = np.random.default_rng(5).random((2, 1))  # sample's first draw: one uniform number per row
    cumulative = p.cumsum(axis=-1)
    assert first[:, 0].tolist() == np.sum(cumulative <= u * cumulative[:, -1:], axis=-1).tolist()
    # at a temperature near zero the model writes its most likely character every time
    greedy = text.sample(lm.next_logits(model), prompt, 1, 1e-3, np.random.default_rng(9))
    assert greedy[:, 0].tolist() == np.argmax(p, axis=-1).tolist()


@pytest.fixture(scope="module")
def shipped_log():
    return json.loads((MODELS / "shakespeare_lstm.json").read_text())


def test_the_shipped_model_is_small_loads_safely_and_matches_its_log(shipped_log):
    path = MODELS / "shakespeare_lstm.keras"
    assert path.stat().st_size <= 5 * 2**20
    model = keras.models.load_model(path, safe_mode=True)
    assert model.inputs[0].shape == (1, None, len(shipped_log["characters"]))
    assert all(isinstance(layer, LSTM) for layer in model.layers[:-1])
    settings = shipped_log["settings"]
    assert (settings["units"], settings["layers"]) == (256, 2) and len(model.layers) == 3
    epochs = [e["validation_bpc"] for e in shipped_log["epochs"]]
    assert shipped_log["best_epoch"] == 1 + int(np.argmin(epochs))


def test_the_shipped_weights_give_the_test_score_the_chapter_reports(shipped_log):
    corpus = data.shakespeare()
    vocabulary = text.Vocabulary.from_text(corpus)
    assert vocabulary.characters == shipped_log["characters"]
    _, _, test = splits.contiguous_split(vocabulary.encode(corpus), 0.05, 0.05)
    settings = shipped_log["settings"]
    x, y = text.stateful_chunks(test, settings["batch"], settings["steps"])
    model = lm.with_batch(keras.models.load_model(MODELS / "shakespeare_lstm.keras", safe_mode=True), settings["batch"])
    bits = text.bits_per_character(lm.mean_nats(model, x, y))
    assert abs(bits - shipped_log["test_bpc"]) < 0.005 and round(bits, 2) == 2.10


def test_the_training_script_runs_a_few_chunks_and_writes_a_loadable_model(tmp_path):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "train_shakespeare.py"),
            "--epochs",
            "1",
            "--limit",
            "3",
            "--units",
            "8",
            "--layers",
            "1",
            "--out",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    log = json.loads((tmp_path / "shakespeare_lstm.json").read_text())
    assert log["settings"]["units"] == 8 and len(log["epochs"]) == 1 and log["best_epoch"] == 1
    assert 4.0 < log["test_bpc"] < 7.0  # three chunks in: near knowing nothing (6.3 bits)
    model = keras.models.load_model(tmp_path / "shakespeare_lstm.keras", safe_mode=True)
    assert model.inputs[0].shape == (1, None, 80)
    assert "test" in done.stdout
