"""Losses against finite differences and Keras; optimisers against Keras's."""

import numpy as np
import pytest

from lstm_lib.gradcheck import gradient_errors
from lstm_lib.losses import mean_squared_error, sigmoid_binary_crossentropy, softmax_cross_entropy
from lstm_lib.optim import SGD, Adam, clip_by_global_norm


@pytest.mark.parametrize("loss_fn", [sigmoid_binary_crossentropy, mean_squared_error])
def test_loss_gradients(rng, loss_fn):
    z = rng.standard_normal((4, 3, 1))
    y = rng.integers(0, 2, size=z.shape).astype(float)
    _, grad = loss_fn(z, y)
    errors = gradient_errors(lambda: loss_fn(z, y)[0], {"z": z}, {"z": grad})
    assert errors["z"] < 1e-7


def test_crossentropy_matches_keras_and_is_stable():
    import keras

    z = np.array([[-800.0, -3.0, 0.0, 2.5, 900.0]])
    y = np.array([[1.0, 0.0, 1.0, 1.0, 0.0]])
    loss, grad = sigmoid_binary_crossentropy(z, y)
    reference = keras.losses.binary_crossentropy(y.T, z.T, from_logits=True)
    assert loss == pytest.approx(float(np.mean(reference)), rel=1e-6)
    assert np.all(np.isfinite(grad))


def test_mismatched_target_shape():
    with pytest.raises(ValueError, match=r"Expected targets of shape \(2, 3\)"):
        mean_squared_error(np.zeros((2, 3)), np.zeros((3, 2)))


def test_softmax_cross_entropy_is_the_mean_negative_log_softmax(rng):
    z = rng.standard_normal((3, 4, 5))
    y = rng.integers(0, 5, size=(3, 4))
    loss, grad = softmax_cross_entropy(z, y)
    p = np.exp(z) / np.exp(z).sum(axis=-1, keepdims=True)
    direct = -np.log(p[np.arange(3)[:, None], np.arange(4), y])
    assert loss == pytest.approx(direct.mean(), rel=1e-12)
    np.testing.assert_allclose(grad, (p - np.eye(5)[y]) / 12, atol=1e-15)
    errors = gradient_errors(lambda: softmax_cross_entropy(z, y)[0], {"z": z}, {"z": grad})
    assert errors["z"] < 1e-7


def test_softmax_cross_entropy_matches_keras_and_is_stable():
    import keras

    z = np.array([[1000.0, -1000.0, 0.0], [-1000.0, -1000.0, 1000.0], [0.5, 0.0, -0.5]])
    y = np.array([1, 2, 0])
    loss, grad = softmax_cross_entropy(z, y)
    assert loss == pytest.approx((2000.0 + 0.0 + np.log(np.exp([0.0, -0.5, -1.0]).sum())) / 3, rel=1e-12)
    np.testing.assert_allclose(grad[:2], [[1 / 3, -1 / 3, 0.0], [0.0, 0.0, 0.0]], atol=1e-15)
    reference = keras.losses.sparse_categorical_crossentropy(y[2:], z[2:], from_logits=True)
    assert softmax_cross_entropy(z[2:], y[2:])[0] == pytest.approx(float(np.mean(reference)), rel=1e-6)


def test_softmax_cross_entropy_bad_targets():
    z = np.zeros((2, 3, 4))
    with pytest.raises(
        ValueError, match=r"Expected targets of shape \(2, 3\)\. Received: targets\.shape=\(2, 3, 4\)\."
    ):
        softmax_cross_entropy(z, np.zeros((2, 3, 4), np.int64))
    with pytest.raises(ValueError, match=r"Expected targets of an integer dtype\. Received: targets\.dtype=float64\."):
        softmax_cross_entropy(z, np.zeros((2, 3)))
    with pytest.raises(
        ValueError, match=r"Expected targets in \[0, 4\)\. Received: min\(targets\)=0, max\(targets\)=4\."
    ):
        softmax_cross_entropy(z, np.array([[0, 1, 2], [3, 4, 0]]))
    with pytest.raises(ValueError, match=r"Expected logits of shape \(\.\.\., classes\)"):
        softmax_cross_entropy(np.float64(1.0), np.int64(0))


def _keras_steps(optimizer, w0, grads):
    import keras

    w = keras.Variable(w0.astype(np.float32))
    for g in grads:
        optimizer.apply_gradients([(keras.ops.convert_to_tensor(g.astype(np.float32)), w)])
    return np.asarray(w)


@pytest.mark.parametrize(
    "ours,theirs",
    [
        (lambda: Adam(0.01), lambda k: k.optimizers.Adam(0.01, epsilon=1e-8)),
        (lambda: SGD(0.1, momentum=0.9), lambda k: k.optimizers.SGD(0.1, momentum=0.9)),
    ],
)
def test_optimizers_match_keras(rng, ours, theirs):
    import keras

    w0 = rng.standard_normal((3, 2))
    grads = [rng.standard_normal((3, 2)) for _ in range(5)]
    params = {"w": w0.copy()}
    optimizer = ours()
    for g in grads:
        optimizer.step(params, {"w": g})
    np.testing.assert_allclose(params["w"], _keras_steps(theirs(keras), w0, grads), atol=1e-5)


def test_clip_by_global_norm(rng):
    grads = {"a": 3 * np.ones(4), "b": 4 * np.ones(4)}
    assert clip_by_global_norm(grads, 1.0) == pytest.approx(10.0)
    total = np.sqrt(sum(np.sum(g**2) for g in grads.values()))
    assert total == pytest.approx(1.0)
    unchanged = {"a": np.full(2, 0.1)}
    clip_by_global_norm(unchanged, 1.0)
    np.testing.assert_array_equal(unchanged["a"], 0.1)


@pytest.mark.parametrize("bad", [lambda: SGD(0.0), lambda: SGD(0.1, momentum=1.0), lambda: Adam(-1.0)])
def test_bad_hyperparameters(bad):
    with pytest.raises(ValueError, match="Expected"):
        bad()
