"""Devices and batches of prediction: bf16 only where asked for or on CUDA, batches sorted
by length and put back in order."""

import torch

from xstilts.formats.inference import pick_device, sorted_batches


def test_cpu_runs_fp32_unless_bf16_is_asked_for():
    if torch.cuda.is_available():  # on CUDA, auto means bf16
        assert pick_device("auto") == ("cuda", True)
    else:
        assert pick_device("auto") == ("cpu", False)
        assert pick_device("bf16") == ("cpu", True)
        assert pick_device("fp32") == ("cpu", False)


class Shapes(torch.nn.Module):
    """A model whose output is the shape of the batch it was given."""

    def forward(self, input_ids):
        return tuple(input_ids.shape)


class Batch(dict):
    def to(self, device):
        return self


def test_batches_group_similar_lengths_and_name_their_features():
    features = [{"input_ids": [1] * length} for length in (5, 1, 3, 2)]

    def collate(batch):  # pads to the longest of the batch
        longest = max(len(feature["input_ids"]) for feature in batch)
        return Batch(input_ids=torch.zeros(len(batch), longest))

    seen = list(sorted_batches(Shapes(), features, collate, 2, "fp32"))
    # lengths 1 and 2 together, then 3 and 5: padding to 2 and 5, not 5 and 3
    assert seen == [([1, 3], (2, 2)), ([2, 0], (2, 5))]
