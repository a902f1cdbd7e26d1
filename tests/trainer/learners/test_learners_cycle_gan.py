"""CycleGAN: its losses against hand computations, its domains (disjoint, unpaired), and its
learner through steps, a resume, translations and the evaluation of a run from the CLI."""

from __future__ import annotations

import json

import pytest
import torch
from torch import nn

from fmgen_gui.report.appendix import appendix_sections
from fmgen_gui.report.pictures import ResultPictures
from fmgen_gui.report.tables import NO_SAMPLES, comparison_table, page_table
from trainer.cli.evaluate import main as evaluate_main
from trainer.cli.train import main as train_main
from trainer.common import keys as k
from trainer.common.errors import ConfigError, FmgenError
from trainer.config.settings import default_config
from trainer.data.domains import DOMAIN_PAIRS, held_out_domains, invert, scan, training_pairs
from trainer.data.fashion_mnist import Split, load_fashion_mnist
from trainer.evaluation.evaluate import evaluate
from trainer.evaluation.results import EvaluationSettings
from trainer.evaluation.sweep_points import sweep_section
from trainer.learners import CycleGANLearner, make_learner
from trainer.metrics.classifier import load_or_train_classifier
from trainer.models.cycle_gan import (
    CycleGAN,
    lsgan_discriminator_loss,
    lsgan_generator_loss,
)
from trainer.report.descriptions import descriptions

CPU = torch.device("cpu")


def test_least_squares_losses_of_a_constant_discriminator():
    half = torch.full((4, 1, 7, 7), 0.5)
    # G: (0.5 - 1)^2 = 0.25; D: ((0.5 - 1)^2 + 0.5^2) / 2 = 0.25
    assert lsgan_generator_loss(half).item() == pytest.approx(0.25)
    assert lsgan_discriminator_loss(half, half).item() == pytest.approx(0.25)
    ones, zeros = torch.ones(4, 1, 7, 7), torch.zeros(4, 1, 7, 7)
    assert lsgan_discriminator_loss(ones, zeros).item() == 0  # a perfect discriminator
    assert lsgan_generator_loss(zeros).item() == 1  # every fake caught: (0 - 1)^2
    # a discriminator wrong both ways (real scored 0, fakes 1): ((0 - 1)^2 + 1^2) / 2 = 1
    assert lsgan_discriminator_loss(zeros, ones).item() == 1


def test_identity_generators_have_no_cycle_or_identity_loss():
    model = CycleGAN()
    model.a_to_b, model.b_to_a = nn.Identity(), nn.Identity()
    a, b = torch.rand(3, 1, 28, 28) * 2 - 1, torch.rand(3, 1, 28, 28) * 2 - 1
    losses = model.generator_losses(a, b, cycle_weight=10.0)
    assert losses.cycle.item() == 0 and losses.identity.item() == 0
    assert losses.total.item() == pytest.approx(
        losses.g_adversarial.item() + losses.f_adversarial.item()
    )


def test_a_generator_off_by_a_constant_costs_it_in_l1():
    model = CycleGAN()

    class Shifted(nn.Module):
        def forward(self, x):
            return x + 0.1

    model.a_to_b, model.b_to_a = Shifted(), nn.Identity()
    a, b = torch.zeros(2, 1, 28, 28), torch.zeros(2, 1, 28, 28)
    losses = model.generator_losses(a, b, cycle_weight=10.0)
    # F(G(a)) = a + 0.1 and G(F(b)) = b + 0.1: 0.1 per pixel each way; identity: G(b) = b + 0.1
    assert losses.cycle.item() == pytest.approx(0.2)
    assert losses.identity.item() == pytest.approx(0.1)


def test_a_shifted_domain_comes_from_the_other_half_of_the_images():
    images = torch.arange(100, dtype=torch.uint8).reshape(100, 1, 1).expand(100, 28, 28)
    train = Split(images.contiguous(), torch.arange(100) % 10)
    rows = training_pairs(train, DOMAIN_PAIRS["inverted"], seed=3)
    assert rows.images.shape == (50, 2, 28, 28)
    originals = set(rows.images[:, 0, 0, 0].tolist())
    behind_b = set(invert(rows.images[:, 1])[:, 0, 0].tolist())
    assert len(originals) == 50 and len(behind_b) == 50
    assert not originals & behind_b  # no image is in both domains
    assert originals | behind_b == set(range(100))


def test_class_domains_hold_their_classes_unpaired(tiny_data):
    rows = training_pairs(tiny_data.train, DOMAIN_PAIRS["sneaker-ankle_boot"], seed=0)
    sneakers = tiny_data.train.images[tiny_data.train.labels == 7]
    boots = tiny_data.train.images[tiny_data.train.labels == 9]
    assert len(rows) == min(len(sneakers), len(boots))
    assert torch.equal(rows.images[:, 0], sneakers[: len(rows)])
    assert (rows.labels == 7).all()
    # B holds the boots, in another order than A's sneakers (no fixed pairing)
    assert sorted(rows.images[:, 1].flatten(1).sum(1).tolist()) == sorted(
        boots.flatten(1).sum(1).tolist()
    )
    assert not torch.equal(rows.images[:, 1], boots[: len(rows)])
    test = held_out_domains(tiny_data.test, DOMAIN_PAIRS["sneaker-ankle_boot"])
    assert (test.a_labels == 7).all() and (test.b_labels == 9).all()


def test_shifted_test_images_are_the_test_images_shifted(tiny_data):
    test = held_out_domains(tiny_data.test, DOMAIN_PAIRS["inverted"])
    assert torch.equal(test.a, tiny_data.test.images)
    assert torch.equal(test.b, 255 - tiny_data.test.images)
    assert torch.equal(test.b_labels, tiny_data.test.labels)
    scanned = held_out_domains(tiny_data.test, DOMAIN_PAIRS["scan"]).b
    assert torch.equal(scanned, scan(tiny_data.test.images))  # the same noise every call
    assert not torch.equal(scanned, tiny_data.test.images)


def test_an_unknown_domain_pair_is_refused_before_any_work():
    with pytest.raises(ConfigError, match="Domains"):
        default_config("cyclegan", domains="cats-dogs")
    with pytest.raises(ConfigError, match="does not apply"):
        default_config("vae", domains="inverted")


def cycle_learner(**values) -> CycleGANLearner:
    return make_learner(default_config("cyclegan", **values), CPU)


def test_the_learner_trains_resumes_and_translates(tiny_data):
    learner = cycle_learner(domains="inverted")
    rows = learner.training_split(learner.config, tiny_data.train).images[:8]
    first = learner.train_step(rows)
    assert set(first) == set(learner.spec.step_metrics)
    for _ in range(15):
        last = learner.train_step(rows)
    assert last[k.CYCLE_L1] < first[k.CYCLE_L1]  # it learns to undo its translations
    resumed = cycle_learner(domains="inverted")
    resumed.load_state_dict(learner.state_dict())
    assert learner.train_step(rows) == resumed.train_step(rows)  # the same next step
    assert resumed.domains() == ("Fashion-MNIST", "Inverted")
    images = tiny_data.test.images[:5]
    for given in (images, images.unsqueeze(1), images.unsqueeze(1).float() / 255):
        out = resumed.translate(given, "b_to_a")
        assert out.shape == (5, 1, 28, 28) and out.min() >= 0 and out.max() <= 1
    assert torch.equal(resumed.translate(images, "a_to_b"), resumed.translate(images, "a_to_b"))
    with pytest.raises(FmgenError, match="direction"):
        resumed.translate(images, "sideways")
    with pytest.raises(FmgenError, match="rows"):
        resumed.train_step(images)  # plain images, not rows of two domains
    test = resumed.evaluate(tiny_data.test)
    assert set(test) == set(resumed.spec.test_metrics)
    assert all(0 < value < 1 for value in test.values())
    grids = resumed.grids(tiny_data.test)
    assert set(grids) == {g.name for g in resumed.spec.grids}


def test_a_run_trains_resumes_and_evaluates_from_the_command_line(tiny_data_dir, tmp_path, capsys):
    common = ["--data-dir", str(tiny_data_dir), "--out", str(tmp_path), "--run-name", "c"]
    assert train_main(["--model", "cyclegan", "--epochs", "1", "--batch-size", "8", *common]) == 0
    run = tmp_path / "c"
    resumed = ["--resume", str(run / "checkpoint.pt"), "--epochs", "2"]
    assert train_main([*resumed, "--data-dir", str(tiny_data_dir)]) == 0
    epochs = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    assert [e["epoch"] for e in epochs if e["type"] == "epoch"] == [1, 2]
    rows = CycleGANLearner.training_split(
        default_config("cyclegan"), load_fashion_mnist(tiny_data_dir).train
    )
    # a row holds a sneaker and an ankle boot: the run trained on twice as many images
    assert {e["train_size"] for e in epochs if e["type"] == "start"} == {2 * len(rows)}
    out = tmp_path / "eval"
    evaluation = ["--run", str(run), "--data-dir", str(tiny_data_dir), "--out", str(out)]
    assert evaluate_main([*evaluation, "--samples", "100"]) == 0
    section = next(iter(json.loads((out / "metrics.json").read_text())["runs"].values()))
    translation = section["translation"]
    assert "samples" not in section  # no FID from noise: it draws no samples
    assert set(translation) == {
        k.CYCLE_A,
        k.CYCLE_B,
        k.LABELLED_A,
        k.LABELLED_B,
        k.FID_TO_A,
        k.FID_TO_B,
    }
    assert 0 <= translation[k.LABELLED_B] <= 1
    assert "of G(A) as B" in capsys.readouterr().out
    # the report's tables leave the sample columns blank, saying why, and describe the run
    metrics = json.loads((out / "metrics.json").read_text())
    for table in (comparison_table(metrics), page_table(metrics)):
        assert NO_SAMPLES in table
    assert "none (a translator defines no density)" in comparison_table(metrics)
    (described,) = descriptions(metrics).values()
    assert "Result: CycleGAN: the classifier labels" in described
    # two runs that differ in lambda: a sweep, but no sample metric to draw against it
    (key, section) = next(iter(metrics["runs"].items()))
    metrics["runs"] = {
        f"{key}-{weight}": {**section, "config": {**section["config"], "cycle_weight": weight}}
        for weight in (5.0, 10.0)
    }
    sweep = sweep_section(metrics)
    assert sweep["setting"] == "cycle_weight" and "draw no samples" in sweep["reason"]


def test_the_reports_pictures_of_an_evaluation_with_a_translator(tiny_data_dir, tmp_path, qtbot):
    args = ["--model", "cyclegan", "--epochs", "1", "--batch-size", "8"]
    assert train_main([*args, "--data-dir", str(tiny_data_dir), "--out", str(tmp_path)]) == 0
    (run,) = [path for path in tmp_path.iterdir() if path.is_dir()]
    data = load_fashion_mnist(tiny_data_dir)
    classifier, info = load_or_train_classifier(data)
    evaluation = evaluate([run], data, classifier, info, EvaluationSettings(samples=100))
    pictures = ResultPictures()
    qtbot.addWidget(pictures)
    pictures.show_evaluation(evaluation)  # no class histogram of samples it does not draw
    assert appendix_sections(evaluation, {})
