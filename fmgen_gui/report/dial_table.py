"""The dial sweeps' numbers as HTML tables (the Evaluate tab's text and the appendix): one table
per run and dial, a row per swept value, read from the run's metrics as untrusted."""

from __future__ import annotations

import html

from fmgen_gui.report.tables import TABLE
from trainer.common import keys
from trainer.evaluation.dial_sweep import VALUE, read_dial_sweeps, value_words
from trainer.runs.metrics_json import RUNS

ARROWS = {True: "&nbsp;&darr;", False: "&nbsp;&uarr;", None: ""}  # lower / higher is better


def _header(metric: str) -> str:
    info = keys.METRICS[metric]
    return f"<th>{html.escape(info.label)}{ARROWS[info.lower_is_better]}</th>"


def dial_tables(metrics: dict) -> str:
    """Each run's dial sweeps: the value, then FID, precision, recall (and as asked)."""
    parts = []
    for key, section in metrics[RUNS].items():
        label = section.get("label", key) if isinstance(section, dict) else key
        for sweep in read_dial_sweeps(section):
            title = f"{label}: {sweep.label} swept, the same samples at every value"
            head = f"<th>{html.escape(sweep.label)}</th>" + "".join(map(_header, sweep.metrics))
            rows = "".join(
                "<tr><td>"
                + html.escape(value_words(point[VALUE], sweep.off))
                + "</td>"
                + "".join(f"<td>{keys.format_number(point[m])}</td>" for m in sweep.metrics)
                + "</tr>"
                for point in sweep.points
            )
            parts.append(
                f"<p><b>{html.escape(str(title))}</b></p>{TABLE}<tr>{head}</tr>{rows}</table>"
            )
    return "".join(parts)
