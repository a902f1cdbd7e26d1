"""Picking: what the explorer's clicks and buttons do to the picks, and pinning a pair."""

from __future__ import annotations

import numpy as np

from fmgen_gui.explorer.context import ExplorerContext
from fmgen_gui.explorer.state import (
    Candidates,
    PinError,
    make_pin,
    seeded_caption,
    seeded_extras,
)
from trainer.common.pixels import to_uint8
from trainer.data.fashion_mnist import CLASSES
from trainer.runs.pins import run_key
from trainer.sampling.explore import class_weights, random_pair
from trainer.sampling.latent import latent_from_seeds

SEED_RANGE = 1_000_000  # seeds of fresh latent draws: short enough to read and type
SHORT_NAMES = ("T-shirt", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker")
SHORT_NAMES += ("Bag", "Boot")  # class names that fit under a small image


class Picking:
    """Turns the pane's signals into changes of its ExplorerState, then redraws."""

    def __init__(self, context: ExplorerContext) -> None:
        self.context = context
        self.rng = np.random.default_rng()
        context.gallery.picked.connect(self.pick)
        context.map.picked.connect(self.pick)
        context.presets.pair_requested.connect(self.pick_random_pair)
        context.class_bar.generate_requested.connect(self.generate_class)
        context.view.swap_requested.connect(self.swap)
        context.view.class_clicked.connect(self.morph_to_class)
        context.view.pin_requested.connect(self.pin)

    @property
    def state(self):
        """The pane's ExplorerState."""
        return self.context.state

    def pick(self, index: int) -> None:
        """Make `index` the next end (A, then B, then A again...)."""
        self.state.selection.pick(index)
        self.context.update_path()

    def swap(self) -> None:
        """Exchange A and B."""
        self.state.selection.swap()
        self.context.update_path()

    def pick_random_pair(self, class_a: int, class_b: int) -> None:
        """A preset: random test images of two classes, or two fresh seeded draws (of these
        classes, for conditional models)."""
        shown, spec = self.state.shown, self.state.spec
        if shown is None or self.context.interpolator is None:
            return
        if shown.test_images:
            tests = shown.labels[: shown.test_images]
            pair = random_pair(tests, class_a, class_b, self.rng)
        else:
            labels = np.array([class_a, class_b]) if spec.conditional else None
            self.add_seeded(self._fresh_seeds(2), labels)
            pair = (len(self.state.shown) - 2, len(self.state.shown) - 1)
        self.state.selection.set_pair(*pair)
        self.context.update_path()

    def generate_class(self, label: int, count: int) -> None:
        """`count` fresh seeded draws generated as class `label`, shown in the gallery."""
        if self.state.shown is None or self.context.interpolator is None:
            return
        self.add_seeded(self._fresh_seeds(count), np.full(count, label))
        self.context.gallery.show_class(label)
        self.context.gallery.show_last()  # after an encoder's test images of that class
        self.context.update_path()

    def _fresh_seeds(self, count: int) -> np.ndarray:
        return self.rng.integers(0, SEED_RANGE, count, dtype=np.int64)

    def add_seeded(self, seeds: np.ndarray, labels: np.ndarray | None) -> None:
        """Append latent draws of `seeds` (with conditioning `labels`) to the shown source."""
        shown = self.state.shown
        codes = latent_from_seeds(seeds, shown.codes.shape[1])
        captions = [seeded_caption(int(s), _label(labels, i)) for i, s in enumerate(seeds)]
        self._append(codes, seeds, labels, captions)

    def _append(
        self, codes: np.ndarray, seeds: np.ndarray, labels: np.ndarray | None, captions: list[str]
    ) -> None:
        shown = self.state.shown
        images = to_uint8(self.context.interpolator.images(codes, class_weights(labels)))
        grown = shown.extended(codes, images, captions, labels, np.asarray(seeds, np.int64))
        self.state.set_candidates(self.state.current, grown)
        self.context.gallery.set_images(grown.images, grown.labels, CLASSES, grown.captions)

    def with_seeded_extras(self, model: str, fresh: Candidates) -> Candidates:
        """`fresh` candidates of a newer checkpoint with the earlier seeded draws redrawn, after
        them; `model`'s picks follow their candidates (picks of dropped additions drop)."""
        old = self.state.candidates.get(model)
        kept = seeded_extras(old, len(fresh))
        moved = {i: i for i in range(len(fresh))}
        moved.update({int(index): len(fresh) + n for n, index in enumerate(kept)})
        self.state.selection_of(model).follow(moved)
        if not len(kept):
            return fresh
        codes = latent_from_seeds(old.seeds[kept], fresh.codes.shape[1])
        labels = None if old.labels is None else old.labels[kept]
        images = to_uint8(self.context.interpolators[model].images(codes, class_weights(labels)))
        captions = [old.captions[index] for index in kept]
        return fresh.extended(codes, images, captions, labels, old.seeds[kept])

    # Conditional models: A in every class ----------------------------------------------

    def update_class_row(self) -> None:
        """Show A's code decoded as each class (conditional models with A picked)."""
        shown, spec, chosen = self.state.shown, self.state.spec, self.state.selection
        interpolator = self.context.interpolator
        if spec is None or not spec.conditional or chosen.a is None or interpolator is None:
            self.context.view.show_class_row(None)
            return
        row = interpolator.class_row(shown.codes[chosen.a])
        agreement = row.agreement()
        captions = [
            name if agreement is None else f"{name}\n{agreement[k]:.0%}"
            for k, name in enumerate(SHORT_NAMES)
        ]
        self.context.view.show_class_row(row.images, captions)

    def morph_to_class(self, label: int) -> None:
        """B := A's latent code with class `label`: the path then changes only the class."""
        shown, chosen = self.state.shown, self.state.selection
        if shown is None or chosen.a is None:
            return
        a = chosen.a
        same = np.flatnonzero(
            (shown.labels == label) & np.all(shown.codes == shown.codes[a], axis=1)
        )
        if len(same):
            chosen.b = int(same[0])
        else:
            caption = f"{CLASSES[label]}, the z of {shown.captions[a]}"
            self._append(shown.codes[a][None], shown.seeds[a : a + 1], np.array([label]), [caption])
            chosen.b = len(self.state.shown) - 1
        chosen.next_end = "A"
        self.context.update_path()

    # Pins ------------------------------------------------------------------------------

    def pin(self, role: str) -> None:
        """Pin the shown pair for the report of the explored run, or say why it cannot be."""
        context = self.context
        path = context.models.checkpoint_path(self.state.current or "")
        if path is None:
            return
        try:
            pin = make_pin(self.state, run_key(path.parent), role, self._end_classes())
        except PinError as exc:
            context.messages.show_message(str(exc), "error")
            return
        context.pins.add(pin)
        what = {"within": "the within-class", "between": "the between-class", "extra": "an extra"}
        chosen, caption = self.state.selection, self.state.caption
        context.messages.show_message(
            f"Pinned {caption(chosen.a)} to {caption(chosen.b)} ({pin.method}, "
            f"{pin.steps} images) as {what[role]} example of run {pin.run}; the Evaluate tab "
            "lists it.",
            "info",
        )

    def _end_classes(self) -> tuple[int, int] | None:
        """A's and B's classes: known labels, else the classifier's reading of the images."""
        known = self.state.end_labels()
        interpolator, shown, chosen = (
            self.context.interpolator,
            self.state.shown,
            self.state.selection,
        )
        if known is not None or interpolator is None or interpolator.classifier is None:
            return known
        images = shown.images[[chosen.a, chosen.b]].astype(np.float32) / 255
        first, second = interpolator.judge(images).argmax(axis=1)
        return int(first), int(second)


def _label(labels: np.ndarray | None, index: int) -> int | None:
    return None if labels is None else int(labels[index])
