"""BUCC and Tatoeba: hub layouts, demo generator and canonical records (xstilts.data)."""

import re

import pytest
from datasets import Dataset, DatasetDict, Features, Value
from specs import dataset_spec

from xstilts.data.demo import NAMES, generate
from xstilts.data.layouts import LAYOUTS
from xstilts.formats.retrieval import gold
from xstilts.metrics.retrieval import side
from xstilts.store.prepared import read_manifest, read_split, write_prepared

S = Value("string")
# The hub's published layout (google/xtreme bucc18.<lang>, tatoeba.<lang3>), written out
# independently of xstilts.data.layouts.retrieval: {schema: splits}, same four columns.
FEATURES = Features({"source_sentence": S, "target_sentence": S, "source_lang": S,
                     "target_lang": S})
HUB_SPLITS = {"xtreme_bucc": {"validation", "test"}, "xtreme_tatoeba": {"validation"}}
TRAIN, EVAL = 6, 4


def _generate(schema_name, languages=("de",), seed=0):
    return generate(LAYOUTS[schema_name], schema_name, list(languages), TRAIN, EVAL, seed)


def _hub(splits: dict[str, list[dict]]) -> DatasetDict:
    return DatasetDict({name: Dataset.from_list(rows, features=FEATURES)
                        for name, rows in splits.items()})


def _records(dataset_dir, language, split):
    return read_split(dataset_dir, language, split).to_pylist()


# --- the demo generator writes the hub's layout --------------------------------------------


@pytest.mark.parametrize("schema_name", sorted(HUB_SPLITS))
def test_generated_data_has_hub_splits_and_features(schema_name):
    raw = _generate(schema_name, ["de", "zh"])
    assert set(raw) == {"de", "zh"}  # one hub configuration per language
    for dataset_dict in raw.values():
        assert set(dataset_dict) == HUB_SPLITS[schema_name]
        for split, dataset in dataset_dict.items():
            assert dataset.features == FEATURES, split
            assert all(dataset.features[name].dtype == "string" for name in FEATURES)


def test_bucc_demo_has_pairs_then_unpaired_sentences_on_each_side():
    rows = _generate("xtreme_bucc")["de"]["validation"].to_list()
    # EVAL pairs, then EVAL // 2 German sentences and EVAL // 2 English ones without partner
    assert len(rows) == EVAL + 2 * (EVAL // 2) == 8
    pairs, german, english = rows[:4], rows[4:6], rows[6:]
    assert all(row["source_sentence"] and row["target_sentence"] for row in pairs)
    assert all(row["source_sentence"] and not row["target_sentence"] for row in german)
    assert all(not row["source_sentence"] and row["target_sentence"] for row in english)
    # source_lang / target_lang hold BUCC sentence ids, "" where there is no sentence
    assert [row["source_lang"] for row in rows] == [f"de-{n:09d}" for n in range(6)] + ["", ""]
    assert [row["target_lang"] for row in rows] == (
        [f"en-{n:09d}" for n in range(4)] + ["", ""] + [f"en-{n:09d}" for n in (6, 7)])


def test_tatoeba_demo_is_aligned_pairs_with_language_columns():
    rows = _generate("xtreme_tatoeba", ["ar"])["ar"]["validation"].to_list()
    assert len(rows) == EVAL
    assert all(row["source_sentence"] and row["target_sentence"] for row in rows)
    assert {(row["source_lang"], row["target_lang"]) for row in rows} == {("ar", "eng")}


def _is_anchor(word):
    return word in NAMES or word.isdigit()


def _anchors(text):
    return {word for word in text.split() if _is_anchor(word)}


def test_translations_share_a_name_and_a_number_only():
    rows = _generate("xtreme_tatoeba", ["ru", "zh", "ar"])
    for language, dataset_dict in rows.items():
        for row in dataset_dict["validation"]:
            source, target = row["source_sentence"], row["target_sentence"]
            anchors = _anchors(source)
            assert len(anchors) == 2 and anchors == _anchors(target), (language, row)
            # apart from the anchors, no word is shared (different scripts for these three)
            assert set(source.split()) & set(target.split()) == anchors


def test_non_latin_source_sentences_use_their_script():
    raw = _generate("xtreme_bucc", ["ru", "zh"])
    for language, letters in (("ru", "[\u0400-\u04ff]+"), ("zh", "[\u4e00-\u9fff]+")):
        for row in raw[language]["test"]:
            # Chinese runs without spaces; only the anchors stand apart
            words = [w for w in row["source_sentence"].split() if not _is_anchor(w)]
            assert all(re.fullmatch(letters, word) for word in words), row
            assert words or not row["source_sentence"]  # "" for an English-only row


def test_generator_is_deterministic():
    def as_rows(raw):
        return {key: {split: ds.to_list() for split, ds in dd.items()} for key, dd in raw.items()}

    first = as_rows(_generate("xtreme_bucc", ["de", "zh"], seed=3))
    assert first == as_rows(_generate("xtreme_bucc", ["de", "zh"], seed=3))
    assert first != as_rows(_generate("xtreme_bucc", ["de", "zh"], seed=4))


# --- canonical records -----------------------------------------------------------------------


def test_hand_made_bucc_converts_with_sentence_ids(tmp_path):
    raw = {"fr": _hub({"validation": [
        {"source_sentence": "Le chat dort.", "target_sentence": "The cat sleeps.",
         "source_lang": "fr-000000001", "target_lang": "en-000000042"},
        {"source_sentence": "Il pleut.", "target_sentence": "",
         "source_lang": "fr-000000007", "target_lang": ""},
        {"source_sentence": "", "target_sentence": "It snows.",
         "source_lang": "", "target_lang": "en-000000003"},
    ]})}
    spec = {"schema": "xtreme_bucc", "source": "hub", "path": "google/xtreme",
            "name": "bucc18.{lang}", "revision": "abc", "languages": ["fr"]}
    manifest = write_prepared("bucc", dataset_spec(spec), raw, tmp_path / "bucc")
    # a pair's id joins its two BUCC ids; a sentence without partner keeps its own; the
    # missing side is None
    assert _records(tmp_path / "bucc", "fr", "validation") == [
        {"id": "fr-000000001/en-000000042", "source": "Le chat dort.",
         "target": "The cat sleeps."},
        {"id": "fr-000000007", "source": "Il pleut.", "target": None},
        {"id": "en-000000003", "source": None, "target": "It snows."},
    ]
    assert manifest["format"] == "retrieval"
    assert manifest["label_names"] == []
    assert manifest["dropped_unlabelled_rows"] == {}
    assert read_manifest(tmp_path / "bucc")["files"]["fr/validation"]["rows"] == 3


def test_hand_made_tatoeba_strips_line_breaks(tmp_path):
    # The hub's loader kept each line's "\n"; the language columns are not ids.
    raw = {"de": _hub({"validation": [
        {"source_sentence": "Ich bin Tom.\n", "target_sentence": "I am Tom.\n",
         "source_lang": "deu", "target_lang": "eng"},
        {"source_sentence": " Hallo!\n", "target_sentence": "Hello!\n",
         "source_lang": "deu", "target_lang": "eng"},
    ]})}
    spec = {"schema": "xtreme_tatoeba", "source": "demo", "languages": ["de"]}
    write_prepared("tatoeba", dataset_spec(spec), raw, tmp_path / "tatoeba")
    assert _records(tmp_path / "tatoeba", "de", "validation") == [
        {"id": "validation-de-0", "source": "Ich bin Tom.", "target": "I am Tom."},
        {"id": "validation-de-1", "source": "Hallo!", "target": "Hello!"},
    ]


def test_row_without_any_sentence_is_rejected(tmp_path):
    raw = {"de": _hub({"validation": [
        {"source_sentence": "a", "target_sentence": "b", "source_lang": "deu",
         "target_lang": "eng"},
        {"source_sentence": "\n", "target_sentence": "", "source_lang": "deu",
         "target_lang": "eng"},
    ]})}
    spec = {"schema": "xtreme_tatoeba", "source": "demo", "languages": ["de"]}
    with pytest.raises(ValueError, match=r"'tatoeba', split 'validation' \(de\): row 1 has "
                                         "neither"):
        write_prepared("tatoeba", dataset_spec(spec), raw, tmp_path / "tatoeba")
    assert not (tmp_path / "tatoeba").exists()


def test_generated_bucc_prepared_gold_and_sides(tmp_path):
    spec = {"schema": "xtreme_bucc", "source": "demo", "languages": ["zh"]}
    write_prepared("bucc", dataset_spec(spec), _generate("xtreme_bucc", ["zh"]), tmp_path / "bucc")
    table = read_split(tmp_path / "bucc", "zh", "test")
    ids = table.column("id").to_pylist()
    pair_ids = [f"zh-{n:09d}/en-{n:09d}" for n in range(4)]
    assert ids == pair_ids + ["zh-000000004", "zh-000000005", "en-000000006", "en-000000007"]
    # gold: {source sentence id: target sentence id}; sentence ids are row ids
    assert gold(table) == {pair_id: pair_id for pair_id in pair_ids}
    source_ids, sources = side(table, "source")
    target_ids, targets = side(table, "target")
    assert source_ids == ids[:6] and target_ids == ids[:4] + ids[6:]
    assert sources == table.column("source").to_pylist()[:6]
    assert None not in sources + targets
