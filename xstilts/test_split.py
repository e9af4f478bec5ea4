"""The test split of a target task (results/table3.csv): which languages have one with real
labels, and their predictions.

A target's `test` reference names XTREME's test split. Only gold labels are ever scored: a
language whose prepared test split is missing, or whose rows all carried placeholder labels
(dropped when the dataset was prepared, see xstilts.data.prepared), is skipped with the
reason. Targets without `test` (XQuAD, TyDiQA-GoldP, Tatoeba) are evaluated on XTREME's test
data already: their evaluated split is it.
"""

from __future__ import annotations

import logging
from pathlib import Path

from .data.prepared import read_manifest, read_split

log = logging.getLogger("xstilts.test_split")


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
    from .tasks import get_format

    dataset_dir = Path(data_root) / spec["test"]["dataset"]
    manifest = read_manifest(dataset_dir)
    languages, skipped = labelled_languages(spec, manifest)
    task_format = get_format(spec["format"])
    predictions = {}
    for language in languages:
        table = read_split(dataset_dir, language, spec["test"]["split"])
        predictions[language] = task_format.predict(model, tokenizer, table, spec,
                                                    manifest["label_names"])
        log.info("predicted %d %s test examples", table.num_rows, language)
    return {"split": spec["test"]["split"], "predictions": predictions, "skipped": skipped}


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
