"""Dot-product attention as a Keras layer: the NumPy attention of :mod:`lstm_lib.attention`, in ``keras.ops``.

``DotAttention()(queries, keys, key_mask=...)`` returns the contexts (batch, target, d); with
``return_weights=True`` also the weights (batch, target, source):

    e_ts = q_t . k_s / sqrt(d),  a_t = softmax over the unmasked s of e_t,  context_t = sum_s a_ts k_s

``key_mask`` (batch, source) is True at real source symbols and False at padding, which gets weight
exactly 0. The layer has no weights: what it learns to attend to comes from the layers around it. Keras
differentiates it; a test holds its numbers and its gradients to the NumPy forward and backward pass.

Taught in Chapter 8, "Sequence to sequence".
"""

from __future__ import annotations

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="lstm_lib")
class DotAttention(keras.layers.Layer):
    """Scaled dot-product attention of queries (batch, target, d) over keys (batch, source, d), masked."""

    def __init__(self, return_weights: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.return_weights = bool(return_weights)

    def call(self, queries, keys, key_mask=None):
        scores = ops.matmul(queries, ops.transpose(keys, (0, 2, 1)))
        scores = scores / ops.sqrt(ops.cast(ops.shape(keys)[-1], scores.dtype))
        if key_mask is not None:
            # a large negative number, not -inf: exp gives 0 and no NaN appears in the gradient
            floor = ops.cast(-1e9, scores.dtype)
            scores = ops.where(ops.expand_dims(ops.cast(key_mask, "bool"), 1), scores, floor * ops.ones_like(scores))
        weights = ops.softmax(scores, axis=-1)
        context = ops.matmul(weights, keys)
        return (context, weights) if self.return_weights else context

    def compute_output_spec(self, queries, keys, key_mask=None):
        context = keras.KerasTensor((*queries.shape[:-1], keys.shape[-1]), dtype=queries.dtype)
        if not self.return_weights:
            return context
        return context, keras.KerasTensor((*queries.shape[:-1], keys.shape[1]), dtype=queries.dtype)

    def get_config(self) -> dict:
        return {**super().get_config(), "return_weights": self.return_weights}
