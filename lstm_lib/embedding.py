"""An embedding: each id picks one row of a table, the vector the network reads for that symbol.

With a table E (vocabulary, dim), the embedding of ids (batch, time) is E[ids], (batch, time, dim).
It equals the one-hot vectors of the ids times E, without building them. The gradient of a loss L
with respect to E adds up, for every position, dL/d(output) into the row of that position's id:

    dL/dE[v] = sum over (n, t) with ids[n, t] = v of dL/d(output)[n, t]

so a symbol that occurs twice in a batch gets both contributions, and a symbol that does not occur
gets zero. (`numpy.add.at` does the sum; plain indexed assignment would keep only one of two rows that
share an id.) Padding has its own id, 0, and its own row; the loss mask keeps it out of the gradient.

Taught in Chapter 8, "Sequence to sequence".
"""

from __future__ import annotations

import numpy as np

from ._validation import check_ids, check_shape, float_array


def embedding_forward(ids: np.ndarray, table: np.ndarray) -> np.ndarray:
    """table[ids]: ids (...) of integers in [0, vocabulary), table (vocabulary, dim) -> (..., dim), a new array."""
    table = float_array("table", table)
    check_shape("table", table, ("vocabulary", "dim"))
    ids = check_ids("ids", ids, table.shape[0])
    return table[ids]


def embedding_backward(d_output: np.ndarray, ids: np.ndarray, vocabulary: int) -> np.ndarray:
    """dL/d table (vocabulary, dim) from dL/d output (..., dim): each position's row added into its id's row."""
    d_output = float_array("d_output", d_output)
    ids = check_ids("ids", ids, vocabulary)
    check_shape("d_output", d_output, (*ids.shape, "dim"))
    d_table = np.zeros((vocabulary, d_output.shape[-1]), d_output.dtype)
    np.add.at(d_table, ids.reshape(-1), d_output.reshape(-1, d_output.shape[-1]))
    return d_table
