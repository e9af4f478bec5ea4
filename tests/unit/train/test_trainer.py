"""The private Trainer methods xstilts.train.trainer overrides exist, with the parameters
the overrides expect, in the installed transformers: an upgrade that renames or reshapes one
fails here instead of silently skipping checkpoint selection."""

import inspect

from transformers import Trainer

from xstilts.train.trainer import PRIVATE_HOOKS, selecting_trainer, tied_weights_trainer


def test_overridden_private_methods_exist_with_their_parameters():
    for name, parameters in PRIVATE_HOOKS.items():
        assert hasattr(Trainer, name), f"transformers.Trainer has no {name} any more"
        actual = tuple(inspect.signature(getattr(Trainer, name)).parameters)
        assert actual[: len(parameters)] == parameters, f"Trainer.{name}{actual}"


def test_the_adapter_overrides_exactly_the_declared_methods():
    selecting = selecting_trainer(lambda model: 0.0)
    tied = tied_weights_trainer(selecting)
    overridden = {name for cls in (selecting, tied) for name in vars(cls)
                  if name.startswith("_") and not name.startswith("__")}
    assert overridden == set(PRIVATE_HOOKS)
