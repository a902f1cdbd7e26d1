"""Make QSvgGenerator output render the same in every SVG viewer.

Qt writes a cosmetic (constant-width) pen as `vector-effect="non-scaling-stroke"` on shapes
kept in their own coordinates under a group transform. pyqtgraph plots data in data units, so
that transform scales by 100x or 0.01x, and viewers that ignore the attribute (librsvg, hence
rsvg-convert, GNOME's viewer and many converters) draw lines 100 times too thick or thin.
Applying the transform to the coordinates themselves removes the dependence. pyqtgraph's own
SVGExporter does the same but fails on closed paths (pyqtgraph issue #3495).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

SVG = "http://www.w3.org/2000/svg"
SHAPES = {f"{{{SVG}}}polyline", f"{{{SVG}}}polygon", f"{{{SVG}}}path"}
_MATRIX = re.compile(r"matrix\(([^)]*)\)")
_PAIR = re.compile(r"([A-Za-z]?)(-?[\d.eE+-]+),(-?[\d.eE+-]+)")

ET.register_namespace("", SVG)
ET.register_namespace("xlink", "http://www.w3.org/1999/xlink")


def _apply(matrix: list[float], text: str) -> str:
    a, b, c, d, e, f = matrix

    def move(match: re.Match) -> str:
        x, y = float(match[2]), float(match[3])
        return f"{match[1]}{a * x + c * y + e:.3f},{b * x + d * y + f:.3f}"

    return _PAIR.sub(move, text)


def _flattenable(group: ET.Element) -> bool:
    children = list(group)
    return bool(children) and all(
        child.tag in SHAPES and child.get("vector-effect") == "non-scaling-stroke"
        for child in children
    )


def flatten_cosmetic_strokes(svg: str) -> str:
    """The same drawing, with transforms of constant-width shapes moved into coordinates."""
    root = ET.fromstring(svg)
    for group in root.iter(f"{{{SVG}}}g"):
        match = _MATRIX.fullmatch(group.get("transform", "").strip())
        if match is None or not _flattenable(group):
            continue
        matrix = [float(v) for v in match[1].split(",")]
        for shape in group:
            attribute = "d" if shape.tag.endswith("path") else "points"
            shape.set(attribute, _apply(matrix, shape.get(attribute, "")))
        del group.attrib["transform"]
    return ET.tostring(root, encoding="unicode", xml_declaration=True)
