"""config/small.yaml: the paper's grid on XLM-R base, pinned, on subsets."""

from workflow import ROOT

from xstilts.config import load


def test_small_config_is_xlmr_base_pinned_with_subsets():
    config = load([ROOT / "config/config.yaml", ROOT / "config/small.yaml"])
    assert config["model"]["path"] == "FacebookAI/xlm-roberta-base"
    assert len(config["model"]["revision"]) == 40
    assert config["model"]["retrieval_layer"] == 7  # 14 of Large's 24 -> 7 of base's 12
    assert config["subsample"]["max_train_examples"] and config["subsample"]["max_eval_examples"]
    assert config["extra_tables"] == {}
    paper = load([ROOT / "config/config.yaml"])
    assert config["experiment"] == paper["experiment"]  # the full grid
