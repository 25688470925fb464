"""The checks of Chapter 3's workbook: one GRU step forward and backward, and the step of every LSTM variant."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..activations import sigmoid
from ..layer_parts import split_blocks
from ..numpy_gru import gru_step_backward, gru_step_forward
from ..numpy_lstm_variants import VARIANTS, variant_step
from ._checking import Case, CheckFailed, call, cases_of, check_step_backward, compare, passed

GRU_SHAPES = [
    {"batch": 1, "features": 1, "units": 1},
    {"batch": 1, "features": 3, "units": 2},
    {"batch": 2, "features": 2, "units": 3},
    {"batch": 3, "features": 4, "units": 4},
]


def _gru_case(rng: np.random.Generator, sizes: dict) -> dict:
    b, d, u = sizes["batch"], sizes["features"], sizes["units"]
    return {
        "x_t": rng.standard_normal((b, d)),
        "h_prev": np.tanh(rng.standard_normal((b, u))),
        "kernel": 0.6 * rng.standard_normal((d, 3 * u)),
        "recurrent_kernel": 0.6 * rng.standard_normal((u, 3 * u)),
        "bias": 0.5 * rng.standard_normal((2, 3 * u)),
    }


def gru_cases() -> list[Case]:
    return cases_of(_gru_case, GRU_SHAPES, seed=301)


def _gru(a: dict, order: str = "zrh", convention: str = "keras", reset: str = "after", recurrent_bias: bool = True):
    """A GRU step that can make the common mistakes; returns h_t."""
    inputs = dict(zip(order, split_blocks(a["x_t"] @ a["kernel"] + a["bias"][0], 3)))
    state_bias = a["bias"][1] if recurrent_bias else 0.0
    state = dict(zip(order, split_blocks(a["h_prev"] @ a["recurrent_kernel"] + state_bias, 3)))
    z, r = sigmoid(inputs["z"] + state["z"]), sigmoid(inputs["r"] + state["r"])
    if reset == "after":
        hh = np.tanh(inputs["h"] + r * state["h"])
    else:  # Cho et al.'s: the reset gate scales h_{t-1} before its product
        units = a["h_prev"].shape[1]
        hh = np.tanh(inputs["h"] + (r * a["h_prev"]) @ a["recurrent_kernel"][:, 2 * units :] + state_bias[2 * units :])
    return z * a["h_prev"] + (1 - z) * hh if convention == "keras" else (1 - z) * a["h_prev"] + z * hh


def _gru_forward_mistakes(a: dict) -> dict[str, Callable[[], np.ndarray]]:
    return {
        "h = (1 - z) h_{t-1} + z hh: that is Chung et al.'s and Colah's convention; in Keras's (and Cho et al.'s), z "
        "keeps the old state: h = z h_{t-1} + (1 - z) hh.": lambda: _gru(a, convention="chung"),
        "the reset gate scales h_{t-1} before its product (Keras's reset_after=False); here it scales u_h = "
        "h_{t-1} U_h + b_rec after it.": lambda: _gru(a, reset="before"),
        "the recurrent bias bias[1] is missing: the state's part is h_{t-1} U + bias[1].": lambda: _gru(
            a, recurrent_bias=False
        ),
        "z and r look swapped: the gate order is z, r, h.": lambda: _gru(a, order="rzh"),
    }


def check_gru_step_forward(candidate: Callable) -> None:
    """Check ``gru_step_forward(x_t, h_prev, kernel, recurrent_kernel, bias) -> (h_t, (z, r, hh, u_h))``.

    [x_z | x_r | x_h] = x_t W + bias[0]; [u_z | u_r | u_h] = h_{t-1} U + bias[1]; z = sigmoid(x_z + u_z);
    r = sigmoid(x_r + u_r); hh = tanh(x_h + r u_h); h_t = z h_{t-1} + (1 - z) hh (Keras's convention).
    Shapes: x_t (batch, features), h_prev (batch, units), kernel (features, 3 units), recurrent_kernel
    (units, 3 units), bias (2, 3 units); every output (batch, units).
    """
    cases, worst = gru_cases(), 0.0
    for case in cases:
        a = case.args
        got = call(candidate, "gru_step_forward", Case({k: v.copy() for k, v in a.items()}, case.label))
        if not (isinstance(got, tuple) and len(got) == 2 and isinstance(got[1], tuple | list) and len(got[1]) == 4):
            raise CheckFailed(
                f"gru_step_forward should return (h_t, (z, r, hh, u_h)); on {case.label} it returned "
                f"a {type(got).__name__}."
            )
        h, parts = gru_step_forward(**a)
        worst = max(worst, compare("h_t", got[0], h, case, _gru_forward_mistakes(a)))
        for name, value, expected in zip(("z", "r", "hh", "u_h"), got[1], parts):
            worst = max(worst, compare(f"{name} (the second output's)", value, expected, case))
    passed("gru_step_forward", cases, worst)


GRU_GRADIENTS = {
    "h_prev": "h_prev",
    "x": "x_t",
    "kernel": "kernel",
    "recurrent_kernel": "recurrent_kernel",
    "bias": "bias",
}


def _gru_backward_inputs(case: Case) -> dict:
    a = case.args
    h, parts = gru_step_forward(**a)
    return {
        "d_h": np.random.default_rng(13).standard_normal(h.shape),
        "x_t": a["x_t"],
        "h_prev": a["h_prev"],
        "gates": parts,
        "kernel": a["kernel"],
        "recurrent_kernel": a["recurrent_kernel"],
    }


def _wrong_gru_backward(inputs: dict, mistake: str) -> dict[str, np.ndarray]:
    z, r, hh, u_h = inputs["gates"]
    d_h, h_prev = inputs["d_h"], inputs["h_prev"]
    slope_z = z * (1 - z) if mistake != "no slopes" else 1.0
    difference = hh - h_prev if mistake == "update sign" else h_prev - hh
    d_update = d_h * difference * slope_z
    d_candidate = d_h * (1 - z) * ((1 - hh**2) if mistake != "no slopes" else 1.0)
    d_reset = d_candidate * u_h * (r * (1 - r) if mistake != "no slopes" else 1.0)
    d_inputs = np.concatenate([d_update, d_reset, d_candidate], axis=-1)
    d_state = np.concatenate([d_update, d_reset, d_candidate * (r if mistake != "no r" else 1.0)], axis=-1)
    direct = d_h * z if mistake != "no direct path" else 0.0
    return {
        "h_prev": direct + d_state @ inputs["recurrent_kernel"].T,
        "x": d_inputs @ inputs["kernel"].T,
        "kernel": inputs["x_t"].T @ d_inputs,
        "recurrent_kernel": h_prev.T @ d_state,
        "bias": np.stack([d_inputs.sum(axis=0), d_state.sum(axis=0)]),
    }


def _gru_backward_mistakes(key: str, case: Case, inputs: dict) -> dict[str, Callable[[], np.ndarray]]:
    messages = {
        "no direct path": "dh_{t-1} lacks the direct path d_h * z_t: h_t = z_t h_{t-1} + ... keeps z_t of h_{t-1}.",
        "update sign": "the update gate's gradient has the wrong sign: dh_t/dz_t = h_{t-1} - hh_t.",
        "no r": "the candidate's gradient reaches u_h without r_t: hh = tanh(x_h + r u_h), so dq_h = da_h * r_t.",
        "no slopes": "dz lacks the slopes of the activations: z (1 - z), r (1 - r) and 1 - hh^2.",
    }
    return {message: (lambda m=mistake: _wrong_gru_backward(inputs, m)[key]) for mistake, message in messages.items()}


def check_gru_step_backward(candidate: Callable, forward: Callable | None = None) -> None:
    """Check ``gru_step_backward(d_h, x_t, h_prev, gates, kernel, recurrent_kernel) -> dict``.

    ``gates`` is (z, r, hh, u_h) as the forward step returns them; the dict holds ``h_prev``, ``x``,
    ``kernel``, ``recurrent_kernel`` and ``bias`` (2, 3 units: the input product's row, then the
    recurrent one). Compared with the library's and with finite differences of ``forward``, your
    ``gru_step_forward`` when you pass it.
    """
    check_step_backward(
        "gru_step_backward",
        candidate,
        gru_cases(),
        _gru_backward_inputs,
        gru_step_backward,
        forward or gru_step_forward,
        "your gru_step_forward" if forward is not None else "gru_step_forward",
        lambda out, inputs: np.sum(inputs["d_h"] * np.asarray(out[0], np.float64)),
        GRU_GRADIENTS,
        _gru_backward_mistakes,
    )


def _variant_cases() -> list[Case]:
    rng = np.random.default_rng(303)
    cases = []
    for k, (name, variant) in enumerate(VARIANTS.items()):
        batch, units = (1, 1) if k == 0 else (2, 3)
        peephole = rng.standard_normal((3, units)) if variant.peepholes else None
        args = {
            "z": 1.5 * rng.standard_normal((batch, len(variant.blocks) * units)),
            "c_prev": rng.standard_normal((batch, units)),
            "variant": variant,
            "peephole": peephole,
        }
        cases.append(Case(args, f"case {k + 1} of {len(VARIANTS)} (the {name} variant, batch {batch}, units {units})"))
    return cases


def _variant_mistakes(case: Case, key: str) -> dict[str, Callable[[], np.ndarray]]:
    a, variant = case.args, case.args["variant"]
    blocks = dict(zip(variant.blocks, split_blocks(a["z"], len(variant.blocks))))
    p = a["peephole"] if a["peephole"] is not None else np.zeros((3, a["c_prev"].shape[1]))
    mistakes = {}
    if variant.coupled:
        f = sigmoid(blocks["f"])
        c = f * a["c_prev"] + f * np.tanh(blocks["c"])
        mistakes["the coupled input gate is f itself: it is i = 1 - f."] = lambda: {
            "c": c,
            "h": sigmoid(blocks["o"]) * np.tanh(c),
        }[key]
    if variant.peepholes:
        i, f = sigmoid(blocks["i"] + p[0] * a["c_prev"]), sigmoid(blocks["f"] + p[1] * a["c_prev"])
        c = f * a["c_prev"] + i * np.tanh(blocks["c"])
        o = sigmoid(blocks["o"] + p[2] * a["c_prev"])
        mistakes["the output gate's peephole reads c_{t-1}: it reads the new cell, z_o + p_o c_t."] = lambda: {
            "c": c,
            "h": o * np.tanh(c),
        }[key]
    if not variant.output_activation:
        h = variant_step(**a)
        mistakes["h = o tanh(c): without output activation it is o c."] = lambda: {
            "c": h["c"],
            "h": h["o"] * np.tanh(h["c"]),
        }[key]
    if not variant.forget_gate:
        step = variant_step(**a)
        mistakes["the cell is multiplied by 0.5: without a forget gate f = 1, the cell only adds."] = lambda: {
            "c": 0.5 * a["c_prev"] + step["i"] * step["g"],
            "h": step["h"],
        }[key]
    return mistakes


def check_variant_step(candidate: Callable) -> None:
    """Check ``variant_step(z, c_prev, variant, peephole) -> dict`` on every variant of the LSTM.

    ``z`` is the product x_t W + h_{t-1} U + b, (batch, blocks * units), with one block per gate the
    ``variant`` has (``variant.blocks``, in the order i, f, c, o); ``peephole`` is (3, units) or None. The
    dict holds ``i``, ``f``, ``g``, ``o``, ``c``, ``h`` (and, as the library's does, ``a`` and ``c_prev``):
    a missing gate is the constant it stands for (f = 1 without a forget gate, i = 1 - f when coupled).
    """
    cases, worst = _variant_cases(), 0.0
    for case in cases:
        args = {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in case.args.items()}
        got = call(candidate, "variant_step", Case(args, case.label))
        expected = variant_step(**case.args)
        if not isinstance(got, dict) or set("ifgoch") - set(got):
            keys = sorted(got) if isinstance(got, dict) else type(got).__name__
            raise CheckFailed(
                f"variant_step should return a dict with i, f, g, o, c and h; on {case.label} it returned {keys}."
            )
        for key in ("c", "h"):
            worst = max(
                worst, compare(f"{key} of the dict", got[key], expected[key], case, _variant_mistakes(case, key))
            )
        for key in "ifgo":
            worst = max(worst, compare(f"the gate {key} of the dict", got[key], expected[key], case))
    passed("variant_step", cases, worst, f" ({', '.join(VARIANTS)})")
