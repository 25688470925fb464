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


def test_no_character_went_missing_from_the_pdf():
    """XeLaTeX drops a character its font lacks and only says so in its log: the PDF would silently miss it.

    Chapter 8's dates bring letters from 13 languages (č, ł, ř, ø...) and the outputs print box-drawing
    characters; the fonts must have every one.
    """
    log = PDF.with_suffix(".log")
    assert log.exists(), f"No {log.relative_to(ROOT)}: run `make pdf` first."
    missing = [line for line in log.read_text(errors="replace").splitlines() if "Missing character" in line]
    assert not missing, "\n".join(missing[:10])


def test_chapter_8s_accented_dates_are_in_the_pdf(pdf_text):
    assert "března" in pdf_text or "ř" in pdf_text  # Czech, the rarest letters of the date formats
