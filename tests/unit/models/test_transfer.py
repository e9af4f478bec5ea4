"""Base model, encoder-only transfer and the training helpers that need no training run."""

import json
import shutil

import pyarrow as pa
import pytest
import torch
from safetensors.torch import load_file, save_file
from specs import model_spec, task_spec

from xstilts.data.demo import pair_rows
from xstilts.data.layouts import LAYOUTS
from xstilts.formats import pair_classification
from xstilts.models.base import (
    build_model,
    max_input_length,
    save,
    train_tokenizer,
    within_model_limit,
)
from xstilts.models.transfer import EncoderTransferError
from xstilts.store.provenance import sha256_file
from xstilts.train.parts import micro_batching, selection_subset

TINY = {"vocab_size": 60, "hidden_size": 16, "num_hidden_layers": 1, "num_attention_heads": 2,
        "intermediate_size": 32, "max_position_embeddings": 40}
PREFIX = "roberta."  # XLM-R's base_model_prefix in the saved checkpoints
NLI = ["entailment", "neutral", "contradiction"]


def _shift(model, amount):
    """Move every weight away from anything a fresh initialisation could produce."""
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.add_(amount)


def _saved(directory) -> dict:
    return load_file(directory / "model.safetensors")


def _encoder(state: dict) -> dict:
    return {key[len(PREFIX):]: value for key, value in state.items() if key.startswith(PREFIX)}


@pytest.fixture(scope="module")
def base_dir(tmp_path_factory):
    """A tiny masked-LM base checkpoint, as the demo builds it."""
    rows = pair_rows(LAYOUTS["glue_mnli"], "train", "en", 25, 0, "mnli")
    texts = [row["premise"] for row in rows] + [row["hypothesis"] for row in rows]  # 50
    tokenizer = train_tokenizer(texts, TINY["vocab_size"])
    model = build_model(TINY, tokenizer, seed=0)
    _shift(model, 0.5)
    directory = tmp_path_factory.mktemp("models") / "base"
    save(model, tokenizer, directory)
    return directory


@pytest.fixture(scope="module")
def intermediate_dir(base_dir):
    """An "intermediate" sequence-classification checkpoint with a 3-way head."""
    model, _ = pair_classification.build_model(base_dir, NLI)
    _shift(model, 0.25)  # encoder now differs from the base; head differs from any fresh one
    from transformers import AutoTokenizer

    directory = base_dir.with_name("intermediate")
    save(model, AutoTokenizer.from_pretrained(base_dir), directory)
    return directory


def test_tokenizer_and_base_model(base_dir):
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(base_dir)
    # XLM-R's special tokens and ids: <s>=0 <pad>=1 </s>=2 <unk>=3, <mask> last.
    assert tokenizer.convert_tokens_to_ids(["<s>", "<pad>", "</s>", "<unk>"]) == [0, 1, 2, 3]
    assert tokenizer.mask_token_id == len(tokenizer) - 1
    assert len(tokenizer) <= TINY["vocab_size"]
    state = _saved(base_dir)
    assert state[PREFIX + "embeddings.word_embeddings.weight"].shape == (len(tokenizer), 16)
    layers = {key.split(".")[3] for key in state if key.startswith(PREFIX + "encoder.layer.")}
    assert layers == {"0"}  # one layer
    assert not (base_dir.parent / "base.partial").exists()


def test_target_gets_every_encoder_weight_of_the_base(base_dir):
    model, report = pair_classification.build_model(base_dir, ["no", "yes"])
    saved = _encoder(_saved(base_dir))
    loaded = model.base_model.state_dict()
    assert set(loaded) == set(saved)
    for key, value in saved.items():
        assert torch.equal(loaded[key], value), key
    assert report["encoder_weights_loaded"] == len(saved)
    # The masked-LM head is reported as dropped, nothing else.
    lm_head = sorted(key for key in _saved(base_dir) if not key.startswith(PREFIX))
    assert lm_head and all(key.startswith("lm_head.") for key in lm_head)
    assert report["dropped_from_checkpoint"] == lm_head
    assert model.config.num_labels == 2
    assert model.config.id2label == {0: "no", 1: "yes"}


def test_head_of_same_shape_is_not_reused(intermediate_dir):
    checkpoint = _saved(intermediate_dir)
    model, report = pair_classification.build_model(intermediate_dir, NLI)
    state = model.state_dict()
    head = sorted(key for key in checkpoint if not key.startswith(PREFIX))
    assert head == ["classifier.dense.bias", "classifier.dense.weight",
                    "classifier.out_proj.bias", "classifier.out_proj.weight"]
    for key in head:
        assert state[key].shape == checkpoint[key].shape  # shapes match ...
        assert not torch.equal(state[key], checkpoint[key]), key  # ... yet fresh weights
    for key, value in _encoder(checkpoint).items():
        assert torch.equal(state[PREFIX + key], value), key
    assert report["dropped_from_checkpoint"] == head


def _copy_with_state(source, target, state):
    shutil.copytree(source, target)
    (target / "model.safetensors").unlink()
    save_file(state, target / "model.safetensors", metadata={"format": "pt"})
    return target


def test_renamed_encoder_key_is_an_error(base_dir, tmp_path):
    state = dict(_saved(base_dir))
    key = PREFIX + "encoder.layer.0.attention.self.query.weight"
    state[PREFIX + "encoder.layer.0.attention.self.q.weight"] = state.pop(key)
    directory = _copy_with_state(base_dir, tmp_path / "renamed", state)
    with pytest.raises(EncoderTransferError) as error:
        pair_classification.build_model(directory, NLI)
    assert "encoder.layer.0.attention.self.query.weight" in str(error.value)
    assert "encoder.layer.0.attention.self.q.weight" in str(error.value)


def test_missing_encoder_key_is_an_error(base_dir, tmp_path):
    state = dict(_saved(base_dir))
    del state[PREFIX + "embeddings.LayerNorm.bias"]
    directory = _copy_with_state(base_dir, tmp_path / "missing", state)
    with pytest.raises(EncoderTransferError, match="embeddings.LayerNorm.bias"):
        pair_classification.build_model(directory, NLI)


def test_bare_encoder_checkpoint_with_pooler(base_dir, tmp_path):
    # A checkpoint saved without the "roberta." prefix (AutoModel), pooler included: the
    # encoder transfers, the pooler (which the classifier lacks) is reported as dropped.
    from transformers import AutoConfig, AutoTokenizer, XLMRobertaModel

    bare = XLMRobertaModel(AutoConfig.from_pretrained(base_dir))
    _shift(bare, 0.75)
    save(bare, AutoTokenizer.from_pretrained(base_dir), tmp_path / "bare")
    saved = _saved(tmp_path / "bare")
    assert "pooler.dense.weight" in saved
    model, report = pair_classification.build_model(tmp_path / "bare", NLI)
    loaded = model.base_model.state_dict()
    for key, value in loaded.items():
        assert torch.equal(value, saved[key]), key
    assert report["dropped_from_checkpoint"] == ["roberta.pooler.dense.bias",
                                                 "roberta.pooler.dense.weight"]


# --- training helpers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("batch_size", "max_per_device", "expected"),
    [
        (32, 4, (4, 8)),  # 4 x 8 = 32
        (32, 5, (4, 8)),  # 5 does not divide 32; largest divisor <= 5 is 4
        (16, 64, (16, 1)),  # the whole batch fits at once
        (32, 32, (32, 1)),
        (12, 5, (4, 3)),  # divisors of 12 up to 5: 1 2 3 4
        (7, 4, (1, 7)),  # a prime: one example per step
    ],
)
def test_micro_batching(batch_size, max_per_device, expected):
    assert micro_batching(batch_size, max_per_device) == expected


def test_selection_subset():
    table = pa.table({"id": [f"r{i}" for i in range(20)], "label": [i % 3 for i in range(20)]})
    subset = selection_subset(table, 5, "random", seed=1)
    assert subset.num_rows == 5
    ids = subset.column("id").to_pylist()
    assert len(set(ids)) == 5
    rows = {row["id"]: row for row in table.to_pylist()}
    assert all(rows[row["id"]] == row for row in subset.to_pylist())  # whole rows, unchanged
    # kept in the dev set's order
    assert ids == sorted(ids, key=lambda i: int(i[1:]))
    assert selection_subset(table, 5, "random", seed=1).equals(subset)
    # some other seed picks other rows (10 seeds all equal: probability ~(1/15504)^9)
    others = {tuple(selection_subset(table, 5, "random", seed=s).column("id").to_pylist())
              for s in range(2, 12)}
    assert others - {tuple(ids)}
    # asking for more than there is gives the whole dev set
    assert selection_subset(table, 500, "random", seed=1).equals(table)


def test_max_length_follows_the_model(base_dir, tmp_path):
    # XLM-R positions start after the padding index 1: 2 of max_position_embeddings unused
    assert max_input_length(base_dir) == TINY["max_position_embeddings"] - 2
    spec = task_spec({"max_length": 512,
                      "subtasks": {"a": {"max_length": 8}, "b": {"max_length": 999}}})
    fitted = within_model_limit(spec, 130)
    assert fitted.max_length == 130
    assert {name: sub.max_length for name, sub in fitted.subtasks.items()} == {"a": 8, "b": 130}
    assert spec.subtasks["b"].max_length == 999  # the input is left as it was
    # a BERT-style model has no such offset
    from transformers import BertConfig

    BertConfig(max_position_embeddings=64).save_pretrained(tmp_path)
    assert max_input_length(tmp_path) == 64


def test_local_model_directory_needs_its_own_tokenizer(base_dir, tmp_path):
    from xstilts.models.base import base_model

    local = tmp_path / "local-model"
    shutil.copytree(base_dir, local)
    spec = {"source": "local", "path": str(local), "revision": "a" * 40}
    base_model(model_spec(spec), 0, [], tmp_path / "base")
    record = json.loads((tmp_path / "base" / "provenance.json").read_text())
    # the directory's files are hashed; the hub revision of the paper config is not shown
    assert record["params"]["model"] == {"source": "local", "path": str(local)}
    assert record["inputs"]["model_files"]["model.safetensors"] == sha256_file(
        local / "model.safetensors")
    for path in local.iterdir():
        if path.name not in ("model.safetensors", "config.json"):
            path.unlink()
    with pytest.raises(ValueError, match=f"{local}: the tokenizer has .* tokens but the "
                                         "model's embeddings have 60 rows"):
        base_model(model_spec(spec), 0, [], tmp_path / "base2")
    assert not (tmp_path / "base2").exists()


def test_the_demo_tokenizer_is_the_same_on_every_run():
    """The cause of demo results that differed between two builds (mnli_translated's Tatoeba
    score, most often under CPU load): the tokenizer of the base model. The Unigram trainer
    gave other piece scores and ids on every run; two trainings here must agree byte for
    byte (on today's trainer they differed on this corpus every time)."""
    from xstilts.data.demo import generate

    texts = []
    for name, layout, languages in (("mnli", "glue_mnli", ["en"]),
                                    ("mnli_mt", "xnli_mt", ["de", "ru", "zh"])):
        for splits in generate(LAYOUTS[layout], name, languages, 160, 20, 0).values():
            for table in splits.values():
                texts += [value for column in table.column_names for value in table[column]
                          if isinstance(value, str)]
    first, second = (train_tokenizer(texts, 500).backend_tokenizer.to_str() for _ in range(2))
    assert first == second
