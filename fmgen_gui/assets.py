"""The one reader of the app's data files: the top-level `resources/` folder of the checkout.

A wheel installs that folder as the package `fmgen_gui.resources` (pyproject's package-dir);
a checkout, an editable install and `PYTHONPATH=checkout` read it beside `fmgen_gui/` itself,
so code and data always come from the same tree (an editable install's import hook would
otherwise hand a second checkout the first one's files).
"""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from pathlib import Path
from string import Template
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QIcon

from trainer.registry import ModelSpec

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable  # Python >= 3.11; only for annotations

ICON_SIZES = (16, 24, 32, 48, 64, 128, 256)  # the PNGs under resources/icons/


@cache
def resource_root() -> Traversable:
    """The resources folder: the installed package's copy, else the checkout's `resources/`."""
    installed = files("fmgen_gui") / "resources"
    if installed.is_dir():
        return installed
    return Path(__file__).resolve().parent.parent / "resources"


def resource(name: str) -> Traversable:
    """One resource by its path under resources/, e.g. 'report/header.html'."""
    return resource_root().joinpath(*name.split("/"))


def read_text(name: str) -> str:
    """A text resource's contents (UTF-8)."""
    return resource(name).read_text(encoding="utf-8")


@cache
def colours() -> dict[str, Any]:
    """The palettes of colours.json: 'series', 'classes', 'marks', 'messages'."""
    return json.loads(read_text("colours.json"))


@cache
def page_template(name: str) -> Template:
    """The report's HTML fragment resources/report/<name>.html (its final newline dropped)."""
    return Template(read_text(f"report/{name}.html").removesuffix("\n"))


def model_page(spec: ModelSpec) -> str:
    """The Markdown page a registry entry points at ('' when it names none)."""
    return read_text(f"models/{spec.about_page}") if spec.about_page else ""


def app_icon() -> QIcon:
    """The application's icon at every size drawn for it."""
    icon = QIcon()
    for size in ICON_SIZES:
        icon.addFile(str(resource(f"icons/fmgen-{size}.png")))
    return icon
