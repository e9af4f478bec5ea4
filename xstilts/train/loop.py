"""Fine-tune one model on one task, select the checkpoint on English dev, predict.

The same function trains intermediate and target models: the task's format supplies
features, head and decoding; the resolved task spec (xstilts.config.resolve_task)
supplies data and hyperparameters.
"""

from __future__ import annotations

import json
import logging
import math
import shutil
import sys
import time
from pathlib import Path

from xstilts.formats import FormatError, Kind, get_format, kind_of
from xstilts.formats.inference import pick_device
from xstilts.spec import TaskSpec, paths
from xstilts.store import provenance
from xstilts.store.prepared import read_manifest, read_split
from xstilts.store.splits import eval_splits
from xstilts.train.card import write_model_card
from xstilts.train.checkpoints import resume_checkpoints
from xstilts.train.history import write_history
from xstilts.train.parts import TrainingSetup, micro_batching, refs_sizes, task_part
from xstilts.train.trainer import selecting_trainer

log = logging.getLogger("xstilts.train.loop")
STATE_FILE = "trainer_state.json"  # written last into each Trainer checkpoint
TENSORBOARD_RUNS = "runs"  # where the Trainer's TensorBoard writer puts events (output_dir)


def training_arguments(spec: TaskSpec, work_dir: Path, n_train: int, bf16: bool, device: str,
                       prebatched: bool = False, report_to: str = "none"):
    """Trainer settings; `prebatched`: each training item is already a whole micro-batch;
    `report_to`: the Trainer's integrations (tensorboard: event files under `work_dir`)."""
    from transformers import TrainingArguments

    hp = spec.hparams
    micro, accumulation = micro_batching(spec.batch_size, hp.max_batch_per_device)
    # n_train counts examples, or micro-batches when prebatched
    total_steps = math.ceil(n_train / (accumulation if prebatched else spec.batch_size)
                            * spec.epochs)
    eval_steps = max(1, min(hp.eval_every_steps, total_steps))
    return TrainingArguments(
        output_dir=str(work_dir),
        per_device_train_batch_size=1 if prebatched else micro,
        remove_unused_columns=not prebatched,  # a pre-built batch names its task
        gradient_accumulation_steps=accumulation,
        per_device_eval_batch_size=hp.eval_batch_size,
        num_train_epochs=spec.epochs,
        learning_rate=hp.learning_rate,
        adam_epsilon=hp.adam_epsilon,
        weight_decay=hp.weight_decay,
        max_grad_norm=hp.max_grad_norm,
        warmup_steps=hp.warmup_ratio,  # a float below 1 is a fraction of all steps
        lr_scheduler_type="linear",
        eval_strategy="steps",
        eval_steps=eval_steps,
        # saves are scheduled at evaluations; xstilts.train.checkpoints lets through those due by
        # time (resume_checkpoint_minutes) and keeps the best weights in memory
        save_strategy="steps",
        save_steps=eval_steps,
        save_total_limit=1,
        # a resumed run continues early stopping where the killed one was
        restore_callback_states_from_checkpoint=True,
        load_best_model_at_end=True,
        metric_for_best_model="selection_score",
        greater_is_better=True,
        logging_steps=max(1, min(50, eval_steps)),
        train_sampling_strategy=(
            "group_by_length" if hp.group_by_length and not prebatched else "random"),
        bf16=bf16,
        optim=hp.optimizer,
        torch_compile=hp.compile,
        use_cpu=device == "cpu",
        seed=spec.seed,
        data_seed=spec.seed,
        dataloader_num_workers=hp.dataloader_workers,
        report_to=report_to,
        disable_tqdm=not on_terminal(),
    )


def on_terminal() -> bool:
    """Progress bars on a terminal; in a rule's log file, one line per log entry instead."""
    return sys.stderr.isatty()


def single_task_setup(spec: TaskSpec, init_dir: Path, data_root: Path, tokenizer) -> TrainingSetup:
    part = task_part(spec.task, spec, data_root, tokenizer)
    model, transfer = part.task_format.build_model(init_dir, part.label_names)
    return TrainingSetup(model, model, part.features, part.collate,
                         lambda trained: part.selection_score(trained, tokenizer), transfer,
                         part.dev_table.num_rows, spec.train + spec.dev)


def train(spec: TaskSpec, init_dir: Path, data_root: Path, out_dir: Path,
          checkpoint_minutes: float = 30, report_to: str = "none") -> tuple:
    """Train and save the selected checkpoint at `out_dir`; return (model, tokenizer, record).

    A resume checkpoint is written every `checkpoint_minutes` (xstilts.train.checkpoints).
    The checkpoint holds the run's log history (paths.LOG_HISTORY) and, with `report_to`
    tensorboard, its event files (paths.TENSORBOARD), both hashed by its record."""
    import torch
    from transformers import AutoTokenizer, EarlyStoppingCallback, set_seed

    from xstilts.models.base import max_input_length, within_model_limit
    from xstilts.runtime.devices import device_name
    from xstilts.train.mlm import mlm_setup
    from xstilts.train.multitask import multitask_setup

    started, clock = provenance.now(), time.monotonic()
    if not on_terminal():  # saving and loading weights draw bars too
        from transformers.utils.logging import disable_progress_bar

        disable_progress_bar()
    init_dir, data_root, out_dir = Path(init_dir), Path(data_root), Path(out_dir)
    init_ref = provenance.verified_checkpoint(init_dir)  # before any compute is spent on it
    device, bf16 = pick_device(spec.precision)
    set_seed(spec.seed)
    tokenizer = AutoTokenizer.from_pretrained(init_dir)
    spec = within_model_limit(spec, max_input_length(init_dir))
    kind = kind_of(spec.format)
    if kind is Kind.EVALUATED:
        raise FormatError(f"task {spec.task!r}: format {spec.format!r} is evaluated "
                          "from a checkpoint, never trained")
    setup = (mlm_setup if spec.mlm is not None
             else multitask_setup if kind is Kind.MIXTURE else single_task_setup)(
        spec, init_dir, data_root, tokenizer)
    log.info("%s: %d training items and %d selection examples on %s (bf16=%s)",
             spec.task, len(setup.train_set), setup.selection_examples, device, bf16)

    work_dir = paths.work_dir(out_dir)
    resume_from = resumable_checkpoint(work_dir, spec)
    trainer_class = selecting_trainer(setup.select)
    if setup.trainer_mixin:
        trainer_class = setup.trainer_mixin(trainer_class)
    trainer = trainer_class(
        model=setup.model,
        args=training_arguments(spec, work_dir, len(setup.train_set), bf16, device,
                                setup.prebatched, report_to),
        train_dataset=setup.train_set,
        eval_dataset=setup.train_set,  # unused: evaluation is `select`
        processing_class=tokenizer,
        data_collator=setup.collate,
        callbacks=[EarlyStoppingCallback(spec.hparams.early_stopping_patience),
                   resume_checkpoints(checkpoint_minutes)],
    )
    if resume_from:
        log.info("resuming from %s", resume_from)
        trainer.best.load(Path(resume_from))
    trainer.train(resume_from_checkpoint=resume_from)
    trainer.best.restore(trainer.model)
    selection = {
        "metric": f"{spec.format} selection score on {setup.selection_examples} "
                  f"English dev examples ({spec.hparams.selection_rows} rows of `dev`)",
        "best_metric": trainer.state.best_metric,
        "best_step": trainer.state.best_global_step,
        "steps_trained": trainer.state.global_step,
        "resumed_from_step": step_of(resume_from),
        "evaluations": [{"step": entry["step"], "score": entry["eval_selection_score"]}
                        for entry in trainer.state.log_history
                        if "eval_selection_score" in entry],
    }
    save_checkpoint(setup.checkpoint_model, tokenizer, out_dir)
    write_history(out_dir / paths.LOG_HISTORY, trainer.state.log_history, selection)
    if (work_dir / TENSORBOARD_RUNS).exists():  # every run's events, a resumed one's too
        (work_dir / TENSORBOARD_RUNS).rename(out_dir / paths.TENSORBOARD)
    discard(work_dir)
    record = provenance.record_checkpoint(
        out_dir, "checkpoint", params=spec.to_dict(),
        inputs={"init": init_ref,
                "data": provenance.dataset_refs(
                    data_root, [ref.dataset for ref in setup.data_refs])},
        started=started,
        extra={"selection": selection, "encoder_transfer": setup.transfer,
               "device": device_name(torch, device), "bf16": bf16,
               "examples": refs_sizes(data_root, setup.data_refs),
               # training and selection of this run (a resumed one: since it resumed)
               "wall_seconds": round(time.monotonic() - clock, 1)},
    )
    write_model_card(out_dir)
    return setup.checkpoint_model, tokenizer, record


def resumable_checkpoint(work_dir: Path, spec: TaskSpec) -> str | None:
    """The last complete checkpoint a killed run of this same job left in `work_dir`.

    The work directory belongs to one spec: a changed spec starts it afresh. A checkpoint
    is complete once its trainer state, which the Trainer writes last, parses.
    """
    spec_file = work_dir / "spec.json"
    spec_text = json.dumps(spec.to_dict(), sort_keys=True)
    if not spec_file.exists() or spec_file.read_text() != spec_text:
        shutil.rmtree(work_dir, ignore_errors=True)
        work_dir.mkdir(parents=True)
        spec_file.write_text(spec_text)
        return None
    complete = []
    for path in work_dir.glob("checkpoint-*"):
        if _parses(path / STATE_FILE):
            complete.append(path)
        else:  # killed while saving it
            shutil.rmtree(path)
    return str(max(complete, key=lambda path: step_of(str(path)))) if complete else None


def discard(work_dir: Path) -> None:
    """Remove a finished run's work directory: renamed first (atomic), so that a kill while
    deleting never leaves a checkpoint that looks complete but lacks its optimizer state."""
    trash = paths.beside(work_dir, paths.TRASH)
    shutil.rmtree(trash, ignore_errors=True)
    if work_dir.exists():
        work_dir.rename(trash)
    shutil.rmtree(trash, ignore_errors=True)


def _parses(path: Path) -> bool:
    try:
        json.loads(path.read_text())
    except (OSError, ValueError):
        return False
    return True


def step_of(checkpoint: str | None) -> int | None:
    return int(checkpoint.rsplit("-", 1)[1]) if checkpoint else None


def save_checkpoint(model, tokenizer, out_dir: Path) -> None:
    from xstilts.models.base import save

    save(model, tokenizer, out_dir)


def load_trained(spec: TaskSpec, checkpoint_dir: Path, verify: bool = True) -> tuple:
    """(model, tokenizer) of a checkpoint fine-tuned in `spec`'s format, every weight of it
    loaded (its head included); `verify`: its weights are first checked against its
    record (the audit's `--deep` loads them as they are, to see what they predict)."""
    from transformers import AutoConfig, AutoTokenizer

    from xstilts.models.transfer import read_checkpoint

    if verify:
        provenance.verified_checkpoint(checkpoint_dir)
    config = AutoConfig.from_pretrained(checkpoint_dir)
    label_names = [config.id2label[i] for i in range(config.num_labels)]
    model, _ = get_format(spec.format).build_model(checkpoint_dir, label_names)
    model.load_state_dict(read_checkpoint(checkpoint_dir), strict=True)
    return model, AutoTokenizer.from_pretrained(checkpoint_dir)


def predict_languages(model, tokenizer, spec: TaskSpec, data_root: Path) -> dict:
    """{language: {example id: prediction}} for every evaluation language."""
    dataset_dir = Path(data_root) / spec.eval.dataset
    splits, left_out = eval_splits(spec.eval, read_manifest(dataset_dir), spec.languages)
    for language, why in left_out.items():
        log.info("%s %s left out: %s", spec.task, language, why)
    return predict_splits(model, tokenizer, spec, dataset_dir, splits, spec.eval)


def predict_splits(model, tokenizer, spec: TaskSpec, dataset_dir: Path,
                   splits: dict[str, str], sample: dict) -> dict:
    """{language: {example id: prediction}} of each language's split ({language: split});
    `sample`: the eval or test spec, which may ask for a subset (max_examples)."""
    label_names = read_manifest(dataset_dir)["label_names"]
    task_format = get_format(spec.format)
    by_language = {}
    for language, split in splits.items():
        table = read_split(dataset_dir, language, split, sample)
        by_language[language] = task_format.predict(model, tokenizer, table, spec, label_names)
        log.info("predicted %d %s %s examples", table.num_rows, language, split)
    return by_language
