"""The course's two comparison experiments, one protocol for every chapter that runs them.

**Remember the first sign.** A trial trains a fresh model on :func:`lstm_lib.data.remember_first` and
measures it on new sequences. Chapters 1 and 2 compare layers, starts and optimisers with it, so a result that one
chapter quotes from another is the same measurement. For a given ``seed`` every trial sees the same
training batches (drawn from ``default_rng(seed)``), starts from weights drawn from
``default_rng(100 + seed)`` and is tested on the same 1000 sequences (``default_rng(1000 + seed)``).

Whether one run learns a long lag can depend on the last bits of its matrix products, which differ
between processors: chapters report counts over several seeds and assert only claims with a margin.

**Binary addition, then longer sums.** An :func:`addition_trial` trains on sums of ``train_bits`` bits
and tests on new sums of those and of longer lengths: a model that learned the carry, rather than
something that only works for 8 steps, adds 60-bit numbers as well. The generators are seeded the
same way (data ``seed``, weights ``100 + seed``, tests ``1000 + seed``).

**The embedded Reber grammar.** A :func:`reber_trial` trains a next-symbol model on streams of embedded
Reber strings (:func:`lstm_lib.data.embedded_reber_batch`) and measures the long-range rule twice: how
often it predicts the closing T or P right, by the length of the inner string, and how many of the
strings it writes itself are grammatical (:func:`lstm_lib.data.is_embedded_reber`). Same seeding.

Used by Chapters 1, 2, 3 and 6, which run these protocols.
"""

from __future__ import annotations

import copy
import multiprocessing
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np

from ._validation import integer, positive_integer
from .data import (
    REBER,
    embedded_reber_batch,
    embedded_reber_strings,
    is_embedded_reber,
    random_addition_batch,
    remember_first,
)
from .losses import sigmoid_binary_crossentropy, softmax_cross_entropy
from .optim import Adam, Optimizer
from .sequence_model import SequenceModel, next_logits, train
from .text import one_hot, sample

LEARNED = 0.95  # a run has learned the task when it labels this share of new sequences right


@dataclass(frozen=True)
class Trial:
    """One training run: its test accuracy, its loss at every step, and the trained model."""

    accuracy: float
    history: list[float]
    model: SequenceModel

    @property
    def learned(self) -> bool:
        return self.accuracy >= LEARNED


def remember_first_model(layer: str, seed: int, units: int = 16, **init_options) -> SequenceModel:
    """The untrained model of a trial: ``layer`` ("rnn" or "lstm"), then a dense read-out of h_T.

    ``init_options`` go to the layer's initialiser (``forget_bias``, ``input_bias`` for an LSTM).
    """
    seed = integer("seed", seed, minimum=0)
    return SequenceModel(
        layer, features=2, units=units, outputs=1, readout="last", rng=np.random.default_rng(100 + seed), **init_options
    )


def remember_first_trial(
    layer: str,
    length: int,
    seed: int,
    optimizer: Optimizer,
    steps: int = 400,
    batch_size: int = 32,
    clip_norm: float | None = 1.0,
    units: int = 16,
    **init_options,
) -> Trial:
    """Train :func:`remember_first_model` for ``steps`` batches of ``length``-step sequences.

    The loss is the binary cross-entropy of the sign at the first step; the gradient's global norm
    is clipped at ``clip_norm``. Returns the :class:`Trial` with its accuracy on 1000 new sequences.
    The trial trains with a copy of ``optimizer``, so that an optimiser given to several trials starts
    each one afresh instead of carrying its moments from the last.
    """
    optimizer = copy.deepcopy(optimizer)
    model = remember_first_model(layer, seed, units, **init_options)
    data_rng = np.random.default_rng(seed)
    batches = iter(lambda: remember_first(data_rng, batch_size, length), None)
    history = train(model, optimizer, batches, steps, sigmoid_binary_crossentropy, clip_norm=clip_norm)
    x, y = remember_first(np.random.default_rng(1000 + seed), 1000, length)
    accuracy = float(np.mean((model.predict(x) > 0) == (y > 0)))
    return Trial(accuracy, history, model)


def _run_trial(job: tuple) -> Trial:
    layer, length, seed, optimizer, options = job
    return remember_first_trial(layer, length, seed, optimizer, **options)


def _one_blas_thread() -> None:
    """Limit this process's BLAS (OpenBLAS, MKL) to one thread (a pool worker's initializer)."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(1, user_api="blas")


def _map(function, jobs: list, workers: int) -> list:
    """``[function(job) for job in jobs]``, in ``workers`` fresh Python processes when ``workers`` > 1."""
    workers = positive_integer("workers", workers)
    if workers == 1:
        return [function(job) for job in jobs]
    # "spawn" starts clean interpreters: a forked copy of a process that has loaded TensorFlow can hang.
    # Each worker keeps its BLAS to one thread: ``workers`` processes of two threads each on two cores
    # ran no faster than one process (the course's matrices are small), one thread each 1.5x faster.
    with ProcessPoolExecutor(
        workers, mp_context=multiprocessing.get_context("spawn"), initializer=_one_blas_thread
    ) as pool:
        return list(pool.map(function, jobs))


def remember_first_trials(
    layer: str,
    lengths: Sequence[int],
    seeds: Sequence[int],
    optimizer: Optimizer,
    workers: int = 1,
    **options,
) -> list[list[Trial]]:
    """One :func:`remember_first_trial` for every length and seed: ``trials[k][j]`` is ``lengths[k]``, ``seeds[j]``.

    Every trial gets its own copy of ``optimizer`` (a fresh state), and ``options`` are passed to each
    (``steps``, ``units``, ``forget_bias``, ...). The trials are independent, so with ``workers`` > 1 they
    run in that many fresh Python processes at once; the results are the same as with ``workers=1``, since
    each trial draws from its own seeded generators.
    """
    jobs = [(layer, n, seed, copy.deepcopy(optimizer), options) for n in lengths for seed in seeds]
    trials = _map(_run_trial, jobs, workers)
    return [trials[k * len(seeds) : (k + 1) * len(seeds)] for k in range(len(lengths))]


@dataclass(frozen=True)
class AdditionTrial:
    """One training run on binary addition: the share of new sums it gets entirely right, by length."""

    accuracy: dict[int, float]
    history: list[float]
    model: SequenceModel


def addition_trial(
    layer: str,
    seed: int,
    steps: int = 1000,
    units: int = 8,
    train_bits: int = 8,
    test_bits: Sequence[int] = (8, 60),
    batch_size: int = 32,
    learning_rate: float = 0.01,
    clip_norm: float | None = 1.0,
) -> AdditionTrial:
    """Train ``layer`` with a dense read-out at every step on random ``train_bits``-bit sums, with Adam.

    A sum counts as right when every one of its bits is; ``accuracy[bits]`` is the share of 500 new sums
    of ``bits`` bits that the model gets right (:func:`lstm_lib.data.random_addition_batch`).
    """
    seed = integer("seed", seed, minimum=0)
    model = SequenceModel(
        layer, features=2, units=units, outputs=1, readout="sequence", rng=np.random.default_rng(100 + seed)
    )
    data_rng = np.random.default_rng(seed)
    batches = iter(lambda: random_addition_batch(data_rng, batch_size, train_bits, np.float64), None)
    history = train(
        model, Adam(learning_rate=learning_rate), batches, steps, sigmoid_binary_crossentropy, clip_norm=clip_norm
    )
    test_rng = np.random.default_rng(1000 + seed)
    accuracy = {}
    for bits in test_bits:
        x, y = random_addition_batch(test_rng, 500, bits, np.float64)
        accuracy[bits] = float(np.mean(np.all((model.predict(x) > 0) == (y > 0.5), axis=(1, 2))))
    return AdditionTrial(accuracy, history, model)


def _run_addition_trial(job: tuple) -> AdditionTrial:
    layer, seed, options = job
    return addition_trial(layer, seed, **options)


def addition_trials(layer: str, seeds: Sequence[int], workers: int = 1, **options) -> list[AdditionTrial]:
    """One :func:`addition_trial` per seed, in ``workers`` processes as :func:`remember_first_trials` runs them."""
    return _map(_run_addition_trial, [(layer, seed, options) for seed in seeds], workers)


#: The bins of inner-string length (symbols between the second and the second-to-last) of :class:`ReberTrial`.
REBER_LENGTHS = ((5, 10), (10, 20), (20, 40))


@dataclass(frozen=True)
class ReberTrial:
    """One training run on the embedded Reber grammar.

    ``closing[(low, high)]`` is the share of new strings whose inner Reber string has ``low`` to
    ``high - 1`` symbols for which the model's most likely next symbol, after reading everything
    but the last two, is the right T or P; ``grammatical`` the share of strings it writes (from B,
    at temperature 1) that are whole embedded Reber strings.
    """

    closing: dict[tuple[int, int], float]
    grammatical: float
    history: list[float]
    model: SequenceModel


def _closing_right(model: SequenceModel, strings: list[str]) -> float:
    right = 0
    for string in strings:
        logits = model.predict(one_hot(REBER.encode(string[:-2])[None], REBER.size, np.float64))
        right += REBER.characters[int(np.argmax(logits[0, -1]))] == string[-2]
    return right / len(strings)


def _written_strings(model: SequenceModel, count: int, rng: np.random.Generator, length: int = 100) -> list[str]:
    """``count`` strings the model writes from B, each cut after its second E (or ``length`` symbols)."""
    drawn = sample(next_logits(model), np.zeros((count, 1), np.int64), length, 1.0, rng)
    strings = []
    for row in drawn:
        string = "B" + REBER.decode(row)
        end = string.find("E", string.find("E") + 1)
        strings.append(string if end < 0 else string[: end + 1])
    return strings


def reber_trial(
    layer: str,
    seed: int,
    units: int = 16,
    steps: int = 3000,
    batch_size: int = 32,
    time: int = 40,
    learning_rate: float = 0.01,
    clip_norm: float | None = 1.0,
    per_length: int = 200,
    written: int = 1000,
) -> ReberTrial:
    """Train ``layer`` to predict the next symbol of embedded Reber streams with Adam, then measure the rule.

    Training: ``steps`` batches of ``batch_size`` rows of ``time`` symbols, the mean cross-entropy of
    every step. Tests (from ``default_rng(1000 + seed)``): ``per_length`` new strings in each bin of
    :data:`REBER_LENGTHS` for ``ReberTrial.closing``, then ``written`` strings written by the model.
    """
    seed = integer("seed", seed, minimum=0)
    model = SequenceModel(
        layer,
        features=REBER.size,
        units=units,
        outputs=REBER.size,
        readout="sequence",
        rng=np.random.default_rng(100 + seed),
    )
    data_rng = np.random.default_rng(seed)
    batches = iter(lambda: embedded_reber_batch(data_rng, batch_size, time), None)
    history = train(
        model, Adam(learning_rate=learning_rate), batches, steps, softmax_cross_entropy, clip_norm=clip_norm
    )
    test_rng = np.random.default_rng(1000 + seed)
    pool = embedded_reber_strings(test_rng, 100 * per_length)
    closing = {}
    for low, high in REBER_LENGTHS:
        strings = [s for s in pool if low <= len(s) - 4 < high][:per_length]
        closing[(low, high)] = _closing_right(model, strings)
    strings = _written_strings(model, written, test_rng)
    grammatical = float(np.mean([is_embedded_reber(s) for s in strings]))
    return ReberTrial(closing, grammatical, history, model)


def _run_reber_trial(job: tuple) -> ReberTrial:
    layer, seed, options = job
    return reber_trial(layer, seed, **options)


def reber_trials(
    models: Sequence[tuple[str, int]], seeds: Sequence[int], workers: int = 1, **options
) -> dict[tuple[str, int], list[ReberTrial]]:
    """One :func:`reber_trial` per (layer, units) of ``models`` and seed: ``trials[layer, units][j]`` is ``seeds[j]``.

    All the runs share one pool of ``workers`` processes, as :func:`remember_first_trials` runs them, so
    no worker waits while another finishes a group; ``options`` go to every trial.
    """
    jobs = [(layer, seed, {**options, "units": units}) for layer, units in models for seed in seeds]
    trials = _map(_run_reber_trial, jobs, workers)
    return {model: trials[k * len(seeds) : (k + 1) * len(seeds)] for k, model in enumerate(models)}
