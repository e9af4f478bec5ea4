"""Task formats: how examples become features, which head, how predictions look.

A task is configuration (data, languages, metric, hyperparameters) plus one of these
formats, each implemented once.
"""

from importlib import import_module

FORMAT_MODULES = {
    "pair_classification": "xstilts.formats.pair_classification",
    "extractive_qa": "xstilts.formats.extractive_qa",
    "multiple_choice": "xstilts.formats.multiple_choice",
    "tagging": "xstilts.formats.tagging",
    "retrieval": "xstilts.formats.retrieval",
}


def get_format(name: str):
    try:
        return import_module(FORMAT_MODULES[name])
    except KeyError:
        raise ValueError(
            f"task format {name!r} is not implemented (implemented: {', '.join(FORMAT_MODULES)})"
        ) from None
