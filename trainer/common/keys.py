"""Metric keys, named once: what each number is called, its label, unit and good direction.

Learners return these keys, the loop logs them, plots and tables look their labels up here.
"""

from __future__ import annotations

from dataclasses import dataclass

from trainer.common.timesteps import range_label, strata


@dataclass(frozen=True)
class MetricInfo:
    """How a metric is shown: its label, unit and which way is better (None: neither)."""

    key: str
    label: str
    unit: str = ""
    lower_is_better: bool | None = None
    count: bool = False  # a running count: a log interval keeps its latest value, not a mean


# Training losses and test metrics of the likelihood models (nats per image).
LOSS = "loss"
RECON = "recon"
KL = "kl"
NEG_ELBO = "neg_elbo"
BCE = "bce"
MSE = "mse"
IWAE_NLL = "iwae_nll"
IWAE_K = "iwae_k"  # importance samples per image behind IWAE_NLL
BITS_PER_DIM = "bits_per_dim"
BITS_PER_DIM_SE = "bits_per_dim_se"  # standard error of a Monte Carlo estimate of BITS_PER_DIM

# Adversarial models.
D_LOSS = "d_loss"
G_LOSS = "g_loss"
D_REAL = "d_real"
D_FAKE = "d_fake"
WASSERSTEIN = "wasserstein"
GRADIENT_PENALTY = "gradient_penalty"
CRITIC_LOSS = "critic_loss"
G_UPDATES = "g_updates"
CONSISTENCY = "consistency"  # WGAN-CT's term, as weighted in the critic's loss
LIPSCHITZ_MAX = "lipschitz_max"  # the critic's largest |D(x) - D(x')| / ||x - x'|| on test pairs
LIPSCHITZ_P95 = "lipschitz_p95"  # its 95th percentile

# Sample quality against the test set, in the classifier's feature space.
FID = "fid"
KID = "kid"
KID_STD = "kid_std"
PRECISION = "precision"
RECALL = "recall"
DENSITY = "density"
COVERAGE = "coverage"
CONFIDENCE = "confidence"
CLASS_HISTOGRAM = "class_histogram"

_NATS = "nats/image"
METRICS: dict[str, MetricInfo] = {
    info.key: info
    for info in (
        MetricInfo(LOSS, "total loss", "", True),
        MetricInfo(RECON, "reconstruction", _NATS, True),
        MetricInfo(KL, "KL", _NATS, None),
        MetricInfo(NEG_ELBO, "-ELBO", _NATS, True),
        MetricInfo(BCE, "BCE", _NATS, True),
        MetricInfo(MSE, "MSE", "per pixel", True),
        MetricInfo(IWAE_NLL, "IWAE bound", _NATS, True),
        MetricInfo(IWAE_K, "IWAE k", "importance samples", None),
        MetricInfo(BITS_PER_DIM, "bits/dim", "bits", True),
        MetricInfo(BITS_PER_DIM_SE, "bits/dim s.e.", "bits", None),
        MetricInfo(D_LOSS, "discriminator loss", "", None),
        MetricInfo(G_LOSS, "generator loss", "", None),
        MetricInfo(D_REAL, "D(x)", "probability", None),
        MetricInfo(D_FAKE, "D(G(z))", "probability", None),
        MetricInfo(WASSERSTEIN, "Wasserstein estimate", "critic score", None),
        MetricInfo(GRADIENT_PENALTY, "gradient penalty", "", True),
        MetricInfo(CRITIC_LOSS, "critic loss", "", None),
        MetricInfo(G_UPDATES, "generator updates", "", None, count=True),
        MetricInfo(CONSISTENCY, "consistency term", "", True),
        MetricInfo(LIPSCHITZ_MAX, "Lipschitz ratio, max", "score per unit distance", None),
        MetricInfo(LIPSCHITZ_P95, "Lipschitz ratio, 95th pct", "score per unit distance", None),
        MetricInfo(FID, "FID", "", True),
        # torchmetrics' raw KID: unbiased polynomial-kernel MMD^2 of the classifier features.
        MetricInfo(KID, "KID", "raw torchmetrics units", True),
        MetricInfo(KID_STD, "KID std", "raw torchmetrics units", None),
        MetricInfo(PRECISION, "precision", "", False),
        MetricInfo(RECALL, "recall", "", False),
        MetricInfo(DENSITY, "density", "", False),
        MetricInfo(COVERAGE, "coverage", "", False),
        MetricInfo(CONFIDENCE, "confidence", "", False),
    )
}


def register_metric(info: MetricInfo) -> MetricInfo:
    """Make a new metric known (a model module names its own); re-registering must agree."""
    known = METRICS.setdefault(info.key, info)
    if known != info:
        raise ValueError(f"metric {info.key!r} is already registered as {known}")
    return info


def is_count(key: str) -> bool:
    """Whether `key` is a running count (its latest value stands for an interval)."""
    info = METRICS.get(key)
    return bool(info and info.count)


def format_number(value: float) -> str:
    """Four significant digits, without exponent for everyday magnitudes."""
    return f"{value:.4g}" if abs(value) >= 1e-3 or value == 0 else f"{value:.2e}"


def format_digits(value: float) -> str:
    """Four significant digits with their trailing zeros: one line's numbers read at one
    precision ('D(x) 0.7630, D(G(z)) 0.2419'; the trial saw 0.763 beside 0.2419)."""
    if abs(value) < 1e-3 and value != 0:
        return f"{value:.2e}"
    return f"{value:#.4g}".rstrip(".")  # '#' keeps the zeros, and a dot after 1000


def metric_label(key: str) -> str:
    """The label of `key` (the key itself when it is unknown)."""
    info = METRICS.get(key)
    return info.label if info else key


# The DDPM's test denoising loss, overall and per range of t (trainer.common.timesteps).
DDPM_LOSS = register_metric(MetricInfo("noise_mse", "denoising loss", "", True)).key
DDPM_LOSS_BUCKETS = tuple(
    register_metric(
        MetricInfo(f"noise_mse_t{low + 1}", f"denoising loss, {range_label(low, high)}", "", True)
    ).key
    for low, high in strata()
)

# The RBM's own metrics (nats per image, on binarised pixels). Its pseudo-log-likelihood is NOT
# a likelihood (each pixel given all the others); its AIS numbers estimate the real one.
PSEUDO_LL = register_metric(
    MetricInfo("pseudo_ll", "pseudo-log-likelihood (not a likelihood)", _NATS, False)
).key
FREE_ENERGY_GAP = register_metric(
    MetricInfo("free_energy_gap", "free-energy gap, test - train", _NATS, None)
).key
AIS_NLL = register_metric(MetricInfo("ais_nll", "AIS test NLL", _NATS, True)).key
AIS_NLL_LOW = register_metric(MetricInfo("ais_nll_low", "AIS test NLL - 3 s.e.", _NATS, None)).key
AIS_NLL_HIGH = register_metric(MetricInfo("ais_nll_high", "AIS test NLL + 3 s.e.", _NATS, None)).key
LOG_Z = register_metric(MetricInfo("log_z", "log Z (AIS)", "nats", None)).key
# A hinge-loss discriminator's mean raw scores (the BigGAN-style GAN): unbounded, not
# probabilities, so they are not D_REAL / D_FAKE.
D_REAL_SCORE = register_metric(MetricInfo("d_real_score", "D(x) score", "raw score", None)).key
D_FAKE_SCORE = register_metric(MetricInfo("d_fake_score", "D(G(z)) score", "raw score", None)).key
# CycleGAN (Zhu et al. 2017): training losses of its four networks, the test cycle error, and
# the evaluation's translation section (the classifier reads the translated test images).
G_ADVERSARIAL = register_metric(MetricInfo("g_adv", "G: A->B adversarial", "", None)).key
F_ADVERSARIAL = register_metric(MetricInfo("f_adv", "F: B->A adversarial", "", None)).key
D_A_LOSS = register_metric(MetricInfo("d_a_loss", "D_A loss", "", None)).key
D_B_LOSS = register_metric(MetricInfo("d_b_loss", "D_B loss", "", None)).key
CYCLE_L1 = register_metric(MetricInfo("cycle_l1", "cycle L1, both ways", "", True)).key
IDENTITY_L1 = register_metric(MetricInfo("identity_l1", "identity L1, both ways", "", True)).key
CYCLE_A = register_metric(MetricInfo("cycle_l1_a", "cycle L1, A->B->A", "per pixel", True)).key
CYCLE_B = register_metric(MetricInfo("cycle_l1_b", "cycle L1, B->A->B", "per pixel", True)).key
LABELLED_B = register_metric(MetricInfo("labelled_b", "G(A) labelled B", "share", False)).key
LABELLED_A = register_metric(MetricInfo("labelled_a", "F(B) labelled A", "share", False)).key
FID_TO_B = register_metric(MetricInfo("fid_to_b", "FID of G(A) to B", "", True)).key
FID_TO_A = register_metric(MetricInfo("fid_to_a", "FID of F(B) to A", "", True)).key
ACCURACY_ORIGINAL = register_metric(
    MetricInfo("accuracy_original", "accuracy on originals", "share", False)
).key
ACCURACY_SHIFTED = register_metric(
    MetricInfo("accuracy_shifted", "accuracy on shifted", "share", False)
).key
ACCURACY_TRANSLATED = register_metric(
    MetricInfo("accuracy_translated", "accuracy on F(shifted)", "share", False)
).key
RECOVERED = register_metric(
    MetricInfo("recovered", "accuracy gap recovered by F", "share", False)
).key
