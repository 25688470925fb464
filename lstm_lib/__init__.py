"""lstm_lib: the code of the course "LSTMs from scratch".

The NumPy modules import here; the TensorFlow and Keras ones (``lstm_lib.tf_rnn`` and
``lstm_lib.keras_layers``) are imported on their own, so ``import lstm_lib`` never loads TensorFlow.
"""

from . import (
    activations,
    classification,
    data,
    dense,
    diagnostics,
    experiments,
    gradcheck,
    init,
    losses,
    numpy_gru,
    numpy_lstm,
    numpy_lstm_variants,
    numpy_rnn,
    optim,
    scaling,
    sequence_model,
    series,
    text,
    tf1_weights,
)

__version__ = "0.1.0"

__all__ = [
    "activations",
    "classification",
    "data",
    "dense",
    "diagnostics",
    "experiments",
    "gradcheck",
    "init",
    "losses",
    "numpy_gru",
    "numpy_lstm",
    "numpy_lstm_variants",
    "numpy_rnn",
    "optim",
    "scaling",
    "sequence_model",
    "series",
    "text",
    "tf1_weights",
]
