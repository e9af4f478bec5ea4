"""Hub revisions resolved to commits and locked, so that a grid is never built from two
commits of one repository.

A hub source may name a branch (`revision: main`). When it is first downloaded, the branch
is resolved to its commit on the hub (`huggingface_hub.HfApi.dataset_info`/`model_info`)
and the pair is written to the lock file (paths.REVISIONS_LOCK, to be committed with the
configuration); every later download of that repository at that branch uses the locked
commit, and the manifest or record holds both (`revision`: requested, `resolved`: the
commit). `python scripts/pin_revisions.py` writes the locked commits into the
configuration itself.

    datasets:
      google/xtreme:
        main: 1c4bb2d07f0aa3f2ef3b51d2b1f7e8dca7bb7a5e
    models:
      FacebookAI/xlm-roberta-large:
        main: c23d21b0620b635a76227c604d44e43a9f0ee389
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import re
from pathlib import Path

import yaml

from xstilts.spec import paths
from xstilts.store import atomic

COMMIT = re.compile(r"[0-9a-f]{40}")
KINDS = {"dataset": "datasets", "model": "models"}  # a source's kind: its lock section
log = logging.getLogger(__name__)


def read_lock(path: Path | str = paths.REVISIONS_LOCK) -> dict:
    """{section: {repository: {requested revision: commit}}}; empty without a lock file."""
    path = Path(path)
    if not path.exists():
        return {}
    lock = yaml.safe_load(path.read_text()) or {}
    for section, repositories in lock.items():
        for repository, revisions in (repositories or {}).items():
            for requested, commit in (revisions or {}).items():
                if not COMMIT.fullmatch(str(commit)):
                    raise ValueError(f"{path}: {section}.{repository}.{requested} is "
                                     f"{commit!r}, not a 40-character commit hash")
    return lock


def resolve(kind: str, repository: str, revision: str) -> str:
    """The commit that `revision` (a branch or tag) of a hub repository points to now."""
    from huggingface_hub import HfApi

    api = HfApi()
    info = (api.dataset_info if kind == "dataset" else api.model_info)(
        repository, revision=revision)
    if not COMMIT.fullmatch(str(info.sha)):
        raise ValueError(f"{kind} {repository}@{revision}: the hub gave {info.sha!r}, "
                         "not a commit hash")
    return info.sha


def locked_revision(kind: str, repository: str, revision: str | None,
                    lock_path: Path | str = paths.REVISIONS_LOCK) -> str | None:
    """The commit to download `revision` of `repository` at: itself if it is a commit,
    else the lock file's, else resolved now and added to the lock file. Offline (the
    hub's offline switch, a local cache) a branch the lock lacks cannot be resolved: None,
    and the download reads the branch from the cache."""
    from huggingface_hub import constants

    if revision is None or COMMIT.fullmatch(revision):
        return revision
    section = KINDS[kind]
    with locked(Path(lock_path)):
        lock = read_lock(lock_path)
        known = lock.get(section, {}).get(repository, {}).get(revision)
        if known:
            return known
        if constants.HF_HUB_OFFLINE:
            log.warning("%s %s@%s: offline, not resolved to a commit", kind, repository,
                        revision)
            return None
        commit = resolve(kind, repository, revision)
        lock.setdefault(section, {}).setdefault(repository, {})[revision] = commit
        atomic.write_text(lock_path, "# hub branches resolved on first download "
                          "(xstilts.store.revisions); commit this file\n"
                          + yaml.safe_dump(lock, sort_keys=True))
        return commit


@contextlib.contextmanager
def locked(lock_path: Path):
    """Exclusive use of the lock file while it is read and written (local jobs run side
    by side)."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path.with_name(lock_path.name + ".flock"), "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def pinned_config(text: str, lock: dict) -> tuple[str, list[str]]:
    """The configuration's text with every hub revision the lock knows replaced by its
    commit (comments and layout kept), and what was pinned."""
    lines, pinned, keys = [], [], {}  # keys: indentation -> the key opened there
    for line in text.splitlines(keepends=True):
        match = re.match(r"^(\s*)([\w.-]+):(\s*)(\S*)(.*)$", line.rstrip("\n"))
        if not match or line.lstrip().startswith("#"):
            lines.append(line)
            continue
        indent = len(match.group(1))
        keys = {level: key for level, key in keys.items() if level < indent}
        keys[indent] = match.group(2)
        place = [keys[level] for level in sorted(keys)]
        commit = None
        if match.group(2) == "revision" and not COMMIT.fullmatch(match.group(4)):
            commit = commit_for(place, match.group(4), text, lock)
        if commit:
            pinned.append(f"{'.'.join(place[:-1])}: {match.group(4)} -> {commit}")
            line = (f'{match.group(1)}revision:{match.group(3)}"{commit}"'  # never a number
                    f"  # {match.group(4)}, pinned from {paths.REVISIONS_LOCK}\n")
        lines.append(line)
    return "".join(lines), pinned


def commit_for(place: list[str], requested: str, text: str, lock: dict) -> str | None:
    """The locked commit of the source at `place` (model.revision, datasets.<name>.revision)."""
    config = yaml.safe_load(text)
    if place[:1] == ["model"] and len(place) == 2:
        return lock.get("models", {}).get(config["model"].get("path"), {}).get(requested)
    if place[:1] == ["datasets"] and len(place) == 3:
        entry = config["datasets"][place[1]]
        return lock.get("datasets", {}).get(entry.get("path"), {}).get(requested)
    return None
