"""DialRedraw: a turned sampler dial redraws the same latent draws at the new value.

The shown source's generated candidates (the fixed-noise samples, the seeded draws; not the test
images) are drawn again in the background by a job with its own copy of the model (jobs.py),
with progress and Cancel in the dial bar; the learner the pane decodes strips with takes the
new value at once, so the strip, 'Watch a sample being made' and the exports use it too.
Cancel turns the dials back to the values the gallery was drawn at; a redraw cut short by
another source's is done again when its source is shown.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np

from fmgen_gui.explorer.context import ExplorerContext
from fmgen_gui.explorer.jobs import Dials, redraw_job
from fmgen_gui.tasks import TaskRunner
from trainer.data.fashion_mnist import CLASSES


class DialRedraw:
    """Keeps the dial bar, the pane's learners and the gallery in step with the dial values."""

    def __init__(self, context: ExplorerContext) -> None:
        self.context = context
        self.runner = TaskRunner("fmgen-dials", context.dial_bar)
        self.checkpoints: dict[str, Path] = {}  # per model: the snapshot its candidates are of
        self.drawn: dict[str, Dials] = {}  # per model: the values its gallery was drawn at
        self._job = None  # the redraw whose result is wanted
        self._drawing: tuple[str, np.ndarray, Dials] | None = None  # its model, indices, values
        context.dial_bar.turned.connect(self.turn)
        context.dial_bar.cancel_requested.connect(self.cancel)
        # connected after the pane's own slot: the learner and candidates are in place here
        context.loader.loaded.connect(self._on_loaded)
        self.runner.progress.connect(self._on_progress)
        self.runner.finished.connect(self._on_finished)
        self.runner.failed.connect(self._on_failed)

    def show_source(self) -> None:
        """The shown source's sliders at the values it was left with (its gallery drawn again
        at them if a redraw was cut short)."""
        model, spec = self.context.source, self.context.state.spec
        self.context.dial_bar.show_dials(spec.dials if spec else (), self.context.dials.of(model))
        if model is not None and model in self.drawn and not self._up_to_date(model):
            self.redraw(model)

    def turn(self, name: str, value: float | None) -> None:
        """The user turned dial `name` of the shown source to `value`: redraw with it."""
        model = self.context.source
        if model is None or not self.context.dials.set(model, name, value):
            return
        self._apply(model)
        self.redraw(model)
        self.context.update_path()  # the strip at the new value (a slow one in the background)

    def redraw(self, model: str) -> None:
        """Draw `model`'s generated candidates again at its dial values, in the background."""
        shown = self.context.state.candidates.get(model)
        values = dict(self.context.dials.of(model))
        if shown is None or model not in self.checkpoints:
            return
        indices = np.arange(shown.test_images, len(shown))  # generated, not test images
        if not len(indices) or shown.codes.shape[1] == 0:  # test images only: strips use it
            self.drawn[model] = values
            return
        labels = None if shown.labels is None else shown.labels[indices].astype(np.int64)
        self._drop_job()
        self._job = redraw_job(model, self.checkpoints[model], shown.codes[indices], labels, values)
        self._drawing = (model, indices, values)
        self.runner.submit(self._job)
        self.context.dial_bar.show_progress(0.0, "Drawing the same seeds again…")

    def cancel(self) -> None:
        """Stop the redraw in progress and turn its source's dials back to the values its
        gallery is drawn at, so what is shown and the sliders agree."""
        if self._job is None:
            return
        model = self._drawing[0]
        self._drop_job()
        self.context.dials.values[model] = dict(self.drawn[model])
        self._apply(model)
        self.context.dial_bar.show_progress(None, "Cancelled: the dials are back as drawn.")
        if model == self.context.source:
            self.show_source()
            self.context.update_path()

    def _up_to_date(self, model: str) -> bool:
        return self.drawn.get(model) == self.context.dials.of(model)

    def _drop_job(self) -> None:
        if self._job is not None:
            self._job = None
            self.runner.cancel()

    def _apply(self, model: str) -> None:
        """The pane's learner of `model` samples at its dial values from now on."""
        learner = self.context.learners.get(model)
        if learner is not None:
            learner.dials.update(self.context.dials.of(model))

    def _on_loaded(self, model: str, loaded) -> None:
        self.checkpoints[model] = loaded.checkpoint
        if self._drawing is not None and self._drawing[0] == model:
            self._drop_job()  # of candidates the newer snapshot has just replaced
            self.context.dial_bar.show_progress(None)
        self.drawn[model] = dict(loaded.learner.dials)  # the load drew at the defaults
        self._apply(model)
        if not self._up_to_date(model):
            self.redraw(model)

    def _on_progress(self, fraction: float, text: str) -> None:
        if self._job is not None:
            self.context.dial_bar.show_progress(fraction, text)

    def _on_finished(self, job, images: np.ndarray) -> None:
        if job is not self._job:
            return  # a value or a source since left
        model, indices, values = self._drawing
        self._job = None
        state = self.context.state
        shown = state.candidates[model]
        redrawn = shown.images.copy()
        redrawn[indices] = images
        state.set_candidates(model, dataclasses.replace(shown, images=redrawn))
        self.drawn[model] = values
        self.context.dial_bar.show_progress(None, f"Drawn at {self.context.dials.caption(model)}.")
        if model == self.context.source:
            found = state.shown
            self.context.gallery.set_images(found.images, found.labels, CLASSES, found.captions)
            self.context.update_path()

    def _on_failed(self, job, message: str) -> None:
        if job is self._job:
            self._job = None
            self.context.dial_bar.show_progress(None, "Not drawn." if message else "Cancelled.")
            if message:
                self.context.messages.show_message(message, "error")
