"""The course's Keras LSTM layer: a drop-in replacement for ``keras.layers.LSTM`` that owns its loop.

``LSTM(units, ...)`` takes the arguments of ``keras.layers.LSTM`` (Keras 3) with the same defaults,
creates the same weights (``kernel`` (features, 4 units), ``recurrent_kernel`` (units, 4 units),
``bias`` (4 units,), gate order i, f, c, o, in a sub-layer named ``lstm_cell``), and gives the same
outputs, states, gradients and training runs. It adds ``time_major``, which Keras 3 dropped.

A call does four things:

1. put the inputs time-major, (time, batch, features), and reverse them for ``go_backwards``;
2. draw this sequence's dropout masks (:meth:`lstm_lib.keras_layers.cell.LSTMCell.draw_dropout_masks`);
3. run the cell's step (:meth:`lstm_lib.keras_layers.cell.LSTMCell.step`) over the time axis, with those
   masks (:func:`lstm_lib.keras_layers.loop.lstm_loop`);
4. put the outputs back in the caller's layout, and keep the final states of a stateful layer.

Importing this module imports Keras (and TensorFlow); ``import lstm_lib`` alone does not. Both classes
are registered with ``keras.saving.register_keras_serializable(package="lstm_lib")``: once this module
is imported, a saved ``.keras`` model that uses them loads with ``safe_mode=True`` and no
``custom_objects``.

Taught in Chapter 5, "A Keras LSTM layer"; used by Chapters 6 and 7.
"""

from __future__ import annotations

import keras
from keras import ops

from .cell import LSTMCell
from .loop import lstm_loop

__all__ = ["LSTM", "LSTMCell"]

_CELL_ARGUMENTS = (
    "units",
    "activation",
    "recurrent_activation",
    "use_bias",
    "kernel_initializer",
    "recurrent_initializer",
    "bias_initializer",
    "unit_forget_bias",
    "kernel_regularizer",
    "recurrent_regularizer",
    "bias_regularizer",
    "kernel_constraint",
    "recurrent_constraint",
    "bias_constraint",
    "dropout",
    "recurrent_dropout",
)


def _cell_property(name: str) -> property:
    return property(lambda self: getattr(self.cell, name), doc=f"The cell's ``{name}``.")


def _shape(tensor) -> tuple:
    return tuple(tensor.shape)


@keras.saving.register_keras_serializable(package="lstm_lib")
class LSTM(keras.layers.Layer):
    """An LSTM layer with the arguments, weights and results of ``keras.layers.LSTM``.

    The cell's arguments (``units``, ``activation``, ``recurrent_activation``, ``use_bias``, the three
    initialisers, ``unit_forget_bias``, the three weight regularisers and constraints, ``dropout``,
    ``recurrent_dropout``, ``seed`` and ``implementation``) go to the
    :class:`lstm_lib.keras_layers.cell.LSTMCell`, which documents them, and read back as properties of the
    layer. The layer's own arguments:

    Args:
        activity_regularizer: a penalty on the layer's outputs.
        return_sequences: return h_t for every step, (batch, time, units), not only the last.
        return_state: also return the final h_T and c_T, as ``(output, h_T, c_T)``.
        go_backwards: read the sequence from its last step to its first; the outputs come in
            the order they were computed (reversed), as in Keras.
        stateful: start each batch from the final states of the previous one (sequence i of a
            batch continues sequence i of the previous batch); needs a fixed batch size.
            :meth:`reset_state` sets the states back to zeros.
        unroll: a Python loop over a known number of steps instead of a symbolic loop.
        use_cudnn: accepted for compatibility; this layer never calls cuDNN, so ``True``
            (which asks Keras to insist on it) is refused.
        time_major: inputs and sequence outputs are (time, batch, ...) instead of
            (batch, time, ...); a mask is then (time, batch).
        zero_output_for_mask: with a mask, output zeros at skipped steps instead of the previous
            output (``keras.layers.Bidirectional`` sets it when it returns sequences).
        **kwargs: passed to ``keras.layers.Layer`` (``name``, ``dtype``, ``trainable``).

    Calling the layer, ``layer(sequences, initial_state=None, mask=None, training=False)``:

    - ``sequences``: (batch, time, features), or (time, batch, features) with ``time_major``;
    - ``initial_state``: ``[h_0, c_0]``, (batch, units) each; zeros (or the stored states of a
      stateful layer) when omitted;
    - ``mask``: booleans (batch, time), False where a step is padding; a ``keras.layers.Masking``
      or ``Embedding(mask_zero=True)`` layer before this one passes it on by itself;
    - ``training``: apply dropout (``model.fit`` sets it).

    Example:
        >>> import keras
        >>> import numpy as np
        >>> x = np.random.default_rng(0).standard_normal((2, 4, 3)).astype("float32")
        >>> ours = LSTM(5, return_sequences=True, seed=0)
        >>> theirs = keras.layers.LSTM(5, return_sequences=True)
        >>> tuple(ours(x).shape)  # (batch, time, units); the call builds the weights
        (2, 4, 5)
        >>> _ = theirs(x)
        >>> theirs.set_weights(ours.get_weights())  # the same layout: kernel, recurrent_kernel, bias
        >>> bool(np.abs(np.asarray(ours(x)) - np.asarray(theirs(x))).max() < 1e-6)
        True
    """

    units = _cell_property("units")
    activation = _cell_property("activation")
    recurrent_activation = _cell_property("recurrent_activation")
    use_bias = _cell_property("use_bias")
    kernel_initializer = _cell_property("kernel_initializer")
    recurrent_initializer = _cell_property("recurrent_initializer")
    bias_initializer = _cell_property("bias_initializer")
    unit_forget_bias = _cell_property("unit_forget_bias")
    kernel_regularizer = _cell_property("kernel_regularizer")
    recurrent_regularizer = _cell_property("recurrent_regularizer")
    bias_regularizer = _cell_property("bias_regularizer")
    kernel_constraint = _cell_property("kernel_constraint")
    recurrent_constraint = _cell_property("recurrent_constraint")
    bias_constraint = _cell_property("bias_constraint")
    dropout = _cell_property("dropout")
    recurrent_dropout = _cell_property("recurrent_dropout")
    implementation = _cell_property("implementation")

    def __init__(
        self,
        units: int,
        activation="tanh",
        recurrent_activation="sigmoid",
        use_bias: bool = True,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
        unit_forget_bias: bool = True,
        kernel_regularizer=None,
        recurrent_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        recurrent_constraint=None,
        bias_constraint=None,
        dropout: float = 0.0,
        recurrent_dropout: float = 0.0,
        seed: int | None = None,
        return_sequences: bool = False,
        return_state: bool = False,
        go_backwards: bool = False,
        stateful: bool = False,
        unroll: bool = False,
        use_cudnn="auto",
        time_major: bool = False,
        zero_output_for_mask: bool = False,
        implementation: int = 2,
        **kwargs,
    ):
        if use_cudnn not in ("auto", False):
            raise ValueError(
                "Expected use_cudnn='auto' or False: the course's LSTM has no cuDNN path. "
                f"Received: use_cudnn={use_cudnn!r}."
            )
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.cell = LSTMCell(
            units,
            activation=activation,
            recurrent_activation=recurrent_activation,
            use_bias=use_bias,
            kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer,
            unit_forget_bias=unit_forget_bias,
            kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint,
            dropout=dropout,
            recurrent_dropout=recurrent_dropout,
            seed=seed,
            implementation=implementation,
            name="lstm_cell",
            dtype=kwargs.get("dtype"),
            trainable=kwargs.get("trainable", True),
        )
        self.return_sequences = return_sequences
        self.return_state = return_state
        self.go_backwards = go_backwards
        self.stateful = stateful
        self.unroll = unroll
        self.use_cudnn = use_cudnn
        self.time_major = time_major
        self.zero_output_for_mask = zero_output_for_mask
        self.supports_masking = True
        self.state_size = list(self.cell.state_size)
        object.__setattr__(self, "states", None)  # not tracked: stateful states are not weights

    # --- shapes and checks ---------------------------------------------------------------------

    def _axes(self) -> tuple[int, int]:
        """The (batch, time) axes of the inputs."""
        return (1, 0) if self.time_major else (0, 1)

    def _layout(self) -> str:
        return "(time, batch, features)" if self.time_major else "(batch, time, features)"

    def _check_sequences(self, shape: tuple) -> None:
        if len(shape) != 3:
            raise ValueError(f"Expected sequences of rank 3, {self._layout()}. Received: sequences.shape={shape}.")
        if self.cell.built and shape[-1] is not None and shape[-1] != self.cell.kernel.shape[0]:
            raise ValueError(
                f"Expected sequences with {self.cell.kernel.shape[0]} features, as the layer was "
                f"built with (kernel.shape={tuple(self.cell.kernel.shape)}). "
                f"Received: sequences.shape={shape}."
            )
        if shape[self._axes()[1]] == 0:
            # keras.layers.LSTM fails here with "slice index 0 of dimension 1 out of bounds"
            raise ValueError(f"Expected sequences with at least one time step. Received: sequences.shape={shape}.")
        if self.unroll and shape[self._axes()[1]] is None:
            raise ValueError(
                "Expected a known number of time steps for unroll=True (pass shape=(time, features) "
                f"to keras.Input). Received: sequences.shape={shape}."
            )

    def _check_mask(self, mask: tuple, sequences: tuple) -> None:
        """A mask has one entry per sequence and step, in the layout of the sequences (keras.layers.LSTM
        fails on a wrong one deep inside its loop, or reads past its end)."""
        expected = sequences[:2]
        if len(mask) != 2 or any(None not in (m, e) and m != e for m, e in zip(mask, expected)):
            layout = "(time, batch)" if self.time_major else "(batch, time)"
            raise ValueError(
                f"Expected a mask of shape {layout} = {expected}, one entry per sequence and step. "
                f"Received: mask.shape={mask}."
            )

    def _check_initial_state(self, initial_state, batch) -> list:
        states = list(initial_state) if isinstance(initial_state, (list, tuple)) else [initial_state]
        shapes = [_shape(s) for s in states]

        def fits(shape: tuple) -> bool:
            return len(shape) == 2 and shape[1] == self.units and (shape[0] == batch or None in (shape[0], batch))

        if len(states) != 2 or not all(fits(s) for s in shapes):
            raise ValueError(
                f"Expected initial_state=[h_0, c_0] of shape {(batch, self.units)} each. "
                f"Received: initial_state shapes={shapes}."
            )
        return [ops.convert_to_tensor(s, dtype=self.cell.compute_dtype) for s in states]

    def build(self, sequences_shape, initial_state_shape=None) -> None:
        """Build the cell from (batch, features); for a stateful layer, create the state variables."""
        sequences_shape = tuple(sequences_shape)
        self._check_sequences(sequences_shape)
        batch_axis, _ = self._axes()
        batch = sequences_shape[batch_axis]
        if not self.cell.built:
            self.cell.build((batch, sequences_shape[-1]))
        if self.stateful:
            if self.states is not None:
                self.reset_state()
            elif batch is None:
                raise ValueError(
                    "Expected a fixed batch size for stateful=True (pass batch_size to keras.Input). "
                    f"Received: sequences.shape={sequences_shape}."
                )
            else:
                self._create_state_variables(batch)

    def _create_state_variables(self, batch: int) -> None:
        zeros = self.cell.get_initial_state(batch)
        states = [keras.Variable(z, trainable=False, dtype=self.variable_dtype, name="rnn_state") for z in zeros]
        object.__setattr__(self, "states", states)

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        """The shapes of ``output`` (and of h_T, c_T with ``return_state``)."""
        batch = sequences_shape[self._axes()[0]]
        output = (batch, self.units)
        if self.return_sequences:
            output = (sequences_shape[0], sequences_shape[1], self.units)
        if self.return_state:
            return output, (batch, self.units), (batch, self.units)
        return output

    def compute_mask(self, _, mask=None):
        """The mask passes on with the sequence outputs (unchanged, also with ``go_backwards``)."""
        mask = keras.tree.flatten(mask)[0] if mask is not None else None
        output_mask = mask if self.return_sequences else None
        return [output_mask, None, None] if self.return_state else output_mask

    # --- the forward pass ----------------------------------------------------------------------

    def _initial_state(self, initial_state, sequences) -> list:
        batch_axis, _ = self._axes()
        if initial_state is not None:
            return self._check_initial_state(initial_state, sequences.shape[batch_axis])
        if self.stateful:
            return [ops.convert_to_tensor(s) for s in self.states]
        return self.cell.get_initial_state(ops.shape(sequences)[batch_axis])

    def _in_processing_order(self, sequences, mask) -> tuple:
        """The inputs (time, batch, features) and mask (time, batch), reversed for ``go_backwards``."""
        x = sequences if self.time_major else ops.transpose(sequences, (1, 0, 2))
        if mask is not None:
            mask = keras.tree.flatten(mask)[0]
            mask = mask if self.time_major else ops.transpose(mask, (1, 0))
        if self.go_backwards:
            x = ops.flip(x, axis=0)
            mask = None if mask is None else ops.flip(mask, axis=0)
        return x, mask

    def call(self, sequences, initial_state=None, mask=None, training: bool = False):
        """Run the LSTM over ``sequences``; returns ``output``, or ``(output, h_T, c_T)``."""
        self._check_sequences(_shape(sequences))
        batch_axis, _ = self._axes()
        if self.stateful and sequences.shape[batch_axis] not in (None, self.states[0].shape[0]):
            raise ValueError(
                f"Expected the batch size of the stored states, {self.states[0].shape[0]}, for a "
                f"stateful layer. Received: sequences.shape={_shape(sequences)}."
            )
        h0, c0 = self._initial_state(initial_state, sequences)
        if mask is not None:
            self._check_mask(_shape(mask), _shape(sequences))
        x, mask = self._in_processing_order(sequences, mask)

        input_masks, recurrent_masks = self.cell.draw_dropout_masks(x[0], h0, training)

        def step(x_t, h, c):
            return self.cell.step(x_t, h, c, input_masks, recurrent_masks)

        result = lstm_loop(step, x, h0, c0, mask, self.unroll, self.zero_output_for_mask)

        if self.stateful:
            for variable, value in zip(self.states, (result.h, result.c)):
                variable.assign(value)
        if self.return_sequences:
            output = result.outputs if self.time_major else ops.transpose(result.outputs, (1, 0, 2))
        else:
            output = result.last_output
        return (output, result.h, result.c) if self.return_state else output

    def reset_state(self) -> None:
        """Set the stored states of a stateful layer back to zeros."""
        for variable in self.states or []:
            variable.assign(ops.zeros_like(variable.value))

    def reset_states(self) -> None:
        """The older name of :meth:`reset_state`, as in Keras."""
        self.reset_state()

    def get_config(self) -> dict:
        """Keras's ``LSTM`` config, plus ``time_major`` and ``implementation``."""
        cell_config = self.cell.get_config()
        config = {
            "return_sequences": self.return_sequences,
            "return_state": self.return_state,
            "go_backwards": self.go_backwards,
            "stateful": self.stateful,
            "unroll": self.unroll,
            "zero_output_for_mask": self.zero_output_for_mask,
            **{name: cell_config[name] for name in _CELL_ARGUMENTS},
            "activity_regularizer": keras.regularizers.serialize(self.activity_regularizer),
            "seed": self.cell.seed,
            "time_major": self.time_major,
            "implementation": self.implementation,
        }
        return {**super().get_config(), **config}
