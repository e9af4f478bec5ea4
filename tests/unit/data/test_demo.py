"""Hub layouts, the demo generator and the canonical prepared format (xstilts.data)."""

import hashlib
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from datasets import ClassLabel, Dataset, DatasetDict, Features, Value
from specs import dataset_spec

from xstilts.data.demo import generate
from xstilts.data.layouts import LAYOUTS
from xstilts.store.prepared import read_manifest, read_split, write_prepared

NLI = ["entailment", "neutral", "contradiction"]
S = Value("string")

# The hub's published layouts, written out independently of xstilts.data.layouts.
# {schema: (splits, features, splits whose labels the hub hides as -1)}
HUB = {
    "glue_mnli": (
        {"train", "validation_matched", "validation_mismatched", "test_matched",
         "test_mismatched"},
        Features({"premise": S, "hypothesis": S, "label": ClassLabel(names=NLI),
                  "idx": Value("int32")}),
        {"test_matched", "test_mismatched"},
    ),
    "glue_qqp": (
        {"train", "validation", "test"},
        Features({"question1": S, "question2": S,
                  "label": ClassLabel(names=["not_duplicate", "duplicate"]),
                  "idx": Value("int32")}),
        {"test"},
    ),
    "anli": (
        {f"{part}_r{r}" for r in (1, 2, 3) for part in ("train", "dev", "test")},
        Features({"uid": S, "premise": S, "hypothesis": S, "label": ClassLabel(names=NLI),
                  "reason": S}),
        set(),
    ),
    "snli": (
        {"train", "validation", "test"},
        Features({"premise": S, "hypothesis": S, "label": ClassLabel(names=NLI)}),
        set(),
    ),
    "xtreme_xnli": (
        {"validation", "test"},
        Features({"language": S, "sentence1": S, "sentence2": S, "gold_label": S}),
        set(),
    ),
    "xtreme_pawsx": (
        {"train", "validation", "test"},
        Features({"sentence1": S, "sentence2": S, "label": S}),
        set(),
    ),
}
TRAIN, EVAL = 6, 4


def _generate(schema_name, languages=("en",), seed=0):
    return generate(LAYOUTS[schema_name], schema_name, list(languages), TRAIN, EVAL, seed)


# --- the demo generator writes the hub's layouts ----------------------------------------------


@pytest.mark.parametrize("schema_name", sorted(HUB))
def test_generated_data_has_hub_splits_and_features(schema_name):
    splits, features, unlabeled = HUB[schema_name]
    raw = _generate(schema_name)
    for dataset_dict in raw.values():
        assert isinstance(dataset_dict, DatasetDict)
        assert set(dataset_dict) == splits
        for split, dataset in dataset_dict.items():
            assert dataset.features == features, split
            # dtypes spelt out, so that a failing comparison says which one
            for column, feature in features.items():
                if isinstance(feature, ClassLabel):
                    assert dataset.features[column].names == feature.names
                else:
                    assert dataset.features[column].dtype == feature.dtype
            size = TRAIN if split.startswith("train") else EVAL
            assert dataset.num_rows == size
            labels = list(dataset["gold_label" if schema_name == "xtreme_xnli" else "label"])
            if split in unlabeled:
                assert set(labels) == {-1}  # the hub hides GLUE test labels
            elif isinstance(features.get("label"), ClassLabel):
                assert set(labels) <= set(range(len(features["label"].names)))
                assert -1 not in labels


def test_generated_label_values_follow_hub_encoding():
    xnli = _generate("xtreme_xnli", ["en", "de"])[None]["test"]
    assert set(xnli["gold_label"]) <= set(NLI)
    pawsx = _generate("xtreme_pawsx", ["en"])["en"]["train"]
    assert set(pawsx["label"]) <= {"0", "1"}
    mnli = _generate("glue_mnli")["en"]["train"]
    assert list(mnli["idx"]) == list(range(TRAIN))


def test_multilingual_configurations():
    # XNLI: one hub configuration holding every language, told apart by `language`.
    xnli = _generate("xtreme_xnli", ["en", "de", "zh"])
    assert list(xnli) == [None]
    validation = xnli[None]["validation"]
    assert validation.num_rows == 3 * EVAL
    assert sorted(validation["language"]) == sorted(["en", "de", "zh"] * EVAL)
    # PAWS-X: one hub configuration (PAWS-X.<lang>) per language.
    pawsx = _generate("xtreme_pawsx", ["en", "de"])
    assert set(pawsx) == {"en", "de"}


def _as_rows(raw):
    return {key: {split: ds.to_list() for split, ds in dd.items()} for key, dd in raw.items()}


@pytest.mark.parametrize("schema_name", ["glue_mnli", "xtreme_xnli", "xtreme_pawsx"])
def test_generator_is_deterministic(schema_name):
    languages = ["en", "ru"]
    first = _as_rows(_generate(schema_name, languages, seed=3))
    again = _as_rows(_generate(schema_name, languages, seed=3))
    other = _as_rows(_generate(schema_name, languages, seed=4))
    assert first == again
    assert first != other


def _letters(text):
    return [char for char in text if not char.isspace()]


def test_non_latin_languages_use_their_script():
    raw = _generate("xtreme_pawsx", ["en", "ru", "zh"])
    texts = {lang: list(raw[lang]["train"]["sentence1"]) + list(raw[lang]["train"]["sentence2"])
             for lang in ("en", "ru", "zh")}
    for text in texts["ru"]:
        # Cyrillic block U+0400..U+04FF; words separated by spaces
        assert all("\u0400" <= char <= "\u04ff" for char in _letters(text)), text
        assert " " in text
    for text in texts["zh"]:
        # CJK Unified Ideographs U+4E00..U+9FFF, written without spaces
        assert text and all("\u4e00" <= char <= "\u9fff" for char in text), text
        assert " " not in text
    for text in texts["en"]:
        assert all("a" <= char <= "z" for char in _letters(text)), text


def test_xnli_languages_get_their_own_script():
    validation = _generate("xtreme_xnli", ["en", "ru"])[None]["validation"]
    for row in validation:
        cyrillic = all("\u0400" <= c <= "\u04ff" for c in _letters(row["sentence1"]))
        assert cyrillic == (row["language"] == "ru")


# --- prepared (canonical) format --------------------------------------------------------------


def _records(dataset_dir, language, split):
    return read_split(dataset_dir, language, split).to_pylist()


def _hub_dict(features, splits: dict[str, list[dict]]) -> DatasetDict:
    return DatasetDict({name: Dataset.from_list(rows, features=features)
                        for name, rows in splits.items()})


def test_write_prepared_layout_manifest_and_hashes(tmp_path):
    spec = {"schema": "glue_mnli", "source": "demo"}
    manifest = write_prepared("mnli", dataset_spec(spec), _generate("glue_mnli"), tmp_path / "mnli")
    out = tmp_path / "mnli"
    # Unlabelled GLUE test splits are skipped; the rest are en/<split>.parquet.
    expected_files = {"en/train", "en/validation_matched", "en/validation_mismatched"}
    on_disk = {str(p.relative_to(out).with_suffix("")) for p in out.rglob("*.parquet")}
    assert on_disk == expected_files
    assert set(manifest["files"]) == expected_files
    assert read_manifest(out) == manifest
    assert json.loads((out / "manifest.json").read_text()) == manifest
    assert manifest["dataset"] == "mnli"
    assert manifest["label_names"] == NLI
    assert manifest["dropped_unlabelled_rows"] == {}
    for key, entry in manifest["files"].items():
        path = out / f"{key}.parquet"
        assert entry["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
        assert entry["rows"] == (TRAIN if key == "en/train" else EVAL)
        table = pq.read_table(path)
        assert table.column_names == ["id", "text_a", "text_b", "label"]
        assert pa.types.is_string(table.schema.field("id").type)
        assert pa.types.is_string(table.schema.field("text_a").type)
        assert pa.types.is_integer(table.schema.field("label").type)
        assert table.num_rows == entry["rows"]
    # No temporary directory is left behind after a successful run.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mnli"]


def test_generated_rows_survive_conversion(tmp_path):
    raw = _generate("glue_qqp")
    write_prepared("qqp", dataset_spec({"schema": "glue_qqp", "source": "demo"}), raw,
                   tmp_path / "qqp")
    hub = raw["en"]["validation"].to_list()
    canonical = _records(tmp_path / "qqp", "en", "validation")
    assert canonical == [{"id": str(row["idx"]), "text_a": row["question1"],
                          "text_b": row["question2"], "label": row["label"]} for row in hub]


def test_hand_made_glue_mnli_converts(tmp_path):
    _, features, _ = HUB["glue_mnli"]
    raw = {None: _hub_dict(features, {
        "train": [
            {"premise": "A man eats.", "hypothesis": "Someone eats.", "label": 0, "idx": 0},
            {"premise": "A dog runs.", "hypothesis": "A cat sleeps.", "label": 2, "idx": 1},
            {"premise": "It rains.", "hypothesis": "It is cold.", "label": 1, "idx": 7},
        ],
        "validation_matched": [
            {"premise": "P", "hypothesis": "H", "label": 1, "idx": 42},
        ],
        "test_matched": [
            {"premise": "T", "hypothesis": "U", "label": -1, "idx": 0},
        ],
    })}
    spec = {"schema": "glue_mnli", "source": "hub", "path": "nyu-mll/glue", "name": "mnli",
            "revision": "abc123"}
    manifest = write_prepared("mnli", dataset_spec(spec), raw, tmp_path / "mnli")
    # ids are the hub's idx as strings; ClassLabel integers are kept as they are.
    assert _records(tmp_path / "mnli", "en", "train") == [
        {"id": "0", "text_a": "A man eats.", "text_b": "Someone eats.", "label": 0},
        {"id": "1", "text_a": "A dog runs.", "text_b": "A cat sleeps.", "label": 2},
        {"id": "7", "text_a": "It rains.", "text_b": "It is cold.", "label": 1},
    ]
    assert _records(tmp_path / "mnli", "en", "validation_matched") == [
        {"id": "42", "text_a": "P", "text_b": "H", "label": 1}]
    assert set(manifest["files"]) == {"en/train", "en/validation_matched"}
    assert manifest["source"] == {"source": "hub", "path": "nyu-mll/glue", "name": "mnli",
                                  "revision": "abc123"}


def test_hand_made_anli_uses_uid(tmp_path):
    _, features, _ = HUB["anli"]
    raw = {None: _hub_dict(features, {"dev_r2": [
        {"uid": "u-1", "premise": "p1", "hypothesis": "h1", "label": 2, "reason": "why"},
        {"uid": "u-2", "premise": "p2", "hypothesis": "h2", "label": 0, "reason": ""},
    ]})}
    write_prepared("anli", dataset_spec({"schema": "anli", "source": "demo"}), raw,
                   tmp_path / "anli")
    assert _records(tmp_path / "anli", "en", "dev_r2") == [
        {"id": "u-1", "text_a": "p1", "text_b": "h1", "label": 2},
        {"id": "u-2", "text_a": "p2", "text_b": "h2", "label": 0},
    ]


def test_hand_made_snli_drops_and_counts_unlabelled_rows(tmp_path):
    _, features, _ = HUB["snli"]
    raw = {None: _hub_dict(features, {
        "train": [{"premise": "a", "hypothesis": "b", "label": 1}],
        "validation": [
            {"premise": "p0", "hypothesis": "h0", "label": 0},
            {"premise": "p1", "hypothesis": "h1", "label": -1},  # no gold label
            {"premise": "p2", "hypothesis": "h2", "label": 2},
            {"premise": "p3", "hypothesis": "h3", "label": -1},  # no gold label
        ],
    })}
    manifest = write_prepared("snli", dataset_spec({"schema": "snli", "source": "demo"}), raw,
                              tmp_path / "snli")
    # No id column: ids are <split>-<language>-<row index in the hub split>, so the two
    # kept rows are 0 and 2; two rows dropped.
    assert _records(tmp_path / "snli", "en", "validation") == [
        {"id": "validation-en-0", "text_a": "p0", "text_b": "h0", "label": 0},
        {"id": "validation-en-2", "text_a": "p2", "text_b": "h2", "label": 2},
    ]
    assert manifest["dropped_unlabelled_rows"] == {"en/validation": 2}
    assert manifest["files"]["en/validation"]["rows"] == 2
    assert manifest["files"]["en/train"]["rows"] == 1


def test_hand_made_xnli_is_split_by_language(tmp_path):
    _, features, _ = HUB["xtreme_xnli"]
    raw = {None: _hub_dict(features, {"test": [
        {"language": "en", "sentence1": "e0", "sentence2": "f0", "gold_label": "neutral"},
        {"language": "de", "sentence1": "d0", "sentence2": "g0", "gold_label": "contradiction"},
        {"language": "en", "sentence1": "e1", "sentence2": "f1", "gold_label": "entailment"},
        {"language": "fr", "sentence1": "x", "sentence2": "y", "gold_label": "neutral"},
    ]})}
    spec = {"schema": "xtreme_xnli", "source": "demo", "languages": ["en", "de"]}
    manifest = write_prepared("xnli", dataset_spec(spec), raw, tmp_path / "xnli")
    # Label names become indices in NLI order; ids count rows within each language;
    # fr is not among the prepared languages.
    assert _records(tmp_path / "xnli", "en", "test") == [
        {"id": "test-en-0", "text_a": "e0", "text_b": "f0", "label": 1},
        {"id": "test-en-1", "text_a": "e1", "text_b": "f1", "label": 0},
    ]
    assert _records(tmp_path / "xnli", "de", "test") == [
        {"id": "test-de-0", "text_a": "d0", "text_b": "g0", "label": 2}]
    assert set(manifest["files"]) == {"en/test", "de/test"}


def test_hand_made_pawsx_digit_labels(tmp_path):
    _, features, _ = HUB["xtreme_pawsx"]
    raw = {
        "de": _hub_dict(features, {"test": [
            {"sentence1": "a", "sentence2": "b", "label": "1"},
            {"sentence1": "c", "sentence2": "d", "label": "0"},
        ]}),
        "zh": _hub_dict(features, {"test": [
            {"sentence1": "甲", "sentence2": "乙", "label": "0"}]}),
    }
    spec = {"schema": "xtreme_pawsx", "source": "demo", "languages": ["de", "zh"]}
    manifest = write_prepared("pawsx", dataset_spec(spec), raw, tmp_path / "pawsx")
    assert manifest["label_names"] == ["not_paraphrase", "paraphrase"]
    assert _records(tmp_path / "pawsx", "de", "test") == [
        {"id": "test-de-0", "text_a": "a", "text_b": "b", "label": 1},
        {"id": "test-de-1", "text_a": "c", "text_b": "d", "label": 0},
    ]
    assert _records(tmp_path / "pawsx", "zh", "test") == [
        {"id": "test-zh-0", "text_a": "甲", "text_b": "乙", "label": 0}]


def test_generated_xnli_prepared_per_language(tmp_path):
    languages = ["en", "ru", "zh"]
    raw = _generate("xtreme_xnli", languages)
    spec = {"schema": "xtreme_xnli", "source": "demo", "languages": languages}
    manifest = write_prepared("xnli", dataset_spec(spec), raw, tmp_path / "xnli")
    assert set(manifest["files"]) == {f"{lang}/{split}" for lang in languages
                                      for split in ("validation", "test")}
    hub_zh = [row for row in raw[None]["validation"] if row["language"] == "zh"]
    zh = _records(tmp_path / "xnli", "zh", "validation")
    assert len(zh) == EVAL
    assert [r["text_a"] for r in zh] == [row["sentence1"] for row in hub_zh]
    assert [r["label"] for r in zh] == [NLI.index(row["gold_label"]) for row in hub_zh]


def test_interrupted_preparation_leaves_no_dataset(tmp_path):
    _, features, _ = HUB["xtreme_xnli"]
    raw = {None: _hub_dict(features, {"validation": [
        {"language": "en", "sentence1": "a", "sentence2": "b", "gold_label": "entailment"},
        {"language": "en", "sentence1": "c", "sentence2": "d", "gold_label": "maybe"},
    ]})}
    spec = {"schema": "xtreme_xnli", "source": "demo", "languages": ["en"]}
    with pytest.raises(ValueError, match=r"dataset 'xnli', split 'validation' \(en\): "
                                         r"label 'maybe' is not one of"):
        write_prepared("xnli", dataset_spec(spec), raw, tmp_path / "xnli")
    assert not (tmp_path / "xnli").exists()
    assert not (tmp_path / "xnli.partial").exists()


def test_digit_label_out_of_range_is_rejected(tmp_path):
    _, features, _ = HUB["xtreme_pawsx"]
    raw = {"en": _hub_dict(features, {"validation": [
        {"sentence1": "a", "sentence2": "b", "label": "7"}]})}
    spec = {"schema": "xtreme_pawsx", "source": "demo", "languages": ["en"]}
    with pytest.raises(ValueError, match="label '7' is not one of"):
        write_prepared("pawsx", dataset_spec(spec), raw, tmp_path / "pawsx")


def test_interrupted_preparation_keeps_previous_dataset_untouched(tmp_path):
    # A complete earlier preparation survives a failing rerun.
    spec = {"schema": "xtreme_pawsx", "source": "demo", "languages": ["en"]}
    good = write_prepared("pawsx", dataset_spec(spec), _generate("xtreme_pawsx"),
                          tmp_path / "pawsx")
    _, features, _ = HUB["xtreme_pawsx"]
    bad = {"en": _hub_dict(features, {"test": [
        {"sentence1": "a", "sentence2": "b", "label": "not a digit"}]})}
    with pytest.raises(ValueError):
        write_prepared("pawsx", dataset_spec(spec), bad, tmp_path / "pawsx")
    assert read_manifest(tmp_path / "pawsx") == good


def test_rerun_replaces_the_whole_dataset(tmp_path):
    # Preparing again with fewer languages leaves no file of the earlier run behind.
    two = {"schema": "xtreme_pawsx", "source": "demo", "languages": ["en", "de"]}
    write_prepared("pawsx", dataset_spec(two), _generate("xtreme_pawsx", ["en", "de"]),
                   tmp_path / "pawsx")
    one = {**two, "languages": ["en"]}
    manifest = write_prepared("pawsx", dataset_spec(one), _generate("xtreme_pawsx", ["en"], seed=5),
                              tmp_path / "pawsx")
    assert not (tmp_path / "pawsx" / "de").exists()
    assert read_manifest(tmp_path / "pawsx") == manifest
    assert set(manifest["files"]) == {"en/train", "en/validation", "en/test"}


def test_split_without_labelled_rows_names_dataset(tmp_path):
    _, features, _ = HUB["snli"]
    raw = {None: _hub_dict(features, {"test": [
        {"premise": "p", "hypothesis": "h", "label": -1}]})}
    with pytest.raises(ValueError, match="'snli': no split has a labelled row .*en/test"):
        write_prepared("snli", dataset_spec({"schema": "snli", "source": "demo"}), raw,
                       tmp_path / "snli")
    assert not (tmp_path / "snli").exists()


def test_read_split_unknown_split_names_dir_and_split(tmp_path):
    write_prepared("qqp", dataset_spec({"schema": "glue_qqp", "source": "demo"}),
                   _generate("glue_qqp"),
                   tmp_path / "qqp")
    with pytest.raises(KeyError) as error:
        read_split(tmp_path / "qqp", "en", "test")  # skipped: unlabelled on the hub
    message = str(error.value)
    assert str(tmp_path / "qqp") in message
    assert "'test'" in message
    with pytest.raises(KeyError, match="'de'"):
        read_split(tmp_path / "qqp", "de", "validation")


def test_read_split_of_unprepared_dataset(tmp_path):
    with pytest.raises(FileNotFoundError, match="manifest"):
        read_split(tmp_path / "missing", "en", "train")


def test_read_split_refuses_a_file_changed_after_preparation(tmp_path):
    write_prepared("qqp", dataset_spec({"schema": "glue_qqp", "source": "demo"}),
                   _generate("glue_qqp"),
                   tmp_path / "qqp")
    assert read_split(tmp_path / "qqp", "en", "train").num_rows > 0
    path = tmp_path / "qqp" / "en" / "train.parquet"
    path.write_bytes(path.read_bytes() + b"\0")
    with pytest.raises(ValueError, match=r"en/train.parquet: content hash .* differs from "
                                         r".* in .*qqp/manifest.json"):
        read_split(tmp_path / "qqp", "en", "train")
