"""ExplorerPane: pick two images (or GAN codes) and scrub the latent path between them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from fmgen_gui.classifier_service import ClassifierService
from fmgen_gui.explorer.gallery import Gallery
from fmgen_gui.explorer.interpolation_view import InterpolationView
from fmgen_gui.explorer.jobs import Loaded
from fmgen_gui.explorer.latent_map import LatentMap
from fmgen_gui.explorer.loader import ExplorerLoader
from fmgen_gui.explorer.path_plot import PathPlot
from fmgen_gui.explorer.presets import PresetBar
from fmgen_gui.explorer.strip import save_strip
from fmgen_gui.export import ask_figure_path, ask_save_path
from fmgen_gui.model_store import ModelStore
from fmgen_gui.widgets.message_bar import MessageBar
from trainer.data import CLASSES
from trainer.explore import Interpolator, LatentAtlas, Strip, path_ts, random_pair, to_uint8
from trainer.grids import save_gif
from trainer.latent import interpolate

GIF_FILTER = "GIF animation (*.gif)"


class ExplorerPane(QWidget):
    """Gallery | map and path plot | interpolation; models come from the ModelStore."""

    def __init__(
        self,
        models: ModelStore,
        classifier: ClassifierService,
        data_dir: Callable[[], str | None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.models, self.classifier, self.data_dir = models, classifier, data_dir
        self.kind = "vae"
        self.loader = ExplorerLoader(models, data_dir, self)
        self.atlas: LatentAtlas | None = None
        self.codes = np.zeros((0, 1), np.float32)
        self.images = np.zeros((0, 28, 28), np.uint8)
        self.labels: np.ndarray | None = None
        self.interpolator: Interpolator | None = None
        self.a: int | None = None
        self.b: int | None = None
        self.next_end = "A"
        self.strip: Strip | None = None
        self.shown_image: np.ndarray | None = None  # the decoded image at the slider
        self.rng = np.random.default_rng()
        self._pending_t: float | None = None
        self._scrub = QTimer(self, singleShot=True, interval=0)  # one decode per event-loop pass
        self._scrub.timeout.connect(self._show_pending_t)
        self._build()
        self._connect()

    def _build(self) -> None:
        self.model_choice = QComboBox()
        self.model_choice.addItem("VAE: encoded test images", "vae")
        self.model_choice.addItem("GAN: latent vectors", "gan")
        self.status = QLabel("Train or open a VAE to explore its latent space.")
        self.used = QLabel()  # "VAE, epoch 7": the snapshot that the shown data come from
        self.progress = QProgressBar(maximum=100, visible=False)
        self.presets = PresetBar(CLASSES)
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
        middle = QWidget()
        middle_layout = QVBoxLayout(middle)
        middle_layout.setContentsMargins(0, 0, 0, 0)
        middle_layout.addWidget(self.map, stretch=1)
        middle_layout.addWidget(self.path_plot, stretch=1)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        for widget in (self.gallery, middle, self.view):
            splitter.addWidget(widget)
        splitter.setSizes([300, 480, 480])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.presets)
        layout.addWidget(self.messages)
        layout.addWidget(splitter, stretch=1)

    def _connect(self) -> None:
        self.model_choice.currentIndexChanged.connect(self._switch_kind)
        self.models.changed.connect(self._on_model_changed)
        self.loader.progress.connect(self._on_progress)
        self.loader.loaded.connect(self._on_loaded)
        self.loader.failed.connect(self._on_failed)
        self.loader.missing.connect(
            lambda kind: self.status.setText(f"Train or open a {kind.upper()} to explore it.")
        )
        self.classifier.ready.connect(self._on_classifier_ready)
        self.gallery.picked.connect(self.pick)
        self.map.picked.connect(self.pick)
        self.presets.pair_requested.connect(self.pick_random_pair)
        self.view.t_changed.connect(self._on_t_changed)
        self.view.options_changed.connect(self.update_path)
        self.view.swap_requested.connect(self.swap)
        for signal, save, stem in (
            (self.view.export_strip_requested, self.save_strip, "strip"),
            (self.view.export_gif_requested, self.save_gif, "scrub"),
            (self.map.save_requested, self.save_map, "latent-map"),
            (self.path_plot.save_requested, self.save_path_plot, "path-classes"),
        ):
            signal.connect(lambda save=save, stem=stem: self._save_with_dialog(save, stem))

    # Loading ---------------------------------------------------------------------------

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.classifier.request()
        self.loader.refresh(self.kind)

    def _on_model_changed(self, kind: str) -> None:
        if kind == self.kind and self.isVisible():
            self.loader.refresh(kind)

    def _switch_kind(self) -> None:
        self.kind = self.model_choice.currentData()
        self.loader.refresh(self.kind, force=True)

    def _on_progress(self, fraction: float, text: str) -> None:
        self.progress.setVisible(True)
        self.progress.setValue(round(fraction * 100))
        self.status.setText(text)

    def _on_failed(self, message: str) -> None:
        self.progress.setVisible(False)
        self.messages.show_message(message, "error")

    def _on_loaded(self, loaded: Loaded) -> None:
        self.progress.setVisible(False)
        found = loaded.found
        reference = found.images if isinstance(found, LatentAtlas) else found.reference
        # The job built this model and handed it over: from here on only this thread uses it.
        self.interpolator = Interpolator(loaded.model.sample, self.classifier.model, reference)
        self.atlas = found if isinstance(found, LatentAtlas) else None
        self.codes, self.images = found.codes, found.images
        self.labels = found.labels if self.atlas else None
        self.gallery.set_images(self.images, self.labels, CLASSES)
        self.map.setVisible(self.atlas is not None)
        self.presets.set_classes_enabled(self.atlas is not None)
        if self.atlas:
            axes = self.atlas.projection.axis_names
            self.map.set_points(self.atlas.points, self.atlas.labels, CLASSES, axes, self.images)
        noun = "test images" if self.atlas else "fixed-noise samples"
        self.used.setText(f"{loaded.kind.upper()}, epoch {loaded.epoch}")
        self.status.setText(
            f"latent size {loaded.latent_dim}: {len(self.images):,} {noun}. Click two to compare."
        )
        self.a = self.b = None
        self.next_end = "A"
        self.update_path()

    def _on_classifier_ready(self) -> None:
        if self.interpolator is not None:
            self.interpolator.classifier = self.classifier.model
            self.update_path()

    # Picking ---------------------------------------------------------------------------

    def caption(self, index: int | None) -> str:
        """'Shirt #123' for a test image, 'sample 5' for a GAN code."""
        if index is None:
            return "pick an image"
        if self.labels is None:
            return f"sample {index}"
        return f"{CLASSES[int(self.labels[index])]} #{index}"

    def pick(self, index: int) -> None:
        """Make `index` the next end (A, then B, then A again...)."""
        if self.next_end == "A":
            self.a = index
        else:
            self.b = index
        self.next_end = "B" if self.next_end == "A" else "A"
        self.update_path()

    def pick_random_pair(self, class_a: int, class_b: int) -> None:
        """A preset: random images of two classes, or (GAN) two fresh random codes."""
        if self.interpolator is None:
            return
        if self.labels is not None:
            self.a, self.b = random_pair(self.labels, class_a, class_b, self.rng)
        else:
            fresh = self.rng.standard_normal((2, self.codes.shape[1])).astype(np.float32)
            self.codes = np.concatenate([self.codes, fresh])
            self.images = np.concatenate([self.images, to_uint8(self.interpolator.images(fresh))])
            self.gallery.set_images(self.images, None)
            self.a, self.b = len(self.codes) - 2, len(self.codes) - 1
        self.next_end = "A"
        self.update_path()

    def swap(self) -> None:
        """Exchange A and B."""
        self.a, self.b = self.b, self.a
        self.update_path()

    # The path --------------------------------------------------------------------------

    def update_path(self) -> None:
        """Recompute the strip, plots and map path for the current A, B and options."""
        for name, index in (("A", self.a), ("B", self.b)):
            image = self.images[index] if index is not None else None
            self.view.set_end(name, image, self.caption(index))
        self.gallery.set_marks(self.a, self.b)
        ready = self.interpolator is not None and self.a is not None and self.b is not None
        self.view.set_enabled(ready)
        if not ready:
            self.map.clear_path()
            return
        a, b, method = self.codes[self.a], self.codes[self.b], self.view.method_name()
        overshoot = self.view.overshoot.isChecked()
        self.strip = self.interpolator.strip(a, b, self.view.steps.value(), method, overshoot)
        self.view.strip.set_strip(self.strip.images, self.strip.ts)
        self.path_plot.set_path(self.strip.ts, self.strip.probabilities, self.strip.distances)
        if self.atlas:
            line = self.atlas.projection(interpolate(a, b, path_ts(41, overshoot), method))
            self.map.set_path(line, *self.atlas.projection(np.stack([a, b])))
        self._show_t(self.view.t())

    def _on_t_changed(self, t: float) -> None:
        self._pending_t = t
        if not self._scrub.isActive():
            self._scrub.start()

    def _show_pending_t(self) -> None:
        if self._pending_t is not None:
            self._show_t(self._pending_t)
            self._pending_t = None

    def _show_t(self, t: float) -> None:
        if self.interpolator is None or self.a is None or self.b is None:
            return
        a, b, method = self.codes[self.a], self.codes[self.b], self.view.method_name()
        self.shown_image = self.interpolator.image_at(a, b, t, method)
        self.view.show_image(self.shown_image, t)
        self.path_plot.set_t(t)
        if self.atlas:
            self.map.set_current(self.atlas.projection(interpolate(a, b, np.array([t]), method))[0])

    # Exports ---------------------------------------------------------------------------

    def title(self) -> str:
        """What the path shows, for figure titles."""
        return f"{self.caption(self.a)} to {self.caption(self.b)} ({self.view.method_name()})"

    def save_strip(self, path: Path) -> Path:
        """The strip with its t values, titled with A's and B's classes."""
        return save_strip(
            path, self.strip.images, self.strip.ts, f"{self.kind.upper()}: {self.title()}"
        )

    def save_map(self, path: Path) -> Path:
        """The map with the path drawn on it."""
        return self.map.save_figure(path, f"Latent path: {self.title()}")

    def save_path_plot(self, path: Path) -> Path:
        """The class probabilities along the path."""
        return self.path_plot.save_figure(path, f"Classifier along {self.title()}")

    def save_gif(self, path: Path) -> Path:
        """The scrub from A to B as an animated GIF, one frame per strip image."""
        return save_gif(list(to_uint8(self.strip.images)), path)

    def _save_with_dialog(self, save: Callable[[Path], Path], stem: str) -> None:
        if self.strip is None:
            return
        if save == self.save_gif:
            path = ask_save_path(self, "Save animation", f"{stem}.gif", GIF_FILTER, (".gif",))
        else:
            path = ask_figure_path(self, "Save figure", f"{stem}.png")
        if path is None:
            return
        try:
            save(path)
        except (OSError, ValueError) as exc:
            self.messages.show_message(f"Not saved: {exc}", "error")
        else:
            self.messages.show_message(f"Saved {path}", "info")
