"""Quality of machine-translated intermediate-task data, with sacrebleu's chrF and BLEU.

The paper also trains the intermediate task on MNLI machine-translated into XNLI's
languages (XNLI-MT, dataset layout `xnli_mt`). That translation cannot be scored directly:
MNLI's training set has no human translation. XNLI's dev set has one (professional
translators), so a machine translation of XNLI's *English* dev set by the same system
(split `validation_mt` of the translated dataset) is scored segment by segment against
XNLI's human translation of the same sentences (the dataset entry's `reference`, e.g.
`{dataset: xnli, split: validation}`): row i of one against row i of the other, premise
and hypothesis each a segment. Corpus-level scores, one row per language; a language that
cannot be scored keeps its row with empty scores and a note saying why.

Rows are paired by position, so the machine translation must follow the reference's row
order (XNLI's English dev order, which every language of XNLI shares); equal labels on
every row are checked as a guard against shifted files, as XNLI keeps each pair's label in
every language.

No torch: this module reads parquet files only.
"""

from __future__ import annotations

from pathlib import Path

from xstilts.data.layouts import dataset_languages, get_layout
from xstilts.spec import DatasetSpec, Reference
from xstilts.store.prepared import read_manifest, read_split, split_path

MT_SPLIT = "validation_mt"
HEADER = ["dataset", "language", "split", "reference", "segments", "chrF", "BLEU",
          "chrF_signature", "BLEU_signature", "note"]
# BLEU needs words. sacrebleu's `zh` splits Chinese characters; Japanese and Thai are written
# without spaces and sacrebleu's own tokenizers for them need extra installs (ja-mecab: MeCab
# and a dictionary; Thai has none), so they are scored on characters (`char`), as is common
# for both. Every other XNLI/XTREME language separates words by spaces: `13a`, WMT's default.
# chrF works on characters and needs no tokenizer.
BLEU_TOKENIZERS = {"zh": "zh", "ja": "char", "th": "char"}
NO_HUMAN_REFERENCE = ("no machine translation of a human-translated set in this source (the "
                      "hub's train split translates MNLI train, which has no human "
                      "translation)")


def bleu_tokenizer(language: str) -> str:
    return BLEU_TOKENIZERS.get(language, "13a")


def quality(hypotheses: list[str], references: list[str], language: str) -> dict:
    """Corpus chrF and BLEU of `hypotheses` against one reference each, with sacrebleu's
    signatures (which name the tokenizer and sacrebleu's version)."""
    from sacrebleu.metrics import BLEU, CHRF

    if len(hypotheses) != len(references):
        raise ValueError(f"{len(hypotheses)} hypotheses but {len(references)} references")
    if not hypotheses:
        raise ValueError("no segments to score")
    chrf, bleu = CHRF(), BLEU(tokenize=bleu_tokenizer(language))
    chrf_score = chrf.corpus_score(hypotheses, [references])
    bleu_score = bleu.corpus_score(hypotheses, [references])
    return {"chrF": chrf_score.score, "BLEU": bleu_score.score,
            "chrF_signature": str(chrf.get_signature()),
            "BLEU_signature": str(bleu.get_signature()), "segments": len(hypotheses)}


def translated_datasets(datasets: dict) -> dict:
    """{name: entry} of the config's datasets whose translation quality is reported (those
    with a `reference`)."""
    return {name: entry for name, entry in datasets.items() if entry.get("reference")}


def quality_report(data_root: Path, name: str, spec: DatasetSpec) -> list[dict]:
    """One row per language of prepared dataset `name`, each row keyed by HEADER: the scores
    of its `validation_mt` split, or a note saying why none."""
    reference = spec.reference
    if not reference:
        raise ValueError(f"dataset {name!r}: no `reference` in its config entry, e.g. "
                         f"reference: {{dataset: xnli, split: validation}}")
    translated, human = Path(data_root) / name, Path(data_root) / reference.dataset
    machine_files = set(read_manifest(translated)["files"])
    human_files = set(read_manifest(human)["files"])
    rows = []
    for language in dataset_languages(spec.to_dict()):
        row = {"dataset": name, "language": language, "split": MT_SPLIT,
               "reference": f"{reference.dataset}/{reference.split}"}
        note = missing_note(spec, reference, language, machine_files, human_files)
        if note:
            rows.append({**row, "segments": None, "chrF": None, "BLEU": None,
                         "chrF_signature": "", "BLEU_signature": "", "note": note})
        else:
            rows.append({**row, **language_quality(translated, human, reference.split,
                                                   language), "note": ""})
    return rows


def missing_note(spec: DatasetSpec, reference: Reference, language: str, machine_files: set[str],
                 human_files: set[str]) -> str:
    """Why `language` cannot be scored ("" if it can); the sets hold the "<language>/<split>"
    keys of the translated dataset's and the reference's manifests."""
    if f"{language}/{MT_SPLIT}" not in machine_files:
        if language == "en":
            return "English is the source language: nothing was machine-translated"
        if spec.source == "hub":
            return NO_HUMAN_REFERENCE
        release = get_layout(spec.schema).release
        where = release.files.get(MT_SPLIT, "?").format(lang=language) if release else "?"
        return (f"no split {MT_SPLIT!r} in {language!r} (source: {spec.source}; release "
                f"file {where}, docs/local-data.md)")
    if f"{language}/{reference.split}" not in human_files:
        return (f"the reference {reference.dataset}/{reference.split} has no language "
                f"{language!r}")
    return ""


def language_quality(translated: Path, human: Path, split: str, language: str) -> dict:
    """chrF/BLEU of one language's machine-translated rows against the human ones."""
    machine = read_split(translated, language, MT_SPLIT).to_pydict()
    reference = read_split(human, language, split).to_pydict()
    check_parallel_rows(machine, reference, split_path(translated, language, MT_SPLIT),
                  split_path(human, language, split))
    return quality(machine["text_a"] + machine["text_b"],
                   reference["text_a"] + reference["text_b"], language)


def check_parallel_rows(machine: dict, reference: dict, machine_path: Path,
                  reference_path: Path) -> None:
    """Same number of rows, same label on each: row i translates the same pair."""
    if len(machine["id"]) != len(reference["id"]):
        raise ValueError(f"{machine_path} has {len(machine['id'])} rows but {reference_path} "
                         f"has {len(reference['id'])}: a machine translation of the reference's "
                         f"English rows has one row per reference row, in the same order")
    for i, (ours, theirs) in enumerate(zip(machine["label"], reference["label"], strict=True)):
        if ours != theirs:
            raise ValueError(f"{machine_path} row {i} has label {ours} but {reference_path} "
                             f"row {i} has {theirs}: the rows are not in the same order")


def report_table(data_root: Path,
                 datasets: dict[str, DatasetSpec]) -> tuple[list[str], list[list]]:
    """(header, rows) of every translated dataset ({name: spec})."""
    rows = [row for name, spec in datasets.items()
            for row in quality_report(data_root, name, spec)]
    return HEADER, [[row[column] for column in HEADER] for row in rows]
