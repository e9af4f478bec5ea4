"""The audit's results as a reader sees them: summary lines and the report's digest page."""

import html

from xstilts.audit.describe import describe_summary, digest_page, totals
from xstilts.audit.digest import Digest
from xstilts.audit.verify import DIRTY, OK, WRONG, Audit, Cell, Link, Output
from xstilts.spec import paths


def cell(status: str, target: str = "pawsx") -> Cell:
    return Cell("mnli", target, 1, "abc", {"de": {"accuracy": "80.0"}, "all": {"score": "80.0"}},
                [Link("table", paths.TABLE2, OK), Link("scores", "s.json", status, "why")])


def test_totals_count_each_status_in_a_fixed_order():
    assert totals([cell(WRONG), cell(OK), cell(OK), cell(DIRTY)]) == "2 OK, 1 DIRTY TREE, 1 WRONG"
    assert totals([]) == "none"


def test_a_summary_line_names_the_first_problem_and_the_languages():
    assert describe_summary(cell(WRONG)) == ("WRONG       mnli x pawsx, seed 1 (de): "
                                             "scores s.json (why)")


def test_the_digest_page_shows_what_was_audited_and_every_part():
    digest = Digest("f" * 64, {"data": "a" * 64, "tables": "b" * 64}, {})
    audit = Audit({"table2": [cell(OK), cell(OK, "xnli")]},
                  [Output("results/table1.provenance.json", "table1", [], [])], {}, digest)
    text = digest_page(audit)
    assert text.startswith("<!DOCTYPE html>") and text.count("<tr>") == 1 + 3
    assert "<td class=\"text\">root</td><td class=\"text\">" + "f" * 64 in text
    assert "<td class=\"text\">tables</td><td class=\"text\">" + "b" * 64 in text
    assert html.escape("Audited 2 cells (2 OK) and 1 outputs (1 OK).") in text
    assert html.escape(f"--expect {paths.AUDIT_DIGEST}") in text
