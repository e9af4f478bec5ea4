"""Predict again, from a finished checkpoint, a seeded sample of the examples a prediction
file holds: the audit's `--deep` check that this checkpoint made these predictions.

The checkpoint is loaded whole (encoder and head, exactly the weights on disk) into the
model its format builds, on CPU; each language's sample is predicted by the format's own
`predict` and compared with the stored predictions. Agreement below 1 can come from
precision alone (predictions made in bf16 on a GPU, checked in fp32), so the caller sets
the threshold.
"""

from __future__ import annotations

import dataclasses
import random
from pathlib import Path

from xstilts.formats import Kind, get_format, kind_of
from xstilts.spec import TaskSpec
from xstilts.store.prepared import read_manifest, read_split
from xstilts.store.splits import eval_splits


def sample_ids(ids: list[str], count: int, seed: str) -> list[str]:
    """`count` of `ids` (all if fewer), the same for the same seed on any machine."""
    return sorted(random.Random(seed).sample(sorted(ids), min(count, len(ids))))


def agreement(spec: TaskSpec, checkpoint_dir: Path, data_root: Path, stored: dict,
              count: int, seed: int = 0) -> dict[str, tuple[int, int]]:
    """{language: (agreeing, compared)} of `count` seeded examples per language predicted
    again from `checkpoint_dir`, against `stored` ({language: {id: prediction}})."""
    import torch

    from xstilts.models.base import max_input_length, within_model_limit
    from xstilts.train.loop import load_trained

    if kind_of(spec.format) is not Kind.TRAINED:
        raise ValueError(f"task {spec.task!r}: format {spec.format!r} is not a trained "
                         "single-task format; its predictions are not re-predicted")
    dataset_dir = Path(data_root) / spec.eval.dataset
    label_names = read_manifest(dataset_dir)["label_names"]
    task_format = get_format(spec.format)
    model, tokenizer = load_trained(spec, checkpoint_dir, verify=False)
    model.to("cpu").eval()
    spec = within_model_limit(dataclasses.replace(spec, precision="fp32"),
                              max_input_length(checkpoint_dir))
    splits, _ = eval_splits(spec.eval, read_manifest(dataset_dir), spec.languages)
    found = {}
    with torch.no_grad():
        for language, split in splits.items():
            table = read_split(dataset_dir, language, split, spec.eval)
            chosen = set(sample_ids(list(stored.get(language, {})), count,
                                    f"{seed}/{spec.task}/{language}"))
            rows = [i for i, example in enumerate(table.column("id").to_pylist())
                    if example in chosen]
            again = task_format.predict(model, tokenizer, table.take(rows), spec, label_names)
            found[language] = (sum(again.get(example) == stored[language][example]
                                   for example in chosen), len(chosen))
    return found
