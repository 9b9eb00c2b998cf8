"""Tests of evalpatterns.io: loading the data files and reporting every problem of a bad one.

Bad files are made by copying a real data file into ``tmp_path`` and corrupting one thing. Every problem must
name the file, the line (header = line 1), the column and what was expected. No input file may change.
"""
from __future__ import annotations

import csv
import hashlib
import io as _stdio
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from evalpatterns import io
from evalpatterns.schema import SCHEMAS

DATA = Path(__file__).resolve().parents[1] / "data"
KINDS = [k for k, s in SCHEMAS.items() if s.bundled]  # the kinds data/ holds a file of


# --------------------------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------------------------

def digest(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def write_csv(tmp_path: Path, name: str, text: str) -> Path:
    """Write ``text`` as ``tmp_path/name`` and return the path."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def write_bytes(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def real_text(kind: str) -> str:
    return (DATA / SCHEMAS[kind].filename).read_text(encoding="utf-8")


def read_rows(text: str) -> list[list[str]]:
    return list(csv.reader(_stdio.StringIO(text)))


def rows_to_text(rows: list[list[str]]) -> str:
    buf = _stdio.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue()


def with_cell(kind: str, line: int, column: str, value: str, text: str | None = None) -> str:
    """The real file of ``kind`` (or ``text``) with the cell at file ``line`` (header = 1) in ``column`` replaced."""
    rows = read_rows(real_text(kind) if text is None else text)
    j = rows[0].index(column)
    rows[line - 1][j] = value
    return rows_to_text(rows)


def without_column(kind: str, column: str) -> str:
    rows = read_rows(real_text(kind))
    j = rows[0].index(column)
    return rows_to_text([r[:j] + r[j + 1:] for r in rows])


def renamed_column(kind: str, old: str, new: str) -> str:
    rows = read_rows(real_text(kind))
    rows[0][rows[0].index(old)] = new
    return rows_to_text(rows)


def checked(kind: str, path: Path):
    """``io.check`` of ``path``, asserting that checking leaves the file's bytes as they were."""
    before = digest(path) if path.is_file() else None
    frame, problems = io.check(kind, path)
    if before is not None:
        assert digest(path) == before, "checking a file must not modify it"
    assert problems == io.validate(kind, path)
    return frame, problems


def the_problem(kind: str, path: Path) -> io.Problem:
    frame, problems = checked(kind, path)
    assert frame is None
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0]


def assert_reported(problem: io.Problem, path: Path, line: int | None, column: str | None, expected: str,
                    found: str | None = None) -> None:
    """The problem's fields and its str name the file, line, column and the expectation."""
    text = str(problem)
    assert problem.file == str(path)
    assert text.startswith(str(path))
    assert problem.line == line
    if line is not None:
        assert f"line {line}" in text
    assert problem.column == column
    if column is not None:
        assert f"column '{column}'" in text
    assert expected in problem.expected
    assert f"expected {problem.expected}" in text
    if found is not None:
        assert found in problem.found
        assert problem.found in text


# --------------------------------------------------------------------------------------------------------------
# the real data files
# --------------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", KINDS)
def test_real_file_loads_with_typed_columns(kind):
    path = DATA / SCHEMAS[kind].filename
    before = digest(path)
    frame = io.load(kind, path)
    assert digest(path) == before
    assert len(frame) > 0
    schema = SCHEMAS[kind]
    for col in schema.columns:
        assert col.name in frame.columns, col.name
        s = frame[col.name]
        if col.kind == "float":
            assert s.dtype == np.float64, (col.name, s.dtype)
        elif col.kind == "int":
            assert s.dtype == pd.Int64Dtype(), (col.name, s.dtype)
        elif col.kind == "bool":
            assert all(v is None or v is pd.NA or isinstance(v, (bool, np.bool_)) for v in s), col.name
        else:
            assert all(pd.isna(v) or isinstance(v, str) for v in s), col.name
    assert list(frame.index) == list(range(len(frame)))


@pytest.mark.parametrize("kind", KINDS)
def test_real_file_has_no_problems(kind):
    path = DATA / SCHEMAS[kind].filename
    frame, problems = checked(kind, path)
    assert problems == []
    assert frame is not None


@pytest.mark.parametrize("kind", KINDS)
def test_load_equals_pandas_reading_of_the_same_file(kind):
    # the numbers loaded are exactly the numbers in the file
    path = DATA / SCHEMAS[kind].filename
    frame = io.load(kind, path)
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert len(frame) == len(raw)
    for col in SCHEMAS[kind].columns:
        if col.name not in raw.columns or col.kind not in ("float", "int"):
            continue
        expected = pd.to_numeric(raw[col.name].replace("", np.nan))
        np.testing.assert_array_equal(frame[col.name].astype(float).to_numpy(), expected.astype(float).to_numpy())


def test_typed_values_of_roi():
    roi = io.load("roi", DATA / "roi.csv")
    assert roi["minutes"].tolist() == [0.0, 120.0, 33.0, 11.0, 2.6, 5.0]
    assert roi["n_correct"].iloc[2] == 4 and roi["n_eval"].iloc[2] == 200
    assert pd.isna(roi["accuracy"].iloc[1])
    assert roi["accuracy_low"].iloc[1] == 0.0 and roi["accuracy_high"].iloc[1] == 0.03
    assert roi["kind"].tolist() == ["baseline", "training", "training", "training", "training", "model_switch"]


def test_typed_values_of_memorization_booleans():
    mem = io.load("memorization", DATA / "memorization.csv")
    assert mem["converged"].tolist().count(False) == 5
    assert mem["seed"].isna().all()
    assert mem["n_values"].tolist()[:3] == [10, 100, 500]


def test_optional_column_absent_is_added_as_missing():
    # effect_sizes.csv has no 'note' column; 'note' is optional, so it is present and empty after loading
    frame = io.load("effect_sizes", DATA / "effect_sizes.csv")
    assert "note" in frame.columns
    assert frame["note"].isna().all()


def test_load_accepts_str_path():
    frame = io.load("roi", str(DATA / "roi.csv"))
    assert len(frame) == 6


def test_unknown_kind_raises_key_error():
    with pytest.raises(KeyError, match="unknown data kind 'nope'"):
        io.load("nope", DATA / "roi.csv")


# --------------------------------------------------------------------------------------------------------------
# unreadable files
# --------------------------------------------------------------------------------------------------------------

def test_missing_file(tmp_path):
    path = tmp_path / "roi.csv"
    p = the_problem("roi", path)
    assert_reported(p, path, None, None, "a data file", "no such file")
    assert not path.exists()


def test_directory_instead_of_file(tmp_path):
    p = the_problem("roi", tmp_path)
    assert_reported(p, tmp_path, None, None, "a data file", "a directory")


def test_empty_file(tmp_path):
    path = write_csv(tmp_path, "roi.csv", "")
    p = the_problem("roi", path)
    assert_reported(p, path, None, None, "a CSV file with a header row", "an empty file")


def test_blank_lines_only(tmp_path):
    path = write_csv(tmp_path, "roi.csv", "\n\n\n")
    p = the_problem("roi", path)
    assert_reported(p, path, None, None, "a CSV file with a header row", "no columns")


def test_binary_file(tmp_path):
    path = write_bytes(tmp_path, "roi.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe\x00\x01\x80\x90")
    p = the_problem("roi", path)
    assert_reported(p, path, None, None, "a UTF-8 CSV file", "binary")


def test_latin1_file_is_reported_as_non_utf8(tmp_path):
    text = real_text("roi").replace("baseline,", "bas\u00e9line,", 1)
    path = write_bytes(tmp_path, "roi.csv", text.encode("latin-1"))
    p = the_problem("roi", path)
    assert_reported(p, path, None, None, "a UTF-8 CSV file", "non-UTF-8")


def test_not_a_csv_reports_every_missing_column(tmp_path):
    path = write_csv(tmp_path, "roi.csv", '{"approach": "Model Switch", "minutes": 5}\n')
    frame, problems = checked("roi", path)
    assert frame is None
    required = SCHEMAS["roi"].required_columns
    assert [p.column for p in problems] == required
    for p, col in zip(problems, required):
        assert_reported(p, path, 1, col, f"a column named '{col}'", "no such column")


def test_ragged_row_is_not_parseable(tmp_path):
    rows = real_text("roi").splitlines(keepends=True)
    rows[3] = rows[3].rstrip("\n") + ",extra,more\n"  # file line 4 has two fields too many
    path = write_csv(tmp_path, "roi.csv", "".join(rows))
    p = the_problem("roi", path)
    header = len(read_rows(real_text("roi"))[0])
    assert_reported(p, path, 4, None, f"at most {header} fields, as in the header", f"{header + 2} fields")


def test_header_only(tmp_path):
    header = real_text("roi").splitlines(keepends=True)[0]
    path = write_csv(tmp_path, "roi.csv", header)
    p = the_problem("roi", path)
    assert_reported(p, path, None, None, "at least one data row", "only a header")


# --------------------------------------------------------------------------------------------------------------
# columns
# --------------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind, column", [
    ("roi", "minutes"), ("memorization", "converged"), ("capability", "scale_max"), ("distillation", "phase"),
    ("mode_collapse", "learning_rate"), ("effect_sizes", "hedges_g"), ("roi", "status"),
])
def test_missing_column(tmp_path, kind, column):
    path = write_csv(tmp_path, SCHEMAS[kind].filename, without_column(kind, column))
    p = the_problem(kind, path)
    assert_reported(p, path, 1, column, f"a column named '{column}'", "no such column")


def test_missing_optional_column_is_fine(tmp_path):
    path = write_csv(tmp_path, "roi.csv", without_column("roi", "note"))
    frame, problems = checked("roi", path)
    assert problems == []
    assert frame["note"].isna().all()


def test_misspelt_column_is_reported_on_the_header_line(tmp_path):
    path = write_csv(tmp_path, "mode_collapse.csv", renamed_column("mode_collapse", "learning_rate", "learning_rte"))
    p = the_problem("mode_collapse", path)
    assert_reported(p, path, 1, "learning_rate", "a column named 'learning_rate'", "no such column")
    assert "learning_rte" in str(p)


@pytest.mark.parametrize("kind, right, wrong", [
    ("mode_collapse", "learning_rate", "learning_rte"),
    ("roi", "minutes", "minuts"),
    ("memorization", "episodes", "episode"),
])
def test_misspelt_column_message_suggests_the_schema_name(tmp_path, kind, right, wrong):
    # The file says 'learning_rte'; the helpful message points the reader at the name the schema
    # wants: "did you mean 'learning_rate'".
    path = write_csv(tmp_path, SCHEMAS[kind].filename, renamed_column(kind, right, wrong))
    p = the_problem(kind, path)
    assert f"did you mean '{right}'" in str(p)


def test_repeated_column(tmp_path):
    # a second 'minutes' column with different values: which one is meant is ambiguous, so the schema's
    # "each column once" rule must report it on the header line rather than silently use the first copy
    rows = read_rows(real_text("roi"))
    rows = [r + ["minutes" if i == 0 else "1"] for i, r in enumerate(rows)]
    assert rows[0].count("minutes") == 2
    path = write_csv(tmp_path, "roi.csv", rows_to_text(rows))
    p = the_problem("roi", path)
    assert_reported(p, path, 1, "minutes", "each column once", "the column repeated")


# --------------------------------------------------------------------------------------------------------------
# cells
# --------------------------------------------------------------------------------------------------------------

def test_wrong_type_in_a_cell(tmp_path):
    path = write_csv(tmp_path, "roi.csv", with_cell("roi", 4, "minutes", "abc"))
    p = the_problem("roi", path)
    assert_reported(p, path, 4, "minutes", "a number >= 0", "'abc'")
    assert str(p) == f"{path}, line 4, column 'minutes': expected a number >= 0; found 'abc'"


def test_text_in_an_int_column(tmp_path):
    path = write_csv(tmp_path, "distillation.csv", with_cell("distillation", 3, "step", "ten"))
    p = the_problem("distillation", path)
    assert_reported(p, path, 3, "step", "a whole number >= 0", "'ten'")


def test_fraction_in_an_int_column(tmp_path):
    path = write_csv(tmp_path, "distillation.csv", with_cell("distillation", 3, "step", "1.5"))
    p = the_problem("distillation", path)
    assert_reported(p, path, 3, "step", "a whole number", "'1.5'")


def test_not_a_boolean(tmp_path):
    path = write_csv(tmp_path, "memorization.csv", with_cell("memorization", 5, "converged", "maybe"))
    p = the_problem("memorization", path)
    assert_reported(p, path, 5, "converged", "true or false", "'maybe'")


@pytest.mark.parametrize("kind, line, column, expected", [
    ("roi", 4, "minutes", "a number >= 0 (a value is required)"),
    ("roi", 2, "status", "(a value is required)"),
    ("roi", 6, "source", "text (a value is required)"),
    ("memorization", 3, "converged", "true or false (a value is required)"),
    ("distillation", 7, "phase", "one of off_policy, on_policy (a value is required)"),
    ("capability", 2, "value", "a number >= 0 (a value is required)"),
])
def test_required_value_empty(tmp_path, kind, line, column, expected):
    path = write_csv(tmp_path, SCHEMAS[kind].filename, with_cell(kind, line, column, ""))
    p = the_problem(kind, path)
    assert_reported(p, path, line, column, expected, "an empty cell")


def test_whitespace_only_value_counts_as_empty(tmp_path):
    path = write_csv(tmp_path, "roi.csv", with_cell("roi", 4, "minutes", "   "))
    p = the_problem("roi", path)
    assert_reported(p, path, 4, "minutes", "(a value is required)", "an empty cell")


def test_optional_value_empty_is_fine(tmp_path):
    # attempt 2 with no sample output is still a valid row
    path = write_csv(tmp_path, "mode_collapse.csv", with_cell("mode_collapse", 2, "sample_output", ""))
    frame, problems = checked("mode_collapse", path)
    assert problems == []
    assert pd.isna(frame["sample_output"].iloc[0])


def test_negative_minutes(tmp_path):
    path = write_csv(tmp_path, "roi.csv", with_cell("roi", 5, "minutes", "-11"))
    p = the_problem("roi", path)
    assert_reported(p, path, 5, "minutes", "a number >= 0", "'-11'")


def test_zero_params_violates_exclusive_minimum(tmp_path):
    path = write_csv(tmp_path, "capability.csv", with_cell("capability", 2, "params_b", "0"))
    p = the_problem("capability", path)
    assert_reported(p, path, 2, "params_b", "a number > 0", "'0'")


@pytest.mark.parametrize("kind, line, column, value", [
    ("roi", 7, "accuracy", "1.5"),
    ("roi", 7, "accuracy", "-0.1"),
    ("roi", 3, "accuracy_high", "3"),
    ("mode_collapse", 4, "accuracy", "73.5"),
    ("effect_sizes", 2, "p_value", "1.01"),
])
def test_rate_outside_unit_interval(tmp_path, kind, line, column, value):
    path = write_csv(tmp_path, SCHEMAS[kind].filename, with_cell(kind, line, column, value))
    p = the_problem(kind, path)
    assert_reported(p, path, line, column, "a number in [0, 1]", repr(value))


@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "-inf", "+inf", "Infinity", "-Infinity"])
def test_non_finite_where_a_number_is_required(tmp_path, value):
    path = write_csv(tmp_path, "roi.csv", with_cell("roi", 4, "minutes", value))
    p = the_problem("roi", path)
    assert_reported(p, path, 4, "minutes", "a number >= 0", repr(value))


@pytest.mark.parametrize("value", ["inf", "NaN", "-inf"])
def test_non_finite_in_an_unbounded_column(tmp_path, value):
    # hedges_g has no bounds, so only the finiteness rule can catch this
    path = write_csv(tmp_path, "effect_sizes.csv", with_cell("effect_sizes", 3, "hedges_g", value))
    p = the_problem("effect_sizes", path)
    assert_reported(p, path, 3, "hedges_g", "a number", repr(value))


@pytest.mark.parametrize("kind, line, column, value", [
    ("roi", 4, "minutes", "1e999"),
    ("effect_sizes", 3, "hedges_g", "-1e400"),
])
def test_overflowing_number_is_not_finite(tmp_path, kind, line, column, value):
    # '1e999' parses to inf: an infinite value spelt as digits must be rejected like 'inf'
    path = write_csv(tmp_path, SCHEMAS[kind].filename, with_cell(kind, line, column, value))
    frame, problems = checked(kind, path)
    assert [(p.line, p.column) for p in problems] == [(line, column)], [str(p) for p in problems]


@pytest.mark.parametrize("kind, line, column, value, expected", [
    ("roi", 3, "kind", "trainig", "one of training, model_switch, baseline"),
    ("distillation", 5, "phase", "offpolicy", "one of off_policy, on_policy"),
    ("memorization", 9, "method", "rl-eoe", "one of supervised, rl_eoe, rl_step"),
    ("capability", 4, "status", "guessed", "one of measured, figure, illustrative, pending"),
    ("capability", 4, "stage", "after", "one of base, trained"),
    ("effect_sizes", 2, "p_value_bound", "lower", "one of upper, exact"),
])
def test_unknown_category(tmp_path, kind, line, column, value, expected):
    path = write_csv(tmp_path, SCHEMAS[kind].filename, with_cell(kind, line, column, value))
    p = the_problem(kind, path)
    assert_reported(p, path, line, column, expected, repr(value))


def test_category_is_case_sensitive(tmp_path):
    path = write_csv(tmp_path, "roi.csv", with_cell("roi", 2, "status", "Measured"))
    p = the_problem("roi", path)
    assert_reported(p, path, 2, "status", "one of measured", "'Measured'")


# --------------------------------------------------------------------------------------------------------------
# rules across cells and rows
# --------------------------------------------------------------------------------------------------------------

def test_value_above_scale_max(tmp_path):
    # GAN jokes originality 12 on a 0-10 scale (file line 9)
    path = write_csv(tmp_path, "capability.csv", with_cell("capability", 9, "value", "12"))
    p = the_problem("capability", path)
    assert_reported(p, path, 9, "value", "value <= scale_max", "value=12")
    assert "scale_max=10" in p.found


@pytest.mark.parametrize("kind, line", [("roi", 4), ("mode_collapse", 2)])
def test_n_correct_above_n_eval(tmp_path, kind, line):
    path = write_csv(tmp_path, SCHEMAS[kind].filename, with_cell(kind, line, "n_correct", "201"))
    p = the_problem(kind, path)
    assert_reported(p, path, line, "n_correct", "n_correct <= n_eval", "n_correct=201")
    assert "n_eval=200" in p.found


def test_roi_row_with_neither_accuracy_nor_range(tmp_path):
    text = with_cell("roi", 3, "accuracy_low", "")
    text = with_cell("roi", 3, "accuracy_high", "", text)
    path = write_csv(tmp_path, "roi.csv", text)
    p = the_problem("roi", path)
    assert_reported(p, path, 3, "accuracy", "an accuracy, or both accuracy_low and accuracy_high")


def test_roi_row_with_half_a_range(tmp_path):
    path = write_csv(tmp_path, "roi.csv", with_cell("roi", 3, "accuracy_high", ""))
    p = the_problem("roi", path)
    assert_reported(p, path, 3, "accuracy", "an accuracy, or both accuracy_low and accuracy_high")


def test_roi_range_reversed(tmp_path):
    text = with_cell("roi", 3, "accuracy_low", "0.03")
    text = with_cell("roi", 3, "accuracy_high", "0.00", text)
    path = write_csv(tmp_path, "roi.csv", text)
    p = the_problem("roi", path)
    assert_reported(p, path, 3, "accuracy_low", "accuracy_low <= accuracy_high", "accuracy_low=0.03")


@pytest.mark.parametrize("kind, copied_line", [
    ("roi", 3),            # key (approach)
    ("distillation", 6),   # key (run, step)
    ("capability", 2),     # key (project, task, params_b, stage)
    ("effect_sizes", 3),   # key (comparison, n_values)
])
def test_duplicate_rows_for_one_key(tmp_path, kind, copied_line):
    text = real_text(kind)
    lines = text.splitlines(keepends=True)
    path = write_csv(tmp_path, SCHEMAS[kind].filename, text + lines[copied_line - 1])
    new_line = len(lines) + 1
    p = the_problem(kind, path)
    key = ", ".join(SCHEMAS[kind].key)
    assert_reported(p, path, new_line, key, f"one row per ({key})", f"a duplicate of line {copied_line}")


@pytest.mark.parametrize("kind, copied_line", [
    ("memorization", 2),    # key (method, n_values, seed) with seed empty: supervised, 10, <no seed>
    ("mode_collapse", 6),   # key (model, learning_rate, lora_rank, attempt) with attempt empty
])
def test_duplicate_rows_whose_key_has_an_empty_value(tmp_path, kind, copied_line):
    text = real_text(kind)
    lines = text.splitlines(keepends=True)
    path = write_csv(tmp_path, SCHEMAS[kind].filename, text + lines[copied_line - 1])
    new_line = len(lines) + 1
    p = the_problem(kind, path)
    key = ", ".join(SCHEMAS[kind].key)
    assert_reported(p, path, new_line, key, f"one row per ({key})", f"a duplicate of line {copied_line}")


def test_rows_differing_only_in_seed_are_not_duplicates(tmp_path):
    text = real_text("memorization") + "supervised,10,1,11,true,measured,synthetic,\n" \
                                       "supervised,10,2,12,true,measured,synthetic,\n"
    path = write_csv(tmp_path, "memorization.csv", text)
    frame, problems = checked("memorization", path)
    assert problems == []
    assert frame["seed"].tolist()[-2:] == [1, 2]


# --------------------------------------------------------------------------------------------------------------
# several problems; line numbers; DataError
# --------------------------------------------------------------------------------------------------------------

def many_problems_text() -> str:
    text = with_cell("roi", 3, "minutes", "abc")
    text = with_cell("roi", 4, "accuracy", "1.5", text)
    text = with_cell("roi", 5, "kind", "coffee", text)
    text = with_cell("roi", 6, "minutes", "-2.6", text)
    return with_cell("roi", 7, "status", "", text)


def test_several_problems_are_all_reported_in_line_order(tmp_path):
    path = write_csv(tmp_path, "roi.csv", many_problems_text())
    frame, problems = checked("roi", path)
    assert frame is None
    assert [(p.line, p.column) for p in problems] == [
        (3, "minutes"), (4, "accuracy"), (5, "kind"), (6, "minutes"), (7, "status")]
    assert [p.found for p in problems] == ["'abc'", "'1.5'", "'coffee'", "'-2.6'", "an empty cell"]


def test_several_problems_in_one_row_are_all_reported(tmp_path):
    text = with_cell("roi", 4, "minutes", "abc")
    text = with_cell("roi", 4, "accuracy", "2", text)
    text = with_cell("roi", 4, "kind", "x", text)
    path = write_csv(tmp_path, "roi.csv", text)
    _, problems = checked("roi", path)
    assert sorted((p.line, p.column) for p in problems) == [(4, "accuracy"), (4, "kind"), (4, "minutes")]


def test_cell_problem_and_duplicate_key_in_different_rows_are_both_reported(tmp_path):
    # 'every problem found': a bad cell on line 4 must not hide the duplicate of line 3 appended as line 8
    text = with_cell("roi", 4, "minutes", "abc")
    text += real_text("roi").splitlines(keepends=True)[2]
    path = write_csv(tmp_path, "roi.csv", text)
    _, problems = checked("roi", path)
    assert [(p.line, p.column) for p in problems] == [(4, "minutes"), (8, "approach")], [str(p) for p in problems]


def test_line_numbers_count_the_header_as_line_one(tmp_path):
    for line in (2, 5, 7):
        path = write_csv(tmp_path, f"roi{line}.csv", with_cell("roi", line, "minutes", "x"))
        assert [p.line for p in io.validate("roi", path)] == [line]


def test_line_numbers_count_blank_lines(tmp_path):
    # a blank line after line 3 pushes the bad row (Training Attempt 2, minutes 'abc') to line 5 of the file
    lines = with_cell("roi", 4, "minutes", "abc").splitlines(keepends=True)
    path = write_csv(tmp_path, "roi.csv", "".join(lines[:3]) + "\n" + "".join(lines[3:]))
    assert path.read_text().splitlines()[4].startswith("Training Attempt 2,")
    p = the_problem("roi", path)
    assert_reported(p, path, 5, "minutes", "a number >= 0", "'abc'")


def test_load_raises_data_error_with_every_problem(tmp_path):
    path = write_csv(tmp_path, "roi.csv", many_problems_text())
    before = digest(path)
    with pytest.raises(io.DataError) as info:
        io.load("roi", path)
    err = info.value
    assert isinstance(err, ValueError)
    assert err.problems == io.validate("roi", path)
    assert len(err.problems) == 5
    message = str(err)
    assert message.splitlines() == [str(p) for p in err.problems]
    assert f"{path}, line 3, column 'minutes'" in message
    assert digest(path) == before


def test_load_raises_data_error_for_missing_file(tmp_path):
    with pytest.raises(io.DataError) as info:
        io.load("roi", tmp_path / "absent.csv")
    assert len(info.value.problems) == 1
    assert "no such file" in str(info.value)


def test_check_returns_frame_and_no_problems_when_valid():
    frame, problems = io.check("capability", DATA / "capability.csv")
    assert problems == []
    pd.testing.assert_frame_equal(frame, io.load("capability", DATA / "capability.csv"))


def test_problem_str_without_line_or_column():
    p = io.Problem("x.csv", None, None, "a data file", "no such file")
    assert str(p) == "x.csv: expected a data file; found no such file"
    q = io.Problem("x.csv", 3, "minutes", "a number >= 0", "'abc'")
    assert str(q) == "x.csv, line 3, column 'minutes': expected a number >= 0; found 'abc'"


# --------------------------------------------------------------------------------------------------------------
# Parquet
# --------------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", KINDS)
def test_parquet_of_the_csv_text_loads_the_same_as_csv(tmp_path, kind):
    csv_path = DATA / SCHEMAS[kind].filename
    raw = pd.read_csv(csv_path, dtype=str, keep_default_na=False)
    pq = tmp_path / (SCHEMAS[kind].name + ".parquet")
    raw.to_parquet(pq)
    before = digest(pq)
    pd.testing.assert_frame_equal(io.load(kind, pq), io.load(kind, csv_path))
    assert digest(pq) == before


@pytest.mark.parametrize("kind", KINDS)
def test_parquet_of_the_typed_frame_loads_the_same_values(tmp_path, kind):
    csv_path = DATA / SCHEMAS[kind].filename
    # only the columns the CSV has: an optional column absent from the CSV is added empty by the loader and
    # would be written to Parquet as a column that the CSV never had
    in_file = pd.read_csv(csv_path, nrows=0).columns.tolist()
    from_csv = io.load(kind, csv_path)[in_file]
    pq = tmp_path / (SCHEMAS[kind].name + ".parquet")
    from_csv.to_parquet(pq)
    from_pq = io.load(kind, pq)[in_file]
    pd.testing.assert_frame_equal(from_pq, from_csv, check_dtype=False)
    for col in SCHEMAS[kind].columns:
        if col.kind in ("float", "int") and col.name in in_file:
            assert from_pq[col.name].dtype == from_csv[col.name].dtype, col.name


def test_parquet_with_a_bad_value_is_reported(tmp_path):
    raw = pd.read_csv(DATA / "roi.csv", dtype=str, keep_default_na=False)
    raw.loc[5, "accuracy"] = "1.5"  # the model switch row: file line 7 of the CSV
    pq = tmp_path / "roi.parquet"
    raw.to_parquet(pq)
    p = the_problem("roi", pq)
    assert_reported(p, pq, 7, "accuracy", "a number in [0, 1]", "'1.5'")



@pytest.mark.parametrize("step, found", [(1e30, "'1e+30'"), (2.0 ** 63, "'9.223372036854776e+18'")])
def test_a_whole_number_beyond_int64_is_reported_not_raised(tmp_path, step, found):
    log = pd.read_csv(DATA / "distillation.csv").astype({"step": "float64"})
    log.loc[2, "step"] = step  # an Int64 cannot hold it: it was a TypeError out of the loader
    pq = tmp_path / "distillation.parquet"
    log.to_parquet(pq, index=False)
    assert_reported(the_problem("distillation", pq), pq, 4, "step", "a whole number >= 0", found)


def test_unreadable_parquet(tmp_path):
    pq = write_bytes(tmp_path, "roi.parquet", b"this is not parquet at all")
    p = the_problem("roi", pq)
    assert_reported(p, pq, None, None, "a Parquet file", "unreadable")


# --------------------------------------------------------------------------------------------------------------
# inputs are never modified
# --------------------------------------------------------------------------------------------------------------

def test_loading_and_checking_every_real_file_leaves_bytes_and_mtime_unchanged():
    before = {p: (digest(p), p.stat().st_mtime_ns) for p in sorted(DATA.iterdir()) if p.is_file()}
    for kind in KINDS:
        path = DATA / SCHEMAS[kind].filename
        io.load(kind, path)
        io.check(kind, path)
        io.validate(kind, path)
    after = {p: (digest(p), p.stat().st_mtime_ns) for p in sorted(DATA.iterdir()) if p.is_file()}
    assert after == before


def test_failing_load_leaves_bytes_unchanged_and_creates_nothing(tmp_path):
    path = write_csv(tmp_path, "roi.csv", many_problems_text())
    before = path.read_bytes()
    listing = sorted(tmp_path.iterdir())
    with pytest.raises(io.DataError):
        io.load("roi", path)
    assert path.read_bytes() == before
    assert sorted(tmp_path.iterdir()) == listing


def test_copy_of_real_file_loads_identically(tmp_path):
    copy = tmp_path / "memorization.csv"
    shutil.copyfile(DATA / "memorization.csv", copy)
    pd.testing.assert_frame_equal(io.load("memorization", copy), io.load("memorization", DATA / "memorization.csv"))


# --------------------------------------------------------------------------------------------------------------
# what a careless export gives: a byte-order mark, another delimiter, ragged rows, open quotes, NUL, not a file
# --------------------------------------------------------------------------------------------------------------

def test_a_byte_order_mark_is_allowed(tmp_path):
    path = write_bytes(tmp_path, "roi.csv", b"\xef\xbb\xbf" + real_text("roi").encode())
    before = digest(path)
    assert io.load("roi", path).equals(io.load("roi", DATA / "roi.csv"))
    assert digest(path) == before


@pytest.mark.parametrize("sep, called", [(";", "semicolons"), ("\t", "tabs")])
def test_another_delimiter_is_named_once(tmp_path, sep, called):
    rows = read_rows(real_text("roi"))
    path = write_csv(tmp_path, "roi.csv", "\n".join(sep.join(r) for r in rows) + "\n")
    problem = the_problem("roi", path)
    assert_reported(problem, path, 1, None, "columns separated by commas",
                    f"a header separated by {called}; save the file as CSV with commas")


def test_a_row_with_more_fields_than_the_header_names_its_line(tmp_path):
    lines = real_text("roi").splitlines()
    lines[3] += ",surplus"  # the file's line 4
    path = write_csv(tmp_path, "roi.csv", "\n".join(lines) + "\n")
    header = len(read_rows(real_text("roi"))[0])
    assert_reported(the_problem("roi", path), path, 4, None, f"at most {header} fields, as in the header",
                    f"{header + 1} fields")


def test_a_quote_left_open_names_the_line_it_opens_on(tmp_path):
    text = real_text("roi")
    n = len(text.splitlines())
    path = write_csv(tmp_path, "roi.csv", text + '"Open quote,training,5,0.5,,,measured,x\n')
    problem = the_problem("roi", path)
    assert_reported(problem, path, n + 1, None, "every double quote closed", "does not end")
    assert "EOF" not in str(problem) and "row" not in str(problem)  # our words, not pandas'


def test_a_nul_byte_in_a_text_cell_is_refused(tmp_path):
    path = write_csv(tmp_path, "roi.csv", with_cell("roi", 3, "source", "log\x00file"))
    assert_reported(the_problem("roi", path), path, 3, "source", "text without NUL bytes", "a NUL byte in 'log<NUL>file'")


def test_not_a_file_is_named_for_what_it_is_without_opening_it(tmp_path):
    import os

    fifo = tmp_path / "roi.csv"
    os.mkfifo(fifo)  # opening it would wait forever for a writer
    assert_reported(the_problem("roi", fifo), fifo, None, None, "a data file", "a FIFO (named pipe), not a file")
    link = tmp_path / "link.csv"
    link.symlink_to(tmp_path / "gone.csv")
    assert_reported(the_problem("roi", link), link, None, None, "a data file", f"a broken link (to {tmp_path / 'gone.csv'})")
    assert_reported(the_problem("roi", Path("/dev/null")), Path("/dev/null"), None, None, "a data file",
                    "a device, not a file")


# --------------------------------------------------------------------------------------------------------------
# the wider contract: optional columns that may be absent, ranges, counts, eval sets, methods
# --------------------------------------------------------------------------------------------------------------

def test_roi_without_range_columns_is_valid_and_gets_them_empty(tmp_path):
    rows = read_rows(real_text("roi"))
    keep = [j for j, c in enumerate(rows[0]) if c not in ("accuracy_low", "accuracy_high")]
    # attempt 1 (line 3) is known only as a range: without the range columns it has no value at all
    rows = [rows[0]] + [r for i, r in enumerate(rows[1:], start=2) if i != 3]
    path = write_csv(tmp_path, "roi.csv", rows_to_text([[r[j] for j in keep] for r in rows]))
    frame, problems = checked("roi", path)
    assert problems == []
    assert frame["accuracy_low"].isna().all() and frame["accuracy_high"].isna().all()
    assert len(frame) == 5


def test_roi_range_column_absent_row_needs_an_accuracy(tmp_path):
    rows = read_rows(real_text("roi"))
    keep = [j for j, c in enumerate(rows[0]) if c not in ("accuracy_low", "accuracy_high")]
    path = write_csv(tmp_path, "roi.csv", rows_to_text([[r[j] for j in keep] for r in rows]))
    p = the_problem("roi", path)  # attempt 1, known only as 0-3%, has nowhere to say so
    assert_reported(p, path, 3, "accuracy", "an accuracy, or both accuracy_low and accuracy_high")


MC_HEADER = ("attempt,model,learning_rate,lora_rank,accuracy,accuracy_low,accuracy_high,n_eval,stderr,eval_set,"
             "status,source")


def test_mode_collapse_attempt_known_only_as_a_range(tmp_path):
    path = write_csv(tmp_path, "mode_collapse.csv", MC_HEADER + "\n"
                     "1,M,2e-4,128,,0,0.03,,,full-200,measured,my log\n"
                     "2,M,5e-6,32,0.92,,,50,0.038,subset-50,measured,my log\n")
    frame, problems = checked("mode_collapse", path)
    assert problems == []
    assert (frame["accuracy_low"].iloc[0], frame["accuracy_high"].iloc[0]) == (0.0, 0.03)
    assert pd.isna(frame["accuracy"].iloc[0])
    assert frame["eval_set"].tolist() == ["full-200", "subset-50"]
    assert frame["stderr"].iloc[1] == 0.038 and frame["n_eval"].iloc[1] == 50


@pytest.mark.parametrize("cells, column, expected", [
    ("1,M,2e-4,128,,0.05,0.03,,,,measured,my log", "accuracy_low", "accuracy_low <= accuracy_high"),
    ("1,M,2e-4,128,,0,1.2,,,,measured,my log", "accuracy_high", "a number in [0, 1]"),
    ("1,M,2e-4,128,0.5,,,,-0.1,,measured,my log", "stderr", "a number >= 0"),
    ("1,M,2e-4,128,0.5,,,0,,,measured,my log", "n_eval", "a whole number >= 1"),
])
def test_mode_collapse_bad_range_or_measure(tmp_path, cells, column, expected):
    path = write_csv(tmp_path, "mode_collapse.csv", MC_HEADER + "\n" + cells + "\n")
    assert_reported(the_problem("mode_collapse", path), path, 2, column, expected)


def test_capability_direction_must_agree_within_a_task(tmp_path):
    header = "project,task,params_b,stage,value,scale_max,higher_is_better,status,source\n"
    ok = write_csv(tmp_path, "capability.csv", header + "P,loss,3,base,0.4,1,false,measured,x\n"
                   "P,loss,8,base,0.2,1,,measured,x\nP,acc,8,base,0.9,1,true,measured,x\n")
    frame, problems = checked("capability", ok)
    assert problems == [] and frame["higher_is_better"].tolist() == [False, None, True]
    bad = write_csv(tmp_path, "capability.csv", header + "P,loss,3,base,0.4,1,false,measured,x\n"
                    "P,loss,8,base,0.2,1,true,measured,x\n")
    _, problems = checked("capability", bad)
    assert [(p.line, p.column, p.expected) for p in problems] == [
        (2, "higher_is_better", "one higher_is_better per (project, task)"),
        (3, "higher_is_better", "one higher_is_better per (project, task)")]


def test_distillation_method_and_eval_measures(tmp_path):
    header = "run,method,family,student,teacher,gap,step,phase,eval_score,n_correct,n_eval,eval_set,status,source\n"
    path = write_csv(tmp_path, "distillation.csv", header +
                     "r1,hybrid,Llama,S,T,70,0,off_policy,0.5,25,50,subset-50,measured,log\n"
                     "r2,on-policy-only,Llama,S,T,70,0,on_policy,0.6,120,200,full,measured,log\n")
    frame, problems = checked("distillation", path)
    assert problems == [] and frame["method"].tolist() == ["hybrid", "on-policy-only"]
    assert frame["n_correct"].tolist() == [25, 120] and frame["eval_score_low"].isna().all()


def test_distillation_downstream_file(tmp_path):
    header = "method,family,task,seed,accuracy,accuracy_low,accuracy_high,n_correct,n_eval,status,source\n"
    good = write_csv(tmp_path, "distillation_downstream.csv", header +
                     "hybrid,Llama,gsm8k,1,0.46,,,23,50,measured,run log\n"
                     "hybrid,Llama,gsm8k,2,,0.40,0.50,,,measured,run log\n"
                     "off-policy,Qwen,gsm8k,1,0.73,,,146,200,measured,run log\n")
    frame, problems = checked("distillation_downstream", good)
    assert problems == [] and frame["n_eval"].tolist() == [50, pd.NA, 200]
    bad = write_csv(tmp_path, "distillation_downstream.csv", header +
                    "hybrid,Llama,gsm8k,1,,,,,,measured,run log\n"
                    "hybrid,Llama,gsm8k,1,0.5,,,60,50,measured,run log\n")
    _, problems = checked("distillation_downstream", bad)
    assert [(p.line, p.column) for p in problems] == [
        (2, "accuracy"), (3, "method, family, task, seed"), (3, "n_correct")]


def test_effect_sizes_without_n_values(tmp_path):
    path = write_csv(tmp_path, "effect_sizes.csv", "comparison,hedges_g,p_value,status,source\n"
                     "Supervised vs RL,-8.2,0.001,measured,a paper\n")
    frame, problems = checked("effect_sizes", path)
    assert problems == [] and frame["n_values"].isna().all() and frame["hedges_g"].tolist() == [-8.2]


@pytest.mark.parametrize("header, problem", [
    ("episode", "no such column, but a column 'episode' (did you mean 'episodes'?)"),  # optional, misspelt
    ("wall_clock_hours", None),  # another column: allowed and ignored
])
def test_absent_optional_column_is_fine_but_a_misspelt_one_is_reported(tmp_path, header, problem):
    path = write_csv(tmp_path, "memorization.csv", renamed_column("memorization", "episodes", header))
    frame, problems = checked("memorization", path)
    if problem is None:
        assert problems == [] and frame["episodes"].isna().all()
    else:
        assert [(p.line, p.column, p.found) for p in problems] == [(1, "episodes", problem)]


def test_the_hash_of_a_parquet_folder_covers_each_files_name_and_bytes(tmp_path):
    import hashlib

    (tmp_path / "log" / "family=A").mkdir(parents=True)
    (tmp_path / "log" / "family=A" / "a.parquet").write_bytes(b"one")
    (tmp_path / "log" / "b.parquet").write_bytes(b"two")
    want = hashlib.sha256(b"b.parquet\0two" + b"family=A/a.parquet\0one").hexdigest()
    assert io.file_sha256(tmp_path / "log") == want
    (tmp_path / "log" / "b.parquet").rename(tmp_path / "log" / "c.parquet")  # same bytes, another name
    assert io.file_sha256(tmp_path / "log") != want
    assert io.file_sha256(tmp_path / "log" / "c.parquet") == hashlib.sha256(b"two").hexdigest()
