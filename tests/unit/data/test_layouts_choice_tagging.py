"""Multiple-choice and tagging layouts, the CCGbank reader, the fallback split, and rows whose
licensed data is missing."""

import pytest
from datasets import ClassLabel, Dataset, DatasetDict, Features, List, Value
from specs import data_ref, dataset_spec, task_spec

from xstilts.config import ConfigError, merge, unavailable_rows, validate
from xstilts.data.demo import generate
from xstilts.data.layouts import LAYOUTS
from xstilts.data.layouts.tagging import read_auto
from xstilts.evaluate.scoring import score_predictions
from xstilts.metrics.registry import METRICS
from xstilts.report.table2 import table2, write_csv
from xstilts.store.prepared import load_raw, read_manifest, read_split, write_prepared
from xstilts.store.splits import eval_splits

S = Value("string")
UPOS = ["ADJ", "ADP", "ADV", "AUX", "CCONJ", "DET", "INTJ", "NOUN", "NUM", "PART", "PRON",
        "PROPN", "PUNCT", "SCONJ", "SYM", "VERB", "X"]
NER = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC"]
THREE = {"train", "validation", "test"}

# The hub's published layouts, written out independently of the layout modules.
# {schema: (features, label column, values of a hidden test label)}
HUB = {
    "hellaswag": (Features({
        "ind": Value("int32"), "activity_label": S, "ctx_a": S, "ctx_b": S, "ctx": S,
        "endings": List(S), "source_id": S, "split": S, "split_type": S, "label": S}),
        "label", {""}),
    "cosmos_qa": (Features({
        "id": S, "context": S, "question": S, "answer0": S, "answer1": S, "answer2": S,
        "answer3": S, "label": Value("int32")}), "label", {-1}),
    "commonsense_qa": (Features({
        "id": S, "question": S, "question_concept": S,
        "choices": {"label": List(S), "text": List(S)}, "answerKey": S}), "answerKey", {""}),
    "xtreme_udpos": (Features({
        "tokens": List(S), "pos_tags": List(ClassLabel(names=UPOS))}), None, None),
    "xtreme_panx": (Features({
        "tokens": List(S), "ner_tags": List(ClassLabel(names=NER)), "langs": List(S)}),
        None, None),
    "ccgbank": (Features({"id": S, "tokens": List(S), "tags": List(S)}), None, None),
}
TRAIN, EVAL = 6, 4


def _generate(schema_name, languages=("en",)):
    return generate(LAYOUTS[schema_name], schema_name, list(languages), TRAIN, EVAL, seed=0)


def _prepare(tmp_path, schema_name, raw, languages=("en",)):
    spec = {"schema": schema_name, "source": "demo", "languages": list(languages)}
    return write_prepared(schema_name, dataset_spec(spec), raw, tmp_path / schema_name)


# --- generated data in the hub's layouts ----------------------------------------------------


@pytest.mark.parametrize("schema_name", sorted(HUB))
def test_generated_data_has_hub_splits_and_features(schema_name):
    features, label, hidden = HUB[schema_name]
    for dataset_dict in _generate(schema_name).values():
        assert set(dataset_dict) == THREE
        for split, dataset in dataset_dict.items():
            assert dataset.features == features, split
            assert dataset.num_rows == (TRAIN if split == "train" else EVAL)
            if label:  # the hub hides multiple-choice test labels
                assert (set(dataset[label]) == hidden) == (split == "test")


def test_udpos_languages_lack_the_splits_the_hub_lacks():
    raw = _generate("xtreme_udpos", ["en", "kk", "th", "tl", "yo"])
    assert set(raw["en"]) == THREE
    assert set(raw["kk"]) == {"train", "test"}
    assert set(raw["th"]) == set(raw["tl"]) == set(raw["yo"]) == {"test"}


def test_generated_tags_follow_the_layouts():
    panx = _generate("xtreme_panx", ["ar"])["ar"]["train"]
    for row in panx:
        assert row["langs"] == ["ar"] * len(row["tokens"])
        tags = [NER[t] for t in row["ner_tags"]]
        # IOB2: an I- tag continues an entity of its own type
        for previous, tag in zip(["O", *tags], tags, strict=False):
            if tag.startswith("I-"):
                assert previous[2:] == tag[2:], tags
    for row in _generate("xtreme_udpos", ["zh"])["zh"]["train"]:
        assert len(row["tokens"]) == len(row["pos_tags"])
        assert all("\u4e00" <= char <= "\u9fff" for word in row["tokens"] for char in word)


# --- hand-made hub rows -> canonical records ----------------------------------------------------


def _hub(schema_name, splits: dict[str, list[dict]]):
    features = HUB[schema_name][0]
    return {None: DatasetDict({name: Dataset.from_list(rows, features=features)
                               for name, rows in splits.items()})}


def _hellaswag_row(ind, ctx_a, ctx_b, endings, label):
    return {"ind": ind, "activity_label": "Cooking", "ctx_a": ctx_a, "ctx_b": ctx_b,
            "ctx": f"{ctx_a} {ctx_b}", "endings": endings, "source_id": "x", "split": "val",
            "split_type": "indomain", "label": label}


def test_hand_made_hellaswag(tmp_path):
    raw = _hub("hellaswag", {
        "validation": [
            _hellaswag_row(24, "A man sits.", "he", ["eats.", "runs.", "b", "c"], "1"),
            _hellaswag_row(92, "Steps.", "", ["Cut it.", "x", "y", "z"], "3"),
        ],
        "test": [_hellaswag_row(7, "T.", "it", ["a", "b", "c", "d"], "")],
    })
    manifest = _prepare(tmp_path, "hellaswag", raw)
    # jiant's prompt is ctx_a; ctx_b starts every choice (no stray space when it is empty)
    assert read_split(tmp_path / "hellaswag", "en", "validation").to_pylist() == [
        {"id": "24", "context": "A man sits.", "question": "",
         "choices": ["he eats.", "he runs.", "he b", "he c"], "label": 1},
        {"id": "92", "context": "Steps.", "question": "",
         "choices": ["Cut it.", "x", "y", "z"], "label": 3},
    ]
    assert set(manifest["files"]) == {"en/validation"}  # the unlabelled test split is skipped
    assert manifest["label_names"] == ["0", "1", "2", "3"]
    assert manifest["format"] == "multiple_choice"


def test_hand_made_cosmos_qa_drops_unlabelled_rows(tmp_path):
    def row(i, label):
        return {"id": f"c{i}", "context": "Ctx.", "question": "Why?", "answer0": "a0",
                "answer1": "a1", "answer2": "a2", "answer3": "a3", "label": label}

    manifest = _prepare(tmp_path, "cosmos_qa", _hub("cosmos_qa", {
        "train": [row(0, 2), row(1, -1), row(2, 0)]}))
    assert read_split(tmp_path / "cosmos_qa", "en", "train").to_pylist() == [
        {"id": "c0", "context": "Ctx.", "question": "Why?",
         "choices": ["a0", "a1", "a2", "a3"], "label": 2},
        {"id": "c2", "context": "Ctx.", "question": "Why?",
         "choices": ["a0", "a1", "a2", "a3"], "label": 0},
    ]
    assert manifest["dropped_unlabelled_rows"] == {"en/train": 1}


def test_hand_made_commonsense_qa(tmp_path):
    choices = {"label": ["A", "B", "C", "D", "E"], "text": ["bank", "park", "zoo", "sea", "sky"]}
    manifest = _prepare(tmp_path, "commonsense_qa", _hub("commonsense_qa", {"validation": [
        {"id": "k1", "question": "Where is money?", "question_concept": "money",
         "choices": choices, "answerKey": "A"},
        {"id": "k2", "question": "Where are fish?", "question_concept": "fish",
         "choices": choices, "answerKey": "D"},
    ]}))
    assert read_split(tmp_path / "commonsense_qa", "en", "validation").to_pylist() == [
        {"id": "k1", "context": "", "question": "Where is money?",
         "choices": ["bank", "park", "zoo", "sea", "sky"], "label": 0},
        {"id": "k2", "context": "", "question": "Where are fish?",
         "choices": ["bank", "park", "zoo", "sea", "sky"], "label": 3},
    ]
    assert manifest["label_names"] == ["A", "B", "C", "D", "E"]


def test_choice_layouts_reject_bad_rows(tmp_path):
    bad_label = _hub("hellaswag", {"train": [_hellaswag_row(1, "a", "b", ["1"] * 4, "7")]})
    with pytest.raises(ValueError, match="label '7'"):
        _prepare(tmp_path, "hellaswag", bad_label)
    same_id = _hub("hellaswag", {"train": [_hellaswag_row(1, "a", "b", ["1"] * 4, "0")] * 2})
    with pytest.raises(ValueError, match="ids occur more than once \\(first: '1'\\)"):
        _prepare(tmp_path, "hellaswag", same_id)


def test_hand_made_udpos_and_panx(tmp_path):
    udpos = {"kk": DatasetDict({"test": Dataset.from_list(
        [{"tokens": ["Мен", "келдім", "."], "pos_tags": [10, 15, 12]}],
        features=HUB["xtreme_udpos"][0])})}
    manifest = _prepare(tmp_path, "xtreme_udpos", udpos, ["kk"])
    assert read_split(tmp_path / "xtreme_udpos", "kk", "test").to_pylist() == [
        {"id": "test-kk-0", "tokens": ["Мен", "келдім", "."], "tags": ["PRON", "VERB", "PUNCT"]}]
    assert manifest["label_names"] == UPOS
    assert manifest["format"] == "tagging"
    panx = {"de": DatasetDict({"validation": Dataset.from_list(
        [{"tokens": ["Angela", "Merkel", "in", "Berlin"], "ner_tags": [1, 2, 0, 5],
          "langs": ["de"] * 4}], features=HUB["xtreme_panx"][0])})}
    _prepare(tmp_path, "xtreme_panx", panx, ["de"])
    assert read_split(tmp_path / "xtreme_panx", "de", "validation").to_pylist() == [
        {"id": "validation-de-0", "tokens": ["Angela", "Merkel", "in", "Berlin"],
         "tags": ["B-PER", "I-PER", "O", "B-LOC"]}]


# --- CCGbank AUTO files ---------------------------------------------------------------------

AUTO_00 = (
    "ID=wsj_0001.1 PARSER=GOLD NUMPARSE=1\n"
    "(<T S[dcl] 0 2> (<T S[dcl] 1 2> (<T NP 0 2> (<L N/N NNP NNP Pierre N_73/N_73>) "
    "(<L N NNP NNP Vinken N>) ) (<T S[dcl]\\NP 0 2> (<L (S[dcl]\\NP)/NP VBZ VBZ likes "
    "(S[dcl]\\NP_10)/NP_11>) (<L NP NNS NNS cats NP>) ) ) (<L . . . . .>) )\n"
    "ID=wsj_0001.2 PARSER=GOLD NUMPARSE=1\n"
    "(<T S[dcl] 0 2> (<L NP PRP PRP It NP>) (<L S[dcl]\\NP VBD VBD rained S[dcl]\\NP_5>) )\n"
)
AUTO_19 = ("ID=wsj_1900.1 PARSER=GOLD NUMPARSE=1\n"
           "(<T NP 0 1> (<L N NN NN Hello N>) )\n")
AUTO_22 = ("ID=wsj_2200.1 PARSER=GOLD NUMPARSE=1\n"
           "(<T NP 0 2> (<L NP[nb]/N DT DT The NP[nb]_1/N_1>) (<L N NN NN end N>) )\n")


def _ccgbank(root):
    for section, text in (("00", AUTO_00), ("19", AUTO_19), ("22", AUTO_22)):
        directory = root / "data" / "AUTO" / section
        directory.mkdir(parents=True)
        (directory / f"wsj_{section}00.auto").write_text(text)
    return root


def test_read_auto_extracts_words_and_categories(tmp_path):
    path = tmp_path / "wsj_0001.auto"
    path.write_text(AUTO_00)
    assert read_auto(path) == [
        ("wsj_0001.1", ["Pierre", "Vinken", "likes", "cats", "."],
         ["N/N", "N", "(S[dcl]\\NP)/NP", "NP", "."]),
        ("wsj_0001.2", ["It", "rained"], ["NP", "S[dcl]\\NP"]),
    ]


def test_local_ccgbank_is_prepared_by_sections(tmp_path):
    root = _ccgbank(tmp_path / "ccgbank_1_1")
    spec = dataset_spec({"schema": "ccgbank", "source": "local", "path": str(root)})
    manifest = write_prepared("ccgbank", spec, load_raw("ccgbank", spec, {}), tmp_path / "ccg")
    assert {key: entry["rows"] for key, entry in manifest["files"].items()} == {
        "en/train": 2, "en/validation": 1, "en/test": 1}
    assert read_split(tmp_path / "ccg", "en", "validation").to_pylist() == [
        {"id": "wsj_1900.1", "tokens": ["Hello"], "tags": ["N"]}]
    # the tag set is every category of every split, sorted (the test split's NP[nb]/N too)
    assert manifest["label_names"] == sorted(
        {"N/N", "N", "(S[dcl]\\NP)/NP", "NP", ".", "S[dcl]\\NP", "NP[nb]/N"})
    # the release files read, each with its content hash (no hub revision)
    assert {key: value for key, value in manifest["source"].items() if key != "files"} == {
        "source": "local", "path": str(root)}
    assert sorted(manifest["source"]["files"]) == [
        "data/AUTO/00/wsj_0000.auto", "data/AUTO/19/wsj_1900.auto", "data/AUTO/22/wsj_2200.auto"]


def test_local_ccgbank_without_a_split_names_the_sections(tmp_path):
    root = _ccgbank(tmp_path / "ccgbank")
    (root / "data/AUTO/22/wsj_2200.auto").unlink()
    with pytest.raises(FileNotFoundError, match="sections 22-24"):
        load_raw("ccgbank", dataset_spec({"schema": "ccgbank", "source": "local",
                                          "path": str(root)}), {})


def test_read_auto_rejects_a_derivation_without_id(tmp_path):
    path = tmp_path / "bad.auto"
    path.write_text("(<T NP 0 1> (<L N NN NN Hello N>) )\n")
    with pytest.raises(ValueError, match="without ID"):
        read_auto(path)


# --- evaluation on test where a language has no dev split ---------------------------------------


def test_eval_splits_leave_out_or_fall_back_where_the_split_is_missing():
    manifest = {"files": {"en/validation": {}, "en/test": {}, "kk/test": {}}}
    without = {"dataset": "udpos", "split": "validation"}
    assert eval_splits(data_ref(without), manifest, ["en", "kk"]) == (
        {"en": "validation"}, {"kk": "no validation split in udpos"})
    with_fallback = {**without, "fallback_split": "test"}
    assert eval_splits(data_ref(with_fallback), manifest, ["en", "kk"]) == (
        {"en": "validation", "kk": "test"}, {})
    with pytest.raises(ValueError, match="udpos: no language has split 'validation'"):
        eval_splits(data_ref(without), manifest, ["kk"])


def test_pos_dev_average_is_over_the_languages_with_a_dev_split(tmp_path):
    # three languages with a dev split, one (kk) with test only, as UD-POS's kk, th, tl, yo.
    # The paper's toolkit: dev average over en, de, ru; kk joins at test time only.
    languages = ["en", "de", "ru", "kk"]
    _prepare(tmp_path, "xtreme_udpos", _generate("xtreme_udpos", languages), languages)
    spec = {"task": "udpos", "format": "tagging", "metric": "pos_f1", "languages": languages,
            "eval": {"dataset": "xtreme_udpos", "split": "validation"}}

    def predictions(language, split, wrong):
        table = read_split(tmp_path / "xtreme_udpos", language, split)
        return {key: ["X"] * len(tags) if i < wrong else tags for i, (key, tags) in
                enumerate(zip(table.column("id").to_pylist(), table.column("tags").to_pylist(),
                              strict=True))}

    # en, de, ru all right (F1 100); kk all wrong on test (F1 0)
    by_language = {language: predictions(language, "validation", 0) for language in languages[:3]}
    result = score_predictions(task_spec(spec), tmp_path, by_language)
    assert result["score"] == 100.0  # (100 + 100 + 100) / 3, not (300 + 0) / 4 = 75
    assert result["left_out"] == {"kk": "no validation split in xtreme_udpos"}
    with pytest.raises(ValueError, match=r"predictions for \['kk'\], which have no"):
        score_predictions(task_spec(spec), tmp_path,
                          {**by_language, "kk": predictions("kk", "test", EVAL)})
    fallback = {**spec, "eval": {**spec["eval"], "fallback_split": "test"}}
    with_kk = score_predictions(task_spec(fallback), tmp_path,
                                {**by_language, "kk": predictions("kk", "test", EVAL)})
    assert with_kk["languages"]["kk"]["f1"] == 0.0 and with_kk["score"] == 75.0


def test_languages_without_dev_are_scored_on_test(tmp_path):
    raw = _generate("xtreme_udpos", ["en", "kk"])
    _prepare(tmp_path, "xtreme_udpos", raw, ["en", "kk"])
    spec = {"task": "udpos", "format": "tagging", "metric": "pos_f1", "languages": ["en", "kk"],
            "eval": {"dataset": "xtreme_udpos", "split": "validation", "fallback_split": "test"}}
    gold = {language: dict(zip(table.column("id").to_pylist(), table.column("tags").to_pylist(),
                               strict=True))
            for language, table in (
                ("en", read_split(tmp_path / "xtreme_udpos", "en", "validation")),
                ("kk", read_split(tmp_path / "xtreme_udpos", "kk", "test")))}
    result = score_predictions(task_spec(spec), tmp_path, gold)
    assert result["splits"] == {"en": "validation", "kk": "test"}
    assert result["languages"]["kk"] == {"f1": 100.0, "count": EVAL}
    assert result["score"] == 100.0
    without = {**spec, "eval": {"dataset": "xtreme_udpos", "split": "validation"}}
    with pytest.raises(ValueError, match=r"predictions for \['kk'\], which have no"):
        score_predictions(task_spec(without), tmp_path, gold)


def test_tagging_metrics_score_by_id():
    gold = {"s1": ["B-PER", "I-PER", "O"], "s2": ["B-LOC"]}
    # entities PER and LOC; the prediction (in another id order) finds PER only:
    # P 1, R 1/2, F1 2/3
    result = METRICS["entity_f1"].score({"s2": ["O"], "s1": ["B-PER", "I-PER", "O"]}, gold, "de")
    assert result == {"f1": pytest.approx(200 / 3), "count": 2}
    with pytest.raises(ValueError, match="'s2'"):
        METRICS["pos_f1"].score({"s1": ["X", "X", "X"]}, gold, "de")


# --- rows whose licensed data is missing ----------------------------------------------------


def test_missing_local_data_makes_the_row_unavailable(paper_config, tmp_path):
    config = validate(paper_config)
    reasons = unavailable_rows(config)
    assert list(reasons) == ["ccg", "multitask"]  # multi-task trains on ccg too
    for row in reasons:
        assert "'ccgbank'" in reasons[row] and "/path/to/ccgbank_1_1" in reasons[row]
    paper_config["datasets"]["ccgbank"]["path"] = str(tmp_path)
    assert unavailable_rows(validate(paper_config)) == {}


def test_demo_ccg_row_is_available(paper_config, demo_overrides):
    assert unavailable_rows(validate(merge(paper_config, demo_overrides))) == {}


def test_local_source_needs_a_path_that_exists_unless_optional(paper_config, tmp_path):
    validate(merge(paper_config, {"datasets": {"qqp": {"source": "local",
                                                       "path": str(tmp_path)}}}))
    # a wrong path of data that is not licensed stops validation (no silent empty row)
    with pytest.raises(ConfigError, match="'datasets.qqp.path': directory '/x' does not exist"):
        validate(merge(paper_config, {"datasets": {"qqp": {"source": "local", "path": "/x"}}}))
    assert unavailable_rows(validate(merge(paper_config, {"datasets": {"ccgbank": {
        "path": "/x"}}}))) == dict.fromkeys(["ccg", "multitask"], unavailable_rows(
            validate(paper_config))["ccg"].replace("/path/to/ccgbank_1_1", "/x"))
    del paper_config["datasets"]["ccgbank"]["path"]
    with pytest.raises(ConfigError, match="datasets.ccgbank.path' is required"):
        validate(paper_config)


CATEGORIES = {"xnli": "classification", "udpos": "structured_prediction"}


def test_table2_shows_unavailable_row_with_its_reason(tmp_path):
    scores = {("baseline", "xnli"): {"score": 80.0}, ("baseline", "udpos"): {"score": 70.0}}
    header, body = table2(scores, ["baseline", "ccg"], ["xnli", "udpos"], CATEGORIES,
                          {"ccg": "no CCGbank, at x"})
    assert header == ["intermediate", "xnli", "udpos", "classification",
                      "structured_prediction", "average", "note"]
    # baseline: average (80 + 70) / 2 = 75; the ccg row is empty but for its note
    assert body == [["baseline", 80.0, 70.0, 80.0, 70.0, 75.0, ""],
                    ["ccg", None, None, None, None, None, "no CCGbank, at x"]]
    write_csv(tmp_path / "t.csv", header, body)
    assert (tmp_path / "t.csv").read_text().splitlines()[1:] == [
        "baseline,80.00,70.00,80.00,70.00,75.00,",
        'ccg,,,,,,"no CCGbank, at x"',
    ]


def test_table2_has_no_note_column_when_every_row_is_there():
    header, _ = table2({("mnli", "xnli"): {"score": 1.0}}, ["mnli"], ["xnli"], CATEGORIES, {})
    assert header[-1] == "average"


def test_prepared_manifest_of_demo_ccg_lists_its_tags(tmp_path):
    manifest = _prepare(tmp_path, "ccgbank", _generate("ccgbank"))
    tags = {tag for key in manifest["files"] for sentence in read_split(
        tmp_path / "ccgbank", *key.split("/")).column("tags").to_pylist() for tag in sentence}
    assert manifest["label_names"] == sorted(tags)
    assert read_manifest(tmp_path / "ccgbank") == manifest
