"""Training and prediction throughput: the project's settings against Trainer defaults.

For each task format (sentence pairs, multiple choice, extractive QA, tagging; SYNTHETIC) it
draws one seeded set of synthetic examples with realistic lengths and times the same optimiser
steps (forward, backward, gradient clipping, AdamW step; the paper's effective batch, made of
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

Figures, one `key=value` line per format, then prediction:
  useful_tokens_s  non-padding tokens trained per second (the same tokens in both settings)
  speedup          project useful_tokens_s / baseline useful_tokens_s
  step_ms          mean time of one optimiser step (one effective batch)
  peak_mib         torch.cuda.max_memory_allocated on CUDA (weights included); on CPU the
                   growth of the process RSS during the run (approximate: the allocator
                   keeps memory that the first setting freed)
  mfu              model-FLOPs utilisation: 6 x non-embedding parameters x useful tokens /
                   step time / the GPU's dense bf16 peak, as the cost plan counts them
                   (xstilts.report.plan: `parameters`, PEAK_FLOPS of the device's
                   `gpu_kind`; "n/a" if unknown or on CPU). Embedding lookups are not
                   matmuls, so their parameters are left out; attention-score FLOPs are not
                   counted either.
  predict          examples/s over a synthetic multilingual XNLI-like dev set: padded to
                   max_length, fp32, unsorted, eager (baseline) against
                   xstilts.formats.inference.sorted_batches (project: length-sorted, bf16 on
                   CUDA, inference_mode, SDPA)

What the paper's grid costs on a GPU type is the cost plan's: `python scripts/plan.py
--gpu h100` reads the project's useful_tokens_s per format from
benchmarks/results/training-h100.txt (a run of this script with --output, model=large).
"""

from __future__ import annotations

import argparse
import copy
import datetime
import math
import platform
import sys
import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
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
from xstilts.report.plan import (  # noqa: E402
    PEAK_FLOPS,
    TYPICAL_TOKENS,
    gpu_kind,
    model_shape,
    parameters,
)
from xstilts.train.parts import micro_batching  # noqa: E402

MIB = 2**20
LARGE = dict(vocab_size=250002, hidden_size=1024, num_hidden_layers=24, num_attention_heads=16,
             intermediate_size=4096, max_position_embeddings=514, type_vocab_size=1)
# XNLI's languages with how many tokens a sentence takes relative to English (scripts and
# morphology differ; the multilingual dev set of the prediction benchmark).
LANGUAGE_LENGTH = {"en": 1.0, "de": 1.2, "fr": 1.2, "es": 1.15, "ru": 1.25, "bg": 1.25,
                   "el": 1.4, "tr": 1.2, "ar": 1.15, "hi": 1.3, "ur": 1.3, "sw": 1.3,
                   "th": 1.5, "vi": 1.3, "zh": 0.9}
PREDICTED = "pair_classification"  # the format of the prediction benchmark (XNLI-like)


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
    synthetic = SYNTHETIC[fmt]
    config = copy.deepcopy(config)
    config.num_labels = synthetic.num_labels
    with torch.device(device):
        return getattr(transformers, synthetic.head).from_config(config)


def encoder_matrices(config) -> float:
    """Non-embedding parameters of the encoder, counted as the cost plan counts them."""
    return parameters(model_shape({"source": "build", "build": config.to_dict()}))[0]


def padding_tokenizer():
    """An XLM-R style tokenizer (pad id 1); only its padding is used."""
    return train_tokenizer(["a b c d e f g h"] * 4, vocab_size=32)


def sequences_per_example(fmt: str) -> int:
    return TYPICAL_TOKENS[fmt][1]


def draw_lengths(fmt: str, n: int, max_length: int, rng, factor: float = 1.0) -> np.ndarray:
    """Tokens per sequence, log-normal around the format's typical median (x `factor`)."""
    median = TYPICAL_TOKENS[fmt][0] * factor
    lengths = rng.lognormal(math.log(median), SYNTHETIC[fmt].sigma, n).round().astype(int)
    return np.clip(lengths, 4, max_length)


def sequence(length: int, vocab_size: int, rng) -> dict:
    """<s> random tokens </s>, unpadded."""
    return {"input_ids": [0, *rng.integers(3, vocab_size, length - 2).tolist(), 2],
            "attention_mask": [1] * length}


def pair_feature(lengths, num_labels: int, vocab_size: int, rng) -> dict:
    (length,) = lengths
    return sequence(length, vocab_size, rng) | {"labels": int(rng.integers(num_labels))}


def choice_feature(lengths, num_labels: int, vocab_size: int, rng) -> dict:
    """One sequence per choice; the label is the index of a choice."""
    choices = [sequence(length, vocab_size, rng) for length in lengths]
    return {"input_ids": [choice["input_ids"] for choice in choices],
            "attention_mask": [choice["attention_mask"] for choice in choices],
            "labels": int(rng.integers(len(choices)))}


def span_feature(lengths, num_labels: int, vocab_size: int, rng) -> dict:
    """A window with an answer of at most 4 tokens inside it."""
    (length,) = lengths
    feature = sequence(length, vocab_size, rng)
    start = int(rng.integers(1, length - 1))
    return feature | {"start_positions": start,
                      "end_positions": min(length - 2, start + int(rng.integers(0, 4)))}


def tag_feature(lengths, num_labels: int, vocab_size: int, rng) -> dict:
    """A label on each word's first sub-token (here every token), none on specials."""
    (length,) = lengths
    feature = sequence(length, vocab_size, rng)
    return feature | {"labels": [-100, *rng.integers(num_labels, size=length - 2).tolist(), -100]}


@dataclass(frozen=True)
class Synthetic:
    """The synthetic training examples of a format: a task of that format (whose max_length
    and batch size of config/config.yaml are used), the head and its labels, the spread
    (sigma) of log-normal sequence lengths around the format's median in
    plan.TYPICAL_TOKENS, and how one feature looks (as the format's featurize() makes
    them: lists, unpadded)."""

    task: str
    head: str
    num_labels: int
    sigma: float
    feature: Callable[..., dict]


# Medians (plan.TYPICAL_TOKENS): NLI/paraphrase pairs ~40 tokens; a choice of HellaSwag/
# Cosmos QA (context + ending) ~90, 4 choices; a SQuAD question + paragraph ~170, long ones
# cut into 384-token windows; a UD/PAN-X sentence ~30. Cut at max_length.
SYNTHETIC = {
    "pair_classification": Synthetic("xnli", "AutoModelForSequenceClassification", 3, 0.5,
                                     pair_feature),
    "multiple_choice": Synthetic("hellaswag", "AutoModelForMultipleChoice", 1, 0.4,
                                 choice_feature),
    "extractive_qa": Synthetic("squad_v1", "AutoModelForQuestionAnswering", 2, 0.45,
                               span_feature),
    "tagging": Synthetic("udpos", "AutoModelForTokenClassification", 17, 0.6, tag_feature),
}


def synthetic_feature(fmt: str, lengths, vocab_size: int, rng) -> dict:
    """One training feature of `fmt` with sequences of `lengths`."""
    synthetic = SYNTHETIC[fmt]
    return synthetic.feature(lengths, synthetic.num_labels, vocab_size, rng)


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
    """The dense bf16 peak of the CUDA device's type (plan.PEAK_FLOPS); None on CPU."""
    if device != "cuda":
        return None
    return PEAK_FLOPS.get(gpu_kind(torch.cuda.get_device_name()))


def mfu(matrices: float, tokens_s: float, peak: float | None) -> str:
    return "n/a" if peak is None else f"{6 * matrices * tokens_s / peak:.3f}"


def format_spec(config: dict, fmt: str, model_limit: int) -> dict:
    task = SYNTHETIC[fmt].task
    spec = xconfig.resolve_task(config, task_kind(config, task), task)
    return within_model_limit(spec, model_limit)


def task_kind(config: dict, task: str) -> str:
    return "target_tasks" if task in config["target_tasks"] else "intermediate_tasks"


def benchmark_format(fmt: str, args, paper: dict, model_config_, tokenizer, report,
                     peak: float | None) -> None:
    """Train both settings of one format on the same examples; report the figures."""
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
    figures = {}
    for setting in settings(args):
        batches = [step_batches(group, collate, setting, micro, accumulation, spec.max_length,
                                tokenizer.pad_token_id, args.seed) for group in (warmup, timed)]
        measured = time_training(model, setting, *batches)
        measured["tokens_s"] = tokens / measured["seconds"]
        figures[setting.name] = measured
    base, proj = figures["baseline"], figures["project"]
    matrices = encoder_matrices(model_config_)
    padded_length = spec.max_length * sequences_per_example(fmt)
    report(f"train {fmt}: task={spec.task} max_length={spec.max_length} "
           f"batch={spec.batch_size} micro={micro}x{accumulation} "
           f"useful_tokens_per_step={tokens / args.steps:.0f} "
           f"baseline_padding={1 - tokens / (len(timed) * padded_length):.2f}")
    for name, measured in (("baseline", base), ("project", proj)):
        report(f"  {name}: useful_tokens_s={measured['tokens_s']:.1f} "
               f"step_ms={measured['step_ms']:.1f} peak_mib={measured['peak_mib']:.1f} "
               f"mfu={mfu(matrices, measured['tokens_s'], peak)}")
    report(f"  speedup={proj['tokens_s'] / base['tokens_s']:.2f}")
    del model


def settings(args) -> list[Setting]:
    return [Setting("baseline", args.device, project=False),
            Setting("project", args.device, project=True, compile_model=args.compile)]


# --- prediction ---------------------------------------------------------------------------

def dev_features(per_language: int, max_length: int, vocab_size: int, rng) -> list[dict]:
    """XNLI-like pairs in every language of LANGUAGE_LENGTH, shuffled."""
    features = []
    for factor in LANGUAGE_LENGTH.values():
        features += [synthetic_feature(PREDICTED, [length], vocab_size, rng)
                     for length in draw_lengths(PREDICTED, per_language, max_length, rng,
                                                factor)]
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
    spec = format_spec(paper, PREDICTED, model_config_.max_position_embeddings - 2)
    batch_size, max_length = spec.hparams.eval_batch_size, spec.max_length
    features = dev_features(args.dev_per_language, max_length, model_config_.vocab_size,
                            np.random.default_rng(args.seed))
    collate = get_format(PREDICTED).collator(tokenizer)
    model = build_head(PREDICTED, model_config_, args.device)
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
    for fmt in SYNTHETIC:
        benchmark_format(fmt, args, paper, model_config_, tokenizer, report, peak)
    benchmark_prediction(args, paper, model_config_, tokenizer, report)
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text("\n".join(report.lines) + "\n")


if __name__ == "__main__":
    main()
