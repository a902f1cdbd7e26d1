"""TrainingPane: configure, start, pause, stop and watch a VAE or a GAN train."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from fmgen_gui.training.buttons import RunButtons
from fmgen_gui.training.controller import IDLE, PAUSED, TrainingController
from fmgen_gui.training.job import TrainingRequest
from fmgen_gui.training.resume_banner import ResumeBanner
from fmgen_gui.training.run_view import RunView
from fmgen_gui.widgets.config_panel import ConfigPanel
from fmgen_gui.widgets.message_bar import MessageBar
from fmgen_gui.widgets.progress import RunProgress
from fmgen_gui.widgets.scroll import fit_width, show_page, vertical_scroll
from trainer.common.errors import FmgenError
from trainer.common.events import (
    CheckpointSaved,
    Event,
    Paused,
    Resumed,
    RunFailed,
    RunFinished,
    RunStarted,
    RunStopped,
    StepLogged,
)
from trainer.common.words import epochs_phrase
from trainer.config.precision import plain_precision
from trainer.registry import get_model, model_names
from trainer.runs.checkpoint import CHECKPOINT_NAME
from trainer.runs.folder import new_run_dir
from trainer.runs.history import RunHistory, open_run_files
from trainer.runs.interrupted import Interrupted
from trainer.runs.snapshots import run_folder_of

# Step-driven updates land together this often. Each repaint wakes the GUI thread, which takes
# the GIL and a core from training; on two cores, bursts cost far more than their CPU time.
# A repaint of the step plot costs several ms of GUI thread (pyqtgraph's axes); at 500 ms
# redraws were most of the GUI thread's work while training, at 1 s half of it.
REFRESH_MS = 1000
ALREADY_RUNNING = "A run is already going: stop it first."


class TrainingPane(QWidget):
    """Left: settings and controls; right: the shown model's plots and grids."""

    status = Signal(str)  # a line for the status bar
    speed = Signal(str)  # images/s for the status bar
    precision_reason = Signal(str)  # why the run computes in its precision (a tooltip)
    checkpoint_ready = Signal(str, str)  # model, checkpoint path
    save_view_requested = Signal(object)  # a LossPlot or SampleGrid

    def __init__(
        self,
        controller: TrainingController,
        devices: list[tuple[str, str]],
        runs_dir: Path,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self.runs_dir = runs_dir
        self.running_model: str | None = None
        self.run_dirs: dict[str, Path] = {}  # the latest run folder of each model
        # The checkpoint an opened snapshot (RUN/checkpoints/epoch_NNN.pt) resumes from, as the
        # CLI's --resume does; a model missing here resumes from its run's latest checkpoint.
        self.opened_checkpoints: dict[str, Path] = {}
        self.latest_step: StepLogged | None = None
        self.precision = ""  # what the running run computes in, from its RunStarted
        self.refresh_timer = QTimer(self, interval=REFRESH_MS)
        self.refresh_timer.timeout.connect(self.refresh)
        self.config_panel = ConfigPanel(devices)
        self.progress = RunProgress()
        self.messages = MessageBar()
        self.resume_banner = ResumeBanner()
        self.resume_banner.resume_requested.connect(self.resume_interrupted)
        self.views = {model: RunView(model) for model in model_names()}
        self.stack = QStackedWidget()
        for view in self.views.values():
            self.stack.addWidget(view)
            view.save_requested.connect(self.save_view_requested)
        self._build()
        self._show_model(self.config_panel.model_key)
        self.config_panel.model_changed.connect(self._show_model)
        self.config_panel.data_dir.textChanged.connect(self.messages.hide)  # another source
        controller.event.connect(self.on_event)
        controller.state_changed.connect(self._update_buttons)
        self._update_buttons(controller.state)

    def _build(self) -> None:
        self.buttons = RunButtons()
        self.start_button, self.resume_button = self.buttons.start, self.buttons.resume
        self.pause_button, self.stop_button = self.buttons.pause, self.buttons.stop
        self.start_button.clicked.connect(self.start)
        self.resume_button.clicked.connect(self.resume_run)
        self.pause_button.clicked.connect(self.toggle_pause)
        self.stop_button.clicked.connect(self.stop)
        settings = QGroupBox("Settings")
        QVBoxLayout(settings).addWidget(self.config_panel)
        buttons, controls = self.buttons.rows()
        self.progress_box = progress = QGroupBox("Progress")
        QVBoxLayout(progress).addWidget(self.progress)
        left = QWidget()
        column = QVBoxLayout(left)
        column.addWidget(settings)
        column.addLayout(buttons)
        column.addLayout(controls)
        column.addWidget(progress)
        column.addStretch()
        scroll = vertical_scroll(left)  # an unfolded model description never clips
        fit_width(scroll, left)
        right = QWidget()
        right_column = QVBoxLayout(right)
        right_column.setContentsMargins(0, 0, 0, 0)
        right_column.addWidget(self.resume_banner)
        right_column.addWidget(self.messages)
        self.plots_area = vertical_scroll(self.stack)  # plots keep their minimum height
        right_column.addWidget(self.plots_area, stretch=1)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(scroll)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([340, 940])
        QHBoxLayout(self).addWidget(splitter)

    @property
    def shown_view(self) -> RunView:
        """The RunView of the model chosen in the settings."""
        return self.views[self.config_panel.model_key]

    def _show_model(self, model: str) -> None:
        if model != self.running_model:
            self._forget_progress()
        self.messages.hide()  # its message was about the last model or its settings
        show_page(self.plots_area, self.stack, self.views[model])
        self._update_buttons(self.controller.state)

    def _forget_progress(self) -> None:
        """Clear the progress panel unless a run is going: it shows no other run's numbers."""
        if self.controller.state == IDLE:
            self.progress.reset()
            self.progress_box.setTitle("Progress")

    def start(self) -> None:
        """Start a new run with the settings on screen; first, once, name the model's
        interrupted run that a new run would leave behind."""
        warning = self.resume_banner.before_new_run(self.run_dirs.get(self.config_panel.model_key))
        if warning and not self.controller.is_busy():
            if self.resume_banner.text != warning:  # the banner offering that run says it
                self.messages.show_message(warning, "info")
        else:
            self._launch(resume_from=None)

    def resume_interrupted(self, run: Interrupted) -> None:
        """Show an interrupted run and resume it from its checkpoint."""
        if self.controller.is_busy():
            self.messages.show_message(ALREADY_RUNNING, "error")
            return
        try:
            self.open_run(run.folder)
        except FmgenError as exc:
            self.messages.show_message(str(exc), "error")
            return
        self.resume_run()

    def _launch(self, resume_from: Path | None) -> None:
        if self.controller.is_busy():
            self.messages.show_message(ALREADY_RUNNING, "error")
            return
        try:
            config = self.config_panel.config()
            data_dir = self.config_panel.data_folder()
        except FmgenError as exc:
            self.messages.show_message(str(exc), "error")
            return
        model = config.model
        # run_folder_of: a snapshot's run is RUN, not RUN/checkpoints
        run_dir = run_folder_of(resume_from) if resume_from else new_run_dir(self.runs_dir, model)
        self.messages.hide()
        if not resume_from:
            self.views[model].reset()
        self.running_model = model
        self.run_dirs[model] = run_dir
        self.opened_checkpoints.pop(model, None)  # from now on its latest checkpoint is newer
        self.resume_banner.withdraw(run_dir)  # it is being resumed now
        self.controller.start(TrainingRequest(config, run_dir, data_dir, resume_from))
        self.status.emit(f"Loading data and starting the {get_model(model).label}…")

    def resume_run(self) -> None:
        """Continue the shown model's run from the checkpoint opened, else its latest one."""
        checkpoint = self._resume_checkpoint(self.config_panel.model_key)
        if checkpoint is not None:
            self._launch(resume_from=checkpoint)

    def _resume_checkpoint(self, model: str) -> Path | None:
        """The checkpoint Resume run continues `model`'s shown run from (None: there is none)."""
        run_dir = self.run_dirs.get(model)
        if run_dir is None:
            return None
        checkpoint = self.opened_checkpoints.get(model, run_dir / CHECKPOINT_NAME)
        return checkpoint if checkpoint.is_file() else None

    def toggle_pause(self) -> None:
        """Pause a running run, or resume a paused one."""
        if self.controller.state == PAUSED:
            self.controller.resume()
        else:
            self.controller.pause()

    def stop(self) -> None:
        """Stop the run after saving a checkpoint."""
        if self.controller.is_busy():
            self.controller.stop()
            self.status.emit("Stopping: saving a checkpoint…")

    def on_event(self, event: Event) -> None:
        """Route one training event to the views."""
        model = self.running_model or self.config_panel.model_key
        self.views[model].add(event)
        if isinstance(event, RunStarted):
            if event.step:  # a resume, maybe from a snapshot: the curves after it are redone
                self.views[model].load(self.views[model].history.until(event))
            before = event.seconds_before
            if before is None:  # a checkpoint older than the recorded time: estimate it
                before = self.views[model].history.trained_seconds(event)
            self.progress.start(event.step, event.steps_per_epoch, event.total_steps, before)
            self.progress_box.setTitle(f"Progress of the {get_model(model).label} run")
            requested = event.config.get("precision", "auto")
            self.precision = plain_precision(
                event.precision, requested, event.device, event.precision_evidence
            )
            self.precision_reason.emit(f"Precision {event.precision}: {event.precision_reason}")
            self.status.emit(
                f"Training the {get_model(model).label} on {event.device} in {self.precision}"
            )
            self.refresh_timer.start()
        elif isinstance(event, StepLogged):
            self.latest_step = event  # shown by the next refresh
        elif isinstance(event, Paused):
            self.refresh()  # the last step's speed, shown now, would be overwritten later
            self.progress.pause_clock()
            self.speed.emit("paused")
            self.status.emit(f"Paused at step {event.step}")
        elif isinstance(event, Resumed):
            self.progress.resume_clock()
            self.status.emit(f"Training the {get_model(model).label}")
        elif isinstance(event, CheckpointSaved):
            self.checkpoint_ready.emit(model, event.path)
        elif isinstance(event, (RunFinished, RunStopped, RunFailed)):
            self._end_run(model, event)

    def refresh(self) -> None:
        """Bring plots, progress and speed up to the latest step event."""
        self.views[self.running_model or self.config_panel.model_key].refresh()
        if self.latest_step is not None:
            self.progress.set_step(self.latest_step.step)
            self.speed.emit(f"{self.latest_step.images_per_s:,.0f} images/s, {self.precision}")
            self.latest_step = None

    def _end_run(self, model: str, event: Event) -> None:
        self.refresh_timer.stop()
        self.refresh()
        self.progress.pause_clock()
        self.speed.emit("")
        if isinstance(event, RunFailed):
            self.messages.show_message(event.message, "error")
            self.status.emit(f"The {get_model(model).label} run failed")
        elif isinstance(event, RunStopped):
            self.progress.set_step(event.step)  # the last logged step may be a few before
            self.status.emit(self._stopped_text(event))
        else:
            self.progress.set_step(event.step)
            self.status.emit(f"Finished {epochs_phrase(event.epoch)}; run folder {event.run_dir}")

    def _stopped_text(self, event: RunStopped) -> str:
        """Where the run stopped, in epochs and steps, and where its checkpoint is."""
        per_epoch, total = self.progress.steps_per_epoch, self.progress.total_steps
        trained = epochs_phrase(event.step / per_epoch) if per_epoch else "0 epochs"
        return (
            f"Stopped after {trained} (step {event.step:,} of {total:,}); checkpoint saved in "
            f"{event.run_dir}: Resume run continues it"
        )

    def open_run(self, path: Path) -> str:
        """Show a run folder (or the run of a checkpoint or snapshot): curves, grids, settings;
        returns model."""
        checkpoint, history = open_run_files(path)
        folder = run_folder_of(checkpoint.path)
        model = checkpoint.config.model
        self.config_panel.set_config(checkpoint.config)
        self._forget_progress()  # another run is shown now
        self.views[model].load(history or RunHistory(model))
        self.run_dirs[model] = folder
        self.opened_checkpoints[model] = checkpoint.path
        self.checkpoint_ready.emit(model, str(checkpoint.path))
        self._update_buttons(self.controller.state)
        return model

    def _update_buttons(self, state: str) -> None:
        if state == IDLE and self.messages.text == ALREADY_RUNNING:
            self.messages.hide()  # it was true while the run went on
        checkpoint = self._resume_checkpoint(self.config_panel.model_key)
        self.buttons.show_state(state, checkpoint is not None)
        self.config_panel.setEnabled(state == IDLE)
