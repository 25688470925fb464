"""Conversion of LSTM weights between TF1's LSTMCell layout and the book's (Keras) layout."""

import numpy as np
import pytest

from lstm_lib.numpy_lstm import lstm_forward
from lstm_lib.tf1_weights import from_tf1_lstm, to_tf1_lstm

FEATURES, UNITS = 3, 4


def tf1_lstm_by_hand(x, kernel, bias, forget_bias):
    """TF1's LSTMCell equations, written out: one stacked kernel, gates i, c (j), f, o."""
    h = c = np.zeros((x.shape[0], kernel.shape[1] // 4))
    sigmoid = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    for t in range(x.shape[1]):
        i, j, f, o = np.split(np.concatenate([x[:, t], h], axis=1) @ kernel + bias, 4, axis=1)
        c = sigmoid(f + forget_bias) * c + sigmoid(i) * np.tanh(j)
        h = sigmoid(o) * np.tanh(c)
    return h, c


@pytest.mark.parametrize("forget_bias", [1.0, 0.0, 2.5])
def test_converted_weights_compute_what_tf1_computes(rng, forget_bias):
    kernel, bias = rng.standard_normal((FEATURES + UNITS, 4 * UNITS)), rng.standard_normal(4 * UNITS)
    x = rng.standard_normal((2, 5, FEATURES))
    _, (h, c), _ = lstm_forward(x, **from_tf1_lstm(kernel, bias, forget_bias))
    expected_h, expected_c = tf1_lstm_by_hand(x, kernel, bias, forget_bias)
    np.testing.assert_allclose(h, expected_h, atol=1e-14)
    np.testing.assert_allclose(c, expected_c, atol=1e-14)


def test_round_trips_in_both_directions(rng):
    kernel, bias = rng.standard_normal((FEATURES + UNITS, 4 * UNITS)), rng.standard_normal(4 * UNITS)
    book = from_tf1_lstm(kernel, bias, forget_bias=0.7)
    assert book["kernel"].shape == (FEATURES, 4 * UNITS) and book["recurrent_kernel"].shape == (UNITS, 4 * UNITS)
    back = to_tf1_lstm(**book, forget_bias=0.7)
    np.testing.assert_allclose(back["kernel"], kernel, rtol=0, atol=0)
    np.testing.assert_allclose(back["bias"], bias, rtol=0, atol=1e-15)
    again = from_tf1_lstm(**back, forget_bias=0.7)
    for name in book:
        np.testing.assert_allclose(again[name], book[name], rtol=0, atol=1e-15)


def test_gate_blocks_move_where_expected():
    # Fill each TF1 block with its gate's number, 0 1 2 3 for i c f o, and read the book's order.
    blocks = np.repeat(np.arange(4.0), UNITS)
    book = from_tf1_lstm(np.tile(blocks, (FEATURES + UNITS, 1)), blocks, forget_bias=0.0)
    np.testing.assert_array_equal(book["bias"][::UNITS], [0, 2, 1, 3])  # i, f, c, o
    np.testing.assert_array_equal(book["kernel"][0, ::UNITS], [0, 2, 1, 3])
    assert (
        from_tf1_lstm(np.zeros((FEATURES + UNITS, 4 * UNITS)), np.zeros(4 * UNITS))["bias"][UNITS : 2 * UNITS].tolist()
        == [1.0] * UNITS
    )


def test_inputs_are_not_modified(rng):
    kernel, bias = rng.standard_normal((FEATURES + UNITS, 4 * UNITS)), rng.standard_normal(4 * UNITS)
    kept = bias.copy()
    to_tf1_lstm(**from_tf1_lstm(kernel, bias))
    np.testing.assert_array_equal(bias, kept)


def test_errors_name_what_was_expected():
    with pytest.raises(
        ValueError, match=r"Expected kernel whose last axis is 4 \* units. Received: kernel.shape\[-1\]=6"
    ):
        from_tf1_lstm(np.zeros((5, 6)), np.zeros(6))
    with pytest.raises(ValueError, match=r"Expected kernel of shape \(features \+ 4, 16\) with features >= 1"):
        from_tf1_lstm(np.zeros((4, 16)), np.zeros(16))
    with pytest.raises(ValueError, match=r"Expected bias of shape \(16,\). Received: bias.shape=\(12,\)"):
        from_tf1_lstm(np.zeros((7, 16)), np.zeros(12))
    with pytest.raises(
        ValueError, match=r"Expected recurrent_kernel of shape \(4, 16\). Received: recurrent_kernel.shape=\(3, 16\)"
    ):
        to_tf1_lstm(np.zeros((3, 16)), np.zeros((3, 16)), np.zeros(16))
