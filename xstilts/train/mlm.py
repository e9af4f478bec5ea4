"""Masked-language modelling on multilingual text during intermediate training.

The resolved intermediate task carries `mlm: {dataset, languages, ratio, probability,
max_length}`. Its task (or every sub-task of a multi-task row) and one masked-LM part are
trained as in xstilts.train.multitask: one head each on one shared encoder, pre-built
micro-batches of one part each. A single task with MLM is therefore drawn in random
micro-batches, not grouped by length as it is without MLM.

- Examples: each language's documents (a prepared text corpus, split `train`) are
  tokenised, each followed by </s>, concatenated into one stream per language and cut into
  contiguous chunks of max_length - 1 tokens, each after a <s>: full sequences as XLM-R was
  pretrained on, rather than one truncated document each, so that no compute goes to
  padding short documents and long documents contribute all of their text. A chunk never
  spans two languages; the last chunk of a language may be shorter.
- Sampling: the chunks of all languages are pooled and drawn in a seeded random order, so
  a language's share of the MLM batches is its share of the corpus's tokens (proportional
  to size, no re-weighting). Every chunk is drawn once before any is drawn again, across
  epochs.
- Ratio: each epoch adds round(ratio x task micro-batches) MLM micro-batches (at least one)
  to the task's; the Trainer shuffles them together, so an MLM batch comes `ratio` times
  per task batch on average.
- Masking: transformers' DataCollatorForLanguageModeling (`probability` of the tokens
  chosen; of those 80% masked, 10% random, 10% kept), with a generator seeded from (seed,
  epoch, batch index). A batch's chunks and masks thus depend on the seed alone, not on
  the batches drawn before it, the dataloader worker that draws it, or a resume from a
  checkpoint. The epoch reaches the batches through `set_epoch`, which accelerate's data
  loader calls at the start of every epoch, so each epoch draws new chunks and new masks.
- Loss: each micro-batch's own mean loss (per example for the task, per masked token for
  MLM), averaged over the micro-batches of an optimiser step; the parts are not weighted.
- Head: AutoModelForMaskedLM of the init checkpoint's configuration, its output embeddings
  tied to the shared input embeddings; its other head weights come from the init
  checkpoint where it has them (XLM-R's pretrained lm_head, or a built base model's), else
  they stay fresh. The transfer report says which.
- Selection and the saved checkpoint are the task's alone: MLM does not enter the
  selection score, and the task model, whose encoder MLM trained too, is what is saved.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

from xstilts.formats import Kind, get_format
from xstilts.spec import DataRef, TaskSpec

log = logging.getLogger("xstilts.train.mlm")
MLM_PART = "masked-lm"  # a hyphen: never the name of a configured task
TOKENIZE_BATCH = 1000  # documents tokenised at a time


def mlm_setup(spec: TaskSpec, init_dir: Path, data_root: Path, tokenizer):
    """A TrainingSetup (xstilts.train.loop) of the task(s) of `spec` plus its masked-LM part."""
    from xstilts.train.multitask import shared_encoder_setup
    from xstilts.train.parts import task_part

    task_format = get_format(spec.format)
    tasks = (task_format.parts(spec) if task_format.kind is Kind.MIXTURE
             else {spec.task: spec})
    parts = [task_part(name, sub, data_root, tokenizer) for name, sub in tasks.items()]
    return with_mlm(shared_encoder_setup(spec, parts, init_dir, tokenizer), spec, init_dir,
                    data_root, tokenizer)


def with_mlm(setup, spec: TaskSpec, init_dir: Path, data_root: Path, tokenizer):
    """`setup` (pre-built task micro-batches on a shared encoder) with the MLM part added."""
    from transformers import DataCollatorForLanguageModeling

    from xstilts.models.base import max_input_length
    from xstilts.train.parts import micro_batching

    mlm = spec.mlm
    max_length = min(mlm.max_length, max_input_length(init_dir))
    chunks = CorpusChunks.read(Path(data_root), mlm.dataset, mlm.languages, tokenizer,
                               max_length)
    head, report = shared_masked_lm(init_dir, setup.checkpoint_model.base_model)
    setup.model.tasks[MLM_PART] = head
    # Without loss kwargs the Trainer averages the micro-batches' own mean losses; with them
    # it would count labels across parts (examples and masked tokens) and not average.
    setup.model.accepts_loss_kwargs = False
    micro, _ = micro_batching(spec.batch_size, spec.hparams.max_batch_per_device)
    collate = DataCollatorForLanguageModeling(tokenizer, mlm_probability=mlm.probability,
                                              pad_to_multiple_of=8)
    batches = MaskedLMBatches(chunks, mlm_batches_per_epoch(len(setup.train_set), mlm.ratio),
                              micro, collate, spec.seed)
    log.info("MLM: %d batches per epoch of %d chunks (up to %d tokens) from %s",
             len(batches), micro, max_length, chunks.summary())
    corpus_refs = [DataRef(dataset=mlm.dataset, split="train", language=language)
                   for language in mlm.languages]
    return replace(setup, train_set=WithMaskedLM(setup.train_set, batches),
                   transfer={**setup.transfer, MLM_PART: report},
                   data_refs=[*setup.data_refs, *corpus_refs])


def mlm_batches_per_epoch(task_batches: int, ratio: float) -> int:
    """`ratio` MLM micro-batches per task micro-batch, rounded half up, at least one."""
    return max(1, int(task_batches * ratio + 0.5))


# --- the masked-LM head ------------------------------------------------------------------------


def shared_masked_lm(init_dir: Path, encoder) -> tuple:
    """(AutoModelForMaskedLM on `encoder`, report): the head of `init_dir` where it has one."""
    from transformers import AutoConfig, AutoModelForMaskedLM

    from xstilts.models.transfer import read_checkpoint

    model = AutoModelForMaskedLM.from_config(AutoConfig.from_pretrained(init_dir))
    setattr(model, model.base_model_prefix, encoder)
    model.tie_weights()  # the output embeddings follow the (now shared) input embeddings
    return model, load_head(model, read_checkpoint(init_dir))


def load_head(model, checkpoint: dict) -> dict:
    """Copy into `model` the weights of its head (all but the encoder) that `checkpoint`
    holds; report which were loaded, which stay fresh and which are the input embeddings."""
    from xstilts.models.transfer import EncoderTransferError

    prefix = f"{model.base_model_prefix}."
    head = {key: value for key, value in model.state_dict().items()
            if not key.startswith(prefix)}
    embeddings = model.get_input_embeddings().weight.data_ptr()
    tied = sorted(key for key, value in head.items() if value.data_ptr() == embeddings)
    found = {key: checkpoint[key] for key in head if key in checkpoint and key not in tied}
    mismatched = [key for key, value in found.items() if value.shape != head[key].shape]
    if mismatched:
        raise EncoderTransferError(f"masked-LM head weights of another shape in the init "
                                   f"checkpoint: {mismatched[:5]}")
    model.load_state_dict(found, strict=False)
    # a weight shared by two names (XLM-R's decoder bias) is loaded through either name
    loaded = {head[key].data_ptr() for key in found}
    return {
        "head_weights_from_init": sorted(k for k, v in head.items() if v.data_ptr() in loaded),
        "fresh_head_weights": sorted(k for k, v in head.items()
                                     if k not in tied and v.data_ptr() not in loaded),
        "tied_to_input_embeddings": tied,
    }


# --- the corpus and its batches ----------------------------------------------------------------


class CorpusChunks:
    """Contiguous chunks of each language's token stream (see the module docstring)."""

    def __init__(self, streams: dict, bos: int, length: int):
        import numpy as np

        self.streams = list(streams.values())  # int32 token ids per language
        self.languages = list(streams)
        self.bos, self.step = bos, length - 1  # every chunk starts with <s>
        starts = [np.arange(0, len(stream), self.step) for stream in self.streams]
        # (language number, start in its stream) of every chunk
        self.index = np.concatenate([np.stack([np.full_like(at, number), at], axis=1)
                                     for number, at in enumerate(starts)])

    @classmethod
    def read(cls, data_root: Path, dataset: str, languages: list[str], tokenizer, length: int):
        streams = {language: token_stream(documents(data_root, dataset, language), tokenizer)
                   for language in languages}
        return cls(streams, tokenizer.bos_token_id, length)

    def __len__(self) -> int:
        return len(self.index)

    def tokens(self, chunk: int) -> list[int]:
        number, start = self.index[chunk]
        return [self.bos, *self.streams[number][start:start + self.step].tolist()]

    def summary(self) -> str:
        import numpy as np

        counts = np.bincount(self.index[:, 0], minlength=len(self.streams)).tolist()
        return ", ".join(f"{language}: {count} chunks"
                         for language, count in zip(self.languages, counts, strict=True))


def documents(data_root: Path, dataset: str, language: str) -> list[str]:
    """The documents of one language of a prepared text corpus; errors name both."""
    from xstilts.store.prepared import read_manifest, read_split

    manifest = read_manifest(data_root / dataset)
    if manifest["format"] != "text":
        raise ValueError(f"MLM corpus {dataset!r} is a {manifest['format']} dataset, not a "
                         "text corpus")
    try:
        table = read_split(data_root / dataset, language, "train")
    except KeyError as error:
        raise ValueError(f"MLM corpus {dataset!r} has no language {language!r}: "
                         f"{error.args[0]}") from None
    if table.num_rows == 0:
        raise ValueError(f"MLM corpus {dataset!r} has no documents in language {language!r}")
    return table.column("text").to_pylist()


def token_stream(texts: list[str], tokenizer):
    """Every document's tokens followed by </s>, concatenated (an int32 array)."""
    import numpy as np

    pieces = []
    for start in range(0, len(texts), TOKENIZE_BATCH):
        encoded = tokenizer(texts[start:start + TOKENIZE_BATCH], add_special_tokens=False,
                            verbose=False)
        pieces += [np.asarray([*ids, tokenizer.eos_token_id], dtype=np.int32)
                   for ids in encoded["input_ids"]]
    return np.concatenate(pieces)


def batch_seed(*numbers: int) -> int:
    import numpy as np

    return int(np.random.SeedSequence(list(numbers)).generate_state(1)[0])


class MaskedLMBatches:
    """`per_epoch` masked micro-batches of `micro` chunks; batch i of epoch e is a function
    of (seed, e, i) alone (a torch map-style dataset)."""

    def __init__(self, chunks: CorpusChunks, per_epoch: int, micro: int, collate, seed: int):
        self.chunks, self.per_epoch, self.micro = chunks, per_epoch, micro
        self.collate, self.seed = collate, seed
        self.epoch = 0
        self._order = (None, None)  # (round, permutation of the chunks) last drawn from

    def __len__(self) -> int:
        return self.per_epoch

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def __getitem__(self, index: int) -> dict:
        import torch

        first = (self.epoch * self.per_epoch + index) * self.micro
        rows = [{"input_ids": self.chunks.tokens(self.chunk_at(position))}
                for position in range(first, first + self.micro)]
        # The collator draws its masks from `generator` (the global RNG when it is None).
        self.collate.generator = torch.Generator().manual_seed(
            batch_seed(self.seed, self.epoch, index))
        return {"task": MLM_PART, **self.collate(rows)}

    def chunk_at(self, position: int) -> int:
        """The chunk at `position` of the endless draw: seeded permutations of all chunks,
        one after the other."""
        import numpy as np

        round_, offset = divmod(position, len(self.chunks))
        if self._order[0] != round_:
            self._order = (round_, np.random.default_rng([self.seed, round_])
                           .permutation(len(self.chunks)))
        return int(self._order[1][offset])


class WithMaskedLM:
    """Task micro-batches, then masked-LM ones; the Trainer's sampler shuffles them."""

    def __init__(self, task_batches, mlm_batches: MaskedLMBatches):
        self.task_batches, self.mlm_batches = task_batches, mlm_batches

    def __len__(self) -> int:
        return len(self.task_batches) + len(self.mlm_batches)

    def __getitem__(self, index: int) -> dict:
        tasks = len(self.task_batches)
        return self.task_batches[index] if index < tasks else self.mlm_batches[index - tasks]

    def set_epoch(self, epoch: int) -> None:
        """Called by accelerate's data loader at the start of every epoch."""
        self.mlm_batches.set_epoch(epoch)
