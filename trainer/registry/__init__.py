"""The model registry (layer 2): one entry per model says everything the rest of fmgen asks
about it.

The CLI's choices, the config checks and the config panel, the training plots and grids, the
explorer's sources, evaluation and the report all read `ModelSpec`s from here. `spec` says what
an entry is; `vae_gan`, `big_gan`, `flow_ddpm`, `energy` and `translation` are the built-in
entries, imported here explicitly (as torchvision's models/__init__.py does), so every static
tool sees them and importing anything from the registry registers them all. Adding a model: one
model module, one learner and one `register_model` call in an entry module imported below
(docs/architecture.md).
"""

from trainer.registry.spec import (
    CurveSpec,
    GridSpec,
    Likelihood,
    ModelSpec,
    PlotSpec,
    RateDistortion,
    SamplingDial,
    all_models,
    get_model,
    model_names,
    register_model,
    unregister_model,
)

# isort: split
# The order of these imports is the order of registration: the CLI's choices, the model list.
from trainer.registry import vae_gan

# isort: split
from trainer.registry import big_gan

# isort: split
from trainer.registry import flow_ddpm

# isort: split
from trainer.registry import energy

# isort: split
from trainer.registry import translation

__all__ = [
    "CurveSpec",
    "GridSpec",
    "Likelihood",
    "ModelSpec",
    "PlotSpec",
    "RateDistortion",
    "SamplingDial",
    "all_models",
    "big_gan",
    "energy",
    "flow_ddpm",
    "get_model",
    "model_names",
    "register_model",
    "translation",
    "unregister_model",
    "vae_gan",
]
