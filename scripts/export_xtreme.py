"""Write one row's predictions (an intermediate task, or `baseline`) in the layout of an
XTREME leaderboard submission: one folder per task, one test-<lang>.{tsv,json} per
language (see xstilts/evaluate/xtreme_export.py). Run after the workflow built the row.

    python scripts/export_xtreme.py --configfile config/demo.yaml --row baseline \\
        --output submission/
    (zip the folder's contents as google-research/xtreme's README describes)

--gold writes the gold labels of the same examples instead, in the same layout: the
label folder the benchmark's evaluate.py compares a submission with.
"""

from pathlib import Path

import _cli

from xstilts.config import load, resolve_task
from xstilts.evaluate.xtreme_export import FOLDERS, export_row
from xstilts.spec import paths

PAPER_CONFIG = "config/config.yaml"  # the Snakefile's configfile


def main() -> None:
    cli = _cli.parser(__doc__)
    cli.add_argument("--configfile", nargs="+", default=[],
                     help=f"config files merged over {PAPER_CONFIG}, as for snakemake")
    cli.add_argument("--row", required=True, help="`baseline` or an intermediate task")
    cli.add_argument("--seed", type=int, help="the run to export (default: the first seed)")
    cli.add_argument("--output", required=True, help="folder of the submission")
    cli.add_argument("--gold", action="store_true", help="write the gold labels instead")
    args = cli.parse_args()
    config = load([Path(PAPER_CONFIG), *map(Path, args.configfile)])
    seed = args.seed if args.seed is not None else config["seeds"][0]
    tasks = [task for task in config["experiment"]["targets"] if task in FOLDERS]
    specs = {task: resolve_task(config, "target_tasks", task, seed) for task in tasks}
    files = {task: paths.fill(paths.PREDICTIONS, intermediate=args.row, target=task, seed=seed)
             for task in tasks}
    missing = [path for path in files.values() if not Path(path).exists()]
    if missing:
        cli.error(f"no predictions at {', '.join(missing)}: build the row first")
    written = export_row(specs, files, Path(paths.DATA), Path(args.output), args.gold)
    for folder, names in written.items():
        print(f"{folder}: {len(names)} files")


if __name__ == "__main__":
    main()
