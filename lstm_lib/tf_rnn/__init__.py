"""The course's recurrent networks in TensorFlow 2: cells, a ``dynamic_rnn`` loop, TF1 weights.

Importing this package imports TensorFlow (``import lstm_lib`` alone does not). Its modules:

- :mod:`lstm_lib.tf_rnn.base`: the cell protocol and what every cell shares;
- :mod:`lstm_lib.tf_rnn.cells`: ``BasicRNNCell``, ``LSTMCell``, ``GRUCell``;
- :mod:`lstm_lib.tf_rnn.multi_cell`: ``MultiRNNCell``, a stack of cells;
- :mod:`lstm_lib.tf_rnn.dynamic_rnn`: the loop over time;
- :mod:`lstm_lib.tf_rnn.tf1_convert`: LSTM weights from and to TensorFlow 1's ``LSTMCell``;
- :mod:`lstm_lib.tf_rnn.loop_ops`: the operations one step of a traced loop runs.
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from .base import RNNCell  # noqa: E402
from .cells import BasicRNNCell, GRUCell, LSTMCell, LSTMState  # noqa: E402
from .dynamic_rnn import dynamic_rnn  # noqa: E402
from .loop_ops import loop_operations  # noqa: E402
from .multi_cell import MultiRNNCell  # noqa: E402
from .tf1_convert import from_tf1_lstm, to_tf1_lstm  # noqa: E402

__all__ = [
    "BasicRNNCell",
    "GRUCell",
    "LSTMCell",
    "LSTMState",
    "MultiRNNCell",
    "RNNCell",
    "dynamic_rnn",
    "from_tf1_lstm",
    "loop_operations",
    "to_tf1_lstm",
]
