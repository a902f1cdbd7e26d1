"""Interpolation, projection, encoding and nearest neighbours; the explorer's core."""

from __future__ import annotations

import threading

import numpy as np
import pytest
import torch
from PIL import Image

from trainer.common.errors import Cancelled
from trainer.common.grids import save_gif
from trainer.models.vae import ConvVAE
from trainer.sampling.explore import Interpolator, LatentAtlas, path_ts, random_pair
from trainer.sampling.latent import (
    encode_means,
    fit_projection,
    interpolate,
    lerp,
    nearest_distances,
    slerp,
)

RNG = np.random.default_rng(0)


def test_lerp_end_points_and_midpoint():
    a, b = RNG.normal(size=8), RNG.normal(size=8)
    path = interpolate(a, b, np.array([0.0, 0.5, 1.0]), "linear")
    assert np.allclose(path[0], a, atol=1e-6) and np.allclose(path[2], b, atol=1e-6)
    assert np.allclose(path[1], (a + b) / 2, atol=1e-6)
    assert np.allclose(lerp(a, b, 1.5), b + 0.5 * (b - a))  # overshoot extrapolates


def test_slerp_end_points_norms_and_great_circle():
    a, b = RNG.normal(size=16) * 3, RNG.normal(size=16)
    ts = np.linspace(0, 1, 11)
    path = interpolate(a, b, ts, "slerp")
    assert np.allclose(path[0], a, atol=1e-5) and np.allclose(path[-1], b, atol=1e-5)
    norms = np.linalg.norm(path, axis=1)
    low, high = sorted([np.linalg.norm(a), np.linalg.norm(b)])
    assert np.all(norms >= low - 1e-5) and np.all(norms <= high + 1e-5)
    # Every point lies in the plane of a and b (a great circle of the directions) ...
    basis, _ = np.linalg.qr(np.stack([a, b]).T)
    residual = path - (path @ basis) @ basis.T
    assert np.abs(residual).max() < 1e-4
    # ... and the angle grows at a constant rate.
    exact = np.stack([slerp(a, b, t) for t in ts])  # float64, for the angles
    unit = exact / np.linalg.norm(exact, axis=1)[:, None]
    angles = np.arccos(np.clip(unit @ (a / np.linalg.norm(a)), -1, 1))
    assert np.allclose(np.diff(angles), angles[-1] / 10, atol=1e-4)


def test_slerp_of_equal_norms_keeps_the_norm():
    a, b = RNG.normal(size=5), RNG.normal(size=5)
    b *= np.linalg.norm(a) / np.linalg.norm(b)
    norms = np.linalg.norm(interpolate(a, b, np.linspace(0, 1, 9), "slerp"), axis=1)
    assert np.allclose(norms, np.linalg.norm(a), atol=1e-5)


def test_slerp_near_parallel_falls_back_to_lerp():
    a = np.array([1.0, 2.0, 3.0])
    b = a * 2 + 1e-9
    point = slerp(a, b, 0.25)
    assert np.all(np.isfinite(point)) and np.allclose(point, lerp(a, b, 0.25))


def test_slerp_opposite_vectors_go_round_a_perpendicular():
    a = np.array([1.0, 0.0, 0.0])
    points = np.stack([slerp(a, -a, t) for t in np.linspace(0, 1, 5)])
    assert np.all(np.isfinite(points))
    assert np.allclose(points[0], a) and np.allclose(points[-1], -a, atol=1e-9)
    assert np.allclose(np.linalg.norm(points, axis=1), 1.0)
    assert np.isclose(np.dot(points[2], a), 0, atol=1e-9)  # halfway is perpendicular


def test_slerp_from_the_origin_is_linear():
    assert np.allclose(slerp(np.zeros(3), np.ones(3), 0.5), [0.5, 0.5, 0.5])


def test_projection_identity_in_2d_and_pca_otherwise():
    codes2 = RNG.normal(size=(50, 2)).astype(np.float32)
    identity = fit_projection(codes2)
    assert identity.is_identity and np.allclose(identity(codes2), codes2)
    stretched = RNG.normal(size=(500, 5)) * [10, 5, 1, 0.1, 0.1]
    pca = fit_projection(stretched.astype(np.float32))
    assert not pca.is_identity and pca.explained[0] > pca.explained[1] > 0.1
    assert abs(abs(pca.axes[0, 0]) - 1) < 0.05  # the widest axis comes first


def test_encode_means_batches_reports_progress_and_cancels():
    vae = ConvVAE(latent_dim=3).eval()
    images = torch.randint(0, 255, (120, 28, 28), dtype=torch.uint8)
    seen = []
    codes = encode_means(lambda x: vae.encode(x)[0], images, batch=50, progress=seen.append)
    assert codes.shape == (120, 3) and seen == [50 / 120, 100 / 120, 1.0]
    expected = vae.encode(images[:5].unsqueeze(1).float() / 255)[0].detach().numpy()
    assert np.allclose(codes[:5], expected, atol=1e-5)
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        encode_means(lambda x: vae.encode(x)[0], images, cancel=cancel)


def test_nearest_distances_finds_the_closest_image():
    reference = RNG.random((5000, 784)).astype(np.float32)
    queries = reference[[7, 4321]] + 0.001
    distances, index = nearest_distances(queries, reference)
    assert index.tolist() == [7, 4321] and np.all(distances < 0.05)


def test_atlas_pairs_and_strip(tiny_data):
    vae = ConvVAE(latent_dim=4).eval()
    atlas = LatentAtlas.build(lambda x: vae.encode(x)[0], tiny_data.test)
    assert atlas.codes.shape == (100, 4) and atlas.points.shape == (100, 2)
    rng = np.random.default_rng(1)
    i, j = random_pair(atlas.labels, 3, 3, rng)
    assert i != j and atlas.labels[i] == atlas.labels[j] == 3
    i, j = random_pair(atlas.labels, 7, 8, rng)
    assert (atlas.labels[i], atlas.labels[j]) == (7, 8)
    interpolator = Interpolator(vae.sample, reference=atlas.images)
    strip = interpolator.strip(atlas.codes[i], atlas.codes[j], 7, "slerp")
    assert strip.images.shape == (7, 28, 28) and strip.distances.shape == (7,)
    alone = interpolator.images(atlas.codes[[i, j]])
    assert np.allclose(strip.images[0], alone[0], atol=1e-6)  # a batch may round differently
    for t, index in ((0.0, i), (1.0, j)):  # the slider's ends show decode(z_A), decode(z_B)
        shown = interpolator.image_at(atlas.codes[i], atlas.codes[j], t, "slerp")
        assert np.array_equal(shown, interpolator.images(atlas.codes[index][None])[0])
    assert np.allclose(path_ts(5, overshoot=True), [-0.5, 0, 0.5, 1, 1.5])


def test_gif_has_one_frame_per_step(tmp_path):
    frames = [np.full((28, 28), 30 * k, np.uint8) for k in range(6)]
    path = save_gif(frames, tmp_path / "scrub.gif")
    with Image.open(path) as gif:
        assert gif.n_frames == 6 and gif.size == (112, 112)
