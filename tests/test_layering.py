"""The package's layers: six wings, each importing only from itself and the wings above it.

From the top: foundations (argument checks, activations, initialisers), data (the data sets, text,
splits, scaling, series), the NumPy layers, training and checking (losses, optimisers, models,
experiments), TensorFlow with Keras, and the exercises' checks, which compare a learner's code with any
part of the library (their TensorFlow parts import TensorFlow only when called). Data never imports a
model, so reading a data set never loads a network; the NumPy layers know no training.
``tools/package_shape.py`` prints the shape.
"""

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("package_shape", ROOT / "tools" / "package_shape.py")
package_shape = importlib.util.module_from_spec(_spec)
sys.modules["package_shape"] = package_shape
_spec.loader.exec_module(package_shape)

WINGS = {
    "foundations": {"_validation", "_packaged", "activations", "init", "workspace"},
    "data": {"data", "text", "splits", "scaling", "series", "pairs", "tokens"},
    "numpy layers": {
        "layer_parts",
        "numpy_rnn",
        "numpy_lstm",
        "numpy_lstm_variants",
        "numpy_gru",
        "dense",
        "embedding",
        "attention",
    },
    "training": {
        "losses",
        "optim",
        "gradcheck",
        "diagnostics",
        "sequence_model",
        "experiments",
        "classification",
        "decoding",
        "seq2seq",
    },
    "tensorflow and keras": {"tf1_weights", "tf_rnn", "keras_layers"},
    "exercises": {"exercises"},  # the checks compare the learner's code with every part of the library
}
ORDER = list(WINGS)
GRAPH = package_shape.imports(ROOT / "lstm_lib")


def wing(module: str) -> str:
    """The wing of ``lstm_lib.tf_rnn.cells`` is that of ``tf_rnn``; the package itself has none."""
    top = module.split(".")[1] if "." in module else ""
    found = [name for name, members in WINGS.items() if top in members]
    assert found or module == "lstm_lib", f"{module} belongs to no wing: add it to tests/test_layering.py"
    return found[0] if found else ""


@pytest.mark.parametrize("module", sorted(m for m in GRAPH if m != "lstm_lib"))
def test_a_module_imports_only_from_its_wing_and_the_wings_above(module):
    allowed = set(ORDER[: ORDER.index(wing(module)) + 1])
    wrong = sorted(other for other in GRAPH[module] if wing(other) not in allowed)
    assert not wrong, f"{module} ({wing(module)}) imports {wrong} from a wing below it"


def test_the_data_modules_import_no_model():
    data = {m for m in GRAPH if wing(m) == "data"}
    assert data >= {"lstm_lib.data", "lstm_lib.text", "lstm_lib.splits"}
    for module in data:
        assert all(wing(other) in ("foundations", "data") for other in GRAPH[module]), (module, GRAPH[module])


def test_no_import_cycle_and_few_floors():
    floors = package_shape.floors(GRAPH)  # raises on a cycle
    assert max(floors.values()) <= 6, floors


def test_the_rule_catches_an_upward_import():
    """The check can fail: text importing the NumPy model, as it once did, is refused."""
    graph = {**GRAPH, "lstm_lib.text": GRAPH["lstm_lib.text"] | {"lstm_lib.sequence_model"}}
    allowed = set(ORDER[: ORDER.index(wing("lstm_lib.text")) + 1])
    assert any(wing(other) not in allowed for other in graph["lstm_lib.text"])
    with pytest.raises(ValueError, match="import cycle"):
        package_shape.floors({**graph, "lstm_lib.sequence_model": {"lstm_lib.text"}})
