"""The explorer's state, free of Qt: what each source offers, what was picked, and pins.

The pane is a view of an `ExplorerState` (model/view, as napari separates its layer models
from their Qt views): every source keeps its own picks and path settings, so switching
sources and back restores A, B, the slider and what is drawn from them. Tests drive this
object directly, without a window.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from trainer.common.errors import FmgenError
from trainer.data.fashion_mnist import CLASSES, image_name
from trainer.registry import ModelSpec, get_model
from trainer.runs.pins import Pin
from trainer.sampling.explore import LatentAtlas

NO_SEED = -1  # a candidate that is no seeded latent draw (a test image, a fixed-noise sample)
PIN_METHODS = {"linear": "lerp", "slerp": "slerp"}  # the explorer's names -> trainer.runs.pins'


def explorable(models: Iterable[str]) -> tuple[list[str], str]:
    """The models the explorer offers, and a note on those it leaves out and why (a model
    that translates has no path to walk, but its own page of translations)."""
    specs = [get_model(name) for name in models]
    left_out = [s for s in specs if s.unexplorable and not s.translates]
    shown = [s.name for s in specs if s not in left_out]
    notes = [f"The {s.label} is not offered here: {s.unexplorable}." for s in left_out]
    return shown, " ".join(notes)


def source_title(spec: ModelSpec) -> str:
    """The source list's entry: what there is to pick for this model."""
    if spec.translates:
        return f"{spec.label}: test images to translate"
    if spec.has_encoder and spec.encode_cost > 1:
        return f"{spec.label}: test images (encoded when picked)"
    if spec.has_encoder:
        return f"{spec.label}: encoded test images"
    return f"{spec.label}: latent vectors" + (" by class" if spec.conditional else "")


@dataclass(frozen=True)
class Candidates:
    """What one source offers to pick from: codes, their images, captions and origins."""

    codes: np.ndarray  # (N, D) latent codes
    images: np.ndarray  # (N, 28, 28) uint8
    captions: tuple[str, ...]
    labels: np.ndarray | None  # (N,) the true class (test images) or the conditioning class
    seeds: np.ndarray  # (N,) seed of each latent draw (see latent_from_seeds), else NO_SEED
    reference: np.ndarray  # real test images (M, 28, 28) uint8, for nearest distances
    atlas: LatentAtlas | None = None  # encoder models: the test set, its first N entries
    test_images: int = 0  # the first this many candidates are the test set, in its order

    @classmethod
    def from_atlas(cls, atlas: LatentAtlas) -> Candidates:
        """The encoded test images: 'Shirt #12'."""
        found = cls.from_test_images(atlas.images, atlas.labels)
        return dataclasses.replace(found, codes=atlas.codes, atlas=atlas)

    @classmethod
    def from_test_images(cls, images: np.ndarray, labels: np.ndarray) -> Candidates:
        """Test images not encoded (codes (N, 0)): a costly encoder encodes only A and B."""
        captions = tuple(image_name(labels, i) for i in range(len(labels)))
        seeds = np.full(len(images), NO_SEED, np.int64)
        codes = np.zeros((len(images), 0), np.float32)
        return cls(codes, images, captions, labels, seeds, images, None, len(images))

    def extended(
        self,
        codes: np.ndarray,
        images: np.ndarray,
        captions: Iterable[str],
        labels: np.ndarray | None,
        seeds: np.ndarray,
    ) -> Candidates:
        """These candidates and more after them (indices of the old ones do not change)."""
        joined = None if self.labels is None else np.concatenate([self.labels, labels])
        return dataclasses.replace(
            self,
            codes=np.concatenate([self.codes, codes]),
            images=np.concatenate([self.images, images]),
            captions=self.captions + tuple(captions),
            labels=joined,
            seeds=np.concatenate([self.seeds, seeds]),
        )

    def __len__(self) -> int:
        return len(self.codes)

    def is_test_image(self, index: int) -> bool:
        """True for a test image (its index is the test-set index)."""
        return index < self.test_images


def seeded_extras(old: Candidates | None, base: int) -> np.ndarray:
    """Indices of the seeded draws that `old` has after its first `base` candidates: the
    additions a newer checkpoint redraws. Seeds name latent draws, so they mean the same in
    any model; a test image's or a grid sample's code under another class does not."""
    if old is None or len(old) <= base:
        return np.zeros(0, np.int64)
    extra = np.arange(base, len(old))
    return extra[old.seeds[extra] != NO_SEED]


def seeded_caption(seed: int, label: int | None) -> str:
    """'seed 123' or 'Shirt, seed 123' for a seeded latent draw."""
    return f"seed {seed}" if label is None else f"{CLASSES[label]}, seed {seed}"


@dataclass
class Selection:
    """One source's picks and path settings: what the user chose, not how it is drawn."""

    a: int | None = None
    b: int | None = None
    next_end: str = "A"
    t: float = 0.0
    method: str = "linear"
    overshoot: bool = False
    steps: int = 9

    @property
    def ready(self) -> bool:
        """True when both ends are picked."""
        return self.a is not None and self.b is not None

    def pick(self, index: int) -> None:
        """Make `index` the next end (A, then B, then A again...)."""
        if self.next_end == "A":
            self.a = index
        else:
            self.b = index
        self.next_end = "B" if self.next_end == "A" else "A"

    def set_pair(self, a: int, b: int) -> None:
        """Pick both ends; the next click replaces A."""
        self.a, self.b, self.next_end = a, b, "A"

    def swap(self) -> None:
        """Exchange A and B."""
        self.a, self.b = self.b, self.a

    def follow(self, moved: dict[int, int]) -> None:
        """Picks follow their candidates to new indices (`moved`: old -> new); others drop."""
        self.a, self.b = moved.get(self.a), moved.get(self.b)
        if self.a is None:
            self.next_end = "A"

    def forget_beyond(self, count: int) -> None:
        """Drop picks that no longer exist among `count` candidates."""
        self.follow({index: index for index in range(count)})


@dataclass
class ExplorerState:
    """Every source's candidates and selection, and which source is shown."""

    current: str | None = None
    selections: dict[str, Selection] = field(default_factory=dict)
    candidates: dict[str, Candidates] = field(default_factory=dict)

    @property
    def selection(self) -> Selection:
        """The shown source's selection (a fresh one before any source)."""
        return self.selection_of(self.current)

    def selection_of(self, model: str | None) -> Selection:
        """`model`'s selection; a new one takes the path method its registry entry names."""
        key = model or ""
        if key not in self.selections:
            self.selections[key] = Selection(
                method=get_model(model).interpolation if model else "linear"
            )
        return self.selections[key]

    @property
    def shown(self) -> Candidates | None:
        """The shown source's candidates, once loaded."""
        return self.candidates.get(self.current or "")

    @property
    def spec(self) -> ModelSpec | None:
        """The registry entry of the shown source."""
        return get_model(self.current) if self.current else None

    def switch(self, model: str | None) -> Selection:
        """Show source `model`; its earlier picks and settings come back."""
        self.current = model
        return self.selection

    def set_candidates(self, model: str, candidates: Candidates) -> None:
        """New candidates of `model` (e.g. a newer checkpoint); picks that still exist stay."""
        self.candidates[model] = candidates
        self.selection_of(model).forget_beyond(len(candidates))

    def caption(self, index: int | None) -> str:
        """'Shirt #123' for a test image, 'seed 5' for a seeded draw, 'sample 3' on the grid."""
        if index is None or self.shown is None:
            return "pick an image"
        return self.shown.captions[index]

    def path_classes(self) -> tuple[int, int] | None:
        """A's and B's conditioning classes (conditional models), else None."""
        spec = self.spec
        return self.end_labels() if spec is not None and spec.conditional else None

    def end_labels(self) -> tuple[int, int] | None:
        """The classes of A and B where the source knows them (test labels, conditioning)."""
        shown, chosen = self.shown, self.selection
        if shown is None or shown.labels is None or not chosen.ready:
            return None
        return int(shown.labels[chosen.a]), int(shown.labels[chosen.b])


class PinError(FmgenError):
    """The current pair cannot be pinned in the role asked for."""


def make_pin(state: ExplorerState, run: str, role: str, end_classes: tuple[int, int] | None) -> Pin:
    """The pin of the shown A-B pair as `role`, checked: a within pin needs one class, a
    between pin two; latent pairs need seeds. `end_classes`: A's and B's classes (the test
    labels, or the classifier's reading of generated images); None when unknown."""
    source, ends = _pin_ends(state)
    _check_classes(role, end_classes)
    chosen = state.selection
    method = PIN_METHODS[chosen.method]
    return Pin(run, role, source, *ends, method, chosen.overshoot, chosen.steps)


def pin_problem(state: ExplorerState) -> str | None:
    """Why the shown pair cannot be pinned in any role, or None when it can."""
    try:
        _pin_ends(state)
    except PinError as exc:
        return str(exc)
    return None


def _pin_ends(state: ExplorerState) -> tuple[str, tuple[int, int]]:
    """The pin's source and ends (test indices or seeds) of the shown pair, or PinError."""
    chosen, shown, spec = state.selection, state.shown, state.spec
    if shown is None or spec is None or not chosen.ready:
        raise PinError("Pick A and B first.")
    a, b = int(chosen.a), int(chosen.b)
    if spec.has_encoder:
        if not (shown.is_test_image(a) and shown.is_test_image(b)):
            raise PinError("Only pairs of test images can be pinned.")
        return "test", (a, b)
    ends = int(shown.seeds[a]), int(shown.seeds[b])
    if spec.conditional:
        raise PinError(f"Pins of the {spec.label}'s samples need a class, which pins lack.")
    if NO_SEED in ends:
        raise PinError(
            "Only seeded latent draws can be pinned (the fixed-noise grid has no seeds): "
            "use Random pair."
        )
    return "latent", ends


def _check_classes(role: str, classes: tuple[int, int] | None) -> None:
    if role == "extra":
        return
    if classes is None:
        raise PinError("The classes of A and B are not known yet (the classifier is loading).")
    first, second = (CLASSES[k] for k in classes)
    if role == "within" and first != second:
        raise PinError(f"A within-class pin needs A and B of one class, not {first} and {second}.")
    if role == "between" and first == second:
        raise PinError(f"A between-class pin needs two classes; A and B are both {first}.")
