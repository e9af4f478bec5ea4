"""The test split of a target task (results/table3.csv): which languages have one with real
labels, and their predictions.

A target's `test` reference names XTREME's test split. Only gold labels are ever scored: a
language whose prepared test split is missing, or whose rows all carried placeholder labels
(dropped when the dataset was prepared, see xstilts.data.prepared), is skipped with the
reason. Targets without `test` (XQuAD, TyDiQA-GoldP, Tatoeba) are evaluated on XTREME's test
data already: their evaluated split is it.
"""

from __future__ import annotations

from pathlib import Path

from .data.prepared import read_manifest


def labelled_languages(spec: dict, manifest: dict) -> tuple[list[str], dict[str, str]]:
    """(languages with a labelled test split, {language: why it is skipped})."""
    split, dataset = spec["test"]["split"], spec["test"]["dataset"]
    present, skipped = [], {}
    for language in spec["languages"]:
        key = f"{language}/{split}"
        if key in manifest["files"]:
            present.append(language)
        elif key in manifest.get("dropped_unlabelled_rows", {}):
            skipped[language] = (f"{dataset} {key}: all {manifest['dropped_unlabelled_rows'][key]}"
                                 " rows have placeholder labels")
        else:
            skipped[language] = f"{dataset} has no {key} split"
    return present, skipped


def predict_test(model, tokenizer, spec: dict, data_root: Path) -> dict:
    """{split, predictions: {language: {example id: prediction}}, skipped: {language: why}}."""
    from .training import predict_splits

    dataset_dir = Path(data_root) / spec["test"]["dataset"]
    languages, skipped = labelled_languages(spec, read_manifest(dataset_dir))
    split = spec["test"]["split"]
    predictions = predict_splits(model, tokenizer, spec, dataset_dir,
                                 dict.fromkeys(languages, split), spec["test"])
    return {"split": split, "predictions": predictions, "skipped": skipped}


def test_predictions(spec: dict, predictions_file: dict) -> tuple[dict, dict]:
    """({language: test predictions}, {language: why skipped}) of a prediction file.

    A trained target keeps them under "test"; BUCC inside each language's predictions (the
    dev threshold applied to test, xstilts.tasks.retrieval)."""
    if spec["format"] == "retrieval":
        by_language = predictions_file["predictions"]
        return {language: result["test"] for language, result in by_language.items()}, {}
    test = predictions_file.get("test")
    if test is None:
        raise ValueError(f"task {spec['task']!r} names a test split but the prediction file "
                         "has no test predictions (predicted before `test` was configured?)")
    return test["predictions"], test["skipped"]
