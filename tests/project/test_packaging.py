"""The wheel carries the app's resources/ as fmgen_gui.resources, and every code package."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("pyproject.toml", "README.md", "LICENSE", "trainer", "fmgen_gui", "resources")


def files_under(folder: Path) -> list[Path]:
    """The files of `folder`, less byte-code caches (which git and the wheel ignore)."""
    return [p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> zipfile.ZipFile:
    """A wheel built offline from a copy of the sources (the build writes build/ beside them)."""
    work = tmp_path_factory.mktemp("wheel")
    (work / "src").mkdir()
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(
                source, work / "src" / name, ignore=shutil.ignore_patterns("__pycache__")
            )
        else:
            shutil.copy2(source, work / "src" / name)
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation"]
    command += ["--no-index", "--wheel-dir", str(work / "dist"), str(work / "src")]
    result = subprocess.run(command, capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stdout + result.stderr
    (built,) = (work / "dist").glob("fmgen-*.whl")
    return zipfile.ZipFile(built)


def test_every_resource_file_is_in_the_wheel_under_fmgen_gui_resources(wheel):
    names = set(wheel.namelist())
    expected = {
        "fmgen_gui/resources/" + p.relative_to(ROOT / "resources").as_posix()
        for p in files_under(ROOT / "resources")
    }
    assert "fmgen_gui/resources/icons/fmgen-256.png" in expected  # the walk saw the folders
    assert expected <= names, sorted(expected - names)
    assert not any(n.startswith("resources/") for n in names)  # no top-level 'resources' package


def test_every_code_package_is_listed_in_pyproject(wheel):
    """pyproject lists packages by hand (resources/ is mapped); a new one must be added there."""
    names = set(wheel.namelist())
    packages = [
        p.relative_to(ROOT).as_posix()
        for top in ("trainer", "fmgen_gui")
        for p in (ROOT / top).rglob("__init__.py")
    ]
    assert "trainer/learners/__init__.py" in packages
    assert set(packages) <= names, sorted(set(packages) - names)
