"""Token-tagging releases: Universal Dependencies v2.5 (CoNLL-U) and XTREME's PAN-X files.

UD: every treebank file `<code>_<treebank>-ud-<split>.conllu` anywhere under the release
directory (the release's UD_<Language>-<Treebank>/ folders), grouped by the language code
its name starts with, as XTREME groups them, in sorted path order. A sentence keeps its
syntactic words, the lines whose ID is an integer, with their UPOS tag; comment lines,
multiword-token ranges ("1-2") and empty nodes ("1.1") are skipped. A sentence whose every
form is "_" has its text withheld (UD_Arabic-NYUAD without the LDC data) and is left out,
as the hub leaves that treebank out. A split without any file is absent, as in the hub
(kk has no dev split; th, tl, yo only a test split).

PAN-X: `<lang>/{train,dev,test}` from XTREME's panx_dataset/<lang>.tar.gz, one
"<lang>:<token><TAB><IOB2 tag>" line per token and a blank line after each sentence.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from xstilts.data.release.files import (
    ReleaseFormatError,
    build_split,
    configurations,
    location,
    sentence_blocks,
)

CONLLU_FIELDS = 10
UD_SPLITS = {"train": "train", "dev": "validation", "test": "test"}  # file part -> hub split


def tag_indices(tags: list[str], tag_set: tuple[str, ...], wheres: list[str]) -> list[int]:
    for tag, where in zip(tags, wheres, strict=True):
        if tag not in tag_set:
            raise ReleaseFormatError(f"{where}: tag {tag!r} is not one of "
                                     f"{', '.join(tag_set)}")
    return [tag_set.index(tag) for tag in tags]


# --- Universal Dependencies ------------------------------------------------------------------


@dataclass(frozen=True)
class UniversalDependencies:
    def read(self, layout, root: Path, languages: list[str]) -> dict:
        from datasets import DatasetDict

        files = treebank_files(root)
        result = {}
        for language in languages:
            splits = files.get(language)
            if not splits:
                raise FileNotFoundError(f"{root}: no CoNLL-U file {language}_*-ud-"
                                        f"{{train,dev,test}}.conllu for language {language!r}")
            result[language] = DatasetDict({split: treebanks_split(layout, paths)
                                            for split, paths in splits.items()})
        return result


def treebanks_split(layout, paths: list[Path]):
    """One split of a language: the sentences of all its treebanks' files, in path order."""
    rows = [row for path in paths for row in conllu_rows(layout, path)]
    return build_split(layout, rows, ", ".join(map(str, paths)))


def treebank_files(root: Path) -> dict[str, dict[str, list[Path]]]:
    """{language code: {hub split: treebank files}}, sorted by path."""
    files: dict[str, dict[str, list[Path]]] = {}
    for path in sorted(root.rglob("*-ud-*.conllu")):
        code = path.name.split("_", 1)[0]
        part = path.stem.rsplit("-", 1)[-1]
        if part in UD_SPLITS:
            files.setdefault(code, {}).setdefault(UD_SPLITS[part], []).append(path)
    return files


def conllu_rows(layout, path: Path) -> list[dict]:
    rows = []
    for sentence in sentence_blocks(path, CONLLU_FIELDS, comment="#"):
        words = [(number, fields) for number, fields in sentence
                 if is_word(fields[0], location(path, number))]
        tokens = [fields[1] for _, fields in words]
        if all(token == "_" for token in tokens):
            continue
        wheres = [location(path, number) for number, _ in words]
        tags = tag_indices([fields[3] for _, fields in words], layout.label_names, wheres)
        rows.append({"tokens": tokens, layout.tag_column: tags})
    return rows


def is_word(word_id: str, where: str) -> bool:
    """True for a syntactic word ("3"), False for a multiword range ("3-4") or an empty
    node ("3.1")."""
    if word_id.isdigit():
        return True
    if "-" in word_id or "." in word_id:
        return False
    raise ReleaseFormatError(f"{where}: word ID {word_id!r} is not N, N-M or N.M")


# --- PAN-X -------------------------------------------------------------------------------------


PANX_FILES = {"train": "{lang}/train", "validation": "{lang}/dev", "test": "{lang}/test"}


@dataclass(frozen=True)
class PanX:
    def read(self, layout, root: Path, languages: list[str]) -> dict:
        return configurations(layout, root, PANX_FILES, languages,
                              lambda path, language: panx_rows(layout, path, language))


def panx_rows(layout, path: Path, language: str) -> list[dict]:
    rows = []
    for sentence in sentence_blocks(path, 2):
        wheres = [location(path, number) for number, _ in sentence]
        tokens = [panx_token(fields[0], language, where)
                  for (_, fields), where in zip(sentence, wheres, strict=True)]
        tags = tag_indices([fields[1] for _, fields in sentence], layout.label_names, wheres)
        rows.append({"tokens": tokens, layout.tag_column: tags,
                     layout.token_language_column: [language] * len(tokens)})
    return rows


def panx_token(field: str, language: str, where: str) -> str:
    """The token of a "<lang>:<token>" field (the token itself may hold a colon)."""
    prefix, colon, token = field.partition(":")
    if prefix != language or not colon:
        raise ReleaseFormatError(f"{where}: {field!r} does not start with {language + ':'!r}")
    return token


UD = UniversalDependencies()
PANX = PanX()
