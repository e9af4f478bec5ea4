"""Validation of the experiment configuration (xstilts.config)."""

import copy

import pytest

from xstilts.config import ConfigError, merge, resolve_task, rows, validate
from xstilts.formats import FORMAT_MODULES
from xstilts.spec import DataRef, MaskedLM


def test_deep_merge_helper():
    # The helper itself: nested keys merge, lists and scalars are replaced wholesale.
    merged = merge({"a": {"x": 1, "y": [1, 2]}, "b": 1}, {"a": {"y": [3]}, "c": 2})
    assert merged == {"a": {"x": 1, "y": [3]}, "b": 1, "c": 2}


# --- valid configurations ---------------------------------------------------------------------


def test_paper_config_validates(paper_config):
    config = validate(paper_config)
    assert config["model"]["path"] == "FacebookAI/xlm-roberta-large"
    assert config["training"]["learning_rate"] == 1.0e-5
    # Table 2: baseline first, then the intermediate tasks in the order of `experiment`.
    assert rows(config) == ["baseline", "anli_plus", "mnli", "qqp", "squad_v1", "squad_v2",
                            "hellaswag", "cosmosqa", "commonsenseqa", "ccg", "multitask"]


def test_validate_does_not_modify_its_argument(paper_config):
    before = copy.deepcopy(paper_config)
    validate(paper_config)
    assert paper_config == before


def test_demo_merged_over_paper_validates(paper_config, demo_overrides):
    config = validate(merge(paper_config, demo_overrides))
    # demo values win ...
    assert config["model"]["source"] == "build"
    assert config["model"]["build"]["hidden_size"] == 64
    demo_lr = demo_overrides["training"]["learning_rate"]
    assert config["training"]["learning_rate"] == demo_lr != 1e-5
    assert config["datasets"]["xnli"]["languages"] == ["en", "de", "ru", "zh"]
    assert config["target_tasks"]["xnli"]["languages"] == ["en", "de", "ru", "zh"]
    assert config["intermediate_tasks"]["mnli"]["max_length"] == 64
    # ... and what the demo does not mention stays the paper's
    assert config["datasets"]["xnli"]["schema"] == "xtreme_xnli"
    assert config["training"]["weight_decay"] == 0.01
    assert config["target_tasks"]["xnli"]["metric"] == "accuracy"
    assert config["intermediate_tasks"]["anli_plus"]["train"][0] == {
        "dataset": "anli", "split": "train_r1", "language": "en"}


def test_defaults_are_filled(paper_config):
    del paper_config["training"]["early_stopping_patience"]
    del paper_config["seeds"]
    config = validate(paper_config)
    assert config["training"]["early_stopping_patience"] == 30  # schema default
    assert config["seeds"] == [1]
    assert config["model"]["seed"] == 0
    # The paper configuration has no `demo` section: all of its defaults appear.
    assert config["demo"] == {"seed": 0, "train_examples": 600, "eval_examples": 100}
    # A data reference without language is English.
    assert config["target_tasks"]["xnli"]["dev"] == [
        {"dataset": "mnli", "split": "validation_matched", "language": "en"}]


@pytest.mark.parametrize("seeds", [[], [1, 1], [-1], 3])
def test_seeds_must_be_a_list_of_distinct_naturals(paper_config, seeds):
    paper_config["seeds"] = seeds
    with pytest.raises(ConfigError, match="seeds"):
        validate(paper_config)


def test_whole_training_section_defaults(paper_config):
    del paper_config["training"]
    training = validate(paper_config)["training"]
    assert training["learning_rate"] == 1.0e-5
    assert training["max_batch_per_device"] == 32
    assert training["group_by_length"] is True


def test_task_hparams_override_training_without_leaking_defaults(paper_config):
    # training sets a value that differs from the schema default (warmup 0.1) ...
    paper_config["training"]["warmup_ratio"] = 0.25
    paper_config["training"]["eval_every_steps"] = 77
    # ... and one task overrides only its learning rate.
    paper_config["intermediate_tasks"]["mnli"]["hparams"] = {"learning_rate": 2.0e-5}
    config = validate(paper_config)
    # The task keeps exactly what the user wrote, no schema defaults filled in.
    assert config["intermediate_tasks"]["mnli"]["hparams"] == {"learning_rate": 2.0e-5}
    spec = resolve_task(config, "intermediate_tasks", "mnli")
    assert spec.hparams.learning_rate == 2.0e-5  # task override wins
    assert spec.hparams.warmup_ratio == 0.25  # training value, not the default 0.1
    assert spec.hparams.eval_every_steps == 77  # training value, not the default 1000
    # Other tasks see training's learning rate.
    other = resolve_task(config, "intermediate_tasks", "qqp")
    assert other.hparams.learning_rate == 1.0e-5
    assert other.hparams.warmup_ratio == 0.25


def test_resolve_task_holds_what_a_job_needs(paper_config):
    config = validate(paper_config)
    spec = resolve_task(config, "target_tasks", "xnli", seed=7)
    assert spec.task == "xnli"
    assert spec.kind == "target_tasks"
    assert spec.seed == 7
    assert resolve_task(config, "target_tasks", "xnli").seed is None  # scoring: no run
    assert spec.precision == "auto"
    assert spec.epochs == 2
    assert "note" not in spec.to_dict()
    assert spec.eval == DataRef(dataset="xnli", split="validation")
    # train mnli, then dev/eval xnli: first-use order, no duplicates
    assert spec.datasets() == ["mnli", "xnli"]
    anli_plus = resolve_task(config, "intermediate_tasks", "anli_plus")
    assert anli_plus.datasets() == ["anli", "mnli", "snli"]


# --- invalid configurations: the message names the key path and the value ------------------


def _baseline_as_intermediate(config):
    config["intermediate_tasks"]["baseline"] = copy.deepcopy(config["intermediate_tasks"]["mnli"])
    config["experiment"]["intermediate"].append("baseline")


def _set(path, value):
    def mutate(config):
        *parents, last = path
        node = config
        for key in parents:
            node = node[key]
        node[last] = value
    return mutate


def _rename_top(old, new):
    def mutate(config):
        config[new] = config.pop(old)
    return mutate


BAD_CONFIGS = {
    # (mutation, strings the message must contain: key path, offending value)
    "misspelt top-level key": (_rename_top("training", "trainng"), ["trainng"]),
    "misspelt task key": (
        _set(("intermediate_tasks", "mnli", "epoch"), 3), ["intermediate_tasks.mnli", "epoch"]),
    "string learning rate": (
        _set(("training", "learning_rate"), "1e-5"), ["training.learning_rate", "'1e-5'"]),
    "negative learning rate": (
        _set(("training", "learning_rate"), -1.0e-5), ["training.learning_rate", "-1e-05"]),
    "zero learning rate": (
        _set(("training", "learning_rate"), 0), ["training.learning_rate", "value 0"]),
    "zero task learning rate": (
        _set(("intermediate_tasks", "qqp", "hparams"), {"learning_rate": 0.0}),
        ["intermediate_tasks.qqp.hparams.learning_rate", "0.0"]),
    "zero batch size": (
        _set(("intermediate_tasks", "mnli", "batch_size"), 0),
        ["intermediate_tasks.mnli.batch_size", "value 0"]),
    "unknown intermediate task": (
        lambda c: c["experiment"]["intermediate"].append("hellaswagg"),
        ["experiment.intermediate", "'hellaswagg'"]),
    "unknown target task": (
        lambda c: c["experiment"]["targets"].append("udposs"),
        ["experiment.targets", "'udposs'"]),
    "unknown dataset": (
        _set(("intermediate_tasks", "mnli", "train"), [{"dataset": "mnli2", "split": "train"}]),
        ["intermediate_tasks.mnli.train", "'mnli2'"]),
    "language not prepared": (
        lambda c: c["target_tasks"]["xnli"]["languages"].append("ja"),
        ["target_tasks.xnli", "'ja'", "xnli"]),
    "non-English training language": (
        _set(("intermediate_tasks", "qqp", "train"),
             [{"dataset": "qqp", "split": "train", "language": "de"}]),
        ["intermediate_tasks.qqp.train", "'de'", "qqp"]),
    "baseline as intermediate": (
        _baseline_as_intermediate, ["experiment.intermediate", "'baseline'"]),
    "unknown format": (
        _set(("intermediate_tasks", "mnli", "format"), "pairs"),
        ["intermediate_tasks.mnli.format", "'pairs'"]),
    "unknown metric": (
        _set(("target_tasks", "xnli", "metric"), "acc"),
        ["target_tasks.xnli.metric", "'acc'", "tatoeba_accuracy"]),
    "multi-task without its tasks": (
        lambda c: c["intermediate_tasks"]["multitask"].pop("tasks"),
        ["intermediate_tasks.multitask.tasks' is required", "'multitask'", "kind mixture"]),
    "bad language code": (
        _set(("datasets", "pawsx", "languages"), ["de", "English"]),
        ["datasets.pawsx.languages.1", "'English'"]),
}


@pytest.mark.parametrize("case", sorted(BAD_CONFIGS))
def test_bad_config_is_rejected_with_key_and_value(paper_config, case):
    mutate, expected = BAD_CONFIGS[case]
    mutate(paper_config)
    with pytest.raises(ConfigError) as error:
        validate(paper_config)
    message = str(error.value)
    for text in expected:
        assert text in message, f"{case}: {text!r} not in {message!r}"


def test_task_of_a_format_not_implemented_is_rejected(paper_config, monkeypatch):
    # As if extractive QA were not implemented yet.
    monkeypatch.delitem(FORMAT_MODULES, "extractive_qa")
    with pytest.raises(ConfigError) as error:
        validate(paper_config)
    assert "intermediate_tasks.squad_v1.format" in str(error.value)
    assert "'extractive_qa' is not implemented" in str(error.value)


def test_bad_demo_override_is_rejected(paper_config, demo_overrides):
    # A typo in the override file is caught after merging, like any other.
    demo_overrides["training"]["learning_rat"] = 1.0e-3
    with pytest.raises(ConfigError, match="learning_rat"):
        validate(merge(paper_config, demo_overrides))


@pytest.mark.parametrize("section", ["intermediate_tasks", "target_tasks", "datasets"])
def test_names_that_could_reach_a_shell_are_rejected(paper_config, section):
    # names become paths, wildcards and arguments of job commands
    paper_config[section]["x; touch hacked"] = next(iter(paper_config[section].values()))
    with pytest.raises(ConfigError, match=rf"config key '{section}': value 'x; touch hacked'"):
        validate(paper_config)


def test_language_codes_are_validated(paper_config):
    paper_config["target_tasks"]["xnli"]["languages"] = ["en", "$(id)"]
    with pytest.raises(ConfigError, match=r"languages.1': value '\$\(id\)'"):
        validate(paper_config)


# --- variants of intermediate tasks: base, translated data, MLM, extra tables, table3 -----------


def test_variant_inherits_its_base_task_and_overrides_it(paper_config, demo_overrides):
    config = validate(merge(paper_config, demo_overrides))
    mnli, variant = (resolve_task(config, "intermediate_tasks", name, 1)
                     for name in ("mnli", "mnli_translated"))
    # every key of the (demo-merged) base, then the variant's own
    assert variant.max_length == mnli.max_length == 64
    assert variant.dev == mnli.dev
    assert variant.epochs == 1 != mnli.epochs
    # `languages` in a data reference is one reference per language
    assert variant.train == (DataRef(dataset="mnli", split="train", language="en"), *(
        DataRef(dataset="mnli_mt", split="train", language=lang) for lang in ("de", "ru", "zh")))
    assert "base" not in variant.to_dict()
    assert variant.datasets() == ["mnli", "mnli_mt"]


def test_mlm_spec_defaults_to_the_corpus_languages_and_task_length(paper_config, demo_overrides):
    config = validate(merge(paper_config, demo_overrides))
    spec = resolve_task(config, "intermediate_tasks", "mnli_mlm", 1)
    assert spec.mlm == MaskedLM(dataset="mlm_corpus", languages=("en", "de", "ru", "zh", "ar"),
                                max_length=64, ratio=0.5, probability=0.15)
    assert "mlm_corpus" in spec.datasets()
    assert resolve_task(config, "intermediate_tasks", "mnli", 1).mlm is None


@pytest.mark.parametrize("change, message", [
    (lambda c: c["intermediate_tasks"]["mnli_mlm"].update(base="nope"),
     r"'intermediate_tasks.mnli_mlm.base': 'nope' is not a task under 'intermediate_tasks'"),
    (lambda c: c["intermediate_tasks"]["mnli"].update(base="mnli_mlm"),
     r"is circular"),
    (lambda c: c["intermediate_tasks"]["mnli_mlm"]["mlm"].update(dataset="nope"),
     r"'intermediate_tasks.mnli_mlm.mlm': dataset 'nope' is not defined"),
    (lambda c: c["intermediate_tasks"]["mnli_mlm"]["mlm"].update(languages=["xx"]),
     r"'intermediate_tasks.mnli_mlm.mlm': language 'xx' is not prepared for dataset 'mlm_corpus'"),
    (lambda c: c["intermediate_tasks"]["mnli_mlm"]["mlm"].update(ratio=0),
     r"'intermediate_tasks.mnli_mlm.mlm.ratio': value 0"),
    (lambda c: c["extra_tables"]["mlm"]["intermediate"].append("nope"),
     r"'extra_tables.mlm.intermediate': task 'nope' is not defined"),
    (lambda c: c["table3"]["intermediate"].update(xnli="mnli_mlm"),
     r"'table3.intermediate.xnli': 'mnli_mlm' is not a row of Table 2"),
    (lambda c: c["table3"]["intermediate"].update(nope="mnli"),
     r"'table3.intermediate.nope': not a target task"),
])
def test_bad_variant_configuration_names_the_key(paper_config, change, message):
    change(paper_config)
    with pytest.raises(ConfigError, match=message):
        validate(paper_config)


def test_extra_tables_list_each_variant_after_its_base(paper_config):
    from xstilts.config import extra_table_rows, trained_intermediate

    config = validate(paper_config)
    assert extra_table_rows(config, "mlm") == [
        "baseline", "mnli", "mnli_mlm", "squad_v2", "squad_v2_mlm", "hellaswag", "hellaswag_mlm"]
    assert extra_table_rows(config, "translated") == ["baseline", "mnli", "mnli_translated"]
    assert trained_intermediate(config)[-4:] == [
        "mnli_mlm", "squad_v2_mlm", "hellaswag_mlm", "mnli_translated"]
    # Table 2's rows stay the paper's
    assert "mnli_mlm" not in rows(config)
