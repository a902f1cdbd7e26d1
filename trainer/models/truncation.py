"""The truncation trick (Brock et al. 2019, sec. 3.1): latents from a normal truncated at psi."""

from __future__ import annotations

import torch
from torch.special import ndtr, ndtri


def truncate(z: torch.Tensor, psi: float | None) -> torch.Tensor:
    """Standard-normal draws `z` mapped into the standard normal truncated to [-psi, psi].

    Inverse-CDF mapping, z' = Phi^-1(Phi(-psi) + Phi(z) (Phi(psi) - Phi(-psi))): Phi(z) is
    uniform on (0, 1), so z' is exactly a draw of the normal truncated at psi, the same law as
    BigGAN's "values beyond psi are resampled". Unlike resampling it is deterministic and
    monotone in z, so the same seeds give comparable images as psi moves (a slider redraws the
    same faces, squeezed towards the mode). psi None leaves `z` as drawn.

    Computed in float64 on the CPU (float32's Phi saturates early, and not every device has
    float64), then clamped in `z`'s dtype so that rounding never lets |z'| exceed psi.
    """
    if psi is None:
        return z
    if not psi > 0:
        raise ValueError(f"the truncation threshold psi must be positive, got {psi}")
    x = z.detach().to("cpu", torch.float64)
    low = ndtr(torch.tensor(-psi, dtype=torch.float64))
    mapped = ndtri(low + ndtr(x) * (1 - 2 * low))  # Phi(psi) - Phi(-psi) = 1 - 2 Phi(-psi)
    bound = _at_most(psi, z.dtype)
    return mapped.to(z.dtype).clamp(-bound, bound).to(z.device)


def _at_most(value: float, dtype: torch.dtype) -> torch.Tensor:
    """The largest number of `dtype` not above `value` (float32 rounds 1.0852048184 up)."""
    rounded = torch.tensor(value, dtype=dtype)
    if rounded.item() > value:
        rounded = torch.nextafter(rounded, torch.zeros((), dtype=dtype))
    return rounded
