"""The sections of metrics.json, named once: written by trainer.evaluation.document, read by the
run index, the report and the sweep figure."""

RUNS = "runs"  # the document's per-run sections, by run key
SAMPLES_SECTION = "samples"  # a run's samples against the test set
TEST_SECTION = "test"  # an encoder run's ELBO terms, IWAE bound and reconstruction errors
PATHS = "paths"  # a run's interpolation strips as drawn (PathPicture.record)
# a translator's (ModelSpec.translates) numbers in place of samples: trainer.evaluation.translation
TRANSLATION_SECTION = "translation"
CALIBRATION = "calibration"
CALIBRATION_FLOOR = "real_train_vs_test"  # real training images: the best a model can do
CALIBRATION_NOISE = "noise_vs_test"  # uniform noise: what "learned nothing" scores
# the sweep figure's points (trainer.evaluation.sweep_points), null if the runs are none
SWEEP = "sweep"
