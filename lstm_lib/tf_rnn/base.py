"""What every TensorFlow cell of the course shares: weights, states, and the cell protocol.

A cell computes one step of a recurrent network. :func:`lstm_lib.tf_rnn.dynamic_rnn.dynamic_rnn`
only needs four things from it, the protocol of TensorFlow 1's ``tf.nn.rnn_cell``::

    cell.zero_state(batch_size, dtype)   the state before the first step, all zeros
    cell(inputs, state)                  one step: (batch, features) -> (output, new_state)
    cell.state_size                      the size of each state tensor (an int or a tuple of them)
    cell.output_size                     the size of the output, (batch, output_size)

Its weights are ``tf.Variable`` objects in the book's (Keras) layout, named ``kernel``,
``recurrent_kernel`` and ``bias``. They are created by ``build(features)``, or by the first call,
which reads ``features`` from the inputs. Their initial values come from :mod:`lstm_lib.init`, drawn
from a NumPy generator seeded by the cell's ``seed``, so a seeded cell starts from the same numbers
as the NumPy layers of the earlier chapters.

With ``learn_initial_state=True`` the cell also owns one trainable vector per state tensor,
``initial_h`` (and ``initial_c`` for an LSTM), zeros at first; :meth:`RNNCell.initial_state` tiles
them over the batch, so that every sequence starts from the same learned state.

Taught in Chapter 4, "A dynamic_rnn loop in TensorFlow 2".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

import numpy as np
import tensorflow as tf

from .._validation import positive_integer

State = Any
"""A state: one tensor (batch, units), or a tuple or named tuple of them (nested for stacked cells)."""


@runtime_checkable
class Cell(Protocol):
    """What ``dynamic_rnn`` needs of a cell: TensorFlow 1's cell protocol.

    Every cell of :mod:`lstm_lib.tf_rnn.cells` and :class:`~lstm_lib.tf_rnn.multi_cell.MultiRNNCell`
    has it, and so does any object of your own with these four members.
    """

    state_size: Any
    """The size of each state tensor, an int, or a (named) tuple of sizes in the structure of the state."""
    output_size: int
    """The size of the output at each step."""

    def zero_state(self, batch_size: Any, dtype: tf.DType) -> State:
        """The state before the first step: zeros, (batch_size, size) for each size of ``state_size``."""

    def __call__(self, inputs: tf.Tensor, state: State) -> tuple[tf.Tensor, State]:
        """One step: inputs (batch, features) and the state -> (output (batch, output_size), new state)."""


@runtime_checkable
class BuildsItsWeights(Protocol):
    """A cell that makes its weights once it knows the number of input features (all of the course's)."""

    built: bool

    def build(self, features: int) -> None: ...


@runtime_checkable
class HasInitialState(Protocol):
    """A cell whose default first state may be learned (``learn_initial_state=True``)."""

    def initial_state(self, batch_size: Any, dtype: tf.DType | None = None) -> State: ...


WEIGHT_NAMES = ("kernel", "recurrent_kernel", "bias")


def as_tensor(name: str, value: Any, dtype: tf.DType) -> tf.Tensor:
    """``value`` as a tensor of ``dtype``: arrays and lists are converted, tensors must match already."""
    if isinstance(value, (tf.Tensor, tf.Variable)):
        if value.dtype != dtype:
            raise ValueError(f"Expected {name} of dtype {dtype.name}. Received: {name}.dtype={value.dtype.name}.")
        return tf.convert_to_tensor(value)
    array = np.asarray(value)
    if not (np.issubdtype(array.dtype, np.floating) or np.issubdtype(array.dtype, np.integer)):
        raise ValueError(f"Expected {name} of real numbers. Received: {name}.dtype={array.dtype}.")
    return tf.constant(array.astype(dtype.as_numpy_dtype))


class RNNCell(tf.Module):
    """The base of the course's cells: lazily created weights and the states a sequence starts from.

    A subclass gives the shapes and initial values of its weights (:meth:`initial_weights`), the
    structure of its state (:attr:`state_size`) and the step itself (:meth:`step`).

    Args:
        units: the size of the hidden state h.
        learn_initial_state: learn the state before the first step instead of starting from zeros.
        seed: seeds the NumPy generator that draws the initial weights; ``None`` draws fresh entropy.
        dtype: the dtype of the weights and states.
        name: the name scope of the variables.
    """

    def __init__(
        self,
        units: int,
        *,
        learn_initial_state: bool = False,
        seed: int | np.random.Generator | None = None,
        dtype: tf.DType | str = tf.float32,
        name: str | None = None,
    ):
        super().__init__(name=name)
        self.units = positive_integer("units", units)
        self.learn_initial_state = bool(learn_initial_state)
        self.dtype = tf.as_dtype(dtype)
        if not self.dtype.is_floating:
            raise ValueError(f"Expected a floating point dtype. Received: dtype={self.dtype.name}.")
        self._rng = np.random.default_rng(seed)
        self.features: int | None = None

    # -- what a subclass defines -------------------------------------------------------------

    @property
    def state_size(self) -> int | tuple:
        """The size of each state tensor, ``units``, or a (named) tuple of such sizes."""
        return self.units

    @property
    def output_size(self) -> int:
        """The size of the output of one step."""
        return self.units

    def initial_weights(self, rng: np.random.Generator, features: int) -> dict[str, np.ndarray]:
        """The starting values of ``kernel``, ``recurrent_kernel`` and ``bias``, in float64."""
        raise NotImplementedError

    def step(self, inputs: tf.Tensor, state: State) -> tuple[tf.Tensor, State]:
        """One step on built weights: ``(inputs, state) -> (output, new_state)``."""
        raise NotImplementedError

    # -- weights -----------------------------------------------------------------------------

    @property
    def built(self) -> bool:
        """Whether the weights exist yet."""
        return self.features is not None

    def build(self, features: int) -> None:
        """Create the weights for inputs with ``features`` features (once; later calls check it)."""
        if self.built:
            if features != self.features:
                raise ValueError(
                    f"Expected inputs with {self.features} features, the size this cell was built for. "
                    f"Received: features={features}."
                )
            return
        features = positive_integer("features", features)
        values = self.initial_weights(self._rng, features)
        with self.name_scope:
            for name in WEIGHT_NAMES:
                setattr(self, name, tf.Variable(values[name], dtype=self.dtype, name=name))
            if self.learn_initial_state:
                self.initial_state_variables = tf.nest.map_structure(
                    lambda size, key: tf.Variable(tf.zeros([size], self.dtype), name=f"initial_{key}"),
                    self.state_size,
                    self._state_keys(),
                )
        self.features = features

    def get_weights(self) -> list[np.ndarray]:
        """The weights as NumPy arrays in Keras's order, ``[kernel, recurrent_kernel, bias]``."""
        self._check_built()
        return [getattr(self, name).numpy() for name in WEIGHT_NAMES]

    def set_weights(self, weights: Sequence[Any] | Mapping[str, Any]) -> None:
        """Assign ``kernel``, ``recurrent_kernel`` and ``bias``, building the cell first if needed.

        ``weights`` is either a list in Keras's order, as a Keras layer's ``get_weights()`` (or this
        cell's) returns it, or a mapping by name, as the NumPy initialisers and converted TF1
        weights are. The input size is read from the kernel.
        """
        if isinstance(weights, Mapping):
            missing = set(WEIGHT_NAMES) - set(weights)
            if missing:
                raise ValueError(f"Expected the weights {WEIGHT_NAMES}. Received: keys={sorted(weights)}.")
        elif len(weights) == len(WEIGHT_NAMES):
            weights = dict(zip(WEIGHT_NAMES, weights))
        else:
            raise ValueError(
                f"Expected {len(WEIGHT_NAMES)} arrays, {list(WEIGHT_NAMES)}. Received: {len(weights)} arrays."
            )
        if not self.built:
            self.build(int(np.shape(weights["kernel"])[0]))
        for name in WEIGHT_NAMES:
            variable = getattr(self, name)
            value = np.asarray(weights[name])
            if value.shape != tuple(variable.shape):
                raise ValueError(
                    f"Expected {name} of shape {tuple(variable.shape)}. Received: {name}.shape={value.shape}."
                )
            variable.assign(value.astype(self.dtype.as_numpy_dtype))

    def _check_built(self) -> None:
        if not self.built:
            raise ValueError(f"Expected a built cell: call build(features) or the cell first. Received: {self.name}.")

    # -- states ------------------------------------------------------------------------------

    def _state_keys(self) -> int | tuple:
        """Names of the state tensors, in the structure of :attr:`state_size`."""
        size = self.state_size
        return type(size)(*size._fields) if hasattr(size, "_fields") else "h"

    def zero_state(self, batch_size: int | tf.Tensor, dtype: tf.DType | None = None) -> State:
        """All-zero states, (batch_size, size) each, in the structure of :attr:`state_size`."""
        dtype = self.dtype if dtype is None else tf.as_dtype(dtype)
        return tf.nest.map_structure(lambda size: tf.zeros([batch_size, size], dtype), self.state_size)

    def initial_state(self, batch_size: int | tf.Tensor, dtype: tf.DType | None = None) -> State:
        """The state each sequence starts from: the learned vectors tiled over the batch, or zeros."""
        if not self.learn_initial_state:
            return self.zero_state(batch_size, dtype)
        self._check_built()
        return tf.nest.map_structure(lambda v: tf.tile(v[None, :], [batch_size, 1]), self.initial_state_variables)

    # -- one step ----------------------------------------------------------------------------

    def __call__(self, inputs: tf.Tensor, state: State) -> tuple[tf.Tensor, State]:
        """One step: inputs (batch, features) and the previous state -> (output, new state)."""
        inputs = as_tensor("inputs", inputs, self.dtype)
        if inputs.shape.rank != 2 or inputs.shape[-1] is None:
            raise ValueError(
                f"Expected inputs of shape (batch, features) with a known number of features. "
                f"Received: inputs.shape={tuple(inputs.shape)}."
            )
        self.build(int(inputs.shape[-1]))
        return self.step(inputs, state)
