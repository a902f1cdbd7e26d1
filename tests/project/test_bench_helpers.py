"""The benchmarks' pure helpers: alternating order, spread, and the loop's batch cutting."""

import torch

from benchmarks.common import alternate_rounds, round_order, spread
from trainer.data.epochs import epoch_batches


def test_round_order_puts_each_contestant_first_in_turn():
    names = ["a", "b", "c"]
    assert [round_order(names, r) for r in range(4)] == [
        ["a", "b", "c"],
        ["b", "c", "a"],
        ["c", "a", "b"],
        ["a", "b", "c"],
    ]


def test_alternate_rounds_runs_in_alternating_order_and_keeps_every_round():
    calls: list[str] = []

    def measure(name: str):
        return lambda: calls.append(name) or len(calls)

    results = alternate_rounds({"ours": measure("ours"), "theirs": measure("theirs")}, 3)
    assert calls == ["ours", "theirs", "theirs", "ours", "ours", "theirs"]
    assert results == {"ours": [1, 4, 5], "theirs": [2, 3, 6]}


def test_spread_states_median_and_range():
    assert spread([3.0, 1.0, 2.0, 10.0], 1, "x") == "2.5x (1.0-10.0x, 4 runs)"


def test_epoch_batches_cut_the_order_like_the_loop_from_any_batch():
    order = torch.arange(10)
    batches = list(epoch_batches(order, 4))
    assert [b for b, _ in batches] == [0, 1, 2]
    assert [p.tolist() for _, p in batches] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert [(b, p.tolist()) for b, p in epoch_batches(order, 4, first=2)] == [(2, [8, 9])]
