"""A training job's log as the Trainer keeps it, and the checkpoint selection, for the
history, model card and curve tests."""

# as the Trainer logs them: training entries, evaluations, the closing summary
LOG = [
    {"step": 10, "epoch": 0.5, "loss": 1.2, "learning_rate": 2e-3, "grad_norm": 3.0},
    {"step": 10, "epoch": 0.5, "eval_selection_score": 40.0, "eval_runtime": 0.8,
     "eval_samples_per_second": 60.1, "eval_steps_per_second": 2.0},
    {"step": 20, "epoch": 1.0, "loss": 0.9, "learning_rate": 1e-3, "grad_norm": 2.0},
    {"step": 20, "epoch": 1.0, "eval_selection_score": 55.0, "eval_runtime": 0.7},
    {"step": 20, "epoch": 1.0, "train_loss": 1.05, "train_runtime": 4.2,
     "train_samples_per_second": 100.0, "total_flos": 12.0},
]

SELECTION = {"best_step": 20, "best_metric": 55.0, "steps_trained": 20, "metric": "accuracy"}

