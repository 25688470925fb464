"""Stacked cells: the output of one layer is the input of the next, at the same step.

With layers 1 ... L, one step of the stack is::

    out^0 = x_t
    out^l, state^l_t = cell_l(out^{l-1}, state^l_{t-1})     for l = 1 ... L
    output = out^L,   state_t = (state^1_t, ..., state^L_t)

so the stack is itself a cell and :func:`~lstm_lib.tf_rnn.dynamic_rnn.dynamic_rnn` runs it like any
other. This is the model of TensorFlow 1's ``MultiRNNCell``.

Taught in Chapter 4, "A dynamic_rnn loop in TensorFlow 2".
"""

from __future__ import annotations

from collections.abc import Sequence

import tensorflow as tf

from .base import BuildsItsWeights, HasInitialState, RNNCell, State


class MultiRNNCell(tf.Module):
    """A stack of cells that behaves as one cell; its state is the tuple of the layers' states.

    Args:
        cells: the layers, first (reading the inputs) to last (giving the output). Each is a
            separate object: passing the same cell twice would share its weights between layers.
        name: the name scope.
    """

    def __init__(self, cells: Sequence[RNNCell], name: str | None = None):
        super().__init__(name=name)
        cells = tuple(cells)
        if not cells:
            raise ValueError("Expected at least one cell. Received: cells=().")
        first_place = {}
        for place, cell in enumerate(cells):
            if id(cell) in first_place:
                raise ValueError(
                    "Expected a different cell object for each layer. "
                    f"Received: cells[{first_place[id(cell)]}] is cells[{place}]."
                )
            first_place[id(cell)] = place
        self.cells = cells

    @property
    def state_size(self) -> tuple:
        """The layers' state sizes, first layer first."""
        return tuple(cell.state_size for cell in self.cells)

    @property
    def output_size(self) -> int:
        """The last layer's output size."""
        return self.cells[-1].output_size

    @property
    def built(self) -> bool:
        """Whether every layer has its weights."""
        return all(cell.built for cell in self.cells if isinstance(cell, BuildsItsWeights))

    def build(self, features: int) -> None:
        """Build each layer for the output size of the layer below it."""
        for cell in self.cells:
            if isinstance(cell, BuildsItsWeights):
                cell.build(features)
            features = cell.output_size

    def zero_state(self, batch_size: int | tf.Tensor, dtype: tf.DType | None = None) -> tuple:
        """Each layer's zero state, in a tuple."""
        return tuple(cell.zero_state(batch_size, dtype) for cell in self.cells)

    def initial_state(self, batch_size: int | tf.Tensor, dtype: tf.DType | None = None) -> tuple:
        """Each layer's initial state (learned or zeros), in a tuple."""
        return tuple(
            (cell.initial_state if isinstance(cell, HasInitialState) else cell.zero_state)(batch_size, dtype)
            for cell in self.cells
        )

    def __call__(self, inputs: tf.Tensor, state: Sequence[State]) -> tuple[tf.Tensor, tuple]:
        """One step through every layer: (inputs, (state_1, ..., state_L)) -> (output, new states)."""
        if len(state) != len(self.cells):
            raise ValueError(
                f"Expected one state per layer, {len(self.cells)} in all. Received: len(state)={len(state)}."
            )
        new_states = []
        for cell, layer_state in zip(self.cells, state):
            inputs, new_state = cell(inputs, layer_state)
            new_states.append(new_state)
        return inputs, tuple(new_states)
