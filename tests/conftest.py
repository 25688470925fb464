"""Shared fixtures, and the NumPy-only run of the tests at the lowest versions pyproject.toml allows.

TensorFlow's C++ logs are silenced before any test imports it.

``make test-lower-bounds`` runs these tests in ``.venv-lower``, which holds lstm_lib with its declared
dependencies at their lower bounds (``requirements-lower-bounds.txt``) and no TensorFlow, Keras or
book tools, and sets ``LSTM_LIB_NUMPY_ONLY=1``. Then every test that needs more than NumPy (and the
test tools) is left out: a test module that imports another third-party package at its top is not
collected, and a test function that imports one, itself or through a function of its module that it
calls, is deselected. That is read from their source. What the source does not show (a subprocess that
imports Keras, a script loaded from a path) carries the marker ``full_environment``, on the test or as
the module's ``pytestmark``. In the full environment nothing is left out.
"""

from __future__ import annotations

import ast
import os
import sys
from functools import cache
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402  (after the environment variable above)
import pytest  # noqa: E402

NUMPY_ONLY = os.environ.get("LSTM_LIB_NUMPY_ONLY") == "1"
#: What a test may import in the NumPy-only run, besides the standard library.
NUMPY_ONLY_IMPORTS = {"numpy", "pytest", "hypothesis", "lstm_lib", "threadpoolctl", "conftest"}


#: The parts of lstm_lib that import TensorFlow and Keras.
TENSORFLOW_PARTS = ("lstm_lib.tf_rnn", "lstm_lib.keras_layers")


def _top_names(nodes) -> set[str]:
    """The modules imported: the top-level name, or the whole name for lstm_lib's own modules."""
    modules = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            modules |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules |= {f"{node.module}.{alias.name}" for alias in node.names} | {node.module}
    return {m if m.startswith("lstm_lib") else m.split(".")[0] for m in modules}


def _needs_more(names: set[str]) -> bool:
    tensorflow = any(name.startswith(TENSORFLOW_PARTS) for name in names)
    others = {name for name in names if not name.startswith("lstm_lib")}
    return tensorflow or bool(others - NUMPY_ONLY_IMPORTS - set(sys.stdlib_module_names))


@cache
def _module_tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text())


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "full_environment: needs more than NumPy in a way its imports do not show (left out of make test-lower-bounds)",
    )


def pytest_ignore_collect(collection_path: Path, config):
    """In the NumPy-only run, skip collecting a test module whose top-level imports need more, or which is
    marked ``full_environment`` as a whole."""
    if NUMPY_ONLY and collection_path.suffix == ".py" and collection_path.parent.name == "tests":
        tree = _module_tree(collection_path)
        top = [node for node in tree.body if isinstance(node, ast.Import | ast.ImportFrom)]
        marked = any(
            isinstance(node, ast.Assign)
            and "pytestmark" in ast.unparse(node.targets[0])
            and "full_environment" in ast.unparse(node.value)
            for node in tree.body
        )
        return True if marked or _needs_more(_top_names(top)) else None
    return None


def _imports_of(tree: ast.Module, name: str, seen: set[str]) -> set[str]:
    """What a module-level function imports, itself or through the module's functions it calls."""
    functions = {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}
    if name in seen or name not in functions:
        return set()
    seen.add(name)
    body = functions[name]
    names = _top_names(ast.walk(body))
    for call in (n for n in ast.walk(body) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)):
        names |= _imports_of(tree, call.func.id, seen)
    return names


def pytest_collection_modifyitems(config, items):
    """In the NumPy-only run, deselect the tests that need more than NumPy."""
    if not NUMPY_ONLY:
        return
    kept, left_out = [], []
    for item in items:
        function = getattr(item, "function", None)
        names = _imports_of(_module_tree(Path(item.path)), function.__name__, set()) if function else set()
        needs_more = item.get_closest_marker("full_environment") is not None or _needs_more(names)
        (left_out if needs_more else kept).append(item)
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = kept


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(1234)
