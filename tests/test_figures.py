"""The cell diagrams of chapters/figures: well-formed, small, vector only, and what the script draws."""

import importlib.util
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

FIGURES = Path(__file__).resolve().parent.parent / "chapters" / "figures"
MAX_BYTES = 150_000
SVG = "{http://www.w3.org/2000/svg}"


pytestmark = pytest.mark.full_environment  # the script it loads draws with matplotlib


def _load_script():
    spec = importlib.util.spec_from_file_location("draw_cells", FIGURES / "draw_cells.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # a script, not a package: registered so that its dataclass resolves
    spec.loader.exec_module(module)
    return module


draw_cells = _load_script()
NAMES = [f"{draw.__name__}.svg" for draw in draw_cells.FIGURES]


def test_every_committed_svg_is_drawn_by_the_script():
    assert sorted(p.name for p in FIGURES.glob("*.svg")) == sorted(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_svg_is_small_well_formed_vector(name):
    path = FIGURES / name
    assert path.stat().st_size < MAX_BYTES, f"{name} is {path.stat().st_size} bytes, over {MAX_BYTES}"
    root = ET.parse(path).getroot()
    assert root.tag == f"{SVG}svg", f"{name}: the root element is {root.tag}"
    assert "viewBox" in root.attrib or {"width", "height"} <= root.attrib.keys(), f"{name} has no size"
    assert not root.findall(f".//{SVG}image"), f"{name} embeds a raster image"
    assert "data:image" not in path.read_text(encoding="utf-8"), f"{name} embeds a raster image"


def test_script_reproduces_the_committed_files_byte_for_byte(tmp_path):
    written = draw_cells.draw_all(tmp_path)
    assert sorted(p.name for p in written) == sorted(NAMES)
    stale = [p.name for p in written if p.read_bytes() != (FIGURES / p.name).read_bytes()]
    assert not stale, f"out of date, run `python chapters/figures/draw_cells.py` and commit: {stale}"
