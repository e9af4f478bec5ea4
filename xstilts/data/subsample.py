"""Seeded, deterministic subsets of canonical splits (config `subsample`, `max_*_examples`).

The prepared data stays complete; a job reads a subset of it when its data reference
carries `max_examples` (xstilts.config.resolve_task puts it there). A row is kept when
its key ranks among the `max_examples` lowest under a seeded hash, so the choice depends
on the seed and the row ids only: every row of the grid reads the same examples, and
parallel sets keep the same examples in every language. What a row is follows the
canonical layouts:

- one row per example, question (QA: the windows of a question are made from its row
  later, so they stay together) or sentence (tagging);
- XNLI and PAWS-X ids name their language (`validation-de-3`): the key leaves it out,
  so that row 3 is kept in every language or in none;
- retrieval rows are gold pairs (both sides) or sentences without partner (BUCC's
  distractors): `max_examples` counts gold pairs, and the same share of the sentences
  without partner is kept, so the search stays as hard relative to its size.
"""

from __future__ import annotations

import hashlib

from xstilts.spec import DataRef

RETRIEVAL = "retrieval"


def limit_of(ref: DataRef | None) -> tuple[int | None, int]:
    """(max_examples or None, seed) a data reference asks for."""
    if ref is None:
        return None, 0
    return ref.max_examples, ref.sample_seed or 0


def parallel_key(row_id: str, language: str) -> str:
    """The row's id without its language, where the id names it (generated pair ids)."""
    return row_id.replace(f"-{language}-", "-", 1)


def rank(key: str, seed: int) -> int:
    return int.from_bytes(hashlib.blake2b(f"{seed}\0{key}".encode(), digest_size=8).digest(),
                          "big")


def lowest_ranked(ids: list[str], positions: list[int], count: int, language: str,
                  seed: int) -> list[int]:
    """The `count` positions whose ids rank lowest (all of them when fewer)."""
    if count >= len(positions):
        return list(positions)
    ranked = sorted(positions, key=lambda i: rank(parallel_key(ids[i], language), seed))
    return ranked[:count]


def subsample(table, data_format: str, language: str, max_examples: int | None, seed: int):
    """`table` (pyarrow) cut to at most `max_examples` examples, in the original row order."""
    if max_examples is None:
        return table
    ids = [str(value) for value in table.column("id").to_pylist()]
    if data_format != RETRIEVAL:
        keep = lowest_ranked(ids, list(range(len(ids))), max_examples, language, seed)
        return table.take(sorted(keep))
    paired = [s is not None and t is not None for s, t in
              zip(table.column("source").to_pylist(), table.column("target").to_pylist(),
                  strict=True)]
    pairs = [i for i, both in enumerate(paired) if both]
    alone = [i for i, both in enumerate(paired) if not both]
    kept_pairs = lowest_ranked(ids, pairs, max_examples, language, seed)
    share = len(kept_pairs) / len(pairs) if pairs else 1.0
    kept_alone = lowest_ranked(ids, alone, round(len(alone) * share), language, seed)
    return table.take(sorted(kept_pairs + kept_alone))
