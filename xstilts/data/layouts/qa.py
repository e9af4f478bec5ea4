"""Hub layouts of the extractive-QA datasets (SQuAD v1.1/v2.0, XQuAD, MLQA, TyDiQA-GoldP).

Canonical QA record: {id: str, context: str, question: str, answers_text: [str],
answers_start: [int]}, with character offsets into the context; an unanswerable question
(SQuAD 2.0) has empty answer lists. QA datasets have no label names.

Demo rows: the answer is a number in a context of pseudo-words, and the question repeats
the two words before it and the one after it. Digits are shared by every script, so a
tiny model learns the English task within a few hundred steps and transfers it; spotting
the span between the question's words instead would need far longer training. Unanswerable
demo questions (SQuAD 2.0) come with a context without a number and use words it lacks.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from xstilts.data.release import ReadsReleaseFiles, qa

# TyDiQA-GoldP's ids start with the language's English name ("arabic-2387335860751143628-1").
TYDIQA_LANGUAGES = {
    "arabic": "ar", "bengali": "bn", "english": "en", "finnish": "fi", "indonesian": "id",
    "korean": "ko", "russian": "ru", "swahili": "sw", "telugu": "te",
}
TYDIQA_NAMES = {code: name for name, code in TYDIQA_LANGUAGES.items()}

# Demo context sizes in words: the longest exceed the demo's max_length in tokens, so that
# training and prediction go through several windows.
CONTEXT_WORDS = (20, 70)
UNANSWERABLE_SHARE = 1 / 3


def tydiqa_language(question_id: str) -> str:
    """Language code of a TyDiQA id, read from its prefix."""
    name = question_id.split("-", 1)[0]
    if name not in TYDIQA_LANGUAGES:
        raise ValueError(f"TyDiQA id {question_id!r} does not start with a known language "
                         f"({', '.join(TYDIQA_LANGUAGES)})")
    return TYDIQA_LANGUAGES[name]


@dataclass(frozen=True)
class QaLayout(ReadsReleaseFiles):
    """An extractive-QA dataset as the hub lays it out (SQuAD's columns)."""

    splits: tuple[str, ...]
    has_title: bool = True
    # The hub's `answers` keys in the hub's order (XTREME lists answer_start first).
    answer_keys: tuple[str, str] = ("text", "answer_start")
    unanswerable: bool = False  # some questions have no answer (SQuAD 2.0)
    language_from_id: bool = False  # one configuration holds every language (TyDiQA)
    format: str = "extractive_qa"
    label_names: tuple[str, ...] = ()
    language_column: str | None = None
    unlabeled_splits: tuple[str, ...] = ()

    def features(self):
        from datasets import Features, Sequence, Value

        answer_types = {"text": Value("string"), "answer_start": Value("int32")}
        columns = {"id": Value("string")}
        if self.has_title:
            columns["title"] = Value("string")
        columns.update({
            "context": Value("string"),
            "question": Value("string"),
            "answers": Sequence({key: answer_types[key] for key in self.answer_keys}),
        })
        return Features(columns)

    def demo_rows(self, split: str, language: str, size: int, seed: int, dataset: str):
        """Generated rows of one split in the hub's columns."""
        return qa_rows(self, split, language, size, seed, dataset)

    def to_canonical(self, rows: dict[str, list], split: str, language: str) -> dict[str, list]:
        """Columnar hub rows of one split -> canonical columns of `language`."""
        keep = range(len(rows["id"]))
        if self.language_from_id:
            keep = [i for i in keep if tydiqa_language(rows["id"][i]) == language]
        answers = [rows["answers"][i] for i in keep]
        return {
            "id": [rows["id"][i] for i in keep],
            "context": [rows["context"][i] for i in keep],
            "question": [rows["question"][i] for i in keep],
            "answers_text": [list(answer["text"]) for answer in answers],
            "answers_start": [list(answer["answer_start"]) for answer in answers],
        }


XTREME_ANSWER_KEYS = ("answer_start", "text")

QA_LAYOUTS: dict[str, QaLayout] = {
    "squad": QaLayout(splits=("train", "validation"), release=qa.SQUAD_V1),
    "squad_v2": QaLayout(splits=("train", "validation"), unanswerable=True,
                         release=qa.SQUAD_V2),
    "xtreme_xquad": QaLayout(splits=("validation",), has_title=False,
                             answer_keys=XTREME_ANSWER_KEYS, release=qa.XQUAD),
    "xtreme_mlqa": QaLayout(splits=("validation", "test"), answer_keys=XTREME_ANSWER_KEYS,
                            release=qa.MLQA),
    "xtreme_tydiqa": QaLayout(splits=("train", "validation"), answer_keys=XTREME_ANSWER_KEYS,
                              language_from_id=True, release=qa.TYDIQA),
}


# --- demo generation ---------------------------------------------------------------------


def demo_id(layout: QaLayout, dataset: str, split: str, language: str, index: int,
            rng: random.Random) -> str:
    if not layout.language_from_id:
        return f"{dataset}-{split}-{language}-{index}"
    if language not in TYDIQA_NAMES:
        raise ValueError(f"TyDiQA has no language {language!r} "
                         f"(it has {', '.join(sorted(TYDIQA_NAMES))})")
    return f"{TYDIQA_NAMES[language]}-{rng.randrange(10**18, 10**19)}-{index}"


def word_starts(lang, words: list[str]) -> list[int]:
    """Character offset of each word in `lang.join(words)`."""
    separator = len(lang.join(["", ""]))  # one space, or none (zh, ja, th)
    starts, position = [], 0
    for word in words:
        starts.append(position)
        position += len(word) + separator
    return starts


def answerable(lang, words: list[str], several: bool, rng: random.Random):
    """(context words, question words, answers) with a number as the answer.

    Evaluation splits add a second annotator's longer answer: the number and the next word.
    """
    at = rng.randint(2, len(words) - 1)  # two words before the number, one after
    words = [*words[:at], str(rng.randrange(1000)), *words[at:]]
    question = [lang.negation, *words[at - 2:at], words[at + 1]]
    spans = [(at, at + 1), (at, at + 2)] if several else [(at, at + 1)]
    starts = word_starts(lang, words)
    answers = {"text": [lang.join(words[a:b]) for a, b in spans],
               "answer_start": [starts[a] for a, _ in spans]}
    return words, question, answers


def unanswerable(lang, words: list[str], rng: random.Random):
    """(context words, question words, empty answers): no number, words the context lacks."""
    absent = [word for word in lang.words if word not in words]
    return words, [lang.negation, *rng.sample(absent, 3)], {"text": [], "answer_start": []}


def qa_rows(layout: QaLayout, split: str, language: str, size: int, seed: int,
            dataset: str) -> list[dict]:
    """Rows of one hub split in one language, in the hub's columns."""
    from xstilts.data.demo import PseudoLanguage, is_training_split, language_rng

    rng = language_rng(seed, dataset, split, language)
    lang = PseudoLanguage(language, seed)
    rows = []
    for index in range(size):
        # distinct words, so that the question's words point at one place only
        words = rng.sample(lang.words, rng.randint(*CONTEXT_WORDS))
        if layout.unanswerable and rng.random() < UNANSWERABLE_SHARE:
            words, question, answers = unanswerable(lang, words, rng)
        else:
            words, question, answers = answerable(lang, words, not is_training_split(split), rng)
        row = {"id": demo_id(layout, dataset, split, language, index, rng)}
        if layout.has_title:
            row["title"] = lang.join(rng.sample(lang.words, 2))
        row.update(context=lang.join(words), question=lang.join(question), answers=answers)
        rows.append(row)
    return rows
