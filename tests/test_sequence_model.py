"""The NumPy model chains the layers' backward passes correctly and learns."""

import numpy as np
import pytest

from lstm_lib.data import binary_addition
from lstm_lib.gradcheck import gradient_errors
from lstm_lib.losses import sigmoid_binary_crossentropy, softmax_cross_entropy
from lstm_lib.optim import Adam
from lstm_lib.sequence_model import LAYERS, SequenceModel, train


@pytest.mark.parametrize("layer", LAYERS)
@pytest.mark.parametrize("readout", ["sequence", "last"])
def test_model_gradients(rng, layer, readout):
    model = SequenceModel(layer, 2, 4, 1, readout, rng)
    x = rng.standard_normal((3, 5, 2))
    y = rng.integers(0, 2, size=(3, 5, 1) if readout == "sequence" else (3, 1)).astype(float)
    _, grads, _ = model.loss_and_grads(x, y, sigmoid_binary_crossentropy)
    errors = gradient_errors(lambda: sigmoid_binary_crossentropy(model.predict(x), y)[0], model.params, grads)
    assert max(errors.values()) < 1e-7, errors


@pytest.mark.parametrize("layer", ["rnn", "lstm"])
def test_model_gradients_with_next_character_targets(rng, layer):
    # The language model: one-hot characters in, logits over the same characters out at every step, and
    # the (batch, time) ids of the next characters as targets of the softmax cross-entropy.
    model = SequenceModel(layer, 4, 3, 4, "sequence", rng)
    x = np.eye(4)[rng.integers(0, 4, size=(2, 5))]
    y = rng.integers(0, 4, size=(2, 5))
    _, grads, _ = model.loss_and_grads(x, y, softmax_cross_entropy)
    errors = gradient_errors(lambda: softmax_cross_entropy(model.predict(x), y)[0], model.params, grads)
    assert max(errors.values()) < 1e-7, errors


@pytest.mark.parametrize("layer", LAYERS)
def test_a_sequence_continues_from_the_state_it_left(rng, layer):
    model = SequenceModel(layer, 2, 4, 3, "sequence", rng)
    x = rng.standard_normal((3, 7, 2))
    first, state = model.predict_with_state(x[:, :4])
    second, last = model.predict_with_state(x[:, 4:], state)
    whole, whole_last = model.predict_with_state(x)
    np.testing.assert_allclose(np.concatenate([first, second], axis=1), whole, atol=1e-12)
    np.testing.assert_allclose(model.predict(x), whole, atol=0)
    assert isinstance(last, tuple) == layer.startswith("lstm")  # (h, c) for an LSTM, h otherwise
    for part, whole_part in zip(last, whole_last) if isinstance(last, tuple) else [(last, whole_last)]:
        np.testing.assert_allclose(part, whole_part, atol=1e-12)


def test_training_lowers_the_loss(rng):
    model = SequenceModel("rnn", 2, 8, 1, "sequence", rng)
    x, y = binary_addition(np.arange(40) % 8, np.arange(40) // 8, 4, np.float64)
    history = train(model, Adam(0.05), iter(lambda: (x, y), None), 200, sigmoid_binary_crossentropy)
    assert history[-1] < 0.5 * history[0]


def test_bad_arguments(rng):
    with pytest.raises(ValueError, match=r"Expected layer in \[.*'gru'.*\]\. Received: layer='lstm_forgetful'\."):
        SequenceModel("lstm_forgetful", 2, 4, 1, "last", rng)
    with pytest.raises(ValueError, match="readout"):
        SequenceModel("rnn", 2, 4, 1, "first", rng)


def test_gradient_norm_by_distance(rng):
    from lstm_lib.diagnostics import gradient_norm_by_distance

    grads = np.zeros((2, 3, 4))
    grads[:, 0] = 1.0  # first step: norm 2 in every sequence
    grads[0, 2, 0] = 3.0  # last step: norms 3 and 0, mean 1.5
    np.testing.assert_allclose(gradient_norm_by_distance(grads), [1.5, 0.0, 2.0])
    with pytest.raises(ValueError, match=r"Expected state_grads of shape \(batch, time, units\)"):
        gradient_norm_by_distance(grads[0])


def test_training_reports_the_mean_loss_of_each_block(rng, capsys):
    model = SequenceModel("rnn", 2, 4, 1, "sequence", rng)
    x, y = binary_addition(np.arange(8), np.arange(8)[::-1], 4, np.float64)
    history = train(model, Adam(0.01), iter(lambda: (x, y), None), 6, sigmoid_binary_crossentropy, report_every=3)
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        f"steps {a:5d} to {b:5d}  mean loss {np.mean(history[a - 1 : b]):.1e}" for a, b in ((1, 3), (4, 6))
    ]


@pytest.mark.parametrize("clip_norm", [None, 1e-3])
def test_training_records_the_gradient_norm_before_clipping(rng, clip_norm):
    from lstm_lib.optim import SGD, global_norm

    model = SequenceModel("rnn", 2, 4, 1, "sequence", rng)
    x, y = binary_addition(np.arange(8), np.arange(8)[::-1], 4, np.float64)
    _, first_grads, _ = model.loss_and_grads(x, y, sigmoid_binary_crossentropy)
    before = {k: v.copy() for k, v in model.params.items()}
    norms = []
    train(model, SGD(1.0), iter(lambda: (x, y), None), 3, sigmoid_binary_crossentropy, clip_norm, grad_norms=norms)
    assert len(norms) == 3 and norms[0] == pytest.approx(global_norm(first_grads), rel=1e-12)
    if clip_norm is not None:  # three clipped SGD steps of learning rate 1 move the weights by at most 3 clip_norm
        moved = np.sqrt(sum(np.sum((model.params[k] - before[k]) ** 2) for k in before))
        assert norms[0] > clip_norm and moved <= 3 * clip_norm * (1 + 1e-12)


def test_the_read_out_is_drawn_before_the_layer():
    # The chapters' saved results depend on the order in which a model draws its start from its generator.
    from lstm_lib.init import init_dense_weights, init_lstm_weights

    rng = np.random.default_rng(5)
    dense, lstm = init_dense_weights(rng, 4, 1), init_lstm_weights(rng, 2, 4)
    model = SequenceModel("lstm", 2, 4, 1, "last", np.random.default_rng(5))
    assert np.array_equal(model.params["dense_kernel"], dense["kernel"])
    assert np.array_equal(model.params["kernel"], lstm["kernel"])
