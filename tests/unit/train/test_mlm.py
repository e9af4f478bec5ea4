"""Masked-LM on multilingual text during intermediate training (xstilts.train.mlm) and the text
corpus layout it reads (xstilts.data.layouts.text).

A tiny XLM-R is built as the demo builds it; demo MNLI, QQP and a demo corpus in three
languages are prepared with the project's own preparation functions.
"""

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import torch
from datasets import IterableDataset, IterableDatasetDict
from safetensors.torch import load_file
from specs import dataset_spec, task_spec

from xstilts.config import load_schema
from xstilts.data.layouts import LAYOUTS
from xstilts.data.release import ReleaseFormatError
from xstilts.models.base import build_model, corpus, save, train_tokenizer
from xstilts.spec import DataRef
from xstilts.store.prepared import MANIFEST, load_raw, read_split, write_prepared
from xstilts.store.provenance import record_checkpoint, sha256_file
from xstilts.train.loop import train
from xstilts.train.mlm import MLM_PART, MaskedLMBatches, mlm_setup, shared_masked_lm

TINY = {"vocab_size": 200, "hidden_size": 16, "num_hidden_layers": 1, "num_attention_heads": 2,
        "intermediate_size": 32, "max_position_embeddings": 66}
DEMO = {"train_examples": 64, "eval_examples": 24, "seed": 0}
LANGUAGES = ["en", "de", "zh"]
DATASETS = {
    "mnli": {"schema": "glue_mnli", "source": "demo"},
    "qqp": {"schema": "glue_qqp", "source": "demo"},
    "corpus": {"schema": "wikipedia", "source": "demo", "languages": LANGUAGES,
               "rows_per_language": 40},
}
HPARAMS = {key: value["default"]
           for key, value in load_schema()["definitions"]["hparams"]["properties"].items()}
HPARAMS.update(learning_rate=3e-3, eval_every_steps=4, selection_examples=24,
               eval_batch_size=64, dataloader_workers=0, optimizer="adamw_torch")
MLM = {"dataset": "corpus", "languages": LANGUAGES, "ratio": 0.5, "probability": 0.15,
       "max_length": 32}


def plain_task(task="mnli", dataset="mnli", dev="validation_matched", **changes) -> dict:
    """A resolved intermediate task (xstilts.config.resolve_task's shape) with MLM."""
    spec = {"task": task, "kind": "intermediate_tasks", "format": "pair_classification",
            "train": [{"dataset": dataset, "split": "train", "language": "en"}],
            "dev": [{"dataset": dataset, "split": dev, "language": "en"}],
            "epochs": 2, "batch_size": 16, "max_length": 64, "hparams": dict(HPARAMS),
            "seed": 1, "precision": "fp32", "mlm": dict(MLM)}
    return {**spec, **changes}


def multitask_spec() -> dict:
    subtasks = {"mnli": plain_task(), "qqp": plain_task("qqp", "qqp", "validation")}
    for sub in subtasks.values():
        del sub["mlm"]
    return plain_task("multitask", format="multitask", subtasks=subtasks, epochs=1)


@pytest.fixture(scope="module")
def data_root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("mlm") / "prepared"
    for name, spec in DATASETS.items():
        write_prepared(name, dataset_spec(spec), load_raw(name, dataset_spec(spec), DEMO),
                       root / name)
    return root


@pytest.fixture(scope="module")
def base_dir(data_root) -> Path:
    tokenizer = train_tokenizer(corpus([data_root / name for name in DATASETS]),
                                TINY["vocab_size"])
    directory = data_root.parent / "base"
    save(build_model(TINY, tokenizer, seed=0), tokenizer, directory)
    record_checkpoint(directory, "base_model", {}, {}, "t0")  # jobs verify their parent
    return directory


@pytest.fixture(scope="module")
def tokenizer(base_dir):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(base_dir)


@pytest.fixture(scope="module")
def setup(base_dir, data_root, tokenizer):
    return mlm_setup(task_spec(plain_task()), base_dir, data_root, tokenizer)


def trained(base_dir, data_root, name, spec=None) -> Path:
    out = data_root.parent / name
    train(task_spec(spec or plain_task()), base_dir, data_root, out,
          checkpoint_minutes=0)  # every evaluation
    return out


@pytest.fixture(scope="module")
def with_mlm(base_dir, data_root) -> Path:
    return trained(base_dir, data_root, "with_mlm")


def weights(directory: Path) -> bytes:
    return (directory / "model.safetensors").read_bytes()


def encoder(directory: Path) -> dict:
    return {key: value for key, value in load_file(directory / "model.safetensors").items()
            if key.startswith("roberta.")}


# --- the text layout ---------------------------------------------------------------------------


def test_to_canonical_from_hub_rows_drops_empty_documents():
    layout = LAYOUTS["wikipedia"]
    rows = {"id": ["12", "13", "14", "15"], "url": ["u"] * 4, "title": ["A", "B", "C", "D"],
            "text": ["First article.\n\nSecond paragraph.", "", "  \n", " Last one. "]}
    assert layout.to_canonical(rows, "train", "de") == {
        "id": ["12", "15"], "text": ["First article.\n\nSecond paragraph.", "Last one."]}
    with pytest.raises(ValueError, match="no documents"):
        layout.to_canonical({**rows, "text": ["", " ", "\n", ""]}, "train", "de")


def test_demo_documents_are_in_the_hub_columns_and_the_language(data_root):
    raw = load_raw("corpus", dataset_spec(DATASETS["corpus"]), DEMO)
    assert set(raw) == set(LANGUAGES)
    assert raw["zh"]["train"].features == LAYOUTS["wikipedia"].features()
    assert " " not in raw["zh"]["train"][0]["text"]  # written without spaces, as zh is
    assert raw["de"]["train"][0]["text"] != raw["en"]["train"][0]["text"]


def write_lines(path: Path, lines: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")


def local_spec(root: Path, **changes) -> dict:
    return {"schema": "wikipedia", "source": "local", "path": str(root),
            "languages": ["en", "de"], **changes}


def test_local_text_files_round_trip(tmp_path):
    english = ["One document.", "", "Another one, with\ttab.", "   ", "Third."]
    german = ["Ein Dokument.", "Noch eins."]
    write_lines(tmp_path / "files" / "en.txt", english)
    write_lines(tmp_path / "files" / "de.txt", german)
    spec = local_spec(tmp_path / "files")
    write_prepared("corpus", dataset_spec(spec), load_raw("corpus", dataset_spec(spec), {}),
                   tmp_path / "corpus")
    en = read_split(tmp_path / "corpus", "en", "train").to_pydict()
    assert en == {"id": ["1", "3", "5"], "text": ["One document.", "Another one, with\ttab.",
                                                  "Third."]}  # ids: line numbers
    assert read_split(tmp_path / "corpus", "de", "train").column("text").to_pylist() == german


def test_local_text_errors_name_the_dataset_and_file(tmp_path):
    write_lines(tmp_path / "en.txt", ["text"])
    with pytest.raises(FileNotFoundError, match=r"dataset 'corpus'.*de\.txt"):
        load_raw("corpus", dataset_spec(local_spec(tmp_path)), {})
    write_lines(tmp_path / "de.txt", ["", "  "])
    with pytest.raises(ReleaseFormatError, match=r"dataset 'corpus'.*de\.txt: no examples"):
        load_raw("corpus", dataset_spec(local_spec(tmp_path)), {})


def test_rows_per_language_keeps_the_first_documents(tmp_path, data_root):
    write_lines(tmp_path / "en.txt", ["a.", "", "b.", "c.", "d."])
    write_lines(tmp_path / "de.txt", ["x."])
    raw = load_raw("corpus", dataset_spec(local_spec(tmp_path, rows_per_language=2)), {})
    assert raw["en"]["train"]["text"] == ["a.", "b."]  # the blank line is not counted
    assert raw["de"]["train"]["text"] == ["x."]
    demo = read_split(data_root / "corpus", "de", "train")
    assert demo.num_rows == DATASETS["corpus"]["rows_per_language"] < DEMO["train_examples"]
    manifest = json.loads((data_root / "corpus" / MANIFEST).read_text())
    assert manifest["source"]["rows_per_language"] == 40
    assert manifest["format"] == "text"


def test_hub_corpus_is_streamed_and_cut(monkeypatch):
    """Only the first documents are read from the hub, never a whole dump."""
    import datasets

    drawn, calls = [], []

    def articles():
        for number in range(10_000):
            drawn.append(number)
            yield {"id": str(number), "url": "u", "title": "t",
                   "text": "" if number == 1 else f"Article {number}."}

    def fake_load_dataset(path, name, **options):
        calls.append((path, name, options))
        return IterableDatasetDict({"train": IterableDataset.from_generator(articles)})

    monkeypatch.setattr(datasets, "load_dataset", fake_load_dataset)
    spec = {"schema": "wikipedia", "source": "hub", "path": "wikimedia/wikipedia",
            "name": "20231101.{lang}", "revision": "main", "languages": ["de", "fr"],
            "rows_per_language": 3}
    raw = load_raw("wikipedia", dataset_spec(spec), {})
    assert [(name, options["streaming"]) for _, name, options in calls] == [
        ("20231101.de", True), ("20231101.fr", True)]
    assert raw["de"]["train"]["text"] == ["Article 0.", "Article 2.", "Article 3."]
    assert len(drawn) < 1000


# --- batches -----------------------------------------------------------------------------------


def kinds(train_set) -> list[str]:
    return [train_set[i]["task"] for i in range(len(train_set))]


def test_mlm_batches_join_the_task_batches_in_the_ratio(setup, base_dir, data_root,
                                                        tokenizer):
    task_batches = DEMO["train_examples"] // 16
    assert kinds(setup.train_set).count("mnli") == task_batches
    assert kinds(setup.train_set).count(MLM_PART) == task_batches // 2  # ratio 0.5
    spec = plain_task(mlm={**MLM, "ratio": 1.5})
    assert kinds(mlm_setup(task_spec(spec), base_dir, data_root, tokenizer).train_set).count(
        MLM_PART) == task_batches * 3 // 2


def test_the_heads_share_one_encoder(setup):
    task, masked_lm = setup.model.tasks["mnli"], setup.model.tasks[MLM_PART]
    assert setup.checkpoint_model is task  # the task model is saved, not the MLM head
    assert masked_lm.roberta is task.roberta
    embeddings = task.roberta.embeddings.word_embeddings.weight
    assert masked_lm.lm_head.decoder.weight is embeddings
    # the optimiser sees every shared weight once
    names = [name for name, _ in setup.model.named_parameters()]
    assert sum(".word_embeddings." in name for name in names) == 1


def test_mlm_head_comes_from_the_init_checkpoint(setup, base_dir):
    report = setup.transfer[MLM_PART]
    assert "lm_head.dense.weight" in report["head_weights_from_init"]
    assert report["fresh_head_weights"] == []
    assert report["tied_to_input_embeddings"] == ["lm_head.decoder.weight"]
    saved = load_file(base_dir / "model.safetensors")["lm_head.dense.weight"]
    assert torch.equal(setup.model.tasks[MLM_PART].lm_head.dense.weight, saved)
    assert DataRef(dataset="corpus", split="train", language="zh") in setup.data_refs


def test_mlm_head_is_fresh_where_the_init_checkpoint_has_none(with_mlm, setup):
    """A task checkpoint (the saved MLM run) has an encoder but no masked-LM head."""
    encoder = setup.checkpoint_model.base_model
    head, report = shared_masked_lm(with_mlm, encoder)
    assert report["head_weights_from_init"] == []
    assert "lm_head.dense.weight" in report["fresh_head_weights"]
    assert head.roberta is encoder and head.lm_head.decoder.weight is \
        encoder.embeddings.word_embeddings.weight


def test_masking_labels_about_probability_of_the_tokens(setup, tokenizer):
    batches = setup.train_set.mlm_batches
    batches.set_epoch(0)
    chunks = [batches.chunks.tokens(batches.chunk_at(position))
              for position in range(len(batches) * batches.micro)]
    items = [batches[index] for index in range(len(batches))]
    inputs = torch.cat([item["input_ids"] for item in items])
    labels = torch.cat([item["labels"] for item in items])
    original = torch.full_like(inputs, tokenizer.pad_token_id)
    for row, tokens in enumerate(chunks):
        original[row, :len(tokens)] = torch.tensor(tokens)
    assert inputs.shape[1] <= MLM["max_length"]
    special = torch.tensor([tokenizer.get_special_tokens_mask(row, already_has_special_tokens=True)
                            for row in original.tolist()]).bool()
    labelled = labels != -100
    assert not (labelled & special).any()  # never <s>, </s> or padding
    assert torch.equal(labels[labelled], original[labelled])
    assert torch.equal(inputs[~labelled], original[~labelled])  # the rest untouched
    share = labelled.sum().item() / (~special).sum().item()
    assert abs(share - MLM["probability"]) < 0.04, share
    masked = (inputs[labelled] == tokenizer.mask_token_id).float().mean().item()
    assert 0.6 < masked < 0.95  # 80% <mask>, the others random or kept


def test_chunks_are_contiguous_text_of_one_language(setup, data_root, tokenizer):
    chunks = setup.train_set.mlm_batches.chunks
    assert chunks.languages == LANGUAGES
    for chunk in range(len(chunks)):
        tokens = chunks.tokens(chunk)
        assert tokens[0] == tokenizer.bos_token_id and len(tokens) <= MLM["max_length"]
    # the first chunk holds the first English documents, each followed by </s>
    documents = read_split(data_root / "corpus", "en", "train").column("text").to_pylist()
    stream = [token for ids in tokenizer(documents[:3], add_special_tokens=False)["input_ids"]
              for token in [*ids, tokenizer.eos_token_id]]
    assert chunks.tokens(0)[1:] == stream[:MLM["max_length"] - 1]
    assert chunks.tokens(1)[1:] == stream[MLM["max_length"] - 1:][:MLM["max_length"] - 1]


def batch(batches: MaskedLMBatches, epoch: int, index: int) -> dict:
    batches.set_epoch(epoch)
    return batches[index]


def same(a: dict, b: dict) -> bool:
    return all(torch.equal(a[key], b[key]) for key in ("input_ids", "labels"))


def test_a_batch_depends_on_seed_epoch_and_index_only(setup):
    batches = setup.train_set.mlm_batches
    first = batch(batches, 0, 1)
    for index in range(len(batches)):  # other draws between do not change it
        batch(batches, 3, index)
    assert same(batch(batches, 0, 1), first)
    again = MaskedLMBatches(batches.chunks, batches.per_epoch, batches.micro, batches.collate,
                            batches.seed)
    assert same(batch(again, 0, 1), first)
    assert not same(batch(batches, 1, 1), first)  # a new epoch draws new chunks and masks
    other_seed = MaskedLMBatches(batches.chunks, batches.per_epoch, batches.micro,
                                 batches.collate, batches.seed + 1)
    assert not same(batch(other_seed, 0, 1), first)


# --- training ----------------------------------------------------------------------------------


def test_checkpoint_is_the_task_model_and_mlm_changed_its_encoder(with_mlm, base_dir,
                                                                   data_root):
    from transformers import AutoModelForSequenceClassification

    model = AutoModelForSequenceClassification.from_pretrained(with_mlm)
    assert model.config.num_labels == 3
    saved = load_file(with_mlm / "model.safetensors")
    assert not [key for key in saved if key.startswith("lm_head.")]
    spec = plain_task()
    del spec["mlm"]
    without = trained(base_dir, data_root, "without_mlm", spec)
    assert encoder(without).keys() == encoder(with_mlm).keys()
    assert any(not torch.equal(value, encoder(without)[key])
               for key, value in encoder(with_mlm).items())
    record = json.loads((with_mlm / "provenance.json").read_text())
    assert set(record["inputs"]["data"]) == {"mnli", "corpus"}
    assert record["encoder_transfer"][MLM_PART]["fresh_head_weights"] == []
    # selection is on the task alone: every evaluation is an MNLI accuracy
    assert all(0 <= entry["score"] <= 100 for entry in record["selection"]["evaluations"])


def test_same_seed_same_weights(with_mlm, base_dir, data_root):
    assert weights(trained(base_dir, data_root, "with_mlm_again")) == weights(with_mlm)


def test_every_epoch_reaches_the_mlm_batches(base_dir, data_root, monkeypatch):
    epochs = []
    original = MaskedLMBatches.set_epoch
    monkeypatch.setattr(MaskedLMBatches, "set_epoch",
                        lambda self, epoch: epochs.append(epoch) or original(self, epoch))
    trained(base_dir, data_root, "epochs", plain_task(hparams={**HPARAMS,
                                                               "eval_every_steps": 100}))
    assert sorted(set(epochs)) == [0, 1]  # (the Trainer and accelerate both tell it)


def test_killed_training_resumes_bit_identically(with_mlm, base_dir, data_root, monkeypatch):
    """Killed after the checkpoint of step 8, in the second epoch (6 steps each)."""
    from transformers import Trainer

    class Killed(Exception):
        pass

    original, saves = Trainer._save_checkpoint, []

    def killing(self, *args, **kwargs):
        original(self, *args, **kwargs)
        saves.append(self.state.global_step)
        if len(saves) == 2:
            raise Killed

    monkeypatch.setattr(Trainer, "_save_checkpoint", killing)
    with pytest.raises(Killed):
        trained(base_dir, data_root, "resumed")
    assert saves == [4, 8]
    monkeypatch.setattr(Trainer, "_save_checkpoint", original)
    resumed = trained(base_dir, data_root, "resumed")
    record = json.loads((resumed / "provenance.json").read_text())
    assert record["selection"]["resumed_from_step"] == 8
    assert weights(resumed) == weights(with_mlm)


def test_multitask_with_mlm(base_dir, data_root, tokenizer):
    spec = multitask_spec()
    setup = mlm_setup(task_spec(spec), base_dir, data_root, tokenizer)
    assert set(setup.model.tasks) == {"mnli", "qqp", MLM_PART}
    assert setup.model.tasks[MLM_PART].roberta is setup.checkpoint_model.roberta
    task_batches = 2 * DEMO["train_examples"] // 16
    assert kinds(setup.train_set).count(MLM_PART) == task_batches // 2
    out = trained(base_dir, data_root, "multitask", spec)
    record = json.loads((out / "provenance.json").read_text())
    assert set(record["encoder_transfer"]) == {"mnli", "qqp", MLM_PART}
    assert set(record["inputs"]["data"]) == {"mnli", "qqp", "corpus"}


# --- errors ------------------------------------------------------------------------------------


def test_corpus_without_the_language(base_dir, data_root, tokenizer):
    spec = plain_task(mlm={**MLM, "languages": ["en", "fr"]})
    with pytest.raises(ValueError, match=r"MLM corpus 'corpus' has no language 'fr'"):
        mlm_setup(task_spec(spec), base_dir, data_root, tokenizer)


def test_corpus_without_documents(base_dir, data_root, tokenizer):
    """A prepared corpus whose file of one language is empty (written by hand: preparation
    refuses to write one)."""
    directory = data_root / "empty_corpus"
    (directory / "en").mkdir(parents=True)
    pq.write_table(pa.table({"id": pa.array([], pa.string()), "text": pa.array([], pa.string())}),
                   directory / "en" / "train.parquet")
    manifest = {"dataset": "empty_corpus", "format": "text", "label_names": [], "files": {
        "en/train": {"rows": 0, "sha256": sha256_file(directory / "en" / "train.parquet")}}}
    (directory / MANIFEST).write_text(json.dumps(manifest))
    spec = plain_task(mlm={**MLM, "dataset": "empty_corpus", "languages": ["en"]})
    with pytest.raises(ValueError, match=r"'empty_corpus' has no documents in language 'en'"):
        mlm_setup(task_spec(spec), base_dir, data_root, tokenizer)


def test_a_task_dataset_is_not_a_corpus(base_dir, data_root, tokenizer):
    spec = plain_task(mlm={**MLM, "dataset": "mnli", "languages": ["en"]})
    with pytest.raises(ValueError, match=r"'mnli' is a pair_classification dataset"):
        mlm_setup(task_spec(spec), base_dir, data_root, tokenizer)
