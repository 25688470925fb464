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
"""

from __future__ import annotations

import copy
import multiprocessing
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np

from .data import random_addition_batch, remember_first
from .losses import sigmoid_binary_crossentropy
from .optim import Adam, Optimizer
from .sequence_model import SequenceModel, train

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
    return SequenceModel(layer, features=2, units=units, outputs=1, readout="last",
                         rng=np.random.default_rng(100 + seed), **init_options)


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
    """
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


def _map(function, jobs: list, workers: int) -> list:
    """``[function(job) for job in jobs]``, in ``workers`` fresh Python processes when ``workers`` > 1."""
    if workers < 1:
        raise ValueError(f"Expected workers >= 1. Received: workers={workers}.")
    if workers == 1:
        return [function(job) for job in jobs]
    # "spawn" starts clean interpreters: a forked copy of a process that has loaded TensorFlow can hang.
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
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
    model = SequenceModel(layer, features=2, units=units, outputs=1, readout="sequence",
                          rng=np.random.default_rng(100 + seed))
    data_rng = np.random.default_rng(seed)
    batches = iter(lambda: random_addition_batch(data_rng, batch_size, train_bits, np.float64), None)
    history = train(model, Adam(learning_rate=learning_rate), batches, steps, sigmoid_binary_crossentropy,
                    clip_norm=clip_norm)
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
