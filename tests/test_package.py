"""Properties of the package as a whole."""

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

import lstm_lib


def test_import_does_not_load_tensorflow():
    code = (
        "import sys, lstm_lib, lstm_lib.tf1_weights; "
        "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_no_module_changes_the_environment():
    # A library leaves the process's environment to the program that imports it: no module of lstm_lib
    # assigns to os.environ (or calls its setdefault/update/pop), at import or anywhere else.
    package = Path(lstm_lib.__file__).parent
    for path in sorted(package.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            target = node.func.value if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) else None
            if isinstance(node, (ast.Assign, ast.AugAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                target = next((t.value for t in targets if isinstance(t, ast.Subscript)), None)
            if target is not None:
                assert ast.unparse(target) != "os.environ", f"{path.name}:{node.lineno} changes os.environ"


@pytest.mark.full_environment  # its subprocess imports Keras and TensorFlow
def test_importing_every_module_leaves_the_environment_as_it_was():
    # TensorFlow itself sets a few variables when imported (TF2_BEHAVIOR, ...), so it is imported first.
    code = (
        "import os, keras, tensorflow; before = dict(os.environ)\n"
        "import lstm_lib, lstm_lib.tf_rnn, lstm_lib.keras_layers.cell, lstm_lib.keras_layers.loop, "
        "lstm_lib.keras_layers.lstm\n"
        "assert dict(os.environ) == before, set(os.environ.items()) ^ set(before.items())"
    )
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    subprocess.run([sys.executable, "-c", code], check=True, env=env, capture_output=True)
