"""The shape of lstm_lib: its modules, what each imports inside the package, and the floors of imports.

A module's floor is 0 when it imports no other module of the package, else one more than the highest
floor among those it imports: the length of the longest chain of imports below it. ``tests/test_layering.py``
uses :func:`imports` to hold the package to its wings; run this file to print the shape::

    python tools/package_shape.py [ROOT]     # ROOT: a checkout (default: this one)
"""

from __future__ import annotations

import ast
import sys
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def module_name(path: Path, package: Path) -> str:
    parts = path.relative_to(package.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(package: Path) -> dict[str, set[str]]:
    """For every module of the package (``lstm_lib.numpy_lstm``), the package's modules it imports.

    Relative and absolute imports both count; importing a subpackage counts as importing its
    ``__init__``; an import inside a function counts like one at the top.
    """
    modules = {module_name(p, package): p for p in package.rglob("*.py")}
    found: dict[str, set[str]] = {}
    for name, path in modules.items():
        is_package = path.name == "__init__.py"
        here = name if is_package else name.rpartition(".")[0]
        targets = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = here.split(".")
                    anchor = anchor[: len(anchor) - (node.level - 1)]
                    base = ".".join([*anchor, base] if base else anchor)
                if not base.startswith(package.name):
                    continue
                for alias in node.names:  # "from . import text" imports the module text
                    candidate = f"{base}.{alias.name}"
                    targets.add(candidate if candidate in modules else base)
            elif isinstance(node, ast.Import):
                targets |= {a.name for a in node.names if a.name.split(".")[0] == package.name}
        found[name] = {t for t in targets if t in modules and t != name}
    return found


def floors(graph: dict[str, set[str]]) -> dict[str, int]:
    """Each module's floor (see the module docstring); raises ``ValueError`` on an import cycle."""

    @cache
    def floor(name: str, path: tuple[str, ...] = ()) -> int:
        if name in path:
            raise ValueError(f"Expected no import cycle. Received: {' -> '.join([*path, name])}.")
        below = [floor(other, (*path, name)) for other in graph[name]]
        return 1 + max(below) if below else 0

    return {name: floor(name) for name in graph}


def main(root: Path) -> int:
    package = root / "lstm_lib"
    graph = imports(package)
    levels = floors(graph)

    def length(name: str) -> int:
        path = package.parent / name.replace(".", "/")
        return len(
            (path.with_suffix(".py") if path.with_suffix(".py").exists() else path / "__init__.py")
            .read_text()
            .splitlines()
        )

    lines = {name: length(name) for name in graph}
    for name in sorted(graph, key=lambda n: (levels[n], n)):
        below = ", ".join(sorted(graph[name])) or "-"
        print(f"floor {levels[name]:2d}  {name:42s} {lines[name]:5d} lines  imports {below}")
    print(f"{len(graph)} modules, {sum(lines.values())} lines, {max(levels.values()) + 1} floors")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT))
