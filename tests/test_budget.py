"""Runs on a budget: the cost plan (xstilts.report.plan), config/small.yaml, overlays that narrow
the grid, and what training writes to disk (xstilts.train.checkpoints)."""

import math
import subprocess

import pytest
import yaml
from workflow import BIN, ROOT, copy_workflow, job_counts, snakemake

from xstilts.config import load, merge, validate
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


def test_plan_arithmetic_on_a_hand_made_case(paper_config, tmp_path):
    (tmp_path / "training-h100.txt").write_text(BENCHMARK)
    config = validate(merge(paper_config, CASE))
    planner = plan.Planner(config, tmp_path, "h100", benchmarks=tmp_path)
    rules = {rule.rule: rule for rule in planner.plan()}
    assert {name: len(rule.jobs) for name, rule in rules.items()} == {
        "prepare_dataset": 2, "base_model": 1, "train_intermediate": 1, "train_target": 1,
        "score": 1, "table2": 1}
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
    assert "measured: benchmarks/results/training-h100.txt" in plan.report(
        config, tmp_path, "h100", benchmarks=tmp_path)


def test_plan_uses_the_wall_time_of_finished_jobs(paper_config, tmp_path):
    checkpoint = tmp_path / "models/intermediate/mnli/seed1"
    checkpoint.mkdir(parents=True)
    (checkpoint / "provenance.json").write_text('{"wall_seconds": 1234.5, "device": "H100"}')
    config = validate(merge(paper_config, CASE))
    rules = {rule.rule: rule for rule in plan.Planner(config, tmp_path, "a100").plan()}
    job = rules["train_intermediate"].jobs[0]
    assert (job.seconds, job.measured) == (1234.5, True)


def test_model_parameters_from_the_architecture():
    matrices, total = plan.parameters(plan.KNOWN_MODELS["xlm-roberta-large"])
    assert 300e6 < matrices < 305e6 and 555e6 < total < 565e6  # XLM-R Large: 560M
    assert 275e6 < plan.parameters(plan.KNOWN_MODELS["xlm-roberta-base"])[1] < 280e6


@pytest.mark.parametrize("overlay", [[], ["config/small.yaml"], ["config/demo.yaml"]])
def test_plan_command_prints_every_rule_and_the_total(overlay):
    args = ["--configfile", *overlay] if overlay else []
    result = subprocess.run([str(BIN / "python"), "scripts/plan.py", *args], cwd=ROOT,
                            capture_output=True, text=True, timeout=60, check=True)
    lines = result.stdout.splitlines()
    assert any(line.startswith("train_target") for line in lines)
    assert lines[-1].startswith("total") or lines[-2].startswith("total")


# --- config/small.yaml ----------------------------------------------------------------------


def test_small_config_is_xlmr_base_pinned_with_subsets():
    config = load([ROOT / "config/config.yaml", ROOT / "config/small.yaml"])
    assert config["model"]["path"] == "FacebookAI/xlm-roberta-base"
    assert len(config["model"]["revision"]) == 40
    assert config["model"]["retrieval_layer"] == 7  # 14 of Large's 24 -> 7 of base's 12
    assert config["subsample"]["max_train_examples"] and config["subsample"]["max_eval_examples"]
    assert config["extra_tables"] == {}
    paper = load([ROOT / "config/config.yaml"])
    assert config["experiment"] == paper["experiment"]  # the full grid


@pytest.mark.workflow
def test_small_config_plans_the_whole_grid_offline(tmp_path):
    workdir = copy_workflow(tmp_path)
    result = snakemake(workdir, "-n", "results/table2.csv", "--configfile", "config/small.yaml")
    rows = 9  # baseline + 8 (ccg and multitask wait for the user's CCGbank)
    assert job_counts(result.stdout) == {
        "prepare_dataset": 18, "base_model": 1, "train_intermediate": rows - 1,
        "train_target": rows * 7, "evaluate_retrieval": rows, "score": rows * 9, "table2": 1}
    assert '"max_examples": 5000' in result.stdout


@pytest.mark.workflow
def test_small_config_with_a_local_model_and_release_files(tmp_path):
    """Air-gapped: the model from a directory, every dataset from its release files (here
    empty directories: a dry run reads none of them)."""
    (tmp_path / "workflow").mkdir()
    workdir = copy_workflow(tmp_path / "workflow")
    (tmp_path / "xlmr-base").mkdir()
    local = {"model": {"source": "local", "path": str(tmp_path / "xlmr-base")},
             "datasets": {}}
    for name in load([ROOT / "config/config.yaml"])["datasets"]:
        (tmp_path / "releases" / name).mkdir(parents=True)
        local["datasets"][name] = {"source": "local", "path": str(tmp_path / "releases" / name)}
    (workdir / "local.yaml").write_text(yaml.safe_dump(local))
    result = snakemake(workdir, "-n", "results/table2.csv", "--configfile", "config/small.yaml",
                       "local.yaml")
    rows = 11  # with CCGbank's files in place, ccg and multitask too
    counts = job_counts(result.stdout)
    assert counts["train_target"] == rows * 7 and counts["evaluate_retrieval"] == rows


# --- overlays that narrow -------------------------------------------------------------------

NARROW = """\
experiment: {baseline: true, intermediate: [mnli], targets: [xnli, udpos, tatoeba]}
extra_tables: {mlm: null, translated: null}
intermediate_tasks: {mnli_translated: null}
datasets:
  mnli_mt: null
  xnli: {languages: [en, de]}
  udpos: {languages: [en, de]}
  tatoeba: {languages: [de, fr]}
target_tasks:
  xnli: {languages: [en, de]}
  udpos: {languages: [en, de]}
  tatoeba: {languages: [de, fr]}
"""


@pytest.mark.workflow
def test_overlay_keeps_exactly_the_rows_targets_and_languages_it_names(tmp_path):
    workdir = copy_workflow(tmp_path)
    (workdir / "narrow.yaml").write_text(NARROW)
    result = snakemake(workdir, "-n", "--configfile", "narrow.yaml")  # the default target
    assert job_counts(result.stdout) == {
        "prepare_dataset": 4, "base_model": 1, "train_intermediate": 1, "train_target": 4,
        "evaluate_retrieval": 2, "score": 6, "table2": 1, "table3": 1, "table1": 1,
        "paper_comparison": 1, "figures": 1, "curves": 1, "report_tables": 1, "all": 1}
    prepared = {line.split("data/prepared/")[1] for line in result.stdout.splitlines()
                if "output: data/prepared/" in line}
    assert prepared == {"mnli", "xnli", "udpos", "tatoeba"}
    specs = [line for line in result.stdout.splitlines() if "--spec" in line]
    assert specs and all('"languages": ["en", "de"]' in line or "tatoeba" in line
                         for line in specs if "xnli" in line or "udpos" in line)


# --- checkpoints ----------------------------------------------------------------------------


def test_best_weights_keep_shared_tensors_once_and_round_trip(tmp_path):
    import torch

    from xstilts.train.checkpoints import BEST_FILE, BestWeights

    encoder = torch.nn.Linear(4, 4)
    model = torch.nn.ModuleDict({"a": torch.nn.Sequential(encoder, torch.nn.Linear(4, 2)),
                                 "b": torch.nn.Sequential(encoder, torch.nn.Linear(4, 3))})
    best = BestWeights()
    best.keep(model)
    kept = {name: tensor.clone() for name, tensor in best.state.items()}
    assert best.state["a.0.weight"] is best.state["b.0.weight"]
    best.save(tmp_path)
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.add_(1.0)
    loaded = BestWeights()
    loaded.load(tmp_path)
    loaded.restore(model)
    assert all(torch.equal(model.state_dict()[name], kept[name]) for name in kept)
    from safetensors import safe_open

    with safe_open(tmp_path / BEST_FILE, "pt") as handle:
        assert "b.0.weight" not in set(handle.keys())  # the shared encoder stored once
