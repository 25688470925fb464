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

from ._validation import check_ids, positive_integer

Text = TypeVar("Text", str, np.ndarray)


def contiguous_split(text: Text, validation: float = 0.05, test: float = 0.05) -> tuple[Text, Text, Text]:
    """A text (or its ids) cut in three consecutive parts, never shuffled: training, validation, test.

    The last ``test`` share is the test part, the ``validation`` share before it the validation part,
    the rest the training part: with n = len(text) the cuts are at round(n (1 - validation - test)) and
    round(n (1 - test)). Returns ``(train, validation, test)``, slices of the input.
    """
    if not (validation > 0 and test > 0 and validation + test < 1):
        raise ValueError(
            f"Expected validation > 0, test > 0 and validation + test < 1. "
            f"Received: validation={validation}, test={test}."
        )
    n = len(text)
    first, second = round(n * (1 - validation - test)), round(n * (1 - test))
    return text[:first], text[first:second], text[second:]


def holdout_per_class(labels: np.ndarray, per_class: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Split indices into training and validation, with ``per_class`` of each class in validation.

    The validation set keeps the classes balanced, and each class keeps the rest for training.
    Returns ``(train_index, validation_index)``, both sorted, disjoint, together every index.
    """
    labels = check_ids("labels", labels)
    per_class = positive_integer("per_class", per_class)
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
