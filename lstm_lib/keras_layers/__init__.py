"""The course's LSTM as Keras layers (Chapter 5): importing this package imports Keras.

- :mod:`lstm_lib.keras_layers.cell`: ``LSTMCell``, one step, a drop-in for ``keras.layers.LSTMCell``;
- :mod:`lstm_lib.keras_layers.loop`: ``lstm_loop``, the cell's step over the time axis, with masks;
- :mod:`lstm_lib.keras_layers.lstm`: ``LSTM``, the layer that owns the loop, a drop-in for
  ``keras.layers.LSTM``;
- :mod:`lstm_lib.keras_layers.compare`: the built-in layer and the course's side by side, with the same
  weights, as the chapter, the tests and the GPU check compare them;
- :mod:`lstm_lib.keras_layers.language_model`: Chapter 6's character model, trained with truncated
  backpropagation through time;
- :mod:`lstm_lib.keras_layers.supervised`: Chapter 7's forecasters and sequence classifiers on measured
  data, trained with early stopping;
- :mod:`lstm_lib.keras_layers.attention`: ``DotAttention``, Chapter 8's attention as a Keras layer;
- :mod:`lstm_lib.keras_layers.seq2seq`: Chapter 8's encoder-decoder and what decodes with it.

It changes no environment variable: to keep TensorFlow's C++ log lines quiet, set
``TF_CPP_MIN_LOG_LEVEL`` before importing it.

Taught in Chapters 5 to 8.
"""

from .cell import LSTMCell
from .lstm import LSTM

__all__ = ["LSTM", "LSTMCell"]
