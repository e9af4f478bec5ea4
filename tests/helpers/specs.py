"""Typed specs for tests: a test names the fields it exercises, the rest are filled as a
resolved task has them (the schema's hyperparameter defaults)."""

from __future__ import annotations

from collections.abc import Mapping

from xstilts.config import load_schema
from xstilts.spec import DataRef, DatasetSpec, ModelSpec, TaskSpec

HPARAMS = {key: value["default"]
           for key, value in load_schema()["definitions"]["hparams"]["properties"].items()}
TASK_DEFAULTS = {"task": "task", "kind": "target_tasks", "format": "pair_classification",
                 "precision": "fp32"}


def filled(fields: Mapping) -> dict:
    """`fields` completed to a resolved task's required keys (sub-tasks too)."""
    plain = {**TASK_DEFAULTS, **fields, "hparams": {**HPARAMS, **fields.get("hparams", {})}}
    if plain.get("subtasks"):
        plain["subtasks"] = {name: filled(sub) for name, sub in plain["subtasks"].items()}
    return plain


def task_spec(fields: Mapping | TaskSpec) -> TaskSpec:
    return fields if isinstance(fields, TaskSpec) else TaskSpec.from_dict(filled(fields))


def dataset_spec(fields: Mapping | DatasetSpec) -> DatasetSpec:
    return fields if isinstance(fields, DatasetSpec) else DatasetSpec.from_dict(fields)


def data_ref(fields: Mapping | DataRef | None) -> DataRef | None:
    """A data reference; a test that only asks for a subset names max_examples alone."""
    if fields is None or isinstance(fields, DataRef):
        return fields
    return DataRef.from_dict({"dataset": "dataset", "split": "split", **fields})


def task_specs(many) -> list[TaskSpec]:
    return [task_spec(fields) for fields in many]


def model_spec(fields: Mapping | ModelSpec) -> ModelSpec:
    return fields if isinstance(fields, ModelSpec) else ModelSpec.from_dict(fields)
