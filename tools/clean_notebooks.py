"""Remove what a re-execution rewrites without a reason from the chapters: the execution timestamps.

``jupyter execute`` records in every code cell when it started and finished
(``metadata.execution``); each re-execution would rewrite hundreds of those entries and bury the
change that matters. The outputs stay: the book shows them and nbval checks them. ``make execute``
runs this after executing the chapters; ``tests/test_publishing.py`` fails on a notebook that still
has timestamps.

Usage: ``python tools/clean_notebooks.py NOTEBOOK ...`` (rewrites only the files that change).
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat


def clean(notebook: nbformat.NotebookNode) -> bool:
    """Drop every cell's ``metadata.execution``; return whether anything was dropped."""
    changed = False
    for cell in notebook.cells:
        if "execution" in cell.metadata:
            del cell.metadata["execution"]
            changed = True
    return changed


def main(paths: list[str]) -> int:
    for path in map(Path, paths):
        notebook = nbformat.read(path, as_version=4)
        if clean(notebook):
            nbformat.write(notebook, path)
            print(f"{path}: execution timestamps removed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
