"""The locked environments: requirements/*.txt agree with pyproject.toml, and the conda
environment files that the rules name (`snakemake --sdm conda`) hold the locked versions.

Static checks: no conda channel is reachable where the suite runs, so the environments are
parsed and compared, not created.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
LOCKS = {"cpu": ROOT / "requirements" / "cpu.txt", "cuda": ROOT / "requirements" / "cuda.txt"}
REGENERATE = "sh requirements/lock.sh"
PROJECT = "xstilts (pyproject.toml)"  # how uv names the project as a requirer
PIN = re.compile(r"(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>[^ ;\\]+)"
                 r"(?: ; (?P<marker>[^\\]+?))?\s*\\?$")


@dataclass
class Pin:
    version: str
    marker: str | None
    hashes: int = 0
    via: set[str] = field(default_factory=set)


def read_lock(path: Path) -> dict[str, list[Pin]]:
    """{canonical name: its pins} of a `uv pip compile --generate-hashes` output; a package
    pinned per Python version (a universal lock) has one pin per marker."""
    pins: dict[str, list[Pin]] = {}
    current = None
    in_via = False
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if not line.strip() or (line.startswith("#") and current is None):
            continue
        if not line.startswith(" "):
            match = PIN.fullmatch(line)
            if not match:
                raise AssertionError(f"{path}:{number}: not a pinned requirement: {line!r}")
            current = Pin(match["version"], match["marker"])
            pins.setdefault(canonicalize_name(match["name"]), []).append(current)
            in_via = False
            continue
        text = line.strip()
        if text.startswith("--hash=sha256:"):
            current.hashes += 1
        elif text == "# via":
            in_via = True
        elif text.startswith("# via "):
            current.via.add(text.removeprefix("# via "))
        elif in_via and text.startswith("#   "):
            current.via.add(text.removeprefix("#   "))
    return pins


def direct_requirements() -> list[Requirement]:
    """`dependencies` and every extra of pyproject.toml."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    lines = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        lines += extra
    return [Requirement(line) for line in lines]


def disagreements(requirements: list[Requirement], pins: dict[str, list[Pin]]) -> list[str]:
    problems = []
    wanted = {canonicalize_name(req.name) for req in requirements}
    for req in requirements:
        name = canonicalize_name(req.name)
        if name not in pins:
            problems.append(f"{req}: not in the lock")
            continue
        for pin in pins[name]:
            if not req.specifier.contains(pin.version, prereleases=True):
                problems.append(f"{req}: locked at {pin.version}")
    for name, entries in sorted(pins.items()):
        if name not in wanted and any(PROJECT in pin.via for pin in entries):
            problems.append(f"{name}: locked as a requirement of pyproject.toml, which no "
                            "longer names it")
    return problems


@pytest.mark.parametrize("lock", sorted(LOCKS))
def test_lock_agrees_with_pyproject(lock):
    problems = disagreements(direct_requirements(), read_lock(LOCKS[lock]))
    assert not problems, (f"{LOCKS[lock].relative_to(ROOT)} disagrees with pyproject.toml "
                          f"({'; '.join(problems)}): regenerate it with `{REGENERATE}`")


def test_disagreements_are_found():
    pins = {"torch": [Pin("2.13.0+cpu", None, 1, {PROJECT})],
            "numpy": [Pin("2.4.6", None, 1, {PROJECT})],
            "gone": [Pin("1.0", None, 1, {PROJECT, "numpy"})],
            "idna": [Pin("3.21", None, 1, {"requests"})]}
    requirements = [Requirement("torch==2.13.0"), Requirement("numpy==2.4.7"),
                    Requirement("tbparse==0.0.9")]
    assert disagreements(requirements, pins) == [
        "numpy==2.4.7: locked at 2.4.6", "tbparse==0.0.9: not in the lock",
        "gone: locked as a requirement of pyproject.toml, which no longer names it"]


@pytest.mark.parametrize("lock", sorted(LOCKS))
def test_every_locked_package_has_hashes(lock):
    # `pip install --require-hashes` refuses a lock with one unhashed line
    unhashed = [name for name, entries in read_lock(LOCKS[lock]).items()
                for pin in entries if not pin.hashes]
    assert not unhashed, f"{LOCKS[lock].relative_to(ROOT)}: no hashes for {unhashed}"


def test_cpu_lock_has_the_cpu_build_of_torch():
    pins = read_lock(LOCKS["cpu"])
    assert [pin.version.endswith("+cpu") for pin in pins["torch"]] == [True]
    assert not [name for name in pins if name.startswith("nvidia-")]
    # one interpreter: no marker forks
    assert not [name for name, entries in pins.items() if len(entries) > 1]


def supported_pythons() -> list[str]:
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    return [f"3.{minor}" for minor in range(8, 30) if f"3.{minor}.0" in SpecifierSet(requires)]


def test_supported_pythons():
    assert supported_pythons() == ["3.11", "3.12", "3.13"]  # the versions README names


@pytest.mark.parametrize("python", supported_pythons())
def test_cuda_lock_pins_each_package_once_per_supported_python(python):
    pins = read_lock(LOCKS["cuda"])
    assert [pin.version for pin in pins["torch"]] == ["2.13.0"]  # PyPI's (CUDA) build
    assert any(name.startswith("nvidia-") for name in pins)
    linux = {"python_version": python, "python_full_version": f"{python}.0",
             "sys_platform": "linux", "platform_system": "Linux", "platform_machine": "x86_64",
             "implementation_name": "cpython", "platform_python_implementation": "CPython",
             "os_name": "posix"}
    counts = {name: sum(not pin.marker or Marker(pin.marker).evaluate(linux) for pin in entries)
              for name, entries in pins.items()}
    assert not {name: n for name, n in counts.items() if n != 1}, (
        f"requirements/cuda.txt: packages without exactly one pin for Python {python} on "
        f"Linux x86_64; regenerate it with `{REGENERATE}`")
