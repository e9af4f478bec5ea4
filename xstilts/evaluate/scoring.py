"""Predictions + gold labels -> per-language metrics and the task score (no torch)."""

from __future__ import annotations

from pathlib import Path

from xstilts.data.layouts import PARALLEL_LAYOUTS
from xstilts.data.subsample import parallel_key
from xstilts.formats import Kind, get_format, kind_of
from xstilts.metrics.averages import task_score
from xstilts.metrics.registry import get_metric
from xstilts.spec import TaskSpec
from xstilts.store.prepared import read_manifest, read_split
from xstilts.store.splits import eval_splits


def score_predictions(spec: TaskSpec, data_root: Path, by_language: dict[str, dict],
                      partial: bool = False) -> dict:
    """{task, metric, languages: {lang: metrics}, score}.

    The task score averages every evaluation language, so a prediction set missing any is
    an error, unless `partial` (scoring single files), where the score is left empty.
    """
    dataset_dir = Path(data_root) / spec.eval.dataset
    manifest = read_manifest(dataset_dir)
    unknown = sorted(set(by_language) - set(spec.languages))
    if unknown:
        raise ValueError(f"predictions for languages outside task {spec.task!r}: {unknown}")
    splits, left_out = eval_splits(spec.eval, manifest, spec.languages)
    unscorable = sorted(set(by_language) & set(left_out))
    if unscorable:
        raise ValueError(f"task {spec.task!r}: predictions for {unscorable}, which have no "
                         f"{spec.eval.split!r} split to score them on")
    missing = [language for language in splits if language not in by_language]
    if missing and not partial:
        raise ValueError(f"task {spec.task!r}: no predictions for languages {missing}")
    splits = {language: splits[language] for language in by_language}
    results, examples = score_languages(spec, dataset_dir, splits, by_language, spec.eval)
    caveat = comparability(spec, dataset_dir, splits)
    # a fine-tuned model can collapse; an encoder scored as it is (retrieval) is not judged
    trained = kind_of(spec.format) is not Kind.EVALUATED
    return {"task": spec.task, "metric": spec.metric, "split": spec.eval.split,
            "splits": splits, "languages": results, "examples": examples,
            "score": None if missing else task_score(spec.metric, results),
            "collapsed": collapse(by_language) if trained else None,
            **({"left_out": left_out} if left_out else {}),
            **({"caveat": caveat} if caveat else {})}


def score_file(spec: TaskSpec, data_root: Path, predictions_file: dict) -> dict:
    """The scores of the workflow's prediction file (every language; the test split too
    where the task has one): what the score job writes and the audit recomputes."""
    scores = score_predictions(spec, data_root, predictions_file["predictions"])
    if spec.test is not None:
        scores["test"] = score_test(spec, data_root, predictions_file)
    return scores


def comparability(spec: TaskSpec, dataset_dir: Path, splits: dict[str, str]) -> str | None:
    """Why the task's scores are not the benchmark's own, or None: BUCC mined from the gold
    pairs alone (google/xtreme on the hub) is a far easier task than BUCC 2018."""
    if spec.metric != "bucc_f1":
        return None
    from xstilts.formats.retrieval import caveat

    return caveat([read_split(dataset_dir, language, split) for language, split in splits.items()])


def score_test(spec: TaskSpec, data_root: Path, predictions_file: dict) -> dict:
    """{split, languages, skipped, score} on the task's test split (results/table3.csv).

    The score averages every evaluation language as XTREME's does, so it is left empty
    when any language had to be skipped (no test labels); `skipped` says why."""
    from xstilts.evaluate.held_out import test_split_predictions

    by_language, skipped = test_split_predictions(spec, predictions_file)
    split = spec.test.split
    results, _ = score_languages(spec, Path(data_root) / spec.test.dataset,
                                 dict.fromkeys(by_language, split), by_language, spec.test,
                                 keep_examples=False)
    return {"split": split, "languages": results, "skipped": skipped,
            "score": None if skipped or not results else task_score(spec.metric, results)}


def score_languages(spec: TaskSpec, dataset_dir: Path, splits: dict[str, str],
                    by_language: dict[str, dict], sample: dict,
                    keep_examples: bool = True) -> tuple[dict[str, dict], dict[str, dict]]:
    """({language: metrics}, {language: per-example material, if kept}) of each
    language's predictions against its split's gold (the subset `sample`, the eval or test
    spec, asks for)."""
    metric = get_metric(spec.metric)
    task_format = get_format(spec.format)
    manifest = read_manifest(dataset_dir)
    parallel = manifest.get("schema") in PARALLEL_LAYOUTS
    results, materials = {}, {}
    for language, predictions in by_language.items():
        table = read_split(dataset_dir, language, splits[language], sample)
        gold = task_format.gold(table, manifest["label_names"])
        try:
            results[language] = metric.score(predictions, gold, language)
            if keep_examples:
                materials[language] = metric.examples(predictions, gold, language, table)
                if parallel:  # the material's examples are gold's, in gold's order
                    materials[language]["items"] = [parallel_key(str(key), language)
                                                    for key in gold]
        except ValueError as error:
            raise ValueError(f"{spec.task} {language}: {error} "
                             f"(split {splits[language]!r})") from None
    return results, materials


def collapse(by_language: dict[str, dict]) -> str | None:
    """Why a fine-tuned model counts as collapsed: it gives one and the same output (label,
    answer, tag) for every example of every language; None when it does not."""
    outputs = set()
    for predictions in by_language.values():
        for value in predictions.values():
            outputs.update(value if isinstance(value, list) else [value])
            if len(outputs) > 1:
                return None
    return f"every prediction is {outputs.pop()!r}" if outputs else None
