"""The checks of Chapter 4's workbook: an LSTM cell and a GRU cell of your own, run by ``dynamic_rnn``.

Your cell is a class like :class:`lstm_lib.tf_rnn.cells.LSTMCell` (a subclass of it, with your own ``step``,
is the short way). The check builds it in float64, runs it over fixed sequences with
:func:`lstm_lib.tf_rnn.dynamic_rnn`, and compares its outputs, its final state and the gradients
TensorFlow takes through it with the NumPy layers of Chapters 2 and 3 on the same weights. TensorFlow is
imported when a check is called, not before.
"""

from __future__ import annotations

import numpy as np

from ..numpy_gru import gru_backward, gru_forward
from ..numpy_lstm import lstm_backward, lstm_forward
from ._checking import Case, CheckFailed, compare, passed
from .chapter2 import _step as _lstm_step
from .chapter3 import _gru

SEQUENCE_SHAPES = [(1, 1, 1, 1), (1, 4, 3, 2), (3, 5, 2, 4)]  # batch, time, features, units


def _sequence_cases(seed: int) -> list[Case]:
    rng = np.random.default_rng(seed)
    cases = []
    for k, (batch, time, features, units) in enumerate(SEQUENCE_SHAPES):
        x = rng.standard_normal((batch, time, features))
        label = (
            f"case {k + 1} of {len(SEQUENCE_SHAPES)} (batch {batch}, {time} steps, {features} features, {units} units)"
        )
        cases.append(Case({"x": x, "units": units, "seed": 10 + k}, label))
    return cases


def _build(candidate: type, case: Case, name: str):
    """The learner's cell for the case, built in float64, and its weights as NumPy arrays."""
    if not isinstance(candidate, type):
        raise CheckFailed(f"Expected your cell's class, such as MyLSTMCell (not an instance). Received: {candidate!r}.")
    try:
        cell = candidate(case.args["units"], seed=case.args["seed"], dtype="float64")
        cell.build(case.args["x"].shape[2])
    except NotImplementedError:
        raise CheckFailed(
            f"{name} is not written yet: replace its `raise NotImplementedError` with your code."
        ) from None
    except Exception as error:  # noqa: BLE001
        raise CheckFailed(
            f"building {candidate.__name__}({case.args['units']}, seed=..., dtype='float64') raised "
            f"{type(error).__name__}: {error}"
        ) from None
    weights = {name: np.asarray(getattr(cell, name)) for name in ("kernel", "recurrent_kernel", "bias")}
    return cell, weights


def _run(cell, case: Case, name: str, states: int):
    """Run ``dynamic_rnn``; return outputs, final states and the gradients of L = sum(G * outputs)."""
    import tensorflow as tf

    from ..tf_rnn import dynamic_rnn

    x = tf.constant(case.args["x"])
    d_outputs = np.random.default_rng(case.args["seed"]).standard_normal((*x.shape[:2], case.args["units"]))
    try:
        with tf.GradientTape() as tape:
            outputs, state = dynamic_rnn(cell, x)
            loss = tf.reduce_sum(outputs * d_outputs)
        grads = tape.gradient(loss, [cell.kernel, cell.recurrent_kernel, cell.bias])
    except NotImplementedError:
        raise CheckFailed(
            f"{name} is not written yet: replace its `raise NotImplementedError` with your code."
        ) from None
    except Exception as error:  # noqa: BLE001
        raise CheckFailed(
            f"dynamic_rnn with your cell raised {type(error).__name__} on {case.label}: {error}"
        ) from None
    if any(g is None for g in grads):
        raise CheckFailed(
            f"TensorFlow finds no gradient through your step on {case.label}: compute it with "
            "TensorFlow operations on the cell's variables (cell.kernel, ...), not NumPy."
        )
    flat_state = tf.nest.flatten(state)
    if len(flat_state) != states:
        raise CheckFailed(
            f"the final state of your cell has {len(flat_state)} tensors on {case.label}; it should have {states}."
        )
    return (
        np.asarray(outputs),
        [np.asarray(s) for s in flat_state],
        dict(zip(("kernel", "recurrent_kernel", "bias"), (np.asarray(g) for g in grads))),
        d_outputs,
    )


def _lstm_sequence(x: np.ndarray, w: dict, **mistake) -> np.ndarray:
    """The outputs of an LSTM that makes one of the common mistakes (Chapter 2's, step by step)."""
    h = c = np.zeros((x.shape[0], w["kernel"].shape[1] // 4))
    outputs = []
    for t in range(x.shape[1]):
        h, c = _lstm_step({"x_t": x[:, t], "h_prev": h, "c_prev": c, **w}, **mistake)
        outputs.append(h)
    return np.stack(outputs, axis=1)


def check_tf_lstm_cell(candidate: type) -> None:
    """Check an LSTM cell class with the interface of :class:`lstm_lib.tf_rnn.cells.LSTMCell`.

    ``candidate(units, seed=..., dtype="float64")`` must build its ``kernel`` (features, 4 units),
    ``recurrent_kernel`` (units, 4 units) and ``bias`` (4 units,) and run one step, state ``(h, c)``, gate
    order i, f, c, o. ``dynamic_rnn`` runs it; outputs, final state and gradients are compared with the
    NumPy LSTM on the same weights.
    """
    cases, worst = _sequence_cases(401), 0.0
    for case in cases:
        cell, w = _build(candidate, case, "your LSTM cell")
        outputs, state, grads, d_outputs = _run(cell, case, "your LSTM cell", states=2)
        x = case.args["x"]
        expected, (h, c), cache = lstm_forward(x, **w)
        mistakes = {
            "h equals o * c: the tanh on the cell state is missing.": lambda x=x, w=w: _lstm_sequence(
                x, w, output_tanh=False
            ),
            "i and f look swapped: the gate order is i, f, c, o (Keras's).": lambda x=x, w=w: _lstm_sequence(
                x, w, order="fico"
            ),
            "the gates look like TensorFlow 1's order i, c, f, o: Keras's is i, f, c, o.": lambda x=x, w=w: (
                _lstm_sequence(x, w, order="icfo")
            ),
            "the candidate uses a sigmoid: it is tanh(z_c).": lambda x=x, w=w: _lstm_sequence(
                x, w, candidate_tanh=False
            ),
        }
        worst = max(worst, compare("the outputs", outputs, expected, case, mistakes))
        worst = max(worst, compare("the final h", state[0], h, case))
        worst = max(worst, compare("the final c", state[1], c, case))
        numpy_grads = lstm_backward(d_outputs, cache)
        for name, value in grads.items():
            worst = max(worst, compare(f"the gradient of {name}", value, numpy_grads[name], case))
    passed("your LSTM cell", cases, worst, "; dynamic_rnn's outputs, states and gradients equal the NumPy LSTM's")


def _gru_sequence(x: np.ndarray, w: dict, **mistake) -> np.ndarray:
    h = np.zeros((x.shape[0], w["kernel"].shape[1] // 3))
    outputs = []
    for t in range(x.shape[1]):
        h = _gru({"x_t": x[:, t], "h_prev": h, **w}, **mistake)
        outputs.append(h)
    return np.stack(outputs, axis=1)


def check_tf_gru_cell(candidate: type) -> None:
    """Check a GRU cell class with the interface of :class:`lstm_lib.tf_rnn.cells.GRUCell`.

    ``kernel`` (features, 3 units), ``recurrent_kernel`` (units, 3 units), ``bias`` (2, 3 units), gate order
    z, r, h, Keras's convention h = z h_{t-1} + (1 - z) hh and its ``reset_after=True``. Compared with the
    NumPy GRU of Chapter 3 on the same weights.
    """
    cases, worst = _sequence_cases(403), 0.0
    for case in cases:
        cell, w = _build(candidate, case, "your GRU cell")
        outputs, state, grads, d_outputs = _run(cell, case, "your GRU cell", states=1)
        x = case.args["x"]
        expected, h, cache = gru_forward(x, **w)
        mistakes = {
            "h = (1 - z) h_{t-1} + z hh is the other convention: in Keras's, z keeps the old state.": (
                lambda x=x, w=w: _gru_sequence(x, w, convention="chung")
            ),
            "the reset gate scales h_{t-1} before its product: Keras's default scales u_h after it.": (
                lambda x=x, w=w: _gru_sequence(x, w, reset="before")
            ),
            "z and r look swapped: the gate order is z, r, h.": lambda x=x, w=w: _gru_sequence(x, w, order="rzh"),
        }
        worst = max(worst, compare("the outputs", outputs, expected, case, mistakes))
        worst = max(worst, compare("the final h", state[0], h, case))
        numpy_grads = gru_backward(d_outputs, cache)
        for name, value in grads.items():
            worst = max(worst, compare(f"the gradient of {name}", value, numpy_grads[name], case))
    passed("your GRU cell", cases, worst, "; dynamic_rnn's outputs, states and gradients equal the NumPy GRU's")
