"""How sure each number of Table 2 is: paired bootstrap intervals of every score and of its
improvement over the baseline, from the per-example material of the score files (no
torch; the resampling itself is xstilts.metrics.bootstrap).

- Each language is resampled on its own, with the same resamples for every row and seed
  (paired), except on parallel test sets (XNLI, PAWS-X, XQuAD, MLQA: the score files'
  material names each example's item), where one draw of the items serves every language
  of the task (xstilts.metrics.bootstrap); a task score's replicate is the mean of its
  languages' replicates, category and XTREME averages the mean of their task scores', as
  the scores themselves are made.
- Seeds: the dev set is one sample shared by every seed, so its resampling is shared
  too; each replicate also draws the seeds with replacement (the same draw for every
  row, language and task: seed s of a row's models share their intermediate model and
  pair with the baseline's seed s) and averages their replicates. The interval of the
  mean over seeds thus holds the sampling error of the dev set plus the spread between
  seeds; with one seed it is the plain paired bootstrap. Each seed's own row of the long
  form gets the interval of that seed alone.
- Memory: the resamples are made in chunks of CHUNK_RESAMPLES, and of each number only
  the replicates its percentiles can reach are kept (bootstrap.TailInterval), so a
  million resamples need a fraction of the memory of holding them all.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from xstilts.config import BASELINE
from xstilts.metrics import bootstrap
from xstilts.metrics.averages import CATEGORIES, language_score
from xstilts.report.table2 import AVERAGE
from xstilts.report.table2 import SEED_MEAN as MEAN
from xstilts.report.table2 import (
    TASK_SCORE_LANGUAGE as ALL,  # here also the language of any average
)

SCORE = "score"  # metric name of a language's (and a task's) score in the averages
LONG_COLUMNS = ["ci_low", "ci_high", "improvement", "improvement_ci_low",
                "improvement_ci_high", "significant"]
# `languages_resampled`: a target's languages `jointly` (a parallel set) or `apart`; the
# category and average columns `as their tasks`
TABLE_COLUMNS = ["intermediate", "column", "language", "score", *LONG_COLUMNS,
                 "languages_resampled"]

# (row, Table 2 column, language, metric) -> {seed or MEAN: (1 + resamples,) replicates}
Replicates = dict[tuple[str, str, str, str], dict]


@dataclass(frozen=True)
class Settings:
    """config key `bootstrap`."""

    resamples: int
    seed: int
    confidence: float


# resamples made at once; chunk 0 continues the random streams of a single pass, so any
# number of resamples up to this gives the intervals of one pass over them all
CHUNK_RESAMPLES = 1000
# a chunk of resamples (index, size); None: the data itself (replicate 0)
Chunk = tuple[int, int] | None


def chunks(resamples: int, size: int = CHUNK_RESAMPLES) -> list[Chunk]:
    return [(index, min(size, resamples - start))
            for index, start in enumerate(range(0, resamples, size))]


def grid_replicates(runs: dict[tuple[str, str, int], dict], seeds: list[int],
                    categories: dict[str, str], settings: Settings) -> Replicates:
    """Replicates of every number (replicate 0 the data, then every resample), held in
    memory at once: for tests and small grids; the tables use `summaries`."""
    parts = [chunk_replicates(runs, seeds, categories, settings, chunk)
             for chunk in [None, *chunks(settings.resamples)]]
    return {key: {seed: np.concatenate([part[key][seed] for part in parts])
                  for seed in by_seed} for key, by_seed in parts[0].items()}


def chunk_replicates(runs: dict[tuple[str, str, int], dict], seeds: list[int],
                     categories: dict[str, str], settings: Settings,
                     chunk: Chunk) -> Replicates:
    """Replicates of every language metric and score, task score, category and average,
    per seed and over seeds, for the runs ({(row, target, seed): score result}) that hold
    per-example material: of the data itself (chunk None) or of one chunk of resamples."""
    replicates: Replicates = {}
    for target, by_language in materials_by_target(runs).items():
        for language, by_run in target_replicates(target, by_language, settings,
                                                   chunk).items():
            for (row, seed), statistics in by_run.items():
                result = runs[row, target, seed]
                reported = {name: statistics[name] for name in result["languages"][language]
                            if name in statistics}
                reported[SCORE] = language_score(result["metric"], reported)
                for metric, values in reported.items():
                    replicates.setdefault((row, target, language, metric), {})[seed] = values
    add_task_scores(replicates, runs)
    draws = bootstrap.seed_draws(chunk and bootstrap.stream(settings.seed, "seeds",
                                                            *chunk_tag(chunk)),
                                 chunk[1] if chunk else 1, len(seeds))
    for by_seed in replicates.values():
        if all(seed in by_seed for seed in seeds):
            by_seed[MEAN] = bootstrap.over_seeds(np.stack([by_seed[s] for s in seeds]), draws)
    add_averages(replicates, categories)
    return replicates


def chunk_tag(chunk: tuple[int, int]) -> tuple:
    """What names a chunk's random streams besides the seed and task (none for chunk 0)."""
    return (f"chunk{chunk[0]}",) if chunk[0] else ()


def materials_by_target(runs: dict) -> dict[str, dict[str, dict]]:
    """{target: {language: {(row, seed): material}}}, runs in sorted order."""
    grouped: dict[str, dict[str, dict]] = {}
    for (row, target, seed), result in sorted(runs.items()):
        for language, material in (result.get("examples") or {}).items():
            grouped.setdefault(target, {}).setdefault(language, {})[row, seed] = material
    return grouped


def target_replicates(target: str, by_language: dict[str, dict], settings: Settings,
                        chunk: Chunk) -> dict[str, dict]:
    """{language: {(row, seed): {metric: replicates}}} of one target task: each language
    resampled on its own, or the items of a parallel set drawn once for all languages."""
    stacked = {language: bootstrap.stacked_columns(materials)
               for language, materials in by_language.items()}
    if chunk is None:
        totals = {language: bootstrap.observed_totals(columns)
                  for language, (columns, _) in stacked.items()}
    elif parallel(by_language):
        n, positions = bootstrap.aligned_positions(
            {language: next(iter(materials.values()))["items"]
             for language, materials in by_language.items()})
        rng = bootstrap.stream(settings.seed, target, *chunk_tag(chunk))
        totals = bootstrap.drawn_totals({language: columns for language, (columns, _)
                                         in stacked.items()},
                                        bootstrap.multiplicity_blocks(rng, n, chunk[1]),
                                        positions)
    else:
        totals = {}
        for language, (columns, _) in stacked.items():
            rng = bootstrap.stream(settings.seed, target, language, *chunk_tag(chunk))
            blocks = bootstrap.multiplicity_blocks(rng, len(columns), chunk[1])
            totals |= bootstrap.drawn_totals({language: columns}, blocks)
    return {language: bootstrap.split_statistics(by_language[language],
                                                 stacked[language][1], *totals[language])
            for language in by_language}


def parallel(by_language: dict[str, dict]) -> bool:
    """Whether every material of the task names its examples' items (a parallel set)."""
    return all("items" in material for materials in by_language.values()
               for material in materials.values())


def add_task_scores(replicates: Replicates, runs: dict) -> None:
    """A run's task score: the mean of its languages' score replicates (all of them)."""
    for (row, target, seed), result in runs.items():
        if result.get("score") is None:  # not every language scored: no task score
            continue
        languages = [replicates.get((row, target, language, SCORE), {}).get(seed)
                     for language in result["languages"]]
        if languages and all(values is not None for values in languages):
            replicates.setdefault((row, target, ALL, SCORE), {})[seed] = np.mean(languages,
                                                                                 axis=0)


def add_averages(replicates: Replicates, categories: dict[str, str]) -> None:
    """Category and overall averages of the task scores (over seeds), where complete."""
    rows = {row for row, _, _, _ in replicates}
    for row in sorted(rows):
        tasks = {target: replicates.get((row, target, ALL, SCORE), {}).get(MEAN)
                 for target in categories}
        groups = {category: [t for t in categories if categories[t] == category]
                  for category in CATEGORIES}
        groups[AVERAGE] = list(categories)
        for column, targets in groups.items():
            values = [tasks[target] for target in targets]
            if values and all(value is not None for value in values):
                replicates[row, column, ALL, SCORE] = {MEAN: np.mean(values, axis=0)}


def summaries(runs: dict[tuple[str, str, int], dict], seeds: list[int],
              categories: dict[str, str], settings: Settings,
              chunk_size: int = CHUNK_RESAMPLES) -> dict[tuple, dict]:
    """{(key, seed): {score, ci_low, ci_high}} of every number, with its improvement over
    the baseline's same number (point, interval, significant) unless it is the baseline's.
    The resamples come in chunks; each number keeps only its tails (bootstrap.TailInterval)."""
    observed = chunk_replicates(runs, seeds, categories, settings, None)
    entries = [(key, seed) for key, by_seed in observed.items() for seed in by_seed]
    if not entries:
        return {}
    compared = [i for i, (key, seed) in enumerate(entries) if key[0] != BASELINE
                and seed in observed.get((BASELINE, *key[1:]), {})]
    tails = bootstrap.TailInterval(settings.resamples, settings.confidence)
    for chunk in chunks(settings.resamples, chunk_size):
        replicates = chunk_replicates(runs, seeds, categories, settings, chunk)
        numbers = np.empty((len(entries) + len(compared), chunk[1]))  # then differences
        for i, (key, seed) in enumerate(entries):
            numbers[i] = replicates[key][seed]
        for j, i in enumerate(compared, start=len(entries)):
            key, seed = entries[i]
            numbers[j] = numbers[i] - replicates[(BASELINE, *key[1:])][seed]
        del replicates
        tails.add(numbers)
    low, high = tails.bounds()
    scores = np.array([observed[key][seed][0] for key, seed in entries])
    result = {entry: {"score": float(scores[i]), "ci_low": float(low[i]),
                      "ci_high": float(high[i])} for i, entry in enumerate(entries)}
    for j, i in enumerate(compared, start=len(entries)):
        key, seed = entries[i]
        difference = scores[i] - observed[(BASELINE, *key[1:])][seed][0]
        result[entries[i]].update(
            improvement=float(difference), improvement_ci_low=float(low[j]),
            improvement_ci_high=float(high[j]),
            significant=bootstrap.significant(low[j], high[j]))
    return result


def with_intervals(header: list[str], body: list[list], numbers: dict[tuple, dict]
                   ) -> tuple[list[str], list[list]]:
    """The long form (xstilts.report.table2.long_form) with LONG_COLUMNS appended from
    `summaries`: each seed's row gets that seed's interval, `mean` the interval over
    seeds, `std` none."""
    at = {name: header.index(name) for name in ("intermediate", "target", "language",
                                                "metric", "seed")}
    extended = []
    for line in body:
        key = tuple(line[at[name]] for name in ("intermediate", "target", "language", "metric"))
        found = numbers.get((key, line[at["seed"]]), {})
        extended.append([*line, *(found.get(column) for column in LONG_COLUMNS)])
    return [*header, *LONG_COLUMNS], extended


def jointly_resampled(runs: dict[tuple[str, str, int], dict]) -> set[str]:
    """The targets whose languages the bootstrap resamples together (parallel sets)."""
    return {target for target, by_language in materials_by_target(runs).items()
            if parallel(by_language)}


def interval_table(numbers: dict[tuple, dict], rows: list[str], targets: list[str],
                   categories: dict[str, str], joint: set[str]) -> tuple[list[str], list]:
    """results/table2_improvement_ci.csv: per row and Table 2 column, the score over seeds
    with its interval and its improvement's, as a whole (language `all`) and per language
    (QA as (EM + F1) / 2), and how its languages were resampled (`joint`: the targets
    resampled together)."""
    present = [c for c in CATEGORIES if c in {categories[t] for t in targets}]
    languages: dict[str, set] = {}
    for (_, column, language, metric), _ in numbers:
        if metric == SCORE and language != ALL:
            languages.setdefault(column, set()).add(language)
    body = []
    for row in rows:
        for column in (*targets, *present, AVERAGE):
            for language in (ALL, *sorted(languages.get(column, ()))):
                found = numbers.get(((row, column, language, SCORE), MEAN))
                if found:
                    resampled = ("as their tasks" if column not in targets
                                 else "jointly" if column in joint else "apart")
                    body.append([row, column, language, found["score"],
                                 *(found.get(name) for name in LONG_COLUMNS), resampled])
    return TABLE_COLUMNS, body
