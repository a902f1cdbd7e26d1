"""The report's tables as HTML: one row per run, and the calibration rows under them."""

from __future__ import annotations

import html

from trainer import keys
from trainer.interpret import describe_setup, interpret
from trainer.metrics_document import (
    CALIBRATION,
    CALIBRATION_FLOOR,
    CALIBRATION_NOISE,
    RUNS,
    SAMPLES_SECTION,
    TEST_SECTION,
)
from trainer.registry import get_model
from trainer.run_facts import RunFacts, data_phrase, option_phrases, trained_phrase
from trainer.verdicts import failed
from trainer.words import plural

TABLE = "<table border='1' cellspacing='0' cellpadding='2' width='100%'>"
SAMPLE_COLUMNS = (  # (key, header): the sample metrics every row shows
    (keys.FID, "FID&nbsp;&darr;"),
    (keys.KID, "KID&nbsp;&darr;"),
    (keys.PRECISION, "precision&nbsp;&uarr;"),
    (keys.RECALL, "recall&nbsp;&uarr;"),
    (keys.COVERAGE, "coverage&nbsp;&uarr;"),
)
CALIBRATION_ROWS = (
    (CALIBRATION_FLOOR, "real training images (floor)"),
    (CALIBRATION_NOISE, "uniform noise (ceiling)"),
)
FAILED_MARK = "<br><span style='color:#c00'>failed: see Result</span>"


def _number(key: str, value: float) -> str:
    if key == keys.FID:
        return f"{value:.1f}"
    if key == keys.KID:
        return f"{value:.3g}"
    return f"{value:.2f}"


def _cells(values: list[str]) -> str:
    return "".join(f"<td>{value}</td>" for value in values)


def _likelihood_cell(section: dict) -> str:
    spec = get_model(section["model"])
    likelihood = spec.likelihood
    if likelihood.kind == "none":
        return f"none ({html.escape(likelihood.reason)})" if likelihood.reason else "none"
    test = section.get(TEST_SECTION)
    if likelihood.kind == "bound" and test:
        o = test["overall"]
        return f"bound: &minus;log {test['bound_of']} &le; {o[keys.IWAE_NLL]:.1f} nats (IWAE)"
    return html.escape(likelihood.kind)


def _run_row(key: str, section: dict, calibration: dict) -> str:
    facts = RunFacts.from_dict(section)
    spec = get_model(facts.model)
    name = f"<b>{html.escape(facts.label)}</b>" + (
        FAILED_MARK if failed(section, calibration) else ""
    )
    objective = ", ".join([spec.objective, *option_phrases(section["config"])])
    trained = f"{data_phrase(facts)}; {trained_phrase(facts)}"
    samples = section[SAMPLES_SECTION]
    return (
        "<tr>"
        + _cells(
            [
                name,
                f"{facts.parameters / 1e6:.2f}&nbsp;M",
                html.escape(trained),
                html.escape(objective),
                _likelihood_cell(section),
                *(_number(k, samples[k]) for k, _ in SAMPLE_COLUMNS),
            ]
        )
        + "</tr>"
    )


def comparison_table(metrics: dict) -> str:
    """One row per run (what it is, how it was trained, its samples), then the calibration."""
    calibration = metrics[CALIBRATION]
    header = ["run", "parameters", "trained on", "objective", "likelihood"]
    header += [title for _, title in SAMPLE_COLUMNS]
    rows = [_run_row(key, s, calibration) for key, s in metrics[RUNS].items()]
    rows += [
        "<tr>"
        + _cells([f"<i>{title}</i>", "", "", "", ""])
        + _cells([_number(k, calibration[row][k]) for k, _ in SAMPLE_COLUMNS])
        + "</tr>"
        for row, title in CALIBRATION_ROWS
    ]
    head = "".join(f"<th>{h}</th>" for h in header)
    return f"{TABLE}<tr>{head}</tr>{''.join(rows)}</table>"


def likelihood_table(metrics: dict) -> str:
    """The ELBO's own terms (they add up), the IWAE bound and the mean reconstruction's error,
    for the runs with an encoder; empty when there is none."""
    sections = [s for s in metrics[RUNS].values() if TEST_SECTION in s]
    if not sections:
        return ""
    header = (
        "run",
        "reconstruction term E<sub>q</sub>[&minus;log p(x|z)]",
        "KL",
        "&minus;ELBO (= sum)",
        f"IWAE bound (k = {metrics['settings']['iwae_k']})",
        "bits/dim",
        "MSE per pixel of the mean reconstruction",
    )
    rows = []
    for section in sections:
        o = section[TEST_SECTION]["overall"]
        bits = o[keys.BITS_PER_DIM]
        values = [
            html.escape(section["label"]),
            *(f"{o[k]:.1f}" for k in (keys.RECON, keys.KL, keys.NEG_ELBO, keys.IWAE_NLL)),
            f"{bits:.3f}" if bits is not None else "n/a (grey pixels)",
            f"{o[keys.MSE]:.4f}",
        ]
        rows.append(f"<tr>{_cells(values)}</tr>")
    head = "".join(f"<th>{h}</th>" for h in header)
    return f"{TABLE}<tr>{head}</tr>{''.join(rows)}</table>"


def table_notes(metrics: dict) -> str:
    """What the tables' numbers are, stated once (plain text)."""
    settings = metrics["settings"]
    notes = (
        f"Every sample row: {plural(metrics['sample_count'], 'image')} against the "
        f"{plural(metrics['data']['test_size'], 'test image')}, in the classifier's 128 features. "
        "KID is in torchmetrics' raw units (polynomial-kernel MMD\u00b2); it is unbiased, so the "
        "real-data floor can be slightly negative. Precision, recall and coverage use "
        f"k = {settings['pr_k']} nearest neighbours."
    )
    if any(TEST_SECTION in s for s in metrics[RUNS].values()):
        notes += (
            " ELBO terms and bounds in nats per test image; the reconstruction term averages "
            f"k = {settings['iwae_k']} posterior draws, as the ELBO does; the MSE is of the "
            "decoded posterior mean, the picture a person sees."
        )
    return notes


def results_html(metrics: dict) -> str:
    """The pane's text: setup, tables, notes and the interpretation."""
    return (
        f"<p><b>What was done and how.</b> {html.escape(describe_setup(metrics))}</p>"
        + comparison_table(metrics)
        + likelihood_table(metrics)
        + f"<p>{html.escape(table_notes(metrics))}</p>"
        + f"<p><b>Result.</b> {html.escape(' '.join(interpret(metrics)))}</p>"
    )
