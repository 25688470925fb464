"""Chapter 8's encoder-decoder on the course's LSTM, with or without attention, and what decodes with it.

The training model reads the source ids (batch, source time) and the decoder's inputs (batch, target
time), the target shifted right behind the start token (:func:`lstm_lib.tokens.teacher_forcing`), and
returns logits (batch, target time, target vocabulary):

    source ids -> Embedding -> encoder LSTM (masked) -> outputs e_1..e_S and final (h_S, c_S)
    decoder inputs -> Embedding -> decoder LSTM, starting from (h_S, c_S) -> h_1..h_T
    with attention:    context_t = DotAttention(h_t over e_1..e_S),  o_t = tanh([h_t ; context_t] W_c + b_c)
    without:           o_t = h_t
    logits_t = o_t W_y + b_y

Without attention, everything the decoder knows of the source passes through (h_S, c_S): a fixed-size
summary, whatever the source's length. With attention the decoder can look back at every e_s.

The loss is :class:`MaskedSequenceCrossEntropy`, the mean over the real target symbols only.

:class:`Translator` turns a trained model into the ``step`` function of :mod:`lstm_lib.decoding`, whose
states are (h, c, encoder outputs, source mask), so that greedy decoding and beam search run on it; and
it decodes many sources at once, greedily, for measuring accuracy.

Taught in Chapter 8, "Sequence to sequence".
"""

from __future__ import annotations

from collections.abc import Sequence

import keras
import numpy as np
from keras import ops

from ..decoding import beam_search, greedy_decode_batch
from ..tokens import END, PAD, START, TokenVocabulary
from .attention import DotAttention
from .lstm import LSTM


@keras.saving.register_keras_serializable(package="lstm_lib")
class MaskedSequenceCrossEntropy(keras.losses.Loss):
    """The mean cross-entropy of the logits over the target positions that are not padding (id 0).

    The Keras twin of :func:`lstm_lib.losses.masked_sequence_cross_entropy`: it returns one number per
    batch, the sum over real symbols divided by their count, so that padding counts for nothing.
    """

    def __init__(self, name: str = "masked_sequence_cross_entropy", **kwargs):
        super().__init__(name=name, **kwargs)

    def call(self, y_true, y_pred):
        y_true = ops.cast(y_true, "int32")
        per_token = ops.sparse_categorical_crossentropy(y_true, y_pred, from_logits=True)
        mask = ops.cast(ops.not_equal(y_true, PAD), per_token.dtype)
        return ops.sum(per_token * mask) / ops.maximum(ops.sum(mask), 1.0)


def encoder_decoder(
    source_size: int,
    target_size: int,
    units: int = 128,
    embedding_dim: int = 32,
    attention: bool = True,
    learning_rate: float | keras.optimizers.schedules.LearningRateSchedule = 3e-3,
    name: str | None = None,
) -> keras.Model:
    """The training model, compiled with Adam (gradients clipped to a global norm of 1) and the masked loss.

    ``learning_rate`` is a number or a Keras schedule of it (Chapter 8's script decays the reversal
    models' rate along a cosine).

    Inputs ``[source ids (batch, S), decoder inputs (batch, T)]``, int; output logits (batch, T, target_size).
    The layers are named (``source_embedding``, ``encoder``, ``target_embedding``, ``decoder``,
    ``attention``, ``combine``, ``logits``) so that :class:`Translator` can find them.
    """
    source = keras.Input((None,), dtype="int32", name="source")
    decoder_input = keras.Input((None,), dtype="int32", name="decoder_input")
    source_mask = ops.not_equal(source, PAD)
    embedded_source = keras.layers.Embedding(source_size, embedding_dim, name="source_embedding")(source)
    encoder = LSTM(units, return_sequences=True, return_state=True, name="encoder")
    encoder_outputs, h, c = encoder(embedded_source, mask=source_mask)
    embedded_target = keras.layers.Embedding(target_size, embedding_dim, name="target_embedding")(decoder_input)
    decoder = LSTM(units, return_sequences=True, return_state=True, name="decoder")
    decoder_outputs, _, _ = decoder(embedded_target, initial_state=[h, c])
    outputs = decoder_outputs
    if attention:
        context = DotAttention(name="attention")(decoder_outputs, encoder_outputs, key_mask=source_mask)
        joined = keras.layers.Concatenate(name="join")([decoder_outputs, context])
        outputs = keras.layers.Dense(units, activation="tanh", name="combine")(joined)
    logits = keras.layers.Dense(target_size, name="logits")(outputs)
    model = keras.Model([source, decoder_input], logits, name=name or ("attention" if attention else "plain"))
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate, global_clipnorm=1.0),
        loss=MaskedSequenceCrossEntropy(),
    )
    return model


def _has_attention(model: keras.Model) -> bool:
    return any(layer.name == "attention" for layer in model.layers)


class Translator:
    """A trained :func:`encoder_decoder` with its vocabularies, for decoding.

    ``step(tokens, states)`` is the decoding step of :mod:`lstm_lib.decoding`: tokens (k,), states
    (h (k, units), c (k, units), encoder outputs (k, S, units), source mask (k, S)) -> log-probabilities
    (k, target vocabulary) and the new states. The decoder runs one step on the stored weights.
    """

    def __init__(self, model: keras.Model, source_vocabulary: TokenVocabulary, target_vocabulary: TokenVocabulary):
        import tensorflow as tf  # the step is one compiled function

        self.model, self.source_vocabulary, self.target_vocabulary = model, source_vocabulary, target_vocabulary
        self.attention = _has_attention(model)
        layer = model.get_layer

        def encode(source):
            mask = ops.not_equal(source, PAD)
            outputs, h, c = layer("encoder")(layer("source_embedding")(source), mask=mask)
            return h, c, outputs, mask

        def decode(tokens, h, c, encoder_outputs, source_mask):
            embedded = layer("target_embedding")(ops.expand_dims(tokens, 1))
            output, h, c = layer("decoder")(embedded, initial_state=[h, c])
            weights = ops.zeros((ops.shape(tokens)[0], 1, ops.shape(encoder_outputs)[1]))
            if self.attention:
                context, weights = DotAttention(return_weights=True)(output, encoder_outputs, key_mask=source_mask)
                output = layer("combine")(ops.concatenate([output, context], axis=-1))
            log_probs = ops.log_softmax(layer("logits")(output)[:, 0], axis=-1)
            return log_probs, h, c, weights[:, 0]

        units, dtype = layer("encoder").units, layer("encoder").compute_dtype
        self._encode = tf.function(encode, input_signature=[tf.TensorSpec([None, None], tf.int32)])
        self._decode = tf.function(
            decode,
            input_signature=[
                tf.TensorSpec([None], tf.int32),
                tf.TensorSpec([None, units], dtype),
                tf.TensorSpec([None, units], dtype),
                tf.TensorSpec([None, None, units], dtype),
                tf.TensorSpec([None, None], tf.bool),
            ],
        )  # traced once, whatever the number of hypotheses and the source's length
        self.last_weights: np.ndarray | None = None  # the attention weights of the last step, (k, S)

    def states(self, sources: Sequence[str]) -> tuple[np.ndarray, ...]:
        """The decoder's starting states for ``sources``: (h, c, encoder outputs, source mask), one row each."""
        ids, _ = self.source_vocabulary.batch(list(sources))
        return tuple(np.asarray(v) for v in self._encode(ids.astype(np.int32)))

    def step(self, tokens: np.ndarray, states: tuple[np.ndarray, ...]) -> tuple[np.ndarray, tuple[np.ndarray, ...]]:
        """One decoder step for k hypotheses: see the class docstring."""
        h, c, outputs, mask = states
        log_probs, h, c, weights = self._decode(np.asarray(tokens, np.int32), h, c, outputs, mask)
        self.last_weights = np.asarray(weights)
        return np.asarray(log_probs, np.float64), (np.asarray(h), np.asarray(c), outputs, mask)

    def greedy(self, sources: Sequence[str], max_length: int, batch: int = 512) -> list[str]:
        """The greedy output of every source, decoded ``batch`` sources at a time."""
        written = []
        for first in range(0, len(sources), batch):
            chunk = list(sources[first : first + batch])
            tokens = greedy_decode_batch(self.step, self.states(chunk), start=START, end=END, max_length=max_length)
            written += [self.target_vocabulary.decode(t) for t in tokens]
        return written

    def beam(self, source: str, beam_width: int, max_length: int, alpha: float = 0.0) -> list[tuple[str, float]]:
        """Beam search on one source: the hypotheses as (text, score), best first."""
        hypotheses = beam_search(
            self.step,
            self.states([source]),
            start=START,
            end=END,
            beam_width=beam_width,
            max_length=max_length,
            alpha=alpha,
        )
        return [(self.target_vocabulary.decode(tokens), score) for tokens, score in hypotheses]

    def attention_map(self, source: str, target: str) -> np.ndarray:
        """The attention weights (len(target) + 1, len(source)) while the decoder is fed ``target`` and its end."""
        if not self.attention:
            raise ValueError("Expected a model with attention. Received: a model without an attention layer.")
        states = self.states([source])
        rows, last = [], START
        for token in [*self.target_vocabulary.encode(target).tolist(), END]:
            _, states = self.step(np.array([last]), states)
            rows.append(self.last_weights[0])
            last = token
        return np.stack(rows)


def exact_match(written: Sequence[str], expected: Sequence[str]) -> np.ndarray:
    """True where the written output is the expected one, character for character: (n,) booleans."""
    if len(written) != len(expected):
        raise ValueError(f"Expected as many outputs as targets. Received: {len(written)} and {len(expected)}.")
    return np.array([w == e for w, e in zip(written, expected)])
