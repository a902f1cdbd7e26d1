"""The RBM: its free energy and conditionals against brute force, AIS against an exact log Z by
enumeration, and its learner through a step, a resume, an evaluation and a Gibbs chain."""

from __future__ import annotations

import itertools
import math

import pytest
import torch
from torch.nn import functional as F

from fmgen_gui.report.tables import _likelihood_cell
from trainer.common import keys as k
from trainer.config.settings import default_config
from trainer.data.fashion_mnist import Split
from trainer.evaluation.comparison import LIKELIHOOD_SECTION
from trainer.evaluation.comparison import test_likelihood as report_likelihood
from trainer.evaluation.pictures import path_pictures
from trainer.learners import make_learner
from trainer.learners.rbm import KEPT_IMAGES
from trainer.models.ais import ais_log_z, base_rate_logits
from trainer.models.rbm import RBM
from trainer.registry import get_model
from trainer.runs.pins import Pin
from trainer.sampling.chain_frames import chain_frames

CPU = torch.device("cpu")


def states(n: int) -> torch.Tensor:
    """Every binary vector of length n (2^n, n), float64."""
    return torch.tensor(list(itertools.product([0.0, 1.0], repeat=n)), dtype=torch.float64)


def random_rbm(hidden: int, visible: int, seed: int = 0, scale: float = 0.3) -> RBM:
    """An RBM in float64 far from its initialisation (and from a base-rate model)."""
    generator = torch.Generator().manual_seed(seed)
    rbm = RBM(hidden, visible).double()
    with torch.no_grad():
        rbm.weight.normal_(0, scale, generator=generator)
        rbm.visible_bias.normal_(-1, 1, generator=generator)
        rbm.hidden_bias.normal_(0, 1, generator=generator)
    return rbm


def exact_log_z(rbm: RBM) -> float:
    """log Z = log sum_h exp(c.h + sum_i softplus(b_i + (W^T h)_i)): the visible units summed
    out in closed form, the 2^H hidden states enumerated."""
    h = states(rbm.hidden)
    with torch.no_grad():
        neg_f = h @ rbm.hidden_bias + F.softplus(h @ rbm.weight + rbm.visible_bias).sum(1)
    return torch.logsumexp(neg_f, 0).item()


def test_free_energy_and_conditionals_match_brute_force_on_a_3x4_rbm():
    rbm = random_rbm(hidden=4, visible=3, scale=1.0)
    v, h = states(3), states(4)
    with torch.no_grad():
        # -E(v, h) = b.v + c.h + h.W v for every pair: (8 visible states, 16 hidden states)
        neg_energy = (
            (v @ rbm.visible_bias)[:, None]
            + (h @ rbm.hidden_bias)[None, :]
            + v @ rbm.weight.T @ h.T
        )
        assert torch.allclose(rbm.free_energy(v), -torch.logsumexp(neg_energy, 1))
        joint = torch.softmax(neg_energy.flatten(), 0).reshape(8, 16)
        # p(h_j = 1 | v) by summing the joint: each row's hidden states with h_j on
        p_h = (joint / joint.sum(1, keepdim=True)) @ h
        assert torch.allclose(rbm.hidden_probs(v), p_h)
        p_v = (joint / joint.sum(0, keepdim=True)).T @ v
        assert torch.allclose(rbm.visible_probs(h), p_v)
        assert math.isclose(exact_log_z(rbm), torch.logsumexp(neg_energy.flatten(), 0).item())


def test_the_pseudo_log_likelihood_is_an_unbiased_estimate_of_the_pixel_conditionals():
    rbm = random_rbm(hidden=3, visible=5, scale=1.0)
    v = states(5)[[3, 17, 30]]
    with torch.no_grad():
        # log p(v_i | v_-i) of each image and pixel by brute force: v against v with i flipped
        conditionals = torch.empty(3, 5, dtype=torch.float64)
        for n, i in itertools.product(range(3), range(5)):
            flipped = v[n].clone()
            flipped[i] = 1 - flipped[i]
            pair = -rbm.free_energy(torch.stack([v[n], flipped]))
            conditionals[n, i] = pair[0] - torch.logsumexp(pair, 0)
        for seed in range(10):  # the pixel each image's estimate picks, drawn as it draws it
            pick = torch.randint(5, (3,), generator=torch.Generator().manual_seed(seed))
            estimate = rbm.pseudo_log_likelihood(v, torch.Generator().manual_seed(seed))
            # D log p(v_i | v_-i), i uniform: its mean over i is the sum over the pixels
            assert torch.allclose(estimate, 5 * conditionals[torch.arange(3), pick])
    pll = conditionals.sum(1)
    log_p = -rbm.free_energy(v).detach() - exact_log_z(rbm)
    assert (pll - log_p).abs().max() > 0.3  # not the likelihood: each pixel sees the others


def _ais(rbm: RBM, steps: int, chains: int, seed: int):
    base = base_rate_logits(torch.sigmoid(rbm.visible_bias.detach()))
    return ais_log_z(rbm, base, steps, chains, torch.Generator().manual_seed(seed))


def test_ais_lands_within_its_stated_error_of_the_exact_log_z():
    rbm = random_rbm(hidden=12, visible=100)
    exact = exact_log_z(rbm)
    for seed in range(2):
        estimate = _ais(rbm, steps=1000, chains=50, seed=seed)
        assert 0 < estimate.error_bar < 0.5  # a stated error tight enough to mean something
        assert abs(estimate.log_z - exact) <= estimate.error_bar


def test_ais_approaches_the_exact_log_z_as_intermediate_distributions_grow():
    rbm = random_rbm(hidden=12, visible=100)
    exact = exact_log_z(rbm)
    errors = []
    for steps in (10, 100, 1000):
        estimates = [_ais(rbm, steps, chains=50, seed=seed).log_z for seed in range(4)]
        errors.append(sum(abs(e - exact) for e in estimates) / len(estimates))
        if steps == 10:  # Jensen: log of an unbiased Z estimate falls short on average
            assert sum(estimates) / len(estimates) < exact
    assert errors[0] > errors[1] > errors[2] and errors[2] < 0.3


def rbm_learner(**config):
    values = {"latent_dim": 8, "batch_size": 20, "device": "cpu", **config}
    return make_learner(default_config("rbm", **values), CPU)


@pytest.mark.usefixtures("small_networks")
@pytest.mark.parametrize("chains", ["data", "persistent"])
def test_the_rbm_trains_resumes_and_evaluates(tiny_data, chains):
    learner = rbm_learner(cd_chains=chains, cd_k=2)
    images = tiny_data.train.images[:20]
    errors = [learner.train_step(images)[k.MSE] for _ in range(60)]
    assert sum(errors[-10:]) < sum(errors[:10])  # it learns to reconstruct the batch
    # every batch counts towards the base rate; the gap keeps the first KEPT_IMAGES seen
    assert learner.model.pixel_count.item() == 60 * 20
    assert learner.model.kept_count.item() == KEPT_IMAGES
    resumed = rbm_learner(cd_chains=chains, cd_k=2)
    resumed.load_state_dict(learner.state_dict())
    saved, loaded = learner.model.state_dict(), resumed.model.state_dict()
    for name in saved:
        assert torch.equal(
            saved[name], loaded[name]
        )  # the persistent chains and the data statistics too
    assert learner.train_step(images) == resumed.train_step(images)  # the same next step
    test = resumed.evaluate(tiny_data.test)
    assert set(test) == set(resumed.spec.test_metrics)
    assert test[k.AIS_NLL_LOW] < test[k.AIS_NLL] < test[k.AIS_NLL_HIGH]
    assert 0 < test[k.AIS_NLL] < 784 * math.log(2)  # better than a coin per pixel
    assert test[k.PSEUDO_LL] < 0


@pytest.mark.usefixtures("small_networks")
def test_a_gibbs_chain_is_watched_step_by_step():
    learner = rbm_learner()
    frames = chain_frames(learner, seed=3, sampler="Gibbs, 100 steps")
    assert len(frames) == 100 and frames.step_name(0) == "Gibbs step 1"
    assert set(frames.noisy[1:].flatten().tolist()) <= {0, 255}  # binary states after step 1
    samples = learner.sample_images(torch.randn(3, 8))
    assert samples.shape == (3, 1, 28, 28) and samples.min() >= 0 and samples.max() <= 1


@pytest.mark.usefixtures("small_networks")
def test_the_reports_ais_likelihood_of_a_weightless_rbm_is_the_closed_form(monkeypatch):
    monkeypatch.setattr("trainer.learners.rbm.AIS_STEPS", 500)
    learner = rbm_learner()
    generator = torch.Generator().manual_seed(2)
    rbm = learner.model.rbm
    with torch.no_grad():  # no weights: independent pixels, p(v_i = 1) = sigmoid(b_i)
        rbm.weight.zero_()
        rbm.visible_bias.normal_(0, 1, generator=generator)
        rbm.hidden_bias.normal_(0, 1, generator=generator)
    images = torch.randint(0, 2, (50, 28, 28), dtype=torch.uint8, generator=generator) * 255
    split = Split(images, torch.zeros(50, dtype=torch.long))  # black and white: no draws
    found = report_likelihood(learner, get_model("rbm"), None, split)
    v = images.reshape(50, -1).double() / 255
    b = rbm.visible_bias.detach().double()
    expected = (F.softplus(b).sum() - v @ b).mean().item()  # -log p(v), nats
    assert found["kind"] == "estimate" and found["binarised"]
    assert abs(found["nats"] - expected) <= found["error_bar"] < 1
    cell = _likelihood_cell({LIKELIHOOD_SECTION: found})
    assert "&asymp;" in cell and "nats per binarised image" in cell and "AIS" in cell


def test_the_report_draws_no_paths_through_the_unexplorable_rbm(tiny_data):
    learner = rbm_learner()
    fallback = Pin("rbm-1", "within", "latent", 1, 2)
    assert path_pictures(learner, get_model("rbm"), tiny_data.test, [fallback], fallback, 0) == []
