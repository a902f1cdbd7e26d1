"""The export dialog: who hands the report in, their words about each run, which runs' figures
go on the page, and whether the appendix page comes too."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QWidget,
)

from trainer.report.options import MAX_ON_PAGE, ReportOptions

REMEMBERED = ("title", "authors", "course", "comment", "folder")  # kept in QSettings
DESCRIPTION_KEY = "report/description/"  # + a run key: the group's own text about that run
APPENDIX_KEY = "report/appendix"


@dataclass(frozen=True)
class ExportChoices:
    """What the dialog asked for."""

    folder: Path
    title: str
    authors: tuple[str, ...]
    course: str
    comment: str
    on_page: tuple[str, ...]  # run keys
    descriptions: tuple[tuple[str, str], ...] = ()  # (run key, text)
    appendix: bool = False

    def apply_to(self, options: ReportOptions) -> ReportOptions:
        """`options` with everything chosen here."""
        return replace(
            options,
            title=self.title,
            authors=self.authors,
            course=self.course,
            comment=self.comment,
            on_page=self.on_page,
            descriptions=self.descriptions,
            appendix=self.appendix,
        )


TITLE_CHARS = 55  # the title field's width, in characters
DESCRIPTION_HEIGHT = 190  # pixels: a tab with its editor


class ExportDialog(QDialog):
    """Title, authors (one a line), course, comment, a description per run, the appendix,
    folder; runs on the page when > 4.

    `descriptions` are the texts made from each run's facts; a group's edit of one is
    remembered (by run key), an unedited one is made again next time, from the numbers then.
    """

    def __init__(
        self,
        runs: dict[str, str],
        settings: QSettings,
        parent: QWidget | None = None,
        descriptions: dict[str, str] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export report")
        self.settings = settings
        self.made = descriptions or {}
        self.descriptions = QTabWidget()
        self.descriptions.setMinimumHeight(DESCRIPTION_HEIGHT)  # a whole made text, unscrolled
        self.editors: dict[str, QPlainTextEdit] = {}
        for key, text in self.made.items():
            editor = QPlainTextEdit(settings.value(DESCRIPTION_KEY + key, "") or text)
            editor.setToolTip("What you did, how it is trained, the result; printed on the page")
            self.editors[key] = editor
            self.descriptions.addTab(editor, runs[key])
        self.appendix = QCheckBox("add a second page with every table and number")
        self.appendix.setChecked(settings.value(APPENDIX_KEY, False, type=bool))
        self.title = QLineEdit(placeholderText="default: the models, e.g. 'VAE and GAN on ...'")
        # room for a whole title: a narrow field hid the start of one as long as the trial's
        self.title.setMinimumWidth(self.title.fontMetrics().horizontalAdvance("x" * TITLE_CHARS))
        self.authors = QPlainTextEdit(placeholderText="one name a line")
        self.authors.setFixedHeight(60)
        self.course = QLineEdit()
        self.comment = QPlainTextEdit(placeholderText="printed under the title")
        self.comment.setFixedHeight(60)
        self.folder = QLineEdit()
        browse = QPushButton("Choose…")
        browse.clicked.connect(self._choose_folder)
        self.runs = QListWidget()
        for key, label in runs.items():
            item = QListWidgetItem(f"{label}  ({key})")
            item.setData(Qt.ItemDataRole.UserRole, key)
            item.setCheckState(
                Qt.CheckState.Checked
                if self.runs.count() < MAX_ON_PAGE
                else Qt.CheckState.Unchecked
            )
            self.runs.addItem(item)
        self.runs.itemChanged.connect(self._check)
        self.problem = QLabel(styleSheet="color:#c00")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder, stretch=1)
        folder_row.addWidget(browse)
        form = QFormLayout(self)
        for label, widget in (
            ("Title", self.title),
            ("Authors", self.authors),
            ("Course", self.course),
            ("Comment", self.comment),
            *([("Description\nof each run", self.descriptions)] if self.editors else []),
            ("Appendix", self.appendix),
            ("Folder", folder_row),
        ):
            form.addRow(label, widget)
        if len(runs) > MAX_ON_PAGE:
            form.addRow(f"On the page (up to {MAX_ON_PAGE})", self.runs)
        form.addRow(self.problem)
        form.addRow(self.buttons)
        self._restore()
        self._check()

    def _restore(self) -> None:
        self.title.setText(self.settings.value("report/title", ""))
        self.authors.setPlainText(self.settings.value("report/authors", ""))
        self.course.setText(self.settings.value("report/course", ""))
        self.comment.setPlainText(self.settings.value("report/comment", ""))
        self.folder.setText(self.settings.value("report/folder", str(Path.home() / "report")))

    def _choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Folder for the report", self.folder.text())
        if folder:
            self.folder.setText(folder)

    def on_page(self) -> tuple[str, ...]:
        """The checked runs."""
        items = (self.runs.item(i) for i in range(self.runs.count()))
        return tuple(
            item.data(Qt.ItemDataRole.UserRole)
            for item in items
            if item.checkState() == Qt.CheckState.Checked
        )

    def _check(self) -> None:
        count = len(self.on_page())
        problem = (
            f"Choose 1 to {MAX_ON_PAGE} runs for the page ({count} chosen)."
            if not 1 <= count <= MAX_ON_PAGE
            else ""
        )
        self.problem.setText(problem)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(not problem)

    def choices(self) -> ExportChoices:
        """The answers, remembered for next time."""
        values = {
            "title": self.title.text().strip(),
            "authors": self.authors.toPlainText().strip(),
            "course": self.course.text().strip(),
            "comment": self.comment.toPlainText().strip(),
            "folder": self.folder.text().strip(),
        }
        for name in REMEMBERED:
            self.settings.setValue(f"report/{name}", values[name])
        self.settings.setValue(APPENDIX_KEY, self.appendix.isChecked())
        texts = {key: editor.toPlainText().strip() for key, editor in self.editors.items()}
        for key, text in texts.items():
            if text and text != self.made[key]:
                self.settings.setValue(DESCRIPTION_KEY + key, text)
            else:  # unedited (or emptied): made again from the run's numbers next time
                self.settings.remove(DESCRIPTION_KEY + key)
        authors = tuple(line.strip() for line in values["authors"].splitlines() if line.strip())
        return ExportChoices(
            Path(values["folder"]).expanduser(),
            values["title"],
            authors,
            values["course"],
            values["comment"],
            self.on_page(),
            tuple((key, text) for key, text in texts.items() if text),
            self.appendix.isChecked(),
        )
