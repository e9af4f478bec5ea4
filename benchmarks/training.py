"""Training and prediction throughput: the project's settings against Trainer defaults.

For each task format (sentence pairs, multiple choice, extractive QA, tagging) it draws one
seeded set of synthetic examples with realistic lengths and times the same optimiser steps
(forward, backward, gradient clipping, AdamW step; the paper's effective batch, made of
micro-batches of at most --max-batch with gradient accumulation) in two settings:

  baseline  Trainer defaults of old: fp32, every batch padded to max_length, random order,
            plain torch AdamW (not fused), eager attention.
  project   what xstilts.train.loop configures: bf16 autocast on CUDA (fp32 on CPU), PyTorch
            SDPA attention, dynamic padding (multiple of 8) of batches grouped by length
            (transformers' LengthGroupedSampler, as Trainer's group_by_length), fused AdamW
            on CUDA, torch.compile with --compile.

The model is XLM-R Large built from its config with random weights on CUDA (no download),
the demo model of config/demo.yaml on CPU; max_length is the paper's per task format
(config/config.yaml), capped at what the model accepts.

    python benchmarks/training.py --output benchmarks/results/training-h100.txt  # GPU node
    python benchmarks/training.py --compile --max-batch 16                       # GPU node
    python benchmarks/training.py --steps 3                                      # CPU, demo

Figures, one `key=value` line per format, then prediction and the estimate:
  useful_tokens_s  non-padding tokens trained per second (the same tokens in both settings)
  speedup          project useful_tokens_s / baseline useful_tokens_s
  step_ms          mean time of one optimiser step (one effective batch)
  peak_mib         torch.cuda.max_memory_allocated on CUDA (weights included); on CPU the
                   growth of the process RSS during the run (approximate: the allocator
                   keeps memory that the first setting freed)
  mfu              model-FLOPs utilisation: 6 x non-embedding parameters x useful tokens /
                   step time / the GPU's dense bf16 peak (PEAK_BF16_FLOPS; "n/a" if unknown
                   or on CPU). Embedding lookups are not matmuls, so their parameters are
                   left out; attention-score FLOPs are not counted either.
  predict          examples/s over a synthetic multilingual XNLI-like dev set: padded to
                   max_length, fp32, unsorted, eager (baseline) against
                   xstilts.formats.inference.sorted_batches (project: length-sorted, bf16 on
                   CUDA, inference_mode, SDPA)
  table2_hours     device-hours to train Table 2 (every intermediate task, then every row x
                   trained target; no evaluation or prediction) from each format's measured
                   useful_tokens_s, its mean useful tokens per example and TRAIN_EXAMPLES
                   (or --table1 results/table1.csv) x the epochs of config/config.yaml
"""

from __future__ import annotations

import argparse
import copy
import csv
import datetime
import math
import platform
import sys
import time
from contextlib import nullcontext
from pathlib import Path

import numpy as np
import torch
import transformers
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from a source checkout

from benchmarks.retrieval import PeakRss  # noqa: E402
from xstilts import config as xconfig  # noqa: E402
from xstilts.formats import get_format  # noqa: E402
from xstilts.formats.inference import sorted_batches  # noqa: E402
from xstilts.models.base import train_tokenizer, within_model_limit  # noqa: E402
from xstilts.spec import paths  # noqa: E402
from xstilts.spec.specs import TaskSpec  # noqa: E402
from xstilts.train.parts import micro_batching  # noqa: E402

MIB = 2**20
LARGE = dict(vocab_size=250002, hidden_size=1024, num_hidden_layers=24, num_attention_heads=16,
             intermediate_size=4096, max_position_embeddings=514, type_vocab_size=1)
# Dense bf16 peaks (no sparsity), matched in order against torch.cuda.get_device_name().
PEAK_BF16_FLOPS = [("H100 PCIe", 756e12), ("H100", 989e12), ("H200", 989e12),
                   ("GH200", 989e12), ("A100", 312e12)]
# A task of each format, whose max_length and batch size (config/config.yaml) are used.
FORMAT_TASKS = {"pair_classification": "xnli", "multiple_choice": "hellaswag",
                "extractive_qa": "squad_v1", "tagging": "udpos"}
# Tokens per sequence (specials included), log-normal (median, sigma) before the cut at
# max_length: NLI/paraphrase pairs ~40; a choice of HellaSwag/Cosmos QA (context + ending)
# ~90; a SQuAD question + paragraph ~170, long ones cut into 384-token windows; a UD/PAN-X
# sentence ~30.
LENGTHS = {"pair_classification": (40, 0.5), "multiple_choice": (90, 0.4),
           "extractive_qa": (170, 0.45), "tagging": (30, 0.6)}
CHOICES = 4
NUM_LABELS = {"pair_classification": 3, "multiple_choice": 1, "extractive_qa": 2,
              "tagging": 17}
HEADS = {"pair_classification": "AutoModelForSequenceClassification",
         "multiple_choice": "AutoModelForMultipleChoice",
         "extractive_qa": "AutoModelForQuestionAnswering",
         "tagging": "AutoModelForTokenClassification"}
# English training examples of each task (REFERENCE.md, XTREME's Table; QA: questions,
# about one 384-token window each). --table1 replaces them with counted ones.
TRAIN_EXAMPLES = {
    "anli_plus": 1_104_934, "mnli": 392_702, "qqp": 363_846, "squad_v1": 87_599,
    "squad_v2": 130_319, "hellaswag": 39_905, "cosmosqa": 25_262, "commonsenseqa": 9_741,
    "ccg": 38_000, "xnli": 392_702, "pawsx": 49_401, "udpos": 21_253, "panx": 20_000,
    "xquad": 87_599, "mlqa": 87_599, "tydiqa": 3_696,
}
# XNLI's languages with how many tokens a sentence takes relative to English (scripts and
# morphology differ; the multilingual dev set of the prediction benchmark).
LANGUAGE_LENGTH = {"en": 1.0, "de": 1.2, "fr": 1.2, "es": 1.15, "ru": 1.25, "bg": 1.25,
                   "el": 1.4, "tr": 1.2, "ar": 1.15, "hi": 1.3, "ur": 1.3, "sw": 1.3,
                   "th": 1.5, "vi": 1.3, "zh": 0.9}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default=None, help="cpu or cuda (default: cuda if present)")
    parser.add_argument("--model", choices=["large", "demo"], default=None,
                        help="XLM-R Large or the demo size (default: large on CUDA, else demo)")
    parser.add_argument("--steps", type=int, default=None,
                        help="timed optimiser steps per setting (default: 20 CUDA, 5 CPU)")
    parser.add_argument("--warmup", type=int, default=2, help="untimed steps first")
    parser.add_argument("--max-batch", type=int, default=8,
                        help="micro-batch cap in examples; the rest is accumulation")
    parser.add_argument("--compile", action="store_true", help="torch.compile (project)")
    parser.add_argument("--dev-per-language", type=int, default=None,
                        help="prediction examples per language (default: 256 CUDA, 32 CPU)")
    parser.add_argument("--table1", type=Path, default=None,
                        help=f"{paths.TABLE1}: training sizes instead of TRAIN_EXAMPLES")
    parser.add_argument("--output", type=Path, default=None, help="also write the text here")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    args.device = args.device or ("cuda" if torch.cuda.is_available() else "cpu")
    on_cuda = args.device == "cuda"
    args.model = args.model or ("large" if on_cuda else "demo")
    args.steps = args.steps or (20 if on_cuda else 5)
    args.dev_per_language = args.dev_per_language or (256 if on_cuda else 32)
    return args


class Report:
    """Prints lines as they come and keeps them for --output."""

    def __init__(self):
        self.lines: list[str] = []

    def __call__(self, line: str) -> None:
        print(line, flush=True)
        self.lines.append(line)


# --- model and data ---------------------------------------------------------------------

def model_config(size: str, pad_token_id: int):
    build = LARGE
    if size == "demo":
        demo = yaml.safe_load((ROOT / "config" / "demo.yaml").read_text())
        build = {**demo["model"]["build"], "type_vocab_size": 1}
    return transformers.XLMRobertaConfig(**build, pad_token_id=pad_token_id)


def build_head(fmt: str, config, device: str):
    """A randomly initialised model with the format's head, created on `device`."""
    head = getattr(transformers, HEADS[fmt])
    config = copy.deepcopy(config)
    config.num_labels = NUM_LABELS[fmt]
    with torch.device(device):
        return head.from_config(config)


def padding_tokenizer():
    """An XLM-R style tokenizer (pad id 1); only its padding is used."""
    return train_tokenizer(["a b c d e f g h"] * 4, vocab_size=32)


def draw_lengths(fmt: str, n: int, max_length: int, rng) -> np.ndarray:
    median, sigma = LENGTHS[fmt]
    lengths = rng.lognormal(math.log(median), sigma, n).round().astype(int)
    return np.clip(lengths, 4, max_length)


def synthetic_feature(fmt: str, lengths, vocab_size: int, rng) -> dict:
    """One training feature of `fmt` as its featurize() makes them (lists, unpadded)."""
    def ids(length):
        return [0, *rng.integers(3, vocab_size, length - 2).tolist(), 2]

    if fmt == "multiple_choice":
        return {"input_ids": [ids(n) for n in lengths],
                "attention_mask": [[1] * n for n in lengths],
                "labels": int(rng.integers(CHOICES))}
    (length,) = lengths
    feature = {"input_ids": ids(length), "attention_mask": [1] * length}
    if fmt == "pair_classification":
        feature["labels"] = int(rng.integers(NUM_LABELS[fmt]))
    elif fmt == "extractive_qa":
        start = int(rng.integers(1, length - 1))
        feature |= {"start_positions": start,
                    "end_positions": min(length - 2, start + int(rng.integers(0, 4)))}
    else:  # tagging: a label on each word's first sub-token, none on specials
        feature["labels"] = [-100, *rng.integers(NUM_LABELS[fmt], size=length - 2).tolist(), -100]
    return feature


def sequences_per_example(fmt: str) -> int:
    return CHOICES if fmt == "multiple_choice" else 1


def synthetic_features(fmt: str, n: int, max_length: int, vocab_size: int, rng) -> list[dict]:
    per_example = sequences_per_example(fmt)
    lengths = draw_lengths(fmt, n * per_example, max_length, rng).reshape(n, per_example)
    return [synthetic_feature(fmt, row, vocab_size, rng) for row in lengths]


def padded(feature: dict, length: int, pad_id: int) -> dict:
    """`feature` padded to `length` (Trainer defaults: padding="max_length")."""
    values = {"input_ids": pad_id, "attention_mask": 0, "labels": -100}
    out = dict(feature)
    for key, value in values.items():
        seqs = feature.get(key)
        if isinstance(seqs, list) and seqs and isinstance(seqs[0], list):
            out[key] = [seq + [value] * (length - len(seq)) for seq in seqs]
        elif isinstance(seqs, list):
            out[key] = seqs + [value] * (length - len(seqs))
    return out


def useful_tokens(feature: dict) -> int:
    mask = feature["attention_mask"]
    return sum(map(sum, mask)) if isinstance(mask[0], list) else sum(mask)


def sequence_length(feature: dict) -> int:
    ids = feature["input_ids"]
    return max(map(len, ids)) if isinstance(ids[0], list) else len(ids)


def batch_order(features: list[dict], micro: int, grouped: bool, seed: int) -> list[list[int]]:
    """Micro-batches of indices: grouped by length as Trainer's group_by_length, or random."""
    from transformers.trainer_pt_utils import LengthGroupedSampler

    generator = torch.Generator().manual_seed(seed)
    if grouped:
        lengths = [sequence_length(feature) for feature in features]
        order = list(LengthGroupedSampler(micro, lengths=lengths, generator=generator))
    else:
        order = torch.randperm(len(features), generator=generator).tolist()
    return [order[start:start + micro] for start in range(0, len(order), micro)]


# --- one setting ------------------------------------------------------------------------

class Setting:
    """How a setting trains and predicts: precision, attention, padding, optimiser."""

    def __init__(self, name: str, device: str, project: bool, compile_model: bool = False):
        self.name, self.device, self.project = name, device, project
        self.bf16 = project and device == "cuda"
        self.attention = "sdpa" if project else "eager"
        self.fused = project and device == "cuda"
        self.compile = project and compile_model

    def autocast(self):
        if not self.bf16:
            return nullcontext()
        return torch.autocast(self.device, dtype=torch.bfloat16)

    def prepare(self, model):
        model.set_attn_implementation(self.attention)
        return torch.compile(model) if self.compile else model

    def optimizer(self, model):
        return torch.optim.AdamW(model.parameters(), lr=1e-5, eps=1e-8, weight_decay=0.01,
                                 fused=self.fused)


def synchronize(device: str) -> None:
    if device == "cuda":
        torch.cuda.synchronize()


def optimiser_step(model, optimizer, batches: list, setting: Setting) -> None:
    for batch in batches:
        with setting.autocast():
            loss = model(**batch.to(setting.device)).loss / len(batches)
        loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)


def step_batches(features, collate, setting: Setting, micro: int, accumulation: int,
                 max_length: int, pad_id: int, seed: int) -> list[list]:
    """Collated micro-batches, `accumulation` per optimiser step."""
    if not setting.project:
        features = [padded(feature, max_length, pad_id) for feature in features]
    micro_batches = [collate([features[i] for i in indices])
                     for indices in batch_order(features, micro, setting.project, seed)]
    return [micro_batches[start:start + accumulation]
            for start in range(0, len(micro_batches), accumulation)]


def measure_memory(device: str):
    if device == "cuda":
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()
        return nullcontext()
    return PeakRss()


def peak_mib(device: str, rss) -> float:
    if device == "cuda":
        return torch.cuda.max_memory_allocated() / MIB
    return rss.growth_bytes / MIB


def time_training(model, setting: Setting, warmup: list, timed: list) -> dict:
    """Step time and peak memory of `setting` over the `timed` optimiser steps."""
    with measure_memory(setting.device) as rss:
        runnable = setting.prepare(model)
        optimizer = setting.optimizer(model)
        model.train()
        for batches in warmup:
            optimiser_step(runnable, optimizer, batches, setting)
        synchronize(setting.device)
        start = time.perf_counter()
        for batches in timed:
            optimiser_step(runnable, optimizer, batches, setting)
        synchronize(setting.device)
        elapsed = time.perf_counter() - start
    memory = peak_mib(setting.device, rss)
    del optimizer
    return {"seconds": elapsed, "step_ms": 1000 * elapsed / len(timed), "peak_mib": memory}


# --- figures ----------------------------------------------------------------------------

def peak_flops(device: str) -> float | None:
    if device != "cuda":
        return None
    name = torch.cuda.get_device_name()
    return next((peak for key, peak in PEAK_BF16_FLOPS if key in name), None)


def matmul_parameters(model) -> int:
    """Parameters outside the embedding tables (lookups, not matmuls)."""
    embeddings = sum(p.numel() for name, p in model.named_parameters() if "embeddings." in name)
    return sum(p.numel() for p in model.parameters()) - embeddings


def mfu(parameters: int, tokens_s: float, peak: float | None) -> str:
    return "n/a" if peak is None else f"{6 * parameters * tokens_s / peak:.3f}"


def format_spec(config: dict, fmt: str, model_limit: int) -> dict:
    spec = xconfig.resolve_task(config, task_kind(config, FORMAT_TASKS[fmt]), FORMAT_TASKS[fmt])
    return within_model_limit(spec, model_limit)


def task_kind(config: dict, task: str) -> str:
    return "target_tasks" if task in config["target_tasks"] else "intermediate_tasks"


def benchmark_format(fmt: str, args, paper: dict, model_config_, tokenizer, report,
                     peak: float | None) -> dict:
    """Train both settings of one format on the same examples; report and return figures."""
    spec = format_spec(paper, fmt, model_config_.max_position_embeddings - 2)
    micro, accumulation = micro_batching(spec.batch_size, args.max_batch)
    rng = np.random.default_rng(args.seed)
    # warm-up on examples of its own: grouping puts the longest batch first
    warmup, timed = (synthetic_features(fmt, steps * spec.batch_size, spec.max_length,
                                        model_config_.vocab_size, rng)
                     for steps in (args.warmup, args.steps))
    tokens = sum(map(useful_tokens, timed))
    collate = get_format(fmt).collator(tokenizer)
    model = build_head(fmt, model_config_, args.device)
    figures = {"tokens_per_example": tokens / len(timed)}
    for setting in settings(args):
        batches = [step_batches(group, collate, setting, micro, accumulation, spec.max_length,
                                tokenizer.pad_token_id, args.seed) for group in (warmup, timed)]
        measured = time_training(model, setting, *batches)
        measured["tokens_s"] = tokens / measured["seconds"]
        figures[setting.name] = measured
    base, proj = figures["baseline"], figures["project"]
    parameters = matmul_parameters(model)
    padded_length = spec.max_length * sequences_per_example(fmt)
    report(f"train {fmt}: task={spec.task} max_length={spec.max_length} "
           f"batch={spec.batch_size} micro={micro}x{accumulation} "
           f"useful_tokens_per_step={tokens / args.steps:.0f} "
           f"baseline_padding={1 - tokens / (len(timed) * padded_length):.2f}")
    for name, measured in (("baseline", base), ("project", proj)):
        report(f"  {name}: useful_tokens_s={measured['tokens_s']:.1f} "
               f"step_ms={measured['step_ms']:.1f} peak_mib={measured['peak_mib']:.1f} "
               f"mfu={mfu(parameters, measured['tokens_s'], peak)}")
    report(f"  speedup={proj['tokens_s'] / base['tokens_s']:.2f}")
    del model
    return figures


def settings(args) -> list[Setting]:
    return [Setting("baseline", args.device, project=False),
            Setting("project", args.device, project=True, compile_model=args.compile)]


# --- prediction ---------------------------------------------------------------------------

def dev_features(per_language: int, max_length: int, vocab_size: int, rng) -> list[dict]:
    """XNLI-like pairs in every language of LANGUAGE_LENGTH, shuffled."""
    median, sigma = LENGTHS["pair_classification"]
    features = []
    for factor in LANGUAGE_LENGTH.values():
        lengths = rng.lognormal(math.log(median * factor), sigma, per_language).round()
        features += [synthetic_feature("pair_classification", [length], vocab_size, rng)
                     for length in np.clip(lengths.astype(int), 4, max_length)]
    features = [{key: feature[key] for key in ("input_ids", "attention_mask")}
                for feature in features]  # no labels at prediction
    return [features[i] for i in rng.permutation(len(features))]


def baseline_predictions(model, features, collate, batch_size: int, device: str):
    """Trainer.predict of old: fixed order, fp32, batches padded to max_length."""
    model.to(device).eval()
    with torch.no_grad():
        for start in range(0, len(features), batch_size):
            yield model(**collate(features[start:start + batch_size]).to(device))


def examples_per_second(predictions, n: int, device: str) -> float:
    start = time.perf_counter()
    for _ in predictions:
        pass
    synchronize(device)
    return n / (time.perf_counter() - start)


def benchmark_prediction(args, paper: dict, model_config_, tokenizer, report) -> None:
    spec = format_spec(paper, "pair_classification", model_config_.max_position_embeddings - 2)
    batch_size, max_length = spec.hparams.eval_batch_size, spec.max_length
    features = dev_features(args.dev_per_language, max_length, model_config_.vocab_size,
                            np.random.default_rng(args.seed))
    collate = get_format("pair_classification").collator(tokenizer)
    model = build_head("pair_classification", model_config_, args.device)
    model.set_attn_implementation("eager")
    padded_features = [padded(feature, max_length, tokenizer.pad_token_id) for feature in features]
    base = examples_per_second(
        baseline_predictions(model, padded_features, collate, batch_size, args.device),
        len(features), args.device)
    model.set_attn_implementation("sdpa")
    proj = examples_per_second(
        sorted_batches(model, features, collate, batch_size, spec.precision),
        len(features), args.device)
    report(f"predict {spec.task}-like: languages={len(LANGUAGE_LENGTH)} "
           f"examples={len(features)} batch={batch_size} max_length={max_length}")
    report(f"  baseline_examples_s={base:.1f} project_examples_s={proj:.1f} "
           f"speedup={proj / base:.2f}")


# --- Table 2 estimate ---------------------------------------------------------------------

def train_sizes(table1: Path | None) -> dict[str, int]:
    """TRAIN_EXAMPLES, with the `train` counts of results/table1.csv where given."""
    sizes = dict(TRAIN_EXAMPLES)
    if table1:
        with table1.open(newline="") as handle:
            sizes |= {row["task"]: int(row["train"]) for row in csv.DictReader(handle)
                      if row.get("train")}
    return sizes


def task_hours(spec: TaskSpec, sizes: dict, measured: dict, setting: str, epochs=None) -> float:
    """Hours to train one task in `setting`; a mixture is the sum of its parts."""
    epochs = epochs or spec.epochs
    if spec.format == "multitask":
        return sum(task_hours(sub, sizes, measured, setting, epochs)
                   for sub in spec.subtasks.values())
    figures = measured[spec.format]
    tokens = sizes[spec.task] * epochs * figures["tokens_per_example"]
    return tokens / figures[setting]["tokens_s"] / 3600


def table2_hours(paper: dict, sizes: dict, measured: dict, setting: str) -> float:
    """Every intermediate task once, then each row of Table 2 x each trained target."""
    experiment = paper["experiment"]
    intermediate = sum(
        task_hours(xconfig.resolve_task(paper, "intermediate_tasks", name), sizes, measured,
                   setting) for name in experiment["intermediate"])
    targets = [xconfig.resolve_task(paper, "target_tasks", name) for name in experiment["targets"]]
    per_row = sum(task_hours(spec, sizes, measured, setting) for spec in targets
                  if spec.format != "retrieval")
    return intermediate + len(xconfig.rows(paper)) * per_row


def report_estimate(paper: dict, args, measured: dict, report) -> None:
    experiment = paper["experiment"]
    trained = [name for name in experiment["targets"]
               if paper["target_tasks"][name]["format"] != "retrieval"]
    sizes = train_sizes(args.table1)
    hours = {name: table2_hours(paper, sizes, measured, name) for name in ("baseline", "project")}
    report(f"table2 estimate ({args.device}, {args.model} model): "
           f"intermediate={len(experiment['intermediate'])} rows={len(xconfig.rows(paper))} "
           f"trained_targets={len(trained)} sizes={args.table1 or 'TRAIN_EXAMPLES'}")
    report(f"  baseline_gpu_hours={hours['baseline']:.1f} project_gpu_hours={hours['project']:.1f} "
           f"ratio={hours['baseline'] / hours['project']:.2f}")


# --- main ---------------------------------------------------------------------------------

def header(args) -> str:
    device = torch.cuda.get_device_name() if args.device == "cuda" else platform.processor()
    date = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (f"# {date} device={args.device} ({device or 'cpu'}) threads={torch.get_num_threads()} "
            f"torch={torch.__version__} transformers={transformers.__version__} "
            f"model={args.model} steps={args.steps} warmup={args.warmup} "
            f"max_batch={args.max_batch} compile={args.compile}")


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    torch.manual_seed(args.seed)
    report = Report()
    report(header(args))
    paper = xconfig.load([ROOT / "config" / "config.yaml"])
    tokenizer = padding_tokenizer()
    model_config_ = model_config(args.model, tokenizer.pad_token_id)
    peak = peak_flops(args.device)
    report(f"peak_bf16_flops={peak or 'n/a'}")
    measured = {fmt: benchmark_format(fmt, args, paper, model_config_, tokenizer, report, peak)
                for fmt in FORMAT_TASKS}
    benchmark_prediction(args, paper, model_config_, tokenizer, report)
    report_estimate(paper, args, measured, report)
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text("\n".join(report.lines) + "\n")


if __name__ == "__main__":
    main()
