"""Time Snakemake's DAG of the paper grid: job count, dry run, and a run with nothing to do.

Works in a temporary copy of the workflow with the paper configuration (plus --seeds), so
nothing in the checkout is touched and no network is needed (a dry run downloads nothing).
For the no-op run, every output of the dry run is created empty with one timestamp, so
Snakemake finds the whole grid up to date and only builds and checks the DAG.

    python benchmarks/dag.py                    # seeds 1,2,3
    python benchmarks/dag.py --seeds 1 --repeat 5
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a source checkout

from xstilts.runtime.checkout import copy_workflow  # noqa: E402
from xstilts.spec import paths  # noqa: E402

SNAKEMAKE = Path(sys.executable).with_name("snakemake")
TARGET = paths.TABLE2


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="1,2,3", help="comma-separated seeds (default 1,2,3)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs each (median shown)")
    return parser.parse_args(argv)


def snakemake(workdir: Path, *args: str) -> tuple[float, str]:
    """(seconds, output) of one snakemake command, offline."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}
    start = time.perf_counter()
    result = subprocess.run([str(SNAKEMAKE), TARGET, *args, "--configfile",
                             "config/config.yaml", "seeds.yaml"], cwd=workdir, env=env,
                            capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"snakemake {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return elapsed, result.stdout + result.stderr


def job_count(output: str) -> int:
    match = re.search(r"^total\s+(\d+)$", output, re.MULTILINE)
    if not match:
        raise SystemExit("no job count in the dry run's output")
    return int(match.group(1))


def create_outputs(workdir: Path, dry_run: str) -> int:
    """Create every output the dry run lists (directories where the name has no suffix)."""
    paths = [path.strip() for line in dry_run.splitlines() if line.strip().startswith("output:")
             for path in line.split(":", 1)[1].split(",")]
    stamp = time.time() - 60
    for relative in paths:
        path = workdir / relative
        if path.suffix:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.touch()
        else:
            path.mkdir(parents=True, exist_ok=True)
        os.utime(path, (stamp, stamp))
    return len(paths)


def median_time(workdir: Path, repeat: int, *args: str) -> tuple[float, str]:
    runs = [snakemake(workdir, *args) for _ in range(repeat)]
    return statistics.median(seconds for seconds, _ in runs), runs[-1][1]


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    seeds = [int(seed) for seed in args.seeds.split(",")]
    with tempfile.TemporaryDirectory() as directory:
        workdir = Path(directory)
        copy_workflow(workdir)
        (workdir / "seeds.yaml").write_text(f"seeds: {seeds}\n")
        start = time.perf_counter()
        subprocess.run([str(SNAKEMAKE), "--version"], capture_output=True, check=True)
        startup = time.perf_counter() - start
        dry_s, dry_run = median_time(workdir, args.repeat, "--dry-run")
        outputs = create_outputs(workdir, dry_run)
        noop_s, noop = median_time(workdir, args.repeat, "--cores", "1")
        if "Nothing to be done" not in noop:
            raise SystemExit(f"the no-op run had work to do:\n{noop[-3000:]}")
    print(f"paper grid, seeds {seeds}: jobs={job_count(dry_run)} outputs={outputs}")
    print(f"snakemake_startup_s={startup:.2f} dag_build_dry_run_s={dry_s:.2f} "
          f"noop_run_s={noop_s:.2f} (median of {args.repeat})")


if __name__ == "__main__":
    main()
