"""Splitting data for training, validation and testing without a leak: by time, and per class.

A sequence that goes on in time (a text, a measured series) is cut into consecutive parts, never
shuffled (:func:`contiguous_split`): the model is tested on what comes after everything it trained
on, as it will be used. A set of labelled sequences keeps each class in the validation part
(:func:`holdout_per_class`).

Taught in Chapter 6 (the text) and Chapter 7 (the sunspots and the vowels).
"""

from __future__ import annotations

from typing import TypeVar

import numpy as np

from ._validation import check_ids, generator, positive_integer, real_number

Text = TypeVar("Text", str, np.ndarray)


def contiguous_split(text: Text, validation: float = 0.05, test: float = 0.05) -> tuple[Text, Text, Text]:
    """A text (or its ids) cut in three consecutive parts, never shuffled: training, validation, test.

    The last ``test`` share is the test part, the ``validation`` share before it the validation part,
    the rest the training part: with n = len(text) the cuts are at round(n (1 - validation - test)) and
    round(n (1 - test)). Returns ``(train, validation, test)``, slices of the input (views of an array:
    copy one before writing into it). Every part must hold at least one element.
    """
    validation, test = real_number("validation", validation), real_number("test", test)
    if not (validation > 0 and test > 0 and validation + test < 1):
        raise ValueError(
            f"Expected validation > 0, test > 0 and validation + test < 1. "
            f"Received: validation={validation}, test={test}."
        )
    if not isinstance(text, str | np.ndarray) or (isinstance(text, np.ndarray) and text.ndim < 1):
        raise ValueError(f"Expected text as a str or an array along time. Received: {type(text).__name__}.")
    n = len(text)
    first, second = round(n * (1 - validation - test)), round(n * (1 - test))
    if not 0 < first < second < n:
        raise ValueError(
            f"Expected a text long enough that each part holds at least one element. Received: len(text)={n}, "
            f"which gives parts of {first}, {second - first} and {n - second}."
        )
    return text[:first], text[first:second], text[second:]


def holdout_per_class(labels: np.ndarray, per_class: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Split indices into training and validation, with ``per_class`` of each class in validation.

    The validation set keeps the classes balanced, and each class keeps the rest for training.
    Returns ``(train_index, validation_index)``, both sorted, disjoint, together every index.
    """
    labels = check_ids("labels", labels)
    per_class = positive_integer("per_class", per_class)
    rng = generator("rng", rng)
    if labels.ndim != 1:
        raise ValueError(f"Expected labels of shape (n,). Received: labels.shape={labels.shape}.")
    held = []
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        if len(members) <= per_class:
            raise ValueError(
                f"Expected more than per_class={per_class} members of class {label}. Received: {len(members)}."
            )
        held.append(rng.choice(members, per_class, replace=False))
    validation = np.sort(np.concatenate(held))
    return np.setdiff1d(np.arange(len(labels)), validation), validation
