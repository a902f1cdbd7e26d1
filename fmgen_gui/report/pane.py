"""EvaluationPane: evaluate the loaded runs in the background, show the numbers, export the page.

The runs are those loaded in the other tabs (one per model), or those chosen in the Runs tab
(a sweep of one model, say) until the user goes back to the loaded ones.

Results stay current for each run whose checkpoint and pins are unchanged: a run trained or
re-pinned since marks them stale (no export until a new evaluation), a run loaded since is only
"not evaluated yet", and Evaluate then evaluates just the new or changed runs and merges them.
A cancelled evaluation keeps its finished stages (stage_keeper.py) for the next Evaluate; the
page is exported only from a complete evaluation.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from fmgen_gui.classifier_service import ClassifierService
from fmgen_gui.model_store import ModelStore
from fmgen_gui.report.dial_table import dial_tables
from fmgen_gui.report.evaluated import (
    Evaluated,
    drop_last,
    evaluation_job,
    load_last,
    run_states,
    save_last,
    stale_words,
    waiting_text,
)
from fmgen_gui.report.export_dialog import ExportChoices
from fmgen_gui.report.exporting import Exporter
from fmgen_gui.report.layout import wrap_option
from fmgen_gui.report.pictures import ResultPictures
from fmgen_gui.report.pins_list import PinsList
from fmgen_gui.report.reuse import keeps, redoes, unchanged
from fmgen_gui.report.run_choice import RunChoice
from fmgen_gui.report.stage_keeper import StageKeeper
from fmgen_gui.report.tables import results_html
from fmgen_gui.report.written import written_tip, written_words
from fmgen_gui.tasks import TaskRunner
from fmgen_gui.widgets.message_bar import MessageBar
from trainer.common.errors import FmgenError
from trainer.config.values import EVALUATION_LABELS, EVALUATION_RANGES
from trainer.evaluation.document import write_metrics
from trainer.evaluation.evaluate import CLASSIFIER
from trainer.evaluation.results import Evaluation
from trainer.report.options import ReportOptions
from trainer.runs.pins import PinStore

STALE_STYLE = "color: #a60; font-weight: bold"
UNCHANGED_WORDS = "Nothing changed (same runs, pins, Samples, IWAE k): these results stand."


class EvaluationPane(QWidget):
    """Evaluate the runs the store holds; show the numbers and pins; export the report."""

    def __init__(
        self,
        models: ModelStore,
        data_dir: Callable[[], str | None],
        pins: PinStore,
        settings: QSettings,
        classifier: ClassifierService | None = None,  # whose training Evaluate may wait for
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.models, self.data_dir, self.store, self.settings = models, data_dir, pins, settings
        self.evaluated: Evaluated | None = load_last(self.store.pins)  # the last, if unchanged
        self._pending: tuple[ReportOptions, dict] | None = None
        self.choice = RunChoice(models)
        self.runner = TaskRunner("fmgen-evaluation", self)
        self.runner.finished.connect(self._on_finished)
        self.runner.failed.connect(self._on_failed)
        # the stage bars, Cancel and what a cancel keeps; it speaks on the status line
        self.keeper = StageKeeper(self.runner, lambda text: self.status.setText(text), self)
        self.stages, self.cancel_button = self.keeper.bars, self.keeper.button
        self._build()
        self.exporter = Exporter(
            self, settings, self.messages, lambda: None if self.is_stale() else self.evaluated
        )
        if classifier is not None:  # its progress where the evaluation waits for it
            classifier.progress.connect(lambda f, text: self.keeper.show_stage(CLASSIFIER, f, text))
        self.models.changed.connect(lambda _kind: self.refresh())
        self.pins_list.changed.connect(self.refresh)
        if self.evaluated is not None:
            self._show_last()
        self.refresh()

    def _show_last(self) -> None:
        """Show the kept evaluation with its settings (Evaluate then only adds new runs); one
        that cannot be shown is dropped, as a damaged file is: it is only a cache."""
        try:
            self._show_results("Results of the last session (its runs are unchanged)")
        except Exception:  # any shape load_last cannot foresee: the app starts without it
            self.evaluated = None
            drop_last()
            self.text.clear()
            self.pictures.clear()
            self.status.clear()
            return
        self.samples.setValue(self.options.samples)
        self.iwae_k.setValue(self.options.iwae_k)

    @property
    def evaluation(self) -> Evaluation | None:
        """The results shown (None before the first evaluation)."""
        return self.evaluated.evaluation if self.evaluated else None

    @property
    def options(self) -> ReportOptions | None:
        """The options the shown results were made with."""
        return self.evaluated.options if self.evaluated else None

    def _build(self) -> None:
        defaults = ReportOptions(runs=())
        most_samples, most_k = (EVALUATION_RANGES[name][1] for name in ("samples", "iwae_k"))
        self.samples = QSpinBox(
            minimum=100, maximum=most_samples, singleStep=1000, value=defaults.samples
        )
        self.iwae_k = QSpinBox(minimum=1, maximum=most_k, value=defaults.iwae_k)
        self.samples.setToolTip(EVALUATION_LABELS["samples"][1].capitalize())
        self.iwae_k.setToolTip(EVALUATION_LABELS["iwae_k"][1].capitalize())
        self.evaluate_button = QPushButton("Evaluate")
        self.export_button = QPushButton("Export report…")
        self.evaluate_button.clicked.connect(self.evaluate)
        self.export_button.clicked.connect(self.export_dialog)
        self.loaded_button = QPushButton("Use loaded runs", visible=False)
        self.loaded_button.setToolTip("Evaluate the runs loaded in Train and Explore instead")
        self.loaded_button.clicked.connect(lambda: self.choose_runs(None))
        self.stale = QLabel(styleSheet=STALE_STYLE)
        self.status = QLabel(wordWrap=True)  # it names every loaded run: never one long line
        self._waiting = ""  # the status line's "press Evaluate" hint, while it shows
        self.messages = MessageBar()
        self.text = QTextBrowser()
        self.text.setWordWrapMode(wrap_option().wrapMode())  # no "param|eters" in the table
        self.pictures = ResultPictures()
        self.pins_list = PinsList(self.store)
        controls = QHBoxLayout()
        samples, iwae_k = (QLabel(EVALUATION_LABELS[name][0]) for name in ("samples", "iwae_k"))
        for widget in (samples, self.samples, iwae_k, self.iwae_k):
            controls.addWidget(widget)
        for widget in (
            self.evaluate_button,
            self.cancel_button,
            self.export_button,
            self.loaded_button,
            self.stale,
        ):
            controls.addWidget(widget)
        controls.addWidget(self.status, stretch=1)
        right = QWidget()
        column = QVBoxLayout(right)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.pins_list)
        column.addWidget(self.pictures, stretch=5)  # the grid 3, the histograms 2
        splitter = QSplitter()
        splitter.addWidget(self.text)
        splitter.addWidget(right)
        splitter.setSizes([680, 560])
        layout = QVBoxLayout(self)
        layout.addLayout(controls)
        layout.addWidget(self.stages)
        layout.addWidget(self.messages)
        layout.addWidget(splitter, stretch=1)

    # What is loaded ----------------------------------------------------------------------

    def choose_runs(self, folders: list[Path] | None) -> None:
        """Evaluate these run folders from now on; None: the runs loaded in the other tabs."""
        self.choice.choose(folders)
        if folders is not None:
            self.status.setText(f"{len(folders)} runs chosen in the Runs tab: press Evaluate.")
        self.loaded_button.setVisible(folders is not None)
        self.refresh()

    def chosen_folders(self) -> list[Path] | None:
        """The run folders chosen in the Runs tab (None: the loaded runs are evaluated)."""
        return self.choice.folders()

    def loaded_runs(self) -> dict[str, Path]:
        """The runs to evaluate by run key: those chosen in the Runs tab, else the loaded."""
        return self.choice.runs()

    def is_stale(self) -> bool:
        """True when a run of the results shown was trained or re-pinned since; a run loaded
        since leaves them current, and so does an evaluation that only adds it (the kept
        results are not computed again)."""
        return self.evaluated is not None and bool(self.evaluated.changed(self.store.pins))

    def refresh(self) -> None:
        """Pins list, stale mark and which buttons work, for what is loaded now."""
        runs = self.loaded_runs()
        labels = {key: path.parent.name for key, path in runs.items()}
        if self.evaluation is not None:
            labels.update({k: r.facts.label for k, r in self.evaluation.runs.items() if k in runs})
        self.pins_list.show_runs(labels)
        busy, stale = self.runner.is_busy(), self.is_stale()
        if self.evaluation is None and not busy and self.status.text() in ("", self._waiting):
            self._waiting = waiting_text(list(labels.values()), self.choice.chosen is not None)
            self.status.setText(self._waiting)
        missing = self.evaluated.missing(runs) if self.evaluated else []
        pending = self._pending[0] if self._pending else None
        again = busy and redoes(self.evaluated, pending)
        capped = pending is not None and Evaluated.may_be_capped(pending)
        words = stale_words(busy, stale, [labels[key] for key in missing], again, capped)
        self.stale.setText(words)
        self.text.setEnabled(not stale)  # greyed while stale
        self.pictures.worst.setEnabled(not stale)
        self.export_button.setEnabled(self.evaluation is not None and not stale and not busy)
        self.evaluate_button.setEnabled(not busy)
        self.cancel_button.setEnabled(busy)

    def showEvent(self, event) -> None:
        """Pins may have been added in the Explore tab meanwhile."""
        super().showEvent(event)
        self.refresh()

    # Evaluating ----------------------------------------------------------------------------

    def evaluate(self) -> None:
        """Evaluate the loaded runs in the background (with their pins)."""
        runs = self.loaded_runs()
        if not runs:
            self.messages.show_message("No run yet: train or open one.", "error")
            return
        if self.runner.is_busy():
            return
        options = ReportOptions(
            runs=tuple(runs.values()),
            data_dir=Path(self.data_dir()) if self.data_dir() else None,
            samples=self.samples.value(),
            iwae_k=self.iwae_k.value(),
        )
        if unchanged(
            self.evaluated, options, runs, self.is_stale()
        ):  # the same numbers again, after minutes of work
            self.status.setText(UNCHANGED_WORDS)
            return
        state = run_states(runs, self.store.pins)
        pins = {key: list(run_pins) for key, (*_, run_pins) in state.items()}  # for the thread
        self._pending = (options, state)
        self.messages.hide()
        self.status.setText(self.keeper.reusing(runs, options.settings()))
        self.keeper.start()
        kept = (
            self.evaluated.keep(runs, self.store.pins) if keeps(self.evaluated, options) else None
        )
        job = evaluation_job(options, self.keeper.relay.report, pins, kept, self.keeper.finished)
        self.runner.submit(job)
        self.refresh()

    def _on_failed(self, job, message: str) -> None:
        if message:  # the stages finished stay kept for the next Evaluate all the same
            self.stages.setVisible(False)
            self.status.setText("")
            self.messages.show_message(message, "error")
        else:  # finished stages stay full on their bars
            self.keeper.cancelled()
        self.refresh()

    def _on_finished(self, job, evaluation: Evaluation) -> None:
        options, state = self._pending
        old = self.evaluation.runs if self.evaluation else {}
        kept = [run.facts.label for key, run in evaluation.runs.items() if old.get(key) is run]
        self.evaluated = Evaluated(evaluation, options, state)
        save_last(self.evaluated)
        try:
            written = write_metrics(evaluation)
        except FmgenError as exc:  # a full disk, a folder in the way: the results still show
            self.messages.show_message(f"metrics.json was not written: {exc}", "error")
            written = []
        reused = self.keeper.reused_words()
        took = f"{self.keeper.clock.text(kept)}{f', {reused}' if reused else ''}"
        self._show_results(f"{took}; {written_words(written)}")
        self.status.setToolTip(written_tip(written))
        self.refresh()

    def _show_results(self, status: str) -> None:
        """Show the numbers and pictures of the evaluation, and `status` above them."""
        evaluation = self.evaluation
        self.keeper.finish(evaluation)
        self.text.setHtml(results_html(evaluation.metrics) + dial_tables(evaluation.metrics))
        self.pictures.show_evaluation(evaluation)
        self.status.setText(status)

    # Exporting -----------------------------------------------------------------------------

    def export_dialog(self) -> None:
        """Ask who hands it in, where, and (for more than 4 runs) which runs go on the page."""
        self.exporter.dialog()

    def export(self, folder: Path, choices: ExportChoices | None = None) -> Path | None:
        """Write report.pdf, its preview, the figures and metrics.json into `folder`."""
        return self.exporter.export(folder, choices)
