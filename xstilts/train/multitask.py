"""Multi-task intermediate training: every intermediate task at once on one encoder.

Each task keeps its own head (its format's model class) and all heads share one
encoder. Batches hold one task each; shuffling the list of every task's batches once per
epoch samples tasks in proportion to their sizes. Tasks that share a dataset-level head
in the single-task setting (ANLI+'s parts) stay one task here too.
"""

from __future__ import annotations

import logging
from pathlib import Path

from xstilts.formats import get_format
from xstilts.formats.multitask import combine_scores, share_encoder
from xstilts.spec import TaskSpec
from xstilts.train.trainer import tied_weights_trainer

log = logging.getLogger("xstilts.train.multitask")


class TaskBatches:
    """Micro-batches of one task each, collated when drawn (a torch map-style dataset)."""

    def __init__(self, parts: list, micro_batch: int, seed: int):
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


def mean_selection_score(parts: list, tokenizer, model) -> float:
    """Mean of each task's own selection score on its English dev subset."""
    scores = {part.name: part.selection_score(model.tasks[part.name], tokenizer)
              for part in parts}
    log.info("selection scores: %s", scores)
    return combine_scores(scores)


def multitask_setup(spec: TaskSpec, init_dir: Path, data_root: Path, tokenizer):
    """A TrainingSetup (xstilts.train.loop) training every sub-task on one shared encoder."""
    from xstilts.train.parts import task_part

    mixture = get_format(spec.format)
    parts = [task_part(name, sub, data_root, tokenizer)
             for name, sub in mixture.parts(spec).items()]
    return shared_encoder_setup(spec, parts, init_dir, tokenizer)


def shared_encoder_setup(spec: TaskSpec, parts: list, init_dir: Path, tokenizer):
    """A TrainingSetup of pre-built micro-batches of `parts` (TaskParts), one head each on
    one encoder; also the base that xstilts.train.mlm adds its masked-LM part to."""
    from xstilts.train.parts import TrainingSetup, micro_batching

    built = {part.name: part.task_format.build_model(init_dir, part.label_names)
             for part in parts}
    model, checkpoint_model = share_encoder({name: m for name, (m, _) in built.items()})
    micro, _ = micro_batching(spec.batch_size, spec.hparams.max_batch_per_device)
    refs = [ref for part in parts for ref in part.spec.train + part.spec.dev]
    return TrainingSetup(
        model=model,
        checkpoint_model=checkpoint_model,
        train_set=TaskBatches(parts, micro, spec.seed),
        collate=first_item,
        select=lambda trained: mean_selection_score(parts, tokenizer, trained),
        transfer={name: report for name, (_, report) in built.items()},
        selection_examples=sum(part.dev_table.num_rows for part in parts),
        data_refs=refs,
        prebatched=True,
        trainer_mixin=tied_weights_trainer,
    )
