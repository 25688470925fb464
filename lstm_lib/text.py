"""Characters as ids, batches of a text, the measures of a language model, an n-gram baseline, sampling.

A character-level language model reads the ids x_1 ... x_T of a text and at every step t gives
logits z_t over the ``size`` characters of its :class:`Vocabulary`; p_t = softmax(z_t) is its guess at
x_{t+1}. Its loss is the mean cross-entropy in nats, L = -(1/T) sum_t log p_t[x_{t+1}]
(:func:`lstm_lib.losses.softmax_cross_entropy`). In bits, L / ln 2, it is the number of bits per
character a coder built on the model would need; a model that knows nothing, p_t uniform, needs
log2(size). The perplexity exp(L) is the number of equally likely characters the model hesitates between.

The corpus, Shakespeare's plays, is read by :func:`lstm_lib.data.shakespeare`, and cut into training,
validation and test text by :func:`lstm_lib.splits.contiguous_split`. NumPy only, and no model: a model
comes in through the ``next_logits`` function of :func:`sample`
(:func:`lstm_lib.sequence_model.next_logits` for a NumPy model,
:func:`lstm_lib.keras_layers.language_model.next_logits` for a Keras one).

Taught in Chapter 6, "A character-level language model".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ._validation import (
    ArgumentTypeError,
    check_ids,
    check_shape,
    generator,
    positive_integer,
    positive_number,
    real_array,
)

NextLogits = Callable[[np.ndarray, object], tuple[np.ndarray, object]]  # (ids, state) -> (logits, state): see sample


@dataclass(frozen=True)
class Vocabulary:
    """The characters a model knows: ``characters[i]`` has the id ``i``.

    :meth:`Vocabulary.from_text` takes the sorted set of a text's characters, so a text always gives the same ids.
    """

    characters: str

    def __post_init__(self) -> None:
        if not isinstance(self.characters, str):
            raise ArgumentTypeError(f"Expected characters as a str. Received: characters={self.characters!r}.")
        if not self.characters or len(set(self.characters)) != len(self.characters):
            raise ValueError(f"Expected at least one character, each once. Received: characters={self.characters!r}.")

    @classmethod
    def from_text(cls, text: str) -> Vocabulary:
        """The vocabulary of the sorted set of ``text``'s characters."""
        if not isinstance(text, str):
            raise ArgumentTypeError(f"Expected text as a str. Received: {type(text).__name__}.")
        return cls("".join(sorted(set(text))))

    @property
    def size(self) -> int:
        return len(self.characters)

    def encode(self, text: str) -> np.ndarray:
        """The ids of the characters of ``text``, (len(text),) int64; each must be in the vocabulary."""
        if not isinstance(text, str):
            raise ArgumentTypeError(f"Expected text as a str. Received: {type(text).__name__}.")
        codes = np.array([ord(c) for c in self.characters], np.int64)
        order = np.argsort(codes)
        points = np.frombuffer(text.encode("utf-32-le"), np.uint32).astype(np.int64)  # one per character
        where = np.minimum(np.searchsorted(codes[order], points), self.size - 1)
        unknown = np.flatnonzero(codes[order][where] != points)
        if unknown.size:
            position = unknown[0]
            raise ValueError(f"Expected characters of the vocabulary. Received: text[{position}]={text[position]!r}.")
        return order[where]

    def decode(self, ids: np.ndarray) -> str:
        """The text of ``ids``, (time,) integers in [0, size): the inverse of :meth:`encode`."""
        check_shape("ids", ids, ("time",))
        ids = check_ids("ids", ids, self.size)
        return "".join(np.array(list(self.characters))[ids].tolist())


def one_hot(ids: np.ndarray, size: int, dtype=np.float32) -> np.ndarray:
    """x[..., k] = 1 where ids == k, else 0: ids (...) integers in [0, size) become (..., size)."""
    size = positive_integer("size", size)
    if not np.issubdtype(np.dtype(dtype), np.floating):
        raise ArgumentTypeError(f"Expected a floating point dtype. Received: dtype={np.dtype(dtype)}.")
    ids = check_ids("ids", ids, size)
    return np.eye(size, dtype=dtype)[ids]


def stateful_chunks(ids: np.ndarray, batch: int, steps: int) -> tuple[np.ndarray, np.ndarray]:
    """A text cut for truncated backpropagation through time: ``batch`` streams, read ``steps`` at a time.

    The text is cut into ``batch`` consecutive streams of L = (len(ids) - 1) // batch characters;
    stream i starts at ids[i L]. Chunk k of every stream is its characters k steps to (k + 1) steps, so
    row i of chunk k + 1 carries on where row i of chunk k stopped: a model that keeps its state from
    one chunk to the next (``stateful=True`` in Keras) reads each stream whole, while the gradient
    flows back only through the ``steps`` of the current chunk.

    Returns ``(x, y)``, both (chunks, batch, steps) int64 with chunks = L // steps:
    x[k, i] = ids[i L + k steps : i L + (k + 1) steps] and y the ids one place later. The end of each
    stream that fills no whole chunk is left out.
    """
    batch, steps = positive_integer("batch", batch), positive_integer("steps", steps)
    ids = _text_ids(ids, None, batch * steps + 1)
    length = (len(ids) - 1) // batch
    chunks = length // steps
    starts = np.arange(batch)[None, :, None] * length + np.arange(chunks)[:, None, None] * steps
    where = starts + np.arange(steps)
    return ids[where], ids[where + 1]


def _text_ids(ids: np.ndarray, size: int | None, at_least: int, name: str = "ids") -> np.ndarray:
    """A text's ids as int64, (time,) integers in [0, size), checked to hold at least ``at_least`` characters."""
    check_shape(name, ids, ("time",))
    ids = check_ids(name, ids, size)
    if len(ids) < at_least:
        raise ValueError(f"Expected {name} of at least {at_least} characters. Received: len({name})={len(ids)}.")
    return ids.astype(np.int64, copy=False)


def bits_per_character(mean_nats: float) -> float:
    """A mean cross-entropy in nats, in bits: L / ln 2. A uniform guess over k characters gives log2(k)."""
    return _mean_nats(mean_nats) / float(np.log(2.0))


def perplexity(mean_nats: float) -> float:
    """exp(L): a uniform guess over k characters has perplexity k."""
    return float(np.exp(_mean_nats(mean_nats)))


def _mean_nats(mean_nats: float) -> float:
    if isinstance(mean_nats, bool) or not isinstance(mean_nats, int | float | np.floating | np.integer):
        raise ArgumentTypeError(f"Expected mean_nats to be a number. Received: mean_nats={mean_nats!r}.")
    value = float(mean_nats)
    if not 0 <= value < np.inf:
        raise ValueError(f"Expected a mean cross-entropy in nats, 0 or more. Received: mean_nats={mean_nats}.")
    return value


def ngram_bits_per_character(
    train_ids: np.ndarray, test_ids: np.ndarray, size: int, order: int = 2, smoothing: float = 1.0
) -> float:
    """Bits per character on ``test_ids`` of a model that counts the n-grams (n = ``order``) of ``train_ids``.

    The model guesses a character from the n - 1 before it, with add-k smoothing (k = ``smoothing``):

        p(c | context) = (count(context, c) + k) / (count(context) + k size)

    where count(context, c) is how often the n-gram occurs in the training text and count(context) how
    often its first n - 1 characters are followed by anything. ``order=1`` counts single characters,
    ``order=2`` pairs (the bigram model). Each test character from the n-th on is scored, given the n - 1
    before it; the result is the mean of -log2 p over them.
    """
    size, order = positive_integer("size", size), positive_integer("order", order)
    if size**order > np.iinfo(np.int64).max:  # Python integers: the test itself cannot overflow
        raise ValueError(f"Expected size**order below 2**63. Received: size={size}, order={order}.")
    smoothing = positive_number("smoothing", smoothing)
    train = _text_ids(train_ids, size, order, "train_ids")
    test = _text_ids(test_ids, size, order, "test_ids")
    train_grams, test_grams = _ngram_codes(train, size, order), _ngram_codes(test, size, order)
    gram_counts = _counts(train_grams, test_grams)
    context_counts = _counts(train_grams // size, test_grams // size)  # the code without its last character
    p = (gram_counts + smoothing) / (context_counts + smoothing * size)
    return float(-np.mean(np.log2(p)))


def _ngram_codes(ids: np.ndarray, size: int, order: int) -> np.ndarray:
    """Each window of ``order`` ids as one number written in base ``size``, its last id the lowest digit."""
    windows = np.lib.stride_tricks.sliding_window_view(ids, order)
    return windows @ (size ** np.arange(order - 1, -1, -1, dtype=np.int64))


def _counts(seen: np.ndarray, queries: np.ndarray) -> np.ndarray:
    """How often each of ``queries`` occurs in ``seen``."""
    keys, counts = np.unique(seen, return_counts=True)
    where = np.minimum(np.searchsorted(keys, queries), len(keys) - 1)
    return np.where(keys[where] == queries, counts[where], 0)


def softmax_with_temperature(logits: np.ndarray, temperature: float) -> np.ndarray:
    """softmax(z / T) on the last axis, in float64: T < 1 sharpens the distribution, T > 1 flattens it.

    As T -> 0 it puts everything on the largest logit, as T -> infinity it becomes uniform; T = 1 is the
    model's own distribution. max(z / T) is subtracted before the exponential, so none overflows.
    ``logits`` (..., size) must be finite: a NaN logit has no probability.
    """
    temperature = positive_number("temperature", temperature)
    logits = real_array("logits", logits)
    if logits.ndim < 1 or logits.shape[-1] == 0:
        raise ValueError(f"Expected logits of shape (..., size) with size >= 1. Received: logits.shape={logits.shape}.")
    scaled = logits.astype(np.float64) / temperature
    e = np.exp(scaled - scaled.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def sample(
    next_logits: NextLogits, prompt_ids: np.ndarray, length: int, temperature: float, rng: np.random.Generator
) -> np.ndarray:
    """Continue each prompt by ``length`` ids, drawn one at a time from softmax(z / temperature).

    ``next_logits(ids, state) -> (logits, state)`` is the model: given the ids that follow what it has
    read so far, (batch, time) int64, and the state it returned last (None at the first call), it
    returns the logits of the next character, (batch, size), and its state after reading ``ids``. It is
    called once with the whole prompt and then with every drawn id, (batch, 1). Two models fit:

    * a NumPy :class:`~lstm_lib.sequence_model.SequenceModel`, whose state is its h (and c):
      :func:`lstm_lib.sequence_model.next_logits` builds the function;
    * a Keras model built for a fixed batch with ``stateful=True`` recurrent layers, which keep their
      state themselves: :func:`lstm_lib.keras_layers.language_model.next_logits` builds the function,
      which resets that state at the first call and only passes a marker as ``state``.

    Args:
        prompt_ids: (batch, time) integers, time >= 1: what every sequence starts with.
        length: how many ids to draw after the prompt.
        temperature: T > 0 (:func:`softmax_with_temperature`).
        rng: draws one uniform number per sequence and step.

    Returns:
        The drawn ids, (batch, length) int64, without the prompt.

    Raises:
        ValueError: for a bad argument, or logits from the model that are not (batch, size) finite
            numbers: NaN logits would otherwise draw the same id for ever.
    """
    check_shape("prompt_ids", prompt_ids, ("batch", "time"))
    prompt = check_ids("prompt_ids", prompt_ids).astype(np.int64)
    if 0 in prompt.shape:
        raise ValueError(f"Expected at least one prompt of at least one id. Received: prompt_ids.shape={prompt.shape}.")
    length = positive_integer("length", length)
    temperature, rng = positive_number("temperature", temperature), generator("rng", rng)
    logits, state = next_logits(prompt, None)
    drawn = np.empty((len(prompt), length), np.int64)
    for t in range(length):
        logits = real_array(f"the logits before drawn id {t}", logits)
        check_shape(f"the logits before drawn id {t}", logits, (len(prompt), "size"))
        cumulative = softmax_with_temperature(logits, temperature).cumsum(axis=-1)
        # The first id whose cumulative probability passes u * total, u uniform in [0, 1): never one of
        # probability 0, even where rounding leaves the total a little off 1.
        drawn[:, t] = np.sum(cumulative <= rng.random((len(prompt), 1)) * cumulative[:, -1:], axis=-1)
        if t + 1 < length:
            logits, state = next_logits(drawn[:, t : t + 1], state)
    return drawn
