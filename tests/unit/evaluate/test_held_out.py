"""Test-split predictions of a prediction file, trained and evaluated formats alike."""

import pytest
from specs import task_spec

from xstilts.evaluate.held_out import test_split_predictions as split_predictions

TRAINED = task_spec({"task": "pawsx", "format": "pair_classification",
                     "test": {"dataset": "pawsx", "split": "test"}})
EVALUATED = task_spec({"task": "bucc", "format": "retrieval", "metric": "bucc_f1",
                       "test": {"dataset": "bucc", "split": "test"}})


def test_a_trained_target_keeps_them_under_test():
    file = {"predictions": {"de": {"1": "paraphrase"}},
            "test": {"predictions": {"de": {"7": "paraphrase"}}, "skipped": {"zh": "why"}}}
    assert split_predictions(TRAINED, file) == ({"de": {"7": "paraphrase"}}, {"zh": "why"})
    with pytest.raises(ValueError, match="no test predictions"):
        split_predictions(TRAINED, {"predictions": {}})


def test_an_evaluated_target_keeps_them_in_each_language():
    file = {"predictions": {"de": {"threshold": 1.2, "test": {"pairs": []}}}}
    assert split_predictions(EVALUATED, file) == ({"de": {"pairs": []}}, {})
