"""How close the cost plan comes to a finished run: per device rule, the planned seconds
(the estimate, measured times ignored) against the wall times the run recorded.

Run it in a workflow directory whose grid has finished (the demo: `snakemake --cores all
--configfile config/demo.yaml`), with the same config files and targets:

    python benchmarks/plan_accuracy.py --root . --configfile config/demo.yaml

Recorded wall times start after the job's imports (a training job's: training and
selection, plus its predictions; a prediction job's: predicting), while the plan counts the
job's start too: on jobs of seconds that start is most of the difference.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a source checkout

from xstilts.config import load  # noqa: E402
from xstilts.report.plan import DEVICE_RULES, Planner, dry_run_jobs  # noqa: E402

PAPER_CONFIG = "config/config.yaml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("targets", nargs="*")
    parser.add_argument("--root", default=".")
    parser.add_argument("--configfile", nargs="+", default=[])
    parser.add_argument("--gpu", default="h100")
    args = parser.parse_args()
    root = Path(args.root)
    config = load([root / PAPER_CONFIG, *(root / name for name in args.configfile)])
    jobs = [job for job in dry_run_jobs(root, args.configfile, args.targets)
            if job[0] in DEVICE_RULES]
    planned = Planner(config, root, args.gpu, use_records=False)
    measured = Planner(config, root, args.gpu)
    print(f"{'rule':<34} {'jobs':>5} {'measured':>8} {'planned_s':>10} {'measured_s':>10} "
          f"{'planned/measured':>16}")
    for rule in DEVICE_RULES:
        mine = [wildcards for name, wildcards in jobs if name == rule]
        estimates = [planned.job(rule, wildcards) for wildcards in mine]
        actuals = [measured.job(rule, wildcards) for wildcards in mine]
        done = [(e, a) for e, a in zip(estimates, actuals, strict=True) if a.measured]
        if not done:
            continue
        plan_s = sum(e.seconds for e, _ in done)
        real_s = sum(a.seconds for _, a in done)
        print(f"{rule:<34} {len(mine):>5} {len(done):>8} {plan_s:>10.1f} {real_s:>10.1f} "
              f"{plan_s / real_s:>16.2f}")


if __name__ == "__main__":
    main()
