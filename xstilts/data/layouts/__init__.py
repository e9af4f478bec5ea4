"""Hub dataset layouts and their conversion to the canonical format: the registry.

Each layout is declared once; the same declaration converts hub rows to canonical
records and lets the demo generator write rows in exactly the hub's columns and types.
A layout provides: `format`, `splits`, `label_names`, `language_column`,
`unlabeled_splits`, `features()`, `demo_rows(...)` and `to_canonical(...)`, and
`read_local(root, languages)`, which parses the release files (xstilts.data.release).
One module per format family; a dataset's config key `schema` names its layout in LAYOUTS.
"""

from __future__ import annotations

from xstilts.data.layouts.choice import CHOICE_LAYOUTS
from xstilts.data.layouts.pairs import PAIR_LAYOUTS
from xstilts.data.layouts.qa import QA_LAYOUTS
from xstilts.data.layouts.retrieval import RETRIEVAL_LAYOUTS
from xstilts.data.layouts.tagging import TAGGING_LAYOUTS
from xstilts.data.layouts.text import TEXT_LAYOUTS

# Layouts whose evaluation sets hold the same items in every language (translations of
# one set; MLQA: its N-way parallel questions), an item being an example's id without its
# language (xstilts.data.subsample.parallel_key): the bootstrap draws their items once for
# all languages (xstilts.metrics.bootstrap).
PARALLEL_LAYOUTS = frozenset({"xtreme_xnli", "xtreme_pawsx", "xtreme_xquad", "xtreme_mlqa"})

LAYOUTS = {**PAIR_LAYOUTS, **QA_LAYOUTS, **RETRIEVAL_LAYOUTS, **CHOICE_LAYOUTS,
           **TAGGING_LAYOUTS, **TEXT_LAYOUTS}


def get_layout(name: str, dataset: str = "?"):
    try:
        return LAYOUTS[name]
    except KeyError:
        raise ValueError(
            f"dataset {dataset!r}: unknown layout {name!r} (known: {', '.join(sorted(LAYOUTS))})"
        ) from None


def dataset_languages(dataset: dict) -> list[str]:
    """Languages a dataset entry prepares (English only unless it lists others)."""
    return dataset.get("languages") or list(dataset.get("configs", {})) or ["en"]
