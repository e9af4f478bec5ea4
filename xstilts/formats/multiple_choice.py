"""Multiple choice (HellaSwag, Cosmos QA, CommonsenseQA).

Canonical rows: id, context, question, choices, label (index into choices; see
xstilts.data.layouts.choice). Each choice is encoded as a pair (prompt, choice), the prompt
being "context question" as in the paper's toolkit (jiant); the head scores every pair
and a softmax over the choices of an example picks one. Predictions and gold labels are
the choices' names on the hub (the manifest's label names: "0".."3", "A".."E").
"""

from __future__ import annotations

from dataclasses import dataclass

from xstilts.formats.interface import Kind

# Gold labels and selection are those of pair classification: a label is an index into
# the dataset's label names (here, the choice names).
from xstilts.formats.pair_classification import gold, selection_score  # noqa: F401
from xstilts.spec import TaskSpec

KIND = Kind.TRAINED


def build_model(init_dir, label_names: list[str]):
    """A fresh choice-scoring head on the encoder of `init_dir` (see models.transfer).

    XLM-R's multiple-choice head reads the pooler, which a masked-LM checkpoint lacks:
    the transfer then initialises the pooler freshly, as part of the head. The head scores
    one choice at a time whatever their number.
    """
    from transformers import AutoModelForMultipleChoice

    from xstilts.models.transfer import with_fresh_head

    return with_fresh_head(AutoModelForMultipleChoice, init_dir, label_names)


def prompts(table) -> list[str]:
    """The text each choice of a row is paired with: its context, then its question."""
    return [" ".join(part for part in (context, question) if part)
            for context, question in zip(table.column("context").to_pylist(),
                                         table.column("question").to_pylist(), strict=True)]


def encode(table, tokenizer, max_length: int) -> list[dict]:
    """One feature per row: input_ids and attention_mask hold one sequence per choice."""
    choices = table.column("choices").to_pylist()
    firsts = [prompt for prompt, options in zip(prompts(table), choices, strict=True)
              for _ in options]
    seconds = [option for options in choices for option in options]
    encoded = tokenizer(firsts, seconds, truncation=True, max_length=max_length)
    features, start = [], 0
    for options in choices:
        end = start + len(options)
        features.append({"input_ids": encoded["input_ids"][start:end],
                         "attention_mask": encoded["attention_mask"][start:end]})
        start = end
    return features


def featurize(table, tokenizer, max_length: int):
    """Canonical rows (pyarrow Table) -> a tokenised `datasets.Dataset` with labels."""
    from datasets import Dataset

    features = encode(table, tokenizer, max_length)
    columns = {name: [feature[name] for feature in features]
               for name in ("input_ids", "attention_mask")}
    if "label" in table.column_names:
        columns["labels"] = table.column("label").to_pylist()
    return Dataset.from_dict(columns)


@dataclass
class ChoiceCollator:
    """Pads every choice of every example to one length: (examples, choices, tokens).

    transformers' DataCollatorForMultipleChoice requires labels, which prediction lacks.
    """

    tokenizer: object
    pad_to_multiple_of: int = 8

    def __call__(self, features: list[dict]):
        import torch
        from transformers import BatchEncoding

        n_choices = len(features[0]["input_ids"])
        if any(len(feature["input_ids"]) != n_choices for feature in features):
            raise ValueError("examples of one batch must have the same number of choices")
        flat = [{"input_ids": ids, "attention_mask": mask} for feature in features
                for ids, mask in zip(feature["input_ids"], feature["attention_mask"],
                                     strict=True)]
        padded = self.tokenizer.pad(flat, pad_to_multiple_of=self.pad_to_multiple_of,
                                    return_tensors="pt")
        batch = BatchEncoding({name: values.view(len(features), n_choices, -1)
                               for name, values in padded.items()})
        if "labels" in features[0]:
            batch["labels"] = torch.tensor([feature["labels"] for feature in features])
        return batch


def collator(tokenizer) -> ChoiceCollator:
    return ChoiceCollator(tokenizer)


def predict(model, tokenizer, table, spec: TaskSpec, label_names: list[str]) -> dict[str, str]:
    """{example id: name of the predicted choice}."""
    from xstilts.formats.inference import sorted_batches

    features = encode(table, tokenizer, spec.max_length)
    # sorted_batches orders by len(input_ids), here the number of choices, the same for
    # every example; its sort is stable, so handing it the features by their longest
    # choice keeps examples of similar length in one batch.
    order = sorted(range(len(features)),
                   key=lambda i: max(map(len, features[i]["input_ids"])))
    ids = table.column("id").to_pylist()
    predictions = {}
    for indices, outputs in sorted_batches(model, [features[i] for i in order],
                                           collator(tokenizer),
                                           spec.hparams.eval_batch_size, spec.precision):
        for i, choice in zip(indices, outputs.logits.argmax(-1).tolist(), strict=True):
            predictions[ids[order[i]]] = label_names[choice]
    return predictions
