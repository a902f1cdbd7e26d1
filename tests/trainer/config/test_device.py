"""How devices are described to people: the threads a run will use, in plain words."""

from __future__ import annotations

import torch

from trainer.config.device import available_devices


def test_the_cpu_is_described_with_the_threads_a_run_will_use(monkeypatch):
    monkeypatch.setattr(torch, "get_num_threads", lambda: 7)  # what this process has now
    monkeypatch.setenv("FMGEN_THREADS", "3")
    assert dict(available_devices())["cpu"] == "cpu (3 threads)"
    monkeypatch.setenv("FMGEN_THREADS", "1")
    devices = dict(available_devices())
    assert devices["cpu"] == "cpu (1 thread)"
    if not torch.cuda.is_available():
        assert devices["auto"] == "auto: cpu (1 thread)"
