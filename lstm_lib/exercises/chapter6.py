"""The checks of Chapter 6's workbook: sampling with a temperature, bits per character, an n-gram baseline."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..text import bits_per_character, ngram_bits_per_character, softmax_with_temperature
from ._checking import Case, CheckFailed, call, compare, passed


def _softmax_cases() -> list[Case]:
    rng = np.random.default_rng(601)
    cases = [
        (rng.standard_normal(5), 1.0, "5 logits, T = 1"),
        (rng.standard_normal((3, 7)), 0.5, "3 rows of 7 logits, T = 0.5"),
        (rng.standard_normal((2, 4)), 2.5, "2 rows of 4 logits, T = 2.5"),
        (np.array([[1000.0, 0.0, -1000.0], [3.0, 3.0, 3.0]]), 0.1, "logits of 1000 at T = 0.1: exp would overflow"),
    ]
    return [
        Case({"logits": z, "temperature": t}, f"case {k + 1} of 4 ({label})") for k, (z, t, label) in enumerate(cases)
    ]


def check_softmax_with_temperature(candidate: Callable) -> None:
    """Check ``softmax_with_temperature(logits, temperature) -> probabilities``: softmax(z / T) on the last
    axis, in float64, without overflow for any finite logits (the check turns overflow warnings into errors)."""
    cases, worst = _softmax_cases(), 0.0
    for case in cases:
        z, t = case.args["logits"], case.args["temperature"]
        with np.errstate(over="raise", invalid="raise"):
            got = call(candidate, "softmax_with_temperature", Case({"logits": z.copy(), "temperature": t}, case.label))

        def plain(scaled):
            e = np.exp(scaled - scaled.max(axis=-1, keepdims=True))
            return e / e.sum(axis=-1, keepdims=True)

        mistakes = {
            "the logits were multiplied by T: they are divided, softmax(z / T).": lambda z=z, t=t: plain(z * t),
            "T was ignored: softmax(z / T) sharpens below 1 and flattens above.": lambda z=z: plain(z),
            "the probabilities were divided by T after the softmax: divide the logits before it.": lambda z=z, t=t: (
                plain(z) / t
            ),
            "the softmax normalises over the wrong axis: each row (the last axis) must add up to 1.": lambda z=z, t=t: (
                np.exp(z / t - (z / t).max()) / np.exp(z / t - (z / t).max()).sum(axis=0, keepdims=True)
            ),
        }
        worst = max(worst, compare("the probabilities", got, softmax_with_temperature(z, t), case, mistakes))
    passed("softmax_with_temperature", cases, worst)


def check_bits_per_character(candidate: Callable) -> None:
    """Check ``bits_per_character(mean_nats) -> float``: a mean cross-entropy in nats, in bits, L / ln 2."""
    values = [0.0, 1.0, np.log(80.0), 2.5]
    cases = [
        Case({"mean_nats": v}, f"case {k + 1} of {len(values)} (mean_nats = {v:.4g})") for k, v in enumerate(values)
    ]
    worst = 0.0
    for case in cases:
        v = case.args["mean_nats"]
        got = call(candidate, "bits_per_character", case)
        if isinstance(got, np.ndarray) and got.size == 1:
            got = got.item()
        if not isinstance(got, int | float | np.floating):
            raise CheckFailed(f"bits_per_character should return a number; on {case.label} it returned {got!r}.")
        mistakes = {
            "this is L * ln 2: bits are L / ln 2 (a nat is 1.44 bits).": lambda v=v: np.float64(v * np.log(2)),
            "this is log2(L): L is already a logarithm, in base e; divide it by ln 2.": lambda v=v: np.float64(
                np.log2(v)
            ),
            "this is L / log10(2) or L / ln 10: the conversion from nats to bits divides by ln 2.": lambda v=v: (
                np.float64(v / np.log10(2))
            ),
        }
        worst = max(worst, compare("the bits", np.float64(got), np.float64(bits_per_character(v)), case, mistakes))
    passed("bits_per_character", cases, worst)


def _ngram_cases() -> list[Case]:
    rng = np.random.default_rng(603)
    text = rng.integers(0, 5, 400)
    text[::7] = 2  # some structure for the counts to find
    specs = [(1, 1.0), (2, 1.0), (3, 0.5), (2, 2.0)]
    return [
        Case(
            {"train_ids": text[:300], "test_ids": text[300:], "size": 5, "order": order, "smoothing": k},
            f"case {n + 1} of {len(specs)} (order {order}, smoothing {k})",
        )
        for n, (order, k) in enumerate(specs)
    ]


def _ngram_by_hand(a: dict, denominator: str = "k size", log: Callable = np.log2, context: int = 0) -> float:
    order = a["order"] + context
    train, test, size, k = a["train_ids"], a["test_ids"], a["size"], a["smoothing"]
    grams = {}
    contexts = {}
    for j in range(len(train) - order + 1):
        gram = tuple(train[j : j + order])
        grams[gram] = grams.get(gram, 0) + 1
        contexts[gram[:-1]] = contexts.get(gram[:-1], 0) + 1
    scores = []
    for j in range(len(test) - order + 1):
        gram = tuple(test[j : j + order])
        extra = {"k size": k * size, "k": k, "none": 0.0}[denominator]
        scores.append(-log((grams.get(gram, 0) + k) / (contexts.get(gram[:-1], 0) + extra)))
    return float(np.mean(scores))


def check_ngram_bits_per_character(candidate: Callable) -> None:
    """Check ``ngram_bits_per_character(train_ids, test_ids, size, order=2, smoothing=1.0) -> float``.

    The counting model p(c | context) = (count(context, c) + k) / (count(context) + k size), from the
    n-grams (n = ``order``) of ``train_ids``, scored on every test character from the n-th on: the mean of
    -log2 p.
    """
    cases, worst = _ngram_cases(), 0.0
    for case in cases:
        a = case.args
        got = call(
            candidate,
            "ngram_bits_per_character",
            Case({k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in a.items()}, case.label),
        )
        if isinstance(got, np.ndarray) and got.size == 1:
            got = got.item()
        if not isinstance(got, int | float | np.floating):
            raise CheckFailed(f"ngram_bits_per_character should return a number; on {case.label} it returned {got!r}.")
        mistakes = {
            "the smoothing adds k to the denominator: it adds k for every character, k * size, so that p sums to 1.": (
                lambda a=a: np.float64(_ngram_by_hand(a, denominator="k"))
            ),
            "the loss is in nats (natural logarithm): bits take log2.": lambda a=a: np.float64(
                _ngram_by_hand(a, log=np.log)
            ),
            "the context is one character too long: an n-gram model reads the n - 1 characters before.": lambda a=a: (
                np.float64(_ngram_by_hand(a, context=1))
            ),
        }
        worst = max(
            worst,
            compare(
                "the bits per character", np.float64(got), np.float64(ngram_bits_per_character(**a)), case, mistakes
            ),
        )
    passed("ngram_bits_per_character", cases, worst)
