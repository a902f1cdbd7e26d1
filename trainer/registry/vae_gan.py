"""The registry entries of the VAE and GAN families (trainer.registry.flow_ddpm: the flow and
the DDPM)."""

from __future__ import annotations

from trainer.common import keys as k
from trainer.registry.spec import (
    CurveSpec,
    GridSpec,
    Likelihood,
    ModelSpec,
    PlotSpec,
    RateDistortion,
    register_model,
)

_NATS = "nats per image"
_CLASS_ROWS = "{} samples: a row per class (T-shirt/top to ankle boot), fixed noise per column"

VAE = register_model(
    ModelSpec(
        name="vae",
        label="VAE",
        title="VAE (variational autoencoder)",
        learner="VAELearner",
        objective="ELBO",
        description=(
            "A convolutional variational autoencoder (Kingma & Welling 2014). The encoder maps "
            "an image to a Gaussian over latent codes, the decoder maps a code to Bernoulli "
            "pixel probabilities (or, with the logistic decoder, to discretised logistics over "
            "the 256 pixel values); training maximises the evidence lower bound (ELBO): "
            "reconstruction log-likelihood minus beta times the KL divergence from the prior."
        ),
        # Adam at 1e-3 (Kingma & Welling used Adagrad; Adam is the common modern choice).
        defaults={"latent_dim": 32, "lr": 1e-3, "batch_size": 128, "adam_betas": (0.9, 0.999)},
        options=("latent_dim", "beta", "binarize", "adam_betas", "decoder"),
        step_metrics=(k.LOSS, k.RECON, k.KL, k.NEG_ELBO),
        # BCE with the Bernoulli decoder; reconstruction and bits/dim with the logistic one.
        test_metrics=(k.BCE, k.RECON, k.KL, k.MSE, k.NEG_ELBO, k.BITS_PER_DIM),
        summary_metrics=(k.NEG_ELBO, k.BITS_PER_DIM, k.BCE, k.RECON, k.KL, k.MSE),
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
        posterior=True,
        likelihood=Likelihood("bound", "p(x)", estimate="IWAE"),
        about_page="vae.md",
        # beta weighs the KL (rate) against the reconstruction (distortion) term.
        rate_distortion=RateDistortion(("beta",)),
    )
)

GAN = register_model(
    ModelSpec(
        name="gan",
        label="GAN",
        title="GAN (DCGAN)",
        learner="GANLearner",
        objective="adversarial loss (non-saturating)",
        description=(
            "A DCGAN (Radford et al. 2016): a generator turns noise into images, a "
            "discriminator tells them from real ones, and each learns against the other "
            "(Goodfellow et al. 2014, non-saturating generator loss)."
        ),
        # The DCGAN recipe of Radford et al. 2016: lr 2e-4 and beta1 0.5 (0.9 oscillates).
        defaults={"latent_dim": 64, "lr": 2e-4, "batch_size": 128, "adam_betas": (0.5, 0.999)},
        options=("latent_dim", "adam_betas"),
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
        about_page="gan.md",
    )
)

WGAN = register_model(
    ModelSpec(
        name="wgan",
        label="WGAN-GP",
        title="WGAN-GP (Wasserstein GAN, gradient penalty)",
        learner="WGANLearner",
        objective="Wasserstein-1 distance (critic estimate, gradient penalty)",
        description=(
            "A Wasserstein GAN with gradient penalty (Gulrajani et al. 2017) and the DCGAN "
            "generator. The critic scores images instead of classifying them: if it is "
            "1-Lipschitz, E[D(x)] - E[D(G(z))] at its best is the Wasserstein-1 (earth "
            "mover's) distance between real and generated images. A gradient penalty keeps "
            "the critic 1-Lipschitz."
        ),
        # Gulrajani et al. 2017, alg. 1: lr 1e-4, Adam betas (0, 0.9), n_critic 5, lambda 10.
        defaults={
            "latent_dim": 64,
            "lr": 1e-4,
            "batch_size": 64,
            "adam_betas": (0.0, 0.9),
            "n_critic": 5,
            "gp_weight": 10.0,
            "ct_weight": 0.0,  # WGAN-CT (Wei et al. 2018) when above 0; they use 2
        },
        options=("latent_dim", "adam_betas", "n_critic", "gp_weight", "ct_weight"),
        step_metrics=(
            k.WASSERSTEIN,
            k.GRADIENT_PENALTY,
            k.CRITIC_LOSS,
            k.G_LOSS,
            k.G_UPDATES,
            k.CONSISTENCY,
        ),
        test_metrics=(k.WASSERSTEIN, k.LIPSCHITZ_MAX, k.LIPSCHITZ_P95),
        summary_metrics=(k.WASSERSTEIN, k.LIPSCHITZ_MAX),
        plots=(
            PlotSpec(
                "Critic's Wasserstein estimate per step",
                "step",
                "E[D(x)] - E[D(G(z))]",
                (CurveSpec(f"step/{k.WASSERSTEIN}", "estimate"),),
            ),
            PlotSpec(
                "Gradient penalty per step",
                "step",
                "E[(|grad D| - 1)^2]",
                (CurveSpec(f"step/{k.GRADIENT_PENALTY}", "penalty"),),
            ),
            PlotSpec(
                "Generator loss per step",
                "step",
                "-E[D(G(z))]",
                (CurveSpec(f"step/{k.G_LOSS}", "generator"),),
            ),
            PlotSpec(
                "Consistency term per step (WGAN-CT; 0 when its weight is 0)",
                "step",
                "lambda_CT * CT",
                (CurveSpec(f"step/{k.CONSISTENCY}", "consistency"),),
            ),
            PlotSpec(
                "Critic's empirical Lipschitz ratio per epoch",
                "epoch",
                "|D(x) - D(x')| / ||x - x'||",
                (
                    CurveSpec(f"test/{k.LIPSCHITZ_MAX}", "max"),
                    CurveSpec(f"test/{k.LIPSCHITZ_P95}", "95th percentile"),
                ),
            ),
        ),
        grids=(GridSpec("samples", "WGAN-GP samples (fixed noise)"),),
        likelihood=Likelihood("none", reason="a GAN defines no density"),
        about_page="wgan.md",
    )
)

CGAN = register_model(
    ModelSpec(
        name="cgan",
        label="cGAN",
        title="cGAN (conditional DCGAN)",
        learner="CGANLearner",
        objective="adversarial loss (non-saturating), class-conditional",
        description=(
            "A conditional GAN (Mirza & Osindero 2014) on the DCGAN: the generator reads the "
            "noise with the wanted class appended, and the discriminator judges whether an "
            "image is a real image of the given class (a projection discriminator, Miyato & "
            "Koyama 2018). Trained on the labels, it draws a chosen class."
        ),
        defaults=GAN.defaults,
        options=GAN.options,
        step_metrics=GAN.step_metrics,
        test_metrics=GAN.test_metrics,
        summary_metrics=GAN.summary_metrics,
        plots=GAN.plots,
        grids=(GridSpec("samples", _CLASS_ROWS.format("cGAN")),),
        conditional=True,
        likelihood=Likelihood("none", "p(x|y)", "a GAN defines no density"),
        about_page="cgan.md",
    )
)

CVAE = register_model(
    ModelSpec(
        name="cvae",
        label="cVAE",
        title="cVAE (conditional VAE)",
        learner="CVAELearner",
        objective="ELBO of log p(x|y)",
        description=(
            "A conditional VAE (Sohn et al. 2015): encoder and decoder both read the class "
            "label, so the latent code need not hold the class and keeps style (shape, "
            "thickness, brightness). Training maximises a lower bound on log p(x|y); "
            "decoding one code with each label draws the same style in every class."
        ),
        defaults=VAE.defaults,
        options=VAE.options,
        step_metrics=VAE.step_metrics,
        test_metrics=VAE.test_metrics,
        summary_metrics=VAE.summary_metrics,
        plots=VAE.plots,
        grids=(
            GridSpec("samples", _CLASS_ROWS.format("cVAE")),
            GridSpec("reconstructions", "Test images (odd rows) and their reconstructions"),
        ),
        has_encoder=True,
        posterior=True,
        conditional=True,
        likelihood=Likelihood("bound", "p(x|y)", estimate="IWAE"),
        about_page="cvae.md",
        rate_distortion=VAE.rate_distortion,
    )
)
