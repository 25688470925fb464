"""The time loop of the course's Keras LSTM, written with ``keras.ops`` only.

Everything here is time-major: step t of a batch is ``inputs[t]``, (batch, features), and the caller
has put the steps in the order they are processed (reversed for ``go_backwards``). The loop applies
a step function ``(x_t, h, c) -> (h, c)`` one step at a time, with ``keras.ops.scan`` (a symbolic
loop) or a Python loop (``unroll=True``).

The NumPy LSTM computes x_t W for every step in one matrix product before its loop. In a TensorFlow
graph that did not pay in our measurements: the loop then has to store and read back a
(time, batch, 4 units) array, and its gradient, instead of the inputs, which have only ``features``
columns. So x_t W stays inside the step, as in Keras.

Masking follows ``keras.layers.RNN``. Where ``mask[t]`` is False for a sequence, the step is skipped
for it: its h and c keep their previous values, and its output at t is the previous output (zeros
before its first step), or zeros with ``zero_output_for_mask=True``::

    out_t = m_t ? h_t : out_{t-1}        h_t = m_t ? h_t : h_{t-1}        c_t = m_t ? c_t : c_{t-1}

Taught in Chapter 5, "A Keras LSTM layer".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from keras import ops

Step = Callable[[object, object, object], tuple[object, object]]

SCAN_UNROLL = 10
"""``unroll`` of ``keras.ops.scan``. On TensorFlow it is the ``parallel_iterations`` of the
``tf.while_loop``: how many steps may be in flight at once. With scan's default of 1, each step
waits for all of the previous one, also for work that does not depend on it (the next x_t W, the
bookkeeping for the gradient), and the layer measured 1.2 to 1.3 times the time of
``keras.layers.LSTM``; with 10 (``tf.while_loop``'s default; Keras's own loop uses 32), 1.06 to 1.17.
On JAX it unrolls 10 steps into each iteration instead. The results are the same either way.
"""


@dataclass(frozen=True)
class LoopResult:
    """What :func:`lstm_loop` returns, all time-major.

    Attributes:
        outputs: the output at every processed step, (time, batch, units).
        cells: c_t at every processed step, (time, batch, units).
        last_output: the output of the last processed step, (batch, units).
        h, c: the final states, (batch, units) each.
    """

    outputs: object
    cells: object
    last_output: object
    h: object
    c: object


def _plain_step(step: Step) -> Callable:
    def body(carry, x_t):
        h, c = step(x_t, *carry)
        return (h, c), (h, c)

    return body


def _masked_step(step: Step, zero_output_for_mask: bool) -> Callable:
    def body(carry, inputs):
        (h_prev, c_prev, out_prev), x_t = carry, inputs[:, :-1]
        keep = inputs[:, -1:] > 0  # (batch, 1): True where this step counts
        h, c = step(x_t, h_prev, c_prev)
        out = ops.where(keep, h, ops.zeros_like(h) if zero_output_for_mask else out_prev)
        h, c = ops.where(keep, h, h_prev), ops.where(keep, c, c_prev)
        return (h, c, out), (out, c, out)

    return body


def _scan(body: Callable, carry: tuple, xs, unroll: bool) -> tuple[tuple, tuple]:
    """``keras.ops.scan`` or the same recursion as a Python loop; returns (final carry, stacked ys)."""
    if not unroll:
        return ops.scan(body, carry, xs, unroll=SCAN_UNROLL)
    history = []
    for t in range(xs.shape[0]):
        carry, ys = body(carry, xs[t])
        history.append(ys)
    return carry, tuple(ops.stack(parts) for parts in zip(*history))


def lstm_loop(
    step: Step,
    inputs,
    h0,
    c0,
    mask=None,
    unroll: bool = False,
    zero_output_for_mask: bool = False,
) -> LoopResult:
    """Run ``step`` over the time axis of ``inputs``.

    Args:
        step: ``(x_t, h, c) -> (h, c)``, e.g. :meth:`lstm_lib.keras_layers.cell.LSTMCell.step`.
        inputs: (time, batch, features).
        h0, c0: the initial states, (batch, units) each.
        mask: None, or booleans (time, batch): False skips a step for one sequence.
        unroll: a Python loop (needs a known number of steps) instead of a symbolic one.
        zero_output_for_mask: zeros rather than the previous output at skipped steps.

    Returns:
        A :class:`LoopResult`.
    """
    if mask is None:
        (h, c), (outputs, cells) = _scan(_plain_step(step), (h0, c0), inputs, unroll)
        return LoopResult(outputs, cells, h, h, c)
    carry = (h0, c0, ops.zeros_like(h0))
    # The mask rides along as one more input column: keras.ops.scan on TensorFlow (Keras 3.15) fails
    # on two sequences whose number of steps is unknown when the graph is built.
    xs = ops.concatenate([inputs, ops.expand_dims(ops.cast(mask, inputs.dtype), -1)], axis=-1)
    (h, c, last_output), (outputs, cells, _) = _scan(_masked_step(step, zero_output_for_mask), carry, xs, unroll)
    return LoopResult(outputs, cells, last_output, h, c)
