"""Token tagging (UD-POS, PAN-X, CCG supertags) with the label on each word's first sub-token.

Canonical rows: id, tokens (the words), tags (one tag name per word); the manifest's label
names are the tag set, in the head's order. Predictions and gold are {id: [one tag per
word]}.

Words are tokenised one by one (`is_split_into_words`). As in XTREME's tagging code, the
first sub-token of a word carries its label and predicts its tag; later sub-tokens and
special tokens get -100, which the loss ignores; and a word that yields no sub-token at
all (one that is only whitespace) is read as <unk>.

Nothing is truncated away: a sentence whose sub-tokens exceed `max_length` is cut into
consecutive windows of whole words, each encoded and predicted on its own, so every word is
trained on and gets a prediction (the metrics need exactly one tag per gold word). Only a
single word longer than a whole window loses its trailing sub-tokens, which carry no label.
"""

from __future__ import annotations

from collections import Counter

from xstilts.formats.interface import Kind
from xstilts.metrics import check_predicted
from xstilts.spec import TaskSpec

# The CCG supertagging literature reports per-word accuracy; Table 2's tagging targets have
# their own official metric, passed as `metric` (see selection_score).
KIND = Kind.TRAINED
TOKEN_ACCURACY = "token_accuracy"
# What training.py passes on: the label names to featurize (tags are stored as names), the
# task's metric, where it has one, to selection_score.
FEATURIZE_OPTIONS = ("label_names",)
SELECTION_OPTIONS = ("metric",)


def build_model(init_dir, label_names: list[str]):
    """A fresh token-classification head on the encoder of `init_dir` (see models.transfer)."""
    from transformers import AutoModelForTokenClassification

    from xstilts.models.transfer import with_fresh_head

    return with_fresh_head(AutoModelForTokenClassification, init_dir, label_names)


def word_windows(sizes: list[int], budget: int) -> list[range]:
    """Consecutive ranges of words whose sub-token counts (`sizes`) fit in `budget`.

    A word longer than the budget gets a window of its own.
    """
    windows, start, used = [], 0, 0
    for end, size in enumerate(sizes):
        if used + size > budget and end > start:
            windows.append(range(start, end))
            start, used = end, 0
        used += size
    if start < len(sizes):
        windows.append(range(start, len(sizes)))
    return windows


def first_subtokens(word_ids: list[int | None], n_words: int) -> list[int]:
    """Position of the first sub-token of each of the window's words."""
    first: dict[int, int] = {}
    for position, word in enumerate(word_ids):
        if word is not None:
            first.setdefault(word, position)
    missing = [word for word in range(n_words) if word not in first]
    if missing:
        raise ValueError(f"words {missing} have no sub-token within the window")
    return [first[word] for word in range(n_words)]


def encode_windows(tokenizer, sentences: list[list[str]], max_length: int) -> list[dict]:
    """Windows over every sentence, in order.

    Each window: sentence (index), words (range of word indices), input_ids,
    attention_mask, first_tokens (position of each word's first sub-token).
    """
    if not sentences:
        return []
    budget = max_length - tokenizer.num_special_tokens_to_add()
    pieces = tokenizer(sentences, is_split_into_words=True, add_special_tokens=False)
    windows, texts = [], []
    for s, words in enumerate(sentences):
        counts = Counter(pieces.word_ids(s))
        readable = [word if counts[w] else tokenizer.unk_token for w, word in enumerate(words)]
        for span in word_windows([max(counts[w], 1) for w in range(len(words))], budget):
            windows.append({"sentence": s, "words": span})
            texts.append(readable[span.start:span.stop])
    if not texts:  # every sentence empty
        return []
    encoded = tokenizer(texts, is_split_into_words=True, truncation=True, max_length=max_length)
    for w, window in enumerate(windows):
        window["input_ids"] = encoded["input_ids"][w]
        window["attention_mask"] = encoded["attention_mask"][w]
        window["first_tokens"] = first_subtokens(encoded.word_ids(w), len(window["words"]))
    return windows


def window_labels(window: dict, tags: list[str], index: dict[str, int]) -> list[int]:
    """Tag index at each word's first sub-token, -100 everywhere else."""
    labels = [-100] * len(window["input_ids"])
    for word, position in zip(window["words"], window["first_tokens"], strict=True):
        if tags[word] not in index:
            raise ValueError(f"tag {tags[word]!r} is not in the label set")
        labels[position] = index[tags[word]]
    return labels


def featurize(table, tokenizer, max_length: int, label_names: list[str] | None = None):
    """Canonical rows (pyarrow Table) -> a tokenised `datasets.Dataset`, one row per window.

    Labels are included when `label_names` (the head's order) is given.
    """
    from datasets import Dataset

    windows = encode_windows(tokenizer, table.column("tokens").to_pylist(), max_length)
    columns = {name: [window[name] for window in windows]
               for name in ("input_ids", "attention_mask")}
    if label_names is not None:
        index = {name: i for i, name in enumerate(label_names)}
        tags = table.column("tags").to_pylist()
        columns["labels"] = [window_labels(window, tags[window["sentence"]], index)
                             for window in windows]
    return Dataset.from_dict(columns)


def collator(tokenizer):
    """Pads inputs, and labels with -100."""
    from transformers import DataCollatorForTokenClassification

    return DataCollatorForTokenClassification(tokenizer, pad_to_multiple_of=8)


def predict(model, tokenizer, table, spec: TaskSpec, label_names: list[str]) -> dict[str, list]:
    """{sentence id: predicted tag of every word}."""
    from xstilts.formats.inference import sorted_batches

    sentences = table.column("tokens").to_pylist()
    windows = encode_windows(tokenizer, sentences, spec.max_length)
    features = [{"input_ids": window["input_ids"], "attention_mask": window["attention_mask"]}
                for window in windows]
    tags: list[list] = [[None] * len(words) for words in sentences]
    for indices, outputs in sorted_batches(model, features, collator(tokenizer),
                                           spec.hparams.eval_batch_size, spec.precision):
        best = outputs.logits.argmax(-1).tolist()
        for row, i in enumerate(indices):
            window = windows[i]
            for word, position in zip(window["words"], window["first_tokens"], strict=True):
                tags[window["sentence"]][word] = label_names[best[row][position]]
    return dict(zip(table.column("id").to_pylist(), tags, strict=True))


def gold(table, label_names: list[str]) -> dict[str, list]:
    """{sentence id: gold tag of every word} (no torch)."""
    return dict(zip(table.column("id").to_pylist(), table.column("tags").to_pylist(),
                    strict=True))


def token_accuracy(predictions: dict, gold_tags: dict) -> float:
    """Percent of gold words whose predicted tag is right."""
    check_predicted(predictions, gold_tags, "sentences")
    pairs = [(p, g) for key, tags in gold_tags.items()
             for p, g in zip(predictions[key], tags, strict=True)]
    if not pairs:
        raise ValueError("no gold words to score")
    return 100.0 * sum(p == g for p, g in pairs) / len(pairs)


def selection_score(predictions: dict, gold_tags: dict, metric: str = TOKEN_ACCURACY) -> float:
    """The task's metric on the English selection subset; higher is better.

    A target task passes its official metric (pos_f1, entity_f1: checkpoints are compared on
    what Table 2 reports, which for UD-POS is not token accuracy); CCG, an intermediate
    task, is scored by token accuracy.
    """
    if metric == TOKEN_ACCURACY:
        return token_accuracy(predictions, gold_tags)
    from xstilts.metrics.averages import language_score
    from xstilts.metrics.registry import METRICS

    return language_score(metric, METRICS[metric].score(predictions, gold_tags, "en"))
