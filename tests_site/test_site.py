"""The built site, read as a reader would read it: every page of the table of contents opens in
headless Chromium without console errors, its images load, its math renders, its internal links and
anchors resolve; chapter pages offer Binder, Colab and Live Code; the search finds a chapter's word.
A screenshot of each page goes to ``_build/screenshots/``.
"""

from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import quote, unquote, urldefrag, urlsplit
from urllib.request import ProxyHandler, build_opener

import pytest
import yaml
from book_layout import ROOT, SCREENSHOTS, toc_docnames

# The search must find a word that only Chapter 2 uses ("chrono", for the chrono initialisation),
# on Chapter 2's page.
SEARCH_WORD = "chrono"
SEARCH_PAGE = "chapters/02_numpy_lstm"

LOCAL = build_opener(ProxyHandler({}))  # the site is on 127.0.0.1: never through a proxy
PAGES = toc_docnames()
CHAPTERS = [name for name in PAGES if name.startswith("chapters/")]


def screenshot(page, name: str, site_report, full_page=True) -> None:
    """Save the page (or what the window shows) as ``_build/screenshots/<name>.png``."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name.replace('/', '__')}.png"
    page.screenshot(path=path, full_page=full_page)
    site_report["screenshots"].append(str(path.relative_to(ROOT)))


class _Ids(HTMLParser):
    """Collects every ``id`` (and old-style ``<a name>``) of a page: the anchors a link may target."""

    def __init__(self):
        super().__init__()
        self.ids = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("name"):
            self.ids.add(attrs["name"])


@cache
def fetch_anchors(url: str) -> set[str] | str:
    """The anchors of the page at ``url`` (no fragment), or a message saying why it cannot be read."""
    try:
        with LOCAL.open(url, timeout=30) as response:
            body = response.read()
            is_html = response.headers.get_content_type() == "text/html"
    except HTTPError as error:
        return f"HTTP {error.code}"
    if not is_html:
        return set()
    parser = _Ids()
    parser.feed(body.decode("utf-8"))
    return parser.ids


def broken_links(hrefs: list[str], site_url: str) -> list[str]:
    """Each internal link among ``hrefs`` whose page or anchor does not exist, with the reason."""
    problems = []
    for href in hrefs:
        page_url, fragment = urldefrag(href)
        anchors = fetch_anchors(page_url.split("?")[0])
        if isinstance(anchors, str):
            problems.append(f"{href.removeprefix(site_url)}: {anchors}")
        elif fragment and unquote(fragment) not in anchors:
            problems.append(f"{href.removeprefix(site_url)}: no element with id {unquote(fragment)!r}")
    return problems


def wait_for_math(page) -> None:
    """Wait until MathJax, where the page loads it, has typeset everything."""
    page.evaluate("async () => { if (window.MathJax?.startup?.promise) await MathJax.startup.promise; }")


def described(image: dict) -> bool:
    """Whether an image has alt text of its own (Sphinx falls back to the image's path)."""
    return bool(image["alt"]) and Path(urlsplit(image["src"]).path).name not in image["alt"]


READ_PAGE_JS = r"""() => ({
    images: [...document.images].map(i => ({src: i.src, loaded: i.complete && i.naturalWidth > 0,
                                            alt: (i.getAttribute('alt') || '').trim()})),
    links: [...document.querySelectorAll('a[href], link[href]')].map(a => a.href),
    mathUnrendered: [...document.querySelectorAll('.math')].filter(m => !m.querySelector('mjx-container'))
                        .map(m => m.textContent.slice(0, 60)),
    mathErrors: document.querySelectorAll('mjx-merror').length,
    mathRendered: document.querySelectorAll('mjx-container').length,
    // code blocks (cell inputs and outputs) wider than their box: they would scroll sideways
    codeScrolling: [...document.querySelectorAll('article pre')].filter(p => p.scrollWidth > p.clientWidth + 1)
                        .map(p => p.textContent.split('\n').find(l => l.length > 80)?.slice(0, 60) ?? ''),
    // TeX a reader would see as text: the article without its code, its rendered math and its math sources
    rawTex: (() => {
        const article = document.querySelector('article')?.cloneNode(true);
        if (!article) return [];
        article.querySelectorAll('pre, code, mjx-container, .math, script').forEach(e => e.remove());
        return [...article.textContent.matchAll(/\\\(|\\\[|\\begin\{|\$\$/g)]
            .map(m => article.textContent.slice(Math.max(0, m.index - 20), m.index + 40));
    })(),
    figuresWithoutNumber: [...document.querySelectorAll('figure')]
                        .filter(f => !f.querySelector('figcaption .caption-number')).map(f => f.id),
})"""


@pytest.mark.parametrize("docname", PAGES)
def test_page_reads_cleanly(docname, visit, site_url, site_report):
    """No console error, no request to another host (MathJax comes from the site itself), every image
    loads and has alt text, math is typeset (MathJax's output on every chapter page, no raw TeX left as
    text), no code block scrolls sideways at 1280 px, every figure has a numbered caption, and every
    internal link and anchor resolves."""
    visit_ = visit(f"{docname}.html")
    wait_for_math(visit_.page)
    seen = visit_.page.evaluate(READ_PAGE_JS)
    screenshot(visit_.page, docname, site_report)

    internal = sorted({href for href in seen["links"] if href.startswith(site_url)})
    problems = [*visit_.errors]
    problems += [f"request to another host: {url}" for url in visit_.external_requests]
    problems += [f"image did not load: {image['src']}" for image in seen["images"] if not image["loaded"]]
    problems += [
        f"image without alt text (set the cell's mystnb.image.alt): {image['src']}"
        for image in seen["images"]
        if not described(image)
    ]
    problems += [f"math not typeset: {text!r}" for text in seen["mathUnrendered"]]
    problems += [f"{seen['mathErrors']} TeX errors"] if seen["mathErrors"] else []
    problems += [f"raw TeX shown as text: {text!r}" for text in seen["rawTex"]]
    problems += [f"code scrolls sideways at 1280 px: {line!r}" for line in seen["codeScrolling"]]
    if docname in CHAPTERS and not seen["mathRendered"]:
        problems.append("no equation rendered by MathJax on a chapter page")
    problems += [f"figure without a numbered caption: {fid}" for fid in seen["figuresWithoutNumber"]]
    problems += [f"broken link {problem}" for problem in broken_links(internal, site_url)]
    assert not problems, f"{docname}:\n  " + "\n  ".join(problems)

    site_report["pages"].append(docname)
    site_report["images"] += len(seen["images"])
    site_report["links"] += len(internal)


def test_start_page_opens_the_introduction(visit):
    """The site's address (index.html) leads to the root page of the table of contents."""
    visit_ = visit("index.html")
    visit_.page.wait_for_url(f"**/{PAGES[0]}.html")
    assert not visit_.errors


def _repository() -> dict:
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    return {**config["repository"], **config["launch_buttons"]}


@pytest.mark.parametrize("docname", CHAPTERS)
def test_chapter_offers_binder_colab_and_live_code(docname, visit, site_report):
    """The rocket menu of every chapter opens on Binder, Colab and Live Code, for this chapter's notebook
    in the repository and branch of ``_config.yml``."""
    repo = _repository()
    slug = urlsplit(repo["url"]).path.strip("/")
    notebook = f"{docname}.ipynb"
    assert (ROOT / notebook).is_file()
    expected = {
        "Binder": f"{repo['binderhub_url']}/v2/gh/{slug}/{repo['branch']}?urlpath=lab/tree/{notebook}",
        "Colab": f"{repo['colab_url']}/github/{slug}/blob/{repo['branch']}/{notebook}",
    }
    page = visit(f"{docname}.html").page
    page.click("button[aria-label='Launch interactive content']")
    screenshot(page, f"{docname}-launch-menu", site_report, full_page=False)
    for label, url in expected.items():
        link = page.locator(f".dropdown-launch-buttons a[href='{url}']")
        assert link.is_visible(), f"no visible {label} button linking to {url}"
    thebe = page.locator("script[type='text/x-thebe-config']").text_content()
    assert f'repo: "{slug}"' in thebe and f'ref: "{repo["branch"]}"' in thebe
    assert f'path: "./{Path(docname).parent}"' in thebe, "Live Code kernels must start in the chapter's folder"
    # Offline, Live Code can go no further than asking for the Thebe bundle (which then asks Binder).
    with page.expect_request(lambda request: "/thebe@" in request.url):
        page.click(".dropdown-launch-buttons button.btn-launch-thebe")


def test_search_finds_a_word_of_the_chapter(visit, site_report):
    """Searching for ``SEARCH_WORD`` lists ``SEARCH_PAGE`` among its results."""
    visit_ = visit(f"search.html?q={quote(SEARCH_WORD)}")
    # Sphinx retitles the results "Search Results" once the search has ended, with or without results.
    visit_.page.wait_for_selector("#search-results h2:text-is('Search Results')", state="attached")
    screenshot(visit_.page, "search", site_report)
    results = visit_.page.eval_on_selector_all(
        "#search-results ul.search li a", "links => links.map(a => new URL(a.href).pathname)"
    )
    assert any(path.endswith(f"/{SEARCH_PAGE}.html") for path in results), (
        f"searching {SEARCH_WORD!r} found {results}, not {SEARCH_PAGE}"
    )
    assert not visit_.errors


DIAGRAMS = sorted((ROOT / "chapters" / "figures").glob("*.svg"))


@pytest.mark.parametrize("diagram", DIAGRAMS, ids=lambda path: path.name)
def test_every_cell_diagram_is_shown_in_a_chapter(diagram, visit):
    """Each drawn diagram of ``chapters/figures`` appears on a chapter page that uses it, loads, is drawn at
    a readable width, and has a numbered caption and alt text of its own."""
    pages = [name for name in CHAPTERS if f"figures/{diagram.name}" in (ROOT / f"{name}.ipynb").read_text()]
    assert pages, f"no chapter shows {diagram.name}"
    for docname in pages:
        page = visit(f"{docname}.html").page
        found = page.evaluate(
            """name => [...document.querySelectorAll('figure img')].filter(i => i.src.endsWith('/' + name)).map(i => ({
                loaded: i.complete && i.naturalWidth > 0, width: i.getBoundingClientRect().width,
                alt: (i.getAttribute('alt') || '').trim(),
                number: i.closest('figure').querySelector('figcaption .caption-number') !== null}))""",
            diagram.name,
        )
        assert found, f"{docname} does not show {diagram.name} as a figure"
        for image in found:
            assert image["loaded"] and image["width"] >= 400, (docname, diagram.name, image)
            assert image["number"] and image["alt"] and diagram.name not in image["alt"], (docname, image)


def test_equations_render_from_disk_without_a_network(browser):
    """``_build/html`` opened as files, every request outside it refused: Chapter 2's equations render."""
    from book_layout import SITE

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    refused = []
    site = SITE.resolve().as_uri()

    def only_the_site(route):
        if route.request.url.startswith(site):
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    context.route("**/*", only_the_site)
    page = context.new_page()
    page.goto(f"{site}/{SEARCH_PAGE}.html", wait_until="load")
    wait_for_math(page)
    rendered = page.evaluate("document.querySelectorAll('mjx-container').length")
    unrendered = page.evaluate(
        "[...document.querySelectorAll('.math')].filter(m => !m.querySelector('mjx-container')).length"
    )
    context.close()
    assert rendered > 50 and unrendered == 0 and not refused, (rendered, unrendered, refused)


LUMINANCE_JS = """(selector) => {
    const rgb = c => c.match(/[\\d.]+/g).slice(0, 3).map(Number);
    const lum = ([r, g, b]) => 0.2126 * r + 0.7152 * g + 0.0722 * b;
    const code = document.querySelector(selector);
    let box = code;
    while (box && getComputedStyle(box).backgroundColor.match(/rgba\\(.*, 0\\)$|transparent/)) box = box.parentElement;
    return {text: lum(rgb(getComputedStyle(code).color)),
            background: lum(rgb(getComputedStyle(box || document.body).backgroundColor)),
            theme: document.documentElement.dataset.theme};
}"""


def test_dark_mode_switches_and_keeps_code_readable(visit, site_report):
    """The theme button reaches dark mode, and code there is light text on a dark box (and the reverse)."""
    page = visit(f"{SEARCH_PAGE}.html").page
    light = page.evaluate(LUMINANCE_JS, ".bd-article div.highlight pre")
    for _ in range(3):
        if page.evaluate("document.documentElement.dataset.theme") == "dark":
            break
        page.locator(".theme-switch-button").first.click()
    dark = page.evaluate(LUMINANCE_JS, ".bd-article div.highlight pre")
    screenshot(page, f"{SEARCH_PAGE}-dark", site_report, full_page=False)
    assert dark["theme"] == "dark", dark
    assert light["text"] < light["background"] - 100, light  # dark text on a light box
    assert dark["text"] > dark["background"] + 100, dark  # light text on a dark box
