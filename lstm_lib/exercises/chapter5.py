"""The checks of Chapter 5's workbook: the step of a Keras LSTM cell, and the masked loop over time.

Keras and TensorFlow are imported when a check is called. Both checks run in float64.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..numpy_lstm import lstm_forward
from ._checking import Case, CheckFailed, call, compare, passed
from .chapter4 import _lstm_sequence

KERAS_SHAPES = [(1, 1, 1, 1), (2, 4, 3, 2), (3, 6, 2, 5)]  # batch, time, features, units


def check_keras_lstm_cell(candidate: type) -> None:
    """Check a Keras LSTM cell class with the interface of :class:`lstm_lib.keras_layers.cell.LSTMCell`.

    The short way is a subclass with your own ``step(self, x_t, h, c, input_masks=None,
    recurrent_masks=None) -> (h_t, c_t)`` written with ``keras.ops``. ``keras.layers.RNN`` runs your cell
    over fixed sequences; its outputs, final states and gradients must equal ``keras.layers.LSTM``'s with
    the same weights.
    """
    import keras
    import tensorflow as tf

    if not isinstance(candidate, type):
        raise CheckFailed(f"Expected your cell's class, such as MyLSTMCell. Received: {candidate!r}.")
    rng, worst, cases = np.random.default_rng(501), 0.0, []
    for k, (batch, time, features, units) in enumerate(KERAS_SHAPES):
        case = Case(
            {}, f"case {k + 1} of {len(KERAS_SHAPES)} (batch {batch}, {time} steps, {features} features, {units} units)"
        )
        cases.append(case)
        x = rng.standard_normal((batch, time, features))
        weights = [
            0.6 * rng.standard_normal((features, 4 * units)),
            0.6 * rng.standard_normal((units, 4 * units)),
            0.5 * rng.standard_normal(4 * units),
        ]
        reference = keras.layers.LSTM(units, return_sequences=True, return_state=True, dtype="float64")
        reference.build((None, None, features))
        reference.set_weights(weights)
        try:
            cell = candidate(units, dtype="float64")
            layer = keras.layers.RNN(cell, return_sequences=True, return_state=True, dtype="float64")
            layer.build((None, None, features))
            layer.set_weights(weights)
        except Exception as error:  # noqa: BLE001
            raise CheckFailed(
                f"building keras.layers.RNN({candidate.__name__}({units})) raised {type(error).__name__}: {error}"
            ) from None
        d_outputs = rng.standard_normal((batch, time, units))
        results = []
        for run in (layer, reference):
            with tf.GradientTape() as tape:
                try:
                    outputs, h, c = run(tf.constant(x))
                except NotImplementedError:
                    raise CheckFailed(
                        "your cell's step is not written yet: replace its `raise NotImplementedError` with your code."
                    ) from None
                except Exception as error:  # noqa: BLE001
                    raise CheckFailed(
                        f"keras.layers.RNN with your cell raised {type(error).__name__} on {case.label}: {error}"
                    ) from None
                loss = tf.reduce_sum(outputs * d_outputs)
            grads = tape.gradient(loss, run.trainable_variables)
            if any(g is None for g in grads):
                raise CheckFailed(
                    f"Keras finds no gradient through your step on {case.label}: compute it with "
                    "keras.ops on the cell's weights."
                )
            results.append((np.asarray(outputs), np.asarray(h), np.asarray(c), [np.asarray(g) for g in grads]))
        (outputs, h, c, grads), (outputs_ref, h_ref, c_ref, grads_ref) = results
        w = dict(zip(("kernel", "recurrent_kernel", "bias"), weights))
        mistakes = {
            "h equals o * c: the tanh on the cell state is missing.": lambda x=x, w=w: _lstm_sequence(
                x, w, output_tanh=False
            ),
            "i and f look swapped: the gate order is i, f, c, o.": lambda x=x, w=w: _lstm_sequence(x, w, order="fico"),
        }
        worst = max(worst, compare("outputs", outputs, outputs_ref, case, mistakes))
        worst = max(worst, compare("the final h", h, h_ref, case))
        worst = max(worst, compare("the final c", c, c_ref, case))
        for name, got, expected in zip(("kernel", "recurrent_kernel", "bias"), grads, grads_ref):
            worst = max(worst, compare(f"the gradient of {name}", got, expected, case))
        np.testing.assert_allclose(outputs_ref, lstm_forward(x, **w)[0], rtol=1e-9, atol=1e-12)  # the reference
    passed("your Keras LSTM cell", cases, worst, "; outputs, states and gradients equal keras.layers.LSTM's")


def _loop_cases() -> list[Case]:
    rng = np.random.default_rng(503)
    masks = [
        None,
        np.array([[True], [True], [False], [True]]),  # (time 4, batch 1): a skipped step in the middle
        np.array([[True, True, False], [True, False, False], [True, False, False], [False, False, False]]),
        np.array([[False, True], [True, True], [True, False]]),  # a sequence that starts late
    ]
    cases = []
    for k, mask in enumerate(masks):
        time, batch = (3, 2) if mask is None else mask.shape
        zero = k == 2
        args = {
            "inputs": rng.standard_normal((time, batch, 2)),
            "h0": rng.standard_normal((batch, 3)),
            "c0": rng.standard_normal((batch, 3)),
            "mask": mask,
            "zero_output_for_mask": zero,
        }
        what = "no mask" if mask is None else f"a mask, zero_output_for_mask={zero}"
        cases.append(Case(args, f"case {k + 1} of {len(masks)} ({time} steps, batch {batch}, {what})"))
    return cases


def check_lstm_loop(candidate: Callable) -> None:
    """Check ``lstm_loop(step, inputs, h0, c0, mask=None, unroll=False, zero_output_for_mask=False)``.

    It runs ``step(x_t, h, c) -> (h, c)`` over the time axis of ``inputs`` (time, batch, features) and
    returns a :class:`lstm_lib.keras_layers.loop.LoopResult` (or anything with its five attributes):
    ``outputs`` and ``cells`` (time, batch, units), ``last_output``, ``h`` and ``c`` (batch, units). Where
    ``mask[t, n]`` (time, batch) is False, sequence n skips step t: its h and c stay as they were, and its
    output is the previous output (zeros before the first), or zeros with ``zero_output_for_mask``.
    """
    import keras

    from ..keras_layers.loop import lstm_loop

    weights = np.random.default_rng(505)
    kernel, recurrent_kernel = 0.6 * weights.standard_normal((2, 12)), 0.6 * weights.standard_normal((3, 12))

    def step(x_t, h, c):
        x_t, h, c = (keras.ops.convert_to_numpy(v) for v in (x_t, h, c))
        h, (c_new, _) = _lstm_step_numpy(x_t, h, c, kernel, recurrent_kernel)
        return keras.ops.convert_to_tensor(h), keras.ops.convert_to_tensor(c_new)

    cases, worst = _loop_cases(), 0.0
    for case in cases:
        a = case.args
        expected = lstm_loop(step, a["inputs"], a["h0"], a["c0"], a["mask"], True, a["zero_output_for_mask"])
        given = {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in a.items()}
        got = call(candidate, "lstm_loop", case, step, **given)
        for name in ("outputs", "cells", "last_output", "h", "c"):
            if not hasattr(got, name):
                raise CheckFailed(
                    f"lstm_loop should return a LoopResult (outputs, cells, last_output, h, c); on "
                    f"{case.label} its result has no {name!r}."
                )
            value = keras.ops.convert_to_numpy(getattr(got, name))
            want = keras.ops.convert_to_numpy(getattr(expected, name))
            worst = max(worst, compare(name, value, want, case, _loop_mistakes(step, a, name)))
    passed("lstm_loop", cases, worst, " (with and without masks)")


def _lstm_step_numpy(x_t, h, c, kernel, recurrent_kernel):
    from ..numpy_lstm import lstm_step_forward

    h_new, c_new, gates = lstm_step_forward(x_t, h, c, kernel, recurrent_kernel, np.zeros(kernel.shape[1]))
    return h_new, (c_new, gates)


def _loop_mistakes(step: Callable, a: dict, name: str) -> dict[str, Callable[[], np.ndarray]]:
    def run(masked_state: str, masked_output: str) -> np.ndarray:
        import keras

        h, c, out = a["h0"], a["c0"], np.zeros_like(a["h0"])
        outputs, cells = [], []
        for t, x_t in enumerate(a["inputs"]):
            h_new, c_new = (keras.ops.convert_to_numpy(v) for v in step(x_t, h, c))
            keep = np.ones((len(h), 1), bool) if a["mask"] is None else a["mask"][t][:, None]
            if masked_state == "updated":
                h_kept, c_kept = h_new, c_new
            elif masked_state == "zeroed":
                h_kept, c_kept = np.where(keep, h_new, 0.0), np.where(keep, c_new, 0.0)
            else:
                h_kept, c_kept = np.where(keep, h_new, h), np.where(keep, c_new, c)
            out = np.where(keep, h_new, {"new": h_new, "zeros": 0.0, "previous": out}[masked_output])
            h, c = h_kept, c_kept
            outputs.append(out), cells.append(c)
        return {"outputs": np.stack(outputs), "cells": np.stack(cells), "last_output": out, "h": h, "c": c}[name]

    zero = "zeros" if a["zero_output_for_mask"] else "previous"
    return {
        "the mask is ignored: where it is False, the step is skipped (h and c kept, the output not new).": (
            lambda: run("updated", "new")
        ),
        "at a skipped step the state was updated anyway: where the mask is False, h and c keep their values.": (
            lambda: run("updated", zero)
        ),
        "at a skipped step the state was set to zeros: it keeps its previous values.": lambda: run("zeroed", zero),
        "at a skipped step the output is the new h: it is the previous output, or zeros with zero_output_for_mask.": (
            lambda: run("kept", "new")
        ),
        "the outputs at skipped steps ignore zero_output_for_mask.": lambda: run(
            "kept", "previous" if a["zero_output_for_mask"] else "zeros"
        ),
    }
