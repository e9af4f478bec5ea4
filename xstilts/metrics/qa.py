"""Extractive-QA metrics as XTREME scores them: SQuAD v1.1, SQuAD v2.0 and MLQA.

Each scorer follows the semantics of its official evaluation script (normalisation,
token F1, max over gold answers, mean over questions, times 100). Standard library
only, so that scoring jobs never import torch.
"""

import functools
import re
import string
import unicodedata
from collections import Counter
from collections.abc import Callable, Mapping, Sequence

Tokenizer = Callable[[str], list[str]]

MLQA_LANGUAGES = ("en", "es", "de", "vi", "ar", "hi", "zh")

_ASCII_PUNCTUATION = frozenset(string.punctuation)
_ENGLISH_ARTICLES = re.compile(r"\b(?:a|an|the)\b")

# Whole-word articles per MLQA language; ar is handled apart, hi and zh have none.
_MLQA_ARTICLE_ALTERNATIVES = {
    "en": "a|an|the",
    "es": "un|una|unos|unas|el|la|los|las",
    "de": "ein|eine|einen|einem|eines|einer|der|die|das|den|dem|des",
    "vi": "của|là|cái|chiếc|những",
}
_MLQA_ARTICLES = {
    lang: re.compile(rf"\b(?:{alternatives})\b")
    for lang, alternatives in _MLQA_ARTICLE_ALTERNATIVES.items()
}
_ARABIC_ARTICLE = "ال"
_CJK_FIRST, _CJK_LAST = "\u4e00", "\u9fa5"


# --- SQuAD v1.1 / v2.0 normalisation -------------------------------------------------


def normalize_squad(text: str) -> str:
    """SQuAD normalisation: lower, drop ASCII punctuation, drop a/an/the, collapse spaces."""
    text = text.lower()
    text = "".join(ch for ch in text if ch not in _ASCII_PUNCTUATION)
    text = _ENGLISH_ARTICLES.sub(" ", text)
    return " ".join(text.split())


def squad_tokens(text: str) -> list[str]:
    """Whitespace tokens of the SQuAD-normalised text."""
    return normalize_squad(text).split()


# --- MLQA normalisation ---------------------------------------------------------------


def _is_mlqa_punctuation(ch: str) -> bool:
    """MLQA drops every Unicode P* character plus ASCII punctuation (which adds symbols)."""
    return ch in _ASCII_PUNCTUATION or unicodedata.category(ch).startswith("P")


def _remove_mlqa_articles(text: str, lang: str) -> str:
    """Replace articles by a space; Arabic ال goes wherever it occurs, even inside words."""
    if lang == "ar":
        # The official pattern's first branch needs start-of-string after two consumed
        # characters, so it never matches: only the bare ال branch ever fires.
        return text.replace(_ARABIC_ARTICLE, " ")
    pattern = _MLQA_ARTICLES.get(lang)
    return pattern.sub(" ", text) if pattern else text


def _mixed_segmentation(text: str) -> list[str]:
    """Chinese: each CJK ideograph (U+4E00..U+9FA5) or punctuation mark alone, runs split."""
    tokens: list[str] = []
    run_start = 0
    for index, ch in enumerate(text):
        if _CJK_FIRST <= ch <= _CJK_LAST or _is_mlqa_punctuation(ch):
            tokens.extend(text[run_start:index].split())
            tokens.append(ch)
            run_start = index + 1
    tokens.extend(text[run_start:].split())
    return tokens


def normalize_mlqa(text: str, lang: str) -> list[str]:
    """MLQA tokens: lower, drop punctuation, drop articles of `lang`, then tokenise."""
    if lang not in MLQA_LANGUAGES:
        raise ValueError(f"unknown MLQA language {lang!r}; expected one of {MLQA_LANGUAGES}")
    text = text.lower()
    text = "".join(ch for ch in text if not _is_mlqa_punctuation(ch))
    text = _remove_mlqa_articles(text, lang)
    # Punctuation is gone by now, so for zh only ideographs end up as single tokens.
    return _mixed_segmentation(text) if lang == "zh" else text.split()


# --- Per-answer metrics -----------------------------------------------------------------


def _token_f1(prediction_tokens: list[str], gold_tokens: list[str]) -> float:
    """SQuAD v1.1 / MLQA token F1: 0 without overlap, hence 0 when either side is empty."""
    overlap = sum((Counter(prediction_tokens) & Counter(gold_tokens)).values())
    if overlap == 0:
        return 0.0
    precision = overlap / len(prediction_tokens)
    recall = overlap / len(gold_tokens)
    return (2 * precision * recall) / (precision + recall)


def _token_f1_v2(prediction_tokens: list[str], gold_tokens: list[str]) -> float:
    """SQuAD v2.0 token F1: an empty side scores 1 only when the other is empty too."""
    if not prediction_tokens or not gold_tokens:
        return float(prediction_tokens == gold_tokens)
    return _token_f1(prediction_tokens, gold_tokens)


def _best_over_gold(
    score: Callable[[list[str], list[str]], float],
    prediction: str,
    ground_truths: Sequence[str],
    tokenize: Tokenizer,
) -> float:
    """Max of `score` over the gold answers (the official scripts' rule)."""
    if not ground_truths:
        raise ValueError("at least one gold answer is needed")
    prediction_tokens = tokenize(prediction)
    return max(score(prediction_tokens, tokenize(gold)) for gold in ground_truths)


def _same_tokens(prediction_tokens: list[str], gold_tokens: list[str]) -> float:
    """Exact match; equal token lists is the same as equal normalised strings."""
    return float(prediction_tokens == gold_tokens)


def exact_match(
    prediction: str, ground_truths: Sequence[str], tokenize: Tokenizer = squad_tokens
) -> float:
    """1.0 if the prediction normalises to the same tokens as any gold answer, else 0.0."""
    return _best_over_gold(_same_tokens, prediction, ground_truths, tokenize)


def f1(prediction: str, ground_truths: Sequence[str], tokenize: Tokenizer = squad_tokens) -> float:
    """Best SQuAD v1.1 / MLQA token F1 in [0, 1] over the gold answers."""
    return _best_over_gold(_token_f1, prediction, ground_truths, tokenize)


def f1_v2(
    prediction: str, ground_truths: Sequence[str], tokenize: Tokenizer = squad_tokens
) -> float:
    """Best SQuAD v2.0 token F1 in [0, 1] over the gold answers (empty == empty is 1)."""
    return _best_over_gold(_token_f1_v2, prediction, ground_truths, tokenize)


# --- Dataset scorers ----------------------------------------------------------------------


def _percent_mean(values: Sequence[float]) -> float | None:
    """Mean times 100, or None for an empty group."""
    return 100.0 * sum(values) / len(values) if values else None


def _check_gold(gold: Mapping[str, Sequence[str]]) -> None:
    """Fail early on an empty gold set or a bare string where a list of answers belongs."""
    if not gold:
        raise ValueError("no gold questions to score")
    for question_id, answers in gold.items():
        if isinstance(answers, str):
            raise ValueError(
                f"gold answers of question {question_id!r} must be a list, "
                f"got the string {answers!r}"
            )


def _score_v1(
    predictions: Mapping[str, str], gold: Mapping[str, Sequence[str]], tokenize: Tokenizer
) -> dict:
    """Mean EM and F1 (x100) over every gold question; an unanswered question scores 0."""
    em_scores, f1_scores = _per_question(predictions, gold, tokenize)
    return {
        "exact_match": _percent_mean(em_scores),
        "f1": _percent_mean(f1_scores),
        "count": len(gold),
    }


def _per_question(
    predictions: Mapping[str, str], gold: Mapping[str, Sequence[str]], tokenize: Tokenizer
) -> tuple[list[float], list[float]]:
    """(EM, F1) of each gold question in gold order, each in [0, 1]."""
    _check_gold(gold)
    em_scores: list[float] = []
    f1_scores: list[float] = []
    for question_id, answers in gold.items():
        if not answers:
            raise ValueError(
                f"question {question_id!r} has no gold answers; "
                "SQuAD v1.1 / MLQA scoring needs at least one"
            )
        # Like the official scripts: a missing prediction counts 0, not as an empty string.
        if question_id not in predictions:
            em_scores.append(0.0)
            f1_scores.append(0.0)
            continue
        prediction = predictions[question_id]
        em_scores.append(exact_match(prediction, answers, tokenize))
        f1_scores.append(f1(prediction, answers, tokenize))
    return em_scores, f1_scores


def squad_per_question(
    predictions: Mapping[str, str], gold: Mapping[str, Sequence[str]]
) -> dict[str, list[float]]:
    """{exact_match, f1}: each question's SQuAD v1.1 scores in [0, 1], in gold order; their
    means x100 are `score_squad` (what a bootstrap of EM and F1 resamples)."""
    em_scores, f1_scores = _per_question(predictions, gold, squad_tokens)
    return {"exact_match": em_scores, "f1": f1_scores}


def mlqa_per_question(
    predictions: Mapping[str, str], gold: Mapping[str, Sequence[str]], lang: str
) -> dict[str, list[float]]:
    """`squad_per_question` with MLQA's normalisation of `lang` (see `score_mlqa`)."""
    em_scores, f1_scores = _per_question(predictions, gold, _mlqa_tokenizer(lang))
    return {"exact_match": em_scores, "f1": f1_scores}


def score_squad(predictions: Mapping[str, str], gold: Mapping[str, Sequence[str]]) -> dict:
    """SQuAD v1.1 EM and F1 in percent (XQuAD, TyDiQA-GoldP); gold maps id -> answers."""
    return _score_v1(predictions, gold, squad_tokens)


def score_mlqa(
    predictions: Mapping[str, str], gold: Mapping[str, Sequence[str]], lang: str
) -> dict:
    """MLQA EM and F1 in percent with the answer language's normalisation."""
    return _score_v1(predictions, gold, _mlqa_tokenizer(lang))


def _mlqa_tokenizer(lang: str) -> Tokenizer:
    if lang not in MLQA_LANGUAGES:
        raise ValueError(f"unknown MLQA language {lang!r}; expected one of {MLQA_LANGUAGES}")
    return functools.partial(normalize_mlqa, lang=lang)


def _v2_gold_answers(answers: Sequence[str]) -> list[str]:
    """Gold answers that normalise to nothing are dropped; none left means no-answer."""
    return [answer for answer in answers if normalize_squad(answer)] or [""]


def score_squad_v2(predictions: Mapping[str, str], gold: Mapping[str, Sequence[str]]) -> dict:
    """SQuAD v2.0 EM and F1 in percent, overall and split by has-answer / no-answer.

    Unanswerable questions have gold [] (or [""]); the right prediction is "". A missing
    prediction counts as "". A question is in the has-answer group when any raw gold
    answer is a non-empty string, as the official script decides it before normalising.
    """
    _check_gold(gold)
    groups: dict[str, tuple[list[float], list[float]]] = {
        "all": ([], []),
        "has_answer": ([], []),
        "no_answer": ([], []),
    }
    for question_id, answers in gold.items():
        prediction = predictions.get(question_id, "")
        targets = _v2_gold_answers(answers)
        em = exact_match(prediction, targets)
        f1_score = f1_v2(prediction, targets)
        group = "has_answer" if any(answers) else "no_answer"
        for name in ("all", group):
            groups[name][0].append(em)
            groups[name][1].append(f1_score)
    all_em, all_f1 = groups["all"]
    result = {
        "exact_match": _percent_mean(all_em),
        "f1": _percent_mean(all_f1),
        "count": len(all_em),
    }
    for name in ("has_answer", "no_answer"):
        em_scores, f1_scores = groups[name]
        result[f"{name}_exact_match"] = _percent_mean(em_scores)
        result[f"{name}_f1"] = _percent_mean(f1_scores)
        result[f"{name}_count"] = len(em_scores)
    return result
