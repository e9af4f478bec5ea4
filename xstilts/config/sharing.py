"""Which trainings of the grid are one and the same: a model is made by what it is trained
on (its starting checkpoint, training and selection data, hyperparameters and seed), not
by the name of the target that asks for it.

XQuAD and MLQA both fine-tune on SQuAD v1.1 and select on its dev set, so one SQuAD model
per row and seed serves both; and where a target's training equals an intermediate task's
(the baseline row starts from the base model, as every intermediate task does), the
baseline reads that intermediate model instead of training it again. The rules train each
distinct model once and predict the other targets from it (rules/train.smk,
rules/evaluate.smk).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from xstilts.formats import Kind, get_format, kind_of
from xstilts.spec import TaskSpec

# What only evaluation reads: two specs that differ in nothing else train the same model,
# unless the format's training or selection reads one of these keys (tagging selects on
# its target's metric)
EVALUATION_ONLY = ("task", "kind", "eval", "test", "languages", "metric", "category")


def training_identity(spec: TaskSpec) -> str:
    """Canonical JSON of everything in `spec` that training reads (the starting checkpoint
    aside: the caller compares specs that start from the same one)."""
    task_format = get_format(spec.format)
    read_by_training = {*task_format.featurize_options, *task_format.selection_options}
    plain = {key: value for key, value in spec.to_dict().items()
             if key not in EVALUATION_ONLY or key in read_by_training}
    return json.dumps(plain, sort_keys=True, ensure_ascii=False)


@dataclass(frozen=True)
class SharedModels:
    """How the trained targets of a grid share models."""

    # {target: the target whose model it is predicted with (itself when it trains its own)}
    owner: dict[str, str]
    # {target: the intermediate task whose model the baseline row predicts it with}
    baseline_reads: dict[str, str]

    def trains_own_model(self, target: str) -> bool:
        return self.owner[target] == target

    def source(self, row: str, target: str, baseline: str) -> tuple[str, str]:
        """("target", owner) or ("intermediate", task): the model that predicts `target`
        for `row`."""
        if row == baseline and target in self.baseline_reads:
            return "intermediate", self.baseline_reads[target]
        return "target", self.owner[target]


def shared_models(targets: dict[str, TaskSpec], intermediates: dict[str, TaskSpec]
                  ) -> SharedModels:
    """From the resolved specs of the trained targets and intermediate tasks (one seed:
    specs of one seed compare as those of any other), in the grid's order."""
    identities = {target: training_identity(spec) for target, spec in targets.items()}
    first_with: dict[str, str] = {}
    for target, identity in identities.items():
        first_with.setdefault(identity, target)
    by_identity = {training_identity(spec): task for task, spec in intermediates.items()}
    return SharedModels(
        owner={target: first_with[identity] for target, identity in identities.items()},
        baseline_reads={target: by_identity[identity] for target, identity
                        in identities.items() if identity in by_identity})


def grid_sharing(config: dict) -> SharedModels:
    """`shared_models` of the validated configuration's grid: its trained targets, and the
    intermediate tasks it trains where it has a baseline row."""
    from xstilts.config import resolve_task, trained_intermediate, unavailable_rows

    seed = config["seeds"][0]
    targets = {name: resolve_task(config, "target_tasks", name, seed)
               for name in config["experiment"]["targets"]
               if kind_of(config["target_tasks"][name]["format"]) is not Kind.EVALUATED}
    unavailable = unavailable_rows(config)
    intermediates = {name: resolve_task(config, "intermediate_tasks", name, seed)
                     for name in trained_intermediate(config) if name not in unavailable
                     } if config["experiment"]["baseline"] else {}
    return shared_models(targets, intermediates)
