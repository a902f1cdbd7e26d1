"""The theory page's lines: each statement with one sentence per run that speaks to it, read
from the metrics document, and what to train where no run does; never an answer."""

from __future__ import annotations

from trainer.registry import model_names
from trainer.report.theory import STATEMENTS, theory_lines

VAE = {
    "model": "vae",
    "label": "VAE",
    "config": {"latent_dim": 32, "beta": 1.0},
    "test": {"overall": {"kl": 15.94, "neg_elbo": 238.81, "recon": 222.87}},
    "test_likelihood": {"kind": "none", "reason": "its decoder is no probability of 8-bit pixels"},
    "sample_cost": {
        "ms_per_sample": 0.11,
        "network_evaluations": 1,
        "sampler": "one pass",
        "device": "cpu",
        "batch": 1000,
    },
    "samples": {"fid": 40.2, "class_histogram": [0.1] * 10},
}
DDPM = {
    "model": "ddpm",
    "label": "DDPM",
    "config": {"latent_dim": 784},
    "test_likelihood": {
        "kind": "bound",
        "bits_per_dim": 1.234,
        "estimate": "Monte Carlo over t, 200 test images",
    },
    "sample_cost": {
        "ms_per_sample": 227.0,
        "network_evaluations": 50,
        "sampler": "DDIM, 50 deterministic steps",
        "device": "cpu",
        "batch": 100,
    },
}


RBM = {
    "model": "rbm",
    "label": "RBM",
    "test_likelihood": {
        "kind": "estimate",
        "binarised": True,
        "nats": 286.44,
        "error_bar": 0.93,
        "estimate": "AIS",
    },
}


GUIDED = {
    "model": "guided",
    "label": "Guided DDPM",
    "dial_sweeps": {
        "guidance": {
            "label": "Guidance w",
            "off": "",
            "points": [
                {"value": 0.0, "fid": 30.0, "precision": 0.5, "recall": 0.61, "as_asked": 0.62},
                {"value": 2.0, "fid": 25.0, "precision": 0.7, "recall": 0.35, "as_asked": 0.94},
            ],
        }
    },
}


def line(lines, start: str):
    return next(line for line in lines if line.text.startswith(start))


def test_each_statement_gets_the_runs_own_numbers_with_their_run():
    lines = theory_lines({"runs": {"a": VAE, "b": DDPM}})
    assert [line.number for line in lines] == list(range(1, len(STATEMENTS) + 1))
    vae = line(lines, "A VAE is trained on the reconstruction error alone")
    assert vae.evidence == (
        "VAE: trained with KL weight beta = 1; KL term 15.9 nats of the -ELBO's 238.8 nats per "
        "test image "
        "(reconstruction term 222.9)",
    )
    beta_zero = {**VAE, "config": {"latent_dim": 32, "beta": 0.0}}  # the KL weight is said
    (words,) = line(theory_lines({"runs": {"a": beta_zero}}), "A VAE is trained").evidence
    assert words.startswith("VAE: trained with KL weight beta = 0; KL term 15.9")
    assert line(lines, "A VAE's latent code").evidence == (
        "VAE: latent code of 32 numbers for an image of 784 pixels",
    )
    cost = line(lines, "Sampling from a diffusion model").evidence
    assert cost[0].startswith("VAE: 0.11 ms per sample, 1 network evaluation (one pass")
    assert cost[1].startswith("DDPM: 227.00 ms per sample, 50 network evaluations (DDIM, 50")
    diffusion = line(lines, "A diffusion model is trained by maximising").evidence
    assert diffusion == (
        "DDPM: trained on 'denoising bound'; its test likelihood is a bound: 1.234 bits per "
        "pixel (Monte Carlo over t, 200 test images)",
    )


def test_the_rbm_statement_shows_its_ais_likelihood_in_nats():
    lines = theory_lines({"runs": {"r": RBM}})
    (evidence,) = line(lines, "Training a restricted Boltzmann machine").evidence
    assert evidence.startswith("RBM: trained on 'likelihood (CD-k or PCD gradient)'")
    assert "its test likelihood is an estimate: 286.4 nats per binarised image (+-0.9) (AIS)" in (
        evidence
    )


def test_guidance_shows_its_sweep_point_by_point():
    lines = theory_lines({"runs": {"g": GUIDED}})
    assert line(lines, "Guided diffusion").evidence == (
        "Guided DDPM, Guidance w at 0: 62% labelled as asked, recall 0.61; "
        "2: 94% labelled as asked, recall 0.35",
    )


def test_a_conditional_gans_discriminator_reads_the_class_too():
    cgan = {"model": "cgan", "label": "cGAN", "samples": {"fid": 80.0}}
    (words,) = line(theory_lines({"runs": {"c": cgan}}), "A GAN's discriminator").evidence
    assert words == (
        "cGAN: the discriminator reads a 28x28 image (784 numbers) and the class it was asked "
        "for and returns one number; its samples' FID 80.0"
    )


def test_biggans_statement_shows_its_truncation_sweep_with_the_off_setting():
    points = [{"value": 0.5, "fid": 9.0, "precision": 0.9, "recall": 0.2, "as_asked": 0.99}]
    points.append({"value": None, "fid": 7.0, "precision": 0.7, "recall": 0.5, "as_asked": 0.9})
    sweep = {"truncation": {"label": "Truncation psi", "off": "none", "points": points}}
    biggan = {"model": "biggan", "label": "BigGAN", "dial_sweeps": sweep}
    (words,) = line(theory_lines({"runs": {"b": biggan}}), "BigGAN provides").evidence
    assert words == (
        "BigGAN, Truncation psi at 0.5: 99% labelled as asked, recall 0.20; "
        "none: 90% labelled as asked, recall 0.50"
    )


def test_a_statement_without_a_run_says_what_to_train_and_gives_no_answer():
    lines = theory_lines({"runs": {"a": VAE}})
    flow = line(lines, "A normalizing flow is trained")
    assert flow.evidence == () and flow.missing == (
        "No evaluated run speaks to it: train and evaluate a Flow."
    )
    gan = line(lines, "A GAN's discriminator")
    assert gan.missing == (
        "No evaluated run speaks to it: train and evaluate a GAN or a WGAN-GP or a cGAN."
    )
    if "cyclegan" not in model_names():
        assert line(lines, "Domain adaptation").missing == "fmgen has no model that shows this yet."
    for each in lines:  # evidence and hints only: the page never answers
        for words in (*each.evidence, each.missing):
            assert not words.lower().startswith(("true", "false", "yes", "no."))


def test_an_empty_or_damaged_document_gives_every_statement_its_hint():
    for metrics in ({}, {"runs": {}}, {"runs": {"x": {"model": "vae", "label": "VAE"}}}):
        lines = theory_lines(metrics)
        assert all(line.missing for line in lines if line.text.startswith("A VAE is trained"))
