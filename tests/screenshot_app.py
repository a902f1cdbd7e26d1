"""Open the real app window, train until some epochs have ended, and save a screenshot.

    python tests/screenshot_app.py OUT.png [--model vae|gan] [--limit N] [--epochs N]
    python tests/screenshot_app.py OUT.png --open RUN_DIR --tab explore [--pair 6,6]
    python tests/screenshot_app.py OUT.png --open VAE_RUN --open GAN_RUN --tab evaluate
    python tests/screenshot_app.py OUT.png --open VAE_RUN --tab explore --drive-explorer
    python tests/screenshot_app.py OUT.png --plot-sizes [--size 1024x640]
    python tests/screenshot_app.py OUT.png --open VAE_RUN --tab explore --plot-sizes

Run it under a real X server (xvfb-run) to see what a person sees;
tests/fmgen_gui/app/test_screenshot.py does that in CI. It prints the Qt platform it runs on
("platform: xcb" under X). The window uses throw-away settings and run folders.
--drive-explorer clicks two gallery images and drags the slider with mouse events, then checks
on the screen that the large image changed.
--plot-sizes shows each model's Train view in turn, prints every plot's laid-out geometry as
'plot MODEL|TITLE|HEIGHT|DATA_HEIGHT|TITLE_HEIGHT|TITLE_TEXT_HEIGHT|DRAWN_WIDTH|WIDTH' (and
the view's size beside the area it is shown in and its minimum height:
'view MODEL|WIDTH|SHOWN_WIDTH|HEIGHT|SHOWN_HEIGHT|MIN_HEIGHT') and saves
a screenshot of each view beside OUT (OUT-MODEL.png). With --tab explore, it prints the
Explore tab's plots the same way, as the model 'explore'.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QStyle, QStyleOptionSlider, QWidget

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fmgen_gui.main_window import MainWindow
from trainer.common.events import CheckpointSaved, RunFailed, RunFinished
from trainer.registry import model_names


def field(text: str) -> str:
    """`text` as one '|'-separated field: a title such as CycleGAN's '|F(G(a)) - a|' keeps its
    bars as the broken bar."""
    return text.replace("|", "\u00a6")


def wait_until(app: QApplication, done, timeout_s: float) -> bool:
    """Process events until `done()` or the timeout."""
    deadline = time.monotonic() + timeout_s
    while not done() and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.01)
    return done()


def screen_pixels(widget: QWidget) -> np.ndarray:
    """What the X server shows of `widget`, as grey levels (read back from the screen)."""
    window = widget.window()
    corner = widget.mapTo(window, QPoint(0, 0))
    shot = widget.screen().grabWindow(
        window.winId(), corner.x(), corner.y(), widget.width(), widget.height()
    )
    image = shot.toImage().convertToFormat(shot.toImage().Format.Format_Grayscale8)
    rows = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), -1)
    return rows[:, : image.width()].copy()


def click_gallery_image(app: QApplication, gallery, row: int) -> None:
    """A left click on the gallery's image in `row`, as the mouse would give it."""
    view = gallery.view
    index = gallery.model.index(row)
    view.scrollTo(index)
    wait_until(app, lambda: not view.visualRect(index).isEmpty(), 10)
    QTest.mouseClick(
        view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualRect(index).center()
    )


def drag_slider(app: QApplication, slider, fraction: float) -> None:
    """Press on the slider's handle, move it to `fraction` of the groove and let go."""
    option = QStyleOptionSlider()
    slider.initStyleOption(option)
    handle = slider.style().subControlRect(
        QStyle.ComplexControl.CC_Slider, option, QStyle.SubControl.SC_SliderHandle, slider
    )
    start, y = handle.center(), handle.center().y()
    target = QPoint(round(handle.width() / 2 + fraction * (slider.width() - handle.width())), y)
    QTest.mousePress(slider, Qt.MouseButton.LeftButton, pos=start)
    for step in range(1, 11):  # a drag is a run of moves, not a jump
        QTest.mouseMove(slider, start + (target - start) * step / 10)
        app.processEvents()
    QTest.mouseRelease(slider, Qt.MouseButton.LeftButton, pos=target)


def drive_explorer(app: QApplication, window) -> list[str]:
    """Pick two images and drag the slider with mouse events; the problems found, if any."""
    explorer = window.explorer
    QTest.qWaitForWindowExposed(window)
    for row in (0, 1):
        click_gallery_image(app, explorer.gallery, row)
    if not wait_until(app, lambda: explorer.a == 0 and explorer.b == 1, 10):
        return [f"the clicks picked A={explorer.a}, B={explorer.b}, not the images 0 and 1"]
    wait_until(app, lambda: False, 0.3)  # let the large image reach the screen
    before = screen_pixels(explorer.view.large)
    slider = explorer.view.slider
    drag_slider(app, slider, 0.8)
    if not 700 <= slider.value() <= 900:
        return [f"the drag left the slider at {slider.value()} of {slider.maximum()}"]
    wait_until(app, lambda: False, 0.3)
    after = screen_pixels(explorer.view.large)
    changed = np.mean(np.abs(after.astype(int) - before.astype(int)) > 16)
    print(f"slider at {slider.value()}; {changed:.1%} of the large image's pixels changed")
    return [] if changed > 0.01 else ["the large image did not change on the screen"]


def report_plot_sizes(app: QApplication, window, out: Path) -> None:
    """Show each model's Train view; print its plots' geometry and save a screenshot of it."""
    panel = window.training.config_panel
    QTest.qWaitForWindowExposed(window)
    for model in model_names():
        panel.model.setCurrentIndex(panel.model.findData(model))
        wait_until(app, lambda: False, 0.3)  # let the layout settle on the real screen
        view, viewport = window.training.views[model], window.training.plots_area.viewport()
        heights = (view.height(), viewport.height(), view.minimumSizeHint().height())
        print(f"view {model}|{view.width()}|{viewport.width()}|" + "|".join(map(str, heights)))
        for plot in window.training.views[model].plots:
            title = plot.plot.getPlotItem().titleLabel
            sizes = (plot.height(), plot.data_height(), title.height(), title.itemRect().height())
            widths = (plot.plot.getPlotItem().width(), plot.plot.width())
            sizes = (*sizes, *widths)
            fields = [model, field(plot.spec.title), *(f"{v:.0f}" for v in sizes)]
            print("plot " + "|".join(fields))
        window.grab().save(str(out.with_name(f"{out.stem}-{model}.png")))


def report_explore_plot_sizes(window) -> None:
    """Print each Explore plot's geometry as 'plot explore|TITLE|HEIGHT|DATA_HEIGHT|...' (the
    fields of --plot-sizes; HEIGHT is the plot's own, WIDTH that of the widget showing it)."""
    explorer = window.explorer
    shown = ((explorer.map.view, explorer.map.plot), (explorer.path_plot.view, None))
    for widget, item in shown:
        for plot in [item] if item is not None else explorer.path_plot.plots():
            title = plot.titleLabel
            sizes = (plot.height(), plot.vb.height(), title.height(), title.itemRect().height())
            sizes = (*sizes, plot.width(), widget.width())
            name = title.text.replace("|", "/")
            print("plot " + "|".join(["explore", field(name), *(f"{v:.0f}" for v in sizes)]))


def epochs_shown(events: list, wanted: int, epochs: int) -> bool:
    """True once `wanted` epochs are on screen whole (the run's end if that is all), or failed.

    An epoch's checkpoint is saved after its grids, so by then all of it has been shown.
    """
    if any(isinstance(e, RunFailed) for e in events):
        return True
    saved = sum(isinstance(e, CheckpointSaved) for e in events)
    return saved >= wanted and (wanted < epochs or any(isinstance(e, RunFinished) for e in events))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=Path)
    parser.add_argument("--model", default="vae")
    parser.add_argument("--limit", type=int, default=2000)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--wait-epochs", type=int, default=2)
    parser.add_argument("--data-dir", default="")
    parser.add_argument("--timeout", type=float, default=240)
    parser.add_argument("--open", action="append", help="show run folders instead of training")
    parser.add_argument("--tab", default="train", choices=("train", "explore", "evaluate"))
    parser.add_argument("--pair", help="explorer preset: two class labels, e.g. 6,6 or 7,8")
    parser.add_argument("--drive-explorer", action="store_true", help="click, drag and check")
    parser.add_argument("--plot-sizes", action="store_true", help="print each view's plot sizes")
    parser.add_argument("--size", default="1280x800", help="the window's size, WIDTHxHEIGHT")
    args = parser.parse_args()
    app = QApplication(["fmgen"])
    print(f"platform: {app.platformName()}", flush=True)
    scratch = Path(tempfile.mkdtemp(prefix="fmgen-shot-"))
    settings = QSettings(str(scratch / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings=settings, runs_dir=scratch / "runs")
    window.resize(*(int(n) for n in args.size.split("x")))
    window.show()
    panel = window.training.config_panel
    panel.model.setCurrentIndex(panel.model.findData(args.model))
    panel.epochs.setValue(args.epochs)
    panel.use_limit.setChecked(True)
    panel.limit.setValue(args.limit)
    panel.data_dir.setText(args.data_dir)
    seen = []
    window.controller.event.connect(seen.append)
    if args.plot_sizes and not args.open:
        report_plot_sizes(app, window, args.out)
        ended = True
    elif args.open:
        for folder in args.open:
            window.open_run(folder)
        ended = True
    else:
        window.training.start()
        ended = wait_until(
            app, lambda: epochs_shown(seen, args.wait_epochs, args.epochs), args.timeout
        )
    if args.tab == "explore":
        explorer = window.explorer
        window.tabs.setCurrentWidget(explorer)
        ended = ended and wait_until(app, lambda: explorer.interpolator is not None, args.timeout)
        if args.pair:
            first, second = (int(k) for k in args.pair.split(","))
            explorer.picking.pick_random_pair(first, second)
            explorer.view.set_t(0.35)
        if args.plot_sizes:
            wait_until(app, lambda: False, 0.5)  # let the layout settle on the real screen
            report_explore_plot_sizes(window)
        if args.drive_explorer:
            problems = drive_explorer(app, window)
            print("\n".join(problems) or "explorer driven: the large image changed")
            ended = ended and not problems
    if args.tab == "evaluate":
        pane = window.report
        window.tabs.setCurrentWidget(pane)
        pane.samples.setValue(2000)
        pane.iwae_k.setValue(5)
        pane.evaluate()
        ended = ended and wait_until(app, lambda: pane.evaluation is not None, args.timeout)
    wait_until(app, lambda: False, 0.5)  # let the coalesced redraws land
    args.out.parent.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(args.out))
    failures = [e.message for e in seen if isinstance(e, RunFailed)]
    window.close()
    print(f"screenshot: {args.out} ({len(seen)} events, epochs reached: {ended})")
    if failures:
        print("run failed:", failures[0], file=sys.stderr)
    return 0 if ended and not failures else 1


if __name__ == "__main__":
    sys.exit(main())
