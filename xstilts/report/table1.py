"""Table 1: the tasks of the experiment and their data sizes, counted from the prepared
datasets' manifests (data/prepared/<dataset>/manifest.json), never typed in.

Sizes are example counts: `train` the English training data (every part of a mixture);
`dev` the data scores are computed on (intermediate tasks: their English dev data; target
tasks: the evaluation split over every evaluation language, Table 2's data); `test` a
target task's labelled test split over its languages, where prepared. The last two
columns count the QA answers in those splits whose character offset preparation corrected
(`realigned`: the text is elsewhere in the context) or could not (`unaligned`: kept for
scoring, never a training target).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from xstilts.config import resolve_task
from xstilts.spec import TaskSpec
from xstilts.store.prepared import checked_manifest
from xstilts.store.provenance import MANIFEST

HEADER = ["task", "role", "format", "train", "dev", "test", "languages", "language_list",
          "answers_realigned", "answers_unaligned"]
ROLES = {"intermediate": "intermediate_tasks", "target": "target_tasks"}


@dataclass(frozen=True)
class Manifest:
    path: Path
    rows: dict[str, int]  # "<language>/<split>" -> examples
    # "<language>/<split>" -> {"realigned": answers, "unaligned": answers} (QA data)
    misaligned: dict[str, dict[str, int]]


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
        manifest = checked_manifest(directory)
        rows = {key: record["rows"] for key, record in manifest["files"].items()}
        manifests[directory.name] = Manifest(directory / MANIFEST, rows,
                                             manifest.get("misaligned_answers", {}))
    return manifests


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
    manifest = manifest_of(manifests, ref)
    key = split_key(manifest, ref, language)
    if key:
        return manifest.rows[key]
    if required:
        raise ValueError(f"{manifest.path}: no split {ref['split']!r} in language {language!r}")
    return None


def manifest_of(manifests: dict[str, Manifest], ref: dict) -> Manifest:
    if ref["dataset"] not in manifests:
        raise ValueError(f"dataset {ref['dataset']!r}: no manifest given "
                         f"(given: {', '.join(sorted(manifests))})")
    return manifests[ref["dataset"]]


def split_key(manifest: Manifest, ref: dict, language: str) -> str | None:
    """The file key ("<language>/<split>") read for a reference in one language: its
    split, else its `fallback_split`; None where the manifest has neither."""
    for split in (ref["split"], ref.get("fallback_split")):
        if split and f"{language}/{split}" in manifest.rows:
            return f"{language}/{split}"
    return None


def misaligned_answers(manifests: dict[str, Manifest], task: dict) -> tuple[int, int]:
    """(realigned, unaligned) QA answers in the splits a task's row counts: preparation
    moved an answer whose text was elsewhere in its context to its nearest occurrence, and
    kept one whose text was nowhere in it for scoring only (xstilts.store.prepared)."""
    counts = [0, 0]
    for ref in (ref for part in ("train", "dev", "test") for ref in task[part]):
        manifest = manifest_of(manifests, ref)
        for language in ref["languages"]:
            found = manifest.misaligned.get(split_key(manifest, ref, language) or "", {})
            counts[0] += found.get("realigned", 0)
            counts[1] += found.get("unaligned", 0)
    return counts[0], counts[1]


def table1(tasks: list[dict], manifests: dict[str, Manifest],
           unavailable: dict[str, str] | None = None) -> tuple[list[str], list[list]]:
    """(header, rows): one row per task. Tasks whose data is `unavailable` ({task: reason})
    keep their row, with empty sizes and the reason in a last `note` column."""
    unavailable = unavailable or {}
    body = []
    for task in tasks:
        sizes, misaligned = [None] * 3, [None] * 2
        if task["task"] not in unavailable:
            # a target's dev counts the languages that have one (UD-POS kk: test only)
            sizes = [examples(manifests, task["train"], required=True),
                     examples(manifests, task["dev"], required=task["role"] != "target"),
                     examples(manifests, task["test"], required=False)]
            misaligned = misaligned_answers(manifests, task)
        body.append([task["task"], task["role"], task["format"], *sizes,
                     len(task["languages"]), " ".join(task["languages"]), *misaligned])
    if not any(task["task"] in unavailable for task in tasks):
        return HEADER, body
    for row, task in zip(body, tasks, strict=True):
        row.append(unavailable.get(task["task"], ""))
    return [*HEADER, "note"], body
