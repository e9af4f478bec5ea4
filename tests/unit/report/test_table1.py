"""Table 1: task sizes counted from prepared datasets' manifests (hand-made here)."""

import json
from pathlib import Path

import pytest

from xstilts.config import validate
from xstilts.report.table1 import HEADER, datasets_read, describe_tasks, load_manifests, table1
from xstilts.report.table2 import write_csv

ROWS = {  # dataset -> {"<language>/<split>": rows}
    "mnli": {"en/train": 100, "en/validation_matched": 10},
    "snli": {"en/train": 50, "en/validation": 5},
    "udpos": {"en/train": 30, "en/validation": 4, "en/test": 6, "kk/test": 7},
    "bucc": {"de/validation": 3, "de/test": 9, "fr/validation": 2, "fr/test": 8},
}
TASKS = [
    {"task": "nli", "role": "intermediate", "format": "pair_classification",
     "languages": ["en"],
     "train": [{"dataset": "mnli", "split": "train", "languages": ["en"]},
               {"dataset": "snli", "split": "train", "languages": ["en"]}],
     "dev": [{"dataset": "mnli", "split": "validation_matched", "languages": ["en"]}],
     "test": []},
    {"task": "udpos", "role": "target", "format": "tagging", "languages": ["en", "kk"],
     "train": [{"dataset": "udpos", "split": "train", "languages": ["en"]}],
     "dev": [{"dataset": "udpos", "split": "validation", "fallback_split": "test",
              "languages": ["en", "kk"]}],
     "test": [{"dataset": "udpos", "split": "test", "languages": ["en", "kk"]}]},
    {"task": "bucc", "role": "target", "format": "retrieval", "languages": ["de", "fr"],
     "train": [],
     "dev": [{"dataset": "bucc", "split": "validation", "languages": ["de", "fr"]}],
     "test": [{"dataset": "bucc", "split": "tatoeba", "languages": ["de", "fr"]}]},
]


def prepared(root: Path, rows: dict, misaligned: dict | None = None) -> list[Path]:
    """Dataset directories with a manifest each, as data preparation writes them
    (`misaligned`: {dataset: its manifest's misaligned_answers})."""
    directories = []
    for dataset, files in rows.items():
        directory = root / dataset
        directory.mkdir(parents=True)
        manifest = {"dataset": dataset, "files": {key: {"rows": count, "sha256": "0" * 64}
                                                  for key, count in files.items()},
                    **({"misaligned_answers": misaligned[dataset]}
                       if dataset in (misaligned or {}) else {})}
        (directory / "manifest.json").write_text(json.dumps(manifest))
        directories.append(directory)
    return directories


@pytest.fixture
def manifests(tmp_path):
    return load_manifests(prepared(tmp_path, ROWS))


def test_sizes_are_summed_over_parts_and_languages(manifests):
    header, body = table1(TASKS, manifests)
    assert header == HEADER
    assert body == [
        ["nli", "intermediate", "pair_classification", 150, 10, None, 1, "en", 0, 0],
        # kk has no validation split: its test split counts as dev (4 + 7), test 6 + 7
        ["udpos", "target", "tagging", 30, 11, 13, 2, "en kk", 0, 0],
        # no training data; no split 'tatoeba' anywhere: test stays empty
        ["bucc", "target", "retrieval", None, 5, None, 2, "de fr", 0, 0],
    ]


def test_unavailable_task_keeps_its_row_with_the_reason(manifests, tmp_path):
    header, body = table1(TASKS[:2], manifests, {"nli": "licensed data missing"})
    assert header == [*HEADER, "note"]
    assert body[0][3:6] == [None, None, None] and body[0][-1] == "licensed data missing"
    assert body[1][-1] == ""
    write_csv(tmp_path / "table1.csv", header, body)
    assert (tmp_path / "table1.csv").read_text().splitlines()[1] == (
        "nli,intermediate,pair_classification,,,,1,en,,,licensed data missing")


def test_missing_split_names_the_manifest(tmp_path):
    manifests = load_manifests(prepared(tmp_path, {"mnli": {"en/train": 1}, "snli": {}}))
    with pytest.raises(ValueError, match="no split 'train' in language 'en'") as error:
        table1(TASKS[:1], manifests)
    assert str(error.value).startswith(str(tmp_path / "snli" / "manifest.json"))


def test_missing_manifest_of_a_dataset_is_named(manifests):
    task = {**TASKS[0], "train": [{"dataset": "anli", "split": "train", "languages": ["en"]}]}
    with pytest.raises(ValueError, match="dataset 'anli': no manifest given"):
        table1([task], manifests)


@pytest.mark.parametrize("record", [{"sha256": "0"}, {"rows": "12"}, {"rows": -1},
                                    {"rows": 2.0}, {"rows": True}, 3])
def test_malformed_manifest_names_file_and_key(tmp_path, record):
    directory = tmp_path / "mnli"
    directory.mkdir()
    (directory / "manifest.json").write_text(json.dumps({"files": {"en/train": record}}))
    with pytest.raises(ValueError, match=r"files\['en/train'\].rows") as error:
        load_manifests([directory])
    assert str(error.value).startswith(str(directory / "manifest.json"))


@pytest.mark.parametrize("manifest", [{}, [], {"files": []}, "files"])
def test_manifest_without_files_mapping_is_named(tmp_path, manifest):
    directory = tmp_path / "mnli"
    directory.mkdir()
    (directory / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ValueError, match="expected a JSON object with a 'files' mapping") as error:
        load_manifests([directory])
    assert str(error.value).startswith(str(directory / "manifest.json"))


def test_realigned_answers_are_counted_in_the_splits_a_row_counts(tmp_path):
    squad = {"en/train": {"realigned": 40, "unaligned": 2}, "en/validation": {"realigned": 3},
             "de/validation": {"realigned": 7, "unaligned": 1}}
    manifests = load_manifests(prepared(
        tmp_path, {"squad": {"en/train": 90, "en/validation": 9, "de/validation": 8}},
        {"squad": squad}))
    qa = {"task": "xquad", "role": "target", "format": "extractive_qa", "languages": ["en"],
          "train": [{"dataset": "squad", "split": "train", "languages": ["en"]}],
          "dev": [{"dataset": "squad", "split": "validation", "languages": ["en"]}],
          "test": []}
    assert table1([qa], manifests)[1][0][-2:] == [43, 2]  # de/validation is not read


def test_described_tasks_follow_the_config(paper_config):
    config = validate(paper_config)
    anli, multitask, udpos, bucc = describe_tasks(config, ["anli_plus", "multitask"],
                                                  ["udpos", "bucc"])
    assert [ref["dataset"] for ref in anli["train"]] == ["anli"] * 3 + ["mnli", "snli"]
    assert anli["languages"] == ["en"] and anli["test"] == []
    # a mixture counts every part's data
    assert len(multitask["train"]) == sum(len(config["intermediate_tasks"][name]["train"])
                                          for name in config["intermediate_tasks"]["multitask"]
                                          ["tasks"])
    assert udpos["dev"] == [{"dataset": "udpos", "split": "validation",
                             "languages": config["target_tasks"]["udpos"]["languages"]}]
    assert bucc["train"] == [] and bucc["test"][0]["split"] == "test"


def test_datasets_read_leave_out_unavailable_tasks():
    assert datasets_read(TASKS, {}) == ["bucc", "mnli", "snli", "udpos"]
    assert datasets_read(TASKS, {"nli": "missing"}) == ["bucc", "udpos"]
