"""The evaluation of a translator (ModelSpec.translates, CycleGAN): what the classifier trained
on Fashion-MNIST reads in its translations, instead of the sample metrics of a generator.

Class domains (style transfer): the share of G(a) the classifier labels as class B (and of
F(b) as class A), the FID of G(a) against B's test images (and of F(b) against A's), and the
test cycle error. A shifted domain (domain adaptation, as CyCADA's SVHN -> MNIST figure,
Hoffman et al. 2018): the classifier's accuracy on the originals (the ceiling), on the shifted
test images (before) and on F(shifted) (after), and the share of the lost accuracy F recovers.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import torch

from trainer.common import keys as k
from trainer.common.errors import raise_if_cancelled
from trainer.data.fashion_mnist import FashionMNIST, Split
from trainer.evaluation.comparison import (
    COST_SECTION,
    LIKELIHOOD_SECTION,
    sample_cost,
    test_likelihood,
)
from trainer.evaluation.pictures import LabelledGrid
from trainer.learners.cycle_gan import CycleGANLearner
from trainer.metrics.classifier import FashionClassifier
from trainer.metrics.distribution import describe, frechet_distance
from trainer.registry import ModelSpec
from trainer.runs.metrics_json import TRANSLATION_SECTION

TIMED_IMAGES = 1000  # test images of domain A translated once more to time G


def translation_metrics(
    learner: CycleGANLearner,
    test: Split,
    classifier: FashionClassifier,
    cancel: threading.Event | None = None,
) -> dict[str, float]:
    """The translation section of metrics.json for `learner` on Fashion-MNIST's `test` split."""
    metrics = learner.evaluate(test, cancel)  # the test cycle errors
    domains = learner.domain_test(test)
    if learner.pair.classes is None:
        metrics.update(_adaptation(learner, domains, classifier, cancel))
        return metrics
    class_a, class_b = learner.pair.classes
    for images, direction, target, others, share_key, fid_key in (
        (domains.a, "a_to_b", class_b, domains.b, k.LABELLED_B, k.FID_TO_B),
        (domains.b, "b_to_a", class_a, domains.a, k.LABELLED_A, k.FID_TO_A),
    ):
        raise_if_cancelled(cancel)
        translated = describe(
            classifier, learner.translate(images, direction, cancel).cpu(), cancel
        )
        real = describe(classifier, learner.unit(others).cpu(), cancel)
        labels = translated.probabilities.argmax(dim=1)
        metrics[share_key] = (labels == target).float().mean().item()
        metrics[fid_key] = frechet_distance(real.features, translated.features)
    return metrics


def _adaptation(learner, domains, classifier, cancel) -> dict[str, float | None]:
    """Accuracy on the originals, on their shifted copies and on F(shifted copies)."""
    labels = domains.a_labels.cpu()

    def accuracy(images: torch.Tensor) -> float:
        read = describe(classifier, images.cpu(), cancel).probabilities.argmax(dim=1)
        return (read == labels).float().mean().item()

    original = accuracy(learner.unit(domains.a))
    shifted = accuracy(learner.unit(domains.b))
    translated = accuracy(learner.translate(domains.b, "b_to_a", cancel))
    lost = original - shifted
    return {
        k.ACCURACY_ORIGINAL: original,
        k.ACCURACY_SHIFTED: shifted,
        k.ACCURACY_TRANSLATED: translated,
        # the share of the accuracy the shift took away that translating back wins again
        # None (JSON null) when the shift cost nothing: NaN is not JSON that jq or a browser reads
        k.RECOVERED: (translated - shifted) / lost if lost > 0 else None,
    }


def evaluate_translator(
    learner: CycleGANLearner,
    spec: ModelSpec,
    data: FashionMNIST,
    classifier: FashionClassifier,
    cancel: threading.Event | None,
    progress: Callable[[float], None],
) -> tuple[dict, dict[str, LabelledGrid]]:
    """A translator run's sections of metrics.json (translation, cost) and its grids: each
    domain's test images, their translation and the way back, a row each."""
    metrics = translation_metrics(learner, data.test, classifier, cancel)
    # The cost column's "per sample" is per translated image: G alone, timed on its own (the
    # metrics above also run the classifier, FID and both cycles, for a count of images that
    # depends on the domains).
    timed = learner.domain_test(data.test).a[:TIMED_IMAGES]
    started = time.perf_counter()
    learner.translate(timed, "a_to_b", cancel)
    cost = sample_cost(learner, spec, len(timed), time.perf_counter() - started)
    progress(1.0)
    a, b = learner.domains()
    grids = {
        name: LabelledGrid(grid, (f"{first} (test)", f"as {second}", f"back to {first}"))
        for (name, grid), (first, second) in zip(
            learner.grids(data.test).items(), ((a, b), (b, a)), strict=True
        )
    }
    sections = {
        TRANSLATION_SECTION: metrics,
        COST_SECTION: cost,
        LIKELIHOOD_SECTION: test_likelihood(learner, spec, None, data.test),  # none, and why
    }
    return sections, grids
