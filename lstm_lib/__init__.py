"""lstm_lib: the code of the course "LSTMs from scratch".

The NumPy modules import here; the TensorFlow and Keras ones (``lstm_lib.tf_rnn``,
``lstm_lib.keras_cell``, ``lstm_lib.keras_loop``, ``lstm_lib.keras_lstm``) are imported on their own,
so ``import lstm_lib`` never loads TensorFlow.
"""

from . import (activations, data, dense, diagnostics, experiments, gradcheck, init, losses, numpy_lstm, numpy_rnn,
               optim, sequence_model)

__version__ = "0.1.0"

__all__ = [
    "activations",
    "data",
    "dense",
    "diagnostics",
    "experiments",
    "gradcheck",
    "init",
    "losses",
    "numpy_lstm",
    "numpy_rnn",
    "optim",
    "sequence_model",
]
