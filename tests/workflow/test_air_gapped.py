"""Air-gapped clusters: the paper's DAG from original release files and a local model,
with no network access at all.

How the network is cut: Snakemake and every job run in a new, empty network namespace
(`unshare --net`, with `--map-root-user` where an unprivileged user may create one; as
root, as on CI, either works), where no address but a downed loopback exists. On top of
that, and alone where no namespace can be made (a container without CAP_SYS_ADMIN), every
Python process loads a sitecustomize (PYTHONPATH) that records and refuses any socket
connection or name lookup outside the machine, so that an attempt fails the test even
where a library would have swallowed the error. The hub's offline switches
(HF_HUB_OFFLINE, ...) are removed from the environment: the run must not need them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from release_files import write_release
from specs import dataset_spec
from workflow import BIN, ROOT, copy_workflow, job_counts, read_csv, snakemake

from xstilts.data.layouts import LAYOUTS, dataset_languages
from xstilts.models.base import build_model, save, train_tokenizer
from xstilts.runtime.offline import OFFLINE
from xstilts.store.prepared import canonical_splits, load_raw

pytestmark = pytest.mark.workflow

# The grid: rows baseline + mnli, one target per kind (pair classification, tagging, QA,
# retrieval). xquad trains on SQuAD v1.1; mnli reads MNLI only.
# Two languages each, so that the run stays within two minutes on two cores; kk has no
# UD dev split (left out of the dev table).
LANGUAGES = {"pawsx": ["en", "de"], "udpos": ["en", "kk"], "xquad": ["en", "zh"],
             "tatoeba": ["de", "zh"]}
TARGETS = list(LANGUAGES)
RELEASED = ["mnli", "squad_v1", *TARGETS]
OFFLINE_SWITCHES = tuple(OFFLINE)
NAMESPACES = (["unshare", "--net", "--map-root-user"], ["unshare", "--net"])

GUARD = '''\
"""Records, then refuses, every attempt of this process to reach the network."""
import errno
import os
import socket

LOCAL = {"localhost", "127.0.0.1", "::1", None}


def _refuse(what, address):
    with open(os.environ["XSTILTS_NETWORK_LOG"], "a") as log:
        log.write(f"{os.getpid()} {what} {address!r}\\n")
    raise OSError(errno.ENETUNREACH, f"air-gapped run: {what} {address!r} refused")


def _guarded(method):
    def guarded(self, address, *args):
        if self.family in (socket.AF_INET, socket.AF_INET6) and address[0] not in LOCAL:
            _refuse(method.__name__, address)
        return method(self, address, *args)
    return guarded


def _getaddrinfo(host, *args, _lookup=socket.getaddrinfo, **kwargs):
    if host not in LOCAL:
        _refuse("getaddrinfo", host)
    return _lookup(host, *args, **kwargs)


for _name in ("connect", "connect_ex"):
    setattr(socket.socket, _name, _guarded(getattr(socket.socket, _name)))
socket.getaddrinfo = _getaddrinfo
'''


# --- the network cut ---------------------------------------------------------------------


def namespace_prefix() -> list[str]:
    """A command prefix that runs its command in a new network namespace; [] where this
    machine allows none (the socket guard then cuts the network alone)."""
    for prefix in NAMESPACES:
        if shutil.which(prefix[0]) and subprocess.run(
                [*prefix, "true"], capture_output=True).returncode == 0:
            return prefix
    return []


class Offline:
    """Runs commands without network; `attempts()` lists what tried to reach it."""

    def __init__(self, directory: Path):
        self.prefix = namespace_prefix()
        self.log = directory / "network-attempts.log"
        (directory / "sitecustomize.py").write_text(GUARD)
        env = {key: value for key, value in os.environ.items() if key not in OFFLINE_SWITCHES}
        python_path = os.pathsep.join(filter(None, [str(directory), env.get("PYTHONPATH")]))
        self.env = {**env, "PYTHONPATH": python_path, "XSTILTS_NETWORK_LOG": str(self.log),
                    "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}

    def run(self, command: list, cwd: Path, timeout: int = 600):
        return subprocess.run([*self.prefix, *map(str, command)], cwd=cwd, env=self.env,
                              capture_output=True, text=True, timeout=timeout)

    def attempts(self) -> list[str]:
        return self.log.read_text().splitlines() if self.log.exists() else []


@pytest.fixture
def offline(tmp_path) -> Offline:
    guard_dir = tmp_path / "guard"
    guard_dir.mkdir()
    return Offline(guard_dir)


def check_cut(offline: Offline, cwd: Path) -> None:
    """The cut is in force: a connection is refused and recorded, and inside the namespace
    (where there is one) no interface but loopback exists."""
    probe = ("import socket; print(socket.if_nameindex()); "
             "socket.create_connection(('192.0.2.1', 80), timeout=5)")
    result = offline.run([BIN / "python", "-c", probe], cwd)
    assert result.returncode != 0 and "air-gapped run:" in result.stderr, result.stderr
    assert offline.attempts() and all("192.0.2.1" in line for line in offline.attempts())
    offline.log.unlink()
    if offline.prefix:
        assert result.stdout.strip() == "[(1, 'lo')]", result.stdout


# --- the inputs: release files and a model directory -------------------------------------


def demo_config() -> dict:
    """config/config.yaml with config/demo.yaml over it, as Snakemake merges them."""
    paper, demo = (yaml.safe_load((ROOT / "config" / name).read_text())
                   for name in ("config.yaml", "demo.yaml"))
    return merged(paper, demo)


def merged(base: dict, over: dict) -> dict:
    return {**base, **{key: merged(base[key], value) if isinstance(value, dict)
                       and isinstance(base.get(key), dict) else value
                       for key, value in over.items()}}


def write_releases(root: Path, datasets: dict) -> list[str]:
    """Release trees of the grid's datasets under root/<dataset>; returns every text in them
    (the model's tokenizer is trained on these, as the demo's is on its data)."""
    texts = []
    for name in RELEASED:
        raw = write_release(root / name, name, datasets[name], train_rows=200, eval_rows=40)
        texts += [text for splits in raw.values() for split in splits.values()
                  for row in split.to_list() for text in strings(row)]
    return texts


def strings(value) -> list[str]:
    """Every string in a (nested) hub row."""
    if isinstance(value, str):
        return [value] if value else []
    if isinstance(value, dict):
        value = list(value.values())
    return [text for item in value for text in strings(item)] if isinstance(value, list) else []


def write_model(directory: Path, texts: list[str], build: dict) -> None:
    """The demo's tiny XLM-R, saved as a Hugging Face model directory."""
    tokenizer = train_tokenizer(texts, build["vocab_size"])
    save(build_model(build, tokenizer, seed=0), tokenizer, directory)


def air_gapped_config(releases: Path, model: Path) -> dict:
    """Every dataset of the grid from its release files, the model from its directory."""
    datasets = {name: {"source": "local", "path": str(releases / name)} for name in RELEASED}
    for target, languages in LANGUAGES.items():
        datasets[target]["languages"] = languages
    return {"model": {"source": "local", "path": str(model)}, "datasets": datasets,
            "target_tasks": {target: {"languages": languages}
                             for target, languages in LANGUAGES.items()},
            "experiment": {"intermediate": ["mnli"], "targets": TARGETS}}


# --- the tests -----------------------------------------------------------------------------


def test_the_grid_runs_from_release_files_without_network(tmp_path, offline):
    (tmp_path / "workflow").mkdir()
    workdir = copy_workflow(tmp_path / "workflow")
    releases, model = tmp_path / "releases", tmp_path / "xlmr-tiny"
    air_gapped = air_gapped_config(releases, model)
    config = merged(demo_config(), air_gapped)
    write_model(model, write_releases(releases, config["datasets"]), config["model"]["build"])
    # written out in full: the configuration refuses YAML aliases
    (workdir / "air-gapped.yaml").write_text(yaml.safe_dump(json.loads(json.dumps(air_gapped))))
    check_cut(offline, workdir)

    result = offline.run([BIN / "snakemake", "--cores", "2", "results/table2.csv",
                          "--configfile", "config/demo.yaml", "air-gapped.yaml"], workdir)
    assert result.returncode == 0, result.stderr[-6000:]
    assert offline.attempts() == []

    table = read_csv(workdir / "results/table2.csv")
    assert [row["intermediate"] for row in table] == ["baseline", "mnli"]
    for row in table:
        assert all(0 <= float(row[target]) <= 100 for target in (*TARGETS, "average")), row
    long = read_csv(workdir / "results/table2_long.csv")
    for target, languages in LANGUAGES.items():
        dev_languages = set(languages) - {"kk"}  # kk: no UD dev split, test only
        assert {row["language"] for row in long if row["target"] == target} == {*dev_languages,
                                                                                "all"}
    prepared = sorted(path.name for path in (workdir / "data/prepared").iterdir())
    assert prepared == sorted(RELEASED)  # nothing generated: every dataset from its files
    for name in prepared:
        manifest = json.loads((workdir / "data/prepared" / name / "manifest.json").read_text())
        source = manifest["source"]
        assert source["source"] == "local", name
        # the release files' hashes, not the hub revision the paper config also names
        assert "revision" not in source and source["files"], name
    base = json.loads((workdir / "models/base/provenance.json").read_text())
    assert base["params"]["model"]["source"] == "local"
    assert "revision" not in base["params"]["model"]
    assert set(base["inputs"]["model_files"]) >= {"model.safetensors", "config.json"}
    # an edited release file is an input of its preparation: it reruns
    edited = next((releases / "pawsx").rglob("*.tsv"))
    text = edited.read_text()
    labels = ("\t0\n", "\t1\n") if "\t0\n" in text else ("\t1\n", "\t0\n")
    edited.write_text(text.replace(*labels, 1))  # one label flipped
    rerun = snakemake(workdir, "-n", "results/table2.csv", "--configfile", "config/demo.yaml",
                      "air-gapped.yaml")
    assert job_counts(rerun.stdout)["prepare_dataset"] == 1


def canonical(name: str, spec: dict, raw: dict) -> dict:
    schema = LAYOUTS[spec["schema"]]
    return {(language, split): columns for language, split, columns
            in canonical_splits(name, schema, raw, dataset_languages(spec))}


@pytest.mark.parametrize("name", [name for name, entry in demo_config()["datasets"].items()
                                  if entry["schema"] != "ccgbank"])
def test_release_files_prepare_as_the_generated_hub_rows(tmp_path, name):
    """What tests/helpers/release_files.py writes, the parsers read back to the same records as the
    hub rows it was written from (every dataset, the demo's languages)."""
    spec = demo_config()["datasets"][name]
    raw = write_release(tmp_path, name, spec, train_rows=6, eval_rows=4)
    local = {**spec, "source": "local", "path": str(tmp_path)}
    assert canonical(name, spec, raw) == canonical(name, local, load_raw(name,
                                                                         dataset_spec(local), {}))


# Snakemake prints no "localrule" in a dry run: "in dryrun, we don't want to display a
# decision whether local or not" (snakemake/jobs.py, Job.log_info). So the dry run gives
# the jobs, and the parsed workflow says which of their rules a cluster executor runs on
# the submitting node (Workflow.is_local: in `localrules` and in no group).
LOCAL_RULES = """\
import json
from pathlib import Path
from snakemake.api import SnakemakeApi
from snakemake.settings.types import DAGSettings, OutputSettings, ResourceSettings

with SnakemakeApi(OutputSettings()) as api:
    workflow_api = api.workflow(ResourceSettings(cores=1), snakefile=Path("Snakefile"))
    workflow_api.dag(DAGSettings(targets={"results/table2.csv"}))
    workflow = workflow_api._workflow
    print(json.dumps({rule.name: rule.name in workflow._localrules and rule.group is None
                      for rule in workflow.rules}))
"""


def test_paper_dry_run_downloads_only_in_local_rules(tmp_path):
    workdir = copy_workflow(tmp_path)
    jobs = job_counts(snakemake(workdir, "-n", "results/table2.csv").stdout)
    listing = subprocess.run([BIN / "python", "-c", LOCAL_RULES], cwd=workdir,
                             capture_output=True, text=True, check=True)
    local = json.loads(listing.stdout.strip().splitlines()[-1])
    assert {rule for rule in jobs if local[rule]} == {"prepare_dataset", "base_model"}
    assert {rule for rule in jobs if not local[rule]} == {
        "train_intermediate", "train_target", "predict_shared_target", "evaluate_retrieval",
        "score", "table2"}
