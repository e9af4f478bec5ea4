"""One GPU per job when Snakemake runs several jobs on one machine.

`snakemake --resources gpu=N` caps how many GPU jobs run at once but does not say which
device each gets. A job therefore claims free devices itself: it holds an exclusive lock
on one file per device for as long as it runs (the kernel drops the lock when the process
ends, killed or not) and exposes only the claimed devices through CUDA_VISIBLE_DEVICES,
set before torch is imported. Where a scheduler already chose the devices (SLURM sets
CUDA_VISIBLE_DEVICES), that choice stands.
"""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path

LOCK_DIR = Path(".snakemake/gpu-locks")
_held: list = []  # open lock files: a claim lasts as long as the process


def physical_gpus() -> list[int]:
    """Indices of the NVIDIA GPUs of this machine, found without initialising CUDA."""
    gpus = Path("/proc/driver/nvidia/gpus")
    return list(range(len(list(gpus.iterdir())))) if gpus.is_dir() else []


def claim(count: int, available: list[int] | None = None, lock_dir: Path = LOCK_DIR,
          timeout_s: float = 600.0) -> str:
    """Claim `count` free GPUs, export them as CUDA_VISIBLE_DEVICES and return its value.

    count 0 hides every GPU (a CPU job never touches one). Waits up to timeout_s for
    devices that other jobs hold, then fails naming them.
    """
    if "CUDA_VISIBLE_DEVICES" in os.environ and count > 0:
        return os.environ["CUDA_VISIBLE_DEVICES"]
    available = physical_gpus() if available is None else available
    if count == 0 or not available:  # no GPU here: the job runs on the CPU
        os.environ["CUDA_VISIBLE_DEVICES"] = ""
        return ""
    if count > len(available):
        raise RuntimeError(f"the job asks for {count} GPUs; this machine has {len(available)}")
    Path(lock_dir).mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + timeout_s
    while True:
        claimed = _try_claim(count, available, Path(lock_dir))
        if claimed is not None:
            os.environ["CUDA_VISIBLE_DEVICES"] = ",".join(map(str, claimed))
            return os.environ["CUDA_VISIBLE_DEVICES"]
        if time.monotonic() >= deadline:
            raise RuntimeError(
                f"no {count} free GPUs among {available} after {timeout_s:.0f} s: other jobs "
                f"hold the locks in {lock_dir}; run with --resources gpu=<number of GPUs>")
        time.sleep(1.0)


def _try_claim(count: int, available: list[int], lock_dir: Path) -> list[int] | None:
    claimed, handles = [], []
    for index in available:
        handle = _open_lock(lock_dir / f"gpu{index}.lock")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            continue
        claimed.append(index)
        handles.append(handle)
        if len(claimed) == count:
            _held.extend(handles)
            return claimed
    for handle in handles:  # too few free: give back what was taken
        handle.close()
    return None


def _open_lock(path: Path):
    """The lock file, created if missing, never truncated, and never through a symbolic
    link (one planted there would otherwise make the job open, and "w" truncate, its
    target)."""
    try:
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    except OSError as error:
        raise RuntimeError(f"cannot open the GPU lock {path} ({error.strerror}): it must be a "
                           "regular file, not a symbolic link") from None
    return os.fdopen(descriptor, "r+")


def release_all() -> None:
    """Give back every claimed GPU (for tests; a job's claims end with its process)."""
    while _held:
        _held.pop().close()


def device_name(torch, device: str) -> str:
    return torch.cuda.get_device_name() if device == "cuda" else "cpu"
