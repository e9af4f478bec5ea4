"""The hub libraries' offline switches. Compute jobs (and the warm-start server that forks
them) read only what the download rules fetched, never the network."""

from __future__ import annotations

import os

OFFLINE = {"HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}


def go_offline() -> None:
    os.environ.update(OFFLINE)
