"""A row's predictions in the layout of an XTREME leaderboard submission
(google-research/xtreme, README "Leaderboard Submission"): one folder per task (`xnli`,
`pawsx`, `udpos`, `panx`, `xquad`, `mlqa`, `tydiqa`, `bucc2018`, `tatoeba`), in it one file
per language, `test-<lang>.json` for the QA tasks and `test-<lang>.tsv` for the others, in
the order of the test data:

- xnli, pawsx: one label per line (XNLI its name, PAWS-X its index: 0 or 1);
- udpos, panx: one tag per line, a blank line after each sentence;
- xquad, mlqa, tydiqa: {question id: answer text} (JSON);
- bucc2018: one extracted pair per line, `<source id>\\t<target id>` in BUCC's sentence ids
  (the threshold chosen on the dev split applied to the test split);
- tatoeba: per query sentence, the line index of the retrieved sentence.

The predictions exported are those of the task's test split, or, where the task has none
besides the one evaluated (XQuAD, TyDiQA-GoldP, Tatoeba), of that split, which is XTREME's
test data. The same writer gives the gold labels in the same layout (`gold=True`), which is
what the benchmark's scorer compares a submission with.
"""

from __future__ import annotations

import json
from pathlib import Path

from xstilts.data.layouts.retrieval import BUCC_ID_SEPARATOR
from xstilts.formats import Kind, get_format, kind_of
from xstilts.metrics.retrieval import extracted_pairs
from xstilts.spec import TaskSpec
from xstilts.store import atomic
from xstilts.store.prepared import read_manifest, read_split
from xstilts.store.splits import eval_splits

# our task key -> XTREME's folder name (the leaderboard's nine tasks)
FOLDERS = {"xnli": "xnli", "pawsx": "pawsx", "udpos": "udpos", "panx": "panx",
           "xquad": "xquad", "mlqa": "mlqa", "tydiqa": "tydiqa", "bucc": "bucc2018",
           "tatoeba": "tatoeba"}
QA = {"xquad", "mlqa", "tydiqa"}
LABEL_INDEX = {"pawsx"}  # labels written as their index, as in XTREME's PAWS-X files


class ExportError(ValueError):
    pass


def submission_data(spec: TaskSpec, predictions_file: dict) -> tuple[object, dict[str, object]]:
    """(the data reference of the split exported, {language: its predictions})."""
    if spec.test is None:
        return spec.eval, predictions_file["predictions"]
    if kind_of(spec.format) is Kind.EVALUATED:  # BUCC: test pairs inside each language
        return spec.test, {language: result["test"]
                           for language, result in predictions_file["predictions"].items()}
    if "test" not in predictions_file:
        raise ExportError(f"task {spec.task!r}: the prediction file has no test predictions")
    return spec.test, predictions_file["test"]["predictions"]


def file_name(task: str, language: str) -> str:
    return f"test-{language}.{'json' if task in QA else 'tsv'}"


def export_task(spec: TaskSpec, predictions_file: dict, data_root: Path, folder: Path,
                gold: bool = False) -> list[Path]:
    """Write one task's files into `folder` (its XTREME sub-folder); the predictions, or
    with `gold` the gold labels of the same examples. Returns the files written."""
    if spec.task not in FOLDERS:
        raise ExportError(f"task {spec.task!r} is not an XTREME leaderboard task "
                          f"(known: {', '.join(FOLDERS)})")
    ref, by_language = submission_data(spec, predictions_file)
    dataset_dir = Path(data_root) / ref.dataset
    label_names = read_manifest(dataset_dir)["label_names"]
    splits, _ = eval_splits(ref, read_manifest(dataset_dir), list(by_language))
    written = []
    for language, predicted in by_language.items():
        table = read_split(dataset_dir, language, splits.get(language, ref.split), ref)
        values = get_format(spec.format).gold(table, label_names) if gold else predicted
        path = Path(folder) / file_name(spec.task, language)
        atomic.write_text(path, task_file(spec.task, table, values, label_names, gold))
        written.append(path)
    return written


def task_file(task: str, table, values, label_names: list[str], gold: bool) -> str:
    """The text of one language's file (`values`: predictions or gold, keyed by id)."""
    ids = table.column("id").to_pylist()
    if task in QA:
        if gold:  # SQuAD's layout: data > paragraphs > qas, answers as texts
            qas = [{"id": key, "answers": [{"text": text} for text in values[key]]}
                   for key in ids]
            return json.dumps({"data": [{"paragraphs": [{"qas": qas}]}]}, ensure_ascii=False)
        return json.dumps({key: values[key] for key in ids}, ensure_ascii=False)
    if task in ("udpos", "panx"):
        return "".join("".join(f"{tag}\n" for tag in values[key]) + "\n" for key in ids)
    if task == "bucc":
        pairs = (sorted(values.items()) if gold
                 else sorted(extracted_pairs(values["pairs"], values["threshold"])))
        # a pair's row id joins its two sentence ids: BUCC's own ids are its halves
        return "".join(f"{source.split(BUCC_ID_SEPARATOR)[0]}\t"
                       f"{target.split(BUCC_ID_SEPARATOR)[-1]}\n" for source, target in pairs)
    if task == "tatoeba":  # line index of the retrieved sentence among the candidates
        position = {key: index for index, key in enumerate(ids)}
        return "".join(f"{position[values[key]]}\n" for key in ids if key in values)
    labels = [values[key] for key in ids]
    if task in LABEL_INDEX:
        labels = [label_names.index(label) for label in labels]
    return "".join(f"{label}\n" for label in labels)


def export_row(specs: dict[str, TaskSpec], prediction_files: dict[str, Path], data_root: Path,
               out_dir: Path, gold: bool = False) -> dict[str, list[Path]]:
    """Every leaderboard task of a row: {XTREME folder: files written} under `out_dir`."""
    written = {}
    for task, path in prediction_files.items():
        predictions = json.loads(Path(path).read_text())
        folder = Path(out_dir) / FOLDERS[task]
        written[FOLDERS[task]] = export_task(specs[task], predictions, data_root, folder, gold)
    return written
