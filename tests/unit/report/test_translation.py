"""Machine-translated intermediate data (layout xnli_mt) and its translation quality
(xstilts.report.translation): sacrebleu's scores on hand-checkable examples, the per-language
report on prepared demo data, the XNLI-MT release files, and the parallel demo XNLI."""

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest
from datasets import Dataset, DatasetDict
from release_files import write_release, write_tsv
from specs import dataset_spec

from xstilts.data.demo import Lexicon, PseudoLanguage, generate, pair_rows
from xstilts.data.layouts import LAYOUTS
from xstilts.data.release import ReleaseFormatError
from xstilts.report.translation import NO_HUMAN_REFERENCE, quality, quality_report
from xstilts.store.prepared import canonical_splits, load_raw, read_manifest, write_prepared

ROOT = Path(__file__).resolve().parents[3]
NLI = ("entailment", "neutral", "contradiction")
REFERENCE = {"dataset": "xnli", "split": "validation"}
DEMO = {"seed": 0, "train_examples": 30, "eval_examples": 12}


# --- scores: sacrebleu's definitions on examples small enough to check by hand ----------------


def test_identical_text_scores_100_and_disjoint_text_0():
    same = quality(["we like green tea", "it rains"], ["we like green tea", "it rains"], "en")
    assert (same["chrF"], same["BLEU"], same["segments"]) == (100, pytest.approx(100), 2)
    disjoint = quality(["xyz"], ["abc"], "en")
    assert (disjoint["chrF"], disjoint["BLEU"]) == (0.0, 0.0)


def test_bleu_by_hand():
    # One word differs in five: n-gram precisions 4/5, 3/4, 2/3, 1/2; equal lengths, BP = 1.
    # BLEU = 100 * (4/5 * 3/4 * 2/3 * 1/2) ** (1/4) = 100 * (1/5) ** (1/4)
    score = quality(["we like green tea today"], ["we like green tea now"], "en")
    assert score["BLEU"] == pytest.approx(100 * (1 / 5) ** 0.25)
    # Every n-gram matches but the hypothesis is short: 4 words for 5, BP = exp(1 - 5/4).
    short = quality(["we like green tea"], ["we like green tea now"], "en")
    assert short["BLEU"] == pytest.approx(100 * math.exp(1 - 5 / 4))


def test_chrf_by_hand():
    # Characters (spaces ignored) "ab" against "abc": unigrams P = 2/2, R = 2/3; bigrams
    # P = 1/1, R = 1/2; no trigram in the hypothesis, so orders 3-6 are left out. Averages
    # P = 1, R = 7/12; chrF (beta 2) = 5PR / (4P + R) = 7/11.
    assert quality(["ab"], ["abc"], "en")["chrF"] == pytest.approx(100 * 7 / 11)


def test_bleu_tokenizer_per_language_is_in_the_signature():
    signatures = {lang: quality(["x"], ["x"], lang)["BLEU_signature"]
                  for lang in ("de", "zh", "th", "ja")}
    assert "tok:13a" in signatures["de"] and "tok:zh" in signatures["zh"]
    assert "tok:char" in signatures["th"] and "tok:char" in signatures["ja"]
    assert all("version:" in signature for signature in signatures.values())
    # Chinese has no spaces: with 13a the sentence would be one word and share nothing.
    assert quality(["我喜欢茶"], ["我喜欢绿茶"], "zh")["BLEU"] > 0


def test_unequal_lengths_are_refused():
    with pytest.raises(ValueError, match="2 hypotheses but 1 references"):
        quality(["a", "b"], ["a"], "en")


# --- the report on prepared demo data ------------------------------------------------------------


def prepare(root: Path, name: str, spec: dict, raw: dict | None = None) -> dict:
    raw = raw if raw is not None else load_raw(name, dataset_spec(spec), DEMO)
    return write_prepared(name, dataset_spec(spec), raw, root / name)


@pytest.fixture(scope="module")
def demo_data(tmp_path_factory):
    """Demo mnli, xnli (en, de, zh) and mnli_mt (en, de, zh, fr) prepared into one root."""
    root = tmp_path_factory.mktemp("prepared")
    prepare(root, "mnli", {"schema": "glue_mnli", "source": "demo"})
    prepare(root, "xnli", {"schema": "xtreme_xnli", "source": "demo",
                           "languages": ["en", "de", "zh"]})
    spec = {"schema": "xnli_mt", "source": "demo", "languages": ["en", "de", "zh", "fr"],
            "reference": REFERENCE}
    prepare(root, "mnli_mt", spec)
    return root, spec


def test_report_scores_each_translated_language(demo_data):
    root, spec = demo_data
    rows = {row["language"]: row for row in quality_report(root, "mnli_mt", dataset_spec(spec))}
    assert list(rows) == ["en", "de", "zh", "fr"]
    for language in ("de", "zh"):
        row = rows[language]
        assert 0 < row["chrF"] < 100 and 0 < row["BLEU"] < 100, row
        assert row["segments"] == 2 * DEMO["eval_examples"] and row["note"] == ""
        assert (row["split"], row["reference"]) == ("validation_mt", "xnli/validation")
    assert "tok:zh" in rows["zh"]["BLEU_signature"]
    assert rows["en"]["note"] == "English is the source language: nothing was machine-translated"
    assert rows["fr"]["note"] == "the reference xnli/validation has no language 'fr'"
    assert rows["fr"]["chrF"] is None and rows["fr"]["segments"] is None


def test_hub_source_keeps_only_train_and_notes_why_it_is_not_scored(demo_data, tmp_path):
    # facebook/xnli's configurations also hold XNLI's human validation/test sets: not MT.
    root, _ = demo_data
    features = LAYOUTS["xnli_mt"].features()
    row = {"premise": "Er schläft.", "hypothesis": "Er ist wach.", "label": 2}
    raw = {"de": DatasetDict({split: Dataset.from_list([row], features=features)
                              for split in ("train", "validation", "test")})}
    spec = {"schema": "xnli_mt", "source": "hub", "path": "facebook/xnli", "name": "{lang}",
            "revision": "main", "languages": ["de"], "reference": REFERENCE}
    assert list(prepare(tmp_path, "mnli_mt", spec, raw)["files"]) == ["de/train"]
    for name in ("mnli", "xnli"):
        (tmp_path / name).symlink_to(root / name)
    [report] = quality_report(tmp_path, "mnli_mt", dataset_spec(spec))
    assert report["note"] == NO_HUMAN_REFERENCE and report["BLEU"] is None


def test_misaligned_translation_names_both_files(demo_data, tmp_path):
    root, spec = demo_data
    english = pair_rows(LAYOUTS["xtreme_xnli"], "validation", "en", DEMO["eval_examples"], 0,
                        "xnli")
    shifted = [{"premise": r["sentence1"], "hypothesis": r["sentence2"], "label": r["gold_label"]}
               for r in english[1:]]  # one row short
    release = tmp_path / "release"
    write_tsv(release / "multinli" / "multinli.train.de.tsv",
              [["premise", "hypo", "label"], ["a", "b", "neutral"]])
    write_tsv(release / "translate-dev" / "xnli.dev.de.tsv",
              [["premise", "hypo", "label"]] + [list(r.values()) for r in shifted])
    local = {**spec, "source": "local", "path": str(release), "languages": ["de"]}
    prepare(tmp_path, "mnli_mt", local)
    (tmp_path / "xnli").symlink_to(root / "xnli")
    with pytest.raises(ValueError, match=r"mnli_mt/de/validation_mt.parquet has 11 rows but "
                                         r".*xnli/de/validation.parquet has 12"):
        quality_report(tmp_path, "mnli_mt", dataset_spec(local))
    write_tsv(release / "translate-dev" / "xnli.dev.de.tsv", [["premise", "hypo", "label"]] + [
        [r["sentence1"], r["sentence2"], "neutral"] for r in english])
    prepare(tmp_path, "mnli_mt", local)
    with pytest.raises(ValueError, match=r"validation_mt.parquet row \d+ has label 1 but .*"
                                         r"validation.parquet row \d+ has \d: the rows are not"):
        quality_report(tmp_path, "mnli_mt", dataset_spec(local))


def test_release_without_a_translated_dev_set_is_noted(demo_data, tmp_path):
    root, spec = demo_data
    write_tsv(tmp_path / "release" / "multinli" / "multinli.train.de.tsv",
              [["premise", "hypo", "label"], ["a", "b", "neutral"]])
    local = {**spec, "source": "local", "path": str(tmp_path / "release"), "languages": ["de"]}
    prepare(tmp_path, "mnli_mt", local)
    (tmp_path / "xnli").symlink_to(root / "xnli")
    [row] = quality_report(tmp_path, "mnli_mt", dataset_spec(local))
    assert row["note"] == ("no split 'validation_mt' in 'de' (source: local; release file "
                           "translate-dev/xnli.dev.de.tsv, docs/local-data.md)")


def test_script_writes_the_table_and_its_provenance(demo_data, tmp_path):
    root, spec = demo_data
    out = tmp_path / "results"
    subprocess.run([sys.executable, "scripts/translation_quality.py", "--datasets",
                    json.dumps({"mnli_mt": spec}), "--data", str(root),
                    "--output", str(out / "translation_quality.csv"),
                    "--provenance", str(out / "translation_quality.provenance.json")],
                   cwd=ROOT, check=True, capture_output=True)
    lines = (out / "translation_quality.csv").read_text().splitlines()
    assert lines[0] == ("dataset,language,split,reference,segments,chrF,BLEU,chrF_signature,"
                        "BLEU_signature,note")
    assert [line.split(",")[1] for line in lines[1:]] == ["en", "de", "zh", "fr"]
    record = json.loads((out / "translation_quality.provenance.json").read_text())
    assert record["kind"] == "translation_quality"
    assert {Path(path).parent.name for path in record["inputs"]["manifests"]} == {
        "mnli_mt", "xnli"}
    assert record["params"]["datasets"]["mnli_mt"]["reference"] == REFERENCE


# --- XNLI-MT release files -----------------------------------------------------------------------


def test_release_files_give_the_demo_rows(tmp_path):
    spec = {"schema": "xnli_mt", "languages": ["en", "de", "zh"]}
    raw = write_release(tmp_path, "mnli_mt", spec, train_rows=9, eval_rows=5)
    assert not (tmp_path / "translate-dev" / "xnli.dev.en.tsv").exists()
    assert "contradictory" in (tmp_path / "multinli" / "multinli.train.de.tsv").read_text()
    local = {**spec, "source": "local", "path": str(tmp_path)}
    parsed = load_raw("mnli_mt", dataset_spec(local), {})
    assert {lang: set(splits) for lang, splits in parsed.items()} == {
        "en": {"train"}, "de": {"train", "validation_mt"}, "zh": {"train", "validation_mt"}}
    for language, splits in raw.items():
        for split, rows in splits.items():
            assert parsed[language][split].to_list() == rows.to_list(), (language, split)

    def canonical(source):
        return list(canonical_splits("mnli_mt", LAYOUTS["xnli_mt"], source, spec["languages"]))

    assert canonical(parsed) == canonical(raw)


def test_either_spelling_of_contradiction(tmp_path):
    write_tsv(tmp_path / "multinli" / "multinli.train.de.tsv", [
        ["premise", "hypo", "label"], ["Ja.", "Nein.", "contradictory"],
        ["Es regnet.", "Es ist nass.", "entailment"]])
    write_tsv(tmp_path / "translate-dev" / "xnli.dev.de.tsv", [
        ["premise", "hypo", "label"], ["Ja.", 'Nein "doch".', "contradiction"]])
    spec = dataset_spec({"schema": "xnli_mt", "source": "local", "path": str(tmp_path),
                         "languages": ["de"]})
    manifest = write_prepared("mnli_mt", spec, load_raw("mnli_mt", spec, {}), tmp_path / "out")
    assert manifest["files"]["de/train"]["rows"] == 2
    parsed = load_raw("mnli_mt", dataset_spec(spec), {})["de"]
    assert parsed["train"]["label"] == [2, 0]
    assert parsed["validation_mt"].to_list() == [
        {"premise": "Ja.", "hypothesis": 'Nein "doch".', "label": 2}]
    assert read_manifest(tmp_path / "out")["label_names"] == list(NLI)


@pytest.mark.parametrize("content, error, match", [
    (None, FileNotFoundError, r"multinli/multinli.train.de.tsv: no such file.*local-data"),
    ([["premise", "hypothesis", "label"]], ReleaseFormatError,
     r"multinli.train.de.tsv:1: the header lacks column\(s\) hypo"),
    ([["premise", "hypo", "label"], ["a", "b", "neutral"], ["c", "d", "maybe"]],
     ReleaseFormatError, r"multinli.train.de.tsv:3: label 'maybe' is not one of entailment"),
    ([["premise", "hypo", "label"], ["a", "b\tc", "neutral"]], ReleaseFormatError,
     r"multinli.train.de.tsv:2: 4 tab-separated fields, expected 3"),
])
def test_release_file_errors_name_dataset_file_and_line(tmp_path, content, error, match):
    if content is not None:
        write_tsv(tmp_path / "multinli" / "multinli.train.de.tsv", content)
    spec = {"schema": "xnli_mt", "source": "local", "path": str(tmp_path), "languages": ["de"]}
    with pytest.raises(error, match=match) as caught:
        load_raw("mnli_mt", dataset_spec(spec), {})
    assert "dataset 'mnli_mt'" in str(caught.value)


# --- the demo's XNLI is parallel, its XNLI-MT a noisy translation --------------------------------


def test_demo_xnli_rows_translate_the_english_rows_word_for_word():
    rows = generate(LAYOUTS["xtreme_xnli"], "xnli", ["en", "de", "zh"], 5, 8, 0)[None]
    english, de, zh = PseudoLanguage("en", 0), PseudoLanguage("de", 0), PseudoLanguage("zh", 0)
    for split in ("validation", "test"):
        by_language = {lang: [r for r in rows[split].to_list() if r["language"] == lang]
                       for lang in ("en", "de", "zh")}
        for target, joiner in ((de, " "), (zh, "")):
            lexicon = Lexicon(english, target)
            for source, translated in zip(by_language["en"], by_language[target.code],
                                          strict=True):
                assert translated["gold_label"] == source["gold_label"]
                for column in ("sentence1", "sentence2"):
                    words = lexicon.translate(source[column].split())
                    assert translated[column] == joiner.join(words)
    # The negation word (the contradiction cue) is the negation word of each language.
    assert Lexicon(english, de).translate([english.negation]) == [de.negation]


def test_demo_xnli_mt_translates_the_demo_mnli_train_with_noise():
    mnli = pair_rows(LAYOUTS["glue_mnli"], "train", "en", 40, 0, "mnli")
    mt = generate(LAYOUTS["xnli_mt"], "mnli_mt", ["en", "de"], 40, 6, 0)
    assert [r["label"] for r in mt["de"]["train"]] == [r["label"] for r in mnli]
    assert mt["en"]["train"].to_list() == [{k: r[k] for k in ("premise", "hypothesis", "label")}
                                           for r in mnli]  # English: MNLI itself
    lexicon = Lexicon(PseudoLanguage("en", 0), PseudoLanguage("de", 0))
    exact = [" ".join(lexicon.translate(r["premise"].split())) for r in mnli]
    noisy = list(mt["de"]["train"]["premise"])
    assert 0 < sum(a == b for a, b in zip(exact, noisy, strict=True)) < len(exact)
    again = generate(LAYOUTS["xnli_mt"], "mnli_mt", ["de"], 40, 6, 0)["de"]["train"]["premise"]
    assert list(again) == noisy  # seeded
