"""The one frozen configuration of a run, with its defaults and its checks.

Every field is its setting's one declaration: default, label, help, choices, range and whether
only some models use it. fmgen-train's options (trainer/cli/train.py), the checks below and the
config panel's rows (fmgen_gui/widgets/setting_editors.py) are generated from it, so a new
setting is one field here plus the code that uses it.
"""

from __future__ import annotations

import dataclasses
import typing
from dataclasses import dataclass, fields
from typing import Any

from trainer.common.errors import ConfigError
from trainer.config.declaring import declared
from trainer.config.values import (
    EVALUATION_RANGES,
    Range,
    betas_problem,
    float_problem,
    int_problem,
)
from trainer.data.domains import DOMAIN_NAMES
from trainer.registry import get_model, model_names

# Arithmetic a run may train in: "auto" measures what this machine runs fastest (precision.py).
PRECISIONS = ("auto", "fp32", "bf16", "fp16")


@dataclass(frozen=True)
class RunConfig:
    """Everything that defines a training run; stored in its checkpoint and config.json.

    Each field is a setting's one declaration (default, label, help, choices, range, model
    option), in the order the Train tab's form shows them.
    """

    model: str = declared("vae", "Model", "which model to train")
    epochs: int = declared(
        10,
        "Epochs",
        "epochs to train in all (passes over the training data)",
        range=Range(1, 100_000),
    )
    # Up to the 60,000 training images in one step: beyond, a run cannot fit in memory.
    batch_size: int = declared(128, "Batch size", "images per step", range=Range(1, 60_000))
    lr: float = declared(1e-3, "Learning rate", "Adam's learning rate", range=Range(0, 1, False))
    latent_dim: int = declared(
        32, "Latent size", "size of the latent code", range=Range(1, 4096), model_option=True
    )
    adam_betas: tuple[float, float] = declared(
        (0.9, 0.999),
        "Adam betas",
        "Adam's moment decay rates beta1,beta2 (not the KL weight)",
        model_option=True,
    )
    beta: float = declared(
        1.0,
        "KL weight beta",
        "weight of the VAE's KL term (1 = the ELBO)",
        range=Range(0, 1000),
        model_option=True,
    )
    n_critic: int = declared(
        5,
        "Critic steps",
        "critic steps per generator step (WGAN-GP)",
        range=Range(1, 100),
        model_option=True,
    )
    gp_weight: float = declared(
        10.0,
        "Gradient penalty",
        "weight of the gradient penalty (WGAN-GP)",
        range=Range(0, 1000),
        model_option=True,
    )
    ct_weight: float = declared(
        0.0,
        "Consistency weight",
        "weight lambda_CT of WGAN-CT's consistency term, which also puts dropout in the critic "
        "(Wei et al. 2018 use 2); 0 = plain WGAN-GP",
        range=Range(0, 1000),
        model_option=True,
    )
    binarize: bool = declared(
        False,
        "Binarise",
        "train and test on dynamically binarised pixels",
        model_option=True,
    )
    decoder: str = declared(
        "bernoulli",
        "Decoder",
        "pixel likelihood: bernoulli (on intensities) or logistic (discretised, over 8-bit "
        "values, so the bound is in the bits/dim of flows and diffusion)",
        ("bernoulli", "logistic"),  # the pixel likelihoods of trainer.models.vae
        model_option=True,
    )
    p_uncond: float = declared(
        0.1,
        "Label dropout",
        "share of training images whose class is hidden from the guided DDPM, so that it also "
        "learns to denoise without one (classifier-free guidance)",
        range=Range(0, 1),
        model_option=True,
    )
    cd_k: int = declared(
        1,
        "Gibbs steps k",
        "Gibbs steps of the RBM's negative phase per update (CD-k)",
        range=Range(1, 1000),
        model_option=True,
    )
    cd_chains: str = declared(
        "data",
        "Negative chains",
        "where the RBM's negative-phase chains start each update: at the batch (data: CD-k, "
        "Hinton 2002) or where they stopped (persistent: PCD, Tieleman 2008)",
        ("data", "persistent"),
        model_option=True,
    )
    domains: str = declared(
        "sneaker-ankle_boot",
        "Domains",
        "the two domains CycleGAN translates between: two classes (sneaker-ankle_boot, "
        "tshirt-shirt, pullover-coat, sandal-sneaker) or Fashion-MNIST and a shifted copy of "
        "it the classifier fails on (inverted; scan: blur plus noise), from disjoint halves of "
        "the training images",
        DOMAIN_NAMES,
        model_option=True,
    )
    cycle_weight: float = declared(
        10.0,
        "Cycle weight lambda",
        "weight lambda of CycleGAN's cycle-consistency loss (Zhu et al. 2017 use 10); the "
        "identity loss weighs half of it",
        range=Range(0, 1000),
        model_option=True,
    )
    seed: int = declared(0, "Seed", "random seed", range=Range(0, 2**63 - 1))
    # At least one image per class; above the 60,000 of the training split it would mean "all".
    limit: int | None = declared(
        None,
        "Data subset",
        "use N class-balanced images per split",
        range=Range(10, 60_000),
    )
    device: str = declared("auto", "Device", "auto, cpu, cuda, cuda:N or mps")
    precision: str = declared(
        "auto",
        "Precision",
        "training arithmetic: auto (bf16 or fp16 where a probe finds this machine runs it "
        "faster), fp32, bf16, or fp16 (CUDA GPUs without bf16); test metrics are always fp32",
        PRECISIONS,
    )
    log_every: int = declared(
        10, "Log every", "steps between progress records", range=Range(1, 1_000_000)
    )

    def __post_init__(self) -> None:
        if isinstance(self.adam_betas, list):  # JSON has no tuples
            object.__setattr__(self, "adam_betas", tuple(self.adam_betas))
        problems = list(_problems(self))
        if problems:
            raise ConfigError("Invalid settings:\n  " + "\n  ".join(problems))

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able values."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> RunConfig:
        """Rebuild a config, refusing unknown keys (a config of another program or version).

        Settings added since the file was written take the model's defaults.
        """
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ConfigError(f"Unknown settings: {', '.join(unknown)}")
        model = values.get("model", "vae")
        base = _model_defaults(model) if model in model_names() else {}
        return cls(**{**base, **values, **_old_limit(values)})

    def replace(self, **changes: Any) -> RunConfig:
        """A copy with some settings changed (and checked again)."""
        return dataclasses.replace(self, **changes)


def field_label(name: str) -> str:
    """The label people see for config field `name`."""
    return _FIELDS[name].metadata["label"]


def field_help(name: str) -> str:
    """The help text of config field `name`."""
    return _FIELDS[name].metadata["help"]


def field_choices(name: str) -> tuple[str, ...] | None:
    """The values config field `name` may take, when it is a choice among names."""
    return _FIELDS[name].metadata["choices"]


def field_range(name: str) -> Range | None:
    """The values number setting `name` may take (None: not a number setting)."""
    return _FIELDS[name].metadata["range"]


def field_type(name: str) -> type:
    """The type of setting `name`'s values: int, float, str, bool or tuple (None aside)."""
    hint = _HINTS[name]
    kinds = [t for t in typing.get_args(hint) if t is not type(None)]
    if typing.get_origin(hint) is tuple or not kinds:  # a tuple, or a plain type
        return typing.get_origin(hint) or hint
    return kinds[0]  # an optional one: int | None


def field_optional(name: str) -> bool:
    """True when setting `name` may also be None (off)."""
    return type(None) in typing.get_args(_HINTS[name])


_FIELDS = {f.name: f for f in fields(RunConfig)}
_HINTS = typing.get_type_hints(RunConfig)
SETTINGS = tuple(_FIELDS)  # every setting, in declaration order

# Fields that only some models use (ModelSpec.options says which); the others keep defaults.
MODEL_OPTIONS = tuple(name for name, f in _FIELDS.items() if f.metadata["model_option"])
DECODERS = field_choices("decoder")


def _model_defaults(model: str) -> dict[str, Any]:
    return {"model": model, **get_model(model).defaults}


def _old_limit(values: dict[str, Any]) -> dict[str, Any]:
    """Runs saved before limit had a range may hold one above the training split, which their
    training read as all the images: they load as that (None), so old run folders still open."""
    limit = values.get("limit")
    above = isinstance(limit, int) and not isinstance(limit, bool) and limit > TRAIN_IMAGES
    return {"limit": None} if above else {}


def default_config(model: str = "vae", **overrides: Any) -> RunConfig:
    """The default config of `model` with `overrides` (None values are ignored)."""
    if model not in model_names():
        raise ConfigError(f"Unknown model {model!r}: choose one of {', '.join(model_names())}")
    values = {**_model_defaults(model), **{k: v for k, v in overrides.items() if v is not None}}
    return RunConfig(**values)


MIN_LIMIT = int(field_range("limit").low)  # one image per class
TRAIN_IMAGES = int(field_range("limit").high)  # Fashion-MNIST's training split


def setting_problem(name: str, value: Any) -> str | None:
    """What is wrong with `value` for setting `name` on its own (type and range), or None.

    Ranges are the fields' declarations (and EVALUATION_RANGES for the evaluation's work): the
    config's checks, the command lines' option types and the evaluation all ask here.
    """
    if name == "limit":  # None: all the images
        problem = None if value is None else _range_problem(name, value)
        below = problem and isinstance(value, int) and value < MIN_LIMIT
        return f"{value!r} must be at least {MIN_LIMIT} (one image per class)" if below else problem
    if name == "slow_on_cpu":
        problem = None if value == 0 else _range_problem(name, value)
        return problem and f"{problem} (or 0: no cap)"
    return _range_problem(name, value)


def _range_problem(name: str, value: Any) -> str | None:
    if name in EVALUATION_RANGES:
        low, high, _ = EVALUATION_RANGES[name]
        return int_problem(value, low, high)
    limits = field_range(name) if name in _FIELDS else None
    if limits is None:
        return None
    if field_type(name) is int:
        return int_problem(value, limits.low, limits.high)
    return float_problem(value, *limits)


def _problems(config: RunConfig):
    if config.model not in model_names():
        yield f"Model: {config.model!r} is not one of {', '.join(model_names())}"
        return
    for name in (name for name in SETTINGS if field_range(name) is not None):
        problem = setting_problem(name, getattr(config, name))
        if problem:
            yield f"{field_label(name)}: {problem}"
    if problem := betas_problem(config.adam_betas):
        yield f"Adam betas: {problem}"
    if not isinstance(config.binarize, bool):
        yield f"Binarise: {config.binarize!r} is not true or false"
    if config.decoder not in DECODERS:
        yield f"Decoder: {config.decoder!r} is not one of {', '.join(DECODERS)}"
    elif config.decoder == "logistic" and config.binarize is True:
        yield "Decoder: logistic models 8-bit pixels; binarised pixels need bernoulli"
    if config.cd_chains not in field_choices("cd_chains"):
        yield f"Negative chains: {config.cd_chains!r} is not one of data, persistent"
    if config.domains not in DOMAIN_NAMES:
        yield f"Domains: {config.domains!r} is not one of {', '.join(DOMAIN_NAMES)}"
    if not isinstance(config.device, str) or not config.device:
        yield f"Device: {config.device!r} is not a device name"
    if config.precision not in PRECISIONS:
        yield f"Precision: {config.precision!r} is not one of {', '.join(PRECISIONS)}"
    yield from _option_problems(config)


def _option_problems(config: RunConfig):
    """A setting the model does not use must keep its default, so a config never misleads."""
    spec = get_model(config.model)
    for name in MODEL_OPTIONS:
        if name in spec.options:
            continue
        default = spec.defaults.get(name, _FIELDS[name].default)
        if getattr(config, name) != default:
            yield f"{field_label(name)}: does not apply to the {spec.label} (leave it at {default})"
