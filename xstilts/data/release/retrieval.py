"""Sentence-retrieval releases: BUCC 2018 and Tatoeba (as XTREME uses them).

BUCC: `<src>-en/<src>-en.{sample,training}.{<src>,en,gold}` as the BUCC 2018 archives
unpack; the sentence files hold "id<TAB>sentence", the gold file "src_id<TAB>en_id". The
hub keeps only the gold pairs; these files also hold BUCC's sentences without a partner,
which become rows with one side empty (see xstilts.data.layouts.retrieval), so mining
faces the full corpora, as in XTREME. `validation` is the sample set, `test` the training
set.

Tatoeba: `tatoeba.<xxx>-eng.<xxx>` and `tatoeba.<xxx>-eng.eng` from LASER's
data/tatoeba/v1/, line i of one the translation of line i of the other; <xxx> is XTREME's
three-letter code of the language. Sentences lose their line break, which the hub's rows
keep and the layout strips.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from xstilts.data.release.files import (
    ReleaseFormatError,
    build_split,
    check_unique,
    location,
    read_lines,
    tsv_rows,
)

BUCC_PARTS = {"validation": "sample", "test": "training"}  # hub split -> file part
# XTREME's Tatoeba file codes of its languages (mostly ISO 639-3; Persian pes, Swahili swh,
# Chinese cmn).
TATOEBA_CODES = {
    "af": "afr", "ar": "ara", "bg": "bul", "bn": "ben", "de": "deu", "el": "ell",
    "es": "spa", "et": "est", "eu": "eus", "fa": "pes", "fi": "fin", "fr": "fra",
    "he": "heb", "hi": "hin", "hu": "hun", "id": "ind", "it": "ita", "ja": "jpn",
    "jv": "jav", "ka": "kat", "kk": "kaz", "ko": "kor", "ml": "mal", "mr": "mar",
    "nl": "nld", "pt": "por", "ru": "rus", "sw": "swh", "ta": "tam", "te": "tel",
    "th": "tha", "tl": "tgl", "tr": "tur", "ur": "urd", "vi": "vie", "zh": "cmn",
}


def retrieval_row(source: str, target: str, source_lang: str, target_lang: str) -> dict:
    return {"source_sentence": source, "target_sentence": target,
            "source_lang": source_lang, "target_lang": target_lang}


# --- BUCC 2018 -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bucc:
    def read(self, layout, root: Path, languages: list[str]) -> dict:
        from datasets import DatasetDict

        return {language: DatasetDict({
            split: build_split(layout, bucc_rows(root / f"{language}-en", language, part),
                               root / f"{language}-en" / f"{language}-en.{part}.*")
            for split, part in BUCC_PARTS.items()}) for language in languages}


def bucc_rows(folder: Path, language: str, part: str) -> list[dict]:
    """Gold pairs in the gold file's order, then the unpaired sentences of each side (ids in
    source_lang / target_lang, as the hub's BUCC rows have them)."""
    stem = f"{language}-en.{part}"
    sources = sentences(folder / f"{stem}.{language}")
    targets = sentences(folder / f"{stem}.en")
    gold = gold_pairs(folder / f"{stem}.gold", sources, targets)
    rows = [retrieval_row(sources[s], targets[t], s, t) for s, t in gold]
    paired_sources, paired_targets = {s for s, _ in gold}, {t for _, t in gold}
    rows += [retrieval_row(text, "", i, "") for i, text in sources.items()
             if i not in paired_sources]
    rows += [retrieval_row("", text, "", i) for i, text in targets.items()
             if i not in paired_targets]
    return rows


def sentences(path: Path) -> dict[str, str]:
    """{sentence id: sentence} of a BUCC sentence file."""
    rows = list(tsv_rows(path, 2))
    check_unique((sentence_id, location(path, number)) for number, (sentence_id, _) in rows)
    return {sentence_id: text for _, (sentence_id, text) in rows}


def gold_pairs(path: Path, sources: dict, targets: dict) -> list[tuple[str, str]]:
    """(source id, English id) of every gold line, each id present in its sentence file."""
    pairs = []
    for number, (source, target) in tsv_rows(path, 2):
        for sentence_id, side in ((source, sources), (target, targets)):
            if sentence_id not in side:
                raise ReleaseFormatError(f"{location(path, number)}: gold id {sentence_id!r} "
                                         f"is in no line of its sentence file")
        pairs.append(((source, target), location(path, number)))
    check_unique(((f"{s}/{t}", where) for (s, t), where in pairs), "gold pair")
    return [pair for pair, _ in pairs]


# --- Tatoeba ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tatoeba:
    def read(self, layout, root: Path, languages: list[str]) -> dict:
        from datasets import DatasetDict

        return {language: DatasetDict({"validation": build_split(
            layout, tatoeba_rows(root, language), tatoeba_path(root, language, "*"))})
            for language in languages}


def tatoeba_code(language: str) -> str:
    if language not in TATOEBA_CODES:
        raise ReleaseFormatError(f"Tatoeba has no file code for language {language!r} "
                                 f"(known: {', '.join(sorted(TATOEBA_CODES))})")
    return TATOEBA_CODES[language]


def tatoeba_path(root: Path, language: str, side: str) -> Path:
    return root / f"tatoeba.{tatoeba_code(language)}-eng.{side}"


def tatoeba_rows(root: Path, language: str) -> list[dict]:
    code = tatoeba_code(language)
    source_path, target_path = (tatoeba_path(root, language, side) for side in (code, "eng"))
    sources, targets = sentence_lines(source_path), sentence_lines(target_path)
    if len(sources) != len(targets):
        raise ReleaseFormatError(f"{source_path} has {len(sources)} lines but {target_path} "
                                 f"has {len(targets)}; line i of each must translate the other")
    return [retrieval_row(source, target, code, "eng")
            for source, target in zip(sources, targets, strict=True)]


def sentence_lines(path: Path) -> list[str]:
    """One sentence per line; an empty line would pair a sentence with nothing."""
    lines = []
    for number, line in read_lines(path):
        if not line.strip():
            raise ReleaseFormatError(f"{location(path, number)}: empty line, expected a "
                                     f"sentence")
        lines.append(line)
    return lines


BUCC = Bucc()
TATOEBA = Tatoeba()
