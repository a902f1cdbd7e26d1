"""The two image domains of an unpaired translation (CycleGAN, Zhu et al. 2017), built from
Fashion-MNIST: two classes (style transfer between garments), or the originals and a shifted
copy of them (domain adaptation: the shift is one the classifier trained on originals fails on).

Training pairs hold one image of each domain per row, drawn independently: no row's A image is
a version of its B image (the domains are unpaired), and a shifted domain's images come from
the other half of the training images than the originals. Test domains are the test images of
the two classes, or all test images and their shifted copies (the same images, so the
evaluation compares the classifier on an image before and after translating it back).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from trainer.common.pixels import to_unit
from trainer.data.fashion_mnist import Split

Shift = Callable[[torch.Tensor], torch.Tensor]  # uint8 (N, 28, 28) -> uint8 (N, 28, 28)
SCAN_SEED = 20170330  # the scan's noise is the same for every call: a fixed copy of the data
SCAN_NOISE = 0.25  # the scan's noise, standard deviation in [0, 1] pixel units


def invert(images: torch.Tensor) -> torch.Tensor:
    """Inverted intensities: light garments on a white background."""
    return 255 - images


def _uint8(x: torch.Tensor) -> torch.Tensor:
    return (x.squeeze(1).clamp(0, 1) * 255).round().to(torch.uint8)


def edges(images: torch.Tensor) -> torch.Tensor:
    """Sobel gradient magnitude: the garments' outlines, scaled to the image's range."""
    sobel = torch.tensor([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]])
    kernels = torch.stack([sobel, sobel.T]).unsqueeze(1)
    gradient = F.conv2d(to_unit(images), kernels, padding=1)
    magnitude = gradient.pow(2).sum(dim=1, keepdim=True).sqrt()
    return _uint8(magnitude / 4)  # |Sobel| of a unit step is at most 4 per direction


def scan(images: torch.Tensor) -> torch.Tensor:
    """A poor scan: a 5x5 Gaussian blur (sigma 1.5) plus Gaussian noise, the same noise for
    the same images on every call."""
    offsets = torch.arange(-2.0, 3.0)
    weights = torch.exp(-(offsets**2) / (2 * 1.5**2))
    kernel = torch.outer(weights, weights) / weights.sum() ** 2
    blurred = F.conv2d(to_unit(images), kernel[None, None], padding=2)
    noise = torch.randn(blurred.shape, generator=torch.Generator().manual_seed(SCAN_SEED))
    return _uint8(blurred + SCAN_NOISE * noise)


@dataclass(frozen=True)
class DomainPair:
    """Two domains: two classes (`classes`) or the originals and a `shift` of them."""

    name: str  # the `domains` setting's value
    a: str  # display names
    b: str
    classes: tuple[int, int] | None = None
    shift: Shift | None = None


# Class indices as in trainer.data.fashion_mnist.CLASSES.
DOMAIN_PAIRS = {
    pair.name: pair
    for pair in (
        DomainPair("sneaker-ankle_boot", "Sneaker", "Ankle boot", classes=(7, 9)),
        DomainPair("tshirt-shirt", "T-shirt/top", "Shirt", classes=(0, 6)),
        DomainPair("pullover-coat", "Pullover", "Coat", classes=(2, 4)),
        DomainPair("sandal-sneaker", "Sandal", "Sneaker", classes=(5, 7)),
        # the two shifts the classifier fails on (benchmarks/results/cyclegan_shift_choice.txt:
        # 19% and 12% of the test images right against 93% of the originals; edge maps, 68%,
        # leave it too much to be a domain gap worth closing)
        DomainPair("inverted", "Fashion-MNIST", "Inverted", shift=invert),
        DomainPair("scan", "Fashion-MNIST", "Scanned", shift=scan),
    )
}
DOMAIN_NAMES = tuple(DOMAIN_PAIRS)
SHIFTS: dict[str, Shift] = {"inverted": invert, "edges": edges, "scan": scan}  # the candidates


@dataclass(frozen=True)
class DomainTest:
    """The test images of both domains, uint8 (N, 28, 28), with their Fashion-MNIST classes."""

    a: torch.Tensor
    a_labels: torch.Tensor
    b: torch.Tensor
    b_labels: torch.Tensor


def _of_class(split: Split, label: int) -> Split:
    return split.subset((split.labels == label).nonzero().squeeze(1).numpy())


def training_pairs(train: Split, pair: DomainPair, seed: int) -> Split:
    """Rows of one domain-A and one domain-B training image, images (N, 2, 28, 28) uint8 and
    labels (N,) the A image's class.

    Class domains: the two classes' training images, B in a random order (N: the smaller
    class). A shifted domain: a random half of the training images as they are (A) and the
    shifted copies of the other half (B), so no original is in both domains.
    """
    generator = torch.Generator().manual_seed(seed)
    if pair.classes is not None:
        a, b = (_of_class(train, label) for label in pair.classes)
        count = min(len(a), len(b))
        order = torch.randperm(len(b), generator=generator)[:count]
        a_images, b_images, labels = a.images[:count], b.images[order], a.labels[:count]
    else:
        order = torch.randperm(len(train), generator=generator)
        count = len(train) // 2
        first, second = order[:count], order[count : 2 * count]
        a_images, labels = train.images[first], train.labels[first]
        b_images = _shifted(pair, train.images[second])
    return Split(torch.stack([a_images, b_images], dim=1), labels)


def held_out_domains(test: Split, pair: DomainPair) -> DomainTest:
    """The test images of the two classes, or every test image and its shifted copy."""
    if pair.classes is not None:
        a, b = (_of_class(test, label) for label in pair.classes)
        return DomainTest(a.images, a.labels, b.images, b.labels)
    return DomainTest(test.images, test.labels, _shifted(pair, test.images), test.labels)


def _shifted(pair: DomainPair, images: torch.Tensor) -> torch.Tensor:
    assert pair.shift is not None  # a pair without classes is a shift (DOMAIN_PAIRS)
    return pair.shift(images.cpu()).to(images.device)


def images_in(split: Split) -> int:
    """The images a split holds: a row of a translator's training split holds one image of
    each domain (N, 2, 28, 28), which the report's "trained on N images" must count."""
    return len(split) * math.prod(split.images.shape[1:-2])
