"""Where the book's source and its built site are, and which pages the table of contents lists."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "_build" / "html"
SCREENSHOTS = ROOT / "_build" / "screenshots"
REPORT = ROOT / "_build" / "site-test.txt"


def toc_docnames() -> list[str]:
    """Every page in ``_toc.yml``, root first, in reading order, as Sphinx docnames ("book/intro")."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    names = [toc["root"]]

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                names.append(node["file"])
            for key, value in node.items():
                if key != "root":
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(toc)
    return [name.removesuffix(".ipynb").removesuffix(".md") for name in names]
