"""The best weights kept for checkpoint selection (xstilts.train.checkpoints)."""


def test_best_weights_keep_shared_tensors_once_and_round_trip(tmp_path):
    import torch

    from xstilts.train.checkpoints import BEST_FILE, BestWeights

    encoder = torch.nn.Linear(4, 4)
    model = torch.nn.ModuleDict({"a": torch.nn.Sequential(encoder, torch.nn.Linear(4, 2)),
                                 "b": torch.nn.Sequential(encoder, torch.nn.Linear(4, 3))})
    best = BestWeights()
    best.keep(model)
    kept = {name: tensor.clone() for name, tensor in best.state.items()}
    assert best.state["a.0.weight"] is best.state["b.0.weight"]
    best.save(tmp_path)
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.add_(1.0)
    loaded = BestWeights()
    loaded.load(tmp_path)
    loaded.restore(model)
    assert all(torch.equal(model.state_dict()[name], kept[name]) for name in kept)
    from safetensors import safe_open

    with safe_open(tmp_path / BEST_FILE, "pt") as handle:
        assert "b.0.weight" not in set(handle.keys())  # the shared encoder stored once
