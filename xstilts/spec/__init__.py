"""Typed, frozen specs of what a job reads: a dataset, the model, a resolved task and its
hyperparameters and data references.

Each is built from the validated configuration's plain data (`from_dict`, which names the
key and place of anything unexpected) and serialises back to exactly that data (`to_dict`),
so the canonical JSON the rules pass as job parameters is the same whether it was written
from a spec or from the dict.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import MISSING, dataclass, fields
from typing import Any, ClassVar


class SpecError(ValueError):
    pass


@dataclass(frozen=True)
class Spec:
    # fields written even when None (a retrieval task's `seed`); others are left out
    ALWAYS: ClassVar[tuple[str, ...]] = ()
    # field -> how its plain value becomes a typed one (and back, in `_plain`)
    NESTED: ClassVar[dict[str, Any]] = {}

    @classmethod
    def from_dict(cls, data: Mapping, where: str = "spec"):
        if not isinstance(data, Mapping):
            raise SpecError(f"{where}: expected a mapping, got {type(data).__name__}")
        names = [f.name for f in fields(cls)]
        unknown = sorted(set(data) - set(names))
        if unknown:
            raise SpecError(f"{where}: unknown key {unknown[0]!r} (known: {', '.join(names)})")
        missing = [f.name for f in fields(cls) if f.default is MISSING
                   and f.default_factory is MISSING and f.name not in data]
        if missing:
            raise SpecError(f"{where}: key {missing[0]!r} is required")
        return cls(**{key: cls._typed(key, value, f"{where}.{key}")
                      for key, value in data.items()})

    @classmethod
    def _typed(cls, key: str, value, where: str):
        kind = cls.NESTED.get(key)
        if kind is None:
            return tuple(value) if isinstance(value, list) else value
        if isinstance(kind, tuple):  # (spec class,): a list of them
            return tuple(kind[0].from_dict(item, f"{where}[{i}]") for i, item in enumerate(value))
        if isinstance(kind, set):  # {spec class}: a mapping of names to them
            (spec,) = kind
            return {name: spec.from_dict(item, f"{where}.{name}") for name, item in value.items()}
        return kind.from_dict(value, where)

    def to_dict(self) -> dict:
        return {f.name: _plain(getattr(self, f.name)) for f in fields(self)
                if getattr(self, f.name) is not None or f.name in self.ALWAYS}

    def to_json(self) -> str:
        """The canonical JSON of a job parameter (sorted keys: any change reruns the job)."""
        return json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False)


def _plain(value):
    if isinstance(value, Spec):
        return value.to_dict()
    if isinstance(value, tuple):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


@dataclass(frozen=True)
class DataRef(Spec):
    """One split of a prepared dataset, read whole or as a seeded subset."""

    dataset: str
    split: str
    language: str | None = None  # training and selection splits; an eval split has every
    max_examples: int | None = None
    sample_seed: int | None = None
    fallback_split: str | None = None  # eval only


@dataclass(frozen=True)
class Hyperparameters(Spec):
    learning_rate: float
    adam_epsilon: float
    weight_decay: float
    max_grad_norm: float
    warmup_ratio: float
    max_batch_per_device: int
    eval_batch_size: int
    eval_every_steps: int
    selection_examples: int
    selection_rows: str
    early_stopping_patience: int
    group_by_length: bool
    optimizer: str
    compile: bool
    dataloader_workers: int


@dataclass(frozen=True)
class MaskedLM(Spec):
    dataset: str
    languages: tuple[str, ...]
    max_length: int
    probability: float
    ratio: float


@dataclass(frozen=True)
class TaskSpec(Spec):
    """Everything one job knows about its task (xstilts.config.resolve_task)."""

    ALWAYS: ClassVar[tuple[str, ...]] = ("seed",)

    task: str
    kind: str
    format: str
    hparams: Hyperparameters
    precision: str
    seed: int | None = None
    train: tuple[DataRef, ...] | None = None
    dev: tuple[DataRef, ...] | None = None
    eval: DataRef | None = None
    test: DataRef | None = None
    languages: tuple[str, ...] | None = None
    metric: str | None = None
    category: str | None = None
    epochs: float | None = None
    batch_size: int | None = None
    max_length: int | None = None
    selection_metric: str | None = None
    positive_label: str | None = None
    # extractive QA
    doc_stride: int | None = None
    max_answer_length: int | None = None
    n_best: int | None = None
    no_answer: bool | None = None
    null_score_threshold: float | None = None
    # multi-task and MLM mixtures
    tasks: tuple[str, ...] | None = None
    subtasks: dict[str, TaskSpec] | None = None
    mlm: MaskedLM | None = None

    def datasets(self) -> list[str]:
        """Names of the prepared datasets the task reads, in first-use order."""
        refs = [*(self.train or ()), *(self.dev or ()), *filter(None, (self.eval, self.test))]
        names = [ref.dataset for ref in refs]
        names += [name for sub in (self.subtasks or {}).values() for name in sub.datasets()]
        names += [self.mlm.dataset] if self.mlm else []
        return list(dict.fromkeys(names))


TaskSpec.NESTED = {"hparams": Hyperparameters, "train": (DataRef,), "dev": (DataRef,),
                   "eval": DataRef, "test": DataRef, "subtasks": {TaskSpec}, "mlm": MaskedLM}


@dataclass(frozen=True)
class Reference(Spec):
    dataset: str
    split: str


@dataclass(frozen=True)
class DatasetSpec(Spec):
    """A `datasets` entry: where a dataset comes from and which of it is prepared."""

    NESTED: ClassVar[dict[str, Any]] = {"reference": Reference}

    schema: str
    source: str
    path: str | None = None
    revision: str | None = None
    name: str | None = None
    configs: dict[str, str] | None = None
    languages: tuple[str, ...] | None = None
    rows_per_language: int | None = None
    optional: bool | None = None
    reference: Reference | None = None


@dataclass(frozen=True)
class ModelSpec(Spec):
    """The `model` block: the base model's source and the retrieval layer."""

    source: str
    # absent from the base-model job's parameters: changing the layer rebuilds no model
    retrieval_layer: int | None = None
    seed: int | None = None
    path: str | None = None
    revision: str | None = None
    build: dict | None = None
