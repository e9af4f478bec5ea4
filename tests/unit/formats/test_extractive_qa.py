"""Extractive QA: windows, offsets, span decoding, no-answer, predictions and scoring."""

import json
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pyarrow as pa
import pytest
import torch
from specs import dataset_spec, task_spec

from xstilts.config import load, merge, resolve_task, validate
from xstilts.data.demo import generate
from xstilts.data.layouts import LAYOUTS
from xstilts.evaluate.scoring import score_predictions
from xstilts.formats import extractive_qa as qa
from xstilts.formats import pair_classification
from xstilts.metrics.qa import score_squad
from xstilts.models.base import build_model, save, train_tokenizer
from xstilts.store.prepared import load_raw, read_split, write_prepared

ROOT = Path(__file__).resolve().parents[3]
DECODING = {"n_best": 20, "max_answer_length": 30, "no_answer": False,
            "null_score_threshold": 0.0}
TINY = {"vocab_size": 400, "hidden_size": 16, "num_hidden_layers": 1, "num_attention_heads": 2,
        "intermediate_size": 32, "max_position_embeddings": 80}


def _demo_rows(schema_name, language, size=20, split="validation"):
    raw = generate(LAYOUTS[schema_name], schema_name, [language], size, size, seed=0)
    return raw[language][split].to_list()


def _table(rows) -> pa.Table:
    """Canonical QA rows from hub rows."""
    return pa.table({
        "id": [row["id"] for row in rows],
        "context": [row["context"] for row in rows],
        "question": [row["question"] for row in rows],
        "answers_text": [row["answers"]["text"] for row in rows],
        "answers_start": [row["answers"]["answer_start"] for row in rows],
    })


@pytest.fixture(scope="module")
def tokenizer():
    """An XLM-R style tokenizer trained on demo QA text (English, Chinese, Arabic)."""
    rows = [row for language in ("en", "zh", "ar")
            for row in _demo_rows("xtreme_xquad", language, 60)]
    return train_tokenizer([row["context"] for row in rows] + [row["question"] for row in rows],
                           TINY["vocab_size"])


def _spec(max_length, doc_stride, **decoding):
    return {"max_length": max_length, "doc_stride": doc_stride, **DECODING, **decoding,
            "precision": "fp32", "hparams": {"eval_batch_size": 4}}


def _context_offsets(tokenizer, context):
    return [tuple(span) for span in tokenizer(context, add_special_tokens=False,
                                              return_offsets_mapping=True)["offset_mapping"]]


def _in_context(window):
    return [span for span in window["offsets"] if span is not None]


def _labelled_text(rows, windows, features, index):
    """What the training labels of window `index` point at in the context."""
    start, end = features[index]["start_positions"], features[index]["end_positions"]
    if start == windows[index]["cls_index"]:
        return None
    offsets = windows[index]["offsets"]
    context = rows[windows[index]["example"]]["context"]
    return context[offsets[start][0]:offsets[end][1]]


# --- configuration ---------------------------------------------------------------------------


def test_qa_keys_get_their_defaults_in_qa_tasks_only(paper_config):
    config = validate(paper_config)
    squad_v1 = config["intermediate_tasks"]["squad_v1"]
    assert {key: squad_v1[key] for key in DECODING} == DECODING
    assert squad_v1["doc_stride"] == 128 and squad_v1["max_length"] == 384
    assert config["intermediate_tasks"]["squad_v2"]["no_answer"] is True
    assert config["target_tasks"]["tydiqa"]["no_answer"] is False
    # other formats' parameters, and so their jobs, do not change with the QA keys
    assert "doc_stride" not in config["intermediate_tasks"]["mnli"]
    assert "n_best" not in config["target_tasks"]["xnli"]


def test_demo_qa_tasks_use_short_windows(paper_config, demo_overrides):
    config = validate(merge(paper_config, demo_overrides))
    for kind, name in (("intermediate_tasks", "squad_v2"), ("target_tasks", "mlqa")):
        spec = resolve_task(config, kind, name)
        assert (spec.max_length, spec.doc_stride) == (96, 32)
        assert spec.max_length < config["model"]["build"]["max_position_embeddings"]


# --- windows over long contexts ---------------------------------------------------------------


def test_window_overlap_turns_doc_stride_into_the_tokenizers_overlap():
    assert qa.window_overlap(room=10, doc_stride=4) == 6  # windows start 4 tokens apart
    assert qa.window_overlap(room=10, doc_stride=1) == 9
    assert qa.window_overlap(room=10, doc_stride=10) == 0  # windows abut
    assert qa.window_overlap(room=10, doc_stride=25) == 0  # no context is skipped


def test_question_without_room_for_context_is_an_error(tokenizer):
    with pytest.raises(ValueError, match="no room for context"):
        qa.encode_windows(tokenizer, ["a b c d e f g h"], ["x y"], max_length=6, doc_stride=2)


def test_windows_start_doc_stride_context_tokens_apart(tokenizer):
    rows = [row for row in _demo_rows("squad", "en") if len(row["context"].split()) > 50][:2]
    rows[1]["question"] += " " + rows[1]["question"]  # a longer question: less room
    windows = qa.encode_windows(tokenizer, [r["question"] for r in rows],
                                [r["context"] for r in rows], max_length=40, doc_stride=7)
    assert [w["example"] for w in windows] == sorted(w["example"] for w in windows)
    for example, row in enumerate(rows):
        full = _context_offsets(tokenizer, row["context"])
        mine = [_in_context(w) for w in windows if w["example"] == example]
        assert len(mine) > 2
        room = len(mine[0])
        for k, offsets in enumerate(mine):
            assert offsets == full[k * 7:k * 7 + room]  # each window: the next 7 tokens on
        assert mine[-1][-1] == full[-1]  # the last window reaches the end of the context
        for window in windows:
            assert len(window["input_ids"]) <= 40
            assert window["input_ids"][window["cls_index"]] == tokenizer.cls_token_id


def test_some_demo_contexts_need_several_windows_at_the_demo_length(tokenizer):
    rows = _demo_rows("squad", "en", 40, split="train")
    windows = qa.encode_windows(tokenizer, [r["question"] for r in rows],
                                [r["context"] for r in rows], max_length=96, doc_stride=32)
    per_example = [sum(w["example"] == i for w in windows) for i in range(len(rows))]
    assert min(per_example) == 1 and max(per_example) > 1


def test_answer_in_a_later_window_is_labelled_there_only(tokenizer):
    row = next(r for r in _demo_rows("squad", "en", 60) if len(r["context"].split()) > 50)
    # an answer among the last words, far beyond the first window
    words = row["context"].split()
    answer = " ".join(words[-3:-1])
    start = row["context"].rindex(answer)
    row["answers"] = {"text": [answer], "answer_start": [start]}
    rows = [row]
    windows = qa.encode_windows(tokenizer, [row["question"]], [row["context"]], 40, 7)
    features = qa.featurize(_table(rows), tokenizer, 40, doc_stride=7).to_list()
    assert len(features) == len(windows) > 2
    labelled = [_labelled_text(rows, windows, features, i) for i in range(len(windows))]
    assert labelled[0] is None and labelled[1] is None  # CLS: the answer is not there
    assert answer in labelled
    assert all(text in (None, answer) for text in labelled)


def test_answers_at_a_window_boundary(tokenizer):
    row = next(r for r in _demo_rows("squad", "en", 60) if len(r["context"].split()) > 50)
    windows = qa.encode_windows(tokenizer, [row["question"]], [row["context"]], 40, 7)
    last_start, last_end = _in_context(windows[0])[-1]  # the first window's last token
    beyond = row["context"].index(" ", last_end + 1)  # a word end after the window's end
    cases = {
        # ends exactly with the first window: labelled there (and in later windows)
        "last token": (last_start, last_end),
        # starts inside the first window, ends after it: only later windows hold it
        "straddling": (last_start, beyond),
    }
    for name, (start, end) in cases.items():
        answer = row["context"][start:end]
        rows = [{**row, "answers": {"text": [answer], "answer_start": [start]}}]
        features = qa.featurize(_table(rows), tokenizer, 40, doc_stride=7).to_list()
        labelled = [_labelled_text(rows, windows, features, i) for i in range(len(windows))]
        assert (labelled[0] == answer) == (name == "last token"), name
        assert labelled[1] == answer, name  # the next window overlaps the boundary


def test_unanswerable_questions_point_at_cls_everywhere(tokenizer):
    rows = [{"id": "x", "context": " ".join(["ab"] * 80), "question": "ab ab",
             "answers": {"text": [], "answer_start": []}}]
    features = qa.featurize(_table(rows), tokenizer, 40, doc_stride=7).to_list()
    assert len(features) > 2
    assert {(f["start_positions"], f["end_positions"]) for f in features} == {(0, 0)}
    assert set(features[0]) == {"input_ids", "attention_mask", "start_positions",
                                "end_positions"}


# --- span decoding ----------------------------------------------------------------------------


def _window(offsets, cls_index=0):
    return {"offsets": offsets, "cls_index": cls_index}


# token 0 is CLS, 1 a question token, 2-6 context tokens at characters 0-9
OFFSETS = [None, None, (0, 1), (2, 3), (4, 5), (6, 7), (8, 9)]


def test_best_span_respects_max_answer_length_and_n_best():
    start = np.array([0, 0, 5, 1, 0, 0, 0.0])
    end = np.array([0, 0, 0, 0, 0, 6, 0.0])
    windows, logits = [_window(OFFSETS)], [(start, end)]
    # 2..5 (5 + 6 = 11) is 4 tokens long
    assert qa.best_span(windows, logits, n_best=20, max_answer_length=4) == (11.0, (0, 7))
    # within 3 tokens: 3..5 (1 + 6 = 7) beats 2..4 (5 + 0) and 2..2 (5 + 0)
    assert qa.best_span(windows, logits, n_best=20, max_answer_length=3) == (7.0, (2, 7))
    # only the top start (2) and end (5): too long, nothing else is considered
    assert qa.best_span(windows, logits, n_best=1, max_answer_length=3) == (float("-inf"), None)
    assert qa.best_span(windows, logits, n_best=2, max_answer_length=3) == (7.0, (2, 7))


def test_spans_outside_the_context_or_backwards_are_skipped():
    start = np.array([9, 9, 0, 0, 0, 2, 0.0])  # CLS and the question token score highest
    end = np.array([9, 9, 0, 3, 0, 0, 0.0])  # best context end (3) comes before start 5
    score, span = qa.best_span([_window(OFFSETS)], [(start, end)], 20, 30)
    assert (score, span) == (3.0, (0, 3))  # 2..3 (0 + 3) beats 5..5 (2 + 0) and 5..6 (2 + 0)


def test_a_token_starts_answers_only_in_its_most_central_window():
    first = _window([None, (0, 1), (2, 3), (4, 5), None])
    second = _window([None, (2, 3), (4, 5), (6, 7), (8, 9), None])
    # (2, 3): centre of `first` (1 left, 1 right) vs edge of `second`; (4, 5) the reverse
    assert qa.max_context_starts([first, second]) == [{1, 2}, {2, 3, 4}]
    # `first` prefers (4, 5), at its edge: 9 + 9, but not allowed to start there
    start_first = np.array([0, -9, -9, 9, 0.0])
    end_first = np.array([0, -9, -9, 9, 0.0])
    start_second = np.array([0, 0, 1, 0, 0, 0.0])
    end_second = np.array([0, 0, 1, 0, 0, 0.0])
    logits = [(start_first, end_first), (start_second, end_second)]
    assert qa.best_span([first, second], logits, 20, 30) == (2.0, (4, 5))


def test_no_answer_when_the_null_score_beats_the_best_span_plus_threshold():
    context = "ab cd ef gh ij"
    start = np.array([3, 0, 2, 0, 0, 0, 0.0])  # null: 3 + 2 = 5
    end = np.array([2, 0, 1, 0, 0, 0, 0.0])  # best span: 2 + 1 = 3 ("a")
    windows, logits = [_window(OFFSETS)], [(start, end)]

    def answer(**decoding):
        return qa.decode_answer(context, windows, logits, task_spec({**DECODING, **decoding}))

    assert answer(no_answer=False) == "a"  # SQuAD 1.1: never empty
    assert answer(no_answer=True) == ""  # 5 > 3 + 0
    assert answer(no_answer=True, null_score_threshold=2.0) == "a"  # 5 > 5 is false
    assert answer(no_answer=True, null_score_threshold=1.5) == ""  # 5 > 4.5
    assert answer(no_answer=True, null_score_threshold=-3.0) == ""
    # the null score is the lowest over the windows: 1 < 3 here
    other = (np.array([1, 0, 0, 0, 0, 0, 0.0]), np.zeros(7))
    assert qa.decode_answer(context, windows * 2, [*logits, other],
                            task_spec({**DECODING, "no_answer": True})) == "a"


def test_no_valid_span_predicts_empty_answer():
    logits = [(np.zeros(2), np.zeros(2))]
    assert qa.decode_answer("abc", [_window([None, None])], logits, task_spec(DECODING)) == ""


# --- prediction with a model ------------------------------------------------------------------


class Oracle(torch.nn.Module):
    """A "model" whose logits are 10 at the labelled start and end of every window it was
    shown (CLS where the answer is not in the window), and 0 elsewhere."""

    def __init__(self, features):
        super().__init__()
        self.unused = torch.nn.Parameter(torch.zeros(1))  # something for .to() to move
        self.labels = {tuple(f["input_ids"]): (f["start_positions"], f["end_positions"])
                       for f in features}

    def forward(self, input_ids, attention_mask):
        start, end = torch.zeros(input_ids.shape), torch.zeros(input_ids.shape)
        for row, (ids, mask) in enumerate(zip(input_ids, attention_mask, strict=True)):
            first, last = self.labels[tuple(ids[mask.bool()].tolist())]
            start[row, first] = end[row, last] = 10.0
        return SimpleNamespace(start_logits=start, end_logits=end)


def _oracle_predictions(tokenizer, rows, spec):
    table = _table(rows)
    features = qa.featurize(table, tokenizer, spec["max_length"], spec["doc_stride"]).to_list()
    return qa.predict(Oracle(features), tokenizer, table, task_spec(spec), [])


def test_predict_recovers_gold_answers_through_windows(tokenizer):
    rows = _demo_rows("squad", "en", 40)
    spec = _spec(40, 7)
    predictions = _oracle_predictions(tokenizer, rows, spec)
    assert list(predictions) == [row["id"] for row in rows]
    assert qa.gold(_table(rows), []) == {row["id"]: row["answers"]["text"] for row in rows}
    assert score_squad(predictions, qa.gold(_table(rows), [])) == {
        "exact_match": 100.0, "f1": 100.0, "count": 40}


def test_chinese_answers_come_back_as_exact_substrings(tokenizer):
    rows = _demo_rows("xtreme_xquad", "zh", 40)
    predictions = _oracle_predictions(tokenizer, rows, _spec(24, 6))
    for row in rows:
        prediction = predictions[row["id"]]
        # the tokens holding the answer, cut from the context: a substring of it
        assert prediction in row["context"]
        assert row["answers"]["text"][0] in prediction
        assert " " not in prediction


def test_squad_v2_predictions_leave_unanswerable_questions_empty(tokenizer):
    rows = _demo_rows("squad_v2", "en", 40)
    predictions = _oracle_predictions(tokenizer, rows, _spec(40, 7, no_answer=True))
    for row in rows:
        assert predictions[row["id"]] == (row["answers"]["text"] or [""])[0]
    assert any(not row["answers"]["text"] for row in rows)
    assert qa.selection_score(predictions, qa.gold(_table(rows), [])) == 100.0


@pytest.fixture(scope="module")
def base_dir(tokenizer, tmp_path_factory):
    directory = tmp_path_factory.mktemp("qa") / "base"
    save(build_model(TINY, tokenizer, seed=0), tokenizer, directory)
    return directory


def test_build_model_fresh_span_head_on_the_whole_encoder(base_dir):
    model, report = qa.build_model(base_dir, [])
    assert model.qa_outputs.out_features == 2  # start and end logits
    assert report["encoder_weights_loaded"] == len(model.base_model.state_dict())
    assert report["dropped_from_checkpoint"]  # the masked-LM head
    assert all(key.startswith("lm_head.") for key in report["dropped_from_checkpoint"])


def test_span_head_after_an_intermediate_task_with_other_labels(base_dir, tmp_path):
    from transformers import AutoTokenizer

    nli, _ = pair_classification.build_model(base_dir, ["entailment", "neutral", "contradiction"])
    save(nli, AutoTokenizer.from_pretrained(base_dir), tmp_path / "nli")
    model, _ = qa.build_model(tmp_path / "nli", [])
    assert model.config.num_labels == 2 and model.qa_outputs.out_features == 2
    outputs = model(input_ids=torch.tensor([[0, 5, 6, 2]]))
    assert outputs.start_logits.shape == outputs.end_logits.shape == (1, 4)


def test_untrained_model_predicts_every_id_with_context_substrings(base_dir, tokenizer):
    model, _ = qa.build_model(base_dir, [])
    rows = _demo_rows("xtreme_xquad", "zh", 10) + _demo_rows("squad_v2", "en", 10)
    predictions = qa.predict(model, tokenizer, _table(rows), task_spec(_spec(40, 7)), [])
    assert set(predictions) == {row["id"] for row in rows}
    for row in rows:
        assert predictions[row["id"]] in row["context"]


# --- selection and official scoring -----------------------------------------------------------


def test_selection_score_is_squad_f1_or_squad_v2_f1():
    # SQuAD 1.1: a missing answer ("") scores 0 against a real one
    assert qa.selection_score({"a": "x", "b": ""}, {"a": ["x"], "b": ["y"]}) == 50.0
    # with unanswerable questions, "" is right for them (SQuAD 2.0)
    assert qa.selection_score({"a": "x", "b": ""}, {"a": ["x"], "b": []}) == 100.0


def test_gold_needs_no_torch():
    code = (
        "import sys, pyarrow as pa\n"
        "from xstilts.formats.extractive_qa import gold\n"
        "table = pa.table({'id': ['q'], 'answers_text': [['x', 'y']]})\n"
        "assert gold(table, []) == {'q': ['x', 'y']}\n"
        "assert 'torch' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def _demo_config():
    return load([ROOT / "config" / "config.yaml", ROOT / "config" / "demo.yaml"])


def _prepare(config, name, root):
    spec = config["datasets"][name]
    write_prepared(name, dataset_spec(spec), load_raw(name, dataset_spec(spec), config["demo"]),
                   root / name)


def test_mlqa_scores_use_the_answer_languages_normalisation(tmp_path):
    config = _demo_config()
    _prepare(config, "mlqa", tmp_path)
    spec = resolve_task(config, "target_tasks", "mlqa")
    by_language = {}
    for language, decorate in (("zh", "{}。"), ("ar", "ال{}"), ("en", "the {}")):
        table = read_split(tmp_path / "mlqa", language, "validation").to_pydict()
        by_language[language] = {i: decorate.format(answers[0]) for i, answers
                                 in zip(table["id"], table["answers_text"], strict=True)}
    scores = score_predictions(task_spec(spec), tmp_path, by_language, partial=True)
    # MLQA drops zh punctuation, the Arabic article ال and English articles: all exact
    for language in ("zh", "ar", "en"):
        assert scores["languages"][language] == {"exact_match": 100.0, "f1": 100.0,
                                                 "count": config["demo"]["eval_examples"]}


def test_official_prediction_file_is_scored_by_the_command(tmp_path):
    """`{question id: answer text}` for one language, scored with `scripts/score.py`."""
    for name in ("scripts", "config"):
        shutil.copytree(ROOT / name, tmp_path / name)
    config = _demo_config()
    _prepare(config, "xquad", tmp_path / "data" / "prepared")
    table = read_split(tmp_path / "data/prepared/xquad", "de", "validation").to_pydict()
    predictions = {}
    total = len(table["id"])
    quarter = total // 4
    for n, (question_id, context, starts) in enumerate(
            zip(table["id"], table["context"], table["answers_start"], strict=True)):
        number_and_two_words = " ".join(context[starts[0]:].split()[:3])
        if n < quarter:  # the first gold answer (the number): exact
            predictions[question_id] = table["answers_text"][n][0]
        elif n < 2 * quarter:  # the second gold answer (number and next word): exact
            predictions[question_id] = table["answers_text"][n][1]
        elif n < 3 * quarter:  # one word too many: F1 2 * (2/3 * 1) / (2/3 + 1) = 0.8
            predictions[question_id] = number_and_two_words
        # the remaining questions have no prediction: 0
    (tmp_path / "de.json").write_text(json.dumps(predictions, ensure_ascii=False))
    result = subprocess.run(
        [sys.executable, "scripts/score.py", "--task", "xquad", "--configfile",
         "config/config.yaml", "config/demo.yaml", "--data", "data/prepared",
         "--predictions", "de.json", "--language", "de"],
        cwd=tmp_path, capture_output=True, text=True, check=True)
    scores = json.loads(result.stdout)
    # EM: two exact quarters; F1: two exact quarters plus one quarter at 0.8
    assert scores["languages"] == {"de": {
        "exact_match": pytest.approx(100 * 2 * quarter / total),
        "f1": pytest.approx(100 * 2.8 * quarter / total),
        "count": total}}
    assert scores["metric"] == "squad" and scores["score"] is None
