"""One-off: dump the report page's text sections (run under main's and the branch's code)."""
import json, os
from tests.test_report import AUTHORS, PEOPLE, runs, classifier, pins, evaluation  # noqa: F401
from fmgen_gui.report.layout import TextSection
from fmgen_gui.report.page import build_page
from trainer.report_options import ReportOptions


def test_dump(evaluation, runs, qtbot):
    out = {}
    for title in (PEOPLE["title"], "A <b> & 'C'", ""):
        for comment in ("Tiny <i>", ""):
            people = {**PEOPLE, "title": title, "comment": comment}
            options = ReportOptions(runs=tuple(runs), authors=AUTHORS, **people)
            page = build_page(evaluation, options)
            out[f"{title}|{comment}"] = [(s.name, s.html) for s in page.sections if isinstance(s, TextSection)]
    with open(os.environ["DUMP"], "w") as f:
        json.dump(out, f, indent=1)
