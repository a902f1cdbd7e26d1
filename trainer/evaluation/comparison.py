"""The comparison table's per-run facts: a test likelihood on one scale, and what a sample costs.

Issue 12's table answers the theory part: which model has an exact likelihood, which a bound,
which none (and why), on one scale (bits per dimension of the 8-bit test images), and how many
network evaluations and milliseconds a sample takes on the evaluating device.
"""

from __future__ import annotations

import threading

from trainer.common import keys
from trainer.data.fashion_mnist import Split
from trainer.learners import Learner
from trainer.registry import ModelSpec
from trainer.sampling.samples import batch_size

LIKELIHOOD_SECTION = "test_likelihood"  # a run's test likelihood in 8-bit bits/dim, or why none
COST_SECTION = "sample_cost"  # network evaluations and measured milliseconds per sample


def test_likelihood(
    learner: Learner,
    spec: ModelSpec,
    test_section: dict | None,
    split: Split,
    cancel: threading.Event | None = None,
) -> dict:
    """The run's test likelihood in 8-bit bits/dim ('exact' or 'bound'), in nats per image on
    binarised pixels (`binarised_likelihood`), or 'none' and why."""
    if spec.likelihood.kind == "none":
        return {"kind": "none", "reason": spec.likelihood.reason}
    if learner.config.binarize:
        return binarised_likelihood(learner, spec, test_section, split, cancel)
    if not learner.discrete_likelihood:
        return {"kind": "none", "reason": "its decoder is no probability of 8-bit pixels"}
    if test_section is not None:  # the IWAE bound the evaluation computed already
        overall = test_section["overall"]
        bits, se = overall[keys.BITS_PER_DIM], None
        estimate = f"{spec.likelihood.estimate}, k = {overall[keys.IWAE_K]}"
    else:
        metrics = learner.evaluate(split, cancel)
        bits, se = metrics[keys.BITS_PER_DIM], metrics.get(keys.BITS_PER_DIM_SE)
        estimate = spec.likelihood.estimate
    return {
        "kind": spec.likelihood.kind,
        "of": spec.likelihood.of,
        keys.BITS_PER_DIM: bits,
        keys.BITS_PER_DIM_SE: se,
        "estimate": estimate,
    }


def binarised_likelihood(
    learner: Learner,
    spec: ModelSpec,
    test_section: dict | None,
    split: Split,
    cancel: threading.Event | None = None,
) -> dict:
    """The test NLL in nats per binarised image of a run on binarised pixels (no 8-bit
    bits/dim): the IWAE bound the evaluation computed, or the model's own AIS estimate with
    its +-3 s.e. half-width, so the binarised VAE and the RBM stand side by side."""
    base = {"kind": spec.likelihood.kind, "of": spec.likelihood.of, "binarised": True}
    if test_section is not None:
        overall = test_section["overall"]
        estimate = f"{spec.likelihood.estimate}, k = {overall[keys.IWAE_K]}"
        return {**base, "nats": overall[keys.IWAE_NLL], "error_bar": None, "estimate": estimate}
    metrics = learner.evaluate(split, cancel)  # a binarised model without a posterior: the RBM
    nats, error_bar = metrics[keys.AIS_NLL], metrics[keys.AIS_NLL_HIGH] - metrics[keys.AIS_NLL]
    return {**base, "nats": nats, "error_bar": error_bar, "estimate": spec.likelihood.estimate}


def sample_cost(learner: Learner, spec: ModelSpec, count: int, seconds: float) -> dict:
    """What generating `count` samples in `seconds` says a sample costs, and where it was timed."""
    return {
        "network_evaluations": spec.sample_cost,
        "sampler": spec.sampler,
        "ms_per_sample": 1000 * seconds / count,
        "device": str(learner.device),
        "batch": min(batch_size(spec.name), count),
    }
