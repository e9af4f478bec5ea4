"""Show Table 2's grid (rows x targets, per seed) as done / running / failed / missing.

Reads only what is on disk (score files, work in progress, Snakemake's incomplete
markers, logs): safe while a run is going and on a login node.

    python scripts/status.py --configfile config/demo.yaml
"""

from pathlib import Path

import _cli

from xstilts.audit.status import grid, status_text
from xstilts.config import load

PAPER_CONFIG = "config/config.yaml"  # the Snakefile's configfile


def main() -> None:
    cli = _cli.parser(__doc__)
    cli.add_argument("--configfile", nargs="+", default=[],
                     help=f"config files merged over {PAPER_CONFIG}, as for snakemake")
    cli.add_argument("--root", default=".", help="workflow directory (default: here)")
    args = cli.parse_args()
    root = Path(args.root)
    config = load([root / PAPER_CONFIG, *args.configfile])
    print(status_text(config, grid(config, root)))


if __name__ == "__main__":
    main()
