"""A training job killed mid-way and started again ends exactly as an uninterrupted one.

The jobs are the demo slice's baseline PAWS-X training (2 epochs of 20 steps, a
checkpoint every 20) and mnli_translated's (one epoch of 80 steps over four languages,
so that a checkpoint falls mid-epoch), rerun by hand with the command the workflow uses;
the uninterrupted result is the demo's own. The kill is SIGKILL from inside the job at a
chosen moment of checkpoint saving, so the test does not depend on timing.
"""

from __future__ import annotations

import json
import signal
import subprocess

import pytest
from workflow import BIN, BY_HAND, train_command

from xstilts.spec.paths import LOG_HISTORY

pytestmark = pytest.mark.workflow

# Runs scripts/train.py with one Trainer method wrapped so that its n-th call kills the
# process: after the call (a complete checkpoint on disk) or before it (mid-save).
KILLING_RUNNER = """
import os, runpy, signal, sys
from transformers import Trainer

method, nth, when = sys.argv[1], int(sys.argv[2]), sys.argv[3]
original, calls = getattr(Trainer, method), []

def killing(self, *args, **kwargs):
    calls.append(1)
    if len(calls) == nth and when == "before":
        os.kill(os.getpid(), signal.SIGKILL)
    result = original(self, *args, **kwargs)
    if len(calls) == nth and when == "after":
        os.kill(os.getpid(), signal.SIGKILL)
    return result

setattr(Trainer, method, killing)
sys.path.insert(0, "scripts")
sys.argv = ["scripts/train.py", *sys.argv[4:]]
runpy.run_path("scripts/train.py", run_name="__main__")
"""

# (kind, task, what the demo trained from the same spec, never interrupted)
PAWSX = ("target_tasks", "pawsx", "models/target/baseline/pawsx/seed1")
# one epoch of 80 steps over English and machine-translated data in three languages: its
# checkpoints (every 20 steps) fall inside the epoch, unlike PAWS-X's (one per epoch)
TRANSLATED = ("intermediate_tasks", "mnli_translated",
              "models/intermediate/mnli_translated/seed1")


@pytest.mark.parametrize("kill", [
    # after the first checkpoint is complete: the rerun continues from step 20
    (PAWSX, "_save_checkpoint", 1, "after", 20),
    # while the second checkpoint is being written (weights saved, trainer state not):
    # the incomplete checkpoint-40 is ignored and the rerun continues from step 20
    (PAWSX, "_save_rng_state", 2, "before", 20),
    # while the first one is being written: nothing to resume, the rerun starts afresh
    (PAWSX, "_save_rng_state", 1, "before", None),
    # in the middle of an epoch of a multi-language training set: the rerun skips the
    # batches already trained in the same length-grouped order
    (TRANSLATED, "_save_checkpoint", 3, "after", 60),
])
def test_killed_training_resumes_bit_identically(demo_run, kill):
    job, method, nth, when, resumed_step = kill
    name = f"killed_{job[1]}_{method}_{nth}_{when}"
    args = train_command(demo_run, job, name)
    killed = subprocess.run([str(BIN / "python"), "-c", KILLING_RUNNER, method, str(nth),
                             when, *args], cwd=demo_run, capture_output=True, text=True,
                            timeout=300)
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-3000:]
    # nothing that looks finished: no checkpoint directory, no predictions
    assert not (demo_run / BY_HAND / name).exists()
    assert not (demo_run / BY_HAND / f"{name}.json").exists()
    assert list((demo_run / BY_HAND / f"{name}.work").glob("checkpoint-*"))

    subprocess.run([str(BIN / "python"), "scripts/train.py", *args], cwd=demo_run,
                   capture_output=True, text=True, timeout=300, check=True)
    resumed, expected = demo_run / BY_HAND / name, demo_run / job[2]
    assert (resumed / "model.safetensors").read_bytes() == \
        (expected / "model.safetensors").read_bytes()
    record = json.loads((resumed / "provenance.json").read_text())
    assert record["selection"]["resumed_from_step"] == resumed_step
    demo_record = json.loads((expected / "provenance.json").read_text())
    assert record["selection"]["evaluations"] == demo_record["selection"]["evaluations"]
    # the resumed run's log history goes on where the killed one's ended: the same curves
    assert (resumed / LOG_HISTORY).read_bytes() == (expected / LOG_HISTORY).read_bytes()
    if job == PAWSX:
        predictions = json.loads((demo_run / BY_HAND / f"{name}.json").read_text())
        demo_predictions = json.loads(
            (demo_run / "results/predictions/baseline/pawsx/seed1.json").read_text())
        assert predictions["predictions"] == demo_predictions["predictions"]
    assert not (demo_run / BY_HAND / f"{name}.work").exists()
