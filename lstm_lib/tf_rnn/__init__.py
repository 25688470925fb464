"""The course's recurrent networks in TensorFlow 2: cells and a ``dynamic_rnn`` loop.

Importing this package imports TensorFlow (``import lstm_lib`` alone does not). It changes no environment
variable: to keep TensorFlow's C++ log lines quiet, set ``TF_CPP_MIN_LOG_LEVEL`` before importing it, as
the chapters and the tests do. Its modules:

- :mod:`lstm_lib.tf_rnn.base`: the cell protocol and what every cell shares;
- :mod:`lstm_lib.tf_rnn.cells`: ``BasicRNNCell``, ``LSTMCell``, ``GRUCell``;
- :mod:`lstm_lib.tf_rnn.multi_cell`: ``MultiRNNCell``, a stack of cells;
- :mod:`lstm_lib.tf_rnn.dynamic_rnn`: the loop over time;
- :mod:`lstm_lib.tf_rnn.loop_ops`: the operations one step of a traced loop runs.

Taught in Chapter 4, "A dynamic_rnn loop in TensorFlow 2".
"""

from ..tf1_weights import from_tf1_lstm, to_tf1_lstm  # NumPy only; here too for TF1 users
from .base import RNNCell
from .cells import BasicRNNCell, GRUCell, LSTMCell, LSTMState
from .dynamic_rnn import dynamic_rnn
from .loop_ops import loop_operations
from .multi_cell import MultiRNNCell

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
