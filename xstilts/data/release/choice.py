"""Multiple-choice releases: HellaSwag and CommonsenseQA (JSONL), Cosmos QA (CSV or JSONL).

Only the labelled splits are read: the test files of all three lack gold labels, and the
hub's test rows (label hidden) are never prepared.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from xstilts.data.release.files import (
    ReleaseFormatError,
    check_unique,
    configurations,
    first_existing,
    label_index,
    location,
    read_records,
    require_keys,
)


@dataclass(frozen=True)
class ChoiceRelease:
    files: dict[str, str]  # hub split -> file under the release directory
    required: tuple[str, ...]  # keys every record has
    id_key: str
    hub_row: Callable[[object, dict, str], dict]  # (layout, record, where) -> hub row
    alternative_suffix: str | None = None  # read where a file is absent (Cosmos QA: JSONL)

    def read(self, layout, root: Path, languages: list[str]) -> dict:
        return configurations(layout, root, self.files, languages,
                              lambda path, _: self.rows(layout, path))

    def rows(self, layout, path: Path) -> list[dict]:
        if self.alternative_suffix:
            path = first_existing(path, path.with_suffix(self.alternative_suffix))
        rows, ids = [], []
        for number, record in read_records(path, self.required):
            where = location(path, number)
            rows.append(self.hub_row(layout, record, where))
            ids.append((str(record[self.id_key]), where))
        check_unique(ids)
        return rows


def check_choice_count(choices: list, layout, where: str) -> None:
    if len(choices) != len(layout.label_names):
        raise ReleaseFormatError(f"{where}: {len(choices)} choices, expected "
                                 f"{len(layout.label_names)}")


def hellaswag_row(layout, record: dict, where: str) -> dict:
    check_choice_count(record["endings"], layout, where)
    label = label_index(record["label"], layout.label_names, where)
    return {"ind": int(record["ind"]), "activity_label": record["activity_label"],
            "ctx_a": record.get("ctx_a", ""), "ctx_b": record.get("ctx_b", ""),
            "ctx": record["ctx"], "endings": record["endings"],
            "source_id": record["source_id"], "split": record["split"],
            "split_type": record["split_type"], "label": layout.label_names[label]}


def cosmosqa_row(layout, record: dict, where: str) -> dict:
    answers = {f"answer{i}": record[f"answer{i}"] for i in range(len(layout.label_names))}
    return {"id": record["id"], "context": record["context"], "question": record["question"],
            **answers, "label": label_index(record["label"], layout.label_names, where)}


def commonsenseqa_row(layout, record: dict, where: str) -> dict:
    question = require_keys(record["question"], ["stem", "question_concept", "choices"],
                            f"{where}: question")
    choices = [require_keys(choice, ["label", "text"], f"{where}: choice {i}")
               for i, choice in enumerate(question["choices"])]
    check_choice_count(choices, layout, where)
    label = label_index(record["answerKey"], layout.label_names, where)
    return {"id": record["id"], "question": question["stem"],
            "question_concept": question["question_concept"],
            "choices": {"label": [c["label"] for c in choices],
                        "text": [c["text"] for c in choices]},
            "answerKey": layout.label_names[label]}


HELLASWAG = ChoiceRelease(
    files={"train": "hellaswag_train.jsonl", "validation": "hellaswag_val.jsonl"},
    required=("ind", "activity_label", "ctx", "endings", "source_id", "split", "split_type",
              "label"),
    id_key="ind", hub_row=hellaswag_row)
COSMOSQA = ChoiceRelease(
    files={"train": "train.csv", "validation": "valid.csv"},
    required=("id", "context", "question", "answer0", "answer1", "answer2", "answer3",
              "label"),
    id_key="id", hub_row=cosmosqa_row, alternative_suffix=".jsonl")
COMMONSENSEQA = ChoiceRelease(
    files={"train": "train_rand_split.jsonl", "validation": "dev_rand_split.jsonl"},
    required=("id", "question", "answerKey"), id_key="id", hub_row=commonsenseqa_row)
