"""Every kind of bad configuration stops everything before any job runs, in at most a few
lines naming the file or key, the value and what was expected (xstilts.config: `load_yaml`
for the files, `validate` for the values; rules/common.smk calls both before Snakemake
builds a job, which the end-to-end cases at the bottom check).

One table: cases written by hand, and the integral-float, boolean, huge and negative
variants of every integer key of config/schema.yaml, generated from the schema.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml
from workflow import copy_workflow, snakemake

from xstilts.config import ConfigError, load, load_schema, merge, validate

REPO = Path(__file__).resolve().parents[3]
PAPER = REPO / "config" / "config.yaml"
SEED_MAX = 2**32 - 1

# name -> (overlay on the paper configuration, fragments its message holds). An overlay is
# a mapping merged as --configfile merges it, or YAML text written to a file ({file} in a
# fragment is that file's path).
CASES = {
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
    "unpinned revision": (  # one line per unpinned dataset
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
    "missing local model": (
        {"model": {"source": "local", "path": "/nonexistent/xlm-roberta-large"}},
        ["config key 'model.path'", "'/nonexistent/xlm-roberta-large'", "does not exist"]),
    "positive label no dataset has": (
        {"intermediate_tasks": {"qqp": {"positive_label": "dupl1cate"}}},
        ["config key 'intermediate_tasks.qqp.positive_label'", "'dupl1cate'",
         "labels: not_duplicate, duplicate"]),
    "one bootstrap resample": (
        {"bootstrap": {"resamples": 1}},
        ["config key 'bootstrap.resamples'", "at least 1000"]),
    "too few resamples for 99%": (
        {"bootstrap": {"resamples": 1000, "confidence": 0.99}},
        ["config key 'bootstrap.resamples'", "1000", "at least 5000"]),
    "required key removed": (
        {"experiment": None},
        ["config key 'experiment' is required", "experiment: null"]),
    "removed task another is based on": (
        {"intermediate_tasks": {"mnli": None}},
        ["config key 'intermediate_tasks.mnli_mlm.base'", "'mnli' was removed",
         "intermediate_tasks.mnli: null"]),
    "removed task still a row and a part of the mixture": (
        {"intermediate_tasks": {"qqp": None}},
        ["config key 'experiment.intermediate': task 'qqp' was removed",
         "config key 'intermediate_tasks.multitask.tasks': 'qqp' was removed"]),
    "seed beyond 32 bits": (
        {"seeds": [SEED_MAX + 1]},
        ["config key 'seeds.0'", "4294967296", "maximum of 4294967295"]),
    "seed written as 1e23": (
        "seeds: [1e23]\n",
        ["config key 'seeds.0'", "'1e23'", "not of type 'integer'"]),
    "YAML 1.1 boolean for a string": (
        "datasets:\n  udpos:\n    name: no\n",
        ["config key 'datasets.udpos.name'", "False", "quote the string"]),
    "YAML 1.1 exponent without a dot": (
        "training:\n  learning_rate: 1e-3\n",
        ["config key 'training.learning_rate'", "'1e-3'", "write 1.0e-3"]),
    "alias": (
        "lr: &lr 1.0e-5\ntraining:\n  learning_rate: *lr\n",
        ["{file}:3", "alias *lr refused"]),
    "alias bomb nested under a key": (
        "l1: &l1 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        + "".join(f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]\n" for i in range(2, 10))
        + "training:\n  learning_rate: *l9\n",
        ["{file}:2", "alias *l1 refused"]),
    "merge key": (
        "training:\n  <<: {learning_rate: 1.0e-5}\n",
        ["{file}:2", "merge key '<<' refused"]),
    "tab indentation": (
        "training:\n\tlearning_rate: 1.0e-5\n",
        ["{file}:2", "not valid YAML", "indent with spaces"]),
    "YAML syntax error": (
        "experiment:\n  targets: [xnli, pawsx\nseeds: [1]\n",
        ["{file}:3", "not valid YAML"]),
    "list at the top level": (
        "- training\n- seeds\n",
        ["{file}: expected a mapping of configuration keys", "not a list"]),
    "key given twice": (
        "training:\n  learning_rate: 1.0e-5\n  warmup_ratio: 0.1\n  learning_rate: 3.0e-3\n",
        ["{file}:4", "key 'learning_rate' is given twice", "first on line 2"]),
}
# Cases whose message lists one problem per line, more than a few of them.
MANY_PROBLEMS = {"unpinned revision"}


def integer_keys(schema: dict, config: dict) -> dict[tuple, dict]:
    """{path in `config`: its schema} for every integer key of the schema, each schema
    entry once: at the first place of the paper configuration where its parent exists
    (task keys in the first task of a fitting format), else where it would be."""
    definitions = schema["definitions"]
    found: dict[int, tuple[tuple, dict, bool]] = {}

    def walk(node: dict, instance, path: tuple, parent_exists: bool) -> None:
        if "$ref" in node:
            walk(definitions[node["$ref"].rsplit("/", 1)[1]], instance, path, parent_exists)
        for sub in node.get("allOf", []):
            condition = sub.get("if", {}).get("properties", {}).get("format", {}).get("const")
            if "if" not in sub:
                walk(sub, instance, path, parent_exists)
            elif isinstance(instance, dict) and instance.get("format") == condition:
                walk(sub["then"], instance, path, parent_exists)
        if node.get("type") == "integer":
            earlier = found.get(id(node))
            if earlier is None or (parent_exists and not earlier[2]):
                found[id(node)] = (path, node, parent_exists)
        mapping = instance if isinstance(instance, dict) else {}
        for key, sub in node.get("properties", {}).items():
            walk(sub, mapping.get(key), (*path, key), isinstance(instance, dict))
        if isinstance(node.get("additionalProperties"), dict):
            for key, value in mapping.items():
                walk(node["additionalProperties"], value, (*path, key), True)
        if "items" in node and isinstance(instance, list) and instance:
            walk(node["items"], instance[0], (*path, 0), True)

    walk(schema, config, (), True)
    return {path: node for path, node, _ in found.values()}


def set_at(config: dict, path: tuple, value) -> dict:
    config = copy.deepcopy(config)
    place = config
    for key in path[:-1]:
        place = place.setdefault(key, {}) if isinstance(place, dict) else place[key]
    place[path[-1]] = value
    return config


def integer_cases() -> dict:
    """The variants of every integer key that a job would trip over far from the cause."""
    config = yaml.safe_load(PAPER.read_text())
    cases = {}
    for path, node in integer_keys(load_schema(), config).items():
        key = ".".join(map(str, path))
        valid = node.get("default", node.get("minimum", 1))
        variants = {"integral float": (float(valid), "not of type 'integer'"),
                    "boolean": (True, "not of type 'integer'"),
                    "huge": (2**64, "outside the 64-bit integer range"),
                    "huge float": (1e23, "not of type 'integer'"),
                    "negative": (-1, "minimum")}
        if path[-1] == "seed" or path[0] == "seeds":
            variants["beyond 32 bits"] = (SEED_MAX + 1, "maximum of 4294967295")
        for variant, (value, expected) in variants.items():
            cases[f"{key} {variant}"] = ((path, value), [f"config key '{key}'", expected])
    return cases


ALL_CASES = {**CASES, **integer_cases()}


def refusal(overlay, paper: dict, tmp_path: Path) -> str:
    """The message that refuses the paper configuration with `overlay` applied."""
    with pytest.raises(ConfigError) as error:
        if isinstance(overlay, str):
            path = tmp_path / "overlay.yaml"
            path.write_text(overlay)
            load([PAPER, path])
        elif isinstance(overlay, tuple):
            validate(set_at(paper, *overlay))
        else:
            validate(merge(paper, overlay))
    return str(error.value)


@pytest.mark.parametrize("case", ALL_CASES)
def test_bad_configuration_is_refused_naming_key_and_expectation(paper_config, tmp_path,
                                                                  case):
    overlay, fragments = ALL_CASES[case]
    message = refusal(overlay, paper_config, tmp_path)
    fragments = [fragment.format(file=tmp_path / "overlay.yaml") for fragment in fragments]
    assert all(fragment in message for fragment in fragments), message
    if case not in MANY_PROBLEMS:
        assert len(message.splitlines()) <= 3, message


def test_every_integer_key_of_the_schema_is_generated():
    """The generator reaches keys of every part of the schema (shared hyperparameters, task
    keys, extractive-QA keys, data references, model, datasets, seeds)."""
    keys = {".".join(map(str, path))
            for path in integer_keys(load_schema(), yaml.safe_load(PAPER.read_text()))}
    for key in ("training.selection_examples", "intermediate_tasks.anli_plus.batch_size",
                "intermediate_tasks.squad_v1.doc_stride", "bootstrap.resamples",
                "intermediate_tasks.anli_plus.train.0.max_examples", "model.build.vocab_size",
                "seeds.0", "subsample.seed", "demo.train_examples"):
        assert key in keys, sorted(keys)


def test_boundary_values_are_accepted(paper_config):
    validate(merge(paper_config, {"seeds": [0, SEED_MAX], "model": {"seed": SEED_MAX},
                                  "bootstrap": {"resamples": 5000, "confidence": 0.99}}))


def test_the_paper_and_demo_configurations_are_valid(paper_config, demo_overrides):
    validate(paper_config)
    validate(merge(paper_config, demo_overrides))


def test_a_split_path_never_leaves_its_dataset_directory(tmp_path):
    from xstilts.store.prepared import split_path

    assert split_path(tmp_path, "zh", "validation_mt") == tmp_path / "zh/validation_mt.parquet"
    for language, split in (("../../x", "train"), ("en", "../train"), ("..", "train")):
        with pytest.raises(ValueError, match="is not a plain file name"):
            split_path(tmp_path, language, split)


# Snakemake's dry run stops at the same door (rules/common.smk), before any job is built.
END_TO_END = ["alias bomb nested under a key", "required key removed", "seed beyond 32 bits",
              "missing local model"]


@pytest.mark.workflow
@pytest.mark.parametrize("case", END_TO_END)
def test_snakemake_stops_at_the_door(tmp_path, case):
    overlay, fragments = CASES[case]
    workdir = copy_workflow(tmp_path)
    path = workdir / "overlay.yaml"
    path.write_text(overlay if isinstance(overlay, str) else yaml.safe_dump(overlay))
    result = snakemake(workdir, "--cores", "1", "--configfile", "overlay.yaml", check=False,
                       timeout=300)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert all(fragment.format(file="overlay.yaml") in output for fragment in fragments), output
    assert "Job stats" not in output, output
    assert not (workdir / "data").exists() and not (workdir / "logs").exists()


def test_cross_references_are_checked_together_each_naming_its_key(paper_config):
    from xstilts.config.checks import check_references

    config = validate(paper_config)
    config["experiment"] = {**config["experiment"], "targets": ["xnli", "xnlii"]}
    config["table3"] = {**config["table3"], "intermediate": {"pawsx": "mnlii"}}
    with pytest.raises(ConfigError) as error:
        check_references(config)
    message = str(error.value)
    assert "'experiment.targets': task 'xnlii' is not defined under 'target_tasks'" in message
    assert "'table3.intermediate.pawsx': not a target task of the experiment" in message
    assert "'mnlii' is not a row of Table 2" in message
