"""A slice of the demo through a real one-node SLURM cluster with the executor plugin.

tests/slurm/cluster.sh brings up Debian's SLURM (munge, slurmctld, slurmd; one node with a
fake GPU) for the session and tears it down afterwards. The test runs
results/scores/baseline/pawsx/seed1.json with `--profile tests/slurm/profile` and a config that
gives training jobs one GPU, then asks the controller (`scontrol show job`) what each job
was given. Needs root and the Debian packages (`tests/slurm/cluster.sh install`, which
.ci/run does): skipped without them, except on CI (CI=true), where it fails.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from workflow import BIN, ROOT, copy_workflow

pytestmark = pytest.mark.workflow

SLURM = ROOT / "tests" / "slurm"
CLUSTER = SLURM / "cluster.sh"
PROFILE = SLURM / "profile"
DAEMONS = ("/usr/sbin/munged", "/usr/sbin/slurmctld", "/usr/sbin/slurmd")
CLIENTS = ("sinfo", "squeue", "sbatch", "srun", "scontrol", "scancel")
ON_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
TARGET = "results/scores/baseline/pawsx/seed1.json"
SNAKEMAKE_TIMEOUT_S = 240


def unavailable(reason: str):
    """Skip where SLURM cannot be brought up, but fail on CI, where it must run."""
    if ON_CI:
        pytest.fail(f"SLURM integration test cannot run on CI: {reason}", pytrace=False)
    pytest.skip(reason)


def cluster(command: str, state: Path, timeout: int) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(CLUSTER), command, str(state)], capture_output=True,
                          text=True, timeout=timeout)


@pytest.fixture(scope="session")
def slurm_cluster(tmp_path_factory):
    """A running one-node cluster for the session; stopped afterwards, also on failure."""
    if os.geteuid() != 0:
        unavailable("the test SLURM cluster needs root (it writes /etc/slurm/slurm.conf)")
    missing = [path for path in DAEMONS if not os.access(path, os.X_OK)]
    missing += [name for name in CLIENTS if shutil.which(name) is None]
    if missing:
        unavailable(f"SLURM/munge not installed (missing {', '.join(missing)}); "
                    f"install them with: {CLUSTER.relative_to(ROOT)} install")
    conf = Path("/etc/slurm/slurm.conf")
    if conf.exists() and "written by xstilts" not in conf.read_text():
        unavailable(f"{conf} belongs to a real SLURM installation; not touching it")
    state = tmp_path_factory.mktemp("slurm")
    try:
        started = cluster("start", state, timeout=180)
        if started.returncode != 0:
            pytest.fail(f"SLURM test cluster did not start:\n{started.stderr}", pytrace=False)
        yield state
    finally:
        stopped = cluster("stop", state, timeout=120)
        if stopped.returncode != 0:
            print(f"stopping the SLURM test cluster failed:\n{stopped.stderr}")


def scontrol_job(slurm_id: str) -> dict[str, str]:
    """`scontrol show job` as a dict (finished jobs stay listed for MinJobAge=300 s)."""
    result = subprocess.run(["scontrol", "-o", "show", "job", slurm_id], capture_output=True,
                            text=True, timeout=30, check=True)
    return dict(re.findall(r"(?:^|\s)([\w/:]+)=(\S*)", result.stdout))


def diagnostics(workdir: Path, output: str) -> str:
    """Snakemake's output and the logs of every job, for a failing assertion."""
    parts = [output[-6000:]]
    logs = sorted((workdir / ".snakemake" / "slurm_logs").rglob("*.log"))
    logs += sorted((workdir / "logs").rglob("*.log"))
    for path in logs:
        parts.append(f"--- {path.relative_to(workdir)}\n{path.read_text()[-2000:]}")
    return "\n".join(parts)


def run_through_slurm(workdir: Path) -> subprocess.CompletedProcess:
    # The jobs inherit this environment (sbatch --export=ALL): `python` must be the venv's.
    env = {name: value for name, value in os.environ.items()
           if not name.startswith(("SLURM_", "SBATCH_", "SRUN_"))}
    env.update(HF_HUB_OFFLINE="1", HF_DATASETS_OFFLINE="1",
               PATH=f"{BIN}{os.pathsep}{os.environ['PATH']}")
    command = ["timeout", "-k", "30", str(SNAKEMAKE_TIMEOUT_S), str(BIN / "snakemake"), TARGET,
               "--profile", str(PROFILE), "--configfile", "config/demo.yaml", "slurm.yaml"]
    return subprocess.run(command, cwd=workdir, env=env, capture_output=True, text=True,
                          timeout=SNAKEMAKE_TIMEOUT_S + 60)


def test_demo_slice_runs_through_slurm(slurm_cluster, tmp_path):
    workdir = copy_workflow(tmp_path)
    # Training rules request `gpu=config["gpus_per_job"]` (the demo: 0). The grid is cut to
    # what the target needs, so that only one dataset is prepared on the submit host.
    (workdir / "slurm.yaml").write_text(
        "gpus_per_job: 1\nexperiment:\n  intermediate: []\n  targets: [pawsx]\n")
    result = run_through_slurm(workdir)
    output = result.stdout + result.stderr
    assert result.returncode == 0, diagnostics(workdir, output)

    # every job that is not a local rule went through SLURM, and only those
    submitted = re.findall(r"Job \d+ has been submitted with SLURM jobid (\d+)", output)
    jobs = {slurm_id: scontrol_job(slurm_id) for slurm_id in submitted}
    by_rule = {job["Comment"].split("_wildcards_")[0].removeprefix("rule_"): slurm_id
               for slurm_id, job in jobs.items()}
    assert sorted(by_rule) == ["score", "train_target"], (jobs, diagnostics(workdir, output))
    assert len(by_rule) == len(submitted)
    assert "localrule prepare_dataset:" in output and "localrule base_model:" in output
    for job in jobs.values():
        assert job["JobState"] == "COMPLETED" and job["ExitCode"] == "0:0", job
        assert job["Partition"] == "debug" and job["WorkDir"] == str(workdir), job

    # the controller allocated what the profile and the rule ask for
    profile = yaml.safe_load((PROFILE / "config.yaml").read_text())
    wanted = profile["set-resources"]
    train, score = jobs[by_rule["train_target"]], jobs[by_rule["score"]]
    assert train["TresPerJob"] == "gres:gpu:1", train
    assert train["NumCPUs"] == str(wanted["train_target"]["cpus_per_task"]), train
    assert train["MinMemoryNode"] == f"{wanted['train_target']['mem_mb']}M", train
    assert train["TimeLimit"] == f"00:{wanted['train_target']['runtime']:02d}:00", train
    assert "TresPerJob" not in score, score
    assert score["MinMemoryNode"] == f"{wanted['score']['mem_mb']}M", score
    assert score["TimeLimit"] == f"00:{wanted['score']['runtime']:02d}:00", score

    # the provenance records name the SLURM job that wrote them, and the GPU SLURM gave it
    checkpoint = json.loads((workdir / "models/target/baseline/pawsx/seed1/provenance.json")
                            .read_text())["environment"]
    assert checkpoint["slurm_job_id"] == by_rule["train_target"], checkpoint
    assert checkpoint["cuda_visible_devices"] == "0", checkpoint
    scores = json.loads((workdir / TARGET).read_text())["provenance"]["environment"]
    assert scores["slurm_job_id"] == by_rule["score"], scores
    base = json.loads((workdir / "models/base/provenance.json").read_text())["environment"]
    assert base["slurm_job_id"] is None, "a local rule ran inside a SLURM job"
