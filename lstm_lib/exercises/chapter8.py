"""The checks of Chapter 8's workbook: the masked sequence loss, greedy decoding and beam search."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..decoding import beam_search, greedy_decode
from ..losses import masked_sequence_cross_entropy
from ._checking import Case, CheckFailed, call, compare, numerical_gradient, passed, relative_error

LOSS_SHAPES = [(1, 3, 4), (2, 5, 6), (3, 4, 5)]


def _loss_cases() -> list[Case]:
    rng = np.random.default_rng(801)
    cases = []
    for k, (batch, time, classes) in enumerate(LOSS_SHAPES):
        lengths = rng.integers(1, time + 1, size=batch)
        lengths[0] = time  # one sequence without padding
        mask = np.arange(time) < lengths[:, None]
        logits = 2.0 * rng.standard_normal((batch, time, classes))
        if k == 2:
            logits[0, 0, 1] = 1000.0  # exp(1000) overflows: shift by the largest logit first
        targets = rng.integers(0, classes, (batch, time))
        label = f"case {k + 1} of {len(LOSS_SHAPES)} (batch {batch}, {time} steps, {classes} classes"
        label += ", a logit of 1000)" if k == 2 else ")"
        cases.append(Case({"logits": logits, "targets": targets, "mask": mask}, label))
    return cases


def _loss_mistakes(z: np.ndarray, y: np.ndarray, m: np.ndarray) -> tuple[dict, dict]:
    """The loss and the gradient that common mistakes give on one case, by the mistake's name."""
    shifted = z - z.max(axis=-1, keepdims=True)
    every = np.log(np.exp(shifted).sum(axis=-1)) - np.take_along_axis(shifted, y[..., None], axis=-1)[..., 0]
    probabilities = np.exp(shifted) / np.exp(shifted).sum(axis=-1, keepdims=True)
    one_hot = np.arange(z.shape[-1]) == y[..., None]
    losses = {
        "the padding was averaged in: divide by the number of True entries of mask, not by every position.": (
            lambda: np.where(m, every, 0.0).sum() / m.size
        ),
        "the padding's losses were included: only the positions where mask is True count.": lambda: every.mean(),
        "each sequence was averaged first, then the sequences: average over all real symbols at once.": (
            lambda: np.mean([every[n][m[n]].mean() for n in range(len(m))])
        ),
        "the sum was returned, not the mean.": lambda: np.where(m, every, 0.0).sum(),
    }
    gradients = {
        "the gradient is not zero at the padding: multiply it by the mask.": lambda: (
            (probabilities - one_hot) / m.sum()
        ),
        "the gradient was divided by every position, not by the number of real symbols.": (
            lambda: np.where(m[..., None], probabilities - one_hot, 0.0) / m.size
        ),
        "the gradient has the wrong sign: it is softmax(z) - onehot(y), what the model guessed minus what came.": (
            lambda: np.where(m[..., None], one_hot - probabilities, 0.0) / m.sum()
        ),
    }
    return losses, gradients


def check_masked_sequence_cross_entropy(candidate: Callable) -> None:
    """Check ``masked_sequence_cross_entropy(logits, targets, mask) -> (loss, d_logits)``.

    logits (batch, time, classes), targets (batch, time) ints, mask (batch, time) booleans. The loss is the
    mean of -log softmax(z)[y] over the positions where ``mask`` is True only; d_logits (batch, time,
    classes) is its gradient, (softmax(z) - onehot(y)) / M at those positions and 0 at the padding. The
    gradient is also compared with finite differences of your own loss.
    """
    cases, worst = _loss_cases(), 0.0
    for case in cases:
        z, y, m = case.args["logits"], case.args["targets"], case.args["mask"]
        with np.errstate(over="raise", invalid="raise"):
            got = call(
                candidate,
                "masked_sequence_cross_entropy",
                Case({"logits": z.copy(), "targets": y.copy(), "mask": m.copy()}, case.label),
            )
        if not isinstance(got, tuple) or len(got) != 2:
            raise CheckFailed(
                "Expected masked_sequence_cross_entropy to return (loss, d_logits); "
                f"on {case.label} it returned {type(got).__name__}."
            )
        loss, gradient = got
        expected_loss, expected_gradient = masked_sequence_cross_entropy(z, y, m)
        loss_mistakes, gradient_mistakes = _loss_mistakes(z, y, m)
        loss = np.float64(loss) if np.isscalar(loss) else loss
        worst = max(worst, compare("loss", loss, np.float64(expected_loss), case, loss_mistakes))
        worst = max(worst, compare("d_logits", gradient, expected_gradient, case, gradient_mistakes))
    # the two halves agree: the learner's gradient against finite differences of the learner's loss
    case = cases[1]
    z, y, m = (case.args[k].copy() for k in ("logits", "targets", "mask"))
    numeric = numerical_gradient(lambda: float(candidate(z, y, m)[0]), z)
    _, analytic = candidate(z.copy(), y, m)
    if relative_error(np.asarray(analytic, np.float64), numeric) > 1e-6:
        raise CheckFailed("Your d_logits disagrees with finite differences of your own loss on case 2.")
    passed("masked_sequence_cross_entropy", cases, worst, "; the gradient agrees with finite differences of your loss")


class _Decoder:
    """A small random recurrent decoder with two state arrays, for the decoding checks: vocabulary 5, end 4."""

    def __init__(self, seed: int, sharpness: float):
        rng = np.random.default_rng(seed)
        self.embed, self.recurrent = rng.standard_normal((5, 3)), rng.standard_normal((3, 3))
        self.readout = sharpness * rng.standard_normal((3, 5))
        self.calls = 0

    def step(self, tokens, states):
        self.calls += 1
        tokens = np.asarray(tokens)
        if tokens.ndim != 1 or tokens.dtype.kind not in "iu":
            raise CheckFailed(f"step was called with tokens {tokens!r}: an int array (k,), one token per hypothesis.")
        h, count = states
        h = np.tanh(self.embed[tokens] + h @ self.recurrent)
        logits = h @ self.readout + 0.3 * count
        return logits - np.log(np.exp(logits).sum(axis=1, keepdims=True)), (h, count + 1.0)

    @staticmethod
    def start(seed: int) -> tuple[np.ndarray, np.ndarray]:
        return np.random.default_rng(seed).standard_normal((1, 3)), np.zeros((1, 1))


DECODING_CASES = [(831, 1.0, 8), (826, 2.5, 6), (833, 0.5, 8), (814, 3.0, 7)]  # seed, sharpness, max_length


def _tokens(name: str, value: object, case_label: str) -> list[int]:
    if not isinstance(value, list) or not all(isinstance(t, int | np.integer) for t in value):
        raise CheckFailed(f"Expected {name} as a list of ints on {case_label}. Received: {value!r:.80}.")
    return [int(t) for t in value]


def check_greedy_decode(candidate: Callable) -> None:
    """Check ``greedy_decode(step, states, *, start, end, max_length) -> list[int]``.

    At every step, call ``step(tokens, states)`` with the last token (the start token at first) as an int
    array of one entry and the states it returned last time; take the most likely token. Return the
    tokens after the start, up to and including ``end`` if it comes within ``max_length`` tokens.
    """
    cases = []
    for k, (seed, sharpness, length) in enumerate(DECODING_CASES):
        cases.append(
            Case(
                {"seed": seed, "sharpness": sharpness, "max_length": length},
                f"case {k + 1} of {len(DECODING_CASES)} (max_length {length})",
            )
        )
    for case in cases:
        a = case.args
        decoder = _Decoder(a["seed"], a["sharpness"])
        expected = greedy_decode(decoder.step, decoder.start(a["seed"]), start=0, end=4, max_length=a["max_length"])
        decoder.calls = 0
        got = call(
            candidate,
            "greedy_decode",
            case,
            decoder.step,
            decoder.start(a["seed"]),
            start=0,
            end=4,
            max_length=a["max_length"],
        )
        got = _tokens("the tokens", got, case.label)
        if got == expected:
            continue
        if got and got[0] == 0 and got[1:] == expected:
            raise CheckFailed(
                f"Wrong tokens on {case.label}: the start token was included; return the tokens after it."
            )
        if expected[-1] == 4 and got == expected[:-1]:
            raise CheckFailed(f"Wrong tokens on {case.label}: the end token is missing; include it when it comes.")
        if len(got) > len(expected) and got[: len(expected)] == expected:
            raise CheckFailed(
                f"Wrong tokens on {case.label}: decoding went on after the end token (or past max_length)."
            )
        first = next((t for t, (g, e) in enumerate(zip(got, expected)) if g != e), min(len(got), len(expected)))
        if first > 0:
            raise CheckFailed(
                f"Wrong tokens on {case.label}: the first is right, the one at position {first} is not (0 is the first "
                "after start). Pass each step the states the previous step returned, and the token it chose."
            )
        raise CheckFailed(
            f"Wrong tokens on {case.label}: the first token is wrong; take the most likely one, the argmax."
        )
    passed("greedy_decode", cases, 0.0, " (the same tokens)")


def check_beam_search(candidate: Callable) -> None:
    """Check ``beam_search(step, states, *, start, end, beam_width, max_length, alpha=0.0)``.

    It returns at most ``beam_width`` hypotheses ``(tokens, score)``, best first: the tokens after the
    start (ending with ``end`` when finished; a finished hypothesis is not extended; those still open at
    ``max_length`` are returned as they are), the score the sum of the tokens' log-probabilities divided by
    ``len(tokens) ** alpha``. The states must follow their hypotheses when the beam is reordered.
    """
    specs = [
        (seed, sharpness, length, width, alpha)
        for (seed, sharpness, length), (width, alpha) in zip(DECODING_CASES, [(1, 0.0), (3, 0.0), (2, 0.7), (4, 1.0)])
    ]
    cases = [
        Case(
            {"spec": spec},
            f"case {k + 1} of {len(specs)} (beam_width {spec[3]}, max_length {spec[2]}, alpha {spec[4]})",
        )
        for k, spec in enumerate(specs)
    ]
    worst = 0.0
    for case in cases:
        seed, sharpness, length, width, alpha = case.args["spec"]
        decoder = _Decoder(seed, sharpness)
        options = {"start": 0, "end": 4, "beam_width": width, "max_length": length, "alpha": alpha}
        expected = beam_search(decoder.step, decoder.start(seed), **options)
        got = call(candidate, "beam_search", case, decoder.step, decoder.start(seed), **options)
        if not isinstance(got, list) or not all(isinstance(h, tuple) and len(h) == 2 for h in got):
            raise CheckFailed(f"Expected a list of (tokens, score) pairs on {case.label}. Received: {got!r:.80}.")
        if len(got) != len(expected):
            raise CheckFailed(
                f"Wrong number of hypotheses on {case.label}: {len(got)}; there should be {len(expected)}."
            )
        for rank, ((tokens, score), (want, want_score)) in enumerate(zip(got, expected)):
            tokens = _tokens(f"the tokens of hypothesis {rank}", tokens, case.label)
            if tokens != want:
                if 4 in tokens[:-1]:
                    raise CheckFailed(
                        f"Hypothesis {rank} on {case.label} goes on after the end token: "
                        "a finished hypothesis is not extended."
                    )
                raise CheckFailed(
                    f"Wrong hypothesis {rank} on {case.label} (0 is the best). Check that each kept hypothesis "
                    "takes its own row of the states, that finished ones compete with open ones, and the order."
                )
            unnormalised = want_score * len(tokens) ** alpha
            if alpha and len(tokens) > 1 and not np.isclose(score, want_score) and np.isclose(score, unnormalised):
                raise CheckFailed(
                    f"Wrong score of hypothesis {rank} on {case.label}: "
                    "divide the summed log-probability by len(tokens) ** alpha."
                )
            worst = max(worst, compare(f"score of hypothesis {rank}", np.float64(score), np.float64(want_score), case))
    passed("beam_search", cases, worst, "; the same hypotheses in the same order")
