"""What one task brings to training: its features, head labels, collator and English
selection set (a TaskPart), and what the loop trains (a TrainingSetup: one task's, or the
mixture xstilts.train.multitask and xstilts.train.mlm build from several parts)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from pathlib import Path

from xstilts.formats import TaskFormat, get_format
from xstilts.spec import DataRef, TaskSpec
from xstilts.store.prepared import read_manifest, read_split, split_sizes


def micro_batching(batch_size: int, max_per_device: int) -> tuple[int, int]:
    """(micro-batch, accumulation steps) whose product is exactly the effective batch."""
    micro = max(d for d in range(1, min(batch_size, max_per_device) + 1) if batch_size % d == 0)
    return micro, batch_size // micro


def head_label_names(data_root: Path, refs: list[dict]) -> list[str]:
    """The label set shared by every dataset in `refs` (one head for all of them)."""
    names = {ref.dataset: read_manifest(data_root / ref.dataset)["label_names"]
             for ref in refs}
    distinct = {tuple(labels) for labels in names.values()}
    if len(distinct) != 1:
        raise ValueError(f"datasets trained with one head disagree on their labels: {names}")
    return list(distinct.pop())


def read_refs(data_root: Path, refs: list[dict]):
    """Concatenate the canonical splits named by `refs` into one pyarrow Table."""
    import pyarrow as pa

    tables = [read_split(data_root / ref.dataset, ref.language, ref.split, ref)
              for ref in refs]
    return pa.concat_tables(tables, promote_options="default")


def refs_sizes(data_root: Path, refs: list[dict]) -> dict:
    """{dataset/language/split: {rows, of}}: how much of each prepared split a job read."""
    return {f"{ref.dataset}/{ref.language}/{ref.split}":
            split_sizes(Path(data_root) / ref.dataset, ref.language, ref.split, ref)
            for ref in refs}


def selection_subset(table, size: int, rows: str, seed: int):
    """The English dev examples that select the checkpoint: the `first` `size` rows, as
    the paper's toolkit took them from its cached dev set, or a seeded `random` subset."""
    if rows == "first":
        return table.slice(0, size)
    import numpy as np

    order = np.random.default_rng(seed).permutation(table.num_rows)[:size]
    return table.take(sorted(order.tolist()))


@dataclass
class TrainingSetup:
    """What the training loop needs, whether one task or a multi-task mixture."""

    model: object  # what the Trainer optimises
    checkpoint_model: object  # what is saved (its encoder is what later jobs load)
    train_set: object
    collate: object
    select: object  # model -> selection score, higher is better
    transfer: dict
    selection_examples: int
    data_refs: list[DataRef]
    prebatched: bool = False
    trainer_mixin: object = None


@dataclass
class TaskPart:
    """One task's training features, head labels and English selection set."""

    name: str
    spec: TaskSpec
    task_format: TaskFormat
    label_names: list[str]
    features: object  # datasets.Dataset of training features
    collate: object
    dev_table: object
    dev_gold: dict

    def selection_score(self, model, tokenizer) -> float:
        """The task's selection score of `model` on its English dev subset."""
        predictions = self.task_format.predict(model, tokenizer, self.dev_table, self.spec,
                                               self.label_names)
        return selection_scorer(self.task_format, self.spec)(predictions, self.dev_gold)


def task_part(name: str, spec: TaskSpec, data_root: Path, tokenizer) -> TaskPart:
    task_format = get_format(spec.format)
    label_names = head_label_names(data_root, spec.train + spec.dev)
    features = training_features(task_format, read_refs(data_root, spec.train), tokenizer,
                                 spec, label_names)
    hparams = spec.hparams
    dev_table = selection_subset(read_refs(data_root, spec.dev), hparams.selection_examples,
                                 hparams.selection_rows, spec.seed)
    return TaskPart(name, spec, task_format, label_names, features,
                    task_format.collator(tokenizer), dev_table,
                    task_format.gold(dev_table, label_names))


def training_features(task_format: TaskFormat, table, tokenizer, spec: TaskSpec,
                      label_names: list[str]):
    """`table` featurised for training, with what the format names in FEATURIZE_OPTIONS
    besides max_length: task keys (doc_stride for QA windows) or the label names (tagging
    maps tag names to the head's indices)."""
    available = {**spec.to_dict(), "label_names": label_names}
    options = {key: available[key] for key in task_format.featurize_options}
    return task_format.featurize(table, tokenizer, spec.max_length, **options)


def selection_scorer(task_format: TaskFormat, spec: TaskSpec):
    """f(predictions, gold) -> the format's selection score, given the task keys it names in
    SELECTION_OPTIONS (a tagging target's official metric; intermediate tasks have none)."""
    options = {key: getattr(spec, key) for key in task_format.selection_options
               if getattr(spec, key) is not None}
    return partial(task_format.selection_score, **options)

