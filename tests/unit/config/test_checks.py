"""Each kind of bad configuration stops everything before any job runs, with one message
naming the key, the value and what is allowed (xstilts.config.validate, which the
Snakefile calls first; tests/workflow/test_workflow.py checks that Snakemake stops there)."""

from pathlib import Path

import pytest

from xstilts.config import ConfigError, merge, validate

MATRIX = {
    "unknown task": (
        {"experiment": {"targets": ["xnli", "xnlj"]}},
        ["config key 'experiment.targets'", "'xnlj'", "defined: "]),
    "unknown language": (
        {"target_tasks": {"pawsx": {"languages": ["en", "xx"]}}},
        ["config key 'target_tasks.pawsx.eval'", "'xx'", "datasets.pawsx.languages"]),
    "misspelt key": (
        {"training": {"learning_rte": 1e-5}},
        ["config key 'training'", "'learning_rte'", "allowed keys: "]),
    "wrong type": (
        {"intermediate_tasks": {"mnli": {"epochs": "two"}}},
        ["config key 'intermediate_tasks.mnli.epochs'", "'two'", "not of type"]),
    "negative hyperparameter": (
        {"training": {"learning_rate": -1e-5}},
        ["config key 'training.learning_rate'", "-1e-05", "minimum"]),
    "zero batch size": (
        {"target_tasks": {"xnli": {"batch_size": 0}}},
        ["config key 'target_tasks.xnli.batch_size'", "0", "minimum"]),
    "retrieval layer the model lacks": (
        {"model": {"source": "build", "retrieval_layer": 5,
                   "build": {"num_hidden_layers": 2}}},
        ["retrieval_layer", "5", "2"]),
    "unpinned revision": (
        {"pinned_revisions": True},
        ["config key 'datasets.xnli.revision'", "'main'", "40-character commit hash"]),
    "hub source without revision": (  # null removes the key (an overlay's way to drop one)
        {"model": {"revision": None}},
        ["config key 'model.revision'", "required for a hub source"]),
    "configs key that would leave data/prepared": (
        {"datasets": {"udpos": {"configs": {"../../../../x": "udpos.English"}}}},
        ["config key 'datasets.udpos.configs'", "'../../../../x'", "does not match"]),
    "misspelt eval split": (
        {"target_tasks": {"pawsx": {"eval": {"dataset": "pawsx", "split": "validaton"}}}},
        ["config key 'target_tasks.pawsx.eval'", "'validaton'", "prepares: train, validation"]),
    "misspelt train split": (
        {"intermediate_tasks": {"mnli": {"train": [{"dataset": "mnli", "split": "trian"}]}}},
        ["config key 'intermediate_tasks.mnli.train'", "'trian'", "'mnli'"]),
    "unlabelled split": (
        {"target_tasks": {"xnli": {"train": [{"dataset": "mnli", "split": "test_matched"}]}}},
        ["config key 'target_tasks.xnli.train'", "'test_matched'"]),
    "missing local directory": (
        {"datasets": {"mnli": {"source": "local", "path": "/nonexistent/glue/MNLI"}}},
        ["config key 'datasets.mnli.path'", "'/nonexistent/glue/MNLI'", "does not exist"]),
    "name that could reach a shell": (
        {"experiment": {"intermediate": ["mnli;reboot"]}},
        ["config key 'experiment.intermediate'", "'mnli;reboot'"]),
}


@pytest.mark.parametrize("case", MATRIX)
def test_bad_configuration_is_named(paper_config, case):
    override, fragments = MATRIX[case]
    with pytest.raises(ConfigError) as error:
        validate(merge(paper_config, override))
    message = str(error.value)
    assert all(fragment in message for fragment in fragments), message


def test_the_paper_and_demo_configurations_are_valid(paper_config, demo_overrides):
    validate(paper_config)
    validate(merge(paper_config, demo_overrides))


def test_a_split_path_never_leaves_its_dataset_directory(tmp_path):
    from xstilts.store.prepared import split_path

    assert split_path(tmp_path, "zh", "validation_mt") == tmp_path / "zh/validation_mt.parquet"
    for language, split in (("../../x", "train"), ("en", "../train"), ("..", "train")):
        with pytest.raises(ValueError, match="is not a plain file name"):
            split_path(tmp_path, language, split)


def test_a_key_given_twice_in_a_config_file_is_refused(tmp_path):
    from xstilts.config import check_config_files, load

    paper = Path(__file__).resolve().parents[3] / "config" / "config.yaml"
    path = tmp_path / "twice.yaml"
    path.write_text("training:\n  learning_rate: 1.0e-5\n  warmup_ratio: 0.1\n"
                    "  learning_rate: 3.0e-3\n")
    message = f"{path}:4: key 'learning_rate' is given twice in one mapping \\(first on line 2\\)"
    with pytest.raises(ConfigError, match=message):
        load([paper, path])
    with pytest.raises(ConfigError, match=message):
        check_config_files([paper, path])
    check_config_files([paper])
