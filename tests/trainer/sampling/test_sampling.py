"""fmgen-sample and the latent helpers behind the explorer's conditional views."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

from tests.runs import tiny_run
from tests.toy_model import cond_toy_models, toy_model  # noqa: F401  (fixtures)
from trainer.cli.sample import main as sample_cli
from trainer.runs.loading import load_learner
from trainer.sampling.explore import Interpolator, class_mix
from trainer.sampling.latent import latent_from_seeds


@pytest.fixture(scope="module")
def vae_run(tiny_data_dir, tmp_path_factory):
    return tiny_run("vae", tiny_data_dir, tmp_path_factory.mktemp("vae"))


def test_npz_of_an_unconditional_model_has_images_and_no_labels(vae_run, tmp_path, capsys):
    out = tmp_path / "s.npz"
    assert sample_cli(["--run", str(vae_run), "--n", "12", "--seed", "3", "--out", str(out)]) == 0
    with np.load(out) as saved:
        images, labels = saved["images"], saved["labels"]
    assert images.shape == (12, 28, 28) and images.dtype == np.uint8
    assert labels.tolist() == [-1] * 12
    assert "wrote 12 vae samples" in capsys.readouterr().out
    again = tmp_path / "again.npz"
    sample_cli(["--run", str(vae_run), "--n", "12", "--seed", "3", "--out", str(again)])
    with np.load(again) as saved:
        assert np.array_equal(saved["images"], images)  # the seed fixes the draws


def _exit_code(main, args) -> int:
    """The command's exit code, whether returned or raised by argparse."""
    try:
        return main(args)
    except SystemExit as exc:
        return exc.code


def test_png_folder_and_the_clear_errors(vae_run, tmp_path, capsys):
    folder = tmp_path / "pngs"
    assert sample_cli(["--run", str(vae_run), "--n", "3", "--out", str(folder)]) == 0
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["00000.png", "00001.png", "00002.png"]
    with Image.open(folder / names[0]) as image:
        assert image.size == (28, 28) and image.mode == "L"
    capsys.readouterr()
    for args, code, message in (
        (["--n", "0"], 2, "argument --n: 0 is outside 1..100000"),
        (["--n", "2", "--class", "Shirt"], 1, "the VAE is not conditional"),
        (["--n", "2", "--class", "Hat"], 2, "unknown class 'Hat': choose one of 0 T-shirt/top"),
        (["--n", "2", "--class", "10"], 2, "unknown class '10'"),
        (["--n", "2", "--out", str(tmp_path / "x.png")], 2, "name a .npz file or a folder"),
        (["--n", "2", "--out", str(folder)], 2, "exists and is not an empty folder"),
    ):
        args = ["--run", str(vae_run), "--out", str(tmp_path / "e.npz"), *args]
        assert _exit_code(sample_cli, args) == code
        assert message in capsys.readouterr().err
    assert not (tmp_path / "e.npz").exists()


def test_a_conditional_model_samples_the_class_asked_for(
    cond_toy_models,  # noqa: F811
    tiny_data_dir,
    tmp_path,
):
    run = tiny_run("ctoy", tiny_data_dir, tmp_path / "runs")
    out = tmp_path / "shirts"
    assert sample_cli(["--run", str(run), "--n", "4", "--class", "shirt", "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir())[0] == "00000-shirt.png"
    mixed = tmp_path / "all.npz"
    assert sample_cli(["--run", str(run), "--n", "20", "--out", str(mixed)]) == 0
    with np.load(mixed) as saved:
        assert saved["labels"].tolist() == list(range(10)) * 2
        # Same seed, same z: sample k and k + 10 differ only if the class changes the image.
        assert not np.array_equal(saved["images"][0], saved["images"][1])


def test_soft_labels_mix_the_conditioning_linearly(cond_toy_models, tiny_data_dir, tmp_path):  # noqa: F811
    learner, _ = load_learner(tiny_run("ctoy", tiny_data_dir, tmp_path / "runs"), "ctoy")
    z = torch.from_numpy(latent_from_seeds([5], 4))
    hard = learner.sample_images(z.repeat(2, 1), torch.tensor([3, 8]))
    soft = learner.sample_images(z, torch.tensor([[0, 0, 0, 0.5, 0, 0, 0, 0, 0.5, 0]]))
    assert not torch.allclose(soft[0], hard[0]) and not torch.allclose(soft[0], hard[1])
    interpolator = Interpolator(learner.sample_images)
    strip = interpolator.strip(z[0].numpy(), z[0].numpy(), 3, "linear", classes=(3, 8))
    assert np.allclose(strip.images[0], hard[0, 0].numpy(), atol=1e-6)
    assert np.allclose(strip.images[1], soft[0, 0].numpy(), atol=1e-6)
    assert np.allclose(strip.images[2], hard[1, 0].numpy(), atol=1e-6)
    row = interpolator.class_row(z[0].numpy())
    assert row.images.shape == (10, 28, 28) and np.allclose(row.images[3], hard[0, 0], atol=1e-6)


def test_class_mix_stays_on_the_ends_past_them_and_seeds_redraw():
    mix = class_mix(np.array([-0.5, 0.0, 0.25, 1.0, 1.5]), (2, 4))
    assert np.allclose(mix.sum(axis=1), 1)
    assert mix[0, 2] == mix[1, 2] == 1 and mix[-1, 4] == 1 and np.isclose(mix[2, 4], 0.25)
    assert class_mix(np.array([0.5]), None) is None
    first = latent_from_seeds([7, 8], 6)
    assert first.shape == (2, 6) and np.array_equal(first, latent_from_seeds([7, 8], 6))
    assert np.array_equal(first[1], latent_from_seeds([8], 6)[0])
    assert latent_from_seeds([], 6).shape == (0, 6)
