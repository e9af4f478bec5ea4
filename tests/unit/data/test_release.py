"""Release files (`source: local`, xstilts.data.release) yield what the hub path yields.

Each test writes a few examples in a dataset's original release format, builds by hand the
hub rows of the same examples, and checks that both give the same hub rows and, through
xstilts.store.prepared, the same canonical records. Then the errors: each names the dataset,
the file and, where there is one, the line.
"""

import json
from pathlib import Path

import pytest
import yaml
from datasets import Dataset, DatasetDict
from release_files import (
    NLI,
    bucc_files,
    conllu,
    mnli_release,
    panx_text,
    squad_document,
    write,
    write_jsonl,
    write_tsv,
)
from specs import dataset_spec

from xstilts.data.layouts import LAYOUTS
from xstilts.data.release import ReleaseFormatError
from xstilts.store.prepared import canonical_splits, load_raw, write_prepared

UPOS = LAYOUTS["xtreme_udpos"].label_names
NER = LAYOUTS["xtreme_panx"].label_names
CONFIG = Path(__file__).resolve().parents[3] / "config" / "config.yaml"


# --- helpers ---------------------------------------------------------------------------------


def spec(layout_name: str, root: Path, languages=("en",)) -> dict:
    return {"schema": layout_name, "source": "local", "path": str(root),
            "languages": list(languages)}


def local(layout_name: str, root: Path, languages=("en",)) -> dict:
    return load_raw(layout_name, dataset_spec(spec(layout_name, root, languages)), {})


def hub(layout_name: str, configurations: dict) -> dict:
    """Hand-written hub rows {configuration: {split: rows}} as load_dataset returns them."""
    features = LAYOUTS[layout_name].features()
    return {key: DatasetDict({split: Dataset.from_list(rows, features=features)
                              for split, rows in splits.items()})
            for key, splits in configurations.items()}


def canonical(layout_name: str, raw: dict, languages) -> dict:
    return {(language, split): columns for language, split, columns
            in canonical_splits(layout_name, LAYOUTS[layout_name], raw, list(languages))}


def assert_same_as_hub(layout_name: str, root: Path, expected: dict, languages=("en",)):
    parsed, by_hand = local(layout_name, root, languages), hub(layout_name, expected)
    assert {key: set(splits) for key, splits in parsed.items()} == \
           {key: set(splits) for key, splits in by_hand.items()}
    for key, splits in by_hand.items():
        for split, dataset in splits.items():
            assert parsed[key][split].features == dataset.features
            assert parsed[key][split].to_list() == dataset.to_list(), (key, split)
    records = canonical(layout_name, parsed, languages)
    assert records and all(columns["id"] for columns in records.values())
    assert records == canonical(layout_name, by_hand, languages)


# --- sentence pairs ----------------------------------------------------------------------------

def test_glue_mnli(tmp_path):
    # A quote is text: GLUE's files are read without CSV quoting.
    pairs = {"train": [("A man sleeps.", 'He said "no', "contradiction"),
                       ("Cats purr.", "Cats make sounds.", "entailment")],
             "validation_matched": [("It rains.", "It is wet.", "neutral")],
             "validation_mismatched": [("Sun.", "Moon.", "contradiction")]}
    mnli_release(tmp_path, pairs)
    assert_same_as_hub("glue_mnli", tmp_path, {None: {
        split: [{"idx": i, "premise": a, "hypothesis": b, "label": NLI.index(label)}
                for i, (a, b, label) in enumerate(rows)] for split, rows in pairs.items()}})


def test_glue_qqp(tmp_path):
    header = ["id", "qid1", "qid2", "question1", "question2", "is_duplicate"]
    write_tsv(tmp_path / "train.tsv", [header, [5, 1, 2, "Why?", "How come?", 1],
                                       [6, 3, 4, "Who?", "Where?", 0]])
    write_tsv(tmp_path / "dev.tsv", [header, [9, 5, 6, "What?", "Which?", 0]])
    assert_same_as_hub("glue_qqp", tmp_path, {None: {
        "train": [{"idx": 0, "question1": "Why?", "question2": "How come?", "label": 1},
                  {"idx": 1, "question1": "Who?", "question2": "Where?", "label": 0}],
        "validation": [{"idx": 0, "question1": "What?", "question2": "Which?", "label": 0}]}})


def test_snli_keeps_pairs_without_gold_label_as_the_hub_does(tmp_path):
    records = [("A dog runs.", "An animal moves.", "entailment"), ("A.", "B.", "-"),
               ("Two men.", "Nobody.", "contradiction")]
    for name in ("train", "dev", "test"):
        write_jsonl(tmp_path / f"snli_1.0_{name}.jsonl", [
            {"gold_label": label, "sentence1": a, "sentence2": b, "pairID": str(i)}
            for i, (a, b, label) in enumerate(records)])
    rows = [{"premise": a, "hypothesis": b, "label": -1 if label == "-" else NLI.index(label)}
            for a, b, label in records]
    assert_same_as_hub("snli", tmp_path, {None: {split: rows for split in
                                                 ("train", "validation", "test")}})
    manifest = write_prepared("snli", dataset_spec(spec("snli", tmp_path)), local("snli", tmp_path),
                              tmp_path / "prepared")
    assert manifest["dropped_unlabelled_rows"] == {f"en/{split}": 1 for split in
                                                   ("train", "validation", "test")}


def test_anli_rounds(tmp_path):
    expected = {}
    for r in (1, 2, 3):
        for part in ("train", "dev", "test"):
            uid = f"{part}-{r}"
            write_jsonl(tmp_path / f"R{r}" / f"{part}.jsonl", [{
                "uid": uid, "context": f"Context {r}.", "hypothesis": f"Claim {part}.",
                "label": "enc"[r - 1], "reason": "why", "model_label": "e"}])
            expected[f"{part}_r{r}"] = [{"uid": uid, "premise": f"Context {r}.",
                                         "hypothesis": f"Claim {part}.", "label": r - 1,
                                         "reason": "why"}]
    assert_same_as_hub("anli", tmp_path, {None: expected})


def test_xnli_one_file_for_every_language(tmp_path):
    header = ["language", "gold_label", "sentence1_binary_parse", "sentence1", "sentence2",
              "pairID"]
    rows = [["en", "neutral", "( x )", "I know.", 'I "think".', 1],
            ["de", "entailment", "( x )", "Ich weiß.", "Ich denke.", 1],
            ["de", "contradiction", "( x )", "Ja.", "Nein.", 2]]
    for name in ("dev", "test"):
        write_tsv(tmp_path / f"xnli.{name}.tsv", [header, *rows])
    hub_rows = [{"language": lang, "sentence1": a, "sentence2": b, "gold_label": label}
                for lang, label, _, a, b, _ in rows]
    assert_same_as_hub("xtreme_xnli", tmp_path,
                       {None: {"validation": hub_rows, "test": hub_rows}}, ["en", "de"])


def test_pawsx_english_trains_on_the_original_others_on_translations(tmp_path):
    expected = {}
    for lang, train in (("en", "train.tsv"), ("de", "translated_train.tsv")):
        expected[lang] = {}
        for split, name in (("train", train), ("validation", "dev_2k.tsv"),
                            ("test", "test_2k.tsv")):
            rows = [[1, f"{lang} {split} a", f"{lang} {split} b", 1], [2, "x", "y", 0]]
            write_tsv(tmp_path / lang / name, [["id", "sentence1", "sentence2", "label"], *rows])
            expected[lang][split] = [{"sentence1": a, "sentence2": b, "label": str(label)}
                                     for _, a, b, label in rows]
    assert_same_as_hub("xtreme_pawsx", tmp_path, expected, ["en", "de"])


# --- extractive QA ---------------------------------------------------------------------------

CONTEXT = " Paris is the capital of France."  # a leading space: offsets must not shift


def squad_rows(questions, title: bool = True) -> list[dict]:
    rows = [{"id": qid, "context": CONTEXT, "question": question,
             "answers": {"text": [t for t, _ in answers], "answer_start": [s for _, s in answers]}}
            for qid, question, answers in questions]
    return [{**row, "title": "Paris"} if title else row for row in rows]


QUESTIONS = [("q1", "Capital?", [("Paris", 1)]), ("q2", "Of what?", [("France", 25),
                                                                    ("France.", 25)])]


def paris(questions) -> dict:
    """A SQuAD-format document: the questions in one paragraph about Paris."""
    return squad_document([("Paris", CONTEXT, questions)])


@pytest.mark.parametrize("layout_name, version", [("squad", "1.1"), ("squad_v2", "2.0")])
def test_squad(tmp_path, layout_name, version):
    questions = {"train": QUESTIONS, "validation": [*QUESTIONS, ("q3", "Mayor?", [])]}
    for split, name in (("train", "train"), ("validation", "dev")):
        write(tmp_path / f"{name}-v{version}.json", json.dumps(paris(questions[split])))
    assert_same_as_hub(layout_name, tmp_path, {None: {
        split: squad_rows(qs) for split, qs in questions.items()}})


def test_xquad_and_mlqa_per_language(tmp_path):
    for lang in ("en", "de"):
        write(tmp_path / "xquad" / f"xquad.{lang}.json", json.dumps(paris(QUESTIONS)))
        for part in ("dev", "test"):
            write(tmp_path / "mlqa" / part / f"{part}-context-{lang}-question-{lang}.json",
                  json.dumps(paris(QUESTIONS)))
    assert_same_as_hub("xtreme_xquad", tmp_path / "xquad", {
        lang: {"validation": squad_rows(QUESTIONS, title=False)} for lang in ("en", "de")},
        ["en", "de"])
    assert_same_as_hub("xtreme_mlqa", tmp_path / "mlqa", {
        lang: {"validation": squad_rows(QUESTIONS), "test": squad_rows(QUESTIONS)}
        for lang in ("en", "de")}, ["en", "de"])


def test_tydiqa_goldp_languages_come_from_the_ids(tmp_path):
    questions = [("english-1-1", "Capital?", [("Paris", 1)]),
                 ("finnish-2-1", "Pääkaupunki?", [("Paris", 1)])]
    for name in ("train", "dev"):
        write(tmp_path / f"tydiqa-goldp-v1.1-{name}.json",
              json.dumps(paris(questions), ensure_ascii=False))
    assert_same_as_hub("xtreme_tydiqa", tmp_path, {None: {
        "train": squad_rows(questions), "validation": squad_rows(questions)}}, ["en", "fi"])


# --- multiple choice ---------------------------------------------------------------------------


def test_hellaswag(tmp_path):
    record = {"ind": 4, "activity_label": "Cooking", "ctx_a": "He cuts onions.",
              "ctx_b": "then he", "ctx": "He cuts onions. then he", "split": "train",
              "split_type": "indomain", "endings": ["fries them.", "sings.", "flies.", "x."],
              "source_id": "yt~1", "label": 0}
    write_jsonl(tmp_path / "hellaswag_train.jsonl", [record])
    write_jsonl(tmp_path / "hellaswag_val.jsonl", [{**record, "split": "val", "label": 3}])
    row = {**record, "label": "0"}
    assert_same_as_hub("hellaswag", tmp_path, {None: {
        "train": [row], "validation": [{**row, "split": "val", "label": "3"}]}})


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_cosmosqa_csv_or_jsonl(tmp_path, suffix):
    records = [{"id": "3Q9#1", "context": 'She said, "hi, there".', "question": "Why?",
                "answer0": "a", "answer1": "b", "answer2": "c", "answer3": "None of the above",
                "label": 2}]
    csv_text = (",".join(records[0]) + "\n"  # a quoted field holding commas and quotes
                '3Q9#1,"She said, ""hi, there"".",Why?,a,b,c,None of the above,2\n')
    for name in ("train", "valid"):
        if suffix == ".csv":
            write(tmp_path / f"{name}.csv", csv_text)
        else:
            write_jsonl(tmp_path / f"{name}.jsonl", records)
    assert_same_as_hub("cosmos_qa", tmp_path, {None: {"train": records, "validation": records}})


def test_commonsenseqa(tmp_path):
    choices = [{"label": label, "text": f"choice {label}"} for label in "ABCDE"]
    record = {"answerKey": "C", "id": "075e", "question": {
        "question_concept": "river", "choices": choices, "stem": "Where is water?"}}
    for name in ("train", "dev"):
        write_jsonl(tmp_path / f"{name}_rand_split.jsonl", [record])
    row = {"id": "075e", "question": "Where is water?", "question_concept": "river",
           "choices": {"label": list("ABCDE"), "text": [f"choice {c}" for c in "ABCDE"]},
           "answerKey": "C"}
    assert_same_as_hub("commonsense_qa", tmp_path, {None: {"train": [row], "validation": [row]}})


# --- tagging -------------------------------------------------------------------------------------


GUM = [("1", "I", "PRON"), ("2-3", "won't", "_"), ("2", "wo", "AUX"), ("3", "n't", "PART"),
       ("3.1", "go", "VERB"), ("4", "go", "VERB")]


def test_udpos_treebanks_merge_per_language_and_skip_ranges_and_empty_nodes(tmp_path):
    ud = tmp_path / "ud-treebanks-v2.5"
    write(ud / "UD_English-GUM" / "en_gum-ud-train.conllu", conllu(GUM))
    write(ud / "UD_English-EWT" / "en_ewt-ud-train.conllu", conllu([("1", "Hi", "INTJ")]))
    write(ud / "UD_English-EWT" / "en_ewt-ud-dev.conllu", conllu([("1", "Yes", "INTJ")]))
    write(ud / "UD_English-EWT" / "en_ewt-ud-test.conllu", conllu([("1", "No", "INTJ")]))
    write(ud / "UD_Kazakh-KTB" / "kk_ktb-ud-train.conllu", conllu([("1", "Иә", "INTJ")]))
    write(ud / "UD_Kazakh-KTB" / "kk_ktb-ud-test.conllu", conllu([("1", "Жоқ", "INTJ")]))
    # text withheld: all forms "_" (UD_Arabic-NYUAD); Ancient Greek (grc) is not Greek (el)
    write(ud / "UD_English-X" / "en_x-ud-test.conllu", conllu([("1", "_", "NOUN")]))
    write(ud / "UD_Ancient_Greek-P" / "grc_p-ud-test.conllu", conllu([("1", "x", "X")]))

    def row(*words):
        return {"tokens": [w for w, _ in words], "pos_tags": [UPOS.index(t) for _, t in words]}

    intj = UPOS.index("INTJ")
    assert_same_as_hub("xtreme_udpos", tmp_path, {
        "en": {"train": [{"tokens": ["Hi"], "pos_tags": [intj]},  # EWT sorts before GUM
                         row(("I", "PRON"), ("wo", "AUX"), ("n't", "PART"), ("go", "VERB"))],
               "validation": [{"tokens": ["Yes"], "pos_tags": [intj]}],
               "test": [{"tokens": ["No"], "pos_tags": [intj]}]},
        "kk": {"train": [{"tokens": ["Иә"], "pos_tags": [intj]}],
               "test": [{"tokens": ["Жоқ"], "pos_tags": [intj]}]}}, ["en", "kk"])


def test_panx(tmp_path):
    sentences = [[("Angela", "B-PER"), ("Merkel", "I-PER"), ("visits", "O")],
                 [("a:b", "O"), ("Paris", "B-LOC")]]  # a token may hold a colon
    expected = {}
    for lang in ("en", "de"):
        for name in ("train", "dev", "test"):
            write(tmp_path / lang / name, panx_text(lang, sentences))
        rows = [{"tokens": [t for t, _ in s], "ner_tags": [NER.index(tag) for _, tag in s],
                 "langs": [lang] * len(s)} for s in sentences]
        expected[lang] = {split: rows for split in ("train", "validation", "test")}
    assert_same_as_hub("xtreme_panx", tmp_path, expected, ["en", "de"])


# --- retrieval -----------------------------------------------------------------------------------


def bucc_release(root: Path, part: str) -> None:
    bucc_files(root, "de", part,
               [("de-000001", "Hallo Welt."), ("de-000002", "Nur Deutsch."),
                ("de-000003", "Guten Tag.")],
               [("en-000007", "Good day."), ("en-000008", "English only."),
                ("en-000009", "Hello world.")],
               [("de-000001", "en-000009"), ("de-000003", "en-000007")])


def test_bucc_keeps_the_sentences_without_a_partner(tmp_path):
    for part in ("sample", "training"):
        bucc_release(tmp_path, part)

    def row(source, target, source_id, target_id):
        return {"source_sentence": source, "target_sentence": target,
                "source_lang": source_id, "target_lang": target_id}

    rows = [row("Hallo Welt.", "Hello world.", "de-000001", "en-000009"),
            row("Guten Tag.", "Good day.", "de-000003", "en-000007"),
            row("Nur Deutsch.", "", "de-000002", ""), row("", "English only.", "", "en-000008")]
    assert_same_as_hub("xtreme_bucc", tmp_path, {"de": {"validation": rows, "test": rows}},
                       ["de"])
    ids = canonical("xtreme_bucc", local("xtreme_bucc", tmp_path, ["de"]), ["de"])
    assert ids["de", "test"]["id"] == ["de-000001/en-000009", "de-000003/en-000007",
                                       "de-000002", "en-000008"]


def test_tatoeba_three_letter_file_codes(tmp_path):
    write(tmp_path / "tatoeba.deu-eng.deu", "Ich bin Tom.\nDanke.\n")
    write(tmp_path / "tatoeba.deu-eng.eng", "I am Tom.\nThanks.\n")
    # The hub's rows keep each line's break, which the layout strips: the same records.
    assert_same_as_hub("xtreme_tatoeba", tmp_path, {"de": {"validation": [
        {"source_sentence": "Ich bin Tom.", "target_sentence": "I am Tom.",
         "source_lang": "deu", "target_lang": "eng"},
        {"source_sentence": "Danke.", "target_sentence": "Thanks.",
         "source_lang": "deu", "target_lang": "eng"}]}}, ["de"])


def test_every_dataset_of_the_paper_config_has_a_release_reader():
    datasets = yaml.safe_load(CONFIG.read_text())["datasets"]
    for name, entry in datasets.items():
        layout = LAYOUTS[entry["schema"]]
        assert getattr(layout, "release", None) is not None or entry["schema"] == "ccgbank", name


# --- errors name the dataset, the file and the line ---------------------------------------------


def raises(error, layout_name: str, root: Path, match: str, languages=("en",)):
    with pytest.raises(error, match=match) as caught:
        local(layout_name, root, languages)
    assert f"dataset {layout_name!r}" in str(caught.value)
    return caught


def test_missing_file(tmp_path):
    mnli_release(tmp_path, {"train": [("a", "b", "neutral")],
                            "validation_matched": [("a", "b", "neutral")]})
    raises(FileNotFoundError, "glue_mnli", tmp_path,
           f"{tmp_path / 'dev_mismatched.tsv'}: no such file.*docs/local-data.md")


def test_tsv_line_with_wrong_column_count(tmp_path):
    header = ["id", "qid1", "qid2", "question1", "question2", "is_duplicate"]
    write_tsv(tmp_path / "train.tsv", [header, [1, 1, 2, "a", "b", 0], [2, 3, 4, "c\td", "e", 1]])
    raises(ReleaseFormatError, "glue_qqp", tmp_path,
           f"{tmp_path / 'train.tsv'}:3: 7 tab-separated fields, expected 6")


def test_byte_order_mark_is_not_part_of_the_header(tmp_path):
    header = ["id", "qid1", "qid2", "question1", "question2", "is_duplicate"]
    for name in ("train.tsv", "dev.tsv"):
        write_tsv(tmp_path / name, [header, [1, 1, 2, "a", "b", 0]])
        path = tmp_path / name
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    raw = local("glue_qqp", tmp_path, ("en",))
    assert raw[None]["train"]["question1"] == ["a"]
    for name in ("train-v1.1.json", "dev-v1.1.json"):
        write(tmp_path / name, "\ufeff" + json.dumps(paris(QUESTIONS)))
    assert local("squad", tmp_path, ("en",))[None]["train"].num_rows == len(QUESTIONS)


def test_bad_json_line(tmp_path):
    write(tmp_path / "snli_1.0_train.jsonl", '{"gold_label": "neutral", "sentence1": "a", '
          '"sentence2": "b"}\n{"gold_label": \n')
    raises(ReleaseFormatError, "snli", tmp_path,
           f"{tmp_path / 'snli_1.0_train.jsonl'}:2: not valid JSON")


def test_missing_key_and_bad_json_document(tmp_path):
    write_jsonl(tmp_path / "snli_1.0_train.jsonl", [{"gold_label": "neutral", "sentence1": "a"}])
    raises(ReleaseFormatError, "snli", tmp_path, r"snli_1.0_train.jsonl:1: missing 'sentence2'")
    write(tmp_path / "train-v1.1.json", '{"data": [\n  {"title": }]}')
    raises(ReleaseFormatError, "squad", tmp_path, r"train-v1.1.json:2: not valid JSON")


def test_label_outside_the_label_set(tmp_path):
    header = ["language", "gold_label", "sentence1", "sentence2"]
    write_tsv(tmp_path / "xnli.dev.tsv", [header, ["en", "neutral", "a", "b"],
                                          ["en", "maybe", "c", "d"]])
    raises(ReleaseFormatError, "xtreme_xnli", tmp_path,
           r"xnli.dev.tsv:3: label 'maybe' is not one of entailment, neutral, contradiction")


def test_empty_split(tmp_path):
    for name in ("train", "dev", "test"):
        write(tmp_path / "en" / name, "en:Paris\tB-LOC\n" if name != "dev" else "\n")
    raises(ReleaseFormatError, "xtreme_panx", tmp_path, f"{tmp_path / 'en' / 'dev'}: no examples")


def test_duplicate_ids(tmp_path):
    write(tmp_path / "train-v1.1.json", json.dumps(paris([*QUESTIONS, QUESTIONS[0]])))
    raises(ReleaseFormatError, "squad", tmp_path,
           r"qas\[2\]: question id 'q1' occurs twice \(first at .*qas\[0\]\)")
    record = {"uid": "u1", "context": "a", "hypothesis": "b", "label": "n", "reason": ""}
    write_jsonl(tmp_path / "R1" / "train.jsonl", [record, record])
    raises(ReleaseFormatError, "anli", tmp_path, r"R1/train.jsonl:2: id 'u1' occurs twice")
    header = ["id", "sentence1", "sentence2", "label"]
    for name in ("train.tsv", "dev_2k.tsv", "test_2k.tsv"):
        write_tsv(tmp_path / "en" / name, [header, [1, "a", "b", 0], [2, "c", "d", 1],
                                           [1 if name == "dev_2k.tsv" else 3, "e", "f", 0]])
    raises(ReleaseFormatError, "xtreme_pawsx", tmp_path,
           r"en/dev_2k.tsv:4: id '1' occurs twice \(first at .*dev_2k.tsv:2\)")


def test_conllu_errors_name_the_line(tmp_path):
    path = write(tmp_path / "en_x-ud-train.conllu",
                 conllu([("1", "Hi", "INTJ")]) + "1\tHi\t_\tINTJ\n")
    raises(ReleaseFormatError, "xtreme_udpos", tmp_path,
           f"{path}:5: 4 tab-separated fields, expected 10")
    write(path, conllu([("1", "Hi", "INTJ"), ("2", "there", "ADVERB")]))
    raises(ReleaseFormatError, "xtreme_udpos", tmp_path, f"{path}:4: tag 'ADVERB' is not one of")
    write(path, conllu([("x", "Hi", "INTJ")]))
    raises(ReleaseFormatError, "xtreme_udpos", tmp_path, f"{path}:3: word ID 'x'")
    raises(FileNotFoundError, "xtreme_udpos", tmp_path, "no CoNLL-U file de_", ["de"])


def test_panx_token_of_another_language(tmp_path):
    for name in ("train", "dev", "test"):
        write(tmp_path / "en" / name, "en:Paris\tB-LOC\nde:Berlin\tB-LOC\n")
    raises(ReleaseFormatError, "xtreme_panx", tmp_path,
           f"{tmp_path / 'en' / 'train'}:2: 'de:Berlin' does not start with 'en:'")


def test_tatoeba_files_of_different_lengths(tmp_path):
    write(tmp_path / "tatoeba.deu-eng.deu", "Ich bin Tom.\nDanke.\n")
    write(tmp_path / "tatoeba.deu-eng.eng", "I am Tom.\n")
    raises(ReleaseFormatError, "xtreme_tatoeba", tmp_path, "has 2 lines but .* has 1", ["de"])


def test_bucc_gold_id_missing_from_the_sentence_files(tmp_path):
    bucc_release(tmp_path, "sample")
    write_tsv(tmp_path / "de-en" / "de-en.sample.gold", [["de-000001", "en-000009"],
                                                        ["de-000004", "en-000007"]])
    raises(ReleaseFormatError, "xtreme_bucc", tmp_path,
           r"de-en.sample.gold:2: gold id 'de-000004' is in no line", ["de"])


def test_a_parser_failure_leaves_no_prepared_directory(tmp_path):
    write(tmp_path / "release" / "tatoeba.deu-eng.deu", "Ich.\n")
    write(tmp_path / "release" / "tatoeba.deu-eng.eng", "I.\n\n")
    out = tmp_path / "prepared" / "tatoeba"
    local_spec = spec("xtreme_tatoeba", tmp_path / "release", ["de"])
    with pytest.raises(ReleaseFormatError, match=r"tatoeba.deu-eng.eng:2: empty line"):
        typed = dataset_spec(local_spec)
        write_prepared("tatoeba", typed, load_raw("tatoeba", typed, {}), out)
    assert not out.exists() and not out.with_name("tatoeba.partial").exists()


def test_manifest_of_a_local_source_hashes_its_release_files(tmp_path):
    from xstilts.store.provenance import sha256_file

    pairs = {"train": [("a", "b", "neutral")], "validation_matched": [("c", "d", "neutral")],
             "validation_mismatched": [("e", "f", "neutral")]}
    mnli_release(tmp_path / "MNLI", pairs)
    entry = {**spec("glue_mnli", tmp_path / "MNLI", ("en",)), "revision": "bcdcba79" * 5,
             "name": "mnli"}  # what the paper config's hub entry leaves in a local override
    manifest = write_prepared("mnli", dataset_spec(entry), load_raw("mnli", dataset_spec(entry),
                                                                    {}), tmp_path / "out")
    assert manifest["source"] == {
        "source": "local", "path": str(tmp_path / "MNLI"),
        "files": {name: sha256_file(tmp_path / "MNLI" / name)
                  for name in ("dev_matched.tsv", "dev_mismatched.tsv", "train.tsv")}}
