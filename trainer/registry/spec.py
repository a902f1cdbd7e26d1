"""What a registry entry is (`ModelSpec` and its parts) and the table of entries.

The entries themselves live in the sibling modules `trainer.registry` imports explicitly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from trainer.common.keys import KL, RECON, format_digits, metric_label


@dataclass(frozen=True)
class CurveSpec:
    """One curve: its series key ('step/loss', 'test/neg_elbo', ...) and its legend label."""

    key: str
    label: str


@dataclass(frozen=True)
class PlotSpec:
    """What one training plot shows."""

    title: str
    x_label: str
    y_label: str
    curves: tuple[CurveSpec, ...]


@dataclass(frozen=True)
class GridSpec:
    """One named image grid the learner makes each epoch, with its caption."""

    name: str
    title: str


@dataclass(frozen=True)
class Likelihood:
    """What a model's likelihood number is: 'exact', 'bound', 'estimate' (of the exact one, as
    AIS gives) or 'none', and of what."""

    kind: str = "none"
    of: str = "p(x)"  # or 'p(x|y)' for conditional models
    reason: str = ""  # why there is none, for the report's blank cells
    estimate: str = ""  # how the evaluation's test number is computed, for the report


@dataclass(frozen=True)
class RateDistortion:
    """A sweep of `settings` moves the model along its rate-distortion curve (Alemi et al. 2018,
    "Fixing a Broken ELBO", sec. 2): rate = the KL term, distortion = the expected
    reconstruction term, both read from the evaluation's test section under these keys."""

    settings: tuple[str, ...]  # config fields whose sweep traces the curve, e.g. ('beta',)
    rate: str = KL
    distortion: str = RECON


@dataclass(frozen=True)
class SamplingDial:
    """A knob of a model's sampler: the explorer shows it as a slider that redraws the same
    seeds, and the evaluation sweeps it (classifier-free guidance's weight w, Ho & Salimans
    2022; BigGAN's truncation threshold psi, Brock et al. 2019)."""

    name: str  # its key in `Learner.dials`, e.g. 'guidance'
    label: str  # the slider's label, e.g. 'Guidance w'
    low: float  # the slider's range
    high: float
    default: float | None  # what samples use until the user turns it; None = off
    sweep: tuple[float | None, ...]  # the values the evaluation's sweep measures, in order
    help: str = ""  # the slider's tooltip: what turning it trades
    off: str = ""  # the label of its 'off' setting (value None), e.g. 'none'; '' = no off


@dataclass(frozen=True)
class ModelSpec:
    """Everything fmgen needs to know about one model, in one place."""

    name: str  # the CLI's and the config's key, e.g. 'vae'
    label: str  # short display name, e.g. 'VAE'
    title: str  # the config panel's entry, e.g. 'VAE (variational autoencoder)'
    # its learner: a built-in learner's class name ('VAELearner'; trainer.learners resolves it,
    # the registry knows no learner), or a Learner subclass itself (a test's toy model)
    learner: str | type
    objective: str  # what training optimises, in words for tables
    description: str  # a few sentences: what the model is (the model list's tooltip)
    defaults: Mapping[str, Any] = field(default_factory=dict)  # config values of this model
    options: tuple[str, ...] = ()  # model-specific config fields that apply (beta, n_critic...)
    step_metrics: tuple[str, ...] = ()  # keys train_step returns
    test_metrics: tuple[str, ...] = ()  # keys evaluate returns
    summary_metrics: tuple[str, ...] = ()  # the test metrics an epoch summary shows
    plots: tuple[PlotSpec, ...] = ()
    grids: tuple[GridSpec, ...] = ()
    has_encoder: bool = False  # can map test images to latent codes
    # network evaluations per encoded image; above 1 (a diffusion model's DDIM inversion) the
    # explorer encodes only the picked pair, not the whole test set, and draws no latent map
    encode_cost: int = 1
    # the explorer's first path method for this model: 'linear', or 'slerp' where codes are
    # high-dimensional Gaussian noise (a straight line's middle has too small a norm)
    interpolation: str = "linear"
    # an approximate posterior q(z|x) (learner.posterior_draws): the evaluation computes the
    # ELBO's terms, the IWAE bound and the worst reconstructions (a flow encodes exactly: none)
    posterior: bool = False
    conditional: bool = False  # trained on labels; samples a chosen class
    # translates images between two domains (learner.domains(), translate(), domain_test());
    # it draws no samples from noise, so the evaluation measures translations instead
    translates: bool = False
    sample_cost: int = 1  # network evaluations per generated sample
    sampler: str = "one pass"  # what sample_images runs, for the report's cost column
    # why the explorer offers no paths through this model (empty: it does)
    unexplorable: str = ""
    # why it trains in float32 whatever precision is asked (empty: it trains in the one asked)
    float32_only: str = ""

    @property
    def scores_likelihood(self) -> bool:
        """The evaluation computes a test likelihood: the IWAE bound of a model with a
        posterior, or the model's own exact likelihood or bound."""
        return self.posterior or self.likelihood.kind != "none"

    # learner.samplers(), chain_origin(), chain() and chain_words (trainer.sampling.chain_frames):
    # 'Watch a sample being made' shows its chain
    sampling_chain: bool = False
    likelihood: Likelihood = Likelihood()
    # The app's 'About this model' page beyond the description (what it optimises, its plots,
    # the papers): a Markdown file under resources/models/; '' when there is none.
    about_page: str = ""
    rate_distortion: RateDistortion | None = None  # a sweep figure it can draw (None: none)
    # knobs of its sampler (learner.dials holds their values; sample_images reads them)
    dials: tuple[SamplingDial, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "defaults", MappingProxyType(dict(self.defaults)))

    def summary(self, test: Mapping[str, float]) -> str:
        """'-ELBO 240.1, KL 15.2' for the summary metrics present in `test`."""
        return ", ".join(
            f"{metric_label(key)} {format_digits(test[key])}"
            for key in self.summary_metrics
            if key in test
        )


_REGISTRY: dict[str, ModelSpec] = {}


def register_model(spec: ModelSpec) -> ModelSpec:
    """Add `spec` to the registry (replacing an entry of the same name) and return it."""
    _REGISTRY[spec.name] = spec
    return spec


def unregister_model(name: str) -> None:
    """Remove an entry (tests register toy models and take them away again)."""
    _REGISTRY.pop(name, None)


def get_model(name: str) -> ModelSpec:
    """The entry of `name`; KeyError names the known models."""
    try:
        return _REGISTRY[name]
    except KeyError:
        raise KeyError(
            f"unknown model {name!r}: choose one of {', '.join(model_names())}"
        ) from None


def model_names() -> tuple[str, ...]:
    """Registered model names, in registration order."""
    return tuple(_REGISTRY)


def all_models() -> tuple[ModelSpec, ...]:
    """Every registered entry, in registration order."""
    return tuple(_REGISTRY.values())
