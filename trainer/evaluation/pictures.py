"""The report's pictures of one run: reconstruction grids and the interpolation strips.

The strips are the user's pinned paths (trainer.runs.pins, or the command line's --within/--between/
--latent-pair); only a role with nothing pinned gets a seeded random pair, and says so.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace

import numpy as np
import torch

from trainer.common.errors import FmgenError
from trainer.common.grids import interleave_rows, tile
from trainer.data.fashion_mnist import CLASSES, Split, balanced_indices, image_name
from trainer.learners import Learner
from trainer.registry import ModelSpec
from trainer.runs.pins import Pin
from trainer.sampling.explore import Interpolator, Strip, path_ts, random_pair

RANDOM_WITHIN = (6, 6)  # shirt to shirt: the course's "within a class" question
RANDOM_BETWEEN = (7, 8)  # sneaker to bag: "between two classes"
WITHIN_KIND, BETWEEN_KIND, LATENT_KIND = "Within a class", "Between classes", "Between latent draws"
RECONSTRUCTED = 32  # test images in the reconstruction grid (4 rows of 8, each under its copy)


@dataclass(frozen=True)
class LabelledGrid:
    """A uint8 image grid with a caption per row (e.g. the class of the row's images)."""

    grid: np.ndarray
    row_labels: tuple[str, ...] = ()


@dataclass(frozen=True)
class PathPicture:
    """One interpolation strip of a run, with the test images at its ends (if any)."""

    pin: Pin  # the path drawn (for a random pair: the pin that would reproduce it)
    random: bool  # True: nothing was pinned for this role, so a seeded random pair was drawn
    title: str  # what the path joins, e.g. 'Shirt #12 to Shirt #345 (slerp)'
    kind: str  # WITHIN_KIND, BETWEEN_KIND or LATENT_KIND
    strip: Strip
    ends: tuple[np.ndarray, np.ndarray] | None  # the original A and B test images (uint8)
    end_captions: tuple[str, str] = ("", "")

    def record(self) -> dict:
        """What metrics.json says of the strip: how it was really drawn (a pin keeps its own
        method; the settings' `interpolation` is only that of a random pair)."""
        pin = {k: v for k, v in asdict(self.pin).items() if k != "run"}
        return {"caption": f"{self.kind.lower()}, {self.title}", **pin, "random": self.random}


def latent_draw(seed: int, latent_dim: int) -> np.ndarray:
    """The latent vector a 'latent' pin names: a standard normal draw from seed `seed`."""
    return torch.randn(latent_dim, generator=torch.Generator().manual_seed(seed)).numpy()


def test_caption(split: Split, index: int) -> str:
    """'Shirt #123'."""
    return image_name(split.labels, index)


def check_pin(pin: Pin, spec: ModelSpec, test_size: int) -> None:
    """Refuse a pin this run cannot draw, in words (an index past the test set, ...)."""
    if pin.source == "test":
        if not spec.has_encoder:
            raise FmgenError(
                f"{pin.run}: the {spec.label} has no encoder, so it cannot interpolate between "
                f"test images {pin.a} and {pin.b}; use a latent pair (--latent-pair SEED_A,SEED_B)"
            )
        for index in (pin.a, pin.b):
            if not 0 <= index < test_size:
                raise FmgenError(
                    f"test image {index} does not exist: the test set has {test_size:,} images "
                    f"(indices 0 to {test_size - 1:,})"
                )


def _prepared(learner: Learner, split: Split, indices: list[int], seed: int) -> torch.Tensor:
    """Test images as the model sees them (one seeded binarisation where it trains on one)."""
    return learner.prepare(split.images[indices], torch.Generator().manual_seed(seed))


def reconstruction_grids(
    learner: Learner, split: Split, worst: dict[str, list[int]], seed: int
) -> dict[str, LabelledGrid]:
    """Typical test images above their reconstructions; the worst per class, one class a row."""
    labels = split.labels
    picks = balanced_indices(labels.numpy(), RECONSTRUCTED).tolist()
    originals = _prepared(learner, split, picks, seed)
    worst_picks = [i for row in worst.values() for i in row]
    worst_originals = _prepared(learner, split, worst_picks, seed)
    with torch.no_grad():
        recons = learner.reconstruct(originals, labels[picks])
        worst_recons = learner.reconstruct(worst_originals, labels[worst_picks])
    pairs = torch.stack([worst_originals, worst_recons], dim=1).flatten(0, 1)  # o, r, o, r...
    per_row = 2 * max(len(row) for row in worst.values())
    return {
        "reconstructions": LabelledGrid(tile(interleave_rows(originals, recons))),
        "worst": LabelledGrid(tile(pairs, nrow=per_row), tuple(worst)),
    }


def path_pictures(
    learner: Learner,
    spec: ModelSpec,
    split: Split,
    pins: list[Pin],
    fallback: Pin,
    seed: int,
) -> list[PathPicture]:
    """The run's strips: its pins, and a seeded random pair for a main role nothing fills.

    `fallback` carries the run, method and steps a random pair uses. A model the explorer
    leaves out (`spec.unexplorable`, the RBM) has no strips: its paths would mean nothing.
    """
    if spec.unexplorable:
        return []
    source = "test" if spec.has_encoder else "latent"
    mine = [pin for pin in pins if pin.source == source]
    rng = np.random.default_rng(seed)
    drawn = [(pin, False) for pin in mine]
    if spec.has_encoder:
        for role, classes in (("within", RANDOM_WITHIN), ("between", RANDOM_BETWEEN)):
            if not any(pin.role == role for pin in mine):
                a, b = random_pair(split.labels.numpy(), *classes, rng)
                drawn.append((replace(fallback, role=role, source="test", a=a, b=b), True))
    elif not mine:
        drawn.append(
            (replace(fallback, role="within", source="latent", a=seed + 1, b=seed + 2), True)
        )
    order = {"within": 0, "between": 1, "extra": 2}
    drawn.sort(key=lambda item: order[item[0].role])
    return [_picture(learner, spec, split, pin, random, seed) for pin, random in drawn]


def _picture(
    learner: Learner, spec: ModelSpec, split: Split, pin: Pin, random: bool, seed: int
) -> PathPicture:
    method = {"lerp": "linear"}.get(pin.method, pin.method)
    if pin.source == "latent":
        dim = learner.config.latent_dim
        a, b = latent_draw(pin.a, dim), latent_draw(pin.b, dim)
        labels = _latent_labels(spec, pin)
        strip = _strip(learner, a, b, labels, pin, method)
        title = f"seeds {pin.a} and {pin.b} ({pin.method})"
        if labels is not None:
            title += f", class {CLASSES[int(labels[0])]}"
        return PathPicture(pin, random, title, LATENT_KIND, strip, None)
    images = _prepared(learner, split, [pin.a, pin.b], seed)
    classes = split.labels[[pin.a, pin.b]]
    with torch.no_grad():
        codes = learner.encode(images, classes).cpu().numpy()
    strip = _strip(learner, codes[0], codes[1], classes if spec.conditional else None, pin, method)
    same = bool(classes[0] == classes[1])
    captions = (test_caption(split, pin.a), test_caption(split, pin.b))
    title = f"{captions[0]} to {captions[1]} ({pin.method})"
    if spec.conditional and not same:
        title += "; the class given to the decoder switches at t = 0.5"
    kind = WITHIN_KIND if same else BETWEEN_KIND
    ends = (split.images[pin.a].numpy(), split.images[pin.b].numpy())
    return PathPicture(pin, random, title, kind, strip, ends, captions)


def _latent_labels(spec: ModelSpec, pin: Pin) -> torch.Tensor | None:
    """A conditional model decodes a latent pair as the class drawn with A's seed."""
    if not spec.conditional:
        return None
    generator = torch.Generator().manual_seed(pin.a)
    label = torch.randint(len(CLASSES), (1,), generator=generator)
    return torch.cat([label, label])


def _strip(
    learner: Learner,
    a: np.ndarray,
    b: np.ndarray,
    ends: torch.Tensor | None,
    pin: Pin,
    method: str,
) -> Strip:
    """Decode the path; a conditional model decodes each point as the class of its nearer end."""
    labels = None
    if ends is not None:
        labels = ends[torch.from_numpy((path_ts(pin.steps, pin.overshoot) >= 0.5).astype(int))]

    def decode(codes: torch.Tensor) -> torch.Tensor:
        return learner.sample_images(codes.to(learner.device), labels).cpu()

    return Interpolator(decode).strip(a, b, pin.steps, method, pin.overshoot)
