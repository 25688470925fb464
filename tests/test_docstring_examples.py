"""The runnable examples in the docstrings of the main entry points are run, and must print what they show."""

import doctest
import importlib

import pytest

NUMPY = ["lstm_lib.numpy_rnn", "lstm_lib.numpy_lstm", "lstm_lib.decoding"]
TENSORFLOW = ["lstm_lib.tf_rnn.dynamic_rnn", "lstm_lib.keras_layers.lstm"]
ENTRY_POINTS = {
    "lstm_lib.numpy_lstm": "lstm_forward",
    "lstm_lib.tf_rnn.dynamic_rnn": "dynamic_rnn",
    "lstm_lib.keras_layers.lstm": "LSTM",
    "lstm_lib.numpy_rnn": "rnn_forward",
    "lstm_lib.decoding": "beam_search",
}


def run_examples(name: str) -> doctest.TestResults:
    module = importlib.import_module(name)
    results = doctest.testmod(module, optionflags=doctest.ELLIPSIS, verbose=False)
    example = getattr(module, ENTRY_POINTS[name]).__doc__
    assert ">>>" in example, f"{name}.{ENTRY_POINTS[name]} has no example"
    return results


@pytest.mark.parametrize("name", NUMPY)
def test_the_numpy_examples_run_as_shown(name):
    results = run_examples(name)
    assert results.attempted > 0 and results.failed == 0, results


@pytest.mark.full_environment  # the modules import TensorFlow and Keras
@pytest.mark.parametrize("name", TENSORFLOW)
def test_the_tensorflow_and_keras_examples_run_as_shown(name):
    results = run_examples(name)
    assert results.attempted > 0 and results.failed == 0, results
