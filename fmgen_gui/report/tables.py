"""The report's tables as HTML: one row per run, and the calibration rows under them."""

from __future__ import annotations

import html

from trainer.common import keys
from trainer.common.words import epochs_phrase, plural
from trainer.evaluation.comparison import COST_SECTION, LIKELIHOOD_SECTION
from trainer.registry import get_model
from trainer.report.interpret import describe_setup, interpret
from trainer.report.verdicts import failed
from trainer.runs.facts import RunFacts, data_phrase, option_phrases, trained_phrase
from trainer.runs.metrics_json import (
    CALIBRATION,
    CALIBRATION_FLOOR,
    CALIBRATION_NOISE,
    RUNS,
    SAMPLES_SECTION,
    TEST_SECTION,
)

TABLE = "<table border='1' cellspacing='0' cellpadding='2' width='100%'>"
# The app's: at width 100% Qt lays a wide table out a pixel wider than the view (its border),
# which brought a horizontal scroll bar
APP_TABLE = "<table border='1' cellspacing='0' cellpadding='2' width='99%'>"
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
# How a likelihood's number relates to -log p(x): exact, an upper bound (the ELBO, IWAE), or an
# estimate of the exact value (AIS)
RELATIONS = {"exact": "=", "bound": "&le;", "estimate": "&asymp;"}
# a translator's sample cells: it maps test images, it draws none from noise
NO_SAMPLES = "&ndash; (a translator draws no samples: its numbers are in the Result)"
FAILED_MARK = "<br><span style='color:#c00'>failed: see Result</span>"
# The app's narrow run column wrapped it over three lines
FAILED_MARK_APP = FAILED_MARK.replace("failed: see Result", "failed:&nbsp;see&nbsp;Result")


def _number(key: str, value: float) -> str:
    if key == keys.FID:
        return f"{value:.1f}"
    if key == keys.KID:
        return f"{value:.3g}"
    return f"{value:.2f}"


def _cells(values: list[str]) -> str:
    return "".join(f"<td>{value}</td>" for value in values)


def _likelihood_cell(section: dict) -> str:
    """'exact: 3.52' or 'bound: <= 4.10 +- 0.05' bits/dim of the 8-bit test images, with how it
    was estimated (nats per image for runs on binarised pixels); 'none' with the reason where
    the model has no comparable likelihood."""
    found = section[LIKELIHOOD_SECTION]
    if found["kind"] == "none":
        return f"none ({html.escape(found['reason'])})" if found["reason"] else "none"
    relation = RELATIONS[found["kind"]]
    if found.get("binarised"):  # nats per binarised image: the VAE's IWAE beside the RBM's AIS
        bar = found["error_bar"]
        spread = f" &plusmn; {bar:.1f} (3 s.e.)" if bar is not None else ""
        return (
            f"{found['kind']}: &minus;log {html.escape(found['of'])} {relation} "
            f"{found['nats']:.1f}{spread} nats per binarised image "
            f"({html.escape(found['estimate'])})"
        )
    se = found[keys.BITS_PER_DIM_SE]
    spread = f" &plusmn; {se:.2f}" if se is not None else ""
    return (
        f"{found['kind']}: &minus;log {html.escape(found['of'])} {relation} "
        f"{found[keys.BITS_PER_DIM]:.2f}{spread} ({html.escape(found['estimate'])})"
    )


def _cost_cells(section: dict) -> list[str]:
    """Network evaluations per sample (with the sampler), and the measured ms per sample."""
    cost = section[COST_SECTION]
    return [
        f"{cost['network_evaluations']} ({html.escape(cost['sampler'])})",
        f"{cost['ms_per_sample']:.2f} ({html.escape(cost['device'])}, batch {cost['batch']})",
    ]


def _run_row(key: str, section: dict, calibration: dict) -> str:
    facts = RunFacts.from_dict(section)
    spec = get_model(facts.model)
    name = f"<b>{html.escape(facts.label)}</b>" + (
        FAILED_MARK if failed(section, calibration) else ""
    )
    objective = ", ".join([spec.objective, *option_phrases(section["config"])])
    trained = f"{data_phrase(facts)}; {trained_phrase(facts)}"
    return (
        "<tr>"
        + _cells(
            [
                name,
                f"{facts.parameters / 1e6:.2f}&nbsp;M",
                html.escape(trained),
                html.escape(objective),
                _likelihood_cell(section),
                *_cost_cells(section),
            ]
        )
        + _sample_cells(section)
        + "</tr>"
    )


def _sample_cells(section: dict) -> str:
    """The sample metrics' cells; one blank cell across them, with the reason, for a
    translator (ModelSpec.translates), which draws no samples."""
    if SAMPLES_SECTION not in section:
        return f"<td colspan='{len(SAMPLE_COLUMNS)}'>{NO_SAMPLES}</td>"
    return _cells([_number(k, section[SAMPLES_SECTION][k]) for k, _ in SAMPLE_COLUMNS])


def comparison_table(metrics: dict) -> str:
    """One row per run (what it is, how it was trained, its samples), then the calibration."""
    calibration = metrics[CALIBRATION]
    header = [
        "run",
        "parameters",
        "trained on",
        "objective",
        "test likelihood, 8-bit bits/dim (binarised: nats)",
    ]
    header += ["network evaluations per sample", "ms per sample (device, batch)"]
    header += [title for _, title in SAMPLE_COLUMNS]
    rows = [_run_row(key, s, calibration) for key, s in metrics[RUNS].items()]
    rows += [
        "<tr>"
        + _cells([f"<i>{title}</i>", "", "", "", "", "", ""])
        + _cells([_number(k, calibration[row][k]) for k, _ in SAMPLE_COLUMNS])
        + "</tr>"
        for row, title in CALIBRATION_ROWS
    ]
    head = "".join(f"<th>{h}</th>" for h in header)
    return f"{TABLE}<tr>{head}</tr>{''.join(rows)}</table>"


def _tipped(text: str, tip: str) -> str:
    """`text` (HTML) with `tip` (HTML without tags) as its tooltip in the app's text view."""
    return f"<span title='{tip}'>{text}</span>"


def _short_likelihood(section: dict) -> str:
    """'&le; 4.10 bits/dim', '&le; 266.1 nats' (binarised) or 'none'; the rest in its tooltip."""
    found = section[LIKELIHOOD_SECTION]
    if found["kind"] == "none":
        short = "none"
    elif found.get("binarised"):
        short = f"{RELATIONS[found['kind']]}&nbsp;{found['nats']:.1f}&nbsp;nats"
    else:
        short = f"{RELATIONS[found['kind']]}&nbsp;{found[keys.BITS_PER_DIM]:.2f}&nbsp;bits/dim"
    return _tipped(short, _likelihood_cell(section))


def _app_row(section: dict, calibration: dict) -> str:
    """One run in a cell or two a column; what the appendix's table spells out, in tooltips."""
    facts = RunFacts.from_dict(section)
    spec = get_model(facts.model)
    about = "; ".join([f"{facts.parameters / 1e6:.2f} M parameters", spec.objective])
    about = "; ".join([about, *option_phrases(section["config"])])
    mark = FAILED_MARK_APP if failed(section, calibration) else ""
    cost = section[COST_SECTION]
    cells = [
        _tipped(f"<b>{html.escape(facts.label)}</b>", html.escape(about)) + mark,
        _tipped(
            # each phrase on one line: "200 images, 1 epoch" wrapped into three
            ", ".join(
                html.escape(phrase).replace(" ", "&nbsp;")
                for phrase in (data_phrase(facts), epochs_phrase(facts.epochs_trained))
            ),
            html.escape(trained_phrase(facts)),
        ),
        _short_likelihood(section),
        _tipped(f"{cost['ms_per_sample']:.2f}", " ".join(_cost_cells(section))),
    ]
    return f"<tr>{_cells(cells)}{_sample_cells(section)}</tr>"


def app_table(metrics: dict) -> str:
    """The Evaluate tab's table: the comparison's columns that fit a window, each cell short
    (the trial's 11 columns of 4-6-line cells needed a scroll bar); hover for the details."""
    calibration = metrics[CALIBRATION]
    header = [
        "run",
        "trained on",
        _tipped("test likelihood", "-log p(x) of the 8-bit test images (binarised: nats)"),
        _tipped("ms per sample", "network evaluations, sampler, device and batch: hover a cell"),
        *(title for _, title in SAMPLE_COLUMNS),
    ]
    rows = [_app_row(section, calibration) for section in metrics[RUNS].values()]
    rows += [
        "<tr>"
        + _cells([_tipped(f"<i>{short}</i>", title), "", "", ""])
        + _cells([_number(k, calibration[row][k]) for k, _ in SAMPLE_COLUMNS])
        + "</tr>"
        for (row, title), short in zip(CALIBRATION_ROWS, ("real images", "noise"), strict=True)
    ]
    head = "".join(f"<th>{h}</th>" for h in header)
    return f"{APP_TABLE}<tr>{head}</tr>{''.join(rows)}</table>"


def likelihood_table(metrics: dict, table: str = TABLE) -> str:
    """The ELBO's own terms (they add up), the IWAE bound and the mean reconstruction's error,
    for the runs with an encoder; empty when there is none. `table`: its opening tag."""
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
    return f"{table}<tr>{head}</tr>{''.join(rows)}</table>"


def page_table(metrics: dict) -> str:
    """The page's compact table: per run its training, one quality number between the real
    images' floor and the noise's ceiling, and (with an encoder) the ELBO's terms and the
    reconstruction error. The full comparison is the appendix's."""
    calibration = metrics[CALIBRATION]
    floor, noise = (calibration[row][keys.FID] for row in (CALIBRATION_FLOOR, CALIBRATION_NOISE))
    header = [
        "run",
        "trained on",
        f"FID&nbsp;&darr; (real images {floor:.1f}, noise {noise:.1f})",
        "test &minus;ELBO = reconstruction + KL (nats per image)",
        "reconstruction MSE per pixel",
    ]
    rows = []
    for section in metrics[RUNS].values():
        facts = RunFacts.from_dict(section)
        mark = FAILED_MARK if failed(section, calibration) else ""
        cells = [
            f"<b>{html.escape(facts.label)}</b>{mark}",
            html.escape(f"{data_phrase(facts)}; {trained_phrase(facts)}"),
            _number(keys.FID, section[SAMPLES_SECTION][keys.FID])
            if SAMPLES_SECTION in section
            else NO_SAMPLES,
        ]
        if TEST_SECTION in section:
            o = section[TEST_SECTION]["overall"]
            cells.append(f"{o[keys.NEG_ELBO]:.1f} = {o[keys.RECON]:.1f} + {o[keys.KL]:.1f}")
            cells.append(f"{o[keys.MSE]:.4f}")
        else:
            cells += ["&ndash;", "&ndash;"]  # no approximate posterior: no ELBO terms
        rows.append(f"<tr>{_cells(cells)}</tr>")
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
        f"k = {settings['pr_k']} nearest neighbours. Test likelihoods are bits per dimension "
        "of the 8-bit test images (exact, or an upper bound on -log p), each with how it was "
        "estimated; ms per sample were measured while making each row's samples, on the "
        "device and in the batches stated, so they compare only within one evaluation."
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
        + app_table(metrics)
        + likelihood_table(metrics, APP_TABLE)
        + f"<p>{html.escape(table_notes(metrics))}</p>"
        + f"<p><b>Result.</b> {html.escape(' '.join(interpret(metrics)))}</p>"
    )
