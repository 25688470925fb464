"""The remember-the-first-sign protocol that Chapters 1 and 2 share."""

import numpy as np
import pytest

from lstm_lib.data import remember_first
from lstm_lib.experiments import LEARNED, Trial, remember_first_model, remember_first_trial, remember_first_trials
from lstm_lib.losses import sigmoid_binary_crossentropy
from lstm_lib.optim import SGD, Adam


def test_a_trial_is_reproducible_and_counts_new_sequences():
    first = remember_first_trial("rnn", 5, seed=3, optimizer=Adam(0.01), steps=20)
    again = remember_first_trial("rnn", 5, seed=3, optimizer=Adam(0.01), steps=20)
    assert first.history == again.history and first.accuracy == again.accuracy
    assert len(first.history) == 20
    x, y = remember_first(np.random.default_rng(1003), 1000, 5)
    assert first.accuracy == np.mean((first.model.predict(x) > 0) == (y > 0))


def test_every_setup_of_a_seed_sees_the_same_batches():
    # The same data for two different layers: their first losses are both computed on batch 1 of seed 0,
    # and the untrained model of a trial is the one remember_first_model builds.
    trial = remember_first_trial("lstm", 4, seed=0, optimizer=SGD(0.1), steps=1, forget_bias=5.0)
    model = remember_first_model("lstm", 0, forget_bias=5.0)
    x, y = remember_first(np.random.default_rng(0), 32, 4)
    assert trial.history[0] == sigmoid_binary_crossentropy(model.predict(x), y)[0]


def test_a_short_lag_is_learned():
    trial = remember_first_trial("lstm", 5, seed=0, optimizer=Adam(0.01), steps=300)
    assert trial.learned and trial.accuracy >= LEARNED


def test_learned_is_the_threshold():
    assert Trial(LEARNED, [], None).learned and not Trial(LEARNED - 1e-9, [], None).learned


def test_trials_in_worker_processes_equal_trials_in_this_one():
    here = remember_first_trials("rnn", [3, 5], [0, 1, 2], Adam(0.01), steps=15)
    there = remember_first_trials("rnn", [3, 5], [0, 1, 2], Adam(0.01), workers=2, steps=15)
    assert [[t.accuracy for t in row] for row in here] == [[t.accuracy for t in row] for row in there]
    assert [[t.history for t in row] for row in here] == [[t.history for t in row] for row in there]
    single = remember_first_trial("rnn", 5, 2, Adam(0.01), steps=15)
    assert here[1][2].history == single.history, "each trial starts from a fresh optimiser"


def test_trials_check_the_number_of_workers():
    with pytest.raises(ValueError, match="Expected workers to be a positive integer. Received: workers=0."):
        remember_first_trials("rnn", [3], [0], Adam(0.01), workers=0)


def test_an_addition_trial_is_reproducible_and_tests_every_length():
    from lstm_lib.data import random_addition_batch
    from lstm_lib.experiments import addition_trial, addition_trials

    trial = addition_trial("gru", seed=2, steps=30, test_bits=(4, 12))
    (again,) = addition_trials("gru", [2], steps=30, test_bits=(4, 12))
    assert trial.history == again.history and trial.accuracy == again.accuracy
    assert set(trial.accuracy) == {4, 12} and len(trial.history) == 30
    test_rng = np.random.default_rng(1002)
    for bits in (4, 12):  # the test sums are drawn in the order of test_bits
        x, y = random_addition_batch(test_rng, 500, bits, np.float64)
        assert trial.accuracy[bits] == np.mean(np.all((trial.model.predict(x) > 0) == (y > 0.5), axis=(1, 2)))


def test_addition_is_learned_by_an_lstm_and_generalises_to_longer_sums():
    from lstm_lib.experiments import addition_trial

    trial = addition_trial("lstm", seed=0)
    assert trial.accuracy[8] >= 0.99 and trial.accuracy[60] > 0.5, trial.accuracy


def test_a_reber_trial_is_reproducible_and_measures_what_it_says():
    from lstm_lib.data import REBER, embedded_reber_strings
    from lstm_lib.experiments import REBER_LENGTHS, _closing_right, reber_trial

    first = reber_trial("rnn", seed=2, units=6, steps=30, per_length=20, written=50)
    again = reber_trial("rnn", seed=2, units=6, steps=30, per_length=20, written=50)
    assert first.history == again.history and first.closing == again.closing
    assert first.grammatical == again.grammatical and len(first.history) == 30
    assert set(first.closing) == set(REBER_LENGTHS)
    assert all(share in {k / 20 for k in range(21)} for share in first.closing.values())
    # The closing share is the model's argmax after all but the last two symbols, on the test strings.
    pool = embedded_reber_strings(np.random.default_rng(1002), 100 * 20)
    short = [s for s in pool if 5 <= len(s) - 4 < 10][:20]
    assert len(short) == 20 and first.closing[(5, 10)] == _closing_right(first.model, short)
    assert REBER.characters[0] == "B"


def test_the_reber_rule_is_learned_by_an_lstm_and_not_by_a_tiny_rnn():
    from lstm_lib.experiments import reber_trials

    trials = reber_trials([("lstm", 16), ("rnn", 4)], seeds=[0], workers=2, steps=2000, per_length=100, written=300)
    lstm, rnn = trials["lstm", 16][0], trials["rnn", 4][0]
    assert lstm.grammatical >= 0.97 and min(lstm.closing.values()) >= 0.97
    assert rnn.grammatical < 0.75 and max(rnn.closing.values()) < 0.8


def test_reber_trials_in_worker_processes_equal_trials_in_this_one():
    from lstm_lib.experiments import reber_trials

    options = {"steps": 20, "per_length": 10, "written": 20}
    pooled = reber_trials([("lstm", 3), ("rnn", 3)], seeds=[0, 1], workers=2, **options)
    here = reber_trials([("lstm", 3), ("rnn", 3)], seeds=[0, 1], workers=1, **options)
    assert list(pooled) == [("lstm", 3), ("rnn", 3)]
    for model in pooled:
        assert [t.history for t in pooled[model]] == [t.history for t in here[model]]
        assert [t.grammatical for t in pooled[model]] == [t.grammatical for t in here[model]]
