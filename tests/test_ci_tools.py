"""The tools that run the notebooks' checks in CI (tools/nbval_variants.py, tools/nbval_plugin.py)."""

import importlib.util
import json
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


pytestmark = pytest.mark.full_environment  # the tools import nbval and psutil


def load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


variants = load("nbval_variants", ROOT / "tools" / "nbval_variants.py")


def test_a_variant_that_only_sets_openblas_to_the_default_kernels_repeats_the_default_run():
    avx512 = {v.name: v for v in variants.VARIANTS}["avx512"]
    _, applied, _ = variants.environment(avx512, {"avx2", "avx512f"})
    assert variants.repeats_default(applied, "OpenBLAS SkylakeX, 2 thread(s)", "OpenBLAS SkylakeX, 2 thread(s)")
    # other kernels, or another thread count, are a run of their own
    assert not variants.repeats_default(applied, "OpenBLAS SkylakeX, 2 thread(s)", "OpenBLAS Haswell, 2 thread(s)")
    assert not variants.repeats_default(applied, "OpenBLAS SkylakeX, 2 thread(s)", "OpenBLAS SkylakeX, 1 thread(s)")


def test_a_variant_that_changes_more_than_openblas_never_repeats_the_default_run():
    avx2 = {v.name: v for v in variants.VARIANTS}["avx2"]
    _, applied, _ = variants.environment(avx2, {"avx2", "avx512f"})
    assert any(not s.name.startswith("OPENBLAS_") for s in applied)
    same = "OpenBLAS Haswell, 1 thread(s)"
    assert not variants.repeats_default(applied, same, same)


def test_settings_the_cpu_cannot_run_are_reported_not_applied():
    avx512 = {v.name: v for v in variants.VARIANTS}["avx512"]
    env, applied, skipped = variants.environment(avx512, {"avx2"})
    assert [s.name for s in applied] == ["OPENBLAS_NUM_THREADS"]
    assert env.get("OPENBLAS_CORETYPE") == os.environ.get("OPENBLAS_CORETYPE")
    assert skipped == ["OPENBLAS_CORETYPE=SkylakeX skipped (the CPU has no avx512f)"]


def test_the_notebook_table_gives_time_and_peak_by_variant():
    table = variants.notebook_table(
        {
            "default": {"a.ipynb": {"seconds": 12.3, "peak_mib": 300}},
            "avx2": {"a.ipynb": {"seconds": 20.0, "peak_mib": 310}},
            "avx512": {},  # skipped: no column
        }
    )
    assert table[0].split() == ["notebook", "default", "avx2"]
    assert table[1].split() == ["a.ipynb", "12", "s", "300", "MiB", "20", "s", "310", "MiB"]


@pytest.fixture
def conftest(tmp_path, monkeypatch):
    monkeypatch.setenv("NBVAL_NOTEBOOK_REPORT", str(tmp_path / "notebooks.json"))
    return load("nbval_plugin", ROOT / "tools" / "nbval_plugin.py"), tmp_path / "notebooks.json"


class Item:
    def __init__(self, nodeid):
        self.nodeid = nodeid


def test_notebooks_start_slowest_first_by_the_last_run_and_keep_their_cells_in_order(conftest):
    module, report = conftest
    items = [Item(f"chapters/{nb}::Cell {k}") for nb in ("01.ipynb", "02.ipynb", "03.ipynb") for k in range(2)]
    module.pytest_collection_modifyitems(None, None, items)
    assert [i.nodeid for i in items][:2] == ["chapters/01.ipynb::Cell 0", "chapters/01.ipynb::Cell 1"]  # no record
    report.write_text(
        json.dumps({f"chapters/{n}.ipynb": {"seconds": s} for n, s in (("01", 5), ("02", 50), ("03", 9))})
    )
    module.pytest_collection_modifyitems(None, None, items)
    assert [i.nodeid for i in items] == [
        f"chapters/{nb}::Cell {k}" for nb in ("02.ipynb", "03.ipynb", "01.ipynb") for k in range(2)
    ]
