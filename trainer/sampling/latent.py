"""Latent-space operations: interpolation, a 2-D projection, encoding and nearest neighbours."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch

from trainer.common.errors import raise_if_cancelled

PARALLEL = 1e-6  # below this sin(angle), directions are treated as equal (or opposite)


def lerp(a: np.ndarray, b: np.ndarray, t: float) -> np.ndarray:
    """The straight line from `a` (t=0) to `b` (t=1); t outside [0, 1] extrapolates."""
    return (1 - t) * a + t * b


def _unit(v: np.ndarray) -> np.ndarray:
    norm = np.linalg.norm(v)
    return v / norm if norm > 0 else v


def _perpendicular(u: np.ndarray) -> np.ndarray:
    """A fixed unit vector orthogonal to unit `u` (along its smallest coordinate)."""
    axis = np.zeros_like(u)
    axis[np.argmin(np.abs(u))] = 1.0
    return _unit(axis - np.dot(axis, u) * u)


def slerp(a: np.ndarray, b: np.ndarray, t: float) -> np.ndarray:
    """Spherical interpolation: the direction moves along the great circle from a to b at
    constant angular speed (Shoemake 1985; for VAEs, White 2016) and the norm moves linearly
    from |a| to |b|, so every point's norm lies between the endpoints' (for t in [0, 1]).

    Near-parallel directions fall back to lerp (the arc is a line); exactly opposite ones have
    no unique great circle, so the arc goes through a fixed perpendicular direction.
    """
    norm_a, norm_b = np.linalg.norm(a), np.linalg.norm(b)
    if norm_a == 0 or norm_b == 0:
        return lerp(a, b, t)  # no direction to rotate from
    u, v = a / norm_a, b / norm_b
    cos = float(np.clip(np.dot(u, v), -1.0, 1.0))
    angle = np.arccos(cos)
    sin = np.sin(angle)
    if sin < PARALLEL and cos > 0:
        return lerp(a, b, t)
    if sin < PARALLEL:  # opposite: rotate by pi through a perpendicular
        w = _perpendicular(u)
        direction = np.cos(np.pi * t) * u + np.sin(np.pi * t) * w
    else:
        direction = (np.sin((1 - t) * angle) * u + np.sin(t * angle) * v) / sin
    norm = max((1 - t) * norm_a + t * norm_b, 0.0)
    return norm * direction


METHODS: dict[str, Callable[[np.ndarray, np.ndarray, float], np.ndarray]] = {
    "linear": lerp,
    "slerp": slerp,
}


def interpolate(a: np.ndarray, b: np.ndarray, ts: np.ndarray, method: str = "linear") -> np.ndarray:
    """Points (len(ts), D) between `a` and `b` at parameters `ts` by `method`.

    t = 0 and t = 1 give `a` and `b` themselves, bit for bit (no rounding through the
    formula), so the path's ends decode exactly to the picked images' codes.
    """
    step = METHODS[method]
    return np.stack([_point(a, b, float(t), step) for t in ts]).astype(np.float32)


def _point(a: np.ndarray, b: np.ndarray, t: float, step) -> np.ndarray:
    if t == 0.0:
        return a
    if t == 1.0:
        return b
    return step(a, b, t)


@dataclass(frozen=True)
class Projection:
    """A map from latent codes to the plane: the codes themselves in 2-D, else PCA."""

    mean: np.ndarray
    axes: np.ndarray  # (D, 2)
    explained: tuple[float, float]  # share of variance per axis (1, 0 for identity)

    def __call__(self, codes: np.ndarray) -> np.ndarray:
        """Project (N, D) codes to (N, 2)."""
        return (np.atleast_2d(codes) - self.mean) @ self.axes

    @property
    def is_identity(self) -> bool:
        """True when the latent space is the plane itself."""
        return self.axes.shape[0] == 2 and np.allclose(self.axes, np.eye(2))

    @property
    def axis_names(self) -> tuple[str, str]:
        """'z1', 'z2' for the plane itself; else the principal components and their share."""
        if self.is_identity:
            return ("z1", "z2")
        first, second = self.explained
        return (f"PC 1 ({first:.0%} of variance)", f"PC 2 ({second:.0%} of variance)")


def fit_projection(codes: np.ndarray) -> Projection:
    """Identity for 2-D codes (1-D padded), else PCA on `codes` (via SVD)."""
    dim = codes.shape[1]
    if dim <= 2:
        axes = np.eye(dim, 2, dtype=np.float32)
        return Projection(np.zeros(dim, np.float32), axes, (1.0, 0.0))
    mean = codes.mean(axis=0)
    _, singular, vt = np.linalg.svd(codes - mean, full_matrices=False)
    variance = singular**2 / np.sum(singular**2)
    return Projection(mean, vt[:2].T.astype(np.float32), (float(variance[0]), float(variance[1])))


def latent_from_seeds(seeds: Sequence[int], dim: int) -> np.ndarray:
    """One standard-normal draw (dim,) per integer seed: (len(seeds), dim) float32.

    Latent-vector pins and the explorer's random pairs name their draws by seed, so the
    report redraws exactly the vectors picked (a CPU generator: the same on every machine).
    """
    draws = [torch.randn(dim, generator=torch.Generator().manual_seed(int(s))) for s in seeds]
    return torch.stack(draws).numpy() if draws else np.zeros((0, dim), np.float32)


def encode_means(
    encode: Callable[..., torch.Tensor],
    images: torch.Tensor,
    batch: int = 500,
    progress: Callable[[float], None] | None = None,
    cancel: threading.Event | None = None,
    labels: torch.Tensor | None = None,
) -> np.ndarray:
    """Posterior means (N, D) of uint8 images (N, 28, 28), batch by batch, cancellable.

    With `labels` (N,), `encode(x, y)` gets each batch's labels (conditional encoders).
    """
    codes = []
    with torch.no_grad():
        for start in range(0, len(images), batch):
            raise_if_cancelled(cancel)
            x = images[start : start + batch].unsqueeze(1).float() / 255
            given = () if labels is None else (labels[start : start + batch],)
            codes.append(encode(x, *given).cpu().numpy())
            if progress:
                progress(min(start + batch, len(images)) / len(images))
    return np.concatenate(codes).astype(np.float32)


def nearest_distances(queries: np.ndarray, reference: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each query image (N, 784) in [0, 1]: the L2 distance to, and index of, the
    nearest reference image (M, 784)."""
    q = torch.from_numpy(np.asarray(queries, np.float32).reshape(len(queries), -1))
    r = torch.from_numpy(np.asarray(reference, np.float32).reshape(len(reference), -1))
    best = torch.full((len(q),), float("inf"))
    index = torch.zeros(len(q), dtype=torch.long)
    for start in range(0, len(r), 4096):
        distances = torch.cdist(q, r[start : start + 4096])
        values, where = distances.min(dim=1)
        better = values < best
        best = torch.where(better, values, best)
        index = torch.where(better, where + start, index)
    return best.numpy(), index.numpy()
