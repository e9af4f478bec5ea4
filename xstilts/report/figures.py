"""Figures of the results, from Table 2, its long form and its intervals, sized for a
two-column paper (ACL: 3.0 in one column, 6.3 in both; 300 dpi PNG, vector PDF and SVG):
improvement over the baseline per intermediate x target task (heat map, both columns), per
language (one panel per target task, one shared colour scale, both columns), and on average
(bars with bootstrap error bars, the paper's values marked, one column). Heat-map cells
whose improvement is significant (its bootstrap interval excludes 0) are outlined in black.
Tasks are labelled with the configuration's display names (`display_names`).

Colour scales are symmetric around 0 and clipped at the 95th percentile of the absolute
improvements, so that one outlier (retrieval on a tiny model gains tens of points) does
not wash out the differences of a point or two that matter; the colour bar's arrows show
the clip, and the numbers written in the cells are the real values.

Every file is byte-identical on every run on the same package versions: the style is set
from matplotlib's defaults (no matplotlibrc), glyphs are drawn as paths, SVG ids come
from a fixed salt, and no date or creator is written.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from types import MappingProxyType

import matplotlib
import matplotlib.style
import numpy as np
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from xstilts.report.table2 import AVERAGE, Table2
from xstilts.store.atomic import atomic_output

matplotlib.use("Agg")  # files only, never a display (the Figure objects need no pyplot)

STYLE = {
    "font.family": "DejaVu Sans",  # shipped with matplotlib, so the same glyphs everywhere
    "font.size": 8,
    "axes.titlesize": 8,
    "axes.labelsize": 8,
    "xtick.labelsize": 7,
    "ytick.labelsize": 7,
    "legend.fontsize": 7,
    "svg.fonttype": "path",
    "svg.hashsalt": "xstilts",
    "pdf.fonttype": 42,  # TrueType: text stays text (searchable) in the PDF
    "figure.dpi": 100,
    "savefig.dpi": 300,
}
# No timestamp or version in the files (the PNG "Software" key holds the version).
METADATA = {".svg": {"Date": None, "Creator": None}, ".png": {"Software": None},
            ".pdf": {"CreationDate": None, "Creator": None, "Producer": None}}
COLUMN_INCHES = 3.0  # one column of a two-column paper (ACL: 7.7 cm)
PAGE_INCHES = 6.3  # both columns (ACL: 16 cm)
DIVERGING = matplotlib.colormaps["RdBu"].with_extremes(bad="#dddddd")  # grey: missing
CLIP_PERCENTILE = 95
POINTS = "improvement over the baseline (points)"
EMPTY = MappingProxyType({})  # a read-only empty default
LINE_LANGUAGES = 56  # language columns per line of panels in the per-language figure


def render(build: Callable[..., Figure], paths: list[Path], *data, **options) -> None:
    """Build a figure with the fixed style and write it to each path (format from the
    suffix: .svg, .png or .pdf), each under a temporary name renamed when complete."""
    with matplotlib.style.context("default"), matplotlib.rc_context(STYLE):
        figure = build(*data, **options)
        for path in map(Path, paths):
            save_figure(figure, path)


def save_figure(figure: Figure, path: Path) -> None:
    if path.suffix not in METADATA:
        raise ValueError(f"{path}: unknown figure format (known: {', '.join(METADATA)})")
    with atomic_output(path) as partial:
        figure.savefig(partial, format=path.suffix[1:], metadata=METADATA[path.suffix])


def labels(keys, names: Mapping[str, str]) -> list[str]:
    """The display names of task keys (the key itself where none is configured)."""
    return [names.get(key, key) for key in keys]


def colour_scale(values) -> tuple[Normalize, str]:
    """A scale symmetric around 0, clipped at CLIP_PERCENTILE of |values|, and the colour
    bar's `extend` ("both" where values lie beyond the clip, else "neither")."""
    magnitudes = np.abs(np.array(values, dtype=float).ravel())
    magnitudes = magnitudes[~np.isnan(magnitudes)]
    if not magnitudes.size:
        return Normalize(-1.0, 1.0), "neither"
    # "higher": a value of the data, so that fewer than 20 values are never clipped
    limit = float(np.percentile(magnitudes, CLIP_PERCENTILE, method="higher"))
    limit = limit or float(magnitudes.max()) or 1.0
    return Normalize(-limit, limit), "both" if magnitudes.max() > limit else "neither"


def colour_bar(figure, norm: Normalize, extend: str, **where):
    limit = norm.vmax
    label = "points" + (f" (colours clipped at \u00b1{limit:.1f})" if extend != "neither" else "")
    return figure.colorbar(ScalarMappable(norm, DIVERGING), extend=extend, label=label, **where)


def heatmap(axes, values: list[list], rows: list[str], columns: list[str], norm: Normalize,
            annotate: bool, marked: list[list[bool]] | None = None) -> None:
    """Improvements as colours around 0 (red: worse, blue: better); grey where missing;
    `marked` cells (significant) outlined."""
    data = np.ma.masked_invalid(np.array(values, dtype=float).reshape(len(rows), len(columns)))
    axes.imshow(data, cmap=DIVERGING, norm=norm, aspect="auto")
    axes.set_xticks(range(len(columns)), columns)
    axes.set_yticks(range(len(rows)), rows)
    axes.tick_params(length=0)
    marks = np.array(marked or np.zeros(data.shape), dtype=bool)
    if annotate:
        for (i, j), value in np.ndenumerate(data.filled(np.nan)):
            if not np.isnan(value):
                dark = abs(value) > 0.6 * norm.vmax  # white text on the dark colours
                axes.text(j, i, f"{value:+.1f}" + ("*" if marks[i, j] else ""), ha="center",
                          va="center", fontsize=6.5, color="white" if dark else "black")
    for i, j in zip(*np.nonzero(marks), strict=True):
        # above separator lines (zorder 2), so that an outline is never cut
        axes.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, edgecolor="black",
                                 linewidth=1.0, zorder=3))


def improvement_heatmap(table: Table2, significant: set[tuple] = frozenset(),
                        names: Mapping[str, str] = EMPTY) -> Figure:
    """(a) Improvement of each intermediate task over the baseline, per target task and on
    average; `significant`: the (row, column) cells to outline."""
    rows, columns = table.intermediate_rows, [*table.targets, AVERAGE]
    if not rows:
        raise ValueError("Table 2 has no intermediate task rows")
    figure = Figure(figsize=(PAGE_INCHES, 1.1 + 0.24 * len(rows)), layout="constrained")
    axes = figure.add_subplot()
    values = [[table.improvement(row, column) for column in columns] for row in rows]
    marked = [[(row, column) in significant for column in columns] for row in rows]
    norm, extend = colour_scale(values)
    heatmap(axes, values, labels(rows, names), labels(columns, names), norm, annotate=True,
            marked=marked)
    axes.xaxis.tick_top()
    axes.axvline(len(table.targets) - 0.5, color="white", linewidth=3)  # targets | average
    colour_bar(figure, norm, extend, ax=axes, shrink=0.9, pad=0.01)
    return figure


def per_language_heatmaps(improvements: dict[str, dict[str, dict]],
                          significant: set[tuple] = frozenset(),
                          names: Mapping[str, str] = EMPTY) -> Figure:
    """(b) One panel per target task (intermediate task x language), all on one colour
    scale, panels in lines of at most LINE_LANGUAGES languages, one colour bar below;
    `significant`: the (target, row, language) cells to outline."""
    if not improvements:
        raise ValueError("no per-language scores of any intermediate task")
    languages = {target: sorted({language for scores in rows.values() for language in scores})
                 for target, rows in improvements.items()}
    norm, extend = colour_scale([value for rows in improvements.values()
                                 for scores in rows.values() for value in scores.values()
                                 if value is not None])
    lines = packed(languages, LINE_LANGUAGES)
    n_rows = max(len(rows) for rows in improvements.values())
    widest = max(sum(len(languages[target]) + 2 for target in line) for line in lines)
    # cells as wide as the page allows (1.2 in: the row labels), rows tall enough to read
    cell_height = max(min(0.16, (PAGE_INCHES - 1.2) / widest), 0.13)
    line_height = 0.55 + cell_height * n_rows
    figure = Figure(figsize=(PAGE_INCHES, len(lines) * line_height + 0.55),
                    layout="constrained")
    *line_figures, bar_figure = figure.subfigures(
        len(lines) + 1, 1, height_ratios=[line_height] * len(lines) + [0.55])
    for subfigure, line in zip(line_figures, lines, strict=True):
        ratios = [len(languages[target]) for target in line]
        panels = subfigure.subplots(1, len(line), squeeze=False, width_ratios=ratios)[0]
        for position, (axes, target) in enumerate(zip(panels, line, strict=True)):
            rows = improvements[target]
            values = [[scores.get(language) for language in languages[target]]
                      for scores in rows.values()]
            marked = [[(target, row, language) in significant for language in languages[target]]
                      for row in rows]
            heatmap(axes, values, labels(rows, names), languages[target], norm,
                    annotate=False, marked=marked)
            axes.tick_params(axis="x", labelsize=6, rotation=90)
            axes.tick_params(axis="y", labelsize=6.5)
            if position and list(rows) == list(improvements[line[0]]):
                axes.tick_params(axis="y", labelleft=False)  # as in the line's first panel
            axes.set_title(names.get(target, target), fontsize=7)
        subfigure.set_facecolor("none")
    middle = bar_figure.add_gridspec(1, 3, width_ratios=[1, 2, 1])[0, 1]  # half the width
    colour_bar(bar_figure, norm, extend, cax=bar_figure.add_subplot(middle),
               orientation="horizontal")
    return figure


def packed(widths: dict[str, list], limit: int) -> list[list[str]]:
    """Keys in order, cut into lines whose total length stays within `limit` (a longer
    one alone on its line)."""
    lines: list[list[str]] = [[]]
    for key, items in widths.items():
        if lines[-1] and sum(len(widths[k]) for k in lines[-1]) + len(items) > limit:
            lines.append([])
        lines[-1].append(key)
    return lines


def average_improvements(table: Table2, paper: list[tuple[tuple[str, ...], float]],
                         intervals: Mapping[str, tuple] = EMPTY,
                         names: Mapping[str, str] = EMPTY) -> Figure:
    """(c) Average improvement of each intermediate task with its bootstrap interval
    (`intervals`: {row: (low, high)}) as error bar, and one marker per published value
    (`paper`: [(rows, value)], from the abstract, dev sets), drawn across the rows it may
    stand for where the source does not tell which."""
    rows = table.intermediate_rows
    ours = [table.improvement(row, AVERAGE) for row in rows]
    figure = Figure(figsize=(COLUMN_INCHES, 1.0 + 0.2 * len(rows)), layout="constrained")
    axes = figure.add_subplot()
    positions = np.arange(len(rows))
    axes.barh(positions, [value or 0.0 for value in ours], height=0.7, color="#88aacc",
              label=f"ours (mean over {len(table.targets)} target tasks)")
    errors = [(row, position, value) for row, position, value in zip(rows, positions, ours,
                                                                     strict=True)
              if value is not None and None not in intervals.get(row, (None, None))]
    if errors:
        _, where, centres = zip(*errors, strict=True)
        spans = np.array([[value - intervals[row][0], intervals[row][1] - value]
                          for row, _, value in errors]).T
        axes.errorbar(centres, where, xerr=spans, fmt="none", ecolor="#223355",
                      elinewidth=0.9, capsize=2, label="95% bootstrap interval")
    for position, value in zip(positions, ours, strict=True):
        if value is None:
            axes.text(0, position, " n/a", ha="left", va="center", fontsize=6.5)
    mark_paper(axes, paper, rows, names)
    axes.axvline(0, color="black", linewidth=0.8)
    axes.set_yticks(positions, labels(rows, names))
    axes.invert_yaxis()  # the first row on top, as in Table 2
    axes.set_xlabel(POINTS)
    figure.legend(loc="outside lower center", ncols=1, frameon=False)
    return figure


def mark_paper(axes, paper: list[tuple[tuple[str, ...], float]], rows: list[str],
               names: Mapping[str, str]) -> None:
    """One diamond per published value at the mean position of the rows it may stand for,
    a line joining those rows where there are several (and their names beside it)."""
    shown = [([rows.index(row) for row in candidates if row in rows], value, candidates)
             for candidates, value in paper]
    shown = [(where, value, candidates) for where, value, candidates in shown if where]
    if not shown:
        return
    for where, value, candidates in shown:
        if len(where) > 1:
            axes.plot([value, value], [min(where), max(where)], color="black", linewidth=0.8)
            axes.annotate(" or ".join(labels(candidates, names)),
                          (value, float(np.mean(where))), xytext=(4, 0),
                          textcoords="offset points", va="center", fontsize=5.5)
    axes.scatter([value for _, value, _ in shown], [float(np.mean(where)) for where, _, _ in shown],
                 marker="D", s=14, color="black", zorder=3, label="paper (abstract, dev sets)")
