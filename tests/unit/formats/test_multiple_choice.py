"""Multiple choice: (prompt, choice) pairs, the choice collator, prediction and selection."""

import pyarrow as pa
import pytest
import torch
from specs import task_spec

from xstilts.data.demo import PseudoLanguage, choice_example, language_rng
from xstilts.formats import multiple_choice
from xstilts.models.base import build_model, save, train_tokenizer

TINY = {"vocab_size": 100, "hidden_size": 16, "num_hidden_layers": 1, "num_attention_heads": 2,
        "intermediate_size": 32, "max_position_embeddings": 64}
DIGITS = ["0", "1", "2", "3"]


@pytest.fixture(scope="module")
def tokenizer():
    lang, rng = PseudoLanguage("en", 0), language_rng(0, "choice-test")
    texts = [lang.join(lang.sentence_words(rng)) for _ in range(100)]
    return train_tokenizer(texts, TINY["vocab_size"])


@pytest.fixture(scope="module")
def base_dir(tokenizer, tmp_path_factory):
    directory = tmp_path_factory.mktemp("choice") / "base"
    save(build_model(TINY, tokenizer, seed=0), tokenizer, directory)
    return directory


def examples(n, n_choices=4, seed=0):
    """Canonical rows with answers 0, 1, 2, ... in turn."""
    lang, rng = PseudoLanguage("en", 0), language_rng(seed, "choice-examples")
    rows = {"id": [], "context": [], "question": [], "choices": [], "label": []}
    for i in range(n):
        context, choices = choice_example(lang, n_choices, i % n_choices, rng)
        rows["id"].append(f"q{i}")
        rows["context"].append(context)
        rows["question"].append(lang.words[i] if i % 2 else "")
        rows["choices"].append(choices)
        rows["label"].append(i % n_choices)
    return pa.table(rows)


def test_prompt_is_context_then_question():
    rows = pa.table({"context": ["It rains.", "", "Bob ran."], "question": ["", "Why?", "Who?"]})
    assert multiple_choice.prompts(rows) == ["It rains.", "Why?", "Bob ran. Who?"]


def test_each_choice_is_encoded_with_the_prompt(tokenizer):
    rows = examples(3)
    features = multiple_choice.featurize(rows, tokenizer, 64)
    assert features.column_names == ["input_ids", "attention_mask", "labels"]
    assert features["labels"] == [0, 1, 2]
    prompts = multiple_choice.prompts(rows)
    for row, feature in enumerate(features):
        choices = rows.column("choices")[row].as_py()
        assert len(feature["input_ids"]) == 4
        for choice, input_ids in zip(choices, feature["input_ids"], strict=True):
            assert input_ids == tokenizer(prompts[row], choice)["input_ids"]


def test_pairs_are_truncated_to_max_length(tokenizer):
    rows = examples(2)
    for feature in multiple_choice.encode(rows, tokenizer, 12):
        assert all(len(ids) <= 12 for ids in feature["input_ids"])
        assert all(ids[-1] == tokenizer.sep_token_id for ids in feature["input_ids"])


def test_collator_pads_every_choice_to_one_length(tokenizer):
    features = [
        {"input_ids": [[0, 5, 2], [0, 5, 6, 7, 2]], "attention_mask": [[1] * 3, [1] * 5],
         "labels": 1},
        {"input_ids": [[0, 8, 9, 10, 11, 12, 13, 14, 15, 2], [0, 2]],
         "attention_mask": [[1] * 10, [1] * 2], "labels": 0},
    ]
    batch = multiple_choice.collator(tokenizer)(features)
    # 2 examples x 2 choices x longest sequence (10) padded to a multiple of 8 (16)
    assert batch["input_ids"].shape == (2, 2, 16)
    assert batch["attention_mask"].shape == (2, 2, 16)
    assert batch["labels"].tolist() == [1, 0]
    assert batch["input_ids"][0, 1, :5].tolist() == [0, 5, 6, 7, 2]
    assert (batch["input_ids"][0, 1, 5:] == tokenizer.pad_token_id).all()
    assert batch["attention_mask"][1, 1].tolist() == [1, 1] + [0] * 14
    # without labels (prediction) the batch has none, and moves to a device as a whole
    unlabelled = multiple_choice.collator(tokenizer)(
        [{k: v for k, v in f.items() if k != "labels"} for f in features])
    assert "labels" not in unlabelled
    assert unlabelled.to("cpu")["input_ids"].shape == (2, 2, 16)


def test_collator_rejects_mixed_choice_counts(tokenizer):
    features = [{"input_ids": [[0, 2]] * 4, "attention_mask": [[1, 1]] * 4},
                {"input_ids": [[0, 2]] * 5, "attention_mask": [[1, 1]] * 5}]
    with pytest.raises(ValueError, match="same number of choices"):
        multiple_choice.collator(tokenizer)(features)


def test_head_reads_a_fresh_pooler(tokenizer, base_dir):
    model, report = multiple_choice.build_model(base_dir, DIGITS)
    # the masked-LM base has no pooler: it is initialised with the head
    assert report["fresh_encoder_parts"] == ["pooler.dense.bias", "pooler.dense.weight"]
    assert report["encoder_weights_loaded"] > 0
    features = multiple_choice.featurize(examples(2), tokenizer, 64).to_list()
    output = model(**multiple_choice.collator(tokenizer)(features))
    assert output.logits.shape == (2, 4)  # one score per choice
    assert output.loss is not None


def spec(batch_size):
    return {"max_length": 64, "precision": "fp32", "hparams": {"eval_batch_size": batch_size}}


def test_prediction_is_the_argmax_choice_of_each_example(tokenizer, base_dir):
    """Whatever the batching and length order, every id gets its own example's choice."""
    model, _ = multiple_choice.build_model(base_dir, DIGITS)
    torch.manual_seed(0)
    with torch.no_grad():
        model.classifier.weight.normal_(0, 5)
    rows = examples(7)
    predictions = multiple_choice.predict(model, tokenizer, rows, task_spec(spec(3)), DIGITS)
    assert sorted(predictions) == sorted(rows.column("id").to_pylist())
    model.eval()
    for row, feature in enumerate(multiple_choice.encode(rows, tokenizer, 64)):
        with torch.no_grad():
            scores = [model(input_ids=torch.tensor([[ids]])).logits[0, 0]
                      for ids in feature["input_ids"]]
        assert predictions[f"q{row}"] == DIGITS[int(torch.stack(scores).argmax())]


def test_gold_and_selection_score():
    rows = examples(4)
    gold = multiple_choice.gold(rows, ["A", "B", "C", "D"])
    assert gold == {"q0": "A", "q1": "B", "q2": "C", "q3": "D"}
    predictions = {"q0": "A", "q1": "B", "q2": "A", "q3": "A"}
    # q0, q1 right of 4 -> 50 %
    assert multiple_choice.selection_score(predictions, gold) == 50.0


def test_head_ignores_the_labels_of_the_checkpoint_it_starts_from(tmp_path, base_dir):
    """A checkpoint with a 13-way tagging head (CCG) still gives one score per choice."""
    from transformers import AutoTokenizer

    from xstilts.formats import tagging

    tagger, _ = tagging.build_model(base_dir, [f"T{i}" for i in range(13)])
    save(tagger, AutoTokenizer.from_pretrained(base_dir), tmp_path / "ccg")
    model, _ = multiple_choice.build_model(tmp_path / "ccg", DIGITS)
    assert model.classifier.out_features == 1
    assert model.config.id2label == dict(enumerate(DIGITS))
