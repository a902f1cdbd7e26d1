"""The guided DDPM (classifier-free guidance, Ho & Salimans 2022): the class-conditional U-Net,
the guidance formula, label dropout, and the learner end to end on tiny data."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from trainer.common.pixels import signed_to_unit
from trainer.config.settings import default_config
from trainer.learners import make_learner
from trainer.models.conditioning import NUM_CLASSES
from trainer.models.guidance import GuidedDenoiser, drop_labels
from trainer.models.unet import UNet
from trainer.runs.checkpoint import Checkpoint, save_checkpoint
from trainer.runs.loading import load_learner
from trainer.sampling.chain_frames import chain_frames

CPU = torch.device("cpu")
NO_CLASS = NUM_CLASSES


def tiny_unet(num_classes: int | None = None) -> UNet:
    """A seeded U-Net of 8 channels whose output layer is not zero (it starts at zero noise)."""
    torch.manual_seed(0)
    unet = UNet(channels=8, multipliers=(1, 2), blocks=1, num_classes=num_classes)
    head = unet.head[-1].weight
    with torch.no_grad():
        head.copy_(0.1 * torch.randn(head.shape, generator=torch.Generator().manual_seed(2)))
    return unet


def inputs(count: int = 3) -> tuple[torch.Tensor, torch.Tensor]:
    x = torch.randn(count, 1, 28, 28, generator=torch.Generator().manual_seed(1))
    return x, torch.tensor([0, 500, 999, 3, 40][:count])


def test_an_unconditional_unet_is_the_one_before_the_class_embedding():
    """Sums of the weights and outputs that this U-Net gave before it could read a class
    (commit 2b700e6, computed on the CPU with the same seed): the same weights, the same noise
    predictions, the same state_dict keys (old DDPM checkpoints still load)."""
    unet = tiny_unet()
    x, t = inputs()
    with torch.no_grad():
        out = unet(x, t).double()
    assert len(unet.state_dict()) == 110 and not hasattr(unet, "classes")
    assert sum(p.double().sum().item() for p in unet.parameters()) == pytest.approx(
        279.0088922299183, rel=1e-9
    )
    assert out.sum().item() == pytest.approx(-310.8847563932504, rel=1e-5)
    assert out.abs().sum().item() == pytest.approx(721.1828129839705, rel=1e-5)


def test_a_conditional_unet_adds_its_class_embedding_to_the_time_embedding():
    """Same seed: the shared weights are drawn the same; with every class embedding zero the
    conditional U-Net predicts what the unconditional one does, whatever the class."""
    plain, conditional = tiny_unet(), tiny_unet(NUM_CLASSES)
    for name, weight in plain.state_dict().items():
        assert torch.equal(conditional.state_dict()[name], weight)
    assert conditional.classes.weight.shape == (NUM_CLASSES + 1, 4 * 8)  # + "no class"
    x, t = inputs()
    with torch.no_grad():
        by_class = [conditional(x, t, torch.full((3,), c)) for c in (1, 7)]
        assert not torch.allclose(*by_class)
        torch.nn.init.zeros_(conditional.classes.weight)
        assert torch.equal(conditional(x, t, torch.tensor([1, 7, 9])), plain(x, t))


def test_soft_labels_mix_the_class_embeddings_and_none_is_the_no_class_token():
    unet = tiny_unet(NUM_CLASSES)
    x, t = inputs()
    labels = torch.tensor([2, 5, 9])
    with torch.no_grad():
        by_index = unet(x, t, labels)
        by_weights = unet(x, t, torch.nn.functional.one_hot(labels, NUM_CLASSES).float())
        assert torch.allclose(by_index, by_weights, atol=1e-6)
        assert torch.equal(unet(x, t), unet(x, t, torch.full((3,), NO_CLASS)))
        half = torch.zeros(3, NUM_CLASSES)
        half[:, 2] = half[:, 5] = 0.5
        mixed = unet.class_embedding(half, 3)
        expected = (unet.classes.weight[2] + unet.classes.weight[5]) / 2
        assert torch.allclose(mixed, expected.expand(3, -1), atol=1e-6)


class Scaler:
    """A network whose prediction is x_t times (label + 1), counting its calls."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, x_t, t, labels):
        self.calls += 1
        return x_t * (labels.float() + 1).reshape(-1, 1, 1, 1)


def test_the_guided_prediction_by_hand_in_one_forward_pass():
    """Label 2: eps(y) = 3 x; no class (10): eps(none) = 11 x. At w = 2 eq. 6 gives
    3 * 3x - 2 * 11x = -13x; at w = 0.5, 1.5 * 3x - 0.5 * 11x = -x."""
    network = Scaler()
    x, t = torch.ones(1, 1, 2, 2), torch.tensor([7])
    assert torch.equal(GuidedDenoiser(network, torch.tensor([2]), 2.0, NUM_CLASSES)(x, t), -13 * x)
    assert network.calls == 1  # both predictions in one pass
    assert torch.equal(GuidedDenoiser(network, torch.tensor([2]), 0.5, NUM_CLASSES)(x, t), -x)


@pytest.mark.parametrize("labels", [torch.tensor([4, 0, 9]), torch.eye(NUM_CLASSES)[[4, 0, 9]]])
def test_guidance_zero_is_the_conditional_and_minus_one_the_unconditional_prediction(labels):
    unet = tiny_unet(NUM_CLASSES)
    x, t = inputs()
    with torch.no_grad():
        conditional, unconditional = unet(x, t, labels), unet(x, t)
        assert not torch.allclose(conditional, unconditional, atol=1e-3)
        at_zero = GuidedDenoiser(unet, labels, 0.0, NUM_CLASSES)(x, t)
        at_minus_one = GuidedDenoiser(unet, labels, -1.0, NUM_CLASSES)(x, t)
        at_three = GuidedDenoiser(unet, labels, 3.0, NUM_CLASSES)(x, t)
    assert torch.allclose(at_zero, conditional, atol=1e-5)
    assert torch.allclose(at_minus_one, unconditional, atol=1e-5)
    assert torch.allclose(at_three, 4 * conditional - 3 * unconditional, atol=1e-4)


@pytest.mark.parametrize("p", [0.1, 0.5])
def test_labels_are_dropped_at_the_asked_rate(p):
    """The count of dropped labels among n is Binomial(n, p): within 5 standard deviations
    sqrt(n p (1 - p)) of n p (212 labels at p = 0.1, 354 at p = 0.5), which a correct dropout
    misses with probability 6e-7; a rate off by 0.02 (400 labels) falls outside both."""
    n = 20_000
    labels = torch.arange(n) % NUM_CLASSES
    dropped_labels = drop_labels(labels, p, NO_CLASS, torch.Generator().manual_seed(0))
    dropped = dropped_labels == NO_CLASS
    bound = 5 * math.sqrt(n * p * (1 - p))
    assert abs(dropped.sum().item() - n * p) < bound
    assert torch.equal(dropped_labels[~dropped], labels[~dropped])  # the others keep theirs
    assert not drop_labels(labels, 0.0, NO_CLASS, torch.Generator()).eq(NO_CLASS).any()
    assert drop_labels(labels, 1.0, NO_CLASS, torch.Generator()).eq(NO_CLASS).all()


@pytest.fixture
def learner(small_networks, tiny_data):
    """A guided DDPM trained a few steps on the tiny data, then in eval mode (as the app
    reads a run)."""
    learner = make_learner(default_config("guided", seed=3, lr=3e-3), CPU)
    for _ in range(10):
        learner.train_step(tiny_data.train.images[:16], tiny_data.train.labels[:16])
    learner.model.eval()
    return learner


def test_training_hides_labels_at_the_configured_rate(small_networks, tiny_data, monkeypatch):
    learner = make_learner(default_config("guided", p_uncond=0.3), CPU)
    seen = []
    real_loss = learner.model.loss
    monkeypatch.setattr(
        learner.model, "loss", lambda x0, g, labels: seen.append(labels) or real_loss(x0, g, labels)
    )
    images, labels = tiny_data.train.images[:100], tiny_data.train.labels[:100]
    learner.train_step(images, labels)
    (trained,) = seen
    hidden = trained == NO_CLASS
    assert torch.equal(trained[~hidden], labels[~hidden])
    assert abs(hidden.sum().item() - 30) < 5 * math.sqrt(100 * 0.3 * 0.7)
    with pytest.raises(ValueError, match="conditional: give one class label per image"):
        learner.train_step(images)


def test_samples_follow_the_guidance_dial_and_each_class(learner):
    z = torch.randn(NUM_CLASSES, 784, generator=torch.Generator().manual_seed(6))
    classes = torch.arange(NUM_CLASSES)
    assert learner.dials == {"guidance": 2.0}
    guided = learner.sample_images(z, classes)
    assert guided.shape == (10, 1, 28, 28) and guided.min() >= 0 and guided.max() <= 1
    assert torch.equal(guided, learner.sample_images(z, classes))  # DDIM, eta = 0
    same_noise = learner.sample_images(z[:1].repeat(NUM_CLASSES, 1), classes)
    assert not torch.allclose(same_noise[0], same_noise[5])  # the class changes the sample
    learner.dials["guidance"] = 0.0
    conditional = learner.sample_images(z, classes)
    assert not torch.allclose(conditional, guided)
    *_, last = learner.chain(z, learner.ddim(), labels=classes)
    plain = learner.model  # w = 0: the conditional prediction alone
    *_, unguided = learner.chain(z, learner.ddim())  # no labels: the no-class token
    assert torch.allclose(signed_to_unit(last.prev_sample), conditional, atol=1e-6)
    assert plain is learner.denoiser(None)
    assert not torch.allclose(last.prev_sample, unguided.prev_sample)


def test_encoding_inverts_with_the_label_and_decodes_back(learner, tiny_data):
    x = learner.prepare(tiny_data.test.images[:4])
    labels = tiny_data.test.labels[:4]
    codes = learner.encode(x, labels)
    assert codes.shape == (4, 784)
    round_trip = ((learner.reconstruct(x, labels) - x) ** 2).mean().item()
    other = learner.sample_images(torch.randn(4, 784, generator=torch.Generator()), labels)
    assert round_trip < 0.03 * ((other - x) ** 2).mean().item()
    assert not torch.allclose(codes, learner.encode(x, (labels + 1) % NUM_CLASSES))


def test_the_chain_of_a_class_ends_at_its_guided_sample(learner, monkeypatch):
    """The chain of class 7 is the guided sample's; without a class, the unconditional one (a
    briefly trained model's frames all saturate, so the labels are checked where they go)."""
    asked = []
    denoiser = learner.denoiser
    monkeypatch.setattr(
        learner, "denoiser", lambda labels: asked.append(labels) or denoiser(labels)
    )
    frames = chain_frames(learner, seed=5, sampler="DDIM, 50 steps", label=7)
    assert asked.pop().tolist() == [7]
    z = torch.randn(1, 784, generator=torch.Generator().manual_seed(5))
    sample = learner.sample_images(z, torch.tensor([7]))[0, 0].numpy()
    np.testing.assert_array_equal(frames.predicted[-1], np.round(sample * 255).astype(np.uint8))
    asked.clear()
    chain_frames(learner, seed=5, sampler="DDIM, 50 steps")
    assert asked == [None]


def test_evaluation_is_the_bound_of_p_x_given_y_whatever_w(learner, tiny_data):
    first = learner.evaluate(tiny_data.test)
    learner.dials["guidance"] = 6.0
    assert learner.evaluate(tiny_data.test) == first
    assert first["bits_per_dim"] > 0 and 0 < first["bits_per_dim_se"] < first["bits_per_dim"]
    grids = learner.grids(tiny_data.test)
    assert grids["samples"].shape == (NUM_CLASSES * 30 + 2,) * 2  # a row per class


def test_a_checkpoint_resumes_the_same_training(small_networks, tiny_data, tmp_path):
    """Two steps in one go, or one step, a checkpoint and a second step from it: the same
    second loss and weights (the dropped labels come from the saved random stream)."""
    config = default_config("guided", seed=3, lr=3e-3)
    images, labels = tiny_data.train.images[:16], tiny_data.train.labels[:16]
    whole = make_learner(config, CPU)
    whole.train_step(images, labels)
    second = whole.train_step(images, labels)
    part = make_learner(config, CPU)
    part.train_step(images, labels)
    path = tmp_path / "checkpoint.pt"
    save_checkpoint(path, Checkpoint(path, config, 0, 1, 1, part.state_dict(), {}, {}))
    resumed, _ = load_learner(path)
    resumed.model.train()
    assert resumed.train_step(images, labels) == second
    for kept, weight in zip(resumed.model.parameters(), whole.model.parameters(), strict=True):
        assert torch.equal(kept, weight)
