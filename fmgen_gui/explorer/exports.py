"""PathExports: the explorer's strip, map, path plot and animation, saved to files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fmgen_gui.explorer.context import ExplorerContext
from fmgen_gui.explorer.strip import save_strip, t_captions
from fmgen_gui.export import ask_figure_path, ask_save_path
from trainer.common.grids import save_gif
from trainer.common.pixels import to_uint8
from trainer.sampling.explore import ping_pong

GIF_FILTER = "GIF animation (*.gif)"
GIF_FRAME_MS = 40  # 78 frames (A to B and back) loop in about 3 s
GIF_SCALE = 6  # 28 -> 168 pixels, big enough to see on a slide


class PathExports:
    """Saves what the pane shows; file dialogs for the pane's export buttons."""

    def __init__(self, context: ExplorerContext) -> None:
        self.context = context
        for signal, save, stem in (
            (context.view.export_strip_requested, self.save_strip, "strip"),
            (context.view.export_gif_requested, self.save_gif, "scrub"),
            (context.map.save_requested, self.save_map, "latent-map"),
            (context.path_plot.save_requested, self.save_path_plot, "path-classes"),
        ):
            signal.connect(lambda save=save, stem=stem: self._save_with_dialog(save, stem))

    def title(self) -> str:
        """What the path shows, for figure titles."""
        state = self.context.state
        chosen = state.selection
        dials = self.context.dials.caption(state.current)  # 'Guidance w = 2': drawn at that
        title = f"{state.caption(chosen.a)} to {state.caption(chosen.b)} ({chosen.method})"
        return f"{title}, {dials}" if dials else title

    def save_strip(self, path: Path) -> Path:
        """The strip with its t values, titled with the model and A's and B's captions."""
        strip, label = self.context.strip, self.context.state.spec.label
        return save_strip(path, strip.images, strip.ts, f"{label}: {self.title()}")

    def save_map(self, path: Path) -> Path:
        """The map with the path drawn on it."""
        return self.context.map.save_figure(path, f"Latent path: {self.title()}")

    def save_path_plot(self, path: Path) -> Path:
        """The class probabilities along the path."""
        return self.context.path_plot.save_figure(path, f"Classifier along {self.title()}")

    def save_gif(self, path: Path) -> Path:
        """A smooth looping scrub from A to B and back, t written under every frame."""
        context, chosen = self.context, self.context.state.selection
        shown, computed = context.state.shown, context.slow.frames
        if context.slow.applies():  # a slow decoder: its computed frames, not 40 more decoded
            order = ping_pong(len(computed.ts))
            ts, images = computed.ts[order], computed.images[order]
        else:
            ts, images = context.interpolator.scrub(
                shown.codes[chosen.a],
                shown.codes[chosen.b],
                chosen.method,
                chosen.overshoot,
                context.state.path_classes(),
            )
        frames = list(to_uint8(images))
        return save_gif(frames, path, GIF_FRAME_MS, GIF_SCALE, captions=t_captions(ts))

    def _save_with_dialog(self, save: Callable[[Path], Path], stem: str) -> None:
        if self.context.strip is None:
            return
        if save == self.save_gif:
            path = ask_save_path(
                self.context.view, "Save animation", f"{stem}.gif", GIF_FILTER, (".gif",)
            )
        else:
            path = ask_figure_path(self.context.view, "Save figure", f"{stem}.png")
        if path is None:
            return
        try:
            save(path)
        except (OSError, ValueError) as exc:
            self.context.messages.show_message(f"Not saved: {exc}", "error")
        else:
            self.context.messages.show_message(f"Saved {path}", "info")
