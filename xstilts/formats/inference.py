"""Batched, length-sorted forward passes shared by every format's prediction."""

from __future__ import annotations


def pick_device(precision: str) -> tuple[str, bool]:
    """(device, use bf16): bf16 autocast on CUDA unless fp32 is asked for; fp32 on CPU."""
    import torch

    if torch.cuda.is_available():
        return "cuda", precision in ("auto", "bf16")
    return "cpu", precision == "bf16"


def sorted_batches(model, features: list[dict], collate, batch_size: int, precision: str):
    """Yield (feature indices, model outputs) over batches of similar length.

    Sorting by length keeps padding, and so wasted compute, to a minimum; callers put
    results back in order with the indices.
    """
    import torch

    device, bf16 = pick_device(precision)
    order = sorted(range(len(features)), key=lambda i: len(features[i]["input_ids"]))
    model.to(device).eval()
    with torch.inference_mode(), torch.autocast(device, dtype=torch.bfloat16, enabled=bf16):
        for start in range(0, len(order), batch_size):
            indices = order[start:start + batch_size]
            batch = collate([features[i] for i in indices]).to(device)
            yield indices, model(**batch)
