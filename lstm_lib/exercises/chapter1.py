"""The checks of Chapter 1's workbook: one RNN step forward and backward, and clipping by global norm."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..activations import sigmoid
from ..layer_parts import product_backward
from ..numpy_rnn import rnn_step_backward, rnn_step_forward
from ..optim import clip_by_global_norm
from ._checking import Case, CheckFailed, call, cases_of, check_step_backward, compare, passed

RNN_SHAPES = [
    {"batch": 1, "features": 1, "units": 1},
    {"batch": 1, "features": 3, "units": 2},
    {"batch": 2, "features": 4, "units": 4},  # features == units: a swapped kernel would fit
    {"batch": 3, "features": 2, "units": 5},
]
WEIGHTS = ("kernel", "recurrent_kernel", "bias")


def _rnn_case(rng: np.random.Generator, sizes: dict) -> dict:
    b, d, u = sizes["batch"], sizes["features"], sizes["units"]
    return {
        "x_t": rng.standard_normal((b, d)),
        "h_prev": np.tanh(rng.standard_normal((b, u))),
        "kernel": 0.6 * rng.standard_normal((d, u)),
        "recurrent_kernel": 0.6 * rng.standard_normal((u, u)),
        "bias": 0.5 * rng.standard_normal(u),
    }


def rnn_cases() -> list[Case]:
    return cases_of(_rnn_case, RNN_SHAPES, seed=101)


def _rnn_forward_mistakes(a: dict) -> dict[str, Callable[[], np.ndarray]]:
    """What common mistakes give for h_t on the case ``a``, by the message that names them."""
    x, h, w, u, b = a["x_t"], a["h_prev"], a["kernel"], a["recurrent_kernel"], a["bias"]
    return {
        "h_t equals x_t W + h_{t-1} U + b: the tanh is missing.": lambda: x @ w + h @ u + b,
        "h_t is a sigmoid of the product: the vanilla RNN squashes with tanh.": lambda: sigmoid(x @ w + h @ u + b),
        "the bias b is missing from x_t W + h_{t-1} U + b.": lambda: np.tanh(x @ w + h @ u),
        "the recurrent term h_{t-1} U is missing: without it the network has no memory.": lambda: np.tanh(x @ w + b),
        "the recurrent kernel is used transposed: h_{t-1} U, with U (units, units) as given.": lambda: np.tanh(
            x @ w + h @ u.T + b
        ),
        "kernel and recurrent_kernel look swapped: kernel multiplies x_t, recurrent_kernel h_{t-1}.": lambda: np.tanh(
            x @ u + h @ w + b
        ),
    }


def check_rnn_step_forward(candidate: Callable) -> None:
    """Check ``rnn_step_forward(x_t, h_prev, kernel, recurrent_kernel, bias) -> h_t``.

    h_t = tanh(x_t W + h_{t-1} U + b): x_t (batch, features), h_prev (batch, units), kernel (features,
    units), recurrent_kernel (units, units), bias (units,); h_t (batch, units).
    """
    cases, worst = rnn_cases(), 0.0
    for case in cases:
        got = call(candidate, "rnn_step_forward", Case({k: v.copy() for k, v in case.args.items()}, case.label))
        worst = max(worst, compare("h_t", got, rnn_step_forward(**case.args), case, _rnn_forward_mistakes(case.args)))
    passed("rnn_step_forward", cases, worst)


RNN_GRADIENTS = {
    "h_prev": "h_prev",
    "x": "x_t",
    "kernel": "kernel",
    "recurrent_kernel": "recurrent_kernel",
    "bias": "bias",
}


def _rnn_backward_inputs(case: Case) -> dict:
    a = case.args
    d_h = np.random.default_rng(7).standard_normal(a["h_prev"].shape)
    return {
        "d_h": d_h,
        "h_t": rnn_step_forward(**a),
        "h_prev": a["h_prev"],
        "x_t": a["x_t"],
        "kernel": a["kernel"],
        "recurrent_kernel": a["recurrent_kernel"],
    }


def _rnn_backward_mistakes(key: str, case: Case, inputs: dict) -> dict:
    a, d_h, h_t = case.args, inputs["d_h"], inputs["h_t"]
    z = a["x_t"] @ a["kernel"] + a["h_prev"] @ a["recurrent_kernel"] + a["bias"]

    def through(d_z: np.ndarray) -> Callable[[], np.ndarray]:
        return lambda: product_backward(d_z, a["x_t"], a["h_prev"], a["kernel"], a["recurrent_kernel"])[key]

    mistakes = {
        "dz_t lacks the slope of tanh: dz_t = d_h * (1 - h_t^2).": through(d_h),
        "the slope of tanh is taken at h_{t-1}: it is 1 - h_t^2, at this step's output.": through(
            d_h * (1 - a["h_prev"] ** 2)
        ),
        "the slope of tanh is written with z_t: tanh'(z) = 1 - tanh(z)^2 = 1 - h_t^2, not 1 - z^2.": through(
            d_h * (1 - z**2)
        ),
        "the gradient has the wrong sign.": lambda: -rnn_step_backward(**inputs)[key],
    }
    if key == "h_prev":
        right = d_h * (1 - h_t**2)
        mistakes["dh_{t-1} uses U itself: it is dz_t U^T."] = lambda: right @ a["recurrent_kernel"]
    return mistakes


def check_rnn_step_backward(candidate: Callable, forward: Callable | None = None) -> None:
    """Check ``rnn_step_backward(d_h, h_t, h_prev, x_t, kernel, recurrent_kernel) -> dict``.

    With dz_t = d_h * (1 - h_t^2), it returns ``h_prev`` = dz_t U^T, ``x`` = dz_t W^T, ``kernel`` =
    x_t^T dz_t, ``recurrent_kernel`` = h_{t-1}^T dz_t and ``bias`` = dz_t summed over the batch. Each is
    compared with the library's and with finite differences of ``forward``: your ``rnn_step_forward``
    when you pass it (``forward=rnn_step_forward``), the library's otherwise, so you see whether your
    two halves agree.
    """
    check_step_backward(
        "rnn_step_backward",
        candidate,
        rnn_cases(),
        _rnn_backward_inputs,
        rnn_step_backward,
        forward or rnn_step_forward,
        "your rnn_step_forward" if forward is not None else "rnn_step_forward",
        lambda h, inputs: np.sum(inputs["d_h"] * np.asarray(h, np.float64)),
        RNN_GRADIENTS,
        _rnn_backward_mistakes,
    )


def _clip_cases() -> list[Case]:
    rng = np.random.default_rng(103)
    shapes = [((3,), (2, 2)), ((5, 4), (4,)), ((1,),), ((2, 3), (3,), (3, 3))]
    cases = []
    for k, (shape_set, max_norm) in enumerate(zip(shapes, (1.0, 100.0, 0.5, 2.0))):
        grads = {f"g{j}": rng.standard_normal(shape) * (3.0 if k != 1 else 0.5) for j, shape in enumerate(shape_set)}
        label = f"case {k + 1} of {len(shapes)} ({len(grads)} arrays, max_norm {max_norm})"
        cases.append(Case({"grads": grads, "max_norm": max_norm}, label))
    return cases


def _clip_mistakes(original: dict, name: str, max_norm: float, total: float) -> dict[str, Callable[[], np.ndarray]]:
    g = original[name]
    return {
        "each array was clipped by its own norm: clip all of them by their norm together.": lambda: (
            g * min(1.0, max_norm / float(np.linalg.norm(g)))
        ),
        "clipped although the norm is below max_norm: the scale is min(1, max_norm / |g|).": lambda: (
            g * max_norm / total
        ),
        "scaled by |g| / max_norm: the scale is max_norm / |g|.": lambda: g * total / max_norm,
    }


def check_clip_by_global_norm(candidate: Callable) -> None:
    """Check ``clip_by_global_norm(grads, max_norm) -> float``: scale every array of the dict ``grads`` in
    place by ``min(1, max_norm / ||g||)``, with ``||g||`` the norm of all of them together, and return
    ``||g||`` (before clipping)."""
    cases, worst = _clip_cases(), 0.0
    for case in cases:
        original = {k: v.copy() for k, v in case.args["grads"].items()}
        given = {k: v.copy() for k, v in original.items()}
        arrays = dict(given)  # the array objects the candidate must scale in place, whatever it does to the dict
        norm = call(candidate, "clip_by_global_norm", case, given, case.args["max_norm"])
        given = arrays
        expected = {k: v.copy() for k, v in original.items()}
        expected_norm = clip_by_global_norm(expected, case.args["max_norm"])
        total = float(np.sqrt(sum(np.sum(g * g) for g in original.values())))
        if not isinstance(norm, int | float | np.floating) or not np.isfinite(norm):
            raise CheckFailed(
                f"clip_by_global_norm should return the norm as a number; on {case.label} it returned {norm!r}."
            )
        if abs(norm - total**2) <= 1e-9 * total**2 and total != 1.0:
            raise CheckFailed(
                f"the returned norm is wrong on {case.label}: it is the sum of squares; the norm is its square root."
            )
        clipped_norm = float(np.sqrt(sum(np.sum(g * g) for g in expected.values())))
        if total > case.args["max_norm"] and abs(norm - clipped_norm) <= 1e-9 and abs(total - clipped_norm) > 1e-6:
            raise CheckFailed(
                f"the returned norm is wrong on {case.label}: it is the norm after clipping; return the norm before it."
            )
        worst = max(worst, compare("the returned norm", np.float64(norm), np.float64(expected_norm), case))
        untouched = all(np.array_equal(given[k], original[k]) for k in original)
        if untouched and total > case.args["max_norm"]:
            raise CheckFailed(
                f"the gradients were not changed on {case.label}, although their norm {total:.3g} is "
                f"above max_norm: scale the arrays in place (g *= ...), do not build new ones."
            )
        for name in original:
            mistakes = _clip_mistakes(original, name, case.args["max_norm"], total)
            worst = max(worst, compare(f"grads[{name!r}] after clipping", given[name], expected[name], case, mistakes))
    passed("clip_by_global_norm", cases, worst, "; the arrays were scaled in place and the norm returned")
