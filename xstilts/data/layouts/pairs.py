"""Sentence-pair classification layouts (GLUE MNLI/QQP, ANLI, SNLI, XNLI, XNLI-MT, PAWS-X).

Canonical sentence-pair record: {id: str, text_a: str, text_b: str, label: int}, with the
label names kept in the dataset's manifest. A canonical `label` of -1 marks a row
without gold label; such rows are dropped when the dataset is prepared.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from xstilts.data.release import ReadsReleaseFiles, pairs

NLI_LABELS = ("entailment", "neutral", "contradiction")


@dataclass(frozen=True)
class DemoSource:
    """English rows of a demo dataset: its layout (a key of PAIR_LAYOUTS), its name in
    config/demo.yaml and its split."""

    layout: str
    dataset: str
    split: str


@dataclass(frozen=True)
class PairLayout(ReadsReleaseFiles):
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
        source_layout = PAIR_LAYOUTS[source.layout] if source else None
        return pair_rows(self, split, language, size, seed, dataset, source_layout)

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


PAIR_LAYOUTS: dict[str, PairLayout] = {
    "glue_mnli": PairLayout(
        text_a="premise", text_b="hypothesis", label="label", label_names=NLI_LABELS,
        label_encoding="class", id_column="idx", id_dtype="int32",
        splits=("train", "validation_matched", "validation_mismatched",
                "test_matched", "test_mismatched"),
        unlabeled_splits=("test_matched", "test_mismatched"), release=pairs.MNLI,
    ),
    "glue_qqp": PairLayout(
        text_a="question1", text_b="question2", label="label",
        label_names=("not_duplicate", "duplicate"), label_encoding="class",
        id_column="idx", id_dtype="int32", splits=("train", "validation", "test"),
        unlabeled_splits=("test",), release=pairs.QQP,
    ),
    "anli": PairLayout(
        text_a="premise", text_b="hypothesis", label="label", label_names=NLI_LABELS,
        label_encoding="class", id_column="uid", extra_columns=("reason",),
        splits=tuple(f"{part}_r{r}" for r in (1, 2, 3) for part in ("train", "dev", "test")),
        release=pairs.ANLI,
    ),
    "snli": PairLayout(
        text_a="premise", text_b="hypothesis", label="label", label_names=NLI_LABELS,
        label_encoding="class", splits=("train", "validation", "test"), release=pairs.SNLI,
    ),
    "xtreme_xnli": PairLayout(
        text_a="sentence1", text_b="sentence2", label="gold_label", label_names=NLI_LABELS,
        label_encoding="name", language_column="language", splits=("validation", "test"),
        release=pairs.XNLI, demo_parallel=True,
    ),
    # XNLI-MT 1.0 (hub: facebook/xnli, one configuration per language): MNLI's training set
    # machine-translated into each language. The hub's validation/test splits are XNLI's
    # human sets (dataset xtreme_xnli), not taken from here. `validation_mt`, in release
    # files only, is a machine translation of XNLI's English dev set, which
    # xstilts.report.translation scores against XNLI's human translations of the same sentences.
    "xnli_mt": PairLayout(
        text_a="premise", text_b="hypothesis", label="label", label_names=NLI_LABELS,
        label_encoding="class", splits=("train", "validation_mt"), release=pairs.XNLI_MT,
        demo_translates={"train": DemoSource("glue_mnli", "mnli", "train"),
                         "validation_mt": DemoSource("xtreme_xnli", "xnli", "validation")},
    ),
    "xtreme_pawsx": PairLayout(
        text_a="sentence1", text_b="sentence2", label="label",
        label_names=("not_paraphrase", "paraphrase"), label_encoding="digit",
        splits=("train", "validation", "test"), release=pairs.PAWSX,
    ),
}
