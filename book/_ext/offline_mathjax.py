"""A Sphinx extension that gives the built site its own MathJax, so equations render without a network.

Sphinx loads MathJax from a CDN by default. A reader who opens ``_build/html`` from disk, or a copy of
the site served where the CDN cannot be reached (on a train, behind a firewall, in a classroom), would
then see raw LaTeX. This extension points ``mathjax_path`` at ``_static/mathjax/tex-mml-chtml.js`` and,
when an HTML build finishes, copies there MathJax's ``es5`` folder (the same release as the CDN's,
3.2.2) from the package ``django-static-mathjax`` pinned in ``requirements.txt``. The package is only a
carrier of those files: it is never imported, and it needs no Django.
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

PACKAGE = "mathjax"  # the import name of django-static-mathjax
ENTRY = "tex-mml-chtml.js"  # TeX and MathML in, CommonHTML out: Sphinx's default component


def mathjax_folder() -> Path:
    """MathJax's ``es5`` folder inside the installed package, found without importing it."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(
            "The book needs django-static-mathjax (pip install -r requirements.txt): "
            "it carries the MathJax the site serves itself."
        )
    folder = Path(spec.submodule_search_locations[0]) / "static" / "mathjax" / "es5"
    if not (folder / ENTRY).is_file():
        raise RuntimeError(f"Expected MathJax's {ENTRY} in {folder}.")
    return folder


def use_local_mathjax(app, config) -> None:
    """A relative ``mathjax_path`` is relative to the site's ``_static`` folder."""
    mathjax_folder()
    config.mathjax_path = f"mathjax/{ENTRY}"


def copy_mathjax(app, exception) -> None:
    """Copy MathJax into ``_static/mathjax`` of a finished HTML build (once; later builds keep it)."""
    if exception is not None or app.builder.format != "html":
        return
    target = Path(app.outdir) / "_static" / "mathjax"
    if not (target / ENTRY).is_file():
        shutil.copytree(mathjax_folder(), target, dirs_exist_ok=True)


def setup(app):
    app.connect("config-inited", use_local_mathjax, priority=900)
    app.connect("build-finished", copy_mathjax)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
