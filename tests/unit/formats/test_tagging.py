"""Token tagging: first-sub-token labels, word windows, one prediction per word, selection."""

import pyarrow as pa
import pytest
import torch
from specs import task_spec

from xstilts.data.demo import PseudoLanguage, language_rng
from xstilts.formats import get_format, tagging
from xstilts.models.base import build_model, save, train_tokenizer

TINY = {"vocab_size": 120, "hidden_size": 16, "num_hidden_layers": 1, "num_attention_heads": 2,
        "intermediate_size": 32, "max_position_embeddings": 64}
TAGS = ["O", "B-PER", "I-PER"]


@pytest.fixture(scope="module")
def tokenizer():
    texts = []
    for code in ("en", "zh"):
        lang, rng = PseudoLanguage(code, 0), language_rng(0, "tagging-test", code)
        texts += [lang.join(lang.sentence_words(rng)) for _ in range(100)]
    return train_tokenizer(texts, TINY["vocab_size"])


@pytest.fixture(scope="module")
def base_dir(tokenizer, tmp_path_factory):
    directory = tmp_path_factory.mktemp("tagging") / "base"
    save(build_model(TINY, tokenizer, seed=0), tokenizer, directory)
    return directory


def pieces_of(tokenizer, word):
    """Sub-token ids of one word as is_split_into_words encodes it."""
    return tokenizer([word], is_split_into_words=True, add_special_tokens=False)["input_ids"]


def table(sentences, tags=None):
    columns = {"id": [f"s{i}" for i in range(len(sentences))], "tokens": sentences}
    if tags is not None:
        columns["tags"] = tags
    return pa.table(columns)


# --- windows of whole words ----------------------------------------------------------------------


def test_word_windows_pack_whole_words_within_the_budget():
    # sizes 2+3 = 5 fit a budget of 5; 4 starts a new window; 1+4 = 5 would not fit after it
    assert tagging.word_windows([2, 3, 4, 1], 5) == [range(0, 2), range(2, 4)]
    assert tagging.word_windows([1, 1, 1], 10) == [range(0, 3)]
    assert tagging.word_windows([], 10) == []


def test_word_windows_give_an_overlong_word_its_own_window():
    assert tagging.word_windows([1, 9, 1], 4) == [range(0, 1), range(1, 2), range(2, 3)]


def test_first_subtokens_and_missing_word():
    # <s> w0 w0 w1 </s>
    assert tagging.first_subtokens([None, 0, 0, 1, None], 2) == [1, 3]
    with pytest.raises(ValueError, match=r"\[1\]"):
        tagging.first_subtokens([None, 0, None], 2)


# --- labels on the first sub-token ---------------------------------------------------------------


def expected_labels(tokenizer, words, tags):
    """Labels written out from each word's own encoding: <s>, then per word its tag on
    the first piece and -100 on the others, then </s>."""
    labels = [-100]
    for word, tag in zip(words, tags, strict=True):
        labels += [TAGS.index(tag)] + [-100] * (len(pieces_of(tokenizer, word)) - 1)
    return labels + [-100]


def test_label_on_first_subtoken_only(tokenizer):
    en = PseudoLanguage("en", 0)
    words = [en.words[3], en.words[40] + en.words[41], en.words[7]]  # the middle one is long
    tags = ["B-PER", "I-PER", "O"]
    assert len(pieces_of(tokenizer, words[1])) > 1  # the case this test is about
    features = tagging.featurize(table([words], [tags]), tokenizer, 64, TAGS)
    assert len(features) == 1
    row = features[0]
    assert row["labels"] == expected_labels(tokenizer, words, tags)
    assert row["input_ids"][0] == tokenizer.cls_token_id
    assert row["input_ids"][-1] == tokenizer.sep_token_id
    assert sum(label != -100 for label in row["labels"]) == len(words)


def test_cjk_words_without_spaces(tokenizer):
    # Chinese words of one to three characters, as pre-segmented in UD and PAN-X.
    zh = PseudoLanguage("zh", 0)
    words = [zh.words[5], zh.words[60], zh.words[90], zh.words[2]]
    assert all("\u4e00" <= char <= "\u9fff" for word in words for char in word)
    tags = ["O", "B-PER", "I-PER", "O"]
    row = tagging.featurize(table([words], [tags]), tokenizer, 64, TAGS)[0]
    assert row["labels"] == expected_labels(tokenizer, words, tags)
    labelled = [label for label in row["labels"] if label != -100]
    assert labelled == [TAGS.index(tag) for tag in tags]


def test_word_without_subtokens_is_read_as_unk(tokenizer):
    words = ["ab", " ", "cd"]  # a word of whitespace alone yields no sub-token
    assert pieces_of(tokenizer, " ") == []
    window = tagging.encode_windows(tokenizer, [words], 64)[0]
    assert len(window["first_tokens"]) == 3
    assert window["input_ids"][window["first_tokens"][1]] == tokenizer.unk_token_id


def test_long_sentence_is_cut_into_windows_of_whole_words(tokenizer):
    en = PseudoLanguage("en", 0)
    words = en.words[:30]
    tags = [TAGS[i % 3] for i in range(30)]
    max_length = 16
    windows = tagging.encode_windows(tokenizer, [words], max_length)
    assert len(windows) > 1
    # every word exactly once, in order, and no window longer than max_length
    assert [w for window in windows for w in window["words"]] == list(range(30))
    assert all(len(window["input_ids"]) <= max_length for window in windows)
    features = tagging.featurize(table([words], [tags]), tokenizer, max_length, TAGS)
    labelled = [label for row in features for label in row["labels"] if label != -100]
    assert labelled == [TAGS.index(tag) for tag in tags]
    # each window reads like the sentence of its own words
    for window in windows:
        own = [words[w] for w in window["words"]]
        assert window["input_ids"] == tokenizer(own, is_split_into_words=True)["input_ids"]


def test_overlong_word_keeps_its_first_subtoken(tokenizer):
    en = PseudoLanguage("en", 0)
    giant = "".join(en.words[:20])
    words = [en.words[1], giant, en.words[2]]
    max_length = 8
    assert len(pieces_of(tokenizer, giant)) > max_length
    windows = tagging.encode_windows(tokenizer, [words], max_length)
    assert [list(window["words"]) for window in windows] == [[0], [1], [2]]
    giant_window = windows[1]
    assert len(giant_window["input_ids"]) == max_length  # truncated, not dropped
    assert giant_window["input_ids"][1] == pieces_of(tokenizer, giant)[0]


def test_featurize_without_label_names_has_no_labels(tokenizer):
    features = tagging.featurize(table([["ab", "cd"]]), tokenizer, 64)
    assert features.column_names == ["input_ids", "attention_mask"]


def test_unknown_tag_is_named(tokenizer):
    with pytest.raises(ValueError, match="'B-XYZ'"):
        tagging.featurize(table([["ab"]], [["B-XYZ"]]), tokenizer, 64, TAGS)


def test_collator_pads_labels_with_ignore_index(tokenizer):
    features = tagging.featurize(table([["ab"], ["ab", "cd", "ef"]], [["O"], ["O"] * 3]),
                                 tokenizer, 64, TAGS)
    batch = tagging.collator(tokenizer)(features.to_list())
    assert batch["input_ids"].shape == batch["labels"].shape
    assert batch["input_ids"].shape[1] % 8 == 0
    short = len(features[0]["input_ids"])
    assert (batch["labels"][0, short:] == -100).all()
    assert (batch["attention_mask"][0, short:] == 0).all()


# --- prediction ----------------------------------------------------------------------------------


def spec(max_length):
    return {"max_length": max_length, "precision": "fp32", "hparams": {"eval_batch_size": 3}}


def test_prediction_has_one_tag_per_word(tokenizer, base_dir):
    model, report = tagging.build_model(base_dir, TAGS)
    assert report["fresh_encoder_parts"] == []
    en, zh = PseudoLanguage("en", 0), PseudoLanguage("zh", 0)
    sentences = [en.words[:3], en.words[:30], zh.words[:7], [], en.words[50:51]]
    predictions = tagging.predict(model, tokenizer, table(sentences), task_spec(spec(16)), TAGS)
    assert list(predictions) == ["s0", "s1", "s2", "s3", "s4"]
    for key, words in zip(predictions, sentences, strict=True):
        assert len(predictions[key]) == len(words)
        assert set(predictions[key]) <= set(TAGS)


def test_prediction_reads_first_subtoken_logits(tokenizer, base_dir):
    """Each word's tag is the argmax at its first sub-token, whatever the batching."""
    model, _ = tagging.build_model(base_dir, TAGS)
    torch.manual_seed(0)
    with torch.no_grad():
        model.classifier.weight.normal_(0, 5)  # distinct tags for distinct words
    en = PseudoLanguage("en", 0)
    sentences = [en.words[i:i + n] for i, n in ((0, 4), (10, 12), (40, 2), (70, 9))]
    predictions = tagging.predict(model, tokenizer, table(sentences), task_spec(spec(16)), TAGS)
    model.eval()
    for key, words in zip(predictions, sentences, strict=True):
        expected = []
        for window in tagging.encode_windows(tokenizer, [words], 16):
            with torch.no_grad():
                logits = model(input_ids=torch.tensor([window["input_ids"]])).logits[0]
            expected += [TAGS[logits[p].argmax()] for p in window["first_tokens"]]
        assert predictions[key] == expected


# --- gold and selection --------------------------------------------------------------------------


def test_gold_is_tags_by_id():
    gold = tagging.gold(table([["a", "b"], ["c"]], [["O", "B-PER"], ["O"]]), TAGS)
    assert gold == {"s0": ["O", "B-PER"], "s1": ["O"]}


def test_token_accuracy():
    gold = {"a": ["NOUN", "VERB", "NOUN"], "b": ["ADJ"]}
    predictions = {"a": ["NOUN", "NOUN", "NOUN"], "b": ["ADJ"], "extra": ["X"]}
    # 3 of 4 gold words right (a: 2 of 3, b: 1 of 1) -> 75 %
    assert tagging.token_accuracy(predictions, gold) == 75.0
    assert tagging.selection_score(predictions, gold) == 75.0  # CCG's default
    with pytest.raises(ValueError, match="'b'"):
        tagging.token_accuracy({"a": gold["a"]}, gold)


def test_selection_uses_the_targets_official_metric():
    gold = {"a": ["NOUN", "NOUN", "VERB"]}
    predictions = {"a": ["NOUN", "VERB", "VERB"]}
    # token accuracy 2/3; pos_f1: gold chunks NOUN[0,1], VERB[2]; pred NOUN[0], VERB[1,2];
    # none equal -> 0
    assert tagging.selection_score(predictions, gold) == pytest.approx(200 / 3)
    assert tagging.selection_score(predictions, gold, metric="pos_f1") == 0.0
    ner_gold = {"a": ["B-PER", "I-PER", "O"], "b": ["B-LOC"]}
    ner_pred = {"a": ["B-PER", "I-PER", "O"], "b": ["O"]}
    # entities: gold PER, LOC; pred PER -> P 1, R 1/2, F1 2/3
    assert tagging.selection_score(ner_pred, ner_gold, metric="entity_f1") == pytest.approx(
        200 / 3)


# --- what training.py hands the format ---------------------------------------------------------


def test_training_passes_label_names_metric_and_collator(tokenizer):
    from xstilts.train.parts import selection_scorer, training_features

    tagging_format = get_format("tagging")
    features = training_features(tagging_format, table([["ab", "cd"]], [["B-PER", "I-PER"]]),
                                 tokenizer, task_spec({"max_length": 64}), TAGS)
    assert [label for label in features[0]["labels"] if label != -100] == [1, 2]
    gold = {"a": ["NOUN", "NOUN", "VERB"]}
    predictions = {"a": ["NOUN", "VERB", "VERB"]}
    # a target selects on its official metric (0 here), CCG on token accuracy (2 of 3)
    assert selection_scorer(tagging_format, task_spec({"metric": "pos_f1"}))(
        predictions, gold) == 0.0
    assert selection_scorer(tagging_format, task_spec({}))(predictions, gold) == pytest.approx(
        200 / 3)
    assert tagging_format.collator(tokenizer).label_pad_token_id == -100
