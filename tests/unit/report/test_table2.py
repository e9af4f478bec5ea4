"""Table 2, its long form and its record ids; expected values derived by hand."""

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from xstilts.metrics.bootstrap import material
from xstilts.report.table2 import long_form, over_seeds, records_table, table2, write_csv
from xstilts.store.provenance import record_id, sha256_file

REPO = Path(__file__).resolve().parents[3]


# --- Table 2 ---------------------------------------------------------------------------------

CLASSIFICATION = {"xnli": "classification", "pawsx": "classification"}


def _scores(**cells):
    return {tuple(key.split("__")): {"score": value} for key, value in cells.items()}


def test_table2_header_and_values():
    scores = _scores(baseline__xnli=80.0, baseline__pawsx=90.0,
                     mnli__xnli=82.5, mnli__pawsx=91.5)
    header, body = table2(scores, ["baseline", "mnli"], ["xnli", "pawsx"], CLASSIFICATION)
    assert header == ["intermediate", "xnli", "pawsx", "classification", "average"]
    # baseline: classification = (80 + 90) / 2 = 85; average over both targets = 85
    # mnli:     classification = (82.5 + 91.5) / 2 = 174 / 2 = 87; average = 87
    assert body == [["baseline", 80.0, 90.0, 85.0, 85.0],
                    ["mnli", 82.5, 91.5, 87.0, 87.0]]


def test_table2_categories_in_xtreme_order():
    categories = {"xquad": "question_answering", "xnli": "classification"}
    scores = _scores(mnli__xquad=70.0, mnli__xnli=80.0)
    header, body = table2(scores, ["mnli"], ["xquad", "xnli"], categories)
    # targets keep the given order; categories follow XTREME's order, not the targets'
    assert header == ["intermediate", "xquad", "xnli", "classification", "question_answering",
                      "average"]
    # classification = xnli alone = 80; QA = xquad alone = 70; average (70 + 80) / 2 = 75
    assert body == [["mnli", 70.0, 80.0, 80.0, 70.0, 75.0]]


def test_table2_missing_cell_gives_empty_averages(tmp_path):
    scores = _scores(baseline__xnli=80.0, baseline__pawsx=90.0, mnli__xnli=82.5)
    header, body = table2(scores, ["baseline", "mnli"], ["xnli", "pawsx"], CLASSIFICATION)
    assert body[1] == ["mnli", 82.5, None, None, None]
    write_csv(tmp_path / "t.csv", header, body)
    assert (tmp_path / "t.csv").read_text().splitlines()[2] == "mnli,82.50,,,"


def test_write_csv_exact_text(tmp_path):
    header = ["intermediate", "xnli", "pawsx", "classification", "average"]
    body = [["baseline", 80.0, 90.0, 85.0, 85.0],
            ["mnli", 82.5, None, None, None],
            ["qqp", 1.0 / 3.0, 7, 66.666, 0.005]]
    path = tmp_path / "results" / "table2.csv"  # parent is created
    write_csv(path, header, body)
    # floats with 2 decimals (1/3 -> 0.33, 66.666 -> 66.67, 0.005 -> 0.01 since the double
    # nearest 0.005 is slightly above it); ints as they are; None empty; "\n" line ends
    assert path.read_text() == (
        "intermediate,xnli,pawsx,classification,average\n"
        "baseline,80.00,90.00,85.00,85.00\n"
        "mnli,82.50,,,\n"
        "qqp,0.33,7,66.67,0.01\n"
    )
    assert sorted(p.name for p in path.parent.iterdir()) == ["table2.csv"]  # no .partial
    write_csv(path, header[:2], [["x", 1.23456]], digits=4)
    assert path.read_text() == "intermediate,xnli\nx,1.2346\n"


def test_long_form_lists_every_seed_then_mean_and_std():
    def run(en, de, record, collapsed=None):
        return {"score": (en + de) / 2, "collapsed": collapsed, "record": record,
                "languages": {"en": {"accuracy": en, "count": 10},
                              "de": {"accuracy": de, "count": 10}}}

    runs = {("mnli", "xnli", 2): run(80.0, 70.0, "bbb", "every prediction is 'a'"),
            ("mnli", "xnli", 1): run(84.0, 60.0, "aaa")}
    header, body = long_form(runs)
    assert header == ["intermediate", "target", "language", "metric", "seed", "value",
                      "collapsed", "record"]
    # seeds in increasing order; mean (84 + 80) / 2 = 82; sample std of {84, 80}:
    # sqrt(((84 - 82)^2 + (80 - 82)^2) / (2 - 1)) = sqrt(8) = 2.8284...
    # task score (language "all"): seed 1 (84 + 60) / 2 = 72, seed 2 (80 + 70) / 2 = 75;
    # a seed's row names its score file's record, mean and std rows those of both seeds
    collapsed = "every prediction is 'a'"
    assert body == [
        ["mnli", "xnli", "en", "accuracy", 1, 84.0, "", "aaa"],
        ["mnli", "xnli", "en", "accuracy", 2, 80.0, collapsed, "bbb"],
        ["mnli", "xnli", "en", "accuracy", "mean", 82.0, "", "aaa bbb"],
        ["mnli", "xnli", "en", "accuracy", "std", pytest.approx(8 ** 0.5), "", "aaa bbb"],
        ["mnli", "xnli", "de", "accuracy", 1, 60.0, "", "aaa"],
        ["mnli", "xnli", "de", "accuracy", 2, 70.0, collapsed, "bbb"],
        ["mnli", "xnli", "de", "accuracy", "mean", 65.0, "", "aaa bbb"],
        ["mnli", "xnli", "de", "accuracy", "std", pytest.approx(50 ** 0.5), "", "aaa bbb"],
        ["mnli", "xnli", "all", "score", 1, 72.0, "", "aaa"],
        ["mnli", "xnli", "all", "score", 2, 75.0, collapsed, "bbb"],
        ["mnli", "xnli", "all", "score", "mean", 73.5, "", "aaa bbb"],
        ["mnli", "xnli", "all", "score", "std", pytest.approx(4.5 ** 0.5), "", "aaa bbb"],
    ]


def test_one_seed_has_a_mean_row_and_no_std():
    runs = {("mnli", "xnli", 1): {"score": 80.0, "languages": {"en": {"accuracy": 80.0}}}}
    _, body = long_form(runs)
    assert [row[4] for row in body] == [1, "mean", 1, "mean"]


def test_table2_averages_seeds_and_names_collapsed_runs():
    runs = {("mnli", "xnli", 1): {"score": 80.0},
            ("mnli", "xnli", 2): {"score": 34.0, "collapsed": "every prediction is 'a'"},
            ("mnli", "pawsx", 1): {"score": 90.0}, ("mnli", "pawsx", 2): {"score": 91.0},
            ("qqp", "xnli", 1): {"score": 70.0}, ("qqp", "pawsx", 1): {"score": 60.0}}
    cells = over_seeds(runs, [1, 2])
    # mnli: xnli (80 + 34) / 2 = 57, pawsx (90 + 91) / 2 = 90.5, average 73.75;
    # qqp lacks seed 2: no mean, so no averages either
    header, body = table2(cells, ["mnli", "qqp"], ["xnli", "pawsx"], CLASSIFICATION)
    assert header[-1] == "note"
    assert body == [
        ["mnli", 57.0, 90.5, 73.75, 73.75, "collapsed: xnli seed 2: every prediction is 'a'"],
        ["qqp", None, None, None, None, ""]]


def test_records_table_has_table2_shape_with_record_ids_per_cell():
    runs = {("mnli", "xnli", 2): {"score": 80.0, "record": "m-x-2"},
            ("mnli", "xnli", 1): {"score": 70.0, "record": "m-x-1"},
            ("mnli", "pawsx", 1): {"score": 90.0, "record": "m-p-1"},
            ("mnli", "pawsx", 2): {"score": 91.0, "record": "m-p-2"},
            ("mnli", "xquad", 1): {"score": 60.0, "record": "m-q-1"},
            ("mnli", "xquad", 2): {"score": 61.0, "record": "m-q-2"}}
    categories = {**CLASSIFICATION, "xquad": "question_answering"}
    rows, targets = ["mnli", "ccg"], ["xnli", "pawsx", "xquad"]
    cells = over_seeds(runs, [1, 2])
    header, _ = table2(cells, rows, targets, categories, {"ccg": "no CCGbank"})
    assert header == ["intermediate", "xnli", "pawsx", "xquad", "classification",
                      "question_answering", "average", "note"]
    # a target cell lists its seeds in order; a category or the average every cell it
    # averages, in column order; the unavailable row and the note stay empty
    assert records_table(cells, header, rows, categories) == [
        ["mnli", "m-x-1 m-x-2", "m-p-1 m-p-2", "m-q-1 m-q-2", "m-x-1 m-x-2 m-p-1 m-p-2",
         "m-q-1 m-q-2", "m-x-1 m-x-2 m-p-1 m-p-2 m-q-1 m-q-2", ""],
        ["ccg", "", "", "", "", "", "", ""]]


def test_table2_script_writes_record_ids_of_the_score_files(tmp_path):
    scores = tmp_path / "results" / "scores"
    for row, correct in (("baseline", [1, 1, 1, 1, 0]), ("mnli", [1, 1, 1, 1, 1])):
        path = scores / row / "pawsx" / "seed1.json"
        path.parent.mkdir(parents=True)
        score = 100.0 * sum(correct) / len(correct)
        examples = {"en": material("mean", list("abcde"), {"accuracy": correct})}
        path.write_text(json.dumps({"score": score, "metric": "accuracy", "examples": examples,
                                    "languages": {"en": {"accuracy": score}}}))
    layout = {"rows": ["baseline", "mnli"], "targets": ["pawsx"], "seeds": [1],
              "categories": {"pawsx": "classification"}}
    outputs = {name: tmp_path / f"{name}.csv" for name in ("table", "long", "ci", "records")}
    subprocess.run([sys.executable, str(REPO / "scripts" / "table2.py"),
                    "--layout", json.dumps(layout), "--scores",
                    *map(str, sorted(scores.rglob("*.json"))), "--output", outputs["table"],
                    "--bootstrap", json.dumps({"resamples": 50, "seed": 0, "confidence": 0.9}),
                    "--long-output", outputs["long"], "--ci-output", outputs["ci"],
                    "--records-output", outputs["records"],
                    "--provenance-output", tmp_path / "table2.provenance.json"], check=True)
    # every cell of the interval table: pawsx as a whole and its one language, its
    # category and the average; mnli 100 vs 80: the improvement's interval is [0, 40]
    ci = list(csv.DictReader(outputs["ci"].open()))
    assert [(row["intermediate"], row["column"], row["language"]) for row in ci] == [
        (r, c, lang) for r in ("baseline", "mnli")
        for c, lang in (("pawsx", "all"), ("pawsx", "en"), ("classification", "all"),
                        ("average", "all"))]
    assert {(row["improvement"], row["significant"]) for row in ci[4:]} == {("20.0000", "False")}
    ids = {row: record_id(scores / row / "pawsx" / "seed1.json")
           for row in ("baseline", "mnli")}
    assert len(ids["mnli"]) == 12 and ids["mnli"] != ids["baseline"]
    assert outputs["table"].read_text().splitlines()[0] == \
        outputs["records"].read_text().splitlines()[0] == \
        "intermediate,pawsx,classification,average"
    assert outputs["records"].read_text().splitlines()[1:] == [
        f"baseline,{ids['baseline']},{ids['baseline']},{ids['baseline']}",
        f"mnli,{ids['mnli']},{ids['mnli']},{ids['mnli']}"]
    long_rows = list(csv.DictReader(outputs["long"].open()))
    assert {(row["intermediate"], row["seed"], row["record"]) for row in long_rows} == {
        ("baseline", "1", ids["baseline"]), ("baseline", "mean", ids["baseline"]),
        ("mnli", "1", ids["mnli"]), ("mnli", "mean", ids["mnli"])}
    # the table's record: the score files read and the tables written, by sha256
    record = json.loads((tmp_path / "table2.provenance.json").read_text())
    assert record["inputs"]["scores"] == {
        str(path): sha256_file(path) for path in sorted(scores.rglob("*.json"))}
    assert record["outputs"]["files"] == {str(path): sha256_file(path)
                                          for path in outputs.values()}


