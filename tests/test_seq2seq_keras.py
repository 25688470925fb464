"""Chapter 8's Keras side: attention and the masked loss against NumPy, decoding through a model, the shipped models."""

import importlib.util
import json
import sys
from pathlib import Path

import numpy as np
import pytest

keras = pytest.importorskip("keras")
tf = pytest.importorskip("tensorflow")

from lstm_lib import attention, decoding, losses, pairs  # noqa: E402
from lstm_lib.keras_layers import seq2seq  # noqa: E402
from lstm_lib.keras_layers.attention import DotAttention  # noqa: E402
from lstm_lib.tokens import END, START, TokenVocabulary, teacher_forcing  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
MODELS = ROOT / "chapters" / "models"


def test_keras_attention_gives_the_numpy_contexts_weights_and_gradients():
    rng = np.random.default_rng(0)
    queries, keys = rng.standard_normal((2, 3, 4)), rng.standard_normal((2, 5, 4))
    mask = np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]], bool)
    d_context = rng.standard_normal((2, 3, 4))
    expected, cache = attention.attention_forward(queries, keys, mask)
    gradients = attention.attention_backward(d_context, cache)
    q, k = tf.Variable(queries), tf.Variable(keys)
    with tf.GradientTape() as tape:
        context, weights = DotAttention(return_weights=True, dtype="float64")(q, k, key_mask=mask)
        loss = tf.reduce_sum(context * d_context)
    d_q, d_k = tape.gradient(loss, [q, k])
    assert np.allclose(context, expected, rtol=0, atol=1e-12) and np.allclose(
        weights, cache.weights, rtol=0, atol=1e-12
    )
    assert np.allclose(d_q, gradients["queries"], rtol=0, atol=1e-12)
    assert np.allclose(d_k, gradients["keys"], rtol=0, atol=1e-12)


def test_the_keras_loss_is_the_numpy_masked_loss():
    rng = np.random.default_rng(1)
    logits = rng.standard_normal((3, 4, 6))
    targets = np.array([[4, 5, 2, 0], [3, 2, 0, 0], [5, 5, 4, 2]])  # 0 is padding
    expected, _ = losses.masked_sequence_cross_entropy(logits, targets, targets != 0)
    assert np.isclose(float(seq2seq.MaskedSequenceCrossEntropy(dtype="float64")(targets, logits)), expected, rtol=1e-12)


@pytest.fixture(scope="module")
def small():
    keras.utils.set_random_seed(3)
    source, target = TokenVocabulary("abcde"), TokenVocabulary("xyz")
    model = seq2seq.encoder_decoder(source.size, target.size, units=8, embedding_dim=4, attention=True)
    return model, seq2seq.Translator(model, source, target)


def test_padding_a_source_changes_nothing(small):
    model, _ = small
    source = TokenVocabulary("abcde")
    ids, _ = source.batch(["abca", "ed"])
    decoder_input = np.array([[START, 3, 4], [START, 4, 4]])
    together = model.predict([ids, decoder_input], verbose=0)
    alone = model.predict([ids[1:, :2], decoder_input[1:]], verbose=0)
    assert np.abs(together[1] - alone[0]).max() < 1e-5


def test_the_decoding_step_gives_the_training_models_log_probabilities(small):
    model, translator = small
    states = translator.states(["abcab"])
    tokens = [4, 3, 5]
    decoder_input = np.array([[START, *tokens]])
    logits = model.predict([translator.source_vocabulary.batch(["abcab"])[0], decoder_input], verbose=0)[0]
    expected = logits - np.log(np.exp(logits).sum(axis=-1, keepdims=True))
    last = START
    for t, token in enumerate([*tokens, END]):
        log_probs, states = translator.step(np.array([last]), states)
        assert np.abs(log_probs[0] - expected[t]).max() < 1e-5
        last = token


def test_beam_search_through_a_keras_model_scores_its_hypotheses_right(small):
    model, translator = small
    source_ids = translator.source_vocabulary.batch(["deab"])[0]
    found = decoding.beam_search(
        translator.step, translator.states(["deab"]), start=START, end=END, beam_width=4, max_length=5
    )
    for tokens, score in found:  # the states followed their hypotheses through every reordering
        logits = model.predict([source_ids, np.array([[START, *tokens[:-1]]])], verbose=0)[0]
        log_probs = logits - np.log(np.exp(logits).sum(axis=-1, keepdims=True))
        assert np.isclose(score, sum(log_probs[t, token] for t, token in enumerate(tokens)), atol=1e-4)
    [(greedy_tokens, _)] = decoding.beam_search(
        translator.step, translator.states(["deab"]), start=START, end=END, beam_width=1, max_length=5
    )
    assert greedy_tokens == decoding.greedy_decode(
        translator.step, translator.states(["deab"]), start=START, end=END, max_length=5
    )


def test_a_short_training_run_learns_to_reverse_three_letters():
    keras.utils.set_random_seed(0)
    letters = TokenVocabulary("abc")
    data = pairs.reversal_pairs(np.random.default_rng(0), 600, 3, 3, letters="abc")
    model = seq2seq.encoder_decoder(
        letters.size, letters.size, units=16, embedding_dim=8, attention=True, learning_rate=1e-2
    )
    sources, _ = letters.batch([s for s, _ in data])
    targets, _ = letters.batch([t for _, t in data], end=True)
    model.fit([sources, teacher_forcing(targets)], targets, batch_size=32, epochs=12, verbose=0)
    translator = seq2seq.Translator(model, letters, letters)
    right = seq2seq.exact_match(translator.greedy(["abc", "cab", "bba", "acc"], 5), ["cba", "bac", "abb", "cca"])
    assert right.mean() >= 0.75


# --- the shipped models -------------------------------------------------------------------------------

_spec = importlib.util.spec_from_file_location("train_seq2seq", ROOT / "scripts" / "train_seq2seq.py")
train_script = importlib.util.module_from_spec(_spec)
sys.modules["train_seq2seq"] = train_script
_spec.loader.exec_module(train_script)


@pytest.fixture(scope="module")
def log():
    return json.loads((MODELS / "seq2seq.json").read_text())


@pytest.mark.parametrize("name", ["dates_attention", "reversal_plain", "reversal_attention"])
def test_a_shipped_model_loads_safely_and_scores_what_its_log_says(name, log):
    assert (MODELS / f"{name}.keras").stat().st_size < 5e6
    model = keras.models.load_model(MODELS / f"{name}.keras", safe_mode=True)
    settings = log["settings"]
    if name.startswith("dates"):
        data = train_script.date_data(settings["dates"])
        vocabularies = (TokenVocabulary(log["date_symbols"]), TokenVocabulary(log["date_target_symbols"]))
    else:
        data = train_script.reversal_data(settings["reversal"])
        vocabularies = (TokenVocabulary(pairs.REVERSAL_LETTERS),) * 2
    translator = seq2seq.Translator(model, *vocabularies)
    longest = max(len(t) for _, t in data["test"]) + 1
    written = translator.greedy([s for s, _ in data["test"]], longest)
    accuracy = seq2seq.exact_match(written, [t for _, t in data["test"]]).mean()
    assert abs(accuracy - log["models"][name]["exact_match"]) <= 0.002  # float32 round-off may flip a case or two


def test_the_date_vocabulary_of_the_shipped_model_is_todays(log):
    assert log["date_symbols"] == pairs.date_symbols()
