"""Token-tagging layouts (UD-POS, PAN-X, CCGbank supertags) and their canonical form.

Canonical tagging record: {id: str, tokens: [str], tags: [str]}, one tag name per word.
The manifest's label names are the tag set, in the order of the model's head: the hub's
ClassLabel names for UD-POS and PAN-X; for CCGbank, whose 1,300-odd supertags only the data
defines (`label_names` None), every tag occurring in any split (xstilts.store.prepared).

CCGbank (LDC2005T13) is licensed, so it has no hub source: `read_local` parses the user's
copy of the original AUTO files, and the demo generates CCG-style rows directly in the
canonical shape.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from xstilts.data.release import ReadsReleaseFiles, tagging

SPLITS = ("train", "validation", "test")
UPOS = ("ADJ", "ADP", "ADV", "AUX", "CCONJ", "DET", "INTJ", "NOUN", "NUM", "PART", "PRON",
        "PROPN", "PUNCT", "SCONJ", "SYM", "VERB", "X")
PANX_TAGS = ("O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC")
# Frequent CCGbank categories, the tag set of the demo's CCG-style data.
DEMO_SUPERTAGS = ("N", "NP", "N/N", "NP[nb]/N", "(S[dcl]\\NP)/NP", "S[dcl]\\NP", "PP/NP",
                  "(NP\\NP)/NP", "(S\\NP)\\(S\\NP)", "(S[b]\\NP)/NP", "conj", ",", ".")


def check_one_tag_per_word(tokens: list[list[str]], tags: list[list], split: str) -> None:
    for row, (words, word_tags) in enumerate(zip(tokens, tags, strict=True)):
        if len(words) != len(word_tags):
            raise ValueError(f"split {split!r}, row {row}: {len(words)} tokens but "
                             f"{len(word_tags)} tags")


@dataclass(frozen=True)
class XtremeTaggingLayout(ReadsReleaseFiles):
    """A google/xtreme tagging configuration (one per language): tokens and ClassLabel tags."""

    tag_column: str
    label_names: tuple[str, ...]
    iob2: bool = False  # entity tags (B-TYPE, I-TYPE, O) rather than one tag per word
    token_language_column: str | None = None  # PAN-X repeats the language for every token
    missing_splits: dict[str, tuple[str, ...]] = field(default_factory=dict)
    splits: tuple[str, ...] = SPLITS
    unlabeled_splits: tuple[str, ...] = ()
    language_column: str | None = None
    format: str = "tagging"

    def features(self):
        from datasets import ClassLabel, Features, List, Value

        columns = {"tokens": List(Value("string")),
                   self.tag_column: List(ClassLabel(names=list(self.label_names)))}
        if self.token_language_column:
            columns[self.token_language_column] = List(Value("string"))
        return Features(columns)

    def demo_rows(self, split: str, language: str, size: int, seed: int, dataset: str):
        """Generated rows of one split in the hub's columns; none for a split the hub lacks
        in this language (UD-POS: kk has no dev split, th, tl and yo only a test split)."""
        from xstilts.data.demo import PseudoLanguage, entity_tagged, language_rng, lexicon_tagged

        if split in self.missing_splits.get(language, ()):
            return []
        rng = language_rng(seed, dataset, split, language)
        lang = PseudoLanguage(language, seed)
        rows = []
        for _ in range(size):
            if self.iob2:
                words, tags = entity_tagged(lang, entity_types(self.label_names), rng)
            else:
                words, tags = lexicon_tagged(lang, self.label_names, rng)
            row = {"tokens": words, self.tag_column: [self.label_names.index(t) for t in tags]}
            if self.token_language_column:
                row[self.token_language_column] = [language] * len(words)
            rows.append(row)
        return rows

    def to_canonical(self, rows: dict[str, list], split: str, language: str) -> dict[str, list]:
        tokens = [list(words) for words in rows["tokens"]]
        tags = [[self.label_names[t] for t in word_tags] for word_tags in rows[self.tag_column]]
        check_one_tag_per_word(tokens, tags, split)
        return {"id": [f"{split}-{language}-{i}" for i in range(len(tokens))],
                "tokens": tokens, "tags": tags}


def entity_types(iob2_tags: tuple[str, ...]) -> list[str]:
    """Entity types in order of first appearance: (O, B-PER, I-PER, ...) -> [PER, ...]."""
    return list(dict.fromkeys(tag[2:] for tag in iob2_tags if tag != "O"))


# One leaf of an AUTO derivation: (<L category modified_POS original_POS word PredArgCat>)
AUTO_LEAF = re.compile(r"\(<L (\S+) \S+ \S+ (\S+) \S+>\)")


def read_auto(path: Path) -> list[tuple[str, list[str], list[str]]]:
    """(sentence id, words, supertags) of every derivation in one CCGbank AUTO file.

    AUTO files alternate a header line (`ID=wsj_0001.1 PARSER=GOLD NUMPARSE=1`) and the
    derivation, whose leaves hold each word with its lexical category.
    """
    sentences, sentence_id = [], None
    for line in Path(path).read_text().splitlines():
        if line.startswith("ID="):
            sentence_id = line.split()[0][len("ID="):]
        elif line.strip():
            leaves = AUTO_LEAF.findall(line)
            if sentence_id is None or not leaves:
                raise ValueError(f"{path}: derivation without ID line or leaves: {line[:80]!r}")
            sentences.append((sentence_id, [w for _, w in leaves], [c for c, _ in leaves]))
            sentence_id = None
    return sentences


@dataclass(frozen=True)
class CCGbankLayout:
    """CCGbank supertags, read from the AUTO files or generated for the demo.

    The "hub" columns here are the canonical ones: there is no hub dataset to mirror.
    """

    # WSJ sections per split, as the paper's toolkit split CCGbank (the POS-tagging split).
    sections: dict[str, range] = field(default_factory=lambda: {
        "train": range(0, 19), "validation": range(19, 22), "test": range(22, 25)})
    label_names: tuple[str, ...] | None = None  # the data defines the tag set
    splits: tuple[str, ...] = SPLITS
    unlabeled_splits: tuple[str, ...] = ()
    language_column: str | None = None
    format: str = "tagging"

    def features(self):
        from datasets import Features, List, Value

        return Features({"id": Value("string"), "tokens": List(Value("string")),
                         "tags": List(Value("string"))})

    def demo_rows(self, split: str, language: str, size: int, seed: int, dataset: str):
        from xstilts.data.demo import PseudoLanguage, language_rng, lexicon_tagged

        rng = language_rng(seed, dataset, split, language)
        lang = PseudoLanguage(language, seed)
        rows = []
        for number in range(size):
            words, tags = lexicon_tagged(lang, DEMO_SUPERTAGS, rng)
            rows.append({"id": f"{split}-{number}", "tokens": words, "tags": tags})
        return rows

    def to_canonical(self, rows: dict[str, list], split: str, language: str) -> dict[str, list]:
        tokens = [list(words) for words in rows["tokens"]]
        tags = [list(word_tags) for word_tags in rows["tags"]]
        check_one_tag_per_word(tokens, tags, split)
        return {"id": list(rows["id"]), "tokens": tokens, "tags": tags}

    def read_local(self, root: Path, languages: list[str] | None = None) -> dict:
        """{None: DatasetDict} of every split from `<root>/data/AUTO/<section>/*.auto`
        (English only: `languages` is not read)."""
        from datasets import Dataset, DatasetDict

        auto = Path(root) / "data" / "AUTO"
        splits = {}
        for split, sections in self.sections.items():
            files = [path for section in sections
                     for path in sorted((auto / f"{section:02d}").glob("*.auto"))]
            if not files:
                raise FileNotFoundError(f"{auto}: no AUTO files in sections "
                                        f"{sections.start:02d}-{sections.stop - 1:02d} ({split})")
            sentences = [sentence for path in files for sentence in read_auto(path)]
            columns = {"id": [s[0] for s in sentences], "tokens": [s[1] for s in sentences],
                       "tags": [s[2] for s in sentences]}
            splits[split] = Dataset.from_dict(columns, features=self.features())
        return {None: DatasetDict(splits)}


TAGGING_LAYOUTS = {
    "xtreme_udpos": XtremeTaggingLayout(
        tag_column="pos_tags", label_names=UPOS,
        missing_splits={"kk": ("validation",), "th": ("train", "validation"),
                        "tl": ("train", "validation"), "yo": ("train", "validation")},
        release=tagging.UD,
    ),
    "xtreme_panx": XtremeTaggingLayout(
        tag_column="ner_tags", label_names=PANX_TAGS, iob2=True, token_language_column="langs",
        release=tagging.PANX,
    ),
    "ccgbank": CCGbankLayout(),
}
