"""Sentence-pair classification (NLI, paraphrase, duplicate questions).

Canonical rows: id, text_a, text_b, label (index into the dataset's label names).
Predictions and gold labels are label names, as XTREME's prediction files hold them.
"""

from __future__ import annotations

from xstilts.formats.interface import Kind, padding_collator
from xstilts.metrics.classification import accuracy, label_f1
from xstilts.spec import TaskSpec

KIND = Kind.TRAINED

# Task keys passed to selection_score (xstilts.train.loop.selection_scorer).
SELECTION_OPTIONS = ("selection_metric", "positive_label")


def build_model(init_dir, label_names: list[str]):
    """A fresh classification head on the encoder of `init_dir` (see models.transfer)."""
    from transformers import AutoModelForSequenceClassification

    from xstilts.models.transfer import with_fresh_head

    return with_fresh_head(AutoModelForSequenceClassification, init_dir, label_names)


def featurize(table, tokenizer, max_length: int):
    """Canonical rows (pyarrow Table) -> a tokenised `datasets.Dataset` with labels."""
    from datasets import Dataset

    encoded = tokenizer(
        table.column("text_a").to_pylist(),
        table.column("text_b").to_pylist(),
        truncation=True,
        max_length=max_length,
    )
    columns = {"input_ids": encoded["input_ids"], "attention_mask": encoded["attention_mask"]}
    if "label" in table.column_names:
        columns["labels"] = table.column("label").to_pylist()
    return Dataset.from_dict(columns)


def predict(model, tokenizer, table, spec: TaskSpec, label_names: list[str]) -> dict[str, str]:
    """{example id: predicted label name}."""
    from xstilts.formats.inference import sorted_batches

    features = featurize(table.drop_columns(["label"]), tokenizer, spec.max_length).to_list()
    collate = padding_collator(tokenizer)
    ids = table.column("id").to_pylist()
    predictions = {}
    for indices, outputs in sorted_batches(model, features, collate,
                                           spec.hparams.eval_batch_size, spec.precision):
        for i, label in zip(indices, outputs.logits.argmax(-1).tolist(), strict=True):
            predictions[ids[i]] = label_names[label]
    return predictions


def gold(table, label_names: list[str]) -> dict[str, str]:
    """{example id: gold label name} (no torch)."""
    return dict(zip(table.column("id").to_pylist(),
                    (label_names[i] for i in table.column("label").to_pylist()), strict=True))


def selection_score(predictions: dict, gold_labels: dict, selection_metric: str = "accuracy",
                    positive_label: str | None = None) -> float:
    """The paper toolkit's "major" metric on the English selection subset: accuracy, or
    (`accuracy_and_f1`, QQP) the mean of accuracy and the F1 of `positive_label`."""
    score = accuracy(predictions, gold_labels)["accuracy"]
    if selection_metric == "accuracy":
        return score
    if positive_label not in set(gold_labels.values()) | set(predictions.values()):
        raise ValueError(f"selection_metric {selection_metric!r}: positive_label "
                         f"{positive_label!r} is not a label of the selection set")
    return (score + label_f1(predictions, gold_labels, positive_label)) / 2
