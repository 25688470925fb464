"""The task generators: encodings round-trip, splits are disjoint, tasks are what they say."""

import numpy as np
import pytest

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
