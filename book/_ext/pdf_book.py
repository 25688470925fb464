"""A Sphinx extension for the book's PDF (``make pdf``): Jupyter Book's LaTeX class, without ``bbm``.

Jupyter Book's LaTeX extension (sphinx-jupyterbook-latex) copies its class ``jupyterBook.cls`` into the
LaTeX output. The class defines the environments its notebook cells need, and also loads the package
``bbm`` for blackboard letters (``\\RR``, ``\\NN``, ...) that the course never uses; in Debian's TeX Live
``bbm`` comes only with ``texlive-fonts-extra``, a download of about 500 MB. Once the class is copied,
this extension writes it again with amssymb's ``\\mathbb`` in place of ``bbm``'s ``\\mathbbm``, so the PDF
needs only the TeX Live packages that the Makefile's ``pdf`` target installs. The HTML site is untouched.
"""

from pathlib import Path


def drop_bbm(app) -> None:
    cls = Path(app.outdir) / "jupyterBook.cls"
    if app.builder.format != "latex" or not cls.exists():
        return
    text = cls.read_text(encoding="utf-8")
    cls.write_text(text.replace("\\RequirePackage{bbm}\n", "").replace("\\mathbbm", "\\mathbb"), encoding="utf-8")


def setup(app):
    app.connect("builder-inited", drop_bbm, priority=900)  # after sphinx-jupyterbook-latex's copy (500)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
