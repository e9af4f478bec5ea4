"""A toy task format written by the guide (docs/adding-a-task.md): single-sentence
classification of a pair dataset's first text.

Canonical rows: id, text_a, label (index into the dataset's label names); other columns
are ignored. Predictions and gold labels are label names, scored by the registered
`accuracy` metric. tests/unit/formats/test_interface.py registers it with one registry line.
"""

from __future__ import annotations

from xstilts.formats.interface import Kind
from xstilts.metrics.classification import accuracy
from xstilts.spec import TaskSpec

KIND = Kind.TRAINED
# collator, FEATURIZE_OPTIONS and SELECTION_OPTIONS are left to their defaults


def build_model(init_dir, label_names: list[str]):
    """(a fresh classification head on the encoder of `init_dir`, the transfer report)."""
    from transformers import AutoModelForSequenceClassification

    from xstilts.models.transfer import with_fresh_head

    return with_fresh_head(AutoModelForSequenceClassification, init_dir, label_names)


def featurize(table, tokenizer, max_length: int):
    """Canonical rows -> a tokenised `datasets.Dataset` of the first text, with labels."""
    from datasets import Dataset

    encoded = tokenizer(table.column("text_a").to_pylist(), truncation=True,
                        max_length=max_length)
    columns = {"input_ids": encoded["input_ids"], "attention_mask": encoded["attention_mask"]}
    if "label" in table.column_names:
        columns["labels"] = table.column("label").to_pylist()
    return Dataset.from_dict(columns)


def predict(model, tokenizer, table, spec: TaskSpec, label_names: list[str]) -> dict[str, str]:
    """{example id: predicted label name}."""
    from xstilts.formats.inference import sorted_batches
    from xstilts.formats.interface import padding_collator

    features = featurize(table.drop_columns(["label"]), tokenizer, spec.max_length).to_list()
    ids = table.column("id").to_pylist()
    predictions = {}
    for indices, outputs in sorted_batches(model, features, padding_collator(tokenizer),
                                           spec.hparams.eval_batch_size, spec.precision):
        for i, label in zip(indices, outputs.logits.argmax(-1).tolist(), strict=True):
            predictions[ids[i]] = label_names[label]
    return predictions


def gold(table, label_names: list[str]) -> dict[str, str]:
    """{example id: gold label name} (no torch)."""
    return dict(zip(table.column("id").to_pylist(),
                    (label_names[i] for i in table.column("label").to_pylist()), strict=True))


def selection_score(predictions: dict, gold_labels: dict) -> float:
    """Accuracy on the English selection subset."""
    return accuracy(predictions, gold_labels)["accuracy"]
