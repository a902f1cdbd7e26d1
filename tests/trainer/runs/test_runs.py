"""Repairs of metrics.jsonl before a resume: records past the checkpoint and a torn last line."""

from __future__ import annotations

import json

from trainer.runs.folder import MetricsLog, RunFolder

RECORDS = [
    {"type": "step", "epoch": 1, "step": 2, "loss": 300.0},
    {"type": "step", "epoch": 1, "step": 4, "loss": 280.0},
    {"type": "epoch", "epoch": 1, "step": 4, "train": {"loss": 290.0}},
    {"type": "step", "epoch": 2, "step": 6, "loss": 270.0},
    {"type": "step", "epoch": 2, "step": 8, "loss": 260.0},
]


def lines(records: list[dict]) -> str:
    return "".join(json.dumps(r) + "\n" for r in records)


def test_records_past_the_checkpoint_are_dropped(tmp_path):
    """A run stopped at step 8 but resumed from the checkpoint of step 4 must not fork."""
    folder = RunFolder(tmp_path)
    folder.metrics_file.write_text(lines(RECORDS))
    folder.keep_metrics_until(4)
    assert folder.metrics_file.read_text() == lines(RECORDS[:3])  # step 4 itself is kept
    folder.keep_metrics_until(8)
    assert folder.read_metrics() == RECORDS[:3]


def test_a_torn_last_line_is_dropped_so_the_next_record_starts_clean(tmp_path):
    """A crash mid-write leaves half a record without a newline; appending would glue onto it."""
    folder = RunFolder(tmp_path)
    folder.metrics_file.write_text(lines(RECORDS[:4]) + '{"type": "step", "epoch": 2, "st')
    folder.keep_metrics_until(6)
    assert folder.metrics_file.read_text() == lines(RECORDS[:4])
    log = MetricsLog(folder.metrics_file)
    log.write(RECORDS[4])
    log.close()
    assert folder.read_metrics() == RECORDS
    assert all(json.loads(line) for line in folder.metrics_file.read_text().splitlines())
