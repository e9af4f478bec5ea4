"""Small release trees in each dataset's original format (docs/local-data.md), for tests.

The writers at the top put given examples into one format (GLUE TSV, SQuAD JSON, CoNLL-U,
...); tests/unit/data/test_release.py writes hand-made examples with them. `write_release`
fills a whole release directory from xstilts.data.demo's generated rows: the generator
gives rows in the hub's columns, and each `*_release` function below writes them back in
the layout their authors release, so that parsing the files must give the same rows.
File names come from the parsers' release declarations (xstilts.data.release), which the
hand-written paths of tests/unit/data/test_release.py check against docs/local-data.md.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path

from xstilts.data.demo import generate
from xstilts.data.layouts import LAYOUTS, dataset_languages
from xstilts.data.release.retrieval import BUCC_PARTS, TATOEBA_CODES
from xstilts.data.release.tagging import PANX_FILES, UD_SPLITS

NLI = ("entailment", "neutral", "contradiction")

# --- writers of one format ---------------------------------------------------------------


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def write_tsv(path: Path, rows: list[list]) -> Path:
    return write(path, "".join("\t".join(map(str, row)) + "\n" for row in rows))


def write_jsonl(path: Path, records: list[dict]) -> Path:
    return write(path, "".join(json.dumps(record, ensure_ascii=False) + "\n"
                               for record in records))


def write_json(path: Path, document) -> Path:
    return write(path, json.dumps(document, ensure_ascii=False))


def write_csv(path: Path, records: list[dict]) -> Path:
    """A quoted CSV file with a header, as Cosmos QA releases it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=list(records[0]))
        writer.writeheader()
        writer.writerows(records)
    return path


MNLI_HEADER = ["index", "promptID", "genre", "sentence1", "sentence2", "label1", "gold_label"]
MNLI_FILES = {"train": "train.tsv", "validation_matched": "dev_matched.tsv",
              "validation_mismatched": "dev_mismatched.tsv"}


def mnli_release(root: Path, pairs: dict) -> None:
    """GLUE's MNLI/ folder of {hub split: [(premise, hypothesis, label name)]}."""
    for split, rows in pairs.items():
        write_tsv(root / MNLI_FILES[split], [MNLI_HEADER] + [
            [i, 7, "fiction", a, b, label, label] for i, (a, b, label) in enumerate(rows)])


def squad_document(paragraphs: list[tuple[str, str, list]]) -> dict:
    """A SQuAD-format document of (title, context, questions) paragraphs, a question being
    (id, question, [(answer, start)]); one article per paragraph."""
    return {"version": "1.1", "data": [{"title": title, "paragraphs": [{
        "context": context,
        "qas": [{"id": qid, "question": question, "is_impossible": not answers,
                 "answers": [{"text": text, "answer_start": start} for text, start in answers]}
                for qid, question, answers in questions]}]}
        for title, context, questions in paragraphs]}


def conllu(*sentences: list[tuple[str, str, str]]) -> str:
    """CoNLL-U text of sentences given as (ID, FORM, UPOS) lines, with comments."""
    blocks = []
    for number, words in enumerate(sentences):
        lines = [f"# sent_id = {number}", "# text = ..."]
        lines += ["\t".join([i, form, "_", upos, "_", "_", "_", "_", "_", "_"])
                  for i, form, upos in words]
        blocks.append("\n".join(lines) + "\n\n")
    return "".join(blocks)


def panx_text(language: str, sentences: list[list[tuple[str, str]]]) -> str:
    """PAN-X lines "<lang>:<token><TAB><tag>", a blank line after each sentence."""
    return "".join("".join(f"{language}:{token}\t{tag}\n" for token, tag in sentence) + "\n"
                   for sentence in sentences)


def bucc_files(root: Path, language: str, part: str, sources: list[tuple[str, str]],
               targets: list[tuple[str, str]], gold: list[tuple[str, str]]) -> None:
    """`<lang>-en/<lang>-en.<part>.{<lang>,en,gold}` of (id, sentence) and (id, id) lines."""
    stem = root / f"{language}-en" / f"{language}-en.{part}"
    write_tsv(stem.with_name(f"{stem.name}.{language}"), sources)
    write_tsv(stem.with_name(f"{stem.name}.en"), targets)
    write_tsv(stem.with_name(f"{stem.name}.gold"), gold)


# --- generated content in each release's layout ---------------------------------------------
# Each function writes the hub rows `raw` ({hub configuration: DatasetDict}, as
# xstilts.data.demo.generate returns them) under `root` in its dataset's release layout.


def rows(raw: dict, split: str) -> list[dict]:
    """Every configuration's rows of one split, in configuration order."""
    return [row for splits in raw.values() if split in splits
            for row in splits[split].to_list()]


def per_file(raw: dict, files: dict[str, str]):
    """(file name, rows) of each split file; a `{lang}` file holds its language's rows,
    any other file the rows of every configuration (TyDiQA: every language)."""
    for split, name in files.items():
        if "{lang}" in name:
            for language, splits in raw.items():
                if split in splits:
                    yield name.format(lang=language), splits[split].to_list()
        elif found := rows(raw, split):
            yield name, found


def glue_mnli_release(root: Path, raw: dict) -> None:
    mnli_release(root, {split: [(r["premise"], r["hypothesis"], NLI[r["label"]])
                                for r in rows(raw, split)] for split in MNLI_FILES})


def glue_qqp_release(root: Path, raw: dict) -> None:
    header = ["id", "qid1", "qid2", "question1", "question2", "is_duplicate"]
    for split, name in (("train", "train.tsv"), ("validation", "dev.tsv")):
        write_tsv(root / name, [header] + [
            [i, 2 * i, 2 * i + 1, r["question1"], r["question2"], r["label"]]
            for i, r in enumerate(rows(raw, split))])


def snli_release(root: Path, raw: dict) -> None:
    for split, name in (("train", "train"), ("validation", "dev"), ("test", "test")):
        write_jsonl(root / f"snli_1.0_{name}.jsonl", [
            {"gold_label": NLI[r["label"]] if r["label"] >= 0 else "-",
             "sentence1": r["premise"], "sentence2": r["hypothesis"], "pairID": str(i)}
            for i, r in enumerate(rows(raw, split))])


def anli_release(root: Path, raw: dict) -> None:
    for split in LAYOUTS["anli"].splits:
        part, round_ = split.split("_r")
        write_jsonl(root / f"R{round_}" / f"{part}.jsonl", [
            {"uid": r["uid"], "context": r["premise"], "hypothesis": r["hypothesis"],
             "label": "enc"[r["label"]], "reason": r["reason"]} for r in rows(raw, split)])


def xnli_release(root: Path, raw: dict) -> None:
    header = ["language", "gold_label", "sentence1", "sentence2", "pairID"]
    for split, name in (("validation", "xnli.dev.tsv"), ("test", "xnli.test.tsv")):
        write_tsv(root / name, [header] + [
            [r["language"], r["gold_label"], r["sentence1"], r["sentence2"], i]
            for i, r in enumerate(rows(raw, split))])


XNLI_MT_SPELLINGS = ("entailment", "neutral", "contradictory")  # XNLI-MT's files


def xnli_mt_release(root: Path, raw: dict) -> None:
    """XNLI-MT-1.0's multinli/ files, plus translate-dev/ files where a language has one."""
    for name, found in per_file(raw, LAYOUTS["xnli_mt"].release.files):
        write_tsv(root / name, [["premise", "hypo", "label"]] + [
            [r["premise"], r["hypothesis"], XNLI_MT_SPELLINGS[r["label"]]] for r in found])


def pawsx_release(root: Path, raw: dict) -> None:
    release = LAYOUTS["xtreme_pawsx"].release
    for language, splits in raw.items():
        files = {**release.files, **release.overrides.get(language, {})}
        for split, name in files.items():
            write_tsv(root / name.format(lang=language), [["id", "sentence1", "sentence2",
                                                           "label"]] + [
                [i, r["sentence1"], r["sentence2"], r["label"]]
                for i, r in enumerate(splits[split].to_list(), 1)])


def squad_release(layout_name: str) -> Callable[[Path, dict], None]:
    """SQuAD-format files of a QA dataset: each question in a paragraph of its own."""
    def release(root: Path, raw: dict) -> None:
        for name, found in per_file(raw, LAYOUTS[layout_name].release.files):
            write_json(root / name, squad_document([
                (r.get("title", ""), r["context"], [(r["id"], r["question"], list(zip(
                    r["answers"]["text"], r["answers"]["answer_start"], strict=True)))])
                for r in found]))
    return release


def hellaswag_release(root: Path, raw: dict) -> None:
    for name, found in per_file(raw, LAYOUTS["hellaswag"].release.files):
        write_jsonl(root / name, [{**r, "label": int(r["label"])} for r in found])


def cosmosqa_release(root: Path, raw: dict) -> None:
    for name, found in per_file(raw, LAYOUTS["cosmos_qa"].release.files):
        write_csv(root / name, found)


def commonsenseqa_release(root: Path, raw: dict) -> None:
    for name, found in per_file(raw, LAYOUTS["commonsense_qa"].release.files):
        write_jsonl(root / name, [{"answerKey": r["answerKey"], "id": r["id"], "question": {
            "question_concept": r["question_concept"], "stem": r["question"],
            "choices": [{"label": label, "text": text} for label, text in zip(
                r["choices"]["label"], r["choices"]["text"], strict=True)]}} for r in found])


def udpos_release(root: Path, raw: dict) -> None:
    """One treebank per language, UD_<lang>-Demo/<lang>_demo-ud-<part>.conllu; a split the
    language lacks has no file, as in UD."""
    upos = LAYOUTS["xtreme_udpos"].label_names
    for language, splits in raw.items():
        for part, split in UD_SPLITS.items():
            if split in splits:
                write(root / f"UD_{language}-Demo" / f"{language}_demo-ud-{part}.conllu",
                      conllu(*[[(str(i), token, upos[tag]) for i, (token, tag) in enumerate(
                          zip(r["tokens"], r["pos_tags"], strict=True), 1)]
                          for r in splits[split].to_list()]))


def panx_release(root: Path, raw: dict) -> None:
    tags = LAYOUTS["xtreme_panx"].label_names
    for language, splits in raw.items():
        for split, name in PANX_FILES.items():
            write(root / name.format(lang=language), panx_text(language, [
                [(token, tags[tag]) for token, tag in zip(r["tokens"], r["ner_tags"],
                                                          strict=True)]
                for r in splits[split].to_list()]))


def bucc_release(root: Path, raw: dict) -> None:
    """The demo's rows hold BUCC ids in source_lang/target_lang; a row with one side empty
    is a sentence without a partner."""
    for language, splits in raw.items():
        for split, part in BUCC_PARTS.items():
            found = splits[split].to_list()
            bucc_files(root, language, part,
                       [(r["source_lang"], r["source_sentence"]) for r in found
                        if r["source_sentence"]],
                       [(r["target_lang"], r["target_sentence"]) for r in found
                        if r["target_sentence"]],
                       [(r["source_lang"], r["target_lang"]) for r in found
                        if r["source_sentence"] and r["target_sentence"]])


def tatoeba_release(root: Path, raw: dict) -> None:
    for language, splits in raw.items():
        code, found = TATOEBA_CODES[language], splits["validation"].to_list()
        stem = f"tatoeba.{code}-eng"
        write(root / f"{stem}.{code}", "".join(r["source_sentence"] + "\n" for r in found))
        write(root / f"{stem}.eng", "".join(r["target_sentence"] + "\n" for r in found))


def text_release(root: Path, raw: dict) -> None:
    """One document per line; the demo numbers its documents as the lines are numbered."""
    for language, splits in raw.items():
        write(root / f"{language}.txt", "".join(r["text"] + "\n" for r in splits["train"]))


RELEASES: dict[str, Callable[[Path, dict], None]] = {
    "glue_mnli": glue_mnli_release, "glue_qqp": glue_qqp_release, "snli": snli_release,
    "anli": anli_release, "xtreme_xnli": xnli_release, "xtreme_pawsx": pawsx_release,
    "xnli_mt": xnli_mt_release,
    **{name: squad_release(name) for name in ("squad", "squad_v2", "xtreme_xquad",
                                              "xtreme_mlqa", "xtreme_tydiqa")},
    "hellaswag": hellaswag_release, "cosmos_qa": cosmosqa_release,
    "commonsense_qa": commonsenseqa_release, "xtreme_udpos": udpos_release,
    "xtreme_panx": panx_release, "xtreme_bucc": bucc_release,
    "xtreme_tatoeba": tatoeba_release, "wikipedia": text_release,
}


def write_release(root: Path, name: str, spec: dict, train_rows: int = 200,
                  eval_rows: int = 40, seed: int = 0) -> dict:
    """Write generated rows of config dataset `name` (entry `spec`: its schema and
    languages) as its release files under `root`; return those rows in the hub's layout."""
    raw = generate(LAYOUTS[spec["schema"]], name, dataset_languages(spec), train_rows,
                   eval_rows, seed)
    RELEASES[spec["schema"]](Path(root), raw)
    return raw
