"""'Watch a sample being made': one sampling chain, computed in the background, scrubbed by step.

Which models it offers is the registry's: `ModelSpec.sampling_chain` (the learner has a chain:
the DDPM's denoising steps, the flow's scales); other models get no button.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
from PySide6.QtCore import QRectF, QSizeF, Qt
from PySide6.QtGui import QCloseEvent, QPainter
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from fmgen_gui.explorer.chain_options import ChainOptions
from fmgen_gui.explorer.dial_state import DialSettings
from fmgen_gui.explorer.exports import GIF_FILTER, GIF_SCALE
from fmgen_gui.explorer.jobs import Dials
from fmgen_gui.explorer.strip import LABEL_HEIGHT, TITLE_HEIGHT, paint_strip
from fmgen_gui.export import ask_figure_path, ask_save_path, render_to_file
from fmgen_gui.model_store import ModelStore
from fmgen_gui.tasks import Report, TaskRunner
from fmgen_gui.widgets.sample_grid import ImageCanvas, to_qimage
from trainer.common.grids import save_gif
from trainer.registry import get_model
from trainer.runs.loading import load_learner
from trainer.runs.snapshots import reader_path
from trainer.sampling.chain_frames import ChainFrames, chain_frames, chain_words

STRIP_FRAMES = 10  # the PNG strip's columns: evenly spaced steps of the chain
GIF_FRAME_MS = 60
CELL = 84.0  # the strip's image size in the file, as the explorer's strip


def watchable(models: ModelStore) -> list[str]:
    """Models with a checkpoint that the view shows a chain of."""
    return [name for name in models.available() if get_model(name).sampling_chain]


def watch_job(path: Path, seed: int, sampler: str | None, dials: Dials, label: int | None = None):
    """A TaskRunner job: load the model's newest snapshot and record one chain (of class
    `label` where the model is conditional), its sampler's dials at `dials` (the explorer's
    sliders)."""

    def job(report: Report, cancel: threading.Event) -> ChainFrames:
        report.progress(0.0, "Loading the model…")
        learner, _ = load_learner(reader_path(path))
        learner.dials.update(dials)
        return chain_frames(learner, seed, sampler, cancel, report.progress, label)

    return job


def step_caption(frames: ChainFrames, index: int) -> str:
    """'t = 980 (step 3 of 50)'."""
    return f"{frames.step_name(index)} (step {index + 1} of {len(frames)})"


def save_chain_strip(path: Path | str, frames: ChainFrames, title: str) -> Path:
    """x_t above predicted x_0 (the model's words) at STRIP_FRAMES evenly spaced steps, as
    PNG, SVG or PDF."""
    picks = np.unique(np.round(np.linspace(0, len(frames) - 1, STRIP_FRAMES)).astype(int))
    ts = np.array([frames.timesteps[i] for i in picks])
    words = frames.words
    rows = (
        (frames.noisy[picks], [words.state_caption.format(t) for t in ts], title),
        (frames.predicted[picks], [words.result_caption.format(t) for t in ts], ""),
    )
    row_height = CELL + LABEL_HEIGHT + 4

    def paint(painter: QPainter, rect: QRectF) -> None:
        top = rect.top()
        for images, captions, row_title in rows:  # the title's band above the first row only
            height = row_height + (TITLE_HEIGHT if row_title else 0)
            row = QRectF(rect.left(), top, rect.width(), height)
            paint_strip(painter, row, images / 255.0, ts, row_title, captions=captions)
            top += height

    size = QSizeF(max(CELL * len(picks), 400.0), TITLE_HEIGHT + 2 * row_height)
    return render_to_file(path, size, paint)


def save_chain_gif(path: Path | str, frames: ChainFrames) -> Path:
    """An animated GIF: the state beside the result (the DDPM's x_t beside its predicted x_0),
    one frame per step, its name under each."""
    pairs = [np.hstack(pair) for pair in zip(frames.noisy, frames.predicted, strict=True)]
    captions = [frames.step_name(i) for i in range(len(frames))]
    return save_gif(pairs, Path(path), GIF_FRAME_MS, GIF_SCALE, captions=captions)


class ChainDialog(QDialog):
    """Pick a model, sampler and seed; run the chain; scrub its state and result by step."""

    def __init__(
        self, models: ModelStore, dials: DialSettings | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Watch a sample being made")
        self.models, self.dials = models, dials or DialSettings()  # none: the dials' defaults
        self.frames: ChainFrames | None = None
        self.dial_words = ""  # the chain's dial values, 'Guidance w = 2' ('' without dials)
        self.runner = TaskRunner("fmgen-chain", self)
        self._build()
        self.runner.progress.connect(self._on_progress)
        self.runner.finished.connect(lambda _job, frames: self.show_frames(frames))
        self.runner.failed.connect(self._on_failed)
        self.finished.connect(lambda _code: self.runner.shutdown())  # Escape, or closed shown

    def closeEvent(self, event: QCloseEvent) -> None:
        """End the chain's thread on any close: QDialog only emits `finished` when shown, and
        a thread still running when its QThread is deleted aborts the process."""
        self.runner.shutdown()
        super().closeEvent(event)

    def _build(self) -> None:
        self.model_choice = QComboBox()
        for name in watchable(self.models):
            self.model_choice.addItem(get_model(name).label, name)
        self.sampler_choice = QComboBox()
        self.sampler_choice.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.seed = QSpinBox(maximum=2**31 - 1, value=0, prefix="seed ")
        self.options = ChainOptions()  # a conditional model's class (dials: the sliders')
        self.run_button = QPushButton("Run the chain")
        self.progress = QProgressBar(maximum=100, visible=False)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.noisy, self.predicted = ImageCanvas(), ImageCanvas()
        self.slider = QSlider(Qt.Orientation.Horizontal, enabled=False)
        self.step_label = QLabel()
        self.strip_button = QPushButton("Export strip…", enabled=False)
        self.gif_button = QPushButton("Export GIF…", enabled=False)
        controls = QHBoxLayout()
        chosen = (self.model_choice, self.sampler_choice, self.seed, self.options)
        for widget in (*chosen, self.run_button):
            controls.addWidget(widget)
        controls.addWidget(self.progress, stretch=1)
        self.state_title, self.result_title = QLabel(), QLabel()
        images = QGridLayout()
        images.addWidget(self.state_title, 0, 0)
        images.addWidget(self.result_title, 0, 1)
        images.addWidget(self.noisy, 1, 0)
        images.addWidget(self.predicted, 1, 1)
        exports = QHBoxLayout()
        exports.addWidget(self.step_label, stretch=1)
        exports.addWidget(self.strip_button)
        exports.addWidget(self.gif_button)
        layout = QVBoxLayout(self)
        layout.addLayout(controls)
        layout.addWidget(self.status)
        layout.addLayout(images, stretch=1)
        layout.addWidget(self.slider)
        layout.addLayout(exports)
        self.run_button.clicked.connect(self.run_chain)
        self.model_choice.currentIndexChanged.connect(self._on_model)
        self.slider.valueChanged.connect(self.show_step)
        self.strip_button.clicked.connect(self._export_strip)
        self.gif_button.clicked.connect(self._export_gif)
        self.run_button.setEnabled(self.model_choice.count() > 0)
        self._on_model()

    def _on_model(self) -> None:
        """Another model: drop the last one's chain (and stop computing it), name the panes in
        its words; its samplers are offered once its first chain has run."""
        self.runner.cancel()
        self.frames = None
        self.sampler_choice.clear()
        self.sampler_choice.addItem("fewest steps", None)
        for canvas in (self.noisy, self.predicted):
            canvas.set_image(None)
        for widget in (self.slider, self.strip_button, self.gif_button):
            widget.setEnabled(False)
        self.step_label.clear()
        self.status.clear()
        self.progress.setVisible(False)
        name = self.model_choice.currentData()
        self.options.set_model(get_model(name) if name else None)
        words = chain_words(name) if name else None
        self.state_title.setText(words.state if words else "")
        self.result_title.setText(words.result if words else "")

    def run_chain(self) -> None:
        """Compute the chosen model's chain in the background (cancelling one in progress)."""
        model = self.model_choice.currentData()
        path = self.models.checkpoint_path(model)
        self.runner.cancel()
        self.dial_words = self.dials.caption(model)
        sampler, dials = self.sampler_choice.currentData(), self.dials.of(model)
        label = self.options.label()
        self.runner.submit(watch_job(path, self.seed.value(), sampler, dials, label))

    def show_frames(self, frames: ChainFrames) -> None:
        """Keep the computed chain, offer its samplers, and show its last step (a chain of a
        model no longer chosen is dropped)."""
        if frames.model != self.model_choice.currentData():
            return
        self.frames = frames
        self.progress.setVisible(False)
        self.status.setText(f"{self._title(False)}: drag the slider through it.")
        offered = [self.sampler_choice.itemData(i) for i in range(self.sampler_choice.count())]
        if tuple(offered) != frames.samplers:
            self.sampler_choice.clear()
            for name in frames.samplers:
                self.sampler_choice.addItem(name, name)
        self.sampler_choice.setCurrentIndex(frames.samplers.index(frames.sampler))
        for button in (self.slider, self.strip_button, self.gif_button):
            button.setEnabled(True)
        self.slider.setRange(0, len(frames) - 1)
        self.slider.setValue(len(frames) - 1)
        self.show_step(self.slider.value())

    def show_step(self, index: int) -> None:
        """Show the state and the result of step `index` of the computed chain."""
        if self.frames is None:
            return
        self.noisy.set_image(to_qimage(self.frames.noisy[index]))
        self.predicted.set_image(to_qimage(self.frames.predicted[index]))
        self.step_label.setText(step_caption(self.frames, index))

    def _on_progress(self, fraction: float, text: str) -> None:
        self.progress.setVisible(True)
        self.progress.setValue(round(fraction * 100))
        self.status.setText(text)

    def _on_failed(self, _job, message: str) -> None:
        self.progress.setVisible(False)
        if message:  # empty: cancelled by a newer run
            self.status.setText(f"The chain failed: {message}")

    def _title(self, with_model: bool = True) -> str:
        label = f"{get_model(self.frames.model).label}: " if with_model else ""
        dials = f", {self.dial_words}" if self.dial_words else ""
        return f"{label}{self.frames.sampler}, seed {self.frames.seed}{dials}"

    def _export_strip(self) -> None:
        path = ask_figure_path(self, "Save strip", "chain.png")
        if path is not None:
            self._save(lambda: save_chain_strip(path, self.frames, self._title()))

    def _export_gif(self) -> None:
        path = ask_save_path(self, "Save animation", "chain.gif", GIF_FILTER, (".gif",))
        if path is not None:
            self._save(lambda: save_chain_gif(path, self.frames))

    def _save(self, save) -> None:
        try:
            self.status.setText(f"Saved {save()}")
        except (OSError, ValueError) as exc:
            self.status.setText(f"Not saved: {exc}")


class WatchButton(QPushButton):
    """'Watch a sample being made…': shown while a model with a chain is trained."""

    def __init__(
        self, models: ModelStore, dials: DialSettings | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__("Watch a sample being made…", parent)
        self.models, self.dials = models, dials or DialSettings()
        self.setToolTip("Run one sampling chain and scrub through its steps")
        self.clicked.connect(self.open_view)
        models.changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        """Show the button only when some trained model belongs in the view."""
        self.setVisible(bool(watchable(self.models)))

    def open_view(self) -> ChainDialog:
        """Open the view (non-modal) on the trained models."""
        dialog = ChainDialog(self.models, self.dials, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog
