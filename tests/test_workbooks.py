"""The workbooks: the blanks are what their one source makes, and every blank fails its check until written.

``workbooks/solutions/*.ipynb`` are the sources (executed, in the book, validated by nbval with the
chapters); ``tools/make_workbooks.py`` makes the learners' ``workbooks/*.ipynb`` from them.
"""

import contextlib
import importlib.util
import io
import re
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted((ROOT / "workbooks" / "solutions").glob("*.ipynb"))
BLANKS = sorted((ROOT / "workbooks").glob("*.ipynb"))
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))

_spec = importlib.util.spec_from_file_location("make_workbooks", ROOT / "tools" / "make_workbooks.py")
make_workbooks = importlib.util.module_from_spec(_spec)
sys.modules["make_workbooks"] = make_workbooks
_spec.loader.exec_module(make_workbooks)


def test_every_chapter_has_a_workbook_and_links_to_it():
    assert [p.name for p in SOURCES] == [p.name for p in CHAPTERS] == [p.name for p in BLANKS]
    for chapter in CHAPTERS:
        assert f"workbooks/solutions/{chapter.stem}" in chapter.read_text(), (
            f"{chapter.name} does not link its workbook"
        )


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.name)
def test_the_committed_blank_is_what_its_source_makes(source):
    made = nbformat.writes(make_workbooks.blank_notebook(nbformat.read(source, as_version=4))) + "\n"
    blank = make_workbooks.blank_path(source)
    assert blank.read_text() == made, f"{blank.name} is out of date: run python tools/make_workbooks.py"


def test_a_blank_keeps_signature_and_docstring_and_says_what_to_write():
    source = '''@decorator
def step(x, h):
    """One step."""
    y = x + h
    return y


class Cell(Base):
    """A cell."""

    def step(self, inputs, state):
        return inputs


value = 3
'''
    blank = make_workbooks.blank_source(source)
    assert blank == (
        '@decorator\ndef step(x, h):\n    """One step."""\n    raise NotImplementedError("write step")\n\n\n'
        'class Cell(Base):\n    """A cell."""\n\n    def step(self, inputs, state):\n'
        '        raise NotImplementedError("write step")'
    )
    assert make_workbooks.blank_source("# Train it on 50 pairs.\nrun(50)\n") == "# Train it on 50 pairs.\n"


def needs_tensorflow(notebook: Path) -> bool:
    return bool(re.search(r"import (tensorflow|keras)|from lstm_lib\.(tf_rnn|keras_layers)", notebook.read_text()))


@pytest.mark.parametrize(
    "blank",
    [pytest.param(b, marks=pytest.mark.full_environment) if needs_tensorflow(b) else b for b in BLANKS],
    ids=lambda p: p.name,
)
def test_every_exercise_of_a_blank_fails_its_check_with_not_written_yet(blank, monkeypatch):
    monkeypatch.chdir(blank.parent)  # where a learner opens it: relative paths resolve as they would there
    cells = [c for c in nbformat.read(blank, as_version=4).cells if c.cell_type == "code"][1:]  # not the install
    namespace: dict = {}
    checks = 0
    for cell in cells:
        if re.match(r"\s*check_\w+\(", cell.source):
            with pytest.raises(AssertionError, match="is not written yet"), contextlib.redirect_stdout(io.StringIO()):
                exec(cell.source, namespace)
            checks += 1
        else:
            exec(cell.source, namespace)
    assert checks >= 2, f"{blank.name} has {checks} checked exercises"
