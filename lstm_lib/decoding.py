"""Writing an output sequence one token at a time: greedy decoding and beam search.

A trained decoder is seen through one function, ``step(tokens, states) -> (log_probs, states)``:

- ``tokens``, an int array (k,), the last token of each of k hypotheses (the start token at first);
- ``states``, a tuple of arrays whose first axis has k rows, one per hypothesis (an LSTM's h and c,
  and whatever else the decoder carries, such as the encoder's outputs for attention);
- ``log_probs`` (k, vocabulary), each row the log-probabilities of the next token.

**Greedy decoding** takes the most likely token at every step. It can go wrong early and never recover:
a token that is likely now may lead only to unlikely continuations. **Beam search** keeps the
``beam_width`` best hypotheses at every step instead of one: it extends every open hypothesis by every
token, scores the extensions, and keeps the best ``beam_width`` of them and of the hypotheses that have
already finished. The score of a hypothesis of tokens y_1 ... y_n is

    score = (log p(y_1) + ... + log p(y_n)) / n ** alpha

(alpha = 0: the plain log-probability of the whole output, which favours short outputs; alpha near 1
averages over the tokens). A finished hypothesis (its last token ``end``) is not extended; the search
stops when every kept hypothesis is finished, or at ``max_length`` tokens, returning the open ones as
they are. The states follow their hypotheses: when the beam is reordered, row i of every state array
moves with hypothesis i. Width 1 is greedy decoding.

Beam search finds outputs that the model scores higher than greedy's, not necessarily better ones: a
model can score a wrong output above the right one. NumPy only; a model comes in through ``step``.

Taught in Chapter 8, "Sequence to sequence".
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._validation import ArgumentTypeError, integer, positive_integer, real_number

States = tuple[np.ndarray, ...]
Step = Callable[[np.ndarray, States], tuple[np.ndarray, States]]


def _check_states(states: States, rows: int) -> States:
    if not isinstance(states, tuple) or not all(isinstance(s, np.ndarray) for s in states):
        raise ArgumentTypeError(f"Expected states as a tuple of NumPy arrays. Received: {type(states).__name__}.")
    for k, s in enumerate(states):
        if s.ndim < 1 or s.shape[0] != rows:
            raise ValueError(f"Expected states[{k}] with {rows} row(s) on its first axis. Received: shape {s.shape}.")
    return states


def _call(step: Step, tokens: np.ndarray, states: States) -> tuple[np.ndarray, States]:
    """One step, its output checked: log-probabilities (k, vocabulary) and states with k rows."""
    log_probs, new_states = step(tokens, states)
    log_probs = np.asarray(log_probs, dtype=np.float64)
    if log_probs.ndim != 2 or log_probs.shape[0] != len(tokens) or log_probs.shape[1] < 1:
        raise ValueError(
            f"Expected step to return log_probs of shape ({len(tokens)}, vocabulary). "
            f"Received: log_probs.shape={log_probs.shape}."
        )
    if np.isnan(log_probs).any() or (log_probs > 1e-6).any():
        raise ValueError(
            "Expected step to return log-probabilities (<= 0, no NaN). Received: a NaN or a positive value."
        )
    return log_probs, _check_states(tuple(new_states), len(tokens))


def _token(name: str, value: object) -> int:
    return integer(name, value, minimum=0)


def greedy_decode(step: Step, states: States, *, start: int, end: int, max_length: int) -> list[int]:
    """The most likely token at every step: the tokens after ``start``, up to and including ``end`` if it comes
    within ``max_length`` tokens. ``states`` have one row (first axis 1)."""
    start, end = _token("start", start), _token("end", end)
    max_length = positive_integer("max_length", max_length)
    states = _check_states(states, 1)
    tokens: list[int] = []
    last = start
    for _ in range(max_length):
        log_probs, states = _call(step, np.array([last], np.int64), states)
        last = int(np.argmax(log_probs[0]))
        tokens.append(last)
        if last == end:
            break
    return tokens


def _score(log_prob: float, length: int, alpha: float) -> float:
    return log_prob / length**alpha if length else 0.0


def beam_search(
    step: Step,
    states: States,
    *,
    start: int,
    end: int,
    beam_width: int,
    max_length: int,
    alpha: float = 0.0,
) -> list[tuple[list[int], float]]:
    """At most ``beam_width`` hypotheses, best first, each (its tokens after ``start``, its score).

    ``states`` have one row (first axis 1). The score is the sum of the tokens' log-probabilities divided
    by ``len(tokens) ** alpha``. A hypothesis that ends with ``end`` is finished and not extended; those
    still open after ``max_length`` tokens are returned as they are. Ties go to the hypothesis found first.

    Example, a model whose next token depends on the last one only (tokens: 1 start, 2 end, 3 and 4),
    where the likelier first token leads to the less likely whole output:

        >>> import numpy as np
        >>> table = np.log([
        ...     [0.2, 0.2, 0.2, 0.2, 0.2],       # after 0 (never read here)
        ...     [0.01, 0.01, 0.01, 0.55, 0.42],  # after start: 3 is likelier than 4
        ...     [0.2, 0.2, 0.2, 0.2, 0.2],       # after end (never read)
        ...     [0.01, 0.01, 0.5, 0.08, 0.4],    # after 3: the end only half the time
        ...     [0.01, 0.01, 0.96, 0.01, 0.01],  # after 4: almost surely the end
        ... ])
        >>> def step(tokens, states):
        ...     return table[tokens], (np.zeros((len(tokens), 1)),)
        >>> greedy_decode(step, (np.zeros((1, 1)),), start=1, end=2, max_length=5)
        [3, 2]
        >>> found = beam_search(step, (np.zeros((1, 1)),), start=1, end=2, beam_width=2, max_length=5)
        >>> [(tokens, round(score, 3)) for tokens, score in found]  # log(0.42 * 0.96), log(0.55 * 0.5)
        [([4, 2], -0.908), ([3, 2], -1.291)]
    """
    start, end = _token("start", start), _token("end", end)
    beam_width = positive_integer("beam_width", beam_width)
    max_length = positive_integer("max_length", max_length)
    alpha = real_number("alpha", alpha, low=0.0)
    states = _check_states(states, 1)
    finished: list[tuple[list[int], float]] = []  # (tokens, summed log-probability)
    open_: list[tuple[list[int], float]] = [([], 0.0)]
    last = np.array([start], np.int64)
    for _ in range(max_length):
        log_probs, new_states = _call(step, last, states)
        candidates = [(tokens, total, None, None) for tokens, total in finished]  # kept as they are
        for row, (tokens, total) in enumerate(open_):
            for token in np.argsort(-log_probs[row], kind="stable")[:beam_width].tolist():
                candidates.append((tokens + [token], total + float(log_probs[row, token]), row, token))
        order = sorted(
            range(len(candidates)),
            key=lambda i: -_score(candidates[i][1], len(candidates[i][0]), alpha),
        )  # sorted() is stable: equal scores keep the order they were found in
        kept = [candidates[i] for i in order[:beam_width]]
        finished = [(t, s) for t, s, row, token in kept if row is None or token == end]
        extended = [(t, s, row) for t, s, row, token in kept if row is not None and token != end]
        if not extended:
            open_ = []
            break
        open_ = [(t, s) for t, s, _ in extended]
        rows = np.array([row for _, _, row in extended])
        states = tuple(s[rows] for s in new_states)
        last = np.array([t[-1] for t, _ in open_], np.int64)
    hypotheses = [(t, _score(s, len(t), alpha)) for t, s in finished + open_]
    return sorted(hypotheses, key=lambda h: -h[1])[:beam_width]


def greedy_decode_batch(step: Step, states: States, *, start: int, end: int, max_length: int) -> list[list[int]]:
    """:func:`greedy_decode` for k inputs at once (states with k rows): each row's tokens, up to and
    including its first ``end``. The rows that have finished keep being stepped (their tokens are ignored),
    so that every call has the same k rows; the loop stops when all have finished."""
    start, end = _token("start", start), _token("end", end)
    max_length = positive_integer("max_length", max_length)
    if not isinstance(states, tuple) or not states or not all(isinstance(s, np.ndarray) for s in states):
        raise ArgumentTypeError(f"Expected states as a tuple of NumPy arrays. Received: {type(states).__name__}.")
    rows = states[0].shape[0] if states[0].ndim else 0
    states = _check_states(states, rows)
    tokens = [[] for _ in range(rows)]
    done = np.zeros(rows, bool)
    last = np.full(rows, start, np.int64)
    for _ in range(max_length):
        log_probs, states = _call(step, last, states)
        last = np.argmax(log_probs, axis=1).astype(np.int64)
        for row in np.flatnonzero(~done).tolist():
            tokens[row].append(int(last[row]))
        done |= last == end
        if done.all():
            break
    return tokens
