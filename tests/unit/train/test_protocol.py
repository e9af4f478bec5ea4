"""The paper's protocol as its toolkit (jiant) ran it: which English dev examples select each
checkpoint and on which metric. Expectations come from the toolkit's published settings
(shared REFERENCE: TRAIN_TASK_DICT of jiant's xtreme_runconfig_writer.py, its "major"
metrics), not from this project's code."""

from pathlib import Path

import pyarrow as pa
import pytest
import yaml
from specs import task_spec

from xstilts.config import ConfigError, merge, resolve_task, validate
from xstilts.formats import extractive_qa, get_format
from xstilts.train.parts import selection_scorer, selection_subset

REPO = Path(__file__).resolve().parents[3]
# target -> the task whose English dev set selects its checkpoint (dataset, split)
TOOLKIT_SELECTION = {
    "xnli": ("mnli", "validation_matched"),
    "pawsx": ("pawsx", "validation"),
    "udpos": ("udpos", "validation"),
    "panx": ("panx", "validation"),
    "xquad": ("squad_v1", "validation"),
    "mlqa": ("squad_v1", "validation"),
    "tydiqa": ("tydiqa", "validation"),
}


@pytest.mark.parametrize("target", TOOLKIT_SELECTION)
def test_paper_config_selects_on_the_training_tasks_english_dev(paper_config, target):
    spec = resolve_task(validate(paper_config), "target_tasks", target, seed=1)
    dataset, split = TOOLKIT_SELECTION[target]
    assert [(ref.dataset, ref.split, ref.language) for ref in spec.dev] == [
        (dataset, split, "en")]
    assert spec.hparams.selection_examples == 500
    assert spec.hparams.selection_rows == "first"


# (format, task keys, predictions, gold, expected score worked by hand)
SELECTION_CASES = {
    # 3 of 4 right: accuracy 75
    "nli": ("pair_classification", {}, {"1": "a", "2": "b", "3": "c", "4": "a"},
            {"1": "a", "2": "b", "3": "c", "4": "b"}, 75.0),
    # QQP: accuracy 3/4 = 75; duplicate: TP 1, predicted 2, gold 1 -> F1 2/3; mean 70.83
    "qqp": ("pair_classification", {"selection_metric": "accuracy_and_f1",
                                    "positive_label": "duplicate"},
            {"1": "duplicate", "2": "duplicate", "3": "no", "4": "no"},
            {"1": "duplicate", "2": "no", "3": "no", "4": "no"}, (75.0 + 200 / 3) / 2),
    "multiple choice": ("multiple_choice", {}, {"1": "0", "2": "1"}, {"1": "0", "2": "0"}, 50.0),
    # SQuAD: q1 exact (EM 1, F1 1); q2 "the cat sat" vs "cat": EM 0, F1 2*1/2*1/(1/2+1) = 2/3
    "extractive qa": ("extractive_qa", {}, {"q1": "Paris", "q2": "the cat sat"},
                      {"q1": ["Paris"], "q2": ["cat"]}, (50.0 + (100 + 200 / 3) / 2) / 2),
    # CCG (no target metric): token accuracy 2 of 3
    "ccg": ("tagging", {}, {"s": ["A", "B", "C"]}, {"s": ["A", "B", "D"]}, 200 / 3),
}


@pytest.mark.parametrize("case", SELECTION_CASES)
def test_selection_metric_is_the_toolkits_major_metric(case):
    name, keys, predictions, gold, expected = SELECTION_CASES[case]
    score = selection_scorer(get_format(name), task_spec(keys))(predictions, gold)
    assert score == pytest.approx(expected)


def test_squad_v2_selection_uses_em_and_f1_at_the_configured_threshold():
    # one unanswerable question answered "" (EM 1, F1 1), one answerable answered "" (0, 0)
    score = extractive_qa.selection_score({"q1": "", "q2": ""}, {"q1": [], "q2": ["cat"]})
    assert score == pytest.approx(50.0)


def test_paper_config_selects_qqp_on_accuracy_and_f1_of_duplicate(paper_config):
    spec = resolve_task(validate(paper_config), "intermediate_tasks", "qqp", seed=1)
    assert (spec.selection_metric, spec.positive_label) == ("accuracy_and_f1", "duplicate")


def test_selection_metric_needs_its_label_and_a_pair_task(paper_config):
    del paper_config["intermediate_tasks"]["qqp"]["positive_label"]
    paper_config["intermediate_tasks"]["squad_v1"]["selection_metric"] = "accuracy"
    with pytest.raises(ConfigError) as error:
        validate(paper_config)
    assert "'intermediate_tasks.qqp.positive_label' is required" in str(error.value)
    assert "'intermediate_tasks.squad_v1.selection_metric': only sentence-pair" in str(error.value)


def test_selection_subset_first_rows_or_seeded_random():
    table = pa.table({"id": [str(i) for i in range(10)]})
    assert selection_subset(table, 3, "first", seed=1).column("id").to_pylist() == ["0", "1", "2"]
    drawn = selection_subset(table, 3, "random", seed=1).column("id").to_pylist()
    assert drawn == selection_subset(table, 3, "random", seed=1).column("id").to_pylist()
    assert drawn != selection_subset(table, 3, "random", seed=2).column("id").to_pylist()
    assert selection_subset(table, 30, "first", seed=1).num_rows == 10


def test_xtreme_selection_overlay_switches_each_choice(paper_config):
    overlay = yaml.safe_load((REPO / "config" / "xtreme_selection.yaml").read_text())
    config = validate(merge(paper_config, overlay))
    xnli = resolve_task(config, "target_tasks", "xnli", seed=1)
    mlqa = resolve_task(config, "target_tasks", "mlqa", seed=1)
    udpos = resolve_task(config, "target_tasks", "udpos", seed=1)
    assert [(ref.dataset, ref.split) for ref in xnli.dev] == [("xnli", "validation")]
    assert [(ref.dataset, ref.split) for ref in mlqa.dev] == [("mlqa", "validation")]
    assert xnli.hparams.selection_rows == "random"
    assert udpos.eval.fallback_split == "test"
