"""Accuracy, XTREME's averages, Table 2 and scoring; expected values derived by hand."""

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest
from specs import dataset_spec, task_spec

from xstilts.data.demo import generate
from xstilts.data.schemas import SCHEMAS
from xstilts.evaluate.scoring import collapse, score_predictions
from xstilts.metrics.averages import (
    category_scores,
    language_score,
    mean_if_complete,
    task_score,
)
from xstilts.metrics.bootstrap import material
from xstilts.metrics.classification import accuracy
from xstilts.report.tables import long_form, over_seeds, records_table, table2, write_csv
from xstilts.store.prepared import read_split, write_prepared
from xstilts.store.provenance import record_id, sha256_file

REPO = Path(__file__).resolve().parent.parent

# --- accuracy --------------------------------------------------------------------------------


def test_accuracy_three_of_four():
    gold = {"a": "entailment", "b": "neutral", "c": "contradiction", "d": "neutral"}
    predictions = {"a": "entailment", "b": "neutral", "c": "neutral", "d": "neutral"}
    # a, b, d right; c wrong: 3 / 4 = 75 %
    assert accuracy(predictions, gold) == {"accuracy": 75.0, "count": 4}


def test_accuracy_all_and_none():
    gold = {"x": "1", "y": "0"}
    assert accuracy({"x": "1", "y": "0"}, gold)["accuracy"] == 100.0
    assert accuracy({"x": "0", "y": "1"}, gold)["accuracy"] == 0.0


def test_accuracy_one_of_eight():
    gold = {str(i): "p" for i in range(8)}
    predictions = {str(i): "p" if i == 5 else "n" for i in range(8)}
    # 1 / 8 = 12.5 %
    assert accuracy(predictions, gold)["accuracy"] == 12.5


def test_accuracy_counts_gold_examples_only():
    gold = {"a": "x", "b": "y", "c": "x", "d": "y"}
    predictions = {"a": "x", "b": "y", "c": "x", "d": "x", "extra": "x"}
    # a, b, c right of the 4 gold examples: 75 %; the prediction without gold is ignored
    assert accuracy(predictions, gold) == {"accuracy": 75.0, "count": 4}


def test_accuracy_missing_prediction_names_the_id():
    gold = {"q1": "a", "q2": "b", "q3": "a"}
    with pytest.raises(ValueError, match="'q2'"):
        accuracy({"q1": "a", "q3": "a"}, gold)


def test_accuracy_without_gold_is_an_error():
    with pytest.raises(ValueError):
        accuracy({"a": "x"}, {})


# --- averages --------------------------------------------------------------------------------


def test_task_score_is_mean_over_languages_including_english():
    languages = {"en": {"accuracy": 90.0, "count": 10}, "de": {"accuracy": 75.0, "count": 10},
                 "zh": {"accuracy": 60.0, "count": 10}}
    # (90 + 75 + 60) / 3 = 225 / 3 = 75
    assert task_score("accuracy", languages) == 75.0
    # without English it would be (75 + 60) / 2 = 67.5: English must count
    assert task_score("accuracy", languages) != 67.5


def test_qa_language_score_is_mean_of_em_and_f1():
    # (60 + 80) / 2 = 70
    assert language_score("squad", {"exact_match": 60.0, "f1": 80.0}) == 70.0
    assert language_score("mlqa", {"exact_match": 50.0, "f1": 71.0}) == 60.5
    # task: en (40 + 60) / 2 = 50, ar (20 + 30) / 2 = 25 -> (50 + 25) / 2 = 37.5
    languages = {"en": {"exact_match": 40.0, "f1": 60.0}, "ar": {"exact_match": 20.0, "f1": 30.0}}
    assert task_score("squad", languages) == 37.5


def test_accuracy_language_score():
    assert language_score("accuracy", {"accuracy": 81.5, "count": 3}) == 81.5


def test_mean_if_complete():
    assert mean_if_complete([80.0, 70.0, 60.0]) == 70.0
    assert mean_if_complete([80.0, None]) is None
    assert mean_if_complete([]) is None
    assert mean_if_complete(iter([1.0, 2.0])) == 1.5  # any iterable


def test_category_scores():
    scores = {"xnli": 80.0, "pawsx": 90.0, "udpos": 70.0, "panx": None}
    categories = {"xnli": "classification", "pawsx": "classification",
                  "udpos": "structured_prediction", "panx": "structured_prediction"}
    # classification (80 + 90) / 2 = 85; structured prediction lacks panx -> no average
    assert category_scores(scores, categories) == {"classification": 85.0,
                                                   "structured_prediction": None}


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


def test_collapse_is_one_output_for_everything():
    assert collapse({"en": {"1": "a", "2": "a"}, "de": {"3": "a"}}) == "every prediction is 'a'"
    assert collapse({"en": {"1": "a"}, "de": {"3": "b"}}) is None
    assert collapse({"en": {"s1": ["O", "O"], "s2": ["O"]}}) == "every prediction is 'O'"
    assert collapse({"en": {"s1": ["O", "B-PER"]}}) is None
    assert collapse({"en": {"q1": "", "q2": ""}}) == "every prediction is ''"


# --- scoring a prepared dataset --------------------------------------------------------------

N = 10  # rows per language in the evaluation split


@pytest.fixture(scope="module")
def pawsx_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("prepared")
    spec = {"schema": "xtreme_pawsx", "source": "demo", "languages": ["en", "de", "zh"]}
    raw = generate(SCHEMAS["xtreme_pawsx"], "pawsx", spec["languages"], 4, N, seed=0)
    write_prepared("pawsx", dataset_spec(spec), raw, root / "pawsx")
    return root


# the fields of a resolved target task (xstilts.config.resolve_task) that scoring reads
SPEC = {"task": "pawsx", "format": "pair_classification", "metric": "accuracy",
        "languages": ["en", "de", "zh"], "eval": {"dataset": "pawsx", "split": "validation"}}
NAMES = ["not_paraphrase", "paraphrase"]


def _predictions(root, language, flips):
    """Gold label names, except the rows at positions `flips`, which get the other label."""
    table = read_split(root / "pawsx", language, "validation")
    ids, labels = table.column("id").to_pylist(), table.column("label").to_pylist()
    assert len(ids) == N
    return {i: NAMES[1 - label if n in flips else label]
            for n, (i, label) in enumerate(zip(ids, labels, strict=True))}


def test_score_predictions(pawsx_root):
    by_language = {"en": _predictions(pawsx_root, "en", {0, 3}),  # 8/10 right -> 80 %
                   "de": _predictions(pawsx_root, "de", set(range(5))),  # 5/10 -> 50 %
                   "zh": _predictions(pawsx_root, "zh", set())}  # 10/10 -> 100 %
    result = score_predictions(task_spec(SPEC), pawsx_root, by_language)
    assert result["languages"] == {"en": {"accuracy": 80.0, "count": 10},
                                   "de": {"accuracy": 50.0, "count": 10},
                                   "zh": {"accuracy": 100.0, "count": 10}}
    # (80 + 50 + 100) / 3 = 230 / 3
    assert result["score"] == pytest.approx(230 / 3)
    assert result["task"] == "pawsx"
    assert result["metric"] == "accuracy"
    assert result["split"] == "validation"


def test_score_predictions_missing_id(pawsx_root):
    predictions = _predictions(pawsx_root, "de", set())
    missing = sorted(predictions)[0]
    del predictions[missing]
    with pytest.raises(ValueError, match=f"pawsx de: .*{missing!r}"):
        score_predictions(task_spec(SPEC), pawsx_root, {"de": predictions}, partial=True)


def test_score_predictions_missing_language(pawsx_root):
    # XTREME averages every language: a task score over fewer would be silently wrong.
    by_language = {"en": _predictions(pawsx_root, "en", set())}
    with pytest.raises(ValueError, match=r"no predictions for languages \['de', 'zh'\]"):
        score_predictions(task_spec(SPEC), pawsx_root, by_language)
    single = score_predictions(task_spec(SPEC), pawsx_root, by_language, partial=True)
    assert single["languages"]["en"]["accuracy"] == 100.0
    assert single["score"] is None


def test_score_predictions_unknown_language(pawsx_root):
    with pytest.raises(ValueError, match="'fr'"):
        score_predictions(task_spec(SPEC), pawsx_root, {"fr": {"x": "paraphrase"}})


# --- the test split (Table 3) ------------------------------------------------------------------


@pytest.fixture(scope="module")
def hidden_zh_test_root(tmp_path_factory):
    """PAWS-X whose zh test split carries placeholder labels only, as hidden test sets do."""
    root = tmp_path_factory.mktemp("prepared")
    spec = {"schema": "xtreme_pawsx", "source": "demo", "languages": ["en", "de", "zh"]}
    raw = generate(SCHEMAS["xtreme_pawsx"], "pawsx", spec["languages"], 4, N, seed=0)
    raw["zh"]["test"] = raw["zh"]["test"].map(lambda row: {"label": ""})
    write_prepared("pawsx", dataset_spec(spec), raw, root / "pawsx")
    return root


TEST_SPEC = {**SPEC, "test": {"dataset": "pawsx", "split": "test"}}


def _test_predictions(root, language, wrong):
    table = read_split(root / "pawsx", language, "test")
    return {i: NAMES[1 - label if n < wrong else label] for n, (i, label) in enumerate(
        zip(table.column("id").to_pylist(), table.column("label").to_pylist(), strict=True))}


def test_placeholder_test_labels_are_never_scored(hidden_zh_test_root):
    from xstilts.store.prepared import read_manifest
    from xstilts.store.splits import labelled_languages

    manifest = read_manifest(hidden_zh_test_root / "pawsx")
    assert "zh/test" not in manifest["files"] and "zh/validation" in manifest["files"]
    assert manifest["dropped_unlabelled_rows"]["zh/test"] == N
    languages, skipped = labelled_languages(task_spec(TEST_SPEC), manifest)
    assert languages == ["en", "de"]
    assert skipped == {"zh": f"pawsx zh/test: all {N} rows have placeholder labels"}


def test_score_test_scores_labelled_languages_and_names_the_skipped(hidden_zh_test_root,
                                                                    pawsx_root):
    from xstilts.evaluate.scoring import score_test

    root = hidden_zh_test_root
    predictions_file = {"test": {"split": "test", "skipped": {"zh": "placeholder labels"},
                                 "predictions": {"en": _test_predictions(root, "en", 1),
                                                 "de": _test_predictions(root, "de", 4)}}}
    result = score_test(task_spec(TEST_SPEC), root, predictions_file)
    # en 9/10, de 6/10; the task score needs every language, so it stays empty
    assert result["languages"] == {"en": {"accuracy": 90.0, "count": N},
                                   "de": {"accuracy": 60.0, "count": N}}
    assert result["score"] is None and result["skipped"] == {"zh": "placeholder labels"}
    # every language labelled: (90 + 60 + 100) / 3
    complete = {"test": {"split": "test", "skipped": {}, "predictions": {
        "en": _test_predictions(pawsx_root, "en", 1), "de": _test_predictions(pawsx_root, "de", 4),
        "zh": _test_predictions(pawsx_root, "zh", 0)}}}
    assert score_test(task_spec(TEST_SPEC), pawsx_root, complete)["score"] == pytest.approx(250 / 3)
    with pytest.raises(ValueError, match="no test predictions"):
        score_test(task_spec(TEST_SPEC), pawsx_root, {"predictions": {}})


def test_table2_names_targets_not_scored_as_the_benchmark():
    why = "gold pairs only"
    runs = {("baseline", "bucc", 1): {"score": 60.0, "caveat": why},
            ("baseline", "xnli", 1): {"score": 70.0},
            ("mnli", "bucc", 1): {"score": 62.0, "caveat": why},
            ("mnli", "xnli", 1): {"score": 71.0, "collapsed": "every prediction is 'a'"}}
    _, body = table2(over_seeds(runs, [1]), ["baseline", "mnli"], ["xnli", "bucc"],
                     {"xnli": "classification", "bucc": "retrieval"})
    assert body[0][-1] == "bucc not comparable: gold pairs only"
    assert body[1][-1] == ("bucc not comparable: gold pairs only; "
                           "collapsed: xnli seed 1: every prediction is 'a'")
