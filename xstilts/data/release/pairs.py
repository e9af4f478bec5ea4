"""Sentence-pair releases: GLUE MNLI and QQP (TSV), SNLI and ANLI (JSONL), XNLI, XNLI-MT and
PAWS-X (TSV).

A `PairRelease` says which file holds which hub split, which columns (TSV) or keys (JSONL)
hold the two texts and the label, and how the file spells each label; the hub row is then
the same for all of them. Hub ids that the files lack are the row's index in its file, as
the hub's GLUE loader numbers them (`idx`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from xstilts.data.release.files import (
    check_unique,
    configurations,
    label_index,
    location,
    read_records,
)


@dataclass(frozen=True)
class PairRelease:
    files: dict[str, str]  # hub split -> file under the release directory ({lang}: per language)
    text_a: str
    text_b: str
    label: str
    spellings: tuple[str, ...] | None = None  # the file's label per layout label; None: same
    unlabelled: tuple[str, ...] = ()  # the file's spelling of "no gold label" (SNLI: "-")
    id_key: str | None = None  # column of the hub's id (ANLI's uid)
    language_key: str | None = None  # column of the language, all languages in one file (XNLI)
    overrides: dict[str, dict[str, str]] = field(default_factory=dict)  # per-language files
    aliases: dict[str, str] = field(default_factory=dict)  # another spelling -> the layout's
    optional: tuple[str, ...] = ()  # splits whose per-language file may be absent

    def read(self, layout, root: Path, languages: list[str]) -> dict:
        def read_rows(path: Path, _) -> list[dict]:
            return self.rows(layout, path)

        if not self.optional:
            return configurations(layout, root, self.files, languages, read_rows,
                                  self.overrides)
        return {language: configurations(layout, root, self.present(root, language),
                                         [language], read_rows)[language]
                for language in languages}

    def present(self, root: Path, language: str) -> dict[str, str]:
        """The split files of `language`, without the optional ones that are absent."""
        return {split: name for split, name in self.files.items()
                if split not in self.optional or (root / name.format(lang=language)).is_file()}

    def rows(self, layout, path: Path) -> list[dict]:
        required = [key for key in (self.text_a, self.text_b, self.label, self.id_key,
                                    self.language_key) if key]
        rows, ids = [], []
        for index, (number, record) in enumerate(read_records(path, required)):
            where = location(path, number)
            rows.append(self.hub_row(layout, record, index, where))
            if self.id_key:
                ids.append((record[self.id_key], where))
        check_unique(ids)
        return rows

    def hub_row(self, layout, record: dict, index: int, where: str) -> dict:
        spellings = self.spellings or layout.label_names
        value = self.aliases.get(record[self.label], record[self.label])
        label = label_index(value, spellings, where, self.unlabelled)
        row = {layout.text_a: record[self.text_a], layout.text_b: record[self.text_b],
               layout.label: layout.encode_label(label)}
        if layout.id_column:
            row[layout.id_column] = record[self.id_key] if self.id_key else index
        if layout.language_column:
            row[layout.language_column] = record[self.language_key]
        row.update({name: record.get(name, "") for name in layout.extra_columns})
        return row


# GLUE's MNLI/ and QQP/ folders; the test files carry no labels and are not read.
MNLI = PairRelease(
    files={"train": "train.tsv", "validation_matched": "dev_matched.tsv",
           "validation_mismatched": "dev_mismatched.tsv"},
    text_a="sentence1", text_b="sentence2", label="gold_label")
QQP = PairRelease(files={"train": "train.tsv", "validation": "dev.tsv"},
                  text_a="question1", text_b="question2", label="is_duplicate",
                  spellings=("0", "1"))
# snli_1.0/: "-" marks pairs whose annotators did not agree; the hub keeps them as -1.
SNLI = PairRelease(
    files={"train": "snli_1.0_train.jsonl", "validation": "snli_1.0_dev.jsonl",
           "test": "snli_1.0_test.jsonl"},
    text_a="sentence1", text_b="sentence2", label="gold_label", unlabelled=("-",))
# anli_v1.0/R1..R3/
ANLI = PairRelease(
    files={f"{part}_r{r}": f"R{r}/{part}.jsonl" for r in (1, 2, 3)
           for part in ("train", "dev", "test")},
    text_a="context", text_b="hypothesis", label="label", spellings=("e", "n", "c"),
    id_key="uid")
# XNLI-1.0/: every language in one file, a `language` column telling them apart.
XNLI = PairRelease(files={"validation": "xnli.dev.tsv", "test": "xnli.test.tsv"},
                   text_a="sentence1", text_b="sentence2", label="gold_label",
                   language_key="language")
# XNLI-MT-1.0/: multinli/ holds MNLI's training set machine-translated into each language
# (header premise, hypo, label), spelling contradiction "contradictory" as the hub's loader
# maps it. Its xnli/ folder is translate-test (XNLI dev/test translated into English), the
# other direction, and is not read. translate-dev/ is this project's layout for a machine
# translation of XNLI's English dev set into the language (docs/local-data.md): the same
# three columns, rows in the order of XNLI's English dev set, either label spelling.
XNLI_MT = PairRelease(
    files={"train": "multinli/multinli.train.{lang}.tsv",
           "validation_mt": "translate-dev/xnli.dev.{lang}.tsv"},
    text_a="premise", text_b="hypo", label="label",
    aliases={"contradictory": "contradiction"}, optional=("validation_mt",))
# x-final/<lang>/: English has the original training set, the others its machine translation.
PAWSX = PairRelease(
    files={"train": "{lang}/translated_train.tsv", "validation": "{lang}/dev_2k.tsv",
           "test": "{lang}/test_2k.tsv"},
    text_a="sentence1", text_b="sentence2", label="label", spellings=("0", "1"),
    id_key="id",  # the hub numbers rows instead, but a repeated id means a broken file
    overrides={"en": {"train": "en/train.tsv"}})
