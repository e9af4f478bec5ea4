"""The summaries (Table 1, paper comparison, figures, report) after the demo slice."""

from __future__ import annotations

import json
import zipfile

import pytest
from workflow import DEMO, SLICE_LANGUAGES, SLICE_ROWS, read_csv, snakemake

from xstilts.report.curves import curve_name

pytestmark = pytest.mark.workflow

FIGURES = [f"results/figures/{name}.{suffix}"
           for name in ("improvement_heatmap", "per_language_improvement", "average_improvement")
           for suffix in ("svg", "png", "pdf")]


def test_table1_counts_the_prepared_data(demo_run):
    rows = {row["task"]: row for row in read_csv(demo_run / "results/table1.csv")}
    assert list(rows) == [*SLICE_ROWS[1:], *SLICE_LANGUAGES]
    assert {rows[task]["role"] for task in SLICE_ROWS[1:]} == {"intermediate"}
    files = json.loads((demo_run / "data/prepared/udpos/manifest.json").read_text())["files"]
    languages = SLICE_LANGUAGES["udpos"]
    # kk has no dev split: it is neither evaluated nor counted in the dev column
    dev = sum(files[f"{lang}/validation"]["rows"] for lang in languages - {"kk"})
    assert int(rows["udpos"]["dev"]) == dev
    assert int(rows["udpos"]["train"]) == files["en/train"]["rows"]
    assert set(rows["udpos"]["language_list"].split()) == languages
    assert rows["tatoeba"]["train"] == ""  # retrieval: no training data


def test_paper_comparison_uses_table2(demo_run):
    table = {row["intermediate"]: row for row in read_csv(demo_run / "results/table2.csv")}
    rows = [row for row in read_csv(demo_run / "results/paper_comparison.csv")
            if row["quantity"] == "average_improvement" and row["split"] == "dev"]
    by_row = {row["intermediate"]: row for row in rows}
    ours = float(table["mnli"]["average"]) - float(table["baseline"]["average"])
    assert float(by_row["mnli"]["ours"]) == pytest.approx(ours, abs=0.011)
    assert float(by_row["mnli"]["difference"]) == pytest.approx(ours - 7.5, abs=0.011)
    assert by_row["squad_v2"]["ours"] == ""  # not in the slice
    assert "no row 'squad_v2'" in by_row["squad_v2"]["note"]


INTERVALS = ["results/table2_long.csv", "results/table2_improvement_ci.csv",
             "results/paper_comparison.csv"]


def test_intervals_of_every_cell(demo_run):
    table = {row["intermediate"]: row for row in read_csv(demo_run / "results/table2.csv")}
    cells = {(row["intermediate"], row["column"], row["language"]): row
             for row in read_csv(demo_run / "results/table2_improvement_ci.csv")}
    for row in SLICE_ROWS:
        for column in (*SLICE_LANGUAGES, "average"):
            cell = cells[row, column, "all"]
            assert float(cell["score"]) == pytest.approx(float(table[row][column]), abs=0.006)
            assert float(cell["ci_low"]) <= float(cell["score"]) <= float(cell["ci_high"])
            assert (cell["significant"] == "") == (row == "baseline")
    # every language the long form scores (UD-POS kk, without a dev split, is left out)
    scored = {(row["intermediate"], row["target"], row["language"])
              for row in read_csv(demo_run / "results/table2_long.csv")}
    assert {key for key in cells if key[1] in SLICE_LANGUAGES} == scored
    mnli = cells["mnli", "average", "all"]
    assert mnli["significant"] == str(float(mnli["improvement_ci_low"]) > 0
                                      or float(mnli["improvement_ci_high"]) < 0)
    comparison = {row["intermediate"]: row for row in read_csv(
        demo_run / "results/paper_comparison.csv") if row["quantity"] == "average_improvement"
        and row["split"] == "dev"}
    assert comparison["mnli"]["ours_ci_low"] == f"{float(mnli['improvement_ci_low']):.2f}"
    assert comparison["mnli"]["paper_in_interval"] in ("yes", "no")


def test_intervals_rebuild_byte_identical(demo_run):
    before = {path: (demo_run / path).read_bytes() for path in INTERVALS}
    snakemake(demo_run, *INTERVALS, "--cores", "1", "--forcerun", "table2", *DEMO)
    assert {path: (demo_run / path).read_bytes() for path in INTERVALS} == before


def test_figures_rebuild_byte_identical(demo_run):
    before = {path: (demo_run / path).read_bytes() for path in FIGURES}
    mtime = (demo_run / FIGURES[0]).stat().st_mtime_ns
    snakemake(demo_run, FIGURES[0], "--cores", "1", "--forcerun", "figures", *DEMO)
    assert (demo_run / FIGURES[0]).stat().st_mtime_ns != mtime  # it did run again
    assert {path: (demo_run / path).read_bytes() for path in FIGURES} == before


def test_report_holds_every_table_figure_curve_and_the_workflow_page(demo_run):
    snakemake(demo_run, "--cores", "2", *DEMO)  # what the tests above rebuilt, downstream too
    snakemake(demo_run, "--report", "report.zip", *DEMO)
    tables = {f"{name}.html" for name in (
        "table1", "table2", "table3", "table_mlm", "table_translated", "translation_quality",
        "paper_comparison")}
    with zipfile.ZipFile(demo_run / "report.zip") as archive:
        names = archive.namelist()
        html = archive.read("report/report.html").decode()
        pages = {name.rsplit("/", 1)[1]: archive.read(name).decode() for name in names
                 if name.rsplit("/", 1)[1] in {*tables, "digest.html"}}
    # the audit's page, with the root digest the default target's audit wrote
    audit_page = pages.pop("digest.html")
    root = json.loads((demo_run / "results/audit/digest.json").read_text())["root"]
    assert f'<td class="text">root</td><td class="text">{root}</td>' in audit_page
    # every table of the default target, rendered
    assert set(pages) == tables
    table2 = read_csv(demo_run / "results/table2.csv")
    assert "<table>" in pages["table2.html"]
    assert all(f'<td class="text">{row["intermediate"]}</td>' in pages["table2.html"]
               for row in table2)
    for name in ("improvement_heatmap.svg", "per_language_improvement.svg",
                 "average_improvement.svg"):
        assert any(entry.endswith(f"/{name}") for entry in names), name
    # one training-curve figure per trained model
    curves = {name.rsplit("/", 1)[1] for name in names
              if name.rsplit("/", 1)[1].startswith(("intermediate.", "target."))}
    trained = [*demo_run.glob("models/intermediate/*/seed1"),
               *demo_run.glob("models/target/*/*/seed1")]
    assert len(trained) > 10
    assert curves == {f"{curve_name(path.relative_to(demo_run))}.png" for path in trained}
    # captions rendered with the configuration, and the workflow page
    assert "offline demo" in html and "Error bars" in html and "clipped" in html
    for heading in ("The workflow, step by step", "Protocol in force",
                    "Notes of the configuration", "Audit digest"):
        assert heading in html, heading
