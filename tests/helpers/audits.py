"""Running the audit command and damaging files, for the audit's unit and workflow tests."""

import subprocess
import sys
from pathlib import Path

from xstilts.runtime.checkout import ROOT


def audit_command(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "scripts/audit.py"), "--root", str(root),
                           *args], capture_output=True, text=True)


def flip_byte(path: Path) -> None:
    content = bytearray(path.read_bytes())
    content[0] ^= 1
    path.write_bytes(bytes(content))
