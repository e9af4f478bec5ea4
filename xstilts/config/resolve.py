"""Resolve one task of the validated configuration into everything its job needs."""

from __future__ import annotations

import copy

from xstilts.data.layouts import dataset_languages
from xstilts.formats import Kind, kind_of
from xstilts.spec import TaskSpec

TASK_KINDS = ("intermediate_tasks", "target_tasks")


def resolve_task(config: dict, kind: str, name: str, seed: int | None = None) -> TaskSpec:
    """Everything one job needs to know about its task; its `to_json` is the parameter the
    rules pass.

    `seed` is the run's seed (one of config `seeds`; None for jobs that train nothing)."""
    return TaskSpec.from_dict(plain_task(config, kind, name, seed), f"{kind}.{name}")


def plain_task(config: dict, kind: str, name: str, seed: int | None) -> dict:
    """The resolved task as the plain data of the configuration (resolve_task types it)."""
    task = copy.deepcopy(config[kind][name])
    hparams = {**config["training"], **task.pop("hparams")}
    for key in ("note", "max_train_examples", "max_eval_examples"):
        task.pop(key, None)
    resolved = {
        "task": name,
        "kind": kind,
        **task,
        "hparams": hparams,
        "seed": seed,
        "precision": config["precision"],
    }
    resolved.pop("base", None)  # merged in by validate: the spec holds every inherited key
    resolved.update(with_limits(config, config[kind][name]))
    if kind_of(task["format"]) is Kind.MIXTURE:
        resolved["subtasks"] = {sub: plain_task(config, kind, sub, seed)
                             for sub in task["tasks"]}
    if "mlm" in task:
        corpus = config["datasets"].get(task["mlm"]["dataset"], {})  # validate names a typo
        resolved["mlm"] = {"languages": dataset_languages(corpus),
                           "max_length": task["max_length"], **task["mlm"]}
    return resolved


def with_limits(config: dict, task: dict) -> dict:
    """The task's data references, each carrying the subset it is read as: its own
    `max_examples`, else the task's `max_train_examples` (train) or `max_eval_examples`
    (dev, eval, test), else config `subsample`'s. A reference without a limit stays as it
    was, so that jobs on complete data keep their parameters."""
    defaults = config["subsample"]
    limits = {field: task.get(field, defaults.get(field))
              for field in ("max_train_examples", "max_eval_examples")}

    def limited(ref: dict, field: str) -> dict:
        limit = ref.get("max_examples", limits[field])
        if limit is None:
            return ref
        return {**ref, "max_examples": limit, "sample_seed": defaults["seed"]}

    refs = {field: [limited(ref, "max_train_examples" if field == "train" else
                            "max_eval_examples") for ref in task[field]]
            for field in ("train", "dev") if field in task}
    refs |= {field: limited(task[field], "max_eval_examples")
             for field in ("eval", "test") if field in task}
    return refs
