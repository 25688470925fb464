"""Variants of the NumPy LSTM, and the ablations Greff et al. (2017) found most harmful.

Every variant changes one part of the LSTM of :mod:`lstm_lib.numpy_lstm` (the "standard" one)::

    peephole              i, f and o also read the cell state (Gers & Schmidhuber, 2000):
                          z_i += p_i * c_{t-1},  z_f += p_f * c_{t-1},  z_o += p_o * c_t
    coupled               one gate decides both: i_t = 1 - f_t (no input-gate weights)
    no_forget_gate        f_t = 1: the cell only adds (the LSTM of 1997, before the forget gate)
    no_output_activation  h_t = o_t * c_t, no tanh on the cell state (the seed's NumPy LSTM)

The weights keep Keras's layout with one column block of ``units`` columns per gate that the variant
has, in the order i, f, c, o: four blocks for standard, peephole and no_output_activation, three for
coupled (f, c, o) and no_forget_gate (i, c, o). The peephole weights are a (3, units) array
``peephole``, rows p_i, p_f, p_o, one weight per unit (diagonal, as in Gers & Schmidhuber).

The functions run a whole sequence as :func:`lstm_lib.numpy_lstm.lstm_forward` does: the input
products of every step in one matrix product, a loop over time that only does the recurrent product
and the elementwise work, and the weight gradients in one product after the backward loop. They
accept every variant, also "standard" (a test holds it equal to the fused standard LSTM), but are
written to be read rather than fused: use :mod:`lstm_lib.numpy_lstm` for the standard LSTM. As
there, the returned arrays are read-only (the cache keeps what the backward pass needs), and the cache
keeps copies of the inputs, weights and initial states.

Taught in Chapter 3, "Variants of the LSTM, and the GRU".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .activations import sigmoid, sigmoid_grad_from_output, tanh_grad_from_output
from .init import glorot_uniform, orthogonal
from .layer_parts import (
    check_layer,
    gradient_into_the_last_cell,
    gradients_from_the_loss,
    initial_state,
    product_gradients,
    read_only,
    split_blocks,
    time_major_copy,
)


@dataclass(frozen=True)
class Variant:
    """Which parts of the LSTM a variant has.

    Attributes:
        name: its name in :data:`VARIANTS`.
        peepholes: whether i, f, o read the cell state through a ``peephole`` weight.
        coupled: whether i_t = 1 - f_t.
        forget_gate: whether there is a forget gate (else f_t = 1).
        output_activation: whether h_t = o_t tanh(c_t) (else h_t = o_t c_t).
    """

    name: str
    peepholes: bool = False
    coupled: bool = False
    forget_gate: bool = True
    output_activation: bool = True

    @property
    def blocks(self) -> tuple[str, ...]:
        """The gates that have weights, a subset of ``("i", "f", "c", "o")`` in Keras's order."""
        return tuple(
            gate for gate in "ifco" if not (gate == "i" and self.coupled) and not (gate == "f" and not self.forget_gate)
        )


#: The variants, each under its name ("standard", "peephole", "coupled", "no_forget_gate", "no_output_activation").
VARIANTS: dict[str, Variant] = {
    variant.name: variant
    for variant in (
        Variant("standard"),
        Variant("peephole", peepholes=True),
        Variant("coupled", coupled=True),
        Variant("no_forget_gate", forget_gate=False),
        Variant("no_output_activation", output_activation=False),
    )
}


def get_variant(variant: str | Variant) -> Variant:
    """The :class:`Variant` of that name (or the variant itself)."""
    if isinstance(variant, Variant):
        return variant
    if variant not in VARIANTS:
        raise ValueError(f"Expected variant in {sorted(VARIANTS)}. Received: variant={variant!r}.")
    return VARIANTS[variant]


def init_variant_weights(
    rng: np.random.Generator,
    features: int,
    units: int,
    dtype=np.float64,
    *,
    variant: str | Variant,
    forget_bias: float = 1.0,
    input_bias: float = 0.0,
) -> dict[str, np.ndarray]:
    """Initial weights for a variant, drawn as :func:`lstm_lib.init.init_lstm_weights` draws Keras's.

    ``kernel`` is Glorot-uniform and ``recurrent_kernel`` orthogonal, with one block per gate the variant
    has; the bias is zero except the forget gate's block (``forget_bias``, 1 as Keras's
    ``unit_forget_bias``) and the input gate's (``input_bias``). The peephole weights start at zero, so
    that the peephole variant starts as the standard LSTM does. For "standard" the arrays are exactly
    those of ``init_lstm_weights`` with the same generator.
    """
    variant = get_variant(variant)
    blocks = len(variant.blocks)
    bias = np.zeros((blocks, units), dtype)
    for gate, value in (("i", input_bias), ("f", forget_bias)):
        if gate in variant.blocks:
            bias[variant.blocks.index(gate)] = value
    weights = {
        "kernel": glorot_uniform(rng, (features, blocks * units), dtype),
        "recurrent_kernel": orthogonal(rng, (units, blocks * units), dtype),
        "bias": bias.reshape(-1),
    }
    if variant.peepholes:
        weights["peephole"] = np.zeros((3, units), dtype)
    return weights


@dataclass(frozen=True)
class VariantCache:
    """What :func:`variant_backward` needs from :func:`variant_forward`. Sequences are time-major.

    Attributes:
        variant: the :class:`Variant`.
        x: the inputs, (time, batch, features).
        kernel, recurrent_kernel: (features, blocks * units), (units, blocks * units).
        peephole: (3, units), or None.
        h0, c0: the initial states actually used, (batch, units).
        steps: for each step the dict :func:`variant_step` returned.
    """

    variant: Variant
    x: np.ndarray
    kernel: np.ndarray
    recurrent_kernel: np.ndarray
    peephole: np.ndarray | None
    h0: np.ndarray
    c0: np.ndarray
    steps: list[dict[str, np.ndarray]]


def variant_step(z: np.ndarray, c_prev: np.ndarray, variant: Variant, peephole: np.ndarray | None) -> dict:
    """One step after the product z_t = x_t W + h_{t-1} U + b, (batch, blocks * units).

    Returns a dict with the gates ``i``, ``f``, ``g``, ``o``, the cell state ``c``, its activation
    ``a`` (tanh(c_t), or c_t itself without output activation), the output ``h`` = o_t a_t, and
    ``c_prev``: every array (batch, units); a missing gate is the constant it stands for.
    """
    z = dict(zip(variant.blocks, split_blocks(z, len(variant.blocks))))
    p_i, p_f, p_o = peephole if variant.peepholes else (0.0, 0.0, 0.0)
    f = sigmoid(z["f"] + p_f * c_prev) if variant.forget_gate else np.ones_like(c_prev)
    i = 1.0 - f if variant.coupled else sigmoid(z["i"] + p_i * c_prev)
    g = np.tanh(z["c"])
    c = f * c_prev + i * g
    o = sigmoid(z["o"] + p_o * c)  # a peephole on o reads the new cell state
    a = np.tanh(c) if variant.output_activation else c
    return {"i": i, "f": f, "g": g, "o": o, "c": c, "a": a, "h": o * a, "c_prev": c_prev}


def variant_step_backward(
    d_h: np.ndarray, d_c_later: np.ndarray, step: dict, variant: Variant, peephole: np.ndarray | None
) -> dict[str, np.ndarray]:
    """Backpropagate one :func:`variant_step`.

    Args:
        d_h: the total dL/dh_t, (batch, units).
        d_c_later: what reaches c_t through c_{t+1}, (batch, units).
        step: the dict :func:`variant_step` returned.

    Returns:
        A dict with ``z`` = dL/dz_t (batch, blocks * units), ``c`` = the total dL/dc_t and ``c_prev``
        (what reaches c_{t-1} through this step), (batch, units) each, and for the peephole variant
        ``peephole``, this step's share of its gradient, (3, units).
    """
    i, f, g, o, c, a, c_prev = (step[k] for k in ("i", "f", "g", "o", "c", "a", "c_prev"))
    p_i, p_f, p_o = peephole if variant.peepholes else (0.0, 0.0, 0.0)
    d_z = {"o": d_h * a * sigmoid_grad_from_output(o)}
    d_a = d_h * o
    d_c = d_c_later + p_o * d_z["o"] + (d_a * tanh_grad_from_output(a) if variant.output_activation else d_a)
    d_i, d_f = d_c * g, d_c * c_prev  # c_t = f_t c_{t-1} + i_t g_t
    d_z["c"] = d_c * i * tanh_grad_from_output(g)
    if variant.coupled:
        d_f = d_f - d_i  # i_t = 1 - f_t: what reaches i reaches f with the opposite sign
    else:
        d_z["i"] = d_i * sigmoid_grad_from_output(i)
    if variant.forget_gate:
        d_z["f"] = d_f * sigmoid_grad_from_output(f)
    d_zi, d_zf = d_z.get("i", 0.0), d_z.get("f", 0.0)
    d_c_prev = d_c * f + p_i * d_zi + p_f * d_zf
    grads = {"z": np.concatenate([d_z[gate] for gate in variant.blocks], axis=-1), "c": d_c, "c_prev": d_c_prev}
    if variant.peepholes:
        grads["peephole"] = np.stack([(d_zi * c_prev).sum(0), (d_zf * c_prev).sum(0), (d_z["o"] * c).sum(0)])
    return grads


def _check_weights(x, kernel, recurrent_kernel, bias, peephole, h0, c0, variant: Variant):
    if peephole is not None and not variant.peepholes:
        raise ValueError(f"Expected peephole=None for the {variant.name} variant. Received: a peephole array.")
    blocks = len(variant.blocks)
    width = np.shape(kernel)[-1] if np.ndim(kernel) == 2 else 0
    if peephole is None and variant.peepholes:
        raise ValueError(f"Expected peephole of shape (3, {width // blocks}). Received: peephole=None.")
    extra = {"peephole": (peephole, (3, width // blocks))} if variant.peepholes else None
    return check_layer(
        x,
        kernel,
        recurrent_kernel,
        bias,
        blocks=blocks,
        states={"h0": h0, "c0": c0},
        extra=extra,
        layer=f"the {variant.name} variant",
    )


def variant_forward(
    x: np.ndarray,
    kernel: np.ndarray,
    recurrent_kernel: np.ndarray,
    bias: np.ndarray,
    peephole: np.ndarray | None = None,
    h0: np.ndarray | None = None,
    c0: np.ndarray | None = None,
    *,
    variant: str | Variant,
) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray], VariantCache]:
    """Run an LSTM variant over a batch of sequences.

    Args:
        x: inputs, (batch, time, features).
        kernel, recurrent_kernel, bias: (features, blocks * units), (units, blocks * units), (blocks * units,),
            with one block per gate of :attr:`Variant.blocks`.
        peephole: (3, units) for the peephole variant, else None.
        h0, c0: initial states, (batch, units); zeros when omitted.
        variant: a name in :data:`VARIANTS` or a :class:`Variant`.

    Returns:
        ``(outputs, (h_last, c_last), cache)`` as :func:`lstm_lib.numpy_lstm.lstm_forward` returns them.
    """
    variant = get_variant(variant)
    shapes = _check_weights(x, kernel, recurrent_kernel, bias, peephole, h0, c0, variant)
    batch, time, features, units, dtype = shapes.batch, shapes.time, shapes.features, shapes.units, shapes.dtype
    kernel, recurrent_kernel = (np.array(w, dtype=dtype, copy=True) for w in (kernel, recurrent_kernel))
    h = initial_state(h0, batch, units, dtype)
    c = initial_state(c0, batch, units, dtype)
    x_steps = time_major_copy(x, dtype)  # (time, batch, features)
    z_inputs = (x_steps.reshape(-1, features) @ kernel + np.asarray(bias, dtype)).reshape(time, batch, -1)
    p = None if peephole is None else np.array(peephole, dtype=dtype, copy=True)
    read_only(*(a for a in (x_steps, kernel, recurrent_kernel, p, h, c) if a is not None))
    cache = VariantCache(variant, x_steps, kernel, recurrent_kernel, p, h, c, [])
    for t in range(time):
        step = variant_step(z_inputs[t] + h @ recurrent_kernel, c, variant, p)
        read_only(*(value for value in step.values() if isinstance(value, np.ndarray)))
        cache.steps.append(step)
        h, c = step["h"], step["c"]
    outputs = np.stack([step["h"] for step in cache.steps], axis=1)  # a new array: the cache keeps its own
    return outputs, (h, c), cache


def variant_backward(
    d_outputs: np.ndarray | None,
    cache: VariantCache,
    d_h_last: np.ndarray | None = None,
    d_c_last: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Backpropagation through time for :func:`variant_forward`.

    Returns the gradients of ``x``, ``kernel``, ``recurrent_kernel``, ``bias``, ``h0``, ``c0`` (and
    ``peephole`` for the peephole variant), and ``h`` = dL/dh_t and ``c`` = dL/dc_t,
    (batch, time, units) each, as :func:`lstm_lib.numpy_lstm.lstm_backward` does.
    """
    time, (batch, units) = len(cache.steps), cache.h0.shape
    dtype = cache.h0.dtype
    d_h = gradients_from_the_loss(d_outputs, d_h_last, time, batch, units, dtype)
    d_c_later = gradient_into_the_last_cell(d_c_last, batch, units, dtype)
    d_h_later = np.zeros((batch, units), dtype)
    d_c = np.empty_like(d_h)
    d_z = np.empty((time, batch, cache.kernel.shape[1]), dtype)
    d_peephole = None if cache.peephole is None else np.zeros_like(cache.peephole)
    for t in reversed(range(time)):
        d_h[t] += d_h_later
        step = variant_step_backward(d_h[t], d_c_later, cache.steps[t], cache.variant, cache.peephole)
        d_z[t], d_c[t], d_c_later = step["z"], step["c"], step["c_prev"]
        d_h_later = d_z[t] @ cache.recurrent_kernel.T
        if d_peephole is not None:
            d_peephole += step["peephole"]
    outputs = np.stack([step["h"] for step in cache.steps])
    grads = {
        **product_gradients(d_z, cache.x, cache.h0, outputs, cache.kernel),
        "h0": d_h_later,
        "c0": d_c_later,
        "h": d_h.swapaxes(0, 1),
        "c": d_c.swapaxes(0, 1),
    }
    if d_peephole is not None:
        grads["peephole"] = d_peephole
    return grads
