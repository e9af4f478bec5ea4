"""Task formats: how examples become features, which head, how predictions look.

A task is configuration (data, languages, metric, hyperparameters) plus one of these
formats, each implemented once, in one module that follows xstilts.formats.interface.
FORMAT_MODULES is the registry: a new format is its module plus one line here
(docs/adding-a-task.md). Format modules import no torch at module level, so that the
light stages (config, report, audit) can ask a format's kind (`kind_of`).
"""

from importlib import import_module

from xstilts.formats.interface import FormatError, Kind, TaskFormat

__all__ = ["FORMAT_MODULES", "FormatError", "Kind", "TaskFormat", "get_format", "kind_of"]

FORMAT_MODULES = {
    "pair_classification": "xstilts.formats.pair_classification",
    "extractive_qa": "xstilts.formats.extractive_qa",
    "multiple_choice": "xstilts.formats.multiple_choice",
    "tagging": "xstilts.formats.tagging",
    "retrieval": "xstilts.formats.retrieval",
    "multitask": "xstilts.formats.multitask",
}


def get_format(name: str) -> TaskFormat:
    """The registered format `name`, checked against its kind's interface."""
    if name not in FORMAT_MODULES:
        raise FormatError(f"task format {name!r} is not implemented "
                          f"(implemented: {', '.join(FORMAT_MODULES)})")
    return TaskFormat.from_module(name, import_module(FORMAT_MODULES[name]))


def kind_of(name: str) -> Kind:
    """Whether format `name` is trained, evaluated from a checkpoint or a mixture."""
    return get_format(name).kind
