"""Make the learners' workbooks from their one source, the solutions: blanks that cannot drift from them.

``workbooks/solutions/NN_name.ipynb`` is the source: the exercises' prose, a solution cell for each, the
check that follows it, executed (the book shows it, solutions folded; nbval validates it). The learner's
``workbooks/NN_name.ipynb`` is made from it by three rules:

* a code cell tagged ``solution`` that defines functions or classes keeps, for each of them, its
  decorators, signature and docstring, and its body becomes ``raise NotImplementedError(...)``; the
  methods of a class are kept the same way, and the cell's other statements go;
* a code cell tagged ``solution`` with no definition (an experiment) keeps its first comment lines, the
  task, and an empty line to write in;
* a markdown cell tagged ``solution`` (a discussion of the results) goes, and the relative links of the
  others lose one ``../``, since the blanks lie one folder higher.

Every output and execution count goes, and so do the tags that fold solutions on the site. A test
(``tests/test_workbooks.py``) checks that the committed blanks are what this makes.

Usage: ``python tools/make_workbooks.py`` (writes the blanks) or ``--check`` (exits 1 if one is stale).
"""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "workbooks" / "solutions"
BLANKS = ROOT / "workbooks"
FOLDING = {"hide-input", "hide-output", "hide-cell", "remove-input", "solution"}


def _blank_function(lines: list[str], node: ast.FunctionDef, indent: str) -> list[str]:
    """The decorators, signature and docstring of a function, and a body that says what to write."""
    first = (node.decorator_list[0].lineno if node.decorator_list else node.lineno) - 1
    body = node.body
    has_doc = (
        isinstance(body[0], ast.Expr)
        and isinstance(body[0].value, ast.Constant)
        and isinstance(body[0].value.value, str)
    )
    last = body[0].end_lineno if has_doc else node.body[0].lineno - 1
    kept = lines[first:last]
    inner = indent + "    "
    return [*kept, f'{inner}raise NotImplementedError("write {node.name}")']


def _blank_class(lines: list[str], node: ast.ClassDef) -> list[str]:
    first = (node.decorator_list[0].lineno if node.decorator_list else node.lineno) - 1
    body = node.body
    has_doc = isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
    header_end = body[0].end_lineno if has_doc else node.lineno
    kept = lines[first:header_end]
    for item in body:
        if isinstance(item, ast.FunctionDef):
            # a blank line between methods, and after the docstring, but none right below "class X:"
            kept += [
                *([""] if len(kept) > header_end - first or has_doc else []),
                *_blank_function(lines, item, " " * item.col_offset),
            ]
    return kept


def blank_source(source: str) -> str:
    """The learner's version of a solution cell's code (see the module docstring)."""
    tree = ast.parse(source)
    lines = source.splitlines()
    definitions = [node for node in tree.body if isinstance(node, ast.FunctionDef | ast.ClassDef)]
    if not definitions:
        task = []
        for line in lines:
            if not line.startswith("#"):
                break
            task.append(line)
        return "\n".join([*task, ""]) if task else "# your code here\n"
    parts = []
    for node in definitions:
        parts.append(
            "\n".join(_blank_class(lines, node) if isinstance(node, ast.ClassDef) else _blank_function(lines, node, ""))
        )
    return "\n\n\n".join(parts)


def blank_notebook(solutions: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The learner's notebook made from the solutions notebook."""
    cells = []
    for cell in solutions.cells:
        tags = set(cell.metadata.get("tags", []))
        if cell.cell_type == "markdown":
            if "solution" not in tags:
                cells.append(nbformat.v4.new_markdown_cell(cell.source.replace("](../../", "](../")))
            continue
        source = blank_source(cell.source) if "solution" in tags else cell.source
        new = nbformat.v4.new_code_cell(source)
        kept = sorted(tags - FOLDING)
        if cell is next(c for c in solutions.cells if c.cell_type == "code"):
            kept = sorted(tags - {"solution"})  # the install cell stays folded for the learner too
        if kept:
            new.metadata["tags"] = kept
        cells.append(new)
    notebook = nbformat.v4.new_notebook(cells=cells, metadata=solutions.metadata)
    for k, cell in enumerate(notebook.cells):
        cell.id = f"cell-{k:03d}"
    return notebook


def blank_path(source: Path) -> Path:
    return BLANKS / source.name


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report stale blanks instead of writing them")
    args = parser.parse_args(argv)
    stale = []
    for source in sorted(SOURCES.glob("*.ipynb")):
        made = nbformat.writes(blank_notebook(nbformat.read(source, as_version=4))) + "\n"
        target = blank_path(source)
        if not target.exists() or target.read_text() != made:
            stale.append(target)
            if not args.check:
                target.write_text(made)
                print(f"wrote {target.relative_to(ROOT)}")
    if args.check and stale:
        print("out of date (run python tools/make_workbooks.py):", *[str(p.relative_to(ROOT)) for p in stale])
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
