"""SlowPath: the strip of a multi-step decoder (registry: sample_cost > 1), made in the background.

A diffusion model decodes each image in 50 network passes, far beyond the 16 ms one slider
move may take: a job on this helper's runner decodes the strip's frames (inverting A and B
first where the source holds test images), with progress and a Cancel button; the slider then
shows the computed frame nearest to it. The ends' round-trip error is shown beside.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from fmgen_gui.explorer.context import ExplorerContext
from fmgen_gui.explorer.jobs import frames_job
from fmgen_gui.tasks import TaskRunner
from trainer.sampling.path_frames import PathFrames, PathRequest

SLIDER_ROW = 3  # the view's layout: the ends, the options, the slider, then this row


class SlowPath(QWidget):
    """Progress, Cancel and the ends' error of a slow source's strip; its computed frames."""

    def __init__(self, context: ExplorerContext) -> None:
        super().__init__(context.view)  # the view shows it
        self.context = context
        self.runner = TaskRunner("fmgen-path", self)
        self.checkpoints: dict[str, Path] = {}  # per model: the snapshot its candidates are of
        self.frames: PathFrames | None = None  # of the request `key`, once decoded
        self.key: tuple | None = None  # what the frames (or the job in progress) are of
        self._job = None  # the job whose result is wanted
        self.bar = QProgressBar(maximum=100)
        self.button = QPushButton("Cancel")
        self.note = QLabel(wordWrap=True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.bar)
        layout.addWidget(self.button)
        layout.addWidget(self.note, stretch=1)
        self.setVisible(False)
        context.view.layout().insertWidget(SLIDER_ROW, self)
        context.loader.loaded.connect(self._remember_checkpoint)
        self.runner.progress.connect(self._on_progress)
        self.runner.finished.connect(self._on_finished)
        self.runner.failed.connect(self._on_failed)
        self.button.clicked.connect(self._on_button)

    def applies(self) -> bool:
        """True when the shown source decodes in many network passes (registry)."""
        spec = self.context.state.spec
        return spec is not None and spec.sample_cost > 1

    def takes_over(self) -> bool:
        """Make the strip of the picked path here if the source is slow (False: it is not)."""
        if not self.applies():
            self.stop()
            self.setVisible(False)
            return False
        self.setVisible(True)
        key, request = self._request()
        if key == self.key and self.frames is not None:
            self._show(self.frames)  # new judges (the classifier came), the same frames
        elif key != self.key:
            self.start(key, request)
        return True

    def start(self, key: tuple, request: PathRequest) -> None:
        """Decode the path of `request` in the background, replacing any earlier job."""
        self.stop()
        self.key, self.frames = key, None
        self.context.strip = self.context.shown_image = None
        self.context.view.clear()
        self.context.path_plot.clear("The path is being decoded in the background.")
        source = self.context.source
        dials = self.context.dials.of(source)
        self._job = frames_job(source, self.checkpoints[source], request, dials)
        self.runner.submit(self._job)
        self._running(True)
        self.bar.setValue(0)
        self.note.setText("Decoding the strip…")

    def stop(self) -> None:
        """Cancel the job in progress (a result it still delivers is ignored); the same path
        asked for again is decoded again."""
        if self._job is not None:
            self.key = None
        self._drop_job()

    def _drop_job(self) -> None:
        self._job = None
        self.runner.cancel()

    def show_t(self, t: float) -> None:
        """Show the computed frame nearest `t` (nothing until the frames are there)."""
        if self.frames is None:
            return
        nearest = int(np.argmin(np.abs(self.frames.ts - t)))
        self.context.shown_image = self.frames.images[nearest]
        self.context.view.show_image(self.context.shown_image, float(self.frames.ts[nearest]))
        self.context.path_plot.set_t(float(self.frames.ts[nearest]))

    def _request(self) -> tuple[tuple, PathRequest]:
        state = self.context.state
        shown, chosen = state.shown, state.selection
        ends = [chosen.a, chosen.b]
        encoded = shown.codes.shape[1] > 0  # else test images the job encodes (inverts)
        request = PathRequest(
            chosen.steps,
            chosen.method,
            chosen.overshoot,
            codes=shown.codes[ends] if encoded else None,
            images=None if encoded else shown.images[ends],
            classes=state.path_classes(),
        )
        checkpoint = self.checkpoints.get(state.current)
        key = (state.current, checkpoint, *ends, chosen.steps, chosen.method, chosen.overshoot)
        key += tuple(self.context.dials.of(state.current).items())  # a turned dial: new frames
        return key, request

    def _show(self, frames: PathFrames) -> None:
        strip = self.context.interpolator.judged(frames.ts, frames.codes, frames.images)
        self.context.show_strip(strip)

    def _remember_checkpoint(self, kind: str, loaded) -> None:
        self.checkpoints[kind] = loaded.checkpoint

    def _running(self, running: bool) -> None:
        self.bar.setVisible(running)
        self.button.setText("Cancel" if running else "Decode again")
        self.button.setVisible(running or self.frames is None)

    def _on_button(self) -> None:
        if self._job is not None:
            self._drop_job()  # the key stays: no decoding of this path until asked again
            self._running(False)
            self.note.setText("Cancelled.")
        else:
            self.start(*self._request())

    def _on_progress(self, fraction: float, text: str) -> None:
        if self._job is not None:
            self.bar.setValue(round(fraction * 100))
            self.note.setText(text)

    def _on_finished(self, job, frames: PathFrames) -> None:
        if job is not self._job:
            return  # a path the user has left
        self._job, self.frames = None, frames
        self._running(False)
        self.note.setText(ends_note(frames, self.context.state.spec.sampler))
        self._show(frames)

    def _on_failed(self, job, message: str) -> None:
        if job is self._job:
            self._job = None
            self._running(False)
            self.note.setText("Not decoded." if message else "Cancelled.")
            if message:
                self.context.messages.show_message(message, "error")


def ends_note(frames: PathFrames, sampler: str) -> str:
    """What the strip's ends are: A and B encoded and decoded again, with the error of that."""
    if frames.errors is None:
        return ""
    a, b = frames.errors
    return (
        f"The ends are A and B encoded and decoded again ({sampler}), approximately: "
        f"mean squared error per pixel A {a:.4f}, B {b:.4f}."
    )
