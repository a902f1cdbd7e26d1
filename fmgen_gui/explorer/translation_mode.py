"""TranslationMode: the explorer's behaviour for a model whose entry `translates` (CycleGAN).

Such a model has no latent space to walk: in its place the pane shows a TranslationView. The
loader hands over both test domains (translation_jobs.Domains); each pick translates a batch of
test images from the picked one on, one way and back, in the background with its own copy of
the model (cancelled by the view's Cancel, a newer pick or another source).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from fmgen_gui.explorer.context import ExplorerContext
from fmgen_gui.explorer.translation_jobs import (
    DIRECTIONS,
    Domains,
    RoundTrip,
    round_trip_job,
    stage_names,
)
from fmgen_gui.explorer.translation_view import save_round_trips
from fmgen_gui.export import ask_figure_path
from fmgen_gui.tasks import TaskRunner
from trainer.registry import get_model

STRIP_IMAGES = 8  # test images in the batch strip, the picked one first


class TranslationMode:
    """Shows the translation page for translating sources and runs their translations."""

    def __init__(self, context: ExplorerContext) -> None:
        self.context = context
        self.view = context.translation_view
        self.loaded: dict[str, Domains] = {}  # per translating source: its test domains
        self.domain: dict[str, int] = {}  # per source: the domain shown (0: A, 1: B)
        self.trips: dict[str, RoundTrip] = {}  # per source: the round trips shown
        self.asked: dict[str, tuple[str, int]] = {}  # per source: direction, first image asked
        self._sources: dict[int, str] = {}  # id(job) -> the source it translates for
        self.runner = TaskRunner("fmgen-translation", context.translation_view)
        self.runner.progress.connect(context.loader.progress)  # the pane's bar and status
        self.runner.finished.connect(self._on_translated)
        self.runner.failed.connect(self._on_failed)
        context.loader.translated.connect(self._on_loaded)
        self.view.domain_chosen.connect(self._choose_domain)
        self.view.picked.connect(self.translate)
        self.view.cancel_requested.connect(self.cancel)
        self.view.export_requested.connect(self._export)

    def takes_over(self) -> bool:
        """Show the page the source needs; True when it is this one (the pane shows no path)."""
        source = self.context.source
        translates = bool(source) and get_model(source).translates
        self.context.pages.setCurrentIndex(1 if translates else 0)
        self.context.presets.setVisible(not translates)  # its pairs are a latent path's ends
        if not translates:
            if self.runner.is_busy():
                self.cancel()
            return False
        loaded = self.loaded.get(source)
        label = get_model(source).label
        self.context.used.setText(f"{label}, epoch {loaded.epoch}" if loaded else "")
        self.context.status.setText(loaded.note() if loaded else f"Loading the {label}…")
        self._show_domain()
        return True

    def cancel(self) -> None:
        """Stop a translation in progress (it shows nothing when it stops)."""
        self.runner.cancel()
        self._done()

    def translate(self, index: int) -> None:
        """Translate test image `index` of the shown domain and the next STRIP_IMAGES - 1."""
        loaded = self.loaded.get(self.context.source or "")
        if loaded is None:
            return
        side = self.domain.get(loaded.kind, 0)
        images = loaded.images[side]
        indices = np.arange(index, min(index + STRIP_IMAGES, len(images)))
        self.runner.cancel()  # a newer pick replaces the one in progress
        self.asked[loaded.kind] = (DIRECTIONS[side], index)
        job = round_trip_job(
            loaded.kind, loaded.checkpoint, images[indices], indices, DIRECTIONS[side]
        )
        self._sources[id(job)] = loaded.kind
        self.view.set_busy(True)
        self.runner.submit(job)

    def _on_loaded(self, kind: str, loaded: Domains) -> None:
        self.context.progress.setVisible(False)
        self.loaded[kind] = loaded
        self.trips.pop(kind, None)  # of an older snapshot
        self.asked.pop(kind, None)
        if kind == self.context.source:
            self.takes_over()

    def _show_domain(self) -> None:
        loaded = self.loaded.get(self.context.source or "")
        if loaded is None:
            self.view.show_trip(None)
            return
        side = self.domain.get(loaded.kind, 0)
        self.view.set_domains(loaded.names, side)
        self.view.set_images(loaded.images[side], loaded.labels[side], loaded.names[side])
        trip = self.trips.get(loaded.kind)
        if trip is not None and trip.direction != DIRECTIONS[side]:
            trip = None
        if trip is None and self.asked.get(loaded.kind, ("",))[0] != DIRECTIONS[side]:
            self.translate(0)  # something to see at once: the domain's first test images
        self.view.show_trip(trip)

    def _choose_domain(self, side: int) -> None:
        if self.context.source:
            self.domain[self.context.source] = side
            self._show_domain()

    def _done(self) -> None:
        """A translation ended: the progress goes, the status says what is loaded again."""
        self.view.set_busy(False)
        self.context.progress.setVisible(False)
        loaded = self.loaded.get(self.context.source or "")
        if loaded is not None:
            self.context.status.setText(loaded.note())

    def _on_translated(self, job, trip: RoundTrip) -> None:
        self._done()
        source = self._sources.pop(id(job), "")
        self.trips[source] = trip
        if source == self.context.source:
            self.view.show_trip(trip)

    def _on_failed(self, job, message: str) -> None:
        self.asked.pop(self._sources.pop(id(job), ""), None)  # asked again when shown again
        self._done()
        if message:  # empty: cancelled
            self.context.messages.show_message(message, "error")

    @property
    def trip(self) -> RoundTrip | None:
        """The round trips the view shows (None: none yet)."""
        return self.trips.get(self.context.source or "")

    def _export(self) -> None:
        path = ask_figure_path(self.view, "Save figure", "translation-strip.png")
        if path is not None and self.trip is not None:
            self.save(path)

    def save(self, path: Path) -> Path | None:
        """Save the shown strip, titled with the model, its epoch and the direction; the
        pane's message bar says where (or why not)."""
        loaded, trip = self.loaded[self.context.source], self.trip
        there = stage_names(trip.direction, loaded.names)[1].split(":")[0]
        title = f"{get_model(loaded.kind).label}, epoch {loaded.epoch}: x, {there} and back"
        try:
            saved = save_round_trips(path, trip, loaded.names, title)
        except (OSError, ValueError) as exc:
            self.context.messages.show_message(f"Not saved: {exc}", "error")
            return None
        self.context.messages.show_message(f"Saved {saved}", "info")
        return saved
