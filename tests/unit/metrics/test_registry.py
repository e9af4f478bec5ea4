"""The metric registry: each metric's per-example material gives its headline number back,
and an unknown metric is named with the implemented ones."""

import pytest

from xstilts.metrics import bootstrap
from xstilts.metrics.registry import METRICS, get_metric


def observed(material: dict) -> dict[str, float]:
    """The language's numbers recomputed from its material (the bootstrap's replicate 0)."""
    stacked, names = bootstrap.stacked_columns({"run": material})
    totals, n = bootstrap.observed_totals(stacked)
    return {name: float(values[0]) for name, values in
            bootstrap.split_statistics({"run": material}, names, totals, n)["run"].items()}


def test_accuracy_material_gives_the_accuracy_back():
    gold = {"a": "entailment", "b": "neutral", "c": "neutral"}
    predictions = {"a": "entailment", "b": "entailment", "c": "neutral"}
    metric = get_metric("accuracy")
    assert metric.score(predictions, gold, "de") == {"accuracy": pytest.approx(200 / 3),
                                                      "count": 3}
    material = metric.examples(predictions, gold, "de", None)
    assert material["columns"] == {"accuracy": [1, 0, 1]}
    assert observed(material)["accuracy"] == pytest.approx(200 / 3)


def test_tagging_material_gives_the_corpus_f1_back():
    # two sentences: PER right and LOC missed in the first, ORG predicted wrongly in the
    # second: precision 1/2, recall 1/2, F1 50
    gold = {"s0": ["B-PER", "O", "B-LOC"], "s1": ["O", "O"]}
    predictions = {"s0": ["B-PER", "O", "O"], "s1": ["B-ORG", "O"]}
    metric = get_metric("entity_f1")
    assert metric.score(predictions, gold, "de")["f1"] == pytest.approx(50.0)
    assert observed(metric.examples(predictions, gold, "de", None))["f1"] == pytest.approx(50.0)


def test_every_metric_declares_its_headline_measures():
    assert all(entry.headline and all(isinstance(m, str) for m in entry.headline)
               for entry in METRICS.values())
    assert METRICS["squad"].headline == ("exact_match", "f1")  # QA: (EM + F1) / 2


def test_an_unknown_metric_names_the_implemented_ones():
    with pytest.raises(ValueError, match="'bleu' is not implemented .*accuracy"):
        get_metric("bleu")
