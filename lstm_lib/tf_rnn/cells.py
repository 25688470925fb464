"""Three recurrent cells in TensorFlow: one step each, in the book's (Keras) weight layout.

Each is an :class:`~lstm_lib.tf_rnn.base.RNNCell`: ``cell(x_t, state) -> (output, new_state)``, with
x_t of shape (batch, features) and h of shape (batch, units). ``@`` is a matrix product, σ the
logistic function and ⊙ an elementwise product.

:class:`BasicRNNCell`, as ``keras.layers.SimpleRNN``::

    h_t = tanh(x_t @ kernel + h_{t-1} @ recurrent_kernel + bias)

:class:`LSTMCell`, as ``keras.layers.LSTM``, gate order i, f, c, o, state ``LSTMState(h, c)``::

    z_t = x_t @ kernel + h_{t-1} @ recurrent_kernel + bias  = [z_i | z_f | z_c | z_o]
    c_t = σ(z_f) ⊙ c_{t-1} + σ(z_i) ⊙ tanh(z_c)
    h_t = σ(z_o) ⊙ tanh(c_t)

:class:`GRUCell`, as ``keras.layers.GRU`` with its default ``reset_after=True``, gate order z, r, h,
bias of shape (2, 3 units) (row 0 for the inputs, row 1 for the state)::

    [x_z | x_r | x_h] = x_t @ kernel + bias[0]
    [u_z | u_r | u_h] = h_{t-1} @ recurrent_kernel + bias[1]
    z_t = σ(x_z + u_z),   r_t = σ(x_r + u_r)
    h_t = z_t ⊙ h_{t-1} + (1 - z_t) ⊙ tanh(x_h + r_t ⊙ u_h)

The reset gate multiplies the state's contribution *after* its matrix product; the original GRU
of Cho et al. (2014) resets the state before it, which Keras offers as ``reset_after=False``.

Biases are added with ``tf.nn.bias_add``, as Keras's cells do, rather than a broadcast ``+``: the sums
are the same, but the gradient of ``bias_add`` is one ``BiasAddGrad`` where that of ``+`` is a ``Sum``
and a ``Reshape``, in every backward step of a loop. With it, ``dynamic_rnn`` over an
:class:`LSTMCell` runs the operations of ``keras.layers.LSTM``, forward and backward (a test checks).

Taught in Chapter 4, "A dynamic_rnn loop in TensorFlow 2".
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import tensorflow as tf

from ..init import init_gru_weights, init_lstm_weights, init_rnn_weights
from .base import RNNCell


class LSTMState(NamedTuple):
    """The two states of an LSTM, in the order of ``lstm_lib.numpy_lstm`` and Keras: h, then c.

    (TensorFlow 1's ``LSTMStateTuple`` holds the same two tensors in the order c, h.)
    """

    h: tf.Tensor | int
    c: tf.Tensor | int


class BasicRNNCell(RNNCell):
    """The vanilla (Elman) RNN step; weights as ``keras.layers.SimpleRNN``, initialised as Keras does."""

    def initial_weights(self, rng: np.random.Generator, features: int) -> dict[str, np.ndarray]:
        return init_rnn_weights(rng, features, self.units)

    def step(self, inputs: tf.Tensor, state: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        h = tf.tanh(tf.nn.bias_add(inputs @ self.kernel + state @ self.recurrent_kernel, self.bias))
        return h, h


class LSTMCell(RNNCell):
    """The LSTM step; weights as ``keras.layers.LSTM``, forget-gate bias starting at 1."""

    @property
    def state_size(self) -> LSTMState:
        return LSTMState(h=self.units, c=self.units)

    def initial_weights(self, rng: np.random.Generator, features: int) -> dict[str, np.ndarray]:
        return init_lstm_weights(rng, features, self.units)

    def step(self, inputs: tf.Tensor, state: LSTMState) -> tuple[tf.Tensor, LSTMState]:
        h_prev, c_prev = state
        z = tf.nn.bias_add(inputs @ self.kernel + h_prev @ self.recurrent_kernel, self.bias)
        z_i, z_f, z_c, z_o = tf.split(z, 4, axis=-1)
        c = tf.sigmoid(z_f) * c_prev + tf.sigmoid(z_i) * tf.tanh(z_c)
        h = tf.sigmoid(z_o) * tf.tanh(c)
        return h, LSTMState(h, c)


class GRUCell(RNNCell):
    """The GRU step with the reset gate applied after the recurrent product (Keras's default)."""

    def initial_weights(self, rng: np.random.Generator, features: int) -> dict[str, np.ndarray]:
        return init_gru_weights(rng, features, self.units)

    def step(self, inputs: tf.Tensor, state: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        x_z, x_r, x_h = tf.split(tf.nn.bias_add(inputs @ self.kernel, self.bias[0]), 3, axis=-1)
        u_z, u_r, u_h = tf.split(tf.nn.bias_add(state @ self.recurrent_kernel, self.bias[1]), 3, axis=-1)
        z = tf.sigmoid(x_z + u_z)
        r = tf.sigmoid(x_r + u_r)
        h = z * state + (1.0 - z) * tf.tanh(x_h + r * u_h)
        return h, h
