"""Safe loading: weights come from safetensors only, nothing is unpickled by the project,
and no hub code is ever executed."""

import re
from pathlib import Path

import pytest
import torch
from transformers import (
    AutoModelForSequenceClassification,
    BertConfig,
    BertForSequenceClassification,
)

from xstilts.models.transfer import with_fresh_head

ROOT = Path(__file__).resolve().parents[3]
SOURCES = sorted([*ROOT.glob("xstilts/**/*.py"), *ROOT.glob("scripts/*.py"),
                  *ROOT.glob("rules/*.smk"), ROOT / "Snakefile"])


@pytest.mark.parametrize("pattern", [
    r"trust_remote_code",  # would run code downloaded with a model or dataset
    r"\bpickle\b", r"torch\.load\(", r"joblib",  # unpickling runs arbitrary code
    r"shell=True", r"os\.system\(",  # commands are argument lists, never shell strings
])
def test_no_unsafe_call_in_the_project(pattern):
    hits = [f"{path.relative_to(ROOT)}:{number}"
            for path in SOURCES
            for number, line in enumerate(path.read_text().splitlines(), start=1)
            if re.search(pattern, line)]
    assert not hits, hits


def test_hub_models_are_read_as_safetensors():
    loader = (ROOT / "xstilts/models/base.py").read_text()
    calls = re.findall(r"AutoModel\w*\.from_pretrained\([^)]*\)", loader)
    assert calls and all("use_safetensors=True" in call for call in calls)


def test_a_pickled_checkpoint_is_refused(tmp_path):
    config = BertConfig(vocab_size=30, hidden_size=8, num_hidden_layers=1,
                        num_attention_heads=2, intermediate_size=16)
    model = BertForSequenceClassification(config)
    config.save_pretrained(tmp_path)
    torch.save(model.state_dict(), tmp_path / "pytorch_model.bin")  # the pickle format
    with pytest.raises(FileNotFoundError, match=r"no \*\.safetensors checkpoint"):
        with_fresh_head(AutoModelForSequenceClassification, tmp_path, ["a", "b"])
