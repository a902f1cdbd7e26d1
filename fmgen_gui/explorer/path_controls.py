"""PathControls: what the interpolation view's controls do (path options, the t slider)."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QTimer

from fmgen_gui.explorer.context import ExplorerContext
from trainer.sampling.latent import interpolate


class PathControls:
    """Options re-make the path; slider moves show the image at t, one decode per event-loop
    pass however fast the slider moves."""

    def __init__(self, context: ExplorerContext) -> None:
        self.context = context
        self._pending_t: float | None = None
        self._scrub = QTimer(context.view, singleShot=True, interval=0)
        self._scrub.timeout.connect(self._show_pending_t)
        context.view.t_changed.connect(self._on_t_changed)
        context.view.options_changed.connect(self._on_options_changed)

    def forget_pending_t(self) -> None:
        """Drop a slider move not shown yet (of a source the user has left)."""
        self._pending_t = None

    def show_t(self, t: float) -> None:
        """Show the image at `t` on the picked path, with its mark on the plot and the map."""
        context = self.context
        shown, chosen = context.state.shown, context.state.selection
        if context.interpolator is None or shown is None or not chosen.ready:
            return
        if context.slow.applies():
            return context.slow.show_t(t)  # the computed frame nearest t
        a, b, method = shown.codes[chosen.a], shown.codes[chosen.b], chosen.method
        context.shown_image = context.interpolator.image_at(
            a, b, t, method, context.state.path_classes()
        )
        context.view.show_image(context.shown_image, t)
        context.path_plot.set_t(t)
        if shown.atlas is not None:
            point = interpolate(a, b, np.array([t]), method)
            context.map.set_current(shown.atlas.projection(point)[0])

    def _on_options_changed(self) -> None:
        chosen, view = self.context.state.selection, self.context.view
        chosen.method, chosen.overshoot = view.method_name(), view.overshoot.isChecked()
        chosen.steps, chosen.t = view.steps.value(), view.t()
        self.context.update_path()

    def _on_t_changed(self, t: float) -> None:
        self.context.state.selection.t = t
        self._pending_t = t
        if not self._scrub.isActive():
            self._scrub.start()

    def _show_pending_t(self) -> None:
        if self._pending_t is not None:
            self.show_t(self._pending_t)
            self._pending_t = None
