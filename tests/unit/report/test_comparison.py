"""The paper comparison: published numbers next to Table 2, on small hand-made tables."""

from pathlib import Path

import pytest

from xstilts.report.comparison import (
    HEADER,
    PaperReferenceError,
    compare,
    load_reference,
    paper_average_improvements,
)
from xstilts.report.table2 import TableError, read_intervals, read_table2, write_csv

REPO = Path(__file__).resolve().parents[3]
# baseline average (70 + 80) / 2 = 75, mnli (78 + 83) / 2 = 80.5: improvement 5.5
TABLE2 = """\
intermediate,xnli,pawsx,classification,average,note
baseline,70.00,80.00,75.00,75.00,
mnli,78.00,83.00,80.50,80.50,
ccg,,,,,dataset 'ccgbank' not found
"""
REFERENCE = """\
average_over: [xnli, pawsx, udpos]
groups:
  - source: abstract
    quantity: average_improvement
    split: dev
    numbers:
      - {intermediate: mnli, value: 7.5}
      - {intermediate: [mnli, ccg], value: 6.0, note: ambiguous}
      - {intermediate: mnli, split: test, value: 5.4}
  - source: table 2
    quantity: score
    split: dev
    metric: score
    numbers:
      - {intermediate: mnli, target: xnli, value: 79.0}
      - {intermediate: mnli, target: tydiqa, value: 60.0}
      - {intermediate: mnli, target: xnli, metric: accuracy, value: 79.0}
"""


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


@pytest.fixture
def table(tmp_path):
    return read_table2(write(tmp_path / "table2.csv", TABLE2))


@pytest.fixture
def reference(tmp_path):
    return load_reference(write(tmp_path / "reference.yaml", REFERENCE))


def compared(reference, table) -> list[dict]:
    header, body = compare(reference, table)
    return [dict(zip(header, row, strict=True)) for row in body]


def test_average_improvement_is_row_minus_baseline_average(reference, table):
    row = compared(reference, table)[0]
    assert (row["intermediate"], row["paper"], row["source"]) == ("mnli", 7.5, "abstract")
    assert row["ours"] == pytest.approx(5.5)
    assert row["difference"] == pytest.approx(-2.0)
    assert row["note"] == "ours averages without udpos"  # the paper averages over more


def test_ambiguous_number_is_compared_with_each_row(reference, table):
    mnli, ccg = compared(reference, table)[1:3]
    assert mnli["ours"] == pytest.approx(5.5) and mnli["difference"] == pytest.approx(-0.5)
    assert ccg["ours"] is None and ccg["difference"] is None
    assert ccg["note"] == ("ambiguous; ours: no average for 'ccg' "
                           "(dataset 'ccgbank' not found)")


def test_test_split_numbers_have_no_counterpart(reference, table):
    row = compared(reference, table)[3]
    assert (row["split"], row["paper"], row["ours"]) == ("test", 5.4, None)
    assert row["note"] == "ours: Table 2 reports dev sets only"


def test_score_cells(reference, table):
    cell, absent, other_metric = compared(reference, table)[4:]
    assert (cell["target"], cell["ours"], cell["difference"]) == ("xnli", 78.0, -1.0)
    assert absent["ours"] is None and absent["note"] == "ours: no target 'tydiqa' in Table 2"
    assert other_metric["ours"] is None and "task score" in other_metric["note"]


# results/table2_improvement_ci.csv: mnli's average improvement 5.5 in [3.0, 7.0], its
# xnli score 78 in [76.5, 79.5]
INTERVALS = """\
intermediate,column,language,score,ci_low,ci_high,improvement,improvement_ci_low,\
improvement_ci_high,significant
mnli,xnli,all,78.0,76.5,79.5,8.0,6.0,10.0,True
mnli,xnli,de,77.0,74.0,80.0,7.0,5.0,9.0,True
mnli,average,all,80.5,78.0,83.0,5.5,3.0,7.0,True
"""


def test_written_rows(reference, table, tmp_path):
    write_csv(tmp_path / "comparison.csv", *compare(reference, table))
    lines = (tmp_path / "comparison.csv").read_text().splitlines()
    assert lines[0] == ",".join(HEADER)
    assert lines[5] == "score,mnli,xnli,score,dev,79.00,78.00,,,,-1.00,table 2,"


def test_paper_value_against_our_interval(reference, table, tmp_path):
    intervals = read_intervals(write(tmp_path / "ci.csv", INTERVALS))
    rows = [dict(zip(HEADER, row, strict=True)) for row in compare(reference, table,
                                                                  intervals)[1]]
    # average improvement: 7.5 outside [3, 7]; 6.0 (the ambiguous number) inside
    assert [(row["ours_ci_low"], row["ours_ci_high"], row["paper_in_interval"])
            for row in rows[:2]] == [(3.0, 7.0, "no"), (3.0, 7.0, "yes")]
    # xnli score: 79 inside our interval of the task score [76.5, 79.5]
    assert (rows[4]["ours_ci_low"], rows[4]["ours_ci_high"], rows[4]["paper_in_interval"]) \
        == (76.5, 79.5, "yes")
    # no counterpart, no interval: ccg, the test split, another target
    assert all(row["paper_in_interval"] == "" for row in (rows[2], rows[3], rows[5]))


def test_paper_average_improvements_keep_one_entry_per_published_number(reference):
    # the ambiguous number stays one entry naming both rows, and leaves mnli's own alone
    assert paper_average_improvements(reference) == [(("mnli",), 7.5), (("mnli", "ccg"), 6.0)]


def test_repository_reference_holds_the_abstract_numbers():
    reference = load_reference(REPO / "config" / "paper_reference.yaml")
    assert paper_average_improvements(reference) == [
        (("squad_v1", "squad_v2"), 8.2), (("mnli",), 7.5), (("hellaswag",), 7.0),
        (("multitask",), 8.7)]
    assert len(reference["average_over"]) == 9
    assert all(number["source"] for number in reference["numbers"])


@pytest.mark.parametrize(("text", "message"), [
    ("intermediate,xnli,average\nbaseline,1.0,x\n", "line 2, column 'average': 'x' is not"),
    ("intermediate,xnli\nbaseline,1.0\n", "no column 'average'"),
    ("intermediate,xnli,average\nmnli,1.0,1.0\n", "no row 'baseline'"),
    ("intermediate,average\nbaseline,1\nbaseline,2\n", "line 3, column 'intermediate'"),
])
def test_malformed_table_names_file_and_column(tmp_path, text, message):
    path = write(tmp_path / "table2.csv", text)
    with pytest.raises(TableError, match=message) as error:
        read_table2(path)
    assert str(error.value).startswith(str(path))


@pytest.mark.parametrize(("number", "message"), [
    ("{quantity: best, intermediate: mnli, value: 1}", r"numbers\[0\]: quantity 'best'"),
    ("{quantity: score, intermediate: mnli, value: 1}", r"numbers\[0\]: no key 'target'"),
    ("{quantity: average_improvement, intermediate: mnli, value: high}", "not a number"),
])
def test_malformed_reference_names_file_and_entry(tmp_path, number, message):
    path = write(tmp_path / "reference.yaml", "average_over: [xnli]\ngroups:\n"
                 f"  - {{source: s, split: dev, metric: score, numbers: [{number}]}}\n")
    with pytest.raises(PaperReferenceError, match=message) as error:
        load_reference(path)
    assert str(error.value).startswith(f"{path}: groups[0]")


def test_numbers_covering_a_target_not_scored_as_the_benchmark_say_so(reference, tmp_path):
    # as xstilts.report.table2 writes it: the baseline's BUCC came from gold pairs alone
    text = TABLE2.replace("baseline,70.00,80.00,75.00,75.00,",
                          "baseline,70.00,80.00,75.00,75.00,pawsx not comparable: gold only")
    rows = compared(reference, read_table2(write(tmp_path / "table2.csv", text)))
    assert rows[0]["note"] == "ours averages without udpos; ours: pawsx not comparable: gold only"
    assert rows[4]["target"] == "xnli" and rows[4]["note"] == ""  # covers xnli only
