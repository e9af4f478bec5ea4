"""Pin the configuration's hub revisions to the commits the first download locked.

    python scripts/pin_revisions.py                          # config/config.yaml, in place
    python scripts/pin_revisions.py --config my.yaml --dry-run

Every `revision:` of the model and of a hub dataset that names a branch and has a commit in
the lock file (config/revisions.lock.yaml, written by the download jobs) becomes that
commit; comments and layout stay. With every revision pinned, `pinned_revisions: true`
keeps it so.
"""

import sys
from pathlib import Path

import _cli

from xstilts.spec import paths
from xstilts.store import atomic
from xstilts.store.revisions import pinned_config, read_lock


def main() -> None:
    cli = _cli.parser(__doc__)
    cli.add_argument("--config", default="config/config.yaml")
    cli.add_argument("--lock", default=paths.REVISIONS_LOCK)
    cli.add_argument("--dry-run", action="store_true", help="print what would be pinned")
    args = cli.parse_args()
    try:
        lock = read_lock(args.lock)
        text, pinned = pinned_config(Path(args.config).read_text(), lock)
    except (OSError, ValueError) as error:
        sys.exit(f"pin_revisions: {error}")
    if not lock:
        sys.exit(f"pin_revisions: {args.lock}: no lock file (it is written on the first "
                 "download of a hub source at a branch)")
    print("\n".join(pinned) or "nothing to pin: every locked revision is pinned already")
    if pinned and not args.dry_run:
        atomic.write_text(args.config, text)


if __name__ == "__main__":
    main()
