"""Time and memory of BUCC-style mining on random embeddings.

For each size N, draws N random unit vectors per side and times the three stages of
`xstilts.formats.retrieval.mining.mine_pairs`: the blocked k-NN in both directions, the margin
scoring and the greedy one-to-one "max" retrieval. Peak memory is measured above the level reached
once the embeddings exist: torch.cuda.max_memory_allocated on CUDA; on CPU the process RSS
(tracemalloc does not see torch's allocations), sampled every few milliseconds.

    python benchmarks/retrieval.py                     # N = 10k and 100k, dim 1024
    python benchmarks/retrieval.py --sizes 2000 --dim 64
    python benchmarks/retrieval.py --sizes 10000,100000,400000 --dim 32   # BUCC-scale, CPU
    python benchmarks/retrieval.py --sizes 1000000 --device cuda

--threads sets torch's CPU threads (default: torch's own choice). On a machine shared with
other jobs one thread can be much faster: every parallel op waits for its slowest thread.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import threading
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a source checkout

from xstilts.formats.retrieval.knn import DEFAULT_BATCH_SIZE, knn_both_ways  # noqa: E402
from xstilts.formats.retrieval.mining import margins_from_neighbours, max_retrieval  # noqa: E402

MIB = 2**20


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        default="10000,100000",
        help="comma-separated sentence counts per side (default 10000,100000)",
    )
    parser.add_argument("--dim", type=int, default=1024, help="embedding size (default 1024)")
    parser.add_argument("--k", type=int, default=4, help="margin neighbourhood (default 4)")
    parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE)
    parser.add_argument("--device", default=None, help="cpu or cuda (default: cuda if present)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads")
    return parser.parse_args(argv)


class PeakRss:
    """Resident set size growth, sampled in the background while in the `with` block."""

    def __init__(self, interval_s: float = 0.005):
        self.interval_s = interval_s
        self.baseline_bytes = 0
        self.peak_bytes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> PeakRss:
        self.baseline_bytes = self.peak_bytes = current_rss_bytes()
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        self._thread.join()
        self.peak_bytes = max(self.peak_bytes, current_rss_bytes())

    @property
    def growth_bytes(self) -> int:
        return self.peak_bytes - self.baseline_bytes

    def _sample(self) -> None:
        while not self._stop.wait(self.interval_s):
            self.peak_bytes = max(self.peak_bytes, current_rss_bytes())


def current_rss_bytes() -> int:
    with open("/proc/self/statm") as statm:  # Linux; fields are in pages
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def max_rss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # kB on Linux


def random_unit_vectors(n: int, dim: int, generator: torch.Generator) -> torch.Tensor:
    return torch.nn.functional.normalize(torch.randn(n, dim, generator=generator), dim=1)


def print_progress(label: str):
    state = {"next_report": 0.0, "start": time.perf_counter()}

    def report(done: int, total: int) -> None:
        elapsed = time.perf_counter() - state["start"]
        if done == total or elapsed >= state["next_report"]:
            eta = elapsed / done * (total - done)
            print(f"  {label}: block {done}/{total}, {elapsed:.0f}s, ~{eta:.0f}s left", flush=True)
            state["next_report"] = elapsed + 10

    return report


def run_size(n: int, args: argparse.Namespace, device: torch.device) -> dict[str, float]:
    generator = torch.Generator().manual_seed(args.seed)
    src = random_unit_vectors(n, args.dim, generator)
    tgt = random_unit_vectors(n, args.dim, generator)
    if device.type == "cuda":
        src, tgt = src.to(device), tgt.to(device)
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
        baseline = torch.cuda.memory_allocated()
    rss_before_peak = max_rss_bytes()
    timings = {}
    with PeakRss() as rss:
        start = time.perf_counter()
        progress = print_progress(f"N={n}") if n >= 50_000 else None
        forward, backward = knn_both_ways(src, tgt, args.k, args.batch_size, device, progress)
        timings["knn_s"] = time.perf_counter() - start
        start = time.perf_counter()
        candidates = margins_from_neighbours(forward, backward)
        timings["margin_s"] = time.perf_counter() - start
        start = time.perf_counter()
        mined = max_retrieval(candidates)
        timings["max_retrieval_s"] = time.perf_counter() - start
    timings["total_s"] = timings["knn_s"] + timings["margin_s"] + timings["max_retrieval_s"]
    timings["mined_fraction"] = len(mined) / n
    timings["rss_peak_growth_mib"] = rss.growth_bytes / MIB
    timings["ru_maxrss_growth_mib"] = max(0, max_rss_bytes() - rss_before_peak) / MIB
    if device.type == "cuda":
        timings["cuda_peak_mib"] = (torch.cuda.max_memory_allocated() - baseline) / MIB
    return timings


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    device = torch.device(args.device or ("cuda" if torch.cuda.is_available() else "cpu"))
    sizes = [int(size) for size in args.sizes.split(",") if size.strip()]
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    threads = torch.get_num_threads()
    print(f"device={device} threads={threads} dim={args.dim} k={args.k} batch={args.batch_size}")
    for n in sizes:
        print(f"N={n}: mining {n} x {n} ...", flush=True)
        result = run_size(n, args, device)
        # What the peak growth is measured against: memory quadratic in N would be this.
        result["dense_matrix_mib"] = n * n * 4 / MIB
        print(f"N={n}: " + ", ".join(f"{name}={value:.2f}" for name, value in result.items()))


if __name__ == "__main__":
    main()
