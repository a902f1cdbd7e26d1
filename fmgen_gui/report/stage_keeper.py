"""StageKeeper: the evaluation's stage bars, clock and Cancel button, and what a cancel keeps.

The evaluation keeps each stage as it finishes in a FinishedStages (Qt-free). While it runs, the
Cancel button's tooltip says what a cancel would keep and drop (worked out as it shows); after a
cancel the finished stages stay full on their bars with their time, and the next Evaluate of
the same runs with the same Samples and IWAE k reuses them and says so (issue 22, defect 4).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QPushButton, QWidget

from fmgen_gui.report.cancel_words import (
    bars_after_cancel,
    cancel_tip,
    cancelled_words,
    reuse_notes,
    reuse_phrase,
    reusing_words,
)
from fmgen_gui.report.evaluated import EvaluationClock, skipped_stages
from fmgen_gui.report.stages import StageBars, StageRelay
from fmgen_gui.tasks import TaskRunner
from trainer.evaluation.evaluate import CLASSIFIER
from trainer.evaluation.finished import FinishedStages, run_snapshot
from trainer.evaluation.results import Evaluation, EvaluationSettings


class StageKeeper(QObject):
    """The stage bars (`bars`), the Cancel button (`button`), the clock from the click
    (`clock`) and the stages finished so far (`finished`) of the evaluations `runner` runs."""

    def __init__(self, runner: TaskRunner, say: Callable[[str], None], parent: QWidget) -> None:
        super().__init__(parent)
        self.runner, self.say = runner, say  # `say`: the tab's status line
        self.bars = StageBars()
        self.bars.setVisible(False)
        self.button = QPushButton("Cancel", enabled=False)
        self.button.clicked.connect(self.cancel)
        self.button.installEventFilter(self)  # its tooltip says what a cancel keeps now
        self.button.setToolTip(cancel_tip({}))
        self.clock = EvaluationClock()
        self.finished = FinishedStages()
        self.relay = StageRelay(self)
        self.relay.stage.connect(self.show_stage)

    def start(self) -> None:
        """An evaluation begins: every bar at its start, the clock from now."""
        self.finished.start()
        self.bars.reset()
        self.bars.setVisible(True)
        self.clock.start()
        self.button.setToolTip(cancel_tip({}))

    def show_stage(self, stage: str, fraction: float, text: str) -> None:
        """A stage's progress (the classifier's from whichever job trains it), while evaluating;
        notes when the classifier is ready, for the elapsed time's words."""
        if not self.runner.is_busy():
            return  # the classifier trains for Explore: nobody waits here
        self.bars.show_stage(stage, fraction, text)
        if stage == CLASSIFIER:
            self.clock.classifier_at(fraction)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Before the Cancel button's tooltip shows: what a cancel keeps and drops, as of now
        (a stage is kept when its result is, not when its bar fills)."""
        if watched is self.button and event.type() == QEvent.Type.ToolTip:
            self.button.setToolTip(cancel_tip(self.finished.progress()))
        return super().eventFilter(watched, event)

    def reusing(self, runs: dict[str, Path], settings: EvaluationSettings) -> str:
        """What an evaluation of `runs` with `settings` reuses of a cancelled one ('' if
        nothing)."""
        snapshots = [run_snapshot(key, path) for key, path in runs.items()]
        return reusing_words(self.finished.held(snapshots, settings))

    def cancel(self) -> None:
        """Ask the evaluation to stop at its next check."""
        self.runner.cancel()
        self.say("cancelling…")

    def cancelled(self) -> None:
        """The evaluation was cancelled: finished stages stay full, the others say so, and the
        status line what was kept."""
        progress = self.finished.progress()
        self.bars.cancelled(bars_after_cancel(progress, self.bars.full()))
        self.say(cancelled_words(progress))

    def reused_words(self) -> str:
        """What the evaluation just finished reused from before a cancel ('' if nothing)."""
        return reuse_phrase(self.finished.reused())

    def finish(self, evaluation: Evaluation) -> None:
        """Every bar full, with what each stage reused; the stages kept are no longer needed
        (`evaluation` holds them)."""
        self.bars.finish(skipped_stages(evaluation), reuse_notes(self.finished.reused()))
        self.finished.clear()
