"""Symbols as ids for sequence to sequence: a vocabulary with padding, start and end tokens.

A source ``"14. März 2026"`` becomes the ids of its characters; a target ``"2026-03-14"`` the ids of
its characters followed by the end token. The decoder reads the target shifted right, the start token
first (**teacher forcing**: at step t it is given the true symbol t - 1, not its own guess), and learns
to write the target:

    decoder input:  <start> 2 0 2 6 - 0 3 - 1 4
    decoder target:  2 0 2 6 - 0 3 - 1 4 <end>

A batch pads every sequence to the longest with the padding id 0 at its end; a mask (True at the real
symbols) tells the loss and the attention which positions are padding. NumPy only.

Taught in Chapter 8, "Sequence to sequence".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ._validation import ArgumentTypeError, check_ids

PAD, START, END = 0, 1, 2  # the ids of the special tokens, before the symbols
SPECIALS = ("<pad>", "<start>", "<end>")


@dataclass(frozen=True)
class TokenVocabulary:
    """Ids for ``symbols`` (one character each) after the three special tokens: ``symbols[i]`` has id i + 3.

    ``PAD`` = 0, ``START`` = 1 and ``END`` = 2 come first, so that padding is id 0 everywhere and
    ``keras.layers.Embedding(mask_zero=True)`` recognises it.
    """

    symbols: str

    def __post_init__(self) -> None:
        if not isinstance(self.symbols, str):
            raise ArgumentTypeError(f"Expected symbols as a str. Received: symbols={self.symbols!r}.")
        if not self.symbols or len(set(self.symbols)) != len(self.symbols):
            raise ValueError(f"Expected at least one symbol, each once. Received: symbols={self.symbols!r}.")

    @classmethod
    def from_texts(cls, texts: Sequence[str]) -> TokenVocabulary:
        """The vocabulary of the sorted set of the characters of ``texts``."""
        if isinstance(texts, str) or not all(isinstance(t, str) for t in texts):
            raise ArgumentTypeError(f"Expected a sequence of str. Received: texts={texts!r:.80}.")
        return cls("".join(sorted(set("".join(texts)))))

    @property
    def size(self) -> int:
        """How many ids there are, the symbols and the three special tokens together."""
        return len(self.symbols) + len(SPECIALS)

    def encode(self, text: str) -> np.ndarray:
        """The ids of the characters of ``text``, (len(text),) int64. Refuses an empty text and unknown characters."""
        if not isinstance(text, str):
            raise ArgumentTypeError(f"Expected text as a str. Received: text={text!r}.")
        if not text:
            raise ValueError("Expected a text of at least one character. Received: text=''.")
        index = {symbol: k + len(SPECIALS) for k, symbol in enumerate(self.symbols)}
        for position, character in enumerate(text):
            if character not in index:
                raise ValueError(
                    f"Expected characters of the vocabulary. Received: text[{position}]={character!r} in {text!r}."
                )
        return np.array([index[c] for c in text], np.int64)

    def decode(self, ids: Sequence[int] | np.ndarray) -> str:
        """The text of ``ids``, stopping at the first ``END``; padding and ``START`` are skipped."""
        ids = check_ids("ids", np.asarray(list(ids), np.int64), self.size)
        characters = []
        for token in ids.tolist():
            if token == END:
                break
            if token >= len(SPECIALS):
                characters.append(self.symbols[token - len(SPECIALS)])
        return "".join(characters)

    def batch(self, texts: Sequence[str], end: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """The ids of ``texts`` padded with ``PAD`` to the longest, (batch, time), and the mask (True at symbols).

        With ``end=True`` each text's ids are followed by ``END`` (a decoder's target).
        """
        if isinstance(texts, str) or len(texts) == 0:
            raise ValueError(f"Expected a non-empty sequence of texts. Received: texts={texts!r:.80}.")
        rows = [self.encode(t) for t in texts]
        if end:
            rows = [np.append(r, END) for r in rows]
        longest = max(len(r) for r in rows)
        ids = np.full((len(rows), longest), PAD, np.int64)
        for k, r in enumerate(rows):
            ids[k, : len(r)] = r
        return ids, ids != PAD


def teacher_forcing(targets: np.ndarray) -> np.ndarray:
    """The decoder's inputs for padded targets (batch, time) that end with ``END``: ``START``, then the targets
    shifted right by one, the last column dropped, (batch, time). Padding stays padding."""
    targets = check_ids("targets", targets)
    if targets.ndim != 2 or targets.shape[1] == 0:
        raise ValueError(
            f"Expected targets of shape (batch, time), time >= 1. Received: targets.shape={targets.shape}."
        )
    shifted = np.concatenate([np.full((len(targets), 1), START, targets.dtype), targets[:, :-1]], axis=1)
    return np.where(shifted == END, PAD, shifted)
