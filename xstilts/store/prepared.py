"""The canonical on-disk format every rule after data preparation reads.

`data/prepared/<dataset>/` holds one parquet file per language and split,
`<language>/<split>.parquet`, and `manifest.json` with the label names, row counts and
content hashes. The directory is built under a temporary name and renamed when complete,
so a dataset directory that exists is a finished one.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path

from xstilts.data.layouts import dataset_languages, get_layout
from xstilts.spec import DataRef, DatasetSpec
from xstilts.store.atomic import atomic_output
from xstilts.store.provenance import MANIFEST, read_json, sha256_file, source_record

SAFE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")


def split_path(dataset_dir: Path, language: str, split: str) -> Path:
    """The file of one split; names that could leave the dataset directory are refused
    (the configuration's language and split names end up here)."""
    for kind, name in (("language", language), ("split", split)):
        if not SAFE_NAME.fullmatch(str(name)):
            raise ValueError(f"{dataset_dir}: {kind} name {name!r} is not a plain file name "
                             "(letters, digits, _ . -)")
    return Path(dataset_dir) / language / f"{split}.parquet"


def read_manifest(dataset_dir: Path) -> dict:
    path = Path(dataset_dir) / MANIFEST
    if not path.exists():
        raise FileNotFoundError(f"{path}: no manifest; prepare the dataset first")
    return read_json(path)


def checked_manifest(dataset_dir: Path) -> dict:
    """The manifest, its `files` checked: {"<language>/<split>": {"rows": a count}}; what
    is malformed is named with the manifest's path (readers trust what it counts)."""
    path = Path(dataset_dir) / MANIFEST
    manifest = read_manifest(dataset_dir)
    files = manifest.get("files") if isinstance(manifest, dict) else None
    if not isinstance(files, dict):
        raise ValueError(f"{path}: expected a JSON object with a 'files' mapping "
                         "{'<language>/<split>': {'rows': ...}}")
    for key, record in files.items():
        rows = record.get("rows") if isinstance(record, dict) else None
        if isinstance(rows, bool) or not isinstance(rows, int) or rows < 0:
            raise ValueError(f"{path}: files[{key!r}].rows is {rows!r}, expected a count of "
                             "rows (an integer >= 0)")
    return manifest


def read_split(dataset_dir: Path, language: str, split: str, sample: DataRef | None = None):
    """One canonical split as a pyarrow Table (no torch import), after checking that the
    file is the one its manifest hashed; `sample` (a data reference: a training split or a
    target's eval or test split) may ask for a seeded subset of it (xstilts.data.subsample)."""
    from xstilts.data.subsample import limit_of, subsample

    manifest = read_manifest(dataset_dir)
    key = f"{language}/{split}"
    if key not in manifest["files"]:
        raise KeyError(
            f"{dataset_dir}: no split {split!r} in language {language!r} "
            f"(available: {', '.join(sorted(manifest['files']))})"
        )
    path = split_path(dataset_dir, language, split)
    expected, actual = manifest["files"][key]["sha256"], sha256_file(path)
    if actual != expected:
        raise ValueError(f"{path}: content hash {actual} differs from {expected} in "
                         f"{Path(dataset_dir) / MANIFEST}; prepare the dataset again")
    return subsample(parquet_table(str(path), actual), manifest["format"], language,
                     *limit_of(sample))


@functools.lru_cache(maxsize=256)
def parquet_table(path: str, sha256: str):
    """A parquet file's (immutable) table, decoded once per content: the audit scores every
    row's predictions against the same gold splits."""
    import pyarrow.parquet as pq

    return pq.read_table(path)


def split_sizes(dataset_dir: Path, language: str, split: str, sample: DataRef | None) -> dict:
    """{rows: read, of: prepared} of one split as a job reads it (provenance)."""
    from xstilts.data.subsample import limit_of

    prepared = read_manifest(dataset_dir)["files"][f"{language}/{split}"]["rows"]
    rows = prepared
    if limit_of(sample)[0] is not None:
        rows = read_split(dataset_dir, language, split, sample).num_rows
    return {"rows": rows, "of": prepared}


def load_raw(name: str, spec: DatasetSpec, demo: dict) -> dict:
    """{hub configuration key: DatasetDict} in the hub's layout, from the hub, the original
    release files (docs/local-data.md) or the generator."""
    layout = get_layout(spec.schema, name)
    languages = dataset_languages(spec.to_dict())
    if spec.source == "demo":
        from xstilts.data.demo import generate

        return first_rows(generate(layout, name, languages, demo["train_examples"],
                                   demo["eval_examples"], demo["seed"]), spec)
    if spec.source == "local":  # the release files (air-gapped; licensed CCGbank)
        from xstilts.data.release import read_local

        return first_rows(read_local(name, layout, Path(spec.path), languages), spec)
    return load_hub(name, spec, layout, languages)


def first_rows(raw: dict, spec: DatasetSpec) -> dict:
    """`raw` with each split cut to its first `rows_per_language` rows, where the dataset
    entry sets it (a corpus's size; per hub configuration, i.e. per language)."""
    if spec.rows_per_language is None:
        return raw
    from datasets import DatasetDict

    limit = spec.rows_per_language
    return {key: DatasetDict({split: table.select(range(min(limit, len(table))))
                              for split, table in splits.items()})
            for key, splits in raw.items()}


def first_streamed_rows(streams, layout, limit: int):
    """DatasetDict of the first `limit` rows of each streamed split that the layout keeps
    (text layouts: non-empty documents); only those rows are downloaded."""
    from itertools import islice

    from datasets import Dataset, DatasetDict

    keeps = getattr(layout, "keeps_row", lambda row: True)
    return DatasetDict({
        split: Dataset.from_list(list(islice(filter(keeps, stream), limit)),
                                 features=stream.features)
        for split, stream in streams.items()})


def load_hub(name: str, spec: DatasetSpec, layout, languages: list[str]) -> dict:
    from datasets import load_dataset

    def load(config_name):
        if spec.rows_per_language is not None:  # a corpus's first rows, not a whole dump
            return first_streamed_rows(load_dataset(spec.path, config_name, streaming=True,
                                                    revision=spec.revision),
                                       layout, spec.rows_per_language)
        return load_dataset(spec.path, config_name, revision=spec.revision)

    if spec.configs is not None:
        return {lang: load(spec.configs[lang]) for lang in languages}
    name_template = spec.name
    if layout.language_column or not name_template or "{lang}" not in name_template:
        return {None: load(name_template)}
    return {lang: load(name_template.format(lang=lang)) for lang in languages}


def canonical_splits(name: str, layout, raw: dict, languages: list[str]):
    """Yield (language, split, canonical columns) for every labelled split of the layout;
    other splits of the hub dataset are not its data (facebook/xnli's validation and test
    are XNLI's human sets, which dataset xnli provides)."""
    for key, splits in raw.items():
        for split, table in splits.items():
            if split in layout.unlabeled_splits or split not in layout.splits:
                continue
            columns = table.to_dict()
            for language in [key] if key else languages:
                rows = columns
                if layout.language_column:
                    keep = [i for i, lang in enumerate(columns[layout.language_column])
                            if lang == language]
                    rows = {col: [values[i] for i in keep] for col, values in columns.items()}
                try:
                    yield language, split, layout.to_canonical(rows, split, language)
                except ValueError as error:
                    raise ValueError(f"dataset {name!r}, split {split!r} ({language}): "
                                     f"{error}") from None


def check_unique_ids(name: str, key: str, ids: list[str]) -> None:
    """Predictions and gold are keyed by id: two rows with one id would silently merge."""
    from collections import Counter

    repeated = [value for value, count in Counter(ids).items() if count > 1]
    if repeated:
        raise ValueError(f"dataset {name!r}, {key}: {len(repeated)} ids occur more than once "
                         f"(first: {repeated[0]!r}); ids must be unique")


def align_answers(columns: dict) -> dict[str, int]:
    """Check each QA answer against its character offset, in place.

    An answer whose text is elsewhere in the context gets the nearest occurrence's offset
    (`realigned`); one whose text is nowhere in it keeps its text for scoring but gets
    offset -1 (`unaligned`), which training never uses as a target (official loaders
    tolerate both; the counts go into the manifest)."""
    counts = {"realigned": 0, "unaligned": 0}
    for context, texts, starts in zip(columns["context"], columns["answers_text"],
                                      columns["answers_start"], strict=True):
        for i, (text, start) in enumerate(zip(texts, starts, strict=True)):
            if context[start:start + len(text)] == text and start >= 0:
                continue
            found = [match.start() for match in re.finditer(re.escape(text), context)]
            starts[i] = min(found, key=lambda offset: abs(offset - start)) if found else -1
            counts["realigned" if found else "unaligned"] += 1
    return counts


def write_splits(name: str, layout, raw: dict, languages: list[str],
                 partial: Path) -> tuple[dict, dict, dict]:
    """Write every labelled split as parquet; return (file records, dropped row counts,
    misaligned QA answers)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    files, dropped, misaligned = {}, {}, {}
    for language, split, columns in canonical_splits(name, layout, raw, languages):
        rows = len(columns["id"])
        check_unique_ids(name, f"split {split!r} ({language})", columns["id"])
        if "answers_start" in columns:
            counts = align_answers(columns)
            if any(counts.values()):
                misaligned[f"{language}/{split}"] = counts
        labelled = [i for i, label in enumerate(columns.get("label", [0] * rows)) if label != -1]
        if len(labelled) < rows:
            dropped[f"{language}/{split}"] = rows - len(labelled)
        if not rows:
            raise ValueError(f"dataset {name!r}: split {split!r} ({language}) has no rows "
                             f"(is {language!r} in the hub dataset?)")
        if not labelled:  # placeholder labels only (hidden test labels): nothing to score
            dropped[f"{language}/{split}"] = rows
            continue
        columns = {col: [values[i] for i in labelled] for col, values in columns.items()}
        path = split_path(partial, language, split)
        path.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.table(columns), path)
        files[f"{language}/{split}"] = {"rows": len(labelled), "sha256": sha256_file(path)}
    if not files:
        raise ValueError(f"dataset {name!r}: no split has a labelled row "
                         f"(placeholder labels only: {', '.join(dropped)})")
    return files, dropped, misaligned


def dataset_label_names(layout, dataset_dir: Path, files: dict) -> list[str]:
    """The layout's label names; where only the data defines them (CCG supertags), every
    tag occurring in any written split, sorted, so that no gold tag is outside the head."""
    import pyarrow.parquet as pq

    if layout.label_names is not None:
        return list(layout.label_names)
    tags = set()
    for key in files:
        language, split = key.split("/")
        table = pq.read_table(split_path(dataset_dir, language, split), columns=["tags"])
        tags.update(tag for sentence in table.column("tags").to_pylist() for tag in sentence)
    return sorted(tags)


def write_prepared(name: str, spec: DatasetSpec, raw: dict, out_dir: Path,
                   resolved: str | None = None) -> dict:
    """Convert hub rows to canonical files plus manifest, atomically at `out_dir`;
    `resolved`: the commit a hub source's revision was downloaded at
    (xstilts.store.revisions)."""
    layout = get_layout(spec.schema, name)
    with atomic_output(out_dir) as partial:
        manifest = _write_dataset(name, spec, layout, raw, partial, resolved)
    return manifest


def _write_dataset(name: str, spec: DatasetSpec, layout, raw: dict, partial: Path,
                   resolved: str | None = None) -> dict:
    plain = spec.to_dict()
    files, dropped, misaligned = write_splits(name, layout, raw, dataset_languages(plain),
                                              partial)
    manifest = {
        "dataset": name,
        "format": layout.format,
        "schema": spec.schema,
        "source": {**source_record({key: plain[key] for key in (
            "source", "path", "name", "revision", "rows_per_language") if key in plain}),
                   **({"resolved": resolved} if resolved else {})},
        "label_names": dataset_label_names(layout, partial, files),
        "files": dict(sorted(files.items())),
        "dropped_unlabelled_rows": dropped,
        **({"misaligned_answers": misaligned} if misaligned else {}),
    }
    (partial / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    return manifest
