"""What a configuration will cost, before anything runs (scripts/plan.py); no torch.

Per rule and in total: jobs, training examples and tokens, device-hours, disk written and
the peak disk of one job. The jobs are Snakemake's own: the plan asks for the dry run of
the targets the user names (default: the Snakefile's default target), every job included
(`--forceall`), and costs each by its rule and wildcards, so it plans exactly the run that
`snakemake <targets>` would make. Each figure comes from the best source at hand, and the
plan says which; a size that is not a count of rows is refused, naming its file:

- sizes: the prepared manifests (data/prepared/<dataset>/manifest.json) when present, the
  demo generator's sizes for generated data, else `dataset_sizes` of
  config/paper_reference.yaml; then cut to the config's subsample limits;
- tokens: examples x epochs x typical tokens per example of the format (TYPICAL_TOKENS,
  the lengths benchmarks/training.py draws), at most max_length per sequence;
- throughput: useful training tokens per second of the GPU type, measured by
  benchmarks/training.py (benchmarks/results/training-<gpu>.txt) when such a file is
  committed, else DEFAULT_MFU of the GPU's bf16 peak (PEAK_FLOPS); both scaled to the
  model by its non-embedding parameters (6 FLOPs per parameter and token). Forward-only
  work (selection, prediction, retrieval) runs FORWARD_SPEEDUP times faster;
- finished jobs count with the wall time their provenance records: a training job's
  training and selection (its checkpoint's record) plus its predictions (the prediction
  file's record), each recorded apart.

Disk: a checkpoint of weights is 4 bytes per parameter; a resume checkpoint (weights,
AdamW's two moments, the best weights so far) 4 times that, written every
`resume_checkpoint_minutes` of training, at most two kept (the newest and the one
before it, until the newer is complete).
"""

from __future__ import annotations

import math
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from xstilts.config import load_yaml, resolve_task
from xstilts.formats import Kind, kind_of
from xstilts.runtime.checkout import ROOT
from xstilts.spec import DataRef, TaskSpec, paths
from xstilts.store.prepared import checked_manifest
from xstilts.store.provenance import MANIFEST, read_json

# Dense bf16 peak FLOP/s per GPU type (CPU: what the demo measured, notes/measurements).
# A key is the words of the type's CUDA device name (gpu_kind); the H100's PCIe card has
# a lower peak than the SXM one (fewer SMs, lower clocks).
PEAK_FLOPS = {"h100": 989e12, "h100-pcie": 756e12, "h200": 989e12, "gh200": 989e12,
              "a100": 312e12, "l40s": 362e12, "a10": 125e12, "v100": 125e12, "cpu": 3.7e10}
DEFAULT_MFU = 0.3  # model-FLOPs utilisation assumed without a benchmark file
FORWARD_SPEEDUP = 3.0  # a forward pass is a third of a training step's FLOPs
JOB_START_S = {"gpu": 90.0, "cpu": 8.0, "warm": 1.0}  # imports, loading weights and data
# Per optimiser step of XLM-R Large on a GPU, beyond its FLOPs: kernel launches of small
# batches and the AdamW update of every parameter; scaled by the model's parameters.
STEP_OVERHEAD_S = {"gpu": 0.05, "cpu": 0.0}
# (median tokens of one sequence, sequences per example) per format; benchmarks/training.py
# draws its synthetic examples around them
TYPICAL_TOKENS = {"pair_classification": (40, 1), "multiple_choice": (90, 4),
                  "extractive_qa": (170, 1), "tagging": (30, 1), "retrieval": (30, 2)}
# (layers, hidden, intermediate, vocabulary, positions) of known hub models
KNOWN_MODELS = {"xlm-roberta-large": (24, 1024, 4096, 250002, 514),
                "xlm-roberta-base": (12, 768, 3072, 250002, 514)}
BYTES_PER_PARAMETER = 4  # checkpoints are fp32 safetensors
RESUME_FACTOR = 4  # weights + AdamW's two moments + the best weights so far
REFERENCE = ROOT / "config" / "paper_reference.yaml"
BENCHMARKS = ROOT / "benchmarks" / "results"
# a job of a dry run's listing, and its wildcards
JOB_LINE = re.compile(r"^(?:local)?rule (\w+):$")
WILDCARDS_LINE = re.compile(r"^\s+wildcards: (.+)$")
# the order of the plan's table: the data and models first, then what reads them
PIPELINE = ("prepare_dataset", "base_model", "train_intermediate", "train_target",
            "predict_shared_target", "predict_target_from_intermediate", "evaluate_retrieval",
            "score", "table2")
# the rules whose jobs hold `gpus_per_job` devices (the others read files on CPUs)
DEVICE_RULES = ("train_intermediate", "train_target", "predict_shared_target",
                "predict_target_from_intermediate", "evaluate_retrieval")


@dataclass
class Job:
    """One job's figures; `measured`: its wall time comes from provenance."""

    examples: int = 0
    tokens: float = 0.0
    seconds: float = 0.0
    written: float = 0.0
    peak: float = 0.0
    measured: bool = False


@dataclass
class RulePlan:
    rule: str
    jobs: list[Job] = field(default_factory=list)

    def total(self, name: str) -> float:
        return sum(getattr(job, name) for job in self.jobs)


# --- the model ------------------------------------------------------------------------------


def model_shape(model: dict) -> tuple[int, int, int, int, int]:
    """(layers, hidden, intermediate, vocabulary, positions) of the base model."""
    if model["source"] == "build":
        build = model["build"]
        return (build["num_hidden_layers"], build["hidden_size"], build["intermediate_size"],
                build["vocab_size"], build["max_position_embeddings"])
    config_file = Path(model.get("path", "")) / "config.json"
    if model["source"] == "local" and config_file.exists():
        found = read_json(config_file)
        return (found["num_hidden_layers"], found["hidden_size"], found["intermediate_size"],
                found["vocab_size"], found["max_position_embeddings"])
    name = model.get("path", "").rsplit("/", 1)[-1].lower()
    return KNOWN_MODELS.get(name, KNOWN_MODELS["xlm-roberta-large"])


def parameters(shape: tuple[int, int, int, int, int]) -> tuple[float, float]:
    """(non-embedding, total) parameters: attention and feed-forward matrices per layer."""
    layers, hidden, inner, vocab, positions = shape
    matrices = layers * (4 * hidden * hidden + 2 * hidden * inner)
    return matrices, matrices + (vocab + positions) * hidden


LARGE_MATRICES, LARGE_PARAMETERS = parameters(KNOWN_MODELS["xlm-roberta-large"])


# --- throughput -----------------------------------------------------------------------------


def gpu_kind(device_name: str) -> str | None:
    """The PEAK_FLOPS key of a CUDA device name (torch.cuda.get_device_name()): the key
    whose words the name holds, the most specific one ("NVIDIA H100 80GB HBM3" -> "h100",
    "NVIDIA H100 PCIe" -> "h100-pcie"); None for a type the table lacks."""
    words = set(re.findall(r"[a-z0-9]+", device_name.lower()))
    known = [kind for kind in PEAK_FLOPS if set(kind.split("-")) <= words]
    return max(known, key=lambda kind: kind.count("-"), default=None)


def measured_throughput(gpu: str, benchmarks: Path = BENCHMARKS) -> dict[str, float] | None:
    """{format: useful tokens/s of XLM-R Large} from benchmarks/results/training-<gpu>.txt."""
    path = Path(benchmarks) / f"training-{gpu}.txt"
    if not path.exists():
        return None
    text = path.read_text()
    if "model=large" not in text:
        return None
    found, current = {}, None
    for line in text.splitlines():
        fmt = re.match(r"train (\w+):", line)
        current = fmt.group(1) if fmt else current
        rate = re.match(r"\s+project: useful_tokens_s=([\d.]+)", line)
        if rate and current:
            found[current] = float(rate.group(1))
    return found or None


@dataclass(frozen=True)
class Throughput:
    """Useful training tokens per second of one model on one device type."""

    gpu: str
    matrices: float
    measured: dict[str, float] | None

    def tokens_per_second(self, data_format: str) -> float:
        if self.measured and data_format in self.measured:
            return self.measured[data_format] * LARGE_MATRICES / self.matrices
        return DEFAULT_MFU * PEAK_FLOPS[self.gpu] / (6 * self.matrices)

    def source(self) -> str:
        if self.measured:
            return f"measured: benchmarks/results/training-{self.gpu}.txt, scaled to the model"
        return (f"default: {DEFAULT_MFU:.0%} of {PEAK_FLOPS[self.gpu] / 1e12:g} TFLOP/s peak "
                "(no benchmarks/results/training-<gpu>.txt)")


# --- sizes ----------------------------------------------------------------------------------


class Sizes:
    """Rows of a split in one language: prepared manifest, demo generator, or reference."""

    def __init__(self, config: dict, root: Path, reference: Path = REFERENCE):
        self.config, self.root = config, Path(root)
        self.reference = reference_sizes(reference)
        self.unknown: set[str] = set()

    def rows(self, dataset: str, language: str, split: str) -> int:
        directory = self.root / paths.fill(paths.PREPARED, dataset=dataset)
        if (directory / MANIFEST).exists():
            files = checked_manifest(directory)["files"]
            return files.get(f"{language}/{split}", {}).get("rows", 0)
        if self.config["datasets"][dataset]["source"] == "demo":
            demo = self.config["demo"]
            return demo["train_examples"] if split.startswith("train") else demo["eval_examples"]
        known = self.reference.get(dataset, {}).get(split)
        if known is None:
            self.unknown.add(f"{dataset}/{split}")
        return known or 0

    def read(self, ref: DataRef, language: str | None = None) -> int:
        """Examples a job reads of a data reference (its subsample limit applied)."""
        rows = self.rows(ref.dataset, language or ref.language or "en", ref.split)
        return rows if ref.max_examples is None else min(rows, ref.max_examples)


def reference_sizes(path: Path) -> dict[str, dict[str, int]]:
    """`dataset_sizes` of config/paper_reference.yaml: {dataset: {split: rows}}, checked."""
    sizes = (load_yaml(path) or {}).get("dataset_sizes", {})
    for dataset, splits in sizes.items():
        for split, rows in (splits.items() if isinstance(splits, dict) else [("", splits)]):
            if isinstance(rows, bool) or not isinstance(rows, int) or rows < 0:
                raise ValueError(f"{path}: dataset_sizes.{dataset}{'.' if split else ''}{split} "
                                 f"is {rows!r}, expected a count of rows (an integer >= 0)")
    return sizes


# --- jobs -----------------------------------------------------------------------------------


def tokens_per_example(data_format: str, max_length: int) -> float:
    median, sequences = TYPICAL_TOKENS.get(data_format, (40, 1))
    return min(median, max_length) * sequences


def single_tasks(spec: TaskSpec) -> list[TaskSpec]:
    """The single tasks a training spec trains (a multi-task spec's sub-tasks)."""
    return list(spec.subtasks.values()) if spec.subtasks else [spec]


def evaluated(spec: TaskSpec, sizes: Sizes) -> int:
    """Examples a target job predicts: every language of its eval and test splits."""
    return sum(sizes.read(ref, language) for ref in (spec.eval, spec.test) if ref is not None
               for language in spec.languages)


class Planner:
    """Costs jobs of a configuration; `use_records`: a finished job's recorded wall time
    replaces its estimate (off: the estimates alone, benchmarks/plan_accuracy.py)."""

    def __init__(self, config: dict, root: Path, gpu: str, benchmarks: Path = BENCHMARKS,
                 use_records: bool = True):
        self.config, self.root, self.use_records = config, Path(root), use_records
        self.sizes = Sizes(config, root)
        shape = model_shape(config["model"])
        self.matrices, self.total_parameters = parameters(shape)
        self.device = "gpu" if config["gpus_per_job"] else "cpu"
        gpu = gpu if self.device == "gpu" else "cpu"
        self.throughput = Throughput(gpu, self.matrices, measured_throughput(gpu, benchmarks))
        self.weights = self.total_parameters * BYTES_PER_PARAMETER
        self.start_s = JOB_START_S["warm" if config["warm_start"] else self.device]
        self.step_overhead_s = (STEP_OVERHEAD_S[self.device] * self.total_parameters
                                / LARGE_PARAMETERS)

    def training_job(self, spec: TaskSpec, predicted: int) -> Job:
        job = Job()
        forward_tokens, steps, evaluations = 0.0, 0, 0
        for part in single_tasks(spec):
            examples = sum(self.sizes.read(ref) for ref in part.train)
            per_example = tokens_per_example(part.format, part.max_length)
            job.examples += examples
            job.tokens += examples * spec.epochs * per_example
            part_steps = math.ceil(examples * spec.epochs / spec.batch_size)
            steps += part_steps
            part_evaluations = math.ceil(part_steps / spec.hparams.eval_every_steps)
            evaluations += part_evaluations
            selection = min(spec.hparams.selection_examples,
                            sum(self.sizes.read(ref) for ref in part.dev))
            forward_tokens += (part_evaluations * selection + predicted) * per_example
        rate = self.throughput.tokens_per_second(single_tasks(spec)[0].format)
        job.seconds = (self.start_s + steps * self.step_overhead_s + job.tokens / rate
                       + forward_tokens / (FORWARD_SPEEDUP * rate))
        self.add_disk(job, evaluations)
        return job

    def add_disk(self, job: Job, evaluations: int) -> None:
        """Resume checkpoints at evaluation steps, one per interval (0: at every one)."""
        interval = self.config["resume_checkpoint_minutes"] * 60
        saves = min(math.floor(job.seconds / interval), evaluations) if interval else evaluations
        resume = RESUME_FACTOR * self.weights
        job.written = self.weights + saves * resume
        job.peak = self.weights + min(saves, 2) * resume

    def with_measured(self, job: Job, *outputs: str) -> Job:
        """The job with the wall time the provenance of its finished outputs records (a
        checkpoint directory's, a result file's; a target job: its training and its
        predictions, recorded apart) in place of the estimate, once all are finished."""
        walls = [self.wall_seconds(self.root / output) for output in outputs]
        if self.use_records and walls and None not in walls:
            job.seconds, job.measured = sum(walls), True
        return job

    @staticmethod
    def wall_seconds(output: Path) -> float | None:
        record = output / "provenance.json" if output.is_dir() else output
        return read_wall_seconds(record) if record.is_file() else None

    def prediction_job(self, specs: list[TaskSpec], data_format: str | None = None) -> Job:
        """Forward passes over every evaluated example of the tasks (one model load)."""
        examples = sum(evaluated(spec, self.sizes) for spec in specs)
        tokens = examples * tokens_per_example(data_format or specs[0].format,
                                               specs[0].max_length)
        rate = self.throughput.tokens_per_second(specs[0].format if data_format is None
                                                 else "pair_classification")
        return Job(seconds=self.start_s + tokens / (FORWARD_SPEEDUP * rate))

    def plan(self, jobs: list[tuple[str, dict[str, str]]]) -> list[RulePlan]:
        """The cost of each job of the dry run ([(rule, wildcards)]), grouped by rule in
        the order the rules first appear."""
        plans: dict[str, RulePlan] = {}
        for rule, wildcards in jobs:
            plans.setdefault(rule, RulePlan(rule)).jobs.append(self.job(rule, wildcards))
        first = {rule: i for i, rule in enumerate(PIPELINE)}
        return sorted(plans.values(), key=lambda plan: first.get(plan.rule, len(first)))

    def job(self, rule: str, wildcards: dict[str, str]) -> Job:
        """What one job costs; rules that only read files cost nothing worth planning."""
        config = self.config
        if rule == "train_intermediate":
            seed = int(wildcards["seed"])
            spec = resolve_task(config, "intermediate_tasks", wildcards["task"], seed)
            return self.with_measured(self.training_job(spec, 0),
                                      paths.fill(paths.INTERMEDIATE_MODEL, **wildcards))
        if rule == "train_target":
            spec = resolve_task(config, "target_tasks", wildcards["target"],
                                int(wildcards["seed"]))
            job = self.training_job(spec, evaluated(spec, self.sizes))
            return self.with_measured(job, paths.fill(paths.TARGET_MODEL, **wildcards),
                                      paths.fill(paths.PREDICTIONS, **wildcards))
        if rule.startswith("predict_"):
            spec = resolve_task(config, "target_tasks", wildcards["target"],
                                int(wildcards["seed"]))
            return self.with_measured(self.prediction_job([spec]),
                                      paths.fill(paths.PREDICTIONS, **wildcards))
        if rule == "evaluate_retrieval":
            specs = [resolve_task(config, "target_tasks", target)
                     for target in config["experiment"]["targets"]
                     if kind_of(config["target_tasks"][target]["format"]) is Kind.EVALUATED]
            return self.prediction_job(specs, "retrieval")
        return Job()


def read_wall_seconds(path: Path) -> float | None:
    """The wall time a record holds: a checkpoint's provenance.json, or the record inside
    a result file."""
    content = read_json(path)
    record = content.get("provenance", content)
    wall = record.get("wall_seconds") if isinstance(record, dict) else None
    return float(wall) if wall is not None else None


def dry_run_jobs(root: Path, configfiles: list[str], targets: list[str]
                 ) -> list[tuple[str, dict[str, str]]]:
    """[(rule, wildcards)] of every job `snakemake <targets>` would run in a fresh
    directory, from Snakemake's own dry run (`--forceall`: finished jobs too)."""
    snakemake = Path(sys.executable).parent / "snakemake"
    command = [str(snakemake if snakemake.exists() else "snakemake"), "-n", "--forceall",
               *targets, *(["--configfile", *configfiles] if configfiles else [])]
    run = subprocess.run(command, cwd=root, capture_output=True, text=True)
    if run.returncode != 0:
        raise ValueError(f"snakemake -n failed: {run.stderr.strip().splitlines()[-1:]}")
    jobs, rule = [], None
    for line in run.stdout.splitlines():
        started = JOB_LINE.match(line)
        if started:
            rule = started.group(1)
            jobs.append((rule, {}))
        elif rule and (found := WILDCARDS_LINE.match(line)):
            jobs[-1][1].update(pair.split("=", 1) for pair in found.group(1).split(", "))
    return jobs


# --- report ---------------------------------------------------------------------------------


def human(value: float, unit: str = "") -> str:
    """1234567 -> '1.23M' (bytes: '1.23 GB')."""
    for factor, suffix in ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= factor:
            return f"{value / factor:.3g}{' ' if unit else ''}{suffix}{unit}"
    return f"{value:.3g}{' ' + unit if unit else ''}"


HEADER = ("rule", "jobs", "measured", "train examples", "train tokens", "device-hours",
          "disk written", "peak disk/job")


def table(plans: list[RulePlan], device_count: int) -> list[tuple[str, ...]]:
    """Rows of the report: one per rule, then the total."""
    lines = []
    for plan in plans:
        lines.append((plan.rule, str(len(plan.jobs)), str(sum(j.measured for j in plan.jobs)),
                      human(plan.total("examples")), human(plan.total("tokens")),
                      f"{hours(plan, device_count):.2f}", human(plan.total("written"), "B"),
                      human(max(j.peak for j in plan.jobs), "B")))
    jobs = [job for plan in plans for job in plan.jobs]
    lines.append(("total", str(len(jobs)), str(sum(j.measured for j in jobs)),
                  human(sum(j.examples for j in jobs)), human(sum(j.tokens for j in jobs)),
                  f"{sum(hours(plan, device_count) for plan in plans):.2f}",
                  human(sum(j.written for j in jobs), "B"), human(max(j.peak for j in jobs), "B")))
    return lines


def hours(plan: RulePlan, device_count: int) -> float:
    """Device-hours of a rule: its jobs' time x the devices each holds (CPU rules: none)."""
    if plan.rule not in DEVICE_RULES:
        return 0.0
    return plan.total("seconds") * max(device_count, 1) / 3600


def report(config: dict, root: Path, gpu: str, jobs: list[tuple[str, dict[str, str]]],
           benchmarks: Path = BENCHMARKS) -> str:
    """The plan of `jobs` (dry_run_jobs) as a table, with its model, device and sources."""
    planner = Planner(config, root, gpu, benchmarks)
    plans = planner.plan(jobs)
    rows = [HEADER, *table(plans, config["gpus_per_job"])]
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADER))]
    lines = [
        f"model: {human(planner.total_parameters)} parameters "
        f"({human(planner.matrices)} non-embedding); device: "
        f"{planner.throughput.gpu if planner.device == 'gpu' else 'cpu'} x "
        f"{max(config['gpus_per_job'], 1)} per job",
        f"throughput: {planner.throughput.source()}",
        "",
        *("  ".join(cell.rjust(w) if i else cell.ljust(w)
                    for i, (cell, w) in enumerate(zip(row, widths, strict=True)))
          for row in rows),
    ]
    if planner.sizes.unknown:
        lines.append(f"sizes unknown (counted as 0): {', '.join(sorted(planner.sizes.unknown))}")
    return "\n".join(lines)
