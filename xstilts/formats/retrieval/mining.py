"""BUCC candidate mining with XTREME's semantics: ratio-margin scores of the k nearest
neighbours in both directions, then a greedy one-to-one matching (`retrieval="max"`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from xstilts.formats.retrieval.knn import DEFAULT_BATCH_SIZE, knn_both_ways
from xstilts.metrics.retrieval import ScoredPair

if TYPE_CHECKING:
    import torch

BUCC_NEIGHBOURHOOD = 4


@dataclass(frozen=True)
class MarginCandidates:
    """k-NN candidates of both directions with their ratio-margin scores (CPU tensors).

    forward_*: (n_src, k) target indices / margins; backward_*: (n_tgt, k) source ones.
    """

    forward_indices: torch.Tensor
    forward_margins: torch.Tensor
    backward_indices: torch.Tensor
    backward_margins: torch.Tensor


def margin_scores(
    src_emb: Any,
    tgt_emb: Any,
    k: int = BUCC_NEIGHBOURHOOD,
    batch_size: int = DEFAULT_BATCH_SIZE,
    device: str | torch.device | None = None,
) -> MarginCandidates:
    """Ratio-margin scores of every forward and backward k-NN candidate pair.

        margin(x, y) = cos(x, y) / (S_k(x) / 2k + S_k(y) / 2k)

    where S_k(x) sums cos(x, z) over x's k nearest targets z, and S_k(y) sums cos(y, z)
    over y's k nearest sources z (Artetxe & Schwenk 2019, "ratio" margin), k = 4 in BUCC.
    As in XTREME, k shrinks to the size of the other side when that is smaller.
    """
    forward, backward = knn_both_ways(src_emb, tgt_emb, k, batch_size, device)
    return margins_from_neighbours(forward, backward)


def margins_from_neighbours(
    forward: tuple[torch.Tensor, torch.Tensor], backward: tuple[torch.Tensor, torch.Tensor]
) -> MarginCandidates:
    """`margin_scores` from the (cosines, indices) that `knn_both_ways` returned."""
    (fwd_cos, fwd_idx), (bwd_cos, bwd_idx) = forward, backward
    fwd_mean = fwd_cos.mean(dim=1)
    bwd_mean = bwd_cos.mean(dim=1)
    fwd_margin = fwd_cos / ((fwd_mean.unsqueeze(1) + bwd_mean[fwd_idx]) / 2)
    bwd_margin = bwd_cos / ((bwd_mean.unsqueeze(1) + fwd_mean[bwd_idx]) / 2)
    return MarginCandidates(fwd_idx, fwd_margin, bwd_idx, bwd_margin)


def max_retrieval(candidates: MarginCandidates, min_score: float = 0.0) -> list[ScoredPair]:
    """XTREME's `retrieval="max"` mining: a greedy one-to-one matching of best candidates.

    1. Every source keeps its best-margin target among its k forward candidates, and every
       target its best-margin source among its k backward candidates (n_src + n_tgt pairs).
    2. These pairs are visited by decreasing margin (stable: forward before backward, then
       by index, on ties); a pair is taken only if neither its source nor its target has
       been taken yet, so each sentence appears in at most one mined pair.
    3. Taken pairs scoring above min_score are returned (XTREME's mining threshold is 0).
    Returns (src_index, tgt_index, margin) triples in decreasing margin order.
    """
    import torch

    fwd_best, fwd_pos = candidates.forward_margins.max(dim=1)
    bwd_best, bwd_pos = candidates.backward_margins.max(dim=1)
    all_src, all_tgt = torch.arange(len(fwd_best)), torch.arange(len(bwd_best))
    src_ids = torch.cat([all_src, candidates.backward_indices[all_tgt, bwd_pos]])
    tgt_ids = torch.cat([candidates.forward_indices[all_src, fwd_pos], all_tgt])
    scores = torch.cat([fwd_best, bwd_best]).double()
    order = torch.sort(scores, descending=True, stable=True).indices
    return _greedy_one_to_one(
        src_ids[order].tolist(), tgt_ids[order].tolist(), scores[order].tolist(), min_score
    )


def _greedy_one_to_one(src_ids, tgt_ids, scores, min_score: float) -> list[ScoredPair]:
    taken_src: set[int] = set()
    taken_tgt: set[int] = set()
    mined = []
    for src, tgt, score in zip(src_ids, tgt_ids, scores, strict=True):
        if src in taken_src or tgt in taken_tgt:
            continue
        taken_src.add(src)
        taken_tgt.add(tgt)
        if score > min_score:
            mined.append((src, tgt, score))
    return mined


def mine_pairs(
    src_emb: Any,
    tgt_emb: Any,
    k: int = BUCC_NEIGHBOURHOOD,
    batch_size: int = DEFAULT_BATCH_SIZE,
    device: str | torch.device | None = None,
    min_score: float = 0.0,
) -> list[ScoredPair]:
    """BUCC candidate mining: `margin_scores` then `max_retrieval` (see both).

    Indices refer to rows of src_emb / tgt_emb. XTREME embeds each distinct sentence once
    and maps sentences back to BUCC ids afterwards, dropping sentences that occur under
    several ids; callers do that mapping before `best_threshold` / `bucc_f1`.
    """
    candidates = margin_scores(src_emb, tgt_emb, k, batch_size, device)
    return max_retrieval(candidates, min_score)
