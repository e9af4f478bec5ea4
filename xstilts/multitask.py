"""Multi-task intermediate training: every intermediate task at once on one encoder.

Each task keeps its own head (its format's model class) and all heads share one
encoder. Batches hold one task each; shuffling the list of every task's batches once per
epoch samples tasks in proportion to their sizes. Tasks that share a dataset-level head
in the single-task setting (ANLI+'s parts) stay one task here too.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("xstilts.multitask")


@dataclass
class TaskPart:
    """One task of the mixture: its format, data and selection set."""

    name: str
    spec: dict
    task_format: object
    label_names: list[str]
    features: object  # datasets.Dataset of training features
    collate: object
    dev_table: object
    dev_gold: dict


def shared_encoder_model(models: dict):
    """Tie every task model to one encoder; return (wrapper, model saved as the checkpoint).

    The encoder of a model with a pooler is kept when one needs it (multiple choice), so
    no head loses a part it uses.
    """
    import torch

    with_pooler = [m for m in models.values() if getattr(m.base_model, "pooler", None)]
    primary = with_pooler[0] if with_pooler else next(iter(models.values()))
    for model in models.values():
        setattr(model, model.base_model_prefix, primary.base_model)

    class MultiTaskModel(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.tasks = torch.nn.ModuleDict(models)

        def forward(self, task, **batch):
            return self.tasks[task](**batch)

    return MultiTaskModel(), primary


class TaskBatches:
    """Micro-batches of one task each, collated when drawn (a torch map-style dataset)."""

    def __init__(self, parts: list[TaskPart], micro_batch: int, seed: int):
        import numpy as np

        rng = np.random.default_rng(seed)
        self.parts = {part.name: part for part in parts}
        self.batches = []
        for part in parts:
            order = rng.permutation(len(part.features)).tolist()
            self.batches += [(part.name, order[i:i + micro_batch])
                             for i in range(0, len(order), micro_batch)]

    def __len__(self) -> int:
        return len(self.batches)

    def __getitem__(self, index: int) -> dict:
        name, rows = self.batches[index]
        part = self.parts[name]
        return {"task": name, **part.collate([part.features[i] for i in rows])}


def first_item(items: list[dict]) -> dict:
    """The Trainer draws one pre-built micro-batch at a time."""
    return items[0]


def selection_score(parts: list[TaskPart], tokenizer, model) -> float:
    """Mean of each task's own selection score on its English dev subset."""
    from statistics import fmean

    scores = {}
    for part in parts:
        task_model = model.tasks[part.name]
        predictions = part.task_format.predict(task_model, tokenizer, part.dev_table, part.spec,
                                               part.label_names)
        scores[part.name] = part.task_format.selection_score(predictions, part.dev_gold)
    log.info("selection scores: %s", scores)
    return fmean(scores.values())


def trainer_class(base):
    """`base` (a Trainer subclass) saving and restoring the tied model through safetensors.

    The Trainer's own saving rejects tensors shared between heads; safetensors'
    save_model/load_model store each shared encoder weight once.
    """
    import os

    from safetensors.torch import load_model, save_model

    class MultiTaskTrainer(base):
        def _save(self, output_dir=None, state_dict=None):
            output_dir = output_dir or self.args.output_dir
            os.makedirs(output_dir, exist_ok=True)
            save_model(self.model, os.path.join(output_dir, "model.safetensors"))

        def _load_best_model(self):
            path = Path(self.state.best_model_checkpoint) / "model.safetensors"
            load_model(self.model, path)

    return MultiTaskTrainer


def task_part(name: str, spec: dict, data_root: Path, tokenizer):
    """One task of the mixture: its features, head and selection set, as in single-task."""
    from .tasks import get_format
    from .training import (
        collator_of,
        label_names_of,
        read_refs,
        selection_subset,
        training_features,
    )

    task_format = get_format(spec["format"])
    label_names = label_names_of(data_root, spec["train"] + spec["dev"])
    features = training_features(task_format, read_refs(data_root, spec["train"]), tokenizer,
                                 spec, label_names)
    dev_table = selection_subset(read_refs(data_root, spec["dev"]),
                                 spec["hparams"]["selection_examples"], spec["seed"])
    part = TaskPart(name, spec, task_format, label_names, features,
                    collator_of(task_format, tokenizer), dev_table,
                    task_format.gold(dev_table, label_names))
    return part


def multitask_setup(spec: dict, init_dir: Path, data_root: Path, tokenizer):
    """A TrainingSetup (xstilts.training) training every sub-task on one shared encoder."""
    from .training import TrainingSetup, micro_batching

    parts = [task_part(name, sub, data_root, tokenizer)
             for name, sub in spec["subtasks"].items()]
    built = {part.name: part.task_format.build_model(init_dir, part.label_names)
             for part in parts}
    model, checkpoint_model = shared_encoder_model({name: m for name, (m, _) in built.items()})
    micro, _ = micro_batching(spec["batch_size"], spec["hparams"]["max_batch_per_device"])
    refs = [ref for part in parts for ref in part.spec["train"] + part.spec["dev"]]
    return TrainingSetup(
        model=model,
        checkpoint_model=checkpoint_model,
        train_set=TaskBatches(parts, micro, spec["seed"]),
        collate=first_item,
        select=lambda trained: selection_score(parts, tokenizer, trained),
        transfer={name: report for name, (_, report) in built.items()},
        selection_examples=sum(part.dev_table.num_rows for part in parts),
        data_refs=refs,
        prebatched=True,
        trainer_mixin=trainer_class,
    )
