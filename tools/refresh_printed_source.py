"""Refresh the saved output of the chapter cells that only print library source (``inspect.getsource``).

When a function of lstm_lib changes, the cells that print it show the old source until the chapter
is executed again. This rewrites the saved output of exactly those cells, the cells whose every line is
``print(inspect.getsource(NAME))`` (a trailing comment allowed), with what they print now, after
running the chapter's import cell; no other cell is touched. ``make execute`` remains the way to
re-execute a chapter; this is for a change that reaches only printed source.

Usage: ``python tools/refresh_printed_source.py NOTEBOOK ...``
"""

from __future__ import annotations

import contextlib
import io
import re
import sys
from pathlib import Path

import nbformat

PRINT_SOURCE = re.compile(r"print\(inspect\.getsource\([\w.]+\)\)(\s*#.*)?")


def only_prints_source(source: str) -> bool:
    lines = [line for line in source.strip().splitlines() if line.strip()]
    return bool(lines) and all(PRINT_SOURCE.fullmatch(line.strip()) for line in lines)


def refresh(path: Path) -> int:
    notebook = nbformat.read(path, as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    imports = next(cell.source for cell in code if "import inspect" in cell.source or "from lstm_lib" in cell.source)
    namespace: dict = {}
    exec("import inspect\n" + imports, namespace)
    changed = 0
    for cell in code:
        if not only_prints_source(cell.source):
            continue
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(cell.source, namespace)
        new = [nbformat.v4.new_output("stream", name="stdout", text=printed.getvalue())]
        if [dict(o) for o in cell.outputs] != [dict(o) for o in new]:
            cell.outputs = new
            changed += 1
    if changed:
        nbformat.write(notebook, path)
    return changed


if __name__ == "__main__":
    for name in sys.argv[1:]:
        print(f"{name}: {refresh(Path(name))} cell(s) refreshed")
