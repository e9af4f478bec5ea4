"""The base model every row starts from: downloaded, read from disk, or built (demo).

Whatever the source, the result is the same kind of directory: a masked-LM checkpoint in
safetensors plus its tokenizer, written by `save_pretrained`.
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

from xstilts.spec import ModelSpec, TaskSpec

# XLM-R's special tokens, in XLM-R's id order (<mask> comes last).
SPECIAL_TOKENS = ["<s>", "<pad>", "</s>", "<unk>"]
MASK_TOKEN = "<mask>"


def train_tokenizer(texts, vocab_size: int):
    """An XLM-R style tokenizer (a SentencePiece Unigram model, Metaspace) learnt from
    `texts`, the same on every run.

    The pieces are chosen by BPE merges (integer counts, ties broken by the pieces) and
    scored by rank: the earlier a piece is learnt, the more frequent, the higher its
    score. The Unigram trainer's own EM is not reproducible: its result depends on the
    iteration order of its hash maps and on thread scheduling (scores differed by up to
    0.01 and 148 of 2000 piece ids between two runs on the demo corpus, and with them the
    demo's results, e.g. mnli_translated's Tatoeba score under CPU load).
    """
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, trainers
    from transformers import XLMRobertaTokenizer

    backend = Tokenizer(models.BPE(unk_token="<unk>"))
    backend.normalizer = normalizers.NFKC()
    backend.pre_tokenizer = pre_tokenizers.Metaspace()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size - 1, special_tokens=SPECIAL_TOKENS,
                                  show_progress=False)
    backend.train_from_iterator(texts, trainer=trainer)
    learnt = [piece for piece, _ in sorted(backend.get_vocab().items(), key=lambda item: item[1])
              if piece not in SPECIAL_TOKENS]
    vocab = [(token, 0.0) for token in SPECIAL_TOKENS]
    vocab += [(piece, -math.log(rank + 2)) for rank, piece in enumerate(learnt)]
    return XLMRobertaTokenizer(vocab=vocab + [(MASK_TOKEN, 0.0)])


def build_model(build: dict, tokenizer, seed: int):
    """A randomly initialised XLM-R masked LM of the size given in `build`."""
    import torch
    from transformers import XLMRobertaConfig, XLMRobertaForMaskedLM

    config = XLMRobertaConfig(
        **{key: value for key, value in build.items() if key != "vocab_size"},
        vocab_size=len(tokenizer),
        pad_token_id=tokenizer.pad_token_id,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        type_vocab_size=1,
    )
    torch.manual_seed(seed)
    return XLMRobertaForMaskedLM(config)


def load_pretrained(path: str, revision: str | None, local: bool):
    from transformers import AutoModelForMaskedLM, AutoTokenizer

    options = {"local_files_only": True} if local else {"revision": revision}
    tokenizer = AutoTokenizer.from_pretrained(path, **options)
    model = AutoModelForMaskedLM.from_pretrained(path, use_safetensors=True, **options)
    return model, tokenizer


def save(model, tokenizer, out_dir: Path) -> None:
    """save_pretrained into a temporary directory, renamed when complete."""
    from xstilts.store.atomic import atomic_output

    with atomic_output(out_dir) as partial:
        model.save_pretrained(partial, safe_serialization=True)
        tokenizer.save_pretrained(partial)


def corpus(dataset_dirs) -> list[str]:
    """Every text field of the prepared datasets (the demo tokenizer's training corpus)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    texts = []
    for directory in dataset_dirs:
        for path in sorted(Path(directory).rglob("*.parquet")):
            table = pq.read_table(path)
            for name in table.column_names:
                column = table.column(name)
                if name == "id":
                    continue
                if pa.types.is_string(column.type):
                    # None: a retrieval sentence without partner has no text on one side
                    texts += [text for text in column.to_pylist() if text is not None]
                elif pa.types.is_list(column.type) and pa.types.is_string(column.type.value_type):
                    texts += [" ".join(values) for values in column.to_pylist()]
    return texts


def base_model(spec: ModelSpec, seed: int, corpus_dirs, out_dir: Path) -> None:
    """Write the base checkpoint and its provenance record to `out_dir`."""
    from xstilts.store import provenance

    started = provenance.now()
    if spec.source == "build":
        tokenizer = train_tokenizer(corpus(corpus_dirs), spec.build["vocab_size"])
        model = build_model(spec.build, tokenizer, seed)
    else:
        resolved = None
        if spec.source == "hub":  # a branch: its commit, locked on first download
            from xstilts.store.revisions import locked_revision

            resolved = locked_revision("model", spec.path, spec.revision)
        model, tokenizer = load_pretrained(spec.path, resolved or spec.revision,
                                           local=spec.source == "local")
        check_vocabulary(model, tokenizer, spec.path)
    save(model, tokenizer, out_dir)
    source = provenance.source_record(spec.to_dict())
    if spec.source == "hub":
        source = {**source, "resolved": resolved}
    provenance.record_checkpoint(
        out_dir, "base_model",
        params={"model": {k: v for k, v in source.items() if k != "files"}, "seed": seed},
        inputs={"corpus": {Path(path).name: provenance.manifest_ref(path)
                           for path in corpus_dirs},
                **({"model_files": source["files"]} if "files" in source else {})},
        started=started, extra={"parameters": sum(p.numel() for p in model.parameters())},
    )


# embedding matrices are sometimes padded beyond the vocabulary (to a multiple of 64 or
# 128): a few rows, far below 1% of a real vocabulary
EMBEDDING_PADDING = 0.01


def check_vocabulary(model, tokenizer, path: str) -> None:
    """A model directory's tokenizer must be the model's: without its files, transformers
    builds a tokenizer of a few special tokens and every word becomes <unk>."""
    rows, size = model.get_input_embeddings().num_embeddings, len(tokenizer)
    if not 0 <= rows - size <= rows * EMBEDDING_PADDING:
        raise ValueError(f"{path}: the tokenizer has {size} tokens but the model's embeddings "
                         f"have {rows} rows; the directory needs the model's own tokenizer "
                         "files (tokenizer.json, sentencepiece.bpe.model, ...)")


def max_input_length(checkpoint_dir: Path) -> int:
    """The longest input, in tokens with specials, that the checkpoint's model accepts.

    RoBERTa-style models (XLM-R) start position ids after the padding index, so two of
    their `max_position_embeddings` are never usable (514 -> 512).
    """
    from transformers import AutoConfig

    config = AutoConfig.from_pretrained(checkpoint_dir)
    offset = config.pad_token_id + 1 if config.model_type in ("xlm-roberta", "roberta") else 0
    return config.max_position_embeddings - offset


def within_model_limit(spec: TaskSpec, limit: int) -> TaskSpec:
    """`spec` (and its sub-tasks) with max_length capped at the model's `limit`."""
    return dataclasses.replace(
        spec,
        max_length=None if spec.max_length is None else min(spec.max_length, limit),
        subtasks=None if spec.subtasks is None else {
            name: within_model_limit(sub, limit) for name, sub in spec.subtasks.items()})


def missing_layer(layer: int, num_hidden_layers: int, model: str) -> str | None:
    """Why sentences cannot be embedded with `layer` of `model`, or None if they can."""
    if 0 <= layer <= num_hidden_layers:
        return None
    return (f"config key 'model.retrieval_layer': layer {layer} does not exist in {model}, "
            f"which has {num_hidden_layers} hidden layers (0 = embedding output, "
            f"1..{num_hidden_layers} = transformer layers)")
