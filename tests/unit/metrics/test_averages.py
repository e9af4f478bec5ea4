"""XTREME's averages: per language, task and category; expected values derived by hand."""


from xstilts.metrics.averages import (
    category_scores,
    language_score,
    mean_if_complete,
    task_score,
)

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


