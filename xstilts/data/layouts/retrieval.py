"""Sentence-retrieval layouts of google/xtreme (BUCC 2018, Tatoeba) and their canonical form.

Hub rows of both layouts have four string columns: source_sentence, target_sentence,
source_lang, target_lang. The source is the non-English sentence and the target its
English translation: XTREME's files come in pairs <lang>-en (BUCC) and <lang3>-eng
(Tatoeba) with English second, and the hub's loader reads them in that order.

- `bucc18.<lang>`: one row per gold pair of BUCC 2018. Despite their names, source_lang
  and target_lang hold the pair's BUCC sentence ids ("de-000000123", "en-000004567").
  `validation` is the BUCC "sample" set (XTREME's dev), `test` the BUCC "training" set
  (XTREME's test). The hub keeps only the gold pairs, not the monolingual corpora that
  BUCC mines them from, so mining on hub data faces no sentence without a partner: an
  easier task than BUCC itself, and its numbers are not XTREME's. The release files
  (`source: local`, xstilts.data.release.retrieval) hold the full corpora.
- `tatoeba.<lang3>`: one row per aligned pair (1000 per language), split `validation`
  only; source_lang is what the hub's loader took for the language (the file suffix, e.g.
  "deu"), target_lang "eng". Neither is read: the configuration names the language.
Tatoeba's sentences keep the line break of the file the hub's loader read them from;
surrounding whitespace is stripped here.

Canonical retrieval record: {id: str, source: str | None, target: str | None}. A row with
both sentences is a gold pair; a row with one of them is a sentence without a partner
(BUCC's corpora consist mostly of those; the demo generates some on each side). A BUCC id
is the pair's sentence ids joined by "/", or the one id of an unpaired sentence.
"""

from __future__ import annotations

from dataclasses import dataclass

from xstilts.data.release import ReadsReleaseFiles, retrieval

HUB_COLUMNS = ("source_sentence", "target_sentence", "source_lang", "target_lang")
BUCC_ID_SEPARATOR = "/"


@dataclass(frozen=True)
class RetrievalLayout(ReadsReleaseFiles):
    """A sentence-retrieval dataset as the hub lays it out."""

    splits: tuple[str, ...]
    # True: source_lang/target_lang hold sentence ids (BUCC); False: language codes (Tatoeba).
    sentence_ids: bool
    # The demo adds sentences without a partner on each side, as in BUCC's corpora.
    demo_distractors: bool
    format: str = "retrieval"
    label_names: tuple[str, ...] = ()
    language_column: str | None = None
    unlabeled_splits: tuple[str, ...] = ()

    def features(self):
        from datasets import Features, Value

        return Features({name: Value("string") for name in HUB_COLUMNS})

    def hub_row(self, language: str, number: int, source: str, target: str) -> dict:
        """One row in the hub's columns; "" stands for a missing sentence (demo only).

        For Tatoeba the demo writes the language code where the hub has its file suffix.
        """
        if self.sentence_ids:
            source_lang = f"{language}-{number:09d}" if source else ""
            target_lang = f"en-{number:09d}" if target else ""
        else:
            source_lang, target_lang = language, "eng"
        return {"source_sentence": source, "target_sentence": target,
                "source_lang": source_lang, "target_lang": target_lang}

    def demo_rows(self, split: str, language: str, size: int, seed: int, dataset: str):
        """Generated rows of one split in the hub's columns (see xstilts.data.demo)."""
        from xstilts.data.demo import retrieval_rows

        return retrieval_rows(self, split, language, size, seed, dataset)

    def to_canonical(self, rows: dict[str, list], split: str, language: str) -> dict[str, list]:
        """Columnar hub rows of one split and language -> canonical columns."""
        sources = [_sentence(text) for text in rows["source_sentence"]]
        targets = [_sentence(text) for text in rows["target_sentence"]]
        for i, (source, target) in enumerate(zip(sources, targets, strict=True)):
            if source is None and target is None:
                raise ValueError(f"row {i} has neither a source nor a target sentence")
        if self.sentence_ids:
            ids = [BUCC_ID_SEPARATOR.join(part for part in pair if part)
                   for pair in zip(rows["source_lang"], rows["target_lang"], strict=True)]
        else:
            ids = [f"{split}-{language}-{i}" for i in range(len(sources))]
        return {"id": ids, "source": sources, "target": targets}


def _sentence(text: str | None) -> str | None:
    """The sentence without surrounding whitespace; None when there is none."""
    return (text or "").strip() or None


RETRIEVAL_LAYOUTS: dict[str, RetrievalLayout] = {
    "xtreme_bucc": RetrievalLayout(splits=("validation", "test"), sentence_ids=True,
                                   demo_distractors=True, release=retrieval.BUCC),
    "xtreme_tatoeba": RetrievalLayout(splits=("validation",), sentence_ids=False,
                                      demo_distractors=False, release=retrieval.TATOEBA),
}
