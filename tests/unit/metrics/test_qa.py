"""Golden tests for the extractive-QA metrics; every expected value is derived by hand."""

import ast
import functools
import sys
from pathlib import Path

import pytest

from xstilts.metrics import qa
from xstilts.metrics.qa import (
    exact_match,
    f1,
    f1_v2,
    normalize_mlqa,
    normalize_squad,
    score_mlqa,
    score_squad,
    score_squad_v2,
)

# --- SQuAD v1.1 normalisation ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # lower -> "the cat, sat!" -> no punct "the cat sat" -> no article " cat sat"
        ("The Cat, sat!", "cat sat"),
        # articles only as whole words: "theatre" and "anthem" survive, "an" goes
        ("Theatre an Anthem", "theatre anthem"),
        # punctuation is deleted, not replaced by a space, so the words merge
        ("well-known", "wellknown"),
        # punctuation goes before articles: "the-end" -> "theend", no article left to drop
        ("The-End", "theend"),
        # « » are Unicode (Pi/Pf), not ASCII punctuation: SQuAD keeps them
        ("«Hola»", "«hola»"),
        # ASCII "?" goes, the Spanish "¿" (Po, non-ASCII) stays
        ("¿Qué?", "¿qué"),
        # "$" is ASCII punctuation (though category Sc); "€" is not ASCII, so it stays
        ("€5 $5", "€5 5"),
        # no Arabic article handling in SQuAD
        ("الكتاب", "الكتاب"),
        # whitespace of any kind collapses to single spaces
        ("  a\tcat \n ", "cat"),
    ],
)
def test_normalize_squad(text, expected):
    assert normalize_squad(text) == expected


# --- MLQA normalisation ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        # en: « » ! are P* -> "the cat" -> article gone -> [cat]
        ("The «cat»!", "en", ["cat"]),
        # es: ¿ ? go, articles los/el go -> [gatos, y, perro]
        ("¿Los gatos y el perro?", "es", ["gatos", "y", "perro"]),
        # es: accented "él" (pronoun) is not the article "el"
        ("Él", "es", ["él"]),
        # de: der/die go, comma and full stop go
        ("Der Hund, die Katze.", "de", ["hund", "katze"]),
        # de: "das" inside "dasein" is not a whole word
        ("Das Dasein", "de", ["dasein"]),
        # punctuation goes before articles: "el-niño" -> "elniño", so "el" is no word
        ("El-Niño", "es", ["elniño"]),
        # vi: chiếc and của are in the article list
        ("Chiếc xe của tôi", "vi", ["xe", "tôi"]),
        # hi: no articles, so "the" stays; the danda । is Po and goes
        ("the भारत।", "hi", ["the", "भारत"]),
        # ASCII "$" goes (in string.punctuation), "€" (Sc, non-ASCII) stays
        ("€5 $5", "en", ["€5", "5"]),
        # ar: ال at a word start is replaced by a space -> [كتاب]
        ("الكتاب", "ar", ["كتاب"]),
        # ar: ال anywhere, even mid-word: "بالمدرسة" -> "ب مدرسة" -> two tokens
        ("بالمدرسة", "ar", ["ب", "مدرسة"]),
        # ar: ال at a word end too: "سؤال" -> "سؤ " -> [سؤ]
        ("سؤال", "ar", ["سؤ"]),
        # zh: no spaces, every ideograph is a token
        ("北京大学", "zh", ["北", "京", "大", "学"]),
        # zh: 。 deleted; digit run stays one token, ideographs split
        ("2008年奥运会。", "zh", ["2008", "年", "奥", "运", "会"]),
        # zh: Latin run is whitespace-split, no English articles removed in zh
        ("The iPhone 手机", "zh", ["the", "iphone", "手", "机"]),
        # zh: U+9FA6 lies past U+9FA5, so it is not split off: one run, one token
        ("\u9fa6\u9fa6", "zh", ["\u9fa6\u9fa6"]),
        # zh: fullwidth comma and ideographic comma are P* and vanish, no empty tokens
        ("你，好、", "zh", ["你", "好"]),
    ],
)
def test_normalize_mlqa(text, lang, expected):
    assert normalize_mlqa(text, lang) == expected


def test_normalize_mlqa_rejects_unknown_language():
    with pytest.raises(ValueError, match="'fr'"):
        normalize_mlqa("bonjour", "fr")


# --- Per-answer metrics ---------------------------------------------------------------------


def test_f1_partial_overlap():
    # pred {cat, sat}, gold {the->removed, cat, sat, down}: P=2/2 R=2/3 -> F1=0.8
    assert f1("cat sat", ["The cat sat down"]) == pytest.approx(0.8)
    assert exact_match("cat sat", ["The cat sat down"]) == 0.0


def test_f1_counts_repeated_tokens_once_per_gold_occurrence():
    # pred [cat cat cat], gold [cat dog]: overlap min(3,1)=1, P=1/3 R=1/2 -> F1=0.4
    assert f1("cat cat cat", ["cat dog"]) == pytest.approx(0.4)


def test_max_over_several_gold_answers():
    golds = ["Paris", "in Paris, France", "Lyon"]
    # vs [paris]: P=1/2 R=1 -> 2/3; vs [in paris france]: P=2/2 R=2/3 -> 0.8; Lyon 0 -> 0.8
    assert f1("Paris France", golds) == pytest.approx(0.8)
    assert exact_match("Paris France", golds) == 0.0
    # "the Paris" normalises to "paris", equal to the first gold
    assert exact_match("the Paris", golds) == 1.0


def test_empty_prediction_v1():
    # [] vs [cat]: no overlap -> 0 on both
    assert f1("", ["cat"]) == 0.0
    assert exact_match("", ["cat"]) == 0.0


def test_v1_gold_that_normalises_to_nothing():
    # v1.1 quirk: "" == "" gives EM 1, but F1 needs an overlapping token, so it is 0
    assert exact_match("a", ["The"]) == 1.0
    assert f1("a", ["The"]) == 0.0
    # v2.0 instead scores empty == empty as F1 1
    assert f1_v2("a", ["The"]) == 1.0


def test_unicode_punctuation_squad_vs_mlqa():
    # SQuAD keeps « »: "«paris»" != "paris" -> 0; MLQA strips them -> 1
    assert f1("«Paris»", ["Paris"]) == 0.0
    mlqa_en = functools.partial(normalize_mlqa, lang="en")
    assert f1("«Paris»", ["Paris"], mlqa_en) == 1.0


def test_helpers_need_a_gold_answer():
    with pytest.raises(ValueError):
        f1("x", [])


# --- SQuAD v1.1 scorer ----------------------------------------------------------------------


def test_score_squad_aggregate():
    gold = {
        "q1": ["The cat sat down"],
        "q2": ["Paris", "in Paris, France"],
        "q3": ["1984"],
        "q4": ["blue"],
    }
    predictions = {"q1": "cat sat", "q2": "Paris", "q3": "1985", "extra": "ignored"}
    # q1 EM 0 F1 0.8 | q2 EM 1 F1 1 | q3 EM 0 F1 0 | q4 missing -> 0, 0
    # EM = 100 * 1/4 = 25; F1 = 100 * 1.8/4 = 45; extra ids are ignored
    assert score_squad(predictions, gold) == {
        "exact_match": pytest.approx(25.0),
        "f1": pytest.approx(45.0),
        "count": 4,
    }


def test_score_squad_rejects_question_without_answers():
    with pytest.raises(ValueError, match="q9"):
        score_squad({"q9": "x"}, {"q1": ["a b"], "q9": []})


def test_score_rejects_bare_string_gold_and_empty_gold():
    with pytest.raises(ValueError, match="q1"):
        score_squad({"q1": "Paris"}, {"q1": "Paris"})
    with pytest.raises(ValueError):
        score_squad({}, {})


def test_missing_prediction_scores_zero_even_if_gold_normalises_to_nothing():
    # official v1.1/MLQA: an unanswered question gets 0; an explicit "" matches "" (EM 1)
    assert score_mlqa({}, {"q": ["The"]}, "en")["exact_match"] == 0.0
    assert score_mlqa({"q": ""}, {"q": ["The"]}, "en") == {
        "exact_match": pytest.approx(100.0),
        "f1": 0.0,
        "count": 1,
    }


# --- MLQA scorer ----------------------------------------------------------------------------


def test_score_mlqa_chinese_vs_squad():
    gold = {"z1": ["北京大学"], "z2": ["2008年"]}
    predictions = {"z1": "北京", "z2": "2008年。"}
    # MLQA: z1 [北 京] vs [北 京 大 学]: P=2/2 R=2/4 -> 2/3, EM 0
    #       z2 [2008 年] == [2008 年] -> EM 1 F1 1
    #       EM = 100*1/2 = 50; F1 = 100*(2/3+1)/2 = 83.33
    mlqa = score_mlqa(predictions, gold, "zh")
    assert mlqa["exact_match"] == pytest.approx(50.0)
    assert mlqa["f1"] == pytest.approx(250 / 3)
    # SQuAD: "北京" and "北京大学" are single different tokens; 。 is kept -> all 0
    squad = score_squad(predictions, gold)
    assert (squad["exact_match"], squad["f1"]) == (0.0, 0.0)


def test_score_mlqa_arabic_article_vs_squad():
    gold = {"a1": ["الكتاب الأحمر"]}
    predictions = {"a1": "كتاب"}
    # MLQA: gold -> " كتاب  أحمر" -> [كتاب أحمر]; pred [كتاب]: P=1 R=1/2 -> F1 2/3, EM 0
    assert score_mlqa(predictions, gold, "ar")["f1"] == pytest.approx(200 / 3)
    assert score_mlqa(predictions, gold, "ar")["exact_match"] == 0.0
    # SQuAD: [كتاب] vs [الكتاب الأحمر] share nothing -> 0
    assert score_squad(predictions, gold)["f1"] == 0.0


def test_score_mlqa_german_articles():
    gold = {"d1": ["die Katze"], "d2": ["einem Haus"]}
    predictions = {"d1": "Katze", "d2": "im Haus"}
    # d1 [katze] == [katze] -> EM 1 F1 1; d2 [im haus] vs [haus]: P=1/2 R=1 -> 2/3
    # EM = 50; F1 = 100*(1+2/3)/2 = 83.33
    result = score_mlqa(predictions, gold, "de")
    assert result == {
        "exact_match": pytest.approx(50.0),
        "f1": pytest.approx(250 / 3),
        "count": 2,
    }
    # with English rules "die" and "einem" stay: d1 P=1 R=1/2 -> 2/3; d2 [im haus] vs
    # [einem haus]: P=1/2 R=1/2 -> 1/2; EM 0; F1 = 100*(2/3+1/2)/2 = 58.33
    english = score_mlqa(predictions, gold, "en")
    assert english["exact_match"] == 0.0
    assert english["f1"] == pytest.approx(175 / 3)


def test_score_mlqa_rejects_unknown_language():
    with pytest.raises(ValueError, match="'ja'"):
        score_mlqa({"q": "x"}, {"q": ["x"]}, "ja")


# --- SQuAD v2.0 scorer ----------------------------------------------------------------------


def test_score_squad_v2_with_no_answer_questions():
    gold = {
        "n1": [],
        "n2": [""],
        "n3": [],
        "h1": ["Denver Broncos"],
        "h2": ["Carolina"],
        "h3": ["1984"],
    }
    predictions = {
        "n1": "",  # both empty -> EM 1 F1 1
        "n2": "Broncos",  # answer where none exists -> 0, 0
        # n3 missing -> counts as "" -> EM 1 F1 1
        "h1": "the Denver Broncos",  # [denver broncos] == gold -> 1, 1
        "h2": "Carolina Panthers",  # P=1/2 R=1 -> F1 2/3, EM 0
        "h3": "",  # empty vs [1984] -> 0, 0
    }
    # all: EM 3/6 = 50; F1 (1+0+1+1+2/3+0)/6 = 11/18 -> 61.11
    # has-answer h1-h3: EM 1/3 -> 33.33; F1 (1+2/3+0)/3 = 5/9 -> 55.56
    # no-answer n1-n3: EM = F1 = 2/3 -> 66.67
    assert score_squad_v2(predictions, gold) == {
        "exact_match": pytest.approx(50.0),
        "f1": pytest.approx(1100 / 18),
        "count": 6,
        "has_answer_exact_match": pytest.approx(100 / 3),
        "has_answer_f1": pytest.approx(500 / 9),
        "has_answer_count": 3,
        "no_answer_exact_match": pytest.approx(200 / 3),
        "no_answer_f1": pytest.approx(200 / 3),
        "no_answer_count": 3,
    }


def test_score_squad_v2_gold_that_normalises_to_nothing_becomes_no_answer():
    # gold "The" normalises to "" -> replaced by [""]; pred "" -> EM 1, F1 1 (not 0 as v1.1)
    # the raw gold list is non-empty, so the question sits in the has-answer group
    result = score_squad_v2({"q": ""}, {"q": ["The"]})
    assert (result["exact_match"], result["f1"]) == (100.0, 100.0)
    assert (result["has_answer_count"], result["no_answer_count"]) == (1, 0)
    assert result["no_answer_f1"] is None


def test_score_squad_v2_drops_empty_gold_beside_real_answers():
    # ["", "Paris"] -> only "Paris" is kept, so an empty prediction is wrong
    result = score_squad_v2({"q": ""}, {"q": ["", "Paris"]})
    assert (result["exact_match"], result["f1"]) == (0.0, 0.0)


def test_f1_v2_empty_cases():
    assert f1_v2("", [""]) == 1.0  # both empty
    assert f1_v2("Paris", [""]) == 0.0  # only the gold is empty
    assert f1_v2("", ["Paris"]) == 0.0  # only the prediction is empty
    assert f1("", [""]) == 0.0  # v1.1: no overlap is 0 even when both are empty


# --- Dependencies ---------------------------------------------------------------------------


def test_qa_metrics_import_only_the_standard_library():
    # scoring jobs must not pull in torch or numpy
    tree = ast.parse(Path(qa.__file__).read_text(encoding="utf-8"))
    modules = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    modules |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    top_level = {name.split(".")[0] for name in modules}
    assert top_level <= set(sys.stdlib_module_names)
