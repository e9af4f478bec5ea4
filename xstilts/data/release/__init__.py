"""Parsers of the datasets' original release files (`source: local` in the config).

For air-gapped machines: each parser reads a dataset's files as its authors (or XTREME)
release them and returns exactly what the hub path returns, {hub configuration:
DatasetDict} in the hub layout's own columns, so that the conversion to the canonical
format (xstilts.store.prepared) is shared. docs/local-data.md lists the files per dataset.

A layout names its release with `release=<release>`; a release has
`read(layout, root, languages)`. One module per family: pairs (GLUE MNLI/QQP, SNLI, ANLI,
XNLI, PAWS-X), qa (SQuAD-format JSON), choice (HellaSwag, CosmosQA, CommonsenseQA), tagging
(UD CoNLL-U, PAN-X) and retrieval (BUCC 2018, Tatoeba); files holds what they share.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from xstilts.data.release.files import ReleaseFormatError

DOCS = "docs/local-data.md"


@dataclass(frozen=True, kw_only=True)
class ReadsReleaseFiles:
    """Base of the hub layouts that can also be read from a release's files."""

    release: object | None = field(default=None, repr=False, compare=False)

    def read_local(self, root: Path, languages: list[str]) -> dict:
        """{hub configuration: DatasetDict} parsed from the release files under `root`."""
        if self.release is None:
            raise NotImplementedError(f"{type(self).__name__}: no reader of release files")
        return self.release.read(self, Path(root), list(languages))


def read_local(dataset: str, layout, root: Path, languages: list[str]) -> dict:
    """The layout's release files under `root` as the hub's rows; errors name the dataset."""
    context = f"dataset {dataset!r} (source: local, path: {root})"
    try:
        return layout.read_local(Path(root), languages)
    except FileNotFoundError as error:
        raise FileNotFoundError(f"{context}: {error}; {DOCS} lists the files each dataset "
                                f"needs") from None
    except ValueError as error:
        raise ReleaseFormatError(f"{context}: {error}") from None
