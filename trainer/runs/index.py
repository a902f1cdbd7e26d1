"""The runs on disk as rows for the Runs view: settings, progress, metrics, state and size.

Qt-free so that a script (or a test) sees what the window shows. Labels and notes belong to
the user, not to the run folder (which may be read-only, followed or archived), so they live in
the user data folder beside the pins, keyed by run.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from trainer.common import keys
from trainer.common.errors import FmgenError, RunFolderError
from trainer.common.events import EpochEnded
from trainer.common.files import atomic_write_text, user_data_dir
from trainer.config.settings import field_label
from trainer.registry import CurveSpec, PlotSpec, get_model
from trainer.runs.checkpoint import CHECKPOINT_NAME
from trainer.runs.folder import RunFolder, RunFolderLock
from trainer.runs.history import RunHistory, event_from_record
from trainer.runs.metrics_json import RUNS, SAMPLES_SECTION
from trainer.runs.pins import run_key
from trainer.runs.readers import json_section, read_run_json
from trainer.runs.status import read_status

DAMAGED = "damaged"  # the state of a run folder that cannot be read
SWEEP_FILE = "sweep.json"  # a sweep's folder holds it (written by trainer.cli.sweep_jobs)
# The files a row is read from: a row is read again only when one of them changed, so the Runs
# tab can poll every run folder often (a few stat calls each) without re-reading every run.
ROW_SOURCES = ("config.json", "run.json", "metrics.json", "metrics.jsonl")


@dataclass(frozen=True)
class RunRow:
    """One run folder as the Runs view lists it."""

    path: Path
    key: str
    model: str
    label: str  # the user's display label, else the model's label and run name
    settings: str  # key settings, e.g. 'latent 32, beta 4, lr 0.001'
    epochs: str  # '3 / 10'
    metrics: str  # the last epoch's test summary; for a damaged run, what is wrong
    fid: float | None  # from metrics.json, if the run was evaluated
    state: str  # running, finished, stopped, failed, dead, unknown or damaged (see `metrics`)
    size_mb: float
    group: str  # for runs of a sweep: its folder's name and grid, 'betas (beta=0.5,1,4)'; else ''
    notes: str
    sweep: Path | None = None  # the sweep folder (with sweep.json) the run belongs to


def damaged_row(path: Path, reason: str) -> RunRow:
    """The row of a run folder that cannot be read: listed, with the reason where the metrics
    would be (its file named within the folder, so the column shows what is wrong), so a
    half-synced or truncated run is seen and can be deleted."""
    return RunRow(
        path=path,
        key=path.name,
        model="",
        label=path.name,
        settings="",
        epochs="",
        metrics=reason.replace(f"{path}{os.sep}", ""),
        fid=None,
        state=DAMAGED,
        size_mb=_size_mb(path),
        group="",
        notes="",
    )


def find_runs(roots: list[Path]) -> list[Path]:
    """Run folders (with a config.json or a checkpoint.pt) directly under each root or one
    level down (sweeps).

    A run whose config.json is missing, a folder or a broken link is still found, and listed
    as damaged rather than silently left out.
    """
    found = []
    for root in roots:
        top = _subfolders(root)
        for folder in sorted([*top, *(sub for parent in top for sub in _subfolders(parent))]):
            if any(os.path.lexists(folder / name) for name in ("config.json", CHECKPOINT_NAME)):
                found.append(folder)
    return list(dict.fromkeys(found))


def _subfolders(folder: Path) -> list[Path]:
    """The folders in `folder` (none if it cannot be listed), hidden ones left out: a run being
    unpacked (trainer.runs.archive) is hidden until it is whole. Files are not looked at: a run
    folder holds many, and the Runs tab lists the folder every 2 s."""
    try:
        return [p for p in folder.iterdir() if not p.name.startswith(".") and p.is_dir()]
    except OSError:
        return []


class RunIndex:
    """Rows for run folders, with the user's labels and notes (JSON in the user data folder)."""

    def __init__(self, notes_file: Path | None = None) -> None:
        self.notes_file = notes_file or user_data_dir() / "runs.json"
        try:
            user = json.loads(self.notes_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            user = {}
        # A damaged notes file must not hide the runs: entries that are not objects are dropped.
        entries = user.items() if isinstance(user, dict) else ()
        self._user = {key: entry for key, entry in entries if isinstance(entry, dict)}
        self._cache: dict[Path, tuple[tuple, RunRow]] = {}  # path: (its sources' stamp, row)

    def rows(self, roots: list[Path]) -> list[RunRow]:
        """A row per run folder under `roots`; one that cannot be read is a damaged row."""
        return [self._listed(path) for path in find_runs(roots)]

    def row(self, path: Path) -> RunRow:
        """The row of one run folder (the last one read while its files are unchanged);
        RunFolderError (or CheckpointError) says what is damaged."""
        row = self._listed(path)
        if row.state == DAMAGED:
            self._cache.pop(path)
            return self._read_row(path)  # raises again, with the whole error
        return row

    def _listed(self, path: Path) -> RunRow:
        """The row of one run folder, or its damaged row; either is kept while the files it is
        read from are unchanged (a damaged run read again every 2 s is just as damaged)."""
        stamp = sources_stamp(path)
        cached = self._cache.get(path)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        try:
            row = self._read_row(path)
        except FmgenError as exc:
            row = damaged_row(path, str(exc))
        # A running run turns 'dead' by the clock alone (run.json goes stale): never cached.
        if row.state != "running":
            self._cache[path] = (stamp, row)
        return row

    def _read_row(self, path: Path) -> RunRow:
        config = RunFolder(path).read_config()
        spec = get_model(config.model)
        last = _last_epoch(RunFolder(path).read_metrics())  # no grids: the row shows none
        status = read_status(path)
        state = "unknown" if status is None else "dead" if status.stale() else status.state
        user = self._user.get(run_key(path), {})
        return RunRow(
            path=path,
            key=run_key(path),
            model=config.model,
            label=str(user.get("label") or f"{spec.label} {path.name}"),
            settings=_settings(config.to_dict(), spec.options),
            epochs=f"{last.epoch if last else 0} / {config.epochs}",
            metrics=spec.summary(last.test) if last else "",
            fid=_fid(path),
            state=state,
            size_mb=_size_mb(path),
            group=_group(path.parent) if (path.parent / SWEEP_FILE).is_file() else "",
            notes=str(user.get("notes", "")),
            sweep=path.parent if (path.parent / SWEEP_FILE).is_file() else None,
        )

    def set_user(self, path: Path, label: str | None = None, notes: str | None = None) -> None:
        """Rename a run (its display label) or set its notes."""
        entry = self._user.setdefault(run_key(path), {})
        if label is not None:
            entry["label"] = label
        if notes is not None:
            entry["notes"] = notes
        self._cache.pop(path, None)  # its label or notes changed, not its files
        atomic_write_text(self.notes_file, json.dumps(self._user, indent=1))


def _last_epoch(records: list[dict]) -> EpochEnded | None:
    """The last epoch of metrics.jsonl's records, read as RunHistory reads them."""
    ended = [e for e in map(event_from_record, records) if isinstance(e, EpochEnded)]
    return ended[-1] if ended else None


def _size_mb(path: Path) -> float:
    """The run folder's size (links to folders are not followed, so a loop counts nothing)."""
    return sum(_file_size(f) for f in path.rglob("*")) / 1e6


def _file_size(path: Path) -> int:
    """A file's size; 0 for a folder, or a file gone since it was listed (a temporary renamed
    into place while the run trains)."""
    try:
        return path.stat().st_size if path.is_file() else 0
    except OSError:
        return 0


def sources_stamp(path: Path) -> tuple:
    """Size and modification time of each file a run's row is read from (0s if missing),
    its sweep's sweep.json included."""
    stamp = []
    for source in (*(path / name for name in ROW_SOURCES), path.parent / SWEEP_FILE):
        try:
            info = source.stat()
        except OSError:
            stamp.append((0, 0))
            continue
        stamp.append((info.st_size, info.st_mtime_ns))
    return tuple(stamp)


def _group(sweep_dir: Path) -> str:
    """'betas (beta=0.5,1,4)': the sweep's name and grid (the name alone if sweep.json is torn)."""
    try:
        grid = json.loads((sweep_dir / SWEEP_FILE).read_text(encoding="utf-8"))["grid"]
        points = "; ".join(f"{option}={','.join(values)}" for option, values in grid.items())
    except (OSError, ValueError, KeyError, AttributeError, TypeError):
        return sweep_dir.name
    return f"{sweep_dir.name} ({points})"


def same_sweep(rows: list[RunRow], chosen: list[RunRow]) -> list[RunRow]:
    """Every row of the sweeps the chosen rows belong to, in `rows` order (to overlay a sweep)."""
    sweeps = {row.sweep for row in chosen if row.sweep is not None}
    return [row for row in rows if row.sweep in sweeps]


def _settings(config: dict, options: tuple[str, ...]) -> str:
    """'latent 32, lr 0.001, beta 4, binarise, 10000 images/split': a model without a latent
    setting says none (a DDPM read "latent 784"), a switch only when on ("binarize False")."""
    parts = [f"latent {config['latent_dim']}"] if "latent_dim" in options else []
    parts.append(f"lr {config['lr']:g}")
    shown = ("adam_betas", "latent_dim")  # Adam's pair is too long; the latent is said first
    for name in (name for name in options if name not in shown and config[name] is not False):
        value = config[name]
        parts.append(field_label(name).lower() if value is True else f"{name} {_plain(value)}")
    if config.get("limit"):
        parts.append(f"{config['limit']} images/split")  # the Train form's words
    return ", ".join(parts)


def _plain(value: object) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _fid(path: Path) -> float | None:
    """The run's FID from its metrics.json (None: not evaluated); RunFolderError if damaged."""
    file = path / "metrics.json"
    if not os.path.lexists(file):
        return None
    document = read_run_json(file)
    section = json_section(document, file, RUNS, run_key(path), SAMPLES_SECTION)
    fid = section.get(keys.FID)
    if fid is not None and (not isinstance(fid, (int, float)) or isinstance(fid, bool)):
        raise RunFolderError(f"{file}: damaged: the FID is {fid!r}, not a number")
    return None if fid is None else float(fid)


def delete_run(path: Path) -> None:
    """Delete a run folder, refusing one that a process is training in."""
    status = read_status(path)
    if status is not None and status.state == "running" and not status.stale():
        raise RunFolderError(f"{path} is still being trained (run.json is fresh); stop it first")
    with RunFolderLock(path):  # raises RunFolderError while a local process holds it
        pass
    shutil.rmtree(path)


def overlay(
    histories: dict[str, RunHistory], key: str, x_label: str
) -> tuple[PlotSpec, RunHistory]:
    """One plot of series `key` from several runs: a spec and a history LossPlot can draw."""
    merged = RunHistory("overlay")
    curves = []
    for label, history in histories.items():
        if key in history.series:
            merged.series[f"{label}/{key}"] = history.series[key]
            curves.append(CurveSpec(f"{label}/{key}", label))
    return PlotSpec(key, x_label, key.split("/", 1)[-1], tuple(curves)), merged
