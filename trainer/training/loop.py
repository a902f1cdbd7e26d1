"""The training loop: a Qt-free generator that yields events and owns all control flow and I/O."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path

from trainer.common.errors import Cancelled, raise_if_cancelled
from trainer.common.events import (
    CheckpointSaved,
    EpochEnded,
    Event,
    Paused,
    Resumed,
    RunFailed,
    RunFinished,
    RunStarted,
    RunStopped,
    SamplesReady,
    StepLogged,
)
from trainer.config.device import configure_cpu_threads, describe_device, resolve_device
from trainer.config.precision import Probe, resolve_precision
from trainer.config.resume import check_resumable
from trainer.config.settings import RunConfig
from trainer.data.domains import images_in
from trainer.data.epochs import epoch_batches, epoch_order
from trainer.data.fashion_mnist import FashionMNIST, Split
from trainer.learners import learner_class, make_learner
from trainer.learners.precision_trial import learner_probe
from trainer.registry import get_model
from trainer.runs.checkpoint import Checkpoint, all_finite, finite_metrics, save_checkpoint
from trainer.runs.folder import MetricsLog, RunFolder, RunFolderLock
from trainer.runs.snapshots import discard_after, publish
from trainer.runs.status import StatusWriter
from trainer.training.clock import RunClock
from trainer.training.failures import NO_CHECKPOINT_YET, failure_event
from trainer.training.meters import Meter


def train(
    config: RunConfig,
    data: FashionMNIST,
    run_dir: Path | str,
    stop_event: threading.Event | None = None,
    pause_event: threading.Event | None = None,
    resume: Checkpoint | None = None,
) -> Iterator[Event]:
    """Train `config` on `data`, writing `run_dir`; yields events and ends with a terminal one.

    Stop and pause are cooperative: both are checked before every step, and stop also once per
    batch of the test evaluation at an epoch's end. `stop_event` is the same kind of object as
    every other job's cancel (a threading.Event, set from another thread; the app passes its
    job's cancel here), but the loop does not just raise Cancelled on it: stopping a run is an
    outcome (the state is saved, RunStopped is yielded, the run can be resumed), not an abort.
    Errors never escape: they end the generator with a RunFailed event.
    """
    run = _Run(config, data, RunFolder(Path(run_dir)), stop_event, pause_event, resume)
    status = StatusWriter(Path(run_dir))
    try:
        for event in run.events():
            status.observe(event)
            yield event
    except Exception as exc:
        failed = failure_event(exc, run.step, run.folder.checkpoint)
        status.observe(failed)
        yield failed


class _Run:
    """State of one run; `events()` is the loop."""

    def __init__(
        self,
        config: RunConfig,
        data: FashionMNIST,
        folder: RunFolder,
        stop: threading.Event | None,
        pause: threading.Event | None,
        resume: Checkpoint | None,
    ) -> None:
        self.config, self.data, self.folder, self.resume = config, data, folder, resume
        self.stop = stop or threading.Event()
        self.pause = pause or threading.Event()
        self.epoch = resume.epoch if resume else 0  # completed epochs
        self.step = resume.step if resume else 0
        self.first_batch = resume.batch_in_epoch if resume else 0
        meters = resume.meters if resume else {}
        self.epoch_meter = Meter(meters.get("epoch"))
        self.interval_meter = Meter(meters.get("interval"))
        self.step_seconds = 0.0  # time spent in the steps counted by interval_meter
        self.last_test: dict[str, float] = dict(resume.metrics) if resume else {}
        self.clock = RunClock(resume.seconds if resume else 0.0)

    def setup(self) -> None:
        """Device, learner, restored state and the data on the device; the folder is untouched."""
        if self.resume:
            check_resumable(self.config, self.resume.config)
        # What the model trains on: the training split, or a translator's domain rows.
        spec = get_model(self.config.model)
        self.train_split = learner_class(spec).training_split(self.config, self.data.train)
        self.device = resolve_device(self.config.device)
        if self.device.type == "cpu":
            configure_cpu_threads()
        self.precision = resolve_precision(
            self.config.precision,
            self.device,
            self.precision_probe(),
            spec.float32_only,
        )
        self.learner = make_learner(self.config, self.device, self.precision)
        if self.resume:
            self.learner.load_state_dict(self.resume.state)
        self.precision_record = self.precision.record(self.config.precision)  # asked, used, why
        self.train_images = self.train_split.images.to(self.device)
        self.train_labels = self.train_split.labels.to(self.device)
        self.test = Split(self.data.test.images.to(self.device), self.data.test.labels)
        self.steps_per_epoch = math.ceil(len(self.train_split) / self.config.batch_size)

    def precision_probe(self) -> Probe:
        """auto's measurement: the learner's own step on the first batch of the training set."""
        batch = slice(0, self.config.batch_size)
        images, labels = self.train_split.images[batch], self.train_split.labels[batch]
        return learner_probe(
            self.config, self.device, images.to(self.device), labels.to(self.device)
        )

    def prepare_folder(self) -> None:
        """Under the lock: clear dead writes, cut the curves back to the checkpoint, save config."""
        self.folder.remove_stale_temporaries()
        if self.resume:
            self.folder.keep_metrics_until(self.step)
            discard_after(self.folder.path, self.epoch)
        self.folder.write_config(self.config)

    def events(self) -> Iterator[Event]:
        """The whole run; the folder is created, and locked, only once setup has succeeded."""
        self.setup()
        with RunFolderLock(self.folder.path):
            self.prepare_folder()
            yield from self._events()

    def _events(self) -> Iterator[Event]:
        started = RunStarted(
            run_dir=str(self.folder.path),
            config=self.config.to_dict(),
            device=describe_device(self.device),
            precision=self.precision.mode,
            precision_reason=self.precision.reason,
            precision_evidence=self.precision_record.get("evidence", {}),
            data_source=self.data.source,
            train_size=images_in(self.train_split),
            test_size=len(self.data.test),
            epoch=self.epoch,
            step=self.step,
            steps_per_epoch=self.steps_per_epoch,
            total_steps=self.steps_per_epoch * self.config.epochs,
            seconds_before=self.clock.before,
        )
        self.clock.start()
        yield started
        self.log = MetricsLog(self.folder.metrics_file)
        self.log.write({"type": "precision", "step": self.step, **self.precision_record})
        # The data this run trains on, for the report (whose evaluation may load other data).
        self.log.write(
            {"type": "start", **{k: v for k, v in asdict(started).items() if k != "config"}}
        )
        try:
            while self.epoch < self.config.epochs:
                if (yield from self.train_epoch()) or (yield from self.end_epoch()):
                    return
            yield RunFinished(str(self.folder.path), self.epoch, self.step)
        finally:
            self.log.close()

    def train_epoch(self) -> Iterator[Event]:
        """Steps of the epoch in progress; returns True when the run ended inside it."""
        order = epoch_order(self.config.seed, self.epoch, len(self.train_split)).to(self.device)
        self.epoch_started = time.perf_counter()
        for batch, picks in epoch_batches(order, self.config.batch_size, self.first_batch):
            if self.pause.is_set():
                yield from self.wait_while_paused()
            if self.stop.is_set():
                yield from self.stop_at(batch)
                return True
            started = time.perf_counter()
            images = self.train_images[picks]
            losses = self.learner.train_step(images, self.train_labels[picks])
            self.step_seconds += time.perf_counter() - started  # steps only: no eval, no pause
            self.step += 1
            if not finite_metrics(losses):
                yield self.non_finite(losses)
                return True
            self.epoch_meter.add(losses, len(images))
            self.interval_meter.add(losses, len(images))
            if self.step % self.config.log_every == 0:
                yield self.log_step()
        self.first_batch = 0
        return False

    def stop_at(self, batch_in_epoch: int) -> Iterator[Event]:
        """Save the state with `batch_in_epoch` batches of the epoch done, then RunStopped."""
        saved = self.save(batch_in_epoch)
        yield saved
        if isinstance(saved, CheckpointSaved):
            yield self.stopped()

    def stopped(self) -> RunStopped:
        """The event of a stop after the checkpoint has been saved."""
        return RunStopped(str(self.folder.path), self.epoch, self.step, str(self.folder.checkpoint))

    def wait_while_paused(self) -> Iterator[Event]:
        """Block (checking stop) until the pause is lifted; paused time is not counted."""
        self.clock.pause()  # before the yield: the reader's time with the event is paused time
        yield Paused(self.step)
        while self.pause.is_set() and not self.stop.is_set():
            self.stop.wait(0.02)
        self.epoch_started += self.clock.go_on()
        yield Resumed(self.step)

    def log_step(self) -> StepLogged:
        """A StepLogged event (also written to metrics.jsonl) for the steps since the last."""
        rate = self.interval_meter.images / max(self.step_seconds, 1e-9)
        event = StepLogged(self.epoch + 1, self.step, self.interval_meter.means(), rate)
        self.log.write(
            {
                "type": "step",
                "epoch": event.epoch,
                "step": self.step,
                **event.losses,
                "images_per_s": rate,
            }
        )
        self.interval_meter = Meter()
        self.step_seconds = 0.0
        return event

    def non_finite(self, losses: dict[str, float]) -> RunFailed:
        """The loss blew up: report where, and leave the last good checkpoint alone."""
        bad = ", ".join(f"{k}={v}" for k, v in losses.items() if not math.isfinite(v))
        kept = (
            f"The checkpoint of epoch {self.epoch} ({self.folder.checkpoint}) is kept."
            if self.folder.checkpoint.exists()
            else NO_CHECKPOINT_YET
        )
        return RunFailed(
            f"Training diverged: non-finite loss ({bad}) at step {self.step}, epoch "
            f"{self.epoch + 1}. {kept} Try a lower learning rate.",
            "nan",
            self.step,
        )

    def end_epoch(self) -> Iterator[Event]:
        """Evaluate, save the grids, the checkpoint and its snapshot; True when the run ended.

        A stop during the test evaluation or before the grids saves the state with all of the
        epoch's batches done, so a resume starts right here. Once the grids are drawn the rest
        (writing them and the checkpoint) is short and runs to its end; a stop then ends the
        run without saving twice.
        """
        seconds = time.perf_counter() - self.epoch_started
        try:
            test = self.learner.evaluate(self.test, self.stop)
            raise_if_cancelled(self.stop)
            grids = self.learner.grids(self.test)
        except Cancelled:
            yield from self.stop_at(self.steps_per_epoch)
            return True
        if not finite_metrics(test):
            yield self.non_finite(test)
            return True
        self.epoch += 1
        self.last_test, train_means = test, self.epoch_meter.means()
        yield EpochEnded(self.epoch, self.step, train_means, test, seconds)
        record = {"epoch": self.epoch, "step": self.step, "train": train_means}
        self.log.write({"type": "epoch", **record, "test": test, "seconds": seconds})
        for name, grid in grids.items():
            self.folder.save_grid(self.epoch, name, grid)
            yield SamplesReady(self.epoch, self.step, name, grid)
        self.epoch_meter = Meter()
        saved = self.save(batch_in_epoch=0)
        if isinstance(saved, CheckpointSaved):  # before the event: its readers want the snapshot
            publish(self.folder.path, self.epoch)
        yield saved
        if isinstance(saved, RunFailed):
            return True
        if self.stop.is_set() and self.epoch < self.config.epochs:
            yield self.stopped()
            return True
        return False

    def save(self, batch_in_epoch: int) -> CheckpointSaved | RunFailed:
        """Write the checkpoint, unless the weights are no longer finite."""
        state = self.learner.state_dict()
        if not all_finite(state["model"]):
            return RunFailed(
                f"Weights became non-finite by step {self.step}; the previous checkpoint is kept.",
                "nan",
                self.step,
            )
        meters = {"epoch": self.epoch_meter.state(), "interval": self.interval_meter.state()}
        save_checkpoint(
            self.folder.checkpoint,
            Checkpoint(
                self.folder.checkpoint,
                self.config,
                self.epoch,
                self.step,
                batch_in_epoch,
                state,
                meters,
                self.last_test,
                self.clock.seconds(),
            ),
        )
        return CheckpointSaved(self.epoch, self.step, str(self.folder.checkpoint))
