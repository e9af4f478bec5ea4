"""Which prepared splits a task is evaluated on, from its manifest alone."""

import pytest
from specs import data_ref, task_spec

from xstilts.store.splits import eval_splits, labelled_languages

MANIFEST = {"files": {"en/validation": {}, "de/validation": {}, "kk/test": {}, "en/test": {}},
            "dropped_unlabelled_rows": {"de/test": 500}}


def test_a_language_without_the_split_falls_back_or_is_left_out_with_the_reason():
    ref = data_ref({"dataset": "udpos", "split": "validation"})
    assert eval_splits(ref, MANIFEST, ["en", "de", "kk"]) == (
        {"en": "validation", "de": "validation"}, {"kk": "no validation split in udpos"})
    with_fallback = data_ref({"dataset": "udpos", "split": "validation",
                              "fallback_split": "test"})
    assert eval_splits(with_fallback, MANIFEST, ["kk"]) == ({"kk": "test"}, {})
    with pytest.raises(ValueError, match="no language has split 'train'"):
        eval_splits(data_ref({"dataset": "udpos", "split": "train"}), MANIFEST, ["en"])


def test_test_languages_skip_placeholder_labels_and_missing_splits():
    spec = task_spec({"task": "pawsx", "languages": ["en", "de", "fr"],
                      "test": {"dataset": "pawsx", "split": "test"}})
    present, skipped = labelled_languages(spec, MANIFEST)
    assert present == ["en"]
    assert skipped == {"de": "pawsx de/test: all 500 rows have placeholder labels",
                       "fr": "pawsx has no fr/test split"}
