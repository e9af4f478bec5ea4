"""Each job on a multi-GPU machine gets its own devices (xstilts.runtime.devices)."""

import os

import pytest

from xstilts.runtime import devices


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    yield
    devices.release_all()


def claim_in_child(lock_dir, count, available):
    """What another job's claim returns, from a separate process (it ends afterwards)."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.environ.pop("CUDA_VISIBLE_DEVICES", None)  # a new job's environment
        try:
            value = devices.claim(count, available, lock_dir, timeout_s=0)
        except RuntimeError as error:
            value = f"error: {error}"
        os.write(write, value.encode())
        os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    with os.fdopen(read) as pipe:
        return pipe.read()


def test_concurrent_jobs_get_different_devices(tmp_path):
    assert devices.claim(1, [0, 1, 2], tmp_path) == "0"
    assert os.environ["CUDA_VISIBLE_DEVICES"] == "0"
    # another job while this one holds device 0
    assert claim_in_child(tmp_path, 1, [0, 1, 2]) == "1"
    # the child has ended, so device 1 is free again; two devices for one job
    assert claim_in_child(tmp_path, 2, [0, 1, 2]) == "1,2"


def test_no_free_device_is_a_clear_error(tmp_path):
    devices.claim(2, [0, 1], tmp_path)
    message = claim_in_child(tmp_path, 1, [0, 1])
    assert message.startswith("error: no 1 free GPUs among [0, 1]")
    assert str(tmp_path) in message


def test_a_partial_claim_is_given_back(tmp_path):
    devices.claim(1, [0, 1, 2], tmp_path)
    assert claim_in_child(tmp_path, 3, [0, 1, 2]).startswith("error:")
    # the failed claim of 3 must not keep devices 1 and 2 locked
    assert claim_in_child(tmp_path, 2, [0, 1, 2]) == "1,2"


def test_scheduler_choice_and_cpu_jobs(tmp_path, monkeypatch):
    assert devices.claim(0, [0, 1], tmp_path) == ""  # a CPU job sees no GPU
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "3")  # e.g. set by SLURM
    assert devices.claim(1, [0, 1], tmp_path) == "3"
    assert not list(tmp_path.iterdir())  # no lock taken


def test_more_devices_than_the_machine_has(tmp_path):
    with pytest.raises(RuntimeError, match="asks for 3 GPUs; this machine has 2"):
        devices.claim(3, [0, 1], tmp_path)
    assert devices.claim(1, [], tmp_path) == ""  # no GPU at all: CPU


def test_a_lock_is_never_opened_through_a_link_nor_truncated(tmp_path):
    target = tmp_path / "precious.txt"
    target.write_text("keep me")
    locks = tmp_path / "locks"
    locks.mkdir()
    (locks / "gpu0.lock").symlink_to(target)
    with pytest.raises(RuntimeError, match=r"gpu0.lock .*not a symbolic link"):
        devices.claim(1, [0], locks, timeout_s=0)
    assert target.read_text() == "keep me"
    (locks / "gpu1.lock").write_text("left by an earlier job")
    assert devices.claim(1, [1], locks) == "1"
    assert (locks / "gpu1.lock").read_text() == "left by an earlier job"
