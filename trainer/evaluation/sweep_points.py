"""The sweep figure's data: runs of one model that differ in exactly one setting, as points.

Qt-free and computed from metrics.json's own numbers (the evaluation's test terms and sample
metrics, never measured again), so the report draws it from the document and a script or a test
sees the same points. Which figure a model can draw comes from its registry entry.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields

from trainer.common import keys
from trainer.common.words import epochs_phrase, join_words, plural
from trainer.config.settings import RunConfig, field_label
from trainer.registry import ModelSpec, get_model
from trainer.runs.facts import setting_label
from trainer.runs.metrics_json import RUNS, SAMPLES_SECTION, TEST_SECTION

# Config fields that say where and how a run was executed, not what it learned: runs that differ
# only in these ran the same setting. Every other field counts, the seed and the planned epochs
# included: a beta sweep whose runs also differ in seed or length compares two things at once.
NOT_SETTINGS = ("device", "log_every", "precision")
RATE_DISTORTION, METRIC = "rate_distortion", "metric"  # the figures a sweep can get
# The generic figure's number: every run of every model has it, measured alike (same sample
# count, classifier and test set), and it is the comparison table's first column.
SWEEP_METRIC = keys.FID


def differing_settings(configs: Sequence[RunConfig]) -> list[str]:
    """The config fields that count as settings (not NOT_SETTINGS) and differ between runs."""
    first, *others = configs
    return [
        f.name
        for f in fields(RunConfig)
        if f.name not in NOT_SETTINGS
        and any(getattr(c, f.name) != getattr(first, f.name) for c in others)
    ]


def swept_setting(configs: Sequence[RunConfig]) -> str | None:
    """The one setting that runs of one model differ in; None when they are no such sweep."""
    if len(configs) < 2 or len({c.model for c in configs}) > 1:
        return None
    differing = differing_settings(configs)
    return differing[0] if len(differing) == 1 else None


def value_text(value: object) -> str:
    """A setting's value as the figure prints it: '0.5', '4', 'True', '(0.5, 0.999)'."""
    if isinstance(value, float):
        return keys.format_number(value)
    return str(value)


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def sweep_section(document: dict) -> dict | None:
    """metrics.json's sweep section: the setting, its points and the figure's caption (or why
    there is no figure); None when the runs are not of one model differing in one setting."""
    sections = document[RUNS]
    configs = {key: RunConfig.from_dict(s["config"]) for key, s in sections.items()}
    setting = swept_setting(list(configs.values()))
    if setting is None:
        return None
    spec = get_model(next(iter(configs.values())).model)
    values = {key: getattr(config, setting) for key, config in configs.items()}
    numbers = all(_is_number(v) for v in values.values())
    order = sorted(values, key=values.__getitem__) if numbers else list(values)
    runs = _runs_phrase(spec, setting, [values[k] for k in order])
    trained = _training_phrase([sections[k] for k in order])
    section = {
        "model": spec.name,
        "setting": setting,
        "setting_label": field_label(setting),
        "figure": None,
        "points": [],
        "reason": "",
    }
    rate_distortion = spec.rate_distortion
    if rate_distortion is not None and setting in rate_distortion.settings:
        rate, distortion = rate_distortion.rate, rate_distortion.distortion
        terms = {k: sections[k][TEST_SECTION]["overall"] for k in order}
        section |= {
            "figure": RATE_DISTORTION,
            "points": [
                _point(k, setting, values[k], terms[k][rate], terms[k][distortion]) for k in order
            ],
            "x_label": _axis("rate", rate),
            "y_label": _axis("distortion", distortion),
            "caption": _rate_distortion_caption(document, runs, trained, rate, distortion),
        }
    elif numbers and setting != "seed" and not spec.translates:
        metric = {k: sections[k][SAMPLES_SECTION][SWEEP_METRIC] for k in order}
        section |= {
            "figure": METRIC,
            "points": [_point(k, setting, values[k], values[k], metric[k]) for k in order],
            "x_label": field_label(setting),
            "y_label": keys.metric_label(SWEEP_METRIC),
            "caption": _metric_caption(document, runs, trained),
        }
    else:
        section["reason"] = _no_figure_reason(runs, setting, spec.translates)
    return section


def _point(key: str, setting: str, value: object, x: float, y: float) -> dict:
    """One run on the figure, named by its setting (e.g. 'beta=0.5')."""
    return {"run": key, "name": f"{setting}={value_text(value)}", "x": x, "y": y}


def _axis(role: str, key: str) -> str:
    """'rate (nats/image)': short, so it fits beside a low plot; the caption says what it is."""
    unit = keys.METRICS[key].unit if key in keys.METRICS else ""
    return f"{role} ({unit})" if unit else role


def _runs_phrase(spec: ModelSpec, setting: str, values: list) -> str:
    """'4 VAE runs that differ only in KL weight beta (0.5, 1, 2 and 4)'."""
    runs = plural(len(values), f"{spec.label} run")
    shown = join_words([value_text(v) for v in values])
    return f"{runs} that differ only in {setting_label(setting)} ({shown})"


def _training_phrase(sections: list[dict]) -> str:
    """'each trained 1 epoch on 200 images', or the range when the runs trained unlike."""
    epochs = sorted({s["epochs_trained"] for s in sections})
    sizes = {s["train_size"] for s in sections}
    if len(epochs) == 1:
        trained = f"each trained {epochs_phrase(epochs[0])}"
    else:
        trained = f"trained between {epochs_phrase(epochs[0])} and {epochs_phrase(epochs[-1])}"
    if len(sizes) == 1 and None not in sizes:
        trained += f" on {plural(sizes.pop(), 'image')}"
    return trained


def _rate_distortion_caption(
    document: dict, runs: str, trained: str, rate: str, distortion: str
) -> str:
    """Every word from the runs and the evaluation's settings."""
    tests = plural(document["data"]["test_size"], "test image")
    draws = plural(document["settings"]["iwae_k"], "posterior draw")
    return (
        f"Rate-distortion of {runs}: distortion = the ELBO's expected "
        f"{keys.metric_label(distortion)} term, rate = its {keys.metric_label(rate)} term; "
        f"means over {tests} with {draws} each; {trained}."
    )


def _metric_caption(document: dict, runs: str, trained: str) -> str:
    """'FID of 3 VAE runs that differ only in latent size (...), ...; lower is better; ...'."""
    info = keys.METRICS[SWEEP_METRIC]
    better = {True: "; lower is better", False: "; higher is better", None: ""}
    samples = plural(document["sample_count"], "sample")
    tests = plural(document["data"]["test_size"], "test image")
    return (
        f"{info.label} of {runs}, {samples} of each against {tests}"
        f"{better[info.lower_is_better]}; {trained}."
    )


def _no_figure_reason(runs: str, setting: str, translates: bool) -> str:
    """Why a sweep gets no figure."""
    if setting == "seed":
        return f"No sweep figure: {runs} are repeats of one setting, with no trend to draw."
    metric = keys.metric_label(SWEEP_METRIC)
    if translates:  # ModelSpec.translates: no samples, so no metric of them
        return f"No sweep figure: {runs}, which draw no samples to measure {metric} on."
    return f"No sweep figure: {runs}, which is not a number to plot {metric} against."
