"""EvaluationPane: evaluate the loaded runs in the background, show the numbers, export the page.

The runs are those loaded in the other tabs (one per model), or those chosen in the Runs tab
(a sweep of one model, say) until the user goes back to the loaded ones.

Results stay current for each run whose checkpoint and pins are unchanged: a run trained or
re-pinned since marks them stale (no export until a new evaluation), a run loaded since is only
"not evaluated yet", and Evaluate then evaluates just the new or changed runs and merges them.
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
    EvaluationClock,
    drop_last,
    evaluation_job,
    load_last,
    run_states,
    save_last,
    skipped_stages,
    stale_words,
    waiting_text,
)
from fmgen_gui.report.export_dialog import ExportChoices, ExportDialog
from fmgen_gui.report.layout import wrap_option
from fmgen_gui.report.page import export_report
from fmgen_gui.report.pictures import ResultPictures
from fmgen_gui.report.pins_list import PinsList
from fmgen_gui.report.run_choice import RunChoice
from fmgen_gui.report.stages import StageBars, StageRelay
from fmgen_gui.report.tables import results_html
from fmgen_gui.report.written import written_tip, written_words
from fmgen_gui.tasks import TaskRunner
from fmgen_gui.widgets.message_bar import MessageBar
from trainer.common.errors import FmgenError
from trainer.config.values import EVALUATION_LABELS, EVALUATION_RANGES
from trainer.evaluation.document import write_metrics
from trainer.evaluation.evaluate import CLASSIFIER
from trainer.evaluation.results import Evaluation
from trainer.report.descriptions import descriptions
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
        self.clock = EvaluationClock()
        self.choice = RunChoice(models)
        self.runner = TaskRunner("fmgen-evaluation", self)
        self.runner.finished.connect(self._on_finished)
        self.runner.failed.connect(self._on_failed)
        self.relay = StageRelay(self)
        self._build()
        self.relay.stage.connect(self._on_stage)
        if classifier is not None:  # its progress where the evaluation waits for it
            classifier.progress.connect(lambda f, text: self._on_stage(CLASSIFIER, f, text))
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
        self.cancel_button = QPushButton("Cancel", enabled=False)
        self.export_button = QPushButton("Export report…")
        self.evaluate_button.clicked.connect(self.evaluate)
        self.cancel_button.clicked.connect(self.cancel)
        self.export_button.clicked.connect(self.export_dialog)
        self.loaded_button = QPushButton("Use loaded runs", visible=False)
        self.loaded_button.setToolTip("Evaluate the runs loaded in Train and Explore instead")
        self.loaded_button.clicked.connect(lambda: self.choose_runs(None))
        self.stale = QLabel(styleSheet=STALE_STYLE)
        self.status = QLabel(wordWrap=True)  # it names every loaded run: never one long line
        self._waiting = ""  # the status line's "press Evaluate" hint, while it shows
        self.stages = StageBars()
        self.stages.setVisible(False)
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
        again = busy and self._redoing()
        capped = self._pending is not None and Evaluated.may_be_capped(self._pending[0])
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
        if self._unchanged(options, runs):  # the same numbers again, after minutes of work
            self.status.setText(UNCHANGED_WORDS)
            return
        state = run_states(runs, self.store.pins)
        pins = {key: list(run_pins) for key, (*_, run_pins) in state.items()}  # for the thread
        self._pending = (options, state)
        self.messages.hide()
        self.stages.reset()
        self.stages.setVisible(True)
        self.status.setText("")
        self.clock.start()
        kept = self.evaluated.keep(runs, self.store.pins) if self._keeps(options) else None
        self.runner.submit(evaluation_job(options, self.relay.report, pins, kept))
        self.refresh()

    def _unchanged(self, options: ReportOptions, runs: dict[str, Path]) -> bool:
        """Whether the results shown are those of exactly `runs`, unchanged since, made with
        `options`' Samples and IWAE k: evaluating them again (seeded) gives the same numbers."""
        return (
            self._keeps(options) and set(runs) == set(self.evaluation.runs) and not self.is_stale()
        )

    def _keeps(self, options: ReportOptions) -> bool:
        """Whether an evaluation with `options` keeps results of the one shown."""
        return self.evaluated is not None and not self.evaluated.redone_by(options)

    def _redoing(self) -> bool:
        """Whether the evaluation under way computes every run again."""
        return (
            self._pending is not None
            and self.evaluated is not None
            and self.evaluated.redone_by(self._pending[0])
        )

    def _on_stage(self, stage: str, fraction: float, text: str) -> None:
        """A stage's progress (the classifier's from whichever job trains it), while evaluating;
        notes when the classifier is ready, for the elapsed time's words."""
        if not self.runner.is_busy():
            return  # the classifier trains for Explore: nobody waits here
        self.stages.show_stage(stage, fraction, text)
        if stage == CLASSIFIER:
            self.clock.classifier_at(fraction)

    def cancel(self) -> None:
        """Ask the evaluation to stop at its next check."""
        self.runner.cancel()
        self.status.setText("cancelling…")

    def _on_failed(self, job, message: str) -> None:
        self.stages.setVisible(False)
        self.status.setText("" if message else "Evaluation cancelled.")
        if message:
            self.messages.show_message(message, "error")
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
        self._show_results(f"{self.clock.text(kept)}; {written_words(written)}")
        self.status.setToolTip(written_tip(written))
        self.refresh()

    def _show_results(self, status: str) -> None:
        """Show the numbers and pictures of the evaluation, and `status` above them."""
        evaluation = self.evaluation
        self.stages.finish(skipped_stages(evaluation))
        self.text.setHtml(results_html(evaluation.metrics) + dial_tables(evaluation.metrics))
        self.pictures.show_evaluation(evaluation)
        self.status.setText(status)

    # Exporting -----------------------------------------------------------------------------

    def export_dialog(self) -> None:
        """Ask who hands it in, where, and (for more than 4 runs) which runs go on the page."""
        if self.evaluation is None or self.is_stale():
            self.messages.show_message(
                "Press Evaluate first: the report shows the numbers of the runs loaded now.",
                "error",
            )
            return
        labels = {key: run.facts.label for key, run in self.evaluation.runs.items()}
        made = descriptions(self.evaluation.metrics)
        dialog = ExportDialog(labels, self.settings, self, made)
        if dialog.exec():
            choices = dialog.choices()
            self.export(choices.folder, choices)

    def export(self, folder: Path, choices: ExportChoices | None = None) -> Path | None:
        """Write report.pdf, its preview, the figures and metrics.json into `folder`."""
        options = self.options if choices is None else choices.apply_to(self.options)
        try:
            files = export_report(self.evaluation, options, folder)
        except OSError as exc:
            self.messages.show_message(f"The report was not written: {exc}", "error")
            return None
        self.messages.show_message(
            f"Report written: {files.pdf} (and theory.pdf, figures/)", "info"
        )
        return files.pdf
