"""A Sphinx extension that writes each script of a page once.

Sphinx 7.4 (the last 7.x, which Jupyter Book 1.x requires) keeps an inline script that an extension adds
after the builder has started under two names, ``None`` and ``''``, and so writes it into every page
twice. For sphinx-thebe's ``const THEBE_JS_URL = ...`` the second copy is a SyntaxError in the console
of every reader. This extension drops repeated scripts just before each page is written.
"""


def _script_key(script) -> tuple:
    """What makes two scripts the same: their file (or none) and their attributes, body included."""
    return getattr(script, "filename", script) or "", tuple(sorted(getattr(script, "attributes", {}).items()))


def drop_repeated_scripts(app, pagename, templatename, context, doctree) -> None:
    """Keep the first of each group of identical scripts in the page's ``script_files``."""
    unique = {}
    for script in context.get("script_files", []):
        unique.setdefault(_script_key(script), script)
    context["script_files"] = list(unique.values())


def setup(app):
    app.connect("html-page-context", drop_repeated_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
