"""Tagging metrics scored the way XTREME scored them (both returned x100).

- PAN-X: entity-level F1 over IOB2 tags with seqeval's default (conlleval-style) mode.
- UD-POS: XTREME also ran seqeval's F1, but on bare UPOS tags, under seqeval 0.0.12 (the
  version the paper's toolkit pinned). seqeval reads the first character of every tag as a
  chunk prefix even when the tag has none, and 1.2.2 derives chunk types differently from
  0.0.12, so the two disagree on bare tags. `pos_f1` re-implements 0.0.12's chunking.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Sequence

Sentences = Sequence[Sequence[str]]
Chunk = tuple[str, int, int]  # (type, first position, last position) in the joined stream

# seqeval 0.0.12 joins all sentences into one stream with an "O" after each sentence, so
# chunk positions are global and a sentence boundary always closes the open chunk.
_SENTENCE_END = "O"

# Prefix classes of 0.0.12's rules (single characters; frozensets so "" never matches).
_ALWAYS_CLOSES = frozenset("ES")  # a chunk ends right after an E or S tag
_INSIDE = frozenset("BI")
_ENDS_INSIDE_RUN = frozenset("BSO")  # ...these after a B/I tag end the chunk
_ALWAYS_OPENS = frozenset("BS")
_OPENS_AFTER_END = frozenset("ESO")  # after these, an E or I tag opens a new chunk
_CONTINUATION = frozenset("EI")
_TYPE_BLIND = frozenset("O.")  # a type change next to these prefixes is no boundary


def check_aligned(gold: Sentences, pred: Sentences) -> None:
    """Raise ValueError unless gold and pred have the same sentence and token counts."""
    if len(gold) != len(pred):
        raise ValueError(f"gold has {len(gold)} sentences but pred has {len(pred)}")
    for index, (gold_tags, pred_tags) in enumerate(zip(gold, pred, strict=True)):
        if len(gold_tags) != len(pred_tags):
            raise ValueError(
                f"sentence {index}: gold has {len(gold_tags)} tags but pred has {len(pred_tags)}"
            )


def entity_f1(gold: Sentences, pred: Sentences) -> float:
    """PAN-X entity-level F1 x100 (IOB2), as XTREME's `seqeval.metrics.f1_score` gives it.

    Default mode: an I- tag that follows O or another type opens a new entity (conlleval).
    """
    check_aligned(gold, pred)
    from seqeval.metrics import f1_score

    return 100.0 * float(f1_score([list(s) for s in gold], [list(s) for s in pred]))


def pos_f1(gold: Sentences, pred: Sentences) -> float:
    """UD-POS F1 x100 over bare UPOS tags, following seqeval 0.0.12's chunking.

    Consecutive equal tags merge into one chunk (NOUN NOUN is one NOUN chunk), tags whose
    first letter is S (SCONJ, SYM) always form one-token chunks, and a chunk must match in
    type and span to count. This is why the score is not token accuracy.
    """
    check_aligned(gold, pred)
    gold_chunks = legacy_chunks(gold)
    pred_chunks = legacy_chunks(pred)
    return 100.0 * _f1(len(gold_chunks & pred_chunks), len(pred_chunks), len(gold_chunks))


def pos_counts(gold: Sentences, pred: Sentences) -> dict[str, list[int]]:
    """{gold, predicted, correct}: each sentence's chunk counts under `pos_f1`'s chunking.

    A chunk belongs to the sentence of its last tag (its first may lie earlier, see
    `legacy_chunks`), so the counts add up to exactly the corpus counts `pos_f1` uses, and
    a bootstrap recomputes the corpus-level F1 from resampled sentences.
    """
    check_aligned(gold, pred)
    gold_chunks, pred_chunks = legacy_chunks(gold), legacy_chunks(pred)
    ends = list(itertools.accumulate(len(sentence) + 1 for sentence in gold))

    def per_sentence(chunks: set[Chunk]) -> list[int]:
        counts = [0] * len(gold)
        for _, _, last in chunks:
            counts[bisect.bisect_right(ends, last)] += 1
        return counts

    return {"gold": per_sentence(gold_chunks), "predicted": per_sentence(pred_chunks),
            "correct": per_sentence(gold_chunks & pred_chunks)}


def entity_counts(gold: Sentences, pred: Sentences) -> dict[str, list[int]]:
    """{gold, predicted, correct}: each sentence's entity counts as `entity_f1` finds them
    (seqeval closes every entity at a sentence end, so the counts add up to its own)."""
    check_aligned(gold, pred)
    from seqeval.metrics.sequence_labeling import get_entities

    counts: dict[str, list[int]] = {"gold": [], "predicted": [], "correct": []}
    for gold_tags, pred_tags in zip(gold, pred, strict=True):
        gold_entities, pred_entities = set(get_entities(list(gold_tags))), set(
            get_entities(list(pred_tags)))
        counts["gold"].append(len(gold_entities))
        counts["predicted"].append(len(pred_entities))
        counts["correct"].append(len(gold_entities & pred_entities))
    return counts


def legacy_chunks(sentences: Sentences) -> set[Chunk]:
    """Chunks that seqeval 0.0.12's `get_entities` finds in a list of tag sequences."""
    stream = [tag for sentence in sentences for tag in (*sentence, _SENTENCE_END)]
    chunks: set[Chunk] = set()
    previous = (_SENTENCE_END, "")  # 0.0.12 starts from prefix "O" with an empty type
    start = 0
    for position, tag in enumerate(stream):
        current = _split_tag(tag)
        if _closes_between(previous, current):
            # `start` may be stale (no chunk opened since the last close); 0.0.12 keeps it.
            chunks.add((previous[1], start, position - 1))
        if _opens_between(previous, current):
            start = position
        previous = current
    return chunks


def _split_tag(tag: str) -> tuple[str, str]:
    """(prefix, type): the first character, and the text after the last hyphen.

    A bare tag is its own type, so "ADJ" is prefix "A", type "ADJ".
    """
    if not tag:
        raise ValueError("empty tag")
    return tag[0], tag.rsplit("-", 1)[-1]


def _closes_between(previous: tuple[str, str], current: tuple[str, str]) -> bool:
    """Whether the chunk containing the previous tag ends before the current one."""
    (prev_prefix, prev_type), (prefix, type_) = previous, current
    if prev_prefix in _ALWAYS_CLOSES:
        return True
    if prev_prefix in _INSIDE and prefix in _ENDS_INSIDE_RUN:
        return True
    return prev_prefix not in _TYPE_BLIND and prev_type != type_


def _opens_between(previous: tuple[str, str], current: tuple[str, str]) -> bool:
    """Whether a new chunk starts at the current tag."""
    (prev_prefix, prev_type), (prefix, type_) = previous, current
    if prefix in _ALWAYS_OPENS:
        return True
    if prev_prefix in _OPENS_AFTER_END and prefix in _CONTINUATION:
        return True
    return prefix not in _TYPE_BLIND and prev_type != type_


def _f1(n_correct: int, n_pred: int, n_gold: int) -> float:
    precision = n_correct / n_pred if n_pred else 0.0
    recall = n_correct / n_gold if n_gold else 0.0
    total = precision + recall
    return 2 * precision * recall / total if total else 0.0
