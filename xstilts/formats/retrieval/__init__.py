"""Sentence retrieval (BUCC, Tatoeba): a checkpoint's encoder embeds sentences; no training.

Canonical rows (xstilts.data.layouts.retrieval): id, source (non-English), target
(English); a row with both is a gold pair, a row with one side a sentence without partner.
Sentence ids are row ids. Embeddings: `encoder`; similarity search: `mining` (blocked, never
an N x M matrix); BUCC's F1 and threshold: xstilts.metrics.retrieval. What is predicted
follows the metric:

- bucc_f1 (BUCC): the distinct source and target sentences of the dev split are mined
  with margin scoring and "max" retrieval, as XTREME does: a text occurring under several
  ids is embedded and mined once, and pairs with such a text are dropped when texts are
  mapped back to ids (XTREME's mapping drops ambiguous texts). The
  F1-optimal threshold is chosen on dev; Table 2 (dev sets) reports dev F1 at that
  threshold. The same threshold is applied unchanged to the `test` split, whose extracted
  pairs and F1 are kept under "test" for the test-set table:
    {"threshold": t, "pairs": [[source id, target id, margin], ...],
     "test": {"split", "threshold", "pairs" (those >= t), "precision", "recall", "f1", "count"}}
- tatoeba_accuracy (Tatoeba): the non-English sentences are indexed and each English one
  queries its nearest (cosine) neighbour: {English sentence id: retrieved sentence id}.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from pathlib import Path

from xstilts.formats.interface import Kind
from xstilts.formats.retrieval.knn import knn
from xstilts.formats.retrieval.mining import mine_pairs
from xstilts.metrics.retrieval import best_threshold, bucc_f1, side
from xstilts.spec import TaskSpec
from xstilts.store import provenance
from xstilts.store.prepared import read_split

log = logging.getLogger("xstilts.formats.retrieval.mining")
# scored from a checkpoint's encoder (evaluate), never trained
KIND = Kind.EVALUATED


def gold(table, label_names=()) -> dict[str, str]:
    """{source sentence id: target sentence id} of the gold pairs (no torch)."""
    rows = zip(table.column("id").to_pylist(), table.column("source").to_pylist(),
               table.column("target").to_pylist(), strict=True)
    return {row_id: row_id for row_id, source, target in rows
            if source is not None and target is not None}


# ---------------------------------------------------------------------------- BUCC

# BUCC mines pairs from corpora of mostly unpaired sentences; the hub's google/xtreme BUCC
# keeps the gold pairs only, which makes mining far easier (XTREME's own code: F1 51.7 on
# 80 gold pairs alone, 3.8 with 1,500 distractors per side).
GOLD_PAIRS_ONLY = ("gold pairs only, no distractor sentences (the BUCC 2018 release files "
                   "hold the full corpora)")


def caveat(tables: list) -> str | None:
    """Why scores on these BUCC splits are not BUCC's: none has a sentence without partner."""
    unpaired = sum(table.column(column).null_count for table in tables
                   for column in ("source", "target"))
    return GOLD_PAIRS_ONLY if tables and not unpaired else None


def mined_pairs(embed, table) -> list[list]:
    """[source id, target id, margin] of the pairs mined from one split, best first.

    Each distinct text is embedded and mined once: copies would otherwise enter the k
    nearest neighbours of the margin twice and compete in the one-to-one matching."""
    source_ids, sources = side(table, "source")
    target_ids, targets = side(table, "target")
    distinct_sources, distinct_targets = list(dict.fromkeys(sources)), list(dict.fromkeys(targets))
    mined = mine_pairs(embed(distinct_sources), embed(distinct_targets))
    source_of = unambiguous_ids(source_ids, sources)
    target_of = unambiguous_ids(target_ids, targets)
    return [[source_of[distinct_sources[s]], target_of[distinct_targets[t]], score]
            for s, t, score in mined
            if distinct_sources[s] in source_of and distinct_targets[t] in target_of]


def unambiguous_ids(ids: list[str], texts: list[str]) -> dict[str, str]:
    """{text: its id} of the texts that occur under one id only."""
    counts = Counter(texts)
    return {text: row_id for row_id, text in zip(ids, texts, strict=True) if counts[text] == 1}


def bucc_predictions(embed, spec: TaskSpec, data_root: Path, language: str) -> dict:
    """Dev pairs with their F1-optimal threshold, and that threshold applied to test."""
    dev = read_split(data_root / spec.eval.dataset, language, spec.eval.split,
                     spec.eval)
    pairs = mined_pairs(embed, dev)
    threshold = best_threshold(pairs, gold(dev).items())
    log.info("%s: %d pairs mined on dev, threshold %.4f", language, len(pairs), threshold)
    predictions = {"threshold": threshold, "pairs": pairs}
    if spec.test is not None:
        test = read_split(data_root / spec.test.dataset, language, spec.test.split,
                          spec.test)
        predictions["test"] = {"split": spec.test.split,
                               **applied_threshold(mined_pairs(embed, test), gold(test), threshold)}
    return predictions


def applied_threshold(pairs: list[list], gold_pairs: dict[str, str], threshold: float) -> dict:
    """The pairs extracted at a threshold chosen elsewhere, with their F1 (x100)."""
    return {"threshold": threshold, "pairs": [pair for pair in pairs if pair[2] >= threshold],
            **bucc_f1(pairs, gold_pairs.items(), threshold), "count": len(gold_pairs)}


# ---------------------------------------------------------------------------- Tatoeba


def tatoeba_predictions(embed, spec: TaskSpec, data_root: Path, language: str) -> dict[str, str]:
    """{English sentence id: id of its nearest non-English sentence}."""
    table = read_split(data_root / spec.eval.dataset, language, spec.eval.split,
                       spec.eval)
    index_ids, index_sentences = side(table, "source")
    query_ids, query_sentences = side(table, "target")
    return nearest_ids(embed(query_sentences), query_ids, embed(index_sentences), index_ids)


def nearest_ids(queries, query_ids: list[str], index, index_ids: list[str]) -> dict[str, str]:
    """{query id: id of its nearest indexed sentence}: XTREME's direction, the English
    sentences query the other language's (ties to the first indexed copy, as faiss)."""
    _, nearest = knn(queries, index, 1)
    return {query: index_ids[i] for query, i in zip(query_ids, nearest[:, 0].tolist(),
                                                     strict=True)}


PREDICTORS = {"bucc_f1": bucc_predictions, "tatoeba_accuracy": tatoeba_predictions}


# ---------------------------------------------------------------------------- evaluation


def predict_languages(model, tokenizer, spec: TaskSpec, data_root: Path) -> dict:
    """{language: predictions} for every evaluation language of one retrieval task."""
    if spec.metric not in PREDICTORS:
        raise ValueError(f"task {spec.task!r}: retrieval has no procedure for metric "
                         f"{spec.metric!r} (known: {', '.join(PREDICTORS)})")
    from xstilts.formats.retrieval import encoder

    def embed(sentences: list[str]):
        return encoder.embed(model, tokenizer, sentences, spec.max_length,
                             spec.hparams.eval_batch_size, spec.precision)

    by_language = {}
    for language in spec.languages:
        started = time.perf_counter()
        by_language[language] = PREDICTORS[spec.metric](embed, spec, Path(data_root), language)
        log.info("%s %s: done in %.1f s", spec.task, language, time.perf_counter() - started)
    return by_language


def evaluate(specs: list[TaskSpec], checkpoint_dir: Path, data_root: Path, layer: int,
             outputs: list[Path]) -> list[dict]:
    """Write each retrieval task's prediction file (every language) with its provenance.

    The checkpoint is loaded once for all tasks: one job per model, as for training.
    """
    import torch

    from xstilts.formats.inference import pick_device
    from xstilts.formats.retrieval import encoder
    from xstilts.models.base import max_input_length, within_model_limit
    from xstilts.runtime.devices import device_name
    from xstilts.store.splits import evaluated_sizes

    provenance.verified_checkpoint(checkpoint_dir)  # before any compute is spent on it
    model, tokenizer, transfer = encoder.load_sentence_encoder(checkpoint_dir, layer)
    limit = max_input_length(checkpoint_dir)
    specs = [within_model_limit(spec, limit) for spec in specs]
    results = []
    for spec, output in zip(specs, outputs, strict=True):
        started = provenance.now()
        by_language = predict_languages(model, tokenizer, spec, data_root)
        result = {
            "task": spec.task,
            "split": spec.eval.split,
            "predictions": by_language,
            "provenance": provenance.predictions_record(
                spec, checkpoint_dir, data_root, started, params={"layer": layer},
                extra={"encoder_transfer": transfer,
                       "device": device_name(torch, pick_device(spec.precision)[0]),
                       "examples": evaluated_sizes(spec, data_root)}),
        }
        provenance.write_result(Path(output), result)
        results.append(result)
    return results
