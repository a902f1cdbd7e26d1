"""A path's frames through a slow (multi-step) decoder, one by one: cancellable, with progress.

For a diffusion model the ends are test images inverted to their noise by DDIM (Song et al.
2021, sec. 4.3): decoding that noise gives each image back only approximately, so the result
carries each end's reconstruction and its error.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from trainer.common.errors import raise_if_cancelled
from trainer.learners import Learner
from trainer.sampling.explore import Classes, Interpolator, class_mix, path_ts
from trainer.sampling.latent import encode_means, interpolate

Progress = Callable[[float, str], None]
ENDS = np.array([0.0, 1.0])  # the path's parameters at A and B


@dataclass(frozen=True)
class PathFrames:
    """The decoded strip of a path, and how well its ends reproduce A's and B's images."""

    ts: np.ndarray  # (n,)
    codes: np.ndarray  # (n, D)
    images: np.ndarray  # (n, 28, 28) float in [0, 1]
    reconstructions: np.ndarray | None  # (2, 28, 28): A and B decoded from their codes
    errors: np.ndarray | None  # (2,) mean squared error per pixel of those, on [0, 1]


@dataclass(frozen=True)
class PathRequest:
    """What to decode: ends as codes (2, D), or as uint8 test images (2, 28, 28) to encode."""

    steps: int
    method: str
    overshoot: bool = False
    codes: np.ndarray | None = None
    images: np.ndarray | None = None
    classes: Classes = None  # A's and B's conditioning classes (conditional models)


def round_trip_errors(originals: np.ndarray, decoded: np.ndarray) -> np.ndarray:
    """Mean squared error per pixel (n,) of decoded images in [0, 1] against uint8 originals."""
    difference = decoded.reshape(len(decoded), -1) - originals.reshape(len(originals), -1) / 255
    return (difference**2).mean(axis=1)


def path_frames(
    learner: Learner,
    request: PathRequest,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> PathFrames:
    """Encode the ends if given as images, then decode the strip's frames one at a time
    (each a full sampler run), reporting progress and checking `cancel` before each."""
    progress = progress or (lambda fraction, text: None)
    ts = path_ts(request.steps, request.overshoot)
    needed = ts if request.images is None else np.union1d(ts, ENDS)  # the ends' round trip too
    encoded = 0 if request.images is None else len(ENDS)
    ends = request.codes
    if request.images is not None:
        progress(0.0, "encoding A and B")
        ends = encode_means(
            learner.encode,
            torch.from_numpy(np.asarray(request.images)),
            batch=1,
            progress=lambda f: progress(f * encoded / (encoded + len(needed)), "encoding A and B"),
            cancel=cancel,
            labels=None if request.classes is None else torch.tensor(request.classes),
        )
    codes = interpolate(ends[0], ends[1], needed, request.method)
    conditions = class_mix(needed, request.classes)
    decoder = Interpolator(learner.sample_images)
    frames = []
    for i in range(len(needed)):
        raise_if_cancelled(cancel)
        done = (encoded + i) / (encoded + len(needed))
        progress(done, f"decoding image {i + 1} of {len(needed)}")
        given = None if conditions is None else conditions[i : i + 1]
        frames.append(decoder.images(codes[i : i + 1], given))
    decoded = np.concatenate(frames)
    at = np.searchsorted(needed, ts)
    if request.images is None:
        return PathFrames(ts, codes[at], decoded[at], None, None)
    reconstructions = decoded[np.searchsorted(needed, ENDS)]
    errors = round_trip_errors(np.asarray(request.images), reconstructions)
    return PathFrames(ts, codes[at], decoded[at], reconstructions, errors)
