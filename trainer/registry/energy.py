"""The registry entries of the energy-based models: the restricted Boltzmann machine.

Registered after trainer.registry.flow_ddpm's flow and DDPM (the order of the CLI's choices).
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

_NATS = "nats per image"

RBM = register_model(
    ModelSpec(
        name="rbm",
        label="RBM",
        title="RBM (restricted Boltzmann machine)",
        learner="RBMLearner",
        objective="likelihood (CD-k or PCD gradient)",
        description=(
            "A Bernoulli-Bernoulli restricted Boltzmann machine (Hinton 2002) on binarised "
            "pixels: 784 binary visible units joined to binary hidden units (the latent size, "
            "500 by default) by one weight matrix, p(v) = exp(-F(v)) / Z with the free energy "
            "F. Training follows the likelihood's gradient as contrastive divergence estimates "
            "it: k Gibbs steps from the data (CD-k) or from persistent chains (PCD, Tieleman "
            "2008). Sampling runs a Gibbs chain; the test log-likelihood needs log Z, which "
            "annealed importance sampling estimates (Salakhutdinov & Murray 2008)."
        ),
        # Adam at 1e-3 on CD's gradient; batches of 100 as S&M 2008; 500 hidden units as theirs.
        defaults={
            "latent_dim": 500,
            "lr": 1e-3,
            "batch_size": 100,
            "adam_betas": (0.9, 0.999),
            "binarize": True,
        },
        options=("latent_dim", "cd_k", "cd_chains", "adam_betas"),
        float32_only="its free energies and AIS weights sum hundreds of terms per image",
        step_metrics=(k.MSE,),
        test_metrics=(
            k.AIS_NLL,
            k.AIS_NLL_LOW,
            k.AIS_NLL_HIGH,
            k.LOG_Z,
            k.PSEUDO_LL,
            k.FREE_ENERGY_GAP,
            k.MSE,
        ),
        summary_metrics=(k.AIS_NLL, k.PSEUDO_LL, k.FREE_ENERGY_GAP, k.MSE),
        plots=(
            # the likelihood first: the report shows a model's first plot with test curves
            PlotSpec(
                "AIS test NLL (-log p(x)) with its +-3 s.e. band",
                "epoch",
                _NATS,
                (
                    CurveSpec(f"test/{k.AIS_NLL}", "AIS estimate"),
                    CurveSpec(f"test/{k.AIS_NLL_LOW}", "- 3 s.e."),
                    CurveSpec(f"test/{k.AIS_NLL_HIGH}", "+ 3 s.e."),
                ),
            ),
            PlotSpec(
                "Reconstruction error (one Gibbs step)",
                "step",
                "squared error per pixel",
                (CurveSpec(f"step/{k.MSE}", "train"),),
            ),
            PlotSpec(
                "Pseudo-log-likelihood (not a likelihood)",
                "epoch",
                _NATS,
                (CurveSpec(f"test/{k.PSEUDO_LL}", "test"),),
            ),
            PlotSpec(
                "Free-energy gap, test - train (grows when it overfits)",
                "epoch",
                _NATS,
                (CurveSpec(f"test/{k.FREE_ENERGY_GAP}", "test - 1,000 training images"),),
            ),
        ),
        grids=(
            GridSpec("samples", "RBM samples: p(v|h) after 1,000 Gibbs steps from random h"),
            GridSpec("filters", "The first 64 hidden units' weights as 28x28 filters"),
        ),
        sample_cost=1000,  # Gibbs steps (each two matrix products) of sample_images
        sampler="Gibbs, 1,000 steps",
        likelihood=Likelihood(
            "estimate",
            "p(x)",
            estimate="AIS, 1,000 intermediate distributions, 100 chains",
        ),
        unexplorable=(
            "its samples come from a long Gibbs chain that forgets where it starts, so no code "
            "decodes to a sample; its code p(h|x) decodes to a blurred copy of x by one "
            "mean-field step down, but a path between two codes is no path the model samples"
        ),
        sampling_chain=True,
        about_page="rbm.md",
    )
)
