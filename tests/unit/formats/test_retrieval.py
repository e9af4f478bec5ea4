"""Golden tests for sentence retrieval: k-NN, BUCC margin mining and thresholds, Tatoeba."""

from __future__ import annotations

import math

import pytest
import torch

from xstilts.formats.retrieval import nearest_ids
from xstilts.formats.retrieval.encoder import mean_pool
from xstilts.formats.retrieval.knn import knn, knn_both_ways
from xstilts.formats.retrieval.mining import margin_scores, max_retrieval, mine_pairs
from xstilts.metrics.classification import accuracy
from xstilts.metrics.retrieval import best_threshold, bucc_f1

# Unit vectors with rational cosines: (1,0).(0.8,0.6) = 0.8, (1,0).(0.6,0.8) = 0.6,
# (0,1).(0.8,0.6) = 0.6, (0,1).(0.6,0.8) = 0.8, (1,0).(0,1) = 0.
SRC = [[1.0, 0.0], [0.0, 1.0]]  # x0, x1
TGT = [[0.8, 0.6], [0.6, 0.8], [0.0, 1.0]]  # y0, y1, y2
# cos(x, y):   y0   y1   y2
#        x0   0.8  0.6  0.0
#        x1   0.6  0.8  1.0


def assert_close(actual: torch.Tensor, expected) -> None:
    torch.testing.assert_close(actual, torch.tensor(expected), atol=1e-6, rtol=0)


# ---------------------------------------------------------------------------- k-NN


def brute_force_knn(queries, keys, k):
    q = torch.nn.functional.normalize(queries, dim=1)
    c = torch.nn.functional.normalize(keys, dim=1)
    return (q @ c.T).topk(k, dim=1)


@pytest.mark.parametrize("batch_size", [1, 4, 7, 16, 37, 64])
def test_batched_knn_equals_brute_force(batch_size):
    generator = torch.Generator().manual_seed(0)
    queries = torch.randn(37, 8, generator=generator) * 3  # not normalised on purpose
    keys = torch.randn(53, 8, generator=generator)
    expected_scores, expected_indices = brute_force_knn(queries, keys, 5)
    scores, indices = knn(queries, keys, 5, batch_size=batch_size, device="cpu")
    assert torch.equal(indices, expected_indices)
    assert torch.allclose(scores, expected_scores, atol=1e-6)


@pytest.mark.parametrize("batch_size", [3, 10, 100])
def test_knn_both_ways_equals_two_one_way_searches(batch_size):
    generator = torch.Generator().manual_seed(1)
    src = torch.randn(23, 6, generator=generator)
    tgt = torch.randn(31, 6, generator=generator)
    forward, backward = knn_both_ways(src, tgt, 4, batch_size=batch_size, device="cpu")
    for got, expected in (
        (forward, brute_force_knn(src, tgt, 4)),
        (backward, brute_force_knn(tgt, src, 4)),
    ):
        assert torch.equal(got[1], expected.indices)
        assert torch.allclose(got[0], expected.values, atol=1e-6)


def test_knn_accepts_numpy_and_clips_k_to_the_number_of_keys():
    scores, indices = knn(torch.tensor(SRC).numpy(), TGT, k=4, batch_size=2, device="cpu")
    assert indices.tolist() == [[0, 1, 2], [2, 1, 0]]
    assert_close(scores, [[0.8, 0.6, 0.0], [1.0, 0.8, 0.6]])


def test_one_nearest_neighbour_ties_go_to_the_lowest_index():
    # Keys 1, 2 and 4 are the same vector; blocks of 2 put them in different blocks.
    keys = [[0.0, 1.0], [1.0, 0.0], [2.0, 0.0], [0.0, 1.0], [3.0, 0.0]]
    _, indices = knn([[1.0, 0.1]], keys, 1, batch_size=2, device="cpu")
    assert indices.tolist() == [[1]]


def cosines(queries, keys):
    normalize = torch.nn.functional.normalize
    return normalize(queries, dim=1) @ normalize(keys, dim=1).T + 0.0  # -0.0 ties 0.0


def reference_knn(queries, keys, k):
    """Full similarity matrix, then the first k of a stable sort: ties by lowest index."""
    scores, indices = cosines(queries, keys).sort(dim=1, descending=True, stable=True)
    return scores[:, :k], indices[:, :k]


def tied_embeddings(n, generator):
    """Integer vectors with four entries +-c, c in 1..3, in 6 dims, and one zero vector.

    Normalised, their entries are exactly +-0.5, so every cosine is an exact multiple of
    0.25 whatever the summation order: only 9 distinct scores, and many duplicate rows.
    """
    signs = torch.randint(0, 2, (n, 6), generator=generator) * 2 - 1
    support = torch.rand(n, 6, generator=generator).argsort(dim=1) < 4
    scale = torch.randint(1, 4, (n, 1), generator=generator)
    vectors = (signs * support * scale).float()
    vectors[n // 2] = 0
    return vectors


def embeddings(kind, n, generator):
    if kind == "random":
        return torch.randn(n, 8, generator=generator)
    return tied_embeddings(n, generator)


# (n_queries, n_keys, batch sizes): blocks that do and do not divide the sides, one block
# for everything, and blocks wider than several 64-column chunks, with a short last chunk.
SHAPES = [
    (70, 53, [1, 5, 16, 53, 200]),
    (40, 3, [2, 7]),  # k = 4 > n_keys
    (300, 700, [100, 256, 300, 4096]),
]
DEVICES = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
CASES = [
    (kind, n_queries, n_keys, batch_size, k)
    for kind in ("random", "tied")
    for n_queries, n_keys, batch_sizes in SHAPES
    for batch_size in batch_sizes
    for k in (1, 4)
]


def assert_same_neighbours(got, expected, exact_scores):
    scores, indices = got
    assert torch.equal(indices, expected[1])
    if exact_scores:
        assert torch.equal(scores, expected[0])
    else:
        assert torch.allclose(scores, expected[0], atol=1e-6)


@pytest.mark.parametrize(("kind", "n_queries", "n_keys", "batch_size", "k"), CASES)
def test_knn_equals_full_matrix_reference(kind, n_queries, n_keys, batch_size, k):
    generator = torch.Generator().manual_seed(n_queries + n_keys + batch_size + k)
    queries = embeddings(kind, n_queries, generator)
    keys = embeddings(kind, n_keys, generator)
    got = knn(queries, keys, k, batch_size=batch_size, device="cpu")
    expected = reference_knn(queries, keys, k)
    assert_same_neighbours(got, expected, exact_scores=kind == "tied")
    if k == 1:  # argmax returns the first maximum: ties to the lowest index
        assert torch.equal(got[1][:, 0], cosines(queries, keys).argmax(dim=1))


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize(("kind", "n_queries", "n_keys", "batch_size", "k"), CASES)
def test_knn_both_ways_equals_full_matrix_reference(
    kind, n_queries, n_keys, batch_size, k, device
):
    generator = torch.Generator().manual_seed(n_queries * n_keys + batch_size + k)
    src = embeddings(kind, n_queries, generator)
    tgt = embeddings(kind, n_keys, generator)
    forward, backward = knn_both_ways(src, tgt, k, batch_size=batch_size, device=device)
    exact = kind == "tied"
    assert_same_neighbours(forward, reference_knn(src, tgt, k), exact)
    assert_same_neighbours(backward, reference_knn(tgt, src, k), exact)


def test_tied_embeddings_really_tie():
    vectors = tied_embeddings(300, torch.Generator().manual_seed(0))
    assert len(torch.unique(cosines(vectors, vectors))) <= 9
    scores = reference_knn(vectors, vectors, 5)[0]
    assert (scores[:, 3] == scores[:, 4]).float().mean() > 0.5  # ties across the k = 4 cut


@pytest.mark.parametrize("batch_size", [1, 2, 4, 6])
def test_k_nearest_ties_are_ordered_by_key_index(batch_size):
    # Keys 0, 2, 3 and 5 are the same vector; the query's top 4 are those, top 5 adds 1.
    keys = [[1.0, 0.0], [0.0, 1.0], [2.0, 0.0], [1.0, 0.0], [0.0, 3.0], [3.0, 0.0]]
    for k, expected in ((4, [0, 2, 3, 5]), (5, [0, 2, 3, 5, 1])):
        scores, indices = knn([[1.0, 0.0]], keys, k, batch_size=batch_size, device="cpu")
        assert indices.tolist() == [expected]
        assert scores.tolist() == [[1.0] * 4 + [0.0] * (k - 4)]


def test_packed_keys_order_by_score_then_lowest_index():
    from xstilts.formats.retrieval.knn import _pack, _unpack_indices, _unpack_scores

    values = [float("-inf"), -2.5, -1.0, -1e-30, -0.0, 0.0, 1e-30, 0.5, 1.0, float("inf")]
    scores = torch.tensor(values).repeat_interleave(3)
    indices = torch.tensor([7, 0, 2**32 - 2] * len(values))
    keys = _pack(scores, indices)
    assert torch.equal(_unpack_scores(keys), scores + 0.0)
    assert torch.equal(_unpack_indices(keys), indices)
    order = sorted(range(len(keys)), key=lambda i: (-scores[i].item(), indices[i].item()))
    assert keys.argsort(descending=True, stable=True).tolist() == order


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_knn_on_cuda_matches_cpu():
    generator = torch.Generator().manual_seed(2)
    queries = torch.randn(300, 32, generator=generator)
    keys = torch.randn(500, 32, generator=generator)
    cpu = knn(queries, keys, 4, batch_size=128, device="cpu")
    gpu = knn(queries, keys, 4, batch_size=128, device="cuda")
    assert torch.equal(cpu[1], gpu[1])
    assert torch.allclose(cpu[0], gpu[0], atol=1e-5)


# ---------------------------------------------------------------------------- margins


def test_margin_scores_by_hand():
    # k = 2. Forward means (each source's 2 best targets):
    #   x0: (0.8 + 0.6) / 2 = 0.7      x1: (1.0 + 0.8) / 2 = 0.9
    # Backward means (each target's 2 best sources; there are only 2):
    #   y0: (0.8 + 0.6) / 2 = 0.7      y1: 0.7      y2: (1.0 + 0.0) / 2 = 0.5
    # margin(x, y) = cos(x, y) / ((fwd_mean(x) + bwd_mean(y)) / 2):
    #   x0 -> y0: 0.8 / 0.7 = 8/7      x0 -> y1: 0.6 / 0.7 = 6/7
    #   x1 -> y2: 1.0 / 0.7 = 10/7     x1 -> y1: 0.8 / 0.8 = 1
    #   y0 -> x1: 0.6 / 0.8 = 3/4      y2 -> x0: 0.0 / 0.6 = 0
    candidates = margin_scores(SRC, TGT, k=2, batch_size=2, device="cpu")
    assert candidates.forward_indices.tolist() == [[0, 1], [2, 1]]
    assert_close(candidates.forward_margins, [[8 / 7, 6 / 7], [10 / 7, 1.0]])
    assert candidates.backward_indices.tolist() == [[0, 1], [1, 0], [1, 0]]
    assert_close(candidates.backward_margins, [[8 / 7, 3 / 4], [1.0, 6 / 7], [10 / 7, 0.0]])


def test_max_retrieval_is_greedy_one_to_one_over_both_directions():
    # Best per source: x0 -> y0 (8/7), x1 -> y2 (10/7).
    # Best per target: y0 -> x0 (8/7), y1 -> x1 (1), y2 -> x1 (10/7).
    # By decreasing margin: (x1,y2) 10/7 taken; its backward twin skipped; (x0,y0) 8/7
    # taken; its twin skipped; (x1,y1) 1 skipped because x1 is already matched.
    mined = mine_pairs(SRC, TGT, k=2, batch_size=2, device="cpu")
    assert [(s, t) for s, t, _ in mined] == [(1, 2), (0, 0)]
    assert [score for _, _, score in mined] == pytest.approx([10 / 7, 8 / 7])


def test_max_retrieval_drops_pairs_not_above_min_score():
    candidates = margin_scores(SRC, TGT, k=2, batch_size=2, device="cpu")
    mined = max_retrieval(candidates, min_score=8 / 7 + 1e-6)
    assert [(s, t) for s, t, _ in mined] == [(1, 2)]


def unit(degrees):
    return [math.cos(math.radians(degrees)), math.sin(math.radians(degrees))]


def test_backward_candidates_rescue_a_source_whose_forward_best_is_a_hub():
    # Angles chosen so that cos(x0, hub) = 0.9, cos(x1, hub) = 0.99, cos(x0, y0) = 0.85;
    # then cos(x1, y0) = cos(57.63 - 8.11 degrees) = 0.65.
    x0_angle = math.degrees(math.acos(0.9))
    src = [unit(x0_angle), unit(math.degrees(math.acos(0.99)))]  # x0, x1
    tgt = [unit(0.0), unit(x0_angle + math.degrees(math.acos(0.85)))]  # hub, y0
    # k = 1, so every mean is the single best cosine:
    #   fwd_mean(x0) = 0.9, fwd_mean(x1) = 0.99, bwd_mean(hub) = 0.99, bwd_mean(y0) = 0.85
    # forward (1-NN of each source):  x0 -> hub: 0.9 / ((0.9 + 0.99) / 2)   = 0.95238
    #                                 x1 -> hub: 0.99 / ((0.99 + 0.99) / 2) = 1
    # backward (1-NN of each target): hub -> x1: 1
    #                                 y0 -> x0: 0.85 / ((0.85 + 0.9) / 2)   = 0.97143
    # Greedy by margin: (x1, hub) 1 taken, its twin skipped, (x0, y0) 0.97143 taken,
    # (x0, hub) skipped. x0 gets its translation only through the backward direction.
    mined = mine_pairs(src, tgt, k=1, batch_size=2, device="cpu")
    assert [(s, t) for s, t, _ in mined] == [(1, 0), (0, 1)]
    assert [score for _, _, score in mined] == pytest.approx([1.0, 0.85 / 0.875], abs=1e-6)
    candidates = margin_scores(src, tgt, k=1, batch_size=2, device="cpu")
    assert candidates.forward_margins[0, 0].item() == pytest.approx(0.9 / 0.945, abs=1e-6)


def test_forward_margins_match_the_full_matrix_definition():
    generator = torch.Generator().manual_seed(3)
    src, tgt = torch.randn(20, 5, generator=generator), torch.randn(25, 5, generator=generator)
    candidates = margin_scores(src, tgt, k=4, batch_size=8, device="cpu")
    cos = torch.nn.functional.normalize(src, dim=1) @ torch.nn.functional.normalize(tgt, dim=1).T
    fwd_mean = cos.topk(4, dim=1).values.mean(dim=1)
    bwd_mean = cos.T.topk(4, dim=1).values.mean(dim=1)
    full_margin = cos / ((fwd_mean[:, None] + bwd_mean[None, :]) / 2)
    expected = full_margin[torch.arange(20)[:, None], candidates.forward_indices]
    assert torch.allclose(candidates.forward_margins, expected, atol=1e-6)


# ---------------------------------------------------------------------------- thresholds

# Five candidates by decreasing score; gold = {a, c, d}.
CANDIDATES = [("a", "A", 1.9), ("b", "B", 1.7), ("c", "C", 1.5), ("d", "D", 1.3), ("e", "E", 1.1)]
GOLD = [("a", "A"), ("c", "C"), ("d", "D")]


def test_best_threshold_by_hand():
    # prefix  extracted  correct  P     R     F1
    #   1     a          1        1     1/3   0.5
    #   2     a b        1        1/2   1/3   0.4
    #   3     a b c      2        2/3   2/3   0.667
    #   4     a b c d    3        3/4   1     6/7 = 0.857   <- best
    #   5     all        3        3/5   1     0.75
    # threshold = midpoint of the 4th and 5th scores = (1.3 + 1.1) / 2 = 1.2
    assert best_threshold(CANDIDATES, GOLD) == pytest.approx(1.2)
    result = bucc_f1(CANDIDATES, GOLD, threshold=1.2)
    assert result["precision"] == pytest.approx(75.0)
    assert result["recall"] == pytest.approx(100.0)
    assert result["f1"] == pytest.approx(600 / 7)


def test_threshold_is_applied_unchanged_and_counts_unmined_gold():
    # A "test" split: the dev threshold 1.2 keeps p (1.25, gold) and q (1.21, not gold);
    # r (1.19, gold) falls below; s was never mined. P = 1/2, R = 1/3, F1 = 0.4.
    test_candidates = {("p", "P"): 1.25, ("q", "Q"): 1.21, ("r", "R"): 1.19}
    test_gold = [("p", "P"), ("r", "R"), ("s", "S")]
    result = bucc_f1(test_candidates, test_gold, threshold=1.2)
    assert result == pytest.approx({"precision": 50.0, "recall": 100 / 3, "f1": 40.0})


def test_best_threshold_when_the_whole_list_wins():
    # Every candidate gold: F1 keeps rising to the last one; its own score is the threshold
    # so that `score >= threshold` keeps all of them (XTREME indexes past the end here).
    candidates = [("a", "A", 0.9), ("b", "B", 0.8)]
    threshold = best_threshold(candidates, [("a", "A"), ("b", "B")])
    assert threshold == pytest.approx(0.8)
    assert bucc_f1(candidates, [("a", "A"), ("b", "B")], threshold)["f1"] == pytest.approx(100.0)


def test_duplicate_candidates_keep_their_best_score():
    candidates = [("a", "A", 0.5), ("a", "A", 1.5), ("b", "B", 1.0)]
    assert bucc_f1(candidates, [("a", "A")], threshold=1.2)["f1"] == pytest.approx(100.0)


def test_no_gold_candidate_gives_zero_threshold_and_zero_f1():
    assert best_threshold(CANDIDATES, [("z", "Z")]) == 0.0
    assert bucc_f1(CANDIDATES, [("z", "Z")], 0.0) == {"precision": 0.0, "recall": 0.0, "f1": 0.0}


# ---------------------------------------------------------------------------- Tatoeba


def tatoeba_accuracy(other, english) -> float:
    """Accuracy of English sentence i finding other-language sentence i."""
    ids = [str(i) for i in range(len(other))]
    found = nearest_ids(english, ids, other, ids)
    return accuracy(found, dict(zip(ids, ids, strict=True)))["accuracy"]


def test_tatoeba_queries_with_english_against_the_other_language():
    other = [[1.0, 0.0], [0.0, 1.0]]  # o0, o1 (indexed)
    english = [[1.0, 0.0], [1.0, 0.5]]  # e0, e1 (queries); e_i translates o_i
    # English -> other (XTREME): e0 -> o0 (cos 1 vs 0) right; e1: cos(e1, o0) = 1/sqrt(1.25)
    #   = 0.894 > cos(e1, o1) = 0.447, so e1 -> o0 wrong. Accuracy 50.
    # Other -> English would be: o0 -> e0 (1 vs 0.894) right; o1 -> e1 (0.447 vs 0) right: 100.
    assert tatoeba_accuracy(other, english) == pytest.approx(50.0)
    assert tatoeba_accuracy(english, other) == pytest.approx(100.0)


def test_tatoeba_duplicate_sentences_resolve_to_the_first_copy():
    # o0 and o1 embed identically; e1 (translation of o1) ties and gets o0: a miss, as
    # with XTREME's faiss search. Accuracy 50.
    other = [[1.0, 0.0], [1.0, 0.0]]
    english = [[1.0, 0.1], [1.0, -0.1]]
    assert tatoeba_accuracy(other, english) == pytest.approx(50.0)


# ---------------------------------------------------------------------------- pooling


def test_mean_pool_ignores_padding():
    hidden = torch.tensor(
        [[[1.0, 2.0], [3.0, 4.0], [100.0, 100.0]], [[5.0, 6.0], [7.0, 8.0], [9.0, 10.0]]]
    )
    mask = torch.tensor([[1, 1, 0], [1, 1, 1]])
    # row 0: mean of the first two tokens = (2, 3); row 1: mean of all three = (7, 8)
    assert mean_pool(hidden, mask).tolist() == [[2.0, 3.0], [7.0, 8.0]]


def test_mean_pool_of_an_all_padding_row_is_zero():
    assert mean_pool(torch.ones(1, 2, 3), torch.zeros(1, 2)).tolist() == [[0.0, 0.0, 0.0]]
