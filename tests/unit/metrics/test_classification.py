"""Accuracy as XTREME computes it; expected values derived by hand."""


import pytest

from xstilts.metrics.classification import accuracy

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


