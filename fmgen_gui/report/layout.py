"""Fit the report's sections onto one A4 page: figures shrink, optional sections drop, then the
text gets smaller and, last, figure rows drop from the end; nothing spills onto a second page."""

from __future__ import annotations

import html
from dataclasses import dataclass

from PySide6.QtCore import QRectF, QSizeF
from PySide6.QtGui import QFont, QPainter, QTextDocument, QTextOption

from fmgen_gui.assets import page_template
from fmgen_gui.report.figures import Figure

A4 = QSizeF(793.7, 1122.5)  # 210 x 297 mm in 96-dpi pixels
MARGIN = 36.0
GAP = 6.0
FONT_SIZES = (8.5, 8.0, 7.5, 7.0, 6.5)  # body text sizes tried, largest first
BORDER_SLACK = 4.0  # a full-width table's borders reach this far past the text width
COMFORT = 0.75  # optional rows drop before any row shrinks below this share of its size


@dataclass
class TextSection:
    """Rich text (HTML) whose height follows from the page width and the font size."""

    name: str
    html: str
    relative_size: float = 1.0  # of the body size (the footer is smaller)
    at_bottom: bool = False  # pinned to the foot of the page

    def document(self, width: float, point_size: float, anywhere: bool = False) -> QTextDocument:
        """The laid-out text; lines break between words only (`anywhere`: inside them too)."""
        document = QTextDocument()
        document.setDefaultTextOption(wrap_option(anywhere))
        document.setDefaultFont(QFont("DejaVu Sans", point_size * self.relative_size))
        document.setDocumentMargin(0)
        document.setTextWidth(width)
        document.setHtml(self.html)
        return document


def text_section(name: str, size: float = 1.0, at_bottom: bool = False, **words: str):
    """The section `name`: its template filled in with `words`, escaped as HTML."""
    escaped = {key: html.escape(value) for key, value in words.items()}
    return TextSection(name, page_template(name).substitute(escaped), size, at_bottom)


@dataclass
class FigureRow:
    """Figures side by side in equal cells; the row's height is what the layout gives it."""

    name: str
    figures: list[Figure]
    max_height: float  # the tallest the row gets
    min_height: float  # below this it is unreadable: dropped instead
    optional: bool = False
    priority: int = 0  # optional rows with the lowest priority drop first
    columns: int = 1  # at least this many cells, so rows of one kind match (fewer: centred)

    def _cell(self, width: float) -> float:
        cells = max(len(self.figures), self.columns)
        return (width - GAP * (cells - 1)) / cells

    def natural_height(self, width: float) -> float:
        """The height at which the tallest figure fills its cell's width (at most max_height)."""
        cell = self._cell(width)
        return min(self.max_height, max(figure.height_for(cell) for figure in self.figures))

    def paint(self, painter: QPainter, rect: QRectF) -> None:
        """Each figure laid out in its cell (pictures fit it; text keeps its size)."""
        cell = self._cell(rect.width())
        used = len(self.figures) * (cell + GAP) - GAP
        for i, figure in enumerate(self.figures):
            left = rect.left() + (rect.width() - used) / 2 + i * (cell + GAP)
            figure.draw(painter, QRectF(left, rect.top(), cell, rect.height()))


Section = TextSection | FigureRow


@dataclass
class Placed:
    """A section's place on the page."""

    section: Section
    rect: QRectF
    document: QTextDocument | None = None


def _share(rows: list[FigureRow], room: float, width: float) -> list[float]:
    """Row heights: natural when they fit, else shrunk alike but never below their minimum."""
    natural = [row.natural_height(width) for row in rows]
    heights = list(natural)
    floored: set[int] = set()
    while sum(heights) > room + 1e-6:
        free = [i for i in range(len(rows)) if i not in floored]
        left = room - sum(rows[i].min_height for i in floored)
        scale = left / sum(natural[i] for i in free)
        below = [i for i in free if natural[i] * scale < rows[i].min_height]
        for i in free:
            heights[i] = max(rows[i].min_height, natural[i] * scale)
        if not below:
            break
        floored.update(below)
    return heights


def _fits(rows: list[FigureRow], room: float) -> bool:
    return sum(row.min_height for row in rows) <= room


def _comfortable(rows: list[FigureRow], room: float, width: float) -> bool:
    """Every row gets at least COMFORT of its natural height (and its minimum)."""
    wanted = (max(row.min_height, COMFORT * row.natural_height(width)) for row in rows)
    return sum(wanted) <= room


def wrap_option(anywhere: bool = False) -> QTextOption:
    """Lines break between words; Qt's default also breaks inside a word that does not fit
    its table column ("param|eters"), which only the last resort (`anywhere`) allows."""
    option = QTextOption()
    option.setWrapMode(
        QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere
        if anywhere
        else QTextOption.WrapMode.WordWrap
    )
    return option


def _documents(
    sections: list[Section], width: float, size: float, anywhere: bool = False
) -> dict[str, QTextDocument]:
    return {
        s.name: s.document(width, size, anywhere) for s in sections if isinstance(s, TextSection)
    }


def _too_wide(texts: dict[str, QTextDocument], width: float) -> bool:
    """A word wider than its table column widens the table past the page."""
    return any(document.size().width() > width + BORDER_SLACK for document in texts.values())


def _kept_rows(rows: list[FigureRow], room: float, width: float) -> list[FigureRow]:
    """The rows, less optional ones (lowest priority first) until every row keeps its size."""
    kept = list(rows)
    for row in sorted((r for r in rows if r.optional), key=lambda r: r.priority):
        if _comfortable(kept, room, width):
            break
        kept.remove(row)
    return kept


def _choose(sections: list[Section], width: float, height: float):
    """(text documents, rows kept, room for the rows) of the largest font size that fits."""
    rows = [s for s in sections if isinstance(s, FigureRow)]
    texts: dict[str, QTextDocument] = {}
    for size in FONT_SIZES:
        texts = _documents(sections, width, size)
        if _too_wide(texts, width):
            continue
        room = height - sum(d.size().height() for d in texts.values()) - GAP * len(sections)
        kept = _kept_rows(rows, room, width)
        if _fits(kept, room):
            return texts, kept, room
    texts = _documents(sections, width, FONT_SIZES[-1], anywhere=_too_wide(texts, width))
    room = height - sum(d.size().height() for d in texts.values()) - GAP * len(sections)
    kept = _kept_rows(rows, room, width)
    while kept and not _fits(kept, room):
        kept.pop()  # the last rows (the strips of the last runs) go before anything spills
    return texts, kept, room


def fit_page(sections: list[Section], page: QSizeF = A4) -> list[Placed]:
    """Where each kept section goes on the page (dropped sections are not in the list)."""
    width, height = page.width() - 2 * MARGIN, page.height() - 2 * MARGIN
    texts, kept, room = _choose(sections, width, height)
    heights = dict(zip((r.name for r in kept), _share(kept, room, width), strict=True))
    placed, top = [], MARGIN
    for section in sections:
        if isinstance(section, TextSection):
            document = texts[section.name]
            text_height = document.size().height()
            y = page.height() - MARGIN - text_height if section.at_bottom else top
            placed.append(Placed(section, QRectF(MARGIN, y, width, text_height), document))
            top += 0 if section.at_bottom else text_height + GAP
        elif section.name in heights:
            placed.append(Placed(section, QRectF(MARGIN, top, width, heights[section.name])))
            top += heights[section.name] + GAP
    return placed


def paint_page(painter: QPainter, placed: list[Placed]) -> None:
    """Draw the placed sections."""
    for item in placed:
        if item.document is not None:
            painter.save()
            painter.translate(item.rect.topLeft())
            item.document.drawContents(painter)
            painter.restore()
        else:
            item.section.paint(painter, item.rect)
