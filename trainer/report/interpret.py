"""Sentences for the report, each built from the numbers it states (no canned claims)."""

from __future__ import annotations

from trainer.common import keys
from trainer.common.words import join_words, share
from trainer.config.settings import RunConfig
from trainer.data.fashion_mnist import CLASSES
from trainer.registry import get_model
from trainer.report.descriptions import translation_sentence
from trainer.report.verdicts import FID_TIE, NEAR_ZERO_RECALL, fid_tiers, verdict
from trainer.runs.facts import (
    setting_phrase,
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


def describe_run(section: dict) -> str:
    """One run's optimiser settings (its data, epochs and objective are in the table)."""
    config = RunConfig.from_dict(section["config"])
    # a model without a latent setting has none to state (a DDPM read "latent size 784")
    has_latent = "latent_dim" in get_model(config.model).options
    latent = f"latent size {config.latent_dim}, " if has_latent else ""
    return (
        f"{section['label']}: {latent}learning rate {config.lr:g}, "
        f"{setting_phrase('adam_betas', config.adam_betas)}, batch size {config.batch_size}, "
        f"seed {config.seed}"
    )


def describe_setup(metrics: dict) -> str:
    """What was done and how, from the configs and settings in metrics.json."""
    sections = metrics[RUNS].values()
    titles = join_words(list(dict.fromkeys(get_model(s["model"]).title for s in sections)))
    accuracy = metrics["classifier"]["accuracy"]
    return (
        f"Models: {titles}, each trained with Adam. Settings: "
        + "; ".join(describe_run(s) for s in sections)
        + ". Samples are judged in the 128 features of a CNN classifier trained on the data "
        f"({accuracy:.1%} test accuracy), against the test set; real training images and "
        "uniform noise are judged the same way, as the floor and the ceiling of every metric."
    )


def _likelihood(section: dict) -> str:
    test = section[TEST_SECTION]
    o, per_class = test["overall"], test["per_class"]
    hardest = max(per_class, key=lambda name: per_class[name][keys.RECON])
    easiest = min(per_class, key=lambda name: per_class[name][keys.RECON])
    gap = o[keys.NEG_ELBO] - o[keys.IWAE_NLL]
    tighter = "tighter" if gap >= 0 else "looser (too few importance samples)"
    return (
        f"{section['label']}: {hardest} is the hardest class to reconstruct "
        f"({per_class[hardest][keys.RECON]:.1f} nats), {easiest} the easiest "
        f"({per_class[easiest][keys.RECON]:.1f}); the IWAE bound is {abs(gap):.1f} nats "
        f"{tighter} than the -ELBO."
    )


def _tier_words(tier: list[dict]) -> str:
    """'GAN (247.0)' or 'GAN and VAE, tied (247.0 and 249.6)'."""
    fids = join_words([f"{s[SAMPLES_SECTION][keys.FID]:.1f}" for s in tier])
    labels = join_words([s["label"] for s in tier])
    return f"{labels} ({fids})" if len(tier) == 1 else f"{labels}, tied ({fids})"


def _ranked(tiers: list[list[dict]]) -> str:
    """The FID order, best first; all runs in one tier are a tie, not a ranking (the trial
    read "the runs rank VAE and GAN, a tie" as odd)."""
    rule = f"within {FID_TIE:.0%} of each other"
    if len(tiers) == 1:
        labels = join_words([s["label"] for s in tiers[0]])
        fids = join_words([f"{s[SAMPLES_SECTION][keys.FID]:.1f}" for s in tiers[0]])
        return f"By FID (lower is better) {labels} tie ({fids}: {rule}, too close to rank)"
    ranking = "By FID (lower is better) the runs rank " + ", then ".join(map(_tier_words, tiers))
    tied = any(len(t) > 1 for t in tiers)
    return ranking + (f"; FIDs {rule} are tied (too close to rank)" if tied else "")


def _generators(metrics: dict) -> list[dict]:
    """The sections of runs with samples (a translator, ModelSpec.translates, has none)."""
    return [s for s in metrics[RUNS].values() if SAMPLES_SECTION in s]


def _ranking(metrics: dict) -> str | None:
    floor = metrics[CALIBRATION][CALIBRATION_FLOOR]
    noise = metrics[CALIBRATION][CALIBRATION_NOISE]
    sections = _generators(metrics)
    if not sections:
        return None
    scale = f"real images score {floor[keys.FID]:.1f}, uniform noise {noise[keys.FID]:.1f}"
    covering = max(sections, key=lambda s: s[SAMPLES_SECTION][keys.RECALL])
    recall = covering[SAMPLES_SECTION][keys.RECALL]
    if len(sections) == 1:
        fid = sections[0][SAMPLES_SECTION][keys.FID]
        return (
            f"{covering['label']}: FID {fid:.1f} ({scale}), recall {recall:.2f} "
            f"(real images {floor[keys.RECALL]:.2f})."
        )
    ranking = f"{_ranked(fid_tiers(sections))}; on this scale {scale}."
    if recall < NEAR_ZERO_RECALL:  # no run covers much; the verdicts say so run by run
        return ranking
    return (
        f"{ranking} {covering['label']} covers the most of the test set "
        f"(recall {recall:.2f}; real images {floor[keys.RECALL]:.2f})."
    )


def _precision_caveat(metrics: dict) -> str | None:
    """Noise inside the data's manifold: say so, naming the classes the classifier sees in it."""
    noise = metrics[CALIBRATION][CALIBRATION_NOISE]
    sections = _generators(metrics)
    if not sections:
        return None
    lowest = min(s[SAMPLES_SECTION][keys.PRECISION] for s in sections)
    if noise[keys.PRECISION] == 0 or noise[keys.PRECISION] < lowest:
        return None
    shares = noise[keys.CLASS_HISTOGRAM]
    top = sorted(range(len(shares)), key=lambda k: shares[k], reverse=True)[:2]
    seen = join_words([f"{CLASSES[k]} ({share(shares[k])})" for k in top if shares[k] > 0])
    return (
        f"Precision and density are no guide here: uniform noise scores precision "
        f"{noise[keys.PRECISION]:.2f} and density {noise[keys.DENSITY]:.2f}, as the classifier "
        f"maps noise near real images (it calls most of it {seen})."
    )


def headline(metrics: dict) -> list[str]:
    """The runs ranked (ties said), each run's problems and each translator's numbers: the
    page's result."""
    calibration = metrics[CALIBRATION]
    verdicts = (verdict(section, calibration) for section in _generators(metrics))
    translations = (
        translation_sentence(s) for s in metrics[RUNS].values() if TRANSLATION_SECTION in s
    )
    sentences = [_ranking(metrics), *verdicts, *translations]
    return [sentence for sentence in sentences if sentence]


def details(metrics: dict) -> list[str]:
    """The caveats, and per encoder run its hardest and easiest class and the IWAE gap: the
    appendix's result."""
    caveat = _precision_caveat(metrics)
    likelihoods = [_likelihood(s) for s in metrics[RUNS].values() if TEST_SECTION in s]
    return [caveat, *likelihoods] if caveat else likelihoods


def interpret(metrics: dict) -> list[str]:
    """The runs ranked, their failures named, the caveats and the likelihood terms."""
    return [*headline(metrics), *details(metrics)]
