"""StageBars: one named progress bar per stage of the evaluation, fed across threads."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QProgressBar, QWidget

from fmgen_gui.report.evaluated import StagePace
from trainer.evaluation.evaluate import CLASSIFIER, STAGES

AFTER_CLASSIFIER = "after the classifier"
WAITING = "waiting its turn"


class StageRelay(QObject):
    """Carries (stage, fraction, text) from the evaluation's thread to the GUI thread.

    Created on the GUI thread; emitting from the worker queues the call to the receiver.
    """

    stage = Signal(str, float, str)

    def report(self, stage: str, fraction: float, text: str) -> None:
        """The evaluation's StageProgress callback."""
        self.stage.emit(stage, fraction, text)


class StageBars(QWidget):
    """'training the classifier (once)', 'IWAE bound', 'samples', 'calibration': each a bar."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bars: dict[str, QProgressBar] = {}
        self.details: dict[str, QLabel] = {}
        self.pace = StagePace()
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        for row, (stage, title) in enumerate(STAGES.items()):
            self.bars[stage] = QProgressBar(maximum=1000, textVisible=False)
            self.bars[stage].setFixedWidth(160)
            self.details[stage] = QLabel()
            grid.addWidget(QLabel(title), row, 0)
            grid.addWidget(self.bars[stage], row, 1)
            grid.addWidget(self.details[stage], row, 2)
        grid.setColumnStretch(2, 1)

    def reset(self) -> None:
        """Every stage back at the start: the classifier first (the scores need it), each
        other stage waiting for it, and saying so."""
        self.pace.reset()
        for stage in STAGES:
            self.bars[stage].setValue(0)
            self.details[stage].setText(AFTER_CLASSIFIER)
        self.details[CLASSIFIER].setText("loading the data, then the classifier…")

    def show_stage(self, stage: str, fraction: float, text: str) -> None:
        """Update one stage's bar and what it is doing, with its time so far and left.

        Once the classifier is done or a later stage has begun, the stages still waiting no
        longer wait for the classifier: they wait their turn, and say so.
        """
        fraction = min(max(fraction, 0.0), 1.0)
        self.bars[stage].setValue(round(fraction * 1000))
        pace = self.pace.words(stage, fraction)
        self.details[stage].setText(f"{text} ({pace})" if pace else text)
        if stage != CLASSIFIER or fraction >= 1.0:
            for label in self.details.values():
                if label.text() == AFTER_CLASSIFIER:
                    label.setText(WAITING)

    def finish(self, skipped: dict[str, str], notes: dict[str, str] | None = None) -> None:
        """All stages done; `skipped` says why a stage had nothing to do, `notes` what a done
        stage adds (which runs' part was reused from before a cancel)."""
        notes = notes or {}
        for stage in STAGES:
            self.bars[stage].setValue(self.bars[stage].maximum())
            took = self.pace.took(stage)
            done = f"done, {took}" if took else "done"
            done = f"{done}; {notes[stage]}" if stage in notes else done
            self.details[stage].setText(skipped.get(stage, done))

    def full(self) -> set[str]:
        """The stages whose bar is full."""
        return {stage for stage, bar in self.bars.items() if bar.value() == bar.maximum()}

    def cancelled(self, states: dict[str, tuple[float, str] | None]) -> None:
        """After a cancel: a finished stage (None) stays full with its time; any other shows
        the share of it that is kept, and its words."""
        for stage, state in states.items():
            if state is None:
                took = self.pace.took(stage)
                self.bars[stage].setValue(self.bars[stage].maximum())
                self.details[stage].setText(f"done, {took}" if took else "done")
            else:
                self.bars[stage].setValue(round(state[0] * self.bars[stage].maximum()))
                self.details[stage].setText(state[1])
