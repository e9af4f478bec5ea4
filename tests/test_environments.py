"""The locked environments: requirements/*.txt agree with pyproject.toml, and the conda
environment files that the rules name (`snakemake --sdm conda`) hold the locked versions.

Static checks: no conda channel is reachable where the suite runs, so the environments are
parsed and compared, not created.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from workflow import DEMO, SLICE, copy_workflow, snakemake

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


def linux_x86_64(python: str) -> dict[str, str]:
    """The marker environment of CPython `python` (3.X) on Linux x86_64."""
    return {"python_version": python, "python_full_version": f"{python}.0",
            "sys_platform": "linux", "platform_system": "Linux", "platform_machine": "x86_64",
            "implementation_name": "cpython", "platform_python_implementation": "CPython",
            "os_name": "posix"}


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
    linux = linux_x86_64(python)
    counts = {name: sum(not pin.marker or Marker(pin.marker).evaluate(linux) for pin in entries)
              for name, entries in pins.items()}
    assert not {name: n for name, n in counts.items() if n != 1}, (
        f"requirements/cuda.txt: packages without exactly one pin for Python {python} on "
        f"Linux x86_64; regenerate it with `{REGENERATE}`")


# --- the conda environments of the rules --------------------------------------------------

ENV_KEYS = {"name", "channels", "dependencies"}


@pytest.fixture(scope="module")
def rules():
    """{rule: (its conda env file, the scripts its command runs)} of the paper's workflow,
    as Snakemake reads them."""
    from snakemake.api import SnakemakeApi
    from snakemake.settings.types import (
        ConfigSettings,
        OutputSettings,
        ResourceSettings,
        StorageSettings,
    )

    with SnakemakeApi(OutputSettings(quiet={"all"})) as api:
        workflow = api.workflow(ResourceSettings(), ConfigSettings(), StorageSettings(),
                                snakefile=ROOT / "Snakefile", workdir=ROOT)
        found = {}
        for rule in workflow._workflow.rules:
            env = (Path(rule.snakefile).parent / rule.conda_env).resolve() \
                if rule.conda_env else None
            scripts = re.findall(r"scripts/\w+\.py", rule.shellcmd or "")
            found[rule.name] = (env, scripts)
    return found


def locked_for_env(python: str = "3.11") -> dict[str, str]:
    """requirements/cuda.txt's version of each package on Linux x86_64 and `python`."""
    return {name: pin.version for name, entries in read_lock(LOCKS["cuda"]).items()
            for pin in entries if not pin.marker or Marker(pin.marker).evaluate(
                linux_x86_64(python))}


def env_problems(env: dict, locked: dict[str, str]) -> list[str]:
    """What keeps a conda env file from being created anywhere by `snakemake --sdm conda`
    with the locked versions: keys other than dependencies, relative paths (Snakemake creates
    the env from a copy in .snakemake/conda/), unpinned packages, versions off the lock."""
    problems = [f"key {key!r}" for key in sorted(set(env) - ENV_KEYS)]
    conda, pip = [], []
    for item in env.get("dependencies") or []:
        if isinstance(item, dict) and set(item) == {"pip"}:
            pip += item["pip"]
        elif isinstance(item, str):
            conda.append(item)
        else:
            problems.append(f"dependency {item!r}")
    if not any(re.fullmatch(r"python=3\.\d+(\.\d+)?", item) for item in conda):
        problems.append("no python=3.X")
    for line in pip:
        if line.startswith(("-", ".", "/", "~")) or "/" in line or ":" in line:
            problems.append(f"pip line {line!r}: a path, URL or option, not a package")
            continue
        req = Requirement(line)
        pinned = [spec.version for spec in req.specifier if spec.operator == "=="]
        name = canonicalize_name(req.name)
        if len(pinned) != 1:
            problems.append(f"{line}: not pinned with ==")
        elif locked.get(name) != pinned[0]:
            problems.append(f"{line}: the lock has {locked.get(name)}")
    return problems


def test_env_problems_are_found():
    env = {"name": "x", "channels": ["conda-forge"], "variables": {"A": "1"},
           "dependencies": ["python=3.11", "pip", {"pip": [
               "--editable .[slurm]", "numpy==2.4.6", "torch==2.12.0", "pyyaml", "../pkg"]}]}
    assert env_problems(env, {"numpy": "2.4.6", "torch": "2.13.0", "pyyaml": "6.0.3"}) == [
        "key 'variables'", "pip line '--editable .[slurm]': a path, URL or option, not a package",
        "torch==2.12.0: the lock has 2.13.0", "pyyaml: not pinned with ==",
        "pip line '../pkg': a path, URL or option, not a package"]


def test_every_rule_with_a_command_has_a_conda_env(rules):
    assert "train_target" in rules
    missing = [name for name, (env, scripts) in rules.items() if scripts and env is None]
    assert not missing, f"rules without a conda: environment: {missing}"


def test_rule_envs_parse_and_hold_the_locked_versions(rules):
    locked = locked_for_env()
    envs = {env for env, _ in rules.values() if env}
    assert {env.relative_to(ROOT).as_posix() for env in envs} == {
        "environment.yml", "envs/report.yml"}
    for env in envs:
        problems = env_problems(yaml.safe_load(env.read_text()), locked)
        assert not problems, (f"{env.relative_to(ROOT)}: {'; '.join(problems)}; regenerate "
                              f"it with `{REGENERATE}`")


def env_packages(env: Path) -> set[str]:
    pip = [item["pip"] for item in yaml.safe_load(env.read_text())["dependencies"]
           if isinstance(item, dict)][0]
    return {canonicalize_name(Requirement(line).name) for line in pip}


def test_model_env_holds_the_dependencies_of_the_package():
    wanted = {canonicalize_name(Requirement(line).name) for line in tomllib.loads(
        (ROOT / "pyproject.toml").read_text())["project"]["dependencies"]}
    assert wanted - env_packages(ROOT / "environment.yml") == set()


def test_report_env_has_no_torch():
    assert not {"torch", "transformers", "datasets"} & env_packages(ROOT / "envs" / "report.yml")


def test_report_rules_import_only_what_their_env_holds(rules):
    # Each script of a rule in envs/report.yml is loaded (its module-level imports, the
    # package's included) in a fresh interpreter where the distributions outside that env
    # cannot be imported.
    report = ROOT / "envs" / "report.yml"
    scripts = sorted({script for env, names in rules.values() if env == report
                      for script in names})
    assert "scripts/table2.py" in scripts and "scripts/figures.py" in scripts
    allowed = sorted(env_packages(report))
    code = f"""
import importlib.abc, importlib.metadata, runpy, sys
from packaging.utils import canonicalize_name
allowed = set({allowed!r})
owners = importlib.metadata.packages_distributions()
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        top = name.partition(".")[0]
        dists = {{canonicalize_name(d) for d in owners.get(top, [])}}
        if dists and not dists & allowed and top != "xstilts":
            raise ImportError(f"{{name}} ({{', '.join(sorted(dists))}}): not in envs/report.yml")
sys.meta_path.insert(0, Block())
sys.path.insert(0, "scripts")
for script in {scripts!r}:
    runpy.run_path(script, run_name="imported")
print("ok")
"""
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert run.stdout.strip() == "ok", run.stderr[-2000:]


@pytest.mark.workflow
def test_jobs_import_the_package_from_the_workflow_directory(tmp_path):
    # A conda env holds no project code: a job finds the package through the PYTHONPATH the
    # workflow gives its commands (rules/common.smk). Here the workflow's copy of the
    # package, not the installed one, has to answer a job's imports.
    workdir = copy_workflow(tmp_path)
    shutil.copytree(ROOT / "xstilts", workdir / "xstilts",
                    ignore=shutil.ignore_patterns("__pycache__"))
    init = workdir / "xstilts" / "__init__.py"
    init.write_text(init.read_text() + "\nimport sys as _sys\n"
                    "with open('imported-from', 'a') as _out:\n"
                    "    print(_sys.argv[0], __file__, file=_out)\n")
    (workdir / "slice.yaml").write_text(SLICE)
    snakemake(workdir, "--cores", "1", "data/prepared/pawsx", *DEMO)
    lines = [line.split() for line in (workdir / "imported-from").read_text().splitlines()]
    job = [path for argv0, path in lines if argv0.endswith("prepare_data.py")]
    assert job == [str(init)]


# --- the container recipe -----------------------------------------------------------------


def hadolint(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(Path(sys.executable).parent / "hadolint"), str(path)],
                          capture_output=True, text=True)


def test_dockerfile_installs_the_lock_and_lints_clean(tmp_path):
    dockerfile = ROOT / "Dockerfile"
    assert "--require-hashes -r /tmp/requirements.txt" in dockerfile.read_text()
    assert "COPY requirements/cuda.txt /tmp/requirements.txt" in dockerfile.read_text()
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python:latest\nRUN pip install torch\n")
    assert hadolint(bad).returncode != 0  # the linter does find faults
    run = hadolint(dockerfile)
    assert run.returncode == 0, run.stdout + run.stderr
