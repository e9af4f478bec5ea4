"""Table 1: the tasks of the experiment and their data sizes, counted from the prepared
datasets' manifests (data/prepared/<dataset>/manifest.json), never typed in.

Sizes are example counts: `train` the English training data (every part of a mixture);
`dev` the data scores are computed on (intermediate tasks: their English dev data; target
tasks: the evaluation split over every evaluation language, Table 2's data); `test` a
target task's labelled test split over its languages, where prepared.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from xstilts.config import resolve_task
from xstilts.spec.specs import TaskSpec
from xstilts.store.provenance import read_json

HEADER = ["task", "role", "format", "train", "dev", "test", "languages", "language_list"]
ROLES = {"intermediate": "intermediate_tasks", "target": "target_tasks"}


@dataclass(frozen=True)
class Manifest:
    path: Path
    rows: dict[str, int]  # "<language>/<split>" -> examples


def describe_tasks(config: dict, intermediate: list[str], targets: list[str]) -> list[dict]:
    """What Table 1 needs of each task, as plain data: the rule passes it as a parameter."""
    return ([describe(resolve_task(config, ROLES["intermediate"], name), "intermediate")
             for name in intermediate]
            + [describe(resolve_task(config, ROLES["target"], name), "target")
               for name in targets])


def describe(spec: TaskSpec, role: str) -> dict:
    """{task, role, format, languages, train, dev, test}: the last three are lists of data
    references {dataset, split, [fallback_split,] languages}."""
    train = data_refs_of(spec, "train")
    if role == "intermediate":
        dev, test = data_refs_of(spec, "dev"), []
        languages = sorted({language for ref in train + dev for language in ref["languages"]})
    else:
        languages = list(spec.languages)
        evaluation = spec.eval.to_dict()
        test = spec.test.to_dict() if spec.test else {**evaluation, "split": "test"}
        dev = [{**evaluation, "languages": languages}]
        test = [{**test, "languages": languages}]
    return {"task": spec.task, "role": role, "format": spec.format,
            "languages": languages, "train": train, "dev": dev, "test": test}


def data_refs_of(spec: TaskSpec, key: str) -> list[dict]:
    """A task's `train` or `dev` references, those of a multi-task mixture's parts included."""
    own = [{"dataset": ref.dataset, "split": ref.split, "languages": [ref.language]}
           for ref in getattr(spec, key) or ()]
    subtasks = (spec.subtasks or {}).values()
    return [*own, *(ref for sub in subtasks for ref in data_refs_of(sub, key))]


def datasets_read(tasks: list[dict], unavailable: dict[str, str]) -> list[str]:
    """Names of the datasets Table 1 counts: those of every available described task."""
    return sorted({ref["dataset"] for task in tasks if task["task"] not in unavailable
                   for part in ("train", "dev", "test") for ref in task[part]})


def load_manifests(dataset_dirs: list[Path]) -> dict[str, Manifest]:
    """{dataset: Manifest} of prepared dataset directories, checked."""
    manifests = {}
    for directory in map(Path, dataset_dirs):
        path = directory / "manifest.json"
        if not path.exists():
            raise FileNotFoundError(f"{path}: no manifest; prepare the dataset first")
        files = read_json(path).get("files")
        if not isinstance(files, dict):
            raise ValueError(f"{path}: no 'files' mapping")
        manifests[directory.name] = Manifest(path, {key: row_count(path, key, record)
                                                    for key, record in files.items()})
    return manifests


def row_count(path: Path, key: str, record) -> int:
    rows = record.get("rows") if isinstance(record, dict) else None
    if isinstance(rows, bool) or not isinstance(rows, int) or rows < 0:
        raise ValueError(f"{path}: files[{key!r}].rows is {rows!r}, not a count of rows")
    return rows


def examples(manifests: dict[str, Manifest], refs: list[dict], required: bool) -> int | None:
    """Examples in the referenced splits, over each reference's languages (a language's
    `fallback_split` where it lacks the split); None without any. A missing split is an
    error only if `required`."""
    counts = [split_rows(manifests, ref, language, required)
              for ref in refs for language in ref["languages"]]
    counts = [count for count in counts if count is not None]
    return sum(counts) if counts else None


def split_rows(manifests: dict[str, Manifest], ref: dict, language: str,
               required: bool) -> int | None:
    if ref["dataset"] not in manifests:
        raise ValueError(f"dataset {ref['dataset']!r}: no manifest given "
                         f"(given: {', '.join(sorted(manifests))})")
    manifest = manifests[ref["dataset"]]
    for split in (ref["split"], ref.get("fallback_split")):
        if split and f"{language}/{split}" in manifest.rows:
            return manifest.rows[f"{language}/{split}"]
    if required:
        raise ValueError(f"{manifest.path}: no split {ref['split']!r} in language {language!r}")
    return None


def table1(tasks: list[dict], manifests: dict[str, Manifest],
           unavailable: dict[str, str] | None = None) -> tuple[list[str], list[list]]:
    """(header, rows): one row per task. Tasks whose data is `unavailable` ({task: reason})
    keep their row, with empty sizes and the reason in a last `note` column."""
    unavailable = unavailable or {}
    body = []
    for task in tasks:
        sizes = [None] * 3
        if task["task"] not in unavailable:
            # a target's dev counts the languages that have one (UD-POS kk: test only)
            sizes = [examples(manifests, task["train"], required=True),
                     examples(manifests, task["dev"], required=task["role"] != "target"),
                     examples(manifests, task["test"], required=False)]
        body.append([task["task"], task["role"], task["format"], *sizes,
                     len(task["languages"]), " ".join(task["languages"])])
    if not any(task["task"] in unavailable for task in tasks):
        return HEADER, body
    for row, task in zip(body, tasks, strict=True):
        row.append(unavailable.get(task["task"], ""))
    return [*HEADER, "note"], body
