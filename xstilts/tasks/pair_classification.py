"""Sentence-pair classification (NLI, paraphrase, duplicate questions)."""

from __future__ import annotations


def build_model(init_dir, label_names: list[str]):
    """A fresh classification head on the encoder of `init_dir` (see models.transfer)."""
    from transformers import AutoConfig, AutoModelForSequenceClassification

    from ..models.transfer import load_encoder

    config = AutoConfig.from_pretrained(
        init_dir,
        num_labels=len(label_names),
        id2label=dict(enumerate(label_names)),
        label2id={name: i for i, name in enumerate(label_names)},
    )
    model = AutoModelForSequenceClassification.from_config(config)
    return model, load_encoder(model, init_dir)


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


def decode(logits) -> list[int]:
    """Predicted label index per example."""
    return logits.argmax(-1).tolist()
