"""The checks of Chapter 2's workbook: one LSTM step forward and backward, and a sigmoid that never overflows."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..activations import sigmoid
from ..layer_parts import product_backward, split_blocks
from ..numpy_lstm import lstm_step_backward, lstm_step_forward
from ._checking import Case, CheckFailed, call, cases_of, check_step_backward, compare, passed

LSTM_SHAPES = [
    {"batch": 1, "features": 1, "units": 1},
    {"batch": 1, "features": 3, "units": 2},
    {"batch": 2, "features": 2, "units": 3},
    {"batch": 3, "features": 4, "units": 4},
]


def _lstm_case(rng: np.random.Generator, sizes: dict) -> dict:
    b, d, u = sizes["batch"], sizes["features"], sizes["units"]
    return {
        "x_t": rng.standard_normal((b, d)),
        "h_prev": np.tanh(rng.standard_normal((b, u))),
        "c_prev": rng.standard_normal((b, u)),
        "kernel": 0.6 * rng.standard_normal((d, 4 * u)),
        "recurrent_kernel": 0.6 * rng.standard_normal((u, 4 * u)),
        "bias": 0.5 * rng.standard_normal(4 * u),  # no gate sits at its default
    }


def lstm_cases() -> list[Case]:
    return cases_of(_lstm_case, LSTM_SHAPES, seed=201)


def _step(
    a: dict,
    order: str = "ifco",
    output_tanh: bool = True,
    candidate_tanh: bool = True,
    forget: str = "f",
    tanh_of: str = "c",
) -> tuple[np.ndarray, np.ndarray]:
    """An LSTM step that can make the common mistakes: the blocks read in another ``order``, no tanh on
    the cell (``output_tanh``) or a sigmoid for the candidate, (1 - f) for f, tanh of c_{t-1} for h."""
    z = a["x_t"] @ a["kernel"] + a["h_prev"] @ a["recurrent_kernel"] + a["bias"]
    blocks = dict(zip(order, split_blocks(z, 4)))
    i, f, o = sigmoid(blocks["i"]), sigmoid(blocks["f"]), sigmoid(blocks["o"])
    g = np.tanh(blocks["c"]) if candidate_tanh else sigmoid(blocks["c"])
    f = f if forget == "f" else 1.0 - f
    c = f * a["c_prev"] + i * g
    shown = c if tanh_of == "c" else a["c_prev"]
    return o * (np.tanh(shown) if output_tanh else shown), c


def _forward_mistakes(a: dict, output: int) -> dict[str, Callable[[], np.ndarray]]:
    """What the common mistakes give for h_t (``output`` 0) or c_t (1) on the case ``a``."""
    return {
        "h equals o * c: the tanh on the cell state is missing.": lambda: _step(a, output_tanh=False)[output],
        "i and f look swapped: the gate order is i, f, c, o (Keras's).": lambda: _step(a, order="fico")[output],
        "the gates look like TensorFlow 1's order i, c, f, o: Keras's is i, f, c, o.": lambda: _step(a, order="icfo")[
            output
        ],
        "the candidate g uses a sigmoid: it is tanh(z_c), between -1 and 1.": lambda: _step(a, candidate_tanh=False)[
            output
        ],
        "the cell keeps (1 - f) of c_{t-1}: the forget gate f is the share kept, c_t = f c_{t-1} + i g.": lambda: _step(
            a, forget="1-f"
        )[output],
        "h shows tanh(c_{t-1}): it shows the new cell, h_t = o tanh(c_t).": lambda: _step(a, tanh_of="c_prev")[output],
    }


def check_lstm_step_forward(candidate: Callable) -> None:
    """Check ``lstm_step_forward(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias) -> (h_t, c_t, gates)``.

    z_t = x_t W + h_{t-1} U + b, split into i, f, c, o; i, f, o = sigmoid, g = tanh(z_c);
    c_t = f c_{t-1} + i g; h_t = o tanh(c_t); ``gates`` = (i, f, g, o). Shapes: x_t (batch, features),
    h_prev and c_prev (batch, units), kernel (features, 4 units), recurrent_kernel (units, 4 units), bias
    (4 units,); every output (batch, units).
    """
    cases, worst = lstm_cases(), 0.0
    for case in cases:
        a = case.args
        got = call(candidate, "lstm_step_forward", Case({k: v.copy() for k, v in a.items()}, case.label))
        if not (isinstance(got, tuple) and len(got) == 3 and isinstance(got[2], tuple | list) and len(got[2]) == 4):
            raise CheckFailed(
                f"lstm_step_forward should return (h_t, c_t, (i, f, g, o)); on {case.label} it "
                f"returned a {type(got).__name__}."
            )
        h, c, gates = lstm_step_forward(**a)
        worst = max(worst, compare("h_t", got[0], h, case, _forward_mistakes(a, 0)))
        worst = max(worst, compare("c_t", got[1], c, case, _forward_mistakes(a, 1)))
        for name, value, expected in zip("ifgo", got[2], gates):
            worst = max(worst, compare(f"the gate {name}", value, expected, case))
    passed("lstm_step_forward", cases, worst)


LSTM_GRADIENTS = {
    "h_prev": "h_prev",
    "c_prev": "c_prev",
    "x": "x_t",
    "kernel": "kernel",
    "recurrent_kernel": "recurrent_kernel",
    "bias": "bias",
}


def _lstm_backward_inputs(case: Case) -> dict:
    a, rng = case.args, np.random.default_rng(11)
    h, c, gates = lstm_step_forward(**a)
    return {
        "d_h": rng.standard_normal(h.shape),
        "d_c_later": rng.standard_normal(c.shape),
        "x_t": a["x_t"],
        "h_prev": a["h_prev"],
        "c_prev": a["c_prev"],
        "c": c,
        "gates": gates,
        "kernel": a["kernel"],
        "recurrent_kernel": a["recurrent_kernel"],
    }


def _wrong_backward(inputs: dict, mistake: str) -> dict[str, np.ndarray]:
    """The backward step with one of the common mistakes made."""
    i, f, g, o = inputs["gates"]
    d_h, d_c_later, c = inputs["d_h"], inputs["d_c_later"], inputs["c"]
    tanh_c = np.tanh(c)
    through_h = d_h * o * (1 - tanh_c**2)
    d_c = {"no path through h": d_c_later, "no path from later": through_h}.get(mistake, d_c_later + through_h)
    slopes = [i * (1 - i), f * (1 - f), 1 - g**2, o * (1 - o)]
    if mistake == "no slopes":
        slopes = [1.0, 1.0, 1.0, 1.0]
    reached = [d_c * g, d_c * inputs["c_prev"], d_c * i, d_h * tanh_c]
    if mistake == "i f swapped":
        reached = [reached[1], reached[0], reached[2], reached[3]]
    d_z = np.concatenate([r * s for r, s in zip(reached, slopes)], axis=-1)
    grads = product_backward(d_z, inputs["x_t"], inputs["h_prev"], inputs["kernel"], inputs["recurrent_kernel"])
    grads["c_prev"] = d_c * (i if mistake == "c_prev by i" else 1.0 if mistake == "c_prev without f" else f)
    return grads


def _lstm_backward_mistakes(key: str, case: Case, inputs: dict) -> dict[str, Callable[[], np.ndarray]]:
    messages = {
        "no path through h": "dc_t lacks the path through h_t = o tanh(c_t): add d_h * o * (1 - tanh(c_t)^2).",
        "no path from later": "dc_t lacks what comes from the next step through c_{t+1}: add d_c_later.",
        "no slopes": "dz_t lacks the slopes of the activations: s (1 - s) for i, f, o and 1 - g^2 for g.",
        "i f swapped": "the gradients reaching i and f look swapped: dL/di = dc g and dL/df = dc c_{t-1}.",
        "c_prev by i": "dc_{t-1} is dc_t * i_t: the cell state passes to c_{t-1} through the forget gate, dc_t * f_t.",
        "c_prev without f": "dc_{t-1} is dc_t itself: it passes through the forget gate, dc_t * f_t.",
    }
    return {message: (lambda m=mistake: _wrong_backward(inputs, m)[key]) for mistake, message in messages.items()}


def check_lstm_step_backward(candidate: Callable, forward: Callable | None = None) -> None:
    """Check ``lstm_step_backward(d_h, d_c_later, x_t, h_prev, c_prev, c, gates, kernel, recurrent_kernel)``.

    It returns a dict of ``h_prev``, ``c_prev``, ``x``, ``kernel``, ``recurrent_kernel`` and ``bias``: the
    gradients of the loss whose gradient is ``d_h`` at h_t and ``d_c_later`` at c_t (what reaches c_t
    through c_{t+1}). They are compared with the library's and with finite differences of ``forward``: your
    ``lstm_step_forward`` when you pass it (``forward=lstm_step_forward``), the library's otherwise.
    """
    check_step_backward(
        "lstm_step_backward",
        candidate,
        lstm_cases(),
        _lstm_backward_inputs,
        lstm_step_backward,
        forward or lstm_step_forward,
        "your lstm_step_forward" if forward is not None else "lstm_step_forward",
        lambda out, inputs: (
            np.sum(inputs["d_h"] * np.asarray(out[0], np.float64))
            + np.sum(inputs["d_c_later"] * np.asarray(out[1], np.float64))
        ),
        LSTM_GRADIENTS,
        _lstm_backward_mistakes,
    )


def _sigmoid_cases() -> list[Case]:
    rng = np.random.default_rng(203)
    arrays = [
        rng.standard_normal(5),
        rng.standard_normal((3, 4)) * 5,
        np.array([-1000.0, -40.0, 0.0, 40.0, 1000.0]),  # where exp(-z) or exp(z) overflows
        np.array([[-745.0, 710.0], [-1e300, 1e300]]),
    ]
    labels = ["small values", "values up to 15", "large values, up to 1000", "huge values, up to 1e300"]
    return [Case({"z": z}, f"case {k + 1} of 4 ({label})") for k, (z, label) in enumerate(zip(arrays, labels))]


def check_sigmoid(candidate: Callable) -> None:
    """Check ``sigmoid(z) -> array``: 1 / (1 + exp(-z)) for every entry of z, of any shape, with no overflow
    for any finite z (the check turns NumPy's overflow warnings into errors)."""
    cases, worst = _sigmoid_cases(), 0.0
    for case in cases:
        z = case.args["z"]
        with np.errstate(over="raise", invalid="raise"):
            got = call(candidate, "sigmoid", Case({"z": z.copy()}, case.label))
        with np.errstate(over="ignore"):
            mistakes = {
                "this is 1 / (1 + exp(z)): the exponent is -z.": lambda z=z: 1.0 / (1.0 + np.exp(z)),
                "this is tanh(z): the sigmoid is (tanh(z / 2) + 1) / 2, between 0 and 1.": lambda z=z: np.tanh(z),
                "this is tanh(z / 2): add 1 and halve it.": lambda z=z: np.tanh(z / 2),
            }
        worst = max(worst, compare("sigmoid(z)", got, sigmoid(z), case, mistakes))
    passed("sigmoid", cases, worst, "; it did not overflow, even at 1e300")
