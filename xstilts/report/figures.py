"""Figures of the results, from Table 2, its long form and its intervals: improvement over
the baseline per intermediate x target task (heat map), per language (one heat-map panel
per target task, panels side by side in lines that fit one screen), and on average (bars,
the paper's values marked). Heat-map cells whose improvement is significant (its
bootstrap interval excludes 0) are outlined in black.

Every file is byte-identical on every run on the same package versions: the style is set
from matplotlib's defaults (no matplotlibrc), glyphs are drawn as paths, SVG ids come
from a fixed salt, and no date or creator is written.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import matplotlib
import matplotlib.style
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from xstilts.report.results import AVERAGE, Table2
from xstilts.store.atomic import atomic_output

matplotlib.use("Agg")  # files only, never a display (the Figure objects need no pyplot)

STYLE = {
    "font.family": "DejaVu Sans",  # shipped with matplotlib, so the same glyphs everywhere
    "font.size": 9,
    "svg.fonttype": "path",
    "svg.hashsalt": "xstilts",
    "figure.dpi": 100,
    "savefig.dpi": 150,
}
# No timestamp or version in the files (the PNG "Software" key holds the version).
METADATA = {".svg": {"Date": None, "Creator": None}, ".png": {"Software": None},
            ".pdf": {"CreationDate": None, "Creator": None, "Producer": None}}
DIVERGING = matplotlib.colormaps["RdBu"].with_extremes(bad="#dddddd")  # grey: missing
POINTS = "improvement over the baseline (points)"
SIGNIFICANT = "the bootstrap interval of the improvement excludes 0"
LINE_LANGUAGES = 60  # language columns per line of panels in the per-language figure
CELL_INCHES = 0.155  # side of a per-language heat-map cell: the paper grid fits 1920 px


def render(build: Callable[..., Figure], paths: list[Path], *data) -> None:
    """Build a figure with the fixed style and write it to each path (format from the
    suffix: .svg, .png or .pdf), each under a temporary name renamed when complete."""
    with matplotlib.style.context("default"), matplotlib.rc_context(STYLE):
        figure = build(*data)
        for path in map(Path, paths):
            save_figure(figure, path)


def save_figure(figure: Figure, path: Path) -> None:
    if path.suffix not in METADATA:
        raise ValueError(f"{path}: unknown figure format (known: {', '.join(METADATA)})")
    with atomic_output(path) as partial:
        figure.savefig(partial, format=path.suffix[1:], metadata=METADATA[path.suffix])


def heatmap(axes, values: list[list], rows: list[str], columns: list[str],
            annotate: bool, marked: list[list[bool]] | None = None) -> None:
    """Improvements as colours around 0 (red: worse, blue: better); grey where missing;
    `marked` cells (significant) outlined."""
    data = np.ma.masked_invalid(np.array(values, dtype=float).reshape(len(rows), len(columns)))
    limit = float(np.abs(data).max()) if data.count() else 0.0
    limit = limit or 1.0  # a colour scale needs a range, even when every value is 0
    image = axes.imshow(data, cmap=DIVERGING, vmin=-limit, vmax=limit, aspect="auto")
    axes.set_xticks(range(len(columns)), columns, rotation=45, ha="right")
    axes.set_yticks(range(len(rows)), rows)
    marks = np.array(marked or np.zeros(data.shape), dtype=bool)
    if annotate:
        for (i, j), value in np.ndenumerate(data.filled(np.nan)):
            if not np.isnan(value):
                colour = "white" if abs(value) > 0.6 * limit else "black"  # readable on dark
                axes.text(j, i, f"{value:+.1f}" + ("*" if marks[i, j] else ""), ha="center",
                          va="center", fontsize=7, color=colour)
    for i, j in zip(*np.nonzero(marks), strict=True):
        # above separator lines (zorder 2), so that an outline is never cut
        axes.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, edgecolor="black",
                                 linewidth=1.5, zorder=3))
    axes.figure.colorbar(image, ax=axes, label="points")


def improvement_heatmap(table: Table2, significant: set[tuple] = frozenset()) -> Figure:
    """(a) Improvement of each intermediate task over the baseline, per target task and on
    average; `significant`: the (row, column) cells to outline."""
    rows, columns = table.intermediate_rows, [*table.targets, AVERAGE]
    if not rows:
        raise ValueError("Table 2 has no intermediate task rows")
    figure = Figure(figsize=(2.5 + 0.7 * len(columns), 2.2 + 0.35 * len(rows)),
                    layout="constrained")
    axes = figure.add_subplot()
    values = [[table.improvement(row, column) for column in columns] for row in rows]
    marked = [[(row, column) in significant for column in columns] for row in rows]
    heatmap(axes, values, rows, columns, annotate=True, marked=marked)
    axes.axvline(len(table.targets) - 0.5, color="white", linewidth=3)  # targets | average
    axes.set_title(f"Task score {POINTS}\n(outlined, *: {SIGNIFICANT})")
    axes.set_xlabel("target task")
    axes.set_ylabel("intermediate task")
    return figure


def per_language_heatmaps(improvements: dict[str, dict[str, dict]],
                          significant: set[tuple] = frozenset()) -> Figure:
    """(b) One panel per target task: intermediate task x language, each panel on its own
    colour scale (retrieval gains are several times those of the other tasks), panels in
    lines of at most LINE_LANGUAGES languages; `significant`: the (target, row, language)
    cells to outline."""
    if not improvements:
        raise ValueError("no per-language scores of any intermediate task")
    languages = {target: sorted({language for scores in rows.values() for language in scores})
                 for target, rows in improvements.items()}
    lines = packed(languages, LINE_LANGUAGES)
    n_rows = max(len(rows) for rows in improvements.values())
    widest = max(sum(len(languages[target]) + 4 for target in line) for line in lines)
    figure = Figure(figsize=(1.5 + CELL_INCHES * widest, len(lines) * (1.2 + CELL_INCHES * n_rows)),
                    layout="constrained")
    for subfigure, line in zip(figure.subfigures(len(lines), 1, squeeze=False)[:, 0], lines,
                               strict=True):
        ratios = [len(languages[target]) + 4 for target in line]  # + room for the colour bar
        panels = subfigure.subplots(1, len(line), squeeze=False, width_ratios=ratios)[0]
        for position, (axes, target) in enumerate(zip(panels, line, strict=True)):
            rows = improvements[target]
            values = [[scores.get(language) for language in languages[target]]
                      for scores in rows.values()]
            marked = [[(target, row, language) in significant for language in languages[target]]
                      for row in rows]
            heatmap(axes, values, list(rows), languages[target], annotate=False, marked=marked)
            axes.tick_params(axis="x", labelsize=7, rotation=90)
            if position and list(rows) == list(improvements[line[0]]):
                axes.tick_params(axis="y", labelleft=False)  # as in the line's first panel
            axes.set_title(target, loc="left")
    figure.suptitle(f"Per-language {POINTS} (outlined: {SIGNIFICANT})")
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


def average_improvements(table: Table2, paper: dict[str, float]) -> Figure:
    """(c) Average improvement of each intermediate task, with the paper's values (dev
    sets, abstract) marked where published."""
    rows = table.intermediate_rows
    ours = [table.improvement(row, AVERAGE) for row in rows]
    figure = Figure(figsize=(4.5 + 0.5 * len(rows), 4.0), layout="constrained")
    axes = figure.add_subplot()
    positions = np.arange(len(rows))
    axes.bar(positions, [value or 0.0 for value in ours], color="#4477aa",
             label=f"ours (mean over {len(table.targets)} target tasks)")
    for position, value in zip(positions, ours, strict=True):
        if value is None:
            axes.text(position, 0, "n/a", ha="center", va="bottom", fontsize=7)
    marked = [(position, paper[row]) for position, row in zip(positions, rows, strict=True)
              if row in paper]
    if marked:
        axes.scatter(*zip(*marked, strict=True), marker="D", color="black", zorder=3,
                     label="paper (abstract, dev sets)")
    axes.axhline(0, color="black", linewidth=0.8)
    axes.set_xticks(positions, rows, rotation=45, ha="right")
    axes.set_ylabel("points")
    axes.set_title(f"Average {POINTS}")
    figure.legend(loc="outside lower center", ncols=2, fontsize=7)
    return figure
