"""Nearest neighbours by cosine similarity, block by block with a running top-k, so no
N x M similarity matrix is ever built (BUCC's corpora have hundreds of thousands of
sentences a side).

Similarities are cosines of L2-normalised embeddings. Inputs may be numpy arrays or torch
tensors of shape (n, dim); outputs are CPU tensors. torch is imported inside the
functions so that importing this module stays cheap.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import torch

DEFAULT_BATCH_SIZE = 4096


def knn(
    queries: Any,
    keys: Any,
    k: int,
    batch_size: int = DEFAULT_BATCH_SIZE,
    device: str | torch.device | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Cosine top-k keys of every query: (scores, indices), each (n_queries, min(k, n_keys)).

    Rows are sorted by decreasing similarity; equal similarities are ordered by increasing
    key index, so the k kept are the first k of a stable sort of the full row, and with
    k = 1 a tie goes to the lowest key index, as in a flat faiss index. Works through
    batch_size x batch_size blocks of the similarity matrix, so memory is
    O(batch_size^2 + n_queries * k) on top of the embeddings (plus one normalised copy of
    them). device None means CUDA when available, else CPU.
    """
    device = _resolve_device(device)
    query_matrix = _normalised(queries, device)
    key_matrix = _normalised(keys, device)
    forward = _RunningTopK(len(query_matrix), min(k, len(key_matrix)), device)
    for rows, cols, block in _similarity_blocks(query_matrix, key_matrix, batch_size):
        forward.add(rows, block, cols.start)
    return forward.result()


def knn_both_ways(
    src: Any,
    tgt: Any,
    k: int,
    batch_size: int = DEFAULT_BATCH_SIZE,
    device: str | torch.device | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[tuple[torch.Tensor, torch.Tensor], tuple[torch.Tensor, torch.Tensor]]:
    """`knn(src, tgt, k)` and `knn(tgt, src, k)` from one pass over the similarity blocks.

    Each block serves both directions (its rows and its columns), halving the matmuls.
    progress, if given, is called with (blocks done, blocks in all) after every block.
    """
    device = _resolve_device(device)
    src_matrix = _normalised(src, device)
    tgt_matrix = _normalised(tgt, device)
    forward = _RunningTopK(len(src_matrix), min(k, len(tgt_matrix)), device)
    backward = _RunningTopK(len(tgt_matrix), min(k, len(src_matrix)), device)
    n_blocks = _n_blocks(len(src_matrix), batch_size) * _n_blocks(len(tgt_matrix), batch_size)
    blocks = _similarity_blocks(src_matrix, tgt_matrix, batch_size)
    for done, (rows, cols, block) in enumerate(blocks, start=1):
        forward.add(rows, block, cols.start)
        backward.add(cols, block.T, rows.start)
        if progress is not None:
            progress(done, n_blocks)
    return forward.result(), backward.result()


class _RunningTopK:
    """The k best (score, index) per row seen so far, merged one block at a time.

    Entries are ranked by decreasing score, then increasing index: `_pack` turns each
    (score, index) into one int64 with exactly that order, so topk's unspecified order
    among equal values never matters.

    Few entries of a block can enter a row's top k, and one pass over the block finds
    them: its maxima over runs of _CHUNK columns. Only the chunks whose maximum reaches the
    row's threshold are merged. The threshold is the row's current k-th best score, or the
    block's k-th best chunk maximum if higher (k chunk maxima are k distinct entries, so
    the block's k-th best entry is no lower): nothing below it can enter the top k. An
    entry equal to it may still win on its index, hence >=; the merge decides. This is far
    cheaper than a topk of every block (CPU gathers use index_select, faster than x[ids]).
    """

    def __init__(self, n_rows: int, k: int, device: torch.device):
        import torch

        if k < 1:
            raise ValueError(f"k must be positive, got {k}")
        self.k = k
        self.packed = torch.full((n_rows, k), _empty_key(), dtype=torch.long, device=device)
        self.kth_best = torch.full((n_rows,), float("-inf"), device=device)

    def add(self, rows: slice, block: torch.Tensor, col_offset: int) -> None:
        """Merge in block, the similarities of rows to the keys from col_offset on; block
        is contiguous or the transpose of a contiguous matrix."""
        import torch

        chunk_max = _chunk_maxima(block)
        thresholds = self._thresholds(rows, chunk_max)
        row_ids, chunk_ids = (chunk_max >= thresholds[:, None]).nonzero(as_tuple=True)
        if len(row_ids) == 0:
            return
        row_ids, cols, scores = _passing_entries(block, row_ids, chunk_ids, thresholds)
        active, owners = torch.unique(row_ids, return_inverse=True)
        new = _side_by_side(_pack(scores, cols + col_offset), owners, len(active))
        active += rows.start
        old = self.packed.index_select(0, active)
        merged = torch.cat([old, new], dim=1).topk(self.k, dim=1).values
        self.packed.index_copy_(0, active, merged)
        self.kth_best.index_copy_(0, active, _unpack_scores(merged[:, -1]))

    def _thresholds(self, rows: slice, chunk_max: torch.Tensor) -> torch.Tensor:
        import torch

        thresholds = self.kth_best[rows]
        # Until a row has k entries its threshold is -inf, which every entry would pass.
        if chunk_max.shape[1] < self.k or not (thresholds == float("-inf")).any():
            return thresholds
        return torch.maximum(thresholds, chunk_max.topk(self.k, dim=1).values[:, -1])

    def result(self) -> tuple[torch.Tensor, torch.Tensor]:
        return _unpack_scores(self.packed).cpu(), _unpack_indices(self.packed).cpu()


_CHUNK = 64  # block columns per chunk maximum, see _RunningTopK
_INDEX_MASK = 0xFFFFFFFF  # the low 32 bits of a packed key hold the (inverted) index


def _chunk_maxima(matrix: torch.Tensor) -> torch.Tensor:
    """(n_rows, n_chunks): row maxima over runs of _CHUNK columns, the last maybe shorter.

    A transposed matrix is reduced in its memory order: through the view it is far slower.
    """
    import torch

    transposed = matrix.stride(1) != 1
    data, axis = (matrix.T, 0) if transposed else (matrix, 1)
    n_full, rest = divmod(data.shape[axis], _CHUNK)
    parts = []
    if n_full:
        full = data.narrow(axis, 0, n_full * _CHUNK).unflatten(axis, (n_full, _CHUNK))
        parts.append(full.amax(dim=axis + 1))
    if rest:
        parts.append(data.narrow(axis, n_full * _CHUNK, rest).amax(dim=axis, keepdim=True))
    maxima = torch.cat(parts, dim=axis)
    return maxima.T.contiguous() if transposed else maxima


def _passing_entries(matrix, rows, chunks, thresholds):
    """(rows, columns, scores) of the entries >= their row's threshold within chunk
    chunks[i] of row rows[i], for each i."""
    import torch

    n_cols = matrix.shape[1]
    cols = chunks[:, None] * _CHUNK + torch.arange(_CHUNK, device=matrix.device)
    if n_cols % _CHUNK:  # a short last chunk: read its last entry in place of the missing
        cols = cols.clamp(max=n_cols - 1)
    # Memory offsets, read from whichever of matrix and its transpose is contiguous.
    offsets = rows[:, None] * matrix.stride(0) + cols * matrix.stride(1)
    scores = (matrix if matrix.stride(1) == 1 else matrix.T).take(offsets)
    passing = scores >= thresholds.index_select(0, rows)[:, None]
    if n_cols % _CHUNK:  # ... and drop those copies
        passing[:, 1:] &= cols[:, 1:] != cols[:, :-1]
    flat = passing.view(-1).nonzero().squeeze(1)
    return (
        rows.index_select(0, flat // _CHUNK),
        cols.view(-1).index_select(0, flat),
        scores.view(-1).index_select(0, flat),
    )


def _side_by_side(keys: torch.Tensor, owners: torch.Tensor, n_rows: int) -> torch.Tensor:
    """Row r holds the keys whose owner is r, padded with the empty key to the length of
    the longest row: (n_rows, most keys of a row)."""
    import torch

    owners, order = owners.sort(stable=True)
    n_keys = torch.bincount(owners, minlength=n_rows)
    first = n_keys.cumsum(0) - n_keys
    slots = torch.arange(len(owners), device=owners.device) - first.index_select(0, owners)
    width = int(n_keys.max())
    grouped = torch.full((n_rows * width,), _empty_key(), dtype=torch.long, device=keys.device)
    grouped.index_copy_(0, owners * width + slots, keys.index_select(0, order))
    return grouped.view(n_rows, width)


def _pack(scores: torch.Tensor, indices: torch.Tensor) -> torch.Tensor:
    """int64 keys ordered like (score, -index): the float's bits, made monotonic, on top of
    the inverted index. -0.0 becomes +0.0 first, as the two compare equal."""
    import torch

    bits = (scores + 0.0).view(torch.int32).long()
    # Negative floats order backwards by their bits: flip all but the sign bit.
    monotonic = torch.where(bits < 0, bits ^ 0x7FFFFFFF, bits)
    return (monotonic << 32) | (_INDEX_MASK - indices)


def _unpack_scores(keys: torch.Tensor) -> torch.Tensor:
    import torch

    monotonic = keys >> 32
    bits = torch.where(monotonic < 0, monotonic ^ 0x7FFFFFFF, monotonic)
    return bits.int().view(torch.float32)


def _unpack_indices(keys: torch.Tensor) -> torch.Tensor:
    return _INDEX_MASK - (keys & _INDEX_MASK)


@cache
def _empty_key() -> int:
    """The key of a not-yet-filled slot: score -inf, below every real entry."""
    import torch

    return int(_pack(torch.tensor([float("-inf")]), torch.tensor([_INDEX_MASK]))[0])


def _similarity_blocks(left: torch.Tensor, right: torch.Tensor, batch_size: int):
    """Yield (row slice, column slice, cosine block) covering left x right.

    Every block is written into one reused buffer, as a fresh block each time costs more
    in page faults than the matmul itself; a block is valid until the next is yielded.
    """
    import torch

    if batch_size < 1:
        raise ValueError(f"batch_size must be positive, got {batch_size}")
    buffer = left.new_empty(min(batch_size, len(left)) * min(batch_size, len(right)))
    for row_start in range(0, len(left), batch_size):
        rows = slice(row_start, min(row_start + batch_size, len(left)))
        for col_start in range(0, len(right), batch_size):
            cols = slice(col_start, min(col_start + batch_size, len(right)))
            block = buffer[: (rows.stop - rows.start) * (cols.stop - cols.start)]
            block = block.view(rows.stop - rows.start, cols.stop - cols.start)
            yield rows, cols, torch.mm(left[rows], right[cols].T, out=block)


def _n_blocks(n: int, batch_size: int) -> int:
    return -(-n // batch_size)


def _normalised(embeddings: Any, device: torch.device) -> torch.Tensor:
    import torch

    matrix = torch.as_tensor(embeddings, dtype=torch.float32).to(device)
    if matrix.ndim != 2 or len(matrix) == 0:
        raise ValueError(f"expected a non-empty (n, dim) matrix, got shape {tuple(matrix.shape)}")
    return torch.nn.functional.normalize(matrix, dim=1)


def _resolve_device(device: str | torch.device | None) -> torch.device:
    import torch

    if device is None:
        device = "cuda" if torch.cuda.is_available() else "cpu"
    return torch.device(device)
