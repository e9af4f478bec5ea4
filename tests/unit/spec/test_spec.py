"""Typed specs (xstilts.spec): built from every configuration the project ships, they
serialise to exactly the plain data the rules pass today, so no job's parameters change."""

import json
from pathlib import Path

import pytest

from xstilts.config import TASK_KINDS, load, plain_task, resolve_task
from xstilts.spec import DataRef, DatasetSpec, ModelSpec, SpecError, TaskSpec

CONFIGS = [["config/config.yaml"], ["config/config.yaml", "config/demo.yaml"],
           ["config/config.yaml", "config/small.yaml"],
           ["config/config.yaml", "config/demo.yaml", "config/xtreme_selection.yaml"]]
ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize("files", CONFIGS, ids=lambda files: "+".join(Path(f).stem for f in files))
def test_every_spec_serialises_to_the_json_the_rules_pass(files):
    config = load([ROOT / name for name in files])
    for kind in TASK_KINDS:
        for name in config[kind]:
            for seed in (None, 1):
                plain = plain_task(config, kind, name, seed)
                spec = resolve_task(config, kind, name, seed)
                assert spec == TaskSpec.from_dict(plain)
                assert spec.to_json() == json.dumps(plain, sort_keys=True, ensure_ascii=False)
    for name, dataset in config["datasets"].items():
        assert DatasetSpec.from_dict(dataset, name).to_dict() == dataset
    assert ModelSpec.from_dict(config["model"], "model").to_dict() == config["model"]


def test_specs_are_typed_and_frozen():
    config = load([ROOT / "config/config.yaml", ROOT / "config/demo.yaml"])
    spec = resolve_task(config, "target_tasks", "xnli", 1)
    assert spec.eval == DataRef(dataset="xnli", split="validation")
    assert spec.dev[0].dataset == "mnli" and spec.hparams.selection_rows == "first"
    assert isinstance(spec.languages, tuple)
    with pytest.raises(AttributeError):
        spec.seed = 2


def test_unknown_and_missing_keys_are_named_with_their_place():
    ref = {"dataset": "xnli", "split": "validation", "langauge": "de"}
    with pytest.raises(SpecError, match=r"target_tasks.xnli.eval: unknown key 'langauge'"):
        DataRef.from_dict(ref, "target_tasks.xnli.eval")
    with pytest.raises(SpecError, match=r"datasets.xnli: key 'source' is required"):
        DatasetSpec.from_dict({"schema": "xtreme_xnli"}, "datasets.xnli")
