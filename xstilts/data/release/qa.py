"""SQuAD-format JSON releases: SQuAD 1.1 and 2.0, XQuAD, MLQA, TyDiQA-GoldP.

All of them nest {"data": [{"title", "paragraphs": [{"context", "qas": [{"id", "question",
"answers": [{"text", "answer_start"}]}]}]}]}; one hub row per question. Texts are kept
verbatim (answer offsets count from the context's first character); an unanswerable
SQuAD 2.0 question has an empty answer list, as in the hub.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from xstilts.data.release.files import (
    ReleaseFormatError,
    check_unique,
    configurations,
    json_document,
    require_keys,
)


@dataclass(frozen=True)
class SquadRelease:
    files: dict[str, str]  # hub split -> JSON file under the release directory ({lang})

    def read(self, layout, root: Path, languages: list[str]) -> dict:
        return configurations(layout, root, self.files, languages,
                              lambda path, _: question_rows(layout, path))


def question_rows(layout, path: Path) -> list[dict]:
    """One hub row per question of a SQuAD-format file; question ids must be unique."""
    document = require_keys(json_document(path), ["data"], str(path))
    rows, ids = [], []
    for a, article in enumerate(document["data"]):
        where = f"{path}: data[{a}]"
        title = require_keys(article, ["paragraphs"], where).get("title", "")
        for p, paragraph in enumerate(article["paragraphs"]):
            where = f"{path}: data[{a}].paragraphs[{p}]"
            context = require_keys(paragraph, ["context", "qas"], where)["context"]
            for q, qa in enumerate(paragraph["qas"]):
                where = f"{path}: data[{a}].paragraphs[{p}].qas[{q}]"
                row = question_row(layout, qa, context, where)
                if layout.has_title:
                    row["title"] = title
                rows.append(row)
                ids.append((row["id"], where))
    check_unique(ids, "question id")
    return rows


def question_row(layout, qa: dict, context: str, where: str) -> dict:
    require_keys(qa, ["id", "question", "answers"], where)
    texts, starts = [], []
    for i, answer in enumerate(qa["answers"]):
        require_keys(answer, ["text", "answer_start"], f"{where}.answers[{i}]")
        if not isinstance(answer["answer_start"], int):
            raise ReleaseFormatError(f"{where}.answers[{i}]: answer_start "
                                     f"{answer['answer_start']!r} is not a character offset")
        texts.append(answer["text"])
        starts.append(answer["answer_start"])
    return {"id": str(qa["id"]), "context": context, "question": qa["question"],
            "answers": {"text": texts, "answer_start": starts}}


SQUAD_V1 = SquadRelease({"train": "train-v1.1.json", "validation": "dev-v1.1.json"})
SQUAD_V2 = SquadRelease({"train": "train-v2.0.json", "validation": "dev-v2.0.json"})
XQUAD = SquadRelease({"validation": "xquad.{lang}.json"})  # XQuAD has one split only
# MLQA_V1/: XTREME evaluates context and question in the same language.
MLQA = SquadRelease({"validation": "dev/dev-context-{lang}-question-{lang}.json",
                     "test": "test/test-context-{lang}-question-{lang}.json"})
# One file per split holds every language; the layout keeps a language by its id prefix.
TYDIQA = SquadRelease({"train": "tydiqa-goldp-v1.1-train.json",
                       "validation": "tydiqa-goldp-v1.1-dev.json"})
