"""ExplorerPane: pick two images (or latent draws) and scrub the latent path between them.

A view of an `ExplorerState`: one source per model with a checkpoint in the model store
(the registry says whether it encodes test images or draws latent vectors, and whether it is
conditional); each source keeps its own picks when the user switches between them.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from fmgen_gui.classifier_service import ClassifierService
from fmgen_gui.explorer.chain_view import WatchButton
from fmgen_gui.explorer.dial_bar import DialBar
from fmgen_gui.explorer.dial_redraw import DialRedraw
from fmgen_gui.explorer.dial_state import DialSettings
from fmgen_gui.explorer.exports import PathExports
from fmgen_gui.explorer.gallery import Gallery
from fmgen_gui.explorer.interpolation_view import InterpolationView
from fmgen_gui.explorer.jobs import Loaded
from fmgen_gui.explorer.latent_map import LatentMap
from fmgen_gui.explorer.loader import ExplorerLoader
from fmgen_gui.explorer.path_controls import PathControls
from fmgen_gui.explorer.path_plot import PathPlot
from fmgen_gui.explorer.picking import Picking
from fmgen_gui.explorer.presets import ClassBar, PresetBar
from fmgen_gui.explorer.slow_path import SlowPath
from fmgen_gui.explorer.state import (
    Candidates,
    ExplorerState,
    explorable,
    pin_problem,
    source_title,
)
from fmgen_gui.explorer.translation_mode import TranslationMode
from fmgen_gui.explorer.translation_view import TranslationView, explore_pages
from fmgen_gui.model_store import ModelStore
from fmgen_gui.widgets.message_bar import MessageBar
from trainer.data.fashion_mnist import CLASSES
from trainer.learners import Learner
from trainer.registry import get_model
from trainer.runs.pins import PinStore
from trainer.sampling.explore import Interpolator, LatentAtlas, Strip, path_ts
from trainer.sampling.latent import interpolate

SOURCE_TIP = "Which trained model to explore"


class ExplorerPane(QWidget):
    """Gallery | map and path plot | interpolation; models come from the ModelStore."""

    test_labels_loaded = Signal(object)  # the test set's class labels (np.ndarray), once loaded

    def __init__(
        self,
        models: ModelStore,
        classifier: ClassifierService,
        data_dir: Callable[[], str | None],
        pins: PinStore | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.models, self.classifier, self.data_dir = models, classifier, data_dir
        self.pins = pins or PinStore()  # the window's one store, which the Evaluate tab reads
        self.state = ExplorerState()
        self.dials = DialSettings()
        self.learners: dict[str, Learner] = {}  # per source: the one the GUI thread decodes with
        self.loader = ExplorerLoader(models, data_dir, self)
        self.interpolators: dict[str, Interpolator] = {}
        self.loaded_text: dict[str, str] = {}  # per source: what the status line says
        self.strip: Strip | None = None
        self.shown_image: np.ndarray | None = None  # the decoded image at the slider
        self._atlas_on_map: LatentAtlas | None = None
        self._build()
        self.slow = SlowPath(self)  # before _connect: it learns each load's snapshot first
        self.picking = Picking(self)
        self.exports = PathExports(self)
        self.path_controls = PathControls(self)
        self._connect()
        self.dial_redraw = DialRedraw(self)  # after _connect: a load reaches the pane first
        self.translation = TranslationMode(self)

    def _build(self) -> None:
        self.model_choice = QComboBox()
        self.model_choice.setToolTip(SOURCE_TIP)
        self.model_choice.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.status = QLabel("Train or open a model to explore it.")
        self.used = QLabel()  # "VAE, epoch 7": the snapshot that the shown data come from
        self.used_text: dict[str, str] = {}
        self.progress = QProgressBar(maximum=100, visible=False)
        self.export_samples_button = QPushButton("Export samples…")
        self.export_samples_button.setToolTip("Save N generated images as PNGs or one .npz")
        self.watch_button = WatchButton(self.models, self.dials)
        self.presets = PresetBar(CLASSES)
        for nothing_to_do_yet in (self.presets, self.export_samples_button):  # till a model loads
            nothing_to_do_yet.setEnabled(False)
        self.class_bar = ClassBar(CLASSES)
        self.class_bar.setVisible(False)  # a conditional model's source shows it
        self.dial_bar = DialBar()  # a model with sampler dials shows their sliders
        self.messages = MessageBar()
        self.gallery = Gallery()
        self.map = LatentMap()
        self.map.setToolTip("Hover over a point to see its image; click to pick it as A or B")
        self.path_plot = PathPlot(CLASSES)
        self.view = InterpolationView()
        top = QHBoxLayout()
        for widget in (QLabel("Explore"), self.model_choice, self.used, self.status, self.progress):
            top.addWidget(widget)
        top.addStretch()
        top.addWidget(self.watch_button)
        top.addWidget(self.export_samples_button)
        bars = QHBoxLayout()
        bars.addWidget(self.presets)
        bars.addWidget(self.class_bar)
        self.translation_view = TranslationView()  # a translating model's page
        self.pages = explore_pages(
            (self.gallery, self.map, self.path_plot, self.view), self.translation_view
        )
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(bars)
        layout.addWidget(self.dial_bar)
        layout.addWidget(self.messages)
        layout.addWidget(self.pages, stretch=1)

    def _connect(self) -> None:
        self.model_choice.currentIndexChanged.connect(self._switch_source)
        self.models.changed.connect(self._on_model_changed)
        self.loader.progress.connect(self._on_progress)
        self.loader.loaded.connect(self._on_loaded)
        self.loader.failed.connect(self._on_failed)
        self.loader.missing.connect(
            lambda kind: self.status.setText(f"Train or open a {get_model(kind).label} first.")
        )
        self.classifier.ready.connect(self._on_classifier_ready)
        self.classifier.progress.connect(self.path_plot.classifier_progress)  # no blind wait

    # What is shown ---------------------------------------------------------------------

    @property
    def source(self) -> str | None:
        """The registry name of the model explored."""
        return self.state.current

    @property
    def candidates(self) -> Candidates | None:
        """What the shown source offers to pick from (None until loaded)."""
        return self.state.shown

    @property
    def interpolator(self) -> Interpolator | None:
        """The shown source's decoder with the classifier and the real images."""
        return self.interpolators.get(self.state.current or "")

    @property
    def a(self) -> int | None:
        """The candidate picked as A."""
        return self.state.selection.a

    @property
    def b(self) -> int | None:
        """The candidate picked as B."""
        return self.state.selection.b

    # Sources and loading ---------------------------------------------------------------

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.classifier.request()
        self.refresh_sources()
        if self.source:
            self.loader.refresh(self.source)

    def refresh_sources(self) -> None:
        """One entry per model with a checkpoint; the shown one stays shown."""
        available, left_out = explorable(self.models.available())
        self.model_choice.setToolTip("\n".join(filter(None, [SOURCE_TIP, left_out])))
        if left_out and not available:
            self.status.setText(left_out)
        self.model_choice.blockSignals(True)
        self.model_choice.clear()
        for name in available:
            self.model_choice.addItem(source_title(get_model(name)), name)
        keep = self.source if self.source in available else (available or [None])[0]
        self.model_choice.setCurrentIndex(self.model_choice.findData(keep))
        self.model_choice.blockSignals(False)
        if keep != self.source:
            self._switch_source()

    def _on_model_changed(self, kind: str) -> None:
        self.refresh_sources()
        if kind == self.source and self.isVisible():
            self.loader.refresh(kind)

    def _switch_source(self) -> None:
        self.messages.hide()  # it was about the last source
        self.path_controls.forget_pending_t()  # a slider move of the source left behind
        self.state.switch(self.model_choice.currentData())
        self.render_source()
        if self.source and self.isVisible():
            self.loader.refresh(self.source)

    def _on_progress(self, fraction: float, text: str) -> None:
        self.progress.setVisible(True)
        self.progress.setValue(round(fraction * 100))
        self.status.setText(text)

    def _on_failed(self, message: str) -> None:
        self.progress.setVisible(False)
        self.messages.show_message(message, "error")

    def _on_loaded(self, model: str, loaded: Loaded) -> None:
        self.progress.setVisible(False)
        # The job built this learner and handed it over: from here on only this thread uses it.
        decode, found = loaded.learner.sample_images, loaded.candidates
        self.learners[model] = loaded.learner
        self.used_text[model] = f"{get_model(model).label}, epoch {loaded.epoch}"
        self.interpolators[model] = Interpolator(decode, self.classifier.model, found.reference)
        self.loaded_text[model] = loaded.note()
        self.state.set_candidates(model, self.picking.with_seeded_extras(model, found))
        if found.test_images and found.labels is not None:
            self.test_labels_loaded.emit(found.labels[: found.test_images])
        if model == self.source:
            self.render_source()

    def _on_classifier_ready(self) -> None:
        for interpolator in self.interpolators.values():
            interpolator.classifier = self.classifier.model
        self.update_path()

    # Drawing ---------------------------------------------------------------------------

    def render_source(self) -> None:
        """Show the current source's candidates and its own picks and settings."""
        if self.translation.takes_over():  # a translating model: its page, no latent path
            return
        self.used.setText(self.used_text.get(self.source or "", ""))
        shown, spec, chosen = self.state.shown, self.state.spec, self.state.selection
        self.view.show_settings(chosen.method, chosen.overshoot, chosen.steps, chosen.t)
        labelled = shown is not None and shown.labels is not None
        self.presets.set_classes_enabled(labelled)
        self.presets.setEnabled(shown is not None)  # with nothing loaded they would do nothing
        self.export_samples_button.setEnabled(bool(self.models.available()))
        self.class_bar.setVisible(bool(spec and spec.conditional))
        self.dial_redraw.show_source()
        self.map.setVisible(shown is not None and shown.atlas is not None)
        if shown is None:
            self.gallery.set_images(np.zeros((0, 28, 28), np.uint8), None, CLASSES, ())
        else:
            self.gallery.set_images(shown.images, shown.labels, CLASSES, shown.captions)
        atlas = shown.atlas if shown is not None else None
        if atlas is not None and atlas is not self._atlas_on_map:  # 10,000 points: only anew
            axes = atlas.projection.axis_names
            self.map.set_points(atlas.points, atlas.labels, CLASSES, axes, atlas.images)
            self._atlas_on_map = atlas
        if shown is not None:
            self.status.setText(self.loaded_text.get(self.source, ""))
        elif self.source:
            self.status.setText(f"Loading the {spec.label}…")
        else:
            self.status.setText("Train or open a model to explore it.")
        self.update_path()

    def update_path(self) -> None:
        """Recompute the strip, plots and map path for the current A, B and options."""
        shown, chosen = self.state.shown, self.state.selection
        for name, index in (("A", chosen.a), ("B", chosen.b)):
            image = shown.images[index] if index is not None and shown is not None else None
            self.view.set_end(name, image, self.state.caption(index))
        self.gallery.set_marks(chosen.a, chosen.b)
        self.picking.update_class_row()
        ready = self.interpolator is not None and shown is not None and chosen.ready
        self.view.set_enabled(ready)
        self.view.set_pin_problem(pin_problem(self.state))
        if not ready:
            self.slow.stop()
            self.strip = self.shown_image = None
            self.map.clear_path()
            self.path_plot.clear()
            self.view.clear()
        elif not self.slow.takes_over():  # else it decodes in the background, then shows
            ends = shown.codes[chosen.a], shown.codes[chosen.b]
            path = (chosen.steps, chosen.method, chosen.overshoot, self.state.path_classes())
            self.show_strip(self.interpolator.strip(*ends, *path))

    def show_strip(self, strip: Strip) -> None:
        """Show the decoded strip of the picked path, its plots and the image at the slider."""
        shown, chosen = self.state.shown, self.state.selection
        self.strip = strip
        self.view.strip.set_strip(strip.images, strip.ts)
        self.path_plot.set_path(strip.ts, strip.probabilities, strip.distances)
        if shown.atlas is not None:
            ends = shown.codes[[chosen.a, chosen.b]]
            line = interpolate(*ends, path_ts(41, chosen.overshoot), chosen.method)
            projected = shown.atlas.projection(np.concatenate([line, ends]))
            self.map.set_path(projected[:-2], projected[-2], projected[-1])
        self.path_controls.show_t(chosen.t)
