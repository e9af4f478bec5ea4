"""Table 3 (xstilts.report.table3): selection by dev score, test scores, published numbers.

Expected values are worked out by hand from the score results below."""

import pytest

from xstilts.report.table3 import AVERAGE, HEADER, published, table3

CATEGORIES = {"xnli": "classification", "xquad": "question_answering"}
NUMBERS = [  # as xstilts.report.comparison.load_reference flattens config/paper_reference.yaml
    {"quantity": "score", "split": "test", "intermediate": "best_per_target", "target": "xnli",
     "metric": "accuracy", "value": 80.0, "source": "A"},
    {"quantity": "score", "split": "test", "intermediate": "baseline", "target": "xnli",
     "metric": "accuracy", "value": 79.2, "source": "A"},
    {"quantity": "score", "split": "test", "intermediate": "best_per_target", "target": "xquad",
     "metric": "exact_match", "value": 63.3, "source": "A"},
    {"quantity": "score", "split": "test", "intermediate": "best_per_target", "target": "xquad",
     "metric": "f1", "value": 78.7, "source": "A"},
    {"quantity": "score", "split": "test", "intermediate": "best_per_target", "target": "xquad",
     "metric": "f1", "value": 77.2, "source": "B"},
]


def xnli(dev, test, skipped=None, record="r"):
    return {"score": dev, "split": "validation", "record": record,
            "test": {"split": "test", "score": None if skipped else test,
                     "skipped": skipped or {}, "languages": {}}}


def xquad(dev, record="q"):  # no test split: the evaluated split is XTREME's test data
    return {"score": dev, "split": "validation", "record": record}


def layout(**extra):
    return {"rows": ["baseline", "mnli", "qqp"], "targets": ["xnli", "xquad"], "seeds": [1, 2],
            "categories": CATEGORIES, **extra}


RUNS = {
    ("baseline", "xnli", 1): xnli(70.0, 69.0, record="b1"),
    ("baseline", "xnli", 2): xnli(72.0, 71.0, record="b2"),
    ("mnli", "xnli", 1): xnli(74.0, 73.0, record="m1"),   # dev mean 75 -> selected
    ("mnli", "xnli", 2): xnli(76.0, 75.0, record="m2"),
    ("qqp", "xnli", 1): xnli(80.0, 90.0),                   # dev mean 72 (test is ignored)
    ("qqp", "xnli", 2): xnli(64.0, 90.0),
    ("baseline", "xquad", 1): xquad(50.0), ("baseline", "xquad", 2): xquad(52.0),
    ("mnli", "xquad", 1): xquad(55.0), ("mnli", "xquad", 2): xquad(55.0),
    ("qqp", "xquad", 1): xquad(60.0), ("qqp", "xquad", 2): xquad(58.0),  # mean 59 -> selected
}


def by_target(body):
    return {row[0]: dict(zip(HEADER, row, strict=True)) for row in body}


def test_best_dev_row_is_reported_on_test_next_to_the_baseline():
    header, body = table3(RUNS, layout(), NUMBERS)
    rows = by_target(body)
    xnli_row = rows["xnli"]
    assert xnli_row["intermediate"] == "mnli"
    assert xnli_row["dev"] == 75.0
    assert xnli_row["baseline_test"] == 70.0            # (69 + 71) / 2
    assert xnli_row["test"] == 74.0                     # (73 + 75) / 2
    assert xnli_row["improvement"] == 4.0
    assert (xnli_row["paper_baseline_test"], xnli_row["paper_test"]) == (79.2, 80.0)
    assert xnli_row["records"] == "b1 b2 m1 m2"
    assert xnli_row["test_split"] == "test"
    # no test split: the evaluated split's score, said so
    assert rows["xquad"]["intermediate"] == "qqp"
    assert rows["xquad"]["test"] == 59.0 and rows["xquad"]["baseline_test"] == 51.0
    assert "XTREME's test data" in rows["xquad"]["note"]
    assert rows["xquad"]["paper_test"] == pytest.approx((63.3 + 78.7) / 2)  # source A, EM+F1
    # XTREME score = mean of the task scores
    assert rows[AVERAGE]["baseline_test"] == pytest.approx((70.0 + 51.0) / 2)
    assert rows[AVERAGE]["test"] == pytest.approx((74.0 + 59.0) / 2)
    assert rows[AVERAGE]["paper_test"] == pytest.approx((80.0 + 71.0) / 2)
    assert rows[AVERAGE]["paper_baseline_test"] is None  # no published xquad baseline here
    assert rows["classification"]["test"] == 74.0


def test_a_row_fixed_in_config_wins_over_the_dev_selection():
    _, body = table3(RUNS, layout(fixed={"xnli": "qqp"}), NUMBERS)
    row = by_target(body)["xnli"]
    assert (row["intermediate"], row["selected_by"], row["test"]) == (
        "qqp", "config table3.intermediate", 90.0)


def test_skipped_test_languages_leave_the_score_empty_and_say_why():
    runs = dict(RUNS)
    runs["mnli", "xnli", 2] = xnli(76.0, None, skipped={"sw": "xnli has no sw/test split"})
    row = by_target(table3(runs, layout(), NUMBERS)[1])
    assert row["xnli"]["test"] is None and row["xnli"]["improvement"] is None
    assert "sw skipped: xnli has no sw/test split" in row["xnli"]["note"]
    assert row[AVERAGE]["test"] is None


def test_published_takes_the_first_source_with_a_complete_task_score():
    assert published(NUMBERS, "best_per_target", "xquad", qa=True) == (pytest.approx(71.0), "A")
    only_f1 = [n for n in NUMBERS if n["source"] == "B"]
    assert published(only_f1, "best_per_target", "xquad", qa=True) == (None, "")
    assert published(NUMBERS, "baseline", "xquad", qa=True) == (None, "")
    assert published(NUMBERS, "best_per_target", "xnli", qa=False) == (80.0, "A")


def test_a_target_not_scored_as_the_benchmark_is_marked_on_test():
    runs = {key: {**result, "caveat": "gold pairs only"} if key[1] == "xquad" else result
            for key, result in RUNS.items()}
    rows = by_target(table3(runs, layout(), NUMBERS)[1])
    assert rows["xquad"]["note"] == ("evaluated split is XTREME's test data; "
                                     "not comparable: gold pairs only")
    assert "not comparable" not in rows["xnli"]["note"]
