"""ExplorerContext: what the explorer's helpers use of the pane, and nothing more.

The helpers (picking, path controls, the slow path, exports) act on the pane's state and views;
typed against these Protocols they never import the pane, which builds them (ExplorerPane
satisfies ExplorerContext), so the import graph runs one way: pane -> helpers -> context.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np
from PySide6.QtWidgets import QLabel, QProgressBar, QStackedWidget

from fmgen_gui.explorer.dial_bar import DialBar
from fmgen_gui.explorer.dial_state import DialSettings
from fmgen_gui.explorer.gallery import Gallery
from fmgen_gui.explorer.interpolation_view import InterpolationView
from fmgen_gui.explorer.latent_map import LatentMap
from fmgen_gui.explorer.loader import ExplorerLoader
from fmgen_gui.explorer.path_plot import PathPlot
from fmgen_gui.explorer.presets import ClassBar, PresetBar
from fmgen_gui.explorer.state import ExplorerState
from fmgen_gui.explorer.translation_view import TranslationView
from fmgen_gui.model_store import ModelStore
from fmgen_gui.widgets.message_bar import MessageBar
from trainer.learners import Learner
from trainer.runs.pins import PinStore
from trainer.sampling.explore import Interpolator, Strip
from trainer.sampling.path_frames import PathFrames


class SlowFrames(Protocol):
    """The slow path as the other helpers see it: whether it applies, and its frames."""

    frames: PathFrames | None

    def applies(self) -> bool:
        """True when the shown source decodes in many network passes."""
        ...

    def show_t(self, t: float) -> None:
        """Show the computed frame nearest `t`."""
        ...


class ExplorerContext(Protocol):
    """The pane's state, views and stores the helpers read and drive."""

    state: ExplorerState
    models: ModelStore
    pins: PinStore
    loader: ExplorerLoader
    messages: MessageBar
    gallery: Gallery
    map: LatentMap
    path_plot: PathPlot
    view: InterpolationView
    presets: PresetBar
    class_bar: ClassBar
    interpolators: dict[str, Interpolator]
    strip: Strip | None
    shown_image: np.ndarray | None  # the decoded image at the slider
    slow: SlowFrames
    dials: DialSettings  # each source's sampler dial values
    dial_bar: DialBar
    learners: dict[str, Learner]  # per source: the loaded learner the GUI thread decodes with
    pages: QStackedWidget  # 0: the latent path's views, 1: translation_view
    translation_view: TranslationView  # a translating model's page
    status: QLabel
    used: QLabel  # the model and epoch the shown data come from
    progress: QProgressBar

    @property
    def source(self) -> str | None:
        """The model shown."""
        ...

    @property
    def interpolator(self) -> Interpolator | None:
        """The shown source's interpolator, once loaded."""
        ...

    def update_path(self) -> None:
        """Re-make the path between the picks and show it."""
        ...

    def show_strip(self, strip: Strip) -> None:
        """Show a finished strip of the path."""
        ...
