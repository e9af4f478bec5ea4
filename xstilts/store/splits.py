"""Which prepared splits a task is evaluated on: its evaluation split per language (with
the fallback or the reason a language is left out), the languages with a labelled test split,
and the sizes of both as provenance records them."""

from __future__ import annotations

from pathlib import Path

from xstilts.spec import DataRef, TaskSpec
from xstilts.store.prepared import read_manifest, split_sizes


def eval_splits(eval_spec: DataRef, manifest: dict,
                languages: list[str]) -> tuple[dict[str, str], dict[str, str]]:
    """({language: split it is evaluated on}, {language: why it is left out}).

    A language whose prepared data lacks the task's `split` is evaluated on its
    `fallback_split` where one is configured, else left out of predictions and task score
    (UD-POS: kk, th, tl and yo have no dev set; the paper's toolkit scores them on test
    only)."""
    split, fallback = eval_spec.split, eval_spec.fallback_split
    splits, left_out = {}, {}
    for language in languages:
        for candidate in (split, fallback):
            if candidate and f"{language}/{candidate}" in manifest["files"]:
                splits[language] = candidate
                break
        else:
            left_out[language] = f"no {split} split in {eval_spec.dataset}"
    if not splits:
        raise ValueError(f"{eval_spec.dataset}: no language has split {split!r}")
    return splits, left_out


def labelled_languages(spec: TaskSpec, manifest: dict) -> tuple[list[str], dict[str, str]]:
    """(languages with a labelled test split, {language: why it is skipped})."""
    split, dataset = spec.test.split, spec.test.dataset
    present, skipped = [], {}
    for language in spec.languages:
        key = f"{language}/{split}"
        if key in manifest["files"]:
            present.append(language)
        elif key in manifest.get("dropped_unlabelled_rows", {}):
            skipped[language] = (f"{dataset} {key}: all {manifest['dropped_unlabelled_rows'][key]}"
                                 " rows have placeholder labels")
        else:
            skipped[language] = f"{dataset} has no {key} split"
    return present, skipped



def evaluated_sizes(spec: TaskSpec, data_root: Path) -> dict:
    """{dataset/language/split: {rows, of}} of every split a target's predictions and scores
    read (eval, and test where labelled): the sizes recorded in their provenance."""
    sizes = {}
    for part in ("eval", "test"):
        sample = getattr(spec, part)
        if sample is None:
            continue
        dataset_dir = Path(data_root) / sample.dataset
        manifest = read_manifest(dataset_dir)
        splits = (dict.fromkeys(labelled_languages(spec, manifest)[0], spec.test.split)
                  if part == "test" else eval_splits(spec.eval, manifest, spec.languages)[0])
        for language, split in splits.items():
            sizes[f"{sample.dataset}/{language}/{split}"] = split_sizes(
                dataset_dir, language, split, sample)
    return sizes

