"""What one step of a traced loop runs: its operations, counted by type, forward and backward.

A ``tf.function`` that runs a ``tf.while_loop`` and takes its gradient holds two loop bodies: the
forward one, which TensorFlow rewrites to keep what the gradient will need (every intermediate that
the backward step reads is pushed onto a list, ``TensorListPushBack``), and the body of the
gradient's loop, which pops them back (``TensorListPopBack``) and runs the step's derivative. Two
loops that run the same operations per step do the same work, whoever wrote them; the course uses
this to compare :func:`~lstm_lib.tf_rnn.dynamic_rnn.dynamic_rnn` with ``keras.layers.LSTM``.

Taught in Chapter 4, "A dynamic_rnn loop in TensorFlow 2".
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

PLUMBING = ("Identity", "Const", "NoOp")
"""The operations not counted, since they only pass values along, and their number depends on how
the loop's variables are nested rather than on what a step computes."""


def loop_operations(function: Any, *args: Any) -> dict[str, Counter]:
    """Count the operations of one step of the while loop in ``function``, forward and backward.

    Args:
        function: a ``tf.function`` whose trace runs exactly one ``tf.while_loop`` (and, for a
            ``"backward"`` count, takes a gradient through it).
        *args: the arguments to trace ``function`` with.

    Returns:
        ``{"forward": Counter(op type -> count), "backward": ...}``, the second only when the
        function takes a gradient; ``Identity``, ``Const`` and ``NoOp`` are left out.

    Raises:
        ValueError: when the traced function has no while loop, or more than one.
    """
    library = function.get_concrete_function(*args).graph.as_graph_def().library.function
    bodies: dict[str, list[Counter]] = {"forward": [], "plain": [], "backward": []}
    for body in library:
        name = body.signature.name
        if not re.search(r"while(_\d+)?_body_", name):  # while_body_12, while_1_body_34, lstm_while_body_5
            continue
        kind = "backward" if "_grad_" in name else "forward" if name.endswith("_rewritten") else "plain"
        bodies[kind].append(Counter(node.op for node in body.node_def if node.op not in PLUMBING))
    forward = bodies["forward"] or bodies["plain"]  # without a gradient, the body is not rewritten
    if len(forward) != 1 or len(bodies["backward"]) > 1:
        raise ValueError(
            "Expected a function with exactly one while loop. "
            f"Received: {len(forward)} loop bodies and {len(bodies['backward'])} gradient loop bodies."
        )
    counts = {"forward": forward[0]}
    if bodies["backward"]:
        counts["backward"] = bodies["backward"][0]
    return counts
