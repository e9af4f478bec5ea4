"""The interface of a task format: what a format module defines, per kind, and the checked
object (`TaskFormat`) that callers get from `xstilts.formats.get_format`.

A format module is a plain module of functions and constants (FormatModule below). Its
KIND says how the workflow uses it, and so which members it must define:

- TRAINED: fine-tuned on English data, then predicts every language (sentence pairs,
  extractive QA, multiple choice, tagging);
- EVALUATED: scored straight from a checkpoint, never trained (retrieval);
- MIXTURE: several trained tasks on one shared encoder (multi-task training).

Members a kind does not use are None on the TaskFormat; optional members get the defaults
of OPTIONAL. Nothing here imports torch: the light stages (report, audit, config) ask a
format's kind.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from types import ModuleType
from typing import Any, Protocol

from xstilts.spec import TaskSpec


class Kind(Enum):
    TRAINED = "trained"
    EVALUATED = "evaluated"
    MIXTURE = "mixture"


class FormatError(ValueError):
    """A format is not registered, or its module lacks a member its kind requires."""


class FormatModule(Protocol):
    """Everything a format module may define (module-level names); which of them a module
    must define depends on its KIND (REQUIRED), the others default (OPTIONAL)."""

    KIND: Kind
    # task keys (and "label_names") passed to featurize as keyword arguments
    FEATURIZE_OPTIONS: tuple[str, ...]
    # task keys passed to selection_score as keyword arguments, where the task has them
    SELECTION_OPTIONS: tuple[str, ...]

    # --- TRAINED
    def build_model(self, init_dir, label_names: list[str]) -> tuple[Any, dict]:
        """(a fresh head on the encoder of `init_dir`, the encoder transfer's report)."""

    def featurize(self, table, tokenizer, max_length: int, **options):
        """Canonical rows (pyarrow Table) -> a `datasets.Dataset` of training features."""

    def predict(self, model, tokenizer, table, spec: TaskSpec, label_names: list[str]) -> dict:
        """{example id: prediction} of canonical rows, as the metric scores them."""

    def selection_score(self, predictions: dict, gold: dict, **options) -> float:
        """The English dev score that selects the checkpoint (higher is better)."""

    def collator(self, tokenizer) -> Callable[[list[dict]], Any]:
        """Features -> a batch (default: padding of the inputs, `padding_collator`)."""

    # --- TRAINED and EVALUATED
    def gold(self, table, label_names: list[str]) -> dict:
        """{example id: gold} of canonical rows, as the metric scores them (no torch)."""

    # --- EVALUATED
    def evaluate(self, specs: list[TaskSpec], checkpoint_dir, data_root, layer: int,
                 outputs: list) -> list[dict]:
        """Write each task's prediction file from the checkpoint's encoder."""

    # --- MIXTURE
    def parts(self, spec: TaskSpec) -> dict[str, TaskSpec]:
        """{task name: its resolved spec}: the tasks trained together."""

    def share_encoder(self, models: dict) -> tuple[Any, Any]:
        """Tie the parts' models to one encoder: (model trained, model saved)."""

    def combine_scores(self, scores: dict[str, float]) -> float:
        """The mixture's selection score from each part's own."""


REQUIRED = {
    Kind.TRAINED: ("build_model", "featurize", "predict", "gold", "selection_score"),
    Kind.EVALUATED: ("gold", "evaluate"),
    Kind.MIXTURE: ("parts", "share_encoder", "combine_scores"),
}


def padding_collator(tokenizer):
    """The default collator: pads input_ids and attention_mask (to a multiple of 8)."""
    from transformers import DataCollatorWithPadding

    return DataCollatorWithPadding(tokenizer, pad_to_multiple_of=8)


# optional members of a TRAINED format -> their default
OPTIONAL = {"collator": padding_collator, "FEATURIZE_OPTIONS": (), "SELECTION_OPTIONS": ()}


@dataclass(frozen=True)
class TaskFormat:
    """A format module, checked: every member its kind requires is there."""

    name: str
    module: str
    kind: Kind
    build_model: Callable | None = None
    featurize: Callable | None = None
    predict: Callable | None = None
    gold: Callable | None = None
    selection_score: Callable | None = None
    collator: Callable | None = None
    featurize_options: tuple[str, ...] = ()
    selection_options: tuple[str, ...] = ()
    evaluate: Callable | None = None
    parts: Callable | None = None
    share_encoder: Callable | None = None
    combine_scores: Callable | None = None

    @classmethod
    def from_module(cls, name: str, module: ModuleType) -> TaskFormat:
        where = f"task format {name!r} (module {module.__name__})"
        kind = getattr(module, "KIND", None)
        if not isinstance(kind, Kind):
            raise FormatError(f"{where}: KIND must be one of "
                              f"{', '.join(f'Kind.{k.name}' for k in Kind)}, got {kind!r}")
        missing = [member for member in REQUIRED[kind] if not hasattr(module, member)]
        if missing:
            raise FormatError(f"{where}: a format of kind {kind.value} must define "
                              f"{', '.join(REQUIRED[kind])}; missing: {', '.join(missing)}")
        members = {member: getattr(module, member) for member in REQUIRED[kind]}
        if kind is Kind.TRAINED:
            members |= {member: getattr(module, member, default)
                        for member, default in OPTIONAL.items()}
        for member, value in members.items():
            if member.isupper():
                if not (isinstance(value, tuple | list)
                        and all(isinstance(key, str) for key in value)):
                    raise FormatError(f"{where}: {member} must be a tuple of task keys, "
                                      f"got {value!r}")
            elif not callable(value):
                raise FormatError(f"{where}: {member} must be a function, got {value!r}")
        return cls(name=name, module=module.__name__, kind=kind,
                   **{member.lower(): tuple(value) if member.isupper() else value
                      for member, value in members.items()})
