"""One optimisation step in any precision, and what did not fit when weights were loaded: the
parts of a learner that need no learner."""

from __future__ import annotations

import torch

from trainer.config.precision import Precision


def optimizer_step(
    optimizer: torch.optim.Optimizer,
    scaler: torch.amp.GradScaler | None,
    precision: Precision,
    loss: torch.Tensor,
    max_grad_norm: float | None = None,
) -> None:
    """Backpropagate `loss` into cleared gradients and step `optimizer`.

    `scaler` scales an fp16 loss (None in other precisions). `max_grad_norm` clips the
    gradients' global norm first (unscaled, as in the PyTorch AMP examples, so the limit means
    the same in every precision).
    """
    optimizer.zero_grad(set_to_none=True)
    with precision.backward_context():
        (scaler.scale(loss) if scaler else loss).backward()
    if max_grad_norm is not None:
        if scaler:
            scaler.unscale_(optimizer)
        parameters = [p for group in optimizer.param_groups for p in group["params"]]
        torch.nn.utils.clip_grad_norm_(parameters, max_grad_norm)
    if scaler:
        scaler.step(optimizer)  # skipped when the scaled gradients overflowed
        scaler.update()
    else:
        optimizer.step()


def load_mismatch(exc: Exception, limit: int = 300) -> str:
    """What did not fit, in one line: torch's load_state_dict puts it on the line after a
    header ('Error(s) in loading state_dict for VAE:'), and may list hundreds of keys."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    text = " ".join(lines[:2]) if lines and lines[0].endswith(":") else "".join(lines[:1])
    text = text or type(exc).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"
