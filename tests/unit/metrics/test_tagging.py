"""Golden tests for PAN-X entity F1 and UD-POS F1 (seqeval 0.0.12 semantics)."""

from __future__ import annotations

import importlib.util
import os
import random
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from xstilts.metrics.tagging import entity_f1, legacy_chunks, pos_f1

# The 17 universal POS tags of UD v2.
UPOS = [
    "ADJ", "ADP", "ADV", "AUX", "CCONJ", "DET", "INTJ", "NOUN", "NUM",
    "PART", "PRON", "PROPN", "PUNCT", "SCONJ", "SYM", "VERB", "X",
]  # fmt: skip
PIP_TIMEOUT_S = 180


# ---------------------------------------------------------------------------- entity F1


def test_entity_f1_partial_span_and_wrong_type_are_misses():
    gold = [["B-PER", "I-PER", "O", "B-LOC"], ["B-ORG", "I-ORG", "I-ORG"]]
    pred = [["B-PER", "I-PER", "O", "B-ORG"], ["B-ORG", "I-ORG", "O"]]
    # gold entities: PER[0,1], LOC[3] (sentence 1), ORG[0,2] (sentence 2)   -> 3
    # pred entities: PER[0,1] exact match; ORG[3] right span, wrong type (miss);
    #                ORG[0,1] right type, partial span (miss)                 -> 3, 1 correct
    # P = 1/3, R = 1/3, F1 = 1/3 -> 33.33
    assert entity_f1(gold, pred) == pytest.approx(100 / 3)


def test_entity_f1_precision_and_recall_differ():
    gold = [["B-LOC", "O", "B-PER", "I-PER"]]
    pred = [["B-LOC", "B-MISC", "B-PER", "I-PER"]]
    # gold: LOC[0], PER[2,3]; pred: LOC[0], MISC[1], PER[2,3]; 2 correct
    # P = 2/3, R = 2/2, F1 = 2 * (2/3) * 1 / (5/3) = 4/5 -> 80
    assert entity_f1(gold, pred) == pytest.approx(80.0)


def test_entity_f1_default_mode_reads_dangling_inside_as_entity_start():
    gold = [["O", "B-MISC", "I-MISC"]]
    pred = [["O", "I-MISC", "I-MISC"]]
    # conlleval-style default mode: I-MISC after O opens MISC[1,2], equal to gold -> 100
    # (strict IOB2 mode would reject the prediction; XTREME used the default mode).
    assert entity_f1(gold, pred) == pytest.approx(100.0)


def test_entity_f1_no_predicted_entities_is_zero():
    assert entity_f1([["B-PER", "O"]], [["O", "O"]]) == 0.0


def test_mismatched_sentence_length_names_the_sentence():
    gold = [["B-PER"], ["O", "O"], ["O"]]
    pred = [["B-PER"], ["O"], ["O"]]
    with pytest.raises(ValueError, match="sentence 1"):
        entity_f1(gold, pred)
    with pytest.raises(ValueError, match="sentence 1"):
        pos_f1(gold, pred)


def test_mismatched_sentence_count_raises():
    with pytest.raises(ValueError, match="sentences"):
        pos_f1([["NOUN"]], [["NOUN"], ["VERB"]])


# ---------------------------------------------------------------------------- POS F1


def test_pos_f1_merges_repeated_tags_and_keeps_s_tags_single():
    gold = [["NOUN", "NOUN", "SYM", "SYM", "VERB"]]
    pred = [["NOUN", "VERB", "SYM", "SYM", "VERB"]]
    # 0.0.12 reads the first letter as a prefix and the whole tag as the type.
    # gold: NOUN NOUN share prefix N and type -> one chunk NOUN[0,1]; S-prefixed tags
    #       close right after themselves -> SYM[2,2], SYM[3,3]; VERB[4,4]   -> 4 chunks
    # pred: NOUN[0,0], VERB[1,1], SYM[2,2], SYM[3,3], VERB[4,4]            -> 5 chunks
    # correct: SYM[2,2], SYM[3,3], VERB[4,4] = 3; P = 3/5, R = 3/4
    # F1 = 2 * 0.6 * 0.75 / 1.35 = 2/3 -> 66.67 (token accuracy would be 80)
    assert pos_f1(gold, pred) == pytest.approx(200 / 3)


def test_pos_f1_follows_0012_where_122_differs():
    gold = [["NOUN", "X"], ["VERB"]]
    pred = [["NOUN", "X"], ["NOUN"]]
    # Joined stream (an "O" closes each sentence): positions 0 NOUN, 1 X, 2 O, 3 VERB, 4 O.
    #
    # seqeval 0.0.12: type = whole tag ("X" has type "X", the separator "O" type "O").
    #   gold: NOUN[0,0]; X[1,1] (closed at 2 because type X != O); VERB[3,3]  -> 3 chunks
    #   pred: NOUN[0,0]; X[1,1]; NOUN[3,3]                                    -> 3 chunks
    #   correct 2: P = R = 2/3, F1 = 2/3 -> 66.67
    #
    # seqeval 1.2.2: type = tag minus its first character, "_" if that is empty, so
    #   "X" and the separator "O" both have type "_": the X chunk never closes at position
    #   2, and the chunk opened at 3 overwrites its start, so X is lost on both sides.
    #   gold: OUN[0,0], ERB[3,3]; pred: OUN[0,0], OUN[3,3]
    #   correct 1: P = R = 1/2, F1 = 1/2 -> 50
    from seqeval.metrics import f1_score as seqeval_122_f1

    assert pos_f1(gold, pred) == pytest.approx(200 / 3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # 1.2.2 warns that bare tags are not NE tags
        new_value = 100 * seqeval_122_f1(gold, pred)
    assert new_value == pytest.approx(50.0)
    assert pos_f1(gold, pred) != pytest.approx(new_value)


# ------------------------------------------------------- cross-check against 0.0.12 itself


@pytest.fixture(scope="session")
def seqeval_0012(tmp_path_factory):
    """seqeval 0.0.12's sequence_labeling module, loaded under a private name.

    Only that one file is loaded (it needs numpy alone), so the installed seqeval 1.2.2
    stays what `import seqeval` returns.
    """
    root = os.environ.get("SEQEVAL_0012_PATH")
    if root is None:
        root = str(tmp_path_factory.mktemp("seqeval_0012"))
        _pip_install_seqeval_0012(root)
    module_file = Path(root) / "seqeval" / "metrics" / "sequence_labeling.py"
    if not module_file.is_file():
        pytest.fail(f"seqeval 0.0.12 not found: {module_file} does not exist")
    spec = importlib.util.spec_from_file_location("_seqeval_0012_labeling", module_file)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _pip_install_seqeval_0012(target: str) -> None:
    command = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--no-deps",
        "--disable-pip-version-check",
        "--target",
        target,
        "seqeval==0.0.12",
    ]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=PIP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        pytest.fail(
            f"pip install seqeval==0.0.12 took over {PIP_TIMEOUT_S}s; "
            "set SEQEVAL_0012_PATH to a directory that already holds it"
        )
    if result.returncode != 0:
        pytest.fail(
            "could not pip install seqeval==0.0.12 for the cross-check "
            f"(set SEQEVAL_0012_PATH to skip the install):\n{result.stderr[-2000:]}"
        )


def _random_corpus(rng: random.Random, alphabet, n_sentences: int):
    gold = [[rng.choice(alphabet) for _ in range(rng.randint(1, 25))] for _ in range(n_sentences)]
    # Corrupt ~25% of tokens so the scores are neither 0 nor 100.
    pred = [[rng.choice(alphabet) if rng.random() < 0.25 else tag for tag in s] for s in gold]
    return gold, pred


def test_pos_f1_matches_seqeval_0012_on_random_upos(seqeval_0012):
    gold, pred = _random_corpus(random.Random(20200527), UPOS, 300)
    expected = 100 * seqeval_0012.f1_score(gold, pred)
    assert 0 < expected < 100
    assert pos_f1(gold, pred) == pytest.approx(expected, rel=1e-12)


def test_legacy_chunks_match_seqeval_0012_on_odd_tags(seqeval_0012):
    # Prefixed, IOBES and odd tags exercise every rule, including stale chunk starts.
    odd_tags = ["O", ".", "_", "B-PER", "I-PER", "E-PER", "S-PER", "B-LOC", "I-LOC", "I", "B", "E"]
    alphabet = UPOS + odd_tags
    rng = random.Random(7)
    for _ in range(200):
        sentences = _random_corpus(rng, alphabet, rng.randint(1, 5))[0]
        assert legacy_chunks(sentences) == set(seqeval_0012.get_entities(sentences))
