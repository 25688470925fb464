"""Dot-product attention over the encoder's outputs, with a mask over padding: forward and backward in NumPy.

At decoder step t, the query q_t (the decoder's h_t) scores every encoder output k_s (the encoder's
h_s) by their scaled dot product, a softmax over the source positions turns the scores into weights,
and the context is the weighted sum of the encoder outputs:

    e_ts = q_t . k_s / sqrt(d)              for the source positions s with mask[s] True
    a_ts = exp(e_ts) / sum_s' exp(e_ts')    (a_ts = 0 where mask[s] is False)
    context_t = sum_s a_ts k_s

(Luong's dot score, scaled by sqrt(d) as in the Transformer, so that the scores do not grow with the
width d.) The keys are also the values: the context is a mix of the encoder outputs themselves. The
weights a_t are what the attention maps of Chapter 8 draw.

The backward pass, with dc_t = dL/d context_t:

    da_ts = dc_t . k_s
    de_ts = a_ts (da_ts - sum_s' a_ts' da_ts')       (the softmax's Jacobian)
    dq_t  = sum_s de_ts k_s / sqrt(d)
    dk_s  = sum_t (a_ts dc_t + de_ts q_t / sqrt(d))  (as value, and as key)

Shapes: queries (batch, target time, d), keys (batch, source time, d), mask (batch, source time) of
booleans with at least one True per row.

Taught in Chapter 8, "Sequence to sequence".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validation import ArgumentTypeError, check_dims, float_array


@dataclass(frozen=True)
class AttentionCache:
    """What the backward pass needs: the inputs and the weights, (batch, target time, source time)."""

    queries: np.ndarray
    keys: np.ndarray
    weights: np.ndarray


def _checked(
    queries: np.ndarray, keys: np.ndarray, mask: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    queries, keys = float_array("queries", queries), float_array("keys", keys)
    check_dims(
        {"queries": queries, "keys": keys},
        {"queries": "batch, target, d", "keys": "batch, source, d"},
    )
    if mask is None:
        mask = np.ones(keys.shape[:2], bool)
    mask = np.asarray(mask)
    if mask.dtype != bool:
        raise ArgumentTypeError(f"Expected mask of booleans. Received: mask.dtype={mask.dtype}.")
    if mask.shape != keys.shape[:2]:
        raise ValueError(f"Expected mask of shape {keys.shape[:2]} (batch, source). Received: mask.shape={mask.shape}.")
    if not mask.any(axis=1).all():
        row = int(np.flatnonzero(~mask.any(axis=1))[0])
        raise ValueError(f"Expected at least one True in every row of mask. Received: mask[{row}] all False.")
    return queries, keys, mask


def attention_forward(
    queries: np.ndarray, keys: np.ndarray, mask: np.ndarray | None = None
) -> tuple[np.ndarray, AttentionCache]:
    """The contexts (batch, target, d) and a cache holding the weights (batch, target, source)."""
    queries, keys, mask = _checked(queries, keys, mask)
    scale = 1.0 / np.sqrt(keys.shape[-1])
    scores = queries @ keys.transpose(0, 2, 1) * scale  # (batch, target, source)
    scores = np.where(mask[:, None, :], scores, -np.inf)
    scores = scores - scores.max(axis=-1, keepdims=True)  # finite: every row has a True
    exps = np.exp(scores)  # exp(-inf) = 0 at the padding
    weights = exps / exps.sum(axis=-1, keepdims=True)
    return weights @ keys, AttentionCache(queries.copy(), keys.copy(), weights)


def attention_backward(d_context: np.ndarray, cache: AttentionCache) -> dict[str, np.ndarray]:
    """dL/d queries and dL/d keys from dL/d context (batch, target, d)."""
    d_context = float_array("d_context", d_context)
    if d_context.shape != cache.queries.shape:
        raise ValueError(
            f"Expected d_context of shape {cache.queries.shape}, as the contexts. "
            f"Received: d_context.shape={d_context.shape}."
        )
    q, k, a = cache.queries, cache.keys, cache.weights
    scale = 1.0 / np.sqrt(k.shape[-1])
    d_weights = d_context @ k.transpose(0, 2, 1)  # (batch, target, source)
    d_scores = a * (d_weights - (a * d_weights).sum(axis=-1, keepdims=True))
    d_queries = d_scores @ k * scale
    d_keys = a.transpose(0, 2, 1) @ d_context + d_scores.transpose(0, 2, 1) @ q * scale
    return {"queries": d_queries, "keys": d_keys}
