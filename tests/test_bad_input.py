"""Each kind of bad configuration stops everything before any job runs, with one message
naming the key, the value and what is allowed (xstilts.config.validate, which the
Snakefile calls first; tests/test_workflow.py checks that Snakemake stops there)."""

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
    "hub source without revision": (
        {"model": {"revision": None}},
        ["config key 'model.revision'", "None"]),
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
    from xstilts.data.prepared import split_path

    assert split_path(tmp_path, "zh", "validation_mt") == tmp_path / "zh/validation_mt.parquet"
    for language, split in (("../../x", "train"), ("en", "../train"), ("..", "train")):
        with pytest.raises(ValueError, match="is not a plain file name"):
            split_path(tmp_path, language, split)


def test_a_duplicated_pawsx_id_stops_preparation(tmp_path):
    from datasets import DatasetDict

    from xstilts.data.demo import generate
    from xstilts.data.prepared import write_prepared
    from xstilts.data.schemas import SCHEMAS

    raw = generate(SCHEMAS["xtreme_pawsx"], "pawsx", ["en", "de"], 8, 4, 0)
    de = raw["de"]["validation"]
    ids = de["id"]
    raw["de"] = DatasetDict({**raw["de"], "validation": de.map(
        lambda row, i: {"id": ids[0] if i == 3 else row["id"]}, with_indices=True)})
    with pytest.raises(ValueError, match=f"dataset 'pawsx', split 'validation' \\(de\\): 1 ids "
                                         f"occur more than once \\(first: '{ids[0]}'\\)"):
        write_prepared("pawsx", {"schema": "xtreme_pawsx", "source": "demo",
                                 "languages": ["en", "de"]}, raw, tmp_path / "pawsx")
