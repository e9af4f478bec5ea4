"""Seeded generator of demo datasets in the hub's own columns, splits and types.

Sentences are made of pseudo-words written in each language's script (Chinese and
Japanese without spaces, as in the real data). Labels follow simple lexical rules so a
tiny model can learn the English task:
- 3-way NLI: entailment = hypothesis copies premise words; contradiction = it also carries
  the language's negation word; neutral = it brings words the premise lacks.
- 2-way (paraphrase/duplicate): positive = same words with one adjacent swap;
  negative = half of the words replaced, one of them by the negation word.
XNLI's languages translate its English rows word for word (`Lexicon`), as the real XNLI
is a human translation of one English set; XNLI-MT's rows translate the demo MNLI's with
noise, as machine translation does (see "translations" below).
"""

from __future__ import annotations

import random
import zlib

# Letters each language's pseudo-words are drawn from.
SCRIPTS = {
    "latin": "abcdefghijklmnoprstuvwyz",
    "cyrillic": "абвгдежзиклмнопрстуфхцчшыэюя",
    "greek": "αβγδεζηθικλμνξοπρστυφχψω",
    "arabic": "ابتثجحخدذرزسشصضطظعغفقكلمنهوي",
    "devanagari": "कखगघचछजझटठडढणतथदधनपफबभमयरलवशसह",
    "hangul": "가나다라마바사아자차카타파하거너더러머버서어저처",
    "thai": "กขคงจฉชซญดตถทนบปผพฟมยรลวสหอฮ",
    "cjk": "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会"
           "自着去之过家学对可她里后小么心多天而能好都然没日于起还发成事只作当想看文",
    "kana": "あいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほ"
            "まみむめもやゆよらりるれろわをん",
}
LANGUAGE_SCRIPTS = {
    "ru": "cyrillic", "bg": "cyrillic", "kk": "cyrillic", "el": "greek", "ar": "arabic",
    "ur": "arabic", "fa": "arabic", "hi": "devanagari", "mr": "devanagari", "ko": "hangul",
    "th": "thai", "zh": "cjk", "ja": "kana",
}
NO_SPACES = {"zh", "ja", "th"}
VOCABULARY_SIZE = 120
SYLLABLES = 24


def language_rng(seed: int, *parts: str) -> random.Random:
    """A generator that depends only on the seed and the names given, not on call order."""
    return random.Random(zlib.crc32("/".join((str(seed), *parts)).encode()))


class PseudoLanguage:
    """Words and sentences of one generated language."""

    def __init__(self, code: str, seed: int):
        self.code = code
        letters = SCRIPTS[LANGUAGE_SCRIPTS.get(code, "latin")]
        rng = language_rng(seed, "vocabulary", code)
        # Words are built from a small syllable inventory, as natural words share pieces;
        # that is what a subword tokenizer learns from.
        syllables = sorted({"".join(rng.sample(letters, 2)) for _ in range(SYLLABLES)})
        if code in NO_SPACES:
            syllables = sorted(set(letters))
        words = set()
        while len(words) < VOCABULARY_SIZE:
            words.add("".join(rng.choice(syllables) for _ in range(rng.randint(1, 3))))
        self.words = sorted(words)
        self.negation = self.words.pop(0)

    def join(self, words: list[str]) -> str:
        return ("" if self.code in NO_SPACES else " ").join(words)

    def sentence_words(self, rng: random.Random) -> list[str]:
        return rng.sample(self.words, rng.randint(5, 10))


def nli_words(lang: PseudoLanguage, label: int,
              rng: random.Random) -> tuple[list[str], list[str]]:
    premise = lang.sentence_words(rng)
    hypothesis = sorted(rng.sample(premise, 3), key=premise.index)
    if label == 1:  # neutral: words the premise does not contain
        hypothesis += rng.sample([w for w in lang.words if w not in premise], 2)
    elif label == 2:  # contradiction: negated
        hypothesis.insert(rng.randrange(len(hypothesis) + 1), lang.negation)
    return premise, hypothesis


def paraphrase_words(lang: PseudoLanguage, label: int,
                     rng: random.Random) -> tuple[list[str], list[str]]:
    first = lang.sentence_words(rng)
    second = list(first)
    if label == 1:
        i = rng.randrange(len(second) - 1)
        second[i], second[i + 1] = second[i + 1], second[i]
    else:  # half of the words replaced, one of them by the negation word (a learnable cue)
        unused = [w for w in lang.words if w not in first]
        replaced = rng.sample(range(len(second)), len(second) // 2 + 1)
        for i in replaced:
            second[i] = unused.pop(rng.randrange(len(unused)))
        second[replaced[0]] = lang.negation
    return first, second


def is_training_split(split: str) -> bool:
    return split.startswith("train")


# A demo example before it is written out: (label, first sentence's words, second's).
WordPair = tuple[int, list[str], list[str]]


def word_pairs(layout, split: str, language: str, size: int, seed: int,
               dataset: str) -> list[WordPair]:
    rng = language_rng(seed, dataset, split, language)
    lang = PseudoLanguage(language, seed)
    make_pair = nli_words if len(layout.label_names) == 3 else paraphrase_words
    examples = []
    for _ in range(size):
        label = rng.randrange(len(layout.label_names))
        examples.append((label, *make_pair(lang, label, rng)))
    return examples


def pair_rows(layout, split: str, language: str, size: int, seed: int, dataset: str,
              source_layout=None) -> list[dict]:
    """Rows of one hub split in one language, in the hub's columns (`layout`: a
    PairLayout; `source_layout`: the layout of the split's translation source)."""
    if split in layout.demo_translates:
        examples = machine_translated(layout.demo_translates[split], source_layout, language,
                                      size, seed, dataset, split)
    elif layout.demo_parallel:  # the English examples, translated word for word
        lexicon = Lexicon(PseudoLanguage("en", seed), PseudoLanguage(language, seed))
        examples = [(label, lexicon.translate(a), lexicon.translate(b)) for label, a, b
                    in word_pairs(layout, split, "en", size, seed, dataset)]
    else:
        examples = word_pairs(layout, split, language, size, seed, dataset)
    lang = PseudoLanguage(language, seed)
    hidden_labels = split in layout.unlabeled_splits
    return [hub_pair_row(layout, i, -1 if hidden_labels else label, lang.join(a), lang.join(b),
                         language, dataset, split)
            for i, (label, a, b) in enumerate(examples)]


def hub_pair_row(layout, i: int, label: int, text_a: str, text_b: str,
                 language: str, dataset: str, split: str) -> dict:
    row = {layout.text_a: text_a, layout.text_b: text_b, layout.label: layout.encode_label(label)}
    if layout.id_column:
        row[layout.id_column] = i if layout.id_dtype == "int32" else f"{dataset}-{split}-{i}"
    if layout.language_column:
        row[layout.language_column] = language
    row.update({name: "" for name in layout.extra_columns})
    return row


# --- translations ------------------------------------------------------------------------------
# Concept i is word i of every language's vocabulary (the negation word apart): a human
# translation maps each word through this lexicon. A machine translation does too, but drops,
# mistranslates and reorders some words, so that chrF and BLEU against the human translation
# are well below 100 and well above 0, as for real MT.
MT_DROP, MT_REPLACE, MT_SWAP = 0.06, 0.06, 0.3  # per word, per word, per sentence


class Lexicon:
    """Word-for-word translation from one pseudo-language into another."""

    def __init__(self, source: PseudoLanguage, target: PseudoLanguage):
        self.target = target
        self.words = dict(zip(source.words, target.words, strict=True))
        self.words[source.negation] = target.negation

    def translate(self, words: list[str]) -> list[str]:
        return [self.words[word] for word in words]

    def machine_translate(self, words: list[str], rng: random.Random) -> list[str]:
        """A noisy translation: some words dropped or replaced, sometimes two swapped."""
        translated = []
        for word in self.translate(words):
            draw = rng.random()
            if draw < MT_DROP:
                continue
            translated.append(rng.choice(self.target.words) if draw < MT_DROP + MT_REPLACE
                              else word)
        translated = translated or self.translate(words)[:1]
        if len(translated) > 1 and rng.random() < MT_SWAP:
            i = rng.randrange(len(translated) - 1)
            translated[i], translated[i + 1] = translated[i + 1], translated[i]
        return translated


def machine_translated(source, source_layout, language: str, size: int, seed: int,
                       dataset: str, split: str) -> list[WordPair]:
    """The English examples of demo dataset `source` (a layouts.pairs.DemoSource, laid out as
    `source_layout`), machine-translated into `language`, labels kept. English has no machine
    translation: its training split is the source itself (XNLI-MT's English file is MNLI's),
    its others none."""
    english = word_pairs(source_layout, source.split, "en", size, seed, source.dataset)
    if language == "en":
        return english if is_training_split(split) else []
    lexicon = Lexicon(PseudoLanguage("en", seed), PseudoLanguage(language, seed))
    rng = language_rng(seed, dataset, split, language, "machine translation")
    return [(label, lexicon.machine_translate(a, rng), lexicon.machine_translate(b, rng))
            for label, a, b in english]


def generate(layout, dataset: str, languages: list[str], train_examples: int,
             eval_examples: int, seed: int) -> dict[str, dict]:
    """{hub configuration: DatasetDict} exactly as `datasets.load_dataset` returns them.

    Per-language hub configurations are keyed by language; a single configuration that
    holds every language (XNLI) is keyed by None.
    """
    from datasets import Dataset, DatasetDict

    def split_rows(split: str, language: str) -> list[dict]:
        size = train_examples if is_training_split(split) else eval_examples
        return layout.demo_rows(split, language, size, seed, dataset)

    def to_dataset(rows: list[dict]) -> Dataset:
        return Dataset.from_list(rows, features=layout.features())

    if layout.language_column:
        return {None: DatasetDict({
            split: to_dataset([row for lang in languages for row in split_rows(split, lang)])
            for split in layout.splits
        })}
    # A layout generates no rows for a split the hub lacks in a language (UD-POS: kk has no
    # dev split), and such a split is left out, as load_dataset leaves it out.
    return {
        language: DatasetDict({split: to_dataset(rows) for split in layout.splits
                               if (rows := split_rows(split, language))})
        for language in languages
    }


# --- sentence retrieval (BUCC, Tatoeba) ------------------------------------------------------
# A sentence and its translation express the same concepts (concept i is word i of each
# language's vocabulary, like a lexicon) in independent word orders. An encoder never trained
# on parallel data cannot match unrelated pseudo-words, so both sides also carry a name and a
# number written identically in every language ("Tom" is in most Tatoeba sentences): the
# shared tokens a random tiny model retrieves by, well above chance but not perfectly.
NAMES = ("Tom", "Mary", "Anna", "Ivan", "Omar", "Mei", "Kenji", "Sara", "Luis", "Nadia",
         "Peter", "Aisha", "Olga", "Pablo", "Yuki", "Hans")


def translation_pair(lang: PseudoLanguage, english: PseudoLanguage,
                     rng: random.Random) -> tuple[str, str]:
    """(sentence in `lang`, its English translation)."""
    concepts = rng.sample(range(len(english.words)), rng.randint(4, 8))
    anchors = [rng.choice(NAMES), str(rng.randint(10, 9999))]
    return (anchored_sentence(lang, concepts, anchors, rng),
            anchored_sentence(english, concepts, anchors, rng))


def anchored_sentence(lang: PseudoLanguage, concepts: list[int], anchors: list[str],
                      rng: random.Random) -> str:
    """The concepts' words in a random order with the anchors at random places.

    Anchors stand apart with spaces even in languages written without them, so that they
    are the same tokens in every language.
    """
    words = [lang.words[concept] for concept in rng.sample(concepts, len(concepts))]
    cuts = sorted(rng.choices(range(len(words) + 1), k=len(anchors)))
    segments = [words[start:end] for start, end in zip([0, *cuts], [*cuts, len(words)],
                                                       strict=True)]
    parts = [lang.join(segments[0])]
    for anchor, segment in zip(rng.sample(anchors, len(anchors)), segments[1:], strict=True):
        parts += [anchor, lang.join(segment)]
    return " ".join(part for part in parts if part)


def retrieval_rows(layout, split: str, language: str, size: int, seed: int,
                   dataset: str) -> list[dict]:
    """`size` translation pairs in the hub's columns, then, where the layout asks for them,
    size // 2 sentences without a partner on each side (BUCC's corpora are mostly those)."""
    rng = language_rng(seed, dataset, split, language)
    lang, english = PseudoLanguage(language, seed), PseudoLanguage("en", seed)
    texts = [translation_pair(lang, english, rng) for _ in range(size)]
    if layout.demo_distractors:
        texts += [(translation_pair(lang, english, rng)[0], "") for _ in range(size // 2)]
        texts += [("", translation_pair(lang, english, rng)[1]) for _ in range(size // 2)]
    return [layout.hub_row(language, number, source, target)
            for number, (source, target) in enumerate(texts)]


# --- multiple choice (HellaSwag, Cosmos QA, CommonsenseQA) ------------------------------------
# The right choice repeats context words in their order (as an entailed hypothesis does);
# every other choice is made of words the context lacks.


def choice_example(lang: PseudoLanguage, n_choices: int, answer: int,
                   rng: random.Random) -> tuple[str, list[str]]:
    """(context, choices), choice `answer` being the right one."""
    context = lang.sentence_words(rng)
    unused = [w for w in lang.words if w not in context]
    choices = [sorted(rng.sample(context, 3), key=context.index) if i == answer
               else rng.sample(unused, 3) for i in range(n_choices)]
    return lang.join(context), [lang.join(words) for words in choices]


# --- token tagging (UD-POS, PAN-X, CCG supertags) ---------------------------------------------
# Tags follow a lexicon: a word's tag, or the entity type it belongs to, is fixed by its place
# in the language's vocabulary, which a tagger learns by heart.


def lexicon_tagged(lang: PseudoLanguage, tags: tuple[str, ...],
                   rng: random.Random) -> tuple[list[str], list[str]]:
    """(words, one tag per word) of a sentence."""
    words = lang.sentence_words(rng)
    return words, [tags[lang.words.index(word) % len(tags)] for word in words]


def entity_tagged(lang: PseudoLanguage, types: list[str],
                  rng: random.Random) -> tuple[list[str], list[str]]:
    """(words, IOB2 tags) of a sentence mixing entities of 1-2 words with other words."""
    lexicons = [lang.words[kind::len(types) + 1] for kind in range(len(types) + 1)]
    words, tags = [], []
    for _ in range(rng.randint(3, 7)):
        kind = rng.randrange(len(types) + 1)  # 0: outside any entity
        span = rng.sample(lexicons[kind], 1 if kind == 0 else rng.randint(1, 2))
        words += span
        if kind == 0:
            tags.append("O")
        else:
            tags += [f"B-{types[kind - 1]}"] + [f"I-{types[kind - 1]}"] * (len(span) - 1)
    return words, tags
