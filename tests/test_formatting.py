"""Tests of evalpatterns.formatting: numbers written for people.

Every function returns a plain ``str``, ``"n/a"`` for a missing value, and writes negative numbers with the
true minus sign U+2212 (never the ASCII hyphen-minus).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evalpatterns import formatting as F

MINUS = "\u2212"
DASH = "\u2013"

# (function, a valid argument) for every public formatter; used for the n/a and str-type checks
FORMATTERS = [
    (F.pct, ()), (F.number, ()), (F.points, ()), (F.ratio, ()), (F.duration, ()), (F.sci, ()),
    (F.episodes, ()), (F.decimal, ()), (F.size, ()),
]
MISSING = [None, float("nan"), np.nan, np.float64("nan"), np.float32("nan")]


def fmt(func, x, *args, **kwargs) -> str:
    """Call a formatter and check that the result is a plain str."""
    out = func(x, *args, **kwargs)
    assert type(out) is str, (func.__name__, x, type(out))
    return out


# --------------------------------------------------------------------------------------------------------------
# missing values and result type
# --------------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("func", [f for f, _ in FORMATTERS], ids=lambda f: f.__name__)
@pytest.mark.parametrize("missing", MISSING, ids=repr)
def test_missing_value_is_n_a(func, missing):
    assert fmt(func, missing) == "n/a"
    assert F.NA == "n/a"


@pytest.mark.parametrize("func", [f for f, _ in FORMATTERS], ids=lambda f: f.__name__)
def test_pandas_na_is_n_a(func):
    # loaded frames carry missing ints as pd.NA (Int64 columns: seed, attempt, transition_step)
    assert fmt(func, pd.NA) == "n/a"


@pytest.mark.parametrize("low, high", [(float("nan"), 0.03), (0.0, None), (None, None), (np.nan, np.nan)])
def test_pct_range_missing_is_n_a(low, high):
    assert F.pct_range(low, high) == "n/a"


@pytest.mark.parametrize("func", [f for f, _ in FORMATTERS], ids=lambda f: f.__name__)
@pytest.mark.parametrize("value", [np.float64(0.5), np.int64(3), np.float32(2.0), 7, 0.25],
                         ids=lambda v: f"{type(v).__name__}({v})")
def test_results_are_plain_str(func, value):
    fmt(func, value)


def test_results_of_values_from_a_loaded_frame_are_plain_str():
    frame = pd.DataFrame({"n": pd.array([10, 100], dtype="Int64"), "x": [0.92, 166.6]})
    assert fmt(F.episodes, frame["n"].iloc[1]) == "100"
    assert fmt(F.duration, frame["x"].iloc[1]) == "2h 47m"
    assert fmt(F.pct, frame["x"].iloc[0]) == "92%"


# --------------------------------------------------------------------------------------------------------------
# pct / pct_range
# --------------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("x, digits, expected", [
    (0.92, 0, "92%"),
    (0.735, 1, "73.5%"),
    (0.40, 0, "40%"),
    (0.7, 1, "70%"),        # "70.0" -> trailing .0 dropped
    (0.015, 1, "1.5%"),
    (0.0, 0, "0%"),
    (1.0, 0, "100%"),
    (0.31481, 1, "31.5%"),
    (0.057, 1, "5.7%"),
    (0.125, 2, "12.5%"),    # "12.50" -> "12.5"
])
def test_pct(x, digits, expected):
    assert fmt(F.pct, x, digits) == expected


def test_pct_default_digits_is_zero():
    assert F.pct(0.92) == "92%"
    assert F.pct(0.02) == "2%"


@pytest.mark.parametrize("x, digits, expected", [
    (-0.17, 0, MINUS + "17%"),
    (-0.3148, 1, MINUS + "31.5%"),
    (-0.5, 0, MINUS + "50%"),
])
def test_pct_negative_uses_true_minus(x, digits, expected):
    out = fmt(F.pct, x, digits)
    assert out == expected
    assert "-" not in out


def test_pct_negative_rounding_to_zero_has_no_sign():
    # as number() does: no "-0"
    assert F.pct(-0.001) == "0%"


@pytest.mark.parametrize("low, high, digits, expected", [
    (0.0, 0.03, 0, "0" + DASH + "3%"),
    (0.61, 0.73, 0, "61" + DASH + "73%"),
    (0.057, 0.211, 1, "5.7" + DASH + "21.1%"),
    (0.06, 0.21, 0, "6" + DASH + "21%"),
])
def test_pct_range(low, high, digits, expected):
    out = F.pct_range(low, high, digits)
    assert type(out) is str
    assert out == expected


def test_pct_range_negative_uses_true_minus():
    out = F.pct_range(-0.73, -0.70)
    assert out == MINUS + "73" + DASH + MINUS + "70%"


# --------------------------------------------------------------------------------------------------------------
# number / points / decimal
# --------------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("x, digits, expected", [
    (10000, 0, "10,000"),
    (6040, 0, "6,040"),
    (999, 0, "999"),
    (1234567.891, 2, "1,234,567.89"),
    (50000.0, 0, "50,000"),
    (0, 0, "0"),
    (166.6, 1, "166.6"),
    (1266.16, 0, "1,266"),
    (-1234.5, 1, MINUS + "1,234.5"),
    (-71.5, 1, MINUS + "71.5"),
    (-6.636, 2, MINUS + "6.64"),
])
def test_number(x, digits, expected):
    out = fmt(F.number, x, digits)
    assert out == expected
    assert "-" not in out


@pytest.mark.parametrize("x, digits", [(-0.4, 0), (-0.004, 2), (-0.0, 0), (0.4, 0)])
def test_number_never_negative_zero(x, digits):
    out = F.number(x, digits)
    assert out == "0" if digits == 0 else out == "0.00"
    assert MINUS not in out and "-" not in out


@pytest.mark.parametrize("x, expected", [(19, "+19"), (-71, MINUS + "71"), (1234, "+1,234"), (0, "+0"),
                                         (-0.4, "+0")])
def test_number_signed(x, expected):
    # a value that rounds to zero is written "+0", never "-0" or "+-0"
    assert F.number(x, signed=True) == expected


@pytest.mark.parametrize("x, digits, expected", [
    (19, 0, "+19"),
    (19.0, 1, "+19.0"),
    (0.5, 1, "+0.5"),
    (-6.636, 1, MINUS + "6.6"),
    (-71.5, 1, MINUS + "71.5"),
    (-73, 0, MINUS + "73"),
    (55, 0, "+55"),
    (-17, 0, MINUS + "17"),
])
def test_points(x, digits, expected):
    out = fmt(F.points, x, digits)
    assert out == expected
    assert "-" not in out


def test_points_unsigned():
    assert F.points(19, signed=False) == "19"
    assert F.points(-19, signed=False) == MINUS + "19"


@pytest.mark.parametrize("x, digits, expected", [
    (-8.2, 1, MINUS + "8.2"),
    (-15.3, 1, MINUS + "15.3"),
    (0.3148, 2, "0.31"),
    (0.999, 3, "0.999"),
    (1234.5678, 2, "1,234.57"),
    (0.892, 2, "0.89"),
])
def test_decimal(x, digits, expected):
    out = fmt(F.decimal, x, digits)
    assert out == expected
    assert "-" not in out


def test_decimal_default_two_digits():
    assert F.decimal(0.416029) == "0.42"
    assert F.decimal(-12.1) == MINUS + "12.10"


# --------------------------------------------------------------------------------------------------------------
# ratio / episodes
# --------------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("x, kwargs, expected", [
    (1269.2, {}, "1,269x"),
    (1266.16, {}, "1,266x"),
    (38, {}, "38x"),
    (37.99999999999998, {}, "38x"),
    (363.02, {}, "363x"),
    (9.1818, {"digits": 1}, "9.2x"),
    (27.3636, {"digits": 2}, "27.36x"),
    (909.1, {"lower_bound": True}, "909x+"),
    (4545.45, {"lower_bound": True}, "4,545x+"),
    (10, {"digits": 0, "lower_bound": False}, "10x"),
])
def test_ratio(x, kwargs, expected):
    assert fmt(F.ratio, x, **kwargs) == expected


def test_ratio_negative_uses_true_minus():
    assert F.ratio(-2.5, 1) == MINUS + "2.5x"


@pytest.mark.parametrize("x, lower_bound, expected", [
    (10000, True, "10,000+"),
    (50000, True, "50,000+"),
    (6040, False, "6,040"),
    (11, False, "11"),
    (101.0, False, "101"),
    (451.4, False, "451"),
])
def test_episodes(x, lower_bound, expected):
    assert fmt(F.episodes, x, lower_bound) == expected


def test_episodes_missing_ignores_lower_bound():
    assert F.episodes(float("nan"), lower_bound=True) == "n/a"
    assert F.ratio(float("nan"), lower_bound=True) == "n/a"


# --------------------------------------------------------------------------------------------------------------
# duration
# --------------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("minutes, expected", [
    (166.6, "2h 47m"),   # 166.6 -> 167 min = 2 h 47 min
    (167, "2h 47m"),
    (120, "2h"),
    (33, "33m"),
    (11, "11m"),
    (2.6, "2.6m"),       # under 10 minutes keeps one decimal
    (5, "5m"),
    (5.0, "5m"),
    (0, "0m"),
    (59.6, "1h"),        # rounds to 60
    (61, "1h 1m"),
    (1500, "25h"),
    (10.4, "10m"),
    (59, "59m"),
    (60, "1h"),
    (47 * 60 + 59, "47h 59m"),   # the last minute shown in hours
    (47 * 60 + 59.6, "2 days"),  # rounds to 48 h: days from there on
    (48 * 60, "2 days"),
    (48 * 60 + 30, "2 days 1h"),  # 48 h 30 m: whole hours, a half hour rounded up to 49 h
    (10 ** 5, "69 days 11h"),     # 1,666.7 h = 69 x 24 + 10.7 h
    (45603 * 60 + 3, "1,900 days 3h"),  # 45,603 h = 1,900 x 24 + 3 h
])
def test_duration(minutes, expected):
    assert fmt(F.duration, minutes) == expected


# --------------------------------------------------------------------------------------------------------------
# sci
# --------------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("x, expected", [
    (5e-5, "5e-5"),
    (5e-05, "5e-5"),
    (0.0002, "2e-4"),
    (2e-4, "2e-4"),
    (5e-6, "5e-6"),
    (1.5e-4, "1.5e-4"),
    (2.5e-5, "2.5e-5"),
    (1e-3, "1e-3"),
    (3e-4, "3e-4"),
    (1.23e-7, "1.23e-7"),
])
def test_sci(x, expected):
    assert fmt(F.sci, x) == expected


def test_sci_of_loaded_learning_rates():
    # the three learning rates of Finding 2 as the post writes them
    assert [F.sci(x) for x in np.array([2e-4, 5e-5, 5e-6])] == ["2e-4", "5e-5", "5e-6"]


# --------------------------------------------------------------------------------------------------------------
# size
# --------------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("x, expected", [
    (3, "3B"), (7.5, "7.5B"), (32.0, "32B"), (np.float64(8), "8B"), (70, "70B"), (1, "1B"), (0.5, "0.5B"),
])
def test_size(x, expected):
    assert fmt(F.size, x) == expected


@pytest.mark.parametrize("x, digits", [(19.000000000000007, 0), (7.0, 0), (7.5, 1), (0.5, 1), (-71.5, 1),
                                       (float("nan"), 0), (None, 0)])
def test_tenths_shows_whole_numbers_whole_and_keeps_one_decimal_otherwise(x, digits):
    assert F.tenths(x) == digits


def test_points_with_tenths():
    assert F.points(0.5000000000000004, F.tenths(0.5000000000000004)) == "+0.5"  # never "+1" or "+0"
    assert F.points(19.000000000000007, F.tenths(19.000000000000007)) == "+19"
