"""Figures and the long form read back: hand-made tables, byte-identical reruns."""

from pathlib import Path

import numpy as np
import pytest

from xstilts.report import figures
from xstilts.report.results import (
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
    assert image.get_clim() == (-6.0, 6.0)  # symmetric around 0


def outlined(axes) -> list[tuple[float, float]]:
    """Centres of the outlined (significant) cells of a heat map."""
    return [(patch.get_x() + 0.5, patch.get_y() + 0.5) for patch in axes.patches]


def test_heatmap_outlines_significant_cells(table):
    axes = figures.improvement_heatmap(table, {("mnli", "xquad"), ("mnli", "average")}).axes[0]
    assert outlined(axes) == [(1.0, 0.0), (2.0, 0.0)]  # (column, row)


def test_per_language_panels_fit_one_screen(improvements):
    # the paper grid: 10 intermediate rows, 9 targets of 4 to 40 languages
    counts = {"xnli": 15, "pawsx": 7, "udpos": 33, "panx": 40, "xquad": 11, "mlqa": 7,
              "tydiqa": 9, "bucc": 4, "tatoeba": 36}
    rows = [f"row{i}" for i in range(10)]
    grid = {target: {row: {f"l{j:02d}": 1.0 for j in range(n)} for row in rows}
            for target, n in counts.items()}
    figure = figures.per_language_heatmaps(grid, {("panx", "row3", "l07")})
    width, height = figure.get_size_inches() * figures.STYLE["savefig.dpi"]
    assert width <= 1920 and height <= 1400
    panels = [axes for axes in figure.axes if axes.get_title(loc="left")]
    assert [axes.get_title(loc="left") for axes in panels] == list(counts)
    assert outlined(panels[3]) == [(7.0, 3.0)]
    # the small figure of the hand-made long form: one line of panels
    assert len(figures.per_language_heatmaps(improvements).subfigs) == 1


def test_average_figure_marks_the_paper_values(table):
    axes = figures.average_improvements(table, {"ccg": 7.5}).axes[0]
    assert [bar.get_height() for bar in axes.patches] == [4.0, 0.0]  # ccg: n/a
    assert axes.collections[0].get_offsets().tolist() == [[1.0, 7.5]]


def render_all(table, improvements, directory: Path) -> dict[str, bytes]:
    for build, name, data in [(figures.improvement_heatmap, "heatmap", [table]),
                              (figures.per_language_heatmaps, "languages", [improvements]),
                              (figures.average_improvements, "average", [table, {"mnli": 7.5}])]:
        figures.render(build, [directory / f"{name}.svg", directory / f"{name}.png"], *data)
    return {path.name: path.read_bytes() for path in sorted(directory.iterdir())}


def test_rerendering_gives_byte_identical_files(table, improvements, tmp_path):
    first = render_all(table, improvements, tmp_path / "first")
    second = render_all(table, improvements, tmp_path / "second")
    assert len(first) == 6 and first == second
    svg = first["heatmap.svg"]
    assert b"<dc:date>" not in svg and b"Matplotlib v" not in svg  # no date, no version
    assert b"<text" not in svg  # glyphs drawn as paths, no font needed to view it
    assert first["average.png"].startswith(b"\x89PNG") and b"Software" not in first["average.png"]


def test_unknown_figure_format_is_refused(table, tmp_path):
    with pytest.raises(ValueError, match="unknown figure format"):
        figures.render(figures.improvement_heatmap, [tmp_path / "out" / "heatmap.jpg"], table)
    assert not (tmp_path / "out").exists()
