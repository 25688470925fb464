"""Checks of the exercises in the workbooks: write a piece of an LSTM, and learn at once whether it is right.

Each check takes your function, ``check_<name>(candidate)``, with exactly the signature of the
library's function of that name (for the cells of Chapters 4 and 5, your class, with the interface of
the library's). It runs your code on a few fixed, small, seeded cases (float64, batch 1 among them) and
compares every output with the library's; a backward pass is also compared with finite differences of a
forward pass, yours when you give it (``forward=my_forward``), so you see whether your two halves agree.
When everything is right it prints one line: what was checked and the largest relative error. Otherwise it
raises ``AssertionError`` with what is wrong (which output, by how much, where) and, when the wrong
numbers are those of a common mistake, its name. It never shows the right answer.

``import lstm_lib.exercises`` loads no TensorFlow; the checks of Chapters 4 and 5 load it when called.

The checks, by chapter:

* Chapter 1: :func:`check_rnn_step_forward`, :func:`check_rnn_step_backward`, :func:`check_clip_by_global_norm`.
* Chapter 2: :func:`check_lstm_step_forward`, :func:`check_lstm_step_backward`, :func:`check_sigmoid`.
* Chapter 3: :func:`check_gru_step_forward`, :func:`check_gru_step_backward`, :func:`check_variant_step`.
* Chapter 4: :func:`check_tf_lstm_cell`, :func:`check_tf_gru_cell`.
* Chapter 5: :func:`check_keras_lstm_cell`, :func:`check_lstm_loop`.
* Chapter 6: :func:`check_softmax_with_temperature`, :func:`check_bits_per_character`,
  :func:`check_ngram_bits_per_character`.
* Chapter 7: :func:`check_split_windows`, :func:`check_standardizer_fit`, :func:`check_persistence`.
* Chapter 8: :func:`check_masked_sequence_cross_entropy`, :func:`check_greedy_decode`, :func:`check_beam_search`.

Used by the workbooks of every chapter (``workbooks/``).
"""

from .chapter1 import check_clip_by_global_norm, check_rnn_step_backward, check_rnn_step_forward
from .chapter2 import check_lstm_step_backward, check_lstm_step_forward, check_sigmoid
from .chapter3 import check_gru_step_backward, check_gru_step_forward, check_variant_step
from .chapter4 import check_tf_gru_cell, check_tf_lstm_cell
from .chapter5 import check_keras_lstm_cell, check_lstm_loop
from .chapter6 import check_bits_per_character, check_ngram_bits_per_character, check_softmax_with_temperature
from .chapter7 import check_persistence, check_split_windows, check_standardizer_fit
from .chapter8 import check_beam_search, check_greedy_decode, check_masked_sequence_cross_entropy

__all__ = [
    "check_beam_search",
    "check_bits_per_character",
    "check_clip_by_global_norm",
    "check_greedy_decode",
    "check_gru_step_backward",
    "check_gru_step_forward",
    "check_keras_lstm_cell",
    "check_lstm_loop",
    "check_lstm_step_backward",
    "check_lstm_step_forward",
    "check_masked_sequence_cross_entropy",
    "check_ngram_bits_per_character",
    "check_persistence",
    "check_rnn_step_backward",
    "check_rnn_step_forward",
    "check_sigmoid",
    "check_softmax_with_temperature",
    "check_split_windows",
    "check_standardizer_fit",
    "check_tf_gru_cell",
    "check_tf_lstm_cell",
    "check_variant_step",
]
