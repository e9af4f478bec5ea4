"""Text-corpus layouts (multilingual masked-LM data) and their canonical form.

`wikipedia`: wikimedia/wikipedia, one hub configuration per language and dump
(`20231101.<lang>`), a single split `train` with string columns id, url, title, text, one
row per article. The same layout reads plain-text files (`source: local`,
xstilts.data.release.text: `<path>/<lang>.txt`, one document per line) and generates
demo documents of a few pseudo-language sentences each.

Canonical text record: {id: str, text: str}, split `train` only. Documents whose text is
empty or blank are dropped; `rows_per_language` (xstilts.store.prepared) keeps the first N
documents that remain, without reading a whole dump from the hub.
"""

from __future__ import annotations

from dataclasses import dataclass

from xstilts.data.release import ReadsReleaseFiles
from xstilts.data.release.text import TEXT_LINES

HUB_COLUMNS = ("id", "url", "title", "text")
DEMO_SENTENCES = (2, 5)  # sentences per generated document, fewest and most


@dataclass(frozen=True)
class TextLayout(ReadsReleaseFiles):
    """A text corpus as the hub lays it out: one row per document."""

    splits: tuple[str, ...] = ("train",)
    format: str = "text"
    label_names: tuple[str, ...] = ()
    language_column: str | None = None
    unlabeled_splits: tuple[str, ...] = ()

    def features(self):
        from datasets import Features, Value

        return Features({name: Value("string") for name in HUB_COLUMNS})

    def hub_row(self, number: str, language: str, text: str, title: str = "") -> dict:
        url = f"https://{language}.wikipedia.org/wiki?curid={number}" if title else ""
        return {"id": number, "url": url, "title": title, "text": text}

    @staticmethod
    def keeps_row(row: dict) -> bool:
        """Whether the canonical conversion keeps this hub row (what rows_per_language counts)."""
        return bool((row.get("text") or "").strip())

    def demo_rows(self, split: str, language: str, size: int, seed: int, dataset: str):
        """`size` documents of a few pseudo-language sentences (see xstilts.data.demo)."""
        from xstilts.data.demo import PseudoLanguage, language_rng

        rng = language_rng(seed, dataset, split, language)
        lang = PseudoLanguage(language, seed)
        rows = []
        for number in range(1, size + 1):  # numbered as the lines of a release file
            sentences = [lang.join(lang.sentence_words(rng)) + "."
                         for _ in range(rng.randint(*DEMO_SENTENCES))]
            rows.append(self.hub_row(str(number), language, lang.join(sentences),
                                     title=rng.choice(lang.words)))
        return rows

    def to_canonical(self, rows: dict[str, list], split: str, language: str) -> dict[str, list]:
        """Columnar hub rows of one split and language -> canonical columns."""
        texts = rows.get("text", [])
        kept = [i for i, text in enumerate(texts) if (text or "").strip()]
        if not kept:
            raise ValueError(f"no documents: all {len(texts)} texts are empty")
        return {"id": [str(rows["id"][i]) for i in kept],
                "text": [texts[i].strip() for i in kept]}


TEXT_LAYOUTS: dict[str, TextLayout] = {
    "wikipedia": TextLayout(release=TEXT_LINES),
}
