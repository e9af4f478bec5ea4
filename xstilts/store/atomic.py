"""Every output is written under a temporary name and renamed when complete, so a file or
directory that exists under its own name is whole; a failed write leaves no half.

The temporary name ends in `xstilts.spec.paths.PARTIAL`, which `xstilts.audit.status` reports
as in progress.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from xstilts.spec.paths import partial_path


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


@contextmanager
def atomic_output(path: Path) -> Iterator[Path]:
    """Yield the temporary path to write `path` at (a file or a directory); when the block
    ends it replaces `path`, when it raises it is removed."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = partial_path(path)
    _remove(partial)
    try:
        yield partial
    except BaseException:
        _remove(partial)
        raise
    if partial.is_dir():
        shutil.rmtree(path, ignore_errors=True)
        partial.rename(path)
    else:
        partial.replace(path)


def write_text(path: Path, text: str) -> None:
    with atomic_output(path) as partial:
        partial.write_text(text)
