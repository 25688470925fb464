"""Chapter 8's NumPy pieces: the data, the vocabulary, the embedding, the masked loss, attention, decoding."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lstm_lib import attention, decoding, embedding, losses, pairs
from lstm_lib.gradcheck import numerical_gradient, relative_error
from lstm_lib.tokens import END, PAD, START, TokenVocabulary, teacher_forcing

RNG = np.random.default_rng(8)


# --- the data ---------------------------------------------------------------------------------------


def test_every_written_date_names_one_day():
    """No two different days share a written form, over a large sample of every language and format."""
    days_of = {}
    for source, target in pairs.date_pairs(np.random.default_rng(0), 60_000):
        days_of.setdefault(source, set()).add(target)
    assert max(len(days) for days in days_of.values()) == 1


def test_a_date_is_written_as_its_language_writes_it():
    import datetime

    day = datetime.date(2026, 3, 14)
    assert pairs.write_date(day, "fr_FR", "full") == "samedi 14 mars 2026"
    assert pairs.write_date(day, "de_DE", "long") == "14. März 2026"
    assert pairs.write_date(day, "en_GB", "dd/MM/yyyy") == "14/03/2026"
    with pytest.raises(ValueError, match="month first"):
        pairs.write_date(day, "en_US", "dd/MM/yyyy")


def test_dates_cover_every_language_month_and_century():
    sample = pairs.date_pairs(np.random.default_rng(1), 5000)
    months = {target[5:7] for _, target in sample}
    centuries = {target[:2] for _, target in sample}
    assert months == {f"{m:02d}" for m in range(1, 13)} and centuries == {"19", "20"}
    assert all(len(target) == 10 and target[4] == target[7] == "-" for _, target in sample)
    assert set("".join(s for s, _ in sample)) <= set(pairs.date_symbols())


def test_the_date_symbols_are_latin_script_only():
    """The book's fonts have Latin script; a character outside it would vanish from the PDF."""
    import unicodedata

    for character in pairs.date_symbols():
        assert character in " ,-./" or character.isdigit() or "LATIN" in unicodedata.name(character), character


def test_reversal_pairs_reverse_and_respect_their_lengths():
    sample = pairs.reversal_pairs(np.random.default_rng(2), 300, 3, 9)
    assert all(target == source[::-1] and 3 <= len(source) <= 9 for source, target in sample)
    assert {len(s) for s, _ in sample} == set(range(3, 10))


# --- the vocabulary ----------------------------------------------------------------------------------


def test_the_vocabulary_pads_at_the_end_and_decodes_up_to_the_end_token():
    vocabulary = TokenVocabulary("abc")
    ids, mask = vocabulary.batch(["ab", "cab"], end=True)
    assert ids.tolist() == [[3, 4, END, PAD], [5, 3, 4, END]]
    assert mask.tolist() == [[True, True, True, False], [True, True, True, True]]
    assert vocabulary.decode([START, 3, 5, END, 4]) == "ac"
    assert teacher_forcing(ids).tolist() == [[START, 3, 4, PAD], [START, 5, 3, 4]]


@pytest.mark.parametrize(
    ("text", "message"),
    [("", "at least one character"), ("abz", r"text\[2\]='z'")],
)
def test_an_empty_source_or_an_unknown_symbol_is_refused(text, message):
    with pytest.raises(ValueError, match=message):
        TokenVocabulary("abc").encode(text)


# --- gradients against finite differences ------------------------------------------------------------


def test_the_embedding_gradient_adds_up_repeated_ids():
    table = RNG.standard_normal((6, 4))
    ids = np.array([[1, 2, 1], [5, 1, 0]])
    weights = RNG.standard_normal((2, 3, 4))
    exact = embedding.embedding_backward(weights, ids, 6)
    numeric = numerical_gradient(lambda: float((embedding.embedding_forward(ids, table) * weights).sum()), table)
    assert relative_error(exact, numeric) < 1e-7
    assert np.allclose(exact[1], weights[0, 0] + weights[0, 2] + weights[1, 1]) and not exact[3].any()


def masked_problem(rng):
    logits = rng.standard_normal((3, 5, 7))
    targets = rng.integers(0, 7, (3, 5))
    mask = np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1], [1, 0, 0, 0, 0]], bool)
    return logits, targets, mask


def test_the_masked_loss_gradient_matches_finite_differences():
    logits, targets, mask = masked_problem(np.random.default_rng(3))
    loss, gradient = losses.masked_sequence_cross_entropy(logits, targets, mask)
    numeric = numerical_gradient(lambda: losses.masked_sequence_cross_entropy(logits, targets, mask)[0], logits)
    assert relative_error(gradient, numeric) < 1e-7
    per_symbol = [
        losses.softmax_cross_entropy(logits[n, t][None], targets[n, t][None])[0] for n, t in zip(*np.nonzero(mask))
    ]
    assert np.isclose(loss, np.mean(per_symbol))


def test_padding_changes_neither_the_loss_nor_any_gradient():
    logits, targets, mask = masked_problem(np.random.default_rng(4))
    loss, gradient = losses.masked_sequence_cross_entropy(logits, targets, mask)
    changed_logits, changed_targets = logits.copy(), targets.copy()
    changed_logits[~mask] = 1e3 * RNG.standard_normal(changed_logits[~mask].shape)
    changed_targets[~mask] = 6 - changed_targets[~mask]
    loss2, gradient2 = losses.masked_sequence_cross_entropy(changed_logits, changed_targets, mask)
    assert loss2 == loss and np.array_equal(gradient2, gradient) and not gradient[~mask].any()


def test_attention_gradients_match_finite_differences_with_a_mask():
    rng = np.random.default_rng(5)
    queries, keys = rng.standard_normal((2, 3, 4)), rng.standard_normal((2, 6, 4))
    mask = np.array([[1, 1, 1, 1, 0, 0], [1, 1, 1, 1, 1, 1]], bool)
    weights = rng.standard_normal((2, 3, 4))
    context, cache = attention.attention_forward(queries, keys, mask)
    exact = attention.attention_backward(weights, cache)

    def loss():
        return float((attention.attention_forward(queries, keys, mask)[0] * weights).sum())

    assert relative_error(exact["queries"], numerical_gradient(loss, queries)) < 1e-7
    assert relative_error(exact["keys"], numerical_gradient(loss, keys)) < 1e-7
    assert not cache.weights[0, :, 4:].any() and np.allclose(cache.weights.sum(axis=-1), 1)
    assert not exact["keys"][0, 4:].any(), "padded keys get no gradient"


def test_padded_keys_change_nothing_in_attention():
    rng = np.random.default_rng(6)
    queries, keys = rng.standard_normal((1, 2, 3)), rng.standard_normal((1, 5, 3))
    mask = np.array([[1, 1, 1, 0, 0]], bool)
    context, _ = attention.attention_forward(queries, keys, mask)
    alone, _ = attention.attention_forward(queries, keys[:, :3])
    assert np.allclose(context, alone, rtol=0, atol=1e-15)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: attention.attention_forward(np.ones((1, 2, 3)), np.ones((1, 4, 3)), np.zeros((1, 4), bool)),
            "at least one True",
        ),
        (lambda: attention.attention_forward(np.ones((1, 2, 3)), np.ones((1, 4, 2))), "keys of shape"),
        (
            lambda: losses.masked_sequence_cross_entropy(
                np.ones((1, 2, 3)), np.zeros((1, 2), int), np.zeros((1, 2), bool)
            ),
            "at least one True",
        ),
        (lambda: embedding.embedding_forward(np.array([[7]]), np.ones((5, 2))), r"ids in \[0, 5\)"),
    ],
)
def test_bad_input_to_the_pieces_is_refused(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# --- decoding -----------------------------------------------------------------------------------------


class ToyDecoder:
    """A small random recurrent decoder: vocabulary 4 (token 3 ends), a state of 2 numbers."""

    def __init__(self, seed):
        rng = np.random.default_rng(seed)
        self.embed, self.recurrent = rng.standard_normal((4, 2)), rng.standard_normal((2, 2))
        self.readout = 1.5 * rng.standard_normal((2, 4))

    def step(self, tokens, states):
        (h,) = states
        h = np.tanh(self.embed[tokens] + h @ self.recurrent)
        logits = h @ self.readout
        return logits - np.log(np.exp(logits).sum(axis=1, keepdims=True)), (h,)

    def score(self, tokens, start=0):
        states, last, total = (np.array([[0.2, -0.1]]),), start, 0.0
        for token in tokens:
            log_probs, states = self.step(np.array([last]), states)
            total, last = total + log_probs[0, token], token
        return total


def every_output(length, vocabulary=4, end=3):
    for n in range(1, length + 1):
        for tokens in itertools.product(range(vocabulary), repeat=n):
            if end not in tokens[:-1] and (n == length or tokens[-1] == end):
                yield list(tokens)


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("alpha", [0.0, 0.7])
def test_a_wide_enough_beam_is_exhaustive_search(seed, alpha):
    toy, length = ToyDecoder(seed), 4
    start_states = (np.array([[0.2, -0.1]]),)
    exhaustive = sorted(((t, toy.score(t) / len(t) ** alpha) for t in every_output(length)), key=lambda h: -h[1])
    found = decoding.beam_search(
        toy.step, start_states, start=0, end=3, beam_width=4**length, max_length=length, alpha=alpha
    )
    assert np.allclose([s for _, s in found], [s for _, s in exhaustive], rtol=0, atol=1e-12)
    best = decoding.beam_search(toy.step, start_states, start=0, end=3, beam_width=3, max_length=length, alpha=alpha)
    for tokens, score in best:  # every score is its tokens' summed log-probability, normalised
        assert np.isclose(score, toy.score(tokens) / len(tokens) ** alpha)
        assert tokens[-1] == 3 or len(tokens) == length


@pytest.mark.parametrize("seed", range(5))
def test_width_one_is_greedy(seed):
    toy = ToyDecoder(seed)
    start_states = (np.array([[0.2, -0.1]]),)
    greedy = decoding.greedy_decode(toy.step, start_states, start=0, end=3, max_length=6)
    [(tokens, score)] = decoding.beam_search(toy.step, start_states, start=0, end=3, beam_width=1, max_length=6)
    assert tokens == greedy and np.isclose(score, toy.score(greedy))


def test_batched_greedy_is_greedy_row_by_row():
    toy = ToyDecoder(1)
    starts = np.random.default_rng(0).standard_normal((5, 2))
    together = decoding.greedy_decode_batch(toy.step, (starts,), start=0, end=3, max_length=6)
    alone = [decoding.greedy_decode(toy.step, (row[None],), start=0, end=3, max_length=6) for row in starts]
    assert together == alone


@settings(max_examples=30, deadline=None, derandomize=True)
@given(seed=st.integers(0, 10_000), width=st.integers(1, 6), alpha=st.floats(0, 1))
def test_beam_results_are_sorted_unique_and_finished_or_full(seed, width, alpha):
    toy = ToyDecoder(seed)
    found = decoding.beam_search(
        toy.step, (np.array([[0.0, 0.0]]),), start=0, end=3, beam_width=width, max_length=5, alpha=alpha
    )
    scores = [s for _, s in found]
    assert 1 <= len(found) <= width and scores == sorted(scores, reverse=True)
    assert len({tuple(t) for t, _ in found}) == len(found)
    assert all(t[-1] == 3 or len(t) == 5 for t, _ in found)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"beam_width": 0, "max_length": 5}, "beam_width"),
        ({"beam_width": 2, "max_length": 0}, "max_length"),
        ({"beam_width": 2, "max_length": 5, "alpha": -1.0}, "alpha"),
    ],
)
def test_bad_decoding_settings_are_refused(options, message):
    toy = ToyDecoder(0)
    with pytest.raises(ValueError, match=message):
        decoding.beam_search(toy.step, (np.zeros((1, 2)),), start=0, end=3, **options)


def test_states_with_more_than_one_row_are_refused_by_greedy():
    toy = ToyDecoder(0)
    with pytest.raises(ValueError, match="1 row"):
        decoding.greedy_decode(toy.step, (np.zeros((2, 2)),), start=0, end=3, max_length=3)
