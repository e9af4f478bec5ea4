"""What differs between a published file and the same file computed again."""

from xstilts.audit.differences import TOLERANCE, Difference, csv_differences, first_difference


def test_a_changed_cell_is_named_by_line_row_and_column():
    found = csv_differences("t.csv", "row,de,fr\nmnli,1.00,2.00\n", "row,de,fr\nmnli,1.00,2.50\n")
    assert found == [Difference("t.csv", 2, ("mnli", "1.00"), "fr", "2.00", "2.50")]
    assert found[0].describe() == ("t.csv line 2 (mnli, 1.00), column fr: '2.00' on disk, "
                                   "'2.50' built again from its inputs")


def test_a_missing_line_differs_in_each_of_its_cells():
    found = csv_differences("t.csv", "a,b\n1,2\n", "a,b\n1,2\nx,y\n")
    assert [(d.line, d.key, d.column, d.on_disk, d.rebuilt) for d in found] == [
        (3, (), "a", "(absent)", "x"), (3, ("x",), "b", "(absent)", "y")]


def test_a_difference_concerns_the_cells_of_its_row():
    wide = Difference("results/table2.csv", 3, ("mnli",), "pawsx", "1", "2")
    long = Difference("results/table2_long.csv", 9, ("mnli", "pawsx", "de"), "value", "1", "2")
    assert wide.concerns("mnli", "pawsx") and long.concerns("mnli", "pawsx")
    assert not wide.concerns("mnli", "xnli") and not long.concerns("qqp", "pawsx")


def test_the_first_differing_value_is_named_by_its_path():
    stored = {"score": 1.0, "languages": {"de": [1, 2]}}
    assert first_difference(stored, {"score": 1.0, "languages": {"de": [1, 3]}}) == (
        "languages.de.1", 2, 3)
    assert first_difference({"a": 1}, {"a": 1, "c": 2}) == ("c", "(absent)", 2)


def test_numbers_agree_within_the_tolerance_and_not_beyond():
    assert first_difference({"f1": 0.5}, {"f1": 0.5 + TOLERANCE / 10}) is None
    assert first_difference({"f1": 0.5}, {"f1": 0.5 + TOLERANCE * 10}) == (
        "f1", 0.5, 0.5 + TOLERANCE * 10)
