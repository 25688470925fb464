"""The PDF book (``make pdf``): every chapter in it, with its figures, equations and bibliography.

Read with poppler's ``pdfinfo`` and ``pdftotext`` (Debian's poppler-utils, which ``make pdf`` requires).
"""

import json
import re
import subprocess

import pytest
from book_layout import ROOT, SITE, toc_docnames

PDF = ROOT / "_build" / "latex" / "lstms-from-scratch.pdf"
CHAPTERS = [name for name in toc_docnames() if name.startswith("chapters/")]


def chapter_title(docname: str) -> str:
    """The first heading of a chapter's notebook, as plain text (backticks dropped)."""
    cells = json.loads((ROOT / f"{docname}.ipynb").read_text())["cells"]
    return "".join(cells[0]["source"]).splitlines()[0].removeprefix("# ").replace("`", "")


@pytest.fixture(scope="module")
def pdf_text() -> str:
    if not PDF.exists():
        pytest.fail(f"No {PDF.relative_to(ROOT)}: run `make pdf` first.")
    return subprocess.run(["pdftotext", "-layout", str(PDF), "-"], check=True, capture_output=True, text=True).stdout


def test_the_pdf_has_the_pages_of_a_book():
    info = subprocess.run(["pdfinfo", str(PDF)], check=True, capture_output=True, text=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, flags=re.MULTILINE).group(1))
    assert 150 <= pages <= 400, f"{pages} pages"
    assert 1_000_000 < PDF.stat().st_size < 30_000_000  # figures in, nothing absurd


@pytest.mark.parametrize("docname", CHAPTERS)
def test_every_chapter_is_in_the_pdf(docname, pdf_text):
    title = chapter_title(docname)
    flat = " ".join(pdf_text.split())  # a title may break across lines
    assert title in flat, f"{title!r} not in the PDF's text"


def test_the_pdf_has_the_bibliography_and_the_figures(pdf_text):
    assert "Bibliography" in pdf_text and "Hochreiter" in pdf_text and "Long short-term memory" in pdf_text
    images = subprocess.run(["pdfimages", "-list", str(PDF)], check=True, capture_output=True, text=True).stdout
    assert len(images.splitlines()) - 2 >= 40  # the plots of the chapters (two header lines)


def test_the_site_offers_the_pdf():
    copy = SITE / "lstms-from-scratch.pdf"
    assert copy.exists() and copy.read_bytes() == PDF.read_bytes()
    assert 'href="../lstms-from-scratch.pdf"' in (SITE / "book" / "intro.html").read_text()
