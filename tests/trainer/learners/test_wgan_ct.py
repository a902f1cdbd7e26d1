"""WGAN-CT (the WGAN-GP entry's ct_weight option) and every WGAN's empirical Lipschitz ratio."""

from __future__ import annotations

import math
import threading

import pytest
import torch
from torch import nn

from tests.cli_commands import error_line, run_command
from tests.runs import run_all, tiny_config
from trainer.common import keys as k
from trainer.common.events import EpochEnded, RunStopped, StepLogged
from trainer.config.settings import default_config
from trainer.learners import make_learner
from trainer.models.wgan import Critic, StreamDropout, consistency_term, lipschitz_ratios
from trainer.runs.checkpoint import load_checkpoint
from trainer.training.loop import train


def _two_passes(critic: Critic, real: torch.Tensor):
    return critic(real, features=True), critic(real, features=True)


def test_the_consistency_term_is_zero_without_dropout_and_positive_with_it():
    real = torch.rand(8, 1, 28, 28, generator=torch.Generator().manual_seed(0)) * 2 - 1
    torch.manual_seed(0)
    plain, dropped = Critic(8), Critic(8, dropout=0.5)
    plain.train(), dropped.train()
    assert consistency_term(*_two_passes(plain, real), weight=2.0).item() == 0.0
    assert consistency_term(*_two_passes(dropped, real), weight=2.0).item() > 0.0
    dropped.eval()  # no dropout in eval mode: the two passes agree again
    assert consistency_term(*_two_passes(dropped, real), weight=2.0).item() == 0.0


def test_the_consistency_term_by_hand_and_its_margin():
    # Two images; scores and two penultimate features from two dropout draws.
    first = (torch.tensor([1.0, 0.0]), torch.tensor([[0.0, 2.0], [1.0, 1.0]]))
    second = (torch.tensor([0.5, 0.0]), torch.tensor([[0.0, 0.0], [1.0, 1.0]]))
    # Image 1: (1 - 0.5)^2 + 0.1 * (0^2 + 2^2) / 2 = 0.25 + 0.2 = 0.45; image 2: 0.
    # Weight 2: 0.9 and 0, mean 0.45. Margin 0.5 hinges image 1 at 0.4 and image 2 at 0.
    assert consistency_term(first, second, 2.0).item() == pytest.approx(0.45)
    assert consistency_term(first, second, 2.0, margin=0.5).item() == pytest.approx(0.2)
    assert consistency_term(first, second, 2.0, margin=1.0).item() == 0.0


def test_the_lipschitz_ratio_of_a_linear_critic_by_hand():
    # D(x) = 3 x1 + 4 x2, |w| = 5. Three pairs (real, generated):
    real = torch.tensor([[1.0, 2.0], [3.0, 4.0], [4.0, 0.0]])
    fake = torch.tensor([[0.0, 0.0], [0.0, 0.0], [0.0, 3.0]])
    weight = torch.tensor([3.0, 4.0])
    ratios = lipschitz_ratios(real, fake, real @ weight, fake @ weight)
    # |3 + 8| / sqrt(5); along w: 25 / 5 = |w|; across w: |12 - 12| / 5 = 0.
    assert ratios.tolist() == pytest.approx([11 / math.sqrt(5), 5.0, 0.0])


class _LinearCritic(nn.Module):
    """D(x) = <w, x>: its Lipschitz constant is |w|, which no pair's ratio can exceed."""

    def __init__(self, weight: torch.Tensor) -> None:
        super().__init__()
        self.weight = weight

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.flatten(1) @ self.weight


def test_evaluate_reports_the_ratio_of_the_critic_it_has(tiny_data):
    learner = make_learner(default_config("wgan", latent_dim=4), torch.device("cpu"))
    direction = torch.randn(784, generator=torch.Generator().manual_seed(0))
    direction /= direction.norm()
    found = {}
    for norm in (0.5, 1.0):
        learner.model.critic = _LinearCritic(norm * direction)
        found[norm] = learner.evaluate(tiny_data.test)
    for norm, test in found.items():  # Cauchy-Schwarz: every ratio at most |w|
        assert 0 < test[k.LIPSCHITZ_P95] <= test[k.LIPSCHITZ_MAX] <= norm + 1e-6
    # The same pairs: a critic twice as steep has ratios twice as large.
    assert found[1.0][k.LIPSCHITZ_MAX] == pytest.approx(2 * found[0.5][k.LIPSCHITZ_MAX])
    assert found[1.0][k.LIPSCHITZ_P95] == pytest.approx(2 * found[0.5][k.LIPSCHITZ_P95])


# Recorded with the code before WGAN-CT existed (commit 2b700e6, torch 2 on this project's CPU
# environment): four steps of the default WGAN-GP (latent 4, n_critic 2) on the tiny data.
_BEFORE_CT = [
    (-0.49505725502967834, 5.748847007751465, 57.98352813720703, -0.46477556228637695),
    (-0.015959233045578003, 8.438926696777344, 84.40522766113281, -0.16209137439727783),
    (-0.24521777033805847, 2.8087663650512695, 28.332881927490234, -0.5308371186256409),
    (0.2086445391178131, 3.1989355087280273, 31.780710220336914, -0.3495427072048187),
]
_BEFORE_CT_WEIGHT_SUM = 6458.750431355827


def test_ct_weight_zero_trains_exactly_as_wgan_gp_did(tiny_data):
    learner = make_learner(default_config("wgan", latent_dim=4, n_critic=2), torch.device("cpu"))
    assert not any(isinstance(m, StreamDropout) for m in learner.model.modules())
    steps = []
    for i in range(4):
        images = tiny_data.train.images[16 * i : 16 * i + 16]
        losses = learner.train_step(images, tiny_data.train.labels[:16])
        assert losses[k.CONSISTENCY] == 0.0
        keys = (k.WASSERSTEIN, k.GRADIENT_PENALTY, k.CRITIC_LOSS, k.G_LOSS)
        steps.append(tuple(losses[key] for key in keys))
    # Recorded with the code before CT on one CPU and thread count: another thread count or
    # CPU kernel sums in another order (measured: 1e-7 apart), while dropout, an extra random
    # draw or a changed loss moves these numbers by far more than the tolerance.
    assert steps == [pytest.approx(step, rel=1e-5, abs=1e-6) for step in _BEFORE_CT]
    weight_sum = sum(p.double().sum().item() for p in learner.model.parameters())
    assert weight_sum == pytest.approx(_BEFORE_CT_WEIGHT_SUM, rel=1e-6)


def test_a_wgan_ct_step_adds_its_term_and_repeats_with_its_seed(tiny_data):
    images, labels = tiny_data.train.images[:16], tiny_data.train.labels[:16]

    def first_step(ct_weight: float) -> tuple[dict[str, float], torch.nn.Module]:
        config = default_config("wgan", latent_dim=4, ct_weight=ct_weight)
        learner = make_learner(config, torch.device("cpu"))
        return learner.train_step(images, labels), learner.model

    losses, model = first_step(2.0)
    assert sum(isinstance(m, StreamDropout) for m in model.critic.modules()) == 2
    assert losses[k.CONSISTENCY] > 0
    assert losses[k.CRITIC_LOSS] == pytest.approx(
        10.0 * losses[k.GRADIENT_PENALTY] - losses[k.WASSERSTEIN] + losses[k.CONSISTENCY]
    )
    assert first_step(2.0)[0] == losses  # dropout masks come from the seeded stream


def test_a_wgan_ct_run_stops_saves_resumes_and_evaluates_as_an_uninterrupted_one(
    tiny_data, tmp_path
):
    config = tiny_config("wgan", ct_weight=2.0, n_critic=2, log_every=1)
    whole = [e for e in run_all(config, tiny_data, tmp_path / "whole") if isinstance(e, EpochEnded)]
    stop, events = threading.Event(), []
    for event in train(config, tiny_data, tmp_path / "part", stop_event=stop):
        events.append(event)
        if isinstance(event, StepLogged) and event.step == 9:
            stop.set()
    assert isinstance(events[-1], RunStopped)
    checkpoint = load_checkpoint(tmp_path / "part")
    assert checkpoint.config.ct_weight == 2.0
    events += run_all(config, tiny_data, tmp_path / "part", resume=checkpoint)
    resumed = [e for e in events if isinstance(e, EpochEnded)]
    assert [(e.train, e.test) for e in resumed] == [(e.train, e.test) for e in whole]
    assert all(e.train[k.CONSISTENCY] > 0 for e in whole)
    assert all(0 < e.test[k.LIPSCHITZ_P95] <= e.test[k.LIPSCHITZ_MAX] for e in whole)


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--model", "wgan", "--ct-weight", "-1"], "argument --ct-weight: -1"),
        (["--model", "gan", "--ct-weight", "2"], "does not apply to the GAN"),
    ],
)
def test_the_command_line_refuses_a_bad_ct_weight(argv, says):
    outcome = run_command("fmgen-train", argv)
    assert outcome.code == 2
    assert says in error_line(outcome, "fmgen-train")
