"""The registry entries of the likelihood models: the RealNVP flow, the DDPM and the guided
(class-conditional) DDPM.

Registered after trainer.registry.vae_gan's VAE and GAN families (trainer.registry imports both,
in that order: the order of the CLI's choices).
"""

from __future__ import annotations

from trainer.common import keys as k
from trainer.common.keys import metric_label
from trainer.registry.spec import (
    CurveSpec,
    GridSpec,
    Likelihood,
    ModelSpec,
    PlotSpec,
    SamplingDial,
    register_model,
)

_BITS = "bits per dimension"

FLOW = register_model(
    ModelSpec(
        name="flow",
        label="Flow",
        title="Flow (RealNVP normalizing flow)",
        learner="FlowLearner",
        objective="exact likelihood",
        description=(
            "A RealNVP normalizing flow (Dinh et al. 2017): an invertible network that maps an "
            "image to a latent of the same 784 dimensions, through affine coupling layers with "
            "checkerboard and channel masks at three scales (28, 14, 7 pixels). Its likelihood "
            "is exact (change of variables), so training maximises it directly and the test "
            "score is the bits per pixel of 8-bit images. Sampling is one inverse pass; "
            "encoding and decoding are exact inverses."
        ),
        # Dinh et al. 2017 trained with Adam at 1e-3 (sec. 4.1); 1.3 M parameters on the CPU.
        # The latent is the image: its size is fixed at 784, not an option.
        defaults={"latent_dim": 784, "lr": 1e-3, "batch_size": 64, "adam_betas": (0.9, 0.999)},
        options=("adam_betas",),
        float32_only="the flow's log-likelihood sums 784 per-pixel log-determinants, which need "
        "float32's digits",
        step_metrics=(k.BITS_PER_DIM,),
        test_metrics=(k.BITS_PER_DIM,),
        summary_metrics=(k.BITS_PER_DIM,),
        plots=(
            PlotSpec(
                "Bits per dimension",
                "epoch",
                _BITS,
                (
                    CurveSpec(f"train/{k.BITS_PER_DIM}", "train"),
                    CurveSpec(f"test/{k.BITS_PER_DIM}", "test"),
                ),
            ),
            PlotSpec(
                "Bits per dimension per step",
                "step",
                _BITS,
                (CurveSpec(f"step/{k.BITS_PER_DIM}", "train (dequantised)"),),
            ),
        ),
        grids=(
            GridSpec("samples", "Flow samples (fixed noise, one inverse pass)"),
            GridSpec("cooled", "The same noise at temperature 0.7"),
        ),
        has_encoder=True,
        likelihood=Likelihood("exact", "p(x)", estimate="every test image, dequantised once"),
        sampling_chain=True,  # one inverse pass, shown a scale at a time
        about_page="flow.md",
    )
)

# The DDPM's own metrics: its training loss and the test loss per range of t (ranges that
# double in width; the paper's t runs 1..T).
DDPM = register_model(
    ModelSpec(
        name="ddpm",
        label="DDPM",
        title="DDPM (denoising diffusion)",
        learner="DDPMLearner",
        objective="denoising bound",
        description=(
            "A denoising diffusion probabilistic model (Ho et al. 2020). Training adds Gaussian "
            "noise to an image in one of T = 1000 steps of a fixed schedule and teaches a "
            "U-Net to predict that noise; sampling starts from pure noise and removes it step "
            "by step: all 1000 steps (ancestral sampling), 50 deterministic DDIM steps (Song "
            "et al. 2021), the default, or 15 steps of DPM-Solver++(2M) (Lu et al. 2022), a "
            "second-order solver of DDIM's ODE, offered where a sample is watched being made. "
            "Run backwards, DDIM maps an image to the noise it "
            "comes from (inversion), so paths can join two test images. The test score is the "
            "variational bound on the likelihood in bits per pixel, estimated over timesteps "
            "on 200 test images."
        ),
        # Ho et al. 2020 used Adam at 2e-4 for 35.7 M parameters; this 1.06 M U-Net learns much
        # faster at 1e-3 (mean loss of batches 31-40 of 32 images: 0.11 vs 0.52; 2e-3: 0.10).
        # The latent is the noise image x_T: its size is fixed at 784, not an option.
        defaults={"latent_dim": 784, "lr": 1e-3, "batch_size": 128, "adam_betas": (0.9, 0.999)},
        options=("adam_betas",),
        step_metrics=(k.DDPM_LOSS,),
        test_metrics=(k.BITS_PER_DIM, k.BITS_PER_DIM_SE, k.DDPM_LOSS, *k.DDPM_LOSS_BUCKETS),
        summary_metrics=(k.BITS_PER_DIM, k.BITS_PER_DIM_SE, k.DDPM_LOSS),
        plots=(
            PlotSpec(
                "Denoising loss per step",
                "step",
                "mean squared noise error",
                (CurveSpec(f"step/{k.DDPM_LOSS}", "train"),),
            ),
            # the bound first: the report shows a model's first plot with test curves
            PlotSpec(
                "Variational bound",
                "epoch",
                _BITS,
                (CurveSpec(f"test/{k.BITS_PER_DIM}", "test (200 images)"),),
            ),
            PlotSpec(
                "Test denoising loss per range of t (ranges double in width)",
                "epoch",
                "mean squared noise error",
                tuple(
                    CurveSpec(f"test/{key}", metric_label(key).removeprefix("denoising loss, "))
                    for key in k.DDPM_LOSS_BUCKETS
                ),
            ),
        ),
        grids=(
            GridSpec("samples", "DDPM samples (fixed noise, DDIM in 10 steps)"),
            GridSpec("chain", "Denoising: x_t (odd rows) and predicted x_0 (even rows)"),
        ),
        sample_cost=50,  # network evaluations of the default sampler, DDIM in 50 steps
        sampler="DDIM, 50 deterministic steps",
        likelihood=Likelihood("bound", "p(x)", estimate="Monte Carlo over t, 200 test images"),
        # encode: DDIM inversion in 50 steps (Song et al. 2021, sec. 4.3), the test images'
        # noise, so the explorer's paths join test images through their x_T
        has_encoder=True,
        encode_cost=50,
        interpolation="slerp",  # between noises, as Song et al. 2021 interpolate (sec. 5.3)
        sampling_chain=True,
        about_page="ddpm.md",
    )
)

# Classifier-free guidance (Ho & Salimans 2022): the DDPM's U-Net and training with a class
# embedding, sampled with the guided prediction at weight w.
GUIDED = register_model(
    ModelSpec(
        name="guided",
        label="Guided DDPM",
        title="Guided DDPM (classifier-free guidance)",
        learner="GuidedDDPMLearner",
        objective="denoising bound, class-conditional (labels dropped with p_uncond)",
        description=(
            "A class-conditional DDPM with classifier-free guidance (Ho & Salimans 2022). The "
            "DDPM's U-Net also reads the class, through an embedding added to its time "
            "embedding; in training the class is hidden (a learned 'no class' token) with "
            "probability p_uncond, so one network learns to denoise with and without a label. "
            "Sampling mixes the two predictions, eps = (1 + w) eps(x, t, y) - w eps(x, t), "
            "with a guidance weight w: w = 0 is the plain conditional model, a larger w makes "
            "samples more typical of their class and less diverse. The test score is the "
            "variational bound on p(x|y) in bits per pixel, as the DDPM's."
        ),
        defaults={**DDPM.defaults, "p_uncond": 0.1},  # Ho & Salimans 2022 find 0.1 to 0.2 best
        options=(*DDPM.options, "p_uncond"),
        step_metrics=DDPM.step_metrics,
        test_metrics=DDPM.test_metrics,
        summary_metrics=DDPM.summary_metrics,
        plots=DDPM.plots,
        grids=(
            GridSpec(
                "samples",
                "Guided DDPM samples: a row per class (T-shirt/top to ankle boot), fixed noise "
                "per column, DDIM in 10 steps at the default w",
            ),
            GridSpec("chain", "Denoising: x_t (odd rows) and predicted x_0 (even rows)"),
        ),
        conditional=True,
        # two network evaluations a step (conditional and unconditional, in one batch)
        sample_cost=2 * DDPM.sample_cost,
        sampler="DDIM, 50 deterministic steps of the guided prediction at weight w",
        likelihood=Likelihood(
            "bound",
            "p(x|y)",
            estimate="Monte Carlo over t, 200 test images, the conditional prediction (any w)",
        ),
        has_encoder=True,  # DDIM inversion of the guided prediction, with the image's label
        encode_cost=2 * DDPM.encode_cost,
        interpolation="slerp",
        sampling_chain=True,
        about_page="guided.md",
        dials=(
            SamplingDial(
                "guidance",
                "Guidance w",
                0.0,
                8.0,
                default=2.0,
                sweep=(0.0, 0.5, 1.0, 2.0, 4.0),
                help="classifier-free guidance weight w: 0 samples the conditional model as "
                "trained; a larger w makes each sample more clearly its class and the samples "
                "less diverse (Ho & Salimans 2022)",
            ),
        ),
    )
)
