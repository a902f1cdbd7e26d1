"""The theory page: the course sheet's statements, each with the evidence the loaded runs give.

The exercise's theory part is a list of yes/no statements about generative models. The page
states each one in fmgen's words and, beside it, what the evaluated runs show about it: a
number with the run it comes from, read from the evaluation's metrics document (the same
numbers as on the one-page report). It never gives the answer: a statement no loaded run
speaks to says which model to train to see it (or that fmgen has none), so a student answers
from what they saw rather than from an answer key.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from trainer.common import keys
from trainer.data.domains import DOMAIN_PAIRS
from trainer.evaluation.comparison import COST_SECTION, LIKELIHOOD_SECTION
from trainer.evaluation.dial_sweep import AS_ASKED, VALUE, read_dial_sweeps, value_words
from trainer.registry import ModelSpec, get_model, model_names
from trainer.report.translation import recovered_words
from trainer.runs.metrics_json import RUNS, SAMPLES_SECTION, TEST_SECTION, TRANSLATION_SECTION

PIXELS = 28 * 28

RunSection = Mapping  # one run's section of metrics.json
Evidence = Callable[[RunSection], str | None]  # a sentence about one run, or None


@dataclass(frozen=True)
class Statement:
    """One statement of the sheet, the models whose runs speak to it, and what a run shows."""

    text: str
    models: tuple[str, ...]  # registry names of the models that can show it
    evidence: Evidence


@dataclass(frozen=True)
class TheoryLine:
    """A statement on the page with its evidence from the runs (or what to train)."""

    number: int
    text: str
    evidence: tuple[str, ...]  # one sentence per run that speaks to it
    missing: str  # what to train to see it, when no run does ('' when some run does)


def _spec(run: RunSection) -> ModelSpec | None:
    """The registry entry of the run's model (None: a model this fmgen does not have)."""
    return get_model(run["model"]) if run.get("model") in model_names() else None


def _label(run: RunSection) -> str:
    return str(run.get("label", run.get("model", "?")))


# A likelihood's kind in words (an AIS estimate is neither exact nor a bound).
KINDS = {"exact": "exact", "bound": "a bound", "estimate": "an estimate"}


def _likelihood(run: RunSection) -> str | None:
    section = run.get(LIKELIHOOD_SECTION) or {}
    kind = section.get("kind")
    spec = _spec(run)
    objective = spec.objective if spec else "?"
    if kind in KINDS:
        number = _likelihood_number(section)
        return (
            f"{_label(run)}: trained on '{objective}'; its test likelihood is {KINDS[kind]}:"
            f"{number} ({section.get('estimate', '')})"
        )
    if kind == "none":
        return f"{_label(run)}: trained on '{objective}'; no likelihood: {section.get('reason')}"
    return None


def _likelihood_number(section: Mapping) -> str:
    """' 1.234 bits per pixel' (8-bit images) or ' 286.4 nats per binarised image (+-0.9)'."""
    bits, nats, error = (section.get(key) for key in (keys.BITS_PER_DIM, "nats", "error_bar"))
    if isinstance(bits, float):
        return f" {bits:.3f} bits per pixel"
    if not isinstance(nats, float):
        return ""
    spread = f" (+-{error:.1f})" if isinstance(error, float) else ""
    return f" {nats:.1f} nats per binarised image{spread}"


def _elbo_terms(run: RunSection) -> str | None:
    overall = (run.get(TEST_SECTION) or {}).get("overall") or {}
    if keys.KL not in overall or keys.NEG_ELBO not in overall:
        return None
    beta = (run.get("config") or {}).get("beta")
    weight = f"trained with KL weight beta = {beta:g}; " if isinstance(beta, (int, float)) else ""
    return (
        f"{_label(run)}: {weight}KL term {overall[keys.KL]:.1f} nats of the -ELBO's "
        f"{overall[keys.NEG_ELBO]:.1f} nats per test image (reconstruction term "
        f"{overall[keys.RECON]:.1f})"
    )


def _latent_size(run: RunSection) -> str | None:
    size = (run.get("config") or {}).get("latent_dim")
    if not isinstance(size, int):
        return None
    return f"{_label(run)}: latent code of {size} numbers for an image of {PIXELS} pixels"


def _sample_cost(run: RunSection) -> str | None:
    cost = run.get(COST_SECTION) or {}
    if "ms_per_sample" not in cost:
        return None
    return (
        f"{_label(run)}: {cost['ms_per_sample']:.2f} ms per sample, "
        f"{cost['network_evaluations']} network evaluation"
        f"{'' if cost['network_evaluations'] == 1 else 's'} ({cost['sampler']}; "
        f"{cost['device']}, batch {cost['batch']})"
    )


def _critic_input(run: RunSection) -> str | None:
    samples = run.get(SAMPLES_SECTION) or {}
    fid = samples.get(keys.FID)
    judged = f"; its samples' FID {fid:.1f}" if isinstance(fid, float) else ""
    spec = _spec(run)
    reads = " and the class it was asked for" if spec and spec.conditional else ""
    return (
        f"{_label(run)}: the discriminator reads a 28x28 image ({PIXELS} numbers){reads} and "
        f"returns one number{judged}"
    )


def _classes_followed(run: RunSection) -> str | None:
    samples = run.get(SAMPLES_SECTION) or {}
    histogram = samples.get(keys.CLASS_HISTOGRAM)
    if not isinstance(histogram, list) or not histogram:
        return None
    return (
        f"{_label(run)}: asked for every class equally often, the classifier labels its "
        f"samples {min(histogram):.0%} to {max(histogram):.0%} per class (the mix of classes "
        "only: whether each sample is the class it was asked for is not measured here)"
    )


def _dial_sweep(run: RunSection) -> str | None:
    """Its sampler dial's sweep: per value, the share labelled as asked (conditional models)
    and recall; else the classes its samples were labelled as."""
    sweeps = read_dial_sweeps(run)
    if not sweeps:
        return _classes_followed(run)
    sweep = sweeps[0]
    points = [
        f"{value_words(point[VALUE], sweep.off)}: "
        + (f"{point[AS_ASKED]:.0%} labelled as asked, " if AS_ASKED in point else "")
        + f"recall {point[keys.RECALL]:.2f}"
        for point in sweep.points
    ]
    return f"{_label(run)}, {sweep.label} at " + "; ".join(points)


def _adaptation(run: RunSection) -> str | None:
    """A shifted pair: the classifier's accuracy before and after F translates the shifted
    test images back; a class pair: what its translations are labelled, and that it is style
    transfer, not adaptation."""
    numbers = run.get(TRANSLATION_SECTION) or {}
    pair = DOMAIN_PAIRS.get((run.get("config") or {}).get("domains", ""))
    if pair is None:
        return None
    if keys.ACCURACY_TRANSLATED in numbers:
        return (
            f"{_label(run)} ({pair.a} <-> {pair.b}): the classifier trained on the originals "
            f"reads {numbers[keys.ACCURACY_ORIGINAL]:.1%} of the original test images right, "
            f"{numbers[keys.ACCURACY_SHIFTED]:.1%} of their {pair.b.lower()} copies and "
            f"{numbers[keys.ACCURACY_TRANSLATED]:.1%} of those copies translated back by F: "
            f"{recovered_words(numbers)}"
        )
    if keys.LABELLED_B in numbers:
        shifted = " or ".join(f"'{name}'" for name, p in DOMAIN_PAIRS.items() if p.shift)
        return (
            f"{_label(run)} ({pair.a} <-> {pair.b}): {numbers[keys.LABELLED_B]:.0%} of G(test "
            f"{pair.a.lower()}s) are labelled {pair.b}, {numbers[keys.LABELLED_A]:.0%} of F(test "
            f"{pair.b.lower()}s) {pair.a}: style transfer between two classes; for domain "
            f"adaptation, train it with the domains {shifted}"
        )
    return None


# The statements the course's theory part makes, in fmgen's words (issues 11, 12, 25, 26).
STATEMENTS = (
    Statement(
        "Training a restricted Boltzmann machine relies on maximising the likelihood of the "
        "observed data.",
        ("rbm",),
        _likelihood,
    ),
    Statement("A VAE is trained on the reconstruction error alone.", ("vae", "cvae"), _elbo_terms),
    Statement(
        "A VAE's latent code has fewer dimensions than its input.", ("vae", "cvae"), _latent_size
    ),
    Statement(
        "A GAN's discriminator takes 784 inputs for a Fashion-MNIST image.",
        ("gan", "wgan", "cgan"),
        _critic_input,
    ),
    Statement("A GAN gives the likelihood of an image.", ("gan", "wgan", "cgan"), _likelihood),
    Statement(
        "WGAN minimises a Wasserstein distance instead of a KL or JS divergence.",
        ("wgan",),
        _likelihood,
    ),
    Statement(
        "A conditional GAN is given the class it should draw, beside its noise.",
        ("cgan",),
        _classes_followed,
    ),
    Statement(
        "A normalizing flow is trained by maximising the log-likelihood directly.",
        ("flow",),
        _likelihood,
    ),
    Statement(
        "In a normalizing flow the dimension stays the same from image to latent.",
        ("flow",),
        _latent_size,
    ),
    Statement(
        "A diffusion model is trained by maximising the log-likelihood directly.",
        ("ddpm",),
        _likelihood,
    ),
    Statement(
        "Sampling from a diffusion model is efficient.",
        ("ddpm", "vae", "gan", "flow"),
        _sample_cost,
    ),
    Statement(
        "Guided diffusion can generate images from labels or signals such as text.",
        ("guided",),
        _dial_sweep,
    ),
    Statement("BigGAN provides a text generation module.", ("biggan",), _dial_sweep),
    Statement("Domain adaptation can be addressed by CycleGAN.", ("cyclegan",), _adaptation),
)


def _missing(statement: Statement) -> str:
    """What to train to see `statement`, naming the models fmgen has."""
    known = [get_model(name).label for name in statement.models if name in model_names()]
    if not known:
        return "fmgen has no model that shows this yet."
    return f"No evaluated run speaks to it: train and evaluate a {' or a '.join(known)}."


def theory_lines(metrics: Mapping) -> list[TheoryLine]:
    """Every statement, with one sentence of evidence per evaluated run that speaks to it."""
    runs = list((metrics.get(RUNS) or {}).values())
    lines = []
    for number, statement in enumerate(STATEMENTS, 1):
        evidence = tuple(
            sentence
            for run in runs
            if run.get("model") in statement.models
            and (sentence := statement.evidence(run)) is not None
        )
        missing = "" if evidence else _missing(statement)
        lines.append(TheoryLine(number, statement.text, evidence, missing))
    return lines
