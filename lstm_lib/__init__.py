"""lstm_lib: the code of the course "LSTMs from scratch".

The NumPy modules import here; the TensorFlow and Keras ones (``lstm_lib.tf_rnn`` and
``lstm_lib.keras_layers``) are imported on their own, so ``import lstm_lib`` never loads TensorFlow.
The modules form six wings, each importing only from the wings above it (``tests/test_layering.py``
holds the rule; ``book/api.md`` has the map from chapters to modules):

* foundations: ``_validation``, ``_packaged``, ``activations``, ``init``;
* data: ``data``, ``text``, ``splits``, ``scaling``, ``series``; they import no model;
* NumPy layers: ``layer_parts``, ``numpy_rnn``, ``numpy_lstm``, ``numpy_lstm_variants``, ``numpy_gru``,
  ``dense``;
* training and checking: ``losses``, ``optim``, ``gradcheck``, ``diagnostics``, ``sequence_model``,
  ``experiments``, ``classification``;
* TensorFlow and Keras: ``tf1_weights``, ``tf_rnn``, ``keras_layers``;
* the exercises' checks: ``exercises``, which compare a learner's code with any part of the library.
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
    layer_parts,
    losses,
    numpy_gru,
    numpy_lstm,
    numpy_lstm_variants,
    numpy_rnn,
    optim,
    scaling,
    sequence_model,
    series,
    splits,
    text,
    tf1_weights,
)

__version__ = "0.2.0"

__all__ = [
    "activations",
    "classification",
    "data",
    "dense",
    "diagnostics",
    "experiments",
    "gradcheck",
    "init",
    "layer_parts",
    "losses",
    "numpy_gru",
    "numpy_lstm",
    "numpy_lstm_variants",
    "numpy_rnn",
    "optim",
    "scaling",
    "sequence_model",
    "series",
    "splits",
    "text",
    "tf1_weights",
]
