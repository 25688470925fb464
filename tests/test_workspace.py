"""lstm_lib.workspace hands out again only arrays that nothing refers to, and the LSTM's numbers do not change."""

import numpy as np
import pytest

from lstm_lib import workspace
from lstm_lib.init import init_lstm_weights
from lstm_lib.numpy_lstm import lstm_backward, lstm_forward


@pytest.fixture(autouse=True)
def empty_pool():
    workspace.clear()
    yield
    workspace.clear()


def test_an_array_no_one_holds_is_handed_out_again():
    first = workspace.empty((3, 4), np.float32)
    address = first.ctypes.data
    del first
    again = workspace.empty((3, 4), np.float32)
    assert again.ctypes.data == address
    assert again.flags.writeable and again.flags.c_contiguous
    assert again.shape == (3, 4) and again.dtype == np.float32


def test_an_array_someone_holds_is_never_handed_out():
    held = workspace.empty((3, 4), np.float32)
    other = workspace.empty((3, 4), np.float32)
    assert not np.shares_memory(held, other)


def test_a_view_keeps_its_array_from_being_handed_out():
    array = workspace.empty((3, 4), np.float64)
    view = array[1:]
    del array
    other = workspace.empty((3, 4), np.float64)
    assert not np.shares_memory(view, other)


def test_a_read_only_array_comes_back_writable():
    array = workspace.empty((2, 2), np.float32)
    address = array.ctypes.data
    array.flags.writeable = False
    del array
    again = workspace.empty((2, 2), np.float32)
    assert again.ctypes.data == address and again.flags.writeable


def test_shape_and_dtype_are_kept_apart():
    array = workspace.empty((2, 6), np.float32)
    address = array.ctypes.data
    del array
    for shape, dtype in (((6, 2), np.float32), ((2, 6), np.float64)):
        assert workspace.empty(shape, dtype).ctypes.data != address


def test_the_pool_is_bounded(monkeypatch):
    monkeypatch.setattr(workspace, "MAX_BYTES", 10_000)
    for n in range(1, 20):
        workspace.empty((n, 100), np.float32)  # 400 n bytes each, released at once
    assert workspace.kept_bytes() <= 10_000
    held = [workspace.empty((7, 100), np.float32) for _ in range(workspace.SPARES + 2)]
    assert len(workspace._pool[((7, 100), np.dtype(np.float32).str)]) <= workspace.SPARES
    del held


def test_the_lstm_does_not_change_what_an_earlier_call_returned():
    """Outputs, caches and gradients that the caller keeps stay as they were while later calls reuse memory."""
    rng = np.random.default_rng(0)
    weights = init_lstm_weights(rng, 3, 5)
    x1, x2 = rng.standard_normal((2, 4, 6, 3))
    outputs, (h, c), cache = lstm_forward(x1, **weights)
    kept = outputs.copy(), h.copy(), c.copy(), cache.gates.copy()
    grads = lstm_backward(np.ones_like(outputs), cache)
    kept_grads = {name: value.copy() for name, value in grads.items()}
    for _ in range(3):  # the same shapes again: every array a later call can reuse, it does
        other, _, other_cache = lstm_forward(x2, **weights)
        lstm_backward(np.ones_like(other), other_cache)
        del other, other_cache
    for now, before in zip((outputs, h, c, cache.gates), kept, strict=True):
        np.testing.assert_array_equal(now, before)
    for name, value in grads.items():
        np.testing.assert_array_equal(value, kept_grads[name])
    again = lstm_backward(np.ones_like(outputs), cache)  # the kept cache still gives the same gradients
    for name, value in again.items():
        np.testing.assert_allclose(value, kept_grads[name], rtol=0, atol=1e-15)


def test_reused_memory_gives_the_numbers_of_fresh_memory():
    rng = np.random.default_rng(1)
    weights = init_lstm_weights(rng, 3, 5)
    x = rng.standard_normal((2, 6, 3))
    first, _, cache = lstm_forward(x, **weights)
    first_grads = lstm_backward(np.ones_like(first), cache)
    first, first_grads = first.copy(), {name: value.copy() for name, value in first_grads.items()}
    del cache
    for _ in range(2):
        outputs, _, cache = lstm_forward(x, **weights)
        grads = lstm_backward(np.ones_like(outputs), cache)
        np.testing.assert_array_equal(outputs, first)
        for name, value in grads.items():
            np.testing.assert_array_equal(value, first_grads[name])
        del outputs, cache, grads
