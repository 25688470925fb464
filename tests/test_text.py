"""Characters as ids, batches of a text, the language model's measures, the n-gram baseline, sampling."""

import dataclasses

import numpy as np
import pytest

from lstm_lib.losses import softmax_cross_entropy
from lstm_lib.sequence_model import SequenceModel, next_logits
from lstm_lib.text import (
    Vocabulary,
    bits_per_character,
    ngram_bits_per_character,
    one_hot,
    perplexity,
    sample,
    softmax_with_temperature,
    stateful_chunks,
)


def test_a_vocabulary_is_the_sorted_characters_and_round_trips():
    vocabulary = Vocabulary.from_text("to be, or not—to be")
    assert vocabulary.characters == " ,benort—" and vocabulary.size == 9
    ids = vocabulary.encode("not to be—")
    assert ids.dtype == np.int64 and ids.tolist() == [4, 5, 7, 0, 7, 5, 0, 2, 3, 8]
    assert vocabulary.decode(ids) == "not to be—"
    assert vocabulary.encode("").shape == (0,) and vocabulary.decode(np.array([], np.int64)) == ""
    with pytest.raises(dataclasses.FrozenInstanceError):
        vocabulary.characters = "ab"


def test_a_vocabulary_may_keep_its_own_order():
    vocabulary = Vocabulary("ba")
    assert vocabulary.encode("abba").tolist() == [1, 0, 0, 1]


def test_bad_vocabularies_and_texts():
    vocabulary = Vocabulary("abc")
    with pytest.raises(ValueError, match=r"Expected characters of the vocabulary\. Received: text\[2\]='d'\."):
        vocabulary.encode("abdc")
    with pytest.raises(ValueError, match=r"Expected ids in \[0, 3\)\. Received: min\(ids\)=0, max\(ids\)=3\."):
        vocabulary.decode(np.array([0, 3]))
    with pytest.raises(ValueError, match=r"Expected ids of shape \(time,\)"):
        vocabulary.decode(np.zeros((2, 2), np.int64))
    with pytest.raises(ValueError, match=r"Expected ids of an integer dtype\. Received: ids\.dtype=float64\."):
        vocabulary.decode(np.array([0.0]))
    for characters in ["", "aba"]:
        with pytest.raises(ValueError, match="each once"):
            Vocabulary(characters)


def test_one_hot():
    x = one_hot(np.array([[2, 0], [1, 1]]), 3)
    assert x.shape == (2, 2, 3) and x.dtype == np.float32
    np.testing.assert_array_equal(x[0], [[0, 0, 1], [1, 0, 0]])
    assert one_hot(np.array([1]), 2, np.float64).dtype == np.float64
    with pytest.raises(ValueError, match=r"Expected ids in \[0, 3\)"):
        one_hot(np.array([-1]), 3)


def test_a_uniform_guess_over_four_characters_costs_two_bits():
    loss, _ = softmax_cross_entropy(np.zeros((3, 5, 4)), np.zeros((3, 5), np.int64))
    assert loss == pytest.approx(np.log(4))
    assert bits_per_character(loss) == pytest.approx(2.0)
    assert perplexity(loss) == pytest.approx(4.0)
    assert bits_per_character(0.0) == 0.0 and perplexity(0.0) == 1.0
    for bad in [-0.1, float("nan"), float("inf")]:
        with pytest.raises(ValueError, match=r"Expected a mean cross-entropy in nats, 0 or more"):
            bits_per_character(bad)


def test_ngram_model_by_hand():
    # Training "abab": the pairs ab, ba, ab; a is followed by something twice, b once. With add-one
    # smoothing p(a|a) = (0 + 1) / (2 + 2), p(b|a) = (2 + 1) / (2 + 2). The test "aab" scores its 2nd and 3rd.
    train, test = np.array([0, 1, 0, 1]), np.array([0, 0, 1])
    expected = -(np.log2(1 / 4) + np.log2(3 / 4)) / 2
    assert ngram_bits_per_character(train, test, 2) == pytest.approx(expected)
    # Single characters: a twice and b once in "aab"; with k = 0.5, p(a) = 2.5 / 4 and p(b) = 1.5 / 4.
    unigram = ngram_bits_per_character(np.array([0, 0, 1]), test, 2, order=1, smoothing=0.5)
    assert unigram == pytest.approx(-(2 * np.log2(2.5 / 4) + np.log2(1.5 / 4)) / 3)
    # Three characters: "abcabc" has the context "ab" twice, both times followed by c.
    trigram = ngram_bits_per_character(np.array([0, 1, 2, 0, 1, 2]), np.array([0, 1, 2, 0, 1, 0]), 3, order=3)
    p = [(2 + 1) / (2 + 3), (1 + 1) / (1 + 3), (1 + 1) / (1 + 3), (0 + 1) / (2 + 3)]  # c|ab, a|bc, b|ca, a|ab
    assert trigram == pytest.approx(-np.mean(np.log2(p)))


def test_ngram_model_finds_what_the_text_holds():
    rng = np.random.default_rng(0)
    uniform = rng.integers(0, 4, 20000)
    assert ngram_bits_per_character(uniform[:10000], uniform[10000:], 4) == pytest.approx(2.0, abs=0.01)
    cycle = np.tile(np.arange(5), 2000)  # each character fixes the next
    assert ngram_bits_per_character(cycle, cycle[:100], 5, smoothing=1e-3) < 0.001
    assert ngram_bits_per_character(cycle, cycle[:100], 5, order=1) == pytest.approx(np.log2(5), abs=1e-3)


@pytest.mark.parametrize(
    "arguments, message",
    [
        ({"smoothing": 0.0}, r"Expected smoothing > 0\. Received: smoothing=0\.0\."),
        ({"order": 0}, r"Expected order to be a positive integer\. Received: order=0\."),
        ({"order": 4}, r"Expected test_ids of at least 4 characters\. Received: len\(test_ids\)=3\."),
        ({"size": 1}, r"Expected train_ids in \[0, 1\)\. Received: min\(train_ids\)=0, max\(train_ids\)=1\."),
        ({"size": 2**32, "order": 2}, r"Expected size\*\*order below 2\*\*63\. Received: size=4294967296, order=2\."),
    ],
)
def test_ngram_bad_arguments(arguments, message):
    options = {"size": 2, **arguments}
    with pytest.raises(ValueError, match=message):
        ngram_bits_per_character(np.array([0, 1, 0, 1]), np.array([0, 0, 1]), **options)


def test_softmax_with_temperature():
    logits = np.array([[1.0, 2.0, 0.5], [1000.0, -1000.0, 0.0]])
    p = softmax_with_temperature(logits, 1.0)
    np.testing.assert_allclose(p[0], np.exp(logits[0]) / np.exp(logits[0]).sum())
    np.testing.assert_allclose(p.sum(axis=-1), 1.0)
    np.testing.assert_array_equal(softmax_with_temperature(logits, 1e-9), [[0, 1, 0], [1, 0, 0]])
    np.testing.assert_allclose(softmax_with_temperature(logits[:1], 1e6), 1 / 3, atol=1e-6)
    sharp, flat = softmax_with_temperature(logits[0], 0.5), softmax_with_temperature(logits[0], 1.5)
    assert sharp.max() > p[0].max() > flat.max()
    for bad in [0.0, -1.0, float("nan")]:
        with pytest.raises(ValueError, match=r"Expected temperature > 0\. Received: temperature="):
            softmax_with_temperature(logits, bad)


def _markov_chain(transitions: np.ndarray):
    """next_logits for a model whose next character depends only on the last: logits = log P[last]."""
    calls = []

    def next_logits(ids, state):
        calls.append((ids.copy(), state))
        return np.log(transitions[ids[:, -1]]), len(calls)  # the state counts the calls

    return next_logits, calls


def test_sampling_is_reproducible_and_passes_on_its_state():
    transitions = np.array([[0.1, 0.6, 0.3], [0.5, 0.25, 0.25], [0.2, 0.2, 0.6]])
    next_logits, calls = _markov_chain(transitions)
    prompt = np.array([[0, 2], [1, 1]])
    drawn = sample(next_logits, prompt, 6, 1.0, np.random.default_rng(0))
    assert drawn.shape == (2, 6) and drawn.dtype == np.int64
    np.testing.assert_array_equal(calls[0][0], prompt)
    assert calls[0][1] is None and [state for _, state in calls[1:]] == [1, 2, 3, 4, 5]
    np.testing.assert_array_equal(np.concatenate([ids for ids, _ in calls[1:]], axis=1), drawn[:, :-1])
    np.testing.assert_array_equal(
        sample(_markov_chain(transitions)[0], prompt, 6, 1.0, np.random.default_rng(0)), drawn
    )


def test_sampling_at_a_low_temperature_picks_the_largest_logit():
    transitions = np.array([[0.1, 0.6, 0.3], [0.5, 0.25, 0.25], [0.2, 0.2, 0.6]])
    drawn = sample(_markov_chain(transitions)[0], np.zeros((3, 1), np.int64), 4, 1e-6, np.random.default_rng(1))
    np.testing.assert_array_equal(drawn, [[1, 0, 1, 0]] * 3)  # 0 -> 1 -> 0 -> ...


def test_sampling_at_temperature_one_follows_the_softmax():
    p = np.array([0.4, 0.3, 0.2, 0.1, 0.0])
    logits = np.log(p + 1e-300)  # the last class: probability 1e-300, never drawn

    def next_logits(ids, state):
        return np.broadcast_to(logits, (len(ids), 5)), None

    drawn = sample(next_logits, np.zeros((1000, 1), np.int64), 20, 1.0, np.random.default_rng(2))
    share = np.bincount(drawn.ravel(), minlength=5) / drawn.size
    # 20000 draws: the standard error of a share is at most 0.0035; 4.5 of them is about 0.016.
    np.testing.assert_allclose(share, p, atol=0.016)
    assert share[4] == 0
    flat = sample(next_logits, np.zeros((1000, 1), np.int64), 20, 1.5, np.random.default_rng(2))
    # T = 1.5 draws in proportion to p**(1 / 1.5): 0.351, 0.289, 0.221, 0.139 for the first four.
    assert np.mean(flat == 0) < 0.37 and np.mean(flat == 3) > 0.12


def test_sampling_bad_arguments():
    next_logits, _ = _markov_chain(np.full((2, 2), 0.5))
    with pytest.raises(
        ValueError, match=r"Expected prompt_ids of shape \(batch, time\)\. Received: prompt_ids\.shape=\(3,\)\."
    ):
        sample(next_logits, np.zeros(3, np.int64), 2, 1.0, np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"Expected length to be a positive integer\. Received: length=0\."):
        sample(next_logits, np.zeros((1, 1), np.int64), 0, 1.0, np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"Expected temperature > 0"):
        sample(next_logits, np.zeros((1, 1), np.int64), 2, 0.0, np.random.default_rng(0))


@pytest.mark.parametrize("layer", ["rnn", "lstm", "gru", "lstm_peephole"])
def test_a_numpy_model_samples_what_it_predicts_for_the_whole_sequence(rng, layer):
    # Stepping from the state must give the logits of reading everything at once: at a low temperature
    # each drawn id is the largest logit of the model run over the prompt and every id drawn before.
    model = SequenceModel(layer, features=6, units=5, outputs=6, readout="sequence", rng=rng)
    prompt = rng.integers(0, 6, size=(4, 3))
    drawn = sample(next_logits(model), prompt, 8, 1e-6, rng)
    text = np.concatenate([prompt, drawn], axis=1)
    logits = model.predict(one_hot(text, 6, np.float64))
    np.testing.assert_array_equal(logits[:, 2:-1].argmax(axis=-1), drawn)


def test_a_stateful_keras_model_samples_as_documented(rng):
    import keras

    size, batch = 5, 2
    model = keras.Sequential(
        [
            keras.Input(batch_shape=(batch, None, size)),
            keras.layers.LSTM(4, stateful=True, return_sequences=True),
            keras.layers.Dense(size),
        ]
    )
    model.set_weights([rng.standard_normal(w.shape).astype(np.float32) for w in model.get_weights()])

    def next_logits(ids, state):  # the recipe of sample's docstring
        return keras.ops.convert_to_numpy(model(one_hot(ids, size)))[:, -1], None

    prompt = rng.integers(0, size, size=(batch, 3))
    model.layers[0].reset_state()
    drawn = sample(next_logits, prompt, 6, 1e-6, rng)
    model.layers[0].reset_state()
    logits = keras.ops.convert_to_numpy(model(one_hot(np.concatenate([prompt, drawn], axis=1), size)))
    np.testing.assert_array_equal(logits[:, 2:-1].argmax(axis=-1), drawn)


def test_stateful_chunks_cut_the_text_into_streams_that_carry_on_from_chunk_to_chunk():
    ids = np.arange(23)
    x, y = stateful_chunks(ids, batch=2, steps=4)  # streams of (23 - 1) // 2 = 11: 0-10 and 11-21
    assert x.shape == y.shape == (2, 2, 4) and x.dtype == np.int64
    assert x[0].tolist() == [[0, 1, 2, 3], [11, 12, 13, 14]]
    assert x[1].tolist() == [[4, 5, 6, 7], [15, 16, 17, 18]]  # row i of chunk 1 goes on from row i of chunk 0
    np.testing.assert_array_equal(y, x + 1)  # the next character everywhere
    long = np.random.default_rng(0).integers(0, 9, 1001)
    x, y = stateful_chunks(long, batch=4, steps=10)
    streams = np.concatenate(list(x), axis=1)  # each row: one unbroken stretch of the text
    for i, row in enumerate(streams):
        assert row.tolist() == long[i * 250 : (i + 1) * 250].tolist()
    with pytest.raises(ValueError, match="batch"):
        stateful_chunks(ids, batch=0, steps=4)
    with pytest.raises(ValueError, match="ids"):
        stateful_chunks(np.arange(8), batch=2, steps=4)  # needs 2 * 4 + 1 characters
    with pytest.raises(ValueError, match=r"ids.*\(time,\).*\(2, 12\)"):
        stateful_chunks(np.zeros((2, 12), np.int64), batch=2, steps=4)
