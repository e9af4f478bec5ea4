"""What a training job writes while it trains: resume checkpoints on a time interval, the
selected (best) weights in memory.

Trainer alone writes a full resume checkpoint (weights, AdamW's two moments, scheduler,
RNG states) at every evaluation, to be able to reload the best one at the end: about
6.7 GB each time with XLM-R Large, hundreds of GB for one MNLI run on a shared file
system. Here instead

- the best weights so far live in CPU memory (shared tensors once) and are restored at
  the end: selection writes nothing;
- a resume checkpoint is written at the first evaluation step once `minutes` have passed
  since the last one (0: at every evaluation), the best weights so far inside it
  (BEST_FILE, written first: the trainer state, written last, marks it complete), so that
  a killed job resumes with the same best and ends bit-identically.

When checkpoints are written changes no number: nothing in saving touches the model, the
optimiser or a random generator.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

BEST_FILE = "best.safetensors"


class BestWeights:
    """A CPU copy of a model's weights, each shared tensor copied once."""

    def __init__(self):
        self.state: dict | None = None

    def keep(self, model) -> None:
        copies, state = {}, {}
        for name, tensor in model.state_dict().items():
            key = tensor.data_ptr(), tensor.dtype, tuple(tensor.shape)
            if key not in copies:
                copies[key] = tensor.detach().to("cpu", copy=True)
            state[name] = copies[key]
        self.state = state

    def restore(self, model) -> None:
        if self.state is not None:
            model.load_state_dict(self.state)

    def save(self, directory: Path) -> None:
        """Write BEST_FILE into `directory` (nothing before a first evaluation)."""
        from safetensors.torch import save_file

        if self.state is None:
            return
        first, unique = {}, {}
        for name, tensor in self.state.items():
            first.setdefault(id(tensor), name)
            if first[id(tensor)] == name:
                unique[name] = tensor
        aliases = {name: first[id(tensor)] for name, tensor in self.state.items()
                   if name not in unique}
        Path(directory).mkdir(parents=True, exist_ok=True)
        save_file(unique, Path(directory) / BEST_FILE, metadata={"aliases": json.dumps(aliases)})

    def load(self, directory: Path) -> None:
        """The best weights a resume checkpoint holds (none if it predates any evaluation)."""
        from safetensors import safe_open

        path = Path(directory) / BEST_FILE
        if not path.exists():
            self.state = None
            return
        with safe_open(path, "pt") as handle:
            tensors = {name: handle.get_tensor(name) for name in handle.keys()}  # noqa: SIM118
            aliases = json.loads(handle.metadata()["aliases"])
        self.state = {**tensors, **{name: tensors[first] for name, first in aliases.items()}}


def resume_checkpoints(minutes: float):
    """A Trainer callback that lets a scheduled save through only when `minutes` have
    passed since the last one (saves are scheduled at evaluation steps)."""
    from transformers import TrainerCallback

    class ResumeCheckpoints(TrainerCallback):
        def on_train_begin(self, args, state, control, **kwargs):
            self.last = time.monotonic()

        def on_step_end(self, args, state, control, **kwargs):
            if control.should_save and time.monotonic() - self.last < minutes * 60:
                control.should_save = False

        def on_save(self, args, state, control, **kwargs):
            self.last = time.monotonic()

    return ResumeCheckpoints()
