"""Encoder-only transfer: a fresh task head on top of another checkpoint's encoder.

`from_pretrained` would silently reuse a head whose shape happens to match, and would
silently skip mis-keyed encoder weights. Here the encoder weights are copied explicitly
and every one of them must be accounted for.
"""

from __future__ import annotations

from pathlib import Path

# Parts of a base model that some heads use and others lack: freshly initialised when the
# source has none, dropped when the target has none.
OPTIONAL_ENCODER_PARTS = ("pooler.",)


class EncoderTransferError(RuntimeError):
    """The checkpoint's encoder does not fit the target model's encoder exactly."""


def read_checkpoint(checkpoint_dir: Path) -> dict:
    from safetensors.torch import load_file

    files = sorted(Path(checkpoint_dir).glob("*.safetensors"))
    if not files:
        raise FileNotFoundError(f"{checkpoint_dir}: no *.safetensors checkpoint")
    state = {}
    for path in files:
        try:
            state.update(load_file(path))
        except Exception as error:  # SafetensorError: a truncated or corrupt file
            raise ValueError(f"{path}: not a readable safetensors file ({error})") from None
    return state


def split_encoder(state: dict, prefix: str) -> tuple[dict, list[str]]:
    """(encoder weights without the prefix, names of every other weight)."""
    if not any(key.startswith(prefix) for key in state):
        return dict(state), []  # a bare encoder checkpoint
    encoder = {key[len(prefix):]: value for key, value in state.items() if key.startswith(prefix)}
    others = sorted(key for key in state if not key.startswith(prefix))
    return encoder, others


def load_encoder(model, checkpoint_dir: Path) -> dict:
    """Copy the encoder of `checkpoint_dir` into `model`'s base model; report what happened."""
    prefix = f"{model.base_model_prefix}."
    encoder, dropped = split_encoder(read_checkpoint(checkpoint_dir), prefix)
    expected = set(model.base_model.state_dict())
    missing = sorted(expected - set(encoder))
    unexpected = sorted(set(encoder) - expected)
    bad = [key for key in missing + unexpected if not key.startswith(OPTIONAL_ENCODER_PARTS)]
    if bad:
        raise EncoderTransferError(
            f"{checkpoint_dir}: encoder weights do not match the target model "
            f"(missing in checkpoint: {[k for k in missing if k in bad][:5]}, "
            f"not in target: {[k for k in unexpected if k in bad][:5]})"
        )
    for key in unexpected:
        encoder.pop(key)
    model.base_model.load_state_dict(encoder, strict=False)
    return {
        "encoder_weights_loaded": len(encoder),
        "fresh_encoder_parts": missing,
        "dropped_from_checkpoint": dropped + [prefix + key for key in unexpected],
    }


def with_fresh_head(auto_class, init_dir: Path, label_names: list[str]):
    """(model, transfer report): a new `auto_class` head on the encoder of `init_dir`.

    The configuration's labels are replaced, so nothing of the checkpoint's own head (its
    size or its label names) carries over.
    """
    from transformers import AutoConfig

    config = AutoConfig.from_pretrained(
        init_dir,
        num_labels=len(label_names),
        id2label=dict(enumerate(label_names)),
        label2id={name: i for i, name in enumerate(label_names)},
    )
    model = auto_class.from_config(config)
    return model, load_encoder(model, init_dir)
