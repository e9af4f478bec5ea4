"""Retrieval evaluation from a checkpoint: layer check, embeddings, BUCC/Tatoeba predictions,
their scoring, and the workflow's jobs (xstilts.formats.retrieval and its encoder).
"""

import json
import re
import shutil
from dataclasses import replace

import pytest
import torch
from datasets import Dataset, DatasetDict, Features, Value
from specs import dataset_spec, task_spec, task_specs
from transformers import AutoTokenizer, XLMRobertaModel

from xstilts.config import ConfigError, merge, resolve_task, validate
from xstilts.data.demo import generate
from xstilts.data.layouts import LAYOUTS
from xstilts.evaluate.scoring import score_predictions
from xstilts.formats import pair_classification
from xstilts.formats.retrieval import (
    GOLD_PAIRS_ONLY,
    bucc_predictions,
    evaluate,
    gold,
    mined_pairs,
    tatoeba_predictions,
)
from xstilts.formats.retrieval import encoder as sentence_encoder
from xstilts.metrics.retrieval import mined_pairs_f1
from xstilts.models.base import build_model, missing_layer, save, train_tokenizer
from xstilts.store.prepared import read_split, write_prepared
from xstilts.store.provenance import record_checkpoint

TINY = {"vocab_size": 400, "hidden_size": 16, "num_hidden_layers": 2, "num_attention_heads": 2,
        "intermediate_size": 32, "max_position_embeddings": 130}
EVAL = 12  # demo pairs per split and language
HUB = Features({name: Value("string") for name in
                ("source_sentence", "target_sentence", "source_lang", "target_lang")})


def _demo(schema_name, languages):
    return generate(LAYOUTS[schema_name], schema_name, languages, 1, EVAL, seed=0)


@pytest.fixture(scope="module")
def data_root(tmp_path_factory):
    """Demo BUCC (de, zh) and Tatoeba (ar), prepared as the workflow prepares them."""
    root = tmp_path_factory.mktemp("prepared")
    for name, schema_name, languages in (("bucc", "xtreme_bucc", ["de", "zh"]),
                                         ("tatoeba", "xtreme_tatoeba", ["ar"])):
        spec = {"schema": schema_name, "source": "demo", "languages": languages}
        write_prepared(name, dataset_spec(spec), _demo(schema_name, languages), root / name)
    return root


@pytest.fixture(scope="module")
def tiny_base(data_root, tmp_path_factory):
    """A 2-layer masked-LM base checkpoint with a tokenizer trained on the demo sentences."""
    texts = [text for name, language in (("bucc", "de"), ("bucc", "zh"), ("tatoeba", "ar"))
             for column in ("source", "target")
             for text in read_split(data_root / name, language, "validation")
             .column(column).to_pylist() if text]
    tokenizer = train_tokenizer(texts, TINY["vocab_size"])
    directory = tmp_path_factory.mktemp("models") / "base"
    save(build_model(TINY, tokenizer, seed=0), tokenizer, directory)
    record_checkpoint(directory, "base_model", {}, {}, "t0")  # jobs verify their parent
    return directory


# --- the layer must exist --------------------------------------------------------------------


def test_missing_layer_names_key_layer_and_depth():
    assert missing_layer(0, 2, "m") is None  # embedding output
    assert missing_layer(2, 2, "m") is None  # last transformer layer
    message = missing_layer(3, 2, "models/base")
    assert "'model.retrieval_layer'" in message and "layer 3" in message
    assert "models/base" in message and "2 hidden layers" in message
    assert missing_layer(-1, 24, "m") is not None


def test_loading_a_layer_the_checkpoint_lacks_fails(tiny_base):
    with pytest.raises(ValueError, match=f"layer 3 does not exist in {tiny_base}, which has 2"):
        sentence_encoder.load_sentence_encoder(tiny_base, 3)


def test_config_rejects_a_layer_the_built_model_lacks(paper_config, demo_overrides):
    demo_overrides["model"]["retrieval_layer"] = 3  # the demo model has 2 layers
    with pytest.raises(ConfigError, match=r"'model.retrieval_layer': layer 3 .* 2 hidden layers"):
        validate(merge(paper_config, demo_overrides))
    # only retrieval targets embed with it
    demo_overrides["experiment"] = {"targets": ["xnli"]}
    validate(merge(paper_config, demo_overrides))


def test_hub_model_layer_is_checked_when_loaded_not_at_start(paper_config):
    paper_config["model"]["retrieval_layer"] = 30  # unknown until the checkpoint is read
    assert validate(paper_config)["model"]["retrieval_layer"] == 30
    assert validate(merge(paper_config, {"model": {"retrieval_layer": 14}}))


# --- embeddings ------------------------------------------------------------------------------


@pytest.mark.parametrize("layer", [0, 1, 2])
def test_embedding_is_mean_of_layer_over_non_padding_tokens(tiny_base, layer):
    sentences = ["Tom 1906 ab", "Mary", "Anna 12 ckwn ofkyof vjoj vj 277 yjevbf ehyalt vemk"]
    model, tokenizer, _ = sentence_encoder.load_sentence_encoder(tiny_base, layer)
    # one batch: the shorter sentences are padded
    embeddings = sentence_encoder.embed(model, tokenizer, sentences, max_length=64,
                                        batch_size=3, precision="fp32")
    # by hand: each sentence alone (no padding), a separately loaded encoder, mean over tokens
    encoder = XLMRobertaModel.from_pretrained(tiny_base, add_pooling_layer=False).eval()
    lengths = set()
    for sentence, embedding in zip(sentences, embeddings, strict=True):
        ids = AutoTokenizer.from_pretrained(tiny_base)(sentence)["input_ids"]
        lengths.add(len(ids))
        with torch.no_grad():
            states = encoder(torch.tensor([ids]), output_hidden_states=True).hidden_states
        torch.testing.assert_close(embedding, states[layer][0].mean(dim=0), atol=1e-5, rtol=0)
    assert len(lengths) == 3  # padding was really exercised
    assert embeddings.shape == (3, TINY["hidden_size"]) and embeddings.dtype == torch.float32


def test_layers_give_different_embeddings(tiny_base):
    def embed(layer):
        model, tokenizer, _ = sentence_encoder.load_sentence_encoder(tiny_base, layer)
        return sentence_encoder.embed(model, tokenizer, ["Tom 1906 ab"], 64, 1, "fp32")

    assert not torch.allclose(embed(1), embed(2))


def test_encoder_is_the_intermediate_checkpoints(tiny_base, tmp_path):
    classifier, _ = pair_classification.build_model(tiny_base, ["no", "yes"])
    with torch.no_grad():
        for parameter in classifier.parameters():
            parameter.add_(0.25)  # an "intermediate" encoder that differs from the base
    save(classifier, AutoTokenizer.from_pretrained(tiny_base), tmp_path / "intermediate")
    model, _, transfer = sentence_encoder.load_sentence_encoder(tmp_path / "intermediate", 1)
    expected = classifier.roberta.state_dict()
    for name, weight in model.encoder.state_dict().items():
        torch.testing.assert_close(weight, expected[name])
    assert any(name.startswith("classifier.") for name in transfer["dropped_from_checkpoint"])


# --- predictions from embeddings (vectors chosen by hand) ------------------------------------


def _embed_with(vectors: dict[str, list[float]]):
    return lambda sentences: torch.tensor([vectors[sentence] for sentence in sentences])


def _hub_split(rows: list[tuple[str, str, str, str]]) -> Dataset:
    return Dataset.from_list([dict(zip(HUB, row, strict=True)) for row in rows], features=HUB)


def _prepare(root, name, schema_name, language, splits: dict[str, list[tuple]]):
    raw = {language: DatasetDict({split: _hub_split(rows) for split, rows in splits.items()})}
    spec = {"schema": schema_name, "source": "demo", "languages": [language]}
    write_prepared(name, dataset_spec(spec), raw, root / name)
    return root / name


def _one_hot(i: int, size: int) -> list[float]:
    return [float(j == i) for j in range(size)]


def test_mined_pairs_drop_texts_repeated_on_their_side(tmp_path):
    # source "b" occurs twice: XTREME cannot map it back to one id, so its pairs go
    dataset = _prepare(tmp_path, "bucc", "xtreme_bucc", "de", {"validation": [
        ("a", "A", "de-1", "en-1"), ("b", "B", "de-2", "en-2"), ("b", "C", "de-3", "en-3")]})
    embed = _embed_with({"a": _one_hot(0, 3), "A": _one_hot(0, 3), "b": _one_hot(1, 3),
                         "B": _one_hot(1, 3), "C": _one_hot(2, 3)})
    pairs = mined_pairs(embed, read_split(dataset, "de", "validation"))
    assert [pair[:2] for pair in pairs] == [["de-1/en-1", "de-1/en-1"]]


def test_bucc_threshold_from_dev_applied_to_test(tmp_path):
    # Orthogonal unit vectors: translations have cosine 1, everything else 0. Four sentences
    # per side, so k = 4: margin(pair) = 1 / ((1/4 + 1/4) / 2) = 4, and unrelated sentences
    # score 0 and are not mined.
    vectors = {text: _one_hot(i, 12) for i, text in enumerate("abcdefghijkl")}
    vectors |= {text.upper(): vector for text, vector in vectors.items()}
    _prepare(tmp_path, "bucc", "xtreme_bucc", "de", {
        "validation": [("a", "A", "de-1", "en-1"), ("b", "B", "de-2", "en-2"),
                       ("c", "", "de-3", ""), ("g", "", "de-4", ""),
                       ("", "D", "", "en-5"), ("", "H", "", "en-6")],
        "test": [("e", "E", "de-7", "en-7"), ("f", "", "de-8", ""), ("i", "", "de-9", ""),
                 ("j", "", "de-10", ""), ("", "A", "", "en-11"), ("", "K", "", "en-12"),
                 ("", "L", "", "en-13")],
    })
    spec = {"eval": {"dataset": "bucc", "split": "validation"},
            "test": {"dataset": "bucc", "split": "test"}}
    predictions = bucc_predictions(_embed_with(vectors), task_spec(spec), tmp_path, "de")
    assert predictions["pairs"] == [["de-1/en-1", "de-1/en-1", 4.0],
                                    ["de-2/en-2", "de-2/en-2", 4.0]]
    # every candidate is gold, so the whole list wins: the threshold is its last score
    assert predictions["threshold"] == 4.0
    # test: e-E is the only pair ("A" has no partner there), found at the dev threshold
    assert predictions["test"] == {
        "split": "test", "threshold": 4.0, "pairs": [["de-7/en-7", "de-7/en-7", 4.0]],
        "precision": 100.0, "recall": 100.0, "f1": 100.0, "count": 1}


def test_tatoeba_queries_english_against_indexed_other_language(tmp_path):
    _prepare(tmp_path, "tatoeba", "xtreme_tatoeba", "ru", {"validation": [
        ("x0", "Q0", "rus", "eng"), ("x1", "Q1", "rus", "eng"), ("x2", "Q2", "rus", "eng")]})
    # Q0 and Q2 are closest to their translations; Q1 is closest to x2
    vectors = {"x0": [1.0, 0.0, 0.0], "x1": [0.0, 1.0, 0.0], "x2": [0.0, 0.0, 1.0],
               "Q0": [0.9, 0.1, 0.0], "Q1": [0.0, 0.4, 0.6], "Q2": [0.1, 0.0, 0.9]}
    spec = {"eval": {"dataset": "tatoeba", "split": "validation"}}
    predictions = tatoeba_predictions(_embed_with(vectors), task_spec(spec), tmp_path, "ru")
    assert predictions == {"validation-ru-0": "validation-ru-0",
                           "validation-ru-1": "validation-ru-2",
                           "validation-ru-2": "validation-ru-2"}


# --- scoring prediction files against hand-made gold -----------------------------------------

BUCC_SPEC = {"task": "bucc", "format": "retrieval", "metric": "bucc_f1",
             "languages": ["de", "fr"], "eval": {"dataset": "bucc", "split": "validation"}}
TATOEBA_SPEC = {"task": "tatoeba", "format": "retrieval", "metric": "tatoeba_accuracy",
                "languages": ["ru"], "eval": {"dataset": "tatoeba", "split": "validation"}}


def test_score_bucc_predictions(tmp_path):
    pairs = [("s1", "t1", "de-1", "en-1"), ("s2", "t2", "de-2", "en-2"),
             ("s3", "t3", "de-3", "en-3"), ("s4", "", "de-4", ""), ("", "t9", "", "en-9")]
    raw = {language: DatasetDict({"validation": _hub_split(
        [(s, t, sid.replace("de", language), tid) for s, t, sid, tid in pairs])})
        for language in ("de", "fr")}
    write_prepared("bucc", dataset_spec({"schema": "xtreme_bucc", "source": "demo",
                            "languages": ["de", "fr"]}), raw, tmp_path / "bucc")
    de_gold = gold(read_split(tmp_path / "bucc", "de", "validation"))
    assert de_gold == {f"de-{n}/en-{n}": f"de-{n}/en-{n}" for n in (1, 2, 3)}
    de = {"threshold": 1.0, "pairs": [
        ["de-1/en-1", "de-1/en-1", 1.5],  # right
        ["de-2/en-2", "en-9", 1.2],  # wrong: an English sentence without partner
        ["de-4", "de-3/en-3", 1.1],  # wrong
        ["de-2/en-2", "de-2/en-2", 1.0],  # right, exactly at the threshold: extracted
        ["de-3/en-3", "de-3/en-3", 0.9],  # right, but below the threshold
    ], "test": {"f1": 12.0}}  # the test block is not scored here
    fr = {"threshold": 0.5, "pairs": [[f"fr-{n}/en-{n}", f"fr-{n}/en-{n}", 2.0]
                                      for n in (1, 2, 3)]}
    result = score_predictions(task_spec(BUCC_SPEC), tmp_path, {"de": de, "fr": fr})
    # de: 4 extracted, 2 right, 3 gold: P = 2/4 = 50, R = 2/3 = 66.67,
    #     F1 = 2 * 0.5 * (2/3) / (0.5 + 2/3) = (2/3) / (7/6) = 4/7 = 57.14
    assert result["languages"]["de"] == pytest.approx(
        {"precision": 50.0, "recall": 200 / 3, "f1": 400 / 7, "count": 3})
    # fr: all 3 gold pairs and nothing else: 100
    assert result["languages"]["fr"] == {"precision": 100.0, "recall": 100.0, "f1": 100.0,
                                         "count": 3}
    # task score = mean F1 over languages: (400/7 + 100) / 2 = 550/7 = 78.57
    assert result["score"] == pytest.approx(550 / 7)
    assert result["metric"] == "bucc_f1" and result["split"] == "validation"
    # per source sentence of the split (de-1/en-1, de-2/en-2, de-3/en-3, de-4), for a
    # bootstrap: its gold pairs, pairs extracted at the threshold, and right ones
    assert result["examples"]["de"]["columns"] == {
        "gold": [1, 1, 1, 0], "predicted": [1, 2, 0, 1], "correct": [1, 1, 0, 0]}


def test_score_tatoeba_predictions(tmp_path):
    _prepare(tmp_path, "tatoeba", "xtreme_tatoeba", "ru", {"validation": [
        (f"x{i}", f"Q{i}", "rus", "eng") for i in range(4)]})
    ids = [f"validation-ru-{i}" for i in range(4)]
    predictions = {ids[0]: ids[0], ids[1]: ids[2], ids[2]: ids[2], ids[3]: ids[3]}
    result = score_predictions(task_spec(TATOEBA_SPEC), tmp_path, {"ru": predictions})
    # 3 of 4 English queries retrieve their own translation: 75 %
    assert result["languages"] == {"ru": {"accuracy": 75.0, "count": 4}}
    assert result["score"] == 75.0


# --- end to end on demo data -----------------------------------------------------------------


def _demo_spec(paper_config, demo_overrides, task, language):
    spec = resolve_task(validate(merge(paper_config, demo_overrides)), "target_tasks", task)
    return replace(spec, languages=(language,))


def test_evaluate_bucc_writes_prediction_file(paper_config, demo_overrides, tiny_base,
                                              data_root, tmp_path):
    spec = _demo_spec(paper_config, demo_overrides, "bucc", "zh")
    evaluate(task_specs([spec]), tiny_base, data_root, 1, [tmp_path / "bucc.json"])
    written = json.loads((tmp_path / "bucc.json").read_text())
    assert set(written) == {"task", "split", "predictions", "provenance"}
    assert (written["task"], written["split"]) == ("bucc", "validation")
    zh = written["predictions"]["zh"]
    assert set(written["predictions"]) == {"zh"}
    assert set(zh) == {"threshold", "pairs", "test"}
    dev = read_split(data_root / "bucc", "zh", "validation")
    source_ids = {i for i, s in zip(dev.column("id").to_pylist(),
                                    dev.column("source").to_pylist(), strict=True) if s}
    assert zh["pairs"] and all(pair[0] in source_ids for pair in zh["pairs"])
    assert [pair[2] for pair in zh["pairs"]] == sorted((p[2] for p in zh["pairs"]), reverse=True)
    test = zh["test"]
    assert set(test) == {"split", "threshold", "pairs", "precision", "recall", "f1", "count"}
    assert test["threshold"] == zh["threshold"] and test["count"] == EVAL
    assert all(pair[2] >= zh["threshold"] for pair in test["pairs"])
    record = written["provenance"]
    assert record["kind"] == "predictions" and record["params"]["layer"] == 1
    assert record["inputs"]["checkpoint"]["path"] == str(tiny_base)
    assert set(record["inputs"]["data"]) == {"bucc"}
    assert record["encoder_transfer"]["encoder_weights_loaded"] > 0
    scores = score_predictions(task_spec(spec), data_root, written["predictions"])
    assert 0 <= scores["score"] <= 100 and scores["languages"]["zh"]["count"] == EVAL


def test_evaluate_tatoeba_beats_chance_on_demo_data(paper_config, demo_overrides, tiny_base,
                                                    data_root, tmp_path):
    spec = _demo_spec(paper_config, demo_overrides, "tatoeba", "ar")
    [written] = evaluate(task_specs([spec]), tiny_base, data_root, 1, [tmp_path / "tatoeba.json"])
    ids = read_split(data_root / "tatoeba", "ar", "validation").column("id").to_pylist()
    assert set(written["predictions"]["ar"]) == set(ids)
    assert set(written["predictions"]["ar"].values()) <= set(ids)
    accuracy = score_predictions(task_spec(spec), data_root, written["predictions"])["score"]
    # a random encoder matches the shared name and number: well above chance (100 / EVAL)
    assert accuracy > 2 * 100 / EVAL


# --- the workflow ----------------------------------------------------------------------------


@pytest.mark.workflow
def test_dry_run_evaluates_retrieval_for_every_row_and_trains_none(tmp_path):
    from workflow import copy_workflow, snakemake

    output = snakemake(copy_workflow(tmp_path), "-n", "results/table2.csv").stdout
    jobs = {}  # rule -> {(intermediate, target)} of its jobs
    for block in output.split("\nrule ")[1:]:
        rule, _, details = block.partition(":")
        line = re.search(r"wildcards: (.*)", details)
        wildcards = dict(item.split("=", 1) for item in line.group(1).split(", ")) if line else {}
        jobs.setdefault(rule, set()).add((wildcards.get("intermediate"), wildcards.get("target")))
    # every row of Table 2 that is built (baseline included) gets one retrieval job, which
    # fills both retrieval columns ...
    table_rows = {row for row, _ in jobs["train_target"]}
    assert "baseline" in table_rows and "mnli" in table_rows
    assert jobs["evaluate_retrieval"] == {(row, None) for row in table_rows}
    assert {(row, target) for row in table_rows
            for target in ("bucc", "tatoeba")} <= jobs["score"]
    # ... and no retrieval target is trained
    assert not {target for _, target in jobs["train_target"]} & {"bucc", "tatoeba"}


def test_bucc_mines_each_distinct_text_once(tmp_path):
    # XTREME's procedure, worked by hand. Sources a=(0,3), b=(2,3) under two ids, c=(1,3),
    # d=(3,3); targets w=(2,3), x=(2,2), y=(3,1), z=(2,0); gold a-w, c-y, d-z; k = 4.
    # Distinct texts: w's four nearest sources are a, b, c, d (mean cosine 0.944), and the
    # ratio margins of the best candidates rank a-w 1.182, c-w 1.178, d-y 1.157, b-x 1.136.
    # Max retrieval takes a-w (gold), skips c-w (w is taken), takes d-y (wrong) and b-x
    # (dropped when texts are mapped back: b has two ids). The best threshold keeps a-w
    # alone: precision 1, recall 1/3, F1 50.0.
    # Embedding b's copies separately puts b twice into w's neighbourhood (mean 0.986):
    # c-w (1.1484) then outranks a-w (1.1479) and takes w, and no gold pair is mined: F1 0.
    dataset = _prepare(tmp_path, "bucc", "xtreme_bucc", "de", {"validation": [
        ("a", "w", "de-1", "en-1"), ("c", "y", "de-4", "en-3"), ("d", "z", "de-5", "en-4"),
        ("b", "", "de-2", ""), ("b", "", "de-3", ""), ("", "x", "", "en-2")]})
    vectors = {"a": [0.0, 3.0], "b": [2.0, 3.0], "c": [1.0, 3.0], "d": [3.0, 3.0],
               "w": [2.0, 3.0], "x": [2.0, 2.0], "y": [3.0, 1.0], "z": [2.0, 0.0]}
    spec = {"eval": {"dataset": "bucc", "split": "validation"}}
    predictions = bucc_predictions(_embed_with(vectors), task_spec(spec), tmp_path, "de")
    assert [pair[:2] for pair in predictions["pairs"]] == [
        ["de-1/en-1", "de-1/en-1"], ["de-5/en-4", "de-4/en-3"]]
    table = read_split(dataset, "de", "validation")
    assert mined_pairs_f1(predictions, gold(table))["f1"] == pytest.approx(50.0)


def test_bucc_from_gold_pairs_alone_is_marked_not_comparable(tmp_path):
    pairs_only = [("a", "A", "de-1", "en-1"), ("b", "B", "de-2", "en-2")]
    spec = {"task": "bucc", "format": "retrieval", "metric": "bucc_f1", "languages": ["de"],
            "eval": {"dataset": "bucc", "split": "validation"}}
    vectors = {text: _one_hot(i, 2) for i, text in enumerate("ab")}
    vectors |= {text.upper(): vector for text, vector in vectors.items()}
    for rows, caveat in ((pairs_only, GOLD_PAIRS_ONLY),
                         ([*pairs_only, ("c", "", "de-3", "")], None)):  # one distractor
        shutil.rmtree(tmp_path / "bucc", ignore_errors=True)
        _prepare(tmp_path, "bucc", "xtreme_bucc", "de", {"validation": rows})
        predictions = {"de": bucc_predictions(_embed_with(vectors | {"c": [0.6, 0.8]}),
                                              task_spec(spec),
                                              tmp_path, "de")}
        assert score_predictions(task_spec(spec), tmp_path, predictions).get("caveat") == caveat
