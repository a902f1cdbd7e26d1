"""Tile images into one grid array, and save or read it as PNG."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageDraw, ImageFont

from trainer.common.files import atomic_path

PAD_VALUE = 0.5  # mid-grey lines between tiles: visible against black and white garments


def tile(images: torch.Tensor, nrow: int = 8, padding: int = 2) -> np.ndarray:
    """Images (N, 1, H, W) in [0, 1] -> one uint8 grid, `nrow` images a row.

    The layout of torchvision's make_grid (padding around every image), written out here
    because importing torchvision.utils costs the app 1.5 s of start-up.
    """
    pixels = (images.detach().float().cpu().clamp(0, 1)[:, 0] * 255).round().to(torch.uint8)
    count, height, width = pixels.shape
    columns = min(nrow, count)
    rows = -(-count // columns)
    cell_h, cell_w = height + padding, width + padding
    grid = np.full(
        (rows * cell_h + padding, columns * cell_w + padding),
        round(PAD_VALUE * 255),
        dtype=np.uint8,
    )
    for k, image in enumerate(pixels.numpy()):
        top, left = (k // columns) * cell_h + padding, (k % columns) * cell_w + padding
        grid[top : top + height, left : left + width] = image
    return grid


def interleave_rows(top: torch.Tensor, bottom: torch.Tensor, nrow: int = 8) -> torch.Tensor:
    """Rows of `top` and `bottom` alternating: originals above their reconstructions."""
    rows = []
    for start in range(0, len(top), nrow):
        rows += [top[start : start + nrow], bottom[start : start + nrow]]
    return torch.cat(rows)


def save_grid(grid: np.ndarray, path: Path) -> None:
    """Write a uint8 grid as a greyscale PNG, atomically."""
    with atomic_path(path) as tmp:
        Image.fromarray(np.ascontiguousarray(grid, dtype=np.uint8)).save(tmp, format="PNG")


def read_grid(path: Path) -> np.ndarray:
    """Read a greyscale PNG written by `save_grid`."""
    with Image.open(path) as image:
        return np.asarray(image.convert("L")).copy()


def save_gif(
    frames: list[np.ndarray],
    path: Path,
    frame_ms: int = 80,
    scale: int = 4,
    captions: list[str] | None = None,
) -> Path:
    """Write uint8 frames (H, W) as a looping animated GIF, enlarged `scale` times (nearest),
    with each frame's caption (e.g. 't = 0.25') on a white band below it."""
    if not frames:
        raise ValueError("no frames to write")
    images = [
        Image.fromarray(np.ascontiguousarray(f, dtype=np.uint8)).resize(
            (f.shape[1] * scale, f.shape[0] * scale), Image.Resampling.NEAREST
        )
        for f in frames
    ]
    if captions is not None:
        images = [_captioned(image, text) for image, text in zip(images, captions, strict=True)]
    with atomic_path(path) as tmp:
        images[0].save(
            tmp, format="GIF", save_all=True, append_images=images[1:], duration=frame_ms, loop=0
        )
    return Path(path)


def _captioned(image: Image.Image, text: str) -> Image.Image:
    band = max(16, image.height // 8)
    framed = Image.new("L", (image.width, image.height + band), 255)
    framed.paste(image, (0, 0))
    font = ImageFont.load_default(size=round(band * 0.7))
    ImageDraw.Draw(framed).text(
        (image.width / 2, image.height + band / 2), text, fill=0, font=font, anchor="mm"
    )
    return framed
