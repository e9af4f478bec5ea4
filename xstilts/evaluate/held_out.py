"""The test split of a target task (results/table3.csv): which languages have one with real
labels, and their predictions.

A target's `test` reference names XTREME's test split. Only gold labels are ever scored: a
language whose prepared test split is missing, or whose rows all carried placeholder labels
(dropped when the dataset was prepared, see xstilts.store.prepared), is skipped with the
reason. Targets without `test` (XQuAD, TyDiQA-GoldP, Tatoeba) are evaluated on XTREME's test
data already: their evaluated split is it.
"""

from __future__ import annotations

from pathlib import Path

from xstilts.formats import Kind, kind_of
from xstilts.spec import TaskSpec
from xstilts.store.prepared import read_manifest
from xstilts.store.splits import labelled_languages


def predict_test_split(model, tokenizer, spec: TaskSpec, data_root: Path) -> dict:
    """{split, predictions: {language: {example id: prediction}}, skipped: {language: why}}."""
    from xstilts.train.loop import predict_splits

    dataset_dir = Path(data_root) / spec.test.dataset
    languages, skipped = labelled_languages(spec, read_manifest(dataset_dir))
    split = spec.test.split
    predictions = predict_splits(model, tokenizer, spec, dataset_dir,
                                 dict.fromkeys(languages, split), spec.test)
    return {"split": split, "predictions": predictions, "skipped": skipped}


def test_split_predictions(spec: TaskSpec, predictions_file: dict) -> tuple[dict, dict]:
    """({language: test predictions}, {language: why skipped}) of a prediction file.

    A trained target keeps them under "test"; an evaluated one (BUCC) inside each language's
    predictions (the dev threshold applied to test, xstilts.formats.retrieval)."""
    if kind_of(spec.format) is Kind.EVALUATED:
        by_language = predictions_file["predictions"]
        return {language: result["test"] for language, result in by_language.items()}, {}
    test = predictions_file.get("test")
    if test is None:
        raise ValueError(f"task {spec.task!r} names a test split but the prediction file "
                         "has no test predictions (predicted before `test` was configured?)")
    return test["predictions"], test["skipped"]
