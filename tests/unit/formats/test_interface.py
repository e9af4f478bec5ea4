"""docs/adding-a-task.md, as tests: a task of a known format is configuration only; a new
format is one module (tests/helpers/toy_format.py) plus one registry line; get_format refuses a
module that lacks what its kind requires, naming the module and the member."""

import shlex
import sys
import types
from pathlib import Path

import pytest
import yaml
from workflow import ROOT, copy_workflow, snakemake

from xstilts.config import ConfigError, load, resolve_task
from xstilts.evaluate.scoring import score_predictions
from xstilts.formats import FORMAT_MODULES, FormatError, Kind, get_format, kind_of
from xstilts.formats.interface import padding_collator
from xstilts.models.base import build_model, corpus, save, train_tokenizer
from xstilts.spec import DataRef, DatasetSpec
from xstilts.store.prepared import load_raw, write_prepared
from xstilts.store.provenance import record_checkpoint
from xstilts.train.loop import predict_languages, train

TINY = {"vocab_size": 200, "hidden_size": 16, "num_hidden_layers": 1, "num_attention_heads": 2,
        "intermediate_size": 32, "max_position_embeddings": 66}
DEMO = {"train_examples": 64, "eval_examples": 24, "seed": 0}
PAPER_TARGETS = ["xnli", "pawsx", "udpos", "panx", "xquad", "mlqa", "tydiqa", "bucc", "tatoeba"]


def overlay(tmp_path: Path, name: str, task: dict) -> Path:
    """A configuration overlay adding target task `name` to the experiment."""
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump({"target_tasks": {name: task},
                                    "experiment": {"targets": [*PAPER_TARGETS, name]}}))
    return path


def demo_config(extra: Path) -> dict:
    return load([ROOT / "config" / "config.yaml", ROOT / "config" / "demo.yaml", extra])


# --- a task of a known format: configuration only ----------------------------------------------

PREMISE_TASK = {  # XNLI's premises alone, trained on MNLI's
    "train": [{"dataset": "mnli", "split": "train"}],
    "dev": [{"dataset": "mnli", "split": "validation_matched"}],
    "eval": {"dataset": "xnli", "split": "validation"},
    "languages": ["en", "de"], "metric": "accuracy", "category": "classification",
    "epochs": 2, "batch_size": 16, "max_length": 32,
}


def test_a_task_of_a_known_format_is_configuration_only(tmp_path):
    extra = overlay(tmp_path, "paws_like", {**PREMISE_TASK, "format": "pair_classification"})
    spec = resolve_task(demo_config(extra), "target_tasks", "paws_like", seed=1)
    assert spec.format == "pair_classification" and spec.languages == ("en", "de")
    assert spec.eval == DataRef(dataset="xnli", split="validation")
    # the workflow plans its fine-tuning (one per row and seed) with that very spec
    workdir = tmp_path / "workflow"
    workdir.mkdir()
    copy_workflow(workdir)
    (workdir / "extra.yaml").write_text(extra.read_text())
    dry = snakemake(workdir, "-n", "-p", "--configfile", "config/demo.yaml", "extra.yaml")
    commands = [line for line in dry.stdout.splitlines()
                if "scripts/train.py" in line and "models/target/mnli/paws_like/seed1" in line]
    assert len(commands) == 1
    args = shlex.split(commands[0])
    assert args[args.index("--spec") + 1] == spec.to_json()


def test_configuration_names_an_unregistered_format_or_metric(tmp_path):
    extra = overlay(tmp_path, "bad", {**PREMISE_TASK, "format": "sentence_classification",
                                      "metric": "accuracy_of_sorts"})
    with pytest.raises(ConfigError) as error:
        demo_config(extra)
    assert "'target_tasks.bad.format': format 'sentence_classification' is not implemented" in (
        str(error.value))
    assert "pair_classification" in str(error.value)  # the allowed values
    extra = overlay(tmp_path, "bad", {**PREMISE_TASK, "format": "pair_classification",
                                      "metric": "accuracy_of_sorts"})
    with pytest.raises(ConfigError) as error:
        demo_config(extra)
    assert "'target_tasks.bad.metric': metric 'accuracy_of_sorts' is not registered" in (
        str(error.value))
    assert "tatoeba_accuracy" in str(error.value)


def test_the_keys_a_task_needs_follow_its_formats_kind(tmp_path):
    # a trained format needs train data; an evaluated one (retrieval) does not
    task = {key: value for key, value in PREMISE_TASK.items() if key != "train"}
    with pytest.raises(ConfigError, match=r"'target_tasks.no_train.train' is required for a "
                                          r"task of format 'pair_classification' \(a format of "
                                          r"kind trained needs train, dev"):
        demo_config(overlay(tmp_path, "no_train", {**task, "format": "pair_classification"}))
    retrieval = {"format": "retrieval", "eval": {"dataset": "tatoeba", "split": "validation"},
                 "languages": ["de", "ru"], "metric": "tatoeba_accuracy",
                 "category": "retrieval", "max_length": 32}
    spec = resolve_task(demo_config(overlay(tmp_path, "tatoeba2", retrieval)),
                        "target_tasks", "tatoeba2")
    assert kind_of(spec.format) is Kind.EVALUATED and spec.train is None


# --- a new format: one module plus one registry line ---------------------------------------------


@pytest.fixture
def toy_registered(monkeypatch):
    monkeypatch.setitem(FORMAT_MODULES, "sentence_classification", "toy_format")  # the one line


def test_the_toy_format_is_checked_and_gets_the_defaults(toy_registered):
    toy = get_format("sentence_classification")
    assert toy.kind is Kind.TRAINED and toy.module == "toy_format"
    assert toy.collator is padding_collator
    assert toy.featurize_options == toy.selection_options == ()
    assert toy.evaluate is toy.parts is None  # not members of a trained format


def test_a_target_of_a_new_format_trains_predicts_and_scores(toy_registered, tmp_path):
    extra = overlay(tmp_path, "xnli_premise", {**PREMISE_TASK, "format": "sentence_classification"})
    config = demo_config(extra)
    spec = resolve_task(config, "target_tasks", "xnli_premise", seed=1)
    data_root = tmp_path / "prepared"
    for name in ("mnli", "xnli"):
        dataset = DatasetSpec.from_dict(config["datasets"][name], name)
        write_prepared(name, dataset, load_raw(name, dataset, DEMO), data_root / name)
    tokenizer = train_tokenizer(corpus([data_root / "mnli", data_root / "xnli"]),
                                TINY["vocab_size"])
    base = tmp_path / "base"
    save(build_model(TINY, tokenizer, seed=0), tokenizer, base)
    record_checkpoint(base, "base_model", {}, {}, "t0")  # jobs verify their parent

    model, tokenizer, record = train(spec, base, data_root, tmp_path / "model")
    assert record["selection"]["metric"].startswith("sentence_classification selection score")
    assert record["selection"]["evaluations"]  # selected on English dev by the toy's score
    by_language = predict_languages(model, tokenizer, spec, data_root)
    assert set(by_language) == {"en", "de"}
    labels = {"entailment", "neutral", "contradiction"}
    assert {len(p) for p in by_language.values()} == {24}
    assert {label for p in by_language.values() for label in p.values()} <= labels
    scores = score_predictions(spec, data_root, by_language)
    assert scores["metric"] == "accuracy" and scores["languages"]["de"]["count"] == 24
    assert 0 <= scores["score"] <= 100


# --- get_format refuses an incomplete module ----------------------------------------------------


def register(monkeypatch, members: dict) -> str:
    module = types.ModuleType("incomplete_format")
    module.__dict__.update(members)
    monkeypatch.setitem(sys.modules, "incomplete_format", module)
    monkeypatch.setitem(FORMAT_MODULES, "incomplete", "incomplete_format")
    return "incomplete"


def function(*args, **kwargs):
    return None


TRAINED = {"KIND": Kind.TRAINED, "build_model": function, "featurize": function,
           "predict": function, "gold": function, "selection_score": function}


@pytest.mark.parametrize("members, message", [
    ({key: value for key, value in TRAINED.items() if key != "predict"},
     r"a format of kind trained must define .*; missing: predict"),
    ({key: value for key, value in TRAINED.items() if key != "KIND"},
     r"KIND must be one of Kind.TRAINED, Kind.EVALUATED, Kind.MIXTURE, got None"),
    ({"KIND": Kind.EVALUATED, "gold": function}, r"kind evaluated must define gold, "
                                                  r"evaluate; missing: evaluate"),
    ({"KIND": Kind.MIXTURE, "parts": function}, r"missing: share_encoder, combine_scores"),
    ({**TRAINED, "featurize": "featurize"}, r"featurize must be a function"),
    ({**TRAINED, "FEATURIZE_OPTIONS": "doc_stride"}, r"FEATURIZE_OPTIONS must be a tuple"),
])
def test_get_format_refuses_a_module_missing_a_member(monkeypatch, members, message):
    name = register(monkeypatch, members)
    with pytest.raises(FormatError, match=r"task format 'incomplete' \(module "
                                          r"incomplete_format\): .*" + message):
        get_format(name)


def test_an_unregistered_format_is_named_with_the_registered_ones():
    with pytest.raises(FormatError, match=r"'sentence_classification' is not implemented "
                                          r"\(implemented: ") as error:
        get_format("sentence_classification")
    assert all(name in str(error.value) for name in FORMAT_MODULES)


def test_every_registered_format_has_its_kind():
    assert {name: kind_of(name) for name in FORMAT_MODULES} == {
        "pair_classification": Kind.TRAINED, "extractive_qa": Kind.TRAINED,
        "multiple_choice": Kind.TRAINED, "tagging": Kind.TRAINED,
        "retrieval": Kind.EVALUATED, "multitask": Kind.MIXTURE}
