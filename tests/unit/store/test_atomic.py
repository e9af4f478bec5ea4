"""xstilts.store.atomic: an output exists under its name only when complete."""

import pytest

from xstilts.store.atomic import atomic_output, partial_path, write_text


def test_a_failed_write_keeps_the_old_file_and_leaves_no_partial(tmp_path):
    path = tmp_path / "table.csv"
    path.write_text("old\n")
    with pytest.raises(RuntimeError), atomic_output(path) as partial:
        partial.write_text("half")
        raise RuntimeError("killed")
    assert path.read_text() == "old\n"
    assert not partial_path(path).exists()


def test_a_directory_replaces_the_old_one_when_complete(tmp_path):
    out = tmp_path / "models" / "base"
    out.mkdir(parents=True)
    (out / "stale.bin").write_text("stale")
    with atomic_output(out) as partial:
        partial.mkdir()
        (partial / "model.safetensors").write_text("new")
        assert not (out / "model.safetensors").exists()  # not visible before the end
    assert sorted(p.name for p in out.iterdir()) == ["model.safetensors"]
    assert not partial_path(out).exists()


def test_write_text_creates_parents_and_clears_a_leftover_partial(tmp_path):
    path = tmp_path / "results" / "table2.csv"
    path.parent.mkdir()
    partial_path(path).mkdir()  # left by a killed job
    write_text(path, "a,b\n")
    assert path.read_text() == "a,b\n"
    assert sorted(p.name for p in path.parent.iterdir()) == ["table2.csv"]
