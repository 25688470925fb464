"""Splits that leak nothing: a text or series cut by time, a held-out set per class."""

import numpy as np
import pytest

from lstm_lib.splits import contiguous_split, holdout_per_class


def test_contiguous_split():
    train, validation, test = contiguous_split("abcdefghij", validation=0.1, test=0.2)
    assert (train, validation, test) == ("abcdefg", "h", "ij")
    parts = contiguous_split(np.arange(1000))
    assert [len(part) for part in parts] == [900, 50, 50]
    np.testing.assert_array_equal(np.concatenate(parts), np.arange(1000))
    for bad in [{"validation": 0.0}, {"test": -0.1}, {"validation": 0.5, "test": 0.5}]:
        with pytest.raises(ValueError, match=r"Expected validation > 0, test > 0 and validation \+ test < 1"):
            contiguous_split("abc", **bad)


def test_holdout_per_class_is_balanced_and_disjoint(rng):
    labels = np.repeat(np.arange(3), [5, 7, 9])
    train, validation = holdout_per_class(labels, 2, rng)
    np.testing.assert_array_equal(np.bincount(labels[validation]), [2, 2, 2])
    assert not set(train) & set(validation) and len(train) + len(validation) == len(labels)
    with pytest.raises(ValueError, match="more than per_class=5 members of class 0"):
        holdout_per_class(labels, 5, rng)
