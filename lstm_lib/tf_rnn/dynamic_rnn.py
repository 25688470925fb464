"""``dynamic_rnn``: run a cell over a batch of sequences in a TensorFlow loop, as TensorFlow 1 did.

The number of steps and the batch size are read from the inputs when the loop runs, so one traced
graph (one ``tf.function`` trace with input signature ``[None, None, features]``) serves every batch
size and every length. The loop is a ``tf.while_loop`` whose body reads x_t from a ``TensorArray``,
calls the cell and writes its output to another ``TensorArray``::

    state_0 = initial_state
    for t = 1 ... T:
        y_t, s_t = cell(x_t, state_{t-1})
        if t > length:             (only with sequence_length, per sequence)
            y_t = 0,  s_t = state_{t-1}
        state_t = s_t

so past a sequence's length its outputs are zeros and its state stays the state of its last valid
step, which is what ``final_state`` returns.

Taught in Chapter 4, "A dynamic_rnn loop in TensorFlow 2".
"""

from __future__ import annotations

from typing import Any

import numpy as np
import tensorflow as tf

from .base import BuildsItsWeights, Cell, HasInitialState, State


def _check_inputs(inputs: Any, dtype: tf.DType | None, time_major: bool) -> tf.Tensor:
    layout = "(time, batch, features)" if time_major else "(batch, time, features)"
    if not isinstance(inputs, (tf.Tensor, tf.Variable)):
        inputs = np.asarray(inputs)
        if not np.issubdtype(inputs.dtype, np.floating):
            raise ValueError(f"Expected floating point inputs. Received: inputs.dtype={inputs.dtype}.")
        inputs = tf.constant(inputs, dtype=dtype)
    inputs = tf.convert_to_tensor(inputs)
    if not inputs.dtype.is_floating:
        raise ValueError(f"Expected floating point inputs. Received: inputs.dtype={inputs.dtype.name}.")
    if inputs.shape.rank != 3:
        raise ValueError(f"Expected inputs of shape {layout}. Received: inputs.shape={tuple(inputs.shape)}.")
    if inputs.shape[-1] is None:
        raise ValueError(
            "Expected inputs with a known number of features (the last axis). "
            f"Received: inputs.shape={tuple(inputs.shape)}."
        )
    return inputs


def _check_lengths(sequence_length: Any, batch: int | None, steps: tf.Tensor) -> tf.Tensor:
    lengths = tf.convert_to_tensor(sequence_length)
    if not lengths.dtype.is_integer:
        raise ValueError(f"Expected integer sequence_length. Received: sequence_length.dtype={lengths.dtype.name}.")
    if lengths.shape.rank != 1 or (batch is not None and lengths.shape[0] not in (None, batch)):
        raise ValueError(
            f"Expected sequence_length of shape ({batch if batch is not None else 'batch'},), one length per "
            f"sequence. Received: sequence_length.shape={tuple(lengths.shape)}."
        )
    lengths = tf.cast(lengths, tf.int32)
    if tf.executing_eagerly():
        values, limit = lengths.numpy(), int(steps)
        if values.size and (values.min() < 0 or values.max() > limit):
            raise ValueError(
                f"Expected sequence_length between 0 and {limit}, the number of steps. "
                f"Received: sequence_length={values.tolist()}."
            )
        return lengths
    checks = [
        tf.debugging.assert_non_negative(lengths, message="Expected sequence_length >= 0."),
        tf.debugging.assert_less_equal(lengths, steps, message="Expected sequence_length <= the number of steps."),
    ]
    with tf.control_dependencies(checks):
        return tf.identity(lengths)


def _is_real(value: Any) -> bool:
    """Whether ``value`` is an array-like of real numbers (not booleans, not complex)."""
    try:
        return np.asarray(value).dtype.kind in "iuf"
    except ValueError:  # ragged
        return False


def _check_state(state: State, cell: Cell, batch: int | None, dtype: tf.DType) -> State:
    try:
        tf.nest.assert_same_structure(state, cell.state_size, check_types=False)
    except (ValueError, TypeError) as error:
        raise ValueError(
            f"Expected initial_state with the structure of cell.state_size={cell.state_size}. "
            f"Received: initial_state of another structure ({error})."
        ) from None

    def check(tensor: Any, size: int) -> tf.Tensor:
        if isinstance(tensor, tf.Tensor | tf.Variable):
            if tensor.dtype != dtype:
                raise ValueError(
                    f"Expected initial_state tensors of the loop's dtype {dtype.name}. Received: "
                    f"dtype={tensor.dtype.name} (cast it, or give the states as arrays, which are converted)."
                )
        else:  # arrays and lists are converted to the loop's dtype, as the inputs are
            tensor = tf.convert_to_tensor(np.asarray(tensor), dtype=dtype) if _is_real(tensor) else tensor
            if not isinstance(tensor, tf.Tensor):
                raise ValueError(f"Expected initial_state as real numbers. Received: {tensor!r}.")
        if (
            tensor.shape.rank != 2
            or tensor.shape[1] != size
            or (batch is not None and tensor.shape[0] not in (None, batch))
        ):
            raise ValueError(
                f"Expected initial_state tensors of shape ({batch if batch is not None else 'batch'}, {size}). "
                f"Received: shape={tuple(tensor.shape)}."
            )
        return tensor

    # Repacked in the cell's own structure (a plain (h, c) tuple becomes an LSTMState), as the loop needs.
    tensors = [check(tensor, size) for tensor, size in zip(tf.nest.flatten(state), tf.nest.flatten(cell.state_size))]
    return tf.nest.pack_sequence_as(cell.state_size, tensors)


def _start_state(cell: Cell, batch: tf.Tensor, dtype: tf.DType) -> State:
    if isinstance(cell, HasInitialState):
        return cell.initial_state(batch, dtype)
    return cell.zero_state(batch, dtype)


def dynamic_rnn(
    cell: Cell,
    inputs: Any,
    sequence_length: Any = None,
    initial_state: State | None = None,
    dtype: tf.DType | None = None,
    time_major: bool = False,
) -> tuple[tf.Tensor, State]:
    """Run ``cell`` over every step of ``inputs``; TensorFlow 1's ``tf.nn.dynamic_rnn``, in TF 2.

    Works eagerly and inside ``tf.function``, where the batch size and the number of steps may be
    unknown (``None``) when the function is traced.

    Args:
        cell: a cell (:mod:`lstm_lib.tf_rnn.cells`, :class:`~lstm_lib.tf_rnn.multi_cell.MultiRNNCell`
            or any object with the same protocol). Built here, before the loop, if it is not yet.
        inputs: (batch, time, features), or (time, batch, features) with ``time_major=True``.
        sequence_length: optional integers (batch,): the number of valid steps of each sequence,
            between 0 and time. Past it, outputs are zeros and the state is carried unchanged.
        initial_state: the state before the first step, in the structure of ``cell.state_size``,
            each tensor (batch, size). By default ``cell.initial_state`` (zeros, or the learned
            state) or, for a cell without it, ``cell.zero_state``.
        dtype: the dtype of the default initial state; the inputs' dtype when omitted. Inputs given
            as arrays (not tensors) are converted to it, or to the cell's ``dtype`` when omitted.
        time_major: whether ``inputs`` and ``outputs`` have time on the first axis.

    Returns:
        ``(outputs, final_state)``: the outputs of every step, (batch, time, output_size) (or
        time-major like the inputs), and the state after each sequence's last valid step.

    Raises:
        ValueError: for inputs that are not 3-D floats with a known number of features, a
            ``sequence_length`` that is not one integer per sequence in [0, time] (checked when it
            runs, inside ``tf.function``), or an ``initial_state`` of the wrong structure or shape.

    Example:
        >>> import numpy as np
        >>> from lstm_lib.tf_rnn import LSTMCell
        >>> cell = LSTMCell(5, seed=0)
        >>> x = np.random.default_rng(0).standard_normal((2, 4, 3)).astype(np.float32)  # 2 sequences, 4 steps
        >>> outputs, state = dynamic_rnn(cell, x, sequence_length=[4, 2])
        >>> tuple(outputs.shape), tuple(state.h.shape), tuple(state.c.shape)
        ((2, 4, 5), (2, 5), (2, 5))
        >>> float(np.abs(outputs[1, 2:]).max())  # the second sequence ends after 2 steps: zeros after it
        0.0
    """
    if not isinstance(cell, Cell):
        raise ValueError(
            "Expected a cell with state_size, output_size, zero_state(batch_size, dtype) and "
            f"__call__(inputs, state). Received: cell={cell!r}."
        )
    x = _check_inputs(inputs, dtype or getattr(cell, "dtype", None), time_major)
    dtype = x.dtype if dtype is None else tf.as_dtype(dtype)
    if not time_major:
        x = tf.transpose(x, [1, 0, 2])
    static_steps, static_batch, features = x.shape
    steps, batch = tf.shape(x)[0], tf.shape(x)[1]
    if isinstance(cell, BuildsItsWeights) and not cell.built:
        cell.build(int(features))
    lengths = None if sequence_length is None else _check_lengths(sequence_length, static_batch, steps)
    if initial_state is None:
        state = _start_state(cell, batch, dtype)
    else:
        state = _check_state(initial_state, cell, static_batch, dtype)

    inputs_ta = tf.TensorArray(x.dtype, size=steps, element_shape=x.shape[1:]).unstack(x)
    outputs_ta = tf.TensorArray(dtype, size=steps, element_shape=[static_batch, cell.output_size])

    def body(t, state, outputs_ta):
        output, new_state = cell(inputs_ta.read(t), state)
        if lengths is not None:
            valid = (t < lengths)[:, None]  # (batch, 1): is step t inside each sequence?
            output = tf.where(valid, output, tf.zeros_like(output))
            new_state = tf.nest.map_structure(lambda new, old: tf.where(valid, new, old), new_state, state)
        return t + 1, new_state, outputs_ta.write(t, output)

    _, final_state, outputs_ta = tf.while_loop(
        lambda t, *_: t < steps, body, (tf.constant(0), state, outputs_ta), maximum_iterations=steps
    )
    outputs = outputs_ta.stack()
    outputs.set_shape([static_steps, static_batch, cell.output_size])
    if not time_major:
        outputs = tf.transpose(outputs, [1, 0, 2])
    return outputs, final_state
