"""The page's pre-filled description of each run: what was done, how it is trained, the result.

Every sentence is computed from the run's own section of metrics.json (its config, its
training, its numbers), so the text a group starts editing is true of the run it describes.
"""

from __future__ import annotations

import re

from trainer.common import keys
from trainer.config.settings import RunConfig
from trainer.registry import get_model
from trainer.report.translation import recovered_words
from trainer.runs.facts import (
    RunFacts,
    data_phrase,
    option_phrases,
    setting_phrase,
    trained_phrase,
)
from trainer.runs.metrics_json import (
    CALIBRATION,
    CALIBRATION_FLOOR,
    CALIBRATION_NOISE,
    RUNS,
    SAMPLES_SECTION,
    TEST_SECTION,
    TRANSLATION_SECTION,
)

SENTENCE_END = re.compile(r"(?<!\bal)\.\s+(?=[A-Z])")  # not the dot of 'Radford et al. 2016'


def first_sentence(text: str) -> str:
    """The first sentence of a model's description: what the model is."""
    return SENTENCE_END.split(text, maxsplit=1)[0].rstrip(".") + "."


def translation_sentence(section: dict) -> str:
    """A translator's numbers: the classifier before and after F (a shifted domain), or how
    often it reads G(a) as class B and F(b) as class A (two classes)."""
    t = section[TRANSLATION_SECTION]
    cycle = f"test cycle L1 {t[keys.CYCLE_A]:.3f} and {t[keys.CYCLE_B]:.3f} per pixel"
    if keys.ACCURACY_SHIFTED in t:
        return (
            f"{section['label']}: the classifier reads {t[keys.ACCURACY_SHIFTED]:.1%} of the "
            f"shifted test images right, {t[keys.ACCURACY_TRANSLATED]:.1%} once F translates "
            f"them back ({t[keys.ACCURACY_ORIGINAL]:.1%} of the originals): "
            f"{recovered_words(t)}; {cycle}."
        )
    return (
        f"{section['label']}: the classifier labels {t[keys.LABELLED_B]:.1%} of G(A) as B and "
        f"{t[keys.LABELLED_A]:.1%} of F(B) as A (FID {t[keys.FID_TO_B]:.1f} and "
        f"{t[keys.FID_TO_A]:.1f} to the target class's test images); {cycle}."
    )


def _result(section: dict, calibration: dict) -> str:
    """The run's numbers (its problems are the page's Result, said once)."""
    if TRANSLATION_SECTION in section:  # a translator: no samples, its translations' numbers
        return f"Result: {translation_sentence(section)}"
    fid = section[SAMPLES_SECTION][keys.FID]
    floor, noise = (calibration[row][keys.FID] for row in (CALIBRATION_FLOOR, CALIBRATION_NOISE))
    result = f"Result: samples at FID {fid:.1f} (real images {floor:.1f}, noise {noise:.1f})"
    if TEST_SECTION in section:
        o = section[TEST_SECTION]["overall"]
        result += (
            f"; on the test set, -ELBO {o[keys.NEG_ELBO]:.1f} nats per image = reconstruction "
            f"{o[keys.RECON]:.1f} + KL {o[keys.KL]:.1f}, and the mean reconstruction is off by "
            f"{o[keys.MSE]:.4f} per pixel (MSE)"
        )
    return f"{result}."


def describe(section: dict, calibration: dict) -> str:
    """What we did, how it is trained and what came of it, for one run's section."""
    facts = RunFacts.from_dict(section)
    spec = get_model(facts.model)
    config = RunConfig.from_dict(section["config"])
    adam = setting_phrase("adam_betas", config.adam_betas)
    settings = ", ".join([*option_phrases(section["config"]), f"seed {config.seed}"])
    return (
        f"What we did: {first_sentence(spec.description)} We trained it "
        f"({facts.parameters / 1e6:.2f} M parameters) on {data_phrase(facts)}: "
        f"{trained_phrase(facts)}. How: it optimises the {spec.objective} with {adam}, learning "
        f"rate {config.lr:g} and batches of {config.batch_size}; {settings}. "
        + _result(section, calibration)
    )


def descriptions(metrics: dict) -> dict[str, str]:
    """`describe` for every run of an evaluation's metrics, by run key."""
    calibration = metrics[CALIBRATION]
    return {key: describe(section, calibration) for key, section in metrics[RUNS].items()}
