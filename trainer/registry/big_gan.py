"""The registry entry of the BigGAN-style class-conditional GAN (Brock et al. 2019)."""

from __future__ import annotations

from trainer.common import keys as k
from trainer.registry.spec import (
    CurveSpec,
    GridSpec,
    Likelihood,
    ModelSpec,
    PlotSpec,
    SamplingDial,
    register_model,
)

TRUNCATION = SamplingDial(
    "truncation",
    "Truncation psi",
    0.25,
    2.0,
    default=None,
    sweep=(0.25, 0.5, 1.0, 1.5, 2.0, None),
    help=(
        "Draw the noise from a normal truncated at psi (the truncation trick): a smaller psi "
        "keeps the noise near the mode, for more typical, cleaner images of less variety; "
        "'none' samples the noise the generator was trained on."
    ),
    off="none",
)

BIGGAN = register_model(
    ModelSpec(
        name="biggan",
        label="BigGAN",
        title="BigGAN (class-conditional, truncation trick)",
        learner="BigGANLearner",
        objective="hinge loss, class-conditional",
        description=(
            "BigGAN's ideas at 28x28 (Brock et al. 2019): residual generator and "
            "discriminator, spectral norm in both, a shared class embedding feeding "
            "conditional batch norm in the generator, a projection discriminator (Miyato & "
            "Koyama 2018), the hinge loss and a moving average of the generator's weights for "
            "sampling. The truncation trick trades variety for fidelity at sampling time."
        ),
        # Adam betas (0, 0.999) as BigGAN. Its lrs (G 5e-5 / D 2e-4; 1e-4 / 4e-4 at 128x128) go
        # with batches of 256 to 2,048 and two D steps per G step; at batches of 64, G 1e-4 /
        # D 4e-4 had not learned trousers from bags after 240 steps where 2e-4 for both (SNGAN's
        # lr) had after 180 (benchmarks/results/biggan.txt).
        defaults={"latent_dim": 64, "lr": 2e-4, "batch_size": 64, "adam_betas": (0.0, 0.999)},
        options=("latent_dim", "adam_betas"),
        step_metrics=(k.D_LOSS, k.G_LOSS, k.D_REAL_SCORE, k.D_FAKE_SCORE),
        test_metrics=(k.D_REAL_SCORE, k.D_FAKE_SCORE),
        summary_metrics=(k.D_REAL_SCORE, k.D_FAKE_SCORE),
        plots=(
            PlotSpec(
                "Hinge losses per step",
                "step",
                "loss",
                (
                    CurveSpec(f"step/{k.D_LOSS}", "discriminator"),
                    CurveSpec(f"step/{k.G_LOSS}", "generator"),
                ),
            ),
            PlotSpec(
                "Discriminator scores per step",
                "step",
                "mean raw score",
                (
                    CurveSpec(f"step/{k.D_REAL_SCORE}", "D(x)"),
                    CurveSpec(f"step/{k.D_FAKE_SCORE}", "D(G(z))"),
                ),
            ),
        ),
        grids=(
            GridSpec(
                "samples",
                "BigGAN samples (weight average): a row per class (T-shirt/top to ankle boot), "
                "fixed noise per column",
            ),
        ),
        conditional=True,
        likelihood=Likelihood("none", "p(x|y)", "a GAN defines no density"),
        about_page="biggan.md",
        dials=(TRUNCATION,),
    )
)
