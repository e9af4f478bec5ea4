"""Hub dataset layouts and their conversion to the canonical format.

Each layout is declared once; the same declaration converts hub rows to canonical
records and lets the demo generator write rows in exactly the hub's columns and types.
A layout provides: `format`, `splits`, `label_names`, `language_column`,
`unlabeled_splits`, `features()`, `demo_rows(...)` and `to_canonical(...)`, and
`read_local(root, languages)`, which parses the release files (xstilts.data.original).
Layouts of other formats live in their own modules and are registered in SCHEMAS below.

Canonical sentence-pair record: {id: str, text_a: str, text_b: str, label: int}, with the
label names kept in the dataset's manifest. A canonical `label` of -1 marks a row
without gold label; such rows are dropped when the dataset is prepared.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from xstilts.data.layouts_choice import CHOICE_LAYOUTS
from xstilts.data.layouts_qa import QA_SCHEMAS
from xstilts.data.layouts_retrieval import RETRIEVAL_LAYOUTS
from xstilts.data.layouts_tagging import TAGGING_LAYOUTS
from xstilts.data.layouts_text import TEXT_LAYOUTS
from xstilts.data.original import ReadsOriginalFiles, pairs

NLI_LABELS = ("entailment", "neutral", "contradiction")


@dataclass(frozen=True)
class DemoSource:
    """English rows of a demo dataset: its layout (a key of SCHEMAS), its name in
    config/demo.yaml and its split."""

    layout: str
    dataset: str
    split: str


@dataclass(frozen=True)
class PairSchema(ReadsOriginalFiles):
    """A sentence-pair classification dataset as the hub lays it out."""

    text_a: str
    text_b: str
    label: str
    label_names: tuple[str, ...]
    # class: ClassLabel integers; name: the label's name as a string; digit: "0", "1", ...
    label_encoding: str
    splits: tuple[str, ...]
    id_column: str | None = None
    id_dtype: str = "string"
    language_column: str | None = None  # all languages in one hub configuration
    extra_columns: tuple[str, ...] = field(default_factory=tuple)
    unlabeled_splits: tuple[str, ...] = ()  # the hub hides these gold labels (-1)
    format: str = "pair_classification"
    # Demo only: every language's rows translate the English rows, as XNLI's are human
    # translations of one English set.
    demo_parallel: bool = False
    # Demo only: {split: DemoSource} of splits that machine-translate (noisily) the English
    # rows of another demo dataset, as XNLI-MT translates MNLI.
    demo_translates: dict[str, DemoSource] = field(default_factory=dict, hash=False)

    def features(self):
        from datasets import ClassLabel, Features, Value

        columns = {}
        if self.id_column:
            columns[self.id_column] = Value(self.id_dtype)
        if self.language_column:
            columns[self.language_column] = Value("string")
        columns[self.text_a] = Value("string")
        columns[self.text_b] = Value("string")
        columns[self.label] = (
            ClassLabel(names=list(self.label_names))
            if self.label_encoding == "class"
            else Value("string")
        )
        columns.update({name: Value("string") for name in self.extra_columns})
        # The hub lists `idx` last for GLUE; column order does not matter to the converter.
        return Features(columns)

    def encode_label(self, index: int):
        """Hub value of label `index` (-1 = no gold label)."""
        if self.label_encoding == "class":
            return index
        if index < 0:
            return ""
        return self.label_names[index] if self.label_encoding == "name" else str(index)

    def decode_label(self, value) -> int:
        """Canonical label index of a hub value; -1 for a missing gold label."""
        if value in ("", None, "-1", "-", -1):
            return -1
        if self.label_encoding == "name":
            index = self.label_names.index(value) if value in self.label_names else None
        else:
            index = int(value) if str(value).isdigit() else None
        if index is None or not 0 <= index < len(self.label_names):
            raise ValueError(f"label {value!r} is not one of {list(self.label_names)} "
                             f"(or their indices)")
        return index

    def demo_rows(self, split: str, language: str, size: int, seed: int, dataset: str):
        """Generated rows of one split in the hub's columns (see xstilts.data.demo)."""
        from xstilts.data.demo import pair_rows

        source = self.demo_translates.get(split)
        source_schema = SCHEMAS[source.layout] if source else None
        return pair_rows(self, split, language, size, seed, dataset, source_schema)

    def to_canonical(self, rows: dict[str, list], split: str, language: str) -> dict[str, list]:
        """Columnar hub rows of one split and language -> canonical columns."""
        n = len(rows[self.text_a])
        if self.id_column:
            ids = [str(value) for value in rows[self.id_column]]
        else:
            ids = [f"{split}-{language}-{i}" for i in range(n)]
        return {
            "id": ids,
            "text_a": list(rows[self.text_a]),
            "text_b": list(rows[self.text_b]),
            "label": [self.decode_label(value) for value in rows[self.label]],
        }


PAIR_SCHEMAS: dict[str, PairSchema] = {
    "glue_mnli": PairSchema(
        text_a="premise", text_b="hypothesis", label="label", label_names=NLI_LABELS,
        label_encoding="class", id_column="idx", id_dtype="int32",
        splits=("train", "validation_matched", "validation_mismatched",
                "test_matched", "test_mismatched"),
        unlabeled_splits=("test_matched", "test_mismatched"), original=pairs.MNLI,
    ),
    "glue_qqp": PairSchema(
        text_a="question1", text_b="question2", label="label",
        label_names=("not_duplicate", "duplicate"), label_encoding="class",
        id_column="idx", id_dtype="int32", splits=("train", "validation", "test"),
        unlabeled_splits=("test",), original=pairs.QQP,
    ),
    "anli": PairSchema(
        text_a="premise", text_b="hypothesis", label="label", label_names=NLI_LABELS,
        label_encoding="class", id_column="uid", extra_columns=("reason",),
        splits=tuple(f"{part}_r{r}" for r in (1, 2, 3) for part in ("train", "dev", "test")),
        original=pairs.ANLI,
    ),
    "snli": PairSchema(
        text_a="premise", text_b="hypothesis", label="label", label_names=NLI_LABELS,
        label_encoding="class", splits=("train", "validation", "test"), original=pairs.SNLI,
    ),
    "xtreme_xnli": PairSchema(
        text_a="sentence1", text_b="sentence2", label="gold_label", label_names=NLI_LABELS,
        label_encoding="name", language_column="language", splits=("validation", "test"),
        original=pairs.XNLI, demo_parallel=True,
    ),
    # XNLI-MT 1.0 (hub: facebook/xnli, one configuration per language): MNLI's training set
    # machine-translated into each language. The hub's validation/test splits are XNLI's
    # human sets (dataset xtreme_xnli), not taken from here. `validation_mt`, in release
    # files only, is a machine translation of XNLI's English dev set, which
    # xstilts.report.translation scores against XNLI's human translations of the same sentences.
    "xnli_mt": PairSchema(
        text_a="premise", text_b="hypothesis", label="label", label_names=NLI_LABELS,
        label_encoding="class", splits=("train", "validation_mt"), original=pairs.XNLI_MT,
        demo_translates={"train": DemoSource("glue_mnli", "mnli", "train"),
                         "validation_mt": DemoSource("xtreme_xnli", "xnli", "validation")},
    ),
    "xtreme_pawsx": PairSchema(
        text_a="sentence1", text_b="sentence2", label="label",
        label_names=("not_paraphrase", "paraphrase"), label_encoding="digit",
        splits=("train", "validation", "test"), original=pairs.PAWSX,
    ),
}


# Layouts whose evaluation sets hold the same items in every language (translations of
# one set; MLQA: its N-way parallel questions), an item being an example's id without its
# language (xstilts.data.subsample.parallel_key): the bootstrap draws their items once for
# all languages (xstilts.metrics.bootstrap).
PARALLEL_LAYOUTS = frozenset({"xtreme_xnli", "xtreme_pawsx", "xtreme_xquad", "xtreme_mlqa"})

SCHEMAS = {**PAIR_SCHEMAS, **QA_SCHEMAS, **RETRIEVAL_LAYOUTS, **CHOICE_LAYOUTS,
           **TAGGING_LAYOUTS, **TEXT_LAYOUTS}


def get_schema(name: str, dataset: str = "?"):
    try:
        return SCHEMAS[name]
    except KeyError:
        raise ValueError(
            f"dataset {dataset!r}: unknown schema {name!r} (known: {', '.join(sorted(SCHEMAS))})"
        ) from None


def dataset_languages(dataset: dict) -> list[str]:
    """Languages a dataset entry prepares (English only unless it lists others)."""
    return dataset.get("languages") or list(dataset.get("configs", {})) or ["en"]
