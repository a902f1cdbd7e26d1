"""The Evaluate tab's stage bars say what each stage waits for, and stop blaming the classifier
once it is done."""

from __future__ import annotations

from fmgen_gui.report.stages import StageBars
from trainer.evaluation.evaluate import CALIBRATION, CLASSIFIER, LIKELIHOOD, SAMPLES


def test_stages_wait_for_the_classifier_only_until_it_is_done(qtbot):
    bars = StageBars()
    qtbot.addWidget(bars)
    bars.reset()
    assert bars.details[CALIBRATION].text() == "after the classifier"
    bars.show_stage(CLASSIFIER, 0.5, "Training the classifier: epoch 3 of 6")
    assert bars.details[CALIBRATION].text() == "after the classifier"
    bars.show_stage(CLASSIFIER, 1.0, "ready")
    assert bars.details[LIKELIHOOD].text() == "waiting its turn"
    bars.show_stage(SAMPLES, 0.3, "600 of 2,000 samples")
    assert bars.details[CALIBRATION].text() == "waiting its turn"
    assert bars.details[SAMPLES].text() == "600 of 2,000 samples"


def test_a_later_stage_starting_means_the_classifier_is_done(qtbot):
    bars = StageBars()  # a cached classifier may report nothing before the next stage begins
    qtbot.addWidget(bars)
    bars.reset()
    bars.show_stage(LIKELIHOOD, 0.1, "IWAE bound: 20 of 200 test images")
    assert bars.details[CALIBRATION].text() == "waiting its turn"
