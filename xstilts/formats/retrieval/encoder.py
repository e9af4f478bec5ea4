"""A checkpoint's encoder used as a sentence encoder (BUCC, Tatoeba): no task head, no training.

A sentence's embedding is the mean, over its non-padding tokens (special tokens included),
of the hidden states of one layer: `hidden_states[layer]`, where 0 is the embedding output
and n the output of the n-th transformer layer, as in XTREME's retrieval code.
This module imports torch; import it only in jobs that embed.
"""

from __future__ import annotations

from pathlib import Path

import torch

from xstilts.formats.inference import sorted_batches
from xstilts.formats.interface import padding_collator
from xstilts.models.base import missing_layer


def mean_pool(hidden_states: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """Mean of the hidden states (batch, length, dim) over tokens whose mask is non-zero.

    Special tokens count like any other unmasked token, as in XTREME's mean pooling. The
    result is float32; a row with no unmasked token yields zeros instead of NaN.
    """
    # Summing 512 half-precision vectors can overflow, so pool in float32.
    mask = attention_mask.float().unsqueeze(-1)
    summed = (hidden_states.float() * mask).sum(dim=1)
    counts = mask.sum(dim=1).clamp(min=1)
    return summed / counts


class LayerMeanPool(torch.nn.Module):
    """input_ids, attention_mask -> mean-pooled hidden states of one layer, (batch, hidden)."""

    def __init__(self, encoder: torch.nn.Module, layer: int):
        super().__init__()
        self.encoder = encoder
        self.layer = layer

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        outputs = self.encoder(input_ids=input_ids, attention_mask=attention_mask,
                               output_hidden_states=True)
        return mean_pool(outputs.hidden_states[self.layer], attention_mask)


def load_sentence_encoder(checkpoint_dir: Path,
                          layer: int) -> tuple[LayerMeanPool, object, dict]:
    """(sentence encoder, tokenizer, encoder transfer report) of any checkpoint of the base model.

    The encoder is copied from the checkpoint with the same check as target training: every
    encoder weight must be there; heads (masked LM, classification) are left out.
    """
    from transformers import AutoConfig, AutoModel, AutoTokenizer

    from xstilts.models.transfer import load_encoder

    config = AutoConfig.from_pretrained(checkpoint_dir)
    problem = missing_layer(layer, config.num_hidden_layers, str(checkpoint_dir))
    if problem:
        raise ValueError(problem)
    encoder = AutoModel.from_config(config, add_pooling_layer=False)
    transfer = load_encoder(encoder, checkpoint_dir)
    return LayerMeanPool(encoder, layer), AutoTokenizer.from_pretrained(checkpoint_dir), transfer


def embed(model: LayerMeanPool, tokenizer, sentences: list[str], max_length: int,
          batch_size: int, precision: str) -> torch.Tensor:
    """(len(sentences), hidden) float32 CPU embeddings, in the order of `sentences`.

    Batches of similar length (sorted), bf16 autocast on CUDA (see tasks.inference).
    """
    encoded = tokenizer(sentences, truncation=True, max_length=max_length)
    features = [{"input_ids": ids, "attention_mask": mask}
                for ids, mask in zip(encoded["input_ids"], encoded["attention_mask"],
                                     strict=True)]
    collate = padding_collator(tokenizer)
    embeddings = torch.zeros(len(sentences), model.encoder.config.hidden_size)
    for indices, pooled in sorted_batches(model, features, collate, batch_size, precision):
        embeddings[indices] = pooled.float().cpu()
    return embeddings
