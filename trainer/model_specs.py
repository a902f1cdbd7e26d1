"""The registry entries of fmgen's built-in models."""

from __future__ import annotations

from trainer import keys as k
from trainer.registry import CurveSpec, GridSpec, Likelihood, ModelSpec, PlotSpec, register_model

_NATS = "nats per image"

VAE = register_model(
    ModelSpec(
        name="vae",
        label="VAE",
        title="VAE (variational autoencoder)",
        learner="trainer.learners:VAELearner",
        objective="ELBO",
        description=(
            "A convolutional variational autoencoder (Kingma & Welling 2014). The encoder maps "
            "an image to a Gaussian over latent codes, the decoder maps a code to Bernoulli "
            "pixel probabilities; training maximises the evidence lower bound (ELBO): "
            "reconstruction log-likelihood minus beta times the KL divergence from the prior."
        ),
        # Adam at 1e-3 (Kingma & Welling used Adagrad; Adam is the common modern choice).
        defaults={"latent_dim": 32, "lr": 1e-3, "batch_size": 128, "adam_betas": (0.9, 0.999)},
        options=("beta", "binarize", "adam_betas"),
        step_metrics=(k.LOSS, k.RECON, k.KL, k.NEG_ELBO),
        test_metrics=(k.BCE, k.KL, k.MSE, k.NEG_ELBO),
        summary_metrics=(k.NEG_ELBO, k.BCE, k.KL, k.MSE),
        plots=(
            PlotSpec(
                "Training loss per step",
                "step",
                _NATS,
                (
                    CurveSpec(f"step/{k.LOSS}", "total"),
                    CurveSpec(f"step/{k.RECON}", "reconstruction"),
                    CurveSpec(f"step/{k.KL}", "KL"),
                ),
            ),
            PlotSpec(
                "-ELBO per epoch",
                "epoch",
                _NATS,
                (
                    CurveSpec(f"train/{k.NEG_ELBO}", "train"),
                    CurveSpec(f"test/{k.NEG_ELBO}", "test"),
                ),
            ),
        ),
        grids=(
            GridSpec("samples", "VAE samples from the prior (fixed noise)"),
            GridSpec("reconstructions", "Test images (odd rows) and their reconstructions"),
        ),
        has_encoder=True,
        likelihood=Likelihood("bound", "p(x)"),
    )
)

GAN = register_model(
    ModelSpec(
        name="gan",
        label="GAN",
        title="GAN (DCGAN)",
        learner="trainer.learners:GANLearner",
        objective="adversarial (non-saturating)",
        description=(
            "A DCGAN (Radford et al. 2016): a generator turns noise into images, a "
            "discriminator tells them from real ones, and each learns against the other "
            "(Goodfellow et al. 2014, non-saturating generator loss). D(x) and D(G(z)) show "
            "how sure the discriminator is; near 0.5 both means neither side is winning."
        ),
        # The DCGAN recipe of Radford et al. 2016: lr 2e-4 and beta1 0.5 (0.9 oscillates).
        defaults={"latent_dim": 64, "lr": 2e-4, "batch_size": 128, "adam_betas": (0.5, 0.999)},
        options=("adam_betas",),
        step_metrics=(k.D_LOSS, k.G_LOSS, k.D_REAL, k.D_FAKE),
        test_metrics=(k.D_REAL, k.D_FAKE),
        summary_metrics=(k.D_REAL, k.D_FAKE),
        plots=(
            PlotSpec(
                "Losses per step",
                "step",
                "loss",
                (
                    CurveSpec(f"step/{k.D_LOSS}", "discriminator"),
                    CurveSpec(f"step/{k.G_LOSS}", "generator"),
                ),
            ),
            PlotSpec(
                "Discriminator outputs per step",
                "step",
                "mean probability",
                (CurveSpec(f"step/{k.D_REAL}", "D(x)"), CurveSpec(f"step/{k.D_FAKE}", "D(G(z))")),
            ),
        ),
        grids=(GridSpec("samples", "GAN samples (fixed noise)"),),
        likelihood=Likelihood("none", reason="a GAN defines no density"),
    )
)
