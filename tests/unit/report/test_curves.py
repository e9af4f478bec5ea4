"""Training curves drawn from a log history (xstilts.report.curves), on a hand-made
history; on the demo's checkpoints in tests/workflow/test_training_logs.py."""


import json

import pytest
from training_log import LOG, SELECTION

from xstilts.report import curves
from xstilts.spec import paths
from xstilts.train.history import history_lines, write_history


def test_history_file_is_jsonl_and_read_back_for_the_curves(tmp_path):
    write_history(tmp_path / paths.LOG_HISTORY, LOG, SELECTION)
    text = (tmp_path / paths.LOG_HISTORY).read_text()
    assert len(text.splitlines()) == 6 and all(json.loads(line) for line in text.splitlines())
    assert curves.read_history(tmp_path) == history_lines(LOG, SELECTION)


def test_curves_show_loss_scores_and_the_selected_step(tmp_path):
    figure = curves.training_curves(history_lines(LOG, SELECTION), "a title")
    loss_axes, score_axes = figure.axes
    assert loss_axes.lines[0].get_xydata().tolist() == [[10, 1.2], [20, 0.9]]
    assert score_axes.lines[0].get_xydata().tolist() == [[10, 40.0], [20, 55.0]]
    # the selected step: a dashed line on both panels, a star on its score
    assert list(loss_axes.lines[1].get_xdata()) == [20, 20]
    assert loss_axes.lines[1].get_linestyle() == "--"
    assert score_axes.lines[-1].get_xydata().tolist() == [[20, 55.0]]
    assert score_axes.lines[-1].get_marker() == "*"


def test_curve_names_and_titles_follow_the_checkpoint_path():
    target = paths.fill(paths.TARGET_MODEL, intermediate="mnli", target="xnli", seed=1)
    assert curves.curve_name(target) == "target.mnli.xnli.seed1"
    assert curves.curve_title(target, {"mnli": "MNLI"}) == "target: MNLI \u2192 xnli, seed1"
    intermediate = paths.fill(paths.INTERMEDIATE_MODEL, task="mnli", seed=2)
    assert curves.curve_name(intermediate) == "intermediate.mnli.seed2"


@pytest.mark.parametrize(("text", "message"), [
    (None, "log_history.jsonl: missing"),
    ('{"step": 1, "loss": 1.0}\n{"step": 2, "lo', "line 2: not JSON"),
    ('{"step": 1, "loss": 1.0}\n', "no last line with 'selected_step'; is the file truncated"),
])
def test_a_bad_history_is_named(tmp_path, text, message):
    if text is not None:
        (tmp_path / paths.LOG_HISTORY).write_text(text)
    with pytest.raises(curves.HistoryError, match=message) as error:
        curves.read_history(tmp_path)
    assert str(error.value).startswith(str(tmp_path / paths.LOG_HISTORY))

