"""Task formats: how examples become features, which head, how predictions look.

A task is configuration (data, languages, metric, hyperparameters) plus one of these
formats, each implemented once.
"""

from importlib import import_module

FORMAT_MODULES = {
    "pair_classification": "xstilts.tasks.pair_classification",
    "extractive_qa": "xstilts.tasks.extractive_qa",
    "multiple_choice": "xstilts.tasks.multiple_choice",
    "tagging": "xstilts.tasks.tagging",
    "retrieval": "xstilts.tasks.retrieval",
}


def get_format(name: str):
    try:
        return import_module(FORMAT_MODULES[name])
    except KeyError:
        raise ValueError(
            f"task format {name!r} is not implemented (implemented: {', '.join(FORMAT_MODULES)})"
        ) from None
