"""XTREME's evaluation rules, reimplemented from google-research/xtreme's evaluate.py for
the tests of the submission export: how it reads a task's files and scores them.

- classification (xnli, pawsx) and tatoeba: one value per line, accuracy of equal lines;
- udpos, panx: one tag per line, sentences apart by a blank line, seqeval's F1 over the
  sentences (panx: seqeval's `f1_score`; udpos: the chunking of seqeval 0.0.12, the version
  XTREME ran, which xstilts.metrics.tagging.pos_f1 follows and pins with golden tests);
- bucc2018: the set of `source\\ttarget` lines against the gold set: precision, recall, F1;
- xquad, tydiqa: SQuAD v1.1's evaluate loop over data > paragraphs > qas (a question
  without prediction scores 0), EM and F1 with SQuAD's normalisation; mlqa: the same with
  MLQA's language-aware normalisation (both from xstilts.metrics.qa, golden-tested).

Unlike evaluate.py, which requires every language of its TASK2LANGS, the languages scored
are those of the label folder (the demo has a few of each task).
"""

from __future__ import annotations

import json
from pathlib import Path

from xstilts.metrics.qa import exact_match, f1, normalize_mlqa, squad_tokens
from xstilts.metrics.tagging import pos_f1

QA = {"xquad", "mlqa", "tydiqa"}


def read_lines(path: Path) -> list[str]:
    return [line.strip() for line in Path(path).read_text().splitlines()]


def read_tags(path: Path) -> list[list[str]]:
    sentences, sentence = [], []
    for line in read_lines(path):
        if line:
            sentence.append(line)
        elif sentence:
            sentences.append(sentence)
            sentence = []
    return sentences + ([sentence] if sentence else [])


def accuracy(labels: list[str], predictions: list[str]) -> dict:
    assert len(labels) == len(predictions), "number of examples differs"
    return {"accuracy": 100.0 * sum(p == g for p, g in zip(predictions, labels, strict=True))
            / len(predictions)}


def bucc(labels: list[str], predictions: list[str]) -> dict:
    gold = {tuple(line.split("\t")) for line in labels}
    found = {tuple(line.split("\t")) for line in predictions}
    correct = len(gold & found)
    if not correct:
        return {"f1": 0.0, "precision": 0.0, "recall": 0.0}
    precision, recall = correct / len(found), correct / len(gold)
    return {"f1": 100 * 2 * precision * recall / (precision + recall),
            "precision": 100 * precision, "recall": 100 * recall}


def tag_f1(task: str, labels: list[list[str]], predictions: list[list[str]]) -> dict:
    if task == "udpos":
        return {"f1": pos_f1(labels, predictions)}
    from seqeval.metrics import f1_score

    return {"f1": 100.0 * f1_score(labels, predictions)}


def squad(dataset: dict, predictions: dict, language: str | None) -> dict:
    tokenize = ((lambda text: normalize_mlqa(text, language)) if language else squad_tokens)
    total = em = f1_sum = 0.0
    for article in dataset.get("data", dataset):
        for paragraph in article["paragraphs"]:
            for question in paragraph["qas"]:
                total += 1
                if question["id"] not in predictions:
                    continue  # "Unanswered question ... will receive score 0"
                truths = [answer["text"] for answer in question["answers"]]
                em += exact_match(predictions[question["id"]], truths, tokenize)
                f1_sum += f1(predictions[question["id"]], truths, tokenize)
    return {"exact_match": 100.0 * em / total, "f1": 100.0 * f1_sum / total}


def evaluate_task(task: str, prediction_file: Path, label_file: Path, language: str) -> dict:
    if task in QA:
        return squad(json.loads(Path(label_file).read_text()),
                     json.loads(Path(prediction_file).read_text()),
                     language if task == "mlqa" else None)
    if task in ("udpos", "panx"):
        return tag_f1(task, read_tags(label_file), read_tags(prediction_file))
    if task == "bucc2018":
        return bucc(read_lines(label_file), read_lines(prediction_file))
    return accuracy(read_lines(label_file), read_lines(prediction_file))


def evaluate(prediction_folder: Path, label_folder: Path) -> dict[str, dict[str, dict]]:
    """{task: {language: metrics}} of every task folder of the labels, each language's
    file `test-<lang>.<json|tsv>` in both folders."""
    scores = {}
    for task_folder in sorted(Path(label_folder).iterdir()):
        task = task_folder.name
        scores[task] = {
            label_file.stem.removeprefix("test-"): evaluate_task(
                task, Path(prediction_folder) / task / label_file.name, label_file,
                label_file.stem.removeprefix("test-"))
            for label_file in sorted(task_folder.iterdir())}
    return scores
