"""Print what a configuration will cost before anything runs: per rule and in total, jobs,
training examples and tokens, device-hours, disk written and the peak disk of one job.

The jobs are those of `snakemake <targets>` (Snakemake's own dry run, finished jobs
included); name the same targets as for the run. No GPU, no network, seconds; read it
before `snakemake --profile profiles/slurm`:

    python scripts/plan.py                                   # the paper's default target
    python scripts/plan.py results/table2.csv results/table3.csv --gpu a100
    python scripts/plan.py --configfile config/small.yaml --gpu a100
"""

from pathlib import Path

import _cli

from xstilts.config import load
from xstilts.report.plan import PEAK_FLOPS, dry_run_jobs, report

PAPER_CONFIG = "config/config.yaml"  # the Snakefile's configfile


def main() -> None:
    cli = _cli.parser(__doc__)
    cli.add_argument("targets", nargs="*",
                     help="what to build, as for snakemake (default: the Snakefile's `all`)")
    cli.add_argument("--configfile", nargs="+", default=[],
                     help=f"config files merged over {PAPER_CONFIG}, as for snakemake")
    cli.add_argument("--gpu", default="h100", choices=sorted(PEAK_FLOPS),
                     help="GPU type of the throughput table (default: h100)")
    cli.add_argument("--root", default=".",
                     help="workflow directory: prepared manifests, finished jobs (default: here)")
    args = cli.parse_args()
    root = Path(args.root)
    try:
        config = load([root / PAPER_CONFIG, *args.configfile])
        jobs = dry_run_jobs(root, args.configfile, args.targets)
        print(f"targets: {' '.join(args.targets) or 'the default target (rule all)'}")
        print(report(config, root, args.gpu, jobs))
    except ValueError as error:  # a configuration, manifest or size that cannot be planned
        raise SystemExit(f"plan refused: {error}") from None


if __name__ == "__main__":
    main()
