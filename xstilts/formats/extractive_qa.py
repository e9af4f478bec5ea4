"""Extractive question answering (SQuAD v1.1/v2.0, XQuAD, MLQA, TyDiQA-GoldP).

Canonical rows: id, context, question, answers_text, answers_start (see
xstilts.data.layouts.qa). Predictions are the official format {question id: answer text},
each answer an exact substring of its context ("" = no answer, SQuAD 2.0 only).

Long contexts are cut into overlapping windows of `max_length` tokens whose starts are
`doc_stride` context tokens apart, as in the BERT/XTREME SQuAD code the paper's toolkit
used (Hugging Face's `stride` argument is the overlap instead). Spans are mapped back to
the context through the fast tokenizer's character offsets.
"""

from __future__ import annotations

from xstilts.formats.interface import Kind, padding_collator
from xstilts.metrics.qa import score_squad, score_squad_v2
from xstilts.spec import TaskSpec

KIND = Kind.TRAINED
# Task keys (besides max_length) that featurize() takes, for training.py to pass on.
FEATURIZE_OPTIONS = ("doc_stride",)
SPAN_OUTPUTS = ["start", "end"]  # the head's two outputs per token


def build_model(init_dir, label_names: list[str]):
    """A fresh span head (start and end logits per token) on the encoder of `init_dir`."""
    from transformers import AutoModelForQuestionAnswering

    from xstilts.models.transfer import with_fresh_head

    return with_fresh_head(AutoModelForQuestionAnswering, init_dir, SPAN_OUTPUTS)


# --- windows -------------------------------------------------------------------------------


def context_room(tokenizer, question_length: int, max_length: int) -> int:
    """Context tokens that fit in one window next to a question of that many tokens."""
    room = max_length - question_length - tokenizer.num_special_tokens_to_add(pair=True)
    if room < 1:
        raise ValueError(f"a question of {question_length} tokens leaves no room for context "
                         f"within max_length {max_length}")
    return room


def window_overlap(room: int, doc_stride: int) -> int:
    """The tokenizer's `stride` (overlap) that starts a window every `doc_stride` tokens.

    A doc_stride wider than the window would skip context; windows then simply abut.
    """
    return min(max(room - doc_stride, 0), room - 1)


def encode_windows(tokenizer, questions: list[str], contexts: list[str], max_length: int,
                   doc_stride: int) -> list[dict]:
    """Windows over every (question, context) pair, in example order.

    Each window: example (index), input_ids, attention_mask, offsets (character span in
    the context per token, None outside the context) and cls_index.
    """
    # Some SQuAD questions start with runs of spaces that would only waste window room.
    questions = [question.lstrip() for question in questions]
    lengths = [len(ids) for ids in tokenizer(questions, add_special_tokens=False)["input_ids"]]
    by_length: dict[int, list[int]] = {}
    for index, length in enumerate(lengths):
        by_length.setdefault(length, []).append(index)
    windows = []
    # The overlap depends on the question's length, so examples are encoded in groups of
    # equal question length, one tokenizer call each.
    for length, indices in by_length.items():
        overlap = window_overlap(context_room(tokenizer, length, max_length), doc_stride)
        encoded = tokenizer([questions[i] for i in indices], [contexts[i] for i in indices],
                            truncation="only_second", max_length=max_length, stride=overlap,
                            return_overflowing_tokens=True, return_offsets_mapping=True)
        for w, example in enumerate(encoded["overflow_to_sample_mapping"]):
            in_context = [part == 1 for part in encoded.sequence_ids(w)]
            input_ids = encoded["input_ids"][w]
            windows.append({
                "example": indices[example],
                "input_ids": input_ids,
                "attention_mask": encoded["attention_mask"][w],
                "offsets": [tuple(span) if inside else None
                            for span, inside in zip(encoded["offset_mapping"][w], in_context,
                                                    strict=True)],
                "cls_index": input_ids.index(tokenizer.cls_token_id),
            })
    windows.sort(key=lambda window: window["example"])  # stable: window order kept
    return windows


def answer_positions(window: dict, start_char: int | None, end_char: int | None) -> tuple:
    """(start, end) token of the answer in this window, or the CLS token twice if the
    window does not hold the whole answer (or the question has none)."""
    context = [i for i, span in enumerate(window["offsets"]) if span is not None]
    offsets = window["offsets"]
    if (start_char is None or not context or offsets[context[0]][0] > start_char
            or offsets[context[-1]][1] < end_char):
        return window["cls_index"], window["cls_index"]
    start = max(i for i in context if offsets[i][0] <= start_char)
    end = min(i for i in context if offsets[i][1] >= end_char)
    return start, end


def first_answer_chars(texts: list[str], starts: list[int]) -> tuple | None:
    """(start, end) character of the first gold answer found at its offset; (None, None)
    without answer; None if no answer's text is at its offset (offset -1, see
    xstilts.store.prepared.align_answers): such a question is no training target at all."""
    if not texts:
        return None, None
    aligned = [(start, text) for start, text in zip(starts, texts, strict=True) if start >= 0]
    if not aligned:
        return None
    start, text = aligned[0]
    return start, start + len(text)


def featurize(table, tokenizer, max_length: int, doc_stride: int = 128):
    """Canonical rows (pyarrow Table) -> training windows with start/end positions.

    The first gold answer is the target; windows that do not contain it, and questions
    without answer, point at the CLS token.
    """
    from datasets import Dataset

    rows = table.to_pydict()
    windows = encode_windows(tokenizer, rows["question"], rows["context"], max_length,
                             doc_stride)
    targets = [first_answer_chars(rows["answers_text"][i], rows["answers_start"][i])
               for i in range(table.num_rows)]
    windows = [window for window in windows if targets[window["example"]] is not None]
    positions = [answer_positions(window, *targets[window["example"]]) for window in windows]
    return Dataset.from_dict({
        "input_ids": [window["input_ids"] for window in windows],
        "attention_mask": [window["attention_mask"] for window in windows],
        "start_positions": [start for start, _ in positions],
        "end_positions": [end for _, end in positions],
    })


# --- decoding ------------------------------------------------------------------------------


def max_context_starts(windows: list[dict]) -> list[set[int]]:
    """Per window, the context tokens that have their most context there.

    A token seen in several windows may only start an answer in the window where it sits
    most centrally (min of left and right context, ties to the longer window), as in the
    BERT/XTREME SQuAD decoding. Tokens are identified by their character span.
    """
    best: dict[tuple, tuple[float, int]] = {}
    for w, window in enumerate(windows):
        context = [i for i, span in enumerate(window["offsets"]) if span is not None]
        for position, i in enumerate(context):
            score = min(position, len(context) - 1 - position) + 0.01 * len(context)
            span = window["offsets"][i]
            if span not in best or score > best[span][0]:
                best[span] = (score, w)
    return [{i for i, span in enumerate(window["offsets"])
             if span is not None and best[span][1] == w}
            for w, window in enumerate(windows)]


def top_indices(logits, n: int) -> list[int]:
    """Indices of the n largest logits, largest first."""
    import numpy as np

    return np.argsort(logits)[::-1][:n].tolist()


def best_span(windows: list[dict], logits: list[tuple], n_best: int,
              max_answer_length: int) -> tuple[float, tuple[int, int] | None]:
    """(score, character span) of the best answer over all windows of one question.

    Among the `n_best` top start and end tokens of each window, a span must lie in the
    context, start at a token with its maximal context there, end at or after its start
    and be at most `max_answer_length` tokens long; its score is start + end logit.
    """
    best_score, best = float("-inf"), None
    for window, (start_logits, end_logits), allowed in zip(
            windows, logits, max_context_starts(windows), strict=True):
        offsets = window["offsets"]
        for start in top_indices(start_logits, n_best):
            if start not in allowed:
                continue
            for end in top_indices(end_logits, n_best):
                if offsets[end] is None or not 0 <= end - start < max_answer_length:
                    continue
                score = float(start_logits[start] + end_logits[end])
                if score > best_score:
                    best_score, best = score, (offsets[start][0], offsets[end][1])
    return best_score, best


def null_score(windows: list[dict], logits: list[tuple]) -> float:
    """Score of "no answer": the lowest CLS start + end logit over the windows."""
    return min(float(start[window["cls_index"]] + end[window["cls_index"]])
               for window, (start, end) in zip(windows, logits, strict=True))


def decode_answer(context: str, windows: list[dict], logits: list[tuple], spec: TaskSpec) -> str:
    """The answer text of one question from its windows' start and end logits.

    With `no_answer` (SQuAD 2.0), "" is predicted when the null score beats the best span
    score plus `null_score_threshold`; a question without any valid span also gets "".
    """
    score, span = best_span(windows, logits, spec.n_best, spec.max_answer_length)
    if span is None:
        return ""
    if spec.no_answer and null_score(windows, logits) > score + spec.null_score_threshold:
        return ""
    return context[span[0]:span[1]]


def window_logits(model, tokenizer, windows: list[dict], spec: TaskSpec) -> list[tuple]:
    """(start logits, end logits) of every window, unpadded, as numpy arrays."""
    from xstilts.formats.inference import sorted_batches

    features = [{"input_ids": w["input_ids"], "attention_mask": w["attention_mask"]}
                for w in windows]
    collate = padding_collator(tokenizer)
    logits: list[tuple] = [()] * len(windows)
    for indices, outputs in sorted_batches(model, features, collate,
                                           spec.hparams.eval_batch_size, spec.precision):
        starts = outputs.start_logits.float().cpu().numpy()
        ends = outputs.end_logits.float().cpu().numpy()
        for row, i in enumerate(indices):
            length = len(windows[i]["input_ids"])
            logits[i] = (starts[row, :length], ends[row, :length])
    return logits


def predict(model, tokenizer, table, spec: TaskSpec, label_names: list[str]) -> dict[str, str]:
    """{question id: answer text} in the official prediction format."""
    rows = table.to_pydict()
    windows = encode_windows(tokenizer, rows["question"], rows["context"], spec.max_length,
                             spec.doc_stride)
    logits = window_logits(model, tokenizer, windows, spec)
    by_example: dict[int, list[int]] = {}
    for w, window in enumerate(windows):
        by_example.setdefault(window["example"], []).append(w)
    return {
        question_id: decode_answer(rows["context"][i],
                                   [windows[w] for w in by_example[i]],
                                   [logits[w] for w in by_example[i]], spec)
        for i, question_id in enumerate(rows["id"])
    }


def gold(table, label_names: list[str]) -> dict[str, list[str]]:
    """{question id: gold answer texts} ([] for an unanswerable question; no torch)."""
    return dict(zip(table.column("id").to_pylist(), table.column("answers_text").to_pylist(),
                    strict=True))


def selection_score(predictions: dict, gold_answers: dict) -> float:
    """(EM + F1) / 2, the paper toolkit's "major" QA metric; SQuAD 2.0's EM and F1 where
    some questions have no answer, at the configured null-score threshold (not the
    best-threshold search, whose result depends on the order of tied questions)."""
    unanswerable = any(not answers for answers in gold_answers.values())
    scores = (score_squad_v2 if unanswerable else score_squad)(predictions, gold_answers)
    return (scores["exact_match"] + scores["f1"]) / 2
