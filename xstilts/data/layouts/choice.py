"""Multiple-choice layouts (HellaSwag, Cosmos QA, CommonsenseQA) and their canonical form.

Canonical multiple-choice record: {id: str, context: str, question: str, choices: [str],
label: int}, the label indexing `choices` (-1 = no gold label; such rows are dropped when
the dataset is prepared). The model reads every choice after "context question", the prompt
of the paper's toolkit (jiant), so each layout puts into `context`, `question` and
`choices` what jiant put into prompt and choices. The manifest's label names are the
choice names the hub uses ("0".."3", "A".."E"), which predictions are written in.
"""

from __future__ import annotations

from dataclasses import dataclass

from xstilts.data.release import ReadsReleaseFiles, choice

SPLITS = ("train", "validation", "test")
DIGITS = ("0", "1", "2", "3")


def label_index(value, names: tuple[str, ...]) -> int:
    """Canonical label of a hub label value (name or index); -1 for a missing gold label."""
    if value in ("", None, -1):
        return -1
    if str(value) not in names:
        raise ValueError(f"label {value!r} is not one of {list(names)}")
    return names.index(str(value))


@dataclass(frozen=True)
class ChoiceLayout(ReadsReleaseFiles):
    """What every multiple-choice layout shares: splits, labels, demo data generation.

    Subclasses declare the hub's `features()`, write a demo example in the hub's columns
    (`hub_row`) and read hub rows back (`to_canonical`).
    """

    label_names: tuple[str, ...]
    splits: tuple[str, ...] = SPLITS
    unlabeled_splits: tuple[str, ...] = ("test",)  # the hub hides these gold labels
    language_column: str | None = None
    format: str = "multiple_choice"

    def demo_rows(self, split: str, language: str, size: int, seed: int, dataset: str):
        """Generated rows of one split in the hub's columns (see xstilts.data.demo)."""
        from xstilts.data.demo import PseudoLanguage, choice_example, language_rng

        rng = language_rng(seed, dataset, split, language)
        lang = PseudoLanguage(language, seed)
        hidden = split in self.unlabeled_splits
        rows = []
        for number in range(size):
            answer = rng.randrange(len(self.label_names))
            context, choices = choice_example(lang, len(self.label_names), answer, rng)
            extra = lang.join(rng.sample(lang.words, 2))  # words that carry no cue
            rows.append(self.hub_row(number, split, context, choices,
                                     -1 if hidden else answer, extra))
        return rows


class HellaSwagLayout(ChoiceLayout):
    """Rowan/hellaswag: the context is ctx_a; each choice is ctx_b (the start of the
    sentence to complete) followed by one ending, as jiant paired them."""

    def features(self):
        from datasets import Features, List, Value

        text = Value("string")
        return Features({
            "ind": Value("int32"), "activity_label": text, "ctx_a": text, "ctx_b": text,
            "ctx": text, "endings": List(text), "source_id": text, "split": text,
            "split_type": text, "label": text,
        })

    def hub_row(self, number, split, context, choices, answer, extra) -> dict:
        return {"ind": number, "activity_label": extra, "ctx_a": context, "ctx_b": extra,
                "ctx": f"{context} {extra}", "endings": choices,
                "source_id": f"demo~{number}", "split": {"validation": "val"}.get(split, split),
                "split_type": "indomain", "label": "" if answer < 0 else self.label_names[answer]}

    def to_canonical(self, rows: dict[str, list], split: str, language: str) -> dict[str, list]:
        return {
            "id": [str(value) for value in rows["ind"]],
            "context": list(rows["ctx_a"]),
            "question": [""] * len(rows["ind"]),
            "choices": [[" ".join(part for part in (start, ending) if part) for ending in endings]
                        for start, endings in zip(rows["ctx_b"], rows["endings"], strict=True)],
            "label": [label_index(value, self.label_names) for value in rows["label"]],
        }


class CosmosQALayout(ChoiceLayout):
    """allenai/cosmos_qa: a paragraph, a question about it and four answers."""

    def features(self):
        from datasets import Features, Value

        text = Value("string")
        answers = {f"answer{i}": text for i in range(len(self.label_names))}
        return Features({"id": text, "context": text, "question": text, **answers,
                         "label": Value("int32")})

    def hub_row(self, number, split, context, choices, answer, extra) -> dict:
        return {"id": f"{split}-{number}", "context": context, "question": extra,
                **{f"answer{i}": choice for i, choice in enumerate(choices)}, "label": answer}

    def to_canonical(self, rows: dict[str, list], split: str, language: str) -> dict[str, list]:
        answers = [rows[f"answer{i}"] for i in range(len(self.label_names))]
        return {
            "id": list(rows["id"]),
            "context": list(rows["context"]),
            "question": list(rows["question"]),
            "choices": [list(choices) for choices in zip(*answers, strict=True)],
            "label": [label_index(value, self.label_names) for value in rows["label"]],
        }


class CommonsenseQALayout(ChoiceLayout):
    """tau/commonsense_qa: a question alone (no context) and five named choices."""

    def features(self):
        from datasets import Features, List, Value

        text = Value("string")
        return Features({"id": text, "question": text, "question_concept": text,
                         "choices": {"label": List(text), "text": List(text)},
                         "answerKey": text})

    def hub_row(self, number, split, context, choices, answer, extra) -> dict:
        # The question carries the cue here, as there is no context.
        return {"id": f"{split}-{number}", "question": context, "question_concept": extra,
                "choices": {"label": list(self.label_names), "text": choices},
                "answerKey": "" if answer < 0 else self.label_names[answer]}

    def to_canonical(self, rows: dict[str, list], split: str, language: str) -> dict[str, list]:
        for choices in rows["choices"]:
            if list(choices["label"]) != list(self.label_names):
                raise ValueError(f"choices are named {choices['label']}, expected "
                                 f"{list(self.label_names)}")
        return {
            "id": list(rows["id"]),
            "context": [""] * len(rows["id"]),
            "question": list(rows["question"]),
            "choices": [list(choices["text"]) for choices in rows["choices"]],
            "label": [label_index(value, self.label_names) for value in rows["answerKey"]],
        }


CHOICE_LAYOUTS = {
    "hellaswag": HellaSwagLayout(label_names=DIGITS, release=choice.HELLASWAG),
    "cosmos_qa": CosmosQALayout(label_names=DIGITS, release=choice.COSMOSQA),
    "commonsense_qa": CommonsenseQALayout(label_names=("A", "B", "C", "D", "E"),
                                          release=choice.COMMONSENSEQA),
}
