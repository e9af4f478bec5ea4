"""The benchmark scripts run and print their figures (timings are never asserted)."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_retrieval_benchmark_prints_time_and_memory():
    result = subprocess.run(
        [sys.executable, "benchmarks/retrieval.py", "--sizes", "1500,3000", "--dim", "16"],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=True)
    lines = [line for line in result.stdout.splitlines()
             if line.startswith("N=") and "total_s=" in line]
    assert [line.split(":")[0] for line in lines] == ["N=1500", "N=3000"]
    for line in lines:
        fields = dict(re.findall(r"(\w+)=([\d.]+)", line.split(":", 1)[1]))
        assert {"total_s", "rss_peak_growth_mib", "dense_matrix_mib"} <= set(fields)
