"""One step of an LSTM as a Keras layer: the course's ``LSTMCell``, a drop-in for ``keras.layers.LSTMCell``.

The weights have the layout of the whole book (gate order i, f, c, o)::

    kernel            W  (features, 4 * units)
    recurrent_kernel  U  (units, 4 * units)
    bias              b  (4 * units,)

and one step (:meth:`LSTMCell.step`) is, with ``activation`` a (tanh by default) and
``recurrent_activation`` s (sigmoid)::

    z_t = x_t W + h_{t-1} U + b = [z_i | z_f | z_c | z_o]
    i_t = s(z_i),  f_t = s(z_f),  g_t = a(z_c),  o_t = s(z_o)
    c_t = f_t * c_{t-1} + i_t * g_t
    h_t = o_t * a(c_t)

Dropout follows Keras: one mask per sequence, drawn before the first step and reused at every step
(the same units are dropped at every step), from the cell's seeded ``keras.random.SeedGenerator``.
With ``implementation=1`` (forced by ``recurrent_dropout > 0``) each gate gets its own mask. The
course's layer draws the masks (:meth:`LSTMCell.draw_dropout_masks`) and passes them to every step.
Inside ``keras.layers.RNN`` the cell draws them at the first step and keeps them until the RNN layer
resets them for the next sequence, the protocol of Keras's own cell.

Taught in Chapter 5, "A Keras LSTM layer".
"""

from __future__ import annotations

import keras
from keras import activations, constraints, initializers, ops, regularizers

# keras.layers.RNN resets the per-sequence dropout masks only of cells that inherit this mixin, as
# keras.layers.LSTMCell does. Keras does not export it, so it comes from keras.src (Keras is pinned).
from keras.src.layers.rnn.dropout_rnn_cell import DropoutRNNCell

from .._validation import positive_integer

Masks = list | None


def _acts(rate: float) -> bool:
    """Whether a dropout rate acts in training: Keras applies it only when 0 < rate < 1."""
    return 0.0 < rate < 1.0


def _product(a, weight, masks: Masks):
    """a W; with one mask (a * m) W; with four, [(a * m_i) W_i | (a * m_f) W_f | ...] by gate block."""
    if masks is None:
        return ops.matmul(a, weight)
    if len(masks) == 1:
        return ops.matmul(a * masks[0], weight)
    blocks = ops.split(weight, 4, axis=1)
    return ops.concatenate([ops.matmul(a * m, w) for m, w in zip(masks, blocks)], axis=-1)


def _as_list(masks) -> list:
    """DropoutRNNCell returns one mask, or a list of four with ``dropout_mask_count = 4``."""
    return masks if isinstance(masks, list) else [masks]


def clip_rate(rate: float) -> float:
    """Keras's rule for a dropout rate: clip it to [0, 1] (a rate of 0 or 1 means no dropout)."""
    return min(1.0, max(0.0, float(rate)))


@keras.saving.register_keras_serializable(package="lstm_lib")
class LSTMCell(keras.layers.Layer, DropoutRNNCell):
    """One LSTM step with the constructor, weights and config of ``keras.layers.LSTMCell``.

    Args:
        units: the size of h_t and c_t, a positive integer.
        activation: a, applied to the candidate g_t and to c_t (default tanh).
        recurrent_activation: s, applied to the gates i, f, o (default sigmoid).
        use_bias: whether the step adds ``bias``.
        kernel_initializer, recurrent_initializer, bias_initializer: initialisers of W, U, b.
        unit_forget_bias: start the forget-gate block of ``bias`` at 1 (the other blocks come
            from ``bias_initializer``), as recommended by Jozefowicz et al. (2015).
        kernel_regularizer, recurrent_regularizer, bias_regularizer: penalties added to the
            model's loss.
        kernel_constraint, recurrent_constraint, bias_constraint: projections applied after
            each optimiser update.
        dropout: the fraction of the inputs x_t dropped (in training only).
        recurrent_dropout: the fraction of h_{t-1} dropped before it meets U.
        seed: the seed of the dropout masks.
        implementation: 2 (one input mask shared by the gates) or 1 (one mask per gate).
            ``recurrent_dropout > 0`` forces 1, as in Keras. The arithmetic is the same.
        **kwargs: passed to ``keras.layers.Layer`` (``name``, ``dtype``, ``trainable``).
    """

    def __init__(
        self,
        units: int,
        activation="tanh",
        recurrent_activation="sigmoid",
        use_bias: bool = True,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
        unit_forget_bias: bool = True,
        kernel_regularizer=None,
        recurrent_regularizer=None,
        bias_regularizer=None,
        kernel_constraint=None,
        recurrent_constraint=None,
        bias_constraint=None,
        dropout: float = 0.0,
        recurrent_dropout: float = 0.0,
        seed: int | None = None,
        implementation: int = 2,
        **kwargs,
    ):
        units = positive_integer("units", units)
        if implementation not in (1, 2):
            raise ValueError(f"Expected implementation to be 1 or 2. Received: implementation={implementation!r}.")
        super().__init__(**kwargs)
        self.units = units
        self.activation = activations.get(activation)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.unit_forget_bias = unit_forget_bias
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.dropout = clip_rate(dropout)
        self.recurrent_dropout = clip_rate(recurrent_dropout)
        self.implementation = 1 if self.recurrent_dropout else implementation
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed=seed)
        if self.implementation == 1:
            self.dropout_mask_count = 4  # DropoutRNNCell then draws one mask per gate
        self.state_size = [units, units]
        self.output_size = units

    def build(self, input_shape) -> None:
        """Create W (features, 4 units), U (units, 4 units) and b (4 units,), in Keras's order."""
        features, units = input_shape[-1], self.units
        self.kernel = self.add_weight(
            shape=(features, 4 * units),
            name="kernel",
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        self.recurrent_kernel = self.add_weight(
            shape=(units, 4 * units),
            name="recurrent_kernel",
            initializer=self.recurrent_initializer,
            regularizer=self.recurrent_regularizer,
            constraint=self.recurrent_constraint,
        )
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(
                shape=(4 * units,),
                name="bias",
                initializer=self._bias_initializer(),
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )

    def _bias_initializer(self):
        if not self.unit_forget_bias:
            return self.bias_initializer

        def forget_gate_ones(_shape, *args, **kwargs):
            # [b_i | b_f | b_c, b_o] = [initializer | 1 | initializer], as Keras builds it.
            units = self.units
            return ops.concatenate(
                [
                    self.bias_initializer((units,), *args, **kwargs),
                    initializers.get("ones")((units,), *args, **kwargs),
                    self.bias_initializer((2 * units,), *args, **kwargs),
                ]
            )

        return forget_gate_ones

    # --- dropout masks --------------------------------------------------------------------------

    @property
    def masks_per_input(self) -> int:
        """How many input masks a sequence draws, 4 (one per gate) with ``implementation=1``, else 1."""
        return 4 if self.implementation == 1 else 1

    def _draw(self, like, rate: float, count: int) -> list:
        ones = ops.ones_like(like)
        return [keras.random.dropout(ones, rate=rate, seed=self.seed_generator) for _ in range(count)]

    def draw_dropout_masks(self, x_first, h0, training: bool) -> tuple[Masks, Masks]:
        """This sequence's masks, for the inputs (like ``x_first``, (batch, features)) and for h.

        The kept entries are 1 / (1 - rate) and the dropped ones 0: a list of 1 or 4 input masks and
        a list of 4 recurrent masks. Keras draws them at every call with a rate above 0, in training
        or not, so a seeded layer's masks do not depend on how often it was evaluated in between;
        this method draws them in the same way, then returns only those that apply: ``None`` outside
        training and for a rate that does not act (0, or 1 and more, which Keras ignores).
        """
        input_masks = self._draw(x_first, self.dropout, self.masks_per_input) if self.dropout > 0 else None
        recurrent_masks = self._draw(h0, self.recurrent_dropout, 4) if self.recurrent_dropout > 0 else None
        return (
            input_masks if training and _acts(self.dropout) else None,
            recurrent_masks if training and _acts(self.recurrent_dropout) else None,
        )

    # --- one step ------------------------------------------------------------------------------

    def step(self, x_t, h, c, input_masks: Masks = None, recurrent_masks: Masks = None):
        """One step: x_t (batch, features) and h, c (batch, units) -> (h_t, c_t).

        With masks, x_t (or h) is multiplied by its mask before its product: by one mask for all
        gates, or by mask k for the columns of gate k.
        """
        # z_t = x_t W + h_{t-1} U + b, in Keras's order of additions
        z = _product(x_t, self.kernel, input_masks) + _product(h, self.recurrent_kernel, recurrent_masks)
        if self.use_bias:
            z = ops.add(z, self.bias)  # a BiasAdd on TensorFlow: its gradient costs less than that of `+`
        z_i, z_f, z_c, z_o = ops.split(z, 4, axis=-1)
        i = self.recurrent_activation(z_i)
        f = self.recurrent_activation(z_f)
        g = self.activation(z_c)
        o = self.recurrent_activation(z_o)
        c = f * c + i * g  # c_t = f_t * c_{t-1} + i_t * g_t
        h = o * self.activation(c)  # h_t = o_t * a(c_t)
        return h, c

    def call(self, inputs, states, training: bool = False):
        """One step, as ``keras.layers.RNN`` calls a cell: x_t (batch, features), [h, c] -> h_t, [h_t, c_t].

        In training, dropout uses the masks of the current sequence: drawn at its first step and
        kept until ``keras.layers.RNN`` resets them (``DropoutRNNCell``), so the same units are
        dropped at every step, as with Keras's cell.
        """
        h, c = states[0], states[1]
        input_masks = recurrent_masks = None
        if training and _acts(self.dropout):
            input_masks = _as_list(self.get_dropout_mask(inputs))
        if training and _acts(self.recurrent_dropout):
            recurrent_masks = _as_list(self.get_recurrent_dropout_mask(h))
        h, c = self.step(inputs, h, c, input_masks, recurrent_masks)
        return h, [h, c]

    def get_initial_state(self, batch_size=None) -> list:
        """Zeros for h_0 and c_0, (batch, units) each."""
        return [ops.zeros((batch_size, self.units), dtype=self.compute_dtype) for _ in self.state_size]

    def get_config(self) -> dict:
        """Keras's ``LSTMCell`` config, plus ``implementation``."""
        config = {
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "recurrent_activation": activations.serialize(self.recurrent_activation),
            "use_bias": self.use_bias,
            "unit_forget_bias": self.unit_forget_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "recurrent_initializer": initializers.serialize(self.recurrent_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "recurrent_regularizer": regularizers.serialize(self.recurrent_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "recurrent_constraint": constraints.serialize(self.recurrent_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout,
            "seed": self.seed,
            "implementation": self.implementation,
        }
        return {**super().get_config(), **config}
