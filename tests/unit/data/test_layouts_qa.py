"""Extractive-QA hub layouts: generated data in the hub's layouts, conversion, TyDiQA."""

import pytest
from datasets import Dataset, DatasetDict, Features, Sequence, Value
from specs import dataset_spec

from xstilts.data.demo import generate
from xstilts.data.layouts import LAYOUTS
from xstilts.data.layouts.qa import tydiqa_language
from xstilts.store.prepared import read_split, write_prepared

S, I32 = Value("string"), Value("int32")
SQUAD_ANSWERS = Sequence({"text": S, "answer_start": I32})
XTREME_ANSWERS = Sequence({"answer_start": I32, "text": S})  # XTREME lists the start first

# The hub's published layouts, written out independently of xstilts.data.layouts.qa.
# {schema: (splits, features in the hub's column order)}
HUB = {
    "squad": ({"train", "validation"},
              Features({"id": S, "title": S, "context": S, "question": S,
                        "answers": SQUAD_ANSWERS})),
    "squad_v2": ({"train", "validation"},
                 Features({"id": S, "title": S, "context": S, "question": S,
                           "answers": SQUAD_ANSWERS})),
    "xtreme_xquad": ({"validation"},
                     Features({"id": S, "context": S, "question": S,
                               "answers": XTREME_ANSWERS})),
    "xtreme_mlqa": ({"validation", "test"},
                    Features({"id": S, "title": S, "context": S, "question": S,
                              "answers": XTREME_ANSWERS})),
    "xtreme_tydiqa": ({"train", "validation"},
                      Features({"id": S, "title": S, "context": S, "question": S,
                                "answers": XTREME_ANSWERS})),
}
LANGUAGES = {"squad": ["en"], "squad_v2": ["en"], "xtreme_xquad": ["en", "de", "ru", "zh"],
             "xtreme_mlqa": ["en", "zh", "ar"], "xtreme_tydiqa": ["en", "ar", "ru", "fi"]}
TRAIN, EVAL = 30, 12
CANONICAL_COLUMNS = ["id", "context", "question", "answers_text", "answers_start"]


def _generate(schema_name, languages=None, seed=0):
    languages = languages or LANGUAGES[schema_name]
    return generate(LAYOUTS[schema_name], schema_name, languages, TRAIN, EVAL, seed)


def _rows(schema_name):
    """(language, split, row) of every generated row."""
    for language, splits in _generate(schema_name).items():
        for split, dataset in splits.items():
            for row in dataset:
                yield language, split, row


# --- generated data in the hub's layouts ------------------------------------------------------


@pytest.mark.parametrize("schema_name", sorted(HUB))
def test_generated_data_has_hub_splits_and_features(schema_name):
    splits, features = HUB[schema_name]
    raw = _generate(schema_name)
    assert set(raw) == set(LANGUAGES[schema_name])  # one hub configuration per language
    for dataset_dict in raw.values():
        assert isinstance(dataset_dict, DatasetDict)
        assert set(dataset_dict) == splits
        for split, dataset in dataset_dict.items():
            assert dataset.features == features, split
            assert list(dataset.features) == list(features)
            assert list(dataset.features["answers"]) == list(features["answers"])
            assert dataset.num_rows == (TRAIN if split == "train" else EVAL)


@pytest.mark.parametrize("schema_name", sorted(HUB))
def test_answers_are_spans_of_the_context(schema_name):
    for _, split, row in _rows(schema_name):
        answers = row["answers"]
        assert len(answers["text"]) == len(answers["answer_start"])
        for text, start in zip(answers["text"], answers["answer_start"], strict=True):
            assert text and row["context"][start:start + len(text)] == text, row
        if answers["text"]:
            assert len(answers["text"]) == (1 if split == "train" else 2)


def test_chinese_is_written_without_spaces_and_other_languages_with():
    for language, _, row in _rows("xtreme_xquad"):
        assert (" " in row["context"]) == (language != "zh")
        if language == "zh":
            assert any("\u4e00" <= char <= "\u9fff" for char in row["context"])


def test_demo_question_repeats_the_words_around_the_answer():
    for _, _, row in _rows("squad"):
        start = row["answers"]["answer_start"][0]
        before = row["context"][:start].split()[-2:]
        after = row["context"][start:].split()[1]
        assert row["question"].split()[1:] == [*before, after]


def test_only_squad_v2_has_unanswerable_questions():
    assert all(row["answers"]["text"] for _, _, row in _rows("squad"))
    squad_v2 = generate(LAYOUTS["squad_v2"], "squad_v2", ["en"], 90, 90, seed=0)["en"]
    for split, dataset in squad_v2.items():
        # about a third of the questions, in training and evaluation data alike
        unanswerable = sum(not answers["text"] for answers in dataset["answers"])
        assert 15 < unanswerable < 45, split
    for _, _, row in _rows("squad_v2"):
        if not row["answers"]["text"]:
            assert row["answers"]["answer_start"] == []
            assert not set(row["question"].split()[1:]) & set(row["context"].split())


def _as_rows(raw):
    return {key: {split: ds.to_list() for split, ds in dd.items()} for key, dd in raw.items()}


def test_generator_is_deterministic():
    first = _as_rows(_generate("xtreme_mlqa", seed=3))
    assert first == _as_rows(_generate("xtreme_mlqa", seed=3))
    assert first != _as_rows(_generate("xtreme_mlqa", seed=4))


# --- conversion to the canonical format -------------------------------------------------------


def _records(dataset_dir, language, split):
    return read_split(dataset_dir, language, split).to_pylist()


def test_hand_made_squad_v2_converts_with_empty_answers(tmp_path):
    _, features = HUB["squad_v2"]
    rows = [
        {"id": "q1", "title": "T", "context": "Paris is in France.", "question": "Where?",
         "answers": {"text": ["France", "in France"], "answer_start": [12, 9]}},
        {"id": "q2", "title": "T", "context": "Paris is in France.", "question": "Why?",
         "answers": {"text": [], "answer_start": []}},
    ]
    raw = {None: DatasetDict({"validation": Dataset.from_list(rows, features=features)})}
    manifest = write_prepared("squad_v2", dataset_spec({"schema": "squad_v2", "source": "hub"}),
                              raw,
                              tmp_path / "squad_v2")
    assert manifest["format"] == "extractive_qa"
    assert manifest["label_names"] == []
    assert read_split(tmp_path / "squad_v2", "en", "validation").column_names == \
        CANONICAL_COLUMNS
    assert _records(tmp_path / "squad_v2", "en", "validation") == [
        {"id": "q1", "context": "Paris is in France.", "question": "Where?",
         "answers_text": ["France", "in France"], "answers_start": [12, 9]},
        {"id": "q2", "context": "Paris is in France.", "question": "Why?",
         "answers_text": [], "answers_start": []},
    ]


def test_generated_xquad_survives_conversion(tmp_path):
    languages = ["en", "zh"]
    raw = _generate("xtreme_xquad", languages)
    spec = {"schema": "xtreme_xquad", "source": "demo", "languages": languages}
    manifest = write_prepared("xquad", dataset_spec(spec), raw, tmp_path / "xquad")
    assert set(manifest["files"]) == {"en/validation", "zh/validation"}
    hub = raw["zh"]["validation"].to_list()
    assert _records(tmp_path / "xquad", "zh", "validation") == [
        {"id": row["id"], "context": row["context"], "question": row["question"],
         "answers_text": row["answers"]["text"], "answers_start": row["answers"]["answer_start"]}
        for row in hub]


# --- TyDiQA: one hub configuration, the language in each id -----------------------------------


def test_tydiqa_language_comes_from_the_id_prefix():
    assert tydiqa_language("arabic-2387335860751143628-1") == "ar"
    assert tydiqa_language("english-1-0") == "en"
    assert tydiqa_language("telugu-77-3") == "te"
    with pytest.raises(ValueError, match="'japanese-1-0'"):
        tydiqa_language("japanese-1-0")


def _tydiqa_row(question_id, context="abc def", question="q"):
    return {"id": question_id, "title": "t", "context": context, "question": question,
            "answers": {"answer_start": [4], "text": ["def"]}}


def test_hand_made_tydiqa_is_split_by_language_and_trains_on_english_only(tmp_path):
    _, features = HUB["xtreme_tydiqa"]
    raw = {None: DatasetDict({
        "train": Dataset.from_list([
            _tydiqa_row("arabic-11-0"), _tydiqa_row("english-12-0", "one two"),
            _tydiqa_row("finnish-13-0"), _tydiqa_row("english-14-1", "three four"),
            _tydiqa_row("korean-15-0"),  # not a prepared language
        ], features=features),
        "validation": Dataset.from_list([
            _tydiqa_row("english-21-0"), _tydiqa_row("arabic-22-0"), _tydiqa_row("arabic-23-4"),
            _tydiqa_row("finnish-24-0"),
        ], features=features),
    })}
    spec = {"schema": "xtreme_tydiqa", "source": "hub", "languages": ["ar", "en", "fi"]}
    manifest = write_prepared("tydiqa", dataset_spec(spec), raw, tmp_path / "tydiqa")
    # What `{dataset: tydiqa, split: train}` (language en) reads: the English part only.
    train = _records(tmp_path / "tydiqa", "en", "train")
    assert [row["id"] for row in train] == ["english-12-0", "english-14-1"]
    assert [row["context"] for row in train] == ["one two", "three four"]
    assert [row["id"] for row in _records(tmp_path / "tydiqa", "ar", "validation")] == [
        "arabic-22-0", "arabic-23-4"]
    assert manifest["files"]["fi/train"]["rows"] == 1
    assert "ko/train" not in manifest["files"]


def test_tydiqa_demo_ids_carry_the_language():
    raw = _generate("xtreme_tydiqa")
    for language, splits in raw.items():
        for dataset in splits.values():
            assert {tydiqa_language(question_id) for question_id in dataset["id"]} == {language}
    with pytest.raises(ValueError, match="'zh'"):
        _generate("xtreme_tydiqa", ["zh"])


def test_generated_tydiqa_prepared_per_language(tmp_path):
    languages = LANGUAGES["xtreme_tydiqa"]
    spec = {"schema": "xtreme_tydiqa", "source": "demo", "languages": languages}
    manifest = write_prepared("tydiqa", dataset_spec(spec), _generate("xtreme_tydiqa"),
                              tmp_path / "tydiqa")
    assert set(manifest["files"]) == {f"{lang}/{split}" for lang in languages
                                      for split in ("train", "validation")}
    english = _records(tmp_path / "tydiqa", "en", "train")
    assert len(english) == TRAIN
    assert all(row["id"].startswith("english-") for row in english)


def test_answers_off_their_offset_are_realigned_or_never_trained_on(tmp_path):
    """Known misalignments of the release files are counted in the manifest, as official
    loaders tolerate them; an answer whose text is nowhere in the context is kept for
    scoring, never used as a training target."""
    _, features = HUB["squad"]
    context = "Paris is in France. France is big."
    rows = [
        {"id": "ok", "title": "T", "context": context, "question": "Where?",
         "answers": {"text": ["France"], "answer_start": [12]}},
        {"id": "shifted", "title": "T", "context": context, "question": "Where?",
         "answers": {"text": ["France"], "answer_start": [18]}},  # nearest: 20
        {"id": "past_the_end", "title": "T", "context": context, "question": "Where?",
         "answers": {"text": ["Lyon"], "answer_start": [400]}},
    ]
    raw = {None: DatasetDict({"train": Dataset.from_list(rows, features=features)})}
    manifest = write_prepared("squad_v1", dataset_spec({"schema": "squad", "source": "hub"}), raw,
                              tmp_path / "squad_v1")
    assert manifest["misaligned_answers"] == {"en/train": {"realigned": 1, "unaligned": 1}}
    records = _records(tmp_path / "squad_v1", "en", "train")
    assert [record["answers_start"] for record in records] == [[12], [20], [-1]]
    assert records[2]["answers_text"] == ["Lyon"]  # still a gold answer for scoring

    from xstilts.formats import extractive_qa
    from xstilts.models.base import train_tokenizer

    assert extractive_qa.first_answer_chars(["Lyon"], [-1]) is None
    assert extractive_qa.first_answer_chars(["x", "France"], [-1, 12]) == (12, 18)
    tokenizer = train_tokenizer([context, "Where?"] * 5, 40)
    table = read_split(tmp_path / "squad_v1", "en", "train")
    # one window per aligned question (the contexts are short), none for the unaligned one
    assert len(extractive_qa.featurize(table, tokenizer, 64, 32)) == 2


def test_duplicate_ids_stop_preparation(tmp_path):
    _, features = HUB["squad"]
    row = {"id": "q1", "title": "T", "context": "a b", "question": "q",
           "answers": {"text": ["a"], "answer_start": [0]}}
    raw = {None: DatasetDict({"train": Dataset.from_list([row, row], features=features)})}
    with pytest.raises(ValueError, match="split 'train' \\(en\\): 1 ids occur more than once "
                                         "\\(first: 'q1'\\)"):
        write_prepared("squad_v1", dataset_spec({"schema": "squad", "source": "hub"}), raw,
                       tmp_path / "s")
    assert not (tmp_path / "s").exists() and not (tmp_path / "s.partial").exists()
