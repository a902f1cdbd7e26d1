"""RunsPane: every run folder in a sortable, filterable table; overlay, rename, notes, delete."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from PySide6.QtCore import QItemSelection, QItemSelectionModel, Qt, QTimer, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from fmgen_gui.runs.overlay import RunsOverlay
from fmgen_gui.widgets.message_bar import MessageBar
from fmgen_gui.widgets.scroll import vertical_scroll
from trainer.common.errors import FmgenError
from trainer.runs.index import DAMAGED, RunIndex, RunRow, delete_run, same_sweep

COLUMNS = ("label", "model", "settings", "epochs", "metrics", "fid", "state", "size_mb", "group")
HEADERS = (
    "Run",
    "Model",
    "Settings",
    "Epochs",
    "Last test metrics",
    "FID",
    "State",
    "Size (MB)",
    "Sweep",
)
SIZE_TIP = "Disk space of the run folder (checkpoints, snapshots, grids, metrics), in megabytes"
# The long columns share the width the short ones leave, eliding what does not fit (a
# DDPM's metrics pushed State off a 1280 px window); their tooltips show them in full.
ELIDED = ("settings", "metrics")
# How often the shown tab looks for new and changed runs: a few stat calls per run (RunIndex
# reads a run again only when its files changed), so a run's progress and FID show within
# seconds without the Refresh button.
POLL_MS = 2000
MIN_TABLE_ROWS = 5  # the table keeps room for this many runs beside the overlay plot


class _SortItem(QTableWidgetItem):
    """Sorts numbers as numbers (FID, MB) and text as text."""

    def __lt__(self, other: QTableWidgetItem) -> bool:
        mine, theirs = self.data(Qt.ItemDataRole.UserRole), other.data(Qt.ItemDataRole.UserRole)
        if isinstance(mine, float) and isinstance(theirs, float):
            return mine < theirs
        return self.text() < other.text()  # PySide recurses on super().__lt__


class RunsPane(QWidget):
    """Lists runs under the runs folder (and added folders); overlays the selected ones."""

    open_requested = Signal(object)  # a run folder to open in the Train tab
    follow_requested = Signal(object)  # a run folder to follow live
    save_requested = Signal(object)  # the overlay plot or a grid to save as a figure
    report_requested = Signal(list)  # run folders to evaluate and report together

    def __init__(self, roots: list[Path], index: RunIndex | None = None) -> None:
        super().__init__()
        self.roots, self.index = list(roots), index or RunIndex()
        self.rows: list[RunRow] = []
        self.messages = MessageBar()
        self.filter = QLineEdit(placeholderText="filter: vae, beta 4, finished (all must match)")
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.horizontalHeaderItem(COLUMNS.index("size_mb")).setToolTip(SIZE_TIP)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSortingEnabled(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)  # short: whole
        for name in ELIDED:
            header.setSectionResizeMode(COLUMNS.index(name), QHeaderView.ResizeMode.Stretch)
        rows = self.table.verticalHeader().defaultSectionSize()
        self.table.setMinimumHeight(header.sizeHint().height() + MIN_TABLE_ROWS * rows)
        self.overlay = RunsOverlay()
        self.overlay.save_requested.connect(self.save_requested)
        self.overlay.problem.connect(lambda text: self.messages.show_message(text, "error"))
        self._build()
        self.refresh()
        self.timer = QTimer(self, interval=POLL_MS)
        self.timer.timeout.connect(self.poll)
        self.timer.start()

    def _build(self) -> None:
        buttons = QHBoxLayout()
        for text, slot in (
            ("Refresh", self.refresh),
            ("Open", lambda: self._each(self.open_requested.emit)),
            ("Follow", lambda: self._each(self.follow_requested.emit)),
            ("Select sweep", self.select_sweep),
            ("Evaluate and report…", self.request_report),
            ("Rename…", self.rename),
            ("Notes…", self.edit_notes),
            ("Delete…", self.delete),
        ):
            button = QPushButton(text)
            button.clicked.connect(slot)
            buttons.addWidget(button)
        self.filter.textChanged.connect(self._apply_filter)
        self.table.itemSelectionChanged.connect(self.show_overlay)
        top = QWidget()
        layout = QVBoxLayout(top)
        layout.addWidget(self.messages)
        layout.addWidget(self.filter)
        layout.addWidget(self.table, stretch=1)
        layout.addLayout(buttons)
        # The plot keeps its minimum height (LossPlot) and the grids theirs: in a short window
        # they scroll, rather than squash the plot or push the window past the screen.
        lower_area = vertical_scroll(self.overlay)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(top)
        splitter.addWidget(lower_area)
        splitter.setChildrenCollapsible(False)
        splitter.setStretchFactor(1, 2)  # new room goes mostly to the plot
        QVBoxLayout(self).addWidget(splitter)

    def showEvent(self, event: QShowEvent) -> None:
        """Bring the table up to date as the tab comes into view (polls skip a hidden tab)."""
        super().showEvent(event)
        self.poll()

    def poll(self) -> None:
        """Look for new and changed runs while the tab is on screen (the timer calls this)."""
        if self.isVisible():
            self.refresh()

    def refresh(self) -> None:
        """Read the run folders again (RunIndex re-reads only changed ones) and show them.

        The selection follows runs, not rows: after new runs appear or the order changes, the
        same runs are selected, so an action never lands on a run the user did not choose.
        """
        rows = self.index.rows(self.roots)
        if rows == self.rows and self.table.rowCount() == len(rows):
            return  # nothing changed: keep the table (and the user's scrolling) as it is
        chosen = [row.path for row in self.selected()]
        before = _overlaid([row for row in self.rows if row.path in chosen])
        self.rows = rows
        self.table.blockSignals(True)  # one selection change at the end, not one per row
        self.table.setSortingEnabled(False)
        self.table.clearSelection()
        self.table.setRowCount(len(self.rows))
        for r, row in enumerate(self.rows):
            for c, name in enumerate(COLUMNS):
                value = getattr(row, name)
                item = _SortItem("" if value is None else _text(value))
                item.setData(Qt.ItemDataRole.UserRole, value if isinstance(value, float) else r)
                item.setData(Qt.ItemDataRole.UserRole + 1, r)
                # a damaged run's reason, in full, wherever the pointer rests
                tip = row.metrics if row.state == DAMAGED else row.notes
                if name in ELIDED and item.text() not in tip:
                    tip = f"{item.text()}\n{tip}"  # the cell, elided in a narrow window
                item.setToolTip(f"{row.path}\n{tip}".strip())
                self.table.setItem(r, c, item)
        self.table.setSortingEnabled(True)
        self._select_paths(set(chosen))
        self.table.blockSignals(False)
        self._apply_filter(self.filter.text())
        if _overlaid(self.selected()) != before:  # other runs, or new epochs, FIDs, states
            self.show_overlay()

    def _select_paths(self, paths: set[Path]) -> None:
        """Select the rows of the runs in `paths` (and only those), as one selection change."""
        model, last = self.table.model(), self.table.columnCount() - 1
        selection = QItemSelection()
        for r in range(self.table.rowCount()):
            if self.row_at(r).path in paths:
                selection.select(model.index(r, 0), model.index(r, last))
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect
        self.table.selectionModel().select(selection, flags)

    def shown_states(self) -> dict[str, int]:
        """How many table rows show each state, as the State column reads."""
        column = COLUMNS.index("state")
        states = [self.table.item(r, column).text() for r in range(self.table.rowCount())]
        return dict(Counter(states))

    def selected(self) -> list[RunRow]:
        """The rows selected in the table, in table order."""
        rows = sorted({i.row() for i in self.table.selectedIndexes()})
        return [self.row_at(r) for r in rows]

    def row_at(self, table_row: int) -> RunRow:
        """The run shown in a table row (sorting moves rows; each item keeps its run's index)."""
        return self.rows[self.table.item(table_row, 0).data(Qt.ItemDataRole.UserRole + 1)]

    def select_sweep(self) -> None:
        """Select every run of the selected runs' sweeps at once, which overlays them."""
        members = same_sweep(self.rows, self.selected())
        if not members:
            self.messages.show_message("Select a run of a sweep (its Sweep column is set)", "error")
            return
        self._select_paths({row.path for row in members})  # one change: one overlay

    def request_report(self) -> None:
        """Hand the selected runs (a sweep, several models, ...) to the Evaluate tab."""
        rows = self.selected()
        if not rows:
            self.messages.show_message("Select the runs to evaluate and report", "error")
            return
        self.report_requested.emit([row.path for row in rows])

    def _apply_filter(self, text: str) -> None:
        words = [term.strip() for term in text.lower().split(",") if term.strip()]  # phrases
        for r in range(self.table.rowCount()):
            row = self.row_at(r)
            haystack = " ".join(_text(getattr(row, n)) for n in (*COLUMNS, "notes")).lower()
            self.table.setRowHidden(r, not all(word in haystack for word in words))

    def _each(self, action) -> None:
        for row in self.selected():
            action(row.path)

    def rename(self) -> None:
        """Give the selected run a display label."""
        for row in self.selected()[:1]:
            label, ok = QInputDialog.getText(self, "Rename run", "Display label:", text=row.label)
            if ok and label.strip():
                self.index.set_user(row.path, label=label.strip())
                self.refresh()

    def edit_notes(self) -> None:
        """Write notes on the selected run."""
        for row in self.selected()[:1]:
            notes, ok = QInputDialog.getMultiLineText(self, "Notes", row.label, row.notes)
            if ok:
                self.index.set_user(row.path, notes=notes)
                self.refresh()

    def delete(self, confirm=None) -> None:
        """Delete the selected runs after confirmation; a run in use is refused."""
        rows = self.selected()
        ask = confirm or self._confirm_delete
        if not rows or not ask(rows):
            return
        for row in rows:
            try:
                delete_run(row.path)
            except FmgenError as exc:
                self.messages.show_message(str(exc), "error")
        self.refresh()

    def _confirm_delete(self, rows: list[RunRow]) -> bool:
        names = "\n".join(str(row.path) for row in rows)
        answer = QMessageBox.question(self, "Delete runs", f"Delete these run folders?\n{names}")
        return answer == QMessageBox.StandardButton.Yes

    def readable(self) -> list[RunRow]:
        """The selected rows that are not damaged (a damaged one has no curves to overlay)."""
        return [row for row in self.selected() if row.state != DAMAGED]

    def show_overlay(self) -> None:
        """Show the selected runs that are not damaged in the overlay below the table."""
        self.overlay.show_runs(self.readable())


def _overlaid(rows: list[RunRow]) -> list[tuple]:
    """What the overlay shows of `rows`: a running run's growing size or last step alone does
    not redraw it (that re-read every selected run's history and grids at each poll)."""
    return [(row.path, row.label, row.epochs, row.fid, row.state) for row in rows]


def _text(value: object) -> str:
    return f"{value:.1f}" if isinstance(value, float) else str(value)
