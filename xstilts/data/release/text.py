"""Plain-text corpora: `<root>/<lang>.txt`, one document per line, blank lines skipped.

The form most text dumps can be brought into (a Wikipedia extract with one article per
line, CC-100 with its paragraphs joined). Each document becomes a hub row of the text
layout (xstilts.data.layouts.text) whose id is its line number, so that an id points back
into the file.
"""

from __future__ import annotations

from pathlib import Path

from xstilts.data.release.files import configurations, read_lines

FILES = {"train": "{lang}.txt"}


class TextLinesRelease:
    def read(self, layout, root: Path, languages: list[str]) -> dict:
        return configurations(layout, root, FILES, languages,
                              lambda path, language: self.rows(layout, path, language))

    @staticmethod
    def rows(layout, path: Path, language: str) -> list[dict]:
        return [layout.hub_row(str(number), language, line.strip())
                for number, line in read_lines(path) if line.strip()]


TEXT_LINES = TextLinesRelease()
