"""Predictions + gold labels -> per-language metrics and the task score (no torch)."""

from __future__ import annotations

from pathlib import Path

from .data.prepared import read_manifest, read_split, split_sizes
from .metrics import bootstrap
from .metrics.averages import task_score
from .metrics.classification import accuracy, correct_flags
from .metrics.qa import mlqa_per_question, score_mlqa, score_squad, squad_per_question
from .metrics.retrieval import mined_pairs_counts, mined_pairs_f1
from .metrics.tagging import entity_counts, entity_f1, pos_counts, pos_f1
from .tasks import get_format

# metric name -> f(predictions, gold, language) -> {metric: value, "count": n}
METRICS = {
    "accuracy": lambda predictions, gold, language: accuracy(predictions, gold),
    "squad": lambda predictions, gold, language: score_squad(predictions, gold),
    "mlqa": score_mlqa,
    "bucc_f1": lambda predictions, gold, language: mined_pairs_f1(predictions, gold),
    "tatoeba_accuracy": lambda predictions, gold, language: accuracy(predictions, gold),
    "pos_f1": lambda predictions, gold, language: tagging_f1(pos_f1, predictions, gold),
    "entity_f1": lambda predictions, gold, language: tagging_f1(entity_f1, predictions, gold),
}

# metric name -> f(predictions, gold, language, split table) -> per-example material
# (xstilts.metrics.bootstrap): what a bootstrap of the language's metric resamples
EXAMPLES = {
    "accuracy": lambda predictions, gold, language, table: bootstrap.material(
        bootstrap.MEAN, list(gold), {"accuracy": correct_flags(predictions, gold)}),
    "squad": lambda predictions, gold, language, table: bootstrap.material(
        bootstrap.MEAN, list(gold), squad_per_question(predictions, gold)),
    "mlqa": lambda predictions, gold, language, table: bootstrap.material(
        bootstrap.MEAN, list(gold), mlqa_per_question(predictions, gold, language)),
    "bucc_f1": lambda predictions, gold, language, table: bucc_examples(predictions, gold,
                                                                        table),
    "pos_f1": lambda predictions, gold, language, table: tagging_examples(
        pos_counts, predictions, gold),
    "entity_f1": lambda predictions, gold, language, table: tagging_examples(
        entity_counts, predictions, gold),
}
EXAMPLES["tatoeba_accuracy"] = EXAMPLES["accuracy"]  # per query: its hit or not


def tagging_examples(counts, predictions: dict[str, list], gold: dict[str, list]) -> dict:
    """Per-sentence counts (sentences in gold order) behind a corpus-level tagging F1."""
    return bootstrap.material(bootstrap.COUNTS, list(gold),
                              counts(list(gold.values()), [predictions[key] for key in gold]))


def bucc_examples(prediction: dict, gold: dict[str, str], table) -> dict:
    """Per source sentence of the split (every one, distractors included: the population
    the corpus samples), its gold, extracted and correct pairs."""
    from .tasks.retrieval import side

    sources, _ = side(table, "source")
    return bootstrap.material(bootstrap.COUNTS, sources,
                              mined_pairs_counts(prediction, gold, sources))


def tagging_f1(f1, predictions: dict[str, list], gold: dict[str, list]) -> dict:
    """{f1, count}: `f1(gold sentences, predicted sentences)` over every gold sentence."""
    missing = [key for key in gold if key not in predictions]
    if missing:
        raise ValueError(f"{len(missing)} sentences have no prediction, e.g. id {missing[0]!r}")
    return {"f1": f1(list(gold.values()), [predictions[key] for key in gold]),
            "count": len(gold)}


def eval_splits(eval_spec: dict, manifest: dict,
                languages: list[str]) -> tuple[dict[str, str], dict[str, str]]:
    """({language: split it is evaluated on}, {language: why it is left out}).

    A language whose prepared data lacks the task's `split` is evaluated on its
    `fallback_split` where one is configured, else left out of predictions and task score
    (UD-POS: kk, th, tl and yo have no dev set; the paper's toolkit scores them on test
    only)."""
    split, fallback = eval_spec["split"], eval_spec.get("fallback_split")
    splits, left_out = {}, {}
    for language in languages:
        for candidate in (split, fallback):
            if candidate and f"{language}/{candidate}" in manifest["files"]:
                splits[language] = candidate
                break
        else:
            left_out[language] = f"no {split} split in {eval_spec['dataset']}"
    if not splits:
        raise ValueError(f"{eval_spec['dataset']}: no language has split {split!r}")
    return splits, left_out


def evaluated_sizes(spec: dict, data_root: Path) -> dict:
    """{dataset/language/split: {rows, of}} of every split a target's predictions and scores
    read (eval, and test where labelled): the sizes recorded in their provenance."""
    from .test_split import labelled_languages

    sizes = {}
    for part in ("eval", "test"):
        if part not in spec:
            continue
        dataset_dir = Path(data_root) / spec[part]["dataset"]
        manifest = read_manifest(dataset_dir)
        splits = (dict.fromkeys(labelled_languages(spec, manifest)[0], spec["test"]["split"])
                  if part == "test" else eval_splits(spec["eval"], manifest, spec["languages"])[0])
        for language, split in splits.items():
            sizes[f"{spec[part]['dataset']}/{language}/{split}"] = split_sizes(
                dataset_dir, language, split, spec[part])
    return sizes


def score_predictions(spec: dict, data_root: Path, by_language: dict[str, dict],
                      partial: bool = False) -> dict:
    """{task, metric, languages: {lang: metrics}, score}.

    The task score averages every evaluation language, so a prediction set missing any is
    an error, unless `partial` (scoring single files), where the score is left empty.
    """
    dataset_dir = Path(data_root) / spec["eval"]["dataset"]
    manifest = read_manifest(dataset_dir)
    unknown = sorted(set(by_language) - set(spec["languages"]))
    if unknown:
        raise ValueError(f"predictions for languages outside task {spec['task']!r}: {unknown}")
    splits, left_out = eval_splits(spec["eval"], manifest, spec["languages"])
    unscorable = sorted(set(by_language) & set(left_out))
    if unscorable:
        raise ValueError(f"task {spec['task']!r}: predictions for {unscorable}, which have no "
                         f"{spec['eval']['split']!r} split to score them on")
    missing = [language for language in splits if language not in by_language]
    if missing and not partial:
        raise ValueError(f"task {spec['task']!r}: no predictions for languages {missing}")
    splits = {language: splits[language] for language in by_language}
    results, examples = score_languages(spec, dataset_dir, splits, by_language, spec["eval"])
    caveat = comparability(spec, dataset_dir, splits)
    return {"task": spec["task"], "metric": spec["metric"], "split": spec["eval"]["split"],
            "splits": splits, "languages": results, "examples": examples,
            "score": None if missing else task_score(spec["metric"], results),
            "collapsed": None if spec["format"] == "retrieval" else collapse(by_language),
            **({"left_out": left_out} if left_out else {}),
            **({"caveat": caveat} if caveat else {})}


def comparability(spec: dict, dataset_dir: Path, splits: dict[str, str]) -> str | None:
    """Why the task's scores are not the benchmark's own, or None: BUCC mined from the gold
    pairs alone (google/xtreme on the hub) is a far easier task than BUCC 2018."""
    if spec["metric"] != "bucc_f1":
        return None
    from .tasks.retrieval import caveat

    return caveat([read_split(dataset_dir, language, split) for language, split in splits.items()])


def score_test(spec: dict, data_root: Path, predictions_file: dict) -> dict:
    """{split, languages, skipped, score} on the task's test split (results/table3.csv).

    The score averages every evaluation language as XTREME's does, so it is left empty
    when any language had to be skipped (no test labels); `skipped` says why."""
    from .test_split import test_predictions

    by_language, skipped = test_predictions(spec, predictions_file)
    split = spec["test"]["split"]
    results, _ = score_languages(spec, Path(data_root) / spec["test"]["dataset"],
                                 dict.fromkeys(by_language, split), by_language, spec["test"],
                                 keep_examples=False)
    return {"split": split, "languages": results, "skipped": skipped,
            "score": None if skipped or not results else task_score(spec["metric"], results)}


def score_languages(spec: dict, dataset_dir: Path, splits: dict[str, str],
                    by_language: dict[str, dict], sample: dict,
                    keep_examples: bool = True) -> tuple[dict[str, dict], dict[str, dict]]:
    """({language: metrics}, {language: per-example material, if kept}) of each
    language's predictions against its split's gold (the subset `sample`, the eval or test
    spec, asks for)."""
    metric, examples = METRICS[spec["metric"]], EXAMPLES[spec["metric"]]
    task_format = get_format(spec["format"])
    label_names = read_manifest(dataset_dir)["label_names"]
    results, materials = {}, {}
    for language, predictions in by_language.items():
        table = read_split(dataset_dir, language, splits[language], sample)
        gold = task_format.gold(table, label_names)
        try:
            results[language] = metric(predictions, gold, language)
            if keep_examples:
                materials[language] = examples(predictions, gold, language, table)
        except ValueError as error:
            raise ValueError(f"{spec['task']} {language}: {error} "
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
