"""Draw resources/icons/fmgen.svg as the PNG sizes the app and desktop menus use.

Run after editing the SVG: `python tools/render_icons.py` (the PNGs are committed).
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from fmgen_gui.assets import ICON_SIZES  # the checkout's, whatever is installed

ICONS = Path(__file__).resolve().parent.parent / "resources" / "icons"


def render(svg: Path, size: int) -> QImage:
    """The SVG drawn on a transparent square of `size` pixels."""
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    QSvgRenderer(str(svg)).render(painter)
    painter.end()
    return image


def main() -> None:
    """Write fmgen-<size>.png beside the SVG for every size the app loads."""
    app = QGuiApplication.instance() or QGuiApplication(["render_icons"])  # fonts, painting
    for size in ICON_SIZES:
        render(ICONS / "fmgen.svg", size).save(str(ICONS / f"fmgen-{size}.png"))
    del app


if __name__ == "__main__":
    main()
