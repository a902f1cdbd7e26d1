"""The registry entries of the translation models: CycleGAN (Zhu et al. 2017) between two
domains of Fashion-MNIST, for style transfer between garments and for domain adaptation.

Registered after trainer.registry.energy's RBM (the order of the CLI's choices).
"""

from __future__ import annotations

from trainer.common import keys as k
from trainer.registry.spec import (
    CurveSpec,
    GridSpec,
    Likelihood,
    ModelSpec,
    PlotSpec,
    register_model,
)

CYCLEGAN = register_model(
    ModelSpec(
        name="cyclegan",
        label="CycleGAN",
        title="CycleGAN (unpaired translation, domain adaptation)",
        learner="CycleGANLearner",
        objective="least-squares adversarial loss, cycle and identity L1",
        description=(
            "Unpaired image-to-image translation (Zhu et al. 2017) between two domains: two "
            "classes of Fashion-MNIST (sneakers and ankle boots by default), or the images and "
            "a shifted copy of them that the classifier fails on. Two ResNet generators, G: "
            "A -> B and F: B -> A, each play a least-squares GAN against a PatchGAN "
            "discriminator of their target domain, and the cycle loss asks F(G(a)) = a and "
            "G(F(b)) = b, so that a translation keeps what the image shows. Translating the "
            "shifted test images back with F lets the classifier read them again: domain "
            "adaptation."
        ),
        # Zhu et al. sec. 4: Adam at 2e-4 with betas (0.5, 0.999). Their batch is 1 at 256x256;
        # at 28x28 a batch of 16 steps in about 0.3 CPU seconds (one thread) and keeps the
        # updates many within the domain-adaptation target's 30 CPU minutes.
        defaults={"lr": 2e-4, "batch_size": 16, "adam_betas": (0.5, 0.999)},
        options=("domains", "cycle_weight", "adam_betas"),
        step_metrics=(
            k.G_ADVERSARIAL,
            k.F_ADVERSARIAL,
            k.D_A_LOSS,
            k.D_B_LOSS,
            k.CYCLE_L1,
            k.IDENTITY_L1,
        ),
        test_metrics=(k.CYCLE_A, k.CYCLE_B),
        summary_metrics=(k.CYCLE_A, k.CYCLE_B),
        plots=(
            PlotSpec(
                "Cycle error on the test images (|F(G(a)) - a|, |G(F(b)) - b|)",
                "epoch",
                "mean absolute error per pixel, [0, 1] pixels",
                (
                    CurveSpec(f"test/{k.CYCLE_A}", "A -> B -> A"),
                    CurveSpec(f"test/{k.CYCLE_B}", "B -> A -> B"),
                ),
            ),
            PlotSpec(
                "Least-squares adversarial losses per step",
                "step",
                "loss",
                (
                    CurveSpec(f"step/{k.G_ADVERSARIAL}", "G: A -> B"),
                    CurveSpec(f"step/{k.F_ADVERSARIAL}", "F: B -> A"),
                    CurveSpec(f"step/{k.D_A_LOSS}", "D_A"),
                    CurveSpec(f"step/{k.D_B_LOSS}", "D_B"),
                ),
            ),
            PlotSpec(
                "Cycle and identity losses per step (unweighted, both ways summed)",
                "step",
                "mean absolute error per pixel, [-1, 1] pixels",
                (
                    CurveSpec(f"step/{k.CYCLE_L1}", "cycle"),
                    CurveSpec(f"step/{k.IDENTITY_L1}", "identity"),
                ),
            ),
        ),
        grids=(
            GridSpec("a_to_b", "Test images of domain A (row 1), G(a) (row 2), F(G(a)) (row 3)"),
            GridSpec("b_to_a", "Test images of domain B (row 1), F(b) (row 2), G(F(b)) (row 3)"),
        ),
        sampler="none: translates test images",
        likelihood=Likelihood("none", reason="a translator defines no density"),
        unexplorable="it has no latent space: it maps an image of one domain to the other",
        translates=True,
        about_page="cyclegan.md",
    )
)
