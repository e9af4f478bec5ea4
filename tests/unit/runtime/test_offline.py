"""The offline switch every compute job sets before touching the hub libraries."""

import os

from xstilts.runtime.offline import OFFLINE, go_offline


def test_go_offline_sets_every_switch(monkeypatch):
    for name in OFFLINE:
        monkeypatch.delenv(name, raising=False)
    go_offline()
    assert {name: os.environ[name] for name in OFFLINE} == {
        "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
