"""Figures and the long form read back: hand-made tables, byte-identical reruns."""

from pathlib import Path

import numpy as np
import pytest

from xstilts.report import figures
from xstilts.report.table2 import (
    TableError,
    language_improvements,
    read_language_scores,
    read_table2,
)

METRICS = {"xnli": "accuracy", "xquad": "squad"}
TABLE2 = """\
intermediate,xnli,xquad,classification,question_answering,average,note
baseline,70.00,50.00,70.00,50.00,60.00,
mnli,72.00,56.00,72.00,56.00,64.00,
ccg,,,,,,licensed data missing
"""
# Per-seed rows and `std` are ignored, only the mean over seeds counts; `all` is the task
# score; `extra` is an unknown column.
LONG = """\
intermediate,target,language,metric,seed,value,extra
baseline,xnli,en,accuracy,1,10.0,x
baseline,xnli,en,accuracy,mean,80.0,x
baseline,xnli,en,accuracy,std,3.0,x
baseline,xnli,de,accuracy,mean,60.0,x
baseline,xnli,all,score,mean,70.0,x
mnli,xnli,en,accuracy,mean,81.5,x
mnli,xnli,de,accuracy,mean,,x
baseline,xquad,en,exact_match,mean,40.0,x
baseline,xquad,en,f1,mean,60.0,x
mnli,xquad,en,exact_match,mean,50.0,x
mnli,xquad,en,f1,mean,62.0,x
"""


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


@pytest.fixture
def table(tmp_path):
    return read_table2(write(tmp_path / "table2.csv", TABLE2))


@pytest.fixture
def improvements(tmp_path):
    return language_improvements(read_language_scores(write(tmp_path / "long.csv", LONG),
                                                      METRICS))


def test_language_scores_use_the_seed_mean_and_qa_average(tmp_path):
    scores = read_language_scores(write(tmp_path / "long.csv", LONG), METRICS)
    assert scores[("baseline", "xnli", "en")] == 80.0
    assert scores[("mnli", "xnli", "de")] is None
    assert scores[("mnli", "xquad", "en")] == 56.0  # (50 + 62) / 2
    assert ("baseline", "xnli", "all") not in scores


def test_long_form_without_seed_column(tmp_path):
    path = write(tmp_path / "long.csv", "intermediate,target,language,metric,value\n"
                 "baseline,xnli,en,accuracy,80.0\n")
    assert read_language_scores(path, METRICS) == {("baseline", "xnli", "en"): 80.0}


def test_language_improvements(improvements):
    # xnli en 81.5 - 80; de missing; xquad en (50 + 62) / 2 - (40 + 60) / 2 = 6
    assert improvements == {"xnli": {"mnli": {"de": None, "en": 1.5}},
                            "xquad": {"mnli": {"en": 6.0}}}


@pytest.mark.parametrize(("text", "message"), [
    ("intermediate,target,language,value\n", "no column 'metric'"),
    ("intermediate,target,language,metric,value\nmnli,xnli,en,accuracy,high\n",
     "line 2, column 'value': 'high' is not a number"),
    ("intermediate,target,language,metric,value\nmnli,panx,en,f1,1\n",
     "line 2, column 'target': no metric is configured for target 'panx'"),
    ("intermediate,target,language,metric,value\nmnli,xquad,en,f1,1\n",
     "column 'metric': mnli/xquad/en has no value for metric 'exact_match'"),
])
def test_malformed_long_form_names_file_and_column(tmp_path, text, message):
    path = write(tmp_path / "long.csv", text)
    with pytest.raises(TableError, match=message) as error:
        read_language_scores(path, METRICS)
    assert str(error.value).startswith(str(path))


def test_heatmap_shows_improvements_over_the_baseline(table):
    image = figures.improvement_heatmap(table).axes[0].images[0]
    shown = image.get_array()
    # rows mnli, ccg; columns xnli, xquad, average; ccg is missing (masked)
    assert shown.filled(np.nan)[0].tolist() == [2.0, 6.0, 4.0]
    assert shown.mask[1].all()
    # symmetric around 0; too few values to clip any
    assert image.get_clim() == (-6.0, 6.0)


def test_colour_scale_is_clipped_at_a_high_percentile_and_says_so():
    # one outlier of 60 among twenty values of a point or two
    values = [[1.0, -2.0, 0.5, 1.5, -1.0] * 4 + [60.0], [None] * 21]
    norm, extend = figures.colour_scale(values)
    assert (norm.vmin, norm.vmax, extend) == (-2.0, 2.0, "both")
    # nothing beyond the scale: no clip shown; nothing at all: a unit scale
    assert figures.colour_scale([[1.0, -3.0]])[1] == "neither"
    assert figures.colour_scale([[None]])[0].vmax == 1.0
    assert figures.colour_scale([[0.0, 0.0]])[0].vmax == 1.0


def test_heatmap_labels_tasks_with_their_display_names(table):
    figure = figures.improvement_heatmap(table, names={"mnli": "MNLI", "xquad": "XQuAD"})
    axes = figure.axes[0]
    assert [t.get_text() for t in axes.get_yticklabels()] == ["MNLI", "ccg"]
    assert [t.get_text() for t in axes.get_xticklabels()] == ["xnli", "XQuAD", "average"]
    assert figure.get_size_inches()[0] == figures.PAGE_INCHES


def outlined(axes) -> list[tuple[float, float]]:
    """Centres of the outlined (significant) cells of a heat map."""
    return [(patch.get_x() + 0.5, patch.get_y() + 0.5) for patch in axes.patches]


def test_heatmap_outlines_significant_cells(table):
    axes = figures.improvement_heatmap(table, {("mnli", "xquad"), ("mnli", "average")}).axes[0]
    assert outlined(axes) == [(1.0, 0.0), (2.0, 0.0)]  # (column, row)


def test_per_language_panels_share_one_scale_at_page_width(improvements):
    # the paper grid: 10 intermediate rows, 9 targets of 4 to 40 languages
    counts = {"xnli": 15, "pawsx": 7, "udpos": 33, "panx": 40, "xquad": 11, "mlqa": 7,
              "tydiqa": 9, "bucc": 4, "tatoeba": 36}
    rows = [f"row{i}" for i in range(10)]
    grid = {target: {row: {f"l{j:02d}": float(j - 3 * i) for j in range(n)}
                     for i, row in enumerate(rows)} for target, n in counts.items()}
    figure = figures.per_language_heatmaps(grid, {("panx", "row3", "l07")}, names={"panx": "NER"})
    width, height = figure.get_size_inches()
    assert width == figures.PAGE_INCHES and height <= 9.0  # fits a page of a paper
    panels = [axes for axes in figure.axes if axes.get_title()]
    assert [axes.get_title() for axes in panels] == [
        "xnli", "pawsx", "udpos", "NER", "xquad", "mlqa", "tydiqa", "bucc", "tatoeba"]
    assert len({axes.images[0].get_clim() for axes in panels}) == 1  # one shared scale
    assert len([axes for axes in figure.axes if not axes.get_title()]) == 1  # one colour bar
    assert outlined(panels[3]) == [(7.0, 3.0)]
    # the small figure of the hand-made long form: one line of panels and the colour bar
    assert len(figures.per_language_heatmaps(improvements).subfigs) == 2


def test_average_figure_has_error_bars_and_one_marker_per_paper_number(table):
    figure = figures.average_improvements(
        table, [(("ccg",), 7.5), (("mnli", "ccg"), 6.0), (("qqp",), 1.0)],
        {"mnli": (3.0, 5.5)}, names={"mnli": "MNLI"})
    axes = figure.axes[0]
    assert [bar.get_width() for bar in axes.patches] == [4.0, 0.0]  # ccg: n/a
    (bars,) = [c for c in axes.containers if type(c).__name__ == "ErrorbarContainer"]
    ((low, y), (high, _)) = bars.lines[2][0].get_segments()[0]
    assert (low, high, y) == (3.0, 5.5, 0.0)  # mnli's interval
    # ccg's own number at its row; the ambiguous one once, between its two rows
    # (qqp is not a row of this table: no marker)
    (markers,) = axes.collections[1:]
    assert markers.get_offsets().tolist() == [[7.5, 1.0], [6.0, 0.5]]
    assert [text.get_text() for text in axes.texts] == [" n/a", "MNLI or ccg"]
    assert [t.get_text() for t in axes.get_yticklabels()] == ["MNLI", "ccg"]
    assert figure.get_size_inches()[0] == figures.COLUMN_INCHES


def render_all(table, improvements, directory: Path) -> dict[str, bytes]:
    for build, name, data in [(figures.improvement_heatmap, "heatmap", [table]),
                              (figures.per_language_heatmaps, "languages", [improvements]),
                              (figures.average_improvements, "average",
                               [table, [(("mnli",), 7.5)], {"mnli": (3.0, 5.0)}])]:
        figures.render(build, [directory / f"{name}.{extension}"
                               for extension in ("svg", "png", "pdf")], *data)
    return {path.name: path.read_bytes() for path in sorted(directory.iterdir())}


def test_rerendering_gives_byte_identical_files(table, improvements, tmp_path):
    first = render_all(table, improvements, tmp_path / "first")
    second = render_all(table, improvements, tmp_path / "second")
    assert len(first) == 9 and first == second
    svg = first["heatmap.svg"]
    assert b"<dc:date>" not in svg and b"Matplotlib v" not in svg  # no date, no version
    assert b"<text" not in svg  # glyphs drawn as paths, no font needed to view it
    assert first["average.png"].startswith(b"\x89PNG") and b"Software" not in first["average.png"]
    assert b"CreationDate" not in first["average.pdf"] and b"Producer" not in first["average.pdf"]


def test_unknown_figure_format_is_refused(table, tmp_path):
    with pytest.raises(ValueError, match="unknown figure format"):
        figures.render(figures.improvement_heatmap, [tmp_path / "out" / "heatmap.jpg"], table)
    assert not (tmp_path / "out").exists()
