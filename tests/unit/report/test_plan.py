"""The cost plan (xstilts.report.plan) of a list of jobs, as Snakemake's dry run gives it:
each job's arithmetic on a hand-made case, measured wall times, refused sizes."""

import json
import math
import re

import pytest

from xstilts.config import merge, validate
from xstilts.report import plan

# A hand-made case: one row, one target, generated data of known sizes, XLM-R Large on an
# H100 whose benchmark file says 1000 useful tokens/s for sentence pairs.
CASE = {
    "experiment": {"baseline": False, "intermediate": ["mnli"], "targets": ["pawsx"]},
    "extra_tables": {"mlm": None, "translated": None},
    "warm_start": False,
    "resume_checkpoint_minutes": 1,
    "demo": {"train_examples": 640, "eval_examples": 100},
    "datasets": {"mnli": {"source": "demo"},
                 "pawsx": {"source": "demo", "languages": ["en", "de"]}},
    "intermediate_tasks": {"mnli": {"epochs": 1}},
    "target_tasks": {"pawsx": {"languages": ["en", "de"], "epochs": 2}},
    "training": {"eval_every_steps": 10, "selection_examples": 50},
}
BENCHMARK = ("# 2026-01-01 device=cuda (H100) model=large steps=20\n"
             "train pair_classification: task=xnli max_length=256 batch=32\n"
             "  baseline: useful_tokens_s=400.0 step_ms=1.0\n"
             "  project: useful_tokens_s=1000.0 step_ms=1.0\n")


JOBS = [("prepare_dataset", {"dataset": "mnli"}), ("base_model", {}),
        ("train_intermediate", {"task": "mnli", "seed": "1"}),
        ("train_target", {"intermediate": "mnli", "target": "pawsx", "seed": "1"}),
        ("score", {"intermediate": "mnli", "target": "pawsx", "seed": "1"}), ("table2", {})]


def test_plan_arithmetic_on_a_hand_made_case(paper_config, tmp_path):
    (tmp_path / "training-h100.txt").write_text(BENCHMARK)
    config = validate(merge(paper_config, CASE))
    planner = plan.Planner(config, tmp_path, "h100", benchmarks=tmp_path)
    rules = {rule.rule: rule for rule in planner.plan(JOBS)}
    assert list(rules) == ["prepare_dataset", "base_model", "train_intermediate",
                           "train_target", "score", "table2"]  # the pipeline's order
    rate = 1000.0  # measured on XLM-R Large, the model here: no scaling
    overhead = plan.STEP_OVERHEAD_S["gpu"]  # per step, for XLM-R Large
    start = plan.JOB_START_S["gpu"]
    # mnli: 640 examples x 1 epoch x 40 tokens; 20 steps, 2 evaluations of 50 examples
    mnli = rules["train_intermediate"].jobs[0]
    assert (mnli.examples, mnli.tokens) == (640, 640 * 40)
    assert mnli.seconds == pytest.approx(start + 20 * overhead + 25600 / rate
                                         + 2 * 50 * 40 / (3 * rate))
    # pawsx: 640 x 2 epochs; 40 steps, 4 evaluations; 2 languages x (dev + test) predicted
    pawsx = rules["train_target"].jobs[0]
    assert pawsx.tokens == 640 * 2 * 40
    assert pawsx.seconds == pytest.approx(start + 40 * overhead + 51200 / rate
                                          + (4 * 50 + 400) * 40 / (3 * rate))
    # disk: the final weights, and a resume checkpoint (4 x the weights) each minute
    weights = planner.total_parameters * 4
    assert pawsx.written == weights + math.floor(pawsx.seconds / 60) * 4 * weights
    assert pawsx.peak == weights + 2 * 4 * weights
    hours = plan.hours(rules["train_target"], 1) + plan.hours(rules["train_intermediate"], 1)
    assert hours == pytest.approx((mnli.seconds + pawsx.seconds) / 3600)
    assert plan.hours(rules["score"], 1) == 0.0  # reads files on a CPU
    # a prediction job with a shared model: start and one forward pass over every example
    shared = planner.job("predict_shared_target",
                         {"intermediate": "mnli", "target": "pawsx", "seed": "1"})
    assert (shared.tokens, shared.written) == (0, 0)
    assert shared.seconds == pytest.approx(start + 400 * 40 / (3 * rate))
    assert "measured: benchmarks/results/training-h100.txt" in plan.report(
        config, tmp_path, "h100", JOBS, benchmarks=tmp_path)


def write_record(path, wall_seconds, inside_result=False):
    path.parent.mkdir(parents=True, exist_ok=True)
    record = {"wall_seconds": wall_seconds, "device": "H100"}
    path.write_text(json.dumps({"provenance": record} if inside_result else record))


def test_plan_uses_the_wall_times_of_finished_jobs_training_and_prediction_apart(
        paper_config, tmp_path):
    config = validate(merge(paper_config, CASE))
    write_record(tmp_path / "models/intermediate/mnli/seed1/provenance.json", 1234.5)
    write_record(tmp_path / "models/target/mnli/pawsx/seed1/provenance.json", 600.0)
    rules = {rule.rule: rule for rule in plan.Planner(config, tmp_path, "a100").plan(JOBS)}
    assert (rules["train_intermediate"].jobs[0].seconds,
            rules["train_intermediate"].jobs[0].measured) == (1234.5, True)
    # the target's training is measured, its predictions not yet: an estimate again
    assert not rules["train_target"].jobs[0].measured
    write_record(tmp_path / "results/predictions/mnli/pawsx/seed1.json", 45.5,
                 inside_result=True)
    rules = {rule.rule: rule for rule in plan.Planner(config, tmp_path, "a100").plan(JOBS)}
    target = rules["train_target"].jobs[0]
    assert (target.seconds, target.measured) == (645.5, True)  # training + prediction


def test_model_parameters_from_the_architecture():
    matrices, total = plan.parameters(plan.KNOWN_MODELS["xlm-roberta-large"])
    assert 300e6 < matrices < 305e6 and 555e6 < total < 565e6  # XLM-R Large: 560M
    assert 275e6 < plan.parameters(plan.KNOWN_MODELS["xlm-roberta-base"])[1] < 280e6


@pytest.mark.parametrize("device_name, kind", [
    ("NVIDIA H100 80GB HBM3", "h100"),
    ("NVIDIA H100 PCIe", "h100-pcie"),
    ("NVIDIA H200", "h200"),
    ("NVIDIA GH200 480GB", "gh200"),
    ("NVIDIA A100-SXM4-80GB", "a100"),
    ("Tesla V100-SXM2-16GB", "v100"),
    ("NVIDIA A10G", None),  # not an A10: a peak of its own, not in the table
    ("NVIDIA GeForce RTX 4090", None),
])
def test_gpu_kind_of_a_cuda_device_name(device_name, kind):
    assert plan.gpu_kind(device_name) == kind


def test_the_h100_pcie_card_has_a_lower_peak_than_the_sxm_one():
    assert plan.PEAK_FLOPS[plan.gpu_kind("NVIDIA H100 PCIe")] == 756e12
    assert plan.PEAK_FLOPS[plan.gpu_kind("NVIDIA H100 80GB HBM3")] == 989e12


@pytest.mark.parametrize("manifest, expected", [
    ({"files": {"en/train": {"rows": -1000000000000}}}, "files['en/train'].rows is -1000000000000"),
    ({"files": {"en/train": {"rows": 1.5}}}, "files['en/train'].rows is 1.5"),
    ({"files": {"en/train": {"rows": 1e12}}}, "expected a count of rows"),
    ({}, "expected a JSON object with a 'files' mapping"),
    ([], "expected a JSON object with a 'files' mapping"),
])
def test_plan_refuses_a_malformed_manifest_naming_it(paper_config, tmp_path, manifest,
                                                      expected):
    directory = tmp_path / "data" / "prepared" / "mnli"
    directory.mkdir(parents=True)
    (directory / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ValueError, match=re.escape(expected)) as error:
        plan.Planner(validate(paper_config), tmp_path, "h100").plan(JOBS)
    assert str(error.value).startswith(str(directory / "manifest.json"))


def test_reference_sizes_refuse_what_is_no_count(tmp_path):
    reference = tmp_path / "reference.yaml"
    reference.write_text("dataset_sizes:\n  mnli: {train: -5}\n")
    with pytest.raises(ValueError, match=r"reference.yaml: dataset_sizes.mnli.train is -5, "
                                         r"expected a count of rows"):
        plan.reference_sizes(reference)
