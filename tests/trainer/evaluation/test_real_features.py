"""The test set's classifier features: their own stage with a count, computed once a session."""

from __future__ import annotations

import pytest
import torch

from tests.runs import tiny_run
from trainer.data.fashion_mnist import Split
from trainer.evaluation import real_features as module
from trainer.evaluation.evaluate import FEATURES, SAMPLES, EvaluationSettings, evaluate
from trainer.metrics.classifier import FashionClassifier, train_classifier
from trainer.metrics.distribution import describe


@pytest.fixture
def calls(monkeypatch) -> list[int]:
    """The number of images of each `describe` the cache makes, from an empty cache."""
    monkeypatch.setattr(module, "_LATEST", {})
    made: list[int] = []

    def counted(classifier, images, *args):
        made.append(len(images))
        return describe(classifier, images, *args)

    monkeypatch.setattr(module, "describe", counted)
    return made


@pytest.fixture(scope="module")
def classifier(tiny_data):
    return train_classifier(tiny_data, epochs=1)


def test_the_second_evaluation_of_a_session_reuses_the_test_features(
    tiny_data, tiny_data_dir, tmp_path, classifier, calls
):
    """The trial's second evaluation waited 1.5-2 minutes for the same features again."""
    gan = tiny_run("gan", tiny_data_dir, tmp_path)
    settings = EvaluationSettings(samples=20)
    reports: list[tuple[str, float, str]] = []
    evaluate([gan], tiny_data, *classifier, settings)
    evaluate([gan], tiny_data, *classifier, settings, lambda *r: reports.append(r))
    assert calls == [len(tiny_data.test)]  # once, in the first evaluation
    assert (FEATURES, 1.0, "100 of 100 test images") in reports  # the stage still ends


def test_another_test_set_or_classifier_computes_them_again(tiny_data, classifier, calls):
    model, info = classifier
    module.real_features(model, info, tiny_data.test)
    fewer = Split(tiny_data.test.images[:50], tiny_data.test.labels[:50])
    module.real_features(model, info, fewer)
    module.real_features(model, info.__class__(**{**vars(info), "seed": info.seed + 1}), fewer)
    assert calls == [100, 50, 50]


def test_the_features_count_the_test_images_before_the_samples_clock_starts(
    tiny_data, tiny_data_dir, tmp_path, classifier, calls
):
    """The samples stage's estimate counted the features' minutes as sampling (trial defect 9):
    nothing reports to the samples stage before its samples are drawn."""
    gan = tiny_run("gan", tiny_data_dir, tmp_path)
    reports: list[tuple[str, float, str]] = []
    evaluate(
        [gan], tiny_data, *classifier, EvaluationSettings(samples=20), lambda *r: reports.append(r)
    )
    stages = [stage for stage, _, _ in reports]
    assert FEATURES in stages and stages.index(SAMPLES) > max(
        i for i, stage in enumerate(stages) if stage == FEATURES
    )
    first_samples = next(text for stage, _, text in reports if stage == SAMPLES)
    assert first_samples.endswith("of 20 samples")


def test_describe_reports_the_share_of_the_images_done():
    shares: list[float] = []
    describe(FashionClassifier(), torch.rand(2500, 1, 28, 28), None, shares.append)
    assert shares == [0.4, 0.8, 1.0]  # after each batch of 1,000
